import { load as loadYaml } from "js-yaml";
import { DEFAULTS } from "../data/defaults";
import { FRAMEWORK_TABLE } from "../data/frameworks";
import { candidates, ImportRoot, ModuleReader, moduleReader, valueAt } from "./app-code";
import { dockerfileBuildScripts } from "./container";
import { DjangoProject } from "./django";
import { readIni } from "./ini";
import { boundOf, callContext, decide, Definition, instanceOf, memberOf } from "./code-objects";
import { LOADERS, parseDocument } from "./config-documents";
import { asFString, ENV_READERS, isSqliteUrl, joinPath, knownFolder, PathContext, pathValue, sqliteUrlPath, sqliteUrlRest, withLocals } from "./paths";
import { evaluate, walk } from "./python-eval";
import { absoluteModule, bind, calleeOf, ClassDef, dictGet, EACH_ITEM, Expr, exprText, parseModule, PyModule, refPath, starImported, str } from "./python-source";
import { SourceTree } from "./source";
import { byName } from "../data/by-name";

/**
 * What a writable path holds, which decides how PythonApp mounts it. A
 * string-valued `as const` object: "data" and "scratch" type-check as well.
 */
export const WritablePathKind = {
    /** Kept across deploys (a database, uploads): PythonApp mounts a named volume. */
    Data: "data",
    /** Need not persist (logs, caches): a tmpfs under PythonApp. */
    Scratch: "scratch",
} as const;
export type WritablePathKind = (typeof WritablePathKind)[keyof typeof WritablePathKind];
export const WRITABLE_PATH_KINDS: readonly WritablePathKind[] = Object.values(WritablePathKind);

/**
 * Where the app writes, found where the code makes it plain: Flask's
 * instance folder, SQLite database files, log files, Django's MEDIA_ROOT
 * and file-based CACHES,
 * folders the code creates. Data (a database, uploads) must persist; scratch
 * (logs, caches) need not. What cannot be read (a path from the environment)
 * is not guessed.
 */
export interface WritablePath {
    /** Relative to the source folder, or absolute (outside the app's folder). */
    readonly path: string;
    readonly kind: WritablePathKind;
    /** A file (an SQLite database, a log file among the code) rather than a folder: it is linked to a writable place. */
    readonly file: boolean;
    /** What the app keeps there, from what showed the path: the plan's notes say it, and a database makes migrations a release step. */
    readonly holds: Holds;
    /** What showed it, e.g. "notes/__init__.py: Flask(instance_relative_config=True)". */
    readonly why: string;
    /**
     * The same file's other place, when the app runs from two copies: the
     * source copy of a package the image also installs (a release command
     * such as `quart --app src/blog init-db` imports it, the server the
     * installed one). Linked to the same writable file.
     */
    readonly alias?: string;
    /** A file the app replaces whole (os.replace of a temporary file): a link to it cannot take that in a read-only folder. */
    readonly replaced?: boolean;
}

/** What a writable path holds: an SQLite database, uploaded files, Flask's instance folder, logs, a cache, login sessions, or files the app writes. */
export type Holds = "database" | "uploads" | "instance" | "logs" | "cache" | "sessions" | "files";

/** A log file's place: its folder, made writable; or the file itself (linked to a writable place) when the folder holds code or is the app's folder. */
function logPath(src: SourceTree, path: string, why: string, add: AddPath): void {
    const dir = dirOf(path);
    const holdsCode = !dir.startsWith("/") && (dir === "" || src.list(dir).some((e) => e.isFile() && e.name.endsWith(".py")));
    if (holdsCode) {
        add({ path, kind: "scratch", file: true, holds: "logs", why });
    } else {
        add({ path: dir, kind: "scratch", file: false, holds: "logs", why });
    }
}

/**
 * Records a writable path. `known`: what the folder holds is known from the
 * library that writes it (a cache a library's environment variable points
 * at), and that decides its kind over any other finding of the same folder.
 */
type AddPath = (p: WritablePath, known?: boolean) => void;

/**
 * `add` without the paths among the files the image ships: a file of the source, or a folder of it that holds files.
 * For what a command line's command writes (see codePaths).
 */
function shippedWritesLeftOut(src: SourceTree, add: AddPath): AddPath {
    return (p, known) => {
        const rel = p.path.startsWith(`${DEFAULTS.workdir}/`) ? p.path.slice(DEFAULTS.workdir.length + 1) : p.path.startsWith("/") ? undefined : p.path;
        const ships = rel !== undefined && (src.isFile(rel) || src.list(rel).some((e) => e.isFile()));
        if (!ships) {
            add(p, known);
        }
    };
}

/** Folder names whose contents are scratch (and names ending in "cache"); anything else the app creates is taken to be data. */
const SCRATCH_NAMES = new Set(["log", "logs", "tmp", "temp", "cache", ".cache", "run"]);

export interface WritableRequest {
    readonly roots: readonly ImportRoot[];
    /** gunicorn's working folder, relative to the source folder. */
    readonly cwd: string;
    /** Variables the image sets (the platform's config, the web command's): `os.environ.get("X", d)` reads them, not d. */
    readonly env?: Readonly<Record<string, string>>;
    readonly django?: DjangoProject;
    /** Import roots whose packages are imported from the venv (installed), not from the app's folder. */
    readonly installedRoots: ReadonlySet<string>;
    /** The app's own gunicorn config, relative to the source folder: its accesslog and errorlog files. */
    readonly gunicornConfig?: string;
    /**
     * The app installs Flask-SQLAlchemy below 3, which takes a relative SQLite
     * path from the app's root_path (the folder of the module that makes the
     * Flask app), where 3 takes it from the instance folder.
     * @default false
     */
    readonly flaskSqlalchemyBelow3?: boolean;
    /** The PasteDeploy ini a Pyramid app is loaded from, and its app section: its `sqlalchemy.url`. */
    readonly paste?: { readonly file: string; readonly section: string };
    /** Told of each call that makes or opens a place (a folder, a database, a log file) whose path is not read: `"app.py: os.makedirs(settings.ROOT)"`. */
    readonly onUnread?: (call: string) => void;
    /** The module the server imports (`pkg.wsgi`): never taken for a script of the app's own (see detectWritablePaths). */
    readonly entryModule?: string;
}

