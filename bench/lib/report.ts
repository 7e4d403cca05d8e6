import { StartupCell, startupMarkdown } from "./startup";
import { BUILD_SCENARIOS, BuildRecord, cacheKind, OURS_PULUMI, Scenario, SCENARIO_TITLES } from "./builds";
import { Machine } from "./infra";
import { InterpreterResults } from "./interpreter";
import { PreviewResult } from "./pulumi";
import { serveMarkdown, serveTargets } from "./report-serve";
import { ServeCell, ServeOptions, ServeSetup } from "./serve";
import { interpreterMarkdown } from "./report-interpreter";
import * as fs from "node:fs";
import * as path from "node:path";
import { BENCH_DIR, median, RESULTS_DIR, say, Stat, stat } from "./util";

export interface SizeRecord {
    ref: string;
    compressedBytes: number;
    layers: number;
    uncompressedBytes: number;
}

export interface Target {
    id: string;
    target: string;
    measured: string;
    /** null: not measured in this run. */
    met: boolean | null;
    /** Met only within the run-to-run spread: ours' fastest run beats the other's slowest (min–max ranges overlap). */
    withinNoise?: boolean;
}

export interface Results {
    date: string;
    /** A full run: every section, at least 3 runs, not quick. */
    full?: boolean;
    quick: boolean;
    runs: number;
    stamp: string;
    durationS: number;
    machine: Machine;
    builds: BuildRecord[];
    buildStats: Record<string, Partial<Record<Scenario, Stat>>>;
    sizes: Record<string, SizeRecord>;
    baseImage?: SizeRecord;
    serve: ServeCell[];
    serveOptions?: ServeOptions;
    serveSetup?: ServeSetup;
    preview?: PreviewResult;
    synth?: { files: number; stat: Stat; stage?: { first: number; rest: Stat } };
    startup?: StartupCell[];
    interpreter?: InterpreterResults;
    targets: Target[];
    errors: string[];
}

export const CONTENDER_ORDER = ["ours", OURS_PULUMI, "naive", "seed", "docker-init"];

