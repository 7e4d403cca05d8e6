import { ImportRoot, moduleReader } from "./app-code";
import { envReader, envVariables, evaluate, requiredVariables, truthy, variablesARaiseNeeds, walk } from "./python-eval";
import { parse as parseToml } from "smol-toml";
import { bind, calleeOf, ClassDef, Expr, FunctionDef, keywordArgs, PyModule, refPath, Step, str, strList } from "./python-source";
import { SourceTree } from "./source";

/** What the served module's import reads from the environment with no default. */
export interface ImportEnv {
    /** The variables, in the order the code reads them. */
    readonly variables: readonly string[];
    /** The files that read them, relative to the source folder. */
    readonly files: readonly string[];
    /** A file among them loads a .env file (python-dotenv's load_dotenv), which the image leaves out. */
    readonly dotenv: boolean;
    /** Secrets files dynaconf is told to read (`.secrets.toml`), which the image leaves out. */
    readonly secretsFiles: readonly string[];
}

/**
 * Calls that refuse None for the URL they are given, at the moment they are
 * called: SQLAlchemy's engines (`ArgumentError: Expected string or URL object,
 * got None`), SQLModel's re-export, redis-py's `from_url`.
 */
const REFUSES_NONE = new Set([
    "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlmodel.create_engine",
    "redis.from_url",
    "redis.Redis.from_url",
    "redis.StrictRedis.from_url",
    "redis.asyncio.from_url",
    "redis.asyncio.Redis.from_url",
]);

/**
 * The variables whose absence hands such a call None at import:
 * `DATABASE_URL = os.environ.get("DATABASE_URL")` then
 * `engine = create_engine(DATABASE_URL)` (testdriven.io's FastAPI + SQLModel
 * app): `os.environ.get` has no default, so the import fails without it.
 */
function noneRefusedAtImport(value: Expr, lookup: (local: string) => Expr | undefined): string[] {
    const out: string[] = [];
    walk(value, (x) => {
        if (x.kind !== "call" || !REFUSES_NONE.has(calleeOf(x) ?? "")) {
            return;
        }
        const given = x.args[0] ?? x.kwargs["url"];
        const bound = given === undefined ? undefined : bind(given, lookup);
        if (bound !== undefined && evaluate(bound, () => undefined)?.t === "none") {
            out.push(...envVariables(bound));
        }
    });
    return out;
}

/** How deep the app's own imports are followed from the served module: main -> api.routes -> core.config is 2. */
const IMPORT_DEPTH = 3;

/**
 * The environment variables the module gunicorn imports reads at import with
 * no default (`os.environ["SECRET_KEY"]`, `env("X")`: os.environ.get() and
 * getenv() without a default are fine), and those the app's own modules it
 * imports read (IMPORT_DEPTH levels down, each module once): without them every worker dies at start with
 * KeyError. Top-level statements only, and not those under an `if`, and
 * the bodies of the classes the modules define (they run at import too).
 */
