import { load as loadYaml } from "js-yaml";
import { parse as parseToml } from "smol-toml";
import { DEFAULTS } from "../data/defaults";
import { readIni } from "./ini";
import { bind, evaluate, readerDefault, truthy, walk } from "./python-eval";
import { calleeOf, ClassDef, dictGet, EACH_ITEM, Expr, FunctionDef, PyModule, str } from "./python-source";

/**
 * Reads a filesystem path out of a Python expression without running it:
 * string literals, names bound in the module, `base / "x"`,
 * os.path.join(base, "x"), Path(...), os.path.dirname/abspath(__file__),
 * `.parent`, `.resolve()`, str(...), os.fspath(...), f"{path}/x",
 * os.getcwd(), and "sqlite:///" + path (any
 * SQLite driver: "sqlite+aiosqlite:///" + path). The result is
 * a POSIX path relative to the source folder ("portal/db.sqlite3"), or an
 * absolute one ("/var/log/app"), or undefined when the code computes the
 * path in a way that cannot be read (an environment variable, a function).
 */
export interface PathContext {
    /** The module's file, relative to the source folder: what __file__ is. */
    readonly file: string;
    /** The folder a relative path is taken from at run time (gunicorn's working folder), relative to the source folder. */
    readonly cwd: string;
    /** Variables the image sets: an environment read (os.environ.get("X", d)) gives their value, else its default. */
    readonly env?: Readonly<Record<string, string>>;
    /** A name's value, and the file that assigned it; with `ctx`, the context the value is read in (a function's argument: its caller's). */
    lookup(name: string): { readonly expr: Expr; readonly file: string; readonly ctx?: PathContext } | undefined;
    /** A value stored under a key of a mapping (`app.config["UPLOAD_FOLDER"] = ...`), by the mapping's path and the key. */
    lookupItem?(mapping: string, key: string): Expr | undefined;
    /**
     * A dotted name's value, with the context of the module that holds it: a
     * module's name (`config.UPLOAD_DIR`), or an attribute its class body
     * assigns, of a class or an instance made at module level (`settings.upload_dir`
     * with `settings = Settings()`). `path` is qualified through the imports;
     * `local` is the name as written.
     */
    lookupDotted?(path: string, local: string): { readonly expr: Expr; readonly ctx: PathContext } | undefined;
    /** The app's function or class a name (qualified `path`, `local` as written) refers to, with the context of the module that defines it. */
    lookupDef?(path: string, local: string): Definition | undefined;
    /** A file of the source folder's text (a config file the code loads), by its path relative to the source folder. */
    read?(path: string): string | undefined;
    /** A Flask config key as any module of the app sets it (`current_app.config["DATABASE"]`), in that module's context. */
    appConfig?(key: string): Bound | undefined;
    /** A Django setting's path (`django.conf.settings.MEDIA_ROOT` read in a project's own apps). */
    setting?(name: string): string | undefined;
    /** The calls of the code the context reads (the module's, or the function's): a ConfigParser's read() calls. */
    readonly calls?: readonly Extract<Expr, { kind: "call" }>[];
}

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
function decide(test: Expr, ctx: PathContext): boolean | undefined {
    let bound = test;
    for (let i = 0; i < 4; i++) {
        bound = bind(bound, (name) => ctx.lookup(name)?.expr);
    }
    const v = evaluate(bound, (name) => ctx.env?.[name]);
    return v === undefined ? undefined : truthy(v);
}

/** What a call of an app's function or class is: its definition, when the callee names one. */
function definitionOf(e: Extract<Expr, { kind: "call" }>, ctx: PathContext, depth = 0): Definition | undefined {
    const callee = e.callee;
    if (depth > 8) {
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
        const self: Instance = m.decorators.includes(CLASS_METHOD) ? { ...obj!, call: { kind: "call", callee: obj!.call.callee, args: [], kwargs: {} }, classObject: true } : obj!;
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
            return { chain: def.chain, call: { kind: "call", callee: e, args: [], kwargs: {} }, ctx, classObject: true };
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
    const def = definitionOf(b.expr, b.ctx);
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
        // PATHS["db"] with PATHS a dict display.
        const key = str(e.index);
        const mapping = key === undefined ? undefined : boundOf(e.target, ctx, depth + 1);
        const value = mapping?.expr.kind === "dict" ? dictGet(mapping.expr, key!) : undefined;
        return value === undefined ? { expr: e, ctx } : boundOf(value, mapping!.ctx, depth + 1);
    }
    if (e.kind === "call") {
        const def = definitionOf(e, ctx);
        if (def?.kind === "function" && !def.fn.async) {
            const inner = callContext(def.fn, def.ctx, e, ctx, def.self);
            const value = returned(def.fn, inner);
            return value === undefined ? undefined : { expr: value, ctx: inner };
        }
    }
    return { expr: e, ctx };
}

/** The standard library's environment reads (None when the variable is unset and no default is given). */
export const ENV_READERS: ReadonlySet<string> = new Set(["os.environ.get", "os.getenv"]);

/** Calls that read a setting with a default: the default applies when the environment does not say. */
const WITH_DEFAULT = ["os.environ.get", "os.getenv", "environ.get"];

/** The default a settings call falls back to: os.environ.get("X", d), env.str("X", default=d). */
export function defaultOf(e: Extract<Expr, { kind: "call" }>): Expr | undefined {
    if (e.kwargs["default"] !== undefined) {
        return e.kwargs["default"];
    }
    const name = calleeOf(e) ?? "";
    // A Flask config read with a default: current_app.config.get("DATABASE", "pastes.db").
    const configGet = name.endsWith(".config.get");
    return WITH_DEFAULT.some((w) => name === w || name.endsWith(`.${w}`)) || configGet ? e.args[1] : undefined;
}

