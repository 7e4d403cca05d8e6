import { APP_METHODS, AppInterface, constructorOf, defaultInterface, Framework, frameworkOfModule, mostSpecific, SOCKETIO_INNER_ARGS, WRAPPERS } from "../data/frameworks";
import { absoluteModule, calleeOf, Expr, FunctionDef, parseModule, PyModule, starImported } from "./python-source";
import { SourceTree } from "./source";
import { IMPORT_PATH } from "../validate";

/**
 * Finds the WSGI/ASGI app in the code: modules are parsed (Lezer's Python
 * grammar) and read for an app object made by a framework's constructor, a
 * factory function that makes one, a module-level name assigned from such a
 * factory (`app = create_app()`, `app = get_application()`), or a Dash app's
 * Flask `server`. The framework, and so the interface, comes from the
 * constructor the code calls.
 */

/** A folder whose modules import by their path below it: the source root, src/, a workspace member. */
export interface ImportRoot {
    /** Relative to the source folder; "" for the root. */
    readonly dir: string;
    /** Why it is an import root, for messages ("src layout", "uv workspace member api"). */
    readonly why: string;
}

export interface CodeApp {
    /** gunicorn's APP_MODULE, relative to the import root. */
    readonly spec: string;
    readonly framework: Framework;
    readonly interface: AppInterface;
    /** The file, relative to the source folder. */
    readonly file: string;
    readonly root: ImportRoot;
    /** An app object (assigned at module level), or a factory gunicorn calls. */
    readonly kind: "object" | "factory";
    /** The middleware the object is (`application = ASGIMiddleware(app)`): it decides the interface. */
    readonly wrapper?: string;
    /** The framework's app inside that middleware, as a spec a framework's CLI loads ("wsgi:frontend"), when a name holds it. */
    readonly inner?: string;
    /** The folder the app runs from (`cd app && python main.py`), when its imports resolve only from there (see runsFromOwnFolder). */
    readonly runsIn?: string;
}

/** Folders never scanned for the app: tools, virtualenvs, tests, assets. */
const SKIP_DIRS = new Set([
    ".git", ".hg", ".svn", ".venv", "venv", "env", "node_modules", "__pycache__", "tests", "test", "testing",
    "docs", "doc", "migrations", "alembic", "static", "templates", "site-packages", "build", "dist", ".tox", ".nox",
    "scripts", "examples", "example", "fixtures", "locale", "media", "instance",
]);

/**
 * Whether a folder holds tests by its name: tests/, test/, testing/, and the names test suites are split into
 * (tests_e2e/, test_utils/, integration_tests/, e2e/). Their code runs under a test runner, not the server.
 */
export function isTestFolder(name: string): boolean {
    return name === "e2e" || ["tests", "test", "testing"].some((t) => name === t || name.startsWith(`${t}_`) || name.endsWith(`_${t}`));
}

const SKIP_FILES = new Set(["manage.py", "setup.py", "gunicorn.conf.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py"]);

/** Which file names are likeliest to hold the app, best first. */
const RANK = ["app", "main", "wsgi", "asgi", "application", "server", "api", "web", "__init__", "run"];

/** Names an app object usually has, best first. */
const NAME_RANK = ["app", "application", "server", "api"];

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Candidate {
    readonly file: string;
    readonly module: string;
    readonly depth: number;
    readonly rank: number;
    readonly root: ImportRoot;
}

/** Python modules under each import root, up to two packages deep, best candidates first. */
export function candidates(src: SourceTree, roots: readonly ImportRoot[]): Candidate[] {
    const out: Candidate[] = [];
    const seen = new Set<string>();
    const add = (root: ImportRoot, rel: string, depth: number): void => {
        const file = root.dir === "" ? rel : `${root.dir}/${rel}`;
        if (seen.has(file)) {
            return;
        }
        const parts = rel.slice(0, -3).split("/");
        if (parts[parts.length - 1] === "__init__") {
            parts.pop();
        }
        // gunicorn imports with importlib, which loads a top-level file named with
        // hyphens (youtube-dl-server.py); a package folder's name must be an identifier
        // for the Python code in it to import its siblings.
        const importable = parts.length === 1 ? IMPORT_PATH.test(parts[0]!) : parts.every((p) => IDENT.test(p));
        if (parts.length === 0 || !importable) {
            return; // not importable by gunicorn
        }
        seen.add(file);
        const base = rel.split("/").pop()!.slice(0, -3);
        const rank = RANK.indexOf(base);
        out.push({ file, module: parts.join("."), depth, rank: rank < 0 ? RANK.length : rank, root });
    };
    const walk = (root: ImportRoot, rel: string, depth: number): void => {
        const dir = root.dir === "" ? rel : rel === "" ? root.dir : `${root.dir}/${rel}`;
        for (const e of src.list(dir)) {
            const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
            if (e.isFile() && e.name.endsWith(".py") && !SKIP_FILES.has(e.name) && !e.name.startsWith("test_")) {
                add(root, childRel, depth);
            } else if (e.isDirectory() && depth < 2 && !SKIP_DIRS.has(e.name) && !isTestFolder(e.name) && !e.name.startsWith(".") && IDENT.test(e.name)) {
                if (rel === "" && roots.some((r) => r.dir !== root.dir && r.dir === (root.dir === "" ? e.name : `${root.dir}/${e.name}`))) {
                    continue; // another import root (src/, a workspace member) is scanned as its own
                }
                walk(root, childRel, depth + 1);
            }
        }
    };
    for (const root of roots) {
        walk(root, "", 0);
    }
    return out.sort((a, b) => a.depth - b.depth || a.rank - b.rank || (a.file < b.file ? -1 : 1));
}

