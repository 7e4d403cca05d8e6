import type { SyntaxNode } from "@lezer/common";
import { parser } from "@lezer/python";

/**
 * A Python module read with a real Python parser (Lezer's Python grammar:
 * synchronous, pure JavaScript, error-tolerant, so a file with a syntax
 * error still yields what can be read of it), reduced to the little that
 * detection asks: what the module imports, what its top-level names are
 * bound to, which functions it defines and which calls it makes. Nothing is
 * executed: values are read only where they are literals, names, attribute
 * paths, calls, or `BASE_DIR / "x"`-style path joins.
 */

/** An expression, reduced to the shapes detection reads. Names are qualified through the module's imports. */
export type Expr =
    | { readonly kind: "str"; readonly value: string }
    | { readonly kind: "num"; readonly text: string }
    | { readonly kind: "bool"; readonly value: boolean }
    | { readonly kind: "none" }
    | { readonly kind: "list"; readonly items: readonly Expr[] }
    | { readonly kind: "dict"; readonly entries: ReadonlyArray<readonly [Expr, Expr]> }
    /** A name or attribute path, e.g. `flask.Flask` for `Flask` imported from flask; `local` is the name as written. */
    | { readonly kind: "ref"; readonly path: string; readonly local: string }
    | { readonly kind: "call"; readonly callee: Expr; readonly args: readonly Expr[]; readonly kwargs: Readonly<Record<string, Expr>> }
    /** An attribute of something that is not a plain name path, e.g. `.parent` of `Path(__file__).resolve()`. */
    | { readonly kind: "attr"; readonly target: Expr; readonly name: string }
    /** `a / "b"` (pathlib joins). */
    | { readonly kind: "div"; readonly left: Expr; readonly right: Expr }
    /** `a + b` (string concatenation). */
    | { readonly kind: "add"; readonly left: Expr; readonly right: Expr }
    /** `a or b`: b is the fallback when a is empty (`os.environ.get("X") or "default"`). */
    | { readonly kind: "or"; readonly left: Expr; readonly right: Expr }
    | { readonly kind: "and"; readonly left: Expr; readonly right: Expr }
    | { readonly kind: "not"; readonly operand: Expr }
    /** A comparison: `==`, `!=`, `<`, `in`, `not in`, `is`, `is not`... (`"RENDER" not in os.environ`). */
    | { readonly kind: "compare"; readonly op: string; readonly left: Expr; readonly right: Expr }
    /** `*x` inside a list or tuple display (`["a", *INSTALLED_APPS]`). */
    | { readonly kind: "starred"; readonly value: Expr }
    /** An f-string: literal text and the expressions between it. */
    | { readonly kind: "fstring"; readonly parts: ReadonlyArray<string | Expr> }
    | { readonly kind: "subscript"; readonly target: Expr; readonly index: Expr }
    /** `then if test else otherwise` */
    | { readonly kind: "cond"; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr }
    /** `left % right`: printf-style formatting when left is a string. */
    | { readonly kind: "mod"; readonly left: Expr; readonly right: Expr }
    | { readonly kind: "other"; readonly text: string };

export interface ImportBinding {
    /** The local name bound, e.g. "Flask", "np", "falcon". */
    readonly local: string;
    /** What it refers to: "flask.Flask", "numpy", "falcon". Relative imports keep their dots: ".base.X". */
    readonly target: string;
}

export interface Param {
    readonly name: string;
    readonly hasDefault: boolean;
    /** The default as written (`config_object="app.settings"`). */
    readonly default?: Expr;
    /** `*args` or `**kwargs`. */
    readonly variadic: boolean;
    /** Which variadic parameter: `*args` or `**kwargs`. */
    readonly star?: "args" | "kwargs";
}

export interface FunctionDef {
    readonly name: string;
    readonly params: readonly Param[];
    /** Every assignment in the body (any depth, nested functions excluded): target name -> value. */
    readonly assigns: ReadonlyArray<readonly [string, Expr]>;
    /** Assignments to subscripts and attributes in the body (`jobs[job_id] = ...`), nested functions excluded. */
    readonly itemAssigns: ReadonlyArray<readonly [Expr, Expr]>;
    /** Every `return <expr>` in the body. */
    readonly returns: readonly Expr[];
    /** The same, in order, each with the `if`/`elif`/`else` conditions it sits under in the body. */
    readonly guardedReturns: ReadonlyArray<{ readonly value: Expr; readonly guards: readonly Guard[] }>;
    /** The assignments to a name (`x = ...`) outside loops and `with`, in order, each with the `if`/`elif`/`else` conditions it sits under. */
    readonly guardedAssigns: ReadonlyArray<{ readonly name: string; readonly value: Expr; readonly guards: readonly Guard[] }>;
    /** Every call in the body. */
    readonly calls: readonly Extract<Expr, { kind: "call" }>[];
    /** `async def`: calling it gives a coroutine, not its result. */
    readonly async: boolean;
    /** Its decorators' names, qualified through the imports ("property", "functools.lru_cache"). */
    readonly decorators: readonly string[];
}

/** A top-level class: its bases and the attributes its body assigns (`UPLOAD_DIR = "x"`, `upload_dir: str = "x"`). */
export interface ClassDef {
    readonly name: string;
    /** The bases, qualified through the imports ("pydantic_settings.BaseSettings", "Base"). */
    readonly bases: readonly string[];
    /** Attribute name -> value (the last assignment in the body wins). */
    readonly fields: ReadonlyMap<string, Expr>;
    /** Attributes the body annotates with no value (`name: str`): a dataclass's or pydantic model's required fields. */
    readonly annotated: readonly string[];
    /** The methods the body defines, by name (`__init__`, a `@property`). */
    readonly methods: ReadonlyMap<string, FunctionDef>;
}

/**
 * The condition of an `if`/`elif`/`else` branch a top-level step sits in:
 * the test as read and as written, and whether the branch needs it true
 * (`if`, `elif`) or false (an earlier test of the chain, `else`).
 */
export interface Guard {
    readonly test: Expr;
    readonly text: string;
    readonly holds: boolean;
}

/**
 * The test of an `except ImportError:` handler's steps: `importlib.util.find_spec(<the module the try body imports>)`,
 * held false (the handler runs when the import fails). A reader that knows the app's modules can decide it.
 */
export const FIND_SPEC = "importlib.util.find_spec";

/**
 * A top-level step that changes the module's names or runs code at import, in
 * source order, with the conditions of the `if` branches it sits in (outermost
 * first; empty when it always runs).
 */
