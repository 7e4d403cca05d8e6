import * as fs from "node:fs";
import * as path from "node:path";
import { BenchContext, copyApp, synthesizeOurs } from "./builds";
import { freePort, run, say, sleep, stat, Stat } from "./util";

/**
 * Bytecode of the app's own modules: compiled at build time, or not?
 *
 * Ours copies the source straight into the runner (`COPY --link`), so a
 * source change rebuilds one layer with nothing to run; compiling the app's
 * modules puts a RUN on that path, so ours compiles them only from a size
 * (`compileBytecode`, lib/plan/bytecode.ts). The dependencies' bytecode is
 * in the venv either way (the installers compile it). Measured here: the
 * time from `docker run` to the first 200 answer, on ours' image built with
 * `compileBytecode: false` and with `true`, alternating, at `--cpus 2`. Two
 * apps: bench/app (one module) and the same app importing a package of
 * generated modules, a large app's own code.
 */

export interface StartupCell {
    app: string;
    /** The app's own .py files and their lines. */
    modules: number;
    lines: number;
    /** What ours does for this app by default (compileBytecode unset). */
    oursCompiles: boolean;
    withoutBytecodeMs: Stat;
    withBytecodeMs: Stat;
}

/** Modules in the large app's generated package. */
export const LARGE_APP_MODULES = 300;

function moduleSource(n: number): string {
    const fns = Array.from({ length: 8 }, (_, k) =>
        [
            `def transform_${n}_${k}(rows, factor={k}):`.replace("{k}", String(k + 1)),
            `    """Scale and filter rows (generated)."""`,
            `    out = []`,
            `    for row in rows:`,
            `        value = row.get("value", 0) * factor`,
            `        if value % ${k + 2} == 0:`,
            `            out.append({**row, "value": value, "tag": "m${n}f${k}"})`,
            `    return out`,
            ``,
        ].join("\n"),
    ).join("\n");
    return [
        `"""Generated module ${n} of the bench's large app."""`,
        `import dataclasses`,
        `import json`,
        ``,
        ``,
        `@dataclasses.dataclass`,
        `class Record${n}:`,
        `    id: int`,
        `    name: str`,
        `    tags: list = dataclasses.field(default_factory=list)`,
        ``,
        `    def to_json(self):`,
        `        return json.dumps(dataclasses.asdict(self))`,
        ``,
        ``,
        fns,
    ].join("\n");
}

/** bench/app plus a package of `modules` generated modules that app.py imports. */
export function makeLargeApp(dest: string, version: string, modules: number): void {
    copyApp(dest, version);
    const pkg = path.join(dest, "bigpkg");
    fs.mkdirSync(pkg, { recursive: true });
    const names: string[] = [];
    for (let i = 0; i < modules; i++) {
        const name = `mod_${String(i).padStart(3, "0")}`;
        names.push(name);
        fs.writeFileSync(path.join(pkg, `${name}.py`), moduleSource(i));
    }
    fs.writeFileSync(path.join(pkg, "__init__.py"), `"""The large app's own code (generated)."""\nfrom . import ${names.join(", ")}  # noqa: F401\n`);
    const app = path.join(dest, "app.py");
    fs.writeFileSync(app, fs.readFileSync(app, "utf8").replace("import psycopg2\n", "import psycopg2\n\nimport bigpkg  # noqa: F401\n"));
}

function countSource(dir: string): { modules: number; lines: number } {
    let modules = 0;
    let lines = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (e.isFile() && e.name.endsWith(".py")) {
            modules++;
            lines += fs.readFileSync(path.join(e.parentPath, e.name), "utf8").split("\n").length;
        }
    }
    return { modules, lines };
}

async function buildPush(ctx: BenchContext, context: string, dfDir: string, filename: string, imageRef: string): Promise<string> {
    const meta = path.join(ctx.tmp, `meta-startup-${path.basename(imageRef).replace(/[^a-z0-9]+/gi, "-")}.json`);
    const args = [
        "--addr", ctx.inf.buildkitAddr, "build", "--progress", "plain", "--frontend", "dockerfile.v0",
        "--local", `context=${context}`, "--local", `dockerfile=${dfDir}`, "--opt", `filename=${filename}`,
        "--output", `type=image,name=${imageRef},push=true`, "--metadata-file", meta,
        "--secret", "id=PIP_INDEX_URL,env=PIP_INDEX_URL",
    ];
    await run("buildctl", args, { env: { ...process.env, PIP_INDEX_URL: ctx.index.url }, log: "startup.log" });
    const digest = JSON.parse(fs.readFileSync(meta, "utf8"))["containerimage.digest"] as string;
    const ref = `${imageRef.slice(0, imageRef.lastIndexOf(":"))}@${digest}`;
    await run("docker", ["pull", "-q", ref], { log: "startup.log" });
    return ref;
}