export function detectWritablePaths(src: SourceTree, req: WritableRequest): WritablePath[] {
    const found = new Map<string, WritablePath>();
    // Folders a library is pointed at through its environment variable: what they hold is known, and decides their kind.
    const envDirs = new Map<string, WritablePath>();
    const add: AddPath = (given, known = false) => {
        // "/app/x" is the app's folder's "x": one place, one entry.
        const p = given.path.startsWith(`${DEFAULTS.workdir}/`) ? { ...given, path: given.path.slice(DEFAULTS.workdir.length + 1) } : given;
        if (known) {
            envDirs.set(p.path, p);
            return;
        }
        const prev = found.get(p.path);
        // Data wins over scratch; a database in a folder (Flask-SQLAlchemy's instance folder) is what the folder holds.
        if (!prev || (prev.kind === "scratch" && p.kind === "data") || (prev.kind === p.kind && p.holds === "database" && prev.holds !== "database")) {
            found.set(p.path, p);
        }
    };
    if (req.django) {
        djangoPaths(src, req.django, add);
    }
    if (req.gunicornConfig !== undefined) {
        gunicornPaths(src, req.gunicornConfig, req, add);
    }
    if (req.paste !== undefined) {
        pastePaths(src, req.paste, req.cwd, add);
    }
    const reader = moduleReader(src, req.roots);
    const contextOf = pathContexts(src, reader, req.cwd, req.env, req.django, () => modules.map(({ c }) => c));
    const modules = candidates(src, req.roots).flatMap((c) => {
        const mod = reader.parse(c.file);
        return mod ? [{ c, mod }] : [];
    });
    // A Django project's own apps are its code whatever their folder is called (a "docs" app is not documentation).
    for (const c of req.django ? djangoAppModules(src, reader, req.django) : []) {
        const mod = modules.some((m) => m.c.file === c.file) ? undefined : reader.parse(c.file);
        if (mod) {
            modules.push({ c: { ...c, depth: 0, rank: 0 }, mod });
        }
    }
    // Modules deeper than the candidates that the app's modules import (mealie's core/settings/directories.py): their code runs too,
    // as does a config file Flask loads with from_pyfile (the flaskr tutorial's instance/config.py, whose folder is never scanned).
    for (let i = 0; i < modules.length && modules.length < MAX_IMPORTED_MODULES; i++) {
        const { c, mod } = modules[i];
        for (const loaded of pyfileConfigs(src, mod, c.file, c.root)) {
            if (!modules.some((m) => m.c.file === loaded)) {
                const parsed = reader.parse(loaded);
                if (parsed !== undefined) {
                    modules.push({ c: { file: loaded, module: loaded.replace(/\.py$/, "").split("/").join("."), depth: c.depth + 1, rank: c.rank, root: c.root }, mod: parsed });
                }
            }
        }
        for (const name of mod.imported) {
            const where = reader.fileOf(name, { file: c.file, root: c.root });
            const imported = where === undefined || modules.some((m) => m.c.file === where.file) ? undefined : reader.parse(where.file);
            if (where !== undefined && imported !== undefined) {
                modules.push({ c: { file: where.file, module: moduleName(where.file, where.root), depth: c.depth + 1, rank: c.rank, root: where.root }, mod: imported });
            }
        }
    }
    // Scripts beside the app (`python manage_items.py`, a release-notes bump.py): a top-level module with an
    // `if __name__ == "__main__":` block that no module of the app imports (anywhere in it, by its name) and the server
    // does not load runs only when someone runs it, not in the server. So does such a module of a tools package no
    // module outside it imports (searxng_extra/update/update_currencies.py); the modules of a package the app imports
    // are always the app's (a plugin loaded by name may hold a __main__ block too).
    const top = (module: string) => module.split(".")[0];
    const importedFrom = (outside: string) => new Set(modules.filter(({ c }) => top(c.module) !== outside).flatMap(({ mod }) => [...mod.imported].map(top)));
    const importedNames = new Set(modules.flatMap(({ mod }) => [...mod.imported].map(top)));
    const entryTop = req.entryModule === undefined ? undefined : top(req.entryModule);
    // A top-level module the app's own Dockerfile runs at build (`RUN python version.py`) is such a script too, __main__ block or not:
    // what it writes is in the image before the server starts.
    const built = dockerfileBuildScripts(src);
    const scripts = new Set(
        modules
            .filter(({ c, mod }) => !c.file.endsWith("__init__.py") && (mod.scriptCalls.size > 0 || (built.has(c.file) && !c.module.includes("."))) && top(c.module) !== entryTop)
            .filter(({ c }) => (c.module.includes(".") ? !importedFrom(top(c.module)).has(top(c.module)) : !importedNames.has(c.module)))
            .map(({ c }) => c.file),
    );
    const flaskRoot = flaskAppRoot(reader, modules.map(({ c }) => c));
    // The app uses Flask-SQLAlchemy when any of its modules imports it: a config module's relative sqlite:/// URL
    // (config.py beside models.py's SQLAlchemy()) is then read from the instance folder too.
    const flaskSqlalchemyApp = modules.some(({ mod }) => usesFlaskSqlalchemy(mod));
    const sets = modules.flatMap(({ mod }) => uploadSets(mod));
    const sites = callSites(modules.map(({ c, mod }) => ({ mod, ctx: contextOf(c.file, c.root) })));
    const uploads: UploadSetFolder[] = [];
    const unread: Unread[] = [];
    // A Flask config key some module of the app sets from the instance folder (flaskr's DATABASE): `current_app.config["DATABASE"]` is there.
    const instanceKeys = new Set(
        modules.flatMap(({ mod }) => [
            ...mod.itemAssignsAnywhere.filter(([t, v]) => t.kind === "subscript" && mentionsInstancePath(v)).map(([t]) => str((t as { index: Expr }).index) ?? ""),
            ...mod.calls.filter((k) => ["from_mapping", "update"].some((m) => (calleeOf(k) ?? "").endsWith(`.config.${m}`))).flatMap((k) => Object.entries(k.kwargs).filter(([, v]) => mentionsInstancePath(v)).map(([key]) => key)),
        ]),
    );
    const instanceConfigKey = (e: Expr): boolean => e.kind === "subscript" && refPath(e.target)?.endsWith(".config") === true && instanceKeys.has(str(e.index) ?? "");
    // The app uses an extension when any of its modules imports it (a cache module beside the factory that loads the config).
    const appImports = (m: string): boolean => modules.some(({ mod }) => [...mod.imported].some((i) => i === m || i.startsWith(`${m}.`)));
    for (const { c, mod } of modules) {
        if (scripts.has(c.file)) {
            continue;
        }
        codePaths(src, mod, c.file, c.module, c.root, contextOf(c.file, c.root), req, flaskRoot, add, flaskSqlalchemyApp, sites, unread, instanceConfigKey);
        uploads.push(...uploadSetFolders(sets, (key) => flaskConfig(mod, key), contextOf(c.file, c.root), c.file));
        configObjectPaths(reader, mod, c.file, c.root, contextOf, sets, uploads, add, appImports);
    }
    // A set's own UPLOADED_<SET>_DEST, set anywhere, wins over UPLOADS_DEFAULT_DEST.
    for (const u of uploads.filter((u) => u.own || !uploads.some((o) => o.own && o.set === u.set))) {
        add({ path: u.path, kind: "data", file: false, holds: "uploads", why: u.why });
    }
    for (const [path, p] of envDirs) {
        found.set(path, p);
    }
    // What could not be placed, unless its computed path sits in a place found (or /tmp, the user's HOME).
    const inFound = (base: string): boolean => base === "/tmp" || base.startsWith("/tmp/") || [...found.keys()].some((f) => base === f || base.startsWith(`${f}/`) || (f.startsWith("/") ? false : base === `${DEFAULTS.workdir}/${f}` || base.startsWith(`${DEFAULTS.workdir}/${f}/`)));
    for (const u of unread) {
        if (!u.bases.some(inFound)) {
            req.onUnread?.(u.call);
        }
    }
    return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** At most this many of the app's modules are read for what they write. */
const MAX_IMPORTED_MODULES = 400;

/** A module's dotted name from its file under its import root ("pkg/sub/__init__.py" is "pkg.sub"). */
function moduleName(file: string, root: ImportRoot): string {
    const parts = file.slice(root.dir === "" ? 0 : root.dir.length + 1, -".py".length).split("/");
    return (parts[parts.length - 1] === "__init__" ? parts.slice(0, -1) : parts).join(".");
}

/** The modules at the top of each of INSTALLED_APPS' packages that sits in the source tree ("docs", "docs.apps.DocsConfig"): models.py, views.py, storage.py... */
function djangoAppModules(src: SourceTree, reader: ModuleReader, d: DjangoProject): { file: string; module: string; root: ImportRoot }[] {
    const out: { file: string; module: string; root: ImportRoot }[] = [];
    for (const app of d.settings.installedApps) {
        const parts = app.split(".");
        for (let i = parts.length; i >= 1; i--) {
            const pkg = parts.slice(0, i).join(".");
            const where = reader.fileOf(pkg);
            if (where === undefined || !where.file.endsWith("/__init__.py")) {
                continue; // docs.apps.DocsConfig: the package is docs
            }
            const dir = dirOf(where.file);
            for (const e of src.list(dir)) {
                if (e.isFile() && e.name.endsWith(".py") && e.name !== "__init__.py") {
                    out.push({ file: `${dir}/${e.name}`, module: `${pkg}.${e.name.slice(0, -3)}`, root: where.root });
                }
            }
            break;
        }
    }
    return out;
}

function djangoPaths(src: SourceTree, d: DjangoProject, add: AddPath): void {
    const s = d.settings;
    const dbFile = s.sourceOf("DATABASES");
    for (const db of s.databases.sqlite) {
        if (db.path !== undefined) {
            add({ path: db.path, kind: "data", file: true, holds: "database", why: `${dbFile}: DATABASES uses SQLite at ${db.path}` });
        }
    }
    const media = s.get("MEDIA_ROOT");
    const mediaFile = s.sourceOf("MEDIA_ROOT");
    if (media && mediaFile) {
        const path = s.pathOf(media, mediaFile);
        if (path !== undefined && path !== "" && path !== d.root) {
            add({ path, kind: "data", file: false, holds: "uploads", why: `${mediaFile}: MEDIA_ROOT (uploaded files)` });
        }
    }
    // Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to FILE_UPLOAD_TEMP_DIR (when set) before the view sees them.
    const uploadTemp = s.get("FILE_UPLOAD_TEMP_DIR");
    const uploadTempFile = s.sourceOf("FILE_UPLOAD_TEMP_DIR");
    if (uploadTemp && uploadTempFile) {
        const path = s.pathOf(uploadTemp, uploadTempFile);
        if (path !== undefined && path !== "" && path !== d.root && !path.startsWith("/tmp")) {
            add({ path, kind: "scratch", file: false, holds: "files", why: `${uploadTempFile}: FILE_UPLOAD_TEMP_DIR (large uploads are written there first)` });
        }
    }
    // Django's file-based email backend writes each message as a file in EMAIL_FILE_PATH (made at the first send).
    const emailPathFile = s.sourceOf("EMAIL_FILE_PATH");
    if (s.text("EMAIL_BACKEND") === "django.core.mail.backends.filebased.EmailBackend" && emailPathFile) {
        const path = s.pathOf(s.get("EMAIL_FILE_PATH"), emailPathFile);
        if (path !== undefined && path !== "" && path !== d.root && !path.startsWith("/tmp")) {
            add({ path, kind: "scratch", file: false, holds: "files", why: `${emailPathFile}: EMAIL_BACKEND writes each email as a file in EMAIL_FILE_PATH, ${path}` });
        }
    }
    // File-based caches: CACHES = {"default": {"BACKEND": "...filebased.FileBasedCache", "LOCATION": ...}}.
    // Storages with a folder of their own: STORAGES = {"private": {"BACKEND": "...FileSystemStorage", "OPTIONS": {"location": ...}}}.
    const storages = s.get("STORAGES");
    const storagesFile = s.sourceOf("STORAGES");
    if (storages?.kind === "dict" && storagesFile) {
        for (const [alias, st] of storages.entries) {
            if (!FILE_SYSTEM_STORAGE.has(str(dictGet(st, "BACKEND")) ?? "")) {
                continue;
            }
            const path = s.pathOf(dictGet(dictGet(st, "OPTIONS"), "location"), storagesFile);
            if (path !== undefined && path !== "" && path !== d.root) {
                const name = JSON.stringify(str(alias) ?? "?");
                add({ path, kind: "data", file: false, holds: "uploads", why: `${storagesFile}: STORAGES[${name}] is a FileSystemStorage at ${path} (uploaded files)` });
            }
        }
    }
    // django-huey's SqliteHuey (HUEY = {"huey_class": "huey.SqliteHuey", "filename": ...}): the task queue's database file.
    const huey = s.get("HUEY");
    const hueyFile = s.sourceOf("HUEY");
    if (huey?.kind === "dict" && hueyFile && (str(dictGet(huey, "huey_class")) ?? "").endsWith("SqliteHuey")) {
        const path = s.pathOf(dictGet(huey, "filename"), hueyFile);
        if (path !== undefined && path !== "" && path !== d.root) {
            fixedFile(src, path, `${hueyFile}: HUEY's SqliteHuey keeps its task queue in ${path}`, add, "database");
        }
    }
    // django-haystack's Whoosh backend keeps its index in PATH.
    const haystack = s.get("HAYSTACK_CONNECTIONS");
    const haystackFile = s.sourceOf("HAYSTACK_CONNECTIONS");
    for (const [alias, conn] of haystack?.kind === "dict" && haystackFile ? haystack.entries : []) {
        if (!(str(dictGet(conn, "ENGINE")) ?? "").includes("whoosh_backend")) {
            continue;
        }
        const path = s.pathOf(dictGet(conn, "PATH"), haystackFile!);
        if (path !== undefined && path !== "" && path !== d.root) {
            add({ path, kind: "data", file: false, holds: "files", why: `${haystackFile}: HAYSTACK_CONNECTIONS[${JSON.stringify(str(alias) ?? "?")}] keeps a Whoosh index at ${path}` });
        }
    }
    // Django's file-based sessions (SESSION_ENGINE "...sessions.backends.file"): SESSION_FILE_PATH, which must exist (ImproperlyConfigured
    // otherwise); unset, the system's temporary folder, /tmp, writable already. Scratch, as Flask-Session's file sessions.
    const sessionPathFile = s.sourceOf("SESSION_FILE_PATH");
    if (s.text("SESSION_ENGINE") === "django.contrib.sessions.backends.file" && sessionPathFile) {
        const path = s.pathOf(s.get("SESSION_FILE_PATH"), sessionPathFile);
        if (path !== undefined && path !== "" && path !== d.root && !path.startsWith("/tmp")) {
            add({ path, kind: "scratch", file: false, holds: "sessions", why: `${sessionPathFile}: SESSION_ENGINE keeps sessions in files in SESSION_FILE_PATH, ${path}` });
        }
    }
    // Each branch's CACHES (a production settings module's FileBasedCache, beside a development LocMemCache): a scratch folder costs nothing where unused.
    for (const { expr: caches, file: cachesFile } of s.variants("CACHES")) {
        if (caches.kind !== "dict") {
            continue;
        }
        for (const [alias, c] of caches.entries) {
            if (str(dictGet(c, "BACKEND")) !== "django.core.cache.backends.filebased.FileBasedCache") {
                continue;
            }
            const path = s.pathOf(dictGet(c, "LOCATION"), cachesFile);
            if (path !== undefined && path !== "" && path !== d.root) {
                add({ path, kind: "scratch", file: false, holds: "cache", why: `${cachesFile}: CACHES[${JSON.stringify(str(alias) ?? "?")}] is a FileBasedCache at ${path}` });
            }
        }
    }
    const logging = s.get("LOGGING");
    const loggingFile = s.sourceOf("LOGGING");
    const handlers = dictGet(logging, "handlers");
    if (handlers?.kind === "dict" && loggingFile) {
        for (const [, h] of handlers.entries) {
            const path = s.pathOf(dictGet(h, "filename"), loggingFile);
            if (path !== undefined) {
                logPath(src, path, `${loggingFile}: LOGGING writes ${path}`, add);
            }
        }
    }
}

/**
 * The log files the app's gunicorn config names (accesslog, errorlog), relative to gunicorn's working folder
 * ("-" is stdout/stderr); the folders its raw_env points libraries at ("PROMETHEUS_MULTIPROC_DIR=/app/metrics");
 * and what its code writes (its server hooks: os.makedirs() in on_starting), found as in the app's modules.
 */
function gunicornPaths(src: SourceTree, file: string, req: WritableRequest, add: AddPath): void {
    const cwd = req.cwd;
    const mod = parseModule(src.read(file));
    const ctx: PathContext = {
        file,
        cwd,
        lookup: (name) => {
            const expr = mod.value(name);
            return expr ? { expr, file } : undefined;
        },
    };
    for (const name of ["accesslog", "errorlog"]) {
        const value = mod.value(name);
        if (value === undefined || str(value) === "-") {
            continue;
        }
        const path = pathValue(value, ctx);
        // "-" is stdout/stderr however the config reaches it (`os.getenv("ACCESS_LOG", "-")`).
        if (path !== undefined && path !== "" && !path.startsWith("/dev/") && path !== "-" && !path.endsWith("/-")) {
            logPath(src, path, `${file}: gunicorn's ${name} writes ${path}`, add);
        }
    }
    const rawEnv = mod.value("raw_env");
    for (const item of rawEnv?.kind === "list" ? rawEnv.items : []) {
        const text = str(item);
        const eq = text === undefined ? -1 : text.indexOf("=");
        if (text !== undefined && eq > 0) {
            envDir(text.slice(0, eq), pathValue({ kind: "str", value: text.slice(eq + 1) }, ctx), file, `raw_env ${JSON.stringify(text)}`, cwd, add);
        }
    }
    // The config is Python gunicorn runs in the master before any worker: its hooks write as the app's code does.
    codePaths(src, mod, file, "gunicorn_conf", req.roots[0] ?? { dir: "", why: "the source folder" }, ctx, req, undefined, add);
}

/**
 * The PathContext of each module: its own names, its config items, and
 * dotted names that reach the app's other modules (`config.UPLOAD_DIR`) and
 * attributes a class body assigns, read through a class or an instance made
 * at module level (`settings.upload_dir`, `settings = Settings()`, with
 * `upload_dir: str = "uploads"` in the class or a base of it in the app).
 */
/** Flask's root_path: the folder of the module among `files` that makes the app (Flask(__name__)). */
function flaskAppRoot(reader: ModuleReader, files: ReadonlyArray<{ readonly file: string }>): string | undefined {
    const home = files.find((c) => reader.parse(c.file)?.calls.some((call) => calleeOf(call) === "flask.Flask"))?.file;
    return home === undefined ? undefined : dirOf(home);
}

function pathContexts(
    src: SourceTree,
    reader: ModuleReader,
    cwd: string,
    env?: Readonly<Record<string, string>>,
    django?: DjangoProject,
    appModules: () => ReadonlyArray<{ readonly file: string; readonly root: ImportRoot }> = () => [],
): (file: string, root: ImportRoot) => PathContext {
    // Where `current_app.config[...]` keys are set: the app's modules (known once they are read).
    const appConfig = (key: string): { expr: Expr; ctx: PathContext } | undefined => {
        for (const m of appModules()) {
            const mod = reader.parse(m.file);
            // The module's config mappings: `app.config` as its calls and item assignments name it.
            const mappings = new Set<string>();
            for (const c of mod?.calls ?? []) {
                const callee = calleeOf(c) ?? "";
                const cut = callee.lastIndexOf(".");
                if (cut > 0 && callee.slice(0, cut).endsWith(".config") && CONFIG_LOADS.has(callee.slice(cut + 1))) {
                    mappings.add(callee.slice(0, cut));
                }
            }
            for (const [t] of mod?.itemAssignsAnywhere ?? []) {
                if (t.kind === "subscript" && t.target.kind === "ref" && t.target.path.endsWith(".config")) {
                    mappings.add(t.target.path);
                }
            }
            for (const mapping of mappings) {
                const value = configValue(src, reader, mod!, m.file, m.root, mapping, key, env);
                if (value !== undefined) {
                    return { expr: value, ctx: contextOf(m.file, m.root) };
                }
                // A key of a config class or module from_object loads (Flasky's `config[config_name]`): in that class's module.
                for (const object of configObjects(reader, mod!, m.file, m.root, mapping)) {
                    const expr = object.value(key);
                    if (expr !== undefined) {
                        return { expr, ctx: contextOf(object.file, object.root) };
                    }
                }
            }
        }
        return undefined;
    };
    // `from django.conf import settings; settings.EXPORTS_DIR` in a project's own apps: the setting's path.
    const setting = (name: string): string | undefined => {
        const s = django?.settings;
        const file = s?.sourceOf(name);
        return s === undefined || file === undefined ? undefined : s.pathOf(s.get(name), file);
    };
    // Flask's current_app.root_path: the folder of the module that makes the app (Flask(__name__)), whichever module reads it.
    let flaskRoot: string | null | undefined;
    const appRoot = (): string | undefined => {
        flaskRoot ??= flaskAppRoot(reader, appModules()) ?? null;
        return flaskRoot ?? undefined;
    };
    const cache = new Map<string, PathContext>();
    const contextOf = (file: string, root: ImportRoot): PathContext => {
        let ctx = cache.get(file);
        if (!ctx) {
            const mod = reader.parse(file);
            ctx = {
                file,
                cwd,
                env,
                lookup: (name) => {
                    const expr = mod?.value(name);
                    return expr ? { expr, file } : undefined;
                },
                lookupItem: (mapping, key) => (mod ? configValue(src, reader, mod, file, root, mapping, key, env) : undefined),
                lookupDotted: (path, local) => dotted(path, file, root, path !== local),
                lookupDef: (path, local) => definition(path, file, root, path !== local),
                read: (path) => src.readIfFile(path),
                calls: mod?.calls ?? [],
                setting,
                appConfig: (key) => appConfig(key),
                appRoot,
            };
            cache.set(file, ctx);
        }
        return ctx;
    };
    /**
     * Where a dotted name starts: a name of this module (unless the name came
     * through an import, `qualified`), else the longest prefix that is a module of the app.
     */
    const owner = (parts: string[], file: string, root: ImportRoot, qualified: boolean): { file: string; root: ImportRoot; name: string; rest: string[] } | undefined => {
        const mod = qualified ? undefined : reader.parse(file);
        if (mod?.value(parts[0]) !== undefined || mod?.classes.has(parts[0]) || mod?.functions.has(parts[0])) {
            return { file, root, name: parts[0], rest: parts.slice(1) };
        }
        for (let i = parts.length - 1; i >= 1; i--) {
            const where = reader.fileOf(parts.slice(0, i).join("."), { file, root });
            if (where) {
                return { ...where, name: parts[i], rest: parts.slice(i + 1) };
            }
        }
        return undefined;
    };
    const classOf = (path: string, file: string, root: ImportRoot): { cls: ClassDef; file: string; root: ImportRoot } | undefined => {
        const o = owner(path.split("."), file, root, path.includes("."));
        const cls = o && o.rest.length === 0 ? reader.parse(o.file)?.classes.get(o.name) : undefined;
        return cls && o ? { cls, file: o.file, root: o.root } : undefined;
    };
    const field = (c: { cls: ClassDef; file: string; root: ImportRoot }, name: string, depth: number): { expr: Expr; ctx: PathContext } | undefined => {
        const own = c.cls.fields.get(name);
        if (own) {
            return { expr: own, ctx: contextOf(c.file, c.root) };
        }
        for (const base of depth < 4 ? c.cls.bases : []) {
            const b = classOf(base, c.file, c.root);
            const found = b ? field(b, name, depth + 1) : undefined;
            if (found) {
                return found;
            }
        }
        return undefined;
    };
    /** A class and its bases that the app defines, the class first. */
    const chainOf = (c: { cls: ClassDef; file: string; root: ImportRoot }): { cls: ClassDef; ctx: PathContext }[] => {
        const chain: { cls: ClassDef; ctx: PathContext }[] = [];
        const visit = (x: { cls: ClassDef; file: string; root: ImportRoot }): void => {
            if (chain.length >= 8 || chain.some((k) => k.cls === x.cls)) {
                return;
            }
            chain.push({ cls: x.cls, ctx: contextOf(x.file, x.root) });
            for (const base of x.cls.bases) {
                const b = classOf(base, x.file, x.root);
                if (b) {
                    visit(b);
                }
            }
        };
        visit(c);
        return chain;
    };
    const definition = (path: string, file: string, root: ImportRoot, qualified: boolean, depth = 0): Definition | undefined => {
        const o = owner(path.split("."), file, root, qualified);
        if (!o || o.rest.length > 0) {
            return undefined;
        }
        const mod = reader.parse(o.file);
        const fn = mod?.functions.get(o.name);
        if (fn !== undefined && mod?.value(o.name) === undefined) {
            return { kind: "function", fn, ctx: contextOf(o.file, o.root) };
        }
        const cls = mod?.classes.get(o.name);
        if (cls !== undefined) {
            return { kind: "class", chain: chainOf({ cls, file: o.file, root: o.root }) };
        }
        // A name the module imports from another (a package's __init__.py re-exporting `from .settings import make_settings`).
        const binding = depth < 4 ? mod?.bindings.find((b) => b.local === o.name) : undefined;
        if (binding === undefined) {
            return undefined;
        }
        const name = moduleName(o.file, o.root);
        const pkg = o.file.endsWith("/__init__.py") || o.file === "__init__.py" ? name : name.split(".").slice(0, -1).join(".");
        return definition(absoluteModule(binding.target, pkg), o.file, o.root, true, depth + 1);
    };
    const dotted = (path: string, file: string, root: ImportRoot, qualified: boolean): { expr: Expr; ctx: PathContext } | undefined => {
        const o = owner(path.split("."), file, root, qualified);
        if (!o || o.rest.length > 1) {
            return undefined;
        }
        const mod = reader.parse(o.file);
        const value = mod?.value(o.name);
        if (o.rest.length === 0) {
            return value ? { expr: value, ctx: contextOf(o.file, o.root) } : undefined;
        }
        // An instance's attribute as the object model reads it (its constructor's keywords, __init__, properties, a settings file).
        const obj = value?.kind === "call" ? instanceOf(value, contextOf(o.file, o.root)) : undefined;
        const member = obj === undefined ? undefined : memberOf(obj, o.rest[0]);
        if (member !== undefined) {
            return member;
        }
        // A class's attribute, or an instance's: settings = Settings().
        const classPath = mod?.classes.has(o.name) ? o.name : value?.kind === "call" ? calleeOf(value) : undefined;
        const cls = classPath === undefined ? undefined : classOf(classPath, o.file, o.root);
        return cls ? field(cls, o.rest[0], 0) : undefined;
    };
    return contextOf;
}

/**
 * The contexts a call is read in: at top level, the module's; inside a
 * function, one per place the app calls it (its parameters bound to that
 * call's arguments; with none found, to their defaults: `create_app(config=CONFIG)`
 * run by the server), and inside a method, one per instance the app makes
 * (`self` bound to it); a loop's name, one per item of a list the loop walks.
 */
interface CallSites {
    contexts(call: Extract<Expr, { kind: "call" }>, mod: PyModule, ctx: PathContext): PathContext[];
}

/** A call read where it is, its function's parameters unknown. */
const NO_SITES: CallSites = { contexts: (call, mod, ctx) => [withLocals(ctx, mod, call)] };

/** At most this many contexts per call, and call sites followed this deep. */
const MAX_CONTEXTS = 16;
const MAX_SITE_DEPTH = 3;

function callSites(modules: ReadonlyArray<{ mod: PyModule; ctx: PathContext }>): CallSites {
    type Site = { readonly call: Extract<Expr, { kind: "call" }>; readonly mod: PyModule; readonly ctx: PathContext };
    let index: Map<unknown, Site[]> | undefined;
    /** Where the app calls each of its functions and classes (by their definitions). */
    const sitesOf = (def: unknown): Site[] => {
        if (index === undefined) {
            index = new Map();
            for (const { mod, ctx } of modules) {
                for (const call of mod.calls.filter((c) => !mod.scriptCalls.has(c))) {
                    const callee = call.callee;
                    const d = callee.kind === "ref" ? ctx.lookupDef?.(callee.path, callee.local) : undefined;
                    const key = d === undefined ? undefined : d.kind === "function" ? d.fn : d.chain[0].cls;
                    if (key !== undefined) {
                        index.set(key, [...(index.get(key) ?? []), { call, mod, ctx }]);
                    }
                }
            }
        }
        return index.get(def) ?? [];
    };
    // A call's contexts depend only on the call, its module's context and the depth: each is read once
    // (a helper called from many places, each called from many places, multiplied the reads).
    const memo = new Map<Extract<Expr, { kind: "call" }>, Map<PathContext, PathContext[][]>>();
    const contexts = (call: Extract<Expr, { kind: "call" }>, mod: PyModule, ctx: PathContext, depth: number): PathContext[] => {
        const byCtx = memo.get(call) ?? new Map<PathContext, PathContext[][]>();
        memo.set(call, byCtx);
        const byDepth = byCtx.get(ctx) ?? [];
        byCtx.set(ctx, byDepth);
        byDepth[depth] ??= contextsOf(call, mod, ctx, depth);
        return byDepth[depth];
    };
    const contextsOf = (call: Extract<Expr, { kind: "call" }>, mod: PyModule, ctx: PathContext, depth: number): PathContext[] => {
        const fns = mod.enclosing(call);
        if (fns.length === 0 || depth > MAX_SITE_DEPTH || fns.every((f) => f.fn.params.length === 0)) {
            return eachItem(call, [withLocals(ctx, mod, call)]);
        }
        const outer = fns[fns.length - 1];
        let out: PathContext[] = [];
        if (outer.cls !== undefined) {
            const def = ctx.lookupDef?.(outer.cls, outer.cls);
            const chain = def?.kind === "class" ? def.chain : undefined;
            const clsCtx = chain?.[0].ctx ?? ctx;
            // Only the first MAX_CONTEXTS are kept (below): the sites after them are not read.
            for (const site of chain === undefined ? [] : sitesOf(chain[0].cls)) {
                if (out.length >= MAX_CONTEXTS) {
                    break;
                }
                for (const siteCtx of contexts(site.call, site.mod, site.ctx, depth + 1)) {
                    const self = { chain: chain!, call: site.call, ctx: siteCtx };
                    out.push(outer.fn.name === "__init__" ? callContext(outer.fn, clsCtx, site.call, siteCtx, self) : callContext(outer.fn, clsCtx, undefined, clsCtx, self));
                }
            }
            if (out.length === 0) {
                out.push(callContext(outer.fn, clsCtx, undefined, clsCtx));
            }
        } else {
            for (const site of sitesOf(outer.fn)) {
                if (out.length >= MAX_CONTEXTS) {
                    break;
                }
                out.push(...contexts(site.call, site.mod, site.ctx, depth + 1).map((siteCtx) => callContext(outer.fn, ctx, site.call, siteCtx)));
            }
            if (out.length === 0) {
                out.push(callContext(outer.fn, ctx, undefined, ctx));
            }
        }
        // The functions inside it see its names (a closure); their own parameters are unknown.
        for (const inner of fns.slice(0, -1).reverse()) {
            out = out.map((around) => callContext(inner.fn, around, undefined, around));
        }
        return eachItem(call, out.slice(0, MAX_CONTEXTS));
    };
    return { contexts: (call, mod, ctx) => contexts(call, mod, ctx, 0) };
}

/** Contexts with each loop name the call uses bound to one item of the list it walks (`for folder in (DATA, LOGS): folder.mkdir()`). */
function eachItem(call: Extract<Expr, { kind: "call" }>, ctxs: PathContext[]): PathContext[] {
    const names = new Set<string>();
    walk(call, (x) => {
        if (x.kind === "ref") {
            names.add(x.local.split(".")[0]);
        }
    });
    let out = ctxs;
    for (const name of names) {
        out = out.flatMap((ctx) => {
            const b = ctx.lookup(name);
            if (b === undefined || b.expr.kind !== "call" || calleeOf(b.expr) !== EACH_ITEM) {
                return [ctx];
            }
            const list = boundOf(b.expr.args[0], b.ctx ?? { ...ctx, file: b.file });
            if (list === undefined || list.expr.kind !== "list") {
                return [ctx];
            }
            return list.expr.items.map((item): PathContext => ({ ...ctx, lookup: (n) => (n === name ? { expr: item, file: list.ctx.file, ctx: list.ctx } : ctx.lookup(n)) }));
        });
    }
    return out.slice(0, MAX_CONTEXTS);
}

/** Flask config keys that name the folder uploads are saved into: Flask's own pattern, and Flask-AppBuilder's FileColumn/ImageColumn folders. */
const UPLOAD_KEYS = ["UPLOAD_FOLDER", "IMG_UPLOAD_FOLDER"];

/**
 * The upload folders a Flask config object names: `app.config.from_object("config")`
 * (a module of the app) or `from_object("config.ProductionConfig")` / an
 * imported class (its body's assignments), read for UPLOAD_KEYS.
 * Flask-AppBuilder's skeleton sets UPLOAD_FOLDER = basedir + "/app/static/uploads/"
 * in config.py and saves FileColumn uploads there.
 */
function configObjectPaths(
    reader: ModuleReader,
    mod: PyModule,
    file: string,
    root: ImportRoot,
    contextOf: (file: string, root: ImportRoot) => PathContext,
    sets: readonly string[],
    uploads: UploadSetFolder[],
    add: AddPath,
    appImports: (module: string) => boolean,
): void {
    for (const object of configObjects(reader, mod, file, root)) {
        configObjectTarget(object, file, contextOf, sets, uploads, add, appImports);
    }
}

/** The classes a dict of config classes names (`config = {"production": ProductionConfig, ...}`), as dotted paths. */
function configDictClasses(reader: ModuleReader, mod: PyModule, file: string, root: ImportRoot, path: string): string[] {
    const dict = valueAt(reader, mod, { file, root }, path);
    if (dict?.value.kind !== "dict") {
        return [];
    }
    const moduleOf = dict.module;
    return dict.value.entries.flatMap(([, v]) => (v.kind === "ref" ? [v.path.includes(".") || moduleOf === undefined ? v.path : `${moduleOf}.${v.path}`] : []));
}

/** A config object from_object loads, read: its keys' values, and where they are set (the context to evaluate them in). */
interface ConfigObject {
    readonly value: (key: string) => Expr | undefined;
    readonly file: string;
    readonly root: ImportRoot;
    readonly module: PyModule;
}

/** One config object from_object loads: a module of the app, or a class in one (its bases in that module followed for what it inherits). */
function configObject(reader: ModuleReader, file: string, root: ImportRoot, target: string): ConfigObject | undefined {
    const asModule = reader.fileOf(target, { file, root });
    const cut = target.lastIndexOf(".");
    // "config.ProductionConfig": a class of another module; a bare name no module has (`from_object(Config)`): a class of this one.
    const asClass = asModule !== undefined ? undefined : cut > 0 ? reader.fileOf(target.slice(0, cut), { file, root }) : { file, root };
    const where = asModule ?? asClass;
    const cfg = where ? reader.parse(where.file) : undefined;
    if (!where || !cfg) {
        return undefined;
    }
    // A class, or an instance of one the module makes (`Config = ServerConfig()`): its fields either way.
    const name = target.slice(cut + 1);
    const made = asClass ? cfg.value(name) : undefined;
    const own = asClass ? (cfg.classes.get(name) ?? (made?.kind === "call" && made.callee.kind === "ref" ? cfg.classes.get(made.callee.local) : undefined)) : undefined;
    // The class's fields over its bases' (in the same module), as Python looks attributes up.
    const chain: ClassDef[] = [];
    for (let c = own; c !== undefined && !chain.includes(c) && chain.length < 8; c = c.bases.map((b) => cfg.classes.get(b)).find((x) => x !== undefined)) {
        chain.push(c);
    }
    const cls = own === undefined ? undefined : { fields: new Map(chain.reverse().flatMap((c) => [...c.fields])) };
    return { value: (key) => (asClass ? cls?.fields.get(key) : cfg.value(key)), file: where.file, root: where.root, module: cfg };
}

/** The config objects a module's `<mapping>.from_object(...)` calls load, in call order: see configObjectPaths for the shapes read. */
function configObjects(reader: ModuleReader, mod: PyModule, file: string, root: ImportRoot, mapping = ".config"): ConfigObject[] {
    const out: ConfigObject[] = [];
    for (const call of mod.calls) {
        const callee = calleeOf(call) ?? "";
        if (!(mapping.startsWith(".") ? callee.endsWith(`${mapping}.from_object`) : callee === `${mapping}.from_object`) || call.args[0] === undefined) {
            continue;
        }
        const arg = call.args[0];
        // from_object(config[config_name]) with a dict of config classes (Flasky's layout): every class in it.
        const dictTarget = arg.kind === "subscript" && arg.target.kind === "ref" ? arg.target.path : undefined;
        // from_object(config_class) in `def create_app(config_class=Config)`: the parameter's default.
        const param = arg.kind === "ref" && !arg.path.includes(".")
            ? [...mod.functions.values()].find((f) => f.calls.includes(call))?.params.find((p) => p.name === arg.local)?.default
            : undefined;
        const given = param ?? arg;
        const targets = dictTarget !== undefined ? configDictClasses(reader, mod, file, root, dictTarget) : [str(given) ?? (given.kind === "ref" ? given.path : undefined)];
        for (const target of targets) {
            const object = target === undefined || target === "__name__" ? undefined : configObject(reader, file, root, target);
            if (object !== undefined) {
                out.push(object);
            }
        }
    }
    return out;
}

/** What configObjectPaths reads in one config object: the upload, cache and session folders it names. */
function configObjectTarget(
    object: ConfigObject,
    file: string,
    contextOf: (file: string, root: ImportRoot) => PathContext,
    sets: readonly string[],
    uploads: UploadSetFolder[],
    add: AddPath,
    imports: (module: string) => boolean,
): void {
    const { value, module: cfg } = object;
    const where = { file: object.file, root: object.root };
    for (const key of UPLOAD_KEYS) {
        const path = pathValue(value(key), contextOf(where.file, where.root));
        if (path !== undefined && path !== "" && !path.startsWith("/")) {
            add({ path, kind: "data", file: false, holds: "uploads", why: `${where.file}: ${key} (the config ${file} loads with from_object) names the upload folder` });
        }
    }
    uploads.push(...uploadSetFolders(sets, value, contextOf(where.file, where.root), where.file, ` (the config ${file} loads with from_object)`));
    // Flask-Caching's and Flask-Session's file-system backends, configured in the same object (a module of the app imports the extension).
    const ctx = contextOf(where.file, where.root);
    const cacheType = settingStrings(cfg, value("CACHE_TYPE"), ctx).find(isFileSystemCacheType);
    const cacheDir = cacheType !== undefined && imports("flask_caching") ? pathValue(value("CACHE_DIR"), ctx) : undefined;
    if (cacheDir !== undefined && cacheDir !== "" && cacheDir !== ctx.cwd) {
        add({ path: cacheDir, kind: "scratch", file: false, holds: "cache", why: `${where.file}: Flask-Caching's CACHE_TYPE "${cacheType}" (the config ${file} loads with from_object) keeps its cache in CACHE_DIR ${cacheDir}` });
    }
    if (imports("flask_session") && settingStrings(cfg, value("SESSION_TYPE"), ctx).includes("filesystem")) {
        const dir = value("SESSION_FILE_DIR");
        const path = dir === undefined ? joinPath(ctx.cwd, "flask_session") : pathValue(dir, ctx);
        if (path !== undefined && path !== "" && path !== ctx.cwd) {
            add({ path, kind: "scratch", file: false, holds: "sessions", why: `${where.file}: Flask-Session's SESSION_TYPE "filesystem" (the config ${file} loads with from_object) keeps sessions in ${path}` });
        }
    }
}

/** Flask-Uploads (and its maintained fork Flask-Reuploaded, the same `flask_uploads` module) and the old `flaskext.uploads`. */
const UPLOAD_SET = new Set(["flask_uploads.UploadSet", "flaskext.uploads.UploadSet"]);

/** The names of the UploadSets a module makes: UploadSet("photos", IMAGES); UploadSet() is "files". */
function uploadSets(mod: PyModule): string[] {
    return mod.calls.flatMap((c) => {
        if (!UPLOAD_SET.has(calleeOf(c) ?? "")) {
            return [];
        }
        const name = c.args[0] ?? c.kwargs["name"];
        const literal = name === undefined ? "files" : str(name);
        return literal === undefined ? [] : [literal];
    });
}

/** An UploadSet's folder as one config sets it: by the set's own UPLOADED_<SET>_DEST, or UPLOADS_DEFAULT_DEST. */
interface UploadSetFolder {
    readonly set: string;
    readonly own: boolean;
    readonly path: string;
    readonly why: string;
}

/**
 * The folders Flask-Uploads saves each UploadSet's files into, by the config
 * it reads when configure_uploads() runs: UPLOADED_<NAME>_DEST, else
 * UPLOADS_DEFAULT_DEST/<name>. `value` reads a config key of `file`.
 */
function uploadSetFolders(sets: readonly string[], value: (key: string) => Expr | undefined, ctx: PathContext, file: string, loaded = ""): UploadSetFolder[] {
    const found: UploadSetFolder[] = [];
    for (const set of new Set(sets)) {
        const key = `UPLOADED_${set.toUpperCase()}_DEST`;
        const own = pathValue(value(key), ctx);
        const base = own === undefined ? pathValue(value("UPLOADS_DEFAULT_DEST"), ctx) : undefined;
        const path = own ?? (base === undefined ? undefined : joinPath(base, set));
        if (path !== undefined && path !== "" && path !== ctx.cwd && !path.startsWith("/")) {
            const how = own !== undefined ? `${key}` : `UPLOADS_DEFAULT_DEST (${base}, a folder per set)`;
            found.push({ set, own: own !== undefined, path, why: `${file}: Flask-Uploads saves the UploadSet "${set}" into ${path}, by ${how}${loaded}` });
        }
    }
    return found;
}

/**
 * A Pyramid app's SQLite database from its PasteDeploy ini: the app
 * section's `sqlalchemy.url` (the cookiecutter's `sqlite:///%(here)s/x.sqlite`;
 * PasteDeploy expands `%(here)s` to the ini's folder, `%%` to `%`).
 */
function pastePaths(src: SourceTree, paste: { file: string; section: string }, cwd: string, add: AddPath): void {
    const url = readIni(src.read(paste.file)).get(paste.section)?.get("sqlalchemy.url");
    const rest = url === undefined ? undefined : sqliteUrlRest(url);
    if (rest === undefined || rest === "" || rest.includes(":memory:")) {
        return;
    }
    const here = "%(here)s";
    const path = rest.startsWith(here)
        ? joinPath(dirOf(paste.file), rest.slice(here.length).replace(/^\/+/, "").split("%%").join("%"))
        : rest.includes("%(")
          ? undefined // another interpolation: not read
          : rest.startsWith("/")
            ? rest
            : joinPath(cwd, rest.split("%%").join("%"));
    if (path !== undefined) {
        add({ path, kind: "data", file: true, holds: "database", why: `${paste.file}: [${paste.section}] sqlalchemy.url = ${url}` });
    }
}

function dirOf(p: string): string {
    const i = p.lastIndexOf("/");
    return i < 0 ? "" : i === 0 ? "/" : p.slice(0, i);
}

/** Django's file-system storage, by the names it is imported and configured by. */
const FILE_SYSTEM_STORAGE = new Set(["django.core.files.storage.FileSystemStorage", "django.core.files.storage.filesystem.FileSystemStorage"]);

/**
 * Environment variables that point a library at a folder it writes, and what
 * the folder holds. All are scratch: prometheus_client's multiprocess folder
 * holds per-process files that must be emptied when the server starts
 * anyway; the others are caches a library refills (a model re-downloaded, a
 * font cache rebuilt).
 */
export const ENV_DIRS: Readonly<Record<string, string>> = byName({
    PROMETHEUS_MULTIPROC_DIR: "prometheus_client's multiprocess metrics (a file per worker process)",
    HF_HOME: "Hugging Face's cache (downloaded models and datasets)",
    HF_HUB_CACHE: "Hugging Face Hub's download cache",
    HUGGINGFACE_HUB_CACHE: "Hugging Face Hub's download cache",
    TRANSFORMERS_CACHE: "transformers' model cache",
    HF_DATASETS_CACHE: "Hugging Face datasets' cache",
    SENTENCE_TRANSFORMERS_HOME: "sentence-transformers' model cache",
    TORCH_HOME: "PyTorch's hub cache",
    MPLCONFIGDIR: "matplotlib's config and font cache",
    NLTK_DATA: "NLTK's data (nltk.download() writes there)",
    ARGOS_PACKAGES_DIR: "Argos Translate's installed language models",
    XDG_CACHE_HOME: "the cache of libraries that follow XDG (pip, Hugging Face, fontconfig...)",
});

/**
 * The ENV_DIRS that hold downloaded models, hundreds of MiB to gigabytes: a
 * scratch tmpfs (64 MiB) cannot hold them and a restart would download them
 * again, so these are data (a volume) instead.
 */
export const MODEL_DIRS: ReadonlySet<string> = new Set(["HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE", "SENTENCE_TRANSFORMERS_HOME", "TORCH_HOME", "ARGOS_PACKAGES_DIR"]);

/**
 * A folder an environment variable of ENV_DIRS points a library at, as the
 * app sets it (`os.environ.setdefault("HF_HOME", str(BASE_DIR / ".hf"))`,
 * `os.environ["X"] = path`, gunicorn's raw_env "X=path"): a scratch folder
 * (data for MODEL_DIRS) when it is among the app's files (read-only in the
 * image); /tmp and other places outside the app are left alone.
 */
function envDir(name: string | undefined, path: string | undefined, file: string, how: string, cwd: string, add: AddPath): void {
    const holds = name === undefined ? undefined : ENV_DIRS[name];
    const inApp = path !== undefined && path !== "" && path !== cwd && (!path.startsWith("/") || path.startsWith(`${DEFAULTS.workdir}/`));
    if (holds !== undefined && inApp) {
        add({ path: path!, kind: MODEL_DIRS.has(name!) ? "data" : "scratch", file: false, holds: "cache", why: `${file}: ${how} points ${name}, ${holds}, at ${path} among the app's read-only files` }, true);
    }
}

const SQLITE_CONNECT = new Set(["sqlite3.connect", "aiosqlite.connect", "sqlite3.dbapi2.connect"]);

/**
 * Peewee's SQLite databases, which open the file their first argument
 * (`database=`) names as sqlite3.connect() does: SqliteDatabase("notes.db")
 * and playhouse's extensions of it (SQLite extensions, APSW, the write
 * queue, connection pools).
 */
const PEEWEE_SQLITE = new Set([
    "peewee.SqliteDatabase",
    "playhouse.sqlite_ext.SqliteExtDatabase",
    "playhouse.sqlite_ext.CSqliteExtDatabase",
    "playhouse.apsw_ext.APSWDatabase",
    "playhouse.sqliteq.SqliteQueueDatabase",
    "playhouse.pool.PooledSqliteDatabase",
    "playhouse.pool.PooledSqliteExtDatabase",
]);

/**
 * A value stored under a key of a mapping: `app.config["K"] = v` anywhere in
 * the module, or `app.config.from_mapping(K=v)` / `app.config.update(K=v)`
 * (or a dict given to them: `update({"K": v})`).
 */
function configItem(mod: PyModule, mapping: string, key: string): Expr | undefined {
    for (const [target, value] of [...mod.itemAssignsAnywhere].reverse()) {
        if (target.kind === "subscript" && target.target.kind === "ref" && target.target.path === mapping && str(target.index) === key) {
            return value;
        }
        // Sanic's attribute-style config: `app.config.DATABASE = "pins.db"`.
        if (target.kind === "ref" && target.local === `${mapping}.${key}`) {
            return value;
        }
    }
    for (const c of mod.calls) {
        const callee = calleeOf(c) ?? "";
        if (callee === `${mapping}.from_mapping` || callee === `${mapping}.update`) {
            const value = c.kwargs[key] ?? dictGet(c.args[0], key);
            if (value !== undefined) {
                return value;
            }
        }
        // os.environ.setdefault("HF_HOME", path): the value unless the environment has one.
        if (callee === `${mapping}.setdefault` && str(c.args[0]) === key && c.args[1] !== undefined) {
            return c.args[1];
        }
    }
    return undefined;
}

/**
 * A config key's value as the module's config loads leave it, in call order,
 * the last one that sets it winning (`update(DATABASE=":memory:")` then
 * `from_envvar("APP_SETTINGS")`): from_mapping/update (keywords or a dict),
 * Flask's from_file(P, load=tomllib.load / json.load / yaml.safe_load) and
 * from_pyfile(P) (P relative to the app's root_path, the module's folder, or to its instance folder with instance_relative_config)
 * and from_envvar(VAR) (the file the image's VAR names, a path in the
 * image); an item assignment (`app.config["K"] = v`) over all of them.
 */
function configValue(src: SourceTree, reader: ModuleReader, mod: PyModule, file: string, root: ImportRoot, mapping: string, key: string, env?: Readonly<Record<string, string>>): Expr | undefined {
    const assigned = [...mod.itemAssignsAnywhere].reverse().find(([t]) => t.kind === "subscript" && t.target.kind === "ref" && t.target.path === mapping && str(t.index) === key);
    if (assigned !== undefined) {
        return assigned[1];
    }
    let found: Expr | undefined;
    const home = dirOf(file) === "/" ? "" : dirOf(file);
    const pyfiles = pyfileFolder(mod, file, root);
    for (const c of mod.calls) {
        const callee = calleeOf(c) ?? "";
        if (callee === `${mapping}.from_mapping` || callee === `${mapping}.update`) {
            found = c.kwargs[key] ?? dictGet(c.args[0], key) ?? found;
            continue;
        }
        if (callee !== `${mapping}.from_file` && callee !== `${mapping}.from_pyfile` && callee !== `${mapping}.from_envvar`) {
            continue;
        }
        const named = callee.endsWith(".from_envvar") ? env?.[str(c.args[0] ?? c.kwargs["variable_name"]) ?? ""] : str(c.args[0] ?? c.kwargs["filename"]);
        const inImage = named?.startsWith(`${DEFAULTS.workdir}/`) ? named.slice(DEFAULTS.workdir.length + 1) : named?.startsWith("/") ? undefined : named;
        const path = inImage === undefined ? undefined : named!.startsWith("/") ? inImage : joinPath(callee.endsWith(".from_pyfile") ? pyfiles : home, inImage);
        if (path === undefined || !src.isFile(path)) {
            continue;
        }
        if (callee.endsWith(".from_file")) {
            const load = c.args[1] ?? c.kwargs["load"];
            const loader = refPath(load) ?? "";
            const format = FROM_FILE_LOADERS.has(loader) ? LOADERS[loader] : undefined;
            const doc = format === undefined ? undefined : parseDocument(src.read(path), format);
            const value = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? doc[key] : undefined;
            if (typeof value === "string") {
                found = { kind: "str", value };
            }
        } else {
            found = pyfileValue(reader, path, key) ?? found;
        }
    }
    // Sanic's attribute-style config, and the other stores configItem reads.
    return found ?? configItem(mod, mapping, key);
}

/**
 * A key of a config file from_pyfile runs (its own namespace): its names bound to what the file assigns them, a few
 * deep (`basedir = os.path.dirname(__file__)` then `os.path.join(basedir, "app.db")`), and `__file__` its path in the
 * image, so the value reads the same from the module that loads it.
 */
function pyfileValue(reader: ModuleReader, path: string, key: string): Expr | undefined {
    const cfg = reader.parse(path);
    const here: Expr = { kind: "str", value: `${DEFAULTS.workdir}/${path}` };
    const resolve = (e: Expr | undefined, depth: number): Expr | undefined =>
        e === undefined ? undefined : bind(e, (name) => (name === "__file__" ? here : depth > 0 && name !== key ? resolve(cfg?.value(name), depth - 1) : undefined));
    return resolve(cfg?.value(key), 3);
}

/** The config files the module's Flask app loads with `app.config.from_pyfile(P)` that the source has (P as configValue resolves it). */
function pyfileConfigs(src: SourceTree, mod: PyModule, file: string, root: ImportRoot): string[] {
    const base = pyfileFolder(mod, file, root);
    return mod.calls.flatMap((k) => {
        const named = (calleeOf(k) ?? "").endsWith(".config.from_pyfile") ? str(k.args[0] ?? k.kwargs["filename"]) : undefined;
        const path = named === undefined || named.startsWith("/") ? undefined : joinPath(base, named);
        return path !== undefined && src.isFile(path) ? [path] : [];
    });
}

/**
 * The folder `app.config.from_pyfile(P)` reads P from: the instance folder (`instance/` at the import root, where Flask
 * puts it for a module or package there) when the module's `Flask(__name__, instance_relative_config=True)` says so, else
 * the module's folder (the app's root_path).
 */
export function pyfileFolder(mod: PyModule, file: string, root: ImportRoot): string {
    const made = mod.calls.find((k) => calleeOf(k) === "flask.Flask" || calleeOf(k) === "quart.Quart");
    const relative = made?.kwargs["instance_relative_config"];
    return relative?.kind === "bool" && relative.value ? (joinPath(root.dir, "instance") ?? "instance") : dirOf(file) === "/" ? "" : dirOf(file);
}

/** The methods of a Flask config that load keys into it. */
const CONFIG_LOADS = new Set(["from_mapping", "update", "from_file", "from_pyfile", "from_envvar", "from_object"]);

/** The loaders Flask's config.from_file() calls with the open file (their formats are config-documents' LOADERS). */
const FROM_FILE_LOADERS: ReadonlySet<string> = new Set(["tomllib.load", "tomli.load", "toml.load", "json.load", "yaml.safe_load", "yaml.full_load"]);

/**
 * A Flask config key's value as this module sets it: `<app>.config["K"] = v`
 * anywhere, `<app>.config.from_mapping(K=v)` / `.update(K=v)` (or a dict
 * argument), a module-level `K = v` read by `<app>.config.from_object(__name__)`,
 * and `config={"K": v}` given to an extension (`Cache(app, config=...)`,
 * `cache.init_app(app, config=...)`) when `extension` names its class.
 * The last one set wins, in that order of kinds.
 */
export function flaskConfig(mod: PyModule, key: string, extension?: string): Expr | undefined {
    let found: Expr | undefined;
    for (const [target, value] of mod.itemAssignsAnywhere) {
        if (target.kind === "subscript" && target.target.kind === "ref" && target.target.path.endsWith(".config") && str(target.index) === key) {
            found = value;
        }
    }
    for (const c of mod.calls) {
        const callee = calleeOf(c) ?? "";
        if (callee.endsWith(".config.from_mapping") || callee.endsWith(".config.update")) {
            found = c.kwargs[key] ?? dictGet(c.args[0], key) ?? found;
        } else if (callee.endsWith(".config.from_object") && c.args[0]?.kind === "ref" && c.args[0].path === "__name__") {
            found = mod.value(key) ?? found;
        } else if (extension !== undefined && (callee === extension || callee.endsWith(".init_app")) && c.kwargs["config"]?.kind === "dict") {
            found = dictGet(c.kwargs["config"], key) ?? found;
        }
    }
    return found;
}

/** A string setting, literal or through a module-level name (`SESSION_TYPE = "filesystem"; app.config["SESSION_TYPE"] = SESSION_TYPE`). */
export function settingString(mod: PyModule, e: Expr | undefined): string | undefined {
    return str(e) ?? (e?.kind === "ref" && !e.path.includes(".") ? str(mod.value(e.path)) : undefined);
}

/**
 * The values a string setting may have: a conditional one (a config class's `if REDIS_URL: CACHE_TYPE = "redis"
 * else: CACHE_TYPE = "filesystem"`) by the branch the environment as the image sets it takes, or both branches
 * when the test cannot be read (a backend that may write files then gets its folder).
 */
function settingStrings(mod: PyModule, e: Expr | undefined, ctx: PathContext, depth = 0): string[] {
    if (e?.kind === "cond" && depth < 8) {
        const holds = decide(e.test, ctx);
        const branches = holds === undefined ? [e.then, e.otherwise] : [holds ? e.then : e.otherwise];
        return branches.flatMap((b) => settingStrings(mod, b, ctx, depth + 1));
    }
    const s = settingString(mod, e);
    return s === undefined ? [] : [s];
}

/** Flask-Caching's file-system backend, by CACHE_TYPE: "filesystem", "FileSystemCache", "flask_caching.backends.filesystemcache.FileSystemCache". */
function isFileSystemCacheType(t: string | undefined): boolean {
    const last = (t ?? "").split(".").pop()?.toLowerCase();
    return last === "filesystem" || last === "filesystemcache";
}

/**
 * Flask extensions that keep files where the config says:
 * Flask-Session with SESSION_TYPE "filesystem" writes SESSION_FILE_DIR
 * (default: flask_session in the working folder); Flask-Caching with a
 * file-system CACHE_TYPE writes CACHE_DIR (without it the extension fails,
 * so nothing is guessed). Both are scratch: a lost session logs its user out,
 * a lost cache is refilled; neither is data to keep across a redeploy.
 */
function flaskExtensionPaths(mod: PyModule, file: string, ctx: PathContext, add: AddPath): void {
    const imports = (m: string): boolean => [...mod.imported].some((i) => i === m || i.startsWith(`${m}.`));
    if (imports("flask_session") && settingString(mod, flaskConfig(mod, "SESSION_TYPE")) === "filesystem") {
        const dir = flaskConfig(mod, "SESSION_FILE_DIR");
        const path = dir === undefined ? joinPath(ctx.cwd, "flask_session") : pathValue(dir, ctx);
        if (path !== undefined && path !== "" && path !== ctx.cwd) {
            const where = dir === undefined ? "its default flask_session in the working folder" : `SESSION_FILE_DIR ${path}`;
            add({ path, kind: "scratch", file: false, holds: "sessions", why: `${file}: Flask-Session's SESSION_TYPE "filesystem" keeps sessions in ${where}` });
        }
    }
    if (imports("flask_caching")) {
        const type = settingString(mod, flaskConfig(mod, "CACHE_TYPE", "flask_caching.Cache"));
        const path = isFileSystemCacheType(type) ? pathValue(flaskConfig(mod, "CACHE_DIR", "flask_caching.Cache"), ctx) : undefined;
        if (path !== undefined && path !== "" && path !== ctx.cwd) {
            add({ path, kind: "scratch", file: false, holds: "cache", why: `${file}: Flask-Caching's CACHE_TYPE "${type}" keeps its cache in CACHE_DIR ${path}` });
        }
    }
    // Flask-Whooshee's search indexes: init_app makes WHOOSHEE_DIR (else "whooshee" in the working folder) unless they are kept in memory.
    const whooshee = mod.calls.some((c) => calleeOf(c) === "flask_whooshee.Whooshee");
    const inMemory = (b: { expr: Expr } | undefined) => b?.expr.kind === "bool" && b.expr.value;
    if (whooshee && !inMemory(flaskKey(mod, ctx, "WHOOSHEE_MEMORY_STORAGE"))) {
        const set = flaskKey(mod, ctx, "WHOOSHEE_DIR");
        // os.path.join(basedir, "whoosh_index", py_version) (FlaskBB): the folder named in the code holds the index folders.
        const path = set === undefined ? joinPath(ctx.cwd, "whooshee") : (pathValue(set.expr, set.ctx) ?? knownFolder(set.expr, set.ctx));
        if (path !== undefined && path !== "" && path !== ctx.cwd) {
            add({ path, kind: "data", file: false, holds: "files", why: `${file}: Flask-Whooshee keeps its search indexes in ${set === undefined ? "its default whooshee folder in the working folder" : `WHOOSHEE_DIR ${path}`}` });
        }
    }
    // Flask-Avatars saves and crops avatars into AVATARS_SAVE_PATH.
    if (mod.calls.some((c) => calleeOf(c) === "flask_avatars.Avatars")) {
        const set = flaskKey(mod, ctx, "AVATARS_SAVE_PATH");
        const path = set === undefined ? undefined : pathValue(set.expr, set.ctx);
        if (path !== undefined && path !== "" && path !== ctx.cwd) {
            add({ path, kind: "data", file: false, holds: "uploads", why: `${file}: Flask-Avatars saves avatars into AVATARS_SAVE_PATH ${path}` });
        }
    }
    // A cache made in another module and configured here with a dict held in a name, as Dash's
    // performance guide does: `cache.init_app(server, config=CACHE_CONFIG)`, CACHE_CONFIG perhaps imported.
    for (const c of mod.calls) {
        const callee = calleeOf(c) ?? "";
        const config = c.kwargs["config"];
        if ((!callee.endsWith(".init_app") && callee !== "flask_caching.Cache") || config?.kind !== "ref") {
            continue;
        }
        const bound = config.path.includes(".") ? ctx.lookupDotted?.(config.path, config.local) : ((b) => (b ? { expr: b.expr, ctx: { ...ctx, file: b.file } } : undefined))(ctx.lookup(config.path));
        if (bound?.expr.kind !== "dict") {
            continue;
        }
        const type = str(dictGet(bound.expr, "CACHE_TYPE"));
        const path = isFileSystemCacheType(type) ? pathValue(dictGet(bound.expr, "CACHE_DIR"), bound.ctx) : undefined;
        if (path !== undefined && path !== "" && path !== ctx.cwd) {
            add({ path, kind: "scratch", file: false, holds: "cache", why: `${file}: Flask-Caching's CACHE_TYPE "${type}" (${callee.split(".").pop()}(config=${config.local})) keeps its cache in CACHE_DIR ${path}` });
        }
    }
}

/** A Flask config key as this module sets it, else as the module that configures the app does (a config class from_object loads). */
function flaskKey(mod: PyModule, ctx: PathContext, key: string): { expr: Expr; ctx: PathContext } | undefined {
    const here = flaskConfig(mod, key);
    return here !== undefined ? { expr: here, ctx } : ctx.appConfig?.(key);
}

/**
 * The log files a logging config file names, for the process's working
 * folder: fileConfig's INI ([handler_x] class=...FileHandler,
 * args=('logs/app.log', 'a')), or a YAML/JSON dict the module loads for
 * dictConfig (handlers.x.filename). The file is the argument of fileConfig,
 * or a .yaml/.yml/.json file the module names (relative to the working
 * folder or to the module) when it calls dictConfig.
 */
function loggingConfigFilePaths(src: SourceTree, mod: PyModule, c: Extract<Expr, { kind: "call" }>, callee: string, file: string, ctx: PathContext, add: AddPath): void {
    const dirOfModule = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
    const inSource = (p: string | undefined): string | undefined => [p, p === undefined ? undefined : joinPath(dirOfModule, p)].find((f): f is string => f !== undefined && src.isFile(f));
    const handlerFiles: string[] = [];
    let config: string | undefined;
    if (callee === "logging.config.fileConfig") {
        config = inSource(pathValue(c.args[0], ctx));
        const text = config === undefined ? undefined : src.readIfFile(config);
        for (const [name, section] of text === undefined ? [] : readIni(text)) {
            const cls = section.get("class") ?? "";
            if (!name.startsWith("handler_") || !/FileHandler$/.test(cls)) {
                continue;
            }
            const args = section.get("args");
            const kwargs = section.get("kwargs");
            const first = args === undefined ? undefined : parseModule(`_ = ${args}\n`).value("_");
            const named = kwargs === undefined ? undefined : dictGet(parseModule(`_ = ${kwargs}\n`).value("_"), "filename");
            const value = str(named) ?? (first?.kind === "list" ? str(first.items[0]) : undefined);
            if (value !== undefined) {
                handlerFiles.push(value);
            }
        }
    } else {
        // Names, arguments, and parameters' defaults (`def setup_logging(default_path="logging.json")`, called with none).
        const defaults = [...mod.functions.values()].flatMap((f) => f.params.map((p) => p.default).filter((d): d is Expr => d !== undefined));
        const names = mod.assignedAnywhere.concat(mod.calls.flatMap((x) => [...x.args, ...Object.values(x.kwargs)]), defaults);
        const literal = names.map((e) => str(e)).find((v) => v !== undefined && /\.(ya?ml|json)$/i.test(v) && inSource(joinPath(ctx.cwd, v) ?? v) !== undefined);
        config = literal === undefined ? undefined : inSource(joinPath(ctx.cwd, literal) ?? literal);
        const text = config === undefined ? undefined : src.readIfFile(config);
        let doc: unknown;
        try {
            doc = text === undefined ? undefined : config!.endsWith(".json") ? JSON.parse(text) : loadYaml(text);
        } catch {
            doc = undefined;
        }
        const handlers = doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>)["handlers"] : undefined;
        for (const h of handlers !== null && typeof handlers === "object" ? Object.values(handlers as Record<string, unknown>) : []) {
            const filename = h !== null && typeof h === "object" ? (h as Record<string, unknown>)["filename"] : undefined;
            if (typeof filename === "string") {
                handlerFiles.push(filename);
            }
        }
    }
    for (const f of handlerFiles) {
        const path = f.startsWith("/") ? f : joinPath(ctx.cwd, f);
        if (path !== undefined && path !== "" && !path.startsWith("/dev/")) {
            logPath(src, path, `${file}: ${callee}(${config}) logs to ${f}`, add);
        }
    }
}

