import { satisfies, validRange } from "@renovatebot/pep440";
import { load as loadYaml } from "js-yaml";
import { parse as parseToml } from "smol-toml";
import { isSupportedPython } from "../data/pythons";
import { InputError } from "../errors";
import { Dependencies, fromRequirementsFile, setupKeyword, table } from "./dependencies";
import { readIni } from "./ini";
import { pythonFiles } from "./app-code";
import { parseModule, str } from "./python-source";
import { readContainerConfig } from "./container";
import { containerConfigUsed, readPlatformEnv, shellTokens } from "./procfile";
import { SourceTree } from "./source";
import { byName } from "../data/by-name";

/**
 * What the source folder says about its Python version, file by file. This
 * module only reads; plan/python.ts decides. An exact version names one
 * CPython series ("3.11"); a range only limits them (requires-python,
 * Poetry's `python` constraint).
 */
export interface ExactPython {
    /** "3.11" */
    readonly version: string;
    /** What the file says, as written. */
    readonly said: string;
    /** ".python-version", "runtime.txt", ".tool-versions", "mise.toml", "Pipfile.lock", "Pipfile", "requirements.txt (pip-compile header)", "environment.yml (conda's python=...)". */
    readonly source: string;
    /** A hint rather than a requirement (the pip-compile header, conda's environment file): an unsupported one is skipped, not refused. */
    readonly hint: boolean;
}

export interface PythonRange {
    /** As written, e.g. ">=3.10,<3.12" or "^3.9". */
    readonly spec: string;
    /**
     * "pyproject.toml requires-python", "pyproject.toml [tool.poetry.dependencies] python", "poetry.lock", "pdm.lock [[metadata.targets]] requires_python",
     * "setup.cfg [options] python_requires", "setup.py python_requires".
     */
    readonly source: string;
    /** Whether some release of the series "3.y" satisfies the range. */
    allows(series: string): boolean;
}

export interface PythonFacts {
    /** In precedence order. */
    readonly exact: readonly ExactPython[];
    readonly ranges: readonly PythonRange[];
    /** Standard-library modules the app's own code imports (outside a try) that a Python release removed. */
    readonly removedImports?: ReadonlyArray<{ readonly file: string; readonly module: string; readonly removedIn: string; readonly pep: string }>;
    /**
     * Modules the app's own code imports (outside a try) that only setuptools provides: pkg_resources (which
     * setuptools 82 removed) and distutils (removed from the standard library in 3.12; setuptools shims it).
     */
    readonly setuptoolsImports?: ReadonlyArray<{ readonly file: string; readonly module: "pkg_resources" | "distutils" }>;
    /**
     * The Python series the project's CI tests on: GitHub Actions workflows' actions/setup-python (or
     * astral-sh/setup-uv) `python-version` (a matrix expanded), with the files that say so. A hint for choosing within a range.
     */
    readonly tested?: { readonly versions: readonly string[]; readonly files: readonly string[] };
    /** Sources read and skipped, and why. */
    readonly notes: readonly string[];
}

/** "3.12", "3.12.4", "3.12.x", "cpython-3.12", "python-3.12.1" -> "3.12"; undefined if not a CPython version. */
export function minorOf(text: string): string | undefined {
    let t = text.trim().toLowerCase();
    for (const prefix of ["cpython-", "cpython", "python-", "python"]) {
        if (t.startsWith(prefix)) {
            t = t.slice(prefix.length);
            break;
        }
    }
    const parts = t.split(".");
    if (parts.length < 2 || parts.length > 3 || !isDigits(parts[0]) || !isDigits(parts[1])) {
        return undefined;
    }
    if (parts.length === 3 && !(parts[2] === "x" || parts[2] === "*" || /^\d+((a|b|rc)\d+)?\+?$/.test(parts[2]))) {
        return undefined;
    }
    return `${Number(parts[0])}.${Number(parts[1])}`;
}

function isDigits(s: string): boolean {
    return s.length > 0 && [...s].every((c) => c >= "0" && c <= "9");
}

