import { candidates, ImportRoot, moduleReader } from "./app-code";
import { envVariables, evaluate } from "./python-eval";
import { DjangoProject } from "./django";
import { bind, calleeOf, Expr, str } from "./python-source";
import { SourceTree } from "./source";

/**
 * Schedulers the app starts when its modules are imported: APScheduler's
 * (BackgroundScheduler, AsyncIOScheduler, ...) and Flask-APScheduler's, whose
 * `.start()` runs at a module's top level. gunicorn imports the app in every
 * worker, so each worker runs its own scheduler and every job runs once per
 * worker.
 */
export interface ImportTimeScheduler {
    /** The module whose top level calls `.start()`. */
    readonly file: string;
    /** The scheduler's class, qualified ("apscheduler.schedulers.background.BackgroundScheduler"). */
    readonly scheduler: string;
    /**
     * The startup hook that calls `.start()` instead (`FastAPI(lifespan=lifespan)`, `@app.on_event("startup")`,
     * `on_startup=[...]`), which every worker runs too: its name. Absent for a module's top level.
     */
    readonly hook?: string;
}

/** Keywords of ASGI apps' constructors that name startup hooks: a lifespan function, or a list of startup functions. */
const STARTUP_KEYWORDS = ["lifespan", "on_startup"];

const SCHEDULER_MODULES = ["apscheduler.schedulers.", "flask_apscheduler."];

function isScheduler(callee: string | undefined): boolean {
    return callee !== undefined && SCHEDULER_MODULES.some((m) => callee.startsWith(m));
}

export function importTimeSchedulers(src: SourceTree, roots: readonly ImportRoot[]): ImportTimeScheduler[] {
    const reader = moduleReader(src, roots);
    const out: ImportTimeScheduler[] = [];
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        if (!mod) {
            continue;
        }
        for (const step of mod.order) {
            const call = step.kind === "expr" && step.guards.length === 0 ? step.value : undefined;
            const target = call?.kind === "call" && call.callee.kind === "ref" && call.callee.local.endsWith(".start") ? call.callee : undefined;
            if (!target) {
                continue;
            }
            const local = target.local.slice(0, -".start".length);
            if (local.includes(".")) {
                continue;
            }
            // The name's value: assigned in this module, or imported from a module of the app (`from tasks import scheduler`).
            let made: Expr | undefined = mod.value(local);
            const qualified = target.path.slice(0, -".start".length);
            if (made === undefined && qualified !== local && qualified.includes(".")) {
                const cut = qualified.lastIndexOf(".");
                const other = reader.fileOf(qualified.slice(0, cut), { file: c.file, root: c.root });
                made = other ? reader.parse(other.file)?.value(qualified.slice(cut + 1)) : undefined;
            }
            const scheduler = calleeOf(made);
            if (isScheduler(scheduler)) {
                out.push({ file: c.file, scheduler: scheduler! });
            }
        }
        // A startup hook that starts a scheduler of the module (FastAPI's lifespan: `scheduler.start()` before `yield`).
        const hooks = new Set<string>();
        for (const call of mod.calls) {
            for (const k of STARTUP_KEYWORDS) {
                const given = call.kwargs[k];
                for (const h of given?.kind === "list" ? given.items : given === undefined ? [] : [given]) {
                    if (h.kind === "ref" && !h.local.includes(".")) {
                        hooks.add(h.local);
                    }
                }
            }
        }
        for (const d of mod.decorators) {
            if (d.target !== undefined && d.callee.endsWith(".on_event") && str(d.args[0]) === "startup") {
                hooks.add(d.target);
            }
        }
        for (const hook of hooks) {
            for (const call of mod.functions.get(hook)?.calls ?? []) {
                const target = call.callee.kind === "ref" && call.callee.local.endsWith(".start") ? call.callee.local.slice(0, -".start".length) : undefined;
                const scheduler = target === undefined || target.includes(".") ? undefined : calleeOf(mod.value(target));
                if (isScheduler(scheduler) && !out.some((o) => o.file === c.file && o.hook === hook)) {
                    out.push({ file: c.file, scheduler: scheduler!, hook });
                }
            }
        }
    }
    return out;
}

/**
 * A Celery app the web app's modules make (`Celery(__name__, broker=...)`, or `app.conf.update(broker_url=...)`)
 * whose broker, as the environment leaves it unset, is a host no container of this image reaches: itself
 * (`redis://localhost:6379/0`) or a Compose service's name (`amqp://rabbitmq`). Sending a task then fails.
 */
export interface CeleryBroker {
    /** The module that makes the Celery app. */
    readonly file: string;
    /** The broker URL with the environment unset. */
    readonly url: string;
    /** Environment variables that replace it. */
    readonly variables: readonly string[];
}

export function celeryBrokers(src: SourceTree, roots: readonly ImportRoot[], django?: DjangoProject): CeleryBroker[] {
    const reader = moduleReader(src, roots);
    const out: CeleryBroker[] = [];
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        if (!mod) {
            continue;
        }
        const given = mod.calls.flatMap((call) => {
            const callee = calleeOf(call) ?? "";
            const broker = callee === "celery.Celery" ? (call.kwargs["broker"] ?? call.args[1]) : callee.endsWith(".conf.update") ? call.kwargs["broker_url"] : undefined;
            return broker === undefined ? [] : [bind(broker, (local) => mod.value(local))];
        });
        // `app.config_from_object("django.conf:settings", namespace="CELERY")` (Celery's Django layout): the CELERY_BROKER_URL setting, bound by the settings reader.
        const fromSettings = mod.calls.flatMap((call) => {
            const namespace = str(call.kwargs["namespace"]);
            const setting = namespace === undefined ? "BROKER_URL" : `${namespace}_BROKER_URL`;
            const value = (calleeOf(call) ?? "").endsWith(".config_from_object") && str(call.args[0]) === "django.conf:settings" ? django?.settings.bound(setting) : undefined;
            return value === undefined ? [] : [value];
        });
        for (const bound of [...given, ...fromSettings]) {
            const url = evaluate(bound, () => undefined);
            if (url?.t !== "str" || !unreachableHost(url.v) || out.some((o) => o.file === c.file)) {
                continue;
            }
            out.push({ file: c.file, url: url.v, variables: envVariables(bound) });
        }
    }
    return out;
}

/** A URL whose host is the container itself or a bare name (a Compose service's): nothing there answers in a container of this image. */
function unreachableHost(url: string): boolean {
    let host: string;
    try {
        host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    } catch {
        return false;
    }
    return host === "" || host === "localhost" || host === "::1" || host.startsWith("127.") || !host.includes(".");
}
