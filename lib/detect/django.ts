import { minimatch } from "minimatch";
import { devAppDistribution } from "../data/django-dev-apps";
import { InputError } from "../errors";
import { isTestFolder } from "./app-code";
import { exampleNames } from "./flask-build";
import { isSqliteUrl, PathContext, pathValue, sqliteUrlPath, withLocals } from "./paths";
import { comparedLiterals, envVariables, EnvSwitch, EnvView, evaluate, findSwitch, inlineHelpers, listOf, requiredVariables, truthy, variablesARaiseNeeds, walk } from "./python-eval";
import { absoluteModule, bind, calleeOf, dictGet, Expr, exprText, FIND_SPEC, Guard, keywordArgs, parseModule, PyModule, refPath, str } from "./python-source";
import { SourceTree } from "./source";

/**
 * A Django project, read from its files: which manage.py, which settings
 * module (following `from .base import *` and absolute star imports through
 * a settings package), which WSGI/ASGI application, and the settings the
 * build and the runtime care about (static files, the database, media and
 * locale folders). Nothing is imported or run.
 */
export interface DjangoProject {
    /** The folder that holds manage.py, relative to the source folder ("" or "portal"); gunicorn runs there. */
    readonly root: string;
    readonly manage: string;
    /** The settings module manage.py selects (often the development one). */
    readonly settingsModule: string;
    /** The settings module the server runs with: the one wsgi.py/asgi.py selects, else manage.py's. */
    readonly runtimeSettings: string;
    /** Who selects runtimeSettings, as a note says it: "its WSGI/ASGI module sets them", "the Procfile's web: line sets them". */
    readonly runtimeFrom?: string;
    /**
     * The environment variables the module that selects runtimeSettings reads to pick them
     * (`f"proj.settings.{ENVIRONMENT}"`, ENVIRONMENT = os.environ.get("PROJ_ENV", "production")),
     * with the file: runtimeSettings is its value with them unset.
     */
    readonly runtimeSettingsVia?: { readonly variables: readonly string[]; readonly file: string };
    /** runtimeSettings come from `buildEnv` (PythonApp's `env`): the container sets them itself, so the image does not. */
    readonly runtimeFromBuildEnv?: boolean;
    /** Neither manage.py nor the server's module gives DJANGO_SETTINGS_MODULE a default: only the environment picks the settings, so the image sets it. */
    readonly settingsOnlyFromEnv?: boolean;
    /** The server's module (its wsgi.py) gives DJANGO_SETTINGS_MODULE no default, and the server does not run manage.py, whose default it is: the image sets it. */
    readonly settingsOnlyFromManage?: string;
    /** gunicorn's app, its interface and the file that decided it. */
    readonly entry: { readonly spec: string; readonly interface: "wsgi" | "asgi"; readonly source: string };
    /**
     * django-configurations: the settings class the server runs with (DJANGO_CONFIGURATION as its
     * WSGI/ASGI module sets it, else manage.py's), whose body (and its bases') gives the settings.
     */
    readonly configuration?: string;
    /** The settings class manage.py selects. */
    readonly devConfiguration?: string;
    /** The runtime settings, merged through star imports. */
    readonly settings: DjangoSettings;
    /**
     * Folders manage.py puts on sys.path itself (`sys.path.insert(0, os.path.join(BASE_DIR, "apps"))`)
     * that the server's module (wsgi.py/asgi.py) does not, relative to the source folder: the server
     * needs them on its Python path to import the same apps manage.py's commands see.
     */
    readonly sysPath: readonly string[];
    /**
     * manage.py sits inside a package (ArchiveBox's vaultbox/manage.py): the folder above that package,
     * relative to the source folder ("" for the source folder), where its modules import from.
     */
    readonly packageParent?: string;
}

export interface DjangoSettings {
    /** Values of top-level names after every star import, as the last assignment left them. */
    get(name: string): Expr | undefined;
    /**
     * Every value a name may hold, by the `if` branches that set it (`if DJANGO_ENV == "production": from .production import *`
     * / `else: from .development import *`): the last assignment first, then each one a conditional assignment leaves in
     * place, down to the first that always runs. One item when the name is set unconditionally; none when unset.
     */
    variants(name: string): ReadonlyArray<{ readonly expr: Expr; readonly file: string }>;
    /** A setting's value with the names it uses replaced by what they held (`env("X", default=...)` then readable with the environment unset). */
    bound(name: string): Expr | undefined;
    /** A setting's string value with the environment unset (`SESSION_ENGINE`, `EMAIL_BACKEND`); undefined when it is not one. */
    text(name: string): string | undefined;
    /** The file that set a name last. */
    sourceOf(name: string): string | undefined;
    /**
     * INSTALLED_APPS's known entries: list displays with starred items,
     * concatenations of names bound in the settings or imported from a
     * sibling, `+=` and append/extend/insert. An entry that cannot be read
     * is left out; the others are kept.
     */
    readonly installedApps: readonly string[];
    /** MIDDLEWARE's entries, read as INSTALLED_APPS is; undefined when it is not set or has entries that cannot be read. */
    readonly middleware?: readonly string[];
    /**
     * Reads a path setting (`BASE_DIR / "x"`, os.path.join(BASE_DIR, "x"), a
     * literal) assigned in `file`: relative to the source folder, or absolute;
     * undefined when the code computes it unreadably.
     */
    pathOf(e: Expr | undefined, file: string, env?: Readonly<Record<string, string>>): string | undefined;
    /**
     * The databases DATABASES configures: SQLite files (a dict with the sqlite3
     * ENGINE, or a URL setting such as env.db()/dj_database_url.config() whose
     * default is an sqlite:/// URL) with their paths where readable, and
     * whether any other database is configured. Empty when DATABASES is unset or {}.
     */
    /**
     * Settings files django-split-settings' include() picks by the environment (`f"environments/{_ENV}.py"`,
     * _ENV from DJANGO_ENV): the variables, the file that includes, and the file chosen with them as the settings leave them.
     */
    readonly includedBy: ReadonlyArray<{ readonly variables: readonly string[]; readonly file: string; readonly included: string }>;
    /** Every star import was read (none names a module outside the source): a setting they leave unset is Django's default. */
    readonly readWhole: boolean;
    readonly databases: {
        /** The SQLite databases: each one's file, and its alias in DATABASES (`default`, `analytics`). */
        readonly sqlite: ReadonlyArray<{ readonly path?: string; readonly alias?: string }>;
        readonly other: boolean;
        /**
         * The database servers whose host, with nothing set, is the container itself (`postgres:///shop`, env.db()'s
         * default; HOST "localhost" or left out): the variables that would name another, and the file.
         */
        readonly local: ReadonlyArray<{ readonly alias?: string; readonly engine: string; readonly given: string; readonly variables: readonly string[]; readonly file: string }>;
        /**
         * Databases not read as either: an entry made by something the settings do not show (a helper imported from
         * another module, a value set in a loop), whose engine is not read and which reads no environment variable.
         */
        readonly unknown: ReadonlyArray<{ readonly text: string; readonly file: string }>;
        /** SQLite holds with nothing set, and a later assignment under this condition (in this file) replaces it with another database. */
        readonly switchedBy?: { readonly text: string; readonly file: string };
    };
    /**
     * When the last assignment of a setting sits under `if` (STATIC_ROOT under
     * `if not DEBUG:`): whether it is set (not None) in an environment.
     * Undefined when that assignment always runs.
     */
    whenSet(name: string): SettingCondition | undefined;
    /** A setting's truth in an environment (DEBUG = 'RENDER' not in os.environ); undefined when the settings do not set it. */
    truthOf(name: string): SettingCondition | undefined;
    /**
     * Environment variables the settings read at import with no default
     * (env("X"), os.environ["X"], config("X")), in the order they run, with the
     * file: importing them fails without. Those `env` sets are left out, and
     * those read under a condition unless it holds for certain in env.
     */
    requiredEnv(env: EnvView): ReadonlyArray<{ readonly variable: string; readonly file: string }>;
    /**
     * A list setting's string entries, the environment variables its other
     * entries come from, and whether some come from elsewhere (unread).
     */
    entriesOf(name: string): { readonly items: readonly string[]; readonly fromEnv: readonly string[]; readonly other: boolean; readonly file: string; readonly defaults: readonly string[] } | undefined;
}

