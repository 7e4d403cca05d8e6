import { describeCap, newerPython, PythonCap, pythonCapOf } from "../data/python-support";
import { hasWheel, SAME_RELEASE_EXTRAS } from "../data/wheel-coverage";
import { DEFAULT_PYTHON, isSupportedPython, SUPPORTED_PYTHONS } from "../data/pythons";
import { Dependencies } from "../detect/dependencies";
import { minorOf, PythonFacts } from "../detect/python-version";
import { InputError } from "../errors";
import { byName } from "../data/by-name";

/**
 * Decides the Python version from what the folder says:
 * 1. `python`;
 * 2. the first exact version a file names (.python-version, runtime.txt,
 *    Pipfile.lock / Pipfile, pip-compile's header), which every range must allow;
 * 3. among the supported versions the ranges (requires-python, Poetry's
 *    python constraint, setuptools' python_requires) allow: the default when allowed, else the newest,
 *    skipping a version for which a compiled package the app pins or locks
 *    has no wheel (the lock's wheel list, else the built-in wheel table), with
 *    a note naming them. A pinned package with no wheel for any of those
 *    versions (sdist only, as psycopg2) builds from source whatever the
 *    choice, so it does not decide; the note names it too;
 * 4. when no version has every wheel, the default (or the newest allowed).
 * In 3 and 4 the candidates are first capped by the newest Python the release
 * of a project the app installs supports (python-support.ts: Django 3.2 up to
 * 3.10); when none is that old, the oldest allowed, with a note. A version
 * named in 1 or 2 is kept, with a note when it is newer than such a cap.
 */
export interface ChosenPython {
    readonly version: string;
    readonly source: string;
}

const SUPPORTED_LIST = SUPPORTED_PYTHONS.join(", ");

function unsupported(source: string, said: string, fix: string): InputError {
    return new InputError(source, `${source} asks for Python ${said}, which is not supported; supported versions are ${SUPPORTED_LIST}. ${fix}`);
}

const FIX: Readonly<Record<string, string>> = byName({
    ".python-version": "Edit .python-version or set `python`.",
    "runtime.txt": "Edit runtime.txt or set `python`.",
    "Pipfile.lock": "Edit the Pipfile's [requires] python_version, run `pipenv lock`, or set `python`.",
    Pipfile: "Edit the Pipfile's [requires] python_version or set `python`.",
});

