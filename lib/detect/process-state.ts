import { GRADIO_MOUNTS } from "../data/frameworks";
import { candidates, ImportRoot, moduleReader } from "./app-code";
import { DjangoProject } from "./django";
import { walk } from "./python-eval";
import { calleeOf, dictGet, Expr, PyModule, str } from "./python-source";
import { SourceTree } from "./source";
import { byName } from "../data/by-name";

/**
 * State a library keeps in the memory of one process where the app means it
 * to be shared: a rate limiter's counters (Flask-Limiter's and slowapi's
 * in-memory storage), Flask-Caching's SimpleCache used as a store. Under
 * several gunicorn workers each keeps its own, so a limit of 5 a minute lets
 * 5 through per worker.
 */
export interface ProcessState {
    /** The file that sets it up, relative to the source folder. */
    readonly file: string;
    /** What keeps the state, as a note names it. */
    readonly what: string;
    /** What several workers do to it. */
    readonly effect: string;
    /** The shared backend to use instead. */
    readonly fix: string;
}

const LIMITERS: Readonly<Record<string, string>> = byName({
    "flask_limiter.Limiter": "Flask-Limiter",
    "flask_limiter.extension.Limiter": "Flask-Limiter",
    "slowapi.Limiter": "slowapi",
    "slowapi.extension.Limiter": "slowapi",
});

/** Flask-Caching's per-process backends, by the names CACHE_TYPE takes. */
const SIMPLE_CACHE = new Set(["SimpleCache", "simple", "flask_caching.backends.SimpleCache", "flask_caching.backends.simplecache.SimpleCache"]);

export function perProcessState(src: SourceTree, roots: readonly ImportRoot[], django?: DjangoProject): ProcessState[] {
    const reader = moduleReader(src, roots);
    const out: ProcessState[] = [];
    const sessions = django === undefined ? undefined : djangoCacheSessions(django);
    if (sessions !== undefined) {
        out.push(sessions);
    }
    const modules = candidates(src, roots).flatMap((c) => {
        const mod = reader.parse(c.file);
        return mod ? [{ file: c.file, mod }] : [];
    });
    // RATELIMIT_STORAGE_URI set anywhere (app.config, a config class, a keyword): Flask-Limiter's storage comes from the config.
    let configuredStorage = false;
    for (const { mod } of modules) {
        for (const e of [...mod.assignedAnywhere, ...mod.calls]) {
            walk(e, (x) => {
                configuredStorage ||= x.kind === "call" && Object.keys(x.kwargs).includes("RATELIMIT_STORAGE_URI");
            });
        }
        configuredStorage ||= mod.assigns.some(([n]) => n === "RATELIMIT_STORAGE_URI") || [...mod.classes.values()].some((c) => c.fields.has("RATELIMIT_STORAGE_URI"));
        configuredStorage ||= mod.itemAssignsAnywhere.some(([t]) => t.kind === "subscript" && str(t.index) === "RATELIMIT_STORAGE_URI");
    }
    for (const { file, mod } of modules) {
        for (const call of mod.calls) {
            const lib = LIMITERS[calleeOf(call) ?? ""];
            if (lib === undefined) {
                continue;
            }
            const storage = call.kwargs["storage_uri"];
            const uri = str(storage);
            const inMemory = storage === undefined ? !(lib === "Flask-Limiter" && configuredStorage) : uri !== undefined && uri.startsWith("memory://");
            if (inMemory) {
                out.push({
                    file,
                    what: `${lib}'s Limiter keeps its counters in memory (${uri ?? "no storage_uri"})`,
                    effect: "counts on its own (a limit of 5 a minute lets 5 through per worker)",
                    fix: "give it a shared storage_uri (redis://..., memcached://...)",
                });
            }
        }
        const simple = cacheTypes(mod).find((t) => SIMPLE_CACHE.has(t));
        if (simple !== undefined && !out.some((o) => o.file === file && o.what.startsWith("Flask-Caching"))) {
            out.push({
                file,
                what: `Flask-Caching's ${simple} keeps its entries in each process's memory`,
                effect: "keeps its own copy (harmless for cached pages; a counter, lock-out or flag kept there holds per worker only)",
                fix: "use RedisCache (CACHE_REDIS_URL) for what must be shared",
            });
        }
    }
    return out;
}