/**
 * How deep an expression is followed: enough for a settings chain such as
 * cookiecutter-django's MEDIA_ROOT = str(APPS_DIR / "media"), APPS_DIR =
 * BASE_DIR / "myapi", BASE_DIR = Path(__file__).resolve().parent.parent.parent;
 * the bound only stops a name bound to itself.
 */
const MAX_DEPTH = 32;

export function pathValue(e: Expr | undefined, ctx: PathContext, depth = 0): string | undefined {
    if (!e || depth > MAX_DEPTH) {
        return undefined;
    }
    const literal = str(e);
    if (literal !== undefined) {
        return literal.startsWith("/") ? normalize(literal) : normalize(join(ctx.cwd, literal));
    }
    switch (e.kind) {
        case "fstring": {
            // f"{BASE_DIR}/media", f"{UPLOAD_DIR}": one path, then literal parts.
            const [first, ...rest] = e.parts;
            if (typeof first === "string" || rest.some((p) => typeof p !== "string")) {
                return undefined;
            }
            const base = pathValue(first, ctx, depth + 1);
            const tail = (rest as string[]).join("");
            if (base === undefined || (tail !== "" && !tail.startsWith("/"))) {
                return undefined; // f"{BASE}x" is not a path under BASE
            }
            return joinPath(base, tail.slice(1));
        }
        case "or": {
            // `os.environ.get("X") or "default"`: without the variable, the fallback applies.
            return pathValue(e.right, ctx, depth + 1) ?? pathValue(e.left, ctx, depth + 1);
        }
        case "cond": {
            // `DATA_DIR if DATA_DIR else "/app/data"`: the branch the environment as the image sets it takes; else the one that reads as a path.
            const holds = decide(e.test, ctx);
            return holds === true ? pathValue(e.then, ctx, depth + 1) : holds === false ? pathValue(e.otherwise, ctx, depth + 1) : (pathValue(e.otherwise, ctx, depth + 1) ?? pathValue(e.then, ctx, depth + 1));
        }
        case "ref": {
            if (e.path === "__file__") {
                return ctx.file;
            }
            if (e.path.endsWith(".root_path")) {
                return parent(ctx.file); // Flask's app.root_path: the module's folder
            }
            // Django's settings object: settings.EXPORTS_DIR in an app's module is the setting.
            const setting = e.path.startsWith("django.conf.settings.") ? e.path.slice("django.conf.settings.".length) : undefined;
            if (setting !== undefined && !setting.includes(".") && ctx.setting !== undefined) {
                return ctx.setting(setting);
            }
            // EXPORT_FILE.parent, settings.db_path.parent: the folder of the path.
            if (e.local.endsWith(".parent")) {
                const inner = pathValue({ kind: "ref", path: e.path.slice(0, -".parent".length), local: e.local.slice(0, -".parent".length) }, ctx, depth + 1);
                return inner === undefined ? undefined : parent(inner);
            }
            if (e.path.endsWith(".static_folder")) {
                // Flask's app.static_folder: "static" in root_path, unless Flask(static_folder=...) says otherwise (not read: then this guess is wrong only for that app).
                const root = parent(ctx.file);
                return root === undefined ? undefined : joinPath(root, "static");
            }
            // Sanic's attribute-style config (`app.config.DATABASE`, set as `app.config.DATABASE = "pins.db"`): the config mapping's item.
            const parts = e.local.split(".");
            if (parts.length === 3 && parts[1] === "config" && ctx.lookupItem) {
                const stored = ctx.lookupItem(`${parts[0]}.config`, parts[2]);
                if (stored !== undefined) {
                    return pathValue(stored, ctx, depth + 1);
                }
            }
            if (e.path.includes(".")) {
                const dotted = ctx.lookupDotted?.(e.path, e.local);
                if (dotted) {
                    return pathValue(dotted.expr, dotted.ctx, depth + 1);
                }
                // An imported name the context binds itself (Django settings merged from a sibling: `from .components import BASE_DIR`).
                const bound = e.local.includes(".") ? undefined : ctx.lookup(e.local);
                if (bound) {
                    return pathValue(bound.expr, bound.ctx ?? { ...ctx, file: bound.file }, depth + 1);
                }
            }
            if (!e.local.includes(".")) {
                const bound = ctx.lookup(e.path);
                return bound ? pathValue(bound.expr, bound.ctx ?? { ...ctx, file: bound.file }, depth + 1) : undefined;
            }
            // An attribute of an app object: `settings.data_dir`, `self.DATA_DIR`, `config.archive_dir` (a property).
            const b = boundOf(e, ctx, depth + 1);
            return b === undefined ? undefined : pathValue(b.expr, b.ctx, depth + 1);
        }
        case "add": {
            // basedir + "/app/static/uploads/", GUESTBOOK + ".tmp": a path, then literal text.
            const left = pathValue(e.left, ctx, depth + 1);
            const right = str(e.right);
            if (left === undefined || right === undefined) {
                return undefined;
            }
            // The source folder itself is "": its text starts the path, as "<folder>" + "/x" does.
            return left === "" ? normalize(right.startsWith("/") ? right.slice(1) : right) : normalize(left + right);
        }
        case "div": {
            const left = pathValue(e.left, ctx, depth + 1);
            const right = segment(e.right, ctx);
            return left !== undefined && right !== undefined ? joinPath(left, right) : undefined;
        }
        case "attr": {
            if (e.name === "parent") {
                const inner = pathValue(e.target, ctx, depth + 1);
                return inner === undefined ? undefined : parent(inner);
            }
            // get_settings().data_dir
            const b = boundOf(e, ctx, depth + 1);
            return b === undefined ? undefined : pathValue(b.expr, b.ctx, depth + 1);
        }
        case "subscript": {
            const key = str(e.index);
            // os.environ["DB_PATH"]: the image's value (the platform's config sets it), else what the app itself sets.
            if (key !== undefined && e.target.kind === "ref" && e.target.path === "os.environ") {
                const set = ctx.env?.[key];
                const own = set === undefined ? ctx.lookupItem?.("os.environ", key) : undefined;
                return set !== undefined ? pathValue({ kind: "str", value: set }, ctx, depth + 1) : own !== undefined ? pathValue(own, ctx, depth + 1) : undefined;
            }
            // current_app.config["DATABASE"] in a blueprint's module: the key as the module that configures the app sets it.
            if (key !== undefined && e.target.kind === "ref" && e.target.path.endsWith("current_app.config") && ctx.appConfig !== undefined) {
                const set = ctx.lookupItem?.(e.target.path, key);
                const found = set !== undefined ? { expr: set, ctx } : ctx.appConfig(key);
                if (found !== undefined) {
                    return pathValue(found.expr, found.ctx, depth + 1);
                }
            }
            if (key !== undefined && e.target.kind === "ref" && ctx.lookupItem) {
                const stored = ctx.lookupItem(e.target.path, key) ?? (e.target.path.endsWith(".config") ? ctx.lookup(key)?.expr : undefined);
                if (stored) {
                    return pathValue(stored, ctx, depth + 1);
                }
            }
            // PATHS["db"] with PATHS a dict display.
            const item = key === undefined ? undefined : boundOf(e, ctx, depth + 1);
            if (item !== undefined && item.expr !== e) {
                return pathValue(item.expr, item.ctx, depth + 1);
            }
            // A value of a config file the code loads: CONFIG["storage"]["root"].
            const doc = documentOf(e, ctx, depth + 1);
            if (typeof doc === "string") {
                return pathValue({ kind: "str", value: doc }, ctx, depth + 1);
            }
            // Path(__file__).parents[n]
            if (e.target.kind === "attr" && e.target.name === "parents" && e.index.kind === "num") {
                let p = pathValue(e.target.target, ctx, depth + 1);
                for (let i = 0; p !== undefined && i <= Number(e.index.text); i++) {
                    p = parent(p);
                }
                return p;
            }
            return undefined;
        }
        case "call": {
            const callee = e.callee;
            if (callee.kind === "attr" && (callee.name === "resolve" || callee.name === "absolute" || callee.name === "expanduser") && e.args.length === 0) {
                return pathValue(callee.target, ctx, depth + 1);
            }
            // BASE_DIR.joinpath("db.sqlite3"), Path(...).joinpath("a", "b")
            const joinTarget = callee.kind === "attr" && callee.name === "joinpath" ? callee.target : callee.kind === "ref" && callee.path.endsWith(".joinpath") && callee.local.includes(".") ? ({ kind: "ref", path: callee.path.slice(0, -".joinpath".length), local: callee.local.slice(0, -".joinpath".length) } as Expr) : undefined;
            if (joinTarget !== undefined && e.args.length > 0) {
                return e.args.reduce<string | undefined>((acc, a) => {
                    const seg = segment(a);
                    return acc === undefined || seg === undefined ? undefined : joinPath(acc, seg);
                }, pathValue(joinTarget, ctx, depth + 1));
            }
            const name = calleeOf(e) ?? "";
            // An app function's return value: data_dir() -> BASE_DIR / "data".
            if (definitionOf(e, ctx)?.kind === "function") {
                const b = boundOf(e, ctx, depth + 1);
                return b === undefined || b.expr === e ? undefined : pathValue(b.expr, b.ctx, depth + 1);
            }
            // A dataclass's or attrs' or pydantic's field: its default, else what its default_factory returns.
            if (FIELD_FUNCTIONS.has(name)) {
                const given = e.kwargs["default"] ?? (name.startsWith("pydantic.") ? e.args[0] : undefined);
                const factory = e.kwargs["default_factory"] ?? e.kwargs["factory"];
                return given !== undefined ? pathValue(given, ctx, depth + 1) : factory !== undefined ? pathValue({ kind: "call", callee: factory, args: [], kwargs: {} }, ctx, depth + 1) : undefined;
            }
            // A value of a config file the code loads: CONFIG.get("data_dir", "data"), parser.get("general", "dbpath").
            if ((callee.kind === "ref" && callee.local.endsWith(".get")) || (callee.kind === "attr" && callee.name === "get")) {
                const doc = documentOf(e, ctx, depth + 1);
                if (typeof doc === "string") {
                    return pathValue({ kind: "str", value: doc }, ctx, depth + 1);
                }
            }
            // environs' and django-environ's readers (env.path("DATA_DIR", Path("var")) with env = Env()): the image's value, else the default.
            const reader = envReaderCall(e, ctx);
            if (reader !== undefined) {
                const set = ctx.env?.[reader.variable];
                const value: Expr | undefined = set !== undefined ? { kind: "str", value: set } : reader.default;
                return value === undefined ? undefined : pathValue(value, ctx, depth + 1);
            }
            if ((name === "os.getcwd" || name === "pathlib.Path.cwd" || name === "Path.cwd") && e.args.length === 0) {
                return ctx.cwd; // the working folder the server runs in
            }
            // The user's folders, as the image sets HOME and the XDG variables: Path.home(), platformdirs'/appdirs' user_*_dir(appname).
            if ((name === "pathlib.Path.home" || name === "Path.home") && e.args.length === 0) {
                return DEFAULTS.home;
            }
            const userDir = USER_DIRS[name.replace(/^appdirs\./, "platformdirs.")];
            const appArg = e.args[0] ?? e.kwargs["appname"];
            const appname = str(appArg) ?? (appArg?.kind === "ref" && !appArg.path.includes(".") ? str(ctx.lookup(appArg.path)?.expr) : undefined);
            if (userDir !== undefined && appname !== undefined && !appname.includes("/")) {
                return normalize(`${DEFAULTS.home}/${userDir}/${appname}`);
            }
            if (name === "os.path.expanduser" && e.args.length === 1) {
                const p = str(e.args[0]);
                return p === "~" ? DEFAULTS.home : p?.startsWith("~/") ? normalize(`${DEFAULTS.home}/${p.slice(2)}`) : undefined;
            }
            // os.environ.get("VISITS_DB", "visits.db") with VISITS_DB set by the image (a platform's config): its value.
            const set = ENV_READERS.has(name) ? ctx.env?.[str(e.args[0]) ?? ""] : undefined;
            if (set !== undefined) {
                return pathValue({ kind: "str", value: set }, ctx, depth + 1);
            }
            const fallback = defaultOf(e);
            if (fallback !== undefined) {
                return pathValue(fallback, ctx, depth + 1);
            }
            if (name === "os.path.dirname" && e.args.length === 1) {
                const inner = pathValue(e.args[0], ctx, depth + 1);
                return inner === undefined ? undefined : parent(inner);
            }
            if ((name === "os.path.abspath" || name === "os.path.realpath" || name === "os.path.normpath" || name === "str" || name === "os.fspath") && e.args.length === 1) {
                return pathValue(e.args[0], ctx, depth + 1);
            }
            if ((name === "pathlib.Path" || name === "Path" || name === "pathlib.PurePath") && e.args.length >= 1) {
                return e.args.reduce<string | undefined>((acc, a, i) => {
                    if (i === 0) {
                        return pathValue(a, ctx, depth + 1);
                    }
                    const s = segment(a);
                    return acc === undefined || s === undefined ? undefined : joinPath(acc, s);
                }, undefined);
            }
            if (name === "os.path.join" && e.args.length >= 1) {
                let acc = pathValue(e.args[0], ctx, depth + 1);
                for (const a of e.args.slice(1)) {
                    const s = segment(a);
                    if (acc === undefined || s === undefined) {
                        return undefined;
                    }
                    acc = joinPath(acc, s);
                }
                return acc;
            }
            return undefined;
        }
        default:
            return undefined;
    }
}