export type Step = (
    | { readonly kind: "assign"; readonly name: string; readonly value: Expr; readonly text: string; readonly guards: readonly Guard[] }
    /** `NAME += value` (and the other augmented assignments: `op` is "+=", "|="...). */
    | { readonly kind: "update"; readonly name: string; readonly op: string; readonly value: Expr; readonly guards: readonly Guard[] }
    /** An expression run for its effect (`INSTALLED_APPS.append("x")`, `sentry_sdk.init(...)`), or the value stored into an item or attribute (`DATABASES["default"]["X"] = v`). */
    | { readonly kind: "expr"; readonly value: Expr; readonly guards: readonly Guard[] }
    /** `from module import name as local` (name set), or `import module as local`. Relative modules keep their dots. */
    | { readonly kind: "import"; readonly local: string; readonly module: string; readonly name?: string; readonly guards: readonly Guard[] }
    | { readonly kind: "star"; readonly module: string; readonly guards: readonly Guard[] }
    /** django-split-settings' include("a.py", "b.py"): the files run in this module's namespace. */
    | { readonly kind: "include"; readonly files: readonly string[]; readonly args: readonly Expr[]; readonly guards: readonly Guard[] }
    /** `raise ...`, or `assert test` (then `test` is what must hold), at import: under its guards the import fails. */
    | { readonly kind: "raise"; readonly test?: Expr; readonly guards: readonly Guard[] }
    /**
     * `NAME[key] = value` on a module-level name (`DATABASES["default"] = dj_database_url.config(...)`), or deeper,
     * `NAME[k1][k2] = value` (`DATABASES["default"]["NAME"] = ...`): `keys` in order, outermost first; its `expr` step comes before it.
     */
    | { readonly kind: "item"; readonly name: string; readonly keys: readonly Expr[]; readonly value: Expr; readonly guards: readonly Guard[] }
    /** Module-level names a loop's body assigns or stores items into (`for alias in ...: DATABASES[alias] = {...}`): their values after it are not known. */
    | { readonly kind: "loop"; readonly names: readonly string[]; readonly guards: readonly Guard[] }
) & {
    /**
     * The module a try statement with an `except` clause imports first in its body, for the steps of that body after
     * it and of its `else` clause: they run only when that import works (`try: import debug_toolbar` then
     * `INSTALLED_APPS += ["debug_toolbar"]`, `except ImportError: pass`). A reader that knows what is installed decides.
     */
    readonly tried?: string;
    /** The step sits in the body of a try statement with an `except` clause: what fails in it (a variable read with no default, `env("X")`) the handler may catch. */
    readonly handled?: boolean;
};

/** A decorator as written: what it calls (qualified through the imports), its positional arguments, and the function it decorates. */
export interface Decorator {
    readonly callee: string;
    readonly args: readonly Expr[];
    readonly target?: string;
}

/**
 * The qualified name a bare name of the module stands for when the module
 * star-imports it (`from fasthtml.common import *`, then `fast_app()`): the
 * first star-imported module whose name `known` accepts, when the module
 * neither defines nor binds the name itself; undefined otherwise.
 */
export function starImported(mod: PyModule, name: string, known: (qualified: string) => boolean): string | undefined {
    if (name.includes(".") || mod.functions.has(name) || mod.classes.has(name) || mod.value(name) !== undefined || mod.bindings.some((b) => b.local === name)) {
        return undefined;
    }
    return mod.starImports.map((m) => `${m}.${name}`).find(known);
}

export interface PyModule {
    /** Every decorator in the file, at any depth, in source order. */
    readonly decorators: readonly Decorator[];
    /** Modules imported anywhere in the file ("flask", "falcon.asgi", ".base"). */
    readonly imported: ReadonlySet<string>;
    /** Those of `imported` imported only inside a try statement (an ImportError fallback may stand in for them). */
    readonly importedUnderTry: ReadonlySet<string>;
    /** Top-level import bindings (including those under top-level if/try blocks). */
    readonly bindings: readonly ImportBinding[];
    /** `from X import *` at top level, in order ("X" as written, dots included). */
    readonly starImports: readonly string[];
    /** Top-level assignments in source order: target -> value (a later one overrides an earlier one). */
    readonly assigns: ReadonlyArray<readonly [string, Expr]>;
    /** Assignments to subscripts and attributes at top level: `os.environ["X"] = v`, `app.config["K"] = v`. */
    readonly itemAssigns: ReadonlyArray<readonly [Expr, Expr]>;
    /** The same at any depth (inside factories: `app.config["UPLOAD_FOLDER"] = ...`). */
    readonly itemAssignsAnywhere: ReadonlyArray<readonly [Expr, Expr]>;
    /** Top-level function definitions by name. */
    readonly functions: ReadonlyMap<string, FunctionDef>;
    /** Top-level class definitions by name. */
    readonly classes: ReadonlyMap<string, ClassDef>;
    /** Top-level assignments, augmented assignments, imports, include() calls and expression statements, in source order (not those under `if __name__ == "__main__":`). */
    readonly order: readonly Step[];
    /** Every call in the module, at any depth (functions and classes included). */
    readonly calls: readonly Extract<Expr, { kind: "call" }>[];
    /** The calls made at top level under `if __name__ == "__main__":`, which run only when the file runs as a script. */
    readonly scriptCalls: ReadonlySet<Extract<Expr, { kind: "call" }>>;
    /** The value of every assignment at any depth (functions and class bodies included): where settings hide. */
    readonly assignedAnywhere: readonly Expr[];
    /** The value of a top-level name, if it is assigned once or last assigned a readable value. */
    value(name: string): Expr | undefined;
    /**
     * A name as a call inside a function sees it: the value the function (or
     * a function around it) last assigns to it; `null` when it is a parameter
     * there (its value is the caller's); undefined when the function does not
     * bind it (a module-level name, or a call at top level).
     */
    local(call: Extract<Expr, { kind: "call" }>, name: string): Expr | null | undefined;
    /** The functions a call is made in, the innermost first, each with the class whose method it is; none for a call at top level. */
    enclosing(call: Extract<Expr, { kind: "call" }>): ReadonlyArray<{ readonly fn: FunctionDef; readonly cls?: string }>;
}

/**
 * The value a `for` loop's name takes, item by item, as an assignment of
 * the loop's body records it: a call of this callee with the iterable as
 * its argument (never among a module's calls).
 */
export const EACH_ITEM = "<each item of>";

/** A function's own names, and the function around it (a closure sees its names). */
interface Scope {
    readonly params: ReadonlySet<string>;
    readonly assigns: ReadonlyArray<readonly [string, Expr]>;
    readonly parent?: Scope;
    /** The function whose scope this is (set once its body is read), and its class for a method. */
    readonly owner: { fn?: FunctionDef; readonly cls?: string };
}

type Call = Extract<Expr, { kind: "call" }>;

