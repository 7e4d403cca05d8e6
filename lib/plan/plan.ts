import { parse as parseToml } from "smol-toml";
import { satisfies } from "@renovatebot/pep440";
import { BaseFlavor, baseImageFor, flavorOf, pythonOfKnownImage, releaseOfImage } from "../data/base-images";
import { DEFAULTS, IMAGE_SET_VARIABLES } from "../data/defaults";
import { AppInterface, Framework } from "../data/frameworks";
import { installedVersion, installsReleaseIn } from "../data/releases";
import { IMPORTS_PKG_RESOURCES, newerPython } from "../data/python-support";
import { DistroRelease, GEODJANGO, NATIVE_LIBRARIES, NATIVE_LIBRARIES_FROM_SDIST, PULLS_IN } from "../data/native-libraries";
import { hasWheel, latestRelease } from "../data/wheel-coverage";
import { celeryBrokers, importTimeSchedulers } from "../detect/background";
import { Dependencies, detectDependencies, fromRequirementsFile, Installer, normalizeName, RequirementsInstaller, table } from "../detect/dependencies";
import { missingFlaskConfigs } from "../detect/flask-build";
import { missingModules } from "../detect/missing-modules";
import { buildHookRunningNpm } from "../detect/frontend";
import { detectEntrypoint, Entrypoint, importRoots, servedRoots } from "../detect/entrypoint";
import { importTimeEnv } from "../detect/import-env";
import { developmentConfigChoice } from "../detect/flask-config-choice";
import { EnvView } from "../detect/python-eval";
import { calleeOf, dictGet, exprText, str } from "../detect/python-source";
import { commandLineParser, inProcessStore, perProcessState } from "../detect/process-state";
import { signingKeys } from "../detect/secret-key";
import { publicCertificates } from "../detect/certificates";
import { detectPythonFacts, PythonFacts } from "../detect/python-version";
import { SourceTree } from "../detect/source";
import { devServerCall, ImportRoot, moduleReader } from "../detect/app-code";
import { programsTheCodeRuns } from "../detect/programs";
import { PROGRAM_PACKAGES } from "../data/programs";
import { DockerfileSelection, dockerfileRuns, dockerfileSelection, dockerfileSystemPackages, readContainerConfig } from "../detect/container";
import { readPlatformEnv, renderCheckPath } from "../detect/procfile";
import { detectWritablePaths, ENV_DIRS, kindOf, MODEL_DIRS, WritablePath } from "../detect/writable-paths";
import { joinPath } from "../detect/paths";
import { InputError } from "../errors";
import { APT_PACKAGE, DOTTED_NAME, IDENTIFIER, URL_PATH } from "../validate";
import { CheckedOptions, checkOptions, ImageOptions, SynthesizeOptions } from "./options";
import { choosePython } from "./python";
import { placePidfile, planServer, ServerPlan } from "./server";
import { refuseUnrunnableScripts } from "./scripts";
import { planRelease, planBuildSteps, BuildStep, ReleasePlan } from "./steps";
import { planWritablePaths, WritablePathPlan } from "./writable";
import { BytecodePlan } from "./bytecode";
import { byName } from "../data/by-name";

export type { ImageOptions, SynthesizeOptions };

/**
 * What was detected and decided, with where each decision came from. Public
 * output (`synth --plan`, the components' `plan` and `planJson`): keys are
 * added, never renamed.
 */
export interface Plan {
    readonly framework: Framework;
    readonly entrypoint: { readonly spec: string; readonly interface: AppInterface; readonly source: string };
    readonly installer: Installer;
    /**
     * For a requirements.txt app: what runs the install, uv's pip interface or pip, and why (see the
     * `requirementsInstaller` option). Absent for other manifests.
     */
    readonly requirementsInstaller?: {
        readonly tool: RequirementsInstaller;
        readonly reason: string;
        /** A line has `--hash`: uv is asked for pip's hash-checking mode (`--require-hashes`: every requirement pinned and hashed). */
        readonly requireHashes?: boolean;
    };
    /** Files copied before the source and read by the install step. */
    readonly manifests: readonly string[];
    readonly manifest: string;
    readonly installsProject: boolean;
    /** Dependencies install after the source is copied (local path requirements). */
    readonly needsSource: boolean;
    /**
     * Where the source enters the image. "runner": copied straight into the
     * final stage (`COPY --link`), so a source change rebuilds one layer and
     * nothing in the builder. "builder": the builder needs it (the project
     * installs, a requirement is a local path, build steps run on it), and
     * the runner copies the builder's result.
     */
    readonly sourceInto: "runner" | "builder";
    /** Whether the app's own modules are compiled to bytecode in the image, and why (the venv's always are). */
    readonly bytecode: BytecodePlan;
    /** How the installer is asked: dependency groups, the workspace member, the version variable for VCS-versioned projects. */
    readonly dependencies: {
        /** Dependency groups installed besides the main dependencies (a project's extras among them). */
        readonly groups: readonly string[];
        /** Which of `groups` are the project's extras (PEP 621 optional-dependencies, setuptools' extras_require), installed with the main dependencies. */
        readonly extras: readonly string[];
        /** uv workspace: the member served (`uv sync --package`), and whether the root has members to skip in the first sync. */
        readonly workspacePackage?: string;
        readonly workspace: boolean;
        /** Package indexes a lock file names, first the primary (Pipfile.lock). */
        readonly indexes: readonly string[];
        /** pip's index options from the requirements files (`--index-url URL`...): the installs after the first use them too. */
        readonly indexOptions: readonly string[];
        /** Requirements files pip installs with pyproject.toml's dependencies (setuptools' dynamic dependencies). */
        readonly requirementFiles?: readonly string[];
        /** The build-backend plugin that reads the version from VCS metadata, and the variable that stands in for it. */
        readonly scmVersion?: { readonly plugin: string; readonly env: string; readonly writeTo?: string };
        /** uv.lock installs with `uv sync --frozen` (locked for another version of the project, with its requirements unchanged); else `--locked`. */
        readonly uvFrozen?: boolean;
        /** A single-file app's PEP 723 dependencies (its file, and the PEP 508 requirements the Dockerfile lists for pip). */
        readonly inlineScript?: { readonly file: string; readonly requirements: readonly string[]; readonly block: readonly string[]; readonly lock?: string };
    };
    readonly python: { readonly version: string; readonly source: string };
    readonly baseImage: { readonly image: string; readonly flavor: BaseFlavor; readonly reason: string; readonly release?: DistroRelease };
    readonly server: ServerPlan & {
        /** gunicorn's working folder in the image. */
        readonly chdir?: string;
        /** Folders on gunicorn's Python path in the image. */
        readonly pythonPath: readonly string[];
    };
    readonly user: { readonly name: string; readonly uid: number; readonly gid: number };
    readonly apt: { readonly build: readonly string[]; readonly runtime: readonly string[] };
    /** Steps run in the builder after the source is copied (collectstatic, compilemessages, `buildCommands`). */
    readonly buildSteps: readonly BuildStep[];
    /** Non-secret environment and secret names for the build steps (and the project install). */
    readonly buildEnv: Readonly<Record<string, string>>;
    readonly buildSecrets: readonly string[];
    /** What PythonApp runs once per deploy before the new container takes traffic. */
    readonly release?: ReleasePlan;
    /**
     * Environment the runner stage sets for every process of the image (the
     * server, the release step, `docker exec`): Django's DJANGO_SETTINGS_MODULE
     * when manage.py defaults to other settings than the server's.
     */
    readonly imageEnv: Readonly<Record<string, string>>;
    /** Paths the app writes, created owned by the app's user; data persists, scratch does not. */
    readonly writablePaths: readonly WritablePathPlan[];
    readonly healthCheck?: { readonly path: string };
    readonly syntax?: string;
    readonly installSecrets: readonly string[];
    readonly caBundle: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly ignore: readonly string[];
    /** `.pem` files of certificates only (a CA bundle), relative to the source folder: re-included after the .dockerignore's `**\/*.pem`. */
    readonly keptCertificates: readonly string[];
    readonly notes: readonly string[];
}

/**
 * The plan as text: 2-space indented JSON with a trailing newline, as
 * `synth --plan` prints it, `synth --out` writes plan.json, and the
 * components' `planJson` output holds it.
 */
export function planJson(plan: Plan): string {
    return JSON.stringify(plan, null, 2) + "\n";
}

/** Django Channels' default layer backend, as the settings name it (CHANNEL_LAYERS = {"default": {"BACKEND": ...}}). */
function channelLayerOf(entry: Entrypoint): { backend: string; file: string; switchedBy: readonly string[] } | undefined {
    const s = entry.django?.settings;
    const backend = str(dictGet(dictGet(s?.get("CHANNEL_LAYERS"), "default"), "BACKEND"));
    const file = s?.sourceOf("CHANNEL_LAYERS");
    // `if os.environ.get("REDIS_URL"): ... else: InMemoryChannelLayer`: the variables that choose the layer.
    return backend !== undefined && file !== undefined ? { backend, file, switchedBy: s?.whenSet("CHANNEL_LAYERS")?.variables ?? [] } : undefined;
}

/** The function gunicorn calls to make the app (`module:create_app()`), when the spec is a call. */
function factoryName(spec: string): string | undefined {
    const attr = spec.split(":")[1] ?? "";
    const paren = attr.indexOf("(");
    return paren > 0 && attr.endsWith(")") ? attr.slice(0, paren) : undefined;
}

/** Dependency groups that hold what production runs, when nothing names the groups. */
const PRODUCTION_GROUPS = ["prod", "production", "deploy"];

/** Dependency groups (normalized names) that hold development tools: left out even where the app's own Dockerfile installs them. */
const DEVELOPMENT_GROUPS = ["dev", "develop", "development", "test", "tests", "testing", "lint", "linting", "docs", "doc", "typing", "types", "mypy"];

/** pip's settings that uv reads under its own names: an install secret of one is mounted under both. */
export const UV_NAMES_OF_PIP_SETTINGS: Readonly<Record<string, string>> = byName({ PIP_INDEX_URL: "UV_INDEX_URL", PIP_EXTRA_INDEX_URL: "UV_EXTRA_INDEX_URL" });

/**
 * uv's pip interface or pip for a requirements.txt app: uv unless the option says pip, a line of the files is one
 * only pip reads, or an install secret is a pip setting uv has no name for. Errors: the option says uv and one of
 * those holds.
 */
function chooseRequirementsInstaller(deps: Dependencies, o: CheckedOptions, notes: string[]): Plan["requirementsInstaller"] {
    if (!fromRequirementsFile(deps)) {
        return undefined;
    }
    if (o.requirementsInstaller === "pip") {
        return { tool: "pip", reason: "the requirementsInstaller option" };
    }
    const lines = deps.pipOnly ?? [];
    const secrets = o.installSecrets.filter((n) => n.startsWith("PIP_") && UV_NAMES_OF_PIP_SETTINGS[n] === undefined);
    const blockers = [
        ...lines,
        ...secrets.map((n) => `the install secret ${n} (a pip setting uv does not read)`),
    ];
    if (blockers.length === 0) {
        const reason = o.requirementsInstaller === "uv" ? "the requirementsInstaller option" : "every line of the requirements files is one uv's pip interface reads as pip does";
        return { tool: "uv", reason, ...(deps.requireHashes ? { requireHashes: true } : {}) };
    }
    if (o.requirementsInstaller === "uv") {
        throw new InputError(
            "`requirementsInstaller`",
            `\`requirementsInstaller\` is "uv", but uv's pip interface would not install as pip does: ${blockers.join("; ")}. ` +
                'Remove that from the requirements files or the install secrets, or set `requirementsInstaller: "pip"`.',
        );
    }
    notes.push(`pip installs the requirements, not uv's faster pip interface: ${blockers.join("; ")}. Without ${blockers.length > 1 ? "those" : "that"}, uv would.`);
    return { tool: "pip", reason: `only pip reads ${blockers.join("; ")}` };
}

/** The plan but for what depends on the build context's contents (the .dockerignore is rendered from this). */
export type PlanBeforeContext = Omit<Plan, "bytecode">;