const SKIP = new Set([".git", ".venv", "venv", "env", "node_modules", "__pycache__", "tests", "test", "docs", "static", "templates", "site-packages", "build", "dist"]);

/**
 * The Django project of the source folder, if any: manage.py at the root,
 * then one folder down (src/, a project folder), then two (src/site/), the first that is Django's.
 * `server` holds what the web
 * command sets in the server's environment (a Procfile's
 * `DJANGO_SETTINGS_MODULE=x gunicorn ...` or gunicorn's `--env`): it
 * outranks the settings the WSGI/ASGI module selects.
 */
/** How the server runs the project, as far as its settings go: what selects them, and the Python path it imports them from. */
export interface DjangoServer {
    readonly settings?: string;
    readonly configuration?: string;
    readonly from?: string;
    readonly buildEnv?: boolean;
    /** Folders on the server's Python path (the web command's --pythonpath, PYTHONPATH, `pythonPath`), relative to the source folder. */
    readonly pythonPath?: readonly string[];
    /** The folder the server runs in (--chdir, `chdir`), on its Python path too. */
    readonly chdir?: string;
    /** The distributions the image installs (PEP 503 names): settings that add a development app only when its import works leave it out when it is not installed. */
    readonly installed?: ReadonlySet<string>;
}

/** The settings module the server imports is not in the source: every worker would fail to import it. */
export class SettingsModuleMissing extends InputError {}

export function findDjango(src: SourceTree, server: DjangoServer = {}): DjangoProject | undefined {
    const candidates = ["manage.py"];
    const folders = (dir: string): string[] =>
        src
            .list(dir)
            .filter((e) => e.isDirectory() && !SKIP.has(e.name) && !isTestFolder(e.name) && !e.name.startsWith("."))
            .map((e) => (dir === "" ? e.name : `${dir}/${e.name}`));
    const first = folders("");
    candidates.push(...first.map((d) => `${d}/manage.py`));
    // Two folders down: `django-admin startproject site` run inside src/ makes src/site/manage.py.
    candidates.push(...first.flatMap((d) => folders(d)).map((d) => `${d}/manage.py`));
    for (const manage of candidates) {
        const text = src.readIfFile(manage);
        if (text === undefined) {
            continue;
        }
        const mod = parseModule(text);
        if (!isDjangoManage(mod)) {
            continue; // a Flask or custom CLI that happens to be called manage.py
        }
        return readProject(src, manage, mod, server);
    }
    return undefined;
}

function isDjangoManage(mod: PyModule): boolean {
    return [...mod.imported].some((m) => m === "django" || m.startsWith("django.")) || settingsModuleIn(mod) !== undefined;
}

/** `os.environ.setdefault("DJANGO_SETTINGS_MODULE", X)`, `os.environ["DJANGO_SETTINGS_MODULE"] = X`, and the like. */
export function settingsModuleIn(mod: PyModule): string | undefined | null {
    return environDefaultIn(mod, "DJANGO_SETTINGS_MODULE");
}

/** The environment variables the expression a module gives DJANGO_SETTINGS_MODULE reads (DJANGO_SETTINGS_MODULE itself aside). */
function settingsModuleVariables(mod: PyModule): string[] {
    for (const call of mod.calls) {
        const callee = calleeOf(call) ?? "";
        if (str(call.args[0]) === "DJANGO_SETTINGS_MODULE" && call.args.length >= 2 && callee.endsWith("setdefault") && str(call.args[1]) === undefined) {
            return envVariables(bind(call.args[1], (name) => mod.value(name))).filter((v) => v !== "DJANGO_SETTINGS_MODULE");
        }
    }
    return [];
}

/** The value a module gives an environment variable when it is unset (`os.environ.setdefault(variable, X)`, `os.environ[variable] = X`); null when it sets it unreadably. */
function environDefaultIn(mod: PyModule, variable: string): string | undefined | null {
    const value = (e: Expr | undefined): string | undefined => {
        const s = str(e);
        if (s !== undefined) {
            return s;
        }
        // f"proj.settings.{ENVIRONMENT}" with ENVIRONMENT = os.environ.get("PROJ_ENV", "production"): its value with the environment unset.
        const v = e === undefined ? undefined : evaluate(bind(e, (name) => mod.value(name)), () => undefined);
        return v?.t === "str" ? v.v : undefined;
    };
    let seen = false;
    for (const call of mod.calls) {
        const callee = calleeOf(call) ?? "";
        if (str(call.args[0]) === variable && call.args.length >= 2 && (callee.endsWith("setdefault") || callee.endsWith("get") || callee.endsWith("getenv"))) {
            seen = true;
            const v = value(call.args[1]);
            if (v !== undefined) {
                return v;
            }
        }
    }
    for (const [target, v] of mod.itemAssigns) {
        if (target.kind === "subscript" && str(target.index) === variable) {
            seen = true;
            const s = value(v);
            if (s !== undefined) {
                return s;
            }
        }
    }
    return seen ? null : undefined;
}

function join(dir: string, rel: string): string {
    return dir === "" ? rel : `${dir}/${rel}`;
}

/** A dotted module's file under the first of the folders (a Python path) that holds it: a/b.py or a/b/__init__.py. */
function moduleFile(src: SourceTree, roots: readonly string[], module: string): string | undefined {
    for (const root of roots) {
        const base = join(root, module.split(".").join("/"));
        if (src.isFile(`${base}.py`)) {
            return `${base}.py`;
        }
        if (src.isFile(`${base}/__init__.py`)) {
            return `${base}/__init__.py`;
        }
    }
    return undefined;
}