/** requests-cache's cached sessions and its global cache: the cache name (a path) is their first argument. */
const REQUESTS_CACHE = new Set(["requests_cache.CachedSession", "requests_cache.install_cache", "requests_cache.session.CachedSession"]);

/** Logging configs that take dictConfig's `handlers` as a keyword: Litestar's. */
const LOGGING_CONFIGS = new Set(["litestar.logging.config.LoggingConfig", "litestar.logging.LoggingConfig"]);

/**
 * The files a logging config written in the code names: dictConfig(<a dict
 * display, or a name bound to one>) or LoggingConfig(handlers={...}), each
 * handler's "filename" read as a path (the dict's and its items' names
 * followed where they are bound).
 */
function codeLoggingFiles(c: Extract<Expr, { kind: "call" }>, callee: string, ctx: PathContext): Array<{ path: string; handler: string }> {
    const config = callee === "logging.config.dictConfig" && c.args[0] !== undefined ? boundOf(c.args[0], ctx) : undefined;
    const handlersAt = config !== undefined ? (config.expr.kind === "dict" ? { expr: dictGet(config.expr, "handlers"), ctx: config.ctx } : undefined) : { expr: c.kwargs["handlers"], ctx };
    const handlers = handlersAt?.expr === undefined ? undefined : boundOf(handlersAt.expr, handlersAt.ctx);
    const out: Array<{ path: string; handler: string }> = [];
    for (const [name, value] of handlers?.expr.kind === "dict" ? handlers.expr.entries : []) {
        const h = boundOf(value, handlers!.ctx);
        const filename = h?.expr.kind === "dict" ? dictGet(h.expr, "filename") : undefined;
        const path = filename === undefined ? undefined : pathValue(filename, h!.ctx);
        if (path !== undefined && path !== "" && !path.startsWith("/dev/")) {
            out.push({ path, handler: str(name) ?? "?" });
        }
    }
    return out;
}