/** Class-body field definitions whose default (or default_factory) is the attribute's value: pydantic's Field("uploads") applies when the environment does not say. */
const FIELD_FUNCTIONS = new Set(["dataclasses.field", "pydantic.Field", "pydantic.fields.Field", "attrs.field", "attr.ib", "attr.attrib", "attr.field"]);

/** A call of a reader object's method (`env.path(...)`, `env.str(...)`), with the object's name bound to its value (`env = Env()`). */
function envReaderCall(e: Extract<Expr, { kind: "call" }>, ctx: PathContext): ReturnType<typeof readerDefault> {
    const callee = e.callee;
    if (callee.kind !== "ref") {
        return undefined;
    }
    const parts = callee.local.split(".");
    const head = ctx.lookup(parts[0]);
    if (head === undefined || head.expr.kind !== "call" || parts.length > 2) {
        return undefined;
    }
    const bound: Expr = parts.length === 2 ? { kind: "attr", target: head.expr, name: parts[1] } : head.expr;
    return readerDefault({ ...e, callee: bound });
}

/** platformdirs' (and appdirs') per-user folders on Linux, under HOME as the image's XDG variables put them. */
const USER_DIRS: Readonly<Record<string, string>> = {
    "platformdirs.user_data_dir": ".local/share",
    "platformdirs.user_data_path": ".local/share",
    "platformdirs.user_state_dir": ".local/state",
    "platformdirs.user_state_path": ".local/state",
    "platformdirs.user_cache_dir": ".cache",
    "platformdirs.user_cache_path": ".cache",
    "platformdirs.user_log_dir": ".local/state",
    "platformdirs.user_config_dir": ".config",
    "platformdirs.user_config_path": ".config",
};

