import { bind, calleeOf, Expr, FunctionDef, keywordArgs, mapChildren, refPath, str } from "./python-source";

/**
 * A small evaluator for what settings modules compute at import, over the
 * expressions python-source.ts reads: names replaced by the values they
 * held when a statement ran (python-source.ts' bind), list displays with starred items and
 * concatenations (listOf), and the booleans and strings a module derives
 * from its environment (evaluate): os.environ / os.getenv, django-environ,
 * environs and python-decouple readers with their casts and defaults. What
 * it cannot read exactly is undefined, never a guess: a caller that sets a
 * variable because of it can rely on the result.
 */

type Call = Extract<Expr, { kind: "call" }>;

/** A variable as a process sees it: its value, undefined when unset, null when set to a value not known here (a build secret). */
export type EnvView = (name: string) => string | null | undefined;

export type Val =
    | { readonly t: "str"; readonly v: string }
    | { readonly t: "bool"; readonly v: boolean }
    | { readonly t: "num"; readonly v: number }
    | { readonly t: "none" }
    | { readonly t: "list"; readonly items: readonly Val[] };

const NONE: Val = { t: "none" };
const MAX_DEPTH = 64;

/** Every sub-expression, each shared one once. */
export function walk(e: Expr, visit: (x: Expr) => void, seen = new Set<Expr>()): void {
    if (seen.has(e) || seen.size > 20000) {
        return;
    }
    seen.add(e);
    visit(e);
    const go = (x: Expr) => walk(x, visit, seen);
    switch (e.kind) {
        case "call":
            go(e.callee);
            e.args.forEach(go);
            Object.values(e.kwargs).forEach(go);
            break;
        case "attr":
            go(e.target);
            break;
        case "list":
            e.items.forEach(go);
            break;
        case "dict":
            e.entries.forEach(([k, v]) => (go(k), go(v)));
            break;
        case "div":
        case "add":
        case "or":
        case "and":
        case "compare":
            go(e.left);
            go(e.right);
            break;
        case "not":
            go(e.operand);
            break;
        case "starred":
            go(e.value);
            break;
        case "subscript":
            go(e.target);
            go(e.index);
            break;
        case "fstring":
            e.parts.forEach((p) => typeof p !== "string" && go(p));
            break;
        case "cond":
            go(e.test);
            go(e.then);
            go(e.otherwise);
            break;
        case "mod":
            go(e.left);
            go(e.right);
            break;
    }
}

// ---------------------------------------------------------------------------
// Reading the environment

/** How a call reads one environment variable. */
export interface EnvReader {
    readonly variable: string;
    /** The value read when the variable is set; undefined when the cast is not modelled or refuses the value. */
    parse(raw: string): Val | undefined;
    /** Whether an unset variable fails the import (no default). */
    readonly required: boolean;
    /** The value when unset; undefined when not known (or required). */
    unset(env: EnvView): Val | undefined;
}

const OS_READ = new Set(["os.environ.get", "os.getenv", "os.environ.setdefault"]);

/** django-environ's Env methods: the variable a URL reader falls back to, and where the default goes when given by position. */
const DJANGO_ENVIRON_VAR = new Map(Object.entries({
    db: "DATABASE_URL", db_url: "DATABASE_URL", cache: "CACHE_URL", cache_url: "CACHE_URL", email: "EMAIL_URL", email_url: "EMAIL_URL", search_url: "SEARCH_URL",
}));
const DJANGO_ENVIRON_DEFAULT_AT = new Map(Object.entries({
    str: 1, bool: 1, int: 1, float: 1, json: 1, url: 1, path: 1, db: 1, db_url: 1, cache: 1, cache_url: 1, email: 1, email_url: 1, search_url: 1,
    list: 2, tuple: 2, dict: 2, get_value: 2, __call__: 2,
}));
const ENVIRONS_METHODS = new Set(["__call__", "str", "bool", "int", "float", "decimal", "list", "dict", "json", "url", "path", "date", "datetime", "timedelta", "uuid", "log_level", "enum", "dj_db_url", "dj_cache_url", "dj_email_url"]);

/** The reader object an expression makes: django-environ's Env(), environs' Env(), python-decouple's AutoConfig()/Config(). */
function readerObject(e: Expr): "environ" | "environs" | "decouple" | "starlette" | undefined {
    switch (calleeOf(e)) {
        case "environ.Env":
            return "environ";
        case "environs.Env":
            return "environs";
        case "decouple.AutoConfig":
        case "decouple.Config":
            return "decouple";
        case "starlette.config.Config":
            return "starlette";
        default:
            return undefined;
    }
}