export function makePlan(src: SourceTree, options: SynthesizeOptions): PlanBeforeContext {
    const notes: string[] = [];
    const o = withImageBuildEnv(src, checkOptions(options), notes);

    const found = detectDependencies(src, o.installer);
    notes.push(...found.notes);
    if (found.projectNote) {
        notes.push(found.projectNote);
    }

    // Which dependency groups: the option, else a production group; development groups never ship.
    // A PEP 751 lock's default groups are its main dependencies: always installed.
    const groups = [...new Set([...(found.pylock?.defaultGroups ?? []), ...chooseGroups(o, found, notes, dockerfileSelection(src))])];
    const extrasLeft = found.pylock === undefined ? [] : (found.groups.extras?.names ?? []).filter((e) => !groups.includes(e));
    if (extrasLeft.length > 0) {
        const many = extrasLeft.length > 1;
        notes.push(
            `${found.pylock!.file} locks the extra${many ? "s" : ""} ${extrasLeft.join(", ")}, which ${many ? "are" : "is"} not installed (an installer installs a lock's extras only when named): ` +
                `if the app needs ${many ? "them" : "it"}, add ${many ? "them" : "it"} to \`dependencyGroups\` (with the groups to install besides the default ones).`,
        );
    }
    // PEP 735 groups with no [project]: only a chosen group installs anything.
    if (found.manifest === "pyproject.toml" && table(found.pyproject, "project") === undefined && groups.length === 0) {
        const defined = found.groups.defined;
        throw new InputError(
            "`dependencyGroups`",
            `pyproject.toml has no [project] table, only [dependency-groups] (${defined.join(", ")}), and nothing chooses one: name the group${defined.length > 1 ? "s" : ""} the app runs with in \`dependencyGroups\` ` +
                `(as \`pip install --group ${defined[0]}\` would), or add [project] with \`dependencies\`.`,
        );
    }
    // The chosen groups' and extras' pins are the app's pins from here on.
    const deps = found.withGroups?.(groups) ?? found;
    const requirementsInstaller = chooseRequirementsInstaller(deps, o, notes);

    const entry = detectEntrypoint(
        src,
        { app: o.app, interface: o.interface, chdir: o.chdir, pythonPath: o.pythonPath, workspaceMember: o.workspacePackage, workerClass: o.workerClass, buildEnv: o.buildEnv, installed: deps.namesFor(groups, o.workspacePackage) },
        deps,
    );
    notes.push(...entry.notes, ...(entry.procfile?.notes ?? []), ...(entry.procfile?.web?.notes ?? []));
    // Variables the served module reads at import with no default: without them every worker dies at start.
    const chdirRoot = entry.chdir === "" ? [] : [{ dir: entry.chdir, why: "gunicorn's working folder" }];
    // What the image's environment sets (the platform's config, the web command's VAR=value words): read where the code reads it.
    const configured = configuredEnv(src, entry);
    const imageVars = configured.env;
    const foundEnv = entry.paste ? undefined : importTimeEnv(src, [...chdirRoot, ...(entry.root ? [entry.root] : []), ...importRoots(src, deps)], entry.spec.split(":")[0], factoryName(entry.spec));
    // A variable the image sets is no longer missing at import: the app's configured ones, and those every
    // container has (the image's PATH, HOME, LANG..., and Docker's HOSTNAME; searxng reads os.environ["PATH"]).
    const importEnv =
        foundEnv === undefined ? undefined : { ...foundEnv, variables: foundEnv.variables.filter((v) => imageVars[v] === undefined && !IMAGE_SET_VARIABLES.has(v) && v !== "HOSTNAME") };
    if (importEnv && importEnv.variables.length > 0) {
        const vars = importEnv.variables;
        const list = vars.length > 1 ? `${vars.slice(0, -1).join(", ")} and ${vars[vars.length - 1]}` : vars[0];
        notes.push(
            `${importEnv.files.join(", ")} read${importEnv.files.length > 1 ? "" : "s"} ${list} from the environment at import with no default (os.environ[...], a check that raises without it, a pydantic-settings field, a dynaconf validator, a database engine given None): ` +
                `unless ${vars.length > 1 ? "they are" : "it is"} set, every worker fails at start (KeyError, ValidationError). Set ${vars.length > 1 ? "them" : "it"} with PythonApp's \`env\` (\`secretEnv\` for secrets)` +
                (importEnv.dotenv ? "; the .env file the app loads (python-dotenv's load_dotenv(), pydantic-settings' env_file) is not in the image, which leaves .env files out (they hold secrets)" : "") +
                (importEnv.secretsFiles.length > 0 ? `; the image leaves out ${importEnv.secretsFiles.join(", ")} (dynaconf's secrets), as it does .env files` : "") +
                ".",
        );
    }
    if ((entry.procfile?.others.length ?? 0) > 0) {
        notes.push(
            `${entry.procfile!.origin.subject} also has ${entry.procfile!.others.join(", ")}; the image runs only the web process. ` +
                "What the others do (a task queue's worker, a scheduler) happens only once each runs as another container of the same image with its own command, and the web container's environment and data volumes (a worker whose broker is the app's SQLite database needs that volume too).",
        );
    }

    // uv workspace: the member that holds the app is the package to sync.
    const workspacePackage = chooseWorkspacePackage(o, deps, entry, notes);
    const installed = deps.namesFor(groups, workspacePackage);

    const pythonFacts = detectPythonFacts(src, deps);
    const python = choosePython(pythonFacts, o.python, deps, installed, notes);
    const baseImage = chooseBase(o.baseImage, python.version);

    const workdir = DEFAULTS.workdir;
    // The project is installed when it is a package (after the source), or by the dependency install itself
    // (`-e .` in requirements.txt, a setuptools project); a workspace member served with --package, when it is one.
    const member = deps.workspace?.members.find((m) => m.name === workspacePackage);
    // A uv workspace's members are packages of the source too: the sync after the source installs those the app uses (the root itself only if it is a package).
    const installsProject = deps.installsProject || deps.installsSelf || (member?.installable ?? false) || (deps.installer === "uv" && (deps.workspace?.members.length ?? 0) > 0);
    const installedRoots = new Set<string>();
    if (installsProject && entry.root && entry.root.dir !== "" && (member === undefined || entry.root.dir.startsWith(member.dir))) {
        installedRoots.add(entry.root.dir);
    }
    // The folder holding the app goes on the Python path when nothing installs it.
    const pythonPath = [...entry.pythonPath];
    if (entry.root && entry.root.dir !== "" && entry.root.dir === entry.chdir) {
        // The app runs from its own folder (app-code's runsFromOwnFolder): gunicorn puts its working folder on the Python path.
        notes.push(`${entry.root.dir}/ holds the app (${entry.root.why}): gunicorn runs in that folder (--chdir), which puts it on the Python path; set \`chdir\` to change it.`);
    } else if (entry.root && entry.root.dir !== "" && !installedRoots.has(entry.root.dir) && !pythonPath.includes(entry.root.dir)) {
        pythonPath.push(entry.root.dir);
        notes.push(`${entry.root.dir}/ holds the app (${entry.root.why}) and is not installed as a package: it is put on gunicorn's Python path.`);
    }

    const planned = planServer(
        src,
        {
            options: o,
            interface: entry.interface,
            web: entry.procfile?.web,
            deps,
            installed,
            chdir: entry.chdir,
            workdir,
            wrapper: entry.wrapper,
            channelLayer: channelLayerOf(entry),
            inProcessStore: entry.django ? undefined : inProcessStore(src, servedRoots(entry)),
            setuptools: setuptoolsNeed(pythonFacts, deps, installed, python.version, notes),
        },
        notes,
    );

    const apt = aptPackages(src, o, deps, installed, python.version, baseImage.release, entry.django?.settings.installedApps ?? [], servedRoots(entry), notes);
    schedulerNote(src, entry, planned.workers ?? planned.defaultWorkers, notes);
    signingKeyNotes(src, entry, planned.workers ?? planned.defaultWorkers, [...(foundEnv?.variables ?? []), ...Object.keys(imageVars)], notes);
    celeryNote(src, entry, Object.keys(imageVars), notes);
    developmentConfigNote(src, entry, Object.keys(imageVars), notes);
    processStateNote(src, entry, planned.workers ?? planned.defaultWorkers, notes);
    const argvParsedBy = entry.django ? undefined : commandLineParser(src, servedRoots(entry), entry.spec.split(":")[0], factoryName(entry.spec));
    if (argvParsedBy !== undefined) {
        notes.push(
            `${argvParsedBy} parses the command line when the app is made (argparse's parse_args()), and under gunicorn sys.argv holds gunicorn's own arguments, which it would refuse: ` +
                "the image's gunicorn config empties each worker's sys.argv before the app loads, so the app takes its options' defaults; give what an option would set through the app's environment variables or config, where it reads them.",
        );
    }

    // A config file Flask loads at import that the source lacks (an instance/config.py the README says to copy from its example).
    if (entry.framework === "flask" || entry.framework === "quart") {
        for (const m of missingFlaskConfigs(src, servedRoots(entry))) {
            notes.push(
                `${m.file} loads ${m.path} with config.from_pyfile(), which the source does not have: the app fails at import without it. ` +
                    `${m.example !== undefined ? `Copy ${m.example} (the app's example) to ${m.path}` : `Add ${m.path}`} in the source folder with the settings the deployment needs, ` +
                    "or pass them with `env` if the app reads them from its environment.",
            );
        }
    }
    // A module of the app's own that the served module imports as it starts (or a Django project's settings), missing from the build context.
    if (!entry.paste) {
        const started = [entry.spec.split(":")[0], ...(entry.django ? [entry.django.runtimeSettings] : [])];
        const roots = [...servedRoots(entry), ...(entry.django ? [{ dir: entry.django.root, why: "manage.py's folder" }] : [])];
        for (const m of missingModules(src, roots, started, installed)) {
            const fix = m.ignored
                ? `${m.path} is in the source folder, but the app's .dockerignore leaves it out of the build context: remove it from .dockerignore, or pass its settings with \`env\` if the app reads them from its environment`
                : m.example !== undefined
                  ? `the source has only its example, ${m.example}: copy it to ${m.path} in the source folder with the settings the deployment needs`
                  : `the source does not have it (${m.path}): add it to the source folder with the settings the deployment needs`;
            notes.push(`${m.file} runs \`${m.statement}\` as the app starts; ${fix}. Until then every worker fails at start, and so does the health check.`);
        }
    }
    // Flask's CLI gained --app in 2.2.0: older releases take FLASK_APP.
    const flaskBefore22 = installed.has("flask") && installsReleaseIn(deps.pins.get("flask"), deps.specifiers.get("flask"), "<2.2");
    const platform = readPlatformEnv(src);
    const disabling = platform.set.filter(([name, value]) => name === "DISABLE_COLLECTSTATIC" && value !== "" && value !== "0").pop();
    const steps = planBuildSteps(src, o, entry, notes, { installed, pythonPath, release: baseImage.release, flaskBefore22, disableCollectstatic: disabling?.[2], imageEnv: imageVars });
    apt.build.push(...steps.apt.filter((p) => !apt.build.includes(p)));
    const gunicornConfig = planned.userConfigPath?.slice(workdir.length + 1);
    const unread: string[] = [];
    const detected = detectWritablePaths(src, {
        onUnread: (call) => unread.push(call),
        // The folders the server imports from: the layout's root (src/), else the server's Python path (`--app-dir server`) and its working folder.
        roots: servedRoots(entry),
        cwd: entry.chdir,
        env: imageVars,
        django: entry.django,
        installedRoots,
        gunicornConfig,
        flaskSqlalchemyBelow3: installsReleaseIn(deps.pins.get("flask-sqlalchemy"), deps.specifiers.get("flask-sqlalchemy"), "<3"),
        paste: entry.paste,
        entryModule: entry.spec.split(":")[0],
    });
    const writes = detected.map((w) => inInstalledCopy(w, installedRoots, `${DEFAULTS.venv}/lib/python${python.version}/site-packages`));
    // Folders the web command makes before the server (`mkdir -p generated && gunicorn ...`) in the app's folder: the app writes there.
    for (const f of planned.startFolders ?? []) {
        const rel = f.path.startsWith(`${DEFAULTS.workdir}/`) ? f.path.slice(DEFAULTS.workdir.length + 1) : f.path.startsWith("/") || f.path.includes("$") ? undefined : joinPath(entry.chdir, f.path);
        if (rel !== undefined && rel !== "" && !writes.some((w) => w.path === rel)) {
            // Emptied at every start (`rm -rf` first): scratch, whatever its name.
            writes.push({ path: rel, kind: f.empty ? "scratch" : kindOf(rel), file: false, holds: "files", why: `the web command's \`mkdir ${f.path}\`` });
        }
    }
    // The platform's volumes (fly.toml [mounts], render.yaml's disk): the app keeps data there, as on the platform.
    for (const m of platform.mounts) {
        writes.push({ path: m.path, kind: "data", file: false, holds: "files", why: m.source });
    }
    // A library's cache folder the platform's variables point at (render.yaml's HF_HOME=/var/cache/hf): read-only in the image unless made writable.
    for (const [name, value, file] of platform.set) {
        const holds = ENV_DIRS[name];
        const rel = value.startsWith(`${DEFAULTS.workdir}/`) ? value.slice(DEFAULTS.workdir.length + 1) : value.startsWith("/") ? value : joinPath(entry.chdir, value);
        const inside = (w: { path: string }) => rel === w.path || rel?.startsWith(`${w.path}/`);
        if (holds === undefined || rel === undefined || rel === "" || rel === "/tmp" || rel.startsWith("/tmp/") || value.includes("$") || writes.some(inside)) {
            continue;
        }
        writes.push({ path: rel, kind: MODEL_DIRS.has(name) ? "data" : "scratch", file: false, holds: "cache", why: `${file} sets ${name}, ${holds}, to ${value}` });
    }
    // Hugging Face's model cache, unless something points it elsewhere, is under HOME: the /tmp tmpfs (64 MiB), which models outgrow.
    const modelLibrary = MODEL_LIBRARIES.find((p) => installed.has(p));
    const cacheSet = HF_CACHE_VARIABLES.some((v) => imageVars[v] !== undefined || platform.set.some(([n]) => n === v) || writes.some((w) => w.why.includes(v)));
    if (modelLibrary !== undefined && !cacheSet) {
        notes.push(
            `${modelLibrary} downloads models at their first use into Hugging Face's cache, under HOME (${DEFAULTS.home}/.cache/huggingface): the container's /tmp tmpfs, 64 MiB, which most models outgrow ` +
                "(No space left on device), and which every restart empties, so each start downloads them again. " +
                'Keep them on a volume: `env: { HF_HOME: "/var/cache/huggingface" }` with `writablePaths: { "/var/cache/huggingface": "data" }`, or download them in `buildCommands` with HF_HOME set to a folder of the image.',
        );
    }
    // openai-whisper: load_model() downloads into download_root, else XDG_CACHE_HOME/whisper, else ~/.cache/whisper (whisper/__init__.py).
    const whisperSet = imageVars["XDG_CACHE_HOME"] !== undefined || platform.set.some(([n]) => n === "XDG_CACHE_HOME");
    if (installed.has("openai-whisper") && !whisperSet) {
        notes.push(
            `openai-whisper's load_model() downloads its model (up to 3 GB) at first use into ${DEFAULTS.home}/.cache/whisper, under HOME: the container's /tmp tmpfs, 64 MiB, which every model outgrows ` +
                "(No space left on device), and which every restart empties. " +
                'Keep it on a volume: `env: { XDG_CACHE_HOME: "/var/cache/models" }` with `writablePaths: { "/var/cache/models": "data" }` (or the folder the app passes as download_root), ' +
                "or download it in `buildCommands` into a folder of the image.",
        );
    }
    // Argos Translate (LibreTranslate's models): downloads into XDG's cache folder, installs into XDG's data folder, both under HOME
    // (argostranslate/settings.py: XDG_CACHE_HOME, XDG_DATA_HOME, ARGOS_PACKAGES_DIR), as the library's own defaults say.
    const argosSet = ["ARGOS_PACKAGES_DIR", "XDG_DATA_HOME"].some((v) => imageVars[v] !== undefined || platform.set.some(([n]) => n === v));
    // argos-translate-lt, LibreTranslate's fork, installs the same argostranslate module, with the same settings.
    if (["argostranslate", "argos-translate-lt"].some((d) => installed.has(d)) && !argosSet) {
        notes.push(
            `argostranslate downloads its language models at their first use into ${DEFAULTS.home}/.local/cache/argos-translate and installs them into ${DEFAULTS.home}/.local/share/argos-translate/packages, under HOME: ` +
                "the container's /tmp tmpfs, 64 MiB, which its models outgrow (No space left on device), and which every restart empties. " +
                'Keep them on a volume: `env: { ARGOS_PACKAGES_DIR: "/var/lib/argos/packages", XDG_CACHE_HOME: "/var/lib/argos/cache" }` with `writablePaths: { "/var/lib/argos": "data" }`, ' +
                "or install them in `buildCommands` with ARGOS_PACKAGES_DIR set to a folder of the image.",
        );
    }
    // An SQLite database the app keeps (a file, or in a folder such as Flask-SQLAlchemy's instance folder) is the app's own: migrations can run at deploy.
    // The folder an SQLite database lives in: Flask's instance folder, or a database file's own folder (an init-db release runs while it holds none).
    const abs = (p: string) => (p.startsWith("/") ? p : `${DEFAULTS.workdir}/${p}`);
    // A data folder that holds what a build step writes (STATIC_ROOT /vol/web/static inside the Dockerfile's VOLUME /vol/web):
    // a volume there keeps the first deploy's copy and hides every later image's, so the folders the app writes inside it are the data folders instead.
    const built = [...new Set(steps.steps.flatMap((st) => [...(st.outputs ?? []), ...(st.fills ?? [])]))];
    const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
    for (const w of [...writes]) {
        const dir = abs(w.path);
        const shipped = w.kind === "data" && !w.file ? built.filter((out) => under(out, dir)) : [];
        if (shipped.length === 0) {
            continue;
        }
        writes.splice(writes.indexOf(w), 1);
        const inner = writes.filter((x) => under(abs(x.path), dir) && !shipped.some((out) => under(abs(x.path), out))).map((x) => abs(x.path));
        notes.push(
            `${w.why} makes ${dir} a data folder, but ${shipped.length === 1 && shipped[0] === dir ? "that folder" : `${shipped.join(", ")} inside it`} is what the build writes and the image ships: a volume there would keep the first deploy's copy and hide every later image's, so none is mounted at ${dir}; ` +
                (inner.length > 0 ? `the folders the app writes inside it (${inner.join(", ")}) are its data instead.` : "no folder the app writes was found inside it: name one in `writablePaths` if it does."),
        );
    }
    const dbHome = writes.find((w) => w.kind === "data" && (w.holds === "instance" || (w.holds === "database" && !w.file)));
    const dbFile = writes.find((w) => w.kind === "data" && w.holds === "database" && w.file);
    const database = dbHome !== undefined ? { dir: abs(dbHome.path) } : dbFile !== undefined ? { file: abs(dbFile.path) } : undefined;
    const release = planRelease(src, o, entry, { installed, sqlite: writes.some((w) => w.holds === "database" && w.kind === "data"), database, flaskBefore22, installsProject }, notes);
    refuseUnrunnableScripts(src, [...(release ? [{ argv: release.command, workdir: release.workdir, source: release.source }] : []), ...steps.steps.map((b) => ({ argv: b.argv, workdir: b.workdir, source: b.source }))]);
    const writablePaths = planWritablePaths(o, writes, workdir, (rel) => src.isFile(rel), notes, (rel) => src.list(rel).filter((e) => e.isFile()).map((e) => e.name));
    const unplaced = [...new Set(unread)];
    if (unplaced.length > 0) {
        const shown = unplaced.slice(0, 5).join("; ") + (unplaced.length > 5 ? `; and ${unplaced.length - 5} more` : "");
        notes.push(
            `The app makes or opens places whose paths are computed in a way not read here: ${shown}. ` +
                "The image's filesystem is read-only outside /tmp and the writable paths: if one of them is elsewhere, name it in `writablePaths` (data for what must be kept, scratch for the rest), or the call fails when it runs.",
        );
    }
    const server = placePidfile(src, planned, workdir, entry.chdir, writablePaths.map((w) => w.path), notes);

    // ${NAME} references in the manifests are expanded by the installer from the environment: each needs an install secret.
    const unsecret = deps.envReferences.filter((ref) => !o.installSecrets.includes(ref.name));
    if (unsecret.length > 0) {
        // All of them at once: a preview per missing variable is a slow way to learn the list.
        const file = unsecret[0].file;
        const names = [...new Set(unsecret.filter((r) => r.file === file).map((r) => r.name))];
        const one = names.length === 1;
        throw new InputError(
            file,
            `${file} refers to ${names.map((n) => `\${${n}}`).join(", ")}, which the installer expands from the environment, but no install secret is named ${one ? names[0] : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`}; ` +
                `add ${one ? "it" : "them"} to \`installSecrets\` (PythonImage: installSecrets: { ${names.map((n) => `${n}: config.requireSecret("...")`).join(", ")} }).`,
        );
    }
    if (deps.vcs.length > 0) {
        if (!apt.build.includes("git")) {
            apt.build.push("git");
        }
        notes.push(`Installs from version control (${deps.vcs.join("; ")}): git is added to the builder only; the runner does not get it.`);
    }
    // A build hook that compiles the project's front-end while the project is built (Fava's hatch_build.py runs npm).
    const npmHook = installsProject ? buildHookRunningNpm(src, deps.pyproject) : undefined;
    if (npmHook !== undefined) {
        apt.build.push(...["nodejs", "npm"].filter((p) => !apt.build.includes(p)));
        notes.push(`${npmHook} runs npm while the project is built (its build hook compiles a front-end into the package): nodejs and npm are added to the builder only.`);
    }
    if (deps.scmVersion && installsProject) {
        notes.push(
            `The project's version comes from VCS metadata (${deps.scmVersion.plugin}), which the build context does not have (.git is ignored): ` +
                `${deps.scmVersion.env}=0.0.0 stands in while installing; set it in \`buildEnv\` to give the real version.`,
        );
    }

    notes.push(...configured.notes);
    const imageEnv = { ...configured.env, ...steps.imageEnv, ...djangoImageEnv(entry, notes), ...devServerEnv(src, entry, notes) };
    djangoDebug(src, entry, imageEnv, notes);
    djangoHosts(entry, imageEnv, notes);
    djangoLocalDatabase(entry, imageEnv, o, notes);
    djangoSslRedirect(entry, imageEnv, notes);
    djangoMediaServed(src, entry, imageEnv, writes.find((w) => w.holds === "uploads" && w.why.includes("MEDIA_ROOT")), notes);
    djangoRequiredEnv(entry, imageEnv, steps.steps, o.buildEnv, notes);
    djangoEmptySecretKey(entry, imageEnv, notes);
    // A CA bundle (certs/global-bundle.pem for a database's TLS) is a .pem the image's .dockerignore leaves out as a secret: keep it.
    const keptCertificates = publicCertificates(src);
    if (keptCertificates.length > 0) {
        notes.push(
            `${keptCertificates.join(", ")} ${keptCertificates.length > 1 ? "hold" : "holds"} certificates and no private key (a CA bundle): kept in the image, while other .pem files stay out of it as secrets; ` +
                `a .dockerignore line \`${keptCertificates[0]}\` leaves ${keptCertificates.length > 1 ? "one" : "it"} out.`,
        );
    }

    return {
        framework: entry.framework,
        entrypoint: { spec: entry.spec, interface: entry.interface, source: entry.source },
        installer: deps.installer,
        requirementsInstaller,
        manifests: deps.files,
        manifest: deps.manifest,
        installsProject,
        needsSource: deps.needsSource,
        sourceInto: deps.needsSource || installsProject || steps.steps.length > 0 ? "builder" : "runner",
        dependencies: {
            groups,
            extras: groups.filter((g) => found.groups.extras?.names.includes(g)),
            workspacePackage,
            workspace: (deps.workspace?.members.length ?? 0) > 0,
            indexes: deps.indexes,
            indexOptions: deps.indexOptions,
            requirementFiles: requirementFiles(deps, groups),
            scmVersion: installsProject ? deps.scmVersion : undefined,
            inlineScript: deps.inlineScript,
            uvFrozen: deps.uvFrozen,
        },
        python,
        baseImage,
        server: {
            ...server,
            ...(argvParsedBy !== undefined ? { argvParsedBy } : {}),
            chdir: entry.chdir === "" ? undefined : `${workdir}/${entry.chdir}`,
            pythonPath: pythonPath.map((p) => (p === "" ? workdir : `${workdir}/${p}`)),
        },
        user: { name: o.user, uid: o.uid, gid: o.gid },
        apt,
        buildSteps: steps.steps,
        buildEnv: o.buildEnv,
        buildSecrets: o.buildSecrets,
        release,
        imageEnv,
        writablePaths,
        healthCheck: healthCheck(o, entry.procfile, notes, src),
        syntax: o.syntax,
        installSecrets: o.installSecrets,
        caBundle: o.caBundle,
        labels: o.labels,
        ignore: o.ignore,
        keptCertificates,
        notes,
    };
}

