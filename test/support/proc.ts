import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    ms: number;
}

export interface RunOptions {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Append the command and its output to this file. */
    log?: string;
    /** Resolve with a non-zero exit code instead of throwing. */
    allowFail?: boolean;
}

/**
 * Runs a process asynchronously (the event loop stays free), timing it with a
 * monotonic clock from spawn to exit.
 */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        child.on("error", reject);
        child.on("close", (code) => {
            const ms = performance.now() - t0;
            const r: RunResult = { code: code ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), ms };
            if (opts.log) {
                fs.mkdirSync(path.dirname(opts.log), { recursive: true });
                fs.appendFileSync(opts.log, `$ ${cmd} ${args.join(" ")}\n# exit ${r.code} after ${(ms / 1000).toFixed(2)}s\n${r.stdout}${r.stderr}\n`);
            }
            if (r.code !== 0 && !opts.allowFail) {
                const tail = (r.stdout + r.stderr).trim().split("\n").slice(-25).join("\n");
                reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")} ... exited ${r.code}${opts.log ? ` (log: ${opts.log})` : ""}\n${tail}`));
                return;
            }
            resolve(r);
        });
    });
}

/**
 * Runs a process to completion and returns its stdout. A failure throws an
 * error whose message has the command, its folder, stdout and stderr (and
 * which keeps `status`, `stdout`, `stderr`).
 */
export function sh(cmd: string, args: string[], opts: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
    try {
        return execFileSync(cmd, args, { encoding: "utf8", cwd: opts.cwd, env: opts.env, input: opts.input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
        const err = e as Error & { status?: number | null; stdout?: string; stderr?: string };
        const where = opts.cwd ? ` in ${opts.cwd}` : "";
        const how = typeof err.status === "number" ? `exited ${err.status}` : err.message;
        throw Object.assign(new Error(`${cmd} ${args.join(" ")} failed${where}: ${how}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`), {
            status: err.status,
            stdout: err.stdout,
            stderr: err.stderr,
        });
    }
}

/** `docker …` on the engine of $DOCKER_HOST; stdout, trimmed. */
export function docker(...args: string[]): string {
    return sh("docker", args).trim();
}