/**
 * The Python files of the source folder, breadth first, down to `maxDepth` folders, skipping the folders and
 * files app detection never scans (tests, docs, migrations, environments, tools), at most `limit` of them.
 */
export function pythonFiles(src: SourceTree, maxDepth: number, limit: number): string[] {
    const out: string[] = [];
    let level = [""];
    for (let depth = 0; depth <= maxDepth && level.length > 0 && out.length < limit; depth++) {
        const next: string[] = [];
        for (const dir of level) {
            for (const e of src.list(dir)) {
                const rel = dir === "" ? e.name : `${dir}/${e.name}`;
                if (e.isFile() && e.name.endsWith(".py") && !SKIP_FILES.has(e.name) && !e.name.startsWith("test_")) {
                    out.push(rel);
                } else if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !isTestFolder(e.name) && !e.name.startsWith(".")) {
                    next.push(rel);
                }
            }
        }
        level = next;
    }
    return out.slice(0, limit);
}

interface Made {
    readonly framework: Exclude<Framework, "unknown">;
    readonly interface: AppInterface;
    /** The object needs an attribute served instead (Dash's `server`). */
    readonly serves?: string;
    /** The object is this middleware around the framework's app (WRAPPERS): its interface is the middleware's. */
    readonly wrapper?: string;
    /** The app the middleware wraps, by the name that holds it: "frontend" (in the same module) or "myapp:app" (imported). */
    readonly inner?: string;
}

/** The framework app an expression makes, if it calls a constructor or an app-making method. */
function madeBy(e: Expr | undefined, mod?: PyModule): Made | undefined {
    // `app, rt = fast_app()`: the first item of what a constructor that returns a tuple returns.
    if (e?.kind === "subscript" && e.index.kind === "num" && e.index.text === "0" && e.target.kind === "call") {
        const callee = qualified(e.target, mod);
        const c = callee === undefined ? undefined : constructorOf(callee);
        return c !== undefined && c.row.firstOfTuple?.includes(callee!) ? { framework: c.row.framework, interface: c.interface, serves: c.row.serves } : undefined;
    }
    if (e?.kind !== "call") {
        return undefined;
    }
    const callee = qualified(e, mod);
    if (callee) {
        // A framework app subclass of the module, made directly or by a class method (`MemoApp.from_environ()`, an alternative constructor).
        const owner = callee.includes(".") ? callee.slice(0, callee.lastIndexOf(".")) : undefined;
        const c = constructorOf(callee) ?? (mod ? (subclassedConstructor(mod, callee) ?? (owner !== undefined ? subclassedConstructor(mod, owner) : undefined)) : undefined);
        if (c?.row.firstOfTuple?.includes(callee)) {
            return undefined; // the tuple itself is not the app
        }
        if (c) {
            return { framework: c.row.framework, interface: c.interface, serves: c.row.serves };
        }
    }
    // A method of an object the code made (`config.make_wsgi_app()`), not a function imported by that name (prometheus_client's make_wsgi_app).
    const onObject = e.callee.kind === "ref" && e.callee.local.includes(".") && e.callee.path === e.callee.local;
    const method = onObject && e.callee.kind === "ref" ? e.callee.path.split(".").pop()! : e.callee.kind === "attr" ? e.callee.name : undefined;
    const m = method ? APP_METHODS[method] : undefined;
    return m ? { framework: m.framework, interface: m.interface } : undefined;
}

/**
 * A call's callee, qualified: a name the module star-imports from a
 * framework's module (FastHTML's `from fasthtml.common import *`, then
 * `fast_app()`) is that module's, when the module neither defines nor
 * imports the name itself.
 */
function qualified(call: Extract<Expr, { kind: "call" }>, mod?: PyModule): string | undefined {
    const callee = calleeOf(call);
    return callee === undefined || mod === undefined ? callee : (starImported(mod, callee, (q) => constructorOf(q) !== undefined) ?? callee);
}

/**
 * The framework constructor a class of the module inherits (`class
 * Portal(Flask)`, through up to three of the module's own classes): a
 * subclass makes the same kind of app.
 */
function subclassedConstructor(mod: PyModule, name: string, depth = 0): ReturnType<typeof constructorOf> {
    const cls = mod.classes.get(name);
    if (cls === undefined || depth > 3) {
        return undefined;
    }
    for (const base of cls.bases) {
        const c = constructorOf(base) ?? (base !== name ? subclassedConstructor(mod, base, depth + 1) : undefined);
        if (c) {
            return c;
        }
    }
    return undefined;
}

/** A function that makes an app: its body calls a constructor (directly, or through another local factory). */
function factoryMade(mod: PyModule, fn: FunctionDef, depth = 0): Made | undefined {
    for (const c of fn.calls) {
        const made = madeBy(c, mod);
        if (made) {
            return made;
        }
    }
    if (depth < 2) {
        for (const c of fn.calls) {
            const callee = calleeOf(c);
            const local = callee ? mod.functions.get(callee) : undefined;
            if (local && local !== fn) {
                const made = factoryMade(mod, local, depth + 1);
                if (made) {
                    return made;
                }
            }
        }
    }
    return undefined;
}