/**
 * manage.py's DJANGO_SETTINGS_MODULE default is often the development
 * settings (cookiecutter-django: config.settings.local, which needs the
 * development-only apps), while wsgi.py's is the production one the server
 * runs. Every manage.py command the image runs (the release step's migrate,
 * `docker exec ... manage.py`) must use the server's settings: the image
 * sets them, and the environment still overrides.
 */
/** The requirements files pip installs with pyproject.toml's dependencies: setuptools' dynamic ones, and those of the chosen dynamic extras. */
function requirementFiles(deps: Dependencies, groups: readonly string[]): string[] | undefined {
    const files = [...(deps.requirementFiles ?? [])];
    for (const f of groups.flatMap((g) => deps.extraFiles?.get(g) ?? [])) {
        if (!files.includes(f)) {
            files.push(f);
        }
    }
    return files.length > 0 ? files : undefined;
}

/**
 * A Flask app made with a config name from the environment whose unset value loads a development class
 * (flasky's `create_app(os.getenv("FLASK_CONFIG") or "default")`, "default" being DevelopmentConfig).
 */
function developmentConfigNote(src: SourceTree, entry: Entrypoint, named: readonly string[], notes: string[]): void {
    const c = entry.framework === "flask" || entry.framework === "quart" ? developmentConfigChoice(src, servedRoots(entry), entry.spec) : undefined;
    if (c === undefined || c.variables.some((v) => named.includes(v))) {
        return;
    }
    notes.push(
        `${c.file} makes the app with the config ${c.variables.join(" or ")} names, "${c.name}" when unset, which ${c.configFile} maps to ${c.cls}: the server runs the development config (DEBUG on, its development database). ` +
            `Set ${c.variables[0]}${c.production === undefined ? "" : `=${c.production}`} with PythonApp's \`env\`.`,
    );
}