const FILE_HANDLERS = new Set([
    "logging.FileHandler",
    "logging.handlers.RotatingFileHandler",
    "logging.handlers.TimedRotatingFileHandler",
    "logging.handlers.WatchedFileHandler",
]);

function codePaths(
    src: SourceTree,
    mod: PyModule,
    file: string,
    module: string,
    root: ImportRoot,
    ctx: PathContext,
    req: WritableRequest,
    flaskRoot: string | undefined,
    add: AddPath,
    flaskSqlalchemyApp = false,
    sites: CallSites = NO_SITES,
    unread?: Unread[],
    instanceConfigKey: (e: Expr) => boolean = () => false,
): void {
    // Flask's instance folder: next to the top-level package (or module), or under the venv when the package is installed.
    const usesInstance = mod.calls.some((c) => {
        const callee = calleeOf(c) ?? "";
        const flask = callee === "flask.Flask" || callee === "quart.Quart";
        if (flask && (isTrue(c.kwargs["instance_relative_config"]) || c.kwargs["instance_path"] !== undefined)) {
            return true;
        }
        return c.args.some((a) => mentionsInstancePath(a)) || Object.values(c.kwargs).some((a) => mentionsInstancePath(a));
    });
    const flaskSqlalchemy = flaskSqlalchemyApp || usesFlaskSqlalchemy(mod);
    // Flask(instance_path=...) puts the folder where it says (read with the environment unset).
    const given = mod.calls.find((c) => (calleeOf(c) === "flask.Flask" || calleeOf(c) === "quart.Quart") && c.kwargs["instance_path"] !== undefined);
    // In a factory, as each call of it gives it, a parameter's default included (ihatemoney's create_app(instance_path="/etc/ihatemoney")).
    const givenPath = given === undefined ? undefined : sites.contexts(given, mod, ctx).map((here) => pathValue(given.kwargs["instance_path"], here)).find((p) => p !== undefined && p !== "");
    const instance = givenPath !== undefined && givenPath !== "" ? givenPath : instanceFolder(module, root, req, file);
    if (usesInstance) {
        const how = givenPath !== undefined && givenPath !== "" ? "Flask(instance_path=...)" : "instance_relative_config / app.instance_path";
        add({ path: instance, kind: "data", file: false, holds: "instance", why: `${file}: Flask's instance folder (${how})` });
    }

    // What one call writes, read in one context (a function's call site, an item of a loop).
    const callWrites = (c: Extract<Expr, { kind: "call" }>, here: PathContext, to: AddPath = add): void => {
        const called = calleeOf(c) ?? "";
        // A name star-imported from a module whose callables are read here (FastHTML's `from fasthtml.common import *`).
        const callee = starImported(mod, called, (q) => LIBRARY_PATHS[q] !== undefined || FASTHTML_APPS.has(q)) ?? called;
        if (FASTHTML_APPS.has(callee)) {
            // fast_app("data/notes.db", ...): its first argument is the fastlite database it opens.
            const db = callee.endsWith(".fast_app") ? pathValue(c.args[0] ?? c.kwargs["db_file"], here) : undefined;
            if (db !== undefined && db !== "" && !db.endsWith(":memory:")) {
                fixedFile(src, db, `${file}: FastHTML's fast_app(${db}) opens its database there`, to, "database");
            }
            // Without a secret_key (none given, or an environment read that may be unset), FastHTML keeps its session key in a file
            // of the working folder (.sesskey, or key_fname=), written at import.
            const key = c.kwargs["secret_key"];
            const mayBeNone = key === undefined || key.kind === "none" || (key.kind === "call" && ENV_READERS.has(calleeOf(key) ?? "") && key.args[1] === undefined && key.kwargs["default"] === undefined);
            const name = c.kwargs["key_fname"] === undefined ? ".sesskey" : str(c.kwargs["key_fname"]);
            const path = name === undefined ? undefined : name.startsWith("/") ? name : joinPath(here.cwd, name);
            if (mayBeNone && path !== undefined && path !== "") {
                const unless = key === undefined ? "without secret_key=" : `when secret_key= (${str(key.kind === "call" ? key.args[0] : undefined) ?? "its variable"}) is unset`;
                fixedFile(src, path, `${file}: FastHTML's ${callee.split(".").pop()}() ${unless} writes its session key to ${name} at import`, to, "sessions");
            }
            return;
        }
        // Logging configured by a dict in the code: dictConfig(LOGGING) with LOGGING = {"handlers": {"file": {"filename": ...}}}, Litestar's LoggingConfig(handlers=...).
        if (callee === "logging.config.dictConfig" || LOGGING_CONFIGS.has(callee)) {
            const files = codeLoggingFiles(c, callee, here);
            for (const f of files) {
                logPath(src, f.path, `${file}: ${callee.split(".").pop()}() logs to ${f.path} (the "${f.handler}" handler)`, to);
            }
            if (files.length > 0 || callee !== "logging.config.dictConfig") {
                return;
            }
        }
        // Logging configured from a file: fileConfig("logging.ini"), dictConfig(yaml.safe_load(open("logging.yaml"))).
        if ((callee === "logging.config.fileConfig" && c.args[0]) || callee === "logging.config.dictConfig") {
            loggingConfigFilePaths(src, mod, c, callee, file, here, to);
            return;
        }
        // SQLite databases opened by path: sqlite3.connect("todo.db"), aiosqlite.connect(os.environ.get("DB", "notes.db")).
        if (SQLITE_CONNECT.has(callee)) {
            const path = pathValue(placeArgument(c, callee), here);
            if (path !== undefined && !path.endsWith(":memory:")) {
                to({ path, kind: "data", file: true, holds: "database", why: `${file}: ${callee}(${path})` });
            }
            return;
        }
        // Django storages the code makes: FileSystemStorage(location=settings.PRIVATE_STORAGE_ROOT) for a FileField's storage=.
        if (FILE_SYSTEM_STORAGE.has(callee)) {
            const location = c.args[0] ?? c.kwargs["location"];
            const setting = location?.kind === "ref" && location.path.startsWith("django.conf.settings.") ? location.path.slice("django.conf.settings.".length) : undefined;
            const s = req.django?.settings;
            const settingFile = setting === undefined ? undefined : s?.sourceOf(setting);
            const path = setting === undefined ? pathValue(location, here) : settingFile === undefined ? undefined : s?.pathOf(s.get(setting), settingFile);
            if (path !== undefined && path !== "" && path !== here.cwd && !path.startsWith("/")) {
                const named = setting === undefined ? path : `settings.${setting}, ${path}`;
                to({ path, kind: "data", file: false, holds: "uploads", why: `${file}: FileSystemStorage(location=${named}) keeps uploaded files there` });
            }
            return;
        }
        // A library pointed at a folder among the app's files: os.environ.setdefault("HF_HOME", str(BASE_DIR / ".hf_cache")).
        if (callee === "os.environ.setdefault" && c.args.length >= 2) {
            envDir(str(c.args[0]), pathValue(c.args[1], here), file, `os.environ.setdefault(${JSON.stringify(str(c.args[0]) ?? "")}, ...)`, here.cwd, to);
            return;
        }
        // Peewee: db = SqliteDatabase("notes.db", pragmas=...); SqliteDatabase(None) is initialised later (not read).
        if (PEEWEE_SQLITE.has(callee)) {
            const path = pathValue(placeArgument(c, callee), here);
            if (path !== undefined && path !== "" && !path.endsWith(":memory:")) {
                to({ path, kind: "data", file: true, holds: "database", why: `${file}: Peewee's ${callee.split(".").pop()}(${path})` });
            }
            return;
        }
        // Log files.
        if (FILE_HANDLERS.has(callee) || (callee === "logging.basicConfig" && c.kwargs["filename"] !== undefined)) {
            const path = pathValue(placeArgument(c, callee), here);
            if (path !== undefined) {
                logPath(src, path, `${file}: ${callee.split(".").pop()} writes ${path}`, to);
            }
            return;
        }
        // Folders the code creates.
        if ((callee === "os.makedirs" || callee === "os.mkdir") && placeArgument(c, callee) !== undefined) {
            const path = pathValue(placeArgument(c, callee), here);
            if (path !== undefined && path !== "" && path !== here.cwd) {
                to({ path, kind: kindOf(path), file: false, holds: holdsOf(path), why: `${file}: ${callee}(${path})` });
            }
            return;
        }
        // Files written into a folder by a name only known at run time: file.save(os.path.join(app.config["UPLOAD_FOLDER"], filename)), open(UPLOADS / name, "wb").
        const written = writtenInto(c, here);
        if (written !== undefined) {
            to({ path: written.folder, kind: written.uploads ? "data" : kindOf(written.folder), file: false, holds: written.uploads ? "uploads" : holdsOf(written.folder), why: `${file}: ${written.how}` });
            return;
        }
        // NiceGUI keeps app.storage (user and general) in .nicegui/ in the working folder (NICEGUI_STORAGE_PATH moves it).
        if (callee === "nicegui.ui.run_with" || callee === "nicegui.ui.run") {
            to({ path: joinPath(here.cwd, ".nicegui") ?? ".nicegui", kind: "data", file: false, holds: "files", why: `${file}: NiceGUI's ${callee.split(".").pop()}() keeps app.storage in .nicegui/ (NICEGUI_STORAGE_PATH moves it)` });
            return;
        }
        // Libraries that keep files at a path they are given: TinyDB("db.json"), diskcache.Cache("cache"), tempfile.mkdtemp(dir="tmp").
        const kept = libraryPath(c, callee, here);
        if (kept !== undefined) {
            if (kept.file) {
                fixedFile(src, kept.path, `${file}: ${kept.how}`, to, kept.holds);
            } else {
                to({ path: kept.path, kind: kept.kind, file: false, holds: kept.holds, why: `${file}: ${kept.how}` });
            }
            return;
        }
        // A file of a fixed name written among the app's files: open(GUESTBOOK, "w"), os.replace(tmp, GUESTBOOK), Path("data/state.json").write_text(...).
        const fixed = fixedFileWritten(c, here);
        if (fixed !== undefined) {
            fixedFile(src, fixed.path, `${file}: ${fixed.how}`, to, "files", callee === "os.replace" || callee === "os.rename" || callee === "shutil.move");
            return;
        }
        // Path(...).mkdir(), or a name bound to a path: UPLOAD_DIR.mkdir(exist_ok=True).
        const mkdirOn = receiverOf(c, "mkdir") === undefined ? undefined : placeArgument(c, callee);
        if (mkdirOn !== undefined) {
            const path = pathValue(mkdirOn, here);
            if (path !== undefined && path !== "" && path !== here.cwd) {
                to({ path, kind: kindOf(path), file: false, holds: holdsOf(path), why: mkdirOn.kind === "ref" ? `${file}: ${mkdirOn.local}.mkdir() creates ${path}` : `${file}: Path(${path}).mkdir()` });
            }
        }
    };
    for (const c of mod.calls) {
        const contexts = sites.contexts(c, mod, ctx);
        const call = asSync(c);
        // A command line's command (`@app.cli.command()`, click's, Typer's), run by hand: what it writes among the files the
        // image ships (CTFd's `flask build jsenums` rewriting a committed .js) is no data of the server's, and a volume there
        // would pin the first deploy's copy of those files.
        const command = mod.enclosing(c).some(({ fn }) => fn.decorators.some((d) => d === "click.command" || d.endsWith(".command")));
        const write = command ? shippedWritesLeftOut(src, add) : add;
        for (const here of contexts) {
            callWrites(call, here, write);
        }
        // A place the app makes or opens whose path is not read in any context: named, not guessed
        // (unless it is temporary, read-only, in the instance folder, or a computed name under a folder already found).
        const target = placeArgument(call, starImported(mod, calleeOf(call) ?? "", (q) => LIBRARY_PATHS[q] !== undefined) ?? calleeOf(call) ?? "");
        if (target !== undefined && unread !== undefined && !mod.scriptCalls.has(c) && contexts.every((here) => pathValue(target, here) === undefined)) {
            const skip = contexts.some((here) => followed(target, here).some((x) => mentionsTemporary(x) || mentionsInstancePath(x) || instanceConfigKey(x)));
            // A name made at run time in a folder the code names (`os.makedirs(os.path.join(BASE, "uploads", str(uid)))`): that folder is the app's.
            const folders = skip ? [] : contexts.flatMap((here) => knownFolder(target, here) ?? []).filter((f, i, all) => appFolder(f, ctx) && all.indexOf(f) === i);
            for (const folder of folders) {
                add({ path: folder, kind: kindOf(folder), file: false, holds: holdsOf(folder), why: `${file}: ${exprText(c)} makes or opens a place named at run time in ${folder}` });
            }
            if (!skip && folders.length === 0) {
                unread.push({ call: `${file}: ${exprText(c)}`, bases: contexts.flatMap((here) => basesOf(target, here)) });
            }
        }
    }

    flaskExtensionPaths(mod, file, ctx, add);

    // os.environ["HF_HOME"] = path
    for (const [target, value] of mod.itemAssignsAnywhere) {
        if (target.kind === "subscript" && target.target.kind === "ref" && target.target.path === "os.environ") {
            envDir(str(target.index), pathValue(value, ctx), file, `os.environ[${JSON.stringify(str(target.index) ?? "")}] = ...`, ctx.cwd, add);
        }
    }

    // SQLite URLs ("sqlite:///app.db", "sqlite+aiosqlite:///app.db"), in assignments and config items.
    const exprs: Expr[] = [...mod.assignedAnywhere];
    for (const c of mod.calls) {
        // A string test (`uri.startswith("sqlite:////home/")`) names a prefix, not a database; a variable the image sets is not its default.
        const imageSets = ENV_READERS.has(calleeOf(c) ?? "") && ctx.env?.[str(c.args[0]) ?? ""] !== undefined;
        if (!STRING_TESTS.has((calleeOf(c) ?? "").split(".").pop() ?? "") && !imageSets) {
            exprs.push(...c.args, ...Object.values(c.kwargs));
        }
    }
    // os.environ["USER_DB_URI"], os.environ.get("DB_URL", default): the image's value where it sets one (gramps-web-api's Dockerfile ENV), not the default.
    const imageUrl = (e: Expr): Expr | undefined => {
        const key = e.kind === "subscript" && e.target.kind === "ref" && e.target.path === "os.environ" ? str(e.index) : e.kind === "call" && ENV_READERS.has(calleeOf(e) ?? "") ? str(e.args[0]) : undefined;
        const value = key === undefined ? undefined : ctx.env?.[key];
        return value !== undefined && isSqliteUrl({ kind: "str", value }) ? { kind: "str", value } : undefined;
    };
    const urls = exprs.flatMap((e) => {
        const set = imageUrl(e);
        return set !== undefined ? [{ url: set, at: ctx }] : sqliteUrls(e).map((url) => ({ url, at: ctx }));
    });
    // A URL an app object or function holds, or an imported name: create_engine(get_settings().database_url), engine(config.DB_URL).
    for (const e of exprs) {
        const followed = e.kind === "attr" || (e.kind === "ref" && e.path.includes(".")) || (e.kind === "call" && e.callee.kind === "ref" && ctx.lookupDef?.(e.callee.path, e.callee.local)?.kind === "function");
        const b = followed ? boundOf(e, ctx) : undefined;
        if (b !== undefined && b.expr !== e) {
            urls.push(...sqliteUrls(b.expr).map((url) => ({ url, at: b.ctx })));
        }
    }
    // A URL an engine is made from inside a function, read with each place the app calls it: def init_db(path): create_engine("sqlite:///{0}".format(path)).
    for (const c of mod.calls) {
        const arg = URL_CONSUMERS.has(calleeOf(c) ?? "") ? (c.args[0] ?? c.kwargs["url"] ?? c.kwargs["db_url"]) : undefined;
        if (arg === undefined || mod.enclosing(c).length === 0) {
            continue;
        }
        for (const here of sites.contexts(c, mod, ctx)) {
            const b = boundOf(arg, here);
            if (b !== undefined) {
                urls.push(...sqliteUrls(b.expr).map((url) => ({ url, at: b.ctx })));
            }
        }
    }
    // SQLAlchemy's URL.create("sqlite", database=path): the file is the database argument (the driver name read as the environment leaves it).
    for (const c of mod.calls) {
        if (!URL_CREATE.has(calleeOf(c) ?? "")) {
            continue;
        }
        const given = c.args[0] ?? c.kwargs["drivername"];
        const value = given === undefined ? undefined : evaluate(given, (v) => ctx.env?.[v]);
        const driver = value?.t === "str" ? value.v : undefined;
        const database = c.kwargs["database"] ?? c.args[5];
        const path = driver !== undefined && (driver === "sqlite" || driver.startsWith("sqlite+")) && database !== undefined ? pathValue(database, ctx) : undefined;
        if (path !== undefined && path !== "" && !path.includes(":memory:")) {
            add({ path, kind: "data", file: true, holds: "database", why: `${file}: an SQLite database at ${path} (URL.create("${driver}", database=...))` });
        }
    }
    for (const { url, at } of urls) {
        const literal = str(url) ?? relativeSqliteUrl(url, at);
        if (literal?.endsWith("/")) {
            continue; // a folder, not a database file
        }
        const rest = literal === undefined ? undefined : sqliteUrlRest(literal);
        // Flask-SQLAlchemy 3 reads a relative sqlite path from the instance folder; 2.x from the app's root_path.
        if (flaskSqlalchemy && rest !== undefined && rest !== "" && !rest.startsWith("/") && !rest.includes(":memory:")) {
            const path = req.flaskSqlalchemyBelow3 && flaskRoot !== undefined ? joinPath(flaskRoot, rest) : undefined;
            if (path !== undefined) {
                add({ path, kind: "data", file: true, holds: "database", why: `${file}: Flask-SQLAlchemy 2 keeps ${literal} in the app's root_path, at ${path}` });
                continue;
            }
            add({ path: instance, kind: "data", file: false, holds: "database", why: `${file}: Flask-SQLAlchemy keeps ${literal} in the instance folder` });
            continue;
        }
        const path = sqliteUrlPath(url, at);
        if (path !== undefined) {
            add({ path, kind: "data", file: true, holds: "database", why: `${file}: an SQLite database at ${path}` });
        }
    }
}

