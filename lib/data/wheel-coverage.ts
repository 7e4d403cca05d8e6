import { compare, eq, explain } from "@renovatebot/pep440";
import { WHEEL_COVERAGE, WHEEL_PYTHONS, WheelCoverage } from "./wheels";

/**
 * Whether a pinned release of a project has a Linux wheel for a CPython minor,
 * from the generated table in wheels.ts (see scripts/wheel-table.py).
 *
 * The rule, for a project in the table and a final release `version`:
 *  - `version` <= the newest release the table knows (`latest`): true when it
 *    lies in one of the project's pure-Python runs, or in [first, last] for
 *    that minor and is not one of the minor's gaps (the releases in that range
 *    that shipped no wheel for it, aiohttp 3.7.4 on 3.10); false otherwise.
 *    Versions are compared under PEP 440, so "1.0" and "1.0.0" are one release.
 *    For every release on the index when the table was generated this is the
 *    answer its files give (scripts/check-wheel-table.ts checks it); a version
 *    in [first, last] the index never had is answered true.
 *  - `version` newer than `latest` (the table predates it): false only when
 *    the project had already moved past that minor, i.e. `latest` has no
 *    wheel for it but has one for a newer minor (numpy >= 2.3 and 3.10):
 *    wheels for an old Python do not come back. Otherwise undefined: the
 *    newer release probably keeps the minors `latest` has and may add the
 *    one it lacks, but the table cannot say.
 *
 * A release that ships compiled wheels has a wheel for a minor only when one
 * of those is for it: a pure-Python wheel beside them is a fallback, not a
 * sign of support (SQLAlchemy 2.0.29: cp37-cp312 and py3-none-any; it fails at
 * import on 3.13). Releases with pure-Python wheels only cover every minor.
 *
 * Undefined also for a project not in the table, a version that is not a
 * PEP 440 version or is a pre-release (the table has final releases only),
 * and a Python outside the table's minors (3.10 to 3.14).
 */
export function hasWheel(project: string, version: string, python: string): boolean | undefined {
    const row = BY_PROJECT.get(normalizeProject(project));
    if (row === undefined) return undefined;
    const parsed = explain(version);
    if (parsed === null || parsed.is_prerelease) return undefined;
    const minor = pythonMinor(python);
    if (minor === undefined) return undefined;

    if (compare(version, row.latest) > 0) {
        if (covers(row, row.latest, minor)) return undefined;
        const movedPast = WHEEL_PYTHONS.some((m) => minorNumber(m) > minorNumber(minor) && covers(row, row.latest, m));
        return movedPast ? false : undefined;
    }
    return covers(row, version, minor);
}

/**
 * Extras that install another project at their own project's very release,
 * whose wheels then decide as a pin of it would: psycopg's `binary` extra is
 * `psycopg-binary == <psycopg's version>` (psycopg's own package metadata),
 * so psycopg[binary]==3.1.8 installs psycopg-binary 3.1.8, which has no
 * wheel for 3.12.
 */
export const SAME_RELEASE_EXTRAS: ReadonlyArray<{ readonly project: string; readonly extra: string; readonly installs: string }> = [
    { project: "psycopg", extra: "binary", installs: "psycopg-binary" },
];

/** The newest final release of a project in the table (what pip installs when nothing pins it), or undefined for a project not in the table. */
export function latestRelease(project: string): string | undefined {
    return BY_PROJECT.get(normalizeProject(project))?.latest;
}

/** PEP 503: lowercase, runs of "-", "_" and "." become one "-". */
export function normalizeProject(name: string): string {
    return name.trim().replace(/[-_.]+/g, "-").toLowerCase();
}

const BY_PROJECT: ReadonlyMap<string, WheelCoverage> = new Map(WHEEL_COVERAGE.map((row) => [row.project, row]));

function within(version: string, [first, last]: readonly [string, string]): boolean {
    return compare(version, first) >= 0 && compare(version, last) <= 0;
}

function covers(row: WheelCoverage, version: string, minor: string): boolean {
    if (row.pure?.some((run) => within(version, run))) return true;
    const range = row.pythons[minor];
    if (range === undefined || !within(version, range)) return false;
    return !(row.gaps?.[minor]?.some((gap) => eq(version, gap)) ?? false);
}

/** "3.13" or "3.13.1" -> "3.13" when the table knows that minor; otherwise undefined. */
function pythonMinor(python: string): string | undefined {
    const m = /^\s*3\.(\d+)(?:\.\d+)?\s*$/.exec(python);
    if (m === null) return undefined;
    const minor = `3.${Number(m[1])}`;
    return WHEEL_PYTHONS.includes(minor) ? minor : undefined;
}

function minorNumber(minor: string): number {
    return Number(minor.split(".")[1]);
}
