import { candidates, ImportRoot, moduleReader } from "./app-code";
import { calleeOf, Expr } from "./python-source";
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
}

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
    }
    return out;
}