/** Django's cache backend that keeps entries in each process's memory: the default when CACHES is not set. */
const LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache";

/**
 * Django sessions kept in the cache alone (SESSION_ENGINE "...sessions.backends.cache") whose cache is LocMemCache,
 * set or Django's default: each worker knows only the sessions it made, so a login drops whenever a request reaches
 * another worker. `cached_db` writes through to the database and is not this.
 */
function djangoCacheSessions(django: DjangoProject): ProcessState | undefined {
    const s = django.settings;
    const file = s.sourceOf("SESSION_ENGINE");
    if (s.text("SESSION_ENGINE") !== "django.contrib.sessions.backends.cache" || file === undefined) {
        return undefined;
    }
    const aliasExpr = s.bound("SESSION_CACHE_ALIAS");
    const alias = aliasExpr === undefined ? "default" : str(aliasExpr);
    const caches = s.get("CACHES");
    const backend = caches === undefined ? LOCMEM_CACHE : alias === undefined ? undefined : str(dictGet(dictGet(caches, alias), "BACKEND"));
    if (backend !== LOCMEM_CACHE) {
        return undefined;
    }
    return {
        file,
        what: `SESSION_ENGINE keeps sessions in the cache alone, and that cache is ${caches === undefined ? "Django's default, " : ""}LocMemCache, in each process's memory`,
        effect: "knows only the sessions it made (a login drops whenever a request reaches another worker)",
        fix: 'use SESSION_ENGINE "django.contrib.sessions.backends.cached_db" (or the default, "db"), or a shared cache (Redis, Memcached)',
    };
}

/** CACHE_TYPE values a module sets: `app.config["CACHE_TYPE"] = ...`, `CACHE_TYPE = ...` (a config module or class), `Cache(config={...})`, `config.update(CACHE_TYPE=...)`. */
function cacheTypes(mod: ReturnType<ReturnType<typeof moduleReader>["parse"]> & object): string[] {
    const values: Array<Expr | undefined> = [
        ...mod.itemAssignsAnywhere.filter(([t]) => t.kind === "subscript" && str(t.index) === "CACHE_TYPE").map(([, v]) => v),
        ...mod.assigns.filter(([n]) => n === "CACHE_TYPE").map(([, v]) => v),
        ...[...mod.classes.values()].map((c) => c.fields.get("CACHE_TYPE")),
        ...mod.calls.map((c) => c.kwargs["CACHE_TYPE"]),
    ];
    for (const call of mod.calls) {
        const config = call.kwargs["config"];
        if (config?.kind === "dict") {
            values.push(...config.entries.filter(([k]) => str(k) === "CACHE_TYPE").map(([, v]) => v));
        }
    }
    return values.flatMap((v) => {
        const s = str(v);
        return s === undefined ? [] : [s];
    });
}

/** Methods that change a list, dict, set or deque in place. */
const MUTATORS = new Set(["append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault", "add", "discard", "appendleft", "popleft"]);
/** Calls that make an empty container. */
const CONTAINERS = new Set(["dict", "list", "set", "collections.defaultdict", "collections.OrderedDict", "collections.deque"]);
/** The last part of a route decorator's callee: `@app.post(...)`, `@router.get(...)`, `@bp.route(...)`, `@app.websocket(...)`. */
const ROUTE_DECORATORS = new Set(["get", "post", "put", "patch", "delete", "route", "api_route", "websocket", "websocket_route"]);

/**
 * Data the app keeps between requests in its own process: a module-level
 * list or dict its request handlers change (a tutorial's in-memory todo
 * store, a `jobs = {}` a client polls), or a module-level object whose
 * `broadcast()` a WebSocket handler calls (the FastAPI docs' ConnectionManager).
 * Under several workers each has its own: a request misses what another
 * changed, a broadcast reaches part of the clients. The app's own
 * `uvicorn main:app` ran one process.
 */
