/**
 * The `interpreter` section: is Debian's apt python3 still faster than
 * CPython built the way the official Docker `python:*` images build it?
 *
 * The base-image table rests on a 2021 article that measured apt's Python on
 * an LTS distribution >20% faster on pyperformance than the official images.
 * This re-measures it on this machine: CPython 3.13 built as docker-library/
 * python's 3.13/slim-trixie Dockerfile does (bench/interpreter/official.Dockerfile)
 * against trixie's apt python3 3.13 (bench/interpreter/apt.Dockerfile), both on
 * the same local trixie base, running a fixed set of pyperformance benchmarks
 * side by side, alternating, pinned to the same CPU set.
 *
 * The official-style build runs CPython's test suite for PGO: 20-40 min on 2
 * cores. Each image is built once and kept in the local registry under a tag
 * keyed by the CPython version and a hash of its Dockerfile and base image, with
 * a stamp file and a `docker save` tarball under $PPA_CACHE/bench/interpreter/;
 * later runs reuse it in seconds. Bench only: CI never runs this.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { digestOf, Infra } from "../../test/support";
import { IndexSpec, startIndex } from "./pyindex";
import { appendLog, BENCH_DIR, LOG_DIR, median, rotate, run, say, secs } from "./util";

export const PYPERFORMANCE = "1.14.0";
export const PYPERF = "2.10.0";

/**
 * The fixed subset: pyperformance benchmarks that need nothing but pyperf
 * (no third-party package), each a few seconds with `--fast`. Some report
 * several results (deepcopy: 3, logging: 3), each a row of the table.
 */
export const BENCHMARKS = [
    "chaos", "deltablue", "fannkuch", "float", "go", "hexiom", "json_dumps", "json_loads", "nbody", "nqueens",
    "pickle_pure_python", "raytrace", "richards", "spectral_norm", "unpack_sequence", "regex_v8", "deepcopy",
    "generators", "coroutines", "logging",
];

/**
 * What pyperformance installs from the package index: itself and pyperf into
 * a venv, then, in its benchmark venv, pyperf, psutil (pyperf's optional
 * dependency) and setuptools + wheel (its "installer" step). pip is not
 * upgraded: each venv keeps the pip its interpreter's ensurepip bundles.
 */
export const INTERPRETER_INDEX: IndexSpec = {
    dir: "pyindex-interpreter",
    wheelSets: [[`pyperformance==${PYPERFORMANCE}`, `pyperf==${PYPERF}`, "psutil==7.2.2", "packaging==26.4", "setuptools==80.9.0", "wheel==0.45.1"]],
    sdists: [],
    probe: "pyperformance",
};

export type InterpreterId = "official" | "apt";

interface Contender {
    id: InterpreterId;
    label: string;
    dockerfile: string;
    repo: string;
    /** The interpreter pyperformance benchmarks. */
    python: string;
}

const INTERP_DIR = path.join(BENCH_DIR, "interpreter");
export const INTERPRETERS: Contender[] = [
    { id: "official", label: "official-image-style build", dockerfile: "official.Dockerfile", repo: "bench/cpython-official", python: "/usr/local/bin/python3" },
    { id: "apt", label: "Debian apt python3", dockerfile: "apt.Dockerfile", repo: "bench/python3-apt", python: "/usr/bin/python3" },
];

/** sysconfig and sys as the interpreter reports them. */
export interface InterpreterBuildInfo {
    version: string;
    executable: string;
    configArgs: string;
    cc: string;
    cflags: string;
    opt: string;
    pyCflagsNodist: string;
    /** Make-time flags (the official image passes dpkg-buildflags' CFLAGS this way); sysconfig keeps only configure-time values. */
    extraCflags: string;
    ldflags: string;
    pyLdflagsNodist: string;
}

