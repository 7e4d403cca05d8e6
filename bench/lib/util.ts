import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

export const BENCH_DIR = path.resolve(__dirname, "..");
export const REPO = path.resolve(BENCH_DIR, "..");
export const RESULTS_DIR = path.join(BENCH_DIR, "results");
export const LOG_DIR = path.join(RESULTS_DIR, "logs");

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    ms: number;
}

export interface RunOptions {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Append the command and its output to this file under results/logs. */
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
                appendLog(opts.log, `$ ${cmd} ${args.join(" ")}\n# exit ${r.code} after ${(ms / 1000).toFixed(2)}s\n${r.stdout}${r.stderr}\n`);
            }
            if (r.code !== 0 && !opts.allowFail) {
                const tail = (r.stdout + r.stderr).trim().split("\n").slice(-25).join("\n");
                reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")} ... exited ${r.code}${opts.log ? ` (log: ${path.join(LOG_DIR, opts.log)})` : ""}\n${tail}`));
                return;
            }
            resolve(r);
        });
    });
}

export function appendLog(name: string, text: string): void {
    fs.mkdirSync(LOG_DIR, { recursive: true });
    fs.appendFileSync(path.join(LOG_DIR, name), text);
}

export function median(xs: number[]): number {
    if (xs.length === 0) {
        return NaN;
    }
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Stat {
    median: number;
    min: number;
    max: number;
    samples: number[];
}

export function stat(xs: number[]): Stat {
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: xs };
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const addr = srv.address() as net.AddressInfo;
            srv.close(() => resolve(addr.port));
        });
    });
}

export function say(msg: string): void {
    const t = new Date().toISOString().slice(11, 19);
    process.stdout.write(`[bench ${t}] ${msg}\n`);
}

export function secs(ms: number): string {
    return Number.isFinite(ms) ? (ms / 1000).toFixed(1) : "n/a";
}

/** Rotates a list by n, so the order of contenders changes from run to run. */
export function rotate<T>(xs: T[], n: number): T[] {
    const k = ((n % xs.length) + xs.length) % xs.length;
    return [...xs.slice(k), ...xs.slice(0, k)];
}

/** GET a URL until it answers 200 (the container is starting), or give up. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < end) {
        try {
            const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
            if (res.status === 200) {
                await res.text();
                return;
            }
            last = `HTTP ${res.status}`;
        } catch (e) {
            last = String(e);
        }
        await sleep(500);
    }
    throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s (${last})`);
}
