import { clean as pep440Clean, compare as comparePep440, satisfies } from "@renovatebot/pep440";
import { parse as pep440ParseSpecifier } from "@renovatebot/pep440/lib/specifier";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { minimatch } from "minimatch";
import { parsePipRequirementsLine } from "pip-requirements-js";
import { parse as parseToml } from "smol-toml";
import { DEFAULT_PYTHON } from "../data/pythons";
import { CONDA_BUILD_PATHS, DEBIAN_FREEZE_ARTIFACT, OLD_PYTHON_BACKPORTS, WINDOWS_ONLY_DISTRIBUTIONS } from "../data/windows-only";
import { InputError } from "../errors";
import { calleeOf, Expr, parseModule, str, strList } from "./python-source";
import { dockerfileInstallsProject, dockerfileLockTools, dockerfileRequirements } from "./container";
import { readIni } from "./ini";
import { joinPath } from "./paths";
import {
    arbitraryEquality,
    envReferences,
    linuxMarkers,
    markerHolds,
    MarkerTree,
    parseMarker,
    parseRequirements,
    pinnedVersion,
    RequirementLine,
    RequirementsError,
    splitRequirementOptions,
} from "./requirements";
import { SourceTree } from "./source";
import { byName } from "../data/by-name";

/**
 * The tool that installs the dependencies in the builder. A string-valued
 * `as const` object: the plain strings ("pip", "uv"...) type-check as well.
 */
export const Installer = {
    /** pip's formats: requirements files (run by uv's pip interface unless `requirementsInstaller` says pip) or the project's pyproject.toml. */
    Pip: "pip",
    /** uv, from uv.lock (`uv sync --locked`) or from a PEP 751 lock, pylock.toml (`uv pip install -r pylock.toml`). */
    Uv: "uv",
    /** poetry.lock, exported to a hashed requirements list that pip installs (Poetry itself is not installed). */
    Poetry: "poetry",
    /** Pipfile.lock, exported to a hashed requirements list that pip installs (Pipenv itself is not installed). */
    Pipenv: "pipenv",
    /** pdm.lock, exported to a hashed requirements list that pip installs (PDM itself is not installed). */
    Pdm: "pdm",
} as const;
export type Installer = (typeof Installer)[keyof typeof Installer];
export const INSTALLERS: readonly Installer[] = Object.values(Installer);

/** What runs the install of a requirements.txt app (the `requirementsInstaller` option). */
export const RequirementsInstaller = {
    /** uv's pip interface: `uv pip install -r requirements.txt`, with pip's index strategy. */
    Uv: "uv",
    /** pip itself. */
    Pip: "pip",
} as const;
export type RequirementsInstaller = (typeof RequirementsInstaller)[keyof typeof RequirementsInstaller];
export const REQUIREMENTS_INSTALLERS: readonly RequirementsInstaller[] = Object.values(RequirementsInstaller);

/** A project of a uv workspace, found from [tool.uv.workspace] members. */
export interface WorkspaceMember {
    /** Its folder, relative to the source folder ("api", "packages/pricing"). */
    readonly dir: string;
    /** Its [project] name, PEP 503-normalized. */
    readonly name: string;
    /** It has a build system, so `uv sync` installs it as a package. */
    readonly installable: boolean;
}

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
    /**
     * The projects (PEP 503 names) the install step installs when it installs
     * these dependency groups (besides the main dependencies): transitively where a
     * lock file records the graph, the direct requirements otherwise.
     */
    namesFor(groups: readonly string[], workspacePackage?: string): ReadonlySet<string>;
    /** The app's own main dependencies (PEP 503 names), as its manifest lists them: what says which framework it uses. */
    readonly direct: ReadonlySet<string>;
    /** Exact versions pinned or locked, by PEP 503 name. */
    readonly pins: ReadonlyMap<string, string>;
    /** The version specifiers of the direct requirements (">=2.7,<3"), by PEP 503 name, as the manifest writes them. */
    readonly specifiers: ReadonlyMap<string, string>;
    /** Extras the manifests ask of a project (`psycopg[c]`), by PEP 503 name. */
    readonly extras: ReadonlyMap<string, ReadonlySet<string>>;
    /** Wheel file names a lock file lists for each locked project (uv.lock, poetry.lock, pdm.lock). */
    readonly wheels: ReadonlyMap<string, readonly string[]>;
    /** The project itself is a package to install after the source is copied. */
    readonly installsProject: boolean;
    /** Why the project is or is not installed, for the plan's notes. */
    readonly projectNote?: string;
    /** requirements.txt names a local path (`-e .`, `./lib`): install after the source is copied. */
    readonly needsSource: boolean;
    /** The dependency install itself installs the project (`-e .` or `.` in requirements.txt, a setup.py project). */
    readonly installsSelf: boolean;
    /** pyproject.toml, parsed, when there is one. */
    readonly pyproject?: Record<string, unknown>;
    /**
     * Dependency groups the manifests define (PEP 735 [dependency-groups], uv's dev-dependencies, Poetry's groups,
     * PDM's dev and optional-dependencies groups, a pip-installed project's extras), and those the installer installs by default.
     * `extras`: which of `defined` are the project's extras (its optional dependencies), and where they are declared
     * ("pyproject.toml's [project.optional-dependencies]"); absent when none are.
     */
    readonly groups: {
        readonly defined: readonly string[];
        readonly defaults: readonly string[];
        readonly extras?: { readonly names: readonly string[]; readonly from: string };
    };
    /**
     * These dependencies with the chosen groups' and extras' requirements counted as the app's own: their pins,
     * specifiers and extras join the main dependencies' (which win where both name a project), so a pin in a
     * `prod` extra decides as a pin in `dependencies` does. Absent where `pins` already holds every group's (a lock).
     */
    withGroups?(groups: readonly string[]): Dependencies;
    /**
     * Refuses dependency groups the lock cannot install as locked (pdm.lock: a
     * group it was locked without, or one whose requirements it does not
     * satisfy), with an InputError naming the lock and the fix.
     */
    checkGroups?(groups: readonly string[]): void;
    /**
     * uv.lock installs with `uv sync --frozen`, not `--locked`: the lock was written for another version of
     * the project itself (pyproject.toml's version bumped without relocking) and its record of the project's
     * requirements is still pyproject.toml's, so the locked set is what the project asks for (see uvLockStaleness).
     */
    readonly uvFrozen?: boolean;
    /** The Python versions a lock was resolved for (pdm.lock's [[metadata.targets]], pylock.toml's requires-python), or a PEP 723 block's requires-python: a version must satisfy one of the specifiers. */
    readonly lockPython?: { readonly source: string; readonly specs: readonly string[] };
    /**
     * A PEP 751 lock (pylock.toml) that uv installs: its file, and the dependency groups it always
     * installs (its `default-groups`, the main dependencies; naming groups to uv replaces them).
     */
    readonly pylock?: { readonly file: string; readonly defaultGroups: readonly string[] };
    /**
     * PEP 723 inline script metadata: the file whose `# /// script` block declares the dependencies
     * (a single-file app run with `uv run app.py`), and those requirements, each a PEP 508 string.
     */
    readonly inlineScript?: {
        readonly file: string;
        readonly requirements: readonly string[];
        /** The block's lines as written, `# /// script` to `# ///`: what uv reads to export the script's lock. */
        readonly block: readonly string[];
        /** The script's lock (`uv lock --script app.py` writes app.py.lock), when there is one: uv installs its versions. */
        readonly lock?: string;
    };
    /** The uv workspace, when pyproject.toml declares one. */
    readonly workspace?: { readonly members: readonly WorkspaceMember[]; readonly virtualRoot: boolean };
    /** Requirements installed from version control, as written (with the file): the builder needs git. */
    readonly vcs: readonly string[];
    /** Package indexes a lock file names (Pipfile.lock's sources; for pdm.lock, pyproject.toml's [[tool.pdm.source]]), first is the primary. */
    readonly indexes: readonly string[];
    /** Requirements files pip installs besides pyproject.toml's [project].dependencies: the files setuptools' dynamic `dependencies` reads. */
    readonly requirementFiles?: readonly string[];
    /** The files setuptools' dynamic `optional-dependencies` reads, by extra: installed with the dependencies when the extra is chosen. */
    readonly extraFiles?: ReadonlyMap<string, readonly string[]>;
    /** `${NAME}` environment references the installer expands in the manifests, with the file. */
    readonly envReferences: ReadonlyArray<{ readonly name: string; readonly file: string }>;
    /**
     * pip's index options from the requirements files (`--index-url URL`,
     * `--extra-index-url URL`, `--find-links DIR`, `--no-index`), as pip reads
     * them there: the later installs (gunicorn added by the image) use them too.
     */
    readonly indexOptions: readonly string[];
    /**
     * What in the requirements files pip reads and uv's pip interface does not read the same way, each as
     * `file: line (why)`: an option uv refuses or ignores, a per-requirement option other than `--hash`,
     * an extra index or `--find-links`, an editable VCS URL, two different `--index-url`s.
     * Empty: uv installs the files as pip would (requirements.txt only).
     */
    readonly pipOnly?: readonly string[];
    /**
     * A line of the requirements files has `--hash` (or the files say `--require-hashes`): pip then installs in
     * hash-checking mode, where every requirement must be pinned and hashed; uv's pip interface is asked for the same.
     */
    readonly requireHashes?: boolean;
    /**
     * Projects (PEP 503 names) the requirements files' `--no-binary` names, which pip and uv then build from
     * their sdist whatever wheels exist; ":all:" for every project. requirements.txt only.
     */
    readonly noBinary?: ReadonlySet<string>;
    /** A build-backend plugin that reads the project's version from VCS metadata (absent in the build context). */
    /**
     * The build-backend plugin that reads the version from VCS metadata, and the variable that stands in for it;
     * `writeTo`: the version file the build writes into the installed package only (pdm-backend's write_to, flat layout),
     * which the source copy gunicorn imports must have too.
     */
    readonly scmVersion?: { readonly plugin: string; readonly env: string; readonly writeTo?: string };
    /** The project has its code in src/ (PEP 621 src layout). */
    readonly srcLayout: boolean;
    /** What detection noticed and the plan should mention. */
    readonly notes: readonly string[];
}

const LOCKS: ReadonlyArray<[string, Installer]> = [
    ["uv.lock", "uv"],
    ["poetry.lock", "poetry"],
    ["Pipfile.lock", "pipenv"],
    ["pdm.lock", "pdm"],
];

/**
 * Dependencies on a local path (Poetry's `{ path = ... }`, uv's
 * `[tool.uv.sources] x = { path = ... }`): the folder must be in the build
 * context before the install runs, so it is copied with the manifests; a path
 * outside the source folder cannot be, and is refused.
 */
function pathDependencies(file: string, pyproject: Record<string, unknown> | undefined): string[] {
    const found: Array<{ name: string; path: string }> = [];
    const poetry = table(table(pyproject, "tool"), "poetry");
    const tables = [table(poetry, "dependencies"), table(poetry, "dev-dependencies"), ...Object.values(table(poetry, "group") ?? {}).map((g) => table(g, "dependencies"))];
    for (const t of tables) {
        for (const [name, spec] of Object.entries(t ?? {})) {
            const p = table({ spec }, "spec")?.["path"];
            if (typeof p === "string") {
                found.push({ name, path: p });
            }
        }
    }
    for (const [name, spec] of Object.entries(table(table(table(pyproject, "tool"), "uv"), "sources") ?? {})) {
        const p = table({ spec }, "spec")?.["path"];
        if (typeof p === "string") {
            found.push({ name, path: p });
        }
    }
    return [...new Set(found.map(({ name, path }) => `${insidePath(file, name, path)}/`))];
}

/**
 * A dependency's local path, normalized ("./libs/x/" -> "libs/x"), when it is
 * inside the source folder: the source folder is all the build can see, so a
 * path outside it is refused, as is a name COPY would expand.
 */
function insidePath(file: string, name: string, path: string): string {
    const parts: string[] = [];
    let outside = path.startsWith("/");
    for (const part of path.split("/")) {
        if (part === "" || part === ".") {
            continue;
        }
        if (part === "..") {
            if (parts.length === 0) {
                outside = true;
                break;
            }
            parts.pop();
        } else {
            parts.push(part);
        }
    }
    if (outside || parts.length === 0) {
        throw new InputError(
            file,
            `${file} installs ${name} from the path ${JSON.stringify(path)}, which is outside the source folder, and the source folder is all the build can see ` +
                "(it must also hold the manifest): move or vendor the dependency into the source folder, or publish it to a package index and depend on it by version.",
        );
    }
    if (!parts.every((x) => /^[A-Za-z0-9._-]+$/.test(x))) {
        throw new InputError(file, `${file} installs ${name} from the path ${JSON.stringify(path)}, whose name has characters COPY would expand; rename the folder.`);
    }
    return parts.join("/");
}

/**
 * The project-root placeholders build backends expand in a direct reference:
 * Hatch's context formatting (`{root:uri}`) and PDM's `${PROJECT_ROOT}`.
 * The image writes /app for them (render/dockerfile.ts's pyproject reader);
 * detection reads them as a stand-in file URL (PEP 508 parsers refuse braces).
 */
const PROJECT_ROOT = "file:///__project_root__";
const PROJECT_ROOT_URLS: ReadonlyArray<readonly [string, string]> = [
    ["{root:uri}", PROJECT_ROOT],
    ["file:///${PROJECT_ROOT}", PROJECT_ROOT],
];

/**
 * The local packages' own local dependencies, followed: Hatch's
 * `{root:uri}/x` and `{root:parent:uri}/x` in a copied package's
 * pyproject.toml are relative to that package (libs/billing takes
 * {root:parent:uri}/core, libs/core). Every folder reached is copied with
 * the manifests, since pip builds each from its folder.
 */
function localDependencyDirs(src: SourceTree, start: readonly string[]): string[] {
    const out = [...start];
    for (let i = 0; i < out.length; i++) {
        const dir = out[i].replace(/\/$/, "");
        let doc: Record<string, unknown> | undefined;
        try {
            const text = src.readIfFile(`${dir}/pyproject.toml`);
            doc = text === undefined ? undefined : (parseToml(text) as Record<string, unknown>);
        } catch {
            doc = undefined;
        }
        const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
        for (const d of strings(table(doc, "project")?.["dependencies"])) {
            const r = pep508(d.replace("{root:parent:uri}", "file:///__parent__").replace("{root:uri}", "file:///__self__"));
            const base = r?.url?.startsWith("file:///__parent__/") ? parent : r?.url?.startsWith("file:///__self__/") ? dir : undefined;
            if (r?.url === undefined || base === undefined) {
                continue;
            }
            const rel = r.url.slice(r.url.indexOf("__/") + 3);
            const found = joinPath(base, rel);
            if (found !== undefined && found !== "" && !found.startsWith("/") && src.exists(found) && !out.includes(`${found}/`)) {
                out.push(`${insidePath(`${dir}/pyproject.toml`, r.name, found)}/`);
            }
        }
    }
    return out;
}