function readProject(src: SourceTree, manage: string, manageMod: PyModule, server: DjangoServer): DjangoProject {
    const root = manage.includes("/") ? manage.slice(0, manage.lastIndexOf("/")) : "";
    // Where the settings module and the server's module are imported from: the server's Python path (its --pythonpath folders, in order,
    // then the folder it runs in), the folders manage.py puts on sys.path (its commands import the same settings), then manage.py's folder.
    const manageAdds = sysPathAdditions(src, manage, manageMod, root);
    // manage.py inside a package (ArchiveBox's vaultbox/manage.py beside vaultbox/__init__.py): the settings are that package's
    // modules, imported from the folder above the package (where the project is installed from, or gunicorn runs).
    let above = root;
    while (above !== "" && src.isFile(`${above}/__init__.py`)) {
        above = above.includes("/") ? above.slice(0, above.lastIndexOf("/")) : "";
    }
    const paths = [...(server.pythonPath ?? []), ...(server.chdir !== undefined ? [server.chdir] : []), ...manageAdds, root, ...(above !== root ? [above] : [])].filter((p, i, all) => all.indexOf(p) === i);
    const fromManage = settingsModuleIn(manageMod);
    const wsgiFiles = findServerModules(src, root);
    let settingsModule = typeof fromManage === "string" ? fromManage : undefined;
    if (settingsModule === undefined) {
        for (const f of wsgiFiles) {
            const s = settingsModuleIn(parseModule(src.read(f.file)));
            if (typeof s === "string") {
                settingsModule = s;
                break;
            }
        }
    }
    // Only the platform's environment or the web command names them (a DigitalOcean app spec's DJANGO_SETTINGS_MODULE): the server's settings.
    const onlyFromEnv = settingsModule === undefined && server.settings !== undefined && moduleFile(src, paths, server.settings) !== undefined;
    if (onlyFromEnv) {
        settingsModule = server.settings;
    }
    if (settingsModule === undefined) {
        throw new InputError(
            manage,
            `${manage} imports Django but its DJANGO_SETTINGS_MODULE could not be read (looked for os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...") ` +
                `in ${manage}${wsgiFiles.length > 0 ? ` and ${wsgiFiles.map((f) => f.file).join(", ")}` : ""}); set \`app\` (e.g. "proj.wsgi:application").`,
        );
    }
    const conf = (m: PyModule) => {
        const c = environDefaultIn(m, "DJANGO_CONFIGURATION");
        return typeof c === "string" ? c : undefined;
    };
    const devConfiguration = conf(manageMod);
    const devSettings = readSettings(src, root, paths, settingsModule, manage, devConfiguration, server.installed);

    // The application: WSGI_APPLICATION / ASGI_APPLICATION in the settings, else the project's wsgi.py/asgi.py.
    let entry: DjangoProject["entry"] | undefined;
    const asgi = str(devSettings.get("ASGI_APPLICATION"));
    const wsgi = str(devSettings.get("WSGI_APPLICATION"));
    const named = asgi ?? wsgi;
    // A setting naming a module the source does not have (a wsgi.py removed when the project moved to ASGI): the modules that are there.
    const missing = named !== undefined && named.includes(".") && moduleFile(src, paths, named.slice(0, named.lastIndexOf("."))) === undefined;
    const dotted = missing ? undefined : named;
    if (dotted !== undefined && dotted.includes(".")) {
        const cut = dotted.lastIndexOf(".");
        entry = {
            spec: `${dotted.slice(0, cut)}:${dotted.slice(cut + 1)}`,
            interface: asgi !== undefined ? "asgi" : "wsgi",
            source: `Django settings (${devSettings.sourceOf(asgi !== undefined ? "ASGI_APPLICATION" : "WSGI_APPLICATION")})`,
        };
    } else {
        const top = settingsModule.split(".")[0];
        const preferred = wsgiFiles.filter((f) => f.module.startsWith(`${top}.`)).concat(wsgiFiles.filter((f) => !f.module.startsWith(`${top}.`)));
        const chosen = preferred.find((f) => f.interface === "wsgi") ?? preferred[0];
        if (chosen) {
            const instead = missing ? ` (${asgi !== undefined ? "ASGI_APPLICATION" : "WSGI_APPLICATION"} names ${named}, a module the source does not have)` : "";
            entry = { spec: `${chosen.module}:${chosen.attribute}`, interface: chosen.interface, source: `${chosen.file}${instead}` };
        }
    }
    if (!entry) {
        const settingsFile = moduleFile(src, paths, settingsModule) ?? `${join(root, settingsModule.split(".").join("/"))}.py`;
        throw new InputError(
            settingsFile,
            `${settingsFile} (and the modules it star-imports) sets neither WSGI_APPLICATION nor ASGI_APPLICATION, and no wsgi.py or asgi.py ` +
                `in ${root === "" ? "the project" : root} assigns get_wsgi_application() or get_asgi_application(); ` +
                `add one (e.g. WSGI_APPLICATION = "proj.wsgi.application") or set \`app\`.`,
        );
    }
    // The server runs with what the application module selects (wsgi.py often picks production settings).
    const entryModule = entry.spec.split(":")[0];
    const entryFile = moduleFile(src, paths, entryModule);
    const entryMod = entryFile ? parseModule(src.read(entryFile)) : undefined;
    const fromEntry = entryMod ? settingsModuleIn(entryMod) : undefined;
    const runtimeSettings =
        server.settings !== undefined && moduleFile(src, paths, server.settings)
            ? server.settings
            : typeof fromEntry === "string" && moduleFile(src, paths, fromEntry)
              ? fromEntry
              : settingsModule;
    const configuration = server.configuration ?? (entryMod ? conf(entryMod) : undefined) ?? devConfiguration;
    const settings =
        runtimeSettings === settingsModule && configuration === devConfiguration ? devSettings : readSettings(src, root, paths, runtimeSettings, entryFile ?? manage, configuration, server.installed);
    const served = new Set(entryFile ? sysPathAdditions(src, entryFile, parseModule(src.read(entryFile)), root) : []);
    const sysPath = manageAdds.filter((d) => !served.has(d));
    const runtimeFrom = server.from !== undefined && (runtimeSettings === server.settings || server.configuration !== undefined) ? `${server.from} sets them` : undefined;
    const chooser = runtimeSettings === server.settings ? undefined : typeof fromEntry === "string" && runtimeSettings === fromEntry ? { mod: entryMod!, file: entryFile! } : { mod: manageMod, file: manage };
    const via = chooser === undefined ? [] : settingsModuleVariables(chooser.mod);
    const runtimeSettingsVia = via.length > 0 ? { variables: via, file: chooser!.file } : undefined;
    return {
        root,
        manage,
        settingsModule,
        runtimeSettings,
        runtimeFrom,
        runtimeSettingsVia,
        runtimeFromBuildEnv: runtimeFrom !== undefined && server.buildEnv === true,
        ...(onlyFromEnv && typeof fromEntry !== "string" ? { settingsOnlyFromEnv: true } : {}),
        ...(!onlyFromEnv && entryFile !== undefined && fromEntry === undefined && server.settings === undefined && runtimeSettings === settingsModule ? { settingsOnlyFromManage: entryFile } : {}),
        configuration,
        devConfiguration,
        entry,
        settings,
        sysPath,
        ...(above !== root ? { packageParent: above } : {}),
    };
}

/**
 * django-configurations: the settings are the attributes of the class
 * DJANGO_CONFIGURATION names (`class Prod(Base)`), its bases' first (a base
 * later in the list before an earlier one, as Python's MRO has it for
 * mixins), over the module's own names. A `values.XValue(default)` reads its
 * environment variable at run time: its default stands for it here, and a
 * DatabaseURLValue's default is the URL DATABASES["default"] is made from.
 */
function applyConfiguration(src: SourceTree, file: string, name: string, ns: Map<string, Entry>): void {
    const mod = parseModule(src.read(file));
    const lookup = (local: string) => ns.get(local)?.bound;
    const seen = new Set<string>();
    const apply = (cls: string): void => {
        const def = mod.classes.get(cls);
        if (!def || seen.has(cls)) {
            return;
        }
        seen.add(cls);
        for (const base of [...def.bases].reverse()) {
            apply(base);
        }
        for (const [field, value] of def.fields) {
            const expr = configurationValue(value);
            ns.set(field, { expr, bound: bind(expr, lookup), file, guards: [] });
        }
    };
    apply(name);
}

/** Host names that are the container itself ("": PostgreSQL's local socket, MySQL's localhost). */
const LOCAL_HOSTS: ReadonlySet<string> = new Set(["", "localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"]);
/** Database servers by a part of their Django ENGINE or URL scheme, and their name. */
const SERVER_ENGINES: ReadonlyArray<readonly [string, string]> = [
    ["postg", "PostgreSQL"],
    ["psql", "PostgreSQL"],
    ["mysql", "MySQL"],
    ["maria", "MariaDB"],
    ["oracle", "Oracle"],
    ["mssql", "SQL Server"],
];

/**
 * A database URL read from the environment with a default (django-environ's `env.db("DATABASE_URL", default=...)`,
 * dj-database-url's `config(default=...)` or `parse(os.environ.get("DATABASE_URL", ...))`) whose default names a
 * server on the container itself (`postgres:///shop`, `mysql://root@localhost/shop`): the server and the variables.
 */