/** Objects a function may make an app to configure, but that are no app to serve: Celery's application. */
const NOT_APPS = new Set(["celery.Celery"]);

/** Every value the function returns is one of NOT_APPS (`celery = Celery(...)` then `return celery`). */
function returnsNoApp(fn: FunctionDef): boolean {
    const made = (r: Expr): Expr => (r.kind === "ref" && !r.local.includes(".") ? (fn.assigns.filter(([n]) => n === r.local).pop()?.[1] ?? r) : r);
    return fn.returns.length > 0 && fn.returns.every((r) => {
        const v = made(r);
        return v.kind === "call" && NOT_APPS.has(calleeOf(v) ?? "");
    });
}

function callableWithoutArgs(fn: FunctionDef): boolean {
    return fn.params.every((p) => p.hasDefault || p.variadic);
}

export interface ModuleReader {
    /** The parsed module at a file, cached. */
    parse(file: string): PyModule | undefined;
    /** The file of a dotted module under the import roots (and extra folders). */
    fileOf(module: string, from?: { file: string; root: ImportRoot }): { file: string; root: ImportRoot } | undefined;
}

/**
 * The value a module-level name holds, read where it is bound: `path` is a
 * name of the module `mod` at `at.file` (`config`), or a dotted one whose
 * module the reader finds from there (`settings.config` for `from settings
 * import config` bound through the imports). Undefined when the module or
 * the name is not found.
 */
export function valueAt(reader: ModuleReader, mod: PyModule, at: { file: string; root: ImportRoot }, path: string): { value: Expr; file: string; module?: string } | undefined {
    const cut = path.lastIndexOf(".");
    const where = cut > 0 ? reader.fileOf(path.slice(0, cut), at) : at;
    const home = where === undefined ? undefined : where.file === at.file ? mod : reader.parse(where.file);
    const value = home?.value(cut > 0 ? path.slice(cut + 1) : path);
    return value === undefined || where === undefined ? undefined : { value, file: where.file, module: cut > 0 ? path.slice(0, cut) : undefined };
}

/** Parsed modules by source tree and file: every reader of a tree (writable paths, build steps, front-ends...) shares them. */
const parsedModules = new WeakMap<SourceTree, Map<string, PyModule | undefined>>();

export function moduleReader(src: SourceTree, roots: readonly ImportRoot[]): ModuleReader {
    if (!parsedModules.has(src)) {
        parsedModules.set(src, new Map());
    }
    const cache = parsedModules.get(src)!;
    return {
        parse(file) {
            if (!cache.has(file)) {
                const text = src.readIfFile(file);
                cache.set(file, text === undefined ? undefined : parseModule(text));
            }
            return cache.get(file);
        },
        fileOf(module, from) {
            let mod = module;
            let searchRoots = roots;
            if (mod.startsWith(".") && from) {
                // Relative to the importing module's package.
                let dots = 0;
                while (mod[dots] === ".") {
                    dots++;
                }
                const rel = from.file.slice(from.root.dir === "" ? 0 : from.root.dir.length + 1);
                const pkg = rel.split("/").slice(0, -1);
                const up = pkg.slice(0, pkg.length - (dots - 1));
                mod = [...up, ...mod.slice(dots).split(".").filter((p) => p !== "")].join(".");
                searchRoots = [from.root];
            }
            for (const root of searchRoots) {
                const base = (root.dir === "" ? "" : `${root.dir}/`) + mod.split(".").join("/");
                // A package before a module of the same name, as Python's path finder takes them (calibre-web's cps/ beside its cps.py launcher).
                if (src.isFile(`${base}/__init__.py`)) {
                    return { file: `${base}/__init__.py`, root };
                }
                if (src.isFile(`${base}.py`)) {
                    return { file: `${base}.py`, root };
                }
            }
            return undefined;
        },
    };
}

/**
 * What a name in a module makes: an app object (constructor, Dash server,
 * a call to a factory defined here or imported from the app's own modules),
 * or a factory function.
 */
