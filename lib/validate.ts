import { parseModule } from "./detect/python-source";
import { InputError } from "./errors";

/**
 * Checks shared by synthesize() and the components. Each one either returns
 * the value (narrowed) or throws an InputError naming the argument. Values
 * that reach the Dockerfile or a shell are checked against allow-lists, never
 * escaped after the fact.
 */

// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function noControlChars(argument: string, value: string): string {
    const m = CONTROL.exec(value);
    if (m) {
        const code = m[0].charCodeAt(0).toString(16).padStart(4, "0");
        throw new InputError(
            argument,
            `${argument} contains a newline or control character (U+${code.toUpperCase()}); ` +
                "such characters could start a new Dockerfile instruction or shell command. Remove it.",
        );
    }
    return value;
}

export function string(argument: string, value: unknown): string {
    if (typeof value !== "string") {
        throw new InputError(argument, `${argument} must be a string known before deployment, not ${describe(value)}.`);
    }
    return noControlChars(argument, value);
}

export function matches(argument: string, value: unknown, pattern: RegExp, expected: string): string {
    const s = string(argument, value);
    if (!pattern.test(s)) {
        throw new InputError(argument, `${argument} is ${JSON.stringify(s)}, which is not ${expected}.`);
    }
    return s;
}

export function integer(argument: string, value: unknown, min: number, max: number, hint: string): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw new InputError(
            argument,
            `${argument} is ${describe(value)}; it must be a whole number from ${min} to ${max}. ${hint}`.trimEnd(),
        );
    }
    return value;
}

export function stringList(argument: string, value: unknown, pattern: RegExp, expected: string): string[] {
    if (value === undefined) {
        return [];
    }
    if (!Array.isArray(value)) {
        throw new InputError(argument, `${argument} must be a list of strings, not ${describe(value)}.`);
    }
    return value.map((v, i) => matches(indexed(argument, i), v, pattern, expected));
}

/** true or false; `fallback` when unset. */
export function bool(argument: string, value: unknown, fallback: boolean): boolean;
export function bool(argument: string, value: unknown): boolean | undefined;
export function bool(argument: string, value: unknown, fallback?: boolean): boolean | undefined {
    if (value === undefined) {
        return fallback;
    }
    if (typeof value !== "boolean") {
        throw new InputError(argument, `${argument} must be true or false, not ${describe(value)}.`);
    }
    return value;
}

/** One of a closed list of strings. */
export function oneOf<T extends string>(argument: string, value: unknown, allowed: readonly T[]): T {
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        const list = allowed.map((a) => `"${a}"`);
        const words = list.length === 2 ? `${list[0]} or ${list[1]}` : `one of ${list.join(", ")}`;
        throw new InputError(argument, `${argument} is ${describe(value)}; it must be ${words}.`);
    }
    return value as T;
}

/** A plain object of names to values, each name checked against `keyPattern` and each value by `check`. Keys come back sorted. */
export function stringMap<V>(
    argument: string,
    value: unknown,
    keyPattern: RegExp,
    keyExpected: string,
    check: (argument: string, v: unknown) => V,
): Record<string, V> {
    if (value === undefined) {
        return {};
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new InputError(argument, `${argument} must be an object of names to values, not ${describe(value)}.`);
    }
    const out: Record<string, V> = {};
    for (const key of Object.keys(value).sort()) {
        matches(`${argument} key`, key, keyPattern, keyExpected);
        out[key] = check(`\`${argument.replace(/`/g, "")}.${key}\``, (value as Record<string, unknown>)[key]);
    }
    return out;
}

/**
 * A folder inside the source folder, as a relative POSIX path ("portal",
 * "src/app"); "." is the source folder itself. No `..`, no absolute path, no
 * characters a Dockerfile or shell would read specially.
 */
export function relativeDir(argument: string, value: unknown): string {
    const s = string(argument, value);
    const parts = s.split("/").filter((p) => p !== "" && p !== ".");
    if (s.startsWith("/") || parts.includes("..") || !parts.every((p) => SAFE_PATH_PART.test(p))) {
        throw new InputError(
            argument,
            `${argument} is ${JSON.stringify(s)}, which is not a folder inside the source folder; give a relative path such as "web" or "src" (letters, digits, ., _ and -; no "..").`,
        );
    }
    return parts.join("/");
}