/**
 * A Celery app whose broker, with its variable unset, is the container itself or a Compose service's name:
 * the web app's `.delay()` then fails. The note names the variable and says the worker runs elsewhere.
 */
function celeryNote(src: SourceTree, entry: Entrypoint, named: readonly string[], notes: string[]): void {
    for (const b of celeryBrokers(src, servedRoots(entry), entry.django)) {
        if (b.variables.some((v) => named.includes(v))) {
            continue; // the image sets it
        }
        notes.push(
            `${b.file} makes a Celery app whose broker is ${b.url}${b.variables.length > 0 ? ` unless ${b.variables.join(" or ")} is set` : ", written in the code"}: nothing answers there in this container, ` +
                "so every task the app sends (`.delay()`, `.apply_async()`) fails. " +
                (b.variables.length > 0 ? `Set ${b.variables.join(" or ")} with PythonApp's \`secretEnv\` to a broker the container reaches` : "Read the broker URL from an environment variable and set it with PythonApp's `secretEnv`") +
                ", and run the Celery worker (`celery -A ... worker`) as a service of its own: this component runs the web app alone.",
        );
    }
}

/**
 * A scheduler the app starts at import runs in every gunicorn worker, so each
 * job runs once per worker: say so unless the app runs one worker.
 */
function schedulerNote(src: SourceTree, entry: Entrypoint, workers: number | undefined, notes: string[]): void {
    if (workers === 1) {
        return;
    }
    const roots = servedRoots(entry);
    for (const s of importTimeSchedulers(src, roots)) {
        notes.push(
            `${s.file} starts ${s.scheduler.split(".").pop()} (${s.scheduler}) ${s.hook === undefined ? "when it is imported, and every gunicorn worker imports the app" : `in its startup hook ${s.hook}(), and every gunicorn worker runs it`}, so each of the ` +
                `${workers === undefined ? "workers (one per CPU and more, by default)" : `${workers} workers`} runs its own scheduler and every job runs once per worker: ` +
                "set `workers: 1` (its threads still serve requests side by side), or run the scheduler as a process of its own.",
        );
    }
}

/**
 * Rate limits and stores a library keeps in one process's memory: each
 * worker counts on its own, so a limit lets N times as much through (the
 * app's own `uvicorn app:app` or `gunicorn app:app` ran one process, which
 * is why it was never seen before).
 */
function processStateNote(src: SourceTree, entry: Entrypoint, workers: number | undefined, notes: string[]): void {
    if (workers === 1) {
        return;
    }
    const roots = servedRoots(entry);
    for (const s of perProcessState(src, roots, entry.django)) {
        notes.push(
            `${s.file}: ${s.what}, so each of the ${workers === undefined ? "gunicorn workers (one per CPU and more, by default)" : `${workers} gunicorn workers`} ${s.effect}: ` +
                `${s.fix}, or set \`workers: 1\`.`,
        );
    }
}

/** Libraries that exist to run Hugging Face models, which they download at first use (sentence-transformers, transformers, diffusers). */
const MODEL_LIBRARIES: readonly string[] = ["sentence-transformers", "transformers", "diffusers"];

/** The variables that move Hugging Face's cache away from HOME's (ENV_DIRS' Hugging Face rows, and XDG's cache folder). */
const HF_CACHE_VARIABLES: readonly string[] = ["HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE", "SENTENCE_TRANSFORMERS_HOME", "XDG_CACHE_HOME"];

/**
 * A note for each signing key of signingKeys: one drawn at random at import
 * differs in every worker process (a session cookie or CSRF token one worker
 * signs fails in the others, and every restart logs everyone out); one read
 * from the environment with no default is None until set; one falling back to
 * a value in the code can be forged. Each note names the variable that fixes
 * it; `named` are variables the image sets or another note names already.
 */
function signingKeyNotes(src: SourceTree, entry: Entrypoint, workers: number | undefined, named: readonly string[], notes: string[]): void {
    const roots = servedRoots(entry);
    for (const s of signingKeys(src, roots, entry.django)) {
        if (s.kind === "fixed") {
            if (entry.django !== undefined || s.variables.every((v) => named.includes(v))) {
                continue;
            }
            notes.push(
                `${s.file} sets ${s.setting} from ${s.variables.join(" or ")}, falling back to a value written in the code: left unset, sessions and CSRF tokens are signed with a key anyone with the code has, ` +
                    `so they can be forged. Set ${s.variables.join(" or ")} with PythonApp's \`secretEnv\`.`,
            );
            continue;
        }
        if (s.kind === "unset") {
            // Django's settings have a note of their own (djangoEmptySecretKey); the image may set it, or a note name it already (the import fails without it).
            if (entry.django !== undefined || s.variables.every((v) => named.includes(v))) {
                continue;
            }
            notes.push(`${s.file} sets ${s.setting} from ${s.variables.join(" or ")} with no default, so it is None until ${s.variables.length > 1 ? "one is" : "that is"} set: sessions, flash() and CSRF tokens fail at their first use. Set ${s.variables.join(" or ")} with PythonApp's \`secretEnv\`.`);
            continue;
        }
        const many = workers === 1 ? "each container (and each restart)" : `each gunicorn worker process (${workers === undefined ? "one per CPU and more, by default" : `${workers} of them`}) and each restart`;
        const fix =
            s.variables.length > 0
                ? `set ${s.variables.join(" or ")} with PythonApp's \`secretEnv\` (a value that stays the same across deploys)`
                : "read it from an environment variable and set that with PythonApp's `secretEnv`";
        notes.push(
            `${s.file} sets ${s.setting} to a random value${s.variables.length > 0 ? ` unless ${s.variables.join(" or ")} is set` : ""}: ${many} draws its own, ` +
                `so a session cookie, CSRF token or signed token made by one is rejected by the others (logins that drop at random): ${fix}.`,
        );
    }
}

/**
 * The health check's path: `healthCheckPath`, else the one the platform
 * config that gave the start command declares for the same purpose
 * (render.yaml's healthCheckPath, Railway's deploy.healthcheckPath), else "/".
 */
function healthCheck(o: CheckedOptions, procfile: Entrypoint["procfile"], notes: string[], src?: SourceTree): Plan["healthCheck"] {
    const render = procfile?.healthCheckPath === undefined && src !== undefined ? renderCheckPath(src) : undefined;
    const fly = procfile?.healthCheckPath === undefined && render === undefined && src !== undefined ? flyCheckPath(src) : undefined;
    const declared = procfile?.healthCheckPath ?? render ?? fly;
    if (o.healthCheck === undefined || o.healthCheckPathSet || declared === undefined) {
        return o.healthCheck;
    }
    const where =
        render !== undefined
            ? "render.yaml's healthCheckPath"
            : fly !== undefined
              ? "fly.toml's HTTP check path"
              : (procfile!.healthCheckSource ?? `${procfile!.origin.file}'s ${({ "render.yaml": "healthCheckPath", ".do/app.yaml": "health_check.http_path", ".do/deploy.template.yaml": "health_check.http_path" } as Record<string, string>)[procfile!.origin.file] ?? "deploy.healthcheckPath"}`);
    if (!URL_PATH.test(declared)) {
        notes.push(`${where} is ${JSON.stringify(declared)}, which is not a URL path; the health check requests ${o.healthCheck.path}. Set \`healthCheckPath\` to choose one.`);
        return o.healthCheck;
    }
    notes.push(`The health check requests ${declared}, ${where}; set \`healthCheckPath\` to change it.`);
    return { path: declared };
}

/** fly.toml's HTTP health check path: `[[services.http_checks]]` (apps v1), `[[http_service.checks]]` (apps v2), or a top-level `[checks.x]` of type http. */
function flyCheckPath(src: SourceTree): string | undefined {
    const text = src.readIfFile("fly.toml");
    let doc: Record<string, unknown>;
    try {
        doc = text === undefined ? {} : (parseToml(text) as Record<string, unknown>);
    } catch {
        return undefined;
    }
    const list = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === "object") : []);
    const services = list(doc["services"]).flatMap((svc) => list(svc["http_checks"]));
    const http = doc["http_service"];
    const v2 = http !== null && typeof http === "object" ? list((http as Record<string, unknown>)["checks"]) : [];
    const top = doc["checks"] !== null && typeof doc["checks"] === "object" ? Object.values(doc["checks"] as Record<string, unknown>).filter((c): c is Record<string, unknown> => c !== null && typeof c === "object" && (c as Record<string, unknown>)["type"] === "http") : [];
    const path = [...services, ...v2, ...top].map((c) => c["path"]).find((p): p is string => typeof p === "string");
    return path;
}

/**
 * `buildEnv` with the placeholders the app's own Dockerfile gives its build
 * step (`RUN SECRET_KEY=collectstatic-only python manage.py collectstatic`):
 * the project's word that the value is for the build alone. `buildEnv` and
 * `buildSecrets` win; a value that expands a variable is not taken.
 */
