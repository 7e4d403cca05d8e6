/**
 * The benchmark suite: `npm run bench` (after `source $PPA_CACHE/env.sh`).
 * Prints figures and writes bench/results/latest.{json,md} and a chart; it
 * asserts no times. See bench/README.md.
 *
 * Environment:
 *   BENCH_RUNS=N        runs of every build scenario and of the serving runs (default 3)
 *   BENCH_QUICK=1       1 run, 2 s wrk runs, 2 previews, 3 synthesize runs (smoke test)
 *   BENCH_ONLY=a,b      a subset of: builds, pulumi-builds, sizes, startup, serve, preview, synth, interpreter
 *   BENCH_CONTENDERS=a,b  the build contenders measured (default all: ours, naive, seed, docker-init)
 *   BENCH_OURS_CACHE_MODE=min|max  ours' cache export mode (default: PythonImage's for bench/app, defaultCacheMode)
 *   BENCH_PREVIEWS=N    previews per stack (default 5)
 *   BENCH_INTERP_CPUS=S the CPU set both interpreters are pinned to (default 1)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BenchContext, BuildRecord, ContenderId, CONTENDERS, contenderRun, makeTmp } from "./lib/builds";
import { checkInfra, machine } from "./lib/infra";
import { interpreterSection } from "./lib/interpreter";
import { startIndex } from "./lib/pyindex";
import { oursViaPythonImage, previewCost } from "./lib/pulumi";
import { compressedSize, uncompressedSize } from "./lib/registry";
import { buildStats, Results, writeReports } from "./lib/report";
import { serve, ServeOptions } from "./lib/serve";
import { startup } from "./lib/startup";
import { countFiles, makeBigTree, timeStageContext, timeSynthesize } from "./lib/synth";
import { RESULTS_DIR, rotate, say, secs } from "./lib/util";

/**
 * One wrk measurement. A full run makes 2 apps x 6 servers (4 contenders,
 * ours with accessLog: false, and ours with one setting changed) x 2 endpoints
 * x 2 clients x 3 runs = 144 of them: about 15 minutes at 5 s each with the
 * pauses, so the section (with the images it builds) stays near 18. 5 s is over 500 requests on the
 * slowest cell that still answers in time (a CPU-bound endpoint at ~100
 * req/s), the least for a p99.
 */
const SERVE_DURATION = "5s";
/**
 * 32 clients: 16 per CPU, a loaded server's share of a proxy's connections;
 * more than some servers run at once (gunicorn's sync worker: 1), fewer than
 * wrk can drive with one thread. One wrk thread keeps the client to at most
 * one of the machine's two CPUs, which the server shares (no cpuset pinning:
 * the server may use both, as `--cpus 2` allows).
 */
const SERVE_CONNECTIONS = 32;

const SECTIONS = ["builds", "pulumi-builds", "sizes", "startup", "serve", "preview", "synth", "interpreter"] as const;
type Section = (typeof SECTIONS)[number];