export interface InterpreterImage {
    id: InterpreterId;
    label: string;
    dockerfile: string;
    /** Pinned to its digest. */
    ref: string;
    tag: string;
    /** Built by this invocation (false: reused from the cache). */
    builtNow: boolean;
    /** Wall-clock of the build, this run's or the cached one's. */
    buildS: number;
    builtAt: string;
    info?: InterpreterBuildInfo;
    /** Creating pyperformance's venvs in the container (not measured). */
    setupS?: number;
}

export interface BenchValues {
    /** Mean of all values, seconds. */
    mean: number;
    stdev: number;
    /** The least disturbed value: on a shared machine, the closest to the interpreter's own speed. */
    min: number;
    median: number;
    values: number;
}

export interface InterpreterRow {
    /** The pyperf benchmark name (a pyperformance benchmark can report several). */
    name: string;
    benchmark: string;
    official: BenchValues;
    apt: BenchValues;
    /** official mean / apt mean: above 1, apt's python3 is faster. */
    ratio: number;
    /** official min / apt min, the same way round. */
    ratioMin: number;
    /** Which interpreter ran first for this benchmark. */
    first: InterpreterId;
}

export interface InterpreterResults {
    pyperformance: string;
    pyperf: string;
    mode: string;
    benchmarks: string[];
    cpuset: string;
    images: InterpreterImage[];
    rows: InterpreterRow[];
    /** Geometric mean of the rows' ratios (official / apt). */
    geomean: number;
    /** The same over the ratios of the minimums. */
    geomeanMin?: number;
    /** Wall-clock: images (build or reuse + pull), venv setup, the benchmark runs. */
    imagesS: number;
    setupS: number;
    runS: number;
    /** The machine's load average (1, 5, 15 min) before and after the benchmark runs: the machine is shared. */
    loadBefore?: string;
    loadAfter?: string;
}

const STAMP_DIR = (inf: Infra) => path.join(inf.cache, "bench", "interpreter");

/** The CPython version a Dockerfile builds (its `ENV PYTHON_VERSION=`), or a name for one that installs a distribution's. */
function versionOf(text: string, fallback: string): string {
    return /^ENV PYTHON_VERSION=(\S+)$/m.exec(text)?.[1] ?? fallback;
}

/** Runs a long command with its output streamed to a log file (a PGO build prints megabytes over half an hour). */
function runStreamed(cmd: string, args: string[], log: string): Promise<number> {
    fs.mkdirSync(LOG_DIR, { recursive: true });
    const file = path.join(LOG_DIR, log);
    fs.appendFileSync(file, `$ ${cmd} ${args.join(" ")}\n`);
    const fd = fs.openSync(file, "a");
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const child = spawn(cmd, args, { stdio: ["ignore", fd, fd] });
        child.on("error", (e) => {
            fs.closeSync(fd);
            reject(e);
        });
        child.on("close", (code) => {
            fs.closeSync(fd);
            const ms = performance.now() - t0;
            fs.appendFileSync(file, `# exit ${code} after ${secs(ms)}s\n`);
            if (code !== 0) {
                const tail = fs.readFileSync(file, "utf8").trim().split("\n").slice(-25).join("\n");
                reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")} ... exited ${code} (log: ${file})\n${tail}`));
                return;
            }
            resolve(ms);
        });
    });
}

interface Stamp {
    ref: string;
    tag: string;
    buildS: number;
    builtAt: string;
    tar?: string;
}

/**
 * The contender's image in the local registry, built at most once per
 * Dockerfile + base image: the tag is `<version>-<hash>`, and a stamp file
 * records its digest and build time. A stamp whose image the registry lost is
 * restored from its `docker save` tarball; without either, it is built.
 */