export function choosePython(facts: PythonFacts, requested: string | undefined, deps: Dependencies, installed: ReadonlySet<string>, notes: string[]): ChosenPython {
    notes.push(...facts.notes);
    if (requested !== undefined) {
        const v = minorOf(requested);
        if (v === undefined) {
            throw new InputError("`python`", `\`python\` is ${JSON.stringify(requested)}, which is not a Python version; use a version such as "3.12".`);
        }
        if (!isSupportedPython(v)) {
            throw unsupported("`python`", v, "Set `python` to a supported version.");
        }
        for (const r of facts.ranges) {
            if (!r.allows(v)) {
                notes.push(`\`python\` is ${v}, which ${r.source} (${r.spec}) does not allow; the installer may refuse it.`);
            }
        }
        warnCaps(v, "`python`", capsOf(deps, installed), notes);
        warnWheels(v, "`python`", deps, installed, notes);
        return { version: v, source: "`python`" };
    }

    for (const e of facts.exact) {
        if (!isSupportedPython(e.version)) {
            if (e.hint) {
                notes.push(`${e.source} names Python ${e.version}, which is not supported here (${SUPPORTED_LIST}); it is not used: the image's Python is chosen as for an app that names none.`);
                continue;
            }
            throw unsupported(e.source, e.version, FIX[e.source] ?? "Set `python`.");
        }
        const refusing = facts.ranges.find((r) => !r.allows(e.version));
        if (refusing) {
            if (e.hint) {
                notes.push(`${e.source} names Python ${e.version}, which ${refusing.source} (${refusing.spec}) does not allow; it is not used.`);
                continue;
            }
            throw new InputError(
                e.source,
                `${e.source} asks for Python ${e.version}, but ${refusing.source} is ${JSON.stringify(refusing.spec)}, which does not allow it; make them agree, or set \`python\`.`,
            );
        }
        warnCaps(e.version, e.source, [...capsOf(deps, installed), ...codeCaps(facts, installed)], notes);
        warnWheels(e.version, e.source, deps, installed, notes);
        return { version: e.version, source: e.source };
    }

    const allowed = SUPPORTED_PYTHONS.filter((v) => facts.ranges.every((r) => r.allows(v)));
    if (allowed.length === 0) {
        const r = facts.ranges[0];
        throw new InputError(
            r.source,
            `${r.source} is ${JSON.stringify(r.spec)}, which no supported Python satisfies (supported: ${SUPPORTED_LIST}). Widen it or set \`python\`.`,
        );
    }
    // The default first (a distro Python, see base-images.ts), then newest to oldest.
    const order = [...(allowed.includes(DEFAULT_PYTHON) ? [DEFAULT_PYTHON] : []), ...[...allowed].reverse().filter((v) => v !== DEFAULT_PYTHON)];
    const ranged = facts.ranges.map((r) => r.source).join(" and ");
    // A release that supports Pythons only up to some version caps the candidates.
    const caps = [...capsOf(deps, installed), ...codeCaps(facts, installed)];
    const newest = caps.reduce<string | undefined>((m, c) => (m === undefined || newerPython(m, c.row.newestPython) ? c.row.newestPython : m), undefined);
    const deciding = caps.filter((c) => c.row.newestPython === newest);
    const capped = newest === undefined ? order : order.filter((v) => !newerPython(v, newest));
    const decided = facts.ranges.length > 0 ? [ranged] : [];
    const capText = deciding.map(describeCap).join("; ");
    if (capped.length === 0) {
        const importFails = [...new Set(deciding.filter((c) => c.row.failsAtImport).map((c) => c.row.display))];
        notes.push(
            `No supported Python is old enough for the release pinned here: ${capText}. Python ${allowed[0]}, the oldest allowed, is used; ` +
                `${importFails.length > 0 ? `importing ${importFails.join(", ")} fails on it` : "the app may fail on it"}. Upgrade ${deciding.map((c) => c.row.display).join(", ")} or set \`python\`.`,
        );
        decided.push(capText);
    } else if (capped[0] !== order[0]) {
        notes.push(`Python ${capped[0]}, not ${order[0]}: ${capText}. Set \`python\` to choose another.`);
        decided.push(capText);
    }
    let candidates = capped.length === 0 ? [allowed[0]] : capped;
    // The project's CI tests on some of the candidates only (flaskbb: 3.14 alone, its code needing
    // 3.14's deferred annotations): those come first, in the same order.
    const tested = facts.tested === undefined ? [] : candidates.filter((v) => facts.tested!.versions.includes(v));
    if (tested.length > 0 && tested[0] !== candidates[0]) {
        const files = facts.tested!.files.join(", ");
        notes.push(
            `Python ${tested[0]}, not ${candidates[0]}: the project's CI (${files}) tests on ${facts.tested!.versions.join(", ")}, not on ${candidates[0]}. Set \`python\` to choose another.`,
        );
        decided.push(`the Pythons its CI tests on (${files})`);
        candidates = [...tested, ...candidates.filter((v) => !tested.includes(v))];
    }
    const base = decided.length > 0 ? decided.join(" and ") : "default";
    // A pinned package with no wheel for any candidate (psycopg2: sdist only)
    // builds from source whichever Python is chosen: it does not decide.
    // The others decide: the first candidate none of them lacks a wheel for.
    const lacking = wheelLacks(deps, installed, candidates);
    const fromSource = lacking.filter((b) => candidates.every((v) => b.lacks.has(v)));
    const deciders = lacking.filter((b) => !fromSource.includes(b));
    const blockersFor = (v: string) => deciders.filter((b) => b.lacks.has(v));
    const listed = (bs: readonly Blocker[]) => bs.map((b) => `${b.name} ${b.version}`).join(", ");
    const whence = (bs: readonly Blocker[]) => [...new Set(bs.map((b) => b.from))].join(", ");
    const sourceOnly =
        fromSource.length === 0
            ? ""
            : ` ${listed(fromSource)} ${fromSource.length === 1 ? "has" : "have"} no wheel for any of ${[...candidates].sort().join(", ")} ` +
              `(${whence(fromSource)}): ${fromSource.length === 1 ? "it builds" : "they build"} from source on every Python, so ${fromSource.length === 1 ? "it does" : "they do"} not decide.`;
    const first = blockersFor(candidates[0]);
    if (first.length === 0) {
        return { version: candidates[0], source: base };
    }
    for (const v of candidates.slice(1)) {
        if (blockersFor(v).length === 0) {
            const names = listed(first);
            const where = whence(first);
            notes.push(
                `Python ${v}, not ${candidates[0]}: ${names} ${first.length === 1 ? "has" : "have"} no wheel built for ${candidates[0]} (${where}); ` +
                    `without one, ${first.length === 1 ? "it builds" : "they build"} from source (slow, or it fails) or ${first.length === 1 ? "falls" : "fall"} back to a pure-Python wheel ` +
                    `made before ${candidates[0]} was supported.${sourceOnly} Set \`python\` to choose another.`,
            );
            return { version: v, source: [...decided, `the wheels of ${names} (${where})`].join(", and ") };
        }
    }
    notes.push(
        `No supported Python has wheels for every compiled package pinned here (${listed(first)} lack one for ${candidates[0]}); ` +
            `they build from source.${sourceOnly} Set \`python\` to choose the version.`,
    );
    return { version: candidates[0], source: base };
}

