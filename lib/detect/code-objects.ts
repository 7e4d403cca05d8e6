import { evaluate, truthy, walk } from "./python-eval";
import { bind, ClassDef, dictGet, EACH_ITEM, Expr, FunctionDef, keywordArgs, str } from "./python-source";
import { docExpr, documentOf, parseDocument, readSource } from "./config-documents";
import { joinPath, MAX_DEPTH, PathContext } from "./paths";

/**
 * What the app's own code computes, followed without running it: a name to
 * the value it holds in the context it is read in (a function's locals, its
 * parameters bound to a call's arguments or their defaults, `self` to an
 * instance), a call of the app's function to its return values (by their
 * if-conditions), an instance of the app's class to its attributes
 * (`__init__`, class fields, properties, constructor keywords, a settings
 * file), a classmethod's `cls`, a key of a dict display. The path reader
 * (paths.ts) asks these for the values paths are built from; what cannot
 * be followed is undefined, never a guess.
 */

/** An expression and the context it is read in. */
export interface Bound {
    readonly expr: Expr;
    readonly ctx: PathContext;
}

/**
 * A function of the app, or a class with its bases in the app (the class
 * first), each with the context of the module that defines it.
 */
export type Definition =
    /** `self`: the object a method is called on (its first parameter), a classmethod's class. */
    | { readonly kind: "function"; readonly fn: FunctionDef; readonly ctx: PathContext; readonly self?: Instance }
    | { readonly kind: "class"; readonly chain: ReadonlyArray<{ readonly cls: ClassDef; readonly ctx: PathContext }> };

/** An object of an app's class, as the call that made it (`Settings()`, `AppDirectories(data_dir)`) read in its context. */
export interface Instance {
    readonly chain: ReadonlyArray<{ readonly cls: ClassDef; readonly ctx: PathContext }>;
    readonly call: Extract<Expr, { kind: "call" }>;
    readonly ctx: PathContext;
    /** The class itself (`Config.DATA_DIR`, a classmethod's `cls`), not an instance: `call` is the class with no arguments, and only class-body fields are its attributes. */
    readonly classObject?: boolean;
}

/** Decorators that make a method read as an attribute: `settings.db_path`. */
const PROPERTY_DECORATORS = new Set(["property", "functools.cached_property", "pydantic.computed_field", "cached_property.cached_property"]);

/**
 * The context a function's body is read in when `call` (read in `caller`)
 * calls it: its local names (the last value each is assigned), its
 * parameters bound to the call's arguments or else their defaults (a
 * parameter neither gives is unknown), `self` to the instance a method is
 * read for; other names are the defining module's (`fnCtx`: for a nested
 * function, the context of the function around it).
 */
export function callContext(fn: FunctionDef, fnCtx: PathContext, call: Extract<Expr, { kind: "call" }> | undefined, caller: PathContext, self?: Instance, upTo = fn.assigns.length): PathContext {
    const method = self !== undefined;
    const ctx: PathContext = {
        ...fnCtx,
        calls: fn.calls,
        lookup: (name) => {
            for (let i = upTo - 1; i >= 0; i--) {
                if (fn.assigns[i][0] === name) {
                    // Read as the assignment sees its names: `cfg = merge(cfg, ...)` reads the cfg before it.
                    return { expr: fn.assigns[i][1], file: fnCtx.file, ctx: callContext(fn, fnCtx, call, caller, self, i) };
                }
            }
            const at = fn.params.findIndex((p) => p.name === name);
            if (at < 0) {
                return fnCtx.lookup(name);
            }
            if (method && at === 0) {
                return { expr: self.classObject ? self.call.callee : self.call, file: self.ctx.file, ctx: self.ctx };
            }
            const p = fn.params[at];
            const position = method ? at - 1 : at;
            // A starred argument before this one moves the positions: not read.
            const starredBefore = call?.args.slice(0, position + 1).some((a) => a.kind === "starred") ?? false;
            const arg = call?.kwargs[name] ?? (p.variadic || starredBefore ? undefined : call?.args[position]);
            if (arg !== undefined) {
                return { expr: arg, file: caller.file, ctx: caller };
            }
            return p.default !== undefined && call?.args.every((a) => a.kind !== "starred") !== false ? { expr: p.default, file: fnCtx.file, ctx: fnCtx } : undefined;
        },
    };
    return ctx;
}