export async function ensureImage(inf: Infra, c: Contender): Promise<InterpreterImage> {
    const text = fs.readFileSync(path.join(INTERP_DIR, c.dockerfile), "utf8");
    const baseDigest = await digestOf(inf, inf.trixie);
    if (!baseDigest) {
        throw new Error(`the registry has no ${inf.trixie}: run scripts/infra.sh`);
    }
    const base = `${inf.trixie}@${baseDigest}`;
    const hash = crypto.createHash("sha256").update(`${text}\n${base}`).digest("hex").slice(0, 12);
    const tag = `${inf.registry}/${c.repo}:${versionOf(text, "trixie")}-${hash}`;
    const dir = STAMP_DIR(inf);
    fs.mkdirSync(dir, { recursive: true });
    const stampFile = path.join(dir, `${c.repo.replace(/\//g, "_")}-${tag.slice(tag.lastIndexOf(":") + 1)}.json`);
    const img = (s: Stamp, builtNow: boolean): InterpreterImage => ({
        id: c.id, label: c.label, dockerfile: `bench/interpreter/${c.dockerfile}`, ref: s.ref, tag, builtNow, buildS: s.buildS, builtAt: s.builtAt,
    });

    if (fs.existsSync(stampFile)) {
        const s = JSON.parse(fs.readFileSync(stampFile, "utf8")) as Stamp;
        const digest = await digestOf(inf, tag);
        if (digest && s.ref.endsWith(`@${digest}`)) {
            say(`  ${c.id}: reusing ${s.ref} (built ${s.builtAt} in ${secs(s.buildS * 1000)}s)`);
            return img(s, false);
        }
        if (s.tar && fs.existsSync(s.tar)) {
            // The engine recompresses the layers on push: same image, new manifest digest.
            say(`  ${c.id}: the registry lost ${tag}; restoring it from ${s.tar}`);
            await run("docker", ["load", "-i", s.tar], { log: "interpreter-images.log" });
            await run("docker", ["push", tag], { log: "interpreter-images.log" });
            const again = await digestOf(inf, tag);
            if (again) {
                s.ref = `${inf.registry}/${c.repo}@${again}`;
                fs.writeFileSync(stampFile, JSON.stringify(s, null, 2) + "\n");
                return img(s, false);
            }
        }
    }

    const log = `interpreter-build-${c.id}.log`;
    say(`  ${c.id}: building ${tag} from bench/interpreter/${c.dockerfile}${c.id === "official" ? " (PGO + LTO: 20-40 min on 2 cores)" : ""}; log ${path.join(LOG_DIR, log)}`);
    const meta = path.join(dir, `.meta-${c.id}-${process.pid}.json`);
    const builtAt = new Date().toISOString();
    const ms = await runStreamed("buildctl", [
        "--addr", inf.buildkitAddr, "build", "--progress", "plain", "--frontend", "dockerfile.v0",
        "--local", `context=${INTERP_DIR}`, "--local", `dockerfile=${INTERP_DIR}`, "--opt", `filename=${c.dockerfile}`,
        "--opt", `build-arg:BASE_IMAGE=${base}`,
        // From scratch: the wall time recorded is a cold build's.
        "--no-cache",
        "--output", `type=image,name=${tag},push=true`, "--metadata-file", meta,
    ], log);
    const digest = JSON.parse(fs.readFileSync(meta, "utf8"))["containerimage.digest"] as string;
    fs.rmSync(meta, { force: true });
    const s: Stamp = { ref: `${inf.registry}/${c.repo}@${digest}`, tag, buildS: ms / 1000, builtAt };
    // A second copy outside the registry's storage.
    await run("docker", ["pull", "-q", tag], { log: "interpreter-images.log" });
    const tar = stampFile.replace(/\.json$/, ".tar");
    await run("docker", ["save", "-o", tar, tag], { log: "interpreter-images.log" });
    s.tar = tar;
    fs.writeFileSync(stampFile, JSON.stringify(s, null, 2) + "\n");
    say(`  ${c.id}: built in ${secs(ms)}s: ${s.ref}`);
    return img(s, true);
}