export function detectPythonFacts(src: SourceTree, deps: Dependencies): PythonFacts {
    const exact: ExactPython[] = [];
    const ranges: PythonRange[] = [];
    const notes: string[] = [];

    const pv = src.readIfFile(".python-version");
    if (pv !== undefined) {
        const line = pv
            .split(/\r?\n/)
            .map((l) => l.replace(/#.*$/, "").trim())
            .find((l) => l !== "");
        // pyenv's `system`, or a pyenv-virtualenv environment's name, names no version: the other sources decide. Another interpreter (PyPy) is refused.
        if (line !== undefined && minorOf(line) === undefined && !/^(pypy|graalpy|graalpython|jython|ironpython|stackless|micropython|pyston)/i.test(line)) {
            notes.push(`.python-version says ${JSON.stringify(line)}, which names no Python version (pyenv's \`system\` or a virtualenv's name): it is skipped; set \`python\` to choose one.`);
        } else {
            exact.push(exactOrThrow(".python-version", line ?? "", 'write a version such as "3.12", or set `python`.', false));
        }
    }

    const rt = src.readIfFile("runtime.txt");
    if (rt !== undefined) {
        const text = rt.trim();
        exact.push(exactOrThrow("runtime.txt", text, 'write it as "python-3.12" (or "python-3.12.4"), or set `python`.', false));
    }

    // The platforms' documented switches: render.yaml's PYTHON_VERSION envVar, nixpacks.toml's NIXPACKS_PYTHON_VERSION
    // (Railway), app.yaml's runtime (App Engine: python311).
    for (const [said, source] of platformPythons(src)) {
        const version = minorOf(said);
        if (version !== undefined) {
            exact.push({ version, said, source, hint: false });
        }
    }

    // The app's own Dockerfile's `FROM python:3.10-slim`, when it is the app's deployment convention: a hint, as strong as a platform's.
    const container = containerConfigUsed(src) ? readContainerConfig(src)?.python : undefined;
    const fromImage = container === undefined ? undefined : minorOf(container.said.split("-")[0]);
    if (container !== undefined && fromImage !== undefined) {
        const before = exact[0];
        if (before !== undefined && before.version !== fromImage) {
            notes.push(`${container.source} names Python ${fromImage}, but ${before.source} says ${before.version}, which is used; set \`python\` to choose.`);
        } else if (before === undefined && isSupportedPython(fromImage)) {
            // (One that is not supported gets the plan's note that it is not used.)
            notes.push(`${container.source} names Python ${fromImage}, the app's own image's: the image uses it unless it is not supported here or the project's Python range refuses it; set \`python\` to choose another.`);
        }
        exact.push({ version: fromImage, said: container.said, source: container.source, hint: true });
    }

    const managed = versionManagerPython(src);
    if (managed) {
        exact.push(managed);
    }

    const pipfile = pipfilePython(src);
    if (pipfile) {
        exact.push(exactOrThrow(pipfile.source, pipfile.said, "fix it (e.g. python_version = \"3.12\"), or set `python`.", false));
    }

    const header = pipCompileHeader(src, deps);
    if (header) {
        exact.push(header);
    }

    const conda = condaPython(src);
    if (conda) {
        exact.push(conda);
    }

    const project = table(deps.pyproject, "project");
    const requiresPython = project?.["requires-python"];
    if (requiresPython !== undefined) {
        ranges.push(pep440Range("pyproject.toml requires-python", requiresPython));
    } else {
        // Without [project] requires-python, setuptools takes python_requires
        // from setup.cfg or setup.py: pip refuses a Python outside it.
        ranges.push(...setuptoolsRanges(src));
    }
    const poetryPython = table(table(table(deps.pyproject, "tool"), "poetry"), "dependencies")?.["python"];
    if (poetryPython !== undefined && requiresPython === undefined) {
        ranges.push(poetryRange("pyproject.toml [tool.poetry.dependencies] python", poetryPython));
    }
    if (deps.installer === "poetry" && requiresPython === undefined && poetryPython === undefined) {
        const meta = lockMetadataPython(src);
        if (meta !== undefined) {
            ranges.push(poetryRange("poetry.lock [metadata] python-versions", meta));
        }
    }
    // A lock resolved for narrower Pythons than requires-python (pdm.lock's targets) holds packages for those only.
    const lp = deps.lockPython;
    if (lp && !(lp.specs.length === 1 && lp.specs[0] === requiresPython)) {
        const alternatives = lp.specs.map((spec) => pep440Range(lp.source, spec));
        ranges.push({ spec: lp.specs.join(" or "), source: lp.source, allows: (series) => alternatives.some((r) => r.allows(series)) });
    }
    return { exact, ranges, notes, tested: testedPythons(src), ...appImports(src) };
}

/** GitHub Actions that install the Python their `python-version` input names (setup-uv: the Python uv uses). */
const SETUP_ACTIONS = ["actions/setup-python", "astral-sh/setup-uv"];

/**
 * The CPython series a project's GitHub Actions workflows set up with
 * actions/setup-python or astral-sh/setup-uv: each step's `python-version` (a string or a list), a
 * `${{ matrix.NAME }}` expanded from the job's `strategy.matrix` (its list and
 * `include` entries). YAML numbers are read as written by js-yaml (3.10 is
 * 3.1, which names no supported series and is dropped); pre-releases
 * ("3.14-dev"), PyPy and `3.x` name no series. Undefined when none is found.
 */
function testedPythons(src: SourceTree): PythonFacts["tested"] {
    const dir = ".github/workflows";
    const versions = new Set<string>();
    const files: string[] = [];
    for (const e of src.list(dir).filter((x) => x.isFile() && (x.name.endsWith(".yml") || x.name.endsWith(".yaml"))).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        let doc: unknown;
        try {
            doc = loadYaml(src.read(`${dir}/${e.name}`));
        } catch {
            continue; // not YAML GitHub would run either
        }
        const before = versions.size;
        const jobs = table(doc, "jobs") ?? {};
        for (const job of Object.values(jobs)) {
            const matrix = table(table(job, "strategy"), "matrix") ?? {};
            const fromMatrix = (name: string): unknown[] => {
                const listed = Array.isArray(matrix[name]) ? (matrix[name] as unknown[]) : [];
                const included = Array.isArray(matrix["include"]) ? (matrix["include"] as unknown[]).map((i) => (i !== null && typeof i === "object" ? (i as Record<string, unknown>)[name] : undefined)).filter((v) => v !== undefined) : [];
                return [...listed, ...included];
            };
            const steps = job !== null && typeof job === "object" ? (job as Record<string, unknown>)["steps"] : undefined;
            for (const step of Array.isArray(steps) ? (steps as unknown[]) : []) {
                const uses = step !== null && typeof step === "object" ? (step as Record<string, unknown>)["uses"] : undefined;
                if (typeof uses !== "string" || !SETUP_ACTIONS.some((a) => uses.startsWith(`${a}@`))) {
                    continue;
                }
                const given = table(step, "with")?.["python-version"];
                const values = Array.isArray(given) ? given : typeof given === "string" ? given.split("\n") : given === undefined ? [] : [given];
                for (const raw of values) {
                    const text = String(raw).trim();
                    const ref = matrixRef(text);
                    for (const v of ref === undefined ? [text] : fromMatrix(ref).map(String)) {
                        const series = minorOf(v);
                        if (series !== undefined) {
                            versions.add(series);
                        }
                    }
                }
            }
        }
        if (versions.size > before) {
            files.push(`${dir}/${e.name}`);
        }
    }
    return versions.size === 0 ? undefined : { versions: [...versions].sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1])), files };
}