export function importTimeEnv(src: SourceTree, roots: readonly ImportRoot[], module: string, factory?: string): ImportEnv | undefined {
    const reader = moduleReader(src, roots);
    const top = reader.fileOf(module);
    if (top === undefined) {
        return undefined;
    }
    const variables: string[] = [];
    const files: string[] = [];
    let dotenv = false;
    const secretsFiles: string[] = [];
    // Each module once: an import cycle, or a config module many modules import, is read where it is first imported.
    const scanned = new Set<string>([top.file]);
    const scan = (file: string, root: ImportRoot, depth: number): void => {
        const mod = reader.parse(file);
        if (!mod) {
            return;
        }
        const names = new Map<string, Expr>();
        const lookup = (local: string): Expr | undefined => names.get(local);
        let found = false;
        for (const step of mod.order) {
            if (step.kind === "raise") {
                // `SECRET_KEY = os.environ.get("SECRET_KEY")` then `if not SECRET_KEY: raise ValueError(...)` (or an assert):
                // the variables whose absence makes the import fail.
                for (const v of raisedWithout(step, lookup)) {
                    found = true;
                    if (!variables.includes(v)) {
                        variables.push(v);
                    }
                }
                continue;
            }
            if (step.guards.length > 0) {
                continue;
            }
            if (step.kind === "import") {
                if (depth < IMPORT_DEPTH && !step.module.startsWith("__future__")) {
                    const from = { file, root };
                    const where = (step.name !== undefined ? reader.fileOf(`${step.module}.${step.name}`, from) : undefined) ?? reader.fileOf(step.module, from);
                    if (where !== undefined && where.file !== file && !scanned.has(where.file)) {
                        scanned.add(where.file);
                        scan(where.file, where.root, depth + 1);
                    }
                }
                continue;
            }
            if (step.kind !== "assign" && step.kind !== "update" && step.kind !== "expr") {
                continue;
            }
            if (step.value.kind === "call" && (loadsEnvFile(step.value) || settingsEnvFile(mod, step.value))) {
                dotenv = true;
            }
            if (step.value.kind === "call") {
                // A module-level app.config.from_object("settings") runs that module at import.
                followFromObject(reader, step.value, { file, root }, undefined, follow);
            }
            const getters = settingsGetters(reader, mod, file, root, step.value);
            dotenv ||= getters.envFile;
            const dyn = step.value.kind === "call" ? dynaconfRequired(src, step.value) : undefined;
            secretsFiles.push(...(dyn?.secretsFiles ?? []).filter((f) => !secretsFiles.includes(f)));
            // In a try body, the except clause may catch a read that fails (`try: X = os.environ["X"]` / `except KeyError:`).
            for (const v of step.handled ? [] : [
                ...requiredVariables(step.value, (x) => bind(x, lookup)),
                ...noneRefusedAtImport(step.value, lookup),
                ...settingsFields(mod, step.value),
                ...factoryReads(reader, mod, file, root, step.value, follow),
                ...(dyn?.variables ?? []),
                ...getters.variables,
            ]) {
                found = true;
                if (!variables.includes(v)) {
                    variables.push(v);
                }
            }
            if (step.kind === "assign") {
                names.set(step.name, bind(step.value, lookup));
            }
        }
        // Class bodies run when their module is imported (a config class's `SECRET_KEY = os.environ["SECRET_KEY"]`
        // fails the import whichever class the app then loads), in every module the import runs.
        for (const v of [...mod.classes.values()].flatMap((c) => [...c.fields.values()]).flatMap((e) => requiredVariables(e, (x) => bind(x, lookup)))) {
            found = true;
            if (!variables.includes(v)) {
                variables.push(v);
            }
        }
        if (found && !files.includes(file)) {
            files.push(file);
        }
    };
    /** A config module a factory loads (from_object("app.settings")): its top level runs then. */
    const follow = (file: string, root: ImportRoot): void => {
        if (!followed.has(file)) {
            followed.add(file);
            scan(file, root, 1);
        }
    };
    const followed = new Set<string>();
    scan(top.file, top.root, 0);
    // gunicorn calls the factory the spec names (`app:create_app()`) when each worker starts.
    const topMod = factory === undefined ? undefined : reader.parse(top.file);
    if (topMod && factory !== undefined) {
        const reads = factoryReads(reader, topMod, top.file, top.root, { kind: "call", callee: { kind: "ref", path: factory, local: factory }, args: [], kwargs: keywordArgs() }, follow);
        if (reads.length > 0 && !files.includes(top.file)) {
            files.push(top.file);
        }
        variables.push(...reads.filter((v, i) => !variables.includes(v) && reads.indexOf(v) === i));
    }
    return variables.length === 0 ? undefined : { variables, files, dotenv, secretsFiles };
}

/**
 * The variables a top-level `raise` (under its `if` tests) or `assert` reads,
 * when it certainly fails the import with the environment unset: each test
 * evaluates, with the module's names bound, to what makes it run.
 */
function raisedWithout(step: Extract<Step, { kind: "raise" }>, lookup: (local: string) => Expr | undefined): string[] {
    const unset = (): undefined => undefined;
    const tests = step.guards.map((g) => ({ test: bind(g.test, lookup), holds: g.holds }));
    if (step.test !== undefined) {
        tests.push({ test: bind(step.test, lookup), holds: false });
    }
    const fires =
        tests.length > 0 &&
        tests.every((t) => {
            const v = evaluate(t.test, unset);
            return v !== undefined && truthy(v) === t.holds;
        });
    return fires ? variablesARaiseNeeds(tests) : [];
}

