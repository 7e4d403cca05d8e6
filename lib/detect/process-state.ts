import { candidates, ImportRoot, moduleReader } from "./app-code";
import { walk } from "./python-eval";
import { calleeOf, Expr, str } from "./python-source";
import { SourceTree } from "./source";

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

const LIMITERS: Readonly<Record<string, string>> = {
    "flask_limiter.Limiter": "Flask-Limiter",
    "flask_limiter.extension.Limiter": "Flask-Limiter",
    "slowapi.Limiter": "slowapi",
    "slowapi.extension.Limiter": "slowapi",
};

/** Flask-Caching's per-process backends, by the names CACHE_TYPE takes. */
const SIMPLE_CACHE = new Set(["SimpleCache", "simple", "flask_caching.backends.SimpleCache", "flask_caching.backends.simplecache.SimpleCache"]);

export function perProcessState(src: SourceTree, roots: readonly ImportRoot[]): ProcessState[] {
    const reader = moduleReader(src, roots);
    const out: ProcessState[] = [];
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