/** A path part the Dockerfile and gunicorn take as it is. */
export const SAFE_PATH_PART = /^[A-Za-z0-9._-]+$/;

/** A command as a list of words (exec form): at least one, each a string without control characters. */
export function argv(argument: string, value: unknown): string[] {
    if (!Array.isArray(value) || value.length === 0) {
        throw new InputError(argument, `${argument} must be a command as a non-empty list of words, e.g. ["python", "manage.py", "migrate"], not ${describe(value)}.`);
    }
    return value.map((w, i) => string(indexed(argument, i), w));
}

/** "`tags`" and 0 -> "`tags[0]`". */
function indexed(argument: string, i: number): string {
    return argument.endsWith("`") ? `${argument.slice(0, -1)}[${i}]\`` : `${argument}[${i}]`;
}

/** An environment variable name, as POSIX shells accept it. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A Debian package name, optionally pinned: `libpq5` or `libpq5=15.8-0+deb12u1`. */
export const APT_PACKAGE = /^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$/;

/**
 * An image reference: [registry[:port]/]path[:tag][@sha256:digest], as the
 * distribution reference grammar allows (lower-case path components).
 */
export const IMAGE_REF =
    /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** A registry host: name or IPv4 with an optional port. */
export const REGISTRY_HOST =
    /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?$/;

/** A repository path inside a registry: `team/api`. */
export const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** An image tag. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A Linux user or group name that useradd accepts everywhere. */
export const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** A Python identifier (ASCII). */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A dotted Python module name. */
export const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * A module as gunicorn imports it (importlib.import_module, which needs no
 * identifier): dotted names whose parts may hold hyphens after the first
 * character, as a file `youtube-dl-server.py` does; no part starts with one, so
 * none reads as a command-line option.
 */
export const IMPORT_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/** A URL path for the health check: starts with `/`, no quotes, spaces or backslashes. */
export const URL_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** A platform such as linux/amd64 or linux/arm64/v8. */
export const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

export function describe(value: unknown): string {
    if (value === undefined) {
        return "undefined";
    }
    if (value === null) {
        return "null";
    }
    if (typeof value === "string") {
        return JSON.stringify(value);
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    if (typeof value === "object" && "__pulumiOutput" in (value as object)) {
        return "a Pulumi Output (pass a plain value: it is needed before deployment)";
    }
    return `a value of type ${Array.isArray(value) ? "array" : typeof value}`;
}

const APP_RULE =
    'it must be "module:attribute" (e.g. "app:app", "myproj.wsgi:application"), "module:factory()" ' +
    '(e.g. "app:create_app()", with literal arguments if any), or a bare "module" (gunicorn then serves its `application`), with Python identifiers only (a file name of a module may also hold hyphens).';

/**
 * gunicorn's APP_MODULE: a dotted module, then an attribute or a call whose
 * arguments are literals (gunicorn evaluates them with ast.literal_eval). The
 * call part is read with the Python parser; a bare module gets `:application`.
 */
export function appSpec(value: unknown): string {
    const s = string("`app`", value);
    const colon = s.indexOf(":");
    const module = colon < 0 ? s : s.slice(0, colon);
    const attr = colon < 0 ? "application" : s.slice(colon + 1);
    const ok = IMPORT_PATH.test(module) && (IDENTIFIER.test(attr) || literalCall(attr));
    if (!ok) {
        throw new InputError("`app`", `\`app\` is ${JSON.stringify(s)}; ${APP_RULE}`);
    }
    return `${module}:${attr}`;
}

/** `name(...)` whose arguments are all literals (strings, numbers, True/False/None). */
function literalCall(text: string): boolean {
    const open = text.indexOf("(");
    if (open <= 0 || !text.endsWith(")") || !IDENTIFIER.test(text.slice(0, open))) {
        return false;
    }
    const mod = parseModule(`__spec__ = ${text}\n`);
    const value = mod.value("__spec__");
    if (value?.kind !== "call" || mod.calls.length !== 1) {
        return false;
    }
    const literal = (e: { kind: string }) => e.kind === "str" || e.kind === "num" || e.kind === "bool" || e.kind === "none";
    return value.args.every(literal) && Object.values(value.kwargs).every(literal) && !text.includes("*");
}