/** `${{ matrix.python-version }}` -> "python-version" (blanks inside the braces allowed); undefined for anything else. */
function matrixRef(text: string): string | undefined {
    if (!text.startsWith("${{") || !text.endsWith("}}")) {
        return undefined;
    }
    const inner = text.slice(3, -2).trim();
    return inner.startsWith("matrix.") && !inner.slice("matrix.".length).includes(" ") ? inner.slice("matrix.".length) : undefined;
}

/**
 * setup.cfg's [options] python_requires and setup.py's setup(python_requires=...)
 * (a string literal, or a top-level name bound to one, read with the Python
 * parser without running the file). Both, when both say one: each must allow
 * the version. A value that is not a literal is left to pip.
 */
function setuptoolsRanges(src: SourceTree): PythonRange[] {
    const out: PythonRange[] = [];
    const cfg = src.readIfFile("setup.cfg");
    const fromCfg = cfg === undefined ? undefined : readIni(cfg).get("options")?.get("python_requires");
    if (fromCfg !== undefined) {
        out.push(pep440Range("setup.cfg [options] python_requires", fromCfg.split("\n").join(" ").trim()));
    }
    const py = src.readIfFile("setup.py");
    const expr = py === undefined ? undefined : setupKeyword(py, "python_requires");
    const fromPy = str(expr);
    if (fromPy !== undefined) {
        out.push(pep440Range("setup.py python_requires", fromPy));
    }
    return out;
}