function withImageBuildEnv(src: SourceTree, o: CheckedOptions, notes: string[]): CheckedOptions {
    const given = readContainerConfig(src)?.buildEnv ?? [];
    const taken: Record<string, string> = {};
    for (const [name, value, file] of given) {
        if (name in o.buildEnv || o.buildSecrets.includes(name) || OWN_ENV.has(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || value.includes("$") || /[\x00-\x1f\x7f]/.test(value)) {
            continue;
        }
        taken[name] = value;
        notes.push(`${file} gives the build step ${name}=${value}: the build steps run with it too (\`buildEnv\`); the server's ${name} comes from PythonApp's \`env\` (\`secretEnv\` for a secret).`);
    }
    return Object.keys(taken).length === 0 ? o : { ...o, buildEnv: { ...taken, ...o.buildEnv } };
}

/** Variables the image sets itself, or that detection reads from the web command elsewhere: a web command's value for them is not carried as written. */
const OWN_ENV = new Set([...IMAGE_SET_VARIABLES, "DJANGO_SETTINGS_MODULE", "DJANGO_CONFIGURATION"]);

/**
 * The image's environment as the app's configuration sets it: the platform's
 * (platformEnv), then the server's as the web command sets it (`APP_CONFIG=production
 * gunicorn ...`, gunicorn's `--env NAME=value`), which wins. The image sets it for
 * every process, as the platform set it for the server, so the release step and
 * `docker exec` see the same, and detection reads paths with these values; the
 * container's environment overrides it. DJANGO_SETTINGS_MODULE and PYTHONPATH
 * are read by detection instead; a value that expands another variable is not
 * carried. The notes say what was set and what was not carried.
 */
function configuredEnv(src: SourceTree, entry: Entrypoint): { env: Record<string, string>; notes: string[] } {
    const web = entry.procfile?.web;
    const env: Record<string, string> = {};
    const notes: string[] = [];
    platformEnv(src, env, notes);
    if (web === undefined) {
        return { env, notes };
    }
    const expands: string[] = [];
    const own: Record<string, string> = {};
    for (const [name, value] of web.env) {
        if (OWN_ENV.has(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
            continue;
        }
        if (value.includes("$") || /[\x00-\x1f\x7f]/.test(value)) {
            expands.push(name);
            continue;
        }
        own[name] = value;
    }
    Object.assign(env, own);
    // The web command's own variables: the platform's are named by their own note.
    const set = Object.entries(own);
    if (set.length > 0) {
        notes.push(
            `${web.origin.web} runs the server with ${set.map(([k, v]) => `${k}=${v}`).join(", ")}: the image sets ${set.length > 1 ? "them" : "it"} for every process ` +
                "(the server, the release step, docker exec); the container's environment overrides it.",
        );
    }
    if (expands.length > 0) {
        notes.push(`${web.origin.web} sets ${expands.join(", ")} from other variables or with characters an image variable cannot hold; not carried: set ${expands.length > 1 ? "them" : "it"} in \`env\`.`);
    }
    return { env, notes };
}

/**
 * The hosting platform's environment (fly.toml [env], app.yaml env_variables,
 * render.yaml envVars, app.json env): values it sets become the image's, as
 * the platform set them for every process (the web command's own win); the
 * variables it fills in at deploy time (secrets, database URLs) are named
 * for the component's env/secretEnv.
 */
function platformEnv(src: SourceTree, env: Record<string, string>, notes: string[]): void {
    const p = readPlatformEnv(src);
    // The app's own Dockerfile and Compose file are named as such, not as a platform's.
    const own = new Set([...(readContainerConfig(src)?.set ?? []).map(([, , f]) => f), ...(readContainerConfig(src)?.needs ?? []).map(([, f]) => f)]);
    const taken: Array<{ text: string; own: boolean }> = [];
    for (const [name, value, file] of p.set) {
        // PYTHONPATH only as the app's own container config gives it, already in the image's terms (folders of /app).
        const ownPythonPath = name === "PYTHONPATH" && own.has(file);
        if ((OWN_ENV.has(name) && !ownPythonPath) || name === "PYTHON_VERSION" || name.startsWith("NIXPACKS_") || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || value.includes("$") || /[\x00-\x1f\x7f]/.test(value) || name in env) {
            continue;
        }
        env[name] = value;
        taken.push({ text: `${name}=${value} (${file})`, own: own.has(file) });
    }
    for (const mine of [false, true]) {
        const group = taken.filter((t) => t.own === mine).map((t) => t.text);
        if (group.length > 0) {
            notes.push(`${mine ? "The app's own container config" : "The platform's config"} sets ${group.join(", ")}: the image sets ${group.length > 1 ? "them" : "it"} for every process; the container's environment overrides it.`);
        }
    }
    // A path the app's own Dockerfile makes in a RUN (kinto's `ENV KINTO_INI=/etc/kinto/kinto.ini` then `RUN kinto init`): this image runs none of
    // its RUN lines, so the variable names a file that is not there.
    const runs = dockerfileRuns(src);
    for (const [name, value, file] of p.set) {
        // A config file's path (a name with an extension: kinto.ini, config.cfg); folders the app writes are made by the writable paths.
        const base = value.slice(value.lastIndexOf("/") + 1);
        const inSource = value.startsWith(`${DEFAULTS.workdir}/`) && src.exists(value.slice(DEFAULTS.workdir.length + 1));
        if (!own.has(file) || env[name] !== value || !value.startsWith("/") || inSource || !base.includes(".") || base.startsWith(".") || base.endsWith(".")) {
            continue;
        }
        const made = runs.find((r) => r.words.some((w) => w === value || w === `$${name}` || w === `\${${name}}`));
        if (made !== undefined) {
            notes.push(
                `${name}=${value} (${file}) names a path the app's own Dockerfile makes in a RUN (\`${made.line}\`), which this image does not run: it is not in the image. ` +
                    `Point ${name} at a file of the source with PythonApp's \`env\`, or ship the file in the source.`,
            );
        }
    }
    const needs = p.needs.filter(([name]) => !(name in env));
    for (const mine of [false, true]) {
        const group = needs.filter(([, f]) => own.has(f) === mine);
        if (group.length > 0) {
            notes.push(
                `${mine ? "The app's own container config leaves" : "The platform fills in or asks for"} ${group.map(([n, f]) => `${n} (${f})`).join(", ")} ${mine ? "to the deployment" : "at deploy time"}: ` +
                    `set ${group.length > 1 ? "them" : "it"} with PythonApp's \`env\` (\`secretEnv\` for secrets).`,
            );
        }
    }
}

/**
 * The served module runs a server of its own at import, under no condition (a
 * tutorial's `app.run(debug=True)` with no `if __name__ == "__main__":`):
 * gunicorn's worker would import it and start that server instead. Flask's
 * app.run() returns at once when FLASK_RUN_FROM_CLI is "true" (what its own
 * CLI sets; Flask 1.0 and later, checked in their app.py), so the image sets
 * it; another framework's server gets a note.
 */
function devServerEnv(src: SourceTree, entry: Entrypoint, notes: string[]): Record<string, string> {
    const [module, attr] = entry.spec.split(":");
    if (attr === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(attr)) {
        return {};
    }
    const reader = moduleReader(src, servedRoots(entry));
    const home = reader.fileOf(module);
    const mod = home === undefined ? undefined : reader.parse(home.file);
    const call = mod === undefined ? undefined : devServerCall(mod, [attr]);
    if (call === undefined) {
        return {};
    }
    const shown = exprText(call);
    if (entry.framework === "flask" && calleeOf(call) === `${attr}.run`) {
        notes.push(
            `${home!.file} calls \`${shown}\` at import, outside \`if __name__ == "__main__":\`, which would start Flask's development server inside gunicorn's worker: ` +
                "the image sets FLASK_RUN_FROM_CLI=true, with which app.run() returns at once (as under the `flask` command), and gunicorn serves the app.",
        );
        return { FLASK_RUN_FROM_CLI: "true" };
    }
    notes.push(
        `${home!.file} calls \`${shown}\` at import, outside \`if __name__ == "__main__":\`: gunicorn's worker imports the module and would run that server instead of serving ${entry.spec}. ` +
            'Put the call under `if __name__ == "__main__":`.',
    );
    return {};
}

function djangoImageEnv(entry: Entrypoint, notes: string[]): Record<string, string> {
    const d = entry.django;
    const env: Record<string, string> = {};
    if (d?.runtimeFromBuildEnv) {
        return env; // the container's environment sets them (PythonApp's `env`), or the user keeps build-only settings in `buildEnv`
    }
    if (d && d.runtimeSettings !== d.settingsModule && DOTTED_NAME.test(d.runtimeSettings)) {
        notes.push(
            `${d.manage} defaults to the settings ${d.settingsModule}, while the server runs ${d.runtimeSettings} (${d.runtimeFrom ?? "its WSGI/ASGI module sets them"}): ` +
                `the image sets DJANGO_SETTINGS_MODULE=${d.runtimeSettings}, so manage.py commands (the release step, docker exec) use the server's settings; the container's environment overrides it.`,
        );
        env["DJANGO_SETTINGS_MODULE"] = d.runtimeSettings;
    } else if (d?.settingsOnlyFromEnv && DOTTED_NAME.test(d.runtimeSettings)) {
        notes.push(
            `Neither ${d.manage} nor the server's module gives DJANGO_SETTINGS_MODULE a default; ${d.runtimeFrom ?? "the environment sets them"}: ` +
                `the image sets DJANGO_SETTINGS_MODULE=${d.runtimeSettings} for the server, the build steps and manage.py commands; the container's environment overrides it.`,
        );
        env["DJANGO_SETTINGS_MODULE"] = d.runtimeSettings;
    } else if (d?.settingsOnlyFromManage !== undefined && DOTTED_NAME.test(d.runtimeSettings)) {
        notes.push(
            `${d.settingsOnlyFromManage}, the module the server loads, gives DJANGO_SETTINGS_MODULE no default; ${d.manage}'s is ${d.runtimeSettings}, but gunicorn does not run ${d.manage}: ` +
                `the image sets DJANGO_SETTINGS_MODULE=${d.runtimeSettings}; the container's environment overrides it.`,
        );
        env["DJANGO_SETTINGS_MODULE"] = d.runtimeSettings;
    }
    if (d?.runtimeSettingsVia !== undefined) {
        const vars = d.runtimeSettingsVia.variables;
        notes.push(
            `${d.runtimeSettingsVia.file} picks the Django settings module from ${vars.join(" and ")}: with ${vars.length > 1 ? "them" : "it"} unset, as the image runs, that is ${d.runtimeSettings}, ` +
                "which the build steps and the server use; to run other settings, set DJANGO_SETTINGS_MODULE in `buildEnv` (the build and the image follow it).",
        );
    }
    for (const inc of d?.settings.includedBy ?? []) {
        notes.push(
            `${inc.file} includes ${inc.included} as ${inc.variables.join(" and ")} choose${inc.variables.length > 1 ? "" : "s"} (django-split-settings), that one with nothing set in the image: ` +
                `to run another, set ${inc.variables.join(" and ")} in \`env\` for the server and in \`buildEnv\` for the build steps.`,
        );
    }
    // django-configurations: the settings class, chosen the same way.
    if (d?.configuration !== undefined && d.configuration !== d.devConfiguration && IDENTIFIER.test(d.configuration)) {
        notes.push(
            `${d.manage} defaults to the django-configurations class ${d.devConfiguration ?? "(none)"}, while the server runs ${d.configuration}: ` +
                `the image sets DJANGO_CONFIGURATION=${d.configuration}, so manage.py commands use the server's settings; the container's environment overrides it.`,
        );
        env["DJANGO_CONFIGURATION"] = d.configuration;
    }
    return env;
}

/**
 * DEBUG as the server runs it: the image sets no variable but
 * DJANGO_SETTINGS_MODULE, so a DEBUG that is on unless the environment says
 * otherwise (Render's `DEBUG = 'RENDER' not in os.environ`, env.bool("DEBUG",
 * default=True)) or set True outright stays on. A note says so, which
 * variable and value turn it off when that is certain, and, since DEBUG off
 * makes Django answer only ALLOWED_HOSTS, where that list comes from when it
 * is empty without the environment.
 */
/**
 * ALLOWED_HOSTS as the server's settings give it: Django answers 400 (Bad
 * Request) to a Host it does not list, so a note says where the site's host
 * names go: the variables the list is read from (their default list named),
 * or the file when it lists only local, example or hosting platforms' hosts. A list with "*" or
 * entries read elsewhere says nothing; an empty one is the DEBUG note's when DEBUG is on, and
 * this one's when it is off (every request refused).
 */
function djangoHosts(entry: Entrypoint, imageEnv: Readonly<Record<string, string>>, notes: string[]): void {
    const d = entry.django;
    const allowed = d?.settings.entriesOf("ALLOWED_HOSTS");
    const debug = d?.settings.truthOf("DEBUG");
    if (d !== undefined && unsetWhole(d, "ALLOWED_HOSTS") && (debug === undefined ? unsetWhole(d, "DEBUG") : debug.holds(serverEnv(d, imageEnv)) === false)) {
        // Not set at all (the Wagtail template's production settings, whose dev settings set it): Django's default is empty; DEBUG off, or unset (its default is off).
        notes.push(
            `The server's settings (${d.runtimeSettings}) do not set ALLOWED_HOSTS, whose default is empty, and DEBUG is off, so Django answers 400 (Bad Request) to every request ` +
                "(the health check passes: 400 is below 500): list the host names the site answers on, or read them from an environment variable set in `env`.",
        );
        return;
    }
    if (allowed === undefined || allowed.other || allowed.items.includes("*") || allowed.defaults.some((x) => x.split(",").includes("*"))) {
        return;
    }
    if (allowed.items.length === 0 && allowed.fromEnv.length === 0) {
        // Empty with DEBUG on: Django answers localhost only, and the DEBUG note speaks. Empty with DEBUG certainly off: every request is refused.
        const runtime = serverEnv(d!, imageEnv);
        if (d!.settings.truthOf("DEBUG")?.holds(runtime) === false) {
            notes.push(
                `${allowed.file} leaves ALLOWED_HOSTS empty and DEBUG is off, so Django answers 400 (Bad Request) to every request ` +
                    "(the health check passes: 400 is below 500): list the host names the site answers on, or read them from an environment variable set in `env`.",
            );
        }
        return;
    }
    const listed = allowed.items.length > 0 ? ` (${allowed.items.join(", ")}${allowed.fromEnv.length > 0 ? " by default" : ""})` : "";
    if (allowed.fromEnv.length > 0) {
        notes.push(
            `${allowed.file} reads ALLOWED_HOSTS from ${allowed.fromEnv.join(", ")}${listed}: set ${allowed.fromEnv.length === 1 ? "it" : "them"} in the component's \`env\` to the host names the site answers on; Django answers 400 (Bad Request) to any other Host header.`,
        );
        return;
    }
    // Local, example, or a hosting platform's own domains (a tutorial's Railway or PythonAnywhere list): not the user's site.
    const local = allowed.items.every(
        (h) =>
            /^(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0|testserver)$/.test(h) ||
            /(^|\.)example\.(com|org|net)$/.test(h) ||
            /\.(railway\.app|herokuapp\.com|onrender\.com|fly\.dev|pythonanywhere\.com|vercel\.app|azurewebsites\.net)$/.test(h),
    );
    if (local) {
        notes.push(`${allowed.file} lists only${listed.replace(/^ \(/, " ").replace(/\)$/, "")} in ALLOWED_HOSTS: add the host names the site answers on (or read them from the environment); Django answers 400 (Bad Request) to any other Host header.`);
    }
}

/**
 * Variables the server's settings read at import with no default
 * (`SECRET_KEY = os.environ["X"]`, env("X")): without them every worker, and
 * the release step, fails at start. collectstatic's note names them when
 * that step runs (the build fails without them); this one otherwise.
 */
function djangoRequiredEnv(
    entry: Entrypoint,
    imageEnv: Readonly<Record<string, string>>,
    steps: readonly { readonly name: string; readonly env: Readonly<Record<string, string>> }[],
    buildEnv: Readonly<Record<string, string>>,
    notes: string[],
): void {
    const d = entry.django;
    if (d === undefined) {
        return;
    }
    const runtime = serverEnv(d, imageEnv);
    // With collectstatic, its note names what the build lacks; what only `buildEnv` gives, the server still needs.
    const collect = steps.find((s) => s.name === "collectstatic");
    const build = collect === undefined ? undefined : { ...collect.env, ...buildEnv };
    const inBuildNote = new Set(build === undefined ? [] : d.settings.requiredEnv((v) => (Object.prototype.hasOwnProperty.call(build, v) ? build[v] : runtime(v))).map((m) => m.variable));
    const missing = d.settings.requiredEnv(runtime).filter((m) => collect === undefined || !inBuildNote.has(m.variable));
    if (missing.length === 0) {
        return;
    }
    const files = [...new Set(missing.map((m) => m.file))];
    const vars = missing.map((m) => m.variable);
    notes.push(
        `${files.join(", ")} read${files.length > 1 ? "" : "s"} ${vars.join(", ")} from the environment at import with no default: unless ${vars.length > 1 ? "they are" : "it is"} set, ` +
            `every worker and the release step fail at start (KeyError, ImproperlyConfigured). Set ${vars.length > 1 ? "them" : "it"} with PythonApp's \`env\` (\`secretEnv\` for secrets).`,
    );
}

/**
 * SECRET_KEY read from the environment with nothing to fall back on
 * (`SECRET_KEY = os.environ.get("SECRET_KEY")`, `os.getenv("X", "")`):
 * importing the settings works, but Django refuses an empty key where it is
 * read (`ImproperlyConfigured: The SECRET_KEY setting must not be empty`), so
 * sessions, signed cookies and the admin answer 500 (django-on-docker's settings).
 */
function djangoEmptySecretKey(entry: Entrypoint, imageEnv: Readonly<Record<string, string>>, notes: string[]): void {
    const d = entry.django;
    if (d !== undefined && unsetWhole(d, "SECRET_KEY")) {
        notes.push(
            `The server's settings (${d.runtimeSettings}) do not set SECRET_KEY, so the key is empty, and Django refuses it wherever it is read ` +
                "(ImproperlyConfigured: The SECRET_KEY setting must not be empty): sessions, signed cookies, password reset tokens and the admin answer 500. " +
                'Read it from the environment in those settings (`SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]`) and set it with PythonApp\'s `secretEnv`.',
        );
        return;
    }
    const key = d?.settings.truthOf("SECRET_KEY");
    // Only an assignment that always runs (one under `if` is the settings' own choice), and not when importing them fails first.
    if (d === undefined || key === undefined || key.variables.length === 0 || d.settings.whenSet("SECRET_KEY") !== undefined) {
        return;
    }
    const runtime = serverEnv(d, imageEnv);
    if (key.holds(runtime) !== false || d.settings.requiredEnv(runtime).some((m) => key.variables.includes(m.variable))) {
        return;
    }
    const vars = key.variables;
    notes.push(
        `${key.file} sets SECRET_KEY from ${vars.join(", ")} with no default (\`${key.text}\`): unless ${vars.length > 1 ? "one of them is" : "it is"} set, the key is empty, and Django refuses it wherever ` +
            "it is read (ImproperlyConfigured: The SECRET_KEY setting must not be empty): sessions, signed cookies, password reset tokens and the admin answer 500. " +
            "Set it with PythonApp's `secretEnv`.",
    );
}

/** A setting the server's settings leave unset, as far as can be told: nothing assigns it and every star import was read. */
function unsetWhole(d: NonNullable<Entrypoint["django"]>, name: string): boolean {
    return d.settings.readWhole && d.settings.get(name) === undefined;
}

/** The environment the server's settings see: the image's ENV and its DJANGO_SETTINGS_MODULE (the container adds nothing here). */
function serverEnv(d: NonNullable<Entrypoint["django"]>, imageEnv: Readonly<Record<string, string>>): EnvView {
    return (name) => (Object.prototype.hasOwnProperty.call(imageEnv, name) ? imageEnv[name] : name === "DJANGO_SETTINGS_MODULE" ? d.runtimeSettings : undefined);
}

/**
 * MEDIA_ROOT kept on the container's volume while nothing serves MEDIA_URL: with DEBUG off Django's static() helper
 * adds no URL, gunicorn serves no files, and WhiteNoise serves static files only, so every uploaded file answers 404
 * (bakerydemo's uWSGI static-map served them). Not when the URLconf imports django.views.static (its serve view
 * for MEDIA_URL), when the default storage is not the file system (django-storages), or when DEBUG may be on.
 */
function djangoMediaServed(src: SourceTree, entry: Entrypoint, imageEnv: Readonly<Record<string, string>>, media: { readonly path: string; readonly why: string } | undefined, notes: string[]): void {
    const d = entry.django;
    if (d === undefined || media === undefined || d.settings.truthOf("DEBUG")?.holds(serverEnv(d, imageEnv)) !== false) {
        return;
    }
    const backend = str(dictGet(dictGet(d.settings.get("STORAGES"), "default"), "BACKEND")) ?? d.settings.text("DEFAULT_FILE_STORAGE");
    if (backend !== undefined && backend !== "django.core.files.storage.FileSystemStorage") {
        return;
    }
    const urlconf = d.settings.text("ROOT_URLCONF");
    const reader = moduleReader(src, servedRoots(entry));
    const urls = urlconf === undefined ? undefined : reader.fileOf(urlconf);
    const mod = urls === undefined ? undefined : reader.parse(urls.file);
    if (mod === undefined || [...mod.imported].some((m) => m === "django.views.static" || m.startsWith("django.views.static."))) {
        return;
    }
    const path = media.path.startsWith("/") ? media.path : `${DEFAULTS.workdir}/${media.path}`;
    notes.push(
        `MEDIA_ROOT (${media.why.split(":")[0]}) keeps the files the app saves in ${path}, a data volume, but with DEBUG off nothing serves MEDIA_URL${d.settings.text("MEDIA_URL") === undefined ? "" : ` (${d.settings.text("MEDIA_URL")})`}: ` +
            `Django's static() helper adds its URLs only while DEBUG is true, ${urls!.file} has no django.views.static.serve for it, gunicorn serves no files and WhiteNoise serves static files only, so every uploaded file answers 404. ` +
            "Serve that path from a proxy in front, route MEDIA_URL to django.views.static.serve in the URLconf (for a small site), or keep the files in object storage (django-storages).",
    );
}

/**
 * SECURE_SSL_REDIRECT on as the server runs (Heroku's getting-started
 * settings, cookiecutter-django's production): Django answers every plain
 * HTTP request with a 301 to https, which works only behind a proxy that
 * terminates TLS and says so (X-Forwarded-Proto, read through
 * SECURE_PROXY_SSL_HEADER). The health check passes (a 301 is below 500).
 */
/**
 * A database server the settings find, with nothing set, on the container itself (env.db()'s default `postgres:///shop`,
 * HOST "localhost"): the container runs none, so the release step's migrate and every query fail until the variables
 * name one it reaches. Not when the image's environment or `buildEnv`/`buildSecrets` give one of them.
 */
function djangoLocalDatabase(entry: Entrypoint, imageEnv: Readonly<Record<string, string>>, o: CheckedOptions, notes: string[]): void {
    for (const db of entry.django?.settings.databases.local ?? []) {
        if (db.variables.some((v) => v in imageEnv || v in o.buildEnv || o.buildSecrets.includes(v))) {
            continue;
        }
        const which = db.alias === undefined || db.alias === "default" ? "default database" : `${db.alias} database`;
        const by = db.variables.length === 0 ? "" : ` unless ${db.variables.join(" or ")} ${db.variables.length > 1 ? "are" : "is"} set`;
        notes.push(
            `DATABASES' ${which} (${db.file}) is ${db.engine} on the container itself (${db.given})${by}, and the container runs no database server: ` +
                `the release step's migrate and every request that queries the database fail until ${db.variables.length === 0 ? "the settings name" : db.variables.join(" or ")} ${db.variables.length === 0 ? "" : "names "}a server the container reaches` +
                `${db.variables.length > 0 && db.given.startsWith("`") ? " (a URL with its password: give it with `secretEnv`)" : ""}.`,
        );
    }
}

function djangoSslRedirect(entry: Entrypoint, imageEnv: Readonly<Record<string, string>>, notes: string[]): void {
    const d = entry.django;
    const redirect = d?.settings.truthOf("SECURE_SSL_REDIRECT");
    const runtime = serverEnv(d!, imageEnv);
    if (d === undefined || redirect === undefined || redirect.holds(runtime) !== true) {
        return;
    }
    const header = d.settings.get("SECURE_PROXY_SSL_HEADER") !== undefined;
    notes.push(
        `${redirect.file} turns SECURE_SSL_REDIRECT on, so Django answers plain HTTP with a 301 to https (the health check passes: 301 is below 500): ` +
            `serve the container behind a proxy that terminates TLS and sets X-Forwarded-Proto${header ? "" : ", and set SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\") so Django trusts it"}` +
            (redirect.variables.length > 0 ? `; or turn it off through ${redirect.variables.join(", ")} in \`env\`.` : "."),
    );
}

/** A production settings module beside the one the server runs (harbour.settings.production beside harbour.settings.dev), as Wagtail's and cookiecutter-django's layouts have. */
function productionSibling(src: SourceTree, d: NonNullable<Entrypoint["django"]>): string | undefined {
    const parts = d.runtimeSettings.split(".");
    if (parts.length < 2) {
        return undefined;
    }
    for (const name of ["production", "prod", "live", "deploy"]) {
        const module = [...parts.slice(0, -1), name].join(".");
        const base = [d.root, ...parts.slice(0, -1), name].filter((p) => p !== "").join("/");
        if (module !== d.runtimeSettings && (src.isFile(`${base}.py`) || src.isFile(`${base}/__init__.py`))) {
            return module;
        }
    }
    return undefined;
}

function djangoDebug(src: SourceTree, entry: Entrypoint, imageEnv: Readonly<Record<string, string>>, notes: string[]): void {
    const d = entry.django;
    const debug = d?.settings.truthOf("DEBUG");
    if (!d || !debug) {
        return;
    }
    const runtime = serverEnv(d, imageEnv);
    if (debug.holds(runtime) !== true) {
        return;
    }
    const exposed = "Django's error pages then show tracebacks and settings to anyone who triggers an error";
    const sets = `${debug.file} sets DEBUG = ${debug.text}`;
    let hosts = "";
    const allowed = d.settings.entriesOf("ALLOWED_HOSTS");
    if (!allowed || (allowed.items.length === 0 && !allowed.other)) {
        const from = allowed?.fromEnv ?? [];
        hosts =
            " With DEBUG off, Django answers 400 to a request for any host not in ALLOWED_HOSTS, " +
            (from.length > 0
                ? `which ${allowed!.file} fills only from ${from.join(", ")}: set ${from.length === 1 ? "it" : "them"} to the site's host name too.`
                : `which ${allowed ? `${allowed.file} leaves empty` : "the settings do not set"}: add the site's host names there.`);
    }
    if (debug.variables.length === 0) {
        const prod = productionSibling(src, d);
        const fix =
            prod !== undefined
                ? `the project has production settings, ${prod}: set DJANGO_SETTINGS_MODULE=${prod} in the component's \`env\` (PythonApp's build steps use it too), or set DEBUG = False`
                : "set DEBUG = False, or read it from the environment, for production";
        notes.push(`${sets}, so the server runs with DEBUG on: ${exposed}; ${fix}.${hosts}`);
        return;
    }
    const sw = debug.switchTo(false, runtime, new Set(Object.keys(imageEnv)));
    if (!sw) {
        const one = debug.variables.length === 1;
        notes.push(
            `${sets}, which reads ${debug.variables.join(", ")}, and the image ${one ? "does not set it" : "sets none of them"}, so the server runs with DEBUG on: ${exposed}; ` +
                `give ${one ? "it" : "them"} the value that turns DEBUG off in the component's \`env\` for production.${hosts}`,
        );
        return;
    }
    const off = sw.anyValue ? `${sw.variable} (any value does)` : `${sw.variable}=${sw.value}`;
    // The value the settings hold with the environment as it is, not the last assignment's (`DEBUG = True`, then
    // `DEBUG = False` under `if ENVIRONMENT == "production":`).
    const on = debug.text === "False" ? "sets DEBUG = False only under a condition" : `sets DEBUG = ${debug.text}`;
    // What else that variable turns on: the same branch's SECURE_SSL_REDIRECT answers plain HTTP with a 301.
    const switched: EnvView = (name) => (name === sw.variable ? sw.value : runtime(name));
    const redirect = d.settings.truthOf("SECURE_SSL_REDIRECT");
    const redirects =
        redirect !== undefined && redirect.holds(runtime) !== true && redirect.holds(switched) === true
            ? ` That setting also turns SECURE_SSL_REDIRECT on (${redirect.file}): Django then answers plain HTTP with a 301 to https, so serve the container behind a proxy that terminates TLS.`
            : "";
    notes.push(`${debug.file} ${on}, so the server runs with DEBUG on unless its container sets ${off}: ${exposed}; set it in the component's \`env\` for production.${redirects}${hosts}`);
}

function chooseGroups(o: CheckedOptions, deps: ReturnType<typeof detectDependencies>, notes: string[], ownImage?: DockerfileSelection): string[] {
    const chosen = chooseGroupsUnchecked(o, deps, notes, ownImage);
    deps.checkGroups?.(chosen);
    return chosen;
}

function chooseGroupsUnchecked(o: CheckedOptions, deps: ReturnType<typeof detectDependencies>, notes: string[], ownImage?: DockerfileSelection): string[] {
    const defined = deps.groups.defined;
    const extras = deps.groups.extras;
    if (o.dependencyGroups !== undefined) {
        for (const g of o.dependencyGroups) {
            if (!defined.includes(g)) {
                throw new InputError("`dependencyGroups`", `\`dependencyGroups\` names "${g}", which the manifests do not define (${definedGroups(defined, extras)}).`);
            }
        }
        if (o.dependencyGroups.length > 0 && deps.installer === "pipenv") {
            throw new InputError("`dependencyGroups`", "`dependencyGroups` is for uv, Poetry, PDM and PEP 735 groups; Pipfile.lock has no groups. Remove it.");
        }
        return [...o.dependencyGroups];
    }
    // The project's extras and the dependency groups the app's own Dockerfile installs (umap's `pip install .[deploy,s3,sync]`: its ASGI
    // module imports `sync`'s redis; `poetry install --with web`), development groups left out.
    const extraNames = extras?.names ?? [];
    const groupNames = defined.filter((g) => !extraNames.includes(g));
    const find = (names: readonly string[], e: string) => names.find((n) => normalizeName(n) === normalizeName(e));
    const imageExtras = ownImage === undefined ? [] : ownImage.allExtras ? extraNames : [...new Set(ownImage.extras.flatMap((e) => find(extraNames, e) ?? []))];
    // A group's name may be an extra's (PDM's `-G` names both).
    const namedGroups = ownImage === undefined ? [] : ownImage.allGroups ? groupNames : [...new Set(ownImage.groups.flatMap((g) => find(groupNames, g) ?? find(extraNames, g) ?? []))];
    const devNamed = namedGroups.filter((g) => DEVELOPMENT_GROUPS.includes(normalizeName(g)));
    const fromImage = [...new Set([...imageExtras, ...namedGroups.filter((g) => !devNamed.includes(g))])];
    const line = ownImage?.lines.map((l) => `\`${l}\``).join(", ");
    if (fromImage.length > 0) {
        const ex = fromImage.filter((g) => extraNames.includes(g));
        const gr = fromImage.filter((g) => !extraNames.includes(g));
        const what = [
            ...(ex.length > 0 ? [`the extra${ex.length > 1 ? "s" : ""} ${ex.join(", ")} (${extras!.from})`] : []),
            ...(gr.length > 0 ? [`the dependency group${gr.length > 1 ? "s" : ""} ${gr.join(", ")}`] : []),
        ];
        notes.push(`Installs ${what.join(" and ")} besides the main dependencies, as the app's own Dockerfile does (${line}); set \`dependencyGroups\` to choose.`);
    }
    if (devNamed.length > 0) {
        const many = devNamed.length > 1;
        notes.push(
            `The app's own Dockerfile installs the development group${many ? "s" : ""} ${devNamed.join(", ")} too (${line}); ${many ? "they are" : "it is"} left out: development tools stay out of the image (set \`dependencyGroups\` to install ${many ? "them" : "it"}).`,
        );
    }
    const prod = defined.filter((g) => PRODUCTION_GROUPS.includes(g) && !fromImage.includes(g));
    if (fromImage.length > 0) {
        if (prod.length > 0) {
            notes.push(`Installs ${prod.map((g) => (extraNames.includes(g) ? `the extra ${g}` : `the dependency group ${g}`)).join(" and ")} too, by its name (set \`dependencyGroups\` to choose).`);
        }
        return [...fromImage, ...prod];
    }
    if (prod.length > 0) {
        const what = prod.map((g) => (extras?.names.includes(g) ? `the extra ${g} (${extras.from})` : `the dependency group ${g}`));
        notes.push(`Installs ${what.join(" and ")} besides the main dependencies (set \`dependencyGroups\` to choose).`);
    }
    const skipped = deps.groups.defaults.filter((g) => !prod.includes(g));
    if (skipped.length > 0) {
        const many = skipped.length > 1;
        const tool = { uv: "uv sync", poetry: "poetry install", pdm: "pdm install" }[deps.installer as string] ?? "the installer";
        notes.push(`The group${many ? "s" : ""} ${skipped.join(", ")}, which ${tool} installs by default, ${many ? "are" : "is"} not installed: development tools stay out of the image.`);
    }
    return prod;
}

/**
 * What the manifests define, for the error on a `dependencyGroups` name they
 * do not, saying which names are dependency groups and which the project's
 * extras: "they define the dependency groups lint, test and the extras prod,
 * dev (pyproject.toml's [project.optional-dependencies])", or "they define no
 * groups or extras".
 */
function definedGroups(defined: readonly string[], extras: Dependencies["groups"]["extras"]): string {
    const groups = defined.filter((g) => !(extras?.names.includes(g) ?? false));
    const parts = [
        ...(groups.length > 0 ? [`the dependency group${groups.length > 1 ? "s" : ""} ${groups.join(", ")}`] : []),
        ...(extras && extras.names.length > 0 ? [`the extra${extras.names.length > 1 ? "s" : ""} ${extras.names.join(", ")} (${extras.from})`] : []),
    ];
    return parts.length > 0 ? `they define ${parts.join(" and ")}` : "they define no groups or extras";
}

function chooseWorkspacePackage(o: CheckedOptions, deps: ReturnType<typeof detectDependencies>, entry: Entrypoint, notes: string[]): string | undefined {
    const members = deps.workspace?.members ?? [];
    if (o.workspacePackage !== undefined) {
        if (deps.installer !== "uv" || members.length === 0) {
            throw new InputError("`workspacePackage`", "`workspacePackage` is for uv workspaces; pyproject.toml declares none. Remove it.");
        }
        const m = members.find((x) => x.name === o.workspacePackage!.toLowerCase().replace(/[-_.]+/g, "-"));
        if (!m) {
            throw new InputError("`workspacePackage`", `\`workspacePackage\` is "${o.workspacePackage}", which is not a member of the workspace (members: ${members.map((x) => x.name).join(", ")}).`);
        }
        return m.name;
    }
    // The app lives in a member (a virtual root, or a root project that is not the service): sync that member with its own dependencies.
    const dir = entry.root?.dir ?? "";
    const m = dir === "" ? undefined : members.find((x) => dir === x.dir || dir.startsWith(`${x.dir}/`));
    if (m) {
        notes.push(`${deps.workspace?.virtualRoot ? "The workspace root is virtual; the" : "The"} app is in the member ${m.name} (${m.dir}/): \`uv sync --package ${m.name}\`.`);
        return m.name;
    }
    return undefined;
}

function aptPackages(
    src: SourceTree,
    o: CheckedOptions,
    deps: ReturnType<typeof detectDependencies>,
    installed: ReadonlySet<string>,
    python: string,
    release: DistroRelease | undefined,
    djangoApps: readonly string[],
    roots: readonly ImportRoot[],
    notes: string[],
): { build: string[]; runtime: string[] } {
    const build = [...o.aptBuildPackages];
    const runtime = [...o.aptRuntimePackages];
    const rel: DistroRelease = release ?? "trixie";
    const add = (row: (typeof NATIVE_LIBRARIES)[number], why: string) => {
        const run = row.runtime[rel];
        build.push(...row.build.filter((p) => !build.includes(p)));
        runtime.push(...run.filter((p) => !runtime.includes(p)));
        notes.push(`${why}: added ${[...row.build, ...run].join(", ")} (${row.reason})`);
    };
    /** "name" or "name[extra]" among what the install step installs. */
    const has = (project: string): boolean => {
        const bracket = project.indexOf("[");
        const name = bracket < 0 ? project : project.slice(0, bracket);
        const extra = bracket < 0 ? undefined : project.slice(bracket + 1, -1);
        return installed.has(name) && (extra === undefined || (deps.extras.get(name)?.has(extra) ?? false));
    };
    // What the app's dependencies pull in (a lock lists it; requirements without one do not): flask-mysqldb's mysqlclient.
    const pulled = new Map<string, string>();
    for (const p of PULLS_IN) {
        if (has(p.project) && !installed.has(p.requires) && !pulled.has(p.requires)) {
            pulled.set(p.requires, p.project);
        }
    }
    for (const row of NATIVE_LIBRARIES) {
        const through = pulled.get(row.project);
        if (!has(row.project) && through === undefined) {
            continue;
        }
        const name = row.project.includes("[") ? row.project.slice(0, row.project.indexOf("[")) : row.project;
        // A row for some releases: the pinned one's (unpinned, or pulled in: the newest, which only an open-ended range holds).
        const pin = through === undefined ? deps.pins.get(name) : undefined;
        if (row.releases !== undefined && !satisfies(pin ?? "99999", row.releases)) {
            continue;
        }
        add(row, through !== undefined ? `${through} depends on ${row.project}` : pin !== undefined && row.releases !== undefined ? `${row.project} ${pin}` : row.project);
    }
    // Projects whose wheels bundle their libraries need them only when pip must build the sdist.
    // Unpinned, pip takes the newest release the specifier allows: the table's newest, when it does.
    for (const row of NATIVE_LIBRARIES_FROM_SDIST) {
        const pin = deps.pins.get(row.project);
        const latest = latestRelease(row.project);
        const spec = deps.specifiers.get(row.project);
        const version = pin ?? (latest !== undefined && (spec === undefined || spec === "" || satisfies(latest, spec)) ? latest : undefined);
        if (!installed.has(row.project)) {
            continue;
        }
        const option = deps.noBinary?.has(row.project) ? `--no-binary ${row.project}` : deps.noBinary?.has(":all:") ? "--no-binary :all:" : undefined;
        if (option !== undefined) {
            add(row, `${row.project} builds from source: the requirements say ${option}`);
        } else if (version !== undefined && hasWheel(row.project, version, python) === false) {
            const which = pin !== undefined ? `${row.project} ${version}` : `${row.project} (unpinned: pip installs ${version})`;
            add(row, `${which} has no wheel for Python ${python}, so it builds from source`);
        }
    }
    // GeoDjango: its libraries in the runner, and in the builder, whose build steps import the project.
    if (djangoApps.includes(GEODJANGO.project)) {
        const libs = GEODJANGO.runtime[rel];
        build.push(...libs.filter((p) => !build.includes(p)));
        runtime.push(...libs.filter((p) => !runtime.includes(p)));
        notes.push(`${GEODJANGO.project} is in INSTALLED_APPS: added ${libs.join(", ")} to the builder and the runner (${GEODJANGO.reason})`);
    }
    aptfilePackages(src, build, runtime, notes);
    nixpacksAptPackages(src, build, runtime, notes);
    // Programs the app's code runs (`subprocess.run(["ffmpeg", ...])`) that nothing above put in the runner.
    for (const { program, file } of programsTheCodeRuns(src, roots)) {
        const pkg = PROGRAM_PACKAGES[program];
        if (!runtime.includes(pkg)) {
            runtime.push(pkg);
            notes.push(`${file} runs the ${program} program: added ${pkg} to the runner, which the base image lacks (without it the call fails with FileNotFoundError).`);
        }
    }
    dockerfileAptNote(src, build, runtime, notes);
    if (release === undefined) {
        notes.push("The base image's Debian/Ubuntu release is not in its tag; runtime library names are Debian 13's.");
    }
    return { build, runtime };
}

/**
 * Packages a platform file lists for the app (an Aptfile, Nixpacks' aptPkgs): a -dev package to the builder
 * (headers to compile against), any other to the runner; returns where each went, for the note.
 */
function placeAptPackages(names: readonly string[], build: string[], runtime: string[]): string {
    const dev = names.filter((p) => p.endsWith("-dev"));
    const run = names.filter((p) => !p.endsWith("-dev"));
    build.push(...dev.filter((p) => !build.includes(p)));
    runtime.push(...run.filter((p) => !runtime.includes(p)));
    return [...(run.length > 0 ? [`${run.join(", ")} in the runner`] : []), ...(dev.length > 0 ? [`${dev.join(", ")} in the builder (headers to compile against)`] : [])].join("; ");
}

/**
 * Heroku's apt buildpack's Aptfile: one Ubuntu package per line (comments
 * and blank lines aside), installed for the build and the app. Here a -dev
 * package goes to the builder (headers to compile against), any other to the
 * runner (a tool the app runs, ffmpeg, tesseract-ocr, or a library it loads;
 * `aptBuildPackages` puts one in the builder too). A .deb
 * URL or a `:repo:` line is not installed, with a note; a name apt could not
 * take is refused, naming the line.
 */
function aptfilePackages(src: SourceTree, build: string[], runtime: string[], notes: string[]): void {
    const text = src.readIfFile("Aptfile");
    if (text === undefined) {
        return;
    }
    const names: string[] = [];
    const skipped: string[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) {
            return;
        }
        if (line.startsWith(":repo:") || line.includes("://")) {
            skipped.push(line);
            return;
        }
        if (!APT_PACKAGE.test(line)) {
            throw new InputError("Aptfile", `Aptfile line ${i + 1}, ${JSON.stringify(line)}, is not a package name apt takes; fix the line (one package per line), or list packages with \`aptRuntimePackages\`.`);
        }
        names.push(line);
    });
    const where = placeAptPackages(names, build, runtime);
    if (names.length > 0) {
        notes.push(
            `Aptfile (Heroku's apt buildpack) lists packages the app needs: ${where}, from the base image's Debian archive. ` +
                "Aptfile names are Ubuntu's, mostly Debian's too (a missing one fails the build, naming it); `aptBuildPackages` puts a tool in the builder as well.",
        );
    }
    if (skipped.length > 0) {
        notes.push(`Aptfile's ${skipped.map((l) => `\`${l}\``).join(", ")} ${skipped.length > 1 ? "are" : "is"} not installed (a .deb URL or another repository): list the packages by name, or with \`aptRuntimePackages\`.`);
    }
}

