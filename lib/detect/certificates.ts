import { SourceTree } from "./source";

/** Folders never searched: version control, dependencies, virtualenvs, caches. */
const SKIP = new Set([".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox"]);

/** How deep the source folder is searched, and how large a file is read. */
const MAX_DEPTH = 5;
const MAX_BYTES = 4 * 1024 * 1024;

/** Characters with a meaning in a .dockerignore pattern: a file named with one is not re-included by name. */
const PATTERN_CHARS = /[*?[\]\\!#\s]/;

/**
 * The app's `.pem` files that hold public certificates and no private key
 * (a database's CA bundle such as `certs/global-bundle.pem`, which libpq's
 * `sslrootcert` or a requests `verify=` names): the image's .dockerignore
 * leaves `**\/*.pem` out as secrets, and a CA bundle left out breaks every
 * TLS connection that needs it. A file is one when its PEM blocks include a
 * `CERTIFICATE` and none is a `PRIVATE KEY` (PKCS#1, PKCS#8, EC, encrypted).
 * Paths relative to the source folder, sorted.
 */
export function publicCertificates(src: SourceTree): string[] {
    const out: string[] = [];
    let level = [""];
    for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
        const next: string[] = [];
        for (const dir of level) {
            for (const e of src.list(dir)) {
                const rel = dir === "" ? e.name : `${dir}/${e.name}`;
                if (e.isDirectory() && !SKIP.has(e.name)) {
                    next.push(rel);
                } else if (e.isFile() && e.name.endsWith(".pem") && !PATTERN_CHARS.test(rel) && src.size(rel) <= MAX_BYTES) {
                    const text = src.readIfFile(rel) ?? "";
                    if (text.includes("-----BEGIN CERTIFICATE-----") && !/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
                        out.push(rel);
                    }
                }
            }
        }
        level = next;
    }
    return out.sort();
}
