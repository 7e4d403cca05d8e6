import { InputError } from "../errors";
import { DEFAULT_PYTHON, SUPPORTED_PYTHONS } from "../plan/base-images";
import { describe } from "../validate";
import { SourceTree } from "./source";

export interface PythonVersion {
    /** "3.12" */
    readonly version: string;
    /** Where it came from: "`python`", ".python-version", "pyproject.toml requires-python", "runtime.txt" or "default". */
    readonly source: string;
}

const SUPPORTED_LIST = SUPPORTED_PYTHONS.join(", ");

function unsupported(source: string, said: string, fix: string): InputError {
    return new InputError(
        source,
        `${source} asks for Python ${said}, which is not supported; supported versions are ${SUPPORTED_LIST}. ${fix}`,
    );
}

/** "3.12", "3.12.4", "cpython-3.12", "python-3.12.1" -> "3.12"; undefined if unparseable. */
export function minorOf(text: string): string | undefined {
    const m = /^(?:c?python-?)?(\d+)\.(\d+)(?:\.\d+)?(?:[abrc]+\d+)?(?:\+)?$/i.exec(text.trim());
    return m ? `${m[1]}.${m[2]}` : undefined;
}

export function detectPython(src: SourceTree, requested: unknown, pyproject?: Record<string, unknown>): PythonVersion {
    if (requested !== undefined) {
        if (typeof requested !== "string") {
            // A number loses the version: 3.10 is 3.1.
            throw new InputError(
                "`python`",
                `\`python\` must be a string such as "3.12", not ${describe(requested)}; quote the version.`,
            );
        }
        if (minorOf(requested) === undefined) {
            throw new InputError(
                "`python`",
                `\`python\` is ${JSON.stringify(requested)}, which is not a Python version; use a version such as "3.12".`,
            );
        }
        const v = minorOf(requested)!;
        if (!SUPPORTED_PYTHONS.includes(v)) {
            throw unsupported("`python`", v, "Set `python` to a supported version.");
        }
        return { version: v, source: "`python`" };
    }

    const pv = src.readIfFile(".python-version");
    if (pv !== undefined) {
        const line = pv
            .split(/\r?\n/)
            .map((l) => l.replace(/#.*$/, "").trim())
            .find((l) => l !== "");
        const v = line === undefined ? undefined : minorOf(line);
        if (v === undefined) {
            throw new InputError(
                ".python-version",
                `.python-version says ${JSON.stringify(line ?? "")}, which is not a CPython version; ` +
                    'write a version such as "3.12", or set `python`.',
            );
        }
        if (!SUPPORTED_PYTHONS.includes(v)) {
            throw unsupported(".python-version", v, "Edit .python-version or set `python`.");
        }
        return { version: v, source: ".python-version" };
    }

    const project = pyproject?.["project"] as Record<string, unknown> | undefined;
    const spec = project?.["requires-python"];
    if (spec !== undefined) {
        const where = "pyproject.toml requires-python";
        if (typeof spec !== "string") {
            throw new InputError(where, `${where} must be a string such as ">=3.11".`);
        }
        const clauses = parseSpecifier(spec);
        if (clauses === undefined) {
            throw new InputError(
                where,
                `${where} is ${JSON.stringify(spec)}, which is not a version specifier; write one such as ">=3.11", or set \`python\`.`,
            );
        }
        const ok = SUPPORTED_PYTHONS.filter((v) => seriesSatisfies(v, clauses));
        if (ok.length === 0) {
            throw new InputError(
                where,
                `${where} is ${JSON.stringify(spec)}, which no supported Python satisfies (supported: ${SUPPORTED_LIST}). ` +
                    "Widen it or set `python`.",
            );
        }
        // Prefer the default (a distro Python); else the newest that fits.
        const version = ok.includes(DEFAULT_PYTHON) ? DEFAULT_PYTHON : ok[ok.length - 1];
        return { version, source: where };
    }

    const rt = src.readIfFile("runtime.txt");
    if (rt !== undefined) {
        const text = rt.trim();
        const v = /^python-/i.test(text) ? minorOf(text) : undefined;
        if (v === undefined) {
            throw new InputError(
                "runtime.txt",
                `runtime.txt says ${JSON.stringify(text)}, which is not of the form "python-3.12.4"; fix it or set \`python\`.`,
            );
        }
        if (!SUPPORTED_PYTHONS.includes(v)) {
            throw unsupported("runtime.txt", v, "Edit runtime.txt or set `python`.");
        }
        return { version: v, source: "runtime.txt" };
    }

    return { version: DEFAULT_PYTHON, source: "default" };
}

type Clause = { op: string; version: number[]; wildcard: boolean };

function parseSpecifier(spec: string): Clause[] | undefined {
    const clauses: Clause[] = [];
    for (const part of spec.split(",")) {
        const m = /^\s*(===|==|!=|~=|>=|<=|>|<)\s*(\d+(?:\.\d+)*)(\.\*)?\s*$/.exec(part);
        if (!m) {
            return undefined;
        }
        clauses.push({ op: m[1], version: m[2].split(".").map(Number), wildcard: m[3] !== undefined });
    }
    return clauses;
}

function cmp(a: number[], b: number[]): number {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0) {
            return d;
        }
    }
    return 0;
}

function prefixEq(v: number[], prefix: number[]): boolean {
    return prefix.every((p, i) => (v[i] ?? 0) === p);
}

function satisfies(v: number[], c: Clause): boolean {
    switch (c.op) {
        case "==":
        case "===":
            return c.wildcard ? prefixEq(v, c.version) : cmp(v, c.version) === 0;
        case "!=":
            return c.wildcard ? !prefixEq(v, c.version) : cmp(v, c.version) !== 0;
        case ">=":
            return cmp(v, c.version) >= 0;
        case "<=":
            return cmp(v, c.version) <= 0;
        case ">":
            return cmp(v, c.version) > 0;
        case "<":
            return cmp(v, c.version) < 0;
        default: {
            // ~=X.Y[.Z]: >= X.Y[.Z] and == X[.Y].*
            return cmp(v, c.version) >= 0 && prefixEq(v, c.version.slice(0, Math.max(1, c.version.length - 1)));
        }
    }
}

/** Some patch release of the series "3.y" satisfies every clause. */
function seriesSatisfies(series: string, clauses: Clause[]): boolean {
    const [major, minor] = series.split(".").map(Number);
    for (let patch = 0; patch <= 30; patch++) {
        const v = [major, minor, patch];
        if (clauses.every((c) => satisfies(v, c))) {
            return true;
        }
    }
    return false;
}
