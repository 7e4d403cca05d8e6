import { parse as parseToml } from "smol-toml";
import { InputError } from "../errors";
import { SourceTree } from "./source";

export type Installer = "pip" | "uv" | "poetry" | "pipenv";

export interface Dependencies {
    /** Which tool installs the dependencies in the builder. */
    readonly installer: Installer;
    /** The file that decided the installer, e.g. "uv.lock" or "requirements.txt". */
    readonly manifest: string;
    /**
     * Every file the install step reads, relative to the source folder, in the
     * order found: copied into the builder before the source so a code change
     * does not reinstall dependencies.
     */
    readonly files: readonly string[];
    /** Normalized (PEP 503) names of the direct or locked dependencies. */
    readonly names: ReadonlySet<string>;
    /** The project itself is a package to install after the source is copied. */
    readonly installsProject: boolean;
    /** requirements.txt names a local path (`-e .`, `./lib`): install after the source is copied. */
    readonly needsSource: boolean;
    /** pyproject.toml, parsed, when there is one. */
    readonly pyproject?: Record<string, unknown>;
    /** What detection noticed and the plan should mention. */
    readonly notes: readonly string[];
}

const LOCKS: ReadonlyArray<[string, Installer]> = [
    ["uv.lock", "uv"],
    ["poetry.lock", "poetry"],
    ["Pipfile.lock", "pipenv"],
];