const INFO_SCRIPT = `
import json, sys, sysconfig
v = lambda k: sysconfig.get_config_var(k) or ""
print(json.dumps({
    "version": sys.version, "executable": sys.executable, "configArgs": v("CONFIG_ARGS"), "cc": v("CC"),
    "cflags": v("CFLAGS"), "opt": v("OPT"), "pyCflagsNodist": v("PY_CFLAGS_NODIST"), "extraCflags": v("EXTRA_CFLAGS"),
    "ldflags": v("LDFLAGS"), "pyLdflagsNodist": v("PY_LDFLAGS_NODIST"),
}))
`;

interface Running {
    c: Contender;
    img: InterpreterImage;
    name: string;
}

const PP = "/opt/pyperformance/bin/pyperformance";
/** pyperformance keeps its benchmark venv under ./venv/, named after the interpreter and its own version: every call runs here. */
const WORKDIR = "/opt/bench";
const INHERIT = ["--inherit-environ", "PIP_INDEX_URL,PIP_DISABLE_PIP_VERSION_CHECK,PIP_NO_CACHE_DIR"];

async function exec(r: Running, args: string[], log: string): Promise<string> {
    const res = await run("docker", ["exec", "-w", WORKDIR, r.name, ...args], { log });
    return res.stdout;
}

/** Starts the container (pinned to the CPU set, host network for the loopback index) and creates pyperformance's venvs inside it. */
export async function startContainer(c: Contender, img: InterpreterImage, cpuset: string, indexUrl: string, stamp: string): Promise<Running> {
    const name = `ppa-bench-interp-${c.id}-${stamp}`;
    await run("docker", ["rm", "-f", name], { allowFail: true, log: "interpreter-run.log" });
    await run("docker", [
        "run", "-d", "--name", name, "--network", "host", "--cpuset-cpus", cpuset,
        "-e", `PIP_INDEX_URL=${indexUrl}`, "-e", "PIP_DISABLE_PIP_VERSION_CHECK=1", "-e", "PIP_NO_CACHE_DIR=1",
        "-w", WORKDIR, img.ref, "sleep", "infinity",
    ], { log: "interpreter-run.log" });
    const r: Running = { c, img, name };
    const log = `interpreter-setup-${c.id}.log`;
    const t0 = performance.now();
    img.info = JSON.parse(await exec(r, [c.python, "-c", INFO_SCRIPT], log)) as InterpreterBuildInfo;
    await exec(r, [c.python, "-m", "venv", "/opt/pyperformance"], log);
    await exec(r, ["/opt/pyperformance/bin/pip", "install", `pyperformance==${PYPERFORMANCE}`, `pyperf==${PYPERF}`], log);
    // The benchmark venv: created from the interpreter under test, with every benchmark's requirements.
    // pyperformance passes only the variables named here on to pip (and to the benchmarks).
    await exec(r, [PP, "venv", "create", "--python", c.python, ...INHERIT, "-b", BENCHMARKS.join(",")], log);
    img.setupS = (performance.now() - t0) / 1000;
    say(`  ${c.id}: ${img.info.version.split("\n")[0]} (${img.info.executable}); venvs ready in ${secs(img.setupS * 1000)}s`);
    return r;
}

interface PyperfSuite {
    benchmarks: Array<{ metadata?: { name?: string }; runs: Array<{ values?: number[] }> }>;
    metadata?: { name?: string };
}

/** Mean and sample standard deviation of every value of every run (warm-ups and calibration runs carry none). */
export function summarize(values: number[]): BenchValues {
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const varc = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
    return { mean, stdev: Math.sqrt(varc), min: Math.min(...values), median: median(values), values: n };
}

export function parseSuite(json: string): Map<string, number[]> {
    const s = JSON.parse(json) as PyperfSuite;
    const out = new Map<string, number[]>();
    for (const b of s.benchmarks) {
        const name = b.metadata?.name ?? s.metadata?.name;
        if (!name) {
            throw new Error("a pyperf benchmark without a name");
        }
        out.set(name, b.runs.flatMap((r) => r.values ?? []));
    }
    return out;
}