/**
 * `"sqlite:///" + NAME` whose NAME is bound to a relative file name (a module
 * name, `app.config["DATABASE_FILE"]` set in the code or a config class): the
 * URL as that literal would write it, "sqlite:///db.sqlite", so the rules for
 * a relative SQLite URL (Flask-SQLAlchemy 3's instance folder) apply to it.
 */
function relativeSqliteUrl(url: Expr, ctx: PathContext): string | undefined {
    const prefix = url.kind === "add" ? str(url.left) : undefined;
    if (url.kind !== "add" || prefix === undefined || sqliteUrlRest(prefix) !== "") {
        return undefined;
    }
    const name = str(boundOf(url.right, ctx)?.expr);
    return name === undefined || name === "" || name.startsWith("/") ? undefined : `${prefix}${name}`;
}

/** SQLAlchemy's URL constructor, by the names it is imported under. */
const URL_CREATE: ReadonlySet<string> = new Set(["sqlalchemy.URL.create", "sqlalchemy.engine.URL.create", "sqlalchemy.engine.url.URL.create"]);

/** A place whose path is not read: the call as written, and the folders its computed path is known to sit in. */
/** Async file APIs that take their path as the standard library's calls do (bracket's `aiofiles.open(path, "wb")`): read as those. */
const SYNC_EQUIVALENTS: Readonly<Record<string, string>> = byName({
    "aiofiles.open": "open",
    "aiofiles.os.makedirs": "os.makedirs",
    "aiofiles.os.mkdir": "os.mkdir",
    "aiofiles.os.rename": "os.rename",
    "aiofiles.os.replace": "os.replace",
    "anyio.open_file": "open",
});

