import { ImportRoot, ModuleReader, moduleReader } from "./app-code";
import { exampleNames } from "./flask-build";
import { calleeOf, Expr, FunctionDef, PyModule, str } from "./python-source";
import { SourceTree } from "./source";

/**
 * A module of the app's own that the served app imports as it starts, and
 * that the build context does not hold: a config module the app's README
 * says to copy from its example (`config.example.py` -> `config.py`), or one
 * the app's .dockerignore leaves out. Every worker then fails at start.
 */
export interface MissingModule {
    /** The module that imports or loads it, relative to the source folder. */
    readonly file: string;
    /** How the code names it: `import config`, `app.config.from_object("config")`. */
    readonly statement: string;
    /** Where the module would be, relative to the source folder. */
    readonly path: string;
    /** The app's example of it, beside that path. */
    readonly example?: string;
    /** The file is in the folder, and the app's .dockerignore leaves it out of the build context. */
    readonly ignored: boolean;
}

/** How deep the app's own imports are followed from the served module (as import-env.ts follows them). */
const IMPORT_DEPTH = 3;

/**
 * The modules the served modules' import (its top-level imports, IMPORT_DEPTH
 * levels down through the app's own modules) and its config loading
 * (`app.config.from_object("config")`, anywhere in those modules: a factory
 * runs it when each worker starts) need and the build context lacks.
 *
 * An import the source does not resolve is most often a third-party or
 * standard module, so one is named only where the source shows it is the
 * app's own: its example is beside where it would be, or the file is there
 * and the app's .dockerignore leaves it out. A from_object string names a
 * config module or class; one that neither the source nor `installed` (the
 * distributions the image installs, PEP 503 names) has is named too.
 * Imports under `if` or in a try statement with an `except` clause are left
 * alone: the app handles their failure.
 */
export function missingModules(src: SourceTree, roots: readonly ImportRoot[], modules: readonly string[], installed: ReadonlySet<string>): MissingModule[] {
    const reader = moduleReader(src, roots);
    const out: MissingModule[] = [];
    const tops = modules.flatMap((m) => reader.fileOf(m) ?? []);
    const scanned = new Set<string>(tops.map((t) => t.file));
    const queue: Array<{ file: string; root: ImportRoot; depth: number }> = tops.map((t) => ({ ...t, depth: 0 }));
    /** Where a module would be (absolute: under the first import root; relative: in the importing module's package), and what stands in for it there. */
    const lack = (name: string, from: { file: string; root: ImportRoot }): Omit<MissingModule, "file" | "statement"> | undefined => {
        let dir: string;
        let rest: string;
        if (name.startsWith(".")) {
            const dots = name.length - name.replace(/^\.+/, "").length;
            const pkg = from.file.split("/").slice(0, -1);
            dir = pkg.slice(0, pkg.length - (dots - 1)).join("/");
            rest = name.slice(dots);
        } else {
            dir = roots[0]?.dir ?? "";
            rest = name;
        }
        const parts = rest.split(".").filter((p) => p !== "");
        if (parts.length === 0) {
            return undefined;
        }
        const folder = [dir, ...parts.slice(0, -1)].filter((p) => p !== "").join("/");
        const base = `${parts[parts.length - 1]}.py`;
        const path = folder === "" ? base : `${folder}/${base}`;
        const example = exampleNames(base)
            .map((n) => (folder === "" ? n : `${folder}/${n}`))
            .find((f) => src.isFile(f));
        return { path, example, ignored: src.ignoredFile(path) };
    };
    while (queue.length > 0) {
        const at = queue.shift()!;
        const mod = reader.parse(at.file);
        if (mod === undefined) {
            continue;
        }
        for (const step of mod.order) {
            if ((step.kind !== "import" && step.kind !== "star") || step.guards.length > 0 || step.tried !== undefined || step.module.startsWith("__future__")) {
                continue;
            }
            const name = step.kind === "import" ? step.name : undefined;
            const where = (name !== undefined ? reader.fileOf(`${step.module}.${name}`, at) : undefined) ?? reader.fileOf(step.module, at);
            if (where !== undefined) {
                if (at.depth < IMPORT_DEPTH && !scanned.has(where.file)) {
                    scanned.add(where.file);
                    queue.push({ ...where, depth: at.depth + 1 });
                }
                continue;
            }
            const missing = lack(step.module, at);
            if (missing !== undefined && (missing.example !== undefined || missing.ignored) && !out.some((o) => o.path === missing.path)) {
                const statement = step.kind === "star" ? `from ${step.module} import *` : name !== undefined ? `from ${step.module} import ${name}` : `import ${step.module}`;
                out.push({ file: at.file, statement, ...missing });
            }
        }
        for (const { target, statement } of loadedConfigs(reader, mod, at)) {
            if (target === "" || target.includes(":")) {
                continue;
            }
            const cut = target.lastIndexOf(".");
            if (reader.fileOf(target, at) !== undefined || (cut > 0 && reader.fileOf(target.slice(0, cut), at) !== undefined)) {
                continue;
            }
            const topName = target.replace(/^\.+/, "").split(".")[0].toLowerCase().replace(/_/g, "-");
            if (!target.startsWith(".") && installed.has(topName)) {
                continue;
            }
            // "config.ProductionConfig": a class (capitalized, by convention) of the module before it.
            const moduleName = cut > 0 && /^[A-Z]/.test(target.slice(cut + 1)) ? target.slice(0, cut) : target;
            const missing = lack(moduleName, at);
            if (missing !== undefined && !out.some((o) => o.path === missing.path)) {
                out.push({ file: at.file, statement, ...missing });
            }
        }
    }
    return out;
}