/** A project name as PEP 508 allows it. */
const PROJECT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** PEP 503 name normalization. */
export function normalizeName(name: string): string {
    return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** Build-backend plugins that take the version from VCS tags, and the variable each reads to skip that. */
const SCM_VERSION_PLUGINS: Readonly<Record<string, string>> = byName({
    "setuptools-scm": "SETUPTOOLS_SCM_PRETEND_VERSION",
    "hatch-vcs": "SETUPTOOLS_SCM_PRETEND_VERSION",
    "poetry-dynamic-versioning": "POETRY_DYNAMIC_VERSIONING_BYPASS",
    "uv-dynamic-versioning": "UV_DYNAMIC_VERSIONING_BYPASS",
});

/** pip settings that change what gets installed. */
const PIP_CONF_KEYS = ["constraint", "requirement", "index-url", "extra-index-url", "find-links", "no-index", "only-binary", "no-binary", "pre"];

/**
 * A pip.conf (or pip.ini) in the source folder: pip reads a config file only
 * from its own places (the user's and the system's config folders) or the
 * one PIP_CONFIG_FILE names, never from the project folder, so the build does
 * not apply it. Said in a note when it sets what is installed.
 */
/**
 * A constraints file at the root (constraints.txt) of a project pip installs
 * from pyproject.toml or setup.py: pip applies one only when a requirements
 * file or its command line names it (`pip install -c constraints.txt .`), so
 * the image's install does not.
 */
function constraintsNote(src: SourceTree, manifest: string, notes: string[]): void {
    const file = ["constraints.txt", "constraints/constraints.txt"].find((f) => src.isFile(f));
    if (file !== undefined) {
        notes.push(
            `${file} is not applied: pip reads a constraints file only when a requirements file or the command names it (\`pip install -c ${file} ...\`), and the image installs from ${manifest}. ` +
                "To have those versions, pin them in the manifest or lock the dependencies (uv.lock, pylock.toml...).",
        );
    }
}

function pipConfNote(src: SourceTree, notes: string[]): void {
    for (const file of ["pip.conf", "pip.ini"]) {
        const text = src.readIfFile(file);
        if (text === undefined) {
            continue;
        }
        const keys = [...readIni(text).values()].flatMap((section) => [...section.keys()]).filter((k) => PIP_CONF_KEYS.includes(k));
        if (keys.length > 0) {
            notes.push(
                `${file} sets ${[...new Set(keys)].join(", ")}, but pip reads no config file from the project folder (only its own places, or PIP_CONFIG_FILE), so the image's install does not apply it: ` +
                    "put constraints and indexes in the requirements file (-c constraints.txt, --index-url ...), with an index's credentials as `installSecrets`.",
            );
        }
    }
}

/** Whether the dependencies are a pip requirements file's (requirements.txt, or the requirements/ folder's file the image installs). */
export function fromRequirementsFile(deps: Pick<Dependencies, "installer" | "manifest">): boolean {
    return deps.installer === "pip" && deps.manifest.endsWith(".txt");
}

/**
 * A source folder that is a member of a uv workspace above it (full-stack-fastapi-template's backend/, its workspace's
 * uv.lock at the root): that lock pins the member, and this folder has none. Read from the folders above the source
 * folder (three at most): a pyproject.toml whose [tool.uv.workspace] members (globs) name this folder, beside a uv.lock.
 */
function workspaceMemberNote(src: SourceTree, project: Record<string, unknown>, notes: string[]): void {
    let dir = path.resolve(src.root);
    for (let up = 1; up <= 3; up++) {
        const parent = path.dirname(dir);
        if (parent === dir) {
            return;
        }
        dir = parent;
        const member = path.relative(dir, path.resolve(src.root)).split(path.sep).join("/");
        let workspace: Record<string, unknown> | undefined;
        try {
            workspace = table(table(parseToml(fs.readFileSync(path.join(dir, "pyproject.toml"), "utf8")), "tool"), "uv");
        } catch {
            continue; // no pyproject.toml there, or one uv refuses too
        }
        const members = table(workspace, "workspace")?.["members"];
        const globs = Array.isArray(members) ? members.filter((m): m is string => typeof m === "string") : [];
        if (globs.some((g) => minimatch(member, g.replace(/^\.\//, "").replace(/\/+$/, ""))) && fs.existsSync(path.join(dir, "uv.lock"))) {
            const root = Array(up).fill("..").join("/");
            const name = typeof project["name"] === "string" ? project["name"] : member;
            notes.push(
                `The source folder is the member ${member} of the uv workspace at ${root} (its pyproject.toml's [tool.uv.workspace]), whose ${root}/uv.lock pins its dependencies: ` +
                    `this folder has no lock of its own, so the image installs the newest versions its ranges allow. To install the locked ones, point \`source\` at ${root} and set \`workspacePackage: "${name}"\`.`,
            );
            return;
        }
    }
}

export function detectDependencies(src: SourceTree, requested?: Installer): Dependencies {
    const found = LOCKS.filter(([file]) => src.isFile(file));
    // Several locks (a project moving from Poetry to uv keeps both for a while): `installer` picks one; else the one the
    // app's own Dockerfile installs with, when it names one of them alone; else none can be chosen for the user.
    const tools = found.length > 1 && requested === undefined ? dockerfileLockTools(src) : new Set<string>();
    const named = found.filter(([, tool]) => tools.has(tool));
    const chosen = found.length > 1 && requested !== undefined ? found.filter(([, tool]) => tool === requested) : named.length === 1 ? named : found;
    if (chosen.length !== 1 && found.length > 1) {
        const names = found.map(([f]) => f);
        const listed = names.length === 2 ? `both ${names[0]} and ${names[1]}` : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
        throw new InputError(
            names[0],
            `The source folder has ${listed}; ` +
                `keep the lock file of the tool you use and delete the ${names.length === 2 ? "other" : "others"}, or set \`installer\` to that tool (${found.map(([, tool]) => `"${tool}"`).join(" or ")}).`,
        );
    }
    const locks = chosen;
    const pyproject = readPyproject(src);
    const notes: string[] = [];
    const ignoredLocks = found.filter((l) => l !== chosen[0]).map(([f]) => f);
    if (ignoredLocks.length > 0) {
        const why = requested !== undefined ? `\`installer\` is "${requested}"` : `the app's Dockerfile installs with ${chosen[0][1]} (set \`installer\` to choose another)`;
        notes.push(`${ignoredLocks.join(", ")} ${ignoredLocks.length > 1 ? "are" : "is"} ignored: ${why}, so ${chosen[0][0]} pins the dependencies.`);
    }
    pipConfNote(src, notes);
    workspaceMemberAlone(pyproject);
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
        const exports = pylockFiles(src);
        if (exports.length > 0) {
            notes.push(`${exports.join(", ")} ${exports.length > 1 ? "are" : "is"} ignored: ${lock[0]}, ${lock[1]}'s own lock, pins the dependencies.`);
        }
        switch (lock[1]) {
            case "uv":
                return fromUvLock(src, pyproject, notes);
            case "poetry":
                return fromPoetryLock(src, pyproject, notes);
            case "pdm":
                return fromPdmLock(src, pyproject, notes);
            default:
                return fromPipfileLock(src, pyproject, notes);
        }
    }
    const pylock = pylockFile(src);
    if (pylock !== undefined) {
        if (requested && requested !== "uv") {
            throw new InputError(
                "`installer`",
                `\`installer\` is "${requested}", but the source folder has ${pylock}, a PEP 751 lock, which uv installs. Remove \`installer\` or delete ${pylock}.`,
            );
        }
        if (src.isFile("requirements.txt")) {
            notes.push(`requirements.txt is ignored: ${pylock} pins the dependencies.`);
        }
        return fromPylock(src, pylock, pyproject, notes);
    }
    if (requested && requested !== "pip") {
        const want = LOCKS.find(([, installer]) => installer === requested)![0];
        throw new InputError(
            "`installer`",
            `\`installer\` is "${requested}", but the source folder has no ${want}. ` +
                `Create it (${requested === "pipenv" ? "pipenv lock" : `${requested} lock`}) or remove \`installer\`.`,
        );
    }
    // buku's Dockerfile installs `"/src[server]"`, the project with its extra, and no requirements file: its requirements.txt,
    // the command-line tool's, lacks the web app's Flask. What the app's own image installs wins.
    const projectInstall = src.isFile("requirements.txt") && (table(pyproject, "project") !== undefined || setuptoolsProject(src)) ? dockerfileInstallsProject(src) : undefined;
    if (projectInstall !== undefined) {
        notes.push(`requirements.txt is ignored: the app's Dockerfile installs the project itself (\`${projectInstall}\`) and no requirements file, so the project's own metadata names the dependencies.`);
    } else if (src.isFile("requirements.txt")) {
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
            constraintsNote(src, "pyproject.toml", notes);
            workspaceMemberNote(src, project, notes);
            return fromPyproject(src, pyproject, project, notes);
        }
        if (table(table(pyproject, "tool"), "poetry")) {
            throw new InputError(
                "pyproject.toml",
                "pyproject.toml is a Poetry project but there is no poetry.lock; run `poetry lock` and commit poetry.lock.",
            );
        }
        if (table(table(table(pyproject, "tool"), "uv"), "workspace")) {
            throw new InputError(
                "pyproject.toml",
                "pyproject.toml declares a uv workspace but there is no uv.lock; run `uv lock` and commit uv.lock.",
            );
        }
        // PEP 735 dependency groups and no project (bookwyrm's `[dependency-groups] main = [...]`, installed by its
        // Dockerfile's `pip install --group main`): the chosen groups are the dependencies; there is no project to install.
        if (table(pyproject, "dependency-groups") !== undefined && !src.isFile("requirements.txt") && !setuptoolsProject(src)) {
            constraintsNote(src, "pyproject.toml", notes);
            const found = fromPyproject(src, pyproject, {}, notes);
            const alone = (d: Dependencies): Dependencies => ({ ...d, installsProject: false });
            return { ...alone(found), withGroups: (chosen) => alone(found.withGroups!(chosen)) };
        }
        // Only tools' settings ([tool.ruff], [tool.pytest.ini_options]): the dependencies are elsewhere, or nowhere.
    }
    if (setuptoolsProject(src)) {
        return fromSetup(src, pyproject, notes);
    }
    const script = inlineScriptMetadata(src);
    if (script !== undefined) {
        return fromInlineScript(src, script, notes);
    }
    const below = src
        .list("")
        .filter((e) => e.isDirectory() && !e.name.startsWith("."))
        .flatMap((e) => ["requirements.txt", "pyproject.toml", "uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "pylock.toml", "setup.py"].filter((m) => src.isFile(`${e.name}/${m}`)).map((m) => `${e.name}/${m}`));
    const conda = ["environment.yml", "environment.yaml", "conda.yml", "conda.yaml"].find((f) => src.isFile(f));
    // requirements/base.txt, prod.txt, dev.txt... (cookiecutter layouts): which one is the image's is the app's choice.
    const split = src
        .list("requirements")
        .filter((e) => e.isFile() && e.name.endsWith(".txt"))
        .map((e) => `requirements/${e.name}`)
        .sort();
    // The one the app's own Dockerfile installs, when it names one, else the production one by its name: the image installs it.
    const installed = split.length > 0 ? dockerfileRequirements(src) : undefined;
    const production = split.find((f) => f === "requirements/production.txt" || f === "requirements/prod.txt");
    const rootFile = installed?.file.startsWith("requirements/") ? installed.file : production;
    if (rootFile !== undefined && conda === undefined) {
        notes.push(
            `The source folder has no requirements.txt at its root, and ${split.join(", ")} in a requirements/ folder: the image installs ${rootFile}, ` +
                (rootFile === installed?.file ? `the file ${installed.dockerfile} installs` : "the production one by its name") +
                " (a requirements.txt at the root, `-r requirements/<file>.txt`, chooses another).",
        );
        return fromRequirements(src, pyproject, notes, rootFile);
    }
    if (pyproject) {
        throw new InputError(
            "pyproject.toml",
            "pyproject.toml has no [project] table (PEP 621), so it names no dependencies; " +
                "add [project] with `dependencies`, or add a requirements.txt.",
        );
    }
    const prod = installed?.file ?? production ?? split.find((f) => f === "requirements/base.txt") ?? split[0];
    throw new InputError(
        "`source`",
        "The source folder has no dependency manifest: add requirements.txt, pyproject.toml (PEP 621), " +
            "uv.lock, poetry.lock, Pipfile.lock, pdm.lock or a PEP 751 pylock.toml next to the app, or a PEP 723 `# /// script` block in a single-file app." +
            (split.length > 0
                ? ` It has ${split.join(", ")} in a requirements/ folder, and the package has no option that picks one: ` +
                  (installed !== undefined
                      ? `add a requirements.txt at the root holding the line \`-r ${prod}\`, the file ${installed.dockerfile} installs.`
                      : `add a requirements.txt at the root that includes the production one (e.g. the line \`-r ${prod}\`), as Heroku's buildpack also expects.`)
                : "") +
            (below.length > 0 ? ` One folder down there is ${below.slice(0, 3).join(", ")}: point \`source\` at that folder if the app is there.` : "") +
            (conda !== undefined
                ? ` ${conda} is conda's environment file, which the image does not install (it builds a pip virtualenv on the distribution's Python): ` +
                  "write its packages as a requirements.txt (its `pip:` list is one already; conda package names are mostly the same on PyPI), or `conda env export --from-history` to see what you asked for."
                : ""),
    );
}

/**
 * setup.py, or a setup.cfg that describes a project (its [metadata] or
 * [options]): not one that holds only tools' settings ([flake8], [mypy],
 * [tool:pytest], cookiecutter-django's), whose project installs nothing.
 */
function setuptoolsProject(src: SourceTree): boolean {
    if (src.isFile("setup.py")) {
        return true;
    }
    const text = src.readIfFile("setup.cfg");
    const sections = text === undefined ? undefined : readIni(text);
    return sections !== undefined && (sections.has("metadata") || sections.has("options"));
}

/**
 * A manifest the image's tools read as UTF-8 bytes (tomllib, uv, Poetry, PDM,
 * pipenv's json; setuptools for its dynamic requirements files) with a
 * byte-order mark, which they refuse: said here, before the build, with how
 * to re-save it. (pip decodes a requirements file by its mark itself.)
 */
function requirePlainUtf8(src: SourceTree, file: string, readers = "Python's tomllib and json, uv, Poetry, PDM"): void {
    const bom = src.byteOrderMark(file);
    if (bom !== undefined) {
        throw new InputError(
            file,
            `${file} is ${bom} with a byte-order mark, as Windows tools such as PowerShell 5's \`>\` or Notepad write it, and the tools that read it in the image ` +
                `(${readers}) take UTF-8 without one: re-save it as UTF-8 without a BOM (an editor's encoding setting).`,
        );
    }
}

function readToml(src: SourceTree, file: string, fix: string): Record<string, unknown> {
    requirePlainUtf8(src, file);
    try {
        return parseToml(src.read(file)) as Record<string, unknown>;
    } catch (e) {
        throw new InputError(file, `${file} is not valid TOML (${tomlProblem(e)}). ${fix}`);
    }
}

function readPyproject(src: SourceTree): Record<string, unknown> | undefined {
    return src.isFile("pyproject.toml") ? readToml(src, "pyproject.toml", "Fix the file.") : undefined;
}

/** "line 3, column 1: <what smol-toml says>", without its prefix and code excerpt. */
function tomlProblem(e: unknown): string {
    const err = e as { message?: unknown; line?: unknown; column?: unknown };
    const what = String(err.message).split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
    return typeof err.line === "number" && typeof err.column === "number" ? `line ${err.line}, column ${err.column}: ${what}` : what;
}

export function table(obj: unknown, key: string): Record<string, unknown> | undefined {
    if (obj && typeof obj === "object" && !Array.isArray(obj)) {
        const v = (obj as Record<string, unknown>)[key];
        if (v && typeof v === "object" && !Array.isArray(v)) {
            return v as Record<string, unknown>;
        }
    }
    return undefined;
}

/** PEP 508 requirements as a lock walk's roots (name and extras); what is not PEP 508 is left out. */
function requirementRoots(requirements: readonly string[]): Array<{ name: string; extras: string[] }> {
    return requirements.flatMap((r) => {
        const parsed = pep508(r);
        return parsed === undefined ? [] : [{ name: parsed.name, extras: parsed.extras }];
    });
}

/** A value as a TOML table, when it is one. */
function asTable(v: unknown): Record<string, unknown> | undefined {
    return table({ v }, "v");
}

function strings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** A PEP 508 requirement string's name, version pin and URL (for VCS), read by pip-requirements-js. */
function pep508(spec: string): { name: string; pin?: string; specifier?: string; url?: string; extras: string[]; marker: boolean } | undefined {
    try {
        const r = parsePipRequirementsLine(spec);
        if (r?.type === "ProjectName") {
            const specs = r.versionSpec ?? [];
            const pin = specs.length === 1 && specs[0].operator === "==" && !specs[0].version.includes("*") ? specs[0].version : undefined;
            const specifier = specs.map((s) => `${String(s.operator)}${s.version}`).join(",");
            return {
                name: normalizeName(r.name),
                pin,
                specifier: specifier === "" ? undefined : specifier,
                extras: (r.extras ?? []).map(normalizeName),
                marker: r.environmentMarkerTree !== undefined,
            };
        }
        if (r?.type === "ProjectURL") {
            return { name: normalizeName(r.name), url: r.url, extras: (r.extras ?? []).map(normalizeName), marker: r.environmentMarkerTree !== undefined };
        }
    } catch {
        // `name===version`, which the parser's grammar lacks; anything else is not PEP 508, and the installer will say so.
        const a = arbitraryEquality(spec);
        if (a !== undefined) {
            const specifier = a.specifiers.map((s) => `${s.operator}${s.version}`).join(",");
            const pin = a.specifiers.length === 1 ? a.specifiers[0].version : undefined;
            return { name: normalizeName(a.name), pin, specifier: specifier === "" ? undefined : specifier, extras: a.extras.map(normalizeName), marker: a.marker !== undefined };
        }
    }
    return undefined;
}

function isVcsUrl(url: string): boolean {
    return ["git+", "hg+", "svn+", "bzr+"].some((s) => url.startsWith(s));
}

function scmVersionOf(pyproject: Record<string, unknown> | undefined, srcLayout = false): Dependencies["scmVersion"] {
    const requires = strings(table(pyproject, "build-system")?.["requires"]);
    const dynamic = strings(table(pyproject, "project")?.["dynamic"]);
    const poetryPlugin = table(table(pyproject, "tool"), "poetry-dynamic-versioning")?.["enable"] === true;
    // pdm-backend's own: [tool.pdm.version] source = "scm" (pdm init's default for a package); PDM_BUILD_SCM_VERSION skips the VCS lookup.
    const pdmScm = table(table(table(pyproject, "tool"), "pdm"), "version")?.["source"] === "scm";
    for (const r of requires) {
        const name = pep508(r)?.name;
        if (name === "pdm-backend" && pdmScm && dynamic.includes("version")) {
            const writeTo = table(table(table(pyproject, "tool"), "pdm"), "version")?.["write_to"];
            const safe = typeof writeTo === "string" && /^[A-Za-z0-9_][A-Za-z0-9_./-]*\.py$/.test(writeTo) && !writeTo.split("/").includes("..") ? writeTo : undefined;
            return { plugin: "pdm-backend's scm version source", env: "PDM_BUILD_SCM_VERSION", ...(safe !== undefined && !srcLayout ? { writeTo: safe } : {}) };
        }
        if (name && SCM_VERSION_PLUGINS[name] && (dynamic.includes("version") || name === "poetry-dynamic-versioning")) {
            if (name === "poetry-dynamic-versioning" && !poetryPlugin) {
                continue;
            }
            return { plugin: name, env: SCM_VERSION_PLUGINS[name] };
        }
    }
    return undefined;
}

/** src/<package>/ holds the code (PEP 621 src layout). */
function hasSrcLayout(src: SourceTree): boolean {
    return src.list("src").some((e) => (e.isDirectory() && src.isFile(`src/${e.name}/__init__.py`)) || (e.isFile() && e.name.endsWith(".py")));
}

function base(
    src: SourceTree,
    fields: Omit<Dependencies, "scmVersion" | "srcLayout" | "groups" | "indexes" | "indexOptions" | "envReferences" | "vcs" | "wheels" | "pins" | "specifiers" | "extras" | "installsSelf"> &
        Partial<Pick<Dependencies, "groups" | "indexes" | "indexOptions" | "envReferences" | "vcs" | "wheels" | "pins" | "specifiers" | "extras" | "installsSelf">>,
): Dependencies {
    return {
        installsSelf: false,
        extras: new Map(),
        groups: { defined: [], defaults: [] },
        indexes: [],
        indexOptions: [],
        envReferences: [],
        vcs: [],
        wheels: new Map(),
        pins: new Map(),
        specifiers: new Map(),
        scmVersion: fields.installsProject ? scmVersionOf(fields.pyproject, hasSrcLayout(src)) : undefined,
        srcLayout: hasSrcLayout(src),
        ...fields,
    };
}

function fromPyproject(
    src: SourceTree,
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
    const got = recorded();
    const { names, pins, specifiers, extras, vcs } = got;
    const dynamic = setuptoolsDynamicDependencies(src, pyproject, project, notes);
    const localDirs = new Set<string>();
    for (const d of [...((deps as string[] | undefined) ?? []), ...dynamic.requirements]) {
        const r = pep508(PROJECT_ROOT_URLS.reduce((line, [placeholder, url]) => line.replace(placeholder, url), d));
        if (r) {
            record(got, r, d, "pyproject.toml");
            // Hatch's `name @ {root:uri}/libs/x` and PDM's `name @ file:///${PROJECT_ROOT}/libs/x`: a folder of the project, copied with the manifests.
            if (r.url?.startsWith(`${PROJECT_ROOT}/`)) {
                localDirs.add(`${insidePath("pyproject.toml", r.name, r.url.slice(PROJECT_ROOT.length + 1))}/`);
            }
        }
    }
    const groups = dependencyGroups(pyproject);
    const optional = projectExtras(pyproject);
    for (const [extra, got] of dynamic.extras) {
        optional.set(extra, [...(optional.get(extra) ?? []), ...got.requirements]);
    }
    const extraFiles = new Map([...dynamic.extras].map(([extra, got]) => [extra, got.files]));
    // A name both a dependency group and an extra installs both.
    const requirementsOf = (chosen: readonly string[]): string[] => chosen.flatMap((g) => [...(groups.requirements.get(g) ?? []), ...(optional.get(g) ?? [])]);
    const found = base(src, {
        installer: "pip",
        manifest: "pyproject.toml",
        files: ["pyproject.toml", ...dynamic.files, ...[...extraFiles.values()].flat().filter((f) => !dynamic.files.includes(f)), ...localDependencyDirs(src, [...localDirs])],
        requirementFiles: dynamic.files.length > 0 ? dynamic.files : undefined,
        extraFiles: extraFiles.size > 0 ? extraFiles : undefined,
        direct: names,
        namesFor: (chosen) => {
            const out = new Set(names);
            for (const d of requirementsOf(chosen)) {
                const r = pep508(d);
                if (r) {
                    out.add(r.name);
                }
            }
            return out;
        },
        pins,
        specifiers,
        extras,
        vcs,
        installsProject: table(pyproject, "build-system") !== undefined,
        needsSource: false,
        pyproject,
        groups: {
            defined: [...new Set([...groups.requirements.keys(), ...optional.keys()])],
            defaults: [],
            extras: optional.size > 0 ? { names: [...optional.keys()], from: "pyproject.toml's [project.optional-dependencies]" } : undefined,
        },
        notes,
    });
    return { ...found, withGroups: (chosen) => ({ ...found, ...counting(found, requirementsOf(chosen)) }) };
}

/** A path pip can be given as written: relative, inside the source folder, no shell or option characters. */
const PLAIN_PATH = /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/;

/**
 * setuptools' dynamic dependencies: `dynamic = ["dependencies"]` in [project]
 * with `[tool.setuptools.dynamic] dependencies = { file = [...] }` keeps the
 * requirements in those files (requirements.txt's format, without options),
 * which pip reads when it builds the project; `optional-dependencies.<extra>
 * = { file = [...] }` the same per extra. They are installed with the
 * dependencies (an extra's when it is chosen), before the source, like
 * [project].dependencies.
 */
function setuptoolsDynamicDependencies(
    src: SourceTree,
    pyproject: Record<string, unknown>,
    project: Record<string, unknown>,
    notes: string[],
): { files: string[]; requirements: string[]; extras: Map<string, { files: string[]; requirements: string[] }> } {
    const dynamicTable = table(table(table(pyproject, "tool"), "setuptools"), "dynamic");
    const declared = strings(project["dynamic"]);
    const read = (spec: unknown, what: string): { files: string[]; requirements: string[] } => {
        const named = spec !== null && typeof spec === "object" ? (spec as Record<string, unknown>)["file"] : undefined;
        const files: string[] = [];
        const requirements: string[] = [];
        for (const file of typeof named === "string" ? [named] : strings(named)) {
            const rel = file.replace(/^\.\//, "");
            if (!PLAIN_PATH.test(rel) || rel.split("/").includes("..") || !src.isFile(rel)) {
                notes.push(`pyproject.toml's [tool.setuptools.dynamic] ${what} names ${JSON.stringify(file)}, which is not a file in the source folder; its requirements are not installed.`);
                continue;
            }
            // setuptools reads the file as UTF-8 (not by its byte-order mark, as pip does): a marked file breaks its first requirement.
            requirePlainUtf8(src, rel, "setuptools");
            files.push(rel);
            for (const line of parseRequirements(src.read(rel))) {
                if (line.kind === "name" || line.kind === "url") {
                    requirements.push(line.line);
                }
            }
        }
        return { files, requirements };
    };
    const main = declared.includes("dependencies") ? read(dynamicTable?.["dependencies"], "dependencies") : { files: [], requirements: [] };
    const extras = new Map<string, { files: string[]; requirements: string[] }>();
    const optional = declared.includes("optional-dependencies") ? table(dynamicTable, "optional-dependencies") : undefined;
    for (const [extra, spec] of Object.entries(optional ?? {})) {
        const got = read(spec, `optional-dependencies.${extra}`);
        if (got.files.length > 0) {
            extras.set(extra, got);
        }
    }
    if (main.files.length > 0) {
        notes.push(`pyproject.toml's dependencies are dynamic: setuptools reads them from ${main.files.join(", ")} ([tool.setuptools.dynamic]); the image installs ${main.files.length === 1 ? "it" : "them"} with the dependencies, before the source.`);
    }
    return { ...main, extras };
}

/**
 * The pins, specifiers and extras of `deps` with those of more requirement
 * strings added: a pin where the main dependencies pin none, a specifier
 * joined to theirs (pip installs a version that satisfies both).
 */
function counting(deps: Dependencies, requirements: readonly string[]): Pick<Dependencies, "pins" | "specifiers" | "extras"> {
    const pins = new Map(deps.pins);
    const specifiers = new Map(deps.specifiers);
    const extras = new Map([...deps.extras].map(([k, v]) => [k, new Set(v)]));
    for (const d of requirements) {
        const r = pep508(d);
        if (!r) {
            continue;
        }
        addExtras(extras, r.name, r.extras);
        if (r.pin && !pins.has(r.name)) {
            pins.set(r.name, r.pin);
        }
        if (r.specifier) {
            const before = specifiers.get(r.name);
            specifiers.set(r.name, before === undefined || before === r.specifier ? r.specifier : `${before},${r.specifier}`);
        }
    }
    return { pins, specifiers, extras };
}

/**
 * The project's extras, PEP 621 [project.optional-dependencies], by name as
 * written, as requirement strings. An extra that names the project itself
 * (`all = ["beacon-api[server,db]"]`) has those extras' requirements in its
 * place, as pip expands it.
 */
function projectExtras(pyproject: Record<string, unknown> | undefined): Map<string, string[]> {
    const project = table(pyproject, "project");
    const name = typeof project?.["name"] === "string" ? normalizeName(project["name"]) : undefined;
    return expandExtras(new Map(Object.entries(table(project, "optional-dependencies") ?? {}).map(([k, v]) => [k, strings(v)])), name);
}

/** Extras (name as written -> requirement strings) with the requirements that name the project itself (`self[a,b]`) replaced by those extras' requirements. */
function expandExtras(declared: ReadonlyMap<string, readonly string[]>, self: string | undefined): Map<string, string[]> {
    const byName = new Map([...declared.keys()].map((k) => [normalizeName(k), k]));
    const expand = (key: string, seen: Set<string>): string[] => {
        if (seen.has(key)) {
            return [];
        }
        seen.add(key);
        return (declared.get(key) ?? []).flatMap((d) => {
            const r = pep508(d);
            if (r && self !== undefined && r.name === self) {
                return r.extras.flatMap((e) => (byName.has(e) ? expand(byName.get(e)!, seen) : []));
            }
            return [d];
        });
    };
    return new Map([...declared.keys()].map((k) => [k, expand(k, new Set())]));
}

/** PEP 735 [dependency-groups] (and uv's legacy dev-dependencies) as requirement strings. */
function dependencyGroups(pyproject: Record<string, unknown> | undefined): { requirements: Map<string, string[]> } {
    const requirements = new Map<string, string[]>();
    const declared = table(pyproject, "dependency-groups") ?? {};
    const resolve = (name: string, seen: Set<string>): string[] => {
        if (seen.has(name)) {
            return [];
        }
        seen.add(name);
        const out: string[] = [];
        const items = declared[name];
        for (const item of Array.isArray(items) ? items : []) {
            if (typeof item === "string") {
                out.push(item);
            } else if (item && typeof item === "object" && typeof (item as Record<string, unknown>)["include-group"] === "string") {
                out.push(...resolve((item as Record<string, string>)["include-group"], seen));
            }
        }
        return out;
    };
    for (const g of Object.keys(declared)) {
        requirements.set(g, resolve(g, new Set()));
    }
    const uvDev = strings(table(table(pyproject, "tool"), "uv")?.["dev-dependencies"]);
    if (uvDev.length > 0) {
        requirements.set("dev", [...(requirements.get("dev") ?? []), ...uvDev]);
    }
    return { requirements };
}

interface LockedPackage {
    readonly name: string;
    readonly version?: string;
    readonly source: Record<string, unknown>;
    readonly dependencies: ReadonlyArray<{ name: string; extras: string[] }>;
    readonly optional: ReadonlyMap<string, ReadonlyArray<{ name: string; extras: string[] }>>;
    readonly groups: ReadonlyMap<string, ReadonlyArray<{ name: string; extras: string[] }>>;
    readonly wheels: readonly string[];
    /** `[package.metadata]`: for the project itself, the requirements it was locked with (requires-dist, requires-dev). */
    readonly metadata?: Record<string, unknown>;
}

function lockDeps(v: unknown): Array<{ name: string; extras: string[] }> {
    if (!Array.isArray(v)) {
        return [];
    }
    return v
        .filter((d): d is Record<string, unknown> => d !== null && typeof d === "object" && typeof (d as Record<string, unknown>)["name"] === "string")
        .map((d) => ({ name: normalizeName(d["name"] as string), extras: strings(d["extra"]) }));
}

function fileName(url: string): string {
    return decodeURIComponent(url.slice(url.lastIndexOf("/") + 1).split("#")[0]);
}

function readUvLock(src: SourceTree, file = "uv.lock", fix = "Regenerate it with `uv lock`."): LockedPackage[] {
    const lock = readToml(src, file, fix);
    const pkgs = Array.isArray(lock["package"]) ? (lock["package"] as Record<string, unknown>[]) : [];
    return pkgs
        .filter((p) => typeof p?.["name"] === "string")
        .map((p) => {
            const optional = new Map<string, Array<{ name: string; extras: string[] }>>();
            for (const [k, v] of Object.entries(table(p, "optional-dependencies") ?? {})) {
                optional.set(k, lockDeps(v));
            }
            const groups = new Map<string, Array<{ name: string; extras: string[] }>>();
            for (const [k, v] of Object.entries(table(p, "dev-dependencies") ?? {})) {
                groups.set(k, lockDeps(v));
            }
            const wheels = Array.isArray(p["wheels"])
                ? (p["wheels"] as Record<string, unknown>[]).map((w) => (typeof w?.["url"] === "string" ? fileName(w["url"] as string) : typeof w?.["filename"] === "string" ? (w["filename"] as string) : "")).filter((f) => f !== "")
                : [];
            return {
                name: normalizeName(p["name"] as string),
                version: typeof p["version"] === "string" ? (p["version"] as string) : undefined,
                source: table(p, "source") ?? {},
                dependencies: lockDeps(p["dependencies"]),
                optional,
                groups,
                wheels,
                metadata: table(p, "metadata"),
            };
        });
}

/** Everything reachable from the roots in a lock's dependency graph (markers ignored: a superset). */
function closure(pkgs: readonly LockedPackage[], roots: ReadonlyArray<{ name: string; extras: string[] }>): Set<string> {
    const byName = new Map(pkgs.map((p) => [p.name, p]));
    const seen = new Set<string>();
    const queue = [...roots];
    while (queue.length > 0) {
        const d = queue.shift()!;
        const key = d.extras.length > 0 ? `${d.name}[${d.extras.join(",")}]` : d.name;
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        seen.add(d.name);
        const p = byName.get(d.name);
        if (!p) {
            continue;
        }
        queue.push(...p.dependencies);
        for (const e of d.extras) {
            queue.push(...(p.optional.get(e) ?? []));
        }
    }
    return new Set([...seen].filter((k) => !k.includes("[")));
}

/**
 * uv's named package indexes ([[tool.uv.index]]): uv reads an index's
 * credentials from UV_INDEX_<NAME>_USERNAME and UV_INDEX_<NAME>_PASSWORD (the
 * name upper-cased, other characters as "_"), which the build has only when
 * they are install secrets. Named in a note, since a private index without
 * them fails the install with an authentication error.
 */
function uvIndexNotes(uvTool: Record<string, unknown> | undefined, notes: string[]): void {
    const indexes = uvTool?.["index"];
    for (const index of Array.isArray(indexes) ? indexes : []) {
        const name = index !== null && typeof index === "object" ? (index as Record<string, unknown>)["name"] : undefined;
        const url = index !== null && typeof index === "object" ? (index as Record<string, unknown>)["url"] : undefined;
        if (typeof name !== "string" || typeof url !== "string") {
            continue;
        }
        const env = `UV_INDEX_${[...name.toUpperCase()].map((c) => ((c >= "A" && c <= "Z") || (c >= "0" && c <= "9") ? c : "_")).join("")}`;
        notes.push(
            `pyproject.toml names the package index ${name} (${url}) in [[tool.uv.index]]: if it needs credentials, uv reads them from ${env}_USERNAME and ${env}_PASSWORD, ` +
                "which the build sees only as `installSecrets` (e.g. installSecrets: { " + `${env}_USERNAME: ..., ${env}_PASSWORD: ...` + " }).",
        );
    }
}

/**
 * A uv.lock written for another version of the project (pyproject.toml's
 * static `version` bumped, the lock not refreshed): `uv sync --locked`
 * refuses it ("The lockfile at `uv.lock` needs to be updated"), though the
 * locked set still answers the project's requirements when the lock's record
 * of them ([package.metadata] requires-dist, requires-dev) is the
 * pyproject.toml's. Then the lock installs as is, with `--frozen`, and a note;
 * when the requirements changed too, the build could not install what the
 * project asks for, so it is refused before anything is built. Returns
 * whether to install with `--frozen`.
 * @throws InputError (uv.lock) when the project's requirements changed since the lock.
 */
function uvLockStaleness(
    root: LockedPackage | undefined,
    project: Record<string, unknown> | undefined,
    groupRequirements: ReadonlyMap<string, readonly string[]>,
    notes: string[],
): boolean {
    const declared = project?.["version"];
    const locked = root?.version;
    if (root === undefined || typeof declared !== "string" || locked === undefined || pep440Clean(declared) === null || pep440Clean(locked) === null || comparePep440(declared, locked) === 0) {
        return false;
    }
    const wanted: string[] = [];
    for (const d of strings(project?.["dependencies"])) {
        wanted.push(requirementKey(d, undefined) ?? `?${d}`);
    }
    for (const [extra, list] of Object.entries(table(project, "optional-dependencies") ?? {})) {
        for (const d of strings(list)) {
            wanted.push(requirementKey(d, normalizeName(extra)) ?? `?${d}`);
        }
    }
    const lockedKeys = lockedRequirementKeys(root.metadata?.["requires-dist"]);
    const changed = differences(wanted, lockedKeys);
    const devLocked = table(root.metadata, "requires-dev") ?? {};
    for (const [group, list] of groupRequirements) {
        const lockedGroup = lockedRequirementKeys(devLocked[group]);
        changed.push(...differences(list.map((d) => requirementKey(d, undefined) ?? `?${d}`), lockedGroup).map((c) => `${c} (group ${group})`));
    }
    const uncomparable = [...wanted, ...lockedKeys].some((k) => k.startsWith("?"));
    if (changed.length > 0 && !uncomparable) {
        throw new InputError(
            "uv.lock",
            `uv.lock is out of date: it was locked for version ${locked} of the project, pyproject.toml says ${declared}, and the project's requirements changed since (${changed.join("; ")}), ` +
                "so `uv sync --locked` refuses it and the locked set is not what the project asks for. Run `uv lock` and commit uv.lock.",
        );
    }
    if (changed.length > 0) {
        return false; // a direct reference on either side: left to uv's own check
    }
    notes.push(
        `uv.lock was locked for version ${locked} of the project and pyproject.toml says ${declared}; the project's requirements are the ones locked, so the image installs the lock as it is (\`uv sync --frozen\`; \`--locked\` would refuse it). ` +
            "Run `uv lock` and commit uv.lock to record the new version.",
    );
    return true;
}

/**
 * A PEP 508 requirement as a comparable key: the normalized name, its
 * extras, its specifiers (PEP 440, sorted) and the project extra it belongs
 * to; markers other than the extra are not compared (uv rewrites them).
 * Undefined for a direct reference (`name @ url`) or what does not parse.
 */
function requirementKey(text: string, extra: string | undefined): string | undefined {
    let r: ReturnType<typeof parseRequirements>[number] | undefined;
    try {
        r = parseRequirements(text)[0];
    } catch {
        return undefined;
    }
    if (r?.kind !== "name") {
        return undefined;
    }
    const specs = r.specifiers.map((x) => `${x.operator}${pep440Clean(x.version) ?? x.version}`).sort();
    return keyOf(normalizeName(r.name), r.extras, specs, extra);
}

/** The keys of a lock's requires-dist (`{ name, specifier, marker, extras }` rows; `url`/`git`/`path` rows do not compare). */
function lockedRequirementKeys(rows: unknown): string[] {
    return (Array.isArray(rows) ? rows : []).map((row: unknown) => {
        const r = row !== null && typeof row === "object" ? (row as Record<string, unknown>) : {};
        if (typeof r["name"] !== "string" || ["url", "git", "path", "editable", "directory"].some((k) => r[k] !== undefined)) {
            return `?${JSON.stringify(row)}`;
        }
        const spec = typeof r["specifier"] === "string" ? parseSpecifier(r["specifier"]) : [];
        if (spec === undefined) {
            return `?${JSON.stringify(row)}`;
        }
        const marker = typeof r["marker"] === "string" ? parseMarker(r["marker"]) : undefined;
        return keyOf(normalizeName(r["name"]), strings(r["extras"]), spec.sort(), marker === undefined ? undefined : extraOf(marker));
    });
}

function keyOf(name: string, extras: readonly string[], specs: readonly string[], extra: string | undefined): string {
    const withExtras = extras.length > 0 ? `${name}[${[...extras].map(normalizeName).sort().join(",")}]` : name;
    return `${withExtras}${specs.join(",")}${extra === undefined ? "" : ` (extra ${extra})`}`;
}

/** The `extra == "x"` comparison in a marker, as a normalized name. */
function extraOf(tree: MarkerTree): string | undefined {
    if (tree.operator === "and" || tree.operator === "or") {
        const t = tree as Extract<MarkerTree, { left: MarkerTree }>;
        return extraOf(t.left) ?? extraOf(t.right);
    }
    const leaf = tree as { operator: string; left: string; right: string };
    const quoted = leaf.right.length >= 2 && (leaf.right[0] === "'" || leaf.right[0] === '"') && leaf.right.endsWith(leaf.right[0]);
    return leaf.operator === "==" && leaf.left === "extra" ? normalizeName(quoted ? leaf.right.slice(1, -1) : leaf.right) : undefined;
}

/** What one list of requirement keys has that the other lacks, for a message ("added x", "removed y"). */
function differences(declared: readonly string[], locked: readonly string[]): string[] {
    const shown = (k: string) => k.replace(/^\?/, "");
    return [...declared.filter((k) => !locked.includes(k)).map((k) => `pyproject.toml: ${shown(k)}`), ...locked.filter((k) => !declared.includes(k)).map((k) => `uv.lock: ${shown(k)}`)];
}

/** A PEP 440 specifier set ("~=4.1.0", ">=1.0, <2"), each part as operator and normalized version; undefined when it does not parse. */
function parseSpecifier(text: string): string[] | undefined {
    const parsed = pep440ParseSpecifier(text);
    return parsed === null || parsed === undefined ? undefined : parsed.map((p) => `${p.operator}${pep440Clean(p.version) ?? p.version}`);
}

function fromUvLock(src: SourceTree, pyproject: Record<string, unknown> | undefined, notes: string[]): Dependencies {
    needPyproject("uv.lock", pyproject, "uv");
    const pkgs = readUvLock(src);
    const project = table(pyproject, "project");
    const uvTool = table(table(pyproject, "tool"), "uv");
    const workspace = readWorkspace(src, pyproject);
    const rootName = typeof project?.["name"] === "string" ? normalizeName(project["name"] as string) : undefined;
    const root = rootName ? pkgs.find((p) => p.name === rootName) : undefined;
    const groups = dependencyGroups(pyproject);
    const definedGroups = [...groups.requirements.keys()];
    // The project's extras: `uv sync --extra X` installs one (none by default); a PEP 735 group of the same name is the group.
    const extraNames = [...projectExtras(pyproject).keys()].filter((e) => !definedGroups.includes(e));
    // uv installs "dev" by default; [tool.uv].default-groups changes that (PEP 735 groups only).
    const declaredDefaults = uvTool?.["default-groups"];
    const defaults = declaredDefaults === "all" ? definedGroups : Array.isArray(declaredDefaults) ? strings(declaredDefaults) : definedGroups.includes("dev") ? ["dev"] : [];

    const vcs = pkgs.filter((p) => typeof p.source["git"] === "string").map((p) => `uv.lock: ${p.name} from ${p.source["git"] as string}`);
    uvIndexNotes(uvTool, notes);
    const pins = new Map<string, string>();
    const wheels = new Map<string, readonly string[]>();
    for (const p of pkgs) {
        if (p.version && typeof p.source["registry"] === "string") {
            pins.set(p.name, p.version);
            wheels.set(p.name, p.wheels);
        }
    }
    const manifestFiles = ["pyproject.toml", "uv.lock", ...(workspace?.members.map((m) => `${m.dir}/pyproject.toml`) ?? []), ...pathDependencies("pyproject.toml", pyproject)];
    const uvFrozen = uvLockStaleness(root, project, groups.requirements, notes);
    const packageMode = uvTool?.["package"];
    const installable = packageMode === false ? false : packageMode === true || table(pyproject, "build-system") !== undefined;
    let projectNote: string | undefined;
    if (project && !installable) {
        projectNote = packageMode === false ? "[tool.uv] package = false: the project itself is not installed." : "pyproject.toml has no [build-system]: uv does not install the project itself.";
    }
    return base(src, {
        installer: "uv",
        manifest: "uv.lock",
        files: manifestFiles,
        direct: directOf(pyproject, workspace ? workspace.members.map((m) => readToml(src, `${m.dir}/pyproject.toml`, "Fix the file.")) : []),
        namesFor: (chosen, workspacePackage) => {
            const start = workspacePackage ? pkgs.find((p) => p.name === normalizeName(workspacePackage)) : root;
            const roots: Array<{ name: string; extras: string[] }> = [];
            if (start) {
                roots.push({ name: start.name, extras: [] });
                const optional = new Map([...start.optional].map(([k, v]) => [normalizeName(k), v]));
                for (const g of chosen) {
                    roots.push(...(start.groups.get(g) ?? (extraNames.includes(g) ? optional.get(normalizeName(g)) : undefined) ?? []));
                }
            } else if (workspace?.virtualRoot) {
                // A virtual workspace root: `uv sync` installs every member.
                for (const m of workspace.members) {
                    roots.push({ name: m.name, extras: [] });
                }
            }
            if (!start) {
                // A virtual root's own groups are recorded in [manifest] dependency-groups.
                for (const g of chosen) {
                    for (const d of groups.requirements.get(g) ?? []) {
                        const r = pep508(d);
                        if (r) {
                            roots.push({ name: r.name, extras: [] });
                        }
                    }
                }
            }
            return closure(pkgs, roots);
        },
        pins,
        wheels,
        vcs,
        installsProject: project !== undefined && installable,
        projectNote,
        needsSource: false,
        pyproject,
        groups: {
            defined: [...definedGroups, ...extraNames],
            defaults,
            extras: extraNames.length > 0 ? { names: extraNames, from: "pyproject.toml's [project.optional-dependencies]" } : undefined,
        },
        uvFrozen: uvFrozen ? true : undefined,
        workspace,
        envReferences: envRefsIn(src, manifestFiles),
        notes,
    });
}

/**
 * PEP 723 inline script metadata in a Python file at the top of the source
 * folder: a `# /// script` line, then comment lines (`#` alone or `# ` and
 * text) up to the last `# ///` line of that run of comments, as the PEP's
 * reference reader takes it; the text without the comment prefixes is TOML.
 * Several files with one leave the choice to the user.
 */
function inlineScriptMetadata(src: SourceTree): { file: string; toml: Record<string, unknown>; block: string[] } | undefined {
    const found: Array<{ file: string; text: string; block: string[] }> = [];
    for (const e of src.list("").filter((x) => x.isFile() && x.name.endsWith(".py")).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const lines = src.read(e.name).split(/\r?\n/);
        const start = lines.indexOf("# /// script");
        if (start < 0) {
            continue;
        }
        let end = -1;
        for (let i = start + 1; i < lines.length && (lines[i] === "#" || lines[i].startsWith("# ")); i++) {
            if (lines[i] === "# ///") {
                end = i;
            }
        }
        if (end < 0) {
            throw new InputError(e.name, `${e.name} opens a PEP 723 \`# /// script\` block that no \`# ///\` line closes (every line between is \`#\` or \`# \` and text); close the block.`);
        }
        found.push({ file: e.name, text: lines.slice(start + 1, end).map((l) => l.slice(2)).join("\n"), block: lines.slice(start, end + 1) });
    }
    if (found.length > 1) {
        throw new InputError(
            found[0].file,
            `${found.map((f) => f.file).join(" and ")} each declare dependencies in a PEP 723 \`# /// script\` block, and the image installs one app's: ` +
                "put the app's dependencies in a pyproject.toml or requirements.txt, or keep the block in the app's file only.",
        );
    }
    const [only] = found;
    if (only === undefined) {
        return undefined;
    }
    try {
        return { file: only.file, toml: parseToml(only.text) as Record<string, unknown>, block: only.block };
    } catch (e) {
        throw new InputError(only.file, `${only.file}'s PEP 723 \`# /// script\` block is not valid TOML (${tomlProblem(e)}). Fix the block.`);
    }
}

/**
 * A single-file app whose dependencies are its PEP 723 block's: pip installs
 * them from a list the Dockerfile itself holds, so the install layer follows
 * the dependencies, not the file's code. Each must be a PEP 508 requirement
 * of an index package or URL (no local path: only the file is the app).
 */
function fromInlineScript(src: SourceTree, script: { file: string; toml: Record<string, unknown>; block: string[] }, notes: string[]): Dependencies {
    const { file, toml, block } = script;
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.py$/.test(file)) {
        throw new InputError(file, `${JSON.stringify(file)} declares the app's dependencies in a PEP 723 block, and its name has characters the build cannot take as a file name; rename it (letters, digits, _, . and -).`);
    }
    const deps = toml["dependencies"] ?? [];
    if (!Array.isArray(deps) || !deps.every((d) => typeof d === "string")) {
        throw new InputError(file, `${file}'s PEP 723 block: \`dependencies\` must be a list of strings (PEP 508 requirements).`);
    }
    const got = recorded();
    const { names, pins, specifiers, extras, vcs } = got;
    for (const d of deps as string[]) {
        const r = [...d].some((c) => c < " ") ? undefined : pep508(d);
        if (r === undefined || (r.url !== undefined && r.url.startsWith("file:"))) {
            throw new InputError(
                file,
                `${file}'s PEP 723 block lists ${JSON.stringify(d)}, which is not ${r === undefined ? "a PEP 508 requirement" : "a package the build can fetch (a local file URL)"}; fix the line.`,
            );
        }
        record(got, r, d, file);
    }
    const lock = src.isFile(`${file}.lock`) ? `${file}.lock` : undefined;
    // The lock's versions are the app's pins (what decides the Python, the uvicorn worker's release...), and its wheels.
    const wheels = new Map<string, readonly string[]>();
    // The block's [tool.uv.sources] path dependencies (a vendored package): the lock names their folders, copied with it.
    const local: string[] = [];
    if (lock !== undefined) {
        pins.clear();
        for (const p of readUvLock(src, lock, `Regenerate it with \`uv lock --script ${file}\`.`)) {
            if (p.version && typeof p.source["registry"] === "string") {
                pins.set(p.name, p.version);
                wheels.set(p.name, p.wheels);
            }
            const dir = p.source["directory"] ?? p.source["editable"] ?? p.source["path"];
            if (typeof dir === "string") {
                const at = insidePath(lock, p.name, dir);
                local.push(src.isFile(at) ? at : `${at}/`);
            }
        }
    }
    const uvSettings = Object.keys(table(table(toml, "tool"), "uv") ?? {});
    if (lock !== undefined) {
        notes.push(
            `${file} declares its dependencies in a PEP 723 \`# /// script\` block, locked in ${lock} (\`uv lock --script ${file}\`): uv installs the locked versions, from the block (written into the Dockerfile) and the lock, ` +
                "so a code change keeps the dependency layer; a block that no longer matches the lock fails the build, as `uv run --locked` does.",
        );
    } else {
        notes.push(
            `${file} declares its dependencies in a PEP 723 \`# /// script\` block (as \`uv run ${file}\` reads them): the image installs those, from a list in the Dockerfile, so a code change keeps the dependency layer; ` +
                `nothing pins their versions: \`uv lock --script ${file}\` writes ${file}.lock, which the image then installs` +
                (uvSettings.length > 0 ? ` (and which carries the block's [tool.uv] ${uvSettings.join(", ")}, not applied without it).` : "."),
        );
    }
    const requiresPython = toml["requires-python"];
    return base(src, {
        installer: lock !== undefined ? "uv" : "pip",
        manifest: lock ?? file,
        files: lock !== undefined ? [lock, ...new Set(local)] : [],
        direct: names,
        namesFor: () => names,
        pins,
        specifiers,
        extras,
        vcs,
        installsProject: false,
        needsSource: false,
        inlineScript: { file, requirements: deps as string[], block, lock },
        wheels,
        lockPython: typeof requiresPython === "string" ? { source: `${file} script metadata requires-python`, specs: [requiresPython] } : undefined,
        notes,
    });
}

/**
 * The PEP 751 lock to install: pylock.toml, else the one named lock
 * (pylock.<name>.toml) at the top of the source folder; several named locks
 * and no pylock.toml leave the choice to the user.
 */
function pylockFile(src: SourceTree): string | undefined {
    if (src.isFile("pylock.toml")) {
        return "pylock.toml";
    }
    const named = pylockFiles(src);
    if (named.length > 1) {
        throw new InputError(
            named[0],
            `The source folder has the PEP 751 locks ${named.join(", ")} and no pylock.toml, and the image installs one lock: ` +
                "name the one the app runs with pylock.toml (or write it with your locker's output option, e.g. `uv export --format pylock.toml -o pylock.toml`).",
        );
    }
    return named[0];
}

/** The PEP 751 locks at the top of the source folder: pylock.toml first, then the named ones (pylock.<name>.toml), sorted. */
function pylockFiles(src: SourceTree): string[] {
    const named = src
        .list("")
        // PEP 751's pylock.<name>.toml, the name without dots (and here plain: the file name reaches the install command).
        .filter((e) => e.isFile() && /^pylock\.[A-Za-z0-9_-]+\.toml$/.test(e.name))
        .map((e) => e.name)
        .sort();
    return [...(src.isFile("pylock.toml") ? ["pylock.toml"] : []), ...named];
}

/** A [[packages]] entry of a PEP 751 lock, as far as detection reads it. */
interface PylockPackage {
    readonly name: string;
    readonly version?: string;
    /** Its marker, parsed; undefined without one, null when it does not parse (then it may install). */
    readonly marker: MarkerTree | null | undefined;
    /** A local folder or file it installs from (`directory`, or `archive` with a `path`), normalized; "" for the lock's own folder. */
    readonly local?: string;
    readonly vcs?: string;
    readonly index?: string;
    readonly wheels: readonly string[];
}

/**
 * A PEP 751 lock (pylock.toml, written by `pip lock`, `uv export --format
 * pylock.toml`, `pdm export -f pylock`), installed by uv's pip interface. Its
 * `lock-version` must be 1.x (the PEP: an installer refuses a major version it
 * does not know). The lock's own folder as a `directory` package is the
 * project, installed after the source; other local folders and files are
 * copied with the lock. Package markers may name the extras and dependency
 * groups being installed (PEP 751's `"prod" in dependency_groups`): the chosen
 * groups decide which packages install.
 */
function fromPylock(src: SourceTree, file: string, pyproject: Record<string, unknown> | undefined, notes: string[]): Dependencies {
    const fix = "Regenerate it with the tool that wrote it (`pip lock`, `uv export --format pylock.toml`, `pdm export -f pylock`).";
    const lock = readToml(src, file, fix);
    const version = lock["lock-version"];
    if (typeof version !== "string" || version.split(".")[0] !== "1") {
        throw new InputError(
            file,
            `${file} has lock-version ${typeof version === "string" ? JSON.stringify(version) : "(none)"}, and PEP 751 lock-version 1 is what the image's installer (uv) reads; ` +
                `${typeof version === "string" ? "a newer major version may change the format" : "without it the file is not a PEP 751 lock"}. ${fix}`,
        );
    }
    const pkgs: PylockPackage[] = [];
    const files = [file];
    let installsProject = false;
    const ownFolders: string[] = [];
    for (const raw of Array.isArray(lock["packages"]) ? (lock["packages"] as unknown[]) : []) {
        const p = table({ raw }, "raw");
        if (typeof p?.["name"] !== "string") {
            throw new InputError(file, `${file} has a [[packages]] entry without a name. ${fix}`);
        }
        const name = normalizeName(p["name"]);
        const markerText = p["marker"];
        const marker = typeof markerText === "string" ? parseMarker(markerText) ?? null : undefined;
        const dir = table(p, "directory")?.["path"];
        const archive = table(p, "archive");
        const path = typeof dir === "string" ? dir : typeof archive?.["path"] === "string" ? (archive["path"] as string) : undefined;
        let local: string | undefined;
        if (path !== undefined) {
            const self = path.split("/").every((part) => part === "" || part === ".");
            local = self ? "" : insidePath(file, name, path);
            // An editable folder (uv export writes the project, `--project backend` too, and workspace members so) is the app's own code: after the source.
            const own = typeof dir === "string" && table(p, "directory")?.["editable"] === true;
            if (self) {
                if (!src.isFile("pyproject.toml") && !src.isFile("setup.py")) {
                    throw new InputError(file, `${file} installs the source folder itself ("${name}"), but it has no pyproject.toml or setup.py to build it from; add one, or lock without the project.`);
                }
                installsProject = true;
            } else if (own) {
                installsProject = true;
                ownFolders.push(local);
            } else if (!files.includes(typeof dir === "string" ? `${local}/` : local)) {
                files.push(typeof dir === "string" ? `${local}/` : local);
            }
        }
        // A file URL (pip lock writes a local wheel's absolute place on the locking machine): not in the build context.
        const urls = [archive?.["url"], table(p, "sdist")?.["url"], ...(Array.isArray(p["wheels"]) ? (p["wheels"] as unknown[]).map((w) => table({ w }, "w")?.["url"]) : [])];
        const fileUrl = urls.find((u): u is string => typeof u === "string" && u.startsWith("file:"));
        if (fileUrl !== undefined) {
            const base = fileName(fileUrl);
            const here = src.isFile(base) ? base : src.list("").filter((e) => e.isDirectory() && src.isFile(`${e.name}/${base}`)).map((e) => `${e.name}/${base}`)[0];
            throw new InputError(
                file,
                `${file} installs ${name} from ${fileUrl}, a file on the machine that wrote the lock, which the build cannot see. ` +
                    (here !== undefined
                        ? `The source folder has ${here}: name it by a path relative to the lock instead of the URL (PEP 751: \`path = ${JSON.stringify(here)}\` in place of \`url\`), or publish the package to an index.`
                        : "Put the file in the source folder and name it by a path relative to the lock (PEP 751's `path`), or publish the package to an index."),
            );
        }
        const vcs = table(p, "vcs");
        const wheels = Array.isArray(p["wheels"])
            ? (p["wheels"] as unknown[])
                  .map((w) => table({ w }, "w"))
                  .map((w) => (typeof w?.["name"] === "string" ? (w["name"] as string) : typeof w?.["url"] === "string" ? fileName(w["url"] as string) : typeof w?.["path"] === "string" ? fileName(w["path"] as string) : ""))
                  .filter((f) => f !== "")
            : [];
        pkgs.push({
            name,
            version: typeof p["version"] === "string" ? (p["version"] as string) : undefined,
            marker,
            local,
            vcs: typeof vcs?.["url"] === "string" ? (vcs["url"] as string) : undefined,
            index: typeof p["index"] === "string" ? (p["index"] as string) : undefined,
            wheels,
        });
    }
    const groupNames = strings(lock["dependency-groups"]);
    const extraNames = strings(lock["extras"]);
    // Names the install command is given (`--group default`): a PEP 735 / PEP 685 name, nothing a shell would read otherwise.
    const odd = [...groupNames, ...extraNames, ...strings(lock["default-groups"])].find((g) => !PROJECT_NAME.test(g));
    if (odd !== undefined) {
        throw new InputError(file, `${file} names the group or extra ${JSON.stringify(odd)}, which is not a valid name (letters, digits, ".", "_" and "-"); ${fix}`);
    }
    const defaultGroups = strings(lock["default-groups"]).filter((g) => groupNames.includes(g));
    // Which packages install for the chosen groups and extras on the image's Linux CPython (a marker that depends on
    // what is not known here, the machine or the Python, counts as installing).
    const installs = (chosen: readonly string[]): PylockPackage[] =>
        pkgs.filter((p) => {
            if (p.marker === undefined || p.marker === null) {
                return true;
            }
            const env = {
                ...linuxMarkers(),
                extras: new Set(chosen.filter((g) => extraNames.includes(g))),
                dependency_groups: new Set([...defaultGroups, ...chosen.filter((g) => groupNames.includes(g))]),
            };
            return markerHolds(p.marker, env) !== false;
        });
    const main = installs([]);
    const pins = new Map<string, string>();
    const wheels = new Map<string, readonly string[]>();
    // Every group's pins: a pin decides alike whichever group brings the package (the first entry for a name the lock splits by marker).
    for (const p of installs([...groupNames, ...extraNames])) {
        if (p.version !== undefined && p.local === undefined && p.vcs === undefined && !pins.has(p.name)) {
            pins.set(p.name, p.version);
            wheels.set(p.name, p.wheels);
        }
    }
    const vcs = pkgs.filter((p) => p.vcs !== undefined).map((p) => `${file}: ${p.name} from ${p.vcs}`);
    const project = table(pyproject, "project");
    const self = pkgs.find((p) => p.local === "");
    if (!installsProject && project !== undefined && table(pyproject, "build-system") !== undefined) {
        notes.push(`${file} does not list the project itself (${typeof project["name"] === "string" ? project["name"] : "pyproject.toml's [project]"}): it is not installed; the app runs from its source folder.`);
    }
    // The app's own requirements, which a lock does not mark: pyproject.toml's, else requirements.txt's (`pip lock -r requirements.txt`), else every package.
    const fromManifests = directOf(pyproject, []);
    const requirements = src.readIfFile("requirements.txt");
    if (fromManifests.size === 0 && requirements !== undefined) {
        try {
            for (const r of parseRequirements(requirements)) {
                if ((r.kind === "name" || r.kind === "url") && r.name !== undefined) {
                    fromManifests.add(normalizeName(r.name));
                }
            }
        } catch {
            // An unreadable requirements.txt, which the lock makes unused: every locked package counts.
        }
    }
    return base(src, {
        installer: "uv",
        manifest: file,
        files,
        direct: fromManifests.size > 0 ? fromManifests : new Set(main.map((p) => p.name).filter((n) => n !== self?.name)),
        namesFor: (chosen) => new Set(installs(chosen).map((p) => p.name)),
        pins,
        wheels,
        vcs,
        installsProject,
        projectNote: installsProject
            ? self !== undefined
                ? `${file} installs the project itself (${self.name}): after the source, without its editable link.`
                : `${file} installs ${ownFolders.map((f) => `${f}/`).join(", ")} editable, the app's own code: after the source, without the editable link.`
            : undefined,
        needsSource: false,
        pyproject,
        groups: {
            defined: [...groupNames.filter((g) => !defaultGroups.includes(g)), ...extraNames].sort(),
            defaults: [],
            extras: extraNames.length > 0 ? { names: [...extraNames].sort(), from: `${file}'s extras` } : undefined,
        },
        pylock: { file, defaultGroups },
        lockPython: typeof lock["requires-python"] === "string" ? { source: `${file} requires-python`, specs: [lock["requires-python"] as string] } : undefined,
        notes,
    });
}

/**
 * A uv workspace member pointed at on its own: [tool.uv.sources] takes a
 * dependency from the workspace (`{ workspace = true }`) but this folder
 * declares no workspace, so the workspace root, its uv.lock and the sibling
 * member are above the build context. Refused: an installer would ask the
 * package index for the sibling's name instead (at best "no matching
 * distribution", at worst someone else's package of that name).
 */
function workspaceMemberAlone(pyproject: Record<string, unknown> | undefined): void {
    const uv = table(table(pyproject, "tool"), "uv");
    if (table(uv, "workspace")) {
        return;
    }
    // Only what the image installs counts: a sibling a development group takes (a test kit) is never installed.
    const project = table(pyproject, "project");
    const used = new Set(
        [...strings(project?.["dependencies"]), ...Object.values(table(project, "optional-dependencies") ?? {}).flatMap((v) => strings(v))].flatMap((d) => pep508(d)?.name ?? []),
    );
    const fromWorkspace = Object.entries(table(uv, "sources") ?? {})
        .filter(([name, spec]) => table({ spec }, "spec")?.["workspace"] === true && used.has(normalizeName(name)))
        .map(([name]) => name);
    if (fromWorkspace.length === 0) {
        return;
    }
    const name = table(pyproject, "project")?.["name"];
    throw new InputError(
        "pyproject.toml",
        `pyproject.toml's [tool.uv.sources] takes ${fromWorkspace.join(", ")} from the uv workspace (\`workspace = true\`), but the source folder is a member, not the workspace root: ` +
            "the root's uv.lock and the other members are outside the build context, and no package index has them. " +
            `Point \`source\` at the workspace root (the folder whose pyproject.toml has [tool.uv.workspace] and uv.lock)${typeof name === "string" ? ` and set \`workspacePackage: ${JSON.stringify(name)}\`` : ""}.`,
    );
}

/** [tool.uv.workspace] members (globs), expanded in the source folder; members outside it are refused. */
function readWorkspace(src: SourceTree, pyproject: Record<string, unknown> | undefined): Dependencies["workspace"] {
    const ws = table(table(table(pyproject, "tool"), "uv"), "workspace");
    if (!ws) {
        return undefined;
    }
    const patterns = strings(ws["members"]);
    const exclude = strings(ws["exclude"]);
    for (const p of patterns) {
        if (p.startsWith("/") || p.split("/").includes("..")) {
            throw new InputError(
                "pyproject.toml",
                `pyproject.toml's [tool.uv.workspace] member ${JSON.stringify(p)} is outside the source folder, which is the build context; ` +
                    "point `source` at the workspace root, or move the member inside it.",
            );
        }
    }
    const members: WorkspaceMember[] = [];
    const visit = (dir: string, depth: number): void => {
        for (const e of src.list(dir)) {
            if (!e.isDirectory() || e.name.startsWith(".") || e.name === "node_modules") {
                continue;
            }
            const rel = dir === "" ? e.name : `${dir}/${e.name}`;
            const matched = patterns.some((p) => minimatch(rel, p.replace(/\/$/, ""))) && !exclude.some((p) => minimatch(rel, p.replace(/\/$/, "")));
            if (matched && src.isFile(`${rel}/pyproject.toml`)) {
                const pp = readToml(src, `${rel}/pyproject.toml`, "Fix the file.");
                const name = table(pp, "project")?.["name"];
                if (typeof name === "string" && !PROJECT_NAME.test(name)) {
                    throw new InputError(`${rel}/pyproject.toml`, `${rel}/pyproject.toml names its project ${JSON.stringify(name)}, which is not a valid project name (PEP 508: letters, digits, ., _ and -); fix the name.`);
                }
                if (typeof name === "string") {
                    members.push({ dir: rel, name: normalizeName(name), installable: table(pp, "build-system") !== undefined });
                }
            }
            if (depth < 3) {
                visit(rel, depth + 1);
            }
        }
    };
    visit("", 0);
    return { members, virtualRoot: table(pyproject, "project") === undefined };
}

function needPyproject(file: string, pyproject: Record<string, unknown> | undefined, tool: string): void {
    if (!pyproject) {
        throw new InputError(
            file,
            `The source folder has ${file} but no pyproject.toml; ${tool} needs both. Add pyproject.toml or delete ${file}.`,
        );
    }
}

function fromPoetryLock(
    src: SourceTree,
    pyproject: Record<string, unknown> | undefined,
    notes: string[],
): Dependencies {
    needPyproject("poetry.lock", pyproject, "Poetry");
    const lock = readToml(src, "poetry.lock", "Regenerate it with `poetry lock`.");
    const poetry = table(table(pyproject, "tool"), "poetry");
    const pkgs = Array.isArray(lock["package"]) ? (lock["package"] as Record<string, unknown>[]) : [];
    const pins = new Map<string, string>();
    const wheels = new Map<string, readonly string[]>();
    const byGroup = new Map<string, Set<string>>();
    const vcs: string[] = [];
    for (const p of pkgs) {
        if (typeof p?.["name"] !== "string") {
            continue;
        }
        const name = normalizeName(p["name"] as string);
        const source = table(p, "source");
        if (source?.["type"] === "git") {
            vcs.push(`poetry.lock: ${name} from ${String(source["url"])}`);
        } else if (typeof p["version"] === "string") {
            pins.set(name, p["version"] as string);
        }
        const files = Array.isArray(p["files"]) ? (p["files"] as Record<string, unknown>[]) : [];
        wheels.set(name, files.map((f) => (typeof f?.["file"] === "string" ? (f["file"] as string) : "")).filter((f) => f.endsWith(".whl")));
        // Poetry 2 records the groups that need each package; Poetry before 1.5 a category.
        const groups = Array.isArray(p["groups"]) ? strings(p["groups"]) : typeof p["category"] === "string" ? [p["category"] as string] : [];
        // An extra's package (optional = true) is not installed unless its extra is chosen.
        for (const g of p["optional"] === true ? [] : groups) {
            byGroup.set(g, new Set([...(byGroup.get(g) ?? []), name]));
        }
    }
    const defined = Object.keys(table(poetry, "group") ?? {});
    if (table(poetry, "dev-dependencies")) {
        defined.push("dev");
    }
    // The lock's packages as a graph: a dependency an extra of its package asks for is that extra's.
    const graph: LockedPackage[] = pkgs
        .filter((p) => typeof p?.["name"] === "string")
        .map((p) => {
            const deps = Object.entries(table(p, "dependencies") ?? {}).filter(([, v]) => !(Array.isArray(v) ? v : [v]).every((x) => asTable(x)?.["optional"] === true));
            return {
                name: normalizeName(p["name"] as string),
                version: undefined,
                source: {},
                dependencies: deps.map(([n, v]) => ({ name: normalizeName(n), extras: (Array.isArray(v) ? v : [v]).flatMap((x) => strings(asTable(x)?.["extras"])) })),
                optional: new Map(Object.entries(table(p, "extras") ?? {}).map(([e, reqs]) => [e, requirementRoots(strings(reqs))])),
                groups: new Map(),
                wheels: [],
            };
        });
    const poetryDeps = (t: unknown) =>
        Object.entries(asTable(t) ?? {})
            .filter(([n, v]) => n !== "python" && asTable(v)?.["optional"] !== true)
            .map(([n, v]) => ({ name: normalizeName(n), extras: strings(asTable(v)?.["extras"]) }));
    // A lock of Poetry 1.5-1.8 records neither groups nor a category: a group's packages are what its dependencies in pyproject.toml need.
    if (byGroup.size === 0) {
        const tables: Array<readonly [string, unknown]> = [["main", table(poetry, "dependencies")], ["dev", table(poetry, "dev-dependencies")], ...Object.entries(table(poetry, "group") ?? {}).map(([g, t]) => [g, asTable(t)?.["dependencies"]] as const)];
        const pep621 = requirementRoots(strings(table(pyproject, "project")?.["dependencies"]));
        for (const [g, t] of tables) {
            const roots = [...poetryDeps(t), ...(g === "main" ? pep621 : [])];
            byGroup.set(g, new Set([...(byGroup.get(g) ?? []), ...closure(graph, roots)]));
        }
    }
    // [tool.poetry.extras]: each extra's packages, with what they need.
    const mainTable = table(poetry, "dependencies") ?? {};
    const extras = new Map(
        Object.entries(table(poetry, "extras") ?? {}).map(([e, names]) => [
            e,
            closure(
                graph,
                strings(names).map((n) => ({ name: normalizeName(n), extras: strings(table(mainTable, n)?.["extras"]) })),
            ),
        ]),
    );
    for (const [e, names] of extras) {
        if (!defined.includes(e)) {
            byGroup.set(e, new Set([...(byGroup.get("main") ?? []), ...names]));
        }
    }
    const extraNames = [...extras.keys()].filter((e) => !defined.includes(e));
    const { installable, note } = poetryInstallable(src, pyproject, poetry);
    return base(src, {
        installer: "poetry",
        manifest: "poetry.lock",
        files: ["pyproject.toml", "poetry.lock", ...pathDependencies("pyproject.toml", pyproject)],
        direct: directOf(pyproject, []),
        namesFor: (chosen) => namesOfGroups(byGroup, ["main", ...chosen]),
        pins,
        wheels,
        vcs,
        installsProject: installable,
        projectNote: note,
        needsSource: false,
        pyproject,
        groups: {
            defined: [...new Set([...defined, ...extraNames])].sort(),
            defaults: defined.filter((g) => table(table(poetry, "group"), g)?.["optional"] !== true),
            extras: extraNames.length > 0 ? { names: extraNames, from: "pyproject.toml's [tool.poetry.extras]" } : undefined,
        },
        envReferences: envRefsIn(src, ["pyproject.toml"]),
        notes,
    });
}

/**
 * Poetry installs the root project only in package mode and when there is a
 * package to install: `packages` in [tool.poetry], or a folder (or module)
 * named after the project at the root or under src/. An application whose
 * code lives elsewhere is not installable, and `poetry install` would fail on it.
 */
function poetryInstallable(
    src: SourceTree,
    pyproject: Record<string, unknown> | undefined,
    poetry: Record<string, unknown> | undefined,
): { installable: boolean; note?: string } {
    if (poetry?.["package-mode"] === false) {
        return { installable: false, note: "[tool.poetry] package-mode = false: the project itself is not installed." };
    }
    if (table(pyproject, "build-system") === undefined) {
        return { installable: false, note: "pyproject.toml has no [build-system]: the project itself is not installed." };
    }
    if (Array.isArray(poetry?.["packages"]) && (poetry!["packages"] as unknown[]).length > 0) {
        return { installable: true };
    }
    const rawName = (table(pyproject, "project")?.["name"] ?? poetry?.["name"]) as string | undefined;
    if (typeof rawName !== "string") {
        return { installable: false, note: "The project has no name: it is not installed." };
    }
    const module = rawName.toLowerCase().replace(/[-.]+/g, "_");
    const found = [module, `src/${module}`].some((p) => src.isFile(`${p}/__init__.py`) || src.isFile(`${p}.py`));
    return found
        ? { installable: true }
        : {
              installable: false,
              note: `Poetry would install the project "${rawName}", but there is no ${module}/ package (nor src/${module}/) and no \`packages\`: it is an application, so only its dependencies are installed (\`poetry install --no-root\`).`,
          };
}

function fromPipfileLock(
    src: SourceTree,
    pyproject: Record<string, unknown> | undefined,
    notes: string[],
): Dependencies {
    let lock: Record<string, unknown>;
    requirePlainUtf8(src, "Pipfile.lock");
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
    const pins = new Map<string, string>();
    const files = ["Pipfile.lock"];
    let installsProject = false;
    for (const [name, entry] of Object.entries(defaults).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const e = entry as Record<string, unknown>;
        // `pipenv install -e .` (the app itself) and `-e ./libs/x`: a local path, not a pin.
        const where = typeof e?.["path"] === "string" ? e["path"] : typeof e?.["file"] === "string" && !e["file"].includes("://") ? e["file"] : undefined;
        if (typeof e?.["version"] !== "string" && where !== undefined) {
            if (where.split("/").every((part) => part === "" || part === ".")) {
                if (!src.isFile("pyproject.toml") && !src.isFile("setup.py")) {
                    throw new InputError("Pipfile.lock", `Pipfile.lock installs the source folder itself ("${name}", ${JSON.stringify(where)}), but it has no pyproject.toml or setup.py to build it from; add one, or remove the entry.`);
                }
                installsProject = true;
            } else {
                const dir = `${insidePath("Pipfile.lock", name, where)}/`;
                if (!files.includes(dir)) {
                    files.push(dir);
                }
            }
            names.add(normalizeName(name));
            continue;
        }
        if (typeof e?.["version"] !== "string") {
            const kind = typeof e?.["git"] === "string" ? `a VCS entry (git ${String(e["git"])})` : typeof e?.["path"] === "string" ? `a path entry (${String(e["path"])})` : "an editable, path or VCS entry";
            throw new InputError(
                "Pipfile.lock",
                `Pipfile.lock pins "${name}" without a version: ${kind}; ` +
                    "only pinned index packages install from Pipfile.lock here (pip cannot check hashes of a checkout). Publish it to an index, or switch to requirements.txt.",
            );
        }
        names.add(normalizeName(name));
        const v = (e["version"] as string).replace(/^==/, "");
        pins.set(normalizeName(name), v);
    }
    const sources = Array.isArray(table(lock, "_meta")?.["sources"]) ? (table(lock, "_meta")!["sources"] as Record<string, unknown>[]) : [];
    const indexes = sources.map((s) => s?.["url"]).filter((u): u is string => typeof u === "string");
    if (indexes.length > 1) {
        notes.push(`Pipfile.lock names ${indexes.length} package indexes: pip reads the first as its index and the others as extra indexes.`);
    }
    const refs: Array<{ name: string; file: string }> = [];
    for (const u of indexes) {
        for (const n of envReferences(u)) {
            refs.push({ name: n, file: "Pipfile.lock" });
        }
    }
    return base(src, {
        installer: "pipenv",
        manifest: "Pipfile.lock",
        files,
        direct: pipfilePackages(src) ?? names,
        namesFor: () => names,
        pins,
        installsProject,
        needsSource: false,
        pyproject,
        indexes,
        envReferences: refs,
        notes,
    });
}

/** PDM's name normalization of groups (pdm.utils.normalize_name): each run of characters other than ASCII letters and digits becomes "-", then lower case. */
function pdmName(name: string): string {
    let out = "";
    let dash = false;
    for (const ch of name) {
        if ((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9")) {
            out += ch;
            dash = false;
        } else if (!dash) {
            out += "-";
            dash = true;
        }
    }
    return out.toLowerCase();
}

/** A string as Python's json.dumps writes it by default (ensure_ascii: every character outside space..~ escaped). */
function pythonJsonString(s: string): string {
    const short: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
    let out = '"';
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        const ch = s[i];
        out += short[ch] ?? (c >= 0x20 && c <= 0x7e ? ch : `\\u${c.toString(16).padStart(4, "0")}`);
    }
    return out + '"';
}

/** A TOML value as Python's json.dumps(value, sort_keys=True) writes it. */
function pythonJson(v: unknown): string {
    if (typeof v === "string") {
        return pythonJsonString(v);
    }
    if (typeof v === "number" || typeof v === "bigint") {
        return String(v);
    }
    if (typeof v === "boolean") {
        return v ? "true" : "false";
    }
    if (Array.isArray(v)) {
        return `[${v.map(pythonJson).join(", ")}]`;
    }
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        return `{${Object.keys(o)
            .sort()
            .map((k) => `${pythonJsonString(k)}: ${pythonJson(o[k])}`)
            .join(", ")}}`;
    }
    return "null";
}