/** A path segment: a literal, or os.pardir / os.curdir (os.path's too) as "..", "."; with a context, a config file's value too (`ROOT / CONFIG["storage"].get("database", "links.sqlite3")`). */
function segment(e: Expr, ctx?: PathContext): string | undefined {
    const name = e.kind === "ref" ? e.path : undefined;
    const literal = str(e) ?? (name === "os.pardir" || name === "os.path.pardir" ? ".." : name === "os.curdir" || name === "os.path.curdir" ? "." : undefined);
    if (literal !== undefined || ctx === undefined || (e.kind !== "subscript" && e.kind !== "call")) {
        return literal;
    }
    const doc = documentOf(e, ctx);
    return typeof doc === "string" ? doc : undefined;
}

/** A value of a config file: TOML, YAML, JSON as parsed; an INI file as sections of keys. */
export type Doc = string | number | boolean | null | Doc[] | { [key: string]: Doc };

/** Functions that parse a config file (an open file, or the text), by the format they read. */
const LOADERS: Readonly<Record<string, "toml" | "yaml" | "json" | "omegaconf">> = {
    "tomllib.load": "toml",
    "tomllib.loads": "toml",
    "tomli.load": "toml",
    "tomli.loads": "toml",
    "toml.load": "toml",
    "toml.loads": "toml",
    "yaml.safe_load": "yaml",
    "yaml.load": "yaml",
    "yaml.full_load": "yaml",
    "json.load": "json",
    "json.loads": "json",
    "omegaconf.OmegaConf.load": "omegaconf",
};