/**
 * A function's `return` values as one expression, read in `ctx` (the
 * function's context): a return whose `if` conditions are false with the
 * environment as the image sets it (unset otherwise) is left out, and those
 * after one whose conditions all hold are never reached; the rest are tried
 * the last one first (`if d: return Path(d)` then `return BASE / "data"`:
 * the fallback is what the code has when the environment says nothing).
 */
function returned(fn: FunctionDef, ctx: PathContext): Expr | undefined {
    const kept: Expr[] = [];
    for (const r of fn.guardedReturns) {
        const decided = r.guards.map((g) => {
            const holds = decide(g.test, ctx);
            return holds === undefined ? undefined : holds === g.holds;
        });
        if (r.value.kind === "none" || decided.includes(false)) {
            continue;
        }
        kept.push(r.value);
        if (decided.every((d) => d === true)) {
            break;
        }
    }
    return kept.length === 0 ? undefined : kept.reduce((acc, r) => ({ kind: "or", left: acc, right: r }));
}

/** Whether a condition holds with the environment as the image sets it (unset otherwise), its names bound in `ctx`; undefined when that cannot be known. */
export function decide(test: Expr, ctx: PathContext): boolean | undefined {
    let bound = test;
    for (let i = 0; i < 4; i++) {
        bound = bind(bound, (name) => ctx.lookup(name)?.expr);
    }
    const v = evaluate(bound, (name) => ctx.env?.[name]);
    return v === undefined ? undefined : truthy(v);
}

/** What a call of an app's function or class is: its definition, when the callee names one. */
export function definitionOf(e: Extract<Expr, { kind: "call" }>, ctx: PathContext, depth = 0): Definition | undefined {
    const callee = e.callee;
    // The depth is the whole chain's, with boundOf's and instanceOf's: a name read through its own method call ends here.
    if (depth > MAX_DEPTH) {
        return undefined;
    }
    if (callee.kind === "attr") {
        return methodOf(callee.target, callee.name, ctx, depth);
    }
    if (callee.kind !== "ref") {
        return undefined;
    }
    const def = ctx.lookupDef?.(callee.path, callee.local);
    if (def !== undefined) {
        return def;
    }
    const parts = callee.local.split(".");
    if (parts.length > 1) {
        // A method called on an object or a class: Config.database_path(), settings.load(), config_class.backup_dir().
        const name = parts[parts.length - 1];
        return methodOf({ kind: "ref", path: callee.path.slice(0, -name.length - 1), local: parts.slice(0, -1).join(".") }, name, ctx, depth);
    }
    // A name bound to a class: a classmethod's `cls(...)`, a parameter given a class.
    const bound = ctx.lookup(callee.local);
    return bound?.expr.kind === "ref" && bound.expr !== callee ? definitionOf({ ...e, callee: bound.expr }, bound.ctx ?? { ...ctx, file: bound.file }, depth + 1) : undefined;
}

/** Decorators of methods that take no instance: a classmethod takes the class. */
const STATIC_METHOD = "staticmethod";
const CLASS_METHOD = "classmethod";

/** A method of an object or class, with what its first parameter is bound to. */
function methodOf(target: Expr, name: string, ctx: PathContext, depth: number): Definition | undefined {
    const obj = instanceOf(target, ctx, depth + 1);
    for (const { cls, ctx: clsCtx } of obj?.chain ?? []) {
        const m = cls.methods.get(name);
        if (m === undefined) {
            continue;
        }
        if (m.decorators.includes(STATIC_METHOD)) {
            return { kind: "function", fn: m, ctx: clsCtx };
        }
        const self: Instance = m.decorators.includes(CLASS_METHOD) ? { ...obj!, call: { kind: "call", callee: obj!.call.callee, args: [], kwargs: keywordArgs() }, classObject: true } : obj!;
        return { kind: "function", fn: m, ctx: clsCtx, self };
    }
    return undefined;
}

/**
 * The object an expression makes or names: an instance of an app's class
 * (`Settings()`, a name bound to one, a function returning one, a
 * parameter given one).
 */