export async function runBenchmark(r: Running, bench: string, mode: string): Promise<Map<string, number[]>> {
    const out = `/tmp/${bench}.json`;
    await exec(r, ["rm", "-f", out], "interpreter-run.log");
    const t0 = performance.now();
    await exec(r, [
        PP, "run", mode, "--python", r.c.python, ...INHERIT, "-b", bench, "-o", out,
    ], `interpreter-pyperformance-${r.c.id}.log`);
    const res = parseSuite(await exec(r, ["cat", out], "interpreter-run.log"));
    say(`    ${bench.padEnd(18)} ${r.c.id.padEnd(8)} ${secs(performance.now() - t0).padStart(5)}s  ${[...res].map(([n, v]) => `${n} ${(summarize(v).mean * 1000).toFixed(2)} ms`).join(", ")}`);
    return res;
}

const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

export function geomean(xs: number[]): number {
    return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/**
 * The section: both images (built or reused), a container of each pinned to
 * the same CPU set, then every benchmark on both interpreters in turn, the
 * order alternating from one benchmark to the next.
 */
export async function interpreterSection(inf: Infra, stamp: string, quick: boolean): Promise<InterpreterResults> {
    const cpuset = process.env.BENCH_INTERP_CPUS ?? "1";
    const mode = process.env.BENCH_INTERP_MODE ?? (quick ? "--debug-single-value" : "--fast");
    const t0 = performance.now();
    const images: InterpreterImage[] = [];
    for (const c of INTERPRETERS) {
        images.push(await ensureImage(inf, c));
    }
    for (const img of images) {
        await run("docker", ["pull", "-q", img.ref], { log: "interpreter-images.log" });
    }
    const imagesS = (performance.now() - t0) / 1000;

    const index = await startIndex(inf.cache, INTERPRETER_INDEX);
    const running: Running[] = [];
    try {
        const t1 = performance.now();
        for (const [i, c] of INTERPRETERS.entries()) {
            running.push(await startContainer(c, images[i], cpuset, index.url, stamp));
        }
        const setupS = (performance.now() - t1) / 1000;
        say(`  pyperformance ${PYPERFORMANCE} ${mode}, ${BENCHMARKS.length} benchmarks, CPU set ${cpuset}, alternating`);
        const loadBefore = loadavg();
        const t2 = performance.now();
        const rows: InterpreterRow[] = [];
        for (const [i, bench] of BENCHMARKS.entries()) {
            const order = rotate(running, i);
            const got: Partial<Record<InterpreterId, Map<string, number[]>>> = {};
            for (const r of order) {
                got[r.c.id] = await runBenchmark(r, bench, mode);
            }
            for (const [name, offVals] of got.official!) {
                const aptVals = got.apt!.get(name);
                if (!aptVals) {
                    throw new Error(`${bench}: apt's run has no ${name}`);
                }
                const official = summarize(offVals);
                const apt = summarize(aptVals);
                rows.push({ name, benchmark: bench, official, apt, ratio: official.mean / apt.mean, ratioMin: official.min / apt.min, first: order[0].c.id });
            }
        }
        const runS = (performance.now() - t2) / 1000;
        const g = geomean(rows.map((x) => x.ratio));
        const gMin = geomean(rows.map((x) => x.ratioMin));
        say(`  geometric mean of official / apt: ${g.toFixed(3)} over ${rows.length} results (of the minimums: ${gMin.toFixed(3)})`);
        appendLog("interpreter-run.log", JSON.stringify(rows, null, 2) + "\n");
        return {
            pyperformance: PYPERFORMANCE, pyperf: PYPERF, mode, benchmarks: BENCHMARKS, cpuset, images, rows, geomean: g, geomeanMin: gMin, imagesS, setupS, runS,
            loadBefore, loadAfter: loadavg(),
        };
    } finally {
        for (const r of running) {
            await run("docker", ["rm", "-f", r.name], { allowFail: true, log: "interpreter-run.log" });
        }
        index.stop();
    }
}