/**
 * Packages an app's Dockerfile installs that need no word here: what this image has its own way of (its Python,
 * an installer, a server or init in front of gunicorn, an editor), what only builds (compilers; -dev packages
 * are recognised by name), and what adds another package repository.
 */
const NEEDS_NO_NOTE = /^(python[0-9.]*(-[a-z0-9.]+)?|python-is-python3|pipx|nginx(-[a-z]+)?|apache2(-[a-z]+)?|supervisor|gosu|su-exec|tini|dumb-init|sudo|systemd|cron|vim|nano|less|build-essential|gcc|g\+\+|make|cmake|pkg-config|pkgconf|autoconf|automake|libtool|cargo|rustc|swig|ca-certificates|gnupg2?|lsb-release|software-properties-common|apt-transport-https|apt-utils)$/;

/**
 * What the final image of the app's own Dockerfile installs with apt or apk that this image does not install
 * (FlareSolverr's chromium, chromium-driver and xvfb, which its code runs through a library): named in a note
 * for `aptRuntimePackages`, not carried. The names are the app's base image's (Debian's for python:*-slim,
 * Alpine's for apk); whether each is the app's at run time, which release has it, and which repository the
 * Dockerfile added for it are not known here, and a name the base image's archive lacks would fail the build.
 */
function dockerfileAptNote(src: SourceTree, build: readonly string[], runtime: readonly string[], notes: string[]): void {
    const found = dockerfileSystemPackages(src);
    if (found === undefined) {
        return;
    }
    // nodejs and npm beside a package.json build the front-end, which the builder does itself when it can (and says so when not).
    const frontEnd = (n: string) => (n === "nodejs" || n === "npm") && src.isFile("package.json");
    const named = [...found.apt, ...found.apk].filter((n) => !NEEDS_NO_NOTE.test(n) && !n.endsWith("-dev") && !build.includes(n) && !runtime.includes(n) && !frontEnd(n));
    if (named.length === 0) {
        return;
    }
    const shown = found.lines.length === 1 ? `\`${found.lines[0]}\`` : `${found.lines.length} RUN lines`;
    notes.push(
        `${found.dockerfile} installs system packages this image does not (${shown}): ${named.join(", ")}. ` +
            `If the app runs or loads one at run time (a browser, a converter, a shared library), add it with \`aptRuntimePackages\`, by its name in ${found.apk.length > 0 ? "Debian's archive (apk's Alpine names differ)" : "the base image's Debian/Ubuntu archive"}.`,
    );
}