/** A call of one of those, as the standard library's call it stands for. */
function asSync(c: Extract<Expr, { kind: "call" }>): Extract<Expr, { kind: "call" }> {
    const to = SYNC_EQUIVALENTS[calleeOf(c) ?? ""];
    return to === undefined ? c : { ...c, callee: { kind: "ref", path: to, local: to } };
}

/** A folder that can hold the app's own files: not the source folder itself, the working folder, the image's app folder, /, or under /tmp. */
function appFolder(folder: string, ctx: PathContext): boolean {
    return folder !== "" && folder !== ctx.cwd && folder !== "/" && folder !== DEFAULTS.workdir && folder !== "/tmp" && !folder.startsWith("/tmp/");
}

interface Unread {
    readonly call: string;
    readonly bases: readonly string[];
}

/** An expression and what its names are bound to, a few steps deep: where a temporary or instance folder shows. */
function followed(e: Expr, ctx: PathContext): Expr[] {
    const out: Expr[] = [e];
    let cur: Expr | undefined = e;
    let at = ctx;
    for (let i = 0; i < 4 && cur !== undefined; i++) {
        const refs: string[] = [];
        walk(cur, (x) => {
            if (x.kind === "ref" && !x.local.includes(".")) {
                refs.push(x.local);
            }
        });
        const next = refs.map((r) => at.lookup(r)).find((b) => b !== undefined);
        if (next === undefined) {
            break;
        }
        out.push(next.expr);
        at = next.ctx ?? { ...at, file: next.file };
        cur = next.expr;
    }
    return out;
}

