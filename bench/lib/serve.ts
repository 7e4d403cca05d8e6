import { freePort, rotate, run, say, median, waitForHttp } from "./util";

/** Scenario 6: the same image (ours), three ways to serve it, at the same CPU and memory limits. */
export interface ServerVariant {
    id: string;
    label: string;
    /** Extra `docker run` arguments before the image. */
    runArgs: string[];
    /** Command override after the image (none: the image's CMD). */
    command: string[];
}

export const SERVERS: ServerVariant[] = [
    { id: "gunicorn", label: "gunicorn as ours' image runs it (its CMD and synthesized config)", runArgs: [], command: [] },
    {
        id: "dev-server",
        label: "Flask dev server (`flask --app app run`, threaded)",
        runArgs: [],
        command: ["flask", "--app", "app", "run", "--host", "0.0.0.0", "--port", "8000"],
    },
    {
        id: "gunicorn-sync",
        label: "gunicorn, sync workers (`threads: 1`: GUNICORN_CMD_ARGS=--threads 1)",
        runArgs: ["-e", "GUNICORN_CMD_ARGS=--threads 1"],
        command: [],
    },
];

export const ENDPOINTS = ["/json", "/sleep"];

export interface WrkResult {
    rps: number;
    p50ms: number;
    p99ms: number;
    errors: number;
    non2xx: number;
}

export interface ServeCell {
    server: string;
    endpoint: string;
    rps: number;
    p50ms: number;
    p99ms: number;
    errors: number;
    samples: WrkResult[];
}

function toMs(v: string, unit: string): number {
    const x = Number(v);
    switch (unit) {
        case "us":
            return x / 1000;
        case "ms":
            return x;
        case "s":
            return x * 1000;
        case "m":
            return x * 60000;
        default:
            return NaN;
    }
}

export function parseWrk(out: string): WrkResult {
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
    const pct = (p: string) => {
        const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(out);
        return m ? toMs(m[1], m[2]) : NaN;
    };
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const errors = sock ? sock.slice(1).reduce((a, s) => a + Number(s), 0) : 0;
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    return { rps, p50ms: pct("50"), p99ms: pct("99"), errors, non2xx };
}

export interface ServeOptions {
    duration: string;
    runs: number;
    cpus: string;
    memory: string;
}

export async function serve(image: string, stamp: string, o: ServeOptions): Promise<ServeCell[]> {
    const started: Array<{ v: ServerVariant; name: string; port: number }> = [];
    try {
        for (const v of SERVERS) {
            const port = await freePort();
            const name = `ppa-bench-${v.id}-${stamp}`;
            await run(
                "docker",
                ["run", "-d", "--name", name, "--cpus", o.cpus, "--memory", o.memory, "-p", `127.0.0.1:${port}:8000`, ...v.runArgs, image, ...v.command],
                { log: "serve.log" },
            );
            started.push({ v, name, port });
        }
        for (const s of started) {
            await waitForHttp(`http://127.0.0.1:${s.port}/json`, 60000);
            // Warm-up: imports done, workers forked, caches hot.
            await run("wrk", ["-t2", "-c32", "-d2s", `http://127.0.0.1:${s.port}/json`], { log: "serve.log" });
        }
        const samples = new Map<string, WrkResult[]>();
        for (let i = 0; i < o.runs; i++) {
            // Side by side: each run measures every server, in a rotating order.
            for (const s of rotate(started, i)) {
                for (const ep of ENDPOINTS) {
                    const r = await run("wrk", ["-t2", "-c32", `-d${o.duration}`, "--latency", `http://127.0.0.1:${s.port}${ep}`], { log: "serve.log" });
                    const w = parseWrk(r.stdout);
                    const key = `${s.v.id} ${ep}`;
                    samples.set(key, [...(samples.get(key) ?? []), w]);
                    say(`  ${s.v.id.padEnd(16)} ${ep.padEnd(6)} ${w.rps.toFixed(0).padStart(6)} req/s  p50 ${w.p50ms.toFixed(1)} ms  p99 ${w.p99ms.toFixed(1)} ms${w.errors + w.non2xx ? `  errors ${w.errors + w.non2xx}` : ""}`);
                }
            }
        }
        const cells: ServeCell[] = [];
        for (const s of started) {
            for (const ep of ENDPOINTS) {
                const xs = samples.get(`${s.v.id} ${ep}`) ?? [];
                cells.push({
                    server: s.v.id,
                    endpoint: ep,
                    rps: median(xs.map((x) => x.rps)),
                    p50ms: median(xs.map((x) => x.p50ms)),
                    p99ms: median(xs.map((x) => x.p99ms)),
                    errors: xs.reduce((a, x) => a + x.errors + x.non2xx, 0),
                    samples: xs,
                });
            }
        }
        return cells;
    } finally {
        for (const s of started) {
            await run("docker", ["rm", "-f", s.name], { log: "serve.log", allowFail: true });
        }
    }
}