/**
 * PDM's dependency groups besides "default", by normalized name, as
 * requirement strings: PEP 735 [dependency-groups] (include-group expanded)
 * and [tool.pdm.dev-dependencies] are dev groups; [project.optional-dependencies] are optional groups.
 */
function pdmGroups(pyproject: Record<string, unknown>): { dev: Map<string, string[]>; optional: Map<string, string[]> } {
    const declared = new Map(Object.entries(table(pyproject, "dependency-groups") ?? {}).map(([g, items]) => [pdmName(g), Array.isArray(items) ? (items as unknown[]) : []]));
    const expand = (g: string, seen: Set<string>): string[] => {
        if (seen.has(g)) {
            return [];
        }
        seen.add(g);
        return (declared.get(g) ?? []).flatMap((item) => {
            const included = table({ item }, "item")?.["include-group"];
            return typeof item === "string" ? [item] : typeof included === "string" ? expand(pdmName(included), seen) : [];
        });
    };
    const dev = new Map<string, string[]>();
    for (const g of declared.keys()) {
        dev.set(g, expand(g, new Set()));
    }
    for (const [g, items] of Object.entries(table(table(table(pyproject, "tool"), "pdm"), "dev-dependencies") ?? {})) {
        dev.set(pdmName(g), [...(dev.get(pdmName(g)) ?? []), ...strings(items)]);
    }
    const optional = new Map<string, string[]>();
    for (const [g, items] of Object.entries(table(table(pyproject, "project"), "optional-dependencies") ?? {})) {
        optional.set(pdmName(g), strings(items));
    }
    return { dev, optional };
}

