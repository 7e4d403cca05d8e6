import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Infra, LIB } from "../../test/support";
import { PyIndex } from "./pyindex";
import { BENCH_DIR, run, say, secs } from "./util";

export type ContenderId = "ours" | "naive" | "seed" | "docker-init";
export const CONTENDERS: ContenderId[] = ["ours", "naive", "seed", "docker-init"];
/** "ours via PythonImage": the same Dockerfile, built by `pulumi up` of a PythonImage (Automation API). */
export const OURS_PULUMI = "ours (PythonImage)";

export type Scenario = "s1" | "s2" | "s3" | "s4";
export const BUILD_SCENARIOS: Scenario[] = ["s1", "s2", "s3", "s4"];
export const SCENARIO_TITLES: Record<Scenario, string> = {
    s1: "1. cold build (empty builder, no registry cache)",
    s2: "2. source-only change, warm builder",
    s3: "3. source-only change, builder wiped, registry cache available",
    s4: "4. one dependency added, warm builder",
};

/** Ours' cache export mode: PythonImage's default for bench/app (BENCH_OURS_CACHE_MODE=max measures the other). */
export function oursCacheMode(): string {
    const { defaultCacheMode, synthesize } = require(LIB) as typeof import("../../lib");
    return process.env.BENCH_OURS_CACHE_MODE ?? defaultCacheMode(synthesize(APP_SRC).plan);
}

/** How each contender caches across builders, as it prescribes. */
export function cacheKind(contender: string): string | undefined {
    const kinds: Record<string, string> = {
        ours: `registry cache (a dedicated ref), mode=${oursCacheMode()}, OCI image manifest`,
        naive: "none",
        seed: "inline cache in the pushed image (BUILDKIT_INLINE_CACHE: final stage only)",
        "docker-init": "none",
        [OURS_PULUMI]: "registry cache, mode=min (PythonImage's default)",
    };
    return kinds[contender];
}

export interface BuildRecord {
    contender: string;
    run: number;
    scenario: Scenario;
    ms: number;
    /** The image pushed, pinned to its digest. */
    ref: string;
    /** Whether the dependency install step ran or came from a cache (BuildKit's plain progress). */
    depsStep: "ran" | "cached" | "?";
}

export interface BenchContext {
    inf: Infra;
    index: PyIndex;
    /** Unique per invocation: image tags and cache refs are never reused across runs or invocations. */
    stamp: string;
    tmp: string;
}

export const APP_SRC = path.join(BENCH_DIR, "app");
export const ADDED_DEPENDENCY = "requests==2.32.3";

/** A fresh copy of the bench app whose VERSION makes its source unique. */
export function copyApp(dest: string, version: string): void {
    fs.rmSync(dest, { recursive: true, force: true });
    fs.cpSync(APP_SRC, dest, { recursive: true });
    setVersion(dest, version);
}

export function setVersion(appDir: string, version: string): void {
    const f = path.join(appDir, "app.py");
    const text = fs.readFileSync(f, "utf8");
    const next = text.replace(/^VERSION = ".*"$/m, `VERSION = "${version}"`);
    if (next === text && !text.includes(`VERSION = "${version}"`)) {
        throw new Error(`no VERSION line in ${f}`);
    }
    fs.writeFileSync(f, next);
}

export function addDependency(appDir: string): void {
    fs.appendFileSync(path.join(appDir, "requirements.txt"), `${ADDED_DEPENDENCY}\n`);
}

export async function pruneBuilder(inf: Infra): Promise<void> {
    await run("buildctl", ["--addr", inf.buildkitAddr, "prune", "--all"], { log: "prune.log" });
}

/** `ours`: the Dockerfile synthesize() writes for the app as it is now, with the trixie base and the index URL as an install secret. */
export function synthesizeOurs(inf: Infra, appDir: string, dfDir: string, extra: { compileBytecode?: boolean } = {}, filename = "ours.Dockerfile"): { compileApp: boolean } {
    // The built package, as users get it (`npm run build` first).
    const { synthesize } = require(LIB) as typeof import("../../lib");
    const s = synthesize(appDir, { baseImage: inf.trixie, installSecrets: ["PIP_INDEX_URL"], ...extra });
    fs.mkdirSync(dfDir, { recursive: true });
    fs.writeFileSync(path.join(dfDir, filename), s.dockerfile);
    // buildctl reads .dockerignore from the context; PythonImage applies the same patterns to its staged context.
    fs.writeFileSync(path.join(appDir, ".dockerignore"), s.dockerignore);
    return { compileApp: s.plan.bytecode.compileApp };
}

/**
 * Whether the `pip install -r` step ran or came from a cache, from BuildKit's
 * plain progress output: a step that runs prints its process's output as
 * `#N <seconds> <line>`; a cached one prints `#N CACHED`, or only the layers
 * it pulls and extracts (`#N sha256:...`, `#N extracting ...`) when the hit
 * is in an imported registry cache.
 */