/** PEP 503 name normalization. */
export function normalizeName(name: string): string {
    return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export function detectDependencies(src: SourceTree, requested?: Installer): Dependencies {
    const locks = LOCKS.filter(([file]) => src.isFile(file));
    if (locks.length > 1) {
        const names = locks.map(([f]) => f);
        const listed = names.length === 2 ? `both ${names[0]} and ${names[1]}` : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
        throw new InputError(
            names[0],
            `The source folder has ${listed}; ` +
                `keep the lock file of the tool you use and delete the ${names.length === 2 ? "other" : "others"}.`,
        );
    }
    const pyproject = readPyproject(src);
    const notes: string[] = [];
    const lock = locks[0];

    if (lock) {
        if (requested && requested !== lock[1]) {
            throw new InputError(
                "`installer`",
                `\`installer\` is "${requested}", but the source folder has ${lock[0]}, which ${lock[1]} installs. ` +
                    `Remove \`installer\` or delete ${lock[0]}.`,
            );
        }
        if (src.isFile("requirements.txt")) {
            notes.push(`requirements.txt is ignored: ${lock[0]} pins the dependencies.`);
        }
        switch (lock[1]) {
            case "uv":
                return fromUvLock(src, pyproject, notes);
            case "poetry":
                return fromPoetryLock(src, pyproject, notes);
            default:
                return fromPipfileLock(src, pyproject, notes);
        }
    }
    if (requested && requested !== "pip") {
        const want = requested === "uv" ? "uv.lock" : requested === "poetry" ? "poetry.lock" : "Pipfile.lock";
        throw new InputError(
            "`installer`",
            `\`installer\` is "${requested}", but the source folder has no ${want}. ` +
                `Create it (${requested === "pipenv" ? "pipenv lock" : `${requested} lock`}) or remove \`installer\`.`,
        );
    }
    if (src.isFile("requirements.txt")) {
        return fromRequirements(src, pyproject, notes);
    }
    if (src.isFile("Pipfile")) {
        throw new InputError(
            "Pipfile",
            "The source folder has a Pipfile but no Pipfile.lock; run `pipenv lock` and commit Pipfile.lock.",
        );
    }
    if (pyproject) {
        const project = table(pyproject, "project");
        if (project) {
            return fromPyproject(pyproject, project, notes);
        }
        if (table(table(pyproject, "tool"), "poetry")) {
            throw new InputError(
                "pyproject.toml",
                "pyproject.toml is a Poetry project but there is no poetry.lock; run `poetry lock` and commit poetry.lock.",
            );
        }
        throw new InputError(
            "pyproject.toml",
            "pyproject.toml has no [project] table (PEP 621), so it names no dependencies; " +
                "add [project] with `dependencies`, or add a requirements.txt.",
        );
    }
    throw new InputError(
        "`source`",
        "The source folder has no dependency manifest: add requirements.txt, pyproject.toml (PEP 621), " +
            "uv.lock, poetry.lock or Pipfile.lock next to the app.",
    );
}

function readPyproject(src: SourceTree): Record<string, unknown> | undefined {
    const text = src.readIfFile("pyproject.toml");
    if (text === undefined) {
        return undefined;
    }
    try {
        return parseToml(text) as Record<string, unknown>;
    } catch (e) {
        throw new InputError("pyproject.toml", `pyproject.toml is not valid TOML (${tomlProblem(e)}). Fix the file.`);
    }
}

/** "line 3, column 1: <what smol-toml says>", without its prefix and code excerpt. */
function tomlProblem(e: unknown): string {
    const err = e as { message?: unknown; line?: unknown; column?: unknown };
    const what = String(err.message).split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
    return typeof err.line === "number" && typeof err.column === "number" ? `line ${err.line}, column ${err.column}: ${what}` : what;
}

function table(obj: unknown, key: string): Record<string, unknown> | undefined {
    if (obj && typeof obj === "object" && !Array.isArray(obj)) {
        const v = (obj as Record<string, unknown>)[key];
        if (v && typeof v === "object" && !Array.isArray(v)) {
            return v as Record<string, unknown>;
        }
    }
    return undefined;
}

function requireNameOf(spec: string): string | undefined {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
    return m ? normalizeName(m[1]) : undefined;
}

function fromPyproject(
    pyproject: Record<string, unknown>,
    project: Record<string, unknown>,
    notes: string[],
): Dependencies {
    const deps = project["dependencies"];
    if (deps !== undefined && !(Array.isArray(deps) && deps.every((d) => typeof d === "string"))) {
        throw new InputError(
            "pyproject.toml",
            "pyproject.toml's [project].dependencies must be a list of strings (PEP 508 requirements).",
        );
    }
    const names = new Set<string>();
    for (const d of (deps as string[] | undefined) ?? []) {
        const n = requireNameOf(d);
        if (n) {
            names.add(n);
        }
    }
    return {
        installer: "pip",
        manifest: "pyproject.toml",
        files: ["pyproject.toml"],
        names,
        installsProject: table(pyproject, "build-system") !== undefined,
        needsSource: false,
        pyproject,
        notes,
    };
}

function lockedNames(src: SourceTree, file: string): Set<string> {
    let lock: Record<string, unknown>;
    try {
        lock = parseToml(src.read(file)) as Record<string, unknown>;
    } catch (e) {
        throw new InputError(file, `${file} is not valid TOML (${tomlProblem(e)}). Regenerate it with the tool that wrote it.`);
    }
    const names = new Set<string>();
    const pkgs = lock["package"];
    if (Array.isArray(pkgs)) {
        for (const p of pkgs) {
            const n = p && typeof p === "object" ? (p as Record<string, unknown>)["name"] : undefined;
            if (typeof n === "string") {
                names.add(normalizeName(n));
            }
        }
    }
    return names;
}

function needPyproject(file: string, pyproject: Record<string, unknown> | undefined, tool: string): void {
    if (!pyproject) {
        throw new InputError(
            file,
            `The source folder has ${file} but no pyproject.toml; ${tool} needs both. Add pyproject.toml or delete ${file}.`,
        );
    }
}

function fromUvLock(src: SourceTree, pyproject: Record<string, unknown> | undefined, notes: string[]): Dependencies {
    needPyproject("uv.lock", pyproject, "uv");
    return {
        installer: "uv",
        manifest: "uv.lock",
        files: ["pyproject.toml", "uv.lock"],
        names: lockedNames(src, "uv.lock"),
        installsProject: table(pyproject, "build-system") !== undefined,
        needsSource: false,
        pyproject,
        notes,
    };
}

function fromPoetryLock(
    src: SourceTree,
    pyproject: Record<string, unknown> | undefined,
    notes: string[],
): Dependencies {
    needPyproject("poetry.lock", pyproject, "Poetry");
    const poetry = table(table(pyproject, "tool"), "poetry");
    const packageMode = poetry?.["package-mode"] !== false;
    return {
        installer: "poetry",
        manifest: "poetry.lock",
        files: ["pyproject.toml", "poetry.lock"],
        names: lockedNames(src, "poetry.lock"),
        installsProject: packageMode && table(pyproject, "build-system") !== undefined,
        needsSource: false,
        pyproject,
        notes,
    };
}

function fromPipfileLock(
    src: SourceTree,
    pyproject: Record<string, unknown> | undefined,
    notes: string[],
): Dependencies {
    let lock: Record<string, unknown>;
    try {
        lock = JSON.parse(src.read("Pipfile.lock")) as Record<string, unknown>;
    } catch (e) {
        throw new InputError(
            "Pipfile.lock",
            `Pipfile.lock is not valid JSON: ${(e as Error).message}. Regenerate it with \`pipenv lock\`.`,
        );
    }
    const defaults = table(lock, "default") ?? {};
    const names = new Set<string>();
    for (const [name, entry] of Object.entries(defaults).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const e = entry as Record<string, unknown>;
        if (typeof e?.["version"] !== "string") {
            throw new InputError(
                "Pipfile.lock",
                `Pipfile.lock pins "${name}" without a version (an editable, path or VCS entry); ` +
                    "only pinned index packages install from Pipfile.lock here. Publish it, or switch to requirements.txt.",
            );
        }
        names.add(normalizeName(name));
    }
    return {
        installer: "pipenv",
        manifest: "Pipfile.lock",
        files: ["Pipfile.lock"],
        names,
        installsProject: false,
        needsSource: false,
        pyproject,
        notes,
    };
}

/** requirements.txt and every file it pulls in with -r / -c, depth first. */
function fromRequirements(
    src: SourceTree,
    pyproject: Record<string, unknown> | undefined,
    notes: string[],
): Dependencies {
    const files: string[] = [];
    const names = new Set<string>();
    let needsSource = false;

    // A constraints file (-c) pins versions but installs nothing: its names are not dependencies.
    const visit = (file: string, from: string | undefined, constraints: boolean): void => {
        if (files.includes(file)) {
            return;
        }
        if (!src.isFile(file)) {
            throw new InputError(
                from ?? file,
                `${from} includes ${file}, which is not in the source folder. Fix the -r/-c line or add the file.`,
            );
        }
        files.push(file);
        const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
        for (const line of logicalLines(src.read(file))) {
            const inc = /^(-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?=[^-\s]))(.+)$/.exec(line);
            if (inc) {
                visit(resolveInclude(file, dir, inc[2].trim()), file, constraints || /^(?:-c|--constraint)$/.test(inc[1]));
                continue;
            }
            if (/^(?:-e|--editable)\b/.test(line) || /^(?:\.{1,2}\/|\.$|\/|file:)/.test(line)) {
                needsSource = true;
                continue;
            }
            if (line.startsWith("-")) {
                continue; // pip options such as --index-url: pip reads them itself.
            }
            const n = constraints ? undefined : requireNameOf(line);
            if (n) {
                names.add(n);
            }
        }
    };
    visit("requirements.txt", undefined, false);
    if (needsSource) {
        notes.push(
            "requirements.txt installs a local path (-e or ./), so dependencies install after the source is copied; " +
                "a code change reinstalls them.",
        );
    }
    return {
        installer: "pip",
        manifest: "requirements.txt",
        files,
        names,
        installsProject: false,
        needsSource,
        pyproject,
        notes,
    };
}