/**
 * The content hash PDM records in pdm.lock's [metadata] content_hash (PDM's
 * PyProject.content_hash): the digest of json.dumps(..., sort_keys=True) of
 * the pyproject.toml parts that decide the lock. Another PDM version may hash
 * other parts: a mismatch alone does not mean the lock is stale.
 */
export function pdmContentHash(pyproject: Record<string, unknown>, algo = "sha256"): string {
    const project = table(pyproject, "project") ?? {};
    const pdm = table(table(pyproject, "tool"), "pdm") ?? {};
    const dev: Record<string, unknown> = {};
    for (const [g, items] of Object.entries(table(pyproject, "dependency-groups") ?? {})) {
        dev[pdmName(g)] = items;
    }
    for (const [g, items] of Object.entries(table(pdm, "dev-dependencies") ?? {})) {
        dev[pdmName(g)] = [...((dev[pdmName(g)] as unknown[] | undefined) ?? []), ...(Array.isArray(items) ? items : [])];
    }
    const dump = {
        sources: pdm["source"] ?? [],
        dependencies: project["dependencies"] ?? [],
        "dev-dependencies": dev,
        "optional-dependencies": project["optional-dependencies"] ?? {},
        "requires-python": project["requires-python"] ?? "",
        resolution: pdm["resolution"] ?? {},
    };
    return createHash(algo).update(pythonJson(dump), "utf8").digest("hex");
}

