import * as fs from "node:fs";
import * as path from "node:path";
import { BenchContext, setVersion, synthesizeOurs } from "./builds";
import { BENCH_DIR, median, rotate, run, say, sleep, waitForHttp } from "./util";

/**
 * Scenario 6: serving. Two apps of the same endpoints (bench/app in Flask,
 * bench/app-asgi in FastAPI), each in ours' image, served by ours' CMD and by
 * the contenders' commands in the same image, at the same CPU and memory
 * limits, measured with wrk with keep-alive clients and with
 * `Connection: close` clients.
 */
export type AppShape = "wsgi" | "asgi";
export const APP_SHAPES: AppShape[] = ["wsgi", "asgi"];

export const SERVE_APPS: Record<AppShape, { dir: string; title: string }> = {
    wsgi: { dir: path.join(BENCH_DIR, "app"), title: "WSGI app (Flask, bench/app)" },
    asgi: { dir: path.join(BENCH_DIR, "app-asgi"), title: "ASGI app (FastAPI, bench/app-asgi)" },
};

/** The image a contender runs: ours' for the app, or ours' plus gevent (the seed's CMD needs it). */
export type ImageKind = "ours" | "ours+gevent";

export interface ServeContender {
    /** The column: ours, seed, docker-init, uvicorn, dev-server. */
    id: string;
    app: AppShape;
    label: string;
    /** Where the command comes from. */
    source: string;
    image: ImageKind;
    /** argv after the image; empty: the image's own CMD. */
    command: string[];
    /** The image's own CMD without `--access-logfile -`: what ours runs with `accessLog: false`. */
    noAccessLog?: boolean;
    /** Shown for what it explains, not a contender of the targets. */
    informational?: boolean;
    /** Variables the container runs with (`docker run -e`): a setting of ours' image changed the way a user would change it. */
    env?: Record<string, string>;
}

const SEED_SOURCE = "the seed article's CMD (its port 5000 -> 8000)";
const DOCKER_INIT_SOURCE =
    "docker init's Python template writes `CMD <the command to run your app>`; its prompt's example is `gunicorn 'myapp.example:app' --bind=0.0.0.0:8000` (docs.docker.com/reference/cli/docker/init/)";

/** Ours' image without its access log, for either app: what one log line per request costs (informational). */
function oursWithoutAccessLog(app: AppShape): ServeContender {
    return {
        id: "ours-no-access-log",
        app,
        label: "ours with `accessLog: false` (informational)",
        source: "ours' CMD without `--access-logfile -`, as synthesize() writes it with `accessLog: false`; the seed's CMD and the ASGI seed's shape write no access log",
        image: "ours",
        command: [],
        noAccessLog: true,
        informational: true,
    };
}