/** The caps the projects the app installs put on the Python, by project name. */
function capsOf(deps: Dependencies, installed: ReadonlySet<string>): PythonCap[] {
    const out: PythonCap[] = [];
    for (const name of [...installed].sort()) {
        const cap = pythonCapOf(name, deps.pins.get(name), deps.specifiers.get(name));
        if (cap && !(cap.row.restoredBy !== undefined && installed.has(cap.row.restoredBy))) {
            out.push(cap);
        }
    }
    return out;
}

/**
 * Projects that put a removed standard-library module back: legacy-cgi (cgi, cgitb), audioop-lts, pyasyncore and
 * pyasynchat, and python-deadlib's standard-<module> packages.
 */
const RESTORED_BY: Readonly<Record<string, readonly string[]>> = byName({ cgi: ["legacy-cgi"], cgitb: ["legacy-cgi"], audioop: ["audioop-lts"], asyncore: ["pyasyncore"], asynchat: ["pyasynchat"] });

/** A cap for each removed standard-library module the app's code imports and installs nothing to restore: the newest Python that still has it. */
function codeCaps(facts: PythonFacts, installed: ReadonlySet<string>): PythonCap[] {
    const restored = (module: string) => [...(RESTORED_BY[module] ?? []), `standard-${module}`].some((p) => installed.has(p));
    return (facts.removedImports ?? []).filter((r) => !restored(r.module)).map((r) => {
        const [major, minor] = r.removedIn.split(".").map(Number);
        const display = `${r.file} (or import a replacement of ${r.module})`;
        return {
            project: r.module,
            asked: `${r.file} imports ${r.module}, which Python ${r.removedIn} removed (${r.pep}); it`,
            row: { project: r.module, display, releases: "", newestPython: `${major}.${minor - 1}`, source: `the standard library of ${major}.${minor - 1}` },
        };
    });
}

/** A note for each cap an explicitly named Python is newer than: the version is kept. */
function warnCaps(version: string, source: string, caps: readonly PythonCap[], notes: string[]): void {
    for (const cap of caps.filter((c) => newerPython(version, c.row.newestPython))) {
        notes.push(
            `${source} names Python ${version}, but ${describeCap(cap)}: the app may fail on ${version}. ` +
                `Upgrade ${cap.row.display}, or name Python ${cap.row.newestPython} or older.`,
        );
    }
}

/**
 * A Python chosen outright (`python`, .python-version...) for which a pinned
 * compiled project has no wheel while another supported Python has one: it
 * builds from source there, slowly or not at all (greenlet 3.0.3 on 3.13), so
 * a warning at preview names it and the Pythons whose wheels cover them all.
 */