/** configparser's parsers: their sections' keys are read case-insensitively. */
const INI_PARSERS = new Set(["configparser.ConfigParser", "configparser.RawConfigParser", "configparser.SafeConfigParser"]);

/** A config file's text parsed by its format; undefined when it does not parse. */
export function parseDocument(text: string, format: "toml" | "yaml" | "json" | "ini" | "omegaconf"): Doc | undefined {
    try {
        if (format === "omegaconf") {
            const doc = loadYaml(text) as Doc;
            return interpolated(doc, doc, 0);
        }
        if (format === "ini") {
            const out: { [section: string]: Doc } = {};
            for (const [name, section] of readIni(text)) {
                out[name] = Object.fromEntries([...section].map(([k, v]) => [k.toLowerCase(), v]));
            }
            return out;
        }
        return (format === "toml" ? parseToml(text) : format === "json" ? JSON.parse(text) : loadYaml(text)) as Doc;
    } catch {
        return undefined;
    }
}

/** dynaconf's settings objects. */
const DYNACONF = new Set(["dynaconf.Dynaconf", "dynaconf.LazySettings"]);

/**
 * The settings a dynaconf object holds, as its files give them (keys upper-cased, as
 * dynaconf reads them case-insensitively): `settings_files` (TOML, YAML, JSON, INI;
 * relative to the working folder), with `environments=True` the [default]
 * table merged with the environment's table (`env_switcher`'s variable as
 * the image sets it, else ENV_FOR_DYNACONF, else development); the image's
 * `<envvar_prefix>_<KEY>` over them; `@format {this.KEY}` values expanded.
 */
function dynaconfDocument(e: Extract<Expr, { kind: "call" }>, ctx: PathContext): Doc | undefined {
    const files = e.kwargs["settings_files"] ?? e.kwargs["settings_file"] ?? e.kwargs["SETTINGS_FILE_FOR_DYNACONF"];
    const names = files?.kind === "list" ? files.items.map((i) => str(i)) : [str(files)];
    const merged: { [key: string]: Doc } = {};
    const environments = e.kwargs["environments"]?.kind === "bool" && (e.kwargs["environments"] as { value: boolean }).value;
    const switcher = str(e.kwargs["env_switcher"]) ?? "ENV_FOR_DYNACONF";
    const env = (ctx.env?.[switcher] ?? str(e.kwargs["env"]) ?? "development").toLowerCase();
    const upper = (doc: Doc | undefined): { [key: string]: Doc } => (doc !== null && typeof doc === "object" && !Array.isArray(doc) ? Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.toUpperCase(), v])) : {});
    let read = false;
    for (const file of names) {
        const format = file === undefined ? undefined : file.endsWith(".toml") ? "toml" : /\.ya?ml$/.test(file) ? "yaml" : file.endsWith(".json") ? "json" : file.endsWith(".ini") ? "ini" : undefined;
        const text = file === undefined || format === undefined ? undefined : readSource(joinPath(ctx.cwd, file), ctx);
        const doc = text === undefined ? undefined : upper(parseDocument(text, format!));
        if (doc === undefined) {
            continue;
        }
        read = true;
        Object.assign(merged, environments ? { ...upper(doc["DEFAULT"]), ...upper(doc[env.toUpperCase()]) } : doc);
    }
    if (!read) {
        return undefined;
    }
    const prefix = str(e.kwargs["envvar_prefix"]) ?? "DYNACONF";
    for (const key of Object.keys(merged)) {
        const set = ctx.env?.[`${prefix}_${key}`];
        if (set !== undefined) {
            merged[key] = set;
        }
    }
    // "@format {this.DATA_DIR}/x": the other keys' values.
    for (const [key, value] of Object.entries(merged)) {
        if (typeof value === "string" && value.startsWith("@format ")) {
            let out = value.slice("@format ".length);
            for (const [k, v] of Object.entries(merged)) {
                if (typeof v === "string" || typeof v === "number") {
                    out = out.split(`{this.${k}}`).join(String(v)).split(`{this.${k.toLowerCase()}}`).join(String(v));
                }
            }
            merged[key] = out.includes("{") ? value : out;
        }
    }
    return merged;
}

/** OmegaConf's `${a.b}` references in a document's strings, replaced by the values they name (unresolvable ones left as written). */
function interpolated(doc: Doc, root: Doc, depth: number): Doc {
    if (typeof doc === "string" && doc.includes("${") && depth < 8) {
        let out = "";
        let at = 0;
        for (let open = doc.indexOf("${"); open >= 0; open = doc.indexOf("${", at)) {
            const close = doc.indexOf("}", open);
            if (close < 0) {
                break;
            }
            let value: Doc | undefined = root;
            for (const key of doc.slice(open + 2, close).split(".")) {
                value = value !== null && typeof value === "object" && !Array.isArray(value) ? value[key] : undefined;
            }
            const resolved = value === undefined ? undefined : interpolated(value, root, depth + 1);
            out += doc.slice(at, open) + (typeof resolved === "string" || typeof resolved === "number" ? String(resolved) : doc.slice(open, close + 1));
            at = close + 1;
        }
        return out + doc.slice(at);
    }
    if (Array.isArray(doc)) {
        return doc.map((d) => interpolated(d, root, depth));
    }
    if (doc !== null && typeof doc === "object") {
        return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, interpolated(v, root, depth)]));
    }
    return doc;
}

/** A source file's text by a path as pathValue gives it (relative, or under the image's app folder). */
function readSource(path: string | undefined, ctx: PathContext): string | undefined {
    if (path === undefined || path === "") {
        return undefined;
    }
    const rel = path.startsWith(`${DEFAULTS.workdir}/`) ? path.slice(DEFAULTS.workdir.length + 1) : path.startsWith("/") ? undefined : path;
    return rel === undefined ? undefined : ctx.read?.(rel);
}

