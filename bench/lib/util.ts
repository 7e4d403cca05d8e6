import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { run as runProcess, RunOptions as ProcessOptions, RunResult } from "../../test/support";

export { REPO, waitForHttp } from "../../test/support";

export const BENCH_DIR = path.resolve(__dirname, "..");
export const RESULTS_DIR = path.join(BENCH_DIR, "results");
export const LOG_DIR = path.join(RESULTS_DIR, "logs");

export interface RunOptions extends Omit<ProcessOptions, "log"> {
    /** Append the command and its output to this file under results/logs. */
    log?: string;
}

/** test/support's run, timed and async, with its log under results/logs. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return runProcess(cmd, args, { ...opts, log: opts.log && path.join(LOG_DIR, opts.log) });
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