function localUrlDefault(e: Expr, bound: (x: Expr) => Expr): { engine: string; given: string; variables: string[] } | undefined {
    if (e.kind !== "call") {
        return undefined;
    }
    // `env.db(...)`, or `environ.Env().db(...)` once `env` is bound: a method call on an object.
    const callee = calleeOf(e) ?? (e.callee.kind === "attr" ? `().${e.callee.name}` : "");
    const method = callee.split(".").pop() ?? "";
    let url: Expr | undefined;
    let variables: string[];
    if (callee === "dj_database_url.parse") {
        url = e.args[0];
        variables = url === undefined ? [] : envVariables(url);
    } else if (callee === "dj_database_url.config") {
        url = e.kwargs["default"];
        variables = [str(e.kwargs["env"]) ?? "DATABASE_URL"];
    } else if (["db", "db_url", "database_url"].includes(method) && callee !== method) {
        // django-environ's Env.db_url(var="DATABASE_URL", default=...), through `env = environ.Env()`.
        url = e.kwargs["default"] ?? e.args[1];
        variables = [str(e.kwargs["var"]) ?? str(e.args[0]) ?? "DATABASE_URL"];
    } else {
        return undefined;
    }
    const value = url === undefined ? undefined : evaluate(bound(url), () => undefined);
    if (value?.t !== "str") {
        return undefined;
    }
    let parsed: URL;
    try {
        parsed = new URL(value.v);
    } catch {
        return undefined;
    }
    const scheme = parsed.protocol.replace(/:$/, "");
    const engine = SERVER_ENGINES.find(([part]) => scheme.includes(part))?.[1];
    if (parsed.password !== "") {
        parsed.password = "***"; // a development default's, not for a note
    }
    return engine !== undefined && LOCAL_HOSTS.has(parsed.hostname) && variables.length > 0 ? { engine, given: `\`${parsed.password === "" ? value.v : parsed.href}\``, variables } : undefined;
}

function configurationValue(value: Expr): Expr {
    const callee = calleeOf(value) ?? "";
    if (value.kind !== "call" || !callee.startsWith("configurations.values.") || !callee.endsWith("Value")) {
        return value;
    }
    const fallback = value.args[0] ?? value.kwargs["default"];
    if (fallback === undefined) {
        return { kind: "other", text: callee };
    }
    return callee.endsWith(".DatabaseURLValue") ? { kind: "dict", entries: [[{ kind: "str", value: "default" }, fallback]] } : fallback;
}

/**
 * Folders a module adds to sys.path (`sys.path.insert(i, P)`, `sys.path.append(P)`,
 * at top level or inside its functions, P read as a path: os.path.join,
 * `Path(__file__).parent / "x"`, str(...)), relative to the source folder:
 * only folders inside it, other than `cwd` (where the module runs, already on
 * the path).
 */
export function sysPathAdditions(src: SourceTree, file: string, mod: PyModule, cwd: string): string[] {
    const ctx: PathContext = {
        file,
        cwd,
        lookup: (name) => {
            const expr = mod.value(name);
            return expr === undefined ? undefined : { expr, file };
        },
    };
    const out: string[] = [];
    for (const call of mod.calls) {
        const callee = calleeOf(call);
        const arg = callee === "sys.path.insert" ? call.args[1] : callee === "sys.path.append" ? call.args[0] : undefined;
        const dir = arg === undefined ? undefined : pathValue(arg, withLocals(ctx, mod, call));
        if (dir !== undefined && !dir.startsWith("/") && !dir.startsWith("..") && dir !== cwd && src.exists(dir) && !src.isFile(dir) && !out.includes(dir)) {
            out.push(dir);
        }
    }
    return out;
}

interface ServerModule {
    readonly file: string;
    readonly module: string;
    readonly attribute: string;
    readonly interface: "wsgi" | "asgi";
}

/** Modules under the project folder (one package deep) that assign get_wsgi_application() or get_asgi_application(). */
function findServerModules(src: SourceTree, root: string): ServerModule[] {
    const out: ServerModule[] = [];
    for (const e of src.list(root)) {
        if (!e.isDirectory() || SKIP.has(e.name) || isTestFolder(e.name) || e.name.startsWith(".")) {
            continue;
        }
        for (const [name, iface] of [["wsgi", "wsgi"], ["asgi", "asgi"]] as const) {
            const file = join(root, `${e.name}/${name}.py`);
            const text = src.readIfFile(file);
            if (text === undefined) {
                continue;
            }
            const mod = parseModule(text);
            for (const [target, value] of mod.assigns) {
                const callee = calleeOf(value) ?? "";
                if (callee.endsWith("get_wsgi_application") || callee.endsWith("get_asgi_application")) {
                    // The module's `application`, as Django's settings name it, when it wraps the one Django makes
                    // (`django_app = get_asgi_application()` mounted into `application = create_app()`).
                    const attribute = target !== "application" && mod.assigns.some(([n]) => n === "application") ? "application" : target;
                    out.push({ file, module: `${e.name}.${name}`, attribute, interface: callee.endsWith("get_asgi_application") ? "asgi" : iface });
                    break;
                }
            }
        }
    }
    return out;
}

/** A name's value in a settings module's namespace, as the statement that bound it left it. */
interface Entry {
    /** The value as written (read with the file's own context: `__file__`, BASE_DIR). */
    readonly expr: Expr;
    /** The value with the names it uses replaced by what they held when the statement ran. */
    readonly bound: Expr;
    readonly file: string;
    /** The value's source text, for notes. */
    readonly text?: string;
    /** The conditions of the `if` branches the statement sits in. */
    readonly guards: readonly BoundGuard[];
    /** The value before a conditional statement: what the name holds when its conditions do not. */
    readonly before?: Entry;
}

interface BoundGuard {
    /** The test, its names bound as the statement found them. */
    readonly test: Expr;
    /** The test as written. */
    readonly raw: Expr;
    readonly text: string;
    readonly holds: boolean;
    /** Settings names in the test whose values come from the environment. */
    readonly via: readonly SettingSource[];
}

/** A setting as assigned: DEBUG = 'RENDER' not in os.environ (mysite/settings.py). */
export interface SettingSource {
    readonly name: string;
    readonly text: string;
    readonly file: string;
}

/** What a setting depends on, when the environment may decide it. */
export interface SettingCondition {
    /** The file of the assignment. */
    readonly file: string;
    /** The condition as written (`not DEBUG`), or the value as written for a setting's truth. */
    readonly text: string;
    /** Settings the condition reads that come from the environment (DEBUG). */
    readonly via: readonly SettingSource[];
    /** The environment variables it reads, in order. */
    readonly variables: readonly string[];
    /** Whether it holds in an environment; undefined when that is not certain. */
    holds(env: EnvView): boolean | undefined;
    /** A value of one variable (not in `fixed`) that makes it hold (want) or not, the others as in env; only when certain. */
    switchTo(want: boolean, env: EnvView, fixed: ReadonlySet<string>): EnvSwitch | undefined;
}

const LIST_METHODS = new Set(["append", "extend", "insert", "remove"]);

/** django-heroku and its fork django-on-heroku: `settings(locals())` rewrites the settings module's names at import. */
const HEROKU_SETTINGS = new Set(["django_heroku.settings", "django_on_heroku.settings"]);

/**
 * The settings `django_heroku.settings(locals())` sets that the build cares
 * about, unless its keyword turns that part off: staticfiles=True (the
 * default) sets STATIC_ROOT to BASE_DIR/staticfiles (and creates it at
 * import) with WhiteNoise's manifest storage, so collectstatic must run in
 * the build; allowed_hosts=True sets ALLOWED_HOSTS to ['*'].
 * Source: django-heroku 0.3.1's core.py (the fork's is the same).
 */