export function buildStats(builds: BuildRecord[]): Record<string, Partial<Record<Scenario, Stat>>> {
    const out: Record<string, Partial<Record<Scenario, Stat>>> = {};
    for (const c of CONTENDER_ORDER) {
        for (const s of BUILD_SCENARIOS) {
            const xs = builds.filter((b) => b.contender === c && b.scenario === s).map((b) => b.ms / 1000);
            if (xs.length > 0) {
                (out[c] ??= {})[s] = stat(xs);
            }
        }
    }
    return out;
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const mb = (b: number) => (Number.isFinite(b) ? (b / 1e6).toFixed(1) : "n/a");
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${f2(a / b)}x` : "n/a");

export function evaluateTargets(r: Results): Target[] {
    const t: Target[] = [];
    const ours = r.buildStats.ours ?? {};
    const s1 = ours.s1?.median ?? NaN;
    const s3 = ours.s3?.median ?? NaN;
    t.push({
        id: "s3-vs-s1",
        target: "scenario 3 at most 15% of scenario 1 for ours",
        measured: `${f1(s3)} s / ${f1(s1)} s = ${Number.isFinite(s3 / s1) ? (100 * s3 / s1).toFixed(0) : "n/a"}%`,
        met: Number.isFinite(s3 / s1) ? s3 / s1 <= 0.15 : null,
    });
    for (const s of BUILD_SCENARIOS) {
        const o = ours[s];
        const others = ["naive", "seed", "docker-init"].map((c) => ({ c, st: r.buildStats[c]?.[s] }));
        const measured = others.map((x) => `${x.c} ${cell(x.st)}`).join(", ");
        const ok = o !== undefined && others.every((x) => x.st !== undefined);
        // Fastest by median; where another's median is lower, equal within noise if ours' fastest run beats its slowest.
        const faster = ok ? others.filter((x) => x.st!.median <= o.median) : [];
        const tie = ok && faster.length > 0 && faster.every((x) => o.min <= x.st!.max);
        t.push({
            id: `fastest-${s}`,
            target: `ours the fastest contender in scenario ${s.slice(1)} (or equal within the run-to-run spread)`,
            measured: `ours ${cell(o)}; ${measured}${tie ? `; equal within noise to ${faster.map((x) => x.c).join(", ")}` : ""}`,
            met: ok ? faster.length === 0 || tie : null,
            withinNoise: tie || undefined,
        });
    }
    const so = r.sizes.ours;
    const sn = r.sizes.naive;
    // The issue's size target is the compressed size (what is pushed and pulled); the uncompressed one is in the size table.
    for (const kind of ["compressed"] as const) {
        const a = so ? (kind === "compressed" ? so.compressedBytes : so.uncompressedBytes) : NaN;
        const b = sn ? (kind === "compressed" ? sn.compressedBytes : sn.uncompressedBytes) : NaN;
        t.push({
            id: `size-${kind}`,
            target: `our image at most 0.25x naive's size (${kind})`,
            measured: `${mb(a)} MB / ${mb(b)} MB = ${Number.isFinite(a / b) ? (a / b).toFixed(2) : "n/a"}x`,
            met: Number.isFinite(a / b) ? a / b <= 0.25 : null,
        });
    }
    t.push(...serveTargets(r));
    const pa = r.preview?.component.median ?? NaN;
    const pb = r.preview?.bare.median ?? NaN;
    t.push({
        id: "preview",
        target: "preview overhead of the component at most 1.2x the bare resources",
        measured: `${f2(pa / 1000)} s / ${f2(pb / 1000)} s = ${ratio(pa, pb)}`,
        met: Number.isFinite(pa / pb) ? pa / pb <= 1.2 : null,
    });
    const sy = r.synth?.stat.median ?? NaN;
    t.push({
        id: "synthesize-10k",
        target: "synthesize on 10,000 files under 1 s",
        measured: `${Number.isFinite(sy) ? sy.toFixed(0) : "n/a"} ms (median of ${r.synth?.stat.samples.length ?? 0}, ${r.synth?.files ?? 0} files)`,
        met: Number.isFinite(sy) ? sy < 1000 : null,
    });
    return t;
}