export function instanceOf(e: Expr, ctx: PathContext, depth = 0): Instance | undefined {
    if (depth > MAX_DEPTH) {
        return undefined;
    }
    if (e.kind === "ref") {
        // The class itself: Config, or a name given it (`def create_app(config_class=Config)`).
        const def = ctx.lookupDef?.(e.path, e.local);
        if (def?.kind === "class") {
            return { chain: def.chain, call: { kind: "call", callee: e, args: [], kwargs: keywordArgs() }, ctx, classObject: true };
        }
        const bound = e.local.includes(".") ? undefined : ctx.lookup(e.local);
        if (bound !== undefined && bound.expr.kind === "ref") {
            return instanceOf(bound.expr, bound.ctx ?? { ...ctx, file: bound.file }, depth + 1);
        }
    }
    const b = boundOf(e, ctx, depth + 1);
    if (b === undefined || b.expr.kind !== "call") {
        return undefined;
    }
    // The depth carries on: `items = items.filter(...)` reads items through its own method call.
    const def = definitionOf(b.expr, b.ctx, depth + 1);
    if (def?.kind === "class") {
        return { chain: def.chain, call: b.expr, ctx: b.ctx };
    }
    if (def?.kind === "function" && !def.fn.async) {
        for (const r of [...def.fn.returns].reverse()) {
            const found = instanceOf(r, callContext(def.fn, def.ctx, b.expr, b.ctx, def.self), depth + 1);
            if (found) {
                return found;
            }
        }
    }
    return undefined;
}

/**
 * An instance's attribute: a keyword its constructor is given (a
 * dataclass's or pydantic model's field), what `__init__` assigns to
 * `self.<name>`, the class body's value, or a property's return value.
 */
export function memberOf(obj: Instance, name: string): Bound | undefined {
    const given = obj.call.kwargs[name];
    if (given !== undefined) {
        return { expr: given, ctx: obj.ctx };
    }
    const fromFile = settingsFileValue(obj, name);
    if (fromFile !== undefined) {
        return fromFile;
    }
    for (const { cls, ctx } of obj.chain) {
        if (obj.classObject) {
            const field = cls.fields.get(name);
            if (field !== undefined) {
                return { expr: field, ctx };
            }
            continue;
        }
        const init = cls.methods.get("__init__");
        const assigned = init === undefined ? undefined : [...init.itemAssigns].reverse().find(([t]) => t.kind === "ref" && t.local === `${init.params[0]?.name ?? "self"}.${name}`);
        if (init !== undefined && assigned !== undefined) {
            return { expr: assigned[1], ctx: callContext(init, ctx, obj.call, obj.ctx, obj) };
        }
        const field = cls.fields.get(name);
        // Set by another method the app calls on the object (`cli_param.init()` assigning self.settings_path): that method's value, its own parameters unknown.
        const setter = field !== undefined ? undefined : [...cls.methods.values()].find((m) => m.name !== "__init__" && !m.decorators.includes(STATIC_METHOD) && m.itemAssigns.some(([t]) => t.kind === "ref" && t.local === `${m.params[0]?.name ?? "self"}.${name}`));
        if (setter !== undefined) {
            const value = [...setter.itemAssigns].reverse().find(([t]) => t.kind === "ref" && t.local === `${setter.params[0]?.name ?? "self"}.${name}`)![1];
            return { expr: value, ctx: callContext(setter, ctx, undefined, ctx, obj) };
        }
        if (field !== undefined) {
            return { expr: field, ctx };
        }
        const m = cls.methods.get(name);
        const inner = m === undefined || !m.decorators.some((d) => PROPERTY_DECORATORS.has(d)) ? undefined : callContext(m, ctx, undefined, ctx, obj);
        const value = inner === undefined ? undefined : returned(m!, inner);
        if (inner !== undefined && value !== undefined) {
            return { expr: value, ctx: inner };
        }
    }
    return undefined;
}

/** pydantic-settings' file sources, by the model_config key that names the file. */
const SETTINGS_FILE_SOURCES: ReadonlyArray<readonly [string, string, "toml" | "json" | "yaml"]> = [
    ["toml_file", "TomlConfigSettingsSource", "toml"],
    ["json_file", "JsonConfigSettingsSource", "json"],
    ["yaml_file", "YamlConfigSettingsSource", "yaml"],
];

/**
 * A pydantic-settings field as a settings file gives it: the class's
 * model_config names a TOML/JSON/YAML file (`SettingsConfigDict(toml_file=...)`,
 * relative to the working folder) and its settings_customise_sources
 * returns that file's source, so the file's value is the field's unless
 * the image's environment sets `<env_prefix><NAME>`.
 */