async function main(): Promise<void> {
    const t0 = Date.now();
    const quick = process.env.BENCH_QUICK === "1";
    const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3)));
    const previews = Math.max(1, Number(process.env.BENCH_PREVIEWS ?? (quick ? 2 : 5)));
    const only = (process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    for (const o of only) {
        if (!SECTIONS.includes(o as Section)) {
            throw new Error(`BENCH_ONLY: unknown section "${o}"; use some of ${SECTIONS.join(", ")}`);
        }
    }
    const want = (s: Section) => only.length === 0 || only.includes(s);
    const full = only.length === 0 && !quick && runs >= 3;

    const inf = await checkInfra();
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.rmSync(path.join(RESULTS_DIR, "logs"), { recursive: true, force: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-").toLowerCase();
    const tmp = makeTmp();
    const index = await startIndex(inf.cache);
    const ctx: BenchContext = { inf, index, stamp, tmp };
    const r: Results = {
        date: new Date().toISOString(),
        quick,
        runs,
        stamp,
        durationS: 0,
        machine: await machine(),
        builds: [],
        buildStats: {},
        sizes: {},
        serve: [],
        targets: [],
        errors: [],
    };
    say(`machine: ${r.machine.uname}; ${r.machine.nproc} CPUs, ${r.machine.memory}; load ${r.machine.loadAtStart}`);
    say(`runs: ${runs}${quick ? " (quick)" : ""}; results in ${RESULTS_DIR}`);

    const section = async (name: string, fn: () => Promise<void>) => {
        const s0 = Date.now();
        say(`== ${name}`);
        try {
            await fn();
        } catch (e) {
            const msg = e instanceof Error ? e.message : String(e);
            r.errors.push(`${name}: ${msg}`);
            say(`!! ${name} failed: ${msg}`);
        }
        say(`== ${name}: ${secs(Date.now() - s0)}s`);
        // What is measured so far survives an interrupted run.
        fs.writeFileSync(path.join(RESULTS_DIR, "partial.json"), JSON.stringify({ ...r, buildStats: buildStats(r.builds) }, null, 2) + "\n");
    };

    // Scenarios 1-4: each run measures every contender, in a rotating order.
    const lastS1: Record<string, string> = {};
    if (want("builds") || want("pulumi-builds")) {
        for (let n = 1; n <= runs; n++) {
            const picked = (process.env.BENCH_CONTENDERS ?? "").split(",").filter(Boolean);
            const order: Array<ContenderId | "pulumi"> = [...(want("builds") ? CONTENDERS.filter((c) => picked.length === 0 || picked.includes(c)) : [])];
            // The component path (`pulumi up` of a PythonImage) once, in the first run.
            if (want("pulumi-builds") && n === 1) {
                order.push("pulumi");
            }
            for (const c of rotate(order, n - 1)) {
                await section(`builds run ${n}/${runs}: ${c === "pulumi" ? "ours via PythonImage" : c}`, async () => {
                    const recs: BuildRecord[] = c === "pulumi" ? await oursViaPythonImage(n, ctx) : await contenderRun(c, n, ctx);
                    r.builds.push(...recs);
                    const s1 = recs.find((b) => b.scenario === "s1");
                    if (s1 && c !== "pulumi") {
                        lastS1[c] = s1.ref;
                    }
                });
            }
        }
        r.buildStats = buildStats(r.builds);
    }

    // Scenario 5: the cold-built image of each contender (the last run's).
    if (want("sizes")) {
        await section("sizes", async () => {
            for (const c of CONTENDERS) {
                if (!lastS1[c]) {
                    continue;
                }
                const comp = await compressedSize(inf, lastS1[c]);
                const unc = await uncompressedSize(lastS1[c]);
                r.sizes[c] = { ref: lastS1[c], compressedBytes: comp.bytes, layers: comp.layers, uncompressedBytes: unc };
                say(`  ${c.padEnd(12)} ${(comp.bytes / 1e6).toFixed(1)} MB compressed (${comp.layers} layers), ${(unc / 1e6).toFixed(1)} MB uncompressed`);
            }
            const base = await compressedSize(inf, inf.trixie);
            r.baseImage = { ref: inf.trixie, compressedBytes: base.bytes, layers: base.layers, uncompressedBytes: await uncompressedSize(inf.trixie) };
        });
    }

    // Bytecode: startup with and without the app's own modules compiled.
    if (want("startup")) {
        await section("startup", async () => {
            r.startup = await startup(ctx, quick ? 2 : Math.max(5, 2 * runs));
        });
    }

    // Scenario 6: serving, both apps; ours' WSGI image from scenario 1 when the builds ran, else built here.
    if (want("serve")) {
        await section("serve", async () => {
            const o: ServeOptions = {
                duration: quick ? "2s" : SERVE_DURATION,
                warmup: "1s",
                connections: SERVE_CONNECTIONS,
                threads: 1,
                runs: quick ? 1 : runs,
                cpus: "2",
                memory: "1g",
            };
            r.serveOptions = o;
            const s = await serve(ctx, lastS1.ours, o);
            r.serve = s.cells;
            r.serveSetup = s.setup;
        });
    }

    // Scenario 7: preview cost and synthesize on 10,000 files.
    if (want("preview")) {
        await section("preview", async () => {
            r.preview = await previewCost(ctx, previews);
        });
    }
    if (want("synth")) {
        await section("synthesize on 10,000 files", async () => {
            const root = path.join(tmp, "big-tree");
            makeBigTree(root, 10000);
            const files = countFiles(root);
            const st = timeSynthesize(root, quick ? 3 : 10, inf.trixie);
            const stage = timeStageContext(root, path.join(tmp, "big-tree-context"), quick ? 2 : 5, inf.trixie);
            r.synth = { files, stat: st, stage };
            say(`  ${files} files: median ${st.median.toFixed(0)} ms (min ${st.min.toFixed(0)}, max ${st.max.toFixed(0)})`);
            say(`  staging the build context of that tree: ${stage.first.toFixed(0)} ms first, ${stage.rest.median.toFixed(0)} ms later`);
        });
    }

    // Official-image-style CPython vs apt's python3 on pyperformance (builds CPython once: 20-40 min cold).
    if (want("interpreter")) {
        await section("interpreter", async () => {
            r.interpreter = await interpreterSection(inf, stamp, quick);
        });
    }

    index.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    r.durationS = (Date.now() - t0) / 1000;
    r.full = full;
    const md = writeReports(r);
    fs.writeFileSync(path.join(RESULTS_DIR, "latest.json"), JSON.stringify(r, null, 2) + "\n");
    process.stdout.write("\n" + md + "\n");
    say(`total ${(r.durationS / 60).toFixed(1)} min${r.errors.length ? `; ${r.errors.length} section(s) failed (see Errors)` : ""}`);
}

main().catch((e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