/** The folder a computed path sits in, when that folder reads (`os.path.join(UPLOADS, name)`, `DATA / slug`, `base.joinpath(slug)`). */
function basesOf(e: Expr, ctx: PathContext, depth = 0): string[] {
    if (depth > 4) {
        return [];
    }
    if (e.kind === "ref" && !e.local.includes(".")) {
        const b = ctx.lookup(e.local);
        return b === undefined ? [] : basesOf(b.expr, b.ctx ?? { ...ctx, file: b.file }, depth + 1);
    }
    const base = e.kind === "div" ? e.left : e.kind === "call" && calleeOf(e) === "os.path.join" ? e.args[0] : e.kind === "call" ? receiverOf(e, "joinpath") : undefined;
    const path = base === undefined ? undefined : pathValue(base, ctx);
    return path !== undefined ? [path] : base !== undefined ? basesOf(base, ctx, depth + 1) : [];
}

/**
 * The path argument of a call that makes or opens a place the app keeps
 * (a folder it creates, an SQLite database, a log file, a library's
 * store): what must be read for the place to be made writable. The one
 * table of where each such call takes its path: the reader (codePaths'
 * callWrites) and the note of places left unread both ask it.
 */
function placeArgument(c: Extract<Expr, { kind: "call" }>, callee: string): Expr | undefined {
    if (callee === "os.makedirs" || callee === "os.mkdir") {
        return mentionsInstancePath(c.args[0]) ? undefined : c.args[0];
    }
    if (SQLITE_CONNECT.has(callee)) {
        const db = c.args[0] ?? c.kwargs["database"];
        // A read-only database (`file:...?mode=ro` with uri=True) is opened, not written.
        const ro = db?.kind === "fstring" ? db.parts.some((p) => typeof p === "string" && p.includes("mode=ro")) : (str(db)?.includes("mode=ro") ?? false);
        return ro ? undefined : db;
    }
    if (PEEWEE_SQLITE.has(callee)) {
        const db = c.args[0] ?? c.kwargs["database"];
        return db?.kind === "none" ? undefined : db;
    }
    if (FILE_HANDLERS.has(callee)) {
        return c.args[0] ?? c.kwargs["filename"];
    }
    if (URL_CONSUMERS.has(callee)) {
        // An SQLite URL whose path is not read ("sqlite:///" + os.environ["DB"]): its path.
        const url = c.args[0] ?? c.kwargs["url"] ?? c.kwargs["db_url"];
        const formatted = url === undefined ? undefined : (asFString(url) ?? url);
        const path = formatted?.kind === "add" && sqliteUrlRest(str(formatted.left) ?? "") === "" ? formatted.right : formatted?.kind === "fstring" && formatted.parts.length === 2 && typeof formatted.parts[0] === "string" && sqliteUrlRest(formatted.parts[0]) === "" ? formatted.parts[1] : undefined;
        return typeof path === "string" ? undefined : path;
    }
    if (callee === "logging.basicConfig") {
        return c.kwargs["filename"];
    }
    const lib = LIBRARY_PATHS[callee];
    if (lib !== undefined) {
        return c.args[lib.arg] ?? c.kwargs[lib.kwarg];
    }
    const receiver = receiverOf(c, "mkdir");
    return receiver !== undefined && !mentionsInstancePath(receiver) ? receiver : undefined;
}

/** Whether a path expression is a temporary place (tempfile's folders, `:memory:`): nothing to keep or mount. */
function mentionsTemporary(e: Expr): boolean {
    let found = false;
    walk(e, (x) => {
        const name = x.kind === "call" ? (calleeOf(x) ?? "") : x.kind === "ref" ? x.path : "";
        if (name.startsWith("tempfile.") || (x.kind === "str" && x.value.includes(":memory:"))) {
            found = true;
        }
    });
    return found;
}

/** Calls that open a database by URL (its first argument, or `url=`/`db_url=`): SQLAlchemy's engines, SQLModel's, databases', dataset's, Tortoise ORM's. */
const URL_CONSUMERS = new Set([
    "sqlalchemy.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlmodel.create_engine",
    "databases.Database",
    "dataset.connect",
    "tortoise.contrib.fastapi.register_tortoise",
    "tortoise.contrib.quart.register_tortoise",
    "tortoise.contrib.starlette.register_tortoise",
    "tortoise.Tortoise.init",
]);

/** String methods whose argument is a pattern the string is tested or cut with, not a value it holds. */
const STRING_TESTS = new Set(["startswith", "endswith", "find", "rfind", "index", "count", "removeprefix", "removesuffix", "split", "partition"]);

/** The SQLite URL expressions ("sqlite:///...", "sqlite+aiosqlite:///...") inside an expression (as a literal, "sqlite:///" + path, or a default argument). */
function sqliteUrls(given: Expr | undefined, depth = 0): Expr[] {
    if (!given || depth > 4) {
        return [];
    }
    // "sqlite:///{0}".format(path), "sqlite:///%s" % path: the f-string they equal.
    const e = asFString(given) ?? given;
    if (e.kind === "or") {
        return [...sqliteUrls(e.left, depth + 1), ...sqliteUrls(e.right, depth + 1)];
    }
    if (e.kind !== "call" && isSqliteUrl(e)) {
        return [e];
    }
    if (e.kind === "add" && e.left.kind === "ref" && !e.left.path.includes(".")) {
        return [e]; // `prefix + os.path.join(basedir, "data.db")`: sqliteUrlPath reads the name, and drops what is not an SQLite URL
    }
    if (e.kind === "call") {
        return [...e.args, ...Object.values(e.kwargs)].flatMap((a) => sqliteUrls(a, depth + 1));
    }
    if (e.kind === "dict") {
        return e.entries.flatMap(([, v]) => sqliteUrls(v, depth + 1));
    }
    return [];
}

/** Methods that write the file their first argument names: pandas' DataFrame.to_csv() and kin, matplotlib's savefig(), xgboost's and LightGBM's save_model(). */
const WRITE_METHODS = ["to_csv", "to_excel", "to_parquet", "to_pickle", "to_feather", "to_json", "savefig", "save_model"];

/** Functions that write the file one argument names (its position and keyword): a model or array saved by path. */
const WRITE_FUNCTIONS: Readonly<Record<string, readonly [number, string]>> = byName({
    "joblib.dump": [1, "filename"],
    "skops.io.dump": [1, "file"],
    "torch.save": [1, "f"],
    "numpy.save": [0, "file"],
    "numpy.savez": [0, "file"],
    "numpy.savez_compressed": [0, "file"],
    "numpy.savetxt": [0, "fname"],
});

/** The path argument of a WRITE_FUNCTIONS call, with the function's name. */
function writeFunctionTarget(c: Extract<Expr, { kind: "call" }>): { target: Expr | undefined; name: string } | undefined {
    const callee = calleeOf(c) ?? "";
    const where = WRITE_FUNCTIONS[callee];
    return where === undefined ? undefined : { target: c.args[where[0]] ?? c.kwargs[where[1]], name: callee };
}

/** open()'s mode writes: "w", "wb", "a", "x", "r+". */
function writesMode(e: Expr | undefined): boolean {
    const mode = str(e);
    return mode !== undefined && [..."wax+"].some((m) => mode.includes(m));
}

/**
 * The folder of a file path whose name is computed: os.path.join(<folder>,
 * <anything>), <folder> / <not a literal> or <folder>.joinpath(<not a literal>), where the folder reads as a
 * path inside the app's folder (a relative path other than the working
 * folder itself), or an absolute folder outside /tmp and /dev (a receipts folder
 * under /var/lib, which the image makes; a system folder gets the plan's note).
 */
function folderOfComputedFile(e: Expr | undefined, ctx: PathContext, depth = 0): string | undefined {
    if (e?.kind === "ref" && !e.path.includes(".") && depth < 4) {
        // path = os.path.join(UPLOADS, name); f.save(path)
        return folderOfComputedFile(ctx.lookup(e.path)?.expr, ctx, depth + 1);
    }
    let folder: string | undefined;
    if (e?.kind === "call" && calleeOf(e) === "os.path.join" && e.args.length >= 2) {
        folder = pathValue(e.args[0], ctx);
        for (const a of e.args.slice(1, -1)) {
            const s = str(a);
            folder = folder === undefined || s === undefined ? undefined : joinPath(folder, s);
        }
        if (str(e.args[e.args.length - 1]) !== undefined) {
            return undefined; // a fixed file name: not a folder of files the app names
        }
    } else if (e?.kind === "div" && str(e.right) === undefined) {
        folder = pathValue(e.left, ctx);
    } else if (e?.kind === "call" && e.args.length === 1 && str(e.args[0]) === undefined && receiverOf(e, "joinpath") !== undefined) {
        // pathlib's EXPORTS.joinpath(f"{name}.csv"), as EXPORTS / f"{name}.csv".
        folder = pathValue(receiverOf(e, "joinpath"), ctx);
    } else if (e?.kind === "add" || e?.kind === "fstring" || (e !== undefined && asFString(e) !== undefined)) {
        // Text put together: `config.data_directory + "/" + unique_id` (pastey's), f"{NOTES}/{name}.txt", f"uploads/{name}",
        // and the same with "%s/%s" % (...) or "{}/{}".format(...).
        const text = e.kind === "add" ? undefined : e.kind === "fstring" ? e : asFString(e);
        folder = folderBeforeName(text?.kind === "fstring" ? text.parts : addends(e), ctx);
    }
    const temporary = ["/tmp", "/dev", "/var/tmp"].some((t) => folder === t || folder?.startsWith(`${t}/`));
    return folder === undefined || folder === "" || folder === ctx.cwd || folder === "/" || temporary ? undefined : folder;
}

/** The terms of `a + b + c`, a literal as its text. */
function addends(e: Expr): Array<string | Expr> {
    return e.kind === "add" ? [...addends(e.left), ...addends(e.right)] : [str(e) ?? e];
}

/**
 * The folder a file name put together from text sits in: the first term a
 * path (or the text it starts with), then text up to a `/`, then a part that
 * is computed. Undefined when no part is computed (a fixed name) or no `/`
 * separates the folder from the name.
 */
function folderBeforeName(parts: ReadonlyArray<string | Expr>, ctx: PathContext): string | undefined {
    const lead = typeof parts[0] === "string" ? undefined : parts[0];
    let text = "";
    let i = lead === undefined ? 0 : 1;
    for (; i < parts.length && typeof parts[i] === "string"; i++) {
        text += parts[i] as string;
    }
    const cut = text.lastIndexOf("/");
    if (i >= parts.length || cut < 0) {
        return undefined;
    }
    const dir = text.slice(0, cut);
    if (lead === undefined) {
        return dir === "" ? undefined : pathValue({ kind: "str", value: dir }, ctx);
    }
    const base = pathValue(lead, ctx);
    return base === undefined ? undefined : dir.replace(/^\/+/, "") === "" ? base : joinPath(base, dir.replace(/^\/+/, ""));
}

/**
 * A call that writes a file with a computed name into a folder among the
 * app's files: `<x>.save(<path>)` (werkzeug's FileStorage.save: uploads),
 * open(<path>, "w"/"wb"/"a"/...), or pathlib's `<path>.write_bytes()`,
 * `.write_text()`, `.touch()` and `.open("w")`.
 */
function writtenInto(c: Extract<Expr, { kind: "call" }>, ctx: PathContext): { folder: string; uploads: boolean; how: string } | undefined {
    if (receiverOf(c, "save") !== undefined) {
        const folder = folderOfComputedFile(c.args[0] ?? c.kwargs["dst"], ctx);
        return folder === undefined ? undefined : { folder, uploads: true, how: `.save() stores files into ${folder}` };
    }
    for (const method of WRITE_METHODS) {
        if (receiverOf(c, method) !== undefined) {
            const folder = folderOfComputedFile(c.args[0] ?? c.kwargs["path_or_buf"] ?? c.kwargs["path"] ?? c.kwargs["fname"], ctx);
            return folder === undefined ? undefined : { folder, uploads: false, how: `.${method}() writes files into ${folder}` };
        }
    }
    const saved = writeFunctionTarget(c);
    if (saved !== undefined) {
        const folder = folderOfComputedFile(saved.target, ctx);
        return folder === undefined ? undefined : { folder, uploads: false, how: `${saved.name}() writes files into ${folder}` };
    }
    // pathlib: `(PASTE_DIR / key).write_bytes(body)`, `path.write_text(...)`, `path.open("w")` on a computed path.
    for (const method of ["write_text", "write_bytes", "touch"]) {
        const receiver = receiverOf(c, method);
        if (receiver !== undefined) {
            const folder = folderOfComputedFile(receiver, ctx);
            return folder === undefined ? undefined : { folder, uploads: false, how: `.${method}() writes files into ${folder}` };
        }
    }
    const opened = receiverOf(c, "open");
    if (opened !== undefined && writesMode(c.args[0] ?? c.kwargs["mode"])) {
        const folder = folderOfComputedFile(opened, ctx);
        return folder === undefined ? undefined : { folder, uploads: false, how: `.open(${JSON.stringify(str(c.args[0] ?? c.kwargs["mode"]))}) writes files into ${folder}` };
    }
    const callee = calleeOf(c);
    if ((callee === "open" || callee === "io.open") && writesMode(c.args[1] ?? c.kwargs["mode"])) {
        const folder = folderOfComputedFile(c.args[0] ?? c.kwargs["file"], ctx);
        return folder === undefined ? undefined : { folder, uploads: false, how: `open(..., ${JSON.stringify(str(c.args[1] ?? c.kwargs["mode"]))}) writes files into ${folder}` };
    }
    return undefined;
}

