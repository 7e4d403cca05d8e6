import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO, run } from "./util";

/** What the benchmark needs from scripts/infra.sh's env.sh. */
export interface Infra {
    registry: string;
    user: string;
    password: string;
    builder: string;
    trixie: string;
    buildkitAddr: string;
    cache: string;
}

const ENV_HINT = "run `bash scripts/infra.sh && source ${PPA_CACHE:-/var/cache/pulumi-python-app}/env.sh` first";

/** Fails fast, naming what is missing, when env.sh was not sourced or a tool is absent. */
export async function checkInfra(): Promise<Infra> {
    const missing = ["PPA_CACHE", "PPA_REGISTRY", "PPA_REGISTRY_USER", "PPA_REGISTRY_PASSWORD", "PPA_BUILDER", "PPA_BASE_TRIXIE"].filter(
        (n) => !process.env[n],
    );
    if (missing.length > 0) {
        throw new Error(`${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set: ${ENV_HINT}.`);
    }
    for (const tool of ["buildctl", "docker", "pulumi", "wrk"]) {
        const r = await run("sh", ["-c", `command -v ${tool}`], { allowFail: true });
        if (r.code !== 0) {
            throw new Error(`\`${tool}\` is not on PATH: ${ENV_HINT}${tool === "wrk" ? " (or `apt-get install wrk`)" : ""}.`);
        }
    }
    if (!fs.existsSync(path.join(REPO, "dist", "lib", "index.js"))) {
        throw new Error("dist/lib is missing: run `npm run build` first (the Pulumi programs load the built package).");
    }
    const inf: Infra = {
        registry: process.env.PPA_REGISTRY!,
        user: process.env.PPA_REGISTRY_USER!,
        password: process.env.PPA_REGISTRY_PASSWORD!,
        builder: process.env.PPA_BUILDER!,
        trixie: process.env.PPA_BASE_TRIXIE!,
        buildkitAddr: process.env.PPA_BUILDKIT_ADDR || process.env.BUILDKIT_HOST || "unix:///run/buildkit/buildkitd.sock",
        cache: process.env.PPA_CACHE!,
    };
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