/**
 * Nixpacks' (Railway's) nixpacks.toml `[phases.setup] aptPkgs`: Debian packages its image installs for the
 * build and the app, as the Aptfile's are (a -dev package to the builder, any other to the runner); `"..."`
 * (Nixpacks' own defaults) is skipped. `nixPkgs` are Nix names, not installed, with a note. A name apt could
 * not take is refused, naming it.
 */
function nixpacksAptPackages(src: SourceTree, build: string[], runtime: string[], notes: string[]): void {
    const text = src.readIfFile("nixpacks.toml");
    if (text === undefined) {
        return;
    }
    let setup: Record<string, unknown> | undefined;
    try {
        const phases = (parseToml(text) as Record<string, unknown>)["phases"];
        const s = phases !== null && typeof phases === "object" ? (phases as Record<string, unknown>)["setup"] : undefined;
        setup = s !== null && typeof s === "object" ? (s as Record<string, unknown>) : undefined;
    } catch {
        return; // the platform-config reader notes a nixpacks.toml it cannot read
    }
    const list = (key: string): string[] => (Array.isArray(setup?.[key]) ? (setup![key] as unknown[]).filter((x): x is string => typeof x === "string" && x !== "...") : []);
    const names = list("aptPkgs");
    for (const n of names) {
        if (!APT_PACKAGE.test(n)) {
            throw new InputError("nixpacks.toml", `nixpacks.toml's [phases.setup] aptPkgs names ${JSON.stringify(n)}, which is not a package name apt takes; fix it, or list packages with \`aptRuntimePackages\`.`);
        }
    }
    const where = placeAptPackages(names, build, runtime);
    if (names.length > 0) {
        notes.push(`nixpacks.toml's [phases.setup] aptPkgs lists packages the app needs: ${where}, from the base image's Debian archive.`);
    }
    const nix = list("nixPkgs");
    if (nix.length > 0) {
        notes.push(
            `nixpacks.toml's [phases.setup] nixPkgs (${nix.join(", ")}) are Nix packages and are not installed here: list the Debian packages the app needs with \`aptRuntimePackages\` (a tool it runs) or \`aptBuildPackages\` (one it builds with).`,
        );
    }
}