/**
 * Libraries that keep their files at a path the app gives them, by the
 * qualified name of what is called: the argument that holds the path, and
 * whether it is a file or a folder and what it holds. A relative path is
 * taken from the working folder, as the library opens it.
 */
const LIBRARY_PATHS: Readonly<Record<string, { arg: number; kwarg: string; file: boolean; kind: WritablePathKind; holds: Holds; default?: string }>> = byName({
    // TinyDB's JSON file, created when the database is opened.
    "tinydb.TinyDB": { arg: 0, kwarg: "path", file: true, kind: "data", holds: "files" },
    // diskcache's folder of SQLite + files, created when the cache is made.
    "diskcache.Cache": { arg: 0, kwarg: "directory", file: false, kind: "scratch", holds: "cache" },
    "diskcache.FanoutCache": { arg: 0, kwarg: "directory", file: false, kind: "scratch", holds: "cache" },
    "diskcache.core.Cache": { arg: 0, kwarg: "directory", file: false, kind: "scratch", holds: "cache" },
    // cachelib's (and Flask-Caching's and Superset's) file-system cache.
    "cachelib.FileSystemCache": { arg: 0, kwarg: "cache_dir", file: false, kind: "scratch", holds: "cache" },
    "cachelib.file.FileSystemCache": { arg: 0, kwarg: "cache_dir", file: false, kind: "scratch", holds: "cache" },
    // NLTK's downloads: nltk.download("punkt", download_dir=...) writes the folder when the module runs.
    "nltk.download": { arg: 1, kwarg: "download_dir", file: false, kind: "scratch", holds: "cache" },
    // joblib's Memory: a folder of cached function results, made when the cache is (its docs: Memory(location="./cachedir")).
    "joblib.Memory": { arg: 0, kwarg: "location", file: false, kind: "scratch", holds: "cache" },
    "joblib.memory.Memory": { arg: 0, kwarg: "location", file: false, kind: "scratch", holds: "cache" },
    // fastlite's (and FastHTML's) database("data/todos.db"): an SQLite file, created when opened.
    "fastlite.database": { arg: 0, kwarg: "path", file: true, kind: "data", holds: "database" },
    "fastlite.core.database": { arg: 0, kwarg: "path", file: true, kind: "data", holds: "database" },
    "fasthtml.common.database": { arg: 0, kwarg: "path", file: true, kind: "data", holds: "database" },
    // Litestar's file store (server-side sessions, response caches): its folder, made at the first write.
    "litestar.stores.file.FileStore": { arg: 0, kwarg: "path", file: false, kind: "data", holds: "sessions" },
    // sqlitedict's SqliteDict("cache.sqlite"): an SQLite file, created when opened.
    "sqlitedict.SqliteDict": { arg: 0, kwarg: "filename", file: true, kind: "data", holds: "database" },
    // Huey's SQLite storage (SqliteHuey(name, filename=...)): the task queue's file.
    "huey.SqliteHuey": { arg: 1, kwarg: "filename", file: true, kind: "data", holds: "database" },
    "huey.api.SqliteHuey": { arg: 1, kwarg: "filename", file: true, kind: "data", holds: "database" },
    // A Whoosh index made in a folder (create_in(dirname, schema)).
    "whoosh.index.create_in": { arg: 0, kwarg: "dirname", file: false, kind: "data", holds: "files" },
    // persist-queue's queues: a folder of their own (SQLite files, or a file queue's chunks).
    "persistqueue.SQLiteAckQueue": { arg: 0, kwarg: "path", file: false, kind: "data", holds: "files" },
    "persistqueue.SQLiteQueue": { arg: 0, kwarg: "path", file: false, kind: "data", holds: "files" },
    "persistqueue.FIFOSQLiteQueue": { arg: 0, kwarg: "path", file: false, kind: "data", holds: "files" },
    "persistqueue.FILOSQLiteQueue": { arg: 0, kwarg: "path", file: false, kind: "data", holds: "files" },
    "persistqueue.UniqueAckQ": { arg: 0, kwarg: "path", file: false, kind: "data", holds: "files" },
    "persistqueue.Queue": { arg: 0, kwarg: "path", file: false, kind: "data", holds: "files" },
    // Chroma's on-disk vector store: a folder (its SQLite file and index segments), made when the client is.
    "chromadb.PersistentClient": { arg: 0, kwarg: "path", file: false, kind: "data", holds: "database", default: "./chroma" },
    // Jinja's compiled-template cache.
    "jinja2.FileSystemBytecodeCache": { arg: 0, kwarg: "directory", file: false, kind: "scratch", holds: "cache" },
    "jinja2.bccache.FileSystemBytecodeCache": { arg: 0, kwarg: "directory", file: false, kind: "scratch", holds: "cache" },
});

/** FastHTML's app makers (its framework row's constructors), which read or write the session key file unless given secret_key=. */
const FASTHTML_APPS: ReadonlySet<string> = new Set(Object.keys(FRAMEWORK_TABLE.find((r) => r.framework === "fasthtml")!.constructors));

/** tempfile's functions that make their files in the folder `dir=` names. */
const TEMPFILE_DIR = new Set(["tempfile.mkdtemp", "tempfile.mkstemp", "tempfile.NamedTemporaryFile", "tempfile.TemporaryDirectory", "tempfile.TemporaryFile", "tempfile.SpooledTemporaryFile"]);

function libraryPath(
    c: Extract<Expr, { kind: "call" }>,
    callee: string,
    ctx: PathContext,
): { path: string; file: boolean; kind: WritablePathKind; holds: Holds; how: string } | undefined {
    const lib = LIBRARY_PATHS[callee];
    const temp = TEMPFILE_DIR.has(callee) ? c.kwargs["dir"] : undefined;
    // A library's own default place where the call names none (chromadb.PersistentClient() keeps ./chroma).
    const given = lib ? placeArgument(c, callee) : undefined;
    const target = lib ? (given ?? (lib.default === undefined ? undefined : { kind: "str", value: lib.default })) : REQUESTS_CACHE.has(callee) ? (c.args[0] ?? c.kwargs["cache_name"]) : temp;
    const path = target === undefined ? undefined : pathValue(target, ctx);
    // An absolute place counts too (TinyDB("/var/app/db.json")), except the tmpfs folders, which are writable already.
    if (path === undefined || path === "" || path === ctx.cwd || path === "/" || ["/tmp", "/dev/shm"].some((t) => path === t || path.startsWith(`${t}/`))) {
        return undefined;
    }
    const name = callee.split(".").pop();
    if (REQUESTS_CACHE.has(callee)) {
        // requests-cache's SQLite backend (its default) adds .sqlite to the cache name; the filesystem backend makes a folder.
        const backend = str(c.kwargs["backend"]) ?? "sqlite";
        if (backend === "filesystem") {
            return { path, file: false, kind: "scratch", holds: "cache", how: `${name}(${path}, backend="filesystem") keeps its HTTP cache there` };
        }
        const file = path.endsWith(".sqlite") || path.endsWith(".db") ? path : `${path}.sqlite`;
        return backend === "sqlite" ? { path: file, file: true, kind: "scratch", holds: "cache", how: `${name}(${path}) keeps its HTTP cache in ${file}` } : undefined;
    }
    if (callee === "nltk.download") {
        const how = `nltk.download(download_dir=${path}) downloads NLTK data there when the module runs, again on every start; to keep it in the image, download it in the build (\`buildCommands\`) and drop the call`;
        return { path, file: lib!.file, kind: lib!.kind, holds: lib!.holds, how };
    }
    return lib
        ? { path, file: lib.file, kind: lib.kind, holds: lib.holds, how: `${name}(${path})` }
        : { path, file: false, kind: "scratch", holds: "files", how: `${name}(dir=${path}) makes temporary files there` };
}

/** Calls that write the file their `dst` names: os.replace(tmp, PATH), shutil.copy(src, PATH). */
const WRITES_DESTINATION = new Set(["os.replace", "os.rename", "shutil.move", "shutil.copy", "shutil.copy2", "shutil.copyfile"]);

/**
 * A call that writes a file whose whole path reads as a fixed place among
 * the app's files: open(PATH, "w"/"a"/...), os.replace/os.rename/shutil's
 * copies and moves to PATH, PATH.write_text()/write_bytes()/touch(), and
 * PATH.open("w"). Absolute places (/tmp, /var/...) are not the app's files.
 */
function fixedFileWritten(c: Extract<Expr, { kind: "call" }>, ctx: PathContext): { path: string; how: string } | undefined {
    const callee = calleeOf(c) ?? "";
    let target: Expr | undefined;
    let how = "";
    if ((callee === "open" || callee === "io.open") && writesMode(c.args[1] ?? c.kwargs["mode"])) {
        target = c.args[0] ?? c.kwargs["file"];
        how = `open(..., ${JSON.stringify(str(c.args[1] ?? c.kwargs["mode"]))}) writes`;
    } else if (WRITES_DESTINATION.has(callee)) {
        target = c.args[1] ?? c.kwargs["dst"];
        how = `${callee}() writes`;
    } else if (WRITE_FUNCTIONS[callee] !== undefined) {
        target = writeFunctionTarget(c)!.target;
        how = `${callee}() writes`;
    } else if (WRITE_METHODS.some((m) => receiverOf(c, m) !== undefined)) {
        target = c.args[0] ?? c.kwargs["path_or_buf"] ?? c.kwargs["path"] ?? c.kwargs["fname"];
        how = `.${WRITE_METHODS.find((m) => receiverOf(c, m) !== undefined)}() writes`;
    } else {
        for (const method of ["write_text", "write_bytes", "touch"]) {
            target ??= receiverOf(c, method);
            how = target !== undefined && how === "" ? `.${method}() writes` : how;
        }
        const opened = receiverOf(c, "open");
        if (target === undefined && opened !== undefined && writesMode(c.args[0] ?? c.kwargs["mode"])) {
            target = opened;
            how = `.open(${JSON.stringify(str(c.args[0] ?? c.kwargs["mode"]))}) writes`;
        }
    }
    const path = target === undefined ? undefined : pathValue(target, ctx);
    if (path === undefined || path === "" || path === ctx.cwd || path.startsWith("/")) {
        return undefined;
    }
    return { path, how: `${how} ${path}` };
}

/** Files a repository keeps in an otherwise empty folder so that git keeps the folder. */
const PLACEHOLDERS = new Set([".gitkeep", ".keep", ".gitignore", ".empty", "README", "README.md"]);

/**
 * A fixed file the app writes (a `.log` file is a log: scratch): its folder, made writable, when the folder
 * holds no code and ships no other file (data/guestbook.json: the folder
 * also takes the temporary file an atomic replace writes beside it); the
 * file alone, linked to a writable place, when its folder holds code or
 * other files the image ships, or is the app's folder.
 */
function fixedFile(src: SourceTree, path: string, why: string, add: AddPath, holds: Holds = "files", replaced = false): void {
    if (path.endsWith(".log")) {
        logPath(src, path, why, add); // a log the code appends to: scratch
        return;
    }
    const dir = dirOf(path);
    if (path.endsWith(".lock") || path.endsWith(".pid")) {
        // A lock or pid file belongs to the running container (fcntl.flock among its workers): scratch, never a volume that outlives it.
        const beside = dir === "" || src.list(dir).some((e) => e.isFile());
        add(beside ? { path, kind: "scratch", file: true, holds: "files", why } : { path: dir, kind: "scratch", file: false, holds: "files", why });
        return;
    }
    const name = path.slice(dir === "" ? 0 : dir.length + 1);
    // Code, or files the image ships (static/style.css beside a sitemap.xml written at start): a volume over the folder would
    // hide the next deploy's copies, so the file alone is linked.
    const holdsCode = dir === "" || src.list(dir).some((e) => e.isFile() && (e.name.endsWith(".py") || (e.name !== name && !PLACEHOLDERS.has(e.name))));
    if (src.list(path).length > 0) {
        add({ path, kind: kindOf(path), file: false, holds: holdsOf(path), why }); // a folder (shutil.copy into it)
    } else if (holdsCode) {
        add({ path, kind: "data", file: true, holds, why, ...(replaced ? { replaced } : {}) });
    } else {
        add({ path: dir, kind: kindOf(dir), file: false, holds: holdsOf(dir), why });
    }
}

/**
 * The object a method is called on: `Path("x").mkdir()` -> Path("x"); a
 * dotted name (`UPLOAD_DIR.mkdir()`, parsed as one reference) -> the
 * reference without the method (UPLOAD_DIR), which the PathContext can look up.
 */
function receiverOf(c: Extract<Expr, { kind: "call" }>, method: string): Expr | undefined {
    const callee = c.callee;
    if (callee.kind === "attr") {
        return callee.name === method ? callee.target : undefined;
    }
    const suffix = `.${method}`;
    if (callee.kind === "ref" && callee.path.endsWith(suffix) && callee.local.endsWith(suffix)) {
        return { kind: "ref", path: callee.path.slice(0, -suffix.length), local: callee.local.slice(0, -suffix.length) };
    }
    return undefined;
}

function isTrue(e: Expr | undefined): boolean {
    return e?.kind === "bool" && e.value;
}

function mentionsInstancePath(e: Expr | undefined): boolean {
    if (!e) {
        return false;
    }
    if (e.kind === "ref") {
        return e.path.endsWith(".instance_path");
    }
    if (e.kind === "attr") {
        return e.name === "instance_path";
    }
    if (e.kind === "call") {
        return e.args.some(mentionsInstancePath) || Object.values(e.kwargs).some(mentionsInstancePath);
    }
    if (e.kind === "div" || e.kind === "add") {
        return mentionsInstancePath(e.left) || mentionsInstancePath(e.right);
    }
    return false;
}

/**
 * Flask's instance folder for a module: `<folder above the top-level package>/instance`
 * when imported from the app's folder; `<venv>/var/<package>-instance` when
 * the package is installed into the venv (Flask's find_package).
 */
/** The module imports Flask-SQLAlchemy. */
function usesFlaskSqlalchemy(mod: PyModule): boolean {
    return [...mod.imported].some((m) => m === "flask_sqlalchemy" || m.startsWith("flask_sqlalchemy."));
}

function instanceFolder(module: string, root: ImportRoot, req: WritableRequest, file: string): string {
    const top = module.split(".")[0];
    if (req.installedRoots.has(root.dir)) {
        return `${DEFAULTS.venv}/var/${top}-instance`;
    }
    // Beside the top-level package or module, in the folder it is imported from: gunicorn's working folder (`--chdir web`:
    // web/quotes is imported as `quotes`, its instance folder is web/instance) when the file is under it, else the import root.
    const base = req.cwd !== "" && file.startsWith(`${req.cwd}/`) ? req.cwd : root.dir;
    return base === "" ? "instance" : `${base}/instance`;
}

export function kindOf(path: string): WritablePathKind {
    // Any folder on the way counts (cache/tpl is a cache's), and a name ending in "cache" is one (pagecache, thumb_cache); "geocaches" is not.
    return path.toLowerCase().split("/").some((part) => SCRATCH_NAMES.has(part) || part.endsWith("cache")) ? "scratch" : "data";
}

/** What a folder the code creates holds, by its name: logs, a cache, else the app's files. */
function holdsOf(path: string): Holds {
    const last = (path.split("/").pop() ?? "").toLowerCase();
    if (last === "upload" || last === "uploads" || last === "media") {
        return "uploads";
    }
    return last === "log" || last === "logs" ? "logs" : path.toLowerCase().split("/").some((part) => part.endsWith("cache")) ? "cache" : "files";
}