interface PdmPackage {
    readonly name: string;
    readonly version?: string;
    readonly groups: readonly string[];
}

/**
 * pdm.lock (lock_version 4, PDM 2.x), installed by pip from a hashed
 * requirements list the builder exports from it (export-lock.ts), as PDM's
 * own `pdm export` would write it: the packages of the selected groups
 * (PDM's inherit_metadata strategy records, for each, the groups that need
 * it and its environment marker), each with its files' hashes.
 */
function fromPdmLock(src: SourceTree, pyproject: Record<string, unknown> | undefined, notes: string[]): Dependencies {
    needPyproject("pdm.lock", pyproject, "PDM");
    const project = table(pyproject, "project");
    if (!project) {
        throw new InputError(
            "pyproject.toml",
            "The source folder has pdm.lock, but pyproject.toml has no [project] table (PEP 621), where PDM keeps the dependencies it locked; add it, run `pdm lock` and commit both files.",
        );
    }
    const lock = readToml(src, "pdm.lock", "Regenerate it with `pdm lock`.");
    const meta = table(lock, "metadata") ?? {};
    const lockVersion = meta["lock_version"];
    if (typeof lockVersion !== "string" || lockVersion.split(".")[0] !== "4") {
        throw new InputError(
            "pdm.lock",
            `pdm.lock has lock_version ${typeof lockVersion === "string" ? JSON.stringify(lockVersion) : "(none)"}, and only lock_version 4 (PDM 2) is read here; ` +
                "regenerate it with PDM 2 (`pdm lock`) and commit it.",
        );
    }
    if (!strings(meta["strategy"]).includes("inherit_metadata")) {
        throw new InputError(
            "pdm.lock",
            "pdm.lock was locked without the inherit_metadata strategy, so it does not record which group needs each package nor the environment marker under which it installs; " +
                "only a new resolution could tell, and PDM's own `pdm export` refuses such a lock too. Run `pdm lock --strategy inherit_metadata` (PDM's default since 2.11) and commit pdm.lock.",
        );
    }
    const lockPython = pdmTargets(meta);

    const name = typeof project["name"] === "string" ? normalizeName(project["name"]) : undefined;
    const pkgs: PdmPackage[] = [];
    const pins = new Map<string, string>();
    const wheels = new Map<string, readonly string[]>();
    const vcs: string[] = [];
    const paths: string[] = [];
    for (const p of Array.isArray(lock["package"]) ? (lock["package"] as unknown[]) : []) {
        const entry = table({ p }, "p");
        if (typeof entry?.["name"] !== "string") {
            continue;
        }
        const pkgName = normalizeName(entry["name"]);
        // An entry with extras only names the extras' dependencies, locked as entries of their own; the project itself installs from the source.
        if (strings(entry["extras"]).length > 0 || pkgName === name) {
            continue;
        }
        const version = typeof entry["version"] === "string" ? entry["version"] : undefined;
        const marker = typeof entry["marker"] === "string";
        pkgs.push({ name: pkgName, version, groups: strings(entry["groups"]) });
        const vcsKey = ["git", "hg", "svn", "bzr"].find((k) => typeof entry[k] === "string");
        if (vcsKey) {
            vcs.push(`pdm.lock: ${pkgName} from ${vcsKey}+${String(entry[vcsKey])}`);
            continue;
        }
        if (typeof entry["path"] === "string") {
            const rel = insidePath("pdm.lock", pkgName, entry["path"]);
            paths.push(src.isFile(rel) ? rel : `${rel}/`);
            continue;
        }
        if (typeof entry["url"] === "string" || version === undefined) {
            continue;
        }
        // Several entries of one project differ by marker (one per Python range): the unmarked one, else the first, stands for it.
        if (!pins.has(pkgName) || !marker) {
            pins.set(pkgName, version);
            const files = Array.isArray(entry["files"]) ? (entry["files"] as unknown[]) : [];
            wheels.set(
                pkgName,
                files
                    .map((f) => table({ f }, "f"))
                    .map((f) => (typeof f?.["file"] === "string" ? f["file"] : typeof f?.["url"] === "string" ? fileName(f["url"]) : ""))
                    .filter((f) => f.endsWith(".whl")),
            );
        }
    }

    const { dev, optional } = pdmGroups(pyproject!);
    const locked = Array.isArray(meta["groups"]) ? strings(meta["groups"]) : undefined;
    const lockedGroups = locked ?? [...new Set(pkgs.flatMap((p) => p.groups))];
    const requirementsOf = (group: string): string[] => (group === "default" ? strings(project["dependencies"]) : (dev.get(group) ?? optional.get(group) ?? []));
    const unlocked = (group: string): string[] => unlockedRequirements(requirementsOf(group), group, pkgs, name);
    const stale = (what: string): InputError =>
        new InputError(
            "pdm.lock",
            `pdm.lock is out of date: ${what}. Run \`pdm lock\` and commit pdm.lock (the image installs exactly what the lock holds; PDM's \`pdm install --check\` refuses this lock too).`,
        );
    if (locked !== undefined && !locked.includes("default")) {
        throw new InputError("pdm.lock", `pdm.lock was locked without the default group (its [metadata] groups are ${locked.join(", ")}), so it does not hold the project's dependencies; run \`pdm lock\` and commit pdm.lock.`);
    }
    const missing = unlocked("default");
    if (missing.length > 0) {
        throw stale(`pyproject.toml's [project] dependencies ask for ${missing.join("; ")}`);
    }
    const recorded = typeof meta["content_hash"] === "string" ? meta["content_hash"] : undefined;
    if (recorded !== undefined) {
        const [algo, digest] = recorded.includes(":") ? [recorded.slice(0, recorded.indexOf(":")), recorded.slice(recorded.indexOf(":") + 1)] : ["", ""];
        let expected: string | undefined;
        try {
            expected = pdmContentHash(pyproject!, algo);
        } catch {
            expected = undefined; // an algorithm this Node has not
        }
        if (expected !== digest) {
            notes.push(
                "pdm.lock's content_hash does not match pyproject.toml (pyproject.toml changed after `pdm lock`, or another PDM version hashed it), " +
                    "but it locks every dependency the image installs at a version pyproject.toml allows, so it is installed as locked, as `pdm sync` does; " +
                    "run `pdm lock` and commit pdm.lock to bring it up to date (`pdm install --check` refuses it until then).",
            );
        }
    }

    const sources = Array.isArray(table(table(pyproject, "tool"), "pdm")?.["source"]) ? (table(table(pyproject, "tool"), "pdm")!["source"] as unknown[]).map((x) => asTable(x) ?? {}) : [];
    const indexes = sources
        .filter((s) => typeof s["url"] === "string" && (s["type"] ?? "index") === "index")
        .sort((a, b) => Number(b["name"] === "pypi") - Number(a["name"] === "pypi"))
        .map((s) => s["url"] as string);
    if (sources.length > 0) {
        notes.push(
            "pyproject.toml's [[tool.pdm.source]] tables are given to pip as PDM reads them: the source named pypi replaces the default index, other indexes are extra indexes, find_links sources are --find-links." +
                (sources.some((s) => s["include_packages"] !== undefined || s["exclude_packages"] !== undefined)
                    ? " pip cannot restrict a source to some packages (include_packages, exclude_packages); the lock's hashes still hold every file to the one locked."
                    : ""),
        );
    }
    const refs: Array<{ name: string; file: string }> = [];
    for (const s of sources) {
        for (const n of typeof s["url"] === "string" ? envReferences(s["url"]) : []) {
            refs.push({ name: n, file: "pyproject.toml" });
        }
    }

    const byGroup = new Map<string, Set<string>>();
    for (const p of pkgs) {
        for (const g of p.groups) {
            byGroup.set(g, new Set([...(byGroup.get(g) ?? []), p.name]));
        }
    }
    const { installable, note } = pdmInstallable(pyproject!, name);
    return base(src, {
        installer: "pdm",
        manifest: "pdm.lock",
        files: ["pyproject.toml", "pdm.lock", ...new Set(paths)],
        direct: directOf(pyproject, []),
        namesFor: (chosen) => namesOfGroups(byGroup, ["default", ...chosen]),
        checkGroups: (chosen) => {
            for (const g of chosen) {
                if (!lockedGroups.includes(g)) {
                    throw new InputError(
                        "pdm.lock",
                        `The dependency group "${g}" is to be installed, but pdm.lock was locked without it (its [metadata] groups are ${lockedGroups.join(", ")}); ` +
                            `run \`pdm lock -G ${g}\` and commit pdm.lock, or leave the group out of \`dependencyGroups\`.`,
                    );
                }
                const m = unlocked(g);
                if (m.length > 0) {
                    throw stale(`pyproject.toml's dependency group "${g}" asks for ${m.join("; ")}`);
                }
            }
        },
        pins,
        wheels,
        vcs,
        installsProject: installable,
        projectNote: note,
        needsSource: false,
        pyproject,
        groups: {
            defined: [...new Set([...dev.keys(), ...optional.keys()])].sort(),
            // `pdm install` installs the dev groups the lock holds (unless --prod); optional groups only when asked for.
            defaults: [...dev.keys()].filter((g) => lockedGroups.includes(g)).sort(),
            extras: optional.size > 0 ? { names: [...optional.keys()].sort(), from: "pyproject.toml's [project.optional-dependencies]" } : undefined,
        },
        indexes,
        envReferences: refs,
        lockPython,
        notes,
    });
}