function herokuSettings(v: Expr): Array<readonly [string, Expr]> {
    const callee = calleeOf(v);
    if (v.kind !== "call" || !callee || !HEROKU_SETTINGS.has(callee) || calleeOf(v.args[0]) !== "locals") {
        return [];
    }
    const on = (kw: string) => !(v.kwargs[kw]?.kind === "bool" && !v.kwargs[kw].value);
    const out: Array<readonly [string, Expr]> = [];
    if (on("staticfiles")) {
        const join: Expr = { kind: "ref", path: "os.path.join", local: "os.path.join" };
        out.push(["STATIC_ROOT", { kind: "call", callee: join, args: [{ kind: "ref", path: "BASE_DIR", local: "BASE_DIR" }, { kind: "str", value: "staticfiles" }], kwargs: keywordArgs() }]);
        out.push(["STATIC_URL", { kind: "str", value: "/static/" }]);
        out.push(["STATICFILES_STORAGE", { kind: "str", value: "whitenoise.storage.CompressedManifestStaticFilesStorage" }]);
    }
    if (on("allowed_hosts")) {
        out.push(["ALLOWED_HOSTS", { kind: "list", items: [{ kind: "str", value: "*" }] }]);
    }
    return out;
}

function unique<T>(items: Iterable<T>, key: (t: T) => unknown = (t) => t): T[] {
    const out: T[] = [];
    const keys = new Set<unknown>();
    for (const item of items) {
        if (!keys.has(key(item))) {
            keys.add(key(item));
            out.push(item);
        }
    }
    return out;
}

/** A test as a condition that does not hold: `not DEBUG`, `not (X == "y")`. */
function negated(g: BoundGuard): string {
    return g.raw.kind === "ref" ? `not ${g.text}` : `not (${g.text})`;
}

/** How many `not`s an expression starts with. */
function leadingNots(e: Expr): number {
    return e.kind === "not" ? 1 + leadingNots(e.operand) : 0;
}

/**
 * A settings module run as Python imports it, without running anything:
 * each module its own namespace; `from .base import *` copies the sibling's
 * names, `from .base import INSTALLED_APPS` binds one; django-split-settings'
 * include() runs files in the including namespace; assignments, `+=` and
 * list methods (append, extend, insert, remove) change names in source
 * order, each value read with the names it uses as they were at that point,
 * so `INSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]`
 * extends the imported list. Statements under `if` keep their conditions.
 */