export const SERVE_CONTENDERS: ServeContender[] = [
    { id: "ours", app: "wsgi", label: "ours: the image's CMD", source: "synthesize()", image: "ours", command: [] },
    oursWithoutAccessLog("wsgi"),
    {
        id: "ours-32-threads",
        app: "wsgi",
        label: "ours with 32 threads per worker (informational)",
        source:
            "ours' image and CMD with GUNICORN_CMD_ARGS=--threads 32, which gunicorn reads over its config file: enough threads in every worker for all of wrk's connections, " +
            "as the seed's gevent workers have no limit; what more threads buy on this load",
        image: "ours",
        command: [],
        env: { GUNICORN_CMD_ARGS: "--threads 32" },
        informational: true,
    },
    {
        id: "seed",
        app: "wsgi",
        label: "seed: gunicorn, 4 gevent workers",
        source: SEED_SOURCE + "; gevent installed into the image's venv (dockerfiles/seed-gevent.Dockerfile)",
        image: "ours+gevent",
        command: ["gunicorn", "-b", "0.0.0.0:8000", "-w", "4", "-k", "gevent", "--worker-tmp-dir", "/dev/shm", "app:app"],
    },
    {
        id: "docker-init",
        app: "wsgi",
        label: "docker-init: gunicorn's defaults (1 sync worker)",
        source: DOCKER_INIT_SOURCE + ", for this app's module; shell form, as the template writes it",
        image: "ours",
        command: ["/bin/sh", "-c", "gunicorn 'app:app' --bind=0.0.0.0:8000"],
    },
    {
        id: "dev-server",
        app: "wsgi",
        label: "dev server: `flask run` (threaded, no reloader)",
        source: "Flask's development server, as its docs start it",
        image: "ours",
        command: ["flask", "--app", "app", "run", "--host", "0.0.0.0", "--port", "8000"],
    },
    { id: "ours", app: "asgi", label: "ours: the image's CMD", source: "synthesize()", image: "ours", command: [] },
    oursWithoutAccessLog("asgi"),
    {
        id: "ours-4-workers",
        app: "asgi",
        label: "ours with 4 workers, the seed's count (informational)",
        source: "ours' image and CMD with WEB_CONCURRENCY=4 (ours' default: one worker per CPU, 2 here): what the seed's worker count changes, all else equal",
        image: "ours",
        command: [],
        env: { WEB_CONCURRENCY: "4" },
        informational: true,
    },
    {
        id: "seed",
        app: "asgi",
        label: "seed's shape for ASGI: gunicorn, 4 uvicorn workers",
        source: "the closest equivalent of the seed's CMD (4 workers of an async worker class): gevent serves no ASGI, so `-k uvicorn_worker.UvicornWorker`",
        image: "ours",
        command: ["gunicorn", "-b", "0.0.0.0:8000", "-w", "4", "-k", "uvicorn_worker.UvicornWorker", "--worker-tmp-dir", "/dev/shm", "app:app"],
    },
    {
        id: "uvicorn",
        app: "asgi",
        label: "uvicorn alone (1 process) = docker-init's command for ASGI",
        source:
            "Docker's Python guide (docs.docker.com/guides/python/containerize/) answers docker init's command prompt for its FastAPI app with `python3 -m uvicorn app:app --host=0.0.0.0 --port=8000`; shell form, as the template writes it",
        image: "ours",
        command: ["/bin/sh", "-c", "python3 -m uvicorn app:app --host=0.0.0.0 --port=8000"],
    },
    {
        id: "dev-server",
        app: "asgi",
        label: "dev server: `uvicorn --reload`",
        source: "uvicorn's development mode, which `fastapi dev` runs (fastapi-cli is not among the app's dependencies)",
        image: "ours",
        command: ["uvicorn", "app:app", "--reload", "--host", "0.0.0.0", "--port", "8000"],
    },
];

export const ENDPOINTS = ["/cpu", "/sleep"];
export type ClientMode = "keep-alive" | "close";
export const CLIENT_MODES: ClientMode[] = ["keep-alive", "close"];

export interface WrkResult {
    rps: number;
    p50ms: number;
    p99ms: number;
    /** Socket errors: connect, read, write, timeout. */
    errors: number;
    non2xx: number;
    /** CPU time the server's container used during the run, in cores (its cgroup's usage over the run's wall-clock); NaN where unreadable. */
    cores?: number;
}

export interface ServeCell {
    app: AppShape;
    server: string;
    endpoint: string;
    client: ClientMode;
    rps: number;
    p50ms: number;
    p99ms: number;
    /** Socket errors and non-2xx answers, all runs. */
    errors: number;
    /** CPU the server used, in cores, median. */
    cores: number;
    samples: WrkResult[];
}

export interface ServeOptions {
    duration: string;
    warmup: string;
    connections: number;
    threads: number;
    runs: number;
    cpus: string;
    memory: string;
}