type Cast = (v: Val) => Val | undefined;
const asStr: Cast = (v) => (v.t === "str" ? v : undefined);
const identity: Cast = (v) => v;

/** django-environ's bool: an integer is true unless 0, else one of its true words. */
const DJANGO_ENVIRON_TRUE = new Set(["true", "on", "ok", "y", "yes", "1"]);
const djangoEnvironBool: Cast = (v) => {
    if (v.t !== "str") {
        return undefined;
    }
    const n = pyInt(v);
    return { t: "bool", v: n !== undefined ? n.v !== 0 : DJANGO_ENVIRON_TRUE.has(v.v.toLowerCase()) };
};
/** environs (marshmallow's Boolean): its true and false words; anything else fails. */
const ENVIRONS_TRUE = new Set(["t", "T", "true", "True", "TRUE", "on", "On", "ON", "y", "Y", "yes", "Yes", "YES", "1"]);
const ENVIRONS_FALSE = new Set(["f", "F", "false", "False", "FALSE", "off", "Off", "OFF", "n", "N", "no", "No", "NO", "0"]);
const environsBool: Cast = (v) => (v.t !== "str" ? undefined : ENVIRONS_TRUE.has(v.v) ? { t: "bool", v: true } : ENVIRONS_FALSE.has(v.v) ? { t: "bool", v: false } : undefined);
/** python-decouple's bool cast (applied to the default too, through str()). */
const DECOUPLE_BOOL = new Map(Object.entries({ "1": true, yes: true, true: true, on: true, "0": false, no: false, false: false, off: false, "": false }));
const decoupleBool: Cast = (v) => {
    const b = DECOUPLE_BOOL.get(pyStr(v)?.toLowerCase() ?? "None");
    return b === undefined ? undefined : { t: "bool", v: b };
};
/** Starlette's Config bool cast: "true"/"1" and "false"/"0", any case. */
const starletteBool: Cast = (v) => {
    const t = v.t === "str" ? v.v.toLowerCase() : undefined;
    return t === "true" || t === "1" ? { t: "bool", v: true } : t === "false" || t === "0" ? { t: "bool", v: false } : undefined;
};
const intCast: Cast = (v) => pyInt(v);

function castByName(name: string | undefined, bool: Cast): Cast | undefined {
    switch (name) {
        case undefined:
        case "str":
            return asStr;
        case "bool":
            return bool;
        case "int":
            return intCast;
        default:
            return undefined;
    }
}