export function parseModule(text: string): PyModule {
    const tree = parser.parse(text);
    const src = (n: SyntaxNode) => text.slice(n.from, n.to);
    const bindings: ImportBinding[] = [];
    const importedAll = new Set<string>();
    const importedUnderTry = new Set<string>();
    const importedOutsideTry = new Set<string>();
    const starImports: string[] = [];
    const assigns: Array<readonly [string, Expr]> = [];
    const itemAssigns: Array<readonly [Expr, Expr]> = [];
    const functions = new Map<string, FunctionDef>();
    const classes = new Map<string, ClassDef>();
    const calls: Call[] = [];
    const order: Step[] = [];
    const assignedAnywhere: Expr[] = [];
    const itemAssignsAnywhere: Array<readonly [Expr, Expr]> = [];
    const scopes = new Map<Call, Scope>();
    /** Calls at top level under `if __name__ == "__main__":`. */
    const scriptCalls: Call[] = [];

    /** A decorator's name, qualified through the imports (`@functools.lru_cache(maxsize=1)` is "functools.lru_cache"). */
    const decoratorName = (d: SyntaxNode): string => {
        const parts = children(d).filter((c) => c.name === "VariableName" || c.name === "PropertyName").map((c) => src(c));
        return parts.length === 0 ? "" : [resolve(parts[0]), ...parts.slice(1)].join(".");
    };
    const decoratorsOf = (statement: SyntaxNode): string[] => children(statement).filter((d) => d.name === "Decorator").map(decoratorName);

    /**
     * An if/elif/else chain's branches in order, each with the conditions it
     * runs under (its own test holds, the earlier tests of the chain do not),
     * and whether it is the `if` branch; the tests' calls go to `sink`.
     */
    const eachBranch = (n: SyntaxNode, sink: Call[] | undefined, visit: (body: SyntaxNode, conditions: Guard[], first: boolean) => void): void => {
        const earlier: Guard[] = [];
        let test: Guard | undefined;
        let first = true;
        for (const part of children(n)) {
            if (part.name === "if" || part.name === "elif" || part.name === "else") {
                test = undefined;
            } else if (part.name === "Body") {
                visit(part, [...earlier, ...(test ? [test] : [])], first);
                if (test) {
                    earlier.push({ ...test, holds: false });
                }
                first = false;
            } else if (test === undefined) {
                test = { test: expr(part, sink), text: src(part), holds: true };
            }
        }
    };

    /** `for name in items:` (the name bound to each item) and `with <call> as name:` (bound to the call), as an assignment (the calls in them are collected where the statement is walked). */
    const loopOrWithBinding = (c: SyntaxNode): readonly [string, Expr] | undefined => {
        const parts = children(c);
        if (c.name === "ForStatement" && parts[1]?.name === "VariableName" && parts[2]?.name === "in") {
            return [src(parts[1]), { kind: "call", callee: { kind: "ref", path: EACH_ITEM, local: EACH_ITEM }, args: [expr(parts[3])], kwargs: keywordArgs() }];
        }
        if (c.name === "WithStatement" && parts[1]?.name === "CallExpression" && parts[2]?.name === "as" && parts[3]?.name === "VariableName") {
            return [src(parts[3]), expr(parts[1])];
        }
        return undefined;
    };

    /** Names a loop's body binds, or stores an item or attribute into (`DATABASES[alias] = ...`), at any depth outside nested functions and classes. */
    const loopAssigned = (loop: SyntaxNode): string[] => {
        const names: string[] = [];
        const add = (name: string) => {
            if (!names.includes(name)) {
                names.push(name);
            }
        };
        const visit = (n: SyntaxNode): void => {
            for (const c of children(n)) {
                if (c.name === "FunctionDefinition" || c.name === "ClassDefinition") {
                    continue;
                }
                if (c.name === "AssignStatement" || c.name === "UpdateStatement") {
                    const parts = children(c);
                    for (const t of parts.slice(0, -1)) {
                        if (t.name === "VariableName") {
                            add(src(t));
                        } else if (t.name === "MemberExpression") {
                            let base: Expr = expr(t);
                            while (base.kind === "subscript" || base.kind === "attr") {
                                base = base.target;
                            }
                            if (base.kind === "ref") {
                                add(base.local.split(".")[0]);
                            }
                        }
                    }
                }
                visit(c);
            }
        };
        const body = children(loop).find((c) => c.name === "Body");
        if (body !== undefined) {
            visit(body);
        }
        return names;
    };

    const resolve = (local: string): string => {
        // The last binding wins, as at run time.
        for (let i = bindings.length - 1; i >= 0; i--) {
            if (bindings[i].local === local) {
                return bindings[i].target;
            }
        }
        return local;
    };

    /** A node's children, comments left out: `# "debug_toolbar",` in a list or a comment between arguments is not an item. */
    const children = (n: SyntaxNode): SyntaxNode[] => {
        const out: SyntaxNode[] = [];
        for (let c = n.firstChild; c; c = c.nextSibling) {
            if (c.name !== "Comment") {
                out.push(c);
            }
        }
        return out;
    };

    const expr = (n: SyntaxNode | null | undefined, sink?: Call[]): Expr => {
        if (!n) {
            return { kind: "other", text: "" };
        }
        switch (n.name) {
            case "String":
                return stringLiteral(src(n));
            case "ContinuedString": {
                const parts = children(n).map((c) => stringLiteral(src(c)));
                return parts.every((p) => p.kind === "str")
                    ? { kind: "str", value: parts.map((p) => (p as { value: string }).value).join("") }
                    : { kind: "other", text: src(n) };
            }
            case "FormatString": {
                // f"...{expr}...": the text between replacements, and the replacements (format specs dropped).
                const text = src(n);
                const open = text.search(/["']/);
                const quote = text.startsWith(text[open].repeat(3), open) ? 3 : 1;
                const bodyStart = n.from + open + quote;
                const bodyEnd = n.to - quote;
                const parts: Array<string | Expr> = [];
                let at = bodyStart;
                for (const r of children(n).filter((c) => c.name === "FormatReplacement")) {
                    parts.push(unescapeBraces(text.slice(at - n.from, r.from - n.from)));
                    const inner = children(r).filter((c) => c.name !== "{" && c.name !== "}" && c.name !== "FormatSpec" && c.name !== "FormatConversion");
                    parts.push(inner.length === 1 ? expr(inner[0], sink) : { kind: "other", text: src(r) });
                    at = r.to;
                }
                parts.push(unescapeBraces(text.slice(at - n.from, bodyEnd - n.from)));
                return { kind: "fstring", parts: parts.filter((p) => p !== "") };
            }
            case "Number":
                return { kind: "num", text: src(n) };
            case "Boolean":
                return { kind: "bool", value: src(n) === "True" };
            case "None":
                return { kind: "none" };
            case "VariableName":
                return { kind: "ref", path: resolve(src(n)), local: src(n) };
            case "ParenthesizedExpression": {
                const inner = children(n).filter((c) => c.name !== "(" && c.name !== ")");
                return inner.length === 1 ? expr(inner[0], sink) : { kind: "other", text: src(n) };
            }
            case "MemberExpression": {
                const [obj, punct, prop] = children(n);
                const target = expr(obj, sink);
                if (punct?.name === "[") {
                    return { kind: "subscript", target, index: expr(prop, sink) };
                }
                if (target.kind === "ref" && prop) {
                    return { kind: "ref", path: `${target.path}.${src(prop)}`, local: `${target.local}.${src(prop)}` };
                }
                return prop ? { kind: "attr", target, name: src(prop) } : { kind: "other", text: src(n) };
            }
            case "CallExpression": {
                const [calleeNode, argList] = children(n);
                const callee = expr(calleeNode, sink);
                const args: Expr[] = [];
                const kwargs = keywordArgs();
                const parts = argList ? children(argList) : [];
                for (let i = 0; i < parts.length; i++) {
                    const p = parts[i];
                    if (p.name === "(" || p.name === ")" || p.name === ",") {
                        continue;
                    }
                    if (p.name === "VariableName" && parts[i + 1]?.name === "AssignOp") {
                        kwargs[src(p)] = expr(parts[i + 2], sink);
                        i += 2;
                        continue;
                    }
                    if (p.name === "*" && parts[i + 1] !== undefined) {
                        args.push({ kind: "starred", value: expr(parts[i + 1], sink) }); // f(*names): what the names hold, when readable
                        i += 1;
                        continue;
                    }
                    if (p.name === "**") {
                        // **{"SECRET": value}: its literal keys are keywords; **kwargs is not readable (its calls still count).
                        const spread = parts[i + 1] === undefined ? undefined : expr(parts[i + 1], sink);
                        for (const [k, v] of spread?.kind === "dict" ? spread.entries : []) {
                            const key = str(k);
                            if (key !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
                                kwargs[key] = v;
                            }
                        }
                        i += 1;
                        continue;
                    }
                    args.push(expr(p, sink));
                }
                const call: Call = { kind: "call", callee, args, kwargs };
                sink?.push(call);
                return call;
            }
            case "ArrayExpression":
            case "TupleExpression": {
                const items: Expr[] = [];
                const inner = children(n).filter((c) => !["[", "]", "(", ")", ","].includes(c.name));
                for (let i = 0; i < inner.length; i++) {
                    if (inner[i].name === "*") {
                        items.push({ kind: "starred", value: expr(inner[i + 1], sink) });
                        i++;
                    } else {
                        items.push(expr(inner[i], sink));
                    }
                }
                return { kind: "list", items };
            }
            case "DictionaryExpression": {
                const inner = children(n).filter((c) => !["{", "}", ","].includes(c.name));
                const entries: Array<readonly [Expr, Expr]> = [];
                for (let i = 0; i + 2 < inner.length + 1; i++) {
                    if (inner[i + 1]?.name === ":") {
                        entries.push([expr(inner[i], sink), expr(inner[i + 2], sink)]);
                        i += 2;
                    }
                }
                return { kind: "dict", entries };
            }
            case "BinaryExpression": {
                // The operator may be two keywords: `not in`, `is not`.
                const parts = children(n);
                const l = expr(parts[0], sink);
                const r = expr(parts.length > 2 ? parts[parts.length - 1] : undefined, sink);
                const op = parts.slice(1, -1).map(src).join(" ");
                switch (op) {
                    case "/":
                        return { kind: "div", left: l, right: r };
                    case "+":
                        return { kind: "add", left: l, right: r };
                    case "%":
                        return { kind: "mod", left: l, right: r };
                    case "or":
                        return { kind: "or", left: l, right: r };
                    case "and":
                        return { kind: "and", left: l, right: r };
                    case "==":
                    case "!=":
                    case "<":
                    case "<=":
                    case ">":
                    case ">=":
                    case "in":
                    case "not in":
                    case "is":
                    case "is not":
                        return { kind: "compare", op, left: l, right: r };
                    default:
                        return { kind: "other", text: src(n) };
                }
            }
            case "ConditionalExpression": {
                const parts = children(n).filter((c) => c.name !== "if" && c.name !== "else");
                if (parts.length !== 3) {
                    return { kind: "other", text: src(n) };
                }
                return { kind: "cond", then: expr(parts[0], sink), test: expr(parts[1], sink), otherwise: expr(parts[2], sink) };
            }
            case "UnaryExpression": {
                const [op, operand] = children(n);
                if (op?.name === "not") {
                    return { kind: "not", operand: expr(operand, sink) };
                }
                collectCalls(n, sink);
                return { kind: "other", text: src(n) };
            }
            default:
                collectCalls(n, sink);
                return { kind: "other", text: src(n) };
        }
    };

    /** Calls nested in an expression kind that expr() does not model (comprehensions, lambdas, f-strings...). */
    const collectCalls = (n: SyntaxNode, sink?: Call[]): void => {
        if (!sink) {
            return;
        }
        for (const c of children(n)) {
            if (c.name === "CallExpression") {
                expr(c, sink);
            } else {
                collectCalls(c, sink);
            }
        }
    };

    /** `guards`: the step's conditions when the import is a top-level step (not under the main guard); undefined otherwise. */
    const readImport = (n: SyntaxNode, topLevel: boolean, guards?: readonly Guard[]): void => {
        const parts = children(n);
        let underTry = false;
        for (let up = n.parent; up !== null && !underTry; up = up.parent) {
            underTry = up.name === "TryStatement";
        }
        const imported = {
            add: (m: string): void => {
                importedAll.add(m);
                (underTry ? importedUnderTry : importedOutsideTry).add(m);
            },
        };
        if (parts[0]?.name === "from") {
            // from <dots><module> import a [as b], ... | *
            let i = 1;
            let module = "";
            while (i < parts.length && parts[i].name !== "import") {
                module += src(parts[i]);
                i++;
            }
            imported.add(module);
            i++;
            for (; i < parts.length; i++) {
                const p = parts[i];
                if (p.name === "*") {
                    if (topLevel) {
                        starImports.push(module);
                        order.push({ kind: "star", module, guards: guards ?? [] });
                    }
                } else if (p.name === "VariableName") {
                    let local = src(p);
                    if (parts[i + 1]?.name === "as") {
                        local = src(parts[i + 2]);
                        i += 2;
                    }
                    imported.add(module.endsWith(".") ? `${module}${src(p)}` : `${module}.${src(p)}`);
                    if (topLevel) {
                        bindings.push({ local, target: module.endsWith(".") ? `${module}${src(p)}` : `${module}.${src(p)}` });
                    }
                    if (guards) {
                        order.push({ kind: "import", local, module, name: src(p), guards });
                    }
                }
            }
            return;
        }
        // import a.b [as c], d
        let dotted: string[] = [];
        const flush = (alias?: string) => {
            if (dotted.length === 0) {
                return;
            }
            const name = dotted.join(".");
            imported.add(name);
            if (topLevel) {
                bindings.push(alias ? { local: alias, target: name } : { local: dotted[0], target: dotted[0] });
            }
            if (guards) {
                order.push(alias ? { kind: "import", local: alias, module: name, guards } : { kind: "import", local: dotted[0], module: dotted[0], guards });
            }
            dotted = [];
        };
        for (let i = 1; i < parts.length; i++) {
            const p = parts[i];
            if (p.name === "VariableName") {
                dotted.push(src(p));
            } else if (p.name === "as") {
                flush(src(parts[i + 1]));
                i++;
            } else if (p.name === ",") {
                flush();
            }
        }
        flush();
    };

    const assignTargets = (n: SyntaxNode): { targets: SyntaxNode[]; unpacked: string[][]; value: SyntaxNode | undefined } => {
        // a = b = value ; a: T = value ; a, b = value (plain names unpacked; other tuple targets are not read)
        const parts = children(n);
        const ops = parts.map((p, i) => (p.name === "AssignOp" || p.name === "UpdateOp" ? i : -1)).filter((i) => i >= 0);
        if (ops.length === 0 || parts.some((p) => p.name === "UpdateOp")) {
            return { targets: [], unpacked: [], value: undefined };
        }
        const lastOp = ops[ops.length - 1];
        const valueParts = parts.slice(lastOp + 1);
        const targets: SyntaxNode[] = [];
        // `app, rt = fast_app()` (or `(app, rt) = ...`): the names in order, each bound to an item of the value.
        const unpacked: string[][] = [];
        let start = 0;
        for (const op of ops) {
            const seg = parts.slice(start, op).filter((p) => p.name !== "TypeDef");
            const inner = seg.length === 1 && (seg[0].name === "TupleExpression" || seg[0].name === "ParenthesizedExpression") ? children(seg[0]).filter((p) => p.name !== "(" && p.name !== ")") : seg;
            if (seg.length === 1 && inner === seg) {
                targets.push(seg[0]);
            } else if (inner.length >= 3 && inner.every((p, i) => (i % 2 === 0 ? p.name === "VariableName" : p.name === ","))) {
                unpacked.push(inner.filter((p) => p.name === "VariableName").map((p) => src(p)));
            }
            start = op + 1;
        }
        return { targets, unpacked, value: valueParts.length === 1 ? valueParts[0] : undefined };
    };

    /** Walks a function body: assignments, returns and calls; nested defs and classes are read on their own (their calls count for the module, not this function). */
    const readFunction = (n: SyntaxNode, around?: Scope, decoratedBy: readonly string[] = [], cls?: string): FunctionDef => {
        const parts = children(n);
        const name = src(parts.find((p) => p.name === "VariableName")!);
        const paramList = parts.find((p) => p.name === "ParamList");
        const params: Param[] = [];
        if (paramList) {
            const ps = children(paramList);
            for (let i = 0; i < ps.length; i++) {
                const p = ps[i];
                if (p.name === "*" || p.name === "**") {
                    if (ps[i + 1]?.name === "VariableName") {
                        params.push({ name: src(ps[i + 1]), hasDefault: true, variadic: true, star: p.name === "*" ? "args" : "kwargs" });
                        i++;
                    }
                    continue;
                }
                if (p.name === "VariableName") {
                    let j = i + 1;
                    if (ps[j]?.name === "TypeDef") {
                        j++;
                    }
                    const hasDefault = ps[j]?.name === "AssignOp";
                    params.push({ name: src(p), hasDefault, default: hasDefault ? expr(ps[j + 1]) : undefined, variadic: false });
                    // Past the default: a bare name there (`config_class=Config`) is not a parameter.
                    if (hasDefault) {
                        i = j + 1;
                    }
                }
            }
        }
        const fnAssigns: Array<readonly [string, Expr]> = [];
        const fnItemAssigns: Array<readonly [Expr, Expr]> = [];
        const returns: Expr[] = [];
        const guardedReturns: Array<{ value: Expr; guards: readonly Guard[] }> = [];
        const guardedAssigns: Array<{ name: string; value: Expr; guards: readonly Guard[] }> = [];
        const fnCalls: Call[] = [];
        const scope: Scope = { params: new Set(params.map((p) => p.name)), assigns: fnAssigns, parent: around, owner: cls === undefined ? {} : { cls } };
        // `plain`: outside loops and `try` (an assignment there may run any number of times, or not at all).
        const walk = (b: SyntaxNode, guards: readonly Guard[] = [], plain = true): void => {
            for (const c of children(b)) {
                // A nested def or class is not this function's body, but its calls are the module's
                // (a route handler defined inside create_app opens the database): read it on its own.
                if (c.name === "FunctionDefinition") {
                    readFunction(c, scope);
                    continue;
                }
                if (c.name === "ClassDefinition") {
                    classBody(c, false);
                    continue;
                }
                if (c.name === "DecoratedStatement") {
                    for (const d of children(c)) {
                        if (d.name === "Decorator") {
                            collectCalls(d, fnCalls);
                        } else if (d.name === "FunctionDefinition") {
                            readFunction(d, scope);
                        } else if (d.name === "ClassDefinition") {
                            classBody(d, false);
                        }
                    }
                    continue;
                }
                if (c.name === "AssignStatement") {
                    const { targets, value } = assignTargets(c);
                    const v = expr(value, fnCalls);
                    assignedAnywhere.push(v);
                    for (const t of targets) {
                        if (t.name === "VariableName") {
                            fnAssigns.push([src(t), v]);
                            if (plain) {
                                guardedAssigns.push({ name: src(t), value: v, guards });
                            }
                        } else if (t.name === "MemberExpression") {
                            const target = expr(t);
                            itemAssignsAnywhere.push([target, v]);
                            fnItemAssigns.push([target, v]);
                        }
                    }
                    continue;
                }
                if (c.name === "ReturnStatement") {
                    const r = children(c).filter((x) => x.name !== "return");
                    const value: Expr = r.length === 1 ? expr(r[0], fnCalls) : { kind: "other", text: src(c) };
                    returns.push(value);
                    guardedReturns.push({ value, guards });
                    continue;
                }
                if (c.name === "IfStatement") {
                    // Each branch's returns carry its condition, as top-level steps do.
                    eachBranch(c, fnCalls, (body, conditions) => walk(body, [...guards, ...conditions], plain));
                    continue;
                }
                if (c.name === "ExpressionStatement") {
                    for (const e of children(c)) {
                        expr(e, fnCalls);
                    }
                    continue;
                }
                if (c.name === "ImportStatement") {
                    readImport(c, false);
                    continue;
                }
                // `for name in items:` binds the name to each item; `with open(p) as f:` binds f to the call.
                const bound = loopOrWithBinding(c);
                if (bound !== undefined) {
                    fnAssigns.push(bound);
                }
                if (c.name === "CallExpression") {
                    // A call outside a statement of its own: `with open(path, "w") as f:`, `if os.path.exists(p):`.
                    expr(c, fnCalls);
                    continue;
                }
                walk(c, guards, plain && !["ForStatement", "WhileStatement", "TryStatement"].includes(c.name));
            }
        };
        const body = parts.find((p) => p.name === "Body");
        if (body) {
            walk(body);
        }
        calls.push(...fnCalls);
        const fn: FunctionDef = { name, params, assigns: fnAssigns, itemAssigns: fnItemAssigns, returns, guardedReturns, guardedAssigns, calls: fnCalls, async: parts.some((p) => p.name === "async"), decorators: decoratedBy };
        for (const c of fnCalls) {
            scopes.set(c, scope);
        }
        scope.owner.fn = fn;
        return fn;
    };

    const topLevel = (block: SyntaxNode, inMainGuard: boolean, guards: readonly Guard[]): void => {
        const sink = inMainGuard ? scriptCalls : calls;
        for (const n of children(block)) {
            switch (n.name) {
                case "ImportStatement":
                    readImport(n, true, inMainGuard ? undefined : guards);
                    break;
                case "AssignStatement": {
                    const { targets, unpacked, value } = assignTargets(n);
                    const v = expr(value, sink);
                    assignedAnywhere.push(v);
                    if (inMainGuard) {
                        break; // `if __name__ == "__main__":` runs only as a script, never under gunicorn
                    }
                    // Each unpacked name holds its item of the value: `app, rt = fast_app()` binds app to fast_app()[0]. A call
                    // handed the names it is unpacked into, in order (the Django Styleguide's `INSTALLED_APPS, MIDDLEWARE =
                    // LoggersSetup.setup_settings(INSTALLED_APPS, MIDDLEWARE)`), gives each back with what it adds: what the name
                    // held, then entries not read here.
                    for (const names of unpacked) {
                        const handed = v.kind === "call" && names.every((name, i) => v.args[i]?.kind === "ref" && (v.args[i] as { local: string }).local === name);
                        names.forEach((name, i) => {
                            const item: Expr = handed
                                ? { kind: "add", left: { kind: "ref", path: name, local: name }, right: { kind: "other", text: `${exprText(v)}[${i}]` } }
                                : { kind: "subscript", target: v, index: { kind: "num", text: String(i) } };
                            assigns.push([name, item]);
                            order.push({ kind: "assign", name, value: item, text: value ? `${src(value)}[${i}]` : "", guards });
                        });
                    }
                    let stored = false;
                    const items: Step[] = [];
                    for (const t of targets) {
                        if (t.name === "VariableName") {
                            assigns.push([src(t), v]);
                            order.push({ kind: "assign", name: src(t), value: v, text: value ? src(value) : "", guards });
                        } else if (t.name === "MemberExpression") {
                            const target = expr(t);
                            itemAssigns.push([target, v]);
                            itemAssignsAnywhere.push([target, v]);
                            stored = true;
                            const keys: Expr[] = [];
                            let base: Expr = target;
                            for (; base.kind === "subscript"; base = base.target) {
                                keys.unshift(base.index);
                            }
                            if (keys.length > 0 && base.kind === "ref" && !base.local.includes(".")) {
                                items.push({ kind: "item", name: base.local, keys, value: v, guards });
                            }
                        }
                    }
                    if (stored) {
                        order.push({ kind: "expr", value: v, guards }, ...items);
                    }
                    break;
                }
                case "UpdateStatement": {
                    // NAME += value: a settings list grown in place (INSTALLED_APPS += ["debug_toolbar"]).
                    const [target, op, value] = children(n);
                    const v = expr(value, sink);
                    if (inMainGuard) {
                        break;
                    }
                    if (target?.name === "VariableName" && op?.name === "UpdateOp") {
                        order.push({ kind: "update", name: src(target), op: src(op), value: v, guards });
                    } else {
                        expr(target, sink);
                        order.push({ kind: "expr", value: v, guards });
                    }
                    break;
                }
                case "ExpressionStatement":
                    for (const e of children(n)) {
                        const v = expr(e, sink);
                        if (inMainGuard) {
                            continue;
                        }
                        if (v.kind === "call" && refPath(v.callee)?.endsWith("include") && v.args.length > 0) {
                            const files = v.args.map((a) => str(a)).filter((f): f is string => f !== undefined);
                            // django-split-settings' include(): its arguments may be names, starred tuples, f-strings, optional(...).
                            if (files.length > 0 || refPath(v.callee) === "split_settings.tools.include") {
                                order.push({ kind: "include", files, args: v.args, guards });
                                continue;
                            }
                        }
                        order.push({ kind: "expr", value: v, guards });
                    }
                    break;
                case "FunctionDefinition":
                    if (!inMainGuard) {
                        const f = readFunction(n);
                        functions.set(f.name, f);
                    }
                    break;
                case "DecoratedStatement":
                    for (const d of children(n)) {
                        if (d.name === "FunctionDefinition" && !inMainGuard) {
                            const f = readFunction(d, undefined, decoratorsOf(n));
                            functions.set(f.name, f);
                        } else if (d.name === "Decorator") {
                            collectCalls(d, sink);
                        } else if (d.name === "ClassDefinition") {
                            classBody(d, !inMainGuard);
                        }
                    }
                    break;
                case "ClassDefinition":
                    classBody(n, !inMainGuard);
                    break;
                case "IfStatement": {
                    // Only the `if __name__ == "__main__":` branch runs as a script; its else branch runs on import.
                    // Each branch's steps carry its condition: its own test holds, the earlier tests of the chain do not.
                    const guard = isMainGuard(n, src);
                    eachBranch(n, undefined, (body, conditions, first) => topLevel(body, inMainGuard || (guard && first), [...guards, ...conditions]));
                    break;
                }
                case "ForStatement": {
                    // The loop's name keeps its last item after the loop, as the module's name.
                    const bound = inMainGuard ? undefined : loopOrWithBinding(n);
                    if (bound !== undefined) {
                        assigns.push(bound);
                    }
                    collectCalls(n, sink);
                    const names = inMainGuard ? [] : loopAssigned(n);
                    if (names.length > 0) {
                        order.push({ kind: "loop", names, guards });
                    }
                    break;
                }
                case "TryStatement":
                case "WithStatement": {
                    const bound = inMainGuard ? undefined : loopOrWithBinding(n);
                    if (bound !== undefined) {
                        assigns.push(bound);
                    }
                    // `try: from .local import * / except ImportError: from .base import *`: the handler runs only when
                    // the try body's one import fails, its steps guarded by that (a reader that knows the app's modules decides).
                    // The try body's steps after its first import, and the else clause's, run only when that import works.
                    const parts = children(n);
                    const body = n.name === "TryStatement" ? parts.find((b) => b.name === "Body") : undefined;
                    const tried = soleImport(body);
                    const first = parts.some((b) => b.name === "except") ? firstImport(body) : undefined;
                    let clause = "";
                    for (const b of parts) {
                        if (b.name === "except" || b.name === "else" || b.name === "finally") {
                            clause = b.name;
                        }
                        if (b.name === "Body") {
                            const failed: Guard | undefined =
                                clause === "except" && tried !== undefined
                                    ? { test: { kind: "call", callee: { kind: "ref", path: FIND_SPEC, local: FIND_SPEC }, args: [{ kind: "str", value: tried }], kwargs: keywordArgs() }, text: `import of ${tried} fails`, holds: false }
                                    : undefined;
                            const from = order.length;
                            topLevel(b, inMainGuard, failed === undefined ? guards : [...guards, failed]);
                            if (first !== undefined && (clause === "" || clause === "else")) {
                                for (let i = from; i < order.length; i++) {
                                    order[i] = { ...order[i], tried: order[i].tried ?? first };
                                }
                            }
                            if (clause === "" && n.name === "TryStatement" && parts.some((p) => p.name === "except")) {
                                for (let i = from; i < order.length; i++) {
                                    order[i] = { ...order[i], handled: true };
                                }
                            }
                        } else if (b.name === "CallExpression") {
                            expr(b, sink); // with open(path, "w") as f:
                        }
                    }
                    break;
                }
                case "RaiseStatement":
                case "AssertStatement": {
                    collectCalls(n, sink);
                    const test = n.name === "AssertStatement" ? children(n).find((c) => c.name !== "assert") : undefined;
                    if (!inMainGuard) {
                        order.push({ kind: "raise", ...(test ? { test: expr(test) } : {}), guards });
                    }
                    break;
                }
                default:
                    collectCalls(n, sink);
            }
        }
    };

    /** The module a block's only statement imports (`from .local import *`, `import local_settings`), as written. */
    const soleImport = (body: SyntaxNode | undefined): string | undefined => {
        const statements = body === undefined ? [] : children(body).filter((c) => c.name !== ":" && c.name !== "Comment");
        return statements.length === 1 ? importedBy(statements[0]) : undefined;
    };
    /** The module a block's first statement imports, when it imports one. */
    const firstImport = (body: SyntaxNode | undefined): string | undefined => {
        const statement = body === undefined ? undefined : children(body).find((c) => c.name !== ":" && c.name !== "Comment");
        return statement === undefined ? undefined : importedBy(statement);
    };
    /** The one module an import statement imports, as written. */
    const importedBy = (statement: SyntaxNode): string | undefined => {
        if (statement.name !== "ImportStatement") {
            return undefined;
        }
        const parts = children(statement);
        if (parts[0]?.name === "from") {
            const at = parts.findIndex((p) => p.name === "import");
            return at > 1 ? parts.slice(1, at).map(src).join("") : undefined;
        }
        const names = parts.filter((p) => p.name === "VariableName" || p.name === ".");
        return parts.some((p) => p.name === "," || p.name === "as") ? undefined : names.map(src).join("");
    };

    const classBody = (n: SyntaxNode, record: boolean): void => {
        const fields = new Map<string, Expr>();
        const annotated: string[] = [];
        const bases: string[] = [];
        const methods = new Map<string, FunctionDef>();
        const className = children(n).find((c) => c.name === "VariableName");
        const owner = className ? src(className) : undefined;
        // The names of fields in a field's value are bound to their values at that point, as the class body runs
        // top to bottom (`AVATARS_PATH = os.path.join(UPLOAD_PATH, "avatars")` under `UPLOAD_PATH = ...`). A field
        // set under `if` in the class body (`if not DATABASE_URL: DATABASE_URL = ...`) is a conditional expression
        // of the branch's tests, its value before the `if` otherwise.
        const atThisPoint = (e: Expr): Expr => bind(e, (local) => fields.get(local));
        const setField = (name: string, v: Expr, guards: readonly Guard[]): void => {
            if (guards.length === 0) {
                fields.set(name, atThisPoint(v));
                return;
            }
            const test = guards
                .map((g): Expr => (g.holds ? atThisPoint(g.test) : { kind: "not", operand: atThisPoint(g.test) }))
                .reduce((a, b) => ({ kind: "and", left: a, right: b }));
            fields.set(name, { kind: "cond", test, then: atThisPoint(v), otherwise: fields.get(name) ?? { kind: "none" } });
        };
        const statements = (block: SyntaxNode, guards: readonly Guard[]): void => {
            for (const s of children(block)) {
                if (s.name === "FunctionDefinition") {
                    const m = readFunction(s, undefined, [], owner);
                    methods.set(m.name, m);
                } else if (s.name === "DecoratedStatement") {
                    for (const d of children(s)) {
                        if (d.name === "FunctionDefinition") {
                            const m = readFunction(d, undefined, decoratorsOf(s), owner);
                            methods.set(m.name, m);
                        }
                    }
                } else if (s.name === "AssignStatement" && children(s).length === 2 && children(s)[0].name === "VariableName" && children(s)[1].name === "TypeDef") {
                    annotated.push(src(children(s)[0]));
                } else if (s.name === "AssignStatement") {
                    const { targets, value } = assignTargets(s);
                    const v = expr(value, calls);
                    // With the class's own names as they are here: `SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(BASE_DIR, "db.sqlite3")`
                    // under a class attribute `BASE_DIR = Path(__file__).resolve().parent` (AppSeed's config.py).
                    assignedAnywhere.push(atThisPoint(v));
                    for (const t of targets) {
                        if (t.name === "VariableName") {
                            setField(src(t), v, guards);
                        }
                    }
                } else if (s.name === "IfStatement") {
                    eachBranch(s, calls, (body, conditions) => statements(body, [...guards, ...conditions]));
                } else {
                    collectCalls(s, calls);
                }
            }
        };
        for (const c of children(n)) {
            if (c.name === "Body") {
                statements(c, []);
            } else if (c.name === "ArgList") {
                collectCalls(c, calls);
                for (const a of children(c)) {
                    const base = refPath(expr(a));
                    if (base !== undefined) {
                        bases.push(base);
                    }
                }
            }
        }
        if (record && owner !== undefined) {
            classes.set(owner, { name: owner, bases, fields, annotated: annotated.filter((a) => !fields.has(a)), methods });
        }
    };

    topLevel(tree.topNode, false, []);
    calls.push(...scriptCalls);

    // Decorators, at any depth: `@click.command("init-db")` on `def init_db_command()`.
    const decorators: Decorator[] = [];
    const cursor = tree.cursor();
    do {
        if (cursor.name === "Decorator") {
            const node = cursor.node;
            const parts = children(node).filter((c) => c.name === "VariableName").map((c) => src(c));
            const argList = children(node).find((c) => c.name === "ArgList");
            const fn = node.parent?.getChild("FunctionDefinition")?.getChild("VariableName");
            if (parts.length > 0) {
                decorators.push({
                    callee: [resolve(parts[0]), ...parts.slice(1)].join("."),
                    args: argList === undefined ? [] : children(argList).filter((c) => c.name !== "(" && c.name !== ")" && c.name !== "," && c.name !== "ArgList").map((c) => expr(c)),
                    target: fn === undefined || fn === null ? undefined : src(fn),
                });
            }
        }
    } while (cursor.next());

    return {
        decorators,
        imported: importedAll,
        importedUnderTry: new Set([...importedUnderTry].filter((m) => !importedOutsideTry.has(m))),
        bindings,
        starImports,
        assigns,
        itemAssigns,
        itemAssignsAnywhere,
        functions,
        classes,
        calls,
        scriptCalls: new Set(scriptCalls),
        order,
        assignedAnywhere,
        value(name: string): Expr | undefined {
            for (let i = assigns.length - 1; i >= 0; i--) {
                if (assigns[i][0] === name) {
                    return assigns[i][1];
                }
            }
            return undefined;
        },
        enclosing(call: Call): Array<{ fn: FunctionDef; cls?: string }> {
            const out: Array<{ fn: FunctionDef; cls?: string }> = [];
            for (let scope = scopes.get(call); scope; scope = scope.parent) {
                if (scope.owner.fn !== undefined) {
                    out.push(scope.owner.cls === undefined ? { fn: scope.owner.fn } : { fn: scope.owner.fn, cls: scope.owner.cls });
                }
            }
            return out;
        },
        local(call: Call, name: string): Expr | null | undefined {
            for (let scope = scopes.get(call); scope; scope = scope.parent) {
                for (let i = scope.assigns.length - 1; i >= 0; i--) {
                    if (scope.assigns[i][0] === name) {
                        return scope.assigns[i][1];
                    }
                }
                if (scope.params.has(name)) {
                    return null;
                }
            }
            return undefined;
        },
    };
}

function isMainGuard(ifNode: SyntaxNode, src: (n: SyntaxNode) => string): boolean {
    const cond = ifNode.firstChild?.nextSibling;
    return cond !== null && cond !== undefined && /^__name__\s*==\s*['"]__main__['"]$/.test(src(cond).trim());
}

function unescapeBraces(text: string): string {
    return text.replace(/\{\{/g, "{").replace(/\}\}/g, "}");
}

/** A Python string literal's value: prefixes r, b, u (f-strings are read as their parts). */
function stringLiteral(text: string): Expr {
    const m = /^([rRbBuU]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(text);
    if (!m) {
        return { kind: "other", text };
    }
    const raw = /r/i.test(m[1]);
    const body = m[3];
    if (raw) {
        return { kind: "str", value: body };
    }
    const value = body.replace(/\\(\r?\n|[\\'"abfnrtv])/g, (_, c: string) => {
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v" };
        if (c === "\n" || c === "\r\n") {
            return "";
        }
        return map[c] ?? c;
    });
    return { kind: "str", value };
}

/** An expression as Python source, roughly and shortened (for notes that quote a call): `os.makedirs(settings.DATA_DIR)`. */
export function exprText(e: Expr, depth = 0): string {
    const t = (x: Expr) => exprText(x, depth + 1);
    if (depth > 6) {
        return "...";
    }
    switch (e.kind) {
        case "str":
            return JSON.stringify(e.value.length > 40 ? `${e.value.slice(0, 40)}...` : e.value);
        case "num":
            return e.text;
        case "bool":
            return e.value ? "True" : "False";
        case "none":
            return "None";
        case "ref":
            return e.local;
        case "attr":
            return `${t(e.target)}.${e.name}`;
        case "call": {
            const args = [...e.args.map(t), ...Object.entries(e.kwargs).map(([k, v]) => `${k}=${t(v)}`)];
            return `${t(e.callee)}(${args.length > 3 ? `${args.slice(0, 3).join(", ")}, ...` : args.join(", ")})`;
        }
        case "subscript":
            return `${t(e.target)}[${t(e.index)}]`;
        case "div":
            return `${t(e.left)} / ${t(e.right)}`;
        case "add":
            return `${t(e.left)} + ${t(e.right)}`;
        case "or":
            return `${t(e.left)} or ${t(e.right)}`;
        case "fstring":
            return `f"${e.parts.map((p) => (typeof p === "string" ? p : `{${t(p)}}`)).join("")}"`;
        case "list":
            return `[${e.items.map(t).join(", ")}]`;
        case "other":
            return e.text.length > 60 ? `${e.text.slice(0, 60)}...` : e.text;
        default:
            return "...";
    }
}

/** The string an expression stands for, when it is a literal (or a concatenation of literals). */
export function str(e: Expr | undefined): string | undefined {
    if (!e) {
        return undefined;
    }
    if (e.kind === "str") {
        return e.value;
    }
    if (e.kind === "add") {
        const l = str(e.left);
        const r = str(e.right);
        return l !== undefined && r !== undefined ? l + r : undefined;
    }
    if (e.kind === "fstring" && e.parts.every((p) => typeof p === "string" || str(p) !== undefined)) {
        return e.parts.map((p) => (typeof p === "string" ? p : str(p)!)).join("");
    }
    return undefined;
}

/** The dotted path of a name or attribute (qualified through imports), else undefined. */
export function refPath(e: Expr | undefined): string | undefined {
    return e?.kind === "ref" ? e.path : undefined;
}

/** `.base` inside package `config.settings` -> `config.settings.base`. */
export function absoluteModule(module: string, pkg: string): string {
    if (!module.startsWith(".")) {
        return module;
    }
    let dots = 0;
    while (module[dots] === ".") {
        dots++;
    }
    const parts = pkg === "" ? [] : pkg.split(".");
    const up = parts.slice(0, parts.length - (dots - 1));
    const rest = module.slice(dots);
    return [...up, ...(rest === "" ? [] : [rest])].join(".");
}

/** The qualified name of what a call calls, e.g. "flask.Flask" or "os.environ.setdefault". */
/**
 * A call's keyword arguments as a map without a prototype: looked up by Python names, which may be any JavaScript
 * object's own (`constructor(**args)`, a parameter named `toString`), so a missing one is undefined, not Object's member.
 */
export function keywordArgs(entries: Iterable<readonly [string, Expr]> = []): Record<string, Expr> {
    const out = Object.create(null) as Record<string, Expr>;
    for (const [k, v] of entries) {
        out[k] = v;
    }
    return out;
}

export function calleeOf(e: Expr | undefined): string | undefined {
    return e?.kind === "call" ? refPath(e.callee) : undefined;
}

/** Items of a list or tuple literal that are strings. */
export function strList(e: Expr | undefined): string[] | undefined {
    if (e?.kind !== "list") {
        return undefined;
    }
    const out: string[] = [];
    for (const i of e.items) {
        const s = str(i);
        if (s !== undefined) {
            out.push(s);
        }
    }
    return out;
}

/** A dict literal's entry by string key. */
export function dictGet(e: Expr | undefined, key: string): Expr | undefined {
    if (e?.kind !== "dict") {
        return undefined;
    }
    for (const [k, v] of e.entries) {
        if (str(k) === key) {
            return v;
        }
    }
    return undefined;
}

/** Replaces names by their values (`lookup`, as they are when the statement runs): the result no longer depends on later assignments. */
export function bind(e: Expr, lookup: (local: string) => Expr | undefined): Expr {
    if (e.kind !== "ref") {
        return mapChildren(e, (x) => bind(x, lookup));
    }
    const [root, ...rest] = e.local.split(".");
    const value = lookup(root);
    if (value === undefined) {
        return e;
    }
    let out = value;
    for (const name of rest) {
        out = out.kind === "ref" ? { kind: "ref", path: `${out.path}.${name}`, local: `${out.local}.${name}` } : { kind: "attr", target: out, name };
    }
    return out;
}

/** The expression with each of its direct sub-expressions replaced by `f` of it (a leaf as it is). */
export function mapChildren(e: Expr, f: (x: Expr) => Expr): Expr {
    switch (e.kind) {
        case "call":
            return { kind: "call", callee: f(e.callee), args: e.args.map(f), kwargs: keywordArgs(Object.entries(e.kwargs).map(([k, v]) => [k, f(v)] as const)) };
        case "attr":
            return { kind: "attr", target: f(e.target), name: e.name };
        case "list":
            return { kind: "list", items: e.items.map(f) };
        case "dict":
            return { kind: "dict", entries: e.entries.map(([k, v]) => [f(k), f(v)] as const) };
        case "div":
        case "add":
        case "or":
        case "and":
            return { kind: e.kind, left: f(e.left), right: f(e.right) };
        case "compare":
            return { kind: "compare", op: e.op, left: f(e.left), right: f(e.right) };
        case "not":
            return { kind: "not", operand: f(e.operand) };
        case "starred":
            return { kind: "starred", value: f(e.value) };
        case "subscript":
            return { kind: "subscript", target: f(e.target), index: f(e.index) };
        case "fstring":
            return { kind: "fstring", parts: e.parts.map((p) => (typeof p === "string" ? p : f(p))) };
        case "cond":
            return { kind: "cond", test: f(e.test), then: f(e.then), otherwise: f(e.otherwise) };
        case "mod":
            return { kind: "mod", left: f(e.left), right: f(e.right) };
        default:
            return e;
    }
}