/**
 * The file an expression reads the text of: open(P), Path(P).open(),
 * P.read_text(), <an open file>.read(), a name bound to one of those
 * (`with open(CONFIG_FILE) as fh:`), or a path itself.
 */
function fileRead(e: Expr | undefined, ctx: PathContext, depth: number): string | undefined {
    if (e === undefined || depth > MAX_DEPTH) {
        return undefined;
    }
    if (e.kind === "ref" && !e.local.includes(".")) {
        const b = ctx.lookup(e.local);
        return b === undefined ? undefined : fileRead(b.expr, b.ctx ?? { ...ctx, file: b.file }, depth + 1);
    }
    if (e.kind === "call") {
        const name = calleeOf(e) ?? "";
        if (name === "open" || name === "io.open" || name === "codecs.open") {
            return readSource(pathValue(e.args[0] ?? e.kwargs["file"], ctx, depth + 1), ctx);
        }
        const callee = e.callee;
        const method = callee.kind === "attr" ? callee.name : callee.kind === "ref" && callee.local.includes(".") ? callee.local.slice(callee.local.lastIndexOf(".") + 1) : undefined;
        const target: Expr | undefined = callee.kind === "attr" ? callee.target : callee.kind === "ref" && method !== undefined ? { kind: "ref", path: callee.path.slice(0, -method.length - 1), local: callee.local.slice(0, -method.length - 1) } : undefined;
        if (target !== undefined && (method === "open" || method === "read_text" || method === "read_bytes")) {
            return readSource(pathValue(target, ctx, depth + 1), ctx);
        }
        if (target !== undefined && method === "read" && e.args.length === 0) {
            return fileRead(target, ctx, depth + 1);
        }
    }
    // A path itself (OmegaConf.load(CONF_DIR / "config.yaml")).
    return readSource(pathValue(e, ctx, depth + 1), ctx);
}

/**
 * The value an expression takes from a config file the code parses:
 * `tomllib.load(open(P, "rb"))`, `yaml.safe_load(fh)`, `json.loads(P.read_text())`
 * and what is taken from them (`CONFIG["storage"]["root"]`,
 * `CONFIG.get("site", "x")`); configparser's parser with the files its
 * read() calls name (`parser.get("general", "dbpath", fallback=...)`,
 * `parser["log"]["file"]`). The file is read from the source folder (a
 * relative path from the working folder). Undefined when any step is not
 * read.
 */
export function documentOf(e: Expr, ctx: PathContext, depth = 0): Doc | undefined {
    if (depth > MAX_DEPTH) {
        return undefined;
    }
    switch (e.kind) {
        case "subscript": {
            const key = str(e.index);
            const doc = key === undefined ? undefined : documentOf(e.target, ctx, depth + 1);
            return doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc[key!] ?? doc[key!.toLowerCase()]) : undefined;
        }
        case "ref": {
            const ini = iniParserOf(e, ctx, depth + 1);
            if (ini !== undefined) {
                return ini;
            }
            const b = boundOf(e, ctx, depth + 1);
            return b === undefined || b.expr === e ? undefined : documentOf(b.expr, b.ctx, depth + 1);
        }
        case "call": {
            const name = calleeOf(e) ?? "";
            if (DYNACONF.has(name)) {
                return dynaconfDocument(e, ctx);
            }
            if (name === "omegaconf.OmegaConf.merge" && e.args[0] !== undefined) {
                return documentOf(e.args[0], ctx, depth + 1); // the base; what merges over it comes from the environment or the command line
            }
            const format = LOADERS[name];
            if (format !== undefined) {
                const text = fileRead(e.args[0], ctx, depth + 1);
                return text === undefined ? undefined : parseDocument(text, format);
            }
            const callee = e.callee;
            const getOn: Expr | undefined =
                callee.kind === "ref" && callee.local.endsWith(".get") ? { kind: "ref", path: callee.path.slice(0, -4), local: callee.local.slice(0, -4) } : callee.kind === "attr" && callee.name === "get" ? callee.target : undefined;
            if (getOn !== undefined && e.args.length >= 1) {
                // doc.get("key", default) on a mapping (CONFIG["storage"].get("database", "x.db")); parser.get("section", "key", fallback=...) on a configparser.
                const target = getOn;
                const doc = documentOf(target, ctx, depth + 1);
                if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
                    return undefined;
                }
                const [a, b] = [str(e.args[0]), str(e.args[1])];
                const section = a === undefined ? undefined : doc[a];
                const ini = iniParserOf(target, ctx, depth + 1) !== undefined;
                const found = ini ? (section !== null && typeof section === "object" && !Array.isArray(section) && b !== undefined ? section[b.toLowerCase()] : undefined) : section;
                const fallback = ini ? e.kwargs["fallback"] : (e.args[1] ?? e.kwargs["default"]);
                if (found !== undefined) {
                    return found;
                }
                return fallback === undefined ? undefined : (str(fallback) ?? documentOf(fallback, ctx, depth + 1));
            }
            const b = boundOf(e, ctx, depth + 1);
            return b === undefined || b.expr === e ? undefined : documentOf(b.expr, b.ctx, depth + 1);
        }
        case "dict":
            return dictDoc(e);
        default:
            return undefined;
    }
}

/**
 * A configparser parser a name is bound to, as the files its read() calls
 * name give it (later files over earlier ones, read_dict() as defaults
 * below them): sections of lower-cased keys.
 */