/** dynaconf's settings object, whose validators run on first access (at import, when the app's config reads it). */
const DYNACONF = new Set(["dynaconf.Dynaconf", "dynaconf.LazySettings"]);

/**
 * The variables a dynaconf settings object requires: its validators'
 * `must_exist=True` names that no settings file the image ships sets, as
 * dynaconf reads them from the environment (`envvar_prefix` + "_" + name,
 * DYNACONF_ by default). Its secrets files (`.secrets.toml`, `dynaconf init`'s
 * name) are left out of the image like .env files.
 */
function dynaconfRequired(src: SourceTree, call: Extract<Expr, { kind: "call" }>): { variables: string[]; secretsFiles: string[] } | undefined {
    if (!DYNACONF.has(calleeOf(call) ?? "")) {
        return undefined;
    }
    const prefixArg = call.kwargs["envvar_prefix"];
    const prefix = prefixArg === undefined ? "DYNACONF" : str(prefixArg);
    const files = strList(call.kwargs["settings_files"] ?? call.kwargs["settings_file"] ?? call.kwargs["SETTINGS_FILE_FOR_DYNACONF"]) ?? (str(call.kwargs["settings_files"]) !== undefined ? [str(call.kwargs["settings_files"])!] : []);
    const secretsFiles = files.filter((f) => /(^|\/)\.secrets\./.test(f));
    // Keys the shipped TOML settings files set, at the top or in an environment's table ([default], [production]).
    const shipped = new Set<string>();
    for (const f of files.filter((x) => !secretsFiles.includes(x) && x.endsWith(".toml") && src.isFile(x))) {
        try {
            const doc = parseToml(src.read(f)) as Record<string, unknown>;
            for (const [k, v] of Object.entries(doc)) {
                shipped.add(k.toUpperCase());
                if (v !== null && typeof v === "object" && !Array.isArray(v)) {
                    Object.keys(v).forEach((x) => shipped.add(x.toUpperCase()));
                }
            }
        } catch {
            // an unreadable file sets nothing known
        }
    }
    const validators = call.kwargs["validators"];
    const names: string[] = [];
    for (const v of validators?.kind === "list" ? validators.items : []) {
        if (v.kind !== "call" || calleeOf(v) !== "dynaconf.Validator") {
            continue;
        }
        const must = v.kwargs["must_exist"] ?? v.kwargs["required"];
        if (must?.kind !== "bool" || !must.value) {
            continue;
        }
        for (const a of v.args) {
            const name = str(a);
            if (name !== undefined && !shipped.has(name.toUpperCase()) && !names.includes(name)) {
                names.push(name);
            }
        }
    }
    return { variables: names.map((n) => (prefix === undefined || prefix === "" ? n : `${prefix}_${n}`).toUpperCase()), secretsFiles };
}

/**
 * A call that loads a .env file: python-dotenv's load_dotenv(), Starlette's
 * Config(".env"), environs' and django-environ's read_env().
 */
function loadsEnvFile(call: Extract<Expr, { kind: "call" }>): boolean {
    const callee = calleeOf(call) ?? "";
    return (
        callee.startsWith("dotenv.") ||
        callee.endsWith(".read_env") ||
        (callee === "starlette.config.Config" && (call.args[0] ?? call.kwargs["env_file"]) !== undefined && call.args[0]?.kind !== "none")
    );
}

/**
 * What a factory called at import reads (`app = create_app()`, defined here or
 * imported from the app's own code): its body's reads with no default, which
 * run when the module is imported.
 */