/** The Python the hosting platform's config names, with the file: render.yaml, nixpacks.toml, app.yaml. */
function platformPythons(src: SourceTree): Array<readonly [string, string]> {
    const out: Array<readonly [string, string]> = [];
    const render = renderPythonVersion(src);
    if (render !== undefined) {
        out.push([render, "render.yaml PYTHON_VERSION"]);
    }
    const nixpacks = src.readIfFile("nixpacks.toml");
    try {
        const v = nixpacks === undefined ? undefined : table(parseToml(nixpacks) as Record<string, unknown>, "variables")?.["NIXPACKS_PYTHON_VERSION"];
        if (typeof v === "string" || typeof v === "number") {
            out.push([String(v), "nixpacks.toml NIXPACKS_PYTHON_VERSION"]);
        }
    } catch {
        // not TOML Nixpacks would read either
    }
    const appYaml = src.readIfFile("app.yaml");
    try {
        const runtime = appYaml === undefined ? undefined : (loadYaml(appYaml) as Record<string, unknown> | null)?.["runtime"];
        // python311 -> 3.11
        if (typeof runtime === "string" && /^python3\d+$/.test(runtime)) {
            out.push([`3.${runtime.slice("python3".length)}`, "app.yaml runtime"]);
        }
    } catch {
        // not YAML App Engine would read either
    }
    return out;
}

/** render.yaml's web service's PYTHON_VERSION (a literal `value`, its own or an environment group's). */
function renderPythonVersion(src: SourceTree): string | undefined {
    return readPlatformEnv(src).set.find(([k, , file]) => k === "PYTHON_VERSION" && file === "render.yaml envVars")?.[1];
}

function exactOrThrow(source: string, said: string, fix: string, hint: boolean): ExactPython {
    const version = minorOf(said);
    if (version === undefined) {
        throw new InputError(source, `${source} says ${JSON.stringify(said)}, which is not a CPython version; ${fix}`);
    }
    return { version, said, source, hint };
}

/**
 * The Python a version manager pins for the folder: asdf's `.tool-versions`
 * (`python 3.11.9`; the first version on the line is the one asdf uses), else
 * mise's `mise.toml` (or .mise.toml, mise/config.toml, .config/mise/config.toml...: `[tools] python = "3.11"`, a list, or
 * `{ version = "3.11" }`). A value that names no CPython version (`system`,
 * `latest`, `ref:...`) says nothing about the image and is skipped.
 */
function versionManagerPython(src: SourceTree): ExactPython | undefined {
    const tv = src.readIfFile(".tool-versions");
    if (tv !== undefined) {
        for (const raw of tv.split(/\r?\n/)) {
            const hash = raw.indexOf("#");
            const words = (hash < 0 ? raw : raw.slice(0, hash)).trim().split(/\s+/);
            if (words[0] === "python" && words[1] !== undefined) {
                const version = minorOf(words[1]);
                return version === undefined ? undefined : { version, said: words[1], source: ".tool-versions", hint: false };
            }
        }
    }
    // mise's config file names in a project folder; a project keeps one, and the first found decides.
    for (const file of ["mise.toml", ".mise.toml", "mise/config.toml", ".mise/config.toml", ".config/mise.toml", ".config/mise/config.toml"]) {
        const text = src.readIfFile(file);
        if (text === undefined) {
            continue;
        }
        let tools: Record<string, unknown> | undefined;
        try {
            tools = table(parseTomlLoose(text), "tools");
        } catch {
            continue; // not TOML: mise would refuse it too
        }
        const value = tools?.["python"];
        const first = Array.isArray(value) ? value[0] : value;
        const said = typeof first === "string" ? first : typeof first === "object" && first !== null ? (first as Record<string, unknown>)["version"] : undefined;
        if (typeof said === "string") {
            const version = minorOf(said);
            return version === undefined ? undefined : { version, said, source: file, hint: false };
        }
    }
    return undefined;
}