function settingsFileValue(obj: Instance, name: string): Bound | undefined {
    if (obj.classObject) {
        return undefined;
    }
    for (const { cls, ctx } of obj.chain) {
        const config = cls.fields.get("model_config");
        const sources = cls.methods.get("settings_customise_sources");
        if (config?.kind !== "call" || sources === undefined) {
            continue;
        }
        const used = new Set<string>();
        for (const r of sources.returns) {
            walk(r, (x) => {
                if (x.kind === "ref") {
                    used.add(x.path.split(".").pop()!);
                }
            });
        }
        const prefix = str(config.kwargs["env_prefix"]) ?? "";
        if (ctx.env?.[`${prefix}${name}`.toUpperCase()] !== undefined) {
            return undefined; // the environment wins over the file
        }
        for (const [key, source, format] of SETTINGS_FILE_SOURCES) {
            const file = str(config.kwargs[key]);
            const text = file === undefined || !used.has(source) ? undefined : readSource(joinPath(ctx.cwd, file), ctx);
            const doc = text === undefined ? undefined : parseDocument(text, format);
            const value = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? doc[name] : undefined;
            if (value !== undefined) {
                return { expr: docExpr(value), ctx };
            }
        }
    }
    return undefined;
}

/**
 * An expression followed to what it stands for: a name to its value (a
 * function's local or parameter, a module's name, an imported one), an
 * attribute of an app object to the attribute's value, a call of an app
 * function to its return value. Literals and calls of anything else are
 * themselves.
 */
export function boundOf(e: Expr, ctx: PathContext, depth = 0): Bound | undefined {
    if (depth > MAX_DEPTH) {
        return undefined;
    }
    if (e.kind === "ref" && e.path !== "__file__" && e.path !== EACH_ITEM) {
        const parts = e.local.split(".");
        const head = ctx.lookup(parts[0]);
        let at: Bound | undefined = head ? { expr: head.expr, ctx: head.ctx ?? { ...ctx, file: head.file } } : undefined;
        let rest = parts.slice(1);
        if (at === undefined && e.path.includes(".")) {
            // An imported name (`from app.config import settings`): the module's value.
            const pathParts = e.path.split(".");
            const headPath = pathParts.slice(0, pathParts.length - rest.length).join(".");
            at = ctx.lookupDotted?.(headPath, parts[0]);
            if (at === undefined && rest.length > 0) {
                at = ctx.lookupDotted?.(e.path, e.local);
                rest = at === undefined ? rest : [];
            }
        }
        for (const name of rest) {
            const obj = at === undefined ? undefined : instanceOf(at.expr, at.ctx, depth + 1);
            if (obj !== undefined || at === undefined) {
                at = obj === undefined ? undefined : memberOf(obj, name);
                continue;
            }
            // A key of a config document read as an attribute: OmegaConf's cfg.storage.db.
            const doc = documentOf(at.expr, at.ctx, depth + 1);
            const value = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc[name] ?? doc[name.toUpperCase()]) : undefined;
            at = value === undefined ? undefined : { expr: docExpr(value), ctx: at.ctx };
        }
        return at === undefined ? undefined : at.expr.kind === "ref" || at.expr.kind === "attr" ? boundOf(at.expr, at.ctx, depth + 1) : at;
    }
    if (e.kind === "attr" && e.name !== "parent") {
        const obj = instanceOf(e.target, ctx, depth + 1);
        const member = obj === undefined ? undefined : memberOf(obj, e.name);
        return member === undefined ? undefined : boundOf(member.expr, member.ctx, depth + 1);
    }
    if (e.kind === "subscript") {
        const key = str(e.index);
        // app.config["LOG_CONF"] (a Flask config key, set in the app's code or a config class from_object loads): its value.
        if (key !== undefined && e.target.kind === "ref" && e.target.path.endsWith(".config") && ctx.appConfig !== undefined) {
            const set = ctx.lookupItem?.(e.target.path, key);
            const found = set !== undefined ? { expr: set, ctx } : ctx.appConfig(key);
            if (found !== undefined) {
                return boundOf(found.expr, found.ctx, depth + 1);
            }
        }
        // PATHS["db"] with PATHS a dict display.
        const mapping = key === undefined ? undefined : boundOf(e.target, ctx, depth + 1);
        const value = mapping?.expr.kind === "dict" ? dictGet(mapping.expr, key!) : undefined;
        return value === undefined ? { expr: e, ctx } : boundOf(value, mapping!.ctx, depth + 1);
    }
    if (e.kind === "call") {
        const def = definitionOf(e, ctx, depth + 1);
        if (def?.kind === "function" && !def.fn.async) {
            const inner = callContext(def.fn, def.ctx, e, ctx, def.self);
            const value = returned(def.fn, inner);
            return value === undefined ? undefined : { expr: value, ctx: inner };
        }
    }
    return { expr: e, ctx };
}