function factoryReads(
    reader: ReturnType<typeof moduleReader>,
    mod: PyModule,
    file: string,
    root: ImportRoot,
    value: Expr,
    follow: (file: string, root: ImportRoot) => void,
): string[] {
    const callee = value.kind === "call" ? calleeOf(value) : undefined;
    const found = callee === undefined ? undefined : functionOf(reader, mod, file, root, callee);
    if (callee === undefined || found === undefined) {
        return [];
    }
    const { fn, home } = found;
    const cut = callee.lastIndexOf(".");
    // `app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]` in the factory: config items the module sets inside functions (factories set them).
    const configItems = home.itemAssignsAnywhere.filter(([t]) => t.kind === "subscript" && /(^|\.)config$/.test(refPath(t.target) ?? "")).map(([, v]) => v);
    // app.config.from_object("app.settings"), or through a parameter's default (cookiecutter-flask's create_app(config_object="app.settings")).
    const from = { file: cut > 0 ? (reader.fileOf(callee.slice(0, cut), { file, root })?.file ?? file) : file, root };
    for (const call of fn.calls) {
        followFromObject(reader, call, from, fn, follow);
    }
    return [...fn.assigns.map(([, v]) => v), ...fn.calls, ...fn.returns, ...configItems].flatMap((e) => requiredVariables(e, (x) => x));
}

/** A function a call names: defined in the module, or imported from the app's own code (`config.get_settings`). */
function functionOf(reader: ReturnType<typeof moduleReader>, mod: PyModule, file: string, root: ImportRoot, callee: string): { fn: FunctionDef; home: PyModule } | undefined {
    const local = mod.functions.get(callee);
    if (local !== undefined) {
        return { fn: local, home: mod };
    }
    const cut = callee.lastIndexOf(".");
    const where = cut > 0 ? reader.fileOf(callee.slice(0, cut), { file, root }) : undefined;
    const home = where === undefined ? undefined : reader.parse(where.file);
    const fn = home?.functions.get(callee.slice(cut + 1));
    return fn === undefined || home === undefined ? undefined : { fn, home };
}

/**
 * pydantic-settings instances made through a getter the statement calls (the
 * FastAPI docs' `@lru_cache def get_settings(): return Settings()`, called at
 * import as `FastAPI(title=get_settings().app_name)`), the getter defined here
 * or imported from the app's own code: the fields they need, and whether
 * they read an env_file.
 */
function settingsGetters(reader: ReturnType<typeof moduleReader>, mod: PyModule, file: string, root: ImportRoot, value: Expr): { variables: string[]; envFile: boolean } {
    const variables: string[] = [];
    let envFile = false;
    walk(value, (x) => {
        const callee = x.kind === "call" ? calleeOf(x) : undefined;
        const found = callee === undefined ? undefined : functionOf(reader, mod, file, root, callee);
        if (found === undefined) {
            return;
        }
        const { fn, home } = found;
        for (const r of fn.params.some((p) => !p.hasDefault && !p.variadic) ? [] : fn.returns) {
            variables.push(...settingsFields(home, r).filter((v) => !variables.includes(v)));
            envFile ||= settingsFields(home, r).length > 0 && settingsEnvFile(home, r);
        }
    });
    return { variables, envFile };
}

/**
 * The config module `app.config.from_object(...)` loads, followed (its top
 * level runs then): a literal, a parameter's default (`fn`'s), or
 * os.environ.get("APP_SETTINGS", "app.config.ProductionConfig")'s default.
 */
function followFromObject(
    reader: ReturnType<typeof moduleReader>,
    call: Extract<Expr, { kind: "call" }>,
    from: { file: string; root: ImportRoot },
    fn: FunctionDef | undefined,
    follow: (file: string, root: ImportRoot) => void,
): void {
    if (!(calleeOf(call) ?? "").endsWith(".config.from_object")) {
        return;
    }
    const literal = (e: Expr | undefined): string | undefined => {
        const reader2 = e?.kind === "call" ? envReader(e) : undefined;
        return str(e) ?? (reader2 !== undefined && e?.kind === "call" ? str(e.args[1] ?? e.kwargs["default"]) : undefined);
    };
    const arg = call.args[0];
    const target = literal(arg) ?? (arg?.kind === "ref" ? literal(fn?.params.find((p) => p.name === arg.local)?.default) : undefined);
    // f"pkg.config.{APP_ENV.title()}Config": the class varies, its module is fixed text.
    const fixed = arg?.kind === "fstring" && typeof arg.parts[0] === "string" && arg.parts[0].includes(".") ? arg.parts[0].slice(0, arg.parts[0].lastIndexOf(".")) : undefined;
    const fixedHome = fixed === undefined ? undefined : reader.fileOf(fixed, from);
    if (fixedHome !== undefined) {
        follow(fixedHome.file, fixedHome.root);
        return;
    }
    const where = target === undefined ? undefined : reader.fileOf(target, from);
    if (where !== undefined) {
        follow(where.file, where.root);
    } else if (target !== undefined && target.includes(".")) {
        // "config.ProductionConfig" imports its module: the top level and every class body run then.
        const home2 = reader.fileOf(target.slice(0, target.lastIndexOf(".")), from);
        const parsed = home2 === undefined ? undefined : reader.parse(home2.file);
        if (home2 !== undefined && parsed !== undefined) {
            follow(home2.file, home2.root);
        }
    }
}