function chooseBase(requested: string | undefined, python: string): Plan["baseImage"] {
    if (requested === undefined) {
        const row = baseImageFor(python)!;
        return { image: row.image, flavor: row.flavor, reason: row.reason, release: row.release };
    }
    const known = pythonOfKnownImage(requested);
    if (known !== undefined && known !== python) {
        throw new InputError(
            "`baseImage`",
            `\`baseImage\` ${requested} ships Python ${known}, but the app asks for Python ${python}. ` +
                `Pick a base image with Python ${python}, or set \`python\` to "${known}".`,
        );
    }
    const flavor = flavorOf(requested);
    return {
        image: requested,
        flavor,
        release: releaseOfImage(requested),
        reason:
            flavor === "python"
                ? "`baseImage`: an official Python image; Python comes with it."
                : "`baseImage`: a Debian or Ubuntu image; python3 comes from its apt.",
    };
}

/**
 * A path inside a package the image installs (a src layout, installed
 * without --editable) is written in the installed copy under site-packages,
 * which is what the app imports: `os.path.join(app.static_folder, "uploads")`
 * of src/gallery/ is <venv>/lib/python3.X/site-packages/gallery/static/uploads.
 */
function inInstalledCopy(w: WritablePath, installedRoots: ReadonlySet<string>, sitePackages: string): WritablePath {
    for (const root of installedRoots) {
        if (w.path.startsWith(`${root}/`)) {
            const path = `${sitePackages}/${w.path.slice(root.length + 1)}`;
            // The source copy stays in /app too; a command that imports it (a release step's `--app src/blog`) must see the same file.
            return { ...w, path, alias: w.file ? w.path : undefined, why: `${w.why} (${root}/ is installed as a package: the app writes in its installed copy, ${path})` };
        }
    }
    return w;
}

/**
 * Why the app needs setuptools added, if it does: its code imports pkg_resources (or a project it installs
 * does, IMPORTS_PKG_RESOURCES) and nothing pins setuptools below 82, which removed it; or its code imports
 * distutils on Python 3.12 or later (gone from the standard library; setuptools shims it) and nothing installs
 * setuptools. A pin of 82 or later is the app's own choice: a note says what it breaks.
 */
function setuptoolsNeed(facts: PythonFacts, deps: Dependencies, installed: ReadonlySet<string>, python: string, notes: string[]): string | undefined {
    const pkgResources = [
        ...(facts.setuptoolsImports ?? []).filter((i) => i.module === "pkg_resources").map((i) => `${i.file} imports pkg_resources`),
        ...IMPORTS_PKG_RESOURCES.filter((r) => installed.has(r.project) && (r.releases === undefined || installsReleaseIn(deps.pins.get(r.project), deps.specifiers.get(r.project), r.releases))).map(
            (r) => r.source,
        ),
    ];
    const pin = deps.pins.get("setuptools");
    const spec = deps.specifiers.get("setuptools");
    if (pkgResources.length > 0) {
        // The release the app's own pin or range installs (below 82 where the range allows one), if either says.
        const version = installedVersion(pin, spec, ["81.0.0", "82"]);
        if (version !== undefined && satisfies(version, "<82")) {
            return undefined;
        }
        if (pin !== undefined) {
            notes.push(`${pkgResources.join("; ")}, but the app pins setuptools ${pin}, and setuptools 82.0.0 removed pkg_resources: pin setuptools<82, or the import fails when the app starts.`);
            return undefined;
        }
        return `${pkgResources.join("; ")}, which setuptools 82.0.0 removed`;
    }
    const distutils = (facts.setuptoolsImports ?? []).find((i) => i.module === "distutils");
    if (distutils !== undefined && !newerPython("3.12", python) && !installed.has("setuptools")) {
        return `${distutils.file} imports distutils, which Python 3.12 removed from the standard library (PEP 632); setuptools provides it`;
    }
    return undefined;
}
