import { DEFAULTS } from "../data/defaults";
import { Bound, boundOf, decide, Definition, definitionOf } from "./code-objects";
import { documentOf } from "./config-documents";
import { readerDefault } from "./python-eval";
import { calleeOf, Expr, keywordArgs, PyModule, refPath, str } from "./python-source";
import { byName } from "../data/by-name";

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
    /** Flask's `current_app.root_path`: the folder of the module that makes the app, relative to the source folder ("" at its root). */
    appRoot?(): string | undefined;
    /** A Django setting's path (`django.conf.settings.MEDIA_ROOT` read in a project's own apps). */
    setting?(name: string): string | undefined;
    /** The calls of the code the context reads (the module's, or the function's): a ConfigParser's read() calls. */
    readonly calls?: readonly Extract<Expr, { kind: "call" }>[];
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
export const MAX_DEPTH = 32;

export function pathValue(e: Expr | undefined, ctx: PathContext, depth = 0): string | undefined {
    if (!e || depth > MAX_DEPTH) {
        return undefined;
    }
    const formatted = asFString(e);
    if (formatted !== undefined) {
        return pathValue(formatted, ctx, depth + 1);
    }
    const literal = str(e);
    if (literal !== undefined) {
        return literal.startsWith("/") ? joinIn("", literal) : joinIn(ctx.cwd, literal);
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
            return joinIn(base, tail.slice(1));
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
            if (e.path === "flask.current_app.root_path") {
                return ctx.appRoot?.() ?? parent(ctx.file); // the app's, from a blueprint's module too
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
                const root = e.path === "flask.current_app.static_folder" ? (ctx.appRoot?.() ?? parent(ctx.file)) : parent(ctx.file);
                return root === undefined ? undefined : joinIn(root, "static");
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
            // `dirs.user_data_dir` with `dirs = PlatformDirs("Lute3", "Lute3")` (lute-v3): the class's folder, as written inline.
            const cut = e.local.lastIndexOf(".");
            const made = cut > 0 && !e.local.slice(0, cut).includes(".") && USER_DIRS[`platformdirs.${e.local.slice(cut + 1)}`] !== undefined ? ctx.lookup(e.local.slice(0, cut)) : undefined;
            if (made !== undefined && made.expr.kind === "call") {
                return pathValue({ kind: "attr", target: made.expr, name: e.local.slice(cut + 1) }, made.ctx ?? { ...ctx, file: made.file }, depth + 1);
            }
            // An attribute of an app object: `settings.data_dir`, `self.DATA_DIR`, `config.archive_dir` (a property).
            const b = boundOf(e, ctx, depth + 1);
            return b === undefined ? undefined : pathValue(b.expr, b.ctx, depth + 1);
        }
        case "add": {
            // basedir + "/app/static/uploads/", GUESTBOOK + ".tmp", basedir + os.sep + "forum.sqlite": a path, then literal text.
            const [head, ...rest] = addOperands(e);
            const left = pathValue(head, ctx, depth + 1);
            const texts = rest.map((x) => str(x) ?? (x.kind === "ref" && x.path === "os.sep" ? "/" : undefined));
            if (left === undefined || texts.some((t) => t === undefined)) {
                return undefined;
            }
            const right = texts.join("");
            // The source folder itself is "": its text starts the path, as "<folder>" + "/x" does.
            return left === "" ? normalize(right.startsWith("/") ? right.slice(1) : right) : normalize(left + right);
        }
        case "div": {
            const left = pathValue(e.left, ctx, depth + 1);
            const right = segment(e.right, ctx);
            return left !== undefined && right !== undefined ? joinIn(left, right) : undefined;
        }
        case "attr": {
            if (e.name === "parent") {
                const inner = pathValue(e.target, ctx, depth + 1);
                return inner === undefined ? undefined : parent(inner);
            }
            // platformdirs' class (`PlatformDirs("app", "author").user_data_dir`, appdirs' AppDirs): the function of that name.
            const dirs = e.target.kind === "call" ? refPath(e.target.callee) : undefined;
            if (e.target.kind === "call" && (dirs === "platformdirs.PlatformDirs" || dirs === "appdirs.AppDirs") && USER_DIRS[`platformdirs.${e.name}`] !== undefined) {
                return pathValue({ ...e.target, callee: { kind: "ref", path: `platformdirs.${e.name}`, local: e.name } }, ctx, depth + 1);
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
                    const seg = segment(a, ctx);
                    return acc === undefined || seg === undefined ? undefined : joinIn(acc, seg);
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
                return given !== undefined ? pathValue(given, ctx, depth + 1) : factory !== undefined ? pathValue({ kind: "call", callee: factory, args: [], kwargs: keywordArgs() }, ctx, depth + 1) : undefined;
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
                    const s = segment(a, ctx);
                    return acc === undefined || s === undefined ? undefined : joinIn(acc, s);
                }, undefined);
            }
            if (name === "os.path.join" && e.args.length >= 1) {
                let acc = pathValue(e.args[0], ctx, depth + 1);
                for (const a of e.args.slice(1)) {
                    const s = segment(a, ctx);
                    if (acc === undefined || s === undefined) {
                        return undefined;
                    }
                    acc = joinIn(acc, s);
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
const USER_DIRS: Readonly<Record<string, string>> = byName({
    "platformdirs.user_data_dir": ".local/share",
    "platformdirs.user_data_path": ".local/share",
    "platformdirs.user_state_dir": ".local/state",
    "platformdirs.user_state_path": ".local/state",
    "platformdirs.user_cache_dir": ".cache",
    "platformdirs.user_cache_path": ".cache",
    "platformdirs.user_log_dir": ".local/state",
    "platformdirs.user_config_dir": ".config",
    "platformdirs.user_config_path": ".config",
});

/** A path segment: a literal, or os.pardir / os.curdir (os.path's too) as "..", "."; with a context, a config file's value too (`ROOT / CONFIG["storage"].get("database", "links.sqlite3")`). */
function segment(e: Expr, ctx?: PathContext): string | undefined {
    const name = e.kind === "ref" ? e.path : undefined;
    const literal = str(e) ?? (name === "os.pardir" || name === "os.path.pardir" ? ".." : name === "os.curdir" || name === "os.path.curdir" ? "." : undefined);
    if (literal !== undefined || ctx === undefined) {
        return literal;
    }
    if (e.kind === "ref" && !e.path.startsWith("os.")) {
        // A name bound to a literal: os.path.join(CONFIG_DIR, DEFAULT_SETTINGS_FILE).
        const b = boundOf(e, ctx);
        const doc = b === undefined || str(b.expr) !== undefined ? undefined : documentOf(b.expr, b.ctx);
        return b === undefined ? undefined : (str(b.expr) ?? (typeof doc === "string" ? doc : undefined));
    }
    if (e.kind !== "subscript" && e.kind !== "call") {
        return undefined;
    }
    if (e.kind === "call") {
        // A name read from the environment with a default (bakerydemo's os.path.join(BASE_DIR, os.environ.get("DATABASE_NAME", "bakerydemodb"))):
        // the image's value when it sets the variable, else the default.
        const set = ENV_READERS.has(calleeOf(e) ?? "") ? ctx.env?.[str(e.args[0]) ?? ""] : undefined;
        const fallback = set === undefined ? defaultOf(e) : undefined;
        const value = set ?? (fallback === undefined ? undefined : str(fallback));
        if (value !== undefined) {
            return value;
        }
    }
    const doc = documentOf(e, ctx);
    return typeof doc === "string" ? doc : undefined;
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
    const formatted = asFString(e);
    if (formatted !== undefined) {
        return sqliteUrlPath(formatted, ctx, depth + 1);
    }
    const literal = str(e);
    if (literal !== undefined) {
        const rest = sqliteUrlRest(literal);
        if (rest === undefined || rest === "" || rest.includes(":memory:")) {
            return undefined;
        }
        return rest.startsWith("/") ? normalize(rest) : normalize(join(ctx.cwd, rest));
    }
    // "sqlite:///" + path, the prefix also through a module's name (`prefix + os.path.join(basedir, "data.db")`, the
    // prefix set per platform: on Linux `sqlite:////` before an absolute path).
    // A chain (`"sqlite:///" + basedir + "/forum.sqlite"`) adds from the left: its first operand is the prefix, the others the path.
    const operands = addOperands(e);
    const head = operands[0];
    const prefix = operands.length > 1 ? (str(head) ?? (head.kind === "ref" && !head.path.includes(".") ? str(ctx.lookup(head.path)?.expr) : undefined)) : undefined;
    const afterScheme = prefix === undefined ? undefined : sqliteUrlRest(prefix);
    if (afterScheme === "" || afterScheme === "/") {
        return pathValue(operands.slice(2).reduce<Expr>((left, right) => ({ kind: "add", left, right }), operands[1]), ctx, depth + 1);
    }
    if (e.kind === "fstring" && e.parts.length >= 2 && isSqlitePrefix(e.parts[0]) && typeof e.parts[1] !== "string") {
        // f"sqlite:///{DB_PATH}", f"sqlite:///{BASE_DIR}/db.sqlite3": the rest is a path.
        return pathValue(e.parts.length === 2 ? e.parts[1] : { kind: "fstring", parts: e.parts.slice(1) }, ctx, depth + 1);
    }
    if (e.kind === "or") {
        return sqliteUrlPath(e.right, ctx, depth + 1) ?? sqliteUrlPath(e.left, ctx, depth + 1);
    }
    if (e.kind === "call") {
        // os.environ.get("X", ...) with X set by the image (the app's Dockerfile ENV, a platform's config): its value.
        const set = ENV_READERS.has(calleeOf(e) ?? "") ? ctx.env?.[str(e.args[0]) ?? ""] : undefined;
        if (set !== undefined) {
            return sqliteUrlPath({ kind: "str", value: set }, ctx, depth + 1);
        }
        // env.db("DATABASE_URL", default="sqlite:///..."), dj_database_url.config(default=...), os.environ.get("X", "sqlite:///...");
        // dj_database_url.parse(<url>) of one of those.
        const fallback = parsesUrl(e) ? e.args[0] : defaultOf(e);
        return fallback ? sqliteUrlPath(fallback, ctx, depth + 1) : undefined;
    }
    // os.environ["USER_DB_URI"] with the image's ENV setting it (gramps-web-api's Dockerfile).
    const key = e.kind === "subscript" && e.target.kind === "ref" && e.target.path === "os.environ" ? str(e.index) : undefined;
    if (key !== undefined && ctx.env?.[key] !== undefined) {
        return sqliteUrlPath({ kind: "str", value: ctx.env[key] }, ctx, depth + 1);
    }
    if (e.kind === "ref" && !e.path.includes(".")) {
        const bound = ctx.lookup(e.path);
        return bound ? sqliteUrlPath(bound.expr, bound.ctx ?? { ...ctx, file: bound.file }, depth + 1) : undefined;
    }
    return undefined;
}

/**
 * A string formatted with str.format() or `%` as the f-string it equals:
 * `"sqlite:///{0}".format(path)`, `"sqlite:///{}".format(path)`,
 * `"{root}/db".format(root=BASE)`, `"sqlite:///%s" % path`. Undefined for
 * anything else, or a template with format specs or other conversions.
 */
export function asFString(e: Expr): Extract<Expr, { kind: "fstring" }> | undefined {
    if (e.kind === "call" && e.callee.kind === "attr" && e.callee.name === "format" && e.callee.target.kind === "str") {
        const template = e.callee.target.value;
        const parts: Array<string | Expr> = [];
        let auto = 0;
        let text = "";
        for (let i = 0; i < template.length; i++) {
            const ch = template[i];
            if ((ch === "{" || ch === "}") && template[i + 1] === ch) {
                text += ch;
                i++;
                continue;
            }
            if (ch === "}") {
                return undefined;
            }
            if (ch !== "{") {
                text += ch;
                continue;
            }
            const close = template.indexOf("}", i);
            const field = close < 0 ? undefined : template.slice(i + 1, close);
            if (field === undefined || [...field].some((c) => ":!.[".includes(c))) {
                return undefined; // a format spec, a conversion or an attribute: not read
            }
            const value = field === "" ? e.args[auto++] : [...field].every((c) => c >= "0" && c <= "9") ? e.args[Number(field)] : e.kwargs[field];
            if (value === undefined) {
                return undefined;
            }
            parts.push(text, value);
            text = "";
            i = close;
        }
        parts.push(text);
        return { kind: "fstring", parts: parts.filter((p) => p !== "") };
    }
    if (e.kind === "mod" && e.left.kind === "str") {
        const pieces = e.left.value.split("%s");
        const values = e.right.kind === "list" ? e.right.items : [e.right];
        if (pieces.some((p) => p.includes("%") && !p.includes("%%")) || pieces.length - 1 !== values.length) {
            return undefined;
        }
        const parts: Array<string | Expr> = [];
        pieces.forEach((p, i) => {
            parts.push(p.split("%%").join("%"));
            if (i < values.length) {
                parts.push(values[i]);
            }
        });
        return { kind: "fstring", parts: parts.filter((p) => p !== "") };
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
    const formatted = asFString(e);
    if (formatted !== undefined) {
        return isSqliteUrl(formatted, depth + 1);
    }
    const first = e.kind === "fstring" ? e.parts[0] : str(addOperands(e)[0]);
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

/**
 * The deepest folder a path computed at run time is known to sit in, when
 * the path itself is not known: `os.path.join(BASE, "uploads", str(user_id))`
 * is under BASE/uploads, `UPLOADS / name` under UPLOADS,
 * `os.path.join(basedir, "whoosh_index", py_version)` under
 * basedir/whoosh_index. The parts that are not read are the last ones;
 * undefined when no leading part is read.
 */
export function knownFolder(e: Expr | undefined, ctx: PathContext, depth = 0): string | undefined {
    if (!e || depth > MAX_DEPTH) {
        return undefined;
    }
    if (e.kind === "ref" && !e.local.includes(".")) {
        const b = ctx.lookup(e.local);
        return b === undefined ? undefined : knownFolder(b.expr, b.ctx ?? { ...ctx, file: b.file }, depth + 1);
    }
    if (e.kind === "call" && calleeOf(e) === "os.path.join" && e.args.length >= 2) {
        for (let n = e.args.length - 1; n >= 1; n--) {
            const lead: Expr = n === 1 ? e.args[0] : { ...e, args: e.args.slice(0, n) };
            const path = pathValue(lead, ctx, depth + 1);
            if (path !== undefined) {
                return path;
            }
        }
        return knownFolder(e.args[0], ctx, depth + 1);
    }
    if (e.kind === "div") {
        return pathValue(e.left, ctx, depth + 1) ?? knownFolder(e.left, ctx, depth + 1);
    }
    return undefined;
}

/** The operands of a chain of `+` (`a + b + c`, which Python reads as `(a + b) + c`), left to right; the expression alone when it is not one. */
function addOperands(e: Expr): Expr[] {
    return e.kind === "add" ? [...addOperands(e.left), e.right] : [e];
}

/** dj-database-url's `parse(url)`: the settings dict of the URL it is given. */
function parsesUrl(e: Extract<Expr, { kind: "call" }>): boolean {
    return calleeOf(e) === "dj_database_url.parse" && e.args.length > 0;
}

function join(a: string, b: string): string {
    return a === "" ? b : b === "" ? a : `${a}/${b}`;
}

/**
 * A path taken from a folder as the app's code takes it in the image, where
 * the source folder is the image's app folder: relative to the source
 * folder, or absolute (an absolute `rel` stays; a path that climbs above the
 * source folder, `../datastore` from it, is the absolute place it reaches).
 */
function joinIn(base: string, rel: string): string | undefined {
    const inside = joinPath(base, rel);
    if (inside !== undefined || base.startsWith("/")) {
        return inside;
    }
    const parts = resolvedFrom(base, rel).split("/");
    const up = parts.findIndex((p) => p !== "..");
    const workdir = DEFAULTS.workdir.split("/").filter((p) => p !== "");
    const above = workdir.slice(0, Math.max(0, workdir.length - (up < 0 ? parts.length : up)));
    return normalize(`/${[...above, ...(up < 0 ? [] : parts.slice(up))].join("/")}`);
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