/** What the results keep about how each contender was run. */
export interface ServeSetup {
    images: Record<string, string>;
    contenders: Array<{ id: string; app: AppShape; label: string; source: string; image: string; command: string; informational?: boolean }>;
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

/** The two copies of work.py (the CPU-bound work) must be the same, or /cpu measures different work in the two apps. */
export function checkSameWork(): void {
    const a = fs.readFileSync(path.join(SERVE_APPS.wsgi.dir, "work.py"), "utf8");
    const b = fs.readFileSync(path.join(SERVE_APPS.asgi.dir, "work.py"), "utf8");
    if (a !== b) {
        throw new Error("bench/app/work.py and bench/app-asgi/work.py differ: /cpu must do the same work in both apps");
    }
}

/**
 * Builds ours' image for an app from what synthesize() writes (not timed),
 * with a registry cache of its own that outlives the invocation, so that
 * `BENCH_ONLY=serve` runs after the first do not rebuild the dependencies.
 */
export async function buildOursImage(ctx: BenchContext, app: AppShape): Promise<string> {
    const root = fs.mkdtempSync(path.join(ctx.tmp, `serve-${app}-`));
    const appDir = path.join(root, "app");
    const dfDir = path.join(root, "dockerfile");
    fs.cpSync(SERVE_APPS[app].dir, appDir, { recursive: true });
    setVersion(appDir, `${ctx.stamp}-serve`);
    synthesizeOurs(ctx.inf, appDir, dfDir);
    const cache = `${ctx.inf.registry}/bench/serve-cache:${app}`;
    const ref = await buildctl(ctx, `serve-${app}`, [
        "--local", `context=${appDir}`, "--local", `dockerfile=${dfDir}`, "--opt", "filename=ours.Dockerfile",
        "--secret", "id=PIP_INDEX_URL,env=PIP_INDEX_URL",
        "--export-cache", `type=registry,ref=${cache},mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true`,
        "--import-cache", `type=registry,ref=${cache}`,
    ]);
    fs.rmSync(root, { recursive: true, force: true });
    return ref;
}

/** Ours' image plus gevent, for the seed's CMD (dockerfiles/seed-gevent.Dockerfile). */
export async function buildGeventImage(ctx: BenchContext, oursRef: string): Promise<string> {
    const dir = path.join(BENCH_DIR, "dockerfiles");
    return buildctl(ctx, "serve-wsgi-gevent", [
        "--local", `context=${dir}`, "--local", `dockerfile=${dir}`, "--opt", "filename=seed-gevent.Dockerfile",
        "--opt", `build-arg:IMAGE=${oursRef}`, "--opt", `build-arg:PIP_INDEX_URL=${ctx.index.url}`,
    ]);
}

async function buildctl(ctx: BenchContext, name: string, args: string[]): Promise<string> {
    const meta = path.join(ctx.tmp, `meta-${name}.json`);
    const repo = `${ctx.inf.registry}/bench/${name}`;
    const r = await run(
        "buildctl",
        ["--addr", ctx.inf.buildkitAddr, "build", "--progress", "plain", "--frontend", "dockerfile.v0", ...args, "--output", `type=image,name=${repo}:${ctx.stamp},push=true`, "--metadata-file", meta],
        { env: { ...process.env, PIP_INDEX_URL: ctx.index.url }, log: "serve-build.log" },
    );
    const digest = JSON.parse(fs.readFileSync(meta, "utf8"))["containerimage.digest"] as string;
    say(`  built ${name} in ${(r.ms / 1000).toFixed(1)} s`);
    return `${repo}@${digest}`;
}

async function imageCmd(image: string): Promise<string[]> {
    return JSON.parse((await run("docker", ["image", "inspect", "-f", "{{json .Config.Cmd}}", image])).stdout) as string[];
}

/** The argv a contender's container runs: its command, the image's CMD, or the image's CMD without the access log. */
async function argvOf(c: ServeContender, image: string): Promise<string[]> {
    if (!c.noAccessLog) {
        return c.command;
    }
    const cmd = await imageCmd(image);
    const i = cmd.indexOf("--access-logfile");
    if (i < 0) {
        throw new Error(`${image}: its CMD has no --access-logfile`);
    }
    return [...cmd.slice(0, i), ...cmd.slice(i + 2)];
}

/** The server settings ours' image runs with, read from its CMD and its synthesized gunicorn config. */
async function oursCommand(image: string, argv: string[]): Promise<string> {
    const cmd = argv.length > 0 ? argv : await imageCmd(image);
    const conf = await run("docker", ["run", "--rm", "--entrypoint", "cat", image, "/etc/pulumi-python-app/gunicorn.conf.py"], { allowFail: true });
    const settings = conf.stdout.split("\n").filter((l) => /^(workers|threads|worker_class|keepalive|worker_connections) = /.test(l));
    return `${cmd.join(" ")}${settings.length ? `; config: ${settings.join("; ")}` : ""}`;
}

interface Started {
    c: ServeContender;
    name: string;
    url: string;
    /** The container's cgroup file of CPU usage, if found. */
    usage?: { file: string; unit: "ns" | "usec" };
}

/** Where the container's CPU usage is (cgroup v1 with the cgroupfs or the systemd driver, or v2). */
function usageFile(id: string): Started["usage"] {
    const v1 = [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`, `/sys/fs/cgroup/cpuacct/system.slice/docker-${id}.scope/cpuacct.usage`];
    const v2 = [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, `/sys/fs/cgroup/docker/${id}/cpu.stat`];
    const f1 = v1.find((f) => fs.existsSync(f));
    if (f1) {
        return { file: f1, unit: "ns" };
    }
    const f2 = v2.find((f) => fs.existsSync(f));
    return f2 ? { file: f2, unit: "usec" } : undefined;
}

/** CPU seconds the container has used so far. */
function cpuSeconds(u: Started["usage"]): number {
    if (!u) {
        return NaN;
    }
    try {
        const text = fs.readFileSync(u.file, "utf8");
        return u.unit === "ns" ? Number(text.trim()) / 1e9 : Number(/^usage_usec (\d+)$/m.exec(text)?.[1] ?? NaN) / 1e6;
    } catch {
        return NaN;
    }
}

async function startContainer(c: ServeContender, image: string, argv: string[], stamp: string, o: ServeOptions): Promise<Started> {
    const name = `ppa-bench-serve-${c.app}-${c.id}-${stamp}`;
    await run("docker", ["rm", "-f", name], { log: "serve.log", allowFail: true });
    const env = Object.entries(c.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await run("docker", ["run", "-d", "--name", name, "--cpus", o.cpus, "--memory", o.memory, ...env, image, ...argv], { log: "serve.log" });
    // The container's own address on the bridge: no userland proxy (docker-proxy) between wrk and the server.
    const [id, ip] = (await run("docker", ["inspect", "-f", "{{.Id}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name])).stdout.trim().split(" ");
    if (!ip) {
        throw new Error(`${name}: no address on a Docker network`);
    }
    return { c, name, url: `http://${ip}:8000`, usage: usageFile(id) };
}

function wrkArgs(o: ServeOptions, duration: string, mode: ClientMode, url: string): string[] {
    return [`-t${o.threads}`, `-c${o.connections}`, `-d${duration}`, "--latency", ...(mode === "close" ? ["-H", "Connection: close"] : []), url];
}

/**
 * One app: its contenders' containers start together (idle ones cost a
 * heartbeat a second), each is warmed up, then every run measures every
 * contender on every endpoint with both kinds of client, the contenders'
 * order rotating from run to run.
 */
export async function serveApp(app: AppShape, images: Record<ImageKind, string>, stamp: string, o: ServeOptions): Promise<ServeCell[]> {
    const contenders = SERVE_CONTENDERS.filter((c) => c.app === app);
    const started: Started[] = [];
    try {
        for (const c of contenders) {
            started.push(await startContainer(c, images[c.image], await argvOf(c, images[c.image]), stamp, o));
        }
        for (const s of started) {
            await waitForHttp(`${s.url}/`, 90000);
            // Warm-up: imports done, workers forked and serving, both endpoints hot.
            for (const ep of ENDPOINTS) {
                await run("wrk", wrkArgs(o, o.warmup, "keep-alive", `${s.url}${ep}`), { log: "serve.log" });
            }
        }
        const samples = new Map<string, WrkResult[]>();
        for (let i = 0; i < o.runs; i++) {
            for (const s of rotate(started, i)) {
                for (const ep of ENDPOINTS) {
                    for (const mode of CLIENT_MODES) {
                        const cpu0 = cpuSeconds(s.usage);
                        const r = await run("wrk", wrkArgs(o, o.duration, mode, `${s.url}${ep}`), { log: "serve.log" });
                        const w: WrkResult = { ...parseWrk(r.stdout), cores: (cpuSeconds(s.usage) - cpu0) / (r.ms / 1000) };
                        const key = `${s.c.id} ${ep} ${mode}`;
                        samples.set(key, [...(samples.get(key) ?? []), w]);
                        say(
                            `  ${app} ${s.c.id.padEnd(11)} ${ep.padEnd(6)} ${mode.padEnd(10)} ${w.rps.toFixed(0).padStart(6)} req/s  p50 ${w.p50ms.toFixed(1)} ms  p99 ${w.p99ms.toFixed(1)} ms` +
                                `  server CPU ${w.cores?.toFixed(2) ?? "n/a"}` + (w.errors + w.non2xx ? `  errors ${w.errors + w.non2xx}` : ""),
                        );
                        // Closed connections drain before the next measurement.
                        await sleep(300);
                    }
                }
            }
        }
        const cells: ServeCell[] = [];
        for (const s of started) {
            for (const ep of ENDPOINTS) {
                for (const mode of CLIENT_MODES) {
                    const xs = samples.get(`${s.c.id} ${ep} ${mode}`) ?? [];
                    cells.push({
                        app,
                        server: s.c.id,
                        endpoint: ep,
                        client: mode,
                        rps: median(xs.map((x) => x.rps)),
                        p50ms: median(xs.map((x) => x.p50ms)),
                        p99ms: median(xs.map((x) => x.p99ms)),
                        errors: xs.reduce((a, x) => a + x.errors + x.non2xx, 0),
                        cores: median(xs.map((x) => x.cores ?? NaN)),
                        samples: xs,
                    });
                }
            }
        }
        return cells;
    } finally {
        for (const s of started) {
            await run("docker", ["logs", "--tail", "30", s.name], { log: `serve-${app}-${s.c.id}.log`, allowFail: true });
            await run("docker", ["rm", "-f", s.name], { log: "serve.log", allowFail: true });
        }
    }
}

/**
 * The whole scenario: the images (ours' WSGI image from the builds when they
 * ran, else built here), then each app's contenders.
 */
export async function serve(ctx: BenchContext, oursWsgi: string | undefined, o: ServeOptions): Promise<{ cells: ServeCell[]; setup: ServeSetup }> {
    checkSameWork();
    const wsgi = oursWsgi ?? (await buildOursImage(ctx, "wsgi"));
    const gevent = await buildGeventImage(ctx, wsgi);
    const asgi = await buildOursImage(ctx, "asgi");
    const images: Record<AppShape, Record<ImageKind, string>> = {
        wsgi: { ours: wsgi, "ours+gevent": gevent },
        asgi: { ours: asgi, "ours+gevent": "" },
    };
    for (const ref of [wsgi, gevent, asgi]) {
        await run("docker", ["pull", "-q", ref], { log: "serve.log" });
    }
    const setup: ServeSetup = { images: { "wsgi ours": wsgi, "wsgi ours+gevent": gevent, "asgi ours": asgi }, contenders: [] };
    for (const c of SERVE_CONTENDERS) {
        const argv = await argvOf(c, images[c.app][c.image]);
        const cmd = c.command.length === 0 ? await oursCommand(images[c.app].ours, argv) : argv.join(" ");
        const command = `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)} `).join("")}${cmd}`;
        setup.contenders.push({ id: c.id, app: c.app, label: c.label, source: c.source, image: c.image, command, informational: c.informational });
    }
    const cells: ServeCell[] = [];
    for (const app of APP_SHAPES) {
        cells.push(...(await serveApp(app, images[app], ctx.stamp, o)));
    }
    return { cells, setup };
}