export function classify(reader: ModuleReader, file: string, root: ImportRoot, name: string, seen: Set<string> = new Set()): (Made & { kind: "object" | "factory" }) | undefined {
    const mod = reader.parse(file);
    if (!mod || seen.has(`${file}:${name}`)) {
        return undefined; // a name that wraps itself through others (a = W(b); b = W(a)) makes nothing readable
    }
    seen.add(`${file}:${name}`);
    const fn = mod.functions.get(name);
    if (fn) {
        if (returnsNoApp(fn)) {
            return undefined; // overholt's create_celery_app(): it makes the Flask app to configure the Celery app it returns
        }
        // A factory that hands the work to the app's own shared one (overholt's `web.create_app()` calling `factory.create_app(__name__)`).
        const delegated = (): Made | undefined =>
            fn.calls
                .map((c) => (c.callee.kind === "ref" && c.callee.path !== c.callee.local && c.callee.path.includes(".") ? importedMade(reader, file, root, c.callee.path, seen) : undefined))
                .find((m) => m?.kind === "factory");
        const made = factoryMade(mod, fn) ?? delegated();
        return made ? { ...made, kind: "factory" } : undefined;
    }
    const value = mod.value(name);
    if (!value) {
        // A name the module imports from the app's own code: a package's __init__.py re-exporting its
        // factory (`from .app import create_app`), which `from forum import create_app` then calls.
        const binding = mod.bindings.find((b) => b.local === name);
        return binding === undefined || !binding.target.includes(".") ? undefined : importedMade(reader, file, root, binding.target, seen);
    }
    const direct = madeBy(value, mod) ?? importedSubclassMade(reader, file, root, value);
    if (direct) {
        return { ...direct, kind: "object" };
    }
    const around = wrapped(reader, mod, file, root, name, value, seen);
    if (around) {
        return { ...around, kind: "object" };
    }
    // server = dashboard.server: the Flask server of a Dash app.
    if (value.kind === "ref" && value.local.includes(".")) {
        const [obj, attr] = [value.local.slice(0, value.local.lastIndexOf(".")), value.local.slice(value.local.lastIndexOf(".") + 1)];
        const made = madeBy(mod.value(obj), mod);
        if (made?.serves === attr) {
            return { framework: made.framework, interface: made.interface, kind: "object" };
        }
        return undefined;
    }
    if (value.kind === "call" && value.callee.kind === "ref") {
        const local = mod.functions.get(value.callee.local);
        if (local) {
            const made = factoryMade(mod, local);
            return made ? { ...made, kind: "object" } : undefined;
        }
        // A factory imported from the app's own code: `from notes import create_app`, `import notes; notes.create_app()`.
        const made = importedMade(reader, file, root, value.callee.path);
        if (made) {
            return { ...made, kind: "object" };
        }
    }
    return undefined;
}

/** An instance of a framework subclass imported from the app's own code (`from app.core.application import Application`; `Application(...)`). */
function importedSubclassMade(reader: ModuleReader, file: string, root: ImportRoot, value: Expr): Made | undefined {
    const callee = value.kind === "call" ? calleeOf(value) : undefined;
    // `Application(...)`, or a class method of it (`MemoApp.from_environ()`): the class's module is the callee less one or two names.
    for (const drop of [1, 2]) {
        const parts = callee?.split(".") ?? [];
        if (parts.length <= drop) {
            break;
        }
        const where = reader.fileOf(parts.slice(0, parts.length - drop).join("."), { file, root });
        const other = where === undefined ? undefined : reader.parse(where.file);
        const c = other === undefined ? undefined : subclassedConstructor(other, parts[parts.length - drop]);
        if (c !== undefined) {
            return { framework: c.row.framework, interface: c.interface, serves: c.row.serves };
        }
    }
    return undefined;
}

/** What a name imported from the app's own code makes (`notes.create_app`, `myapp.app`): classify() in the module that defines it. */
function importedMade(reader: ModuleReader, file: string, root: ImportRoot, path: string, seen?: Set<string>): ReturnType<typeof classify> {
    const cut = path.lastIndexOf(".");
    const where = cut > 0 ? reader.fileOf(path.slice(0, cut), { file, root }) : undefined;
    return where ? classify(reader, where.file, where.root, path.slice(cut + 1), seen) : undefined;
}

/**
 * An app object that is middleware around an app (`application =
 * ASGIMiddleware(app)`, `app = WhiteNoise(app)`): the middleware decides the
 * interface (WRAPPERS); the framework is the wrapped app's (the first
 * argument, or `app=`: a name, `name.wsgi_app`, or a call), else the one the
 * module imports.
 */
function wrapped(reader: ModuleReader, mod: PyModule, file: string, root: ImportRoot, name: string, value: Expr, seen: Set<string>, depth = 0): Made | undefined {
    const callee = calleeOf(value);
    const iface = callee === undefined ? undefined : WRAPPERS[callee];
    if (iface === undefined || value.kind !== "call" || depth > 3) {
        return undefined;
    }
    let innerName: string | undefined;
    const frameworkOf = (inner: Expr | undefined): Made["framework"] | undefined => {
        if (inner?.kind === "call") {
            const local = inner.callee.kind === "ref" ? mod.functions.get(inner.callee.local) : undefined;
            // A factory imported from the app's own code: ASGIMiddleware(create_app()) with `from notes import create_app`.
            const imported = !local && inner.callee.kind === "ref" && inner.callee.path !== inner.callee.local ? importedMade(reader, file, root, inner.callee.path, seen) : undefined;
            return (madeBy(inner, mod) ?? (local ? factoryMade(mod, local) : undefined) ?? imported ?? wrapped(reader, mod, file, root, name, inner, seen, depth + 1))?.framework;
        }
        if (inner?.kind === "ref") {
            const target = inner.local.split(".")[0];
            // `app = WhiteNoise(app)`: the wrapped app is what the name held before.
            const before = target === name ? valueBefore(mod, name, value) : undefined;
            // `application = WhiteNoise(app)` with `from myapp import app`: the app the other module makes.
            const importedPath = inner.path.split(".").slice(0, inner.path.split(".").length - (inner.local.split(".").length - 1)).join(".");
            const imported = target !== name && mod.value(target) === undefined && importedPath !== target ? importedMade(reader, file, root, importedPath, seen) : undefined;
            if (target === name) {
                // `app = create_app()` (a factory, local or imported) then `app = DispatcherMiddleware(app, {...})`.
                return before === undefined || before === value ? undefined : frameworkOf(before);
            }
            const made = imported ?? classify(reader, file, root, target, seen);
            if (made !== undefined && inner.local === target) {
                const cut = importedPath.lastIndexOf(".");
                innerName = imported ? `${importedPath.slice(0, cut)}:${importedPath.slice(cut + 1)}` : target;
            }
            return made?.framework;
        }
        return undefined;
    };
    const socketio = SOCKETIO_INNER_ARGS[callee!];
    let framework = socketio !== undefined ? frameworkOf(value.args[1] ?? value.kwargs[socketio]) : frameworkOf(value.args[0] ?? value.kwargs.app ?? value.kwargs.application);
    // werkzeug's DispatcherMiddleware(fallback, {"/prefix": app}): the apps it mounts are the app too.
    const mounts = callee!.endsWith("DispatcherMiddleware") ? (value.args[1] ?? value.kwargs.mounts) : undefined;
    for (const [, mounted] of mounts?.kind === "dict" ? mounts.entries : []) {
        framework ??= frameworkOf(mounted);
    }
    framework ??= importedFramework(mod)?.framework;
    return framework === undefined ? undefined : { framework, interface: iface, wrapper: callee, inner: innerName };
}