/** Pipfile.lock's _meta.requires, else the Pipfile's [requires]: python_version or python_full_version. */
function pipfilePython(src: SourceTree): { said: string; source: string } | undefined {
    const lockText = src.readIfFile("Pipfile.lock");
    if (lockText !== undefined) {
        try {
            const requires = table(table(JSON.parse(lockText), "_meta"), "requires");
            const v = requires?.["python_version"] ?? requires?.["python_full_version"];
            if (typeof v === "string") {
                return { said: v, source: "Pipfile.lock" };
            }
        } catch {
            // detectDependencies reports a broken Pipfile.lock
        }
    }
    const pipfileText = src.readIfFile("Pipfile");
    if (pipfileText !== undefined) {
        try {
            // A Pipfile is TOML.
            const requires = table(parseTomlLoose(pipfileText), "requires");
            const v = requires?.["python_version"] ?? requires?.["python_full_version"];
            if (typeof v === "string") {
                return { said: v, source: "Pipfile" };
            }
        } catch {
            return undefined;
        }
    }
    return undefined;
}

function parseTomlLoose(text: string): Record<string, unknown> {
    return parseToml(text) as Record<string, unknown>;
}

/**
 * pip-compile writes the Python it ran under into its header:
 * "# This file is autogenerated by pip-compile with Python 3.11". It is a hint:
 * the pins were resolved for that Python.
 */
function pipCompileHeader(src: SourceTree, deps: Dependencies): ExactPython | undefined {
    if (!fromRequirementsFile(deps)) {
        return undefined;
    }
    const text = src.read(deps.manifest);
    const header = text.split(/\r?\n/).slice(0, 12).filter((l) => l.startsWith("#"));
    for (const line of header) {
        // uv's: `#    uv pip compile requirements.in --python-version 3.11 -o requirements.txt` (resolved for that Python,
        // unless --universal, where it is only the lowest).
        const uv = shellTokens(line.slice(1).trim()).filter((t): t is string => typeof t === "string");
        if (uv[0] === "uv" && uv[1] === "pip" && uv[2] === "compile" && !uv.includes("--universal")) {
            for (let i = 3; i < uv.length; i++) {
                const [flag, inline] = uv[i].includes("=") ? [uv[i].slice(0, uv[i].indexOf("=")), uv[i].slice(uv[i].indexOf("=") + 1)] : [uv[i], undefined];
                if (flag === "--python-version" || flag === "-p" || flag === "--python") {
                    const said = inline ?? uv[i + 1] ?? "";
                    const version = minorOf(said);
                    if (version) {
                        return { version, said, source: `${deps.manifest} (its uv pip compile header)`, hint: true };
                    }
                }
            }
        }
        const words = line.slice(1).trim().split(/\s+/);
        const at = words.indexOf("pip-compile");
        const w = words.findIndex((x, i) => i > at && x === "with");
        if (at >= 0 && w > 0 && words[w + 1]?.toLowerCase() === "python" && words[w + 2]) {
            const version = minorOf(words[w + 2]);
            if (version) {
                return { version, said: words[w + 2], source: `${deps.manifest} (its pip-compile header)`, hint: true };
            }
        }
    }
    return undefined;
}

/**
 * The Python a conda environment file (environment.yml) pins in its
 * `dependencies:` list, a conda match spec: `python=3.11`, `python==3.11.9`,
 * `python 3.11.*`, `conda-forge::python=3.11`. A hint, as the pip-compile
 * header is: the file describes the developer's conda environment, and the
 * image installs the app's pip manifest on its own Python. A range
 * (`python>=3.10`) names no version.
 */