export function inProcessStore(src: SourceTree, roots: readonly ImportRoot[]): { readonly file: string; readonly name: string; readonly how: string } | undefined {
    const reader = moduleReader(src, roots);
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        if (!mod) {
            continue;
        }
        // A Gradio app mounted into the served app: its queue and sessions are the process's (a client's /queue/join and /queue/data must meet in one worker).
        const gradio = mod.calls.find((call) => GRADIO_MOUNTS.includes(calleeOf(call) ?? ""));
        if (gradio !== undefined) {
            const blocks = gradio.args[1] ?? gradio.kwargs["blocks"];
            return { file: c.file, name: blocks?.kind === "ref" ? blocks.local : "the Gradio app", how: "a Gradio app mounted with mount_gradio_app() (its event queue and sessions)" };
        }
        // NiceGUI mounted with ui.run_with(app): its pages talk to their client over python-socketio, whose sessions are the process's (NiceGUI supports one worker).
        if (mod.calls.some((call) => calleeOf(call) === "nicegui.ui.run_with")) {
            return { file: c.file, name: "ui", how: "NiceGUI's pages mounted with ui.run_with() (their Socket.IO connections and client state)" };
        }
        const routes = mod.decorators.filter((d) => ROUTE_DECORATORS.has(d.callee.split(".").pop()!) && d.callee.includes("."));
        if (routes.length === 0) {
            continue;
        }
        const stores = new Set(
            mod.assigns
                .filter(([, v]) => v.kind === "dict" || v.kind === "list" || (v.kind === "call" && CONTAINERS.has(calleeOf(v) ?? "")))
                .map(([n]) => n),
        );
        const handlers = routes.flatMap((d) => (d.target === undefined ? [] : [mod.functions.get(d.target)].filter((f) => f !== undefined)));
        // A handler calls store.append(...), store.pop(...), ...
        for (const fn of handlers) {
            for (const call of fn!.calls) {
                const [name, method, ...rest] = call.callee.kind === "ref" ? call.callee.local.split(".") : [];
                if (name !== undefined && rest.length === 0 && stores.has(name) && MUTATORS.has(method)) {
                    return { file: c.file, name, how: `a ${mod.value(name)?.kind === "dict" ? "dict" : "container"} its request handlers change (${name}.${method}())` };
                }
                // manager.broadcast(...) from a WebSocket handler: the connections it sends to are this process's.
                if (name !== undefined && method === "broadcast" && rest.length === 0 && mod.assigns.some(([n, v]) => n === name && v.kind === "call")) {
                    return { file: c.file, name, how: "an object holding the WebSocket connections a handler broadcasts to" };
                }
            }
        }
        // A folder tempfile.mkdtemp() draws at import that the handlers write and serve from: each worker draws its own.
        const tempDirs = new Set(mod.assigns.filter(([, v]) => v.kind === "call" && calleeOf(v) === "tempfile.mkdtemp").map(([n]) => n));
        // Only when two handlers use it (one writes what a later request reads): a handler that makes, sends and deletes its own files there is fine.
        for (const dir of tempDirs) {
            const users = handlers.filter((fn) => {
                let used = false;
                for (const e of [...fn!.calls, ...fn!.assigns.map(([, v]) => v), ...fn!.returns]) {
                    walk(e, (x) => {
                        used ||= x.kind === "ref" && x.local === dir;
                    });
                }
                return used;
            });
            if (new Set(users).size >= 2) {
                return { file: c.file, name: dir, how: "a folder tempfile.mkdtemp() makes at import, which two of its request handlers use (each worker makes its own)" };
            }
        }
        // store[key] = value in a request handler (not a lifespan or startup hook, whose per-worker state is meant).
        for (const fn of handlers) {
            for (const [target] of fn!.itemAssigns) {
                let root: Expr = target;
                while (root.kind === "subscript") {
                    root = root.target;
                }
                if (target.kind === "subscript" && root.kind === "ref" && stores.has(root.local)) {
                    return { file: c.file, name: root.local, how: `a ${mod.value(root.local)?.kind === "dict" ? "dict" : "container"} its request handlers change (${root.local}[...] = ...)` };
                }
            }
        }
    }
    return undefined;
}