/** The reader a call is, when it reads an environment variable (names already bound). */
export function envReader(call: Call): EnvReader | undefined {
    const path = calleeOf(call);
    if (path !== undefined && OS_READ.has(path)) {
        const variable = str(call.args[0] ?? call.kwargs["key"]);
        const def = call.args[1] ?? call.kwargs["default"];
        return variable === undefined ? undefined : { variable, parse: (raw) => ({ t: "str", v: raw }), required: false, unset: (env) => (def ? evaluate(def, env) : NONE) };
    }
    const method = call.callee.kind === "attr" ? call.callee.name : "__call__";
    const target = call.callee.kind === "attr" ? call.callee.target : call.callee;
    const kind = path === "decouple.config" ? "decouple" : target.kind === "call" ? readerObject(target) : undefined;
    if (kind === "decouple" && method === "__call__") {
        // config(option, default=undefined, cast=undefined): the cast applies to the default too.
        const variable = str(call.args[0] ?? call.kwargs["option"]);
        const def = call.kwargs["default"] ?? call.args[1];
        const castExpr = call.kwargs["cast"] ?? call.args[2];
        const cast = castExpr === undefined ? identity : castByName(refPath(castExpr), decoupleBool);
        if (variable === undefined) {
            return undefined;
        }
        return {
            variable,
            required: def === undefined,
            parse: (raw) => cast?.({ t: "str", v: raw }),
            unset: (env) => {
                const d = def ? evaluate(def, env) : undefined;
                return d && cast ? cast(d) : undefined;
            },
        };
    }
    if (kind === "starlette" && (method === "__call__" || method === "get")) {
        // Starlette's Config: config(key, cast=None, default=undefined); a missing key with no default raises KeyError at import.
        // Config(".env", env_prefix="APP_") reads APP_<key>.
        const prefix = target.kind === "call" ? (str(target.kwargs["env_prefix"]) ?? "") : "";
        const key = str(call.args[0] ?? call.kwargs["key"]);
        const variable = key === undefined ? undefined : `${prefix}${key}`;
        const def = call.kwargs["default"] ?? call.args[2];
        const cast = castByName(refPath(call.kwargs["cast"] ?? call.args[1]), starletteBool) ?? identity;
        return variable === undefined
            ? undefined
            : { variable, required: def === undefined, parse: (raw) => cast({ t: "str", v: raw }), unset: (env) => (def ? evaluate(def, env) : undefined) };
    }
    const defaultAt = DJANGO_ENVIRON_DEFAULT_AT.get(method);
    if (kind === "environ" && defaultAt !== undefined && target.kind === "call") {
        // env("X", cast=None, default=NOTSET), env.bool("X", default=NOTSET), env.db() (DATABASE_URL), ...; Env(X=(cast, default)) gives defaults.
        const generic = method === "__call__" || method === "get_value";
        const variable = str(call.args[0] ?? call.kwargs["var"]) ?? DJANGO_ENVIRON_VAR.get(method);
        if (variable === undefined) {
            return undefined;
        }
        const scheme = Object.prototype.hasOwnProperty.call(target.kwargs, variable) ? target.kwargs[variable] : undefined;
        const schemeCast = scheme?.kind === "list" ? scheme.items[0] : scheme;
        const schemeDefault = scheme?.kind === "list" && scheme.items.length === 2 ? scheme.items[1] : undefined;
        const def = call.kwargs["default"] ?? call.args[defaultAt] ?? schemeDefault;
        const castName = generic ? refPath(call.kwargs["cast"] ?? call.args[1] ?? schemeCast) : method;
        const cast = castByName(castName, djangoEnvironBool);
        const parsesDefault = call.kwargs["parse_default"] !== undefined;
        return {
            variable,
            required: def === undefined,
            parse: (raw) => cast?.({ t: "str", v: raw }),
            // The default comes back as written, not cast.
            unset: (env) => (def && !parsesDefault ? evaluate(def, env) : undefined),
        };
    }
    if (kind === "environs" && ENVIRONS_METHODS.has(method)) {
        const variable = str(call.args[0] ?? call.kwargs["name"]);
        const def = call.kwargs["default"] ?? call.args[1];
        const cast = castByName(method === "__call__" ? "str" : method, environsBool);
        return variable === undefined
            ? undefined
            : { variable, required: def === undefined, parse: (raw) => cast?.({ t: "str", v: raw }), unset: (env) => (def ? evaluate(def, env) : undefined) };
    }
    return undefined;
}

/**
 * The variable a reader object's call reads and the default it falls back
 * to, as written (`env.path("DATA_DIR", Path("var"))` with env = environs'
 * Env(), django-environ's `env.str("X", default=...)`, decouple's
 * `config("X", default=...)`): for a caller that reads the default as
 * something other than a value (a path). Names must be bound in `call`.
 */
export function readerDefault(call: Call): { readonly variable: string; readonly default?: Expr } | undefined {
    const path = calleeOf(call);
    const method = call.callee.kind === "attr" ? call.callee.name : "__call__";
    const target = call.callee.kind === "attr" ? call.callee.target : call.callee;
    const kind = path === "decouple.config" ? "decouple" : target.kind === "call" ? readerObject(target) : undefined;
    const at = kind === "environs" && ENVIRONS_METHODS.has(method) ? 1 : kind === "environ" ? DJANGO_ENVIRON_DEFAULT_AT.get(method) : kind === "decouple" && method === "__call__" ? 1 : undefined;
    const variable = str(call.args[0] ?? call.kwargs["name"] ?? call.kwargs["var"] ?? call.kwargs["option"]);
    if (at === undefined || variable === undefined) {
        return undefined;
    }
    const def = call.kwargs["default"] ?? call.args[at];
    return def === undefined ? { variable } : { variable, default: def };
}

/** os.environ["X"]: the variable, when the expression is that. */
function environItem(e: Expr): string | undefined {
    return e.kind === "subscript" && refPath(e.target) === "os.environ" ? str(e.index) : undefined;
}

/** The environment variables an expression reads (names already bound), in order. */
export function envVariables(e: Expr): string[] {
    const out: string[] = [];
    walk(e, (x) => {
        let v: string | undefined;
        if (x.kind === "call") {
            v = envReader(x)?.variable;
        } else if (x.kind === "compare" && (x.op === "in" || x.op === "not in") && refPath(x.right) === "os.environ") {
            v = str(x.left);
        } else {
            v = environItem(x);
        }
        if (v !== undefined && !out.includes(v)) {
            out.push(v);
        }
    });
    return out;
}