function iniParserOf(e: Expr, ctx: PathContext, depth: number): Doc | undefined {
    let name = e.kind === "ref" && !e.local.includes(".") ? e.local : undefined;
    let at: PathContext = ctx;
    let value: Expr | undefined = e;
    for (let i = 0; name !== undefined && i < 8; i++) {
        const b = at.lookup(name);
        if (b === undefined) {
            return undefined;
        }
        const where: PathContext = b.ctx ?? { ...at, file: b.file };
        value = b.expr;
        if (value.kind === "call" && INI_PARSERS.has(calleeOf(value) ?? "")) {
            return iniReads(name, where);
        }
        // parser = load(): the function's returned name, in its context.
        const next: Bound | undefined = value.kind === "call" ? boundOf(value, where, depth + 1) : { expr: value, ctx: where };
        if (next === undefined || next.expr.kind !== "ref" || next.expr.local.includes(".")) {
            return undefined;
        }
        name = next.expr.local;
        at = next.ctx;
    }
    return undefined;
}

/** The sections a parser bound to `name` reads through its calls in `ctx` (`name.read(P)`, `name.read_file(open(P))`, `name.read_dict(D)`). */
function iniReads(name: string, ctx: PathContext): Doc | undefined {
    const out: { [section: string]: { [key: string]: Doc } } = {};
    const merge = (doc: Doc | undefined): void => {
        for (const [section, keys] of doc !== null && typeof doc === "object" && !Array.isArray(doc) ? Object.entries(doc) : []) {
            if (keys !== null && typeof keys === "object" && !Array.isArray(keys)) {
                out[section] = { ...(out[section] ?? {}), ...Object.fromEntries(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), v])) };
            }
        }
    };
    let read = false;
    for (const c of ctx.calls ?? []) {
        const callee = c.callee.kind === "ref" ? c.callee.local : "";
        if (callee === `${name}.read_dict` && c.args[0] !== undefined) {
            const b = boundOf(c.args[0], ctx);
            merge(b === undefined ? undefined : dictDoc(b.expr));
        } else if (callee === `${name}.read` || callee === `${name}.read_file`) {
            const arg = c.args[0];
            const files = arg?.kind === "list" ? arg.items : arg === undefined ? [] : [arg];
            for (const f of files) {
                const text = callee.endsWith("read_file") ? fileRead(f, ctx, 0) : readSource(pathValue(f, ctx), ctx);
                if (text !== undefined) {
                    merge(parseDocument(text, "ini"));
                    read = true;
                }
            }
        }
    }
    return read ? out : undefined;
}

/** A config document's value as the expression that would hold it. */
function docExpr(doc: Doc): Expr {
    if (typeof doc === "string") {
        return { kind: "str", value: doc };
    }
    if (typeof doc === "number") {
        return { kind: "num", text: String(doc) };
    }
    if (typeof doc === "boolean") {
        return { kind: "bool", value: doc };
    }
    if (doc === null) {
        return { kind: "none" };
    }
    if (Array.isArray(doc)) {
        return { kind: "list", items: doc.map(docExpr) };
    }
    return { kind: "dict", entries: Object.entries(doc).map(([k, v]) => [{ kind: "str", value: k }, docExpr(v)] as const) };
}

/** A dict display of literals as a Doc (a parser's read_dict() defaults). */
function dictDoc(e: Expr): Doc | undefined {
    if (e.kind === "dict") {
        const out: { [key: string]: Doc } = {};
        for (const [k, v] of e.entries) {
            const key = str(k);
            const value = dictDoc(v);
            if (key !== undefined && value !== undefined) {
                out[key] = value;
            }
        }
        return out;
    }
    return str(e);
}

/**
 * An SQLAlchemy URL's database path when its dialect is SQLite, with or
 * without a driver ("sqlite:///app.db", "sqlite+aiosqlite:///app.db",
 * "sqlite+pysqlite:////var/lib/app.db"): what follows the third slash,
 * without the query ("" for the bare prefix); Tortoise ORM's two-slash form
 * ("sqlite://db.sqlite3") gives its relative path; undefined for another
 * dialect or an in-memory database ("sqlite://", "sqlite://:memory:"). The
 * URL is split, not matched.
 */
export function sqliteUrlRest(url: string): string | undefined {
    const sep = url.indexOf("://");
    if (sep < 0 || !isSqliteScheme(url.slice(0, sep))) {
        return undefined;
    }
    const rest = url.slice(sep + 3);
    const q = rest.indexOf("?");
    const path = q < 0 ? rest : rest.slice(0, q);
    if (!path.startsWith("/")) {
        // sqlite:// (no path) is in memory; Tortoise ORM's and databases' sqlite://db.sqlite3 is a path from the working folder.
        return path === "" || path.startsWith(":memory:") ? undefined : path;
    }
    return path.slice(1);
}

/** "sqlite" or "sqlite+<driver>" (SQLAlchemy's dialect+driver). */
function isSqliteScheme(scheme: string): boolean {
    const parts = scheme.split("+");
    return parts.length <= 2 && parts[0].toLowerCase() === "sqlite" && parts.every((p) => p !== "");
}