/** The value `name` was assigned before the assignment of `value` (`app = Flask(...)` before `app = WhiteNoise(app)`). */
function valueBefore(mod: PyModule, name: string, value: Expr): Expr | undefined {
    const at = mod.assigns.findIndex(([n, v]) => n === name && v === value);
    for (let i = at - 1; i >= 0; i--) {
        if (mod.assigns[i][0] === name) {
            return mod.assigns[i][1];
        }
    }
    return undefined;
}

/** The most specific framework the module imports. */
function importedFramework(mod: PyModule): Made | undefined {
    const row = mostSpecific([...mod.imported].map((m) => frameworkOfModule(m)));
    return row ? { framework: row.framework, interface: defaultInterface(row.framework, mod.imported), serves: row.serves } : undefined;
}

/** Scans the import roots for the app; `looked` lists the folders searched, for the refusal message. */
/** aiohttp's Application, by the names it is imported under. */
const AIOHTTP_APPLICATION = new Set(["aiohttp.web.Application", "aiohttp.web_app.Application"]);

/**
 * The aiohttp application a module makes, as gunicorn's aiohttp worker takes
 * it: a module-level name bound to web.Application() or to a call of a
 * function of the module that makes one (`app = make_app()`), else a factory
 * callable without arguments ("server:make_app()"). An aiohttp app is neither
 * WSGI nor ASGI: gunicorn serves it only with aiohttp's own worker.
 */
export function aiohttpApp(mod: PyModule, module: string): string | undefined {
    const makes = (fn: FunctionDef): boolean => fn.calls.some((c) => AIOHTTP_APPLICATION.has(calleeOf(c) ?? ""));
    for (const [name, value] of mod.assigns) {
        const callee = value.kind === "call" ? (calleeOf(value) ?? "") : "";
        const fn = mod.functions.get(callee);
        if (AIOHTTP_APPLICATION.has(callee) || (fn !== undefined && makes(fn))) {
            return `${module}:${name}`;
        }
    }
    // aiohttp's worker awaits a coroutine it is given: an `async def` factory is named without the call.
    const factory = [...mod.functions.values()].find((fn) => makes(fn) && callableWithoutArgs(fn));
    return factory === undefined ? undefined : `${module}:${factory.name}${factory.async ? "" : "()"}`;
}