/**
 * The config objects a module's code loads by name: `app.config.from_object("config")` anywhere in it, and a
 * factory's `from_object(<parameter>)` where the module calls the factory (defined here or imported from the app's
 * own code) with a string for it (nyaa's `create_app("config")`), or leaves the parameter's string default.
 */
function loadedConfigs(reader: ModuleReader, mod: PyModule, at: { file: string; root: ImportRoot }): Array<{ target: string; statement: string }> {
    const out: Array<{ target: string; statement: string }> = [];
    const loads = (call: Extract<Expr, { kind: "call" }>): boolean => (calleeOf(call) ?? "").endsWith(".config.from_object");
    for (const call of mod.calls) {
        if (mod.scriptCalls.has(call)) {
            continue;
        }
        const literal = loads(call) ? str(call.args[0]) : undefined;
        if (literal !== undefined) {
            out.push({ target: literal, statement: `config.from_object("${literal}")` });
            continue;
        }
        const callee = calleeOf(call);
        const fn = callee === undefined ? undefined : factoryOf(reader, mod, at, callee);
        if (callee === undefined || fn === undefined) {
            continue;
        }
        for (const load of fn.calls.filter(loads)) {
            const arg = load.args[0];
            const index = arg?.kind === "ref" ? fn.params.findIndex((p) => p.name === arg.local) : -1;
            const param = index < 0 ? undefined : fn.params[index];
            const target = param === undefined ? undefined : str(call.args[index] ?? call.kwargs[param.name] ?? param.default);
            if (target !== undefined) {
                out.push({ target, statement: `${callee.slice(callee.lastIndexOf(".") + 1)}(${JSON.stringify(target)})` });
            }
        }
    }
    return out;
}

/** A function a call names: defined in the module, or imported from the app's own code (`from nyaa import create_app`). */
function factoryOf(reader: ModuleReader, mod: PyModule, at: { file: string; root: ImportRoot }, callee: string): FunctionDef | undefined {
    const local = mod.functions.get(callee);
    if (local !== undefined) {
        return local;
    }
    const cut = callee.lastIndexOf(".");
    const where = cut > 0 ? reader.fileOf(callee.slice(0, cut), at) : undefined;
    return where === undefined ? undefined : reader.parse(where.file)?.functions.get(callee.slice(cut + 1));
}