/**
 * The requirements of a group that pdm.lock does not satisfy: a project it does
 * not lock in that group (unless the requirement has a marker, which may
 * exclude every locked target), or a version outside the requirement's
 * specifier. PDM's own check (`pdm lock --check`) compares a hash of
 * pyproject.toml, which differs between PDM versions; this one reads what the
 * lock holds, as PDM's newer lock_inputs check does.
 */
function unlockedRequirements(requirements: readonly string[], group: string, pkgs: readonly PdmPackage[], self: string | undefined): string[] {
    const out: string[] = [];
    for (const item of requirements) {
        const r = pep508(item);
        if (!r || r.name === self) {
            continue; // not PEP 508 (PDM's `-e file:///${PROJECT_ROOT}/...`), or the project itself with extras
        }
        const entries = pkgs.filter((p) => p.name === r.name && p.groups.includes(group));
        if (entries.length === 0) {
            if (!r.marker) {
                out.push(`"${item}", which it does not lock${group === "default" ? "" : ` in the group ${group}`}`);
            }
            continue;
        }
        const off = r.specifier === undefined ? [] : entries.filter((p) => p.version !== undefined && !satisfiesSafely(p.version, r.specifier!));
        if (off.length > 0 && !r.marker) {
            out.push(`"${item}", but it locks ${r.name} ${off.map((p) => p.version).join(", ")}`);
        }
    }
    return out;
}