export function scanForApp(
    src: SourceTree,
    roots: readonly ImportRoot[],
): { found?: CodeApp; looked: string[]; withArgs: NeedsArgs[]; tornado?: string; aiohttp?: { file: string; spec: string }; callable?: CodeApp } {
    const reader = moduleReader(src, roots);
    let callable: CodeApp | undefined;
    const appObjects: CodeApp[] = [];
    const scriptObjects: CodeApp[] = [];
    const factories: CodeApp[] = [];
    const withArgs: NeedsArgs[] = [];
    let tornado: string | undefined;
    let aiohttp: { file: string; spec: string } | undefined;
    const mounted = new Set<string>();
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        if (!mod) {
            continue;
        }
        if (tornado === undefined && mod.calls.some((call) => calleeOf(call) === "tornado.web.Application")) {
            tornado = c.file;
        }
        mountsIn(mod, c, mounted);
        const aio = aiohttp === undefined ? aiohttpApp(mod, c.module) : undefined;
        aiohttp ??= aio === undefined ? undefined : { file: c.file, spec: aio };
        const names = [...new Set(mod.assigns.map(([n]) => n))].sort((a, b) => rankName(a) - rankName(b));
        const made = names.map((name) => ({ name, made: classify(reader, c.file, c.root, name) })).filter((m) => m.made?.kind === "object" && !m.made.serves);
        // A script's objects count only when no other module makes an app: one whose top level ends the process, or runs
        // a server of its own (nyaa's run.py beside WSGI.py, the module its uWSGI config serves).
        const script = exitsAtTopLevel(mod, () => src.read(c.file).startsWith("#!")) || devServerCall(mod, made.map((m) => m.name)) !== undefined;
        const objects = script ? scriptObjects : appObjects;
        // Middleware the module wraps around its best-named app (`application = WhiteNoise(app)`,
        // DispatcherMiddleware(..., {"/prefix": app})) is what it deploys: served instead, when it keeps the interface.
        const best = made[0];
        const chosen = made.find((m) => best && m.made!.wrapper !== undefined && m.made!.inner === best.name && m.made!.interface === best.made!.interface) ?? best;
        // A factory that configures the module's own app object and returns it (Calibre-Web's create_app():
        // `app = Flask(__name__)` at import, blueprints and the secret key added by the factory): the factory is what serves.
        const configurer =
            chosen === undefined || chosen.made!.wrapper !== undefined
                ? undefined
                : [...mod.functions.values()].find((fn) => callableWithoutArgs(fn) && fn.returns.some((r) => r.kind === "ref" && r.local === chosen.name) && !fn.assigns.some(([n]) => n === chosen.name));
        if (chosen && configurer) {
            objects.push({ spec: `${c.module}:${configurer.name}()`, framework: chosen.made!.framework, interface: chosen.made!.interface, file: c.file, root: c.root, kind: "factory" });
        } else if (chosen) {
            const inner = chosen.made!.inner;
            objects.push({
                spec: `${c.module}:${chosen.name}`,
                framework: chosen.made!.framework,
                interface: chosen.made!.interface,
                file: c.file,
                root: c.root,
                kind: "object",
                wrapper: chosen.made!.wrapper,
                inner: inner === undefined ? undefined : inner.includes(":") ? inner : `${c.module}:${inner}`,
            });
        }
        callable ??= plainCallable(mod, c);
        for (const fn of mod.functions.values()) {
            if (returnsNoApp(fn)) {
                continue;
            }
            if (!callableWithoutArgs(fn)) {
                const needs = factoryMade(mod, fn);
                if (needs && !needs.serves) {
                    withArgs.push({ module: c.module, name: fn.name, params: fn.params.filter((p) => !p.hasDefault && !p.variadic).map((p) => p.name), framework: needs.framework, file: c.file });
                }
                continue;
            }
            const made = factoryMade(mod, fn);
            if (made && !made.serves) {
                factories.push({ spec: `${c.module}:${fn.name}()`, framework: made.framework, interface: made.interface, file: c.file, root: c.root, kind: "factory" });
                break;
            }
        }
        // A Dash app with no name bound to its server: Dash 4 apps are WSGI callables themselves.
        if (!objects.some((o) => o.file === c.file)) {
            for (const name of names) {
                const made = madeBy(mod.value(name), mod);
                if (made?.serves) {
                    objects.push({ spec: `${c.module}:${name}`, framework: made.framework, interface: made.interface, file: c.file, root: c.root, kind: "object" });
                    break;
                }
            }
        }
    }
    // An app another module mounts under a path (`app.mount("/v1", api)`, Starlette's Mount,
    // DispatcherMiddleware) is a part of the app that mounts it, not the one to serve.
    const objects = appObjects.length > 0 || factories.length > 0 ? appObjects : scriptObjects;
    const unmounted = objects.filter((o) => !mounted.has(o.spec.replace(":", ".")));
    const pool = unmounted.length > 0 || factories.length > 0 ? unmounted : objects;
    // An object (made at import, however configured) wins over a bare factory: an entry module that
    // calls the factory with its own settings is what the authors deploy.
    const first = pool[0] ?? factories[0];
    const chosen = first?.framework === "dash" ? (dashLayoutModule(reader, src, roots, first) ?? first) : first;
    const found = chosen === undefined ? undefined : runsFromOwnFolder(src, reader, chosen);
    return { found, looked: roots.map((r) => (r.dir === "" ? "the source folder" : `${r.dir}/`)), withArgs, tornado, aiohttp, callable };
}

/** Calls that end the process. */
const EXITS = new Set(["sys.exit", "exit", "quit", "os._exit"]);

/** Functions that run a server until it stops: called at import, they never return to the server that imports the module. */
const BLOCKING_SERVERS = new Set(["uvicorn.run", "waitress.serve", "werkzeug.serving.run_simple", "aiohttp.web.run_app", "bjoern.run"]);

/**
 * A call at the module's top level, under no condition, that runs a server
 * and never returns (nyaa's run.py: `app = create_app('config')` then
 * `app.run(host='0.0.0.0', port=5500, debug=True)` with no
 * `if __name__ == "__main__":`): `<app>.run(...)` or `.run_server(...)` (Dash)
 * on one of `apps`, the module's app objects, or a server's own run function.
 * Imported by gunicorn's worker, the module would start that server instead.
 */
export function devServerCall(mod: PyModule, apps: readonly string[]): Extract<Expr, { kind: "call" }> | undefined {
    for (const step of mod.order) {
        if (step.kind !== "expr" || step.guards.length > 0 || step.value.kind !== "call") {
            continue;
        }
        const callee = calleeOf(step.value) ?? "";
        const cut = callee.lastIndexOf(".");
        if (BLOCKING_SERVERS.has(callee) || (["run", "run_server"].includes(callee.slice(cut + 1)) && apps.includes(callee.slice(0, cut)))) {
            return step.value;
        }
    }
    return undefined;
}

/**
 * A script, not a module a server imports: its top level ends the process
 * (`sys.exit(...)` outside `if __name__ == "__main__":`) always, or, in a file
 * that starts with a `#!` line, under a condition. PowerDNS-Admin's
 * update_accounts.py, run from cron: `#!/usr/bin/env python3`,
 * `app = create_app()`, then `with app.app_context(): if not ...: sys.exit(1)`.
 * The app it makes is not the one to serve.
 */
