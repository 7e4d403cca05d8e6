import { InterpreterBuildInfo, InterpreterImage, InterpreterResults } from "./interpreter";

/** A time in seconds, in the unit that suits it. */
export function duration(s: number): string {
    if (!Number.isFinite(s)) {
        return "n/a";
    }
    if (s >= 1) {
        return `${s.toFixed(3)} s`;
    }
    return s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(2)} µs`;
}
const min = (s: number) => `${(s / 60).toFixed(1)} min`;
const code = (s: string) => (s.trim() ? `\`${s.replace(/\s+/g, " ").trim()}\`` : "(empty)");

function table(head: string[], rows: string[][]): string {
    return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** What "ratio" means, in words, for a geometric mean or a row. */
export function verdict(ratio: number): string {
    if (!Number.isFinite(ratio)) {
        return "n/a";
    }
    if (ratio >= 1) {
        return `apt's python3 ${((ratio - 1) * 100).toFixed(1)}% faster`;
    }
    return `the official-style build ${((1 / ratio - 1) * 100).toFixed(1)}% faster`;
}

function buildLines(img: InterpreterImage, info: InterpreterBuildInfo | undefined): string[] {
    const out = [
        `**${img.label}** (\`${img.dockerfile}\`, image \`${img.ref}\`, ${img.builtNow ? `built by this run in ${min(img.buildS)}` : `reused from the cache: built ${img.builtAt} in ${min(img.buildS)}`})`,
        "",
    ];
    if (!info) {
        return [...out, "- not inspected", ""];
    }
    return [
        ...out,
        `- \`sys.version\`: ${code(info.version)} (\`${info.executable}\`)`,
        `- \`CONFIG_ARGS\`: ${code(info.configArgs)}`,
        `- \`CC\`: ${code(info.cc)}`,
        `- \`CFLAGS\`: ${code(info.cflags)}`,
        `- \`OPT\`: ${code(info.opt)}`,
        `- \`PY_CFLAGS_NODIST\`: ${code(info.pyCflagsNodist)}`,
        `- \`EXTRA_CFLAGS\` (as configured): ${code(info.extraCflags)}`,
        `- \`LDFLAGS\`: ${code(info.ldflags)}`,
        `- \`PY_LDFLAGS_NODIST\`: ${code(info.pyLdflagsNodist)}`,
        "",
    ];
}

/** The Markdown section of `interpreter` (bench/lib/interpreter.ts), or nothing when it did not run. */
export function interpreterMarkdown(it: InterpreterResults | undefined): string[] {
    if (!it) {
        return [];
    }
    const off = it.images.find((i) => i.id === "official");
    const apt = it.images.find((i) => i.id === "apt");
    const out: string[] = [
        "## Interpreter: official-image-style CPython vs Debian's apt python3",
        "",
        "The base-image table rests on a 2021 article that found apt's Python on an LTS distribution more than 20% faster on pyperformance than the official `python:*` images. " +
            "Re-measured here with CPython 3.13 built as docker-library/python's `3.13/slim-trixie/Dockerfile` builds it (PGO, LTO, `--enable-shared`, dpkg-buildflags, frame pointers; from the upstream tarball in Debian's python3.13 source package) " +
            "against trixie's apt `python3`, on the same trixie base image. " +
            `pyperformance ${it.pyperformance} (pyperf ${it.pyperf}) \`${it.mode}\`, ${it.benchmarks.length} benchmarks that need no third-party package, ` +
            `each run on both interpreters in turn (the order alternating from one benchmark to the next), each container pinned to the same CPU set (\`--cpuset-cpus ${it.cpuset}\`), on a shared 2-core machine.`,
        "",
        `**Ratio = official-style mean time / apt mean time**: above 1, apt's python3 is faster (the 2021 claim is a ratio of at least 1.2); below 1, the official-style build is faster.`,
        "",
        `**Geometric mean of the ${it.rows.length} ratios: ${it.geomean.toFixed(3)}** (${verdict(it.geomean)}). ` +
            `The 2021 claim (apt at least 20% faster) is ${it.geomean >= 1.2 ? "**borne out**" : "**not borne out**"} by this run.` +
            (it.geomeanMin === undefined ? "" : ` Over each benchmark's fastest value (the least disturbed by other work on this shared machine): ${it.geomeanMin.toFixed(3)} (${verdict(it.geomeanMin)}).`),
        "",
        table(
            ["benchmark", "official-style, mean ± std dev", "apt, mean ± std dev", "ratio", "official-style, min", "apt, min", "ratio of minimums", "ran first"],
            [
                ...it.rows.map((r) => [
                    r.name === r.benchmark ? r.name : `${r.name} (${r.benchmark})`,
                    `${duration(r.official.mean)} ± ${duration(r.official.stdev)}`,
                    `${duration(r.apt.mean)} ± ${duration(r.apt.stdev)}`,
                    r.ratio.toFixed(3),
                    duration(r.official.min ?? NaN),
                    duration(r.apt.min ?? NaN),
                    Number.isFinite(r.ratioMin) ? r.ratioMin.toFixed(3) : "n/a",
                    r.first,
                ]),
                ["**geometric mean**", "", "", `**${it.geomean.toFixed(3)}**`, "", "", it.geomeanMin === undefined ? "n/a" : `**${it.geomeanMin.toFixed(3)}**`, ""],
            ],
        ),
        "",
        "How each interpreter was built, as it reports itself (`sysconfig.get_config_var`); the official image passes dpkg-buildflags' CFLAGS and LDFLAGS on make's command line (`EXTRA_CFLAGS=`, `LDFLAGS=`), which sysconfig does not record: see its Dockerfile.",
        "",
    ];
    for (const img of [off, apt]) {
        if (img) {
            out.push(...buildLines(img, img.info));
        }
    }
    out.push(
        ...(it.loadBefore ? [`Load average (1, 5, 15 min) before the benchmark runs: ${it.loadBefore}; after: ${it.loadAfter}. On 2 cores shared with other work, single benchmarks can swing far either way; the geometric mean over all of them is the figure to read, and it carries that noise too.`, ""] : []),
        `Time: images ${min(it.imagesS)} (${it.images.map((i) => `${i.id} ${i.builtNow ? "built" : "reused"}`).join(", ")}), venvs ${min(it.setupS)}, benchmarks ${min(it.runS)}.`,
        "",
    );
    return out;
}
