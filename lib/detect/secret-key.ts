import { candidates, ImportRoot, moduleReader } from "./app-code";
import { DjangoProject } from "./django";
import { envVariables, evaluate, walk } from "./python-eval";
import { bind, calleeOf, Expr, PyModule, str } from "./python-source";
import { SourceTree } from "./source";

/**
 * A signing key the app sets in a way that breaks in a container (its `kind`):
 * drawn at random when it starts (`app.secret_key = os.urandom(24)`,
 * `SECRET_KEY = os.environ.get("SECRET_KEY", secrets.token_hex())`,
 * Starlette's `SessionMiddleware(secret_key=...)`), so every server process
 * draws its own, what one worker signs (a session cookie, a CSRF token, a
 * JWT) the others reject, and every restart or deploy logs everyone out;
 * read from the environment with no default; or falling back to a value
 * written in the code.
 */
export interface SigningKey {
    /** The file that sets it, relative to the source folder. */
    readonly file: string;
    /** The setting as written: `SECRET_KEY`, `app.secret_key`, `SessionMiddleware(secret_key=...)`. */
    readonly setting: string;
    /** Environment variables that replace the random value when set; empty when nothing does. */
    readonly variables: readonly string[];
    /**
     * "unset" for a key read from the environment with no default instead (`os.environ.get("SECRET_KEY")`): None
     * until its variable is set, so Flask's sessions and flash() and Flask-WTF's CSRF refuse to work, and Django refuses to start.
     * "fixed" for one that falls back to a value written in the code (`os.environ.get("SECRET_KEY") or "you-will-never-guess"`):
     * left unset, anyone with the code can sign sessions.
     * @default "random"
     */
    readonly kind?: "random" | "unset" | "fixed";
}

/** Calls that return a fresh random value on every call (qualified through the imports). */
const RANDOM = new Set([
    "os.urandom",
    "secrets.token_hex",
    "secrets.token_urlsafe",
    "secrets.token_bytes",
    "secrets.randbits",
    "secrets.choice",
    "uuid.uuid1",
    "uuid.uuid4",
    "random.random",
    "random.randint",
    "random.choice",
    "random.choices",
    "random.getrandbits",
    "random.randbytes",
    "django.core.management.utils.get_random_secret_key",
    "django.utils.crypto.get_random_string",
    "cryptography.fernet.Fernet.generate_key",
]);

/** Config classes for development and tests, by the names Flask's config patterns give them. */
const DEVELOPMENT_CLASS = /^(Dev|Development|Local|Test|Testing|Debug)[A-Z_]|^(Dev|Development|Local|Test|Testing|Debug)$|(Dev|Development|Local|Test|Testing)(Config|Settings)$/;

/** SECRET_KEY, JWT_SECRET_KEY, WTF_CSRF_SECRET_KEY, secret_key, SECRET: the names signing keys go by. */
function isSecretName(name: string): boolean {
    const n = name.toUpperCase();
    return n.endsWith("SECRET_KEY") || n === "SECRET" || n === "JWT_SECRET";
}

function isRandom(e: Expr): boolean {
    let found = false;
    walk(e, (x) => {
        if (x.kind === "call" && RANDOM.has(calleeOf(x) ?? "")) {
            found = true;
        }
    });
    return found;
}

/**
 * The signing keys the app's modules (and a Django project's runtime
 * settings) set to a random value, to an environment read with no default,
 * or to one falling back to a literal: assignments to a secret's name at the top
 * of a module or in a config class (Flask's config objects), item and
 * attribute assignments anywhere (`app.config["SECRET_KEY"] = ...` in a
 * factory, `app.secret_key = ...`), and keyword arguments of that name
 * (`config.update(SECRET_KEY=...)`, `SessionMiddleware(secret_key=...)`).
 * In a Django project its settings modules count only through the settings
 * the server runs (a development module's random key is not the server's).
 */