function exitsAtTopLevel(mod: PyModule, isScript: () => boolean): boolean {
    const exits = mod.order.filter((step) => step.kind === "expr" && step.value.kind === "call" && EXITS.has(calleeOf(step.value) ?? ""));
    // Read the file's first line only for a module that exits somewhere: most do not.
    return exits.some((step) => step.guards.length === 0) || (exits.length > 0 && isScript());
}

/**
 * A module-level function that is itself the app, with no framework: PEP 3333's
 * `def application(environ, start_response)` (the name mod_wsgi and gunicorn's
 * bare-module form look for) or an ASGI 3 `async def app(scope, receive, send)`.
 * Only its signature says so, so it is taken only when no framework's app is found.
 */
function plainCallable(mod: PyModule, c: Candidate): CodeApp | undefined {
    for (const name of ["application", "app"]) {
        const fn = mod.functions.get(name);
        const required = fn?.params.filter((p) => !p.hasDefault && !p.variadic).length;
        if (fn === undefined || fn.params.length !== required || fn.decorators.length > 0) {
            continue;
        }
        const shape = !fn.async && required === 2 ? "wsgi" : fn.async && required === 3 ? "asgi" : undefined;
        if (shape !== undefined) {
            return { spec: `${c.module}:${name}`, framework: "unknown", interface: shape, file: c.file, root: c.root, kind: "object" };
        }
    }
    return undefined;
}

/**
 * An app module in a folder below its import root that imports its
 * neighbours as top-level modules (app/main.py with `from routers import
 * books` and `from core.config import settings`, app/routers/ and app/core/
 * beside it): those imports resolve only when the module runs from its own
 * folder, as `cd app && python main.py` runs it, so it is served from there
 * (`main:app`, that folder gunicorn's working folder). A module of a package
 * in such a folder (backend/api/__init__.py or backend/api/main.py, backend/
 * no package) is read the same way from the folder above the package, served
 * by its dotted name there (`api:create_app()`, `api.main:app` in backend/). Kept as found when any of its imports of
 * the app's own modules resolves from the import root instead
 * (`from app.core import settings`).
 */
function runsFromOwnFolder(src: SourceTree, reader: ModuleReader, app: CodeApp): CodeApp {
    const cut = app.file.lastIndexOf("/");
    const dir = cut < 0 ? "" : app.file.slice(0, cut);
    const base = app.file.slice(cut + 1, -3);
    // Where it may run from, as a module of that folder: its own folder (app/main.py as `main`), then the folder above
    // the package it is in (backend/api/__init__.py or backend/api/main.py, backend/ no package, as `api`, `api.main`).
    const places: Array<{ folder: string; name: string }> = base === "__init__" ? [] : [{ folder: dir, name: base }];
    const parts = base === "__init__" ? [] : [base];
    let above = dir;
    while (above !== "" && src.isFile(`${above}/__init__.py`)) {
        const up = above.lastIndexOf("/");
        parts.unshift(above.slice(up + 1));
        above = up < 0 ? "" : above.slice(0, up);
    }
    if (above !== dir) {
        places.push({ folder: above, name: parts.join(".") });
    }
    const mod = reader.parse(app.file);
    const under = (folder: string, top: string) => {
        const path = folder === "" ? top : `${folder}/${top}`;
        return src.isFile(`${path}.py`) || (src.exists(path) && !src.isFile(path));
    };
    const tops = [...new Set([...(mod?.imported ?? [])].filter((m) => !m.startsWith(".")).map((m) => m.split(".")[0]))].sort();
    for (const { folder, name } of places) {
        if (folder === app.root.dir || !name.split(".").every((p) => IDENT.test(p))) {
            continue;
        }
        const own = tops.filter((t) => under(folder, t) && !under(app.root.dir, t));
        const fromRoot = tops.filter((t) => under(app.root.dir, t) && !under(folder, t));
        if (own.length === 0 || fromRoot.length > 0) {
            continue;
        }
        const module = app.spec.slice(0, app.spec.indexOf(":"));
        const respec = (spec: string) => (spec.startsWith(`${module}:`) ? `${name}${spec.slice(module.length)}` : spec);
        return {
            ...app,
            spec: respec(app.spec),
            inner: app.inner === undefined ? undefined : respec(app.inner),
            root: { dir: folder, why: `${app.file} imports ${own.join(" and ")} from its own folder as top-level modules, as when run from ${folder}/` },
            runsIn: folder,
        };
    }
    return app;
}

/** Calls that mount an app under a path prefix or host of another: what their arguments name is a sub-app. */
function mountsApps(callee: string): boolean {
    const last = callee.split(".").pop()!;
    return last === "mount" || last === "Mount" || last === "Host" || last === "DispatcherMiddleware";
}

/**
 * Adds the apps (as dotted module.name paths) that a scanned module mounts
 * inside another, at import or in a factory: the values passed to
 * `app.mount(...)`, Starlette's `Mount(...)`/`Host(...)`, and
 * werkzeug's `DispatcherMiddleware(app, {"/prefix": sub})`.
 */