export function depsStep(progress: string): "ran" | "cached" | "?" {
    const m = /^#(\d+) \[[^\]]*\] RUN .*pip3? install -r/m.exec(progress);
    if (!m) {
        return "?";
    }
    return new RegExp(`^#${m[1]} \\d+\\.\\d+ `, "m").test(progress) ? "ran" : "cached";
}

interface Workspace {
    app: string;
    dfDir: string;
    filename: string;
    imageRef: string;
    cacheRef?: string;
}

function buildctlArgs(c: ContenderId, ws: Workspace, ctx: BenchContext, metadataFile: string): string[] {
    const { inf } = ctx;
    const a = [
        "--addr", inf.buildkitAddr, "build", "--progress", "plain", "--frontend", "dockerfile.v0",
        "--local", `context=${ws.app}`, "--local", `dockerfile=${ws.dfDir}`, "--opt", `filename=${ws.filename}`,
        "--output", `type=image,name=${ws.imageRef},push=true`, "--metadata-file", metadataFile,
    ];
    if (c === "ours") {
        // The index URL is a build secret (installSecrets), as PythonImage passes it.
        a.push("--secret", "id=PIP_INDEX_URL,env=PIP_INDEX_URL");
        a.push("--export-cache", `type=registry,ref=${ws.cacheRef},mode=${oursCacheMode()},image-manifest=true,oci-mediatypes=true,ignore-error=true`);
        a.push("--import-cache", `type=registry,ref=${ws.cacheRef}`);
    } else {
        a.push("--opt", `build-arg:BASE_IMAGE=${inf.trixie}`, "--opt", `build-arg:PIP_INDEX_URL=${ctx.index.url}`);
    }
    if (c === "seed") {
        // The article: --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from <the pushed image>.
        a.push("--opt", "build-arg:BUILDKIT_INLINE_CACHE=1", "--export-cache", "type=inline", "--import-cache", `type=registry,ref=${ws.imageRef}`);
    }
    return a;
}

async function buildOnce(c: ContenderId, ws: Workspace, ctx: BenchContext, n: number, scenario: Scenario): Promise<BuildRecord> {
    if (c === "ours") {
        synthesizeOurs(ctx.inf, ws.app, ws.dfDir);
    }
    const meta = path.join(ctx.tmp, `meta-${c}-${n}-${scenario}.json`);
    const log = `build-${c}.log`;
    const env = { ...process.env, PIP_INDEX_URL: ctx.index.url };
    const r = await run("buildctl", buildctlArgs(c, ws, ctx, meta), { env, log });
    const digest = JSON.parse(fs.readFileSync(meta, "utf8"))["containerimage.digest"] as string;
    const repo = ws.imageRef.slice(0, ws.imageRef.lastIndexOf(":"));
    const rec: BuildRecord = { contender: c, run: n, scenario, ms: r.ms, ref: `${repo}@${digest}`, depsStep: depsStep(r.stderr + r.stdout) };
    say(`  ${c.padEnd(12)} ${scenario} ${secs(r.ms).padStart(6)}s  (deps step ${rec.depsStep})`);
    return rec;
}

/**
 * One run of scenarios 1-4 for one contender, in the order that keeps each
 * state honest: cold (wiped builder, fresh cache ref) -> source change (warm)
 * -> dependency added (warm, cache mounts filled by the builds before) ->
 * source change after wiping the builder (only the registry cache is left).
 */
export async function contenderRun(c: ContenderId, n: number, ctx: BenchContext): Promise<BuildRecord[]> {
    const root = fs.mkdtempSync(path.join(ctx.tmp, `${c}-r${n}-`));
    const ws: Workspace = {
        app: path.join(root, "app"),
        dfDir: c === "ours" ? path.join(root, "dockerfile") : path.join(BENCH_DIR, "dockerfiles"),
        filename: `${c}.Dockerfile`,
        imageRef: `${ctx.inf.registry}/bench/${c}:${ctx.stamp}-r${n}`,
        // In the image's own repository, as PythonImage's default `<repository>:buildcache`: the cache manifest
        // then references blobs the push has just put there (a separate repository would take them again).
        cacheRef: c === "ours" ? `${ctx.inf.registry}/bench/ours:buildcache-${ctx.stamp}-r${n}` : undefined,
    };
    const v = `${ctx.stamp}-r${n}`;
    copyApp(ws.app, `${v}-s1`);
    const out: BuildRecord[] = [];
    await pruneBuilder(ctx.inf);
    out.push(await buildOnce(c, ws, ctx, n, "s1"));
    setVersion(ws.app, `${v}-s2`);
    out.push(await buildOnce(c, ws, ctx, n, "s2"));
    addDependency(ws.app);
    out.push(await buildOnce(c, ws, ctx, n, "s4"));
    setVersion(ws.app, `${v}-s3`);
    await pruneBuilder(ctx.inf);
    out.push(await buildOnce(c, ws, ctx, n, "s3"));
    fs.rmSync(root, { recursive: true, force: true });
    return out;
}

export function makeTmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "ppa-bench-"));
}
