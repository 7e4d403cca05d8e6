import { load as loadYaml } from "js-yaml";
import { parse as parseToml } from "smol-toml";
import { DEFAULTS } from "../data/defaults";
import { Bound, boundOf } from "./code-objects";
import { readIni } from "./ini";
import { joinPath, MAX_DEPTH, PathContext, pathValue } from "./paths";
import { calleeOf, Expr, str } from "./python-source";
import { byName } from "../data/by-name";

/**
 * Config files the app's code parses, read as it reads them: TOML, YAML and
 * JSON loaded from an open file, a path or its text (tomllib, PyYAML, json,
 * OmegaConf with its `${a.b}` references), configparser's parsers with the
 * files their read() calls name, dynaconf's settings files with their
 * environments; and the values taken from them (`CONFIG["storage"]["root"]`,
 * `.get("k", default)`, `parser.get("section", "key")`). A file is read from
 * the source folder, relative to the working folder.
 */

/** A value of a config file: TOML, YAML, JSON as parsed; an INI file as sections of keys. */
export type Doc = string | number | boolean | null | Doc[] | { [key: string]: Doc };

/** Functions that parse a config file (an open file, or the text), by the format they read. */
export const LOADERS: Readonly<Record<string, "toml" | "yaml" | "json" | "omegaconf">> = byName({
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
});

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
export function readSource(path: string | undefined, ctx: PathContext): string | undefined {
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
export function docExpr(doc: Doc): Expr {
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