function readSettings(
    src: SourceTree,
    root: string,
    paths: readonly string[],
    module: string,
    from: string,
    configuration?: string,
    distributions?: ReadonlySet<string>,
): DjangoSettings {
    const namespaces = new Map<string, Map<string, Entry>>();
    const ran = new Set<string>();
    /** Environment reads with no default, in the order the statements run. */
    const reads: Array<{ variable: string; file: string; guards: readonly BoundGuard[] }> = [];
    /** Variables the settings give a value themselves before reading them (`os.environ.setdefault("DJANGO_ENV", "development")`). */
    const defaulted = new Map<string, string | undefined>();
    const includedBy: Array<{ variables: readonly string[]; file: string; included: string }> = [];
    // A star import of a module outside the source (a package's settings), or the namespace handed to a call: the names they set are not known.
    let unreadStar = false;
    // The conditions of the import that runs a module (`elif ENV_TYPE == "prod": from .server_settings import *`): its reads happen only under them.
    let importedUnder: BoundGuard[] = [];

    const namespaceOf = (mod: string): Map<string, Entry> | undefined => {
        const file = moduleFile(src, paths, mod);
        if (!file) {
            return undefined;
        }
        let ns = namespaces.get(file);
        if (!ns) {
            ns = new Map();
            namespaces.set(file, ns); // an import cycle sees the namespace as far as it got, as in Python
            run(file, mod, ns);
        }
        return ns;
    };

    const run = (file: string, mod: string, ns: Map<string, Entry>): void => {
        ran.add(file);
        const parsed = parseModule(src.read(file));
        // The module's namespace handed anywhere (`locals()[name] = ...` in a loop, `configure(globals())`): it may set names this reading cannot see.
        unreadStar ||= parsed.calls.some((k) => k.args.length === 0 && ["locals", "globals", "vars"].includes(calleeOf(k) ?? ""));
        const pkg = file.endsWith("/__init__.py") ? mod : mod.split(".").slice(0, -1).join(".");
        const lookup = (local: string) => ns.get(local)?.bound;
        const boundGuards = (guards: readonly Guard[]): BoundGuard[] =>
            guards.map((g) => {
                const via: SettingSource[] = [];
                walk(g.test, (x) => {
                    const e = x.kind === "ref" && !x.local.includes(".") ? ns.get(x.local) : undefined;
                    if (x.kind === "ref" && e && envVariables(e.bound).length > 0 && !via.some((v) => v.name === x.local)) {
                        via.push({ name: x.local, text: e.text ?? x.local, file: e.file });
                    }
                });
                return { test: bind(g.test, lookup), raw: g.test, text: g.text, holds: g.holds, via };
            });
        // Whether importing a module works, when it is certain: a module of the project works, a relative one the project
        // lacks fails, and so does a development app's module (debug_toolbar) whose distribution the image does not install.
        const importWorks = (module: string): boolean | undefined => {
            if (moduleFile(src, paths, absoluteModule(module, pkg)) !== undefined) {
                return true;
            }
            const dist = module.startsWith(".") ? undefined : devAppDistribution(module);
            return module.startsWith(".") ? false : dist !== undefined && distributions !== undefined ? distributions.has(dist) : undefined;
        };
        // An `except ImportError:` handler's test, when it is certain.
        const importFails = (g: Guard): boolean | undefined => {
            const module = g.test.kind === "call" && refPath(g.test.callee) === FIND_SPEC ? str(g.test.args[0]) : undefined;
            const works = module === undefined ? undefined : importWorks(module);
            return works === undefined ? undefined : !works;
        };
        const set = (name: string, entry: Omit<Entry, "before">): void => {
            ns.set(name, entry.guards.length > 0 ? { ...entry, before: ns.get(name) } : entry);
        };
        const noteReads = (value: Expr, guards: readonly BoundGuard[], handled = false): void => {
            if (handled) {
                return; // in a try body: its except clause may catch a read that fails (doccano's `except EnvError:`)
            }
            for (const variable of requiredVariables(value, (x) => bind(x, lookup))) {
                if (!defaulted.has(variable)) {
                    reads.push({ variable, file, guards: [...importedUnder, ...guards] });
                }
            }
        };
        for (const given of parsed.order) {
            if (given.guards.some((g) => importFails(g) === false)) {
                continue; // an ImportError handler of an import that works
            }
            if (given.tried !== undefined && importWorks(given.tried) === false) {
                continue; // after an import that fails, in its try body or else clause
            }
            const step = { ...given, guards: given.guards.filter((g) => importFails(g) === undefined) } as typeof given;
            switch (step.kind) {
                case "star": {
                    const outer = importedUnder;
                    importedUnder = [...outer, ...boundGuards(step.guards)];
                    const other = namespaceOf(absoluteModule(step.module, pkg));
                    importedUnder = outer;
                    // A sibling the source lacks (`try: from .local import *` / `except ImportError: pass`) sets nothing.
                    unreadStar ||= other === undefined && !step.module.startsWith(".") && absoluteModule(step.module, pkg).split(".")[0] !== pkg.split(".")[0];
                    if (other && other !== ns) {
                        // `if os.environ.get("DJANGO_ENV") == "production": from .production import *`: its names hold under that test.
                        const guards = boundGuards(step.guards);
                        for (const [k, v] of other) {
                            if (guards.length === 0) {
                                ns.set(k, v);
                            } else {
                                set(k, { expr: v.expr, bound: v.bound, file: v.file, text: v.text, guards: [...guards, ...v.guards] });
                            }
                        }
                    }
                    break;
                }
                case "include":
                    // django-split-settings: include("components/base.py", ...) relative to the settings module's folder, run in this namespace;
                    // its arguments read as Python runs them: a starred tuple of names, f"environments/{_ENV}.py" with the
                    // variables the settings setdefault (else unset), optional("local.py") when the file exists.
                    const here = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
                    const named = includedFiles(step.args, lookup, (v) => defaulted.get(v), (variables, included) => includedBy.push({ variables, file, included }));
                    // "components/*.py": the files the pattern matches beside the including module, in name order (split-settings globs them).
                    const expanded = named.flatMap((rel) => {
                        if (!/[*?[]/.test(rel)) {
                            return [rel];
                        }
                        const cut = rel.lastIndexOf("/");
                        const dir = cut < 0 ? "" : rel.slice(0, cut);
                        const folder = here === "" ? dir : dir === "" ? here : `${here}/${dir}`;
                        return src
                            .list(folder)
                            .filter((e) => e.isFile() && minimatch(e.name, rel.slice(cut + 1)))
                            .map((e) => (dir === "" ? e.name : `${dir}/${e.name}`))
                            .sort();
                    });
                    for (const rel of expanded) {
                        const target = rel.replace(/\.py$/, "").split("/").filter((p) => p !== "" && p !== ".").join(".");
                        const targetMod = pkg === "" ? target : `${pkg}.${target}`;
                        const targetFile = moduleFile(src, paths, targetMod);
                        if (targetFile && !ran.has(targetFile)) {
                            run(targetFile, targetMod, ns);
                        }
                    }
                    break;
                case "import": {
                    // `from .base import INSTALLED_APPS` binds the sibling's value; any other import rebinds the name to something unread.
                    const other = step.name !== undefined ? namespaceOf(absoluteModule(step.module, pkg)) : undefined;
                    const value = step.name !== undefined ? other?.get(step.name) : undefined;
                    if (value) {
                        ns.set(step.local, value);
                    } else {
                        ns.delete(step.local);
                    }
                    break;
                }
                case "assign": {
                    const guards = boundGuards(step.guards);
                    // `DEBUG = get_bool_from_env("DEBUG", False)`: the settings module's own helper, read as what it returns.
                    const value = inlineHelpers(step.value, parsed.functions);
                    noteReads(value, guards, step.handled);
                    set(step.name, { expr: value, bound: bind(value, lookup), file, text: step.text, guards });
                    break;
                }
                case "update": {
                    const guards = boundGuards(step.guards);
                    noteReads(step.value, guards, step.handled);
                    const before = ns.get(step.name)?.bound ?? { kind: "ref", path: step.name, local: step.name };
                    const value: Expr = step.op === "+=" ? { kind: "add", left: before, right: bind(step.value, lookup) } : { kind: "other", text: `${step.name} ${step.op} ...` };
                    set(step.name, { expr: value, bound: value, file, guards });
                    break;
                }
                case "item": {
                    // `DATABASES = {}` then `DATABASES["default"] = dj_database_url.config(...)` (under `if "DATABASE_URL" in os.environ:`
                    // too): the dict gets that key, replaced or added; on a value not read as a dict the key starts one.
                    // `DATABASES["default"]["NAME"] = ...`: the same, in the dict the outer keys hold.
                    const guards = boundGuards(step.guards);
                    const before = ns.get(step.name);
                    const dict = before?.bound.kind === "dict" ? before.bound : before?.expr.kind === "dict" ? before.expr : undefined;
                    const keys = step.keys.map((k) => bind(k, lookup));
                    if (keys.some((k) => str(k) === undefined)) {
                        // A computed key (`DATABASES[alias] = ...`): what the name holds after it is not known.
                        const value: Expr = { kind: "other", text: `${step.name}[...] = ...` };
                        set(step.name, { expr: value, bound: value, file, guards });
                        break;
                    }
                    if (before !== undefined && dict === undefined) {
                        break; // a name bound to something else: not followed
                    }
                    const stored = withItem(dict, keys, step.value);
                    if (stored === undefined) {
                        break; // an outer key that holds no dict read here
                    }
                    set(step.name, { expr: stored, bound: bind(stored, lookup), file, guards });
                    break;
                }
                case "loop": {
                    // `for alias in ...: DATABASES[alias] = {...}`: what the loop leaves in DATABASES is not read (SQLite or a
                    // server?). Other settings keep their value from before the loop, which a loop most often only adds to
                    // (`INSTALLED_APPS += (app,)` for each optional app found, a LOGGING handler per level).
                    const guards = boundGuards(step.guards);
                    for (const name of step.names.filter((n) => n === "DATABASES")) {
                        const value: Expr = { kind: "other", text: `${name} (set in a loop)` };
                        set(name, { expr: value, bound: value, file, guards });
                    }
                    break;
                }
                case "raise": {
                    // `if not SECRET_KEY: raise ImproperlyConfigured(...)` (or an assert): a variable whose value, any value,
                    // stops the raise is one the settings need; with it unset the raise runs when its tests hold.
                    // Names as this branch sees them: an assignment made under another branch of the same `if` does not apply here.
                    const inBranch = (e: Entry | undefined): Entry | undefined =>
                        e === undefined || e.guards.every((g) => step.guards.some((h) => h.text === g.text && h.holds === g.holds)) ? e : inBranch(e.before);
                    const branchLookup = (local: string) => inBranch(ns.get(local))?.bound;
                    const guards = [...step.guards, ...(step.test ? [{ test: step.test, text: "assert", holds: false }] : [])].map((g) => ({ ...g, raw: g.test, via: [], test: bind(g.test, branchLookup) }));
                    for (const variable of variablesARaiseNeeds(guards).filter((v) => !defaulted.has(v))) {
                        reads.push({ variable, file, guards: [...importedUnder, ...guards] });
                    }
                    break;
                }
                case "expr": {
                    const guards = boundGuards(step.guards);
                    noteReads(step.value, guards, step.handled);
                    const v = step.value;
                    const defaultedVar = v.kind === "call" && calleeOf(v) === "os.environ.setdefault" ? str(v.args[0]) : undefined;
                    if (defaultedVar !== undefined && step.guards.length === 0) {
                        defaulted.set(defaultedVar, str((v as Extract<Expr, { kind: "call" }>).args[1]));
                    }
                    const [name, method, ...rest] = v.kind === "call" && v.callee.kind === "ref" ? v.callee.local.split(".") : [];
                    if (v.kind === "call" && name !== undefined && rest.length === 0 && LIST_METHODS.has(method)) {
                        const before = ns.get(name)?.bound ?? { kind: "ref", path: name, local: name };
                        const value = listMethod(before, method, v.args.map((a) => bind(a, lookup)), guards.length > 0);
                        set(name, { expr: value, bound: value, file, guards });
                    } else {
                        for (const [setting, value] of herokuSettings(v)) {
                            set(setting, { expr: value, bound: bind(value, lookup), file, text: `${calleeOf(v)}(locals())`, guards });
                        }
                    }
                    break;
                }
            }
        }
    };

    const values = namespaceOf(module);
    if (!values) {
        const rel = `${module.split(".").join("/")}.py`;
        const others = paths.filter((p) => p !== root);
        // The settings an install step copies from the project's example (opencve's settings.py.example).
        const folder = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "";
        const example = exampleNames(rel.split("/").pop()!)
            .map((n) => join(root, folder === "" ? n : `${folder}/${n}`))
            .find((f) => src.isFile(f));
        const copy = example === undefined ? "" : ` The project ships ${example}: copy it to ${join(root, rel)} and fill it in (secrets through environment variables), as its install steps do.`;
        throw new SettingsModuleMissing(
            from,
            (others.length === 0
                ? `${from} selects the Django settings module "${module}", but there is no ${join(root, rel)} (nor a package of that name); fix DJANGO_SETTINGS_MODULE or set \`app\`.`
                : `${from} selects the Django settings module "${module}", but no folder on the Python path holds ${rel} (nor a package of that name): looked in ${paths.map((p) => (p === "" ? "the source folder" : `${p}/`)).join(", ")}; fix DJANGO_SETTINGS_MODULE, or set \`pythonPath\` to the folder that holds it, or \`app\`.`) + copy,
        );
    }
    if (configuration !== undefined) {
        applyConfiguration(src, moduleFile(src, paths, module)!, configuration, values);
    }
    const lookup = (name: string) => values.get(name);

    const guardHolds = (g: BoundGuard, env: EnvView): boolean | undefined => {
        const v = evaluate(g.test, env);
        return v === undefined ? undefined : truthy(v) === g.holds;
    };
    /**
     * Follows a name's conditional assignments back to the one that applies in
     * env; `leaf` reads that one. A test that cannot be read is tried both ways
     * (the branches of one `if` share it): the answer is certain when both agree.
     */
    const decide = (entry: Entry | undefined, env: EnvView, leaf: (e: Entry) => boolean | undefined, unset: boolean, assumed = new Map<Expr, boolean>()): boolean | undefined => {
        if (!entry) {
            return unset;
        }
        let open: BoundGuard | undefined;
        for (const g of entry.guards) {
            const known = assumed.get(g.raw);
            const v = known ?? (() => {
                const r = evaluate(g.test, env);
                return r === undefined ? undefined : truthy(r);
            })();
            if (v === undefined) {
                open ??= g;
            } else if (v !== g.holds) {
                return decide(entry.before, env, leaf, unset, assumed);
            }
        }
        if (!open) {
            return leaf(entry);
        }
        if (assumed.size > 8) {
            return undefined;
        }
        const when = (truth: boolean) => decide(entry, env, leaf, unset, new Map([...assumed, [open!.raw, truth]]));
        const a = when(true);
        return a === when(false) ? a : undefined;
    };
    const condition = (entry: Entry, text: string, leaf: (e: Entry, env: EnvView) => boolean | undefined, unset: boolean, own: Expr | undefined, prefer: (want: boolean) => boolean): SettingCondition => {
        const chain: Entry[] = [];
        for (let e: Entry | undefined = entry; e; e = e.before) {
            chain.push(e);
        }
        const guards = chain.flatMap((e) => e.guards);
        const variables = unique([...(own ? envVariables(own) : []), ...guards.flatMap((g) => envVariables(g.test))]);
        const literals = unique([...(own ? comparedLiterals(own) : []), ...guards.flatMap((g) => comparedLiterals(g.test))]);
        const holds = (env: EnvView) => decide(entry, env, (e) => leaf(e, env), unset);
        return {
            file: entry.file,
            text,
            via: unique(guards.flatMap((g) => g.via), (v) => v.name),
            variables,
            holds,
            switchTo: (want, env, fixed) =>
                findSwitch(
                    (e) => {
                        const h = holds(e);
                        return h === undefined ? undefined : h === want;
                    },
                    variables,
                    env,
                    fixed,
                    literals,
                    prefer(want),
                ),
        };
    };

    const databases = (): DjangoSettings["databases"] => {
        // `if os.getenv("DB") == "postgres": DATABASES = {...}` (Healthchecks): with nothing set, the assignment before it holds.
        let bound = values.get("DATABASES");
        let switchedBy: DjangoSettings["databases"]["switchedBy"];
        const unset: EnvView = () => undefined;
        while (bound?.before !== undefined && bound.guards.some((g) => guardHolds(g, unset) === false)) {
            switchedBy ??= { text: bound.guards.map((g) => (g.holds ? g.text : `not (${g.text})`)).join(" and "), file: bound.file };
            bound = bound.before;
        }
        // `DATABASES = {"default": default_database}`, the name set by an if/else on a variable (linkding's LD_DB_ENGINE): the one that holds with nothing set.
        const holding = (value: Expr, file: string): { db: Expr; file: string } => {
            let entry = value.kind === "ref" && !value.local.includes(".") ? values.get(value.local) : undefined;
            while (entry?.before !== undefined && entry.guards.some((g) => guardHolds(g, unset) === false)) {
                switchedBy ??= { text: entry.guards.map((g) => (g.holds ? g.text : `not (${g.text})`)).join(" and "), file: entry.file };
                entry = entry.before;
            }
            if (entry?.before !== undefined && entry.guards.length > 0) {
                switchedBy ??= { text: entry.guards.map((g) => (g.holds ? `not (${g.text})` : g.text)).join(" or "), file: entry.file };
            }
            return entry === undefined ? { db: value, file } : { db: entry.expr, file: entry.file };
        };
        const sqlite: Array<{ path?: string; alias?: string }> = [];
        const unknown: Array<{ text: string; file: string }> = [];
        const local: Array<{ alias?: string; engine: string; given: string; variables: string[]; file: string }> = [];
        let other = false;
        // A database server is one named by its engine, or by a URL from the environment (env.db(), dj_database_url.config());
        // an entry that shows neither may be SQLite as well as a server.
        const readsEnvironment = (e: Expr) => {
            const boundExpr = bind(e, (n) => values.get(n)?.bound);
            let urlReader = false;
            walk(boundExpr, (x) => {
                urlReader ||= x.kind === "call" && (calleeOf(x) ?? "").startsWith("dj_database_url.");
            });
            return urlReader || envVariables(boundExpr).length > 0;
        };
        // DATABASES made by a helper that chooses it by `if`/`else` (Tandoor's setup_database()): the branch that holds with nothing set.
        let chosen: Expr | undefined = bound?.expr.kind === "dict" ? bound.expr : undefined;
        if (bound !== undefined && chosen === undefined) {
            let b = bound.bound;
            while (b.kind === "cond") {
                const t = evaluate(b.test, unset);
                if (t === undefined) {
                    break;
                }
                // What takes the other branch, for the note on a SQLite default that a variable replaces.
                const other: Expr = truthy(t) ? (b.test.kind === "not" ? b.test.operand : { kind: "not", operand: b.test }) : b.test;
                if (envVariables(b.test).length > 0) {
                    switchedBy ??= { text: exprText(other), file: bound.file };
                }
                b = truthy(t) ? b.then : b.otherwise;
            }
            chosen = b.kind === "dict" && b !== bound.bound ? b : undefined;
        }
        if (bound !== undefined && chosen?.kind === "dict") {
            for (const [key, value] of chosen.entries) {
                const alias = str(key);
                const { db, file } = holding(value, bound.file);
                const ctx = { file, cwd: root, lookup };
                // ENGINE read from the environment with a default (testdriven.io's `os.environ.get("SQL_ENGINE", "...sqlite3")`): the default, with nothing set.
                const engineExpr = dictGet(db, "ENGINE");
                const boundEngine = engineExpr === undefined ? undefined : bind(engineExpr, (n) => values.get(n)?.bound);
                const evaluated = boundEngine === undefined ? undefined : evaluate(boundEngine, unset);
                const engine = str(engineExpr) ?? (evaluated?.t === "str" ? evaluated.v : undefined);
                const engineVars = boundEngine === undefined || str(engineExpr) !== undefined ? [] : envVariables(boundEngine);
                if (engine !== undefined && sqliteEngine(engine) && engineVars.length > 0) {
                    switchedBy ??= { text: `${engineVars.join(" or ")} set to another engine`, file: bound.file };
                }
                if (engine !== undefined) {
                    if (sqliteEngine(engine)) {
                        sqlite.push({ path: pathValue(dictGet(db, "NAME"), ctx), alias });
                    } else {
                        other = true;
                        // HOST left out or empty: PostgreSQL's local socket, MySQL's localhost.
                        const hostExpr = dictGet(db, "HOST");
                        const boundHost = hostExpr === undefined ? undefined : bind(hostExpr, (n) => values.get(n)?.bound);
                        const host = boundHost === undefined ? { t: "str" as const, v: "" } : evaluate(boundHost, unset);
                        if (host?.t === "str" && LOCAL_HOSTS.has(host.v) && SERVER_ENGINES.some(([e]) => engine.includes(e))) {
                            const variables = unique([...(boundHost === undefined ? [] : envVariables(boundHost)), ...engineVars]);
                            local.push({ alias, engine: SERVER_ENGINES.find(([e]) => engine.includes(e))![1], given: host.v === "" ? "HOST not set" : `HOST ${host.v}`, variables, file });
                        }
                    }
                } else if (isSqliteUrl(db)) {
                    sqlite.push({ path: sqliteUrlPath(db, ctx), alias });
                } else if (engineVars.length > 0 || readsEnvironment(db)) {
                    other = true;
                    const server = localUrlDefault(db, (x) => bind(x, (n) => values.get(n)?.bound));
                    if (server !== undefined) {
                        local.push({ alias, ...server, file });
                    }
                } else {
                    unknown.push({ text: exprText(db), file });
                }
            }
        } else if (bound !== undefined) {
            if (readsEnvironment(bound.expr)) {
                other = true;
            } else {
                unknown.push({ text: exprText(bound.expr), file: bound.file });
            }
        }
        return { sqlite, other, local, unknown, switchedBy: sqlite.length > 0 ? switchedBy : undefined };
    };

    const installed = values.get("INSTALLED_APPS");
    return {
        get: (name) => values.get(name)?.expr,
        bound: (name) => values.get(name)?.bound,
        text: (name) => {
            const b = values.get(name)?.bound;
            const v = b === undefined ? undefined : evaluate(b, () => undefined);
            return v?.t === "str" ? v.v : undefined;
        },
        variants: (name) => {
            const out: Array<{ expr: Expr; file: string }> = [];
            for (let e = values.get(name); e !== undefined; e = e.guards.length > 0 ? e.before : undefined) {
                out.push({ expr: e.expr, file: e.file });
            }
            return out;
        },
        sourceOf: (name) => values.get(name)?.file,
        installedApps: installed ? listOf(installed.bound).items : [],
        middleware: ((m) => (m === undefined || m.unknown.length > 0 ? undefined : m.items))(values.has("MIDDLEWARE") ? listOf(values.get("MIDDLEWARE")!.bound) : undefined),
        pathOf: (e, file, env) => pathValue(e, { file, cwd: root, lookup, env }),
        databases: databases(),
        includedBy,
        readWhole: !unreadStar,
        whenSet: (name) => {
            const entry = values.get(name);
            const last = entry?.guards[entry.guards.length - 1];
            if (!entry || !last) {
                return undefined;
            }
            const text = entry.guards.map((g) => (g.holds ? g.text : negated(g))).join(" and ");
            // The value the test's operand (past its `not`s) needs: what a boolean-looking variable should say.
            const operand = (want: boolean) => (want === last.holds) !== (leadingNots(last.raw) % 2 === 1);
            return condition(entry, text, (e) => e.bound.kind !== "none", false, undefined, operand);
        },
        truthOf: (name) => {
            const entry = values.get(name);
            if (!entry) {
                return undefined;
            }
            const truth = (e: Entry, env: EnvView) => {
                const v = evaluate(e.bound, env);
                return v === undefined ? undefined : truthy(v);
            };
            return condition(entry, entry.text ?? name, truth, false, entry.bound, (want) => want !== (leadingNots(entry.expr) % 2 === 1));
        },
        requiredEnv: (env) =>
            unique(
                reads.filter((r) => env(r.variable) === undefined && r.guards.every((g) => guardHolds(g, env) === true)),
                (r) => r.variable,
            ).map(({ variable, file }) => ({ variable, file })),
        entriesOf: (name) => {
            const entry = values.get(name);
            if (!entry) {
                return undefined;
            }
            const { items, unknown } = listOf(entry.bound);
            // String literals in the entries read from the environment: their defaults (env.list("X", default=["*"])).
            const defaults: string[] = [];
            for (const u of unknown) {
                walk(u, (x) => {
                    if (x.kind === "str") {
                        defaults.push(x.value);
                    }
                });
            }
            return { items, fromEnv: unique(unknown.flatMap(envVariables)), other: unknown.some((u) => envVariables(u).length === 0), file: entry.file, defaults };
        },
    };
}

/** The files django-split-settings' include() arguments name, in order. */
function includedFiles(args: readonly Expr[], lookup: (local: string) => Expr | undefined, env: EnvView, chosen: (variables: string[], file: string) => void): string[] {
    const out: string[] = [];
    const one = (e: Expr): void => {
        if (e.kind === "starred") {
            // A list, or one grown by append/extend (tabbycat's `base_settings.append("render.py")` before `include(*base_settings)`).
            const items = (b: Expr): Expr[] => (b.kind === "list" ? [...b.items] : b.kind === "add" ? [...items(b.left), ...items(b.right)] : []);
            items(bind(e.value, lookup)).forEach(one);
            return;
        }
        if (e.kind === "call" && (calleeOf(e) ?? "").split(".").pop() === "optional") {
            if (e.args[0] !== undefined) {
                one(e.args[0]);
            }
            return;
        }
        const bound = bind(e, lookup);
        const v = evaluate(bound, env);
        if (v?.t === "str") {
            out.push(v.v);
            const variables = envVariables(bound);
            if (variables.length > 0) {
                chosen(variables, v.v);
            }
        }
    };
    args.forEach(one);
    return out;
}

/** A list after `name.append(x)`, `.extend(xs)`, `.insert(i, x)`, `.remove(x)`: entries are kept where the result is not certain. */
function listMethod(before: Expr, method: string, args: readonly Expr[], conditional: boolean): Expr {
    const [a, b] = args;
    const known = listOf(before);
    const literal = (items: string[]): Expr => ({ kind: "list", items: items.map((value) => ({ kind: "str", value })) });
    switch (method) {
        case "append":
            return a ? { kind: "add", left: before, right: { kind: "list", items: [a] } } : before;
        case "extend":
            return a ? { kind: "add", left: before, right: a } : before;
        case "insert": {
            if (!b) {
                return before;
            }
            const at = a?.kind === "num" && /^\d+$/.test(a.text) ? Number(a.text) : undefined;
            const s = str(b);
            if (at === 0) {
                return { kind: "add", left: { kind: "list", items: [b] }, right: before };
            }
            if (at !== undefined && s !== undefined && known.unknown.length === 0) {
                const items = [...known.items];
                items.splice(at, 0, s);
                return literal(items);
            }
            return { kind: "add", left: before, right: { kind: "list", items: [b] } };
        }
        default: {
            // remove: only where the list and the entry are known and it always runs; otherwise the entry stays.
            const s = str(a);
            if (conditional || s === undefined || known.unknown.length > 0 || !known.items.includes(s)) {
                return before;
            }
            const items = [...known.items];
            items.splice(items.indexOf(s), 1);
            return literal(items);
        }
    }
}

/**
 * Whether a DATABASES ENGINE is SQLite: Django's own backend, GeoDjango's
 * SpatiaLite (SQLite with an extension), or an app's backend module built on
 * them, named for it as such modules are ("bugsink.timed_sqlite_backend",
 * "myapp.db.sqlite_wal"): any dotted segment naming sqlite or spatialite.
 */
function sqliteEngine(engine: string): boolean {
    return engine.split(".").some((segment) => {
        const s = segment.toLowerCase();
        return s.includes("sqlite") || s.includes("spatialite");
    });
}

/**
 * A dict display with `value` stored under the key path `keys` (string keys, outermost first), as `d[k1][k2] = value`
 * leaves it: the last key replaced or added; undefined when an outer key holds no dict display (`d` undefined starts one).
 */
function withItem(dict: Extract<Expr, { kind: "dict" }> | undefined, keys: readonly Expr[], value: Expr): Expr | undefined {
    const [key, ...rest] = keys;
    const entries = dict?.entries ?? [];
    const at = entries.find(([k]) => str(k) === str(key))?.[1];
    let stored: Expr | undefined = value;
    if (rest.length > 0) {
        stored = at?.kind === "dict" ? withItem(at, rest, value) : undefined;
    }
    return stored === undefined ? undefined : { kind: "dict", entries: [...entries.filter(([k]) => str(k) !== str(key)), [key, stored]] };
}