/**
 * Calls to a module's own helpers (environment helpers above all) replaced by what they return, so the readers above see the variables
 * and defaults: saleor's `DEBUG = get_bool_from_env("DEBUG", False)`, paperless-ngx's
 * `DATA_DIR = __get_path("PAPERLESS_DATA_DIR", BASE_DIR.parent / "data")`. A helper is taken only when it is plain:
 * a module-level function, not async or decorated, called with at most its parameters (by position or name; the rest
 * take their defaults), which reassigns none of them, whose returns, under the `if`/`else` tests they sit in, name only
 * its parameters, names it assigns once (or in turn under `if`/`else`, outside loops and `try`: one conditional expression),
 * and module-level names, and read the environment (see below), and where only the last
 * return stands outside an `if` (a loop, or a `try`/`except` other than the one of `tryEnviron`, is not followed). Its returns become one conditional expression, in
 * order (`x if test else ...`), None where none returns; a helper of one return outside any `if` is read whether or not it reads the
 * environment. Calls anywhere in the expression are replaced (`DATABASES = {"default": db_config()}`), and calls in what a
 * helper returns, MAX_HELPER_DEPTH deep; a call to anything else is left as the call it is.
 */
export function inlineHelpers(e: Expr, functions: ReadonlyMap<string, FunctionDef>, depth = 0): Expr {
    const inner = mapChildren(e, (x) => inlineHelpers(x, functions, depth));
    const fn = inner.kind === "call" && inner.callee.kind === "ref" && !inner.callee.local.includes(".") ? functions.get(inner.callee.local) : undefined;
    const inlined = inner.kind === "call" && depth < MAX_HELPER_DEPTH ? inlineHelper(inner, fn) : undefined;
    // What a helper returns may call another (`DATABASES = {"default": db_config()}`, whose NAME is `env_path(...)`).
    return inlined === undefined ? inner : inlineHelpers(inlined, functions, depth + 1);
}

/** How deep helpers calling helpers are followed: a recursive one stops here. */
const MAX_HELPER_DEPTH = 3;