function resolveInclude(file: string, dir: string, target: string): string {
    if (/^[a-z]+:\/\//i.test(target)) {
        throw new InputError(
            file,
            `${file} includes ${target}, a URL; only files inside the source folder can be included. Vendor the file.`,
        );
    }
    const parts: string[] = [];
    for (const p of (dir + target).split("/")) {
        if (p === "" || p === ".") {
            continue;
        }
        if (p === "..") {
            if (parts.length === 0) {
                throw new InputError(
                    file,
                    `${file} includes ${target}, which is outside the source folder (the build context). ` +
                        "Move the file into the source folder.",
                );
            }
            parts.pop();
            continue;
        }
        parts.push(p);
    }
    const resolved = parts.join("/");
    if (/[$*?[\]\\"]/.test(resolved)) {
        throw new InputError(
            file,
            `${file} includes ${JSON.stringify(target)}, whose name has $, a wildcard, a quote or a backslash, ` +
                "which COPY would expand; rename the file.",
        );
    }
    return resolved;
}

/** Lines with comments removed and backslash continuations joined, as pip reads them. */
export function logicalLines(text: string): string[] {
    const out: string[] = [];
    let acc = "";
    for (const raw of text.split(/\r?\n/)) {
        if (raw.endsWith("\\")) {
            acc += raw.slice(0, -1);
            continue;
        }
        const line = (acc + raw).replace(/(^|\s)#.*$/, "").trim();
        acc = "";
        if (line) {
            out.push(line);
        }
    }
    return out;
}
