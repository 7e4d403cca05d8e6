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

/** `module:attribute` or `module:factory()`, as gunicorn takes it. */
export const APP_SPEC = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(?:\(\))?$/;

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