function satisfiesSafely(version: string, specifier: string): boolean {
    try {
        return satisfies(version, specifier);
    } catch {
        return true; // a specifier the parser does not read: not evidence of a stale lock
    }
}

/**
 * pdm.lock's [[metadata.targets]] (PDM 2.17+): the environments the lock was
 * resolved for. A target names a Python range and may name a platform and an
 * implementation; the image is glibc Linux CPython, so a lock made only for
 * other platforms is refused. The Python ranges of the targets it fits limit the version.
 */
function pdmTargets(meta: Record<string, unknown>): Dependencies["lockPython"] {
    const targets = (Array.isArray(meta["targets"]) ? (meta["targets"] as unknown[]) : []).map((t) => asTable(t) ?? {});
    if (targets.length === 0) {
        return undefined;
    }
    const fits = targets.filter((t) => {
        const platform = t["platform"];
        const implementation = t["implementation"];
        return (
            (platform === undefined || platform === "linux" || (typeof platform === "string" && platform.startsWith("manylinux_"))) &&
            (implementation === undefined || implementation === "cpython") &&
            t["gil_disabled"] !== true
        );
    });
    if (fits.length === 0) {
        const described = targets.map((t) => [t["platform"], t["implementation"], t["requires_python"], t["gil_disabled"] === true ? "free-threaded" : undefined].filter((x) => typeof x === "string").join(" ")).join("; ");
        throw new InputError(
            "pdm.lock",
            `pdm.lock was locked only for other environments than the image's Linux (glibc) CPython (its [[metadata.targets]]: ${described}); ` +
                "add a Linux target with `pdm lock --platform=linux --implementation=cpython --append` and commit pdm.lock.",
        );
    }
    const specs = fits.map((t) => t["requires_python"]);
    // A target without a Python range allows every version.
    return specs.every((s): s is string => typeof s === "string" && s !== "") ? { source: "pdm.lock [[metadata.targets]] requires_python", specs } : undefined;
}

/**
 * PDM installs the project itself when it is a distribution: [tool.pdm]
 * distribution (or the older package-type) says, true by default; pip needs
 * a [build-system] to build it.
 */
function pdmInstallable(pyproject: Record<string, unknown>, name: string | undefined): { installable: boolean; note?: string } {
    const pdm = table(table(pyproject, "tool"), "pdm");
    if (pdm?.["distribution"] === false) {
        return { installable: false, note: "[tool.pdm] distribution = false: the project itself is not installed." };
    }
    if (pdm?.["distribution"] === undefined && pdm?.["package-type"] === "application") {
        return { installable: false, note: '[tool.pdm] package-type = "application": the project itself is not installed.' };
    }
    if (table(pyproject, "build-system") === undefined) {
        return { installable: false, note: "pyproject.toml has no [build-system]: the project itself is not installed." };
    }
    if (name === undefined) {
        return { installable: false, note: "pyproject.toml's [project] has no name: the project itself is not installed." };
    }
    return { installable: true };
}

/** A requirements line no Linux pip can install: a name no index has for Linux, or a file URL outside the build context. */
type UninstallableLine = { readonly file: string; readonly number: number; readonly line: string } & ({ readonly name: string } | { readonly url: string });

/**
 * What a `pip freeze` made elsewhere leaves that the image's install cannot
 * take, refused before the build with the lines and the fix: Debian's
 * `pkg-resources==0.0.0`, Windows-only distributions pinned with no marker,
 * backports to Pythons older than the image's (backports.zoneinfo) with none,
 * and `name @ file:///...` folders of the machine that ran it (a conda
 * environment writes these). Lines with a marker Linux does not meet are
 * never read as installed, so never reach here.
 */
function refuseUninstallable(found: readonly UninstallableLine[]): void {
    if (found.length === 0) {
        return;
    }
    const at = (l: UninstallableLine) => `${l.file}, line ${l.number}: ${JSON.stringify(l.line)}`;
    const list = (ls: readonly UninstallableLine[]) => (ls.length <= 3 ? ls.map(at).join("; ") : `${ls.slice(0, 3).map(at).join("; ")} and ${ls.length - 3} more like them`);
    const sentences: string[] = [];
    const debian = found.filter((l) => "name" in l && l.name === DEBIAN_FREEZE_ARTIFACT);
    if (debian.length > 0) {
        sentences.push(
            `${list(debian)}: no package index has pkg-resources; Debian and Ubuntu's pip lists it in \`pip freeze\` from a venv (it is setuptools' own pkg_resources), and pip in the image cannot install it. ` +
                "Delete the line (`pip freeze --exclude pkg-resources` leaves it out).",
        );
    }
    const windows = found.filter((l): l is UninstallableLine & { name: string } => "name" in l && WINDOWS_ONLY_DISTRIBUTIONS.has(l.name));
    if (windows.length > 0) {
        const why = [...new Set(windows.map((l) => `${l.name} ${WINDOWS_ONLY_DISTRIBUTIONS.get(l.name)!}`))].join("; ");
        sentences.push(
            `${list(windows)}: ${why}, so pip in the image (Linux) cannot install ${windows.length > 1 ? "them" : "it"} (a Windows \`pip freeze\` writes such pins). ` +
                `Add \`; sys_platform == "win32"\` to ${windows.length > 1 ? "each of those lines" : "the line"} (\`${windows[0].line.split(";")[0].trim()} ; sys_platform == "win32"\`), which pip on Windows still installs, or delete ${windows.length > 1 ? "them" : "it"} if the app does not need ${windows.length > 1 ? "them" : "it"}.`,
        );
    }
    const backports = found.filter((l): l is UninstallableLine & { name: string } => "name" in l && OLD_PYTHON_BACKPORTS.has(l.name));
    if (backports.length > 0) {
        const why = [...new Set(backports.map((l) => `${l.name} ${OLD_PYTHON_BACKPORTS.get(l.name)!}`))].join("; ");
        sentences.push(
            `${list(backports)}: ${why} (a \`pip freeze\` made on an old Python writes such pins). ` +
                `Add \`; python_version < "3.9"\` to ${backports.length > 1 ? "each of those lines" : "the line"} (\`${backports[0].line.split(";")[0].trim()} ; python_version < "3.9"\`), or delete ${backports.length > 1 ? "them" : "it"}.`,
        );
    }
    const files = found.filter((l): l is UninstallableLine & { url: string } => "url" in l);
    if (files.length > 0) {
        const conda = files.some((l) => CONDA_BUILD_PATHS.some((p) => l.url.replace(/^file:(\/\/[^/]*)?/, "").includes(p)));
        sentences.push(
            `${list(files)}: ${files.length > 1 ? "these install from folders" : "this installs from a folder"} on the machine that wrote the file, outside the source folder, and the source folder is all the build can see. ` +
                (conda
                    ? "`pip freeze` in a conda environment writes these file:// lines for the packages conda installed (the folders are on conda's build machines): write the versions instead with `pip list --format=freeze > requirements.txt`."
                    : "Move or vendor the dependency into the source folder and name it by a relative path, or publish it to a package index and depend on it by version."),
        );
    }
    throw new InputError(found[0].file, sentences.join(" "));
}

/**
 * A pip requirements file (`root`, requirements.txt unless the source has only a requirements/ folder) and every file it
 * pulls in with -r/-c, depth first, read with pip-requirements-js. Errors: a line pip would refuse, an include the source lacks, two
 * pins of one project, hashes on some lines only.
 */