/** pydantic-settings' base classes: an instance reads each field from the environment. */
const SETTINGS_BASES = ["pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings"];

/** A pydantic-settings class instantiated here reads an env_file (model_config's env_file=, or pydantic v1's `class Config: env_file`), which the image leaves out. */
function settingsEnvFile(mod: PyModule, value: Expr): boolean {
    const local = value.kind === "call" && value.callee.kind === "ref" && !value.callee.local.includes(".") ? value.callee.local : undefined;
    const cls = local === undefined ? undefined : mod.classes.get(local);
    const config = cls?.fields.get("model_config");
    return (config?.kind === "call" && config.kwargs["env_file"] !== undefined && config.kwargs["env_file"].kind !== "none") || mod.classes.get("Config")?.fields.has("env_file") === true;
}

/**
 * The variables a pydantic-settings class instantiated here (`settings = Settings()`,
 * the class defined in this module) needs: its fields (and its bases' in the
 * module) annotated with no default, that the call does not pass, named as
 * pydantic-settings reads them (model_config's env_prefix, then the field
 * name; matched without regard to case, so upper case here).
 */
function settingsFields(mod: PyModule, value: Expr): string[] {
    const local = value.kind === "call" && value.callee.kind === "ref" && !value.callee.local.includes(".") ? value.callee.local : undefined;
    const cls = local === undefined ? undefined : mod.classes.get(local);
    if (cls === undefined || value.kind !== "call") {
        return [];
    }
    const chain: ClassDef[] = [];
    const visit = (c: ClassDef): boolean => {
        chain.push(c);
        return c.bases.some((b) => SETTINGS_BASES.includes(b) || (mod.classes.has(b) && !chain.some((x) => x.name === b) && visit(mod.classes.get(b)!)));
    };
    if (!visit(cls)) {
        return [];
    }
    const config = chain.map((c) => c.fields.get("model_config")).find((e) => e !== undefined);
    const prefix = (config?.kind === "call" ? str(config.kwargs["env_prefix"]) : undefined) ?? "";
    const given = new Set(Object.keys(value.kwargs));
    const set = new Set(chain.flatMap((c) => [...c.fields.keys()]));
    // `x: str = Field(...)`, `Field(min_length=16)`, `Field(validation_alias="DATABASE_URL")`: no default either.
    const fieldOf = (f: string) => chain.map((c) => c.fields.get(f)).find((e) => e !== undefined);
    const isField = (e: Expr | undefined): e is Extract<Expr, { kind: "call" }> => e?.kind === "call" && FIELD.has(calleeOf(e) ?? "");
    const noDefault = (e: Extract<Expr, { kind: "call" }>) =>
        (e.args[0]?.kind === "other" && e.args[0].text === "...") || (e.args.length === 0 && e.kwargs["default"] === undefined && e.kwargs["default_factory"] === undefined);
    const fieldRequired = chain.flatMap((c) => [...c.fields.keys()]).filter((f) => {
        const e = fieldOf(f);
        return isField(e) && noDefault(e);
    });
    // An alias is the variable's whole name (env_prefix does not apply to it).
    const named = (f: string) => {
        const e = fieldOf(f);
        const alias = isField(e) ? (str(e.kwargs["validation_alias"]) ?? str(e.kwargs["alias"])) : undefined;
        return (alias ?? `${prefix}${f}`).toUpperCase();
    };
    return [...new Set([...chain.flatMap((c) => c.annotated).filter((f) => !set.has(f)), ...fieldRequired])].filter((f) => !given.has(f)).map(named);
}

/** pydantic's Field(): a field's default, alias and constraints. */
const FIELD = new Set(["pydantic.Field", "pydantic.fields.Field"]);