function inlineHelper(c: Call, fn: FunctionDef | undefined): Expr | undefined {
    // A last `*args` is spread where the body passes it on (pontoon's `def path(*args): return os.path.join(ROOT, *args)`).
    const rest = fn?.params[fn.params.length - 1]?.star === "args" ? fn.params[fn.params.length - 1] : undefined;
    const fixed = fn === undefined ? [] : rest === undefined ? fn.params : fn.params.slice(0, -1);
    if (fn === undefined || fn.async || fn.decorators.length > 0 || fixed.some((p) => p.variadic) || (rest === undefined && c.args.length > fixed.length) || fn.guardedReturns.length === 0) {
        return undefined;
    }
    const extra = c.args.slice(fixed.length);
    if (extra.some((a) => a.kind === "starred")) {
        return undefined;
    }
    const spread = (x: Expr): Expr | undefined => (rest === undefined ? x : spreadRest(x, rest.name, extra));
    const args = new Map<string, Expr>();
    for (const [i, p] of fixed.entries()) {
        const given = i < c.args.length ? c.args[i] : c.kwargs[p.name];
        const value = given ?? p.default;
        if (value === undefined || value.kind === "starred") {
            return undefined;
        }
        args.set(p.name, value);
    }
    if (Object.keys(c.kwargs).some((k) => !args.has(k))) {
        return undefined;
    }
    const once = new Map<string, Expr>();
    const assigned = new Set<string>();
    const counts = new Map<string, number>();
    for (const [name, value] of fn.assigns) {
        if (assigned.has(name)) {
            once.delete(name);
        } else {
            once.set(name, value);
        }
        assigned.add(name);
        counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    // A name assigned in turn under `if`/`else` (Tandoor's `if DATABASE_URL: DATABASES = {...} else: DATABASES = {...}`), none
    // of it in a loop or a `try`: one conditional expression, each assignment over what came before where its tests hold.
    for (const [name, n] of counts) {
        const steps = fn.guardedAssigns.filter((a) => a.name === name);
        if (n < 2 || steps.length !== n || args.has(name)) {
            continue;
        }
        let value: Expr = { kind: "none" };
        for (const a of steps) {
            const tests = a.guards.map((g): Expr => (g.holds ? g.test : { kind: "not", operand: g.test }));
            value = tests.length === 0 ? a.value : { kind: "cond", test: tests.reduce((x, y) => ({ kind: "and", left: x, right: y })), then: a.value, otherwise: value };
        }
        once.set(name, value);
    }
    const parts = fn.guardedReturns.flatMap((r) => [r.value, ...r.guards.map((g) => g.test)]);
    let local = true;
    parts.forEach((p) =>
        walk(p, (x) => {
            const root = x.kind === "ref" ? x.local.split(".")[0] : undefined;
            if (root !== undefined && assigned.has(root) && !once.has(root) && !args.has(root)) {
                local = false;
            }
        }),
    );
    const withArgs = (x: Expr) => bind(x, (name) => args.get(name));
    const withLocals = (x: Expr) => withArgs(bind(x, (name) => (args.has(name) ? undefined : once.get(name))));
    // A parameter the body reassigns, or a return after one with no `if` around it (a `try`/`except` or a loop, which
    // the guards do not record), is control flow this reading does not follow.
    if (!local || fn.params.some((p) => assigned.has(p.name))) {
        return undefined;
    }
    const tried = tryEnviron(fn, withLocals);
    if (tried !== undefined) {
        return tried;
    }
    const last = fn.guardedReturns.length - 1;
    if (fn.guardedReturns.some((r, i) => i < last && r.guards.length === 0)) {
        return undefined;
    }
    let body: Expr = { kind: "none" };
    for (const r of [...fn.guardedReturns].reverse()) {
        const value = spread(r.value);
        const tests: Expr[] = [];
        for (const g of r.guards) {
            const test = spread(g.test);
            if (test === undefined) {
                return undefined;
            }
            tests.push(g.holds ? withLocals(test) : { kind: "not", operand: withLocals(test) });
        }
        if (value === undefined) {
            return undefined;
        }
        body = tests.length === 0 ? withLocals(value) : { kind: "cond", test: tests.reduce((a, b) => ({ kind: "and", left: a, right: b })), then: withLocals(value), otherwise: body };
    }
    // A helper of one plain return is read whatever it returns (`def db_config(): return {"ENGINE": ..., "NAME": BASE_DIR / "db.sqlite3"}`).
    return envVariables(body).length > 0 || (fn.guardedReturns.length === 1 && fn.guardedReturns[0].guards.length === 0) ? body : undefined;
}

/**
 * An expression with `*name` in a call's arguments or a list replaced by the
 * values the caller passed for it; undefined when the body uses the name
 * any other way (its length, an index of it).
 */
function spreadRest(e: Expr, name: string, values: readonly Expr[]): Expr | undefined {
    let other = false;
    const isRest = (x: Expr) => x.kind === "starred" && x.value.kind === "ref" && x.value.local === name;
    const go = (x: Expr): Expr => {
        if (x.kind === "call") {
            return { ...x, callee: go(x.callee), args: x.args.flatMap((a) => (isRest(a) ? values : [go(a)])), kwargs: keywordArgs(Object.entries(x.kwargs).map(([k, v]) => [k, go(v)] as const)) };
        }
        if (x.kind === "list") {
            return { kind: "list", items: x.items.flatMap((a) => (isRest(a) ? values : [go(a)])) };
        }
        if (x.kind === "ref" && x.local.split(".")[0] === name) {
            other = true;
        }
        return mapChildren(x, go);
    };
    const out = go(e);
    return other ? undefined : out;
}

/**
 * The `try: return os.environ[name]` / `except KeyError: return default` idiom: two returns, neither under an `if`, the
 * first reading one variable by subscript. Read as `os.environ[name] if name in os.environ else default`.
 */
function tryEnviron(fn: FunctionDef, withLocals: (x: Expr) => Expr): Expr | undefined {
    const [first, second] = fn.guardedReturns;
    if (fn.guardedReturns.length !== 2 || first.guards.length > 0 || second.guards.length > 0) {
        return undefined;
    }
    const then = withLocals(first.value);
    const items: Expr[] = [];
    walk(then, (x) => {
        if (x.kind === "subscript" && refPath(x.target) === "os.environ") {
            items.push(x.index);
        }
    });
    if (items.length !== 1 || str(items[0]) === undefined) {
        return undefined;
    }
    const test: Expr = { kind: "compare", op: "in", left: items[0], right: { kind: "ref", path: "os.environ", local: "os.environ" } };
    return { kind: "cond", test, then, otherwise: withLocals(second.value) };
}

/**
 * The environment variables an expression reads at import with no default
 * (env("X"), os.environ["X"], config("X")): the import fails without them.
 * `bound` gives a call with the names it uses replaced by their values.
 */
export function requiredVariables(e: Expr, bound: (call: Expr) => Expr): string[] {
    const out: string[] = [];
    // A conditional expression's branch its test rules out with the variables unset is not read:
    // `os.environ["X"] if "X" in os.environ else None` (paperless-ngx's settings).
    const dead = new Set<Expr>();
    walk(e, (x) => {
        if (x.kind === "cond") {
            const v = evaluate(bound(x.test), () => undefined);
            if (v !== undefined) {
                dead.add(truthy(v) ? x.otherwise : x.then);
            }
        }
    });
    walk(e, (x) => {
        let v: string | undefined;
        if (x.kind === "call") {
            const b = bound(x);
            const reader = b.kind === "call" ? envReader(b) : undefined;
            v = reader?.required ? reader.variable : undefined;
            // os.environ.get("X").split(" "): a method called on what an unset variable reads as, None, fails the import.
            const target = b.kind === "call" && b.callee.kind === "attr" ? b.callee.target : undefined;
            const under = target?.kind === "call" ? envReader(target) : undefined;
            if (v === undefined && under !== undefined && !under.required && under.unset(() => undefined)?.t === "none") {
                v = under.variable;
            }
        } else if (x.kind === "subscript") {
            v = environItem(bound(x));
        } else if (x.kind === "fstring") {
            // f"{os.getenv('APP_FOLDER')}/project/media": an unset variable writes "None" into the text.
            for (const p of x.parts) {
                const b = typeof p === "string" ? undefined : bound(p);
                const under = b?.kind === "call" ? envReader(b) : undefined;
                if (v === undefined && under !== undefined && !under.required && under.unset(() => undefined)?.t === "none") {
                    v = under.variable;
                }
            }
        }
        if (v !== undefined && !out.includes(v)) {
            out.push(v);
        }
    }, new Set(dead));
    return out;
}

/**
 * The tests under which a `raise` runs (its `if` tests with the branch each holds on, an `assert`'s test with
 * false), names bound: the environment variables whose value, any value, stops it. With them unset the
 * raise runs where the tests hold, so the module needs them.
 */
export function variablesARaiseNeeds(tests: ReadonlyArray<{ readonly test: Expr; readonly holds: boolean }>): string[] {
    const stops = (variable: string): boolean =>
        tests.some((t) => {
            const v = evaluate(t.test, (x) => (x === variable ? "placeholder" : undefined));
            return v !== undefined && truthy(v) !== t.holds;
        });
    return [...new Set(tests.flatMap((t) => envVariables(t.test)))].filter(stops);
}

// ---------------------------------------------------------------------------
// Values

export function truthy(v: Val): boolean {
    switch (v.t) {
        case "str":
            return v.v !== "";
        case "bool":
            return v.v;
        case "num":
            return v.v !== 0;
        case "none":
            return false;
        case "list":
            return v.items.length > 0;
    }
}

/** str(v), where exact. */
function pyStr(v: Val): string | undefined {
    switch (v.t) {
        case "str":
            return v.v;
        case "bool":
            return v.v ? "True" : "False";
        case "num":
            return Number.isInteger(v.v) ? String(v.v) : undefined;
        case "none":
            return "None";
        default:
            return undefined;
    }
}

/** int(v), where it does not fail. */
function pyInt(v: Val): Extract<Val, { t: "num" }> | undefined {
    if (v.t === "str") {
        return /^\s*[+-]?\d+\s*$/.test(v.v) ? { t: "num", v: parseInt(v.v, 10) } : undefined;
    }
    if (v.t === "bool") {
        return { t: "num", v: v.v ? 1 : 0 };
    }
    return v.t === "num" && Number.isInteger(v.v) ? v : undefined;
}

function numeric(v: Val): number | undefined {
    return v.t === "num" ? v.v : v.t === "bool" ? (v.v ? 1 : 0) : undefined;
}

function equal(a: Val, b: Val): boolean {
    const na = numeric(a);
    const nb = numeric(b);
    if (na !== undefined || nb !== undefined) {
        return na === nb;
    }
    if (a.t === "str" && b.t === "str") {
        return a.v === b.v;
    }
    if (a.t === "list" && b.t === "list") {
        return a.items.length === b.items.length && a.items.every((x, i) => equal(x, b.items[i]));
    }
    return a.t === b.t && a.t === "none";
}

/** distutils' strtobool. */
const STRTOBOOL = new Map(Object.entries({ y: 1, yes: 1, t: 1, true: 1, on: 1, "1": 1, n: 0, no: 0, f: 0, false: 0, off: 0, "0": 0 }));

/**
 * The value an expression (names already bound) has in an environment, where
 * it can be known exactly; undefined otherwise (an unread shape, a name with
 * no value, a cast that would fail, a missing required variable).
 */
export function evaluate(e: Expr, env: EnvView, depth = 0): Val | undefined {
    if (depth > MAX_DEPTH) {
        return undefined;
    }
    const ev = (x: Expr) => evaluate(x, env, depth + 1);
    switch (e.kind) {
        case "str":
            return { t: "str", v: e.value };
        case "num":
            return /^\d+$/.test(e.text) ? { t: "num", v: Number(e.text) } : undefined;
        case "bool":
            return { t: "bool", v: e.value };
        case "none":
            return NONE;
        case "list": {
            const items: Val[] = [];
            for (const item of e.items) {
                const v = item.kind === "starred" ? ev(item.value) : ev(item);
                if (v === undefined || (item.kind === "starred" && v.t !== "list")) {
                    return undefined;
                }
                items.push(...(item.kind === "starred" ? (v as Extract<Val, { t: "list" }>).items : [v]));
            }
            return { t: "list", items };
        }
        case "not": {
            const v = ev(e.operand);
            return v === undefined ? undefined : { t: "bool", v: !truthy(v) };
        }
        case "and":
        case "or": {
            const l = ev(e.left);
            if (l === undefined) {
                return undefined;
            }
            return truthy(l) === (e.kind === "or") ? l : ev(e.right);
        }
        case "add": {
            const l = ev(e.left);
            const r = ev(e.right);
            if (l?.t === "str" && r?.t === "str") {
                return { t: "str", v: l.v + r.v };
            }
            if (l?.t === "list" && r?.t === "list") {
                return { t: "list", items: [...l.items, ...r.items] };
            }
            return undefined;
        }
        case "cond": {
            const t = ev(e.test);
            return t === undefined ? undefined : ev(truthy(t) ? e.then : e.otherwise);
        }
        case "mod": {
            // "environments/%s.py" % STAGE, "%s.%s" % (a, b): %s only.
            const l = ev(e.left);
            const r = ev(e.right);
            if (l?.t !== "str" || r === undefined) {
                return undefined;
            }
            const values = r.t === "list" ? r.items : [r];
            const pieces = l.v.split("%s");
            if (pieces.some((p) => p.includes("%")) || pieces.length - 1 !== values.length) {
                return undefined;
            }
            const texts = values.map((v) => pyStr(v));
            return texts.some((x) => x === undefined) ? undefined : { t: "str", v: pieces.map((p, i) => p + (texts[i] ?? "")).join("") };
        }
        case "fstring": {
            let out = "";
            for (const p of e.parts) {
                const s = typeof p === "string" ? p : (() => {
                    const v = ev(p);
                    return v && pyStr(v);
                })();
                if (s === undefined) {
                    return undefined;
                }
                out += s;
            }
            return { t: "str", v: out };
        }
        case "compare":
            return compare(e, env, depth);
        case "subscript": {
            const variable = environItem(e);
            const raw = variable === undefined ? undefined : env(variable);
            return typeof raw === "string" ? { t: "str", v: raw } : undefined; // unset: KeyError
        }
        case "call":
            return call(e, env, depth);
        default:
            return undefined;
    }
}

function compare(e: Extract<Expr, { kind: "compare" }>, env: EnvView, depth: number): Val | undefined {
    const ev = (x: Expr) => evaluate(x, env, depth + 1);
    const bool = (b: boolean | undefined): Val | undefined => (b === undefined ? undefined : { t: "bool", v: b });
    if ((e.op === "in" || e.op === "not in") && refPath(e.right) === "os.environ") {
        const key = ev(e.left);
        return key?.t === "str" ? bool((env(key.v) !== undefined) === (e.op === "in")) : undefined;
    }
    const l = ev(e.left);
    const r = ev(e.right);
    if (l === undefined || r === undefined) {
        return undefined;
    }
    switch (e.op) {
        case "==":
            return bool(equal(l, r));
        case "!=":
            return bool(!equal(l, r));
        case "in":
        case "not in": {
            let found: boolean | undefined;
            if (r.t === "list") {
                found = r.items.some((x) => equal(l, x));
            } else if (r.t === "str" && l.t === "str") {
                found = r.v.includes(l.v);
            }
            return bool(found === undefined ? undefined : found === (e.op === "in"));
        }
        case "is":
        case "is not": {
            let same: boolean | undefined;
            if (l.t === "none" || r.t === "none") {
                same = l.t === r.t;
            } else if (l.t === "bool" && r.t === "bool") {
                same = l.v === r.v;
            }
            return bool(same === undefined ? undefined : same === (e.op === "is"));
        }
        default: {
            const a = numeric(l);
            const b = numeric(r);
            if (a === undefined || b === undefined) {
                return undefined;
            }
            return bool(e.op === "<" ? a < b : e.op === "<=" ? a <= b : e.op === ">" ? a > b : e.op === ">=" ? a >= b : undefined);
        }
    }
}

function call(e: Call, env: EnvView, depth: number): Val | undefined {
    const ev = (x: Expr) => evaluate(x, env, depth + 1);
    const reader = envReader(e);
    if (reader) {
        const raw = env(reader.variable);
        return raw === null ? undefined : raw === undefined ? reader.unset(env) : reader.parse(raw);
    }
    const path = calleeOf(e);
    const arg = e.args.length === 1 && Object.keys(e.kwargs).length === 0 ? ev(e.args[0]) : undefined;
    if (path === "bool" || path === "int" || path === "str" || path?.endsWith("strtobool")) {
        if (arg === undefined) {
            return undefined;
        }
        if (path === "bool") {
            return { t: "bool", v: truthy(arg) };
        }
        if (path === "int") {
            return pyInt(arg);
        }
        if (path === "str") {
            const s = pyStr(arg);
            return s === undefined ? undefined : { t: "str", v: s };
        }
        const n = arg.t === "str" ? STRTOBOOL.get(arg.v.toLowerCase()) : undefined;
        return n === undefined ? undefined : { t: "num", v: n };
    }
    // "x".lower(), .upper(), .strip()
    if (e.callee.kind === "attr" && e.args.length === 0 && ["lower", "upper", "strip"].includes(e.callee.name)) {
        const v = ev(e.callee.target);
        if (v?.t !== "str") {
            return undefined;
        }
        return { t: "str", v: e.callee.name === "lower" ? v.v.toLowerCase() : e.callee.name === "upper" ? v.v.toUpperCase() : v.v.trim() };
    }
    return undefined;
}

// ---------------------------------------------------------------------------
// Lists

/**
 * A list or tuple setting's string entries (names already bound): list
 * displays with starred items, concatenations, list()/tuple(); `unknown`
 * holds the parts that are not readable strings, whose entries are not known.
 */
export function listOf(e: Expr, depth = 0): { items: string[]; unknown: Expr[] } {
    if (depth > MAX_DEPTH) {
        return { items: [], unknown: [e] };
    }
    if (e.kind === "list") {
        const out = { items: [] as string[], unknown: [] as Expr[] };
        for (const item of e.items) {
            const s = str(item);
            if (s !== undefined) {
                out.items.push(s);
            } else if (item.kind === "starred") {
                const inner = listOf(item.value, depth + 1);
                out.items.push(...inner.items);
                out.unknown.push(...inner.unknown);
            } else {
                out.unknown.push(item);
            }
        }
        return out;
    }
    if (e.kind === "add") {
        const l = listOf(e.left, depth + 1);
        const r = listOf(e.right, depth + 1);
        return { items: [...l.items, ...r.items], unknown: [...l.unknown, ...r.unknown] };
    }
    const path = calleeOf(e);
    if ((path === "list" || path === "tuple") && e.kind === "call" && e.args.length === 1) {
        return listOf(e.args[0], depth + 1);
    }
    return { items: [], unknown: [e] };
}

// ---------------------------------------------------------------------------
// Choosing a variable's value

/** A value of one variable that decides a condition, with certainty. */
export interface EnvSwitch {
    readonly variable: string;
    readonly value: string;
    /** Any non-empty value does (the condition tests whether it is set). */
    readonly anyValue: boolean;
}

/** String literals a condition compares with (`== "production"`, `in ("1", "true")`): the values a variable is likely to need. */
export function comparedLiterals(e: Expr): string[] {
    const out: string[] = [];
    const add = (x: Expr) => {
        const s = str(x);
        if (s !== undefined && s !== "" && !out.includes(s)) {
            out.push(s);
        }
        if (x.kind === "list") {
            x.items.forEach(add);
        }
    };
    walk(e, (x) => {
        if (x.kind === "compare" && refPath(x.right) !== "os.environ") {
            add(x.left);
            add(x.right);
        }
    });
    return out;
}

/**
 * The first of `variables` (those not `fixed`) and a value for it that make
 * `test` true for certain, the others as in `base`. Values tried: any value
 * (a test of whether it is set), the literals the condition compares with,
 * then the usual words for a boolean, `prefer`'s first.
 */
export function findSwitch(
    test: (env: EnvView) => boolean | undefined,
    variables: readonly string[],
    base: EnvView,
    fixed: ReadonlySet<string>,
    literals: readonly string[],
    prefer: boolean,
): EnvSwitch | undefined {
    for (const variable of variables) {
        if (fixed.has(variable)) {
            continue;
        }
        const holds = (value: string) => test((n) => (n === variable ? value : base(n))) === true;
        if (["1", "0", "True", "False", "yes", "no", "x"].every(holds)) {
            return { variable, value: "1", anyValue: true };
        }
        const words = prefer ? ["True", "1", "False", "0"] : ["False", "0", "True", "1"];
        const value = [...literals, ...words].find(holds);
        if (value !== undefined) {
            return { variable, value, anyValue: false };
        }
    }
    return undefined;
}