/**
 * Where the app parses its own command line when it is made: a module the served module imports (at any depth, itself
 * included) that calls argparse's `parse_args()` with no arguments, at its top level or in a function the app's code
 * runs (calibre-web's create_app() calls cps/cli.py's CliParameter.init(), which does): called at the top level of
 * those modules, or by the factory (`factory`, the served spec's function), or by such a function in turn. Not what runs
 * only as a script (an `if __name__ == "__main__":` block and the functions it calls, a `main()`). Under gunicorn
 * sys.argv holds gunicorn's own arguments, which the app's parser refuses (`error: unrecognized arguments: --config ...`).
 * The file, relative to the source folder; undefined when none does.
 */
export function commandLineParser(src: SourceTree, roots: readonly ImportRoot[], entryModule: string, factory?: string): string | undefined {
    const reader = moduleReader(src, roots);
    const start = reader.fileOf(entryModule);
    const queue = start === undefined ? [] : [start];
    const closure: Array<{ file: string; mod: PyModule }> = [];
    while (queue.length > 0 && closure.length < 200) {
        const at = queue.shift()!;
        const mod = closure.some((m) => m.file === at.file) ? undefined : reader.parse(at.file);
        if (mod === undefined) {
            continue;
        }
        closure.push({ file: at.file, mod });
        for (const name of mod.imported) {
            const where = reader.fileOf(name, at);
            if (where !== undefined && !closure.some((m) => m.file === where.file)) {
                queue.push(where);
            }
        }
    }
    type Call = Extract<Expr, { kind: "call" }>;
    const fns: Array<{ name: string; calls: readonly Call[]; file: string }> = [];
    const top: Call[] = [];
    for (const { file, mod } of closure) {
        const own = [...mod.functions.values(), ...[...mod.classes.values()].flatMap((c) => [...c.methods.values()])];
        // What runs only as a script: the __main__ block's calls, and the functions it calls (a `main()`).
        const mainFns = new Set(["main", ...[...mod.scriptCalls].map((c) => calleeOf(c) ?? "")]);
        fns.push(...own.filter((f) => !mainFns.has(f.name)).map((f) => ({ name: f.name, calls: f.calls, file })));
        const inFunctions = new Set(own.flatMap((f) => f.calls));
        top.push(...mod.calls.filter((c) => !inFunctions.has(c) && !mod.scriptCalls.has(c)));
    }
    const called = (c: Call, name: string) => lastName(c) === name;
    const runs = (name: string, depth: number): boolean =>
        name === factory || top.some((c) => called(c, name)) || (depth < 6 && fns.some((f) => f.name !== name && f.calls.some((c) => called(c, name)) && runs(f.name, depth + 1)));
    const atTop = top.find(isParseArgs);
    if (atTop !== undefined) {
        return closure.find(({ mod }) => mod.calls.includes(atTop))?.file;
    }
    return fns.find((f) => f.calls.some(isParseArgs) && runs(f.name, 0))?.file;
}

/** A call's function name, the last part (`cli_param.init()`: init). */
function lastName(c: Extract<Expr, { kind: "call" }>): string | undefined {
    return calleeOf(c)?.split(".").pop() ?? (c.callee.kind === "attr" ? c.callee.name : undefined);
}

/** `parser.parse_args()` (or `parse_known_args()`) with nothing given: it reads sys.argv. */
function isParseArgs(c: Extract<Expr, { kind: "call" }>): boolean {
    const name = lastName(c);
    return (name === "parse_args" || name === "parse_known_args") && c.args.length === 0 && Object.keys(c.kwargs).length === 0;
}