function mountsIn(mod: PyModule, c: Candidate, out: Set<string>): void {
    const pkg = c.file.endsWith("__init__.py") ? c.module : c.module.split(".").slice(0, -1).join(".");
    const name = (e: Expr): void => {
        if (e.kind === "ref") {
            const p = e.path.startsWith(".") ? absoluteModule(e.path, pkg) : e.path.includes(".") ? e.path : `${c.module}.${e.path}`;
            out.add(p);
        } else if (e.kind === "dict") {
            e.entries.forEach(([, v]) => name(v));
        } else if (e.kind === "call" && WRAPPERS[calleeOf(e) ?? ""] !== undefined) {
            e.args.slice(0, 1).forEach(name); // app.mount("/admin", WSGIMiddleware(admin_app)): the adapter's app is mounted
        }
    };
    for (const call of [...mod.calls, ...[...mod.functions.values()].flatMap((f) => f.calls)]) {
        const callee = calleeOf(call);
        if (callee !== undefined && mountsApps(callee)) {
            // DispatcherMiddleware(app, {"/metrics": other}): its first argument is the default app, served at the root.
            (callee.endsWith("DispatcherMiddleware") ? call.args.slice(1) : call.args).forEach(name);
            Object.entries(call.kwargs).filter(([k]) => k !== "app" || !callee.endsWith("DispatcherMiddleware")).forEach(([, v]) => name(v));
        }
    }
}

/** A factory that makes an app but takes arguments gunicorn cannot give by itself (`create_app(config_name)`). */
export interface NeedsArgs {
    readonly module: string;
    readonly name: string;
    /** Its parameters without a default. */
    readonly params: readonly string[];
    readonly framework: Framework;
    readonly file: string;
}

/**
 * A Dash app whose layout is set in another module, as Dash's multi-page
 * guide lays it out: app.py makes the app (`server = app.server`), index.py
 * imports it, sets `app.layout` and registers the callbacks. Serving app.py
 * alone leaves the app without a layout and every page fails, so the one
 * module that imports the app from where it is made and sets its layout is
 * served instead (by the name it binds the server to, else the app's).
 */
function dashLayoutModule(reader: ModuleReader, src: SourceTree, roots: readonly ImportRoot[], made: CodeApp): CodeApp | undefined {
    const home = reader.parse(made.file);
    const served = made.spec.slice(made.spec.indexOf(":") + 1);
    if (!home || served.endsWith(")")) {
        return undefined;
    }
    const v = home.value(served);
    const dashName = v?.kind === "ref" && v.local.endsWith(".server") ? v.local.slice(0, -".server".length) : served;
    const setsLayout = (mod: PyModule, local: string) => mod.itemAssigns.some(([t]) => t.kind === "ref" && t.local === `${local}.layout`);
    if (setsLayout(home, dashName)) {
        return undefined;
    }
    const entries: CodeApp[] = [];
    for (const c of candidates(src, roots)) {
        const mod = c.file === made.file ? undefined : reader.parse(c.file);
        if (!mod) {
            continue;
        }
        // The local name a binding gives to `name` of the module that made the app, if it imports it.
        const localOf = (name: string) =>
            mod.bindings.find((b) => {
                const cut = b.target.lastIndexOf(".");
                return cut > 0 && b.target.slice(cut + 1) === name && reader.fileOf(b.target.slice(0, cut), { file: c.file, root: c.root })?.file === made.file;
            })?.local;
        const app = localOf(dashName);
        if (app === undefined || !setsLayout(mod, app)) {
            continue;
        }
        const own = mod.value("server");
        const server = localOf("server") ?? (own?.kind === "ref" && own.local === `${app}.server` ? "server" : undefined);
        entries.push({ ...made, spec: `${c.module}:${server ?? app}`, file: c.file, root: c.root });
    }
    return entries.length === 1 ? entries[0] : undefined;
}

function rankName(n: string): number {
    const i = NAME_RANK.indexOf(n);
    return i < 0 ? NAME_RANK.length : i;
}

/**
 * The framework and interface of the object a spec names (from `app` or a
 * Procfile): the constructor or middleware behind the attribute or factory,
 * else the framework the module imports. `constructed` is true when the code
 * shows the call that makes it (`app = FastAPI()`, `app = ASGIMiddleware(api)`),
 * false when only the module's framework import says so (the object may be
 * middleware detection does not know). Undefined when the module is not in
 * the source folder.
 */
export function frameworkOfSpec(src: SourceTree, roots: readonly ImportRoot[], spec: string): (Made & { file: string; constructed: boolean }) | undefined {
    const reader = moduleReader(src, roots);
    const [module, attrPart] = spec.split(":");
    const where = reader.fileOf(module);
    if (!where) {
        return undefined;
    }
    const attr = attrPart.split("(")[0];
    const made = classify(reader, where.file, where.root, attr);
    if (made) {
        const inner = made.inner === undefined ? undefined : made.inner.includes(":") ? made.inner : `${module}:${made.inner}`;
        return { framework: made.framework, interface: made.interface, wrapper: made.wrapper, inner, file: where.file, constructed: true };
    }
    const mod = reader.parse(where.file);
    const imported = mod ? importedFramework(mod) : undefined;
    return imported ? { framework: imported.framework, interface: imported.interface, file: where.file, constructed: false } : undefined;
}

/** A spec's module is importable from one of the roots. */
export function moduleExists(src: SourceTree, roots: readonly ImportRoot[], spec: string): boolean {
    return moduleReader(src, roots).fileOf(spec.split(":")[0]) !== undefined;
}