function condaPython(src: SourceTree): ExactPython | undefined {
    const file = ["environment.yml", "environment.yaml"].find((f) => src.isFile(f));
    if (file === undefined) {
        return undefined;
    }
    let doc: unknown;
    try {
        doc = loadYaml(src.read(file));
    } catch {
        return undefined; // not YAML conda would read either
    }
    const deps = doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>)["dependencies"] : undefined;
    for (const dep of Array.isArray(deps) ? deps : []) {
        if (typeof dep !== "string") {
            continue; // the `pip:` sub-list
        }
        // A match spec: [channel::]name, then the version after `=`, `==` or a space (conda's MatchSpec).
        const spec = dep.includes("::") ? dep.slice(dep.lastIndexOf("::") + 2).trim() : dep.trim();
        const cut = [...spec].findIndex((c) => " =<>!~".includes(c));
        const name = cut < 0 ? spec : spec.slice(0, cut);
        if (name.toLowerCase() !== "python" || cut < 0) {
            continue;
        }
        const rest = spec.slice(cut).trim();
        const version = rest.startsWith("==") ? rest.slice(2).trim() : rest.startsWith("=") ? rest.slice(1).trim() : rest[0] >= "0" && rest[0] <= "9" ? rest : undefined;
        // `3.11=h955ad1f_0`: a build string follows the version after `=` or a space.
        const end = version === undefined ? -1 : [...version].findIndex((c) => c === " " || c === "=");
        const said = version === undefined ? undefined : end < 0 ? version : version.slice(0, end);
        const minor = said === undefined ? undefined : minorOf(said);
        if (said !== undefined && minor !== undefined) {
            return { version: minor, said: dep, source: `${file} (conda's python)`, hint: true };
        }
    }
    return undefined;
}

function lockMetadataPython(src: SourceTree): string | undefined {
    const text = src.readIfFile("poetry.lock");
    if (text === undefined) {
        return undefined;
    }
    try {
        const v = table(parseTomlLoose(text), "metadata")?.["python-versions"];
        return typeof v === "string" ? v : undefined;
    } catch {
        return undefined;
    }
}

/** Some patch release 3.y.0 ... 3.y.30 satisfies the PEP 440 specifier. */
function seriesSatisfies(series: string, spec: string): boolean {
    for (let patch = 0; patch <= 30; patch++) {
        if (satisfies(`${series}.${patch}`, spec)) {
            return true;
        }
    }
    return false;
}

function pep440Range(source: string, spec: unknown): PythonRange {
    if (typeof spec !== "string") {
        throw new InputError(source, `${source} must be a string such as ">=3.11".`);
    }
    if (!validRange(spec)) {
        throw new InputError(
            source,
            `${source} is ${JSON.stringify(spec)}, which is not a version specifier; write one such as ">=3.11", or set \`python\`.`,
        );
    }
    return { spec, source, allows: (series) => seriesSatisfies(series, spec) };
}

/**
 * Poetry's constraint syntax, translated to PEP 440 clause by clause: `^3.9`
 * is >=3.9,<4.0; `~3.9` is >=3.9,<3.10; `3.9.*` and a bare `3.9` (for the
 * Python constraint) are ==3.9.*; `a || b` allows either; `*` allows any.
 */
export function poetryToPep440(constraint: string): string[] | undefined {
    const alternatives: string[] = [];
    for (const alt of constraint.split("||")) {
        const clauses: string[] = [];
        for (const raw of alt.split(",").flatMap((c) => c.trim().split(/\s+/)).filter((c) => c !== "")) {
            if (raw === "*") {
                continue;
            }
            if (raw.startsWith("^") || raw.startsWith("~") && !raw.startsWith("~=")) {
                const v = raw.slice(1).split(".").map(Number);
                if (v.some((n) => !Number.isInteger(n))) {
                    return undefined;
                }
                let upper: number[];
                if (raw.startsWith("^")) {
                    const firstNonZero = v.findIndex((n) => n !== 0);
                    const i = firstNonZero < 0 ? v.length - 1 : firstNonZero;
                    upper = [...v.slice(0, i), v[i] + 1];
                } else {
                    upper = v.length === 1 ? [v[0] + 1] : [v[0], v[1] + 1];
                }
                clauses.push(`>=${v.join(".")}`, `<${upper.join(".")}`);
                continue;
            }
            if (/^[0-9]/.test(raw)) {
                clauses.push(raw.endsWith(".*") ? `==${raw}` : raw.split(".").length <= 2 ? `==${raw}.*` : `==${raw}`);
                continue;
            }
            clauses.push(raw);
        }
        const spec = clauses.join(",");
        if (spec !== "" && !validRange(spec)) {
            return undefined;
        }
        alternatives.push(spec);
    }
    return alternatives;
}

