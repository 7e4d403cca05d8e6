/**
 * Check hasWheel() (lib/data/wheel-coverage.ts) against the per-release truth
 * that scripts/wheel-table.py --truth prints from the package index:
 *
 *     python3 scripts/wheel-table.py --index-url <index> --truth \
 *         | node -r ts-node/register/transpile-only scripts/check-wheel-table.ts
 *
 * (or give the file the truth was saved to as the only argument). For every
 * project in the table, every final release the index has and every minor of
 * the table, hasWheel() must answer exactly whether the release has a wheel for
 * that minor. Releases newer than the table's `latest` (published since the
 * table was generated) and projects not in the table are counted, not checked.
 * Prints the disagreements and their number; exits 1 when there is any.
 */
import * as fs from "node:fs";
import { compare } from "@renovatebot/pep440";
import { hasWheel } from "../lib/data/wheel-coverage";
import { WHEEL_COVERAGE, WHEEL_PYTHONS } from "../lib/data/wheels";

interface Truth {
    readonly minors: readonly string[];
    /** project -> [version, minors with a wheel] per final release, in PEP 440 order. */
    readonly projects: Readonly<Record<string, readonly (readonly [string, readonly string[]])[]>>;
}

function main(): void {
    const source = process.argv[2] ?? 0; // 0: stdin
    const truth = JSON.parse(fs.readFileSync(source, "utf8")) as Truth;
    if (truth.minors.join() !== WHEEL_PYTHONS.join()) {
        console.error(`the truth is for minors ${truth.minors.join(", ")}, the table for ${WHEEL_PYTHONS.join(", ")}`);
    }

    let checked = 0;
    let newer = 0;
    const disagreements: string[] = [];
    const perProject = new Map<string, number>();
    const notInTruth = WHEEL_COVERAGE.map((row) => row.project).filter((p) => !(p in truth.projects));
    const notInTable: string[] = [];
    const latest = new Map(WHEEL_COVERAGE.map((row) => [row.project, row.latest]));

    for (const [project, releases] of Object.entries(truth.projects)) {
        const tableLatest = latest.get(project);
        if (tableLatest === undefined) {
            notInTable.push(project);
            continue;
        }
        for (const [version, minors] of releases) {
            if (compare(version, tableLatest) > 0) {
                newer++;
                continue;
            }
            for (const minor of WHEEL_PYTHONS) {
                checked++;
                const want = minors.includes(minor);
                const got = hasWheel(project, version, minor);
                if (got !== want) {
                    disagreements.push(`${project}==${version} on ${minor}: hasWheel ${String(got)}, index ${want}`);
                    perProject.set(project, (perProject.get(project) ?? 0) + 1);
                }
            }
        }
    }

    for (const line of disagreements) console.log(line);
    if (perProject.size > 0) {
        console.log(`by project: ${[...perProject].map(([p, n]) => `${p} ${n}`).join(", ")}`);
    }
    console.log(`${checked} (project, release, minor) answers checked, ${disagreements.length} disagreement(s).`);
    if (newer > 0) console.log(`${newer} release(s) newer than the table's latest: not checked (regenerate the table).`);
    if (notInTable.length > 0) console.log(`not in the table (no CPython-specific wheel): ${notInTable.join(", ")}`);
    if (notInTruth.length > 0) console.log(`in the table but not in the truth: ${notInTruth.join(", ")}`);
    process.exitCode = disagreements.length > 0 || notInTruth.length > 0 ? 1 : 0;
}

main();