export function signingKeys(src: SourceTree, roots: readonly ImportRoot[], django?: DjangoProject): SigningKey[] {
    const out: SigningKey[] = [];
    const reader = moduleReader(src, roots);
    // A key drawn once and written to a file the module reads back on the next import (pretix's DATA_DIR/.secret) is kept, not drawn per worker.
    const persisted = (file: string, setting: string): boolean =>
        (reader.parse(file)?.calls ?? []).some((call) => {
            const callee = calleeOf(call) ?? "";
            return (callee.endsWith(".write") || callee.endsWith(".write_text")) && call.args.some((a) => a.kind === "ref" && a.local === setting);
        });
    // `unset`: whether a key left None counts (an assignment does; a keyword argument is a library's to default, FastHTML's fast_app(secret_key=None) keeps a key file).
    const add = (file: string, setting: string, value: Expr, mod?: PyModule, fromEnv: readonly string[] = [], unset = true): void => {
        if (persisted(file, setting)) {
            return;
        }
        // A name bound at the top of the module: `key = os.urandom(24)`, then `app.secret_key = key`.
        // Module-level names bound too: `config = Config(".env")`, then `config("SECRET_KEY", default=...)` is an environment read.
        const named = value.kind === "ref" && mod && !value.local.includes(".") ? (mod.value(value.local) ?? value) : value;
        const v = mod ? bind(named, (local) => mod.value(local)) : named;
        if (out.some((o) => o.file === file && o.setting === setting)) {
            return;
        }
        if (isRandom(v)) {
            out.push({ file, setting, variables: [...new Set([...fromEnv, ...envVariables(v)])] });
        } else if (unset && fromEnv.length === 0 && envVariables(v).length > 0) {
            const left = evaluate(v, () => undefined);
            if (left?.t === "none") {
                out.push({ file, setting, variables: envVariables(v), kind: "unset" });
            } else if (left?.t === "str" && left.v !== "") {
                out.push({ file, setting, variables: envVariables(v), kind: "fixed" });
            }
        }
    };
    if (django) {
        const key = django.settings.get("SECRET_KEY");
        const file = django.settings.sourceOf("SECRET_KEY");
        if (key && file) {
            add(file, "SECRET_KEY", key);
        }
    }
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        if (!mod) {
            continue;
        }
        const settingsModule = django !== undefined && mod.assigns.some(([name]) => name === "SECRET_KEY" || name === "INSTALLED_APPS");
        if (!settingsModule) {
            for (const [name, value] of mod.assigns) {
                if (isSecretName(name)) {
                    add(c.file, name, value, mod);
                }
            }
            for (const cls of mod.classes.values()) {
                // Flasky's DevelopmentConfig/TestingConfig: the server loads the production class (as Django's development settings do not count).
                if (DEVELOPMENT_CLASS.test(cls.name)) {
                    continue;
                }
                // pydantic-settings: a field's environment variable (env_prefix + its name) replaces its default.
                const settings = cls.bases.some((b) => b.split(".").pop() === "BaseSettings");
                const config = cls.fields.get("model_config");
                const prefix = settings && config?.kind === "call" ? (str(config.kwargs["env_prefix"]) ?? "") : "";
                for (const [name, value] of cls.fields) {
                    if (isSecretName(name)) {
                        add(c.file, `${cls.name}.${name}`, value, mod, settings ? [`${prefix}${name}`.toUpperCase()] : []);
                    }
                }
            }
        }
        for (const [target, value] of mod.itemAssignsAnywhere) {
            const name = target.kind === "subscript" ? str(target.index) : target.kind === "ref" ? target.local.split(".").pop() : target.kind === "attr" ? target.name : undefined;
            if (name !== undefined && isSecretName(name)) {
                const text = target.kind === "subscript" ? `[${JSON.stringify(name)}]` : target.kind === "ref" ? target.local : `.${name}`;
                add(c.file, text, value, mod);
            }
        }
        for (const call of mod.calls) {
            for (const [kw, value] of Object.entries(call.kwargs)) {
                if (isSecretName(kw)) {
                    const callee = call.callee.kind === "ref" ? call.callee.local : "a call";
                    add(c.file, `${callee}(${kw}=...)`, value, mod, [], false);
                }
            }
        }
    }
    return out;
}