function table(header: string[], rows: string[][]): string {
    return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function cell(s: Stat | undefined): string {
    return s ? `${f1(s.median)} (${f1(s.min)}–${f1(s.max)})` : "n/a";
}

export function markdown(r: Results, chartFile: string): string {
    const m = r.machine;
    const out: string[] = [];
    out.push(
        "# pulumi-python-app benchmark results",
        "",
        `Generated by \`npm run bench\` (bench/run.ts)${r.quick ? " in QUICK mode (BENCH_QUICK=1: figures are indicative only)" : ""}.`,
        "",
        table(
            ["", ""],
            [
                ["date", r.date],
                ["machine", `\`${m.uname}\``],
                ["CPU", `${m.nproc} × ${m.cpu} (shared with other builds: noisy; every comparison is side by side in one run)`],
                ["memory", m.memory],
                ["load average at start", m.loadAtStart],
                ["tools", Object.entries(m.versions).map(([k, v]) => `${k} ${v.replace(/^\S+ /, k === "docker" ? "" : "")}`).join("; ")],
                ["runs", `${r.runs} (medians; min–max in parentheses)`],
                ["full run took", `${(r.durationS / 60).toFixed(1)} min`],
            ],
        ),
        "",
        "## Targets",
        "",
        table(
            ["target", "measured", "status"],
            r.targets.map((t) => [t.target, t.measured, t.met === null ? "not measured" : t.met ? (t.withinNoise ? "**met** (within noise)" : "**met**") : "**missed**"]),
        ),
        "",
        "## Build time, seconds (scenarios 1-4)",
        "",
        "Wall-clock of each build including the push (and, where the contender uses one, the cache export), median of the runs.",
        "",
    );
    const contenders = CONTENDER_ORDER.filter((c) => r.buildStats[c]);
    const rivals = contenders.filter((c) => c !== "ours" && c !== OURS_PULUMI);
    const single = (c: string) => r.builds.filter((b) => b.contender === c && b.scenario === "s1").length < r.runs;
    out.push(
        table(
            ["scenario", ...contenders.map((c) => (single(c) ? `${c} (run 1 only)` : c))],
            (Object.keys(SCENARIO_TITLES) as Scenario[]).map((s) => [SCENARIO_TITLES[s], ...contenders.map((c) => cell(r.buildStats[c]?.[s]))]),
        ),
        "",
        "Ratios, ours (raw buildctl) / contender (below 1: ours is faster):",
        "",
        table(
            ["scenario", ...rivals.map((c) => `ours / ${c}`)],
            (Object.keys(SCENARIO_TITLES) as Scenario[]).map((s) => [
                s.slice(1),
                ...rivals.map((c) => ratio(r.buildStats.ours?.[s]?.median ?? NaN, r.buildStats[c]?.[s]?.median ?? NaN)),
            ]),
        ),
        "",
    );
    if (r.buildStats[OURS_PULUMI] && r.buildStats.ours) {
        // Side by side: against the raw builds of the same run(s) only.
        const runsP = [...new Set(r.builds.filter((b) => b.contender === OURS_PULUMI).map((b) => b.run))];
        const med = (c: string, s: Scenario) => median(r.builds.filter((b) => b.contender === c && b.scenario === s && runsP.includes(b.run)).map((b) => b.ms / 1000));
        out.push(
            `The component path: \`pulumi up\` of a PythonImage against the raw buildctl build of the same Dockerfile in the same run${runsP.length > 1 ? "s" : ""} (run ${runsP.join(", ")}): ` +
                BUILD_SCENARIOS.map((s) => {
                    const a = med(OURS_PULUMI, s);
                    const b = med("ours", s);
                    return `scenario ${s.slice(1)} ${f1(a)} s vs ${f1(b)} s (${ratio(a, b)})`;
                }).join(", ") +
                ". The difference includes the Pulumi engine, the language host and the providers starting, the context mirror, and the docker-build provider's own build session.",
            "",
        );
    }
    out.push(
        `Ours, scenario 3 / scenario 1: ${ratio(r.buildStats.ours?.s3?.median ?? NaN, r.buildStats.ours?.s1?.median ?? NaN)}.`,
        "",
        "Cache across builders: " + CONTENDER_ORDER.filter((c) => cacheKind(c)).map((c) => `${c}: ${cacheKind(c)}`).join("; ") + ".",
        "",
        "The dependency install step (BuildKit's plain progress: ran or CACHED), per contender and scenario, all runs:",
        "",
        table(
            ["scenario", ...contenders.filter((c) => c !== OURS_PULUMI)],
            (Object.keys(SCENARIO_TITLES) as Scenario[]).map((s) => [
                s.slice(1),
                ...contenders.filter((c) => c !== OURS_PULUMI).map((c) => r.builds.filter((b) => b.contender === c && b.scenario === s).map((b) => b.depsStep).join(", ") || "n/a"),
            ]),
        ),
        "",
        `![build times](${chartFile})`,
        "",
        "## Image size (scenario 5)",
        "",
        "MB = 10^6 bytes. Compressed: the sum of the layer blobs in the registry manifest, as pushed. Uncompressed: `docker image inspect -f {{.Size}}` after `docker pull`.",
        "",
    );
    const sizeRows = ["ours", "naive", "seed", "docker-init"].filter((c) => r.sizes[c]).map((c) => {
        const s = r.sizes[c];
        return [c, mb(s.compressedBytes), String(s.layers), mb(s.uncompressedBytes), ratio(s.compressedBytes, r.sizes.naive?.compressedBytes ?? NaN), ratio(s.uncompressedBytes, r.sizes.naive?.uncompressedBytes ?? NaN)];
    });
    if (r.baseImage) {
        sizeRows.push(["(the base image, trixie)", mb(r.baseImage.compressedBytes), String(r.baseImage.layers), mb(r.baseImage.uncompressedBytes), "", ""]);
    }
    out.push(table(["image", "compressed MB", "layers", "uncompressed MB", "compressed vs naive", "uncompressed vs naive"], sizeRows), "");

    out.push(...serveMarkdown(r));
    out.push(...startupMarkdown(r.startup));
    out.push("## Pulumi cost (scenario 7)", "");
    if (r.preview) {
        const p = r.preview;
        out.push(
            "`pulumi preview` with no changes, after `pulumi up`, wall-clock of the CLI, alternating the two stacks:",
            "",
            table(
                ["stack", "preview s, median (min–max)", "previews", "resources", "no changes reported"],
                [
                    ["PythonApp (component)", `${f2(p.component.median / 1000)} (${f2(p.component.min / 1000)}–${f2(p.component.max / 1000)})`, String(p.component.samples.length), String(p.resources.component), String(p.noChanges.component)],
                    ["bare docker-build Image + docker RemoteImage + Container", `${f2(p.bare.median / 1000)} (${f2(p.bare.min / 1000)}–${f2(p.bare.max / 1000)})`, String(p.bare.samples.length), String(p.resources.bare), String(p.noChanges.bare)],
                ],
            ),
            "",
            `Component / bare: ${ratio(p.component.median, p.bare.median)}.`,
            "",
        );
    } else {
        out.push("Preview: not measured.", "");
    }
    if (r.synth) {
        const s = r.synth.stat;
        out.push(`\`synthesize()\` on ${r.synth.files} files (the bench app plus 10,000 small .py files in nested folders), in-process: median ${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}) over ${s.samples.length} runs.`, "");
        const st = r.synth.stage;
        if (st) {
            out.push(`For context, not a target: what PythonImage does besides synthesize() on every preview and up, mirroring that tree into its build-context folder, took ${st.first.toFixed(0)} ms the first time and a median of ${st.rest.median.toFixed(0)} ms on later runs (files already in place).`, "");
        }
    }
    out.push(...interpreterMarkdown(r.interpreter));
    if (r.errors.length > 0) {
        out.push("## Errors", "", ...r.errors.map((e) => `- ${e.split("\n")[0]}`), "");
    }
    return out.join("\n");
}

const COLORS: Record<string, string> = {
    ours: "#1f77b4",
    [OURS_PULUMI]: "#6baed6",
    naive: "#d62728",
    seed: "#2ca02c",
    "docker-init": "#ff7f0e",
};

/**
 * Median build times, one panel per scenario with its own scale (a warm build
 * takes seconds, a cold one minutes), min–max as whiskers. Plain SVG.
 */
export function buildChart(r: Results): string {
    const contenders = CONTENDER_ORDER.filter((c) => r.buildStats[c]);
    const scenarios = BUILD_SCENARIOS;
    const labels: Record<Scenario, [string, string]> = {
        s1: ["1. cold build", "empty builder, no cache"],
        s2: ["2. source change", "warm builder"],
        s3: ["3. source change", "wiped builder + registry cache"],
        s4: ["4. dependency added", "warm builder"],
    };
    const W = 900;
    const H = 400;
    const top = 64;
    const bottom = 56;
    const panelGap = 22;
    const axisW = 34;
    const panelW = (W - 16 - panelGap * (scenarios.length - 1)) / scenarios.length;
    const plotH = H - top - bottom;
    const e: string[] = [];
    e.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
    e.push(`<rect width="${W}" height="${H}" fill="white"/>`);
    e.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">Build time, seconds: median of ${r.runs} run${r.runs === 1 ? "" : "s"} (whiskers: min–max); each panel has its own scale</text>`);
    scenarios.forEach((s, i) => {
        const x0 = 8 + i * (panelW + panelGap);
        const px = x0 + axisW;
        const pw = panelW - axisW;
        const maxV = Math.max(0.5, ...contenders.map((c) => r.buildStats[c]?.[s]?.max ?? 0));
        const raw = maxV / 4;
        const mag = 10 ** Math.floor(Math.log10(raw));
        const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((k) => k >= raw) ?? 10 * mag;
        const yMax = Math.ceil(maxV / step) * step;
        const y = (v: number) => top + plotH - (v / yMax) * plotH;
        e.push(`<text x="${(px + pw / 2).toFixed(1)}" y="${top - 22}" text-anchor="middle" font-weight="bold">${labels[s][0]}</text>`);
        e.push(`<text x="${(px + pw / 2).toFixed(1)}" y="${top - 8}" text-anchor="middle">${labels[s][1]}</text>`);
        for (let v = 0; v <= yMax + 1e-9; v += step) {
            e.push(`<line x1="${px.toFixed(1)}" x2="${(px + pw).toFixed(1)}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e3e3e3"/>`);
            e.push(`<text x="${(px - 4).toFixed(1)}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10">${Number(v.toFixed(2))}</text>`);
        }
        e.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="#555"/>`);
        const barW = Math.min(30, (pw - 8) / contenders.length);
        const bx0 = px + (pw - barW * contenders.length) / 2;
        contenders.forEach((c, j) => {
            const st = r.buildStats[c]?.[s];
            if (!st) {
                return;
            }
            const x = bx0 + j * barW;
            const cx = x + (barW - 3) / 2;
            e.push(`<rect x="${x.toFixed(1)}" y="${y(st.median).toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${(top + plotH - y(st.median)).toFixed(1)}" fill="${COLORS[c] ?? "#888"}"><title>${c}, scenario ${s.slice(1)}: ${st.median.toFixed(1)} s</title></rect>`);
            if (st.max > st.min) {
                e.push(`<line x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${y(st.min).toFixed(1)}" y2="${y(st.max).toFixed(1)}" stroke="#222"/>`);
            }
            e.push(`<text x="${cx.toFixed(1)}" y="${(y(st.max) - 4).toFixed(1)}" text-anchor="middle" font-size="9">${st.median < 10 ? st.median.toFixed(1) : st.median.toFixed(0)}</text>`);
        });
        e.push(`<line x1="${px.toFixed(1)}" x2="${(px + pw).toFixed(1)}" y1="${top + plotH}" y2="${top + plotH}" stroke="#555"/>`);
    });
    // Legend entries placed one after another by their text's width (about 6.5 px a character at 11 px).
    let lx = 8 + axisW;
    contenders.forEach((c) => {
        const one = r.builds.filter((b) => b.contender === c && b.scenario === "s1").length < r.runs;
        const text = `${c}${one ? " (run 1 only)" : ""}`;
        e.push(`<rect x="${lx.toFixed(1)}" y="${H - 30}" width="12" height="12" fill="${COLORS[c] ?? "#888"}"/>`);
        e.push(`<text x="${(lx + 16).toFixed(1)}" y="${H - 20}">${text}</text>`);
        lx += 16 + text.length * 6.5 + 24;
    });
    e.push("</svg>");
    return e.join("\n") + "\n";
}

/**
 * Evaluates the targets and writes results/latest.md and the chart from the
 * results (also used by render.ts to re-render a saved latest.json); a full
 * run also gets its committed copy, bench/RESULTS.md and bench/build-times.svg.
 */
export function writeReports(r: Results): string {
    r.targets = evaluateTargets(r);
    const md = markdown(r, "build-times.svg");
    const svg = buildChart(r);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(RESULTS_DIR, "latest.md"), md + "\n");
    fs.writeFileSync(path.join(RESULTS_DIR, "build-times.svg"), svg);
    if (r.full) {
        // bench/results/ is git-ignored: this is the copy that is committed.
        fs.writeFileSync(path.join(BENCH_DIR, "RESULTS.md"), md + "\n");
        fs.writeFileSync(path.join(BENCH_DIR, "build-times.svg"), svg);
    }
    say(`wrote ${path.join(RESULTS_DIR, "latest.md")} and build-times.svg${r.full ? "; and bench/RESULTS.md, bench/build-times.svg (a full run)" : ""}`);
    return md;
}
