import * as os from "node:os";
import { ENV_HINT, Infra, loadInfra } from "../../test/support";
import { run } from "./util";

/** Fails fast, naming what is missing, when env.sh was not sourced, the package is not built, or a tool or daemon is absent. */
export async function checkInfra(): Promise<Infra> {
    const inf = loadInfra();
    for (const tool of ["buildctl", "docker", "pulumi", "wrk"]) {
        const r = await run("sh", ["-c", `command -v ${tool}`], { allowFail: true });
        if (r.code !== 0) {
            throw new Error(`\`${tool}\` is not on PATH: ${ENV_HINT}${tool === "wrk" ? " (or `apt-get install wrk`)" : ""}.`);
        }
    }
    const bk = await run("buildctl", ["--addr", inf.buildkitAddr, "debug", "workers"], { allowFail: true });
    if (bk.code !== 0) {
        throw new Error(`buildkitd does not answer on ${inf.buildkitAddr}: ${ENV_HINT}.\n${bk.stderr.trim()}`);
    }
    const dk = await run("docker", ["info", "--format", "{{.ServerVersion}}"], { allowFail: true });
    if (dk.code !== 0) {
        throw new Error(`the Docker engine does not answer: ${ENV_HINT}.\n${dk.stderr.trim()}`);
    }
    return inf;
}

export interface Machine {
    uname: string;
    nproc: number;
    memory: string;
    cpu: string;
    loadAtStart: string;
    versions: Record<string, string>;
}

async function firstLine(cmd: string, args: string[]): Promise<string> {
    const r = await run(cmd, args, { allowFail: true });
    return (r.stdout || r.stderr).trim().split("\n")[0] ?? "";
}

export async function machine(): Promise<Machine> {
    const cpuModel = os.cpus()[0]?.model ?? "unknown";
    return {
        uname: await firstLine("uname", ["-a"]),
        nproc: Number(await firstLine("nproc", [])),
        memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
        cpu: cpuModel,
        loadAtStart: os.loadavg().map((l) => l.toFixed(2)).join(" "),
        versions: {
            node: process.version,
            buildctl: await firstLine("buildctl", ["--version"]),
            docker: `engine ${await firstLine("docker", ["version", "--format", "{{.Server.Version}}"])}`,
            pulumi: await firstLine("pulumi", ["version"]),
            wrk: (await firstLine("wrk", ["-v"])).replace(/ Copyright.*/, ""),
        },
    };
}