function poetryRange(source: string, spec: unknown): PythonRange {
    if (typeof spec !== "string") {
        throw new InputError(source, `${source} must be a string such as "^3.11".`);
    }
    const alternatives = poetryToPep440(spec);
    if (alternatives === undefined) {
        throw new InputError(
            source,
            `${source} is ${JSON.stringify(spec)}, which is not a Poetry version constraint; write one such as "^3.11" or ">=3.10,<3.13", or set \`python\`.`,
        );
    }
    return { spec, source, allows: (series) => alternatives.some((a) => a === "" || seriesSatisfies(series, a)) };
}

/**
 * Standard-library modules removed from CPython, by the release that removed them: PEP 594's "dead
 * batteries" and lib2to3 in 3.13, PEP 632's and 594's earlier removals in 3.12 (distutils aside: setuptools
 * provides it where an app installs setuptools).
 */
const REMOVED_STDLIB: Readonly<Record<string, { readonly removedIn: string; readonly pep: string }>> = byName({
    ...Object.fromEntries(
        ["aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib"].map(
            (m) => [m, { removedIn: "3.13", pep: "PEP 594" }],
        ),
    ),
    lib2to3: { removedIn: "3.13", pep: "PEP 617's deprecation, removed in 3.13" },
    asynchat: { removedIn: "3.12", pep: "PEP 594" },
    asyncore: { removedIn: "3.12", pep: "PEP 594" },
    smtpd: { removedIn: "3.12", pep: "PEP 594" },
    imp: { removedIn: "3.12", pep: "the imp module's deprecation since 3.4" },
});

/** Modules only setuptools provides to an app's environment. */
const SETUPTOOLS_MODULES = ["pkg_resources", "distutils"] as const;

/**
 * The app's own modules (the source folder's Python files four folders deep, app detection's skipped folders
 * aside: tests, docs, migrations, environments, scripts; at most 400 files) that import, outside a try
 * statement, a removed standard-library module (on that Python the import fails when the module loads) or a
 * module only setuptools provides.
 */
function appImports(src: SourceTree): Pick<PythonFacts, "removedImports" | "setuptoolsImports"> {
    const removed: Array<{ file: string; module: string; removedIn: string; pep: string }> = [];
    const setuptools: Array<{ file: string; module: (typeof SETUPTOOLS_MODULES)[number] }> = [];
    const watched = [...Object.keys(REMOVED_STDLIB), ...SETUPTOOLS_MODULES];
    for (const file of pythonFiles(src, 4, 400)) {
        const text = src.read(file);
        // Only files that name a watched module as a word are parsed (a substring test would match "imp" in every import).
        const words = new Set(text.split(/\W+/));
        if (!watched.some((m) => words.has(m))) {
            continue;
        }
        let mod;
        try {
            mod = parseModule(text);
        } catch {
            continue;
        }
        for (const m of mod.imported) {
            const top = m.split(".")[0];
            if (mod.importedUnderTry.has(m)) {
                continue;
            }
            if (REMOVED_STDLIB[top] !== undefined && !removed.some((o) => o.module === top)) {
                removed.push({ file, module: top, ...REMOVED_STDLIB[top] });
            }
            const st = SETUPTOOLS_MODULES.find((x) => x === top);
            if (st !== undefined && !setuptools.some((o) => o.module === st)) {
                setuptools.push({ file, module: st });
            }
        }
    }
    return { removedImports: removed, setuptoolsImports: setuptools };
}