function warnWheels(v: string, source: string, deps: Dependencies, installed: ReadonlySet<string>, notes: string[]): void {
    const lacking = wheelLacks(deps, installed, SUPPORTED_PYTHONS).filter((b) => b.lacks.has(v) && SUPPORTED_PYTHONS.some((p) => !b.lacks.has(p)));
    if (lacking.length === 0) {
        return;
    }
    const covering = SUPPORTED_PYTHONS.filter((p) => lacking.every((b) => !b.lacks.has(p)));
    const names = lacking.map((b) => `${b.name} ${b.version}`).join(", ");
    notes.push(
        `Warning: ${source} is Python ${v}, but ${names} ${lacking.length === 1 ? "has" : "have"} no wheel for ${v} (${[...new Set(lacking.map((b) => b.from))].join(", ")}): ` +
            `${lacking.length === 1 ? "it builds" : "they build"} from source in the image, slowly, and may fail. ` +
            (covering.length > 0 ? `Python ${covering.join(", ")} ${covering.length === 1 ? "has wheels" : "have wheels"} for ${lacking.length === 1 ? "it" : "all of them"}; or ` : "") +
            `upgrade ${lacking.length === 1 ? "it" : "them"} to a release with a ${v} wheel.`,
    );
}

interface Blocker {
    readonly name: string;
    readonly version: string;
    /** The lock file that lists its wheels, or "its published wheels" (the built-in table). */
    readonly from: string;
    /** The Pythons, among those asked about, it has no Linux wheel for. */
    readonly lacks: ReadonlySet<string>;
}

/** Pinned compiled packages that lack a Linux wheel for some of the Python series. */
function wheelLacks(deps: Dependencies, installed: ReadonlySet<string>, pythons: readonly string[]): Blocker[] {
    const out: Blocker[] = [];
    // A pinned project's extra that installs another project at the same release pins that one too.
    const pins = new Map(deps.pins);
    const implied = new Set<string>();
    for (const e of SAME_RELEASE_EXTRAS) {
        const version = deps.pins.get(e.project);
        if (version !== undefined && installed.has(e.project) && deps.extras.get(e.project)?.has(e.extra) && !pins.has(e.installs)) {
            pins.set(e.installs, version);
            implied.add(e.installs);
        }
    }
    for (const [name, version] of [...pins].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (!installed.has(name) && !implied.has(name)) {
            continue;
        }
        const files = deps.wheels.get(name);
        const locked = files !== undefined && files.length > 0;
        const lacks = new Set(
            pythons.filter((python) => (locked ? lockedWheelsCover(files, python) === false : hasWheel(name, version, python) === false)),
        );
        if (lacks.size > 0) {
            out.push({ name, version, from: locked ? deps.manifest : "its published wheels", lacks });
        }
    }
    return out;
}

/**
 * Whether wheel file names (PEP 427) include one for CPython `python` on
 * Linux glibc: `cp3X-abi3` covers 3.X and later; `cp3XY-cp3XY` covers 3.XY;
 * a pure wheel covers every Python, unless compiled Linux wheels sit beside
 * it: then it is a fallback, and only those count (the rule of the wheel
 * table, scripts/wheel-table.py: SQLAlchemy 2.0.29 has a py3-none-any wheel
 * but does not import on 3.13). Undefined when no wheel is for Linux.
 */
export function lockedWheelsCover(files: readonly string[], python: string): boolean | undefined {
    const [major, minor] = python.split(".").map(Number);
    let linux = false;
    let pureSeen = false;
    let compiledSeen = false;
    for (const f of files) {
        const parts = f.slice(0, -".whl".length).split("-");
        if (parts.length < 5) {
            continue;
        }
        const [pyTags, abiTags, platTags] = parts.slice(-3).map((t) => t.split("."));
        const pure = abiTags.includes("none") && pyTags.some((t) => t.startsWith("py"));
        const onLinux = pure || platTags.some((p) => p.startsWith("manylinux") || p.startsWith("linux_"));
        if (!onLinux) {
            continue;
        }
        linux = true;
        if (pure) {
            pureSeen = true;
            continue;
        }
        for (const t of pyTags) {
            if (!t.startsWith("cp")) {
                continue;
            }
            compiledSeen = true;
            const tag = t.slice(2);
            const tMajor = Number(tag[0]);
            const tMinor = Number(tag.slice(1));
            if (abiTags.includes("abi3") && tMajor === major && tMinor <= minor) {
                return true;
            }
            if (tMajor === major && tMinor === minor && abiTags.some((a) => a === `cp${major}${minor}`)) {
                return true;
            }
        }
    }
    if (pureSeen && !compiledSeen) {
        return true;
    }
    return linux ? false : undefined;
}