/** Milliseconds from `docker run` to the first 200 on /json (polled every 10 ms). */
async function timeToFirstAnswer(image: string, name: string): Promise<number> {
    const port = await freePort();
    const t0 = performance.now();
    await run("docker", ["run", "-d", "--name", name, "--cpus", "2", "--memory", "1g", "-p", `127.0.0.1:${port}:8000`, image], { log: "startup.log" });
    try {
        const end = t0 + 60000;
        while (performance.now() < end) {
            try {
                const res = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(2000) });
                await res.text();
                if (res.status === 200) {
                    return performance.now() - t0;
                }
            } catch {
                // not listening yet
            }
            await sleep(10);
        }
        throw new Error(`${image} did not answer 200 on /json within 60 s`);
    } finally {
        await run("docker", ["rm", "-f", name], { log: "startup.log", allowFail: true });
    }
}

export async function startup(ctx: BenchContext, runs: number): Promise<StartupCell[]> {
    const cells: StartupCell[] = [];
    const apps: Array<[string, (dir: string) => void]> = [
        ["bench/app", (dir) => copyApp(dir, `${ctx.stamp}-startup`)],
        [`bench/app + ${LARGE_APP_MODULES} modules`, (dir) => makeLargeApp(dir, `${ctx.stamp}-startup`, LARGE_APP_MODULES)],
    ];
    for (const [label, make] of apps) {
        const root = fs.mkdtempSync(path.join(ctx.tmp, "startup-"));
        const app = path.join(root, "app");
        make(app);
        const size = countSource(app);
        const dfDir = path.join(root, "dockerfile");
        const { compileApp } = synthesizeOurs(ctx.inf, app, dfDir);
        synthesizeOurs(ctx.inf, app, dfDir, { compileBytecode: false }, "plain.Dockerfile");
        synthesizeOurs(ctx.inf, app, dfDir, { compileBytecode: true }, "compiled.Dockerfile");
        const tag = `${ctx.inf.registry}/bench/startup:${ctx.stamp}-${cells.length}`;
        const plain = await buildPush(ctx, app, dfDir, "plain.Dockerfile", `${tag}-plain`);
        const compiled = await buildPush(ctx, app, dfDir, "compiled.Dockerfile", `${tag}-compiled`);
        const without: number[] = [];
        const withBc: number[] = [];
        // One start each first, not counted: the image's files in the page cache for both.
        await timeToFirstAnswer(plain, `ppa-bench-startup-${ctx.stamp}-w0`);
        await timeToFirstAnswer(compiled, `ppa-bench-startup-${ctx.stamp}-w1`);
        for (let i = 0; i < runs; i++) {
            const order: Array<[string, number[]]> = i % 2 === 0 ? [[plain, without], [compiled, withBc]] : [[compiled, withBc], [plain, without]];
            for (const [image, into] of order) {
                into.push(await timeToFirstAnswer(image, `ppa-bench-startup-${ctx.stamp}-${i}`));
            }
        }
        const cell: StartupCell = { app: label, ...size, oursCompiles: compileApp, withoutBytecodeMs: stat(without), withBytecodeMs: stat(withBc) };
        say(
            `  ${label}: ${size.modules} modules, ${size.lines} lines: first answer ${cell.withoutBytecodeMs.median.toFixed(0)} ms without app bytecode, ` +
                `${cell.withBytecodeMs.median.toFixed(0)} ms with`,
        );
        cells.push(cell);
        fs.rmSync(root, { recursive: true, force: true });
    }
    return cells;
}

/** The Markdown section for the results. */
export function startupMarkdown(cells: StartupCell[] | undefined): string[] {
    const out = ["## Bytecode of the app's own modules: startup", ""];
    if (!cells || cells.length === 0) {
        return [...out, "not measured", ""];
    }
    out.push(
        "Ours copies the source straight into the runner, so a source change runs nothing; the dependencies' bytecode is compiled in the venv at install. " +
            "Whether the app's own modules should be compiled at build time too (a RUN after the source copy on every source change): " +
            "the time from `docker run --cpus 2` to the first 200 on /json (gunicorn's workers importing the app, each compiling the modules in memory " +
            "when there is no bytecode), on ours' image built with `compileBytecode: false` and `true`, alternating; ms, median (min–max). " +
            "Ours' default compiles from 256 KB of Python source.",
        "",
        "| app | its .py files | lines | without app bytecode | with app bytecode | saved at each start | ours by default |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    );
    const ms = (s: Stat) => `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
    for (const c of cells) {
        out.push(`| ${c.app} | ${c.modules} | ${c.lines} | ${ms(c.withoutBytecodeMs)} | ${ms(c.withBytecodeMs)} | ${(c.withoutBytecodeMs.median - c.withBytecodeMs.median).toFixed(0)} ms | ${c.oursCompiles ? "compiles" : "does not compile"} |`);
    }
    out.push("");
    return out;
}