/** The path of an SQLite URL expression: a literal, or the URL's prefix + a path expression. */
export function sqliteUrlPath(e: Expr | undefined, ctx: PathContext, depth = 0): string | undefined {
    if (!e || depth > 4) {
        return undefined;
    }
    const literal = str(e);
    if (literal !== undefined) {
        const rest = sqliteUrlRest(literal);
        if (rest === undefined || rest === "" || rest.includes(":memory:")) {
            return undefined;
        }
        return rest.startsWith("/") ? normalize(rest) : normalize(join(ctx.cwd, rest));
    }
    if (e.kind === "add" && isSqlitePrefix(str(e.left))) {
        return pathValue(e.right, ctx, depth + 1);
    }
    if (e.kind === "fstring" && e.parts.length >= 2 && isSqlitePrefix(e.parts[0]) && typeof e.parts[1] !== "string") {
        // f"sqlite:///{DB_PATH}", f"sqlite:///{BASE_DIR}/db.sqlite3": the rest is a path.
        return pathValue(e.parts.length === 2 ? e.parts[1] : { kind: "fstring", parts: e.parts.slice(1) }, ctx, depth + 1);
    }
    if (e.kind === "or") {
        return sqliteUrlPath(e.right, ctx, depth + 1) ?? sqliteUrlPath(e.left, ctx, depth + 1);
    }
    if (e.kind === "call") {
        // env.db("DATABASE_URL", default="sqlite:///..."), dj_database_url.config(default=...), os.environ.get("X", "sqlite:///...");
        // dj_database_url.parse(<url>) of one of those.
        const fallback = parsesUrl(e) ? e.args[0] : defaultOf(e);
        return fallback ? sqliteUrlPath(fallback, ctx, depth + 1) : undefined;
    }
    if (e.kind === "ref" && !e.path.includes(".")) {
        const bound = ctx.lookup(e.path);
        return bound ? sqliteUrlPath(bound.expr, bound.ctx ?? { ...ctx, file: bound.file }, depth + 1) : undefined;
    }
    return undefined;
}

/** "sqlite:///" or "sqlite+driver:///": an SQLite URL's prefix, to which a path is appended. */
function isSqlitePrefix(s: string | Expr | undefined): boolean {
    return typeof s === "string" && sqliteUrlRest(s) === "";
}

/** Whether an expression is an SQLite URL or a call whose default is one (it may still be unreadable as a path). */
export function isSqliteUrl(e: Expr | undefined, depth = 0): boolean {
    if (!e || depth > 4) {
        return false;
    }
    const first = e.kind === "fstring" ? e.parts[0] : e.kind === "add" ? str(e.left) : str(e);
    if (typeof first === "string" && first.includes(":") && isSqliteScheme(first.slice(0, first.indexOf(":")))) {
        return true;
    }
    if (e.kind === "or") {
        return isSqliteUrl(e.left, depth + 1) || isSqliteUrl(e.right, depth + 1);
    }
    if (e.kind === "call") {
        return isSqliteUrl(parsesUrl(e) ? e.args[0] : defaultOf(e), depth + 1);
    }
    return false;
}

/** dj-database-url's `parse(url)`: the settings dict of the URL it is given. */
function parsesUrl(e: Extract<Expr, { kind: "call" }>): boolean {
    return calleeOf(e) === "dj_database_url.parse" && e.args.length > 0;
}

function join(a: string, b: string): string {
    return a === "" ? b : b === "" ? a : `${a}/${b}`;
}

/** A path taken from a folder, both relative to the source folder (an absolute `rel` stays); undefined above the source folder. */
export function joinPath(base: string, rel: string): string | undefined {
    return rel.startsWith("/") ? normalize(rel) : normalize(join(base, rel));
}

/**
 * Where a relative path taken from a folder (both relative to the source
 * folder) leads, even above the source folder: `../../lib` from backend is
 * "../lib". For messages about a path that leaves the source folder.
 */
export function resolvedFrom(base: string, rel: string): string {
    const out: string[] = [];
    for (const part of join(base, rel).split("/")) {
        if (part === "" || part === ".") {
            continue;
        }
        if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") {
            out.pop();
        } else {
            out.push(part);
        }
    }
    return out.length === 0 ? "." : out.join("/");
}

/** A folder of the source folder as a path relative to another (`base`): "backend/lib" from backend is "lib", "shared" from backend "../shared", `base` itself ".". */
export function relativeTo(base: string, p: string): string {
    if (base === "" || p.startsWith("/")) {
        return p === "" ? "." : p;
    }
    const from = base.split("/");
    const to = p === "" ? [] : p.split("/");
    let same = 0;
    while (same < from.length && same < to.length && from[same] === to[same]) {
        same++;
    }
    const up = from.slice(same).map(() => "..");
    const rest = [...up, ...to.slice(same)];
    return rest.length === 0 ? "." : rest.join("/");
}

function parent(p: string): string | undefined {
    if (p === "" || p === "/") {
        return undefined; // above the source folder: not a path in the image's app folder
    }
    const i = p.lastIndexOf("/");
    return i < 0 ? "" : i === 0 ? "/" : p.slice(0, i);
}

/** Collapses "." and ".." (a relative path may not climb above the source folder). */
export function normalize(p: string): string | undefined {
    const absolute = p.startsWith("/");
    const out: string[] = [];
    for (const part of p.split("/")) {
        if (part === "" || part === ".") {
            continue;
        }
        if (part === "..") {
            if (out.length === 0) {
                return undefined;
            }
            out.pop();
            continue;
        }
        out.push(part);
    }
    return (absolute ? "/" : "") + out.join("/");
}

/**
 * A PathContext that sees a call's function first: its local names (the
 * last value each is assigned), and none of the module's names its
 * parameters hide. `path = os.path.join(app.config["UPLOAD_FOLDER"], name);
 * f.save(path)` then reads as the join it is.
 */
export function withLocals(ctx: PathContext, mod: PyModule, call: Extract<Expr, { kind: "call" }>): PathContext {
    return {
        ...ctx,
        lookup: (name) => {
            const own = mod.local(call, name);
            if (own === null) {
                return undefined; // a parameter: the caller's value
            }
            return own !== undefined ? { expr: own, file: ctx.file } : ctx.lookup(name);
        },
    };
}