function fromRequirements(
    src: SourceTree,
    pyproject: Record<string, unknown> | undefined,
    notes: string[],
    root = "requirements.txt",
): Dependencies {
    const files: string[] = [];
    const indexOptions: string[] = [];
    const names = new Set<string>();
    const pins = new Map<string, string>();
    const specifiers = new Map<string, string>();
    const extras = new Map<string, Set<string>>();
    const vcs: string[] = [];
    const unreachable: UninstallableLine[] = [];
    const pipOnly: string[] = [];
    const noBinary = new Set<string>();
    const indexUrls = new Set<string>();
    let requireHashes = false;
    // For the checks pip would fail the build on: requirement lines without a hash (hash-checking mode), and exact pins of one
    // project without a marker, in requirements and constraints alike.
    const unhashed: string[] = [];
    const hashed: string[] = [];
    const exactPins = new Map<string, { pin: string; at: string }>();
    const conflicts: string[] = [];
    let needsSource = false;
    let installsSelf = false;

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
        let lines: ReturnType<typeof parseRequirements>;
        try {
            lines = parseRequirements(src.read(file));
        } catch (e) {
            if (e instanceof RequirementsError) {
                throw new InputError(file, `${file}, ${e.message}: ${JSON.stringify(e.line)}. Fix the line; pip would refuse it too.`);
            }
            throw e;
        }
        for (const r of lines) {
            const onlyPip = pipOnlyReason(r, indexUrls);
            if (onlyPip !== undefined) {
                pipOnly.push(`${file}: ${r.line} (${onlyPip})`);
            }
            if ((r.kind === "option" && r.option === "--require-hashes") || (r.kind !== "option" && r.kind !== "include" && (r.options ?? []).includes("--hash"))) {
                requireHashes = true;
            }
            const at = `${file}: ${splitRequirementOptions(r.line).requirement}`;
            if (!constraints && (r.kind === "name" || r.kind === "url" || r.kind === "path") && !("marker" in r && r.marker !== undefined)) {
                ((r.options ?? []).includes("--hash") ? hashed : unhashed).push(at);
            }
            const exact = r.kind === "name" && r.marker === undefined ? pinnedVersion(r) : undefined;
            if (r.kind === "name" && exact !== undefined) {
                const other = exactPins.get(normalizeName(r.name));
                if (other === undefined) {
                    exactPins.set(normalizeName(r.name), { pin: exact, at });
                } else if (comparePep440(other.pin, exact) !== 0) {
                    conflicts.push(`${other.at} and ${at}`);
                }
            }
            switch (r.kind) {
                case "include":
                    visit(resolveInclude(file, dir, r.file), file, constraints || r.constraints);
                    break;
                case "path":
                    if (r.path.startsWith("/") || r.path.startsWith("../") || r.path === ".." || r.path.startsWith("file:")) {
                        throw new InputError(
                            file,
                            `${file} installs the path ${JSON.stringify(r.path)}, which is outside the source folder, and the source folder is all the build can see ` +
                                "(it must also hold the manifest): move or vendor the dependency into the source folder, or publish it to a package index and depend on it by version.",
                        );
                    }
                    // A package folder of the app's (`-e ./libs/shared`): copied with the manifests, so a code change elsewhere does not reinstall everything.
                    // pip takes the path from its working folder, the source folder's copy in the image.
                    if (!constraints && r.path !== "." && r.path !== "./") {
                        const local = joinPath("", r.path);
                        if (local !== undefined && local !== "" && !local.startsWith("/") && src.exists(local) && /^[A-Za-z0-9._/-]+$/.test(local)) {
                            const entry = src.isFile(local) ? local : `${local}/`;
                            if (!files.includes(entry)) {
                                files.push(entry);
                            }
                            break;
                        }
                    }
                    if (!constraints) {
                        needsSource = true;
                        if (r.path === "." || r.path === "./") {
                            // The project itself: its own requirements (and pins), and those of the extras asked for (`.[server]`), are installed too.
                            installsSelf = true;
                            const optional = pyproject && table(pyproject, "project") ? projectExtras(pyproject) : setupExtras(src).extras;
                            const wanted = r.extras.map(normalizeName);
                            const own = [...projectRequirements(src, pyproject), ...[...optional].filter(([k]) => wanted.includes(normalizeName(k))).flatMap(([, v]) => v)];
                            for (const d of own) {
                                const p = pep508(d);
                                if (p) {
                                    names.add(p.name);
                                    addExtras(extras, p.name, p.extras);
                                    if (p.pin && !pins.has(p.name)) {
                                        pins.set(p.name, p.pin);
                                    }
                                    if (p.specifier && !specifiers.has(p.name)) {
                                        specifiers.set(p.name, p.specifier);
                                    }
                                }
                            }
                        }
                    }
                    break;
                case "url":
                    // A marker no Linux CPython meets (`appnope @ https://... ; sys_platform == "darwin"`): pip never installs it here.
                    if (r.marker !== undefined && markerHolds(r.marker, linuxMarkers()) === false) {
                        break;
                    }
                    if (r.vcs) {
                        vcs.push(`${file}: ${r.line}`);
                    }
                    // An absolute file URL (`name @ file:///home/...`, as pip freeze writes it): a folder of the machine that wrote it.
                    if (!constraints && r.url.startsWith("file://")) {
                        unreachable.push({ file, number: r.number, line: r.line, url: r.url });
                    }
                    if (r.name && !constraints) {
                        names.add(normalizeName(r.name));
                    }
                    break;
                case "name": {
                    const n = normalizeName(r.name);
                    // A marker no Linux CPython meets (`sys_platform == "win32"`): pip never installs it here.
                    if (r.marker !== undefined && markerHolds(r.marker, linuxMarkers()) === false) {
                        break;
                    }
                    // Lines split by Python (`numpy==2.1.3 ; python_version >= "3.13"` and `numpy==1.26.4 ; python_version < "3.13"`):
                    // the one the default Python takes is the pin, whatever their order; one it does not take only fills a gap.
                    if (!constraints && (n === DEBIAN_FREEZE_ARTIFACT || WINDOWS_ONLY_DISTRIBUTIONS.has(n) || (OLD_PYTHON_BACKPORTS.has(n) && r.marker === undefined))) {
                        unreachable.push({ file, number: r.number, line: r.line, name: n });
                    }
                    const atDefault = r.marker === undefined || markerHolds(r.marker, linuxMarkers(DEFAULT_PYTHON)) !== false;
                    const pin = pinnedVersion(r);
                    if (pin && (atDefault || !pins.has(n))) {
                        pins.set(n, pin);
                    }
                    if (!constraints) {
                        names.add(n);
                        addExtras(extras, n, r.extras.map(normalizeName));
                        if (r.specifiers.length > 0 && (atDefault || !specifiers.has(n))) {
                            specifiers.set(n, r.specifiers.map((x) => `${x.operator}${x.version}`).join(","));
                        }
                    }
                    break;
                }
                case "option": {
                    // pip's --no-binary: a comma-separated list, where :all: names every project and :none: clears the list.
                    if (r.option === "--no-binary") {
                        for (const name of (r.value ?? "").split(",").map((n) => n.trim())) {
                            if (name === ":none:") {
                                noBinary.clear();
                            } else if (name !== "") {
                                noBinary.add(name === ":all:" ? name : normalizeName(name));
                            }
                        }
                    }
                    const index = INDEX_OPTIONS[r.option];
                    if (index !== undefined && (r.value !== undefined) === (index !== "--no-index")) {
                        indexOptions.push(r.value === undefined ? index : `${index} ${r.value}`);
                    }
                    // --find-links to a folder of the app (vendored wheels): pip reads it during the install, so it goes in with the manifests.
                    // pip takes a relative path from the requirements file's folder when it is there (its req_file handling).
                    const value = r.option === "-f" || r.option === "--find-links" ? r.value : undefined;
                    if (value === undefined || value.includes("://") || value.startsWith("file:")) {
                        break;
                    }
                    const folder = [dir + value, value].map((v) => joinPath("", v)).find((v) => v !== undefined && !v.startsWith("/") && src.exists(v) && !src.isFile(v));
                    if (folder === undefined) {
                        notes.push(`${file}'s ${r.option} ${value} names no folder inside the source folder; pip will not find packages there in the build.`);
                    } else {
                        if (!files.includes(`${folder}/`)) {
                            files.push(`${folder}/`);
                        }
                        indexOptions[indexOptions.length - 1] = `--find-links ${folder}`;
                    }
                    break;
                }
                default:
                    break; // pip options such as --index-url: pip reads them itself
            }
        }
    };
    visit(root, undefined, false);
    refuseUninstallable(unreachable);
    if (conflicts.length > 0) {
        throw new InputError(
            root,
            `The requirements files pin one project to two versions (${conflicts.join("; ")}); pip and uv both refuse to install them (no version satisfies both). Keep one pin.`,
        );
    }
    if (requireHashes && hashed.length > 0 && unhashed.length > 0) {
        const list = unhashed.length <= 3 ? unhashed.join("; ") : `${unhashed.slice(0, 3).join("; ")} and ${unhashed.length - 3} more`;
        throw new InputError(
            root,
            `${list} ${unhashed.length === 1 ? "has" : "have"} no --hash, while other requirement lines do (${hashed[0]}...): pip installs in hash-checking mode once any requirement has a hash, and refuses one without (uv is asked for the same). ` +
                "Hash every line (pip-compile --generate-hashes, or uv pip compile --generate-hashes), or drop the hashes.",
        );
    }
    if (needsSource) {
        notes.push(
            `${root} installs a local path (-e or ./), so dependencies install after the source is copied; ` +
                "a code change reinstalls them.",
        );
    }
    // A src-layout package beside a pinned requirements.txt: the requirements pin, the project must still be installed.
    const project = table(pyproject, "project");
    const srcLayout = hasSrcLayout(src);
    const installsProject = !needsSource && srcLayout && project !== undefined && table(pyproject, "build-system") !== undefined;
    return base(src, {
        installer: "pip",
        manifest: root,
        files: installsProject ? [...files, "pyproject.toml"] : files,
        direct: names,
        namesFor: () => names,
        pins,
        specifiers,
        extras,
        vcs,
        installsProject,
        installsSelf,
        projectNote: installsProject ? "The code is in src/ and pyproject.toml can build it: the project is installed (without dependencies) after the pinned requirements." : undefined,
        needsSource,
        pyproject,
        envReferences: envRefsIn(src, files),
        indexOptions,
        pipOnly,
        requireHashes,
        noBinary,
        notes,
    });
}

/**
 * The options uv's pip interface reads in a requirements file as pip does (its requirements-txt parser):
 * anything else it refuses, or ignores with a warning (`--trusted-host`, `--pre`, `--prefer-binary`).
 * `--extra-index-url` and `--find-links` are read, but an index or page that does not answer fails
 * uv's whole install where pip warns and goes on with the others (pip-compile writes the index options
 * of the machine that compiled, which the build may not reach): those keep pip.
 */
const UV_READS = new Set(["-i", "--index-url", "--no-index", "--require-hashes", "--no-binary", "--only-binary"]);
/** The per-requirement options uv reads as pip does (its parser takes `--config-settings` too, but not every uv release). */
const UV_READS_AFTER = new Set(["--hash"]);

/** Why uv's pip interface would not install this line as pip does, if it would not. */
function pipOnlyReason(r: RequirementLine, indexUrls: Set<string>): string | undefined {
    switch (r.kind) {
        case "option": {
            if (r.option === "--extra-index-url" || r.option === "-f" || r.option === "--find-links") {
                return (r.value ?? "").includes("://") || r.option === "--extra-index-url" ? "uv fails where pip skips an index that does not answer" : "a --find-links folder";
            }
            if (!UV_READS.has(r.option)) {
                return `uv does not read ${r.option}`;
            }
            // pip takes a comma-separated list (`--no-binary=lxml,xmlsec`); uv one name per option.
            if ((r.option === "--no-binary" || r.option === "--only-binary") && (r.value ?? "").includes(",")) {
                return `uv takes one name per ${r.option}`;
            }
            if (r.option === "-i" || r.option === "--index-url") {
                indexUrls.add(r.value ?? "");
                return indexUrls.size > 1 ? "a second --index-url, which uv refuses" : undefined;
            }
            return undefined;
        }
        case "url":
            if (r.editable) {
                return "uv installs only local folders editable";
            }
            break;
        case "include":
            return undefined;
        default:
            break;
    }
    const other = (r.options ?? []).find((o) => !UV_READS_AFTER.has(o));
    return other === undefined ? undefined : `uv does not read ${other}`;
}

/** pip's options that say where packages come from, by every spelling, with their long names. */
const INDEX_OPTIONS: Readonly<Record<string, string>> = byName({
    "-i": "--index-url",
    "--index-url": "--index-url",
    "--extra-index-url": "--extra-index-url",
    "-f": "--find-links",
    "--find-links": "--find-links",
    "--no-index": "--no-index",
    // An index on plain HTTP (or a certificate pip does not check): the later installs must trust it too.
    "--trusted-host": "--trusted-host",
});

/** [project].dependencies and Poetry's [tool.poetry.dependencies] of the root and of workspace members. */
function directOf(pyproject: Record<string, unknown> | undefined, members: ReadonlyArray<Record<string, unknown>>): Set<string> {
    const out = new Set<string>();
    for (const pp of [pyproject, ...members]) {
        for (const d of strings(table(pp, "project")?.["dependencies"])) {
            const r = pep508(d);
            if (r) {
                out.add(r.name);
            }
        }
        for (const k of Object.keys(table(table(table(pp, "tool"), "poetry"), "dependencies") ?? {})) {
            if (k !== "python") {
                out.add(normalizeName(k));
            }
        }
    }
    return out;
}

/** The Pipfile's [packages] names, when there is a readable Pipfile. */
function pipfilePackages(src: SourceTree): Set<string> | undefined {
    const text = src.readIfFile("Pipfile");
    if (text === undefined) {
        return undefined;
    }
    try {
        return new Set(Object.keys(table(parseToml(text), "packages") ?? {}).map(normalizeName));
    } catch {
        return undefined;
    }
}

/**
 * The requirements a setuptools project declares without running its
 * setup.py: setup.cfg's [options] install_requires, else the
 * install_requires= of the setup() call in setup.py (a list, or a name bound
 * to one), read with the Python parser.
 */
function setupRequirements(src: SourceTree): string[] | undefined {
    const cfg = src.readIfFile("setup.cfg");
    if (cfg !== undefined) {
        const reqs = readIni(cfg).get("options")?.get("install_requires");
        if (reqs !== undefined) {
            return reqs.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
        }
    }
    const py = src.readIfFile("setup.py");
    if (py !== undefined) {
        const list = strList(setupKeyword(py, "install_requires"));
        if (list !== undefined) {
            return list;
        }
    }
    return undefined;
}

/**
 * A keyword argument of setup.py's setup() call, read with the Python parser
 * without running it: the expression written there, or the value of the
 * top-level name written there. Undefined when there is no such call or keyword.
 */
export function setupKeyword(setupPy: string, key: string): Expr | undefined {
    const mod = parseModule(setupPy);
    const call = mod.calls.find((c) => ["setup", "setuptools.setup", "distutils.core.setup"].includes(calleeOf(c) ?? ""));
    const value = call?.kwargs[key];
    return value?.kind === "ref" ? (mod.value(value.path) ?? value) : value;
}


/**
 * A setuptools project's extras without running its setup.py: setup.cfg's
 * [options.extras_require] (`name = requirements`, one a line or separated
 * by `;`... as setuptools reads them: a line each), else the extras_require=
 * dict of the setup() call (lists of strings, or one string). `from` says
 * where, for the plan's notes.
 */
function setupExtras(src: SourceTree): { extras: Map<string, string[]>; from: string } {
    const cfg = src.readIfFile("setup.cfg");
    const section = cfg === undefined ? undefined : readIni(cfg).get("options.extras_require");
    if (section !== undefined) {
        const declared = new Map([...section].map(([k, v]) => [k, v.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"))]));
        return { extras: expandExtras(declared, setupName(src)), from: "setup.cfg's [options.extras_require]" };
    }
    const py = src.readIfFile("setup.py");
    const dict = py === undefined ? undefined : setupKeyword(py, "extras_require");
    const declared = new Map<string, string[]>();
    if (dict?.kind === "dict") {
        for (const [k, v] of dict.entries) {
            const key = str(k);
            const one = str(v);
            const list = one !== undefined ? [one] : strList(v);
            if (key !== undefined && list !== undefined) {
                declared.set(key, list);
            }
        }
    }
    return { extras: expandExtras(declared, setupName(src)), from: "setup.py's extras_require" };
}

/** The setuptools project's name (setup.cfg's [metadata] name, else setup.py's name=), PEP 503-normalized. */
function setupName(src: SourceTree): string | undefined {
    const cfg = src.readIfFile("setup.cfg");
    const fromCfg = cfg === undefined ? undefined : readIni(cfg).get("metadata")?.get("name");
    const py = src.readIfFile("setup.py");
    const name = fromCfg ?? (py === undefined ? undefined : str(setupKeyword(py, "name")));
    return name === undefined ? undefined : normalizeName(name);
}

/** The project's own requirements: [project].dependencies, else setup.cfg/setup.py's install_requires. */
function projectRequirements(src: SourceTree, pyproject: Record<string, unknown> | undefined): string[] {
    const declared = table(pyproject, "project")?.["dependencies"];
    return Array.isArray(declared) ? strings(declared) : (setupRequirements(src) ?? []);
}

/** A setuptools project (setup.py or setup.cfg): pip installs it, with its dependencies, from the source. */
function fromSetup(src: SourceTree, pyproject: Record<string, unknown> | undefined, notes: string[]): Dependencies {
    const manifest = src.isFile("setup.cfg") && setupRequirements(src) !== undefined && !src.isFile("setup.py") ? "setup.cfg" : src.isFile("setup.py") ? "setup.py" : "setup.cfg";
    constraintsNote(src, manifest, notes);
    const names = new Set<string>();
    const pins = new Map<string, string>();
    const extras = new Map<string, Set<string>>();
    const vcs: string[] = [];
    const reqs = setupRequirements(src);
    for (const d of reqs ?? []) {
        const r = pep508(d);
        if (r) {
            names.add(r.name);
            addExtras(extras, r.name, r.extras);
            if (r.pin) {
                pins.set(r.name, r.pin);
            }
            if (r.url && isVcsUrl(r.url)) {
                vcs.push(`${manifest}: ${d}`);
            }
        }
    }
    if (reqs === undefined) {
        notes.push(`${manifest}'s install_requires could not be read without running it; pip reads it at build time, but the package could not check the app's pins.`);
    }
    notes.push(`A setuptools project (${manifest}): pip installs it and its dependencies after the source is copied, so a code change reinstalls them; a requirements.txt of pinned dependencies would let them install first and stay cached.`);
    const optional = setupExtras(src);
    const requirementsOf = (chosen: readonly string[]): string[] => chosen.flatMap((g) => optional.extras.get(g) ?? []);
    const deps = base(src, {
        installer: "pip",
        manifest,
        files: [],
        direct: names,
        namesFor: (chosen) => new Set([...names, ...requirementsOf(chosen).flatMap((d) => pep508(d)?.name ?? [])]),
        pins,
        extras,
        vcs,
        installsProject: false,
        installsSelf: true,
        needsSource: true,
        pyproject,
        groups: { defined: [...optional.extras.keys()], defaults: [], extras: optional.extras.size > 0 ? { names: [...optional.extras.keys()], from: optional.from } : undefined },
        notes,
    });
    return { ...deps, withGroups: (chosen) => ({ ...deps, ...counting(deps, requirementsOf(chosen)) }) };
}

/** What a manifest's requirements say, gathered by record(). */
interface Recorded {
    readonly names: Set<string>;
    readonly pins: Map<string, string>;
    readonly specifiers: Map<string, string>;
    readonly extras: Map<string, Set<string>>;
    readonly vcs: string[];
}

function recorded(): Recorded {
    return { names: new Set(), pins: new Map(), specifiers: new Map(), extras: new Map(), vcs: [] };
}

/** A parsed PEP 508 requirement of `file` (written as `line`): its name, extras, pin, specifier, and the line when it installs from version control. */
function record(into: Recorded, r: NonNullable<ReturnType<typeof pep508>>, line: string, file: string): void {
    into.names.add(r.name);
    addExtras(into.extras, r.name, r.extras);
    if (r.pin) {
        into.pins.set(r.name, r.pin);
    }
    if (r.specifier) {
        into.specifiers.set(r.name, r.specifier);
    }
    if (r.url && isVcsUrl(r.url)) {
        into.vcs.push(`${file}: ${line}`);
    }
}

function addExtras(extras: Map<string, Set<string>>, name: string, add: readonly string[]): void {
    if (add.length > 0) {
        extras.set(name, new Set([...(extras.get(name) ?? []), ...add]));
    }
}

function envRefsIn(src: SourceTree, files: readonly string[]): Array<{ name: string; file: string }> {
    const out: Array<{ name: string; file: string }> = [];
    for (const f of files) {
        if (!f.endsWith(".txt")) {
            continue; // pip expands ${VAR} in requirements files only
        }
        for (const n of envReferences(src.read(f))) {
            out.push({ name: n, file: f });
        }
    }
    return out;
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

/** The projects a lock's groups install, by group name (Poetry's "main", PDM's "default", and the chosen ones). */
function namesOfGroups(byGroup: ReadonlyMap<string, Iterable<string>>, groups: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const g of groups) {
        for (const n of byGroup.get(g) ?? []) {
            out.add(n);
        }
    }
    return out;
}
