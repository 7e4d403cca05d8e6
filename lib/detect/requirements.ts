import { parsePipRequirementsLine, Requirement } from "pip-requirements-js";
import { parse as shellWords } from "shell-quote";
import { compare as comparePep440 } from "@renovatebot/pep440";

/**
 * pip's requirements-file format, read the way pip reads it: comments and
 * line continuations first, then each logical line is either options (split
 * into words as pip does with shlex) or a requirement, whose PEP 508 part is
 * parsed by pip-requirements-js and whose per-requirement options (--hash)
 * follow it.
 */

export type RequirementLine =
    /** `name[extras] specifiers ; marker` */
    | {
          readonly kind: "name";
          readonly name: string;
          readonly extras: readonly string[];
          readonly specifiers: ReadonlyArray<{ readonly operator: string; readonly version: string }>;
          /** The environment marker after `;`, as the PEP 508 parser reads it. */
          readonly marker?: MarkerTree;
          /** The per-requirement options after it (`--hash`, `--config-settings`, `--global-option`), by name. */
          readonly options?: readonly string[];
          readonly line: string;
      }
    /** `name @ url` (PEP 508) or a bare URL (`git+https://...#egg=name`); `-e` before it makes it `editable`. */
    | {
          readonly kind: "url";
          readonly name?: string;
          readonly url: string;
          readonly vcs: boolean;
          readonly editable?: boolean;
          /** The environment marker after ` ;` (`name @ url ; sys_platform == "darwin"`). */
          readonly marker?: MarkerTree;
          readonly options?: readonly string[];
          readonly line: string;
      }
    /** `-e .`, `./lib`, `file:...`: a local path, installed from the source; `.[server]` asks for its extras (`path` is then "."). */
    | { readonly kind: "path"; readonly path: string; readonly extras: readonly string[]; readonly editable: boolean; readonly options?: readonly string[]; readonly line: string }
    /** `-r file` / `-c file`. */
    | { readonly kind: "include"; readonly file: string; readonly constraints: boolean; readonly line: string }
    /** `--index-url`, `--extra-index-url`, `--find-links` and other global options. */
    | { readonly kind: "option"; readonly option: string; readonly value?: string; readonly line: string };

export class RequirementsError extends Error {
    constructor(
        readonly lineNumber: number,
        readonly line: string,
        readonly problem: string,
    ) {
        super(`line ${lineNumber}: ${problem}`);
    }
}

const VCS_SCHEMES = ["git+", "hg+", "svn+", "bzr+"];

const OPTIONS_WITH_VALUE = new Set([
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "--trusted-host", "--no-binary", "--only-binary", "--use-feature", "--config-settings",
    "--config-setting", "-C", "--global-option", "--hash",
]);

/** Logical lines (continuations joined, comments stripped) with their first physical line number. */
export function logicalLines(text: string): Array<{ line: string; number: number }> {
    const out: Array<{ line: string; number: number }> = [];
    let acc = "";
    let start = 0;
    const raw = text.split(/\r?\n/);
    raw.forEach((l, i) => {
        if (acc === "") {
            start = i + 1;
        }
        if (l.endsWith("\\") && !stripComment(l).trimEnd().endsWith("#")) {
            acc += l.slice(0, -1);
            return;
        }
        const joined = stripComment(acc + l).trim();
        acc = "";
        if (joined !== "") {
            out.push({ line: joined, number: start });
        }
    });
    return out;
}

/** pip removes `#` comments that start a line or follow whitespace. */
function stripComment(line: string): string {
    for (let i = 0; i < line.length; i++) {
        if (line[i] === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
            return line.slice(0, i);
        }
    }
    return line;
}

/** Words of an options line, as shlex would split them; `$VAR` is kept as written. */
function words(line: string): string[] {
    return shellWords(line, (name) => `\${${name}}`).map((t) => (typeof t === "string" ? t : "op" in t ? t.op : "")).filter((w) => w !== "");
}

/** A requirements file's lines, each with the number of its first physical line. */
export function parseRequirements(text: string): Array<RequirementLine & { readonly number: number }> {
    const out: Array<RequirementLine & { readonly number: number }> = [];
    for (const { line, number } of logicalLines(text)) {
        if (line.startsWith("-")) {
            const w = words(line);
            for (let i = 0; i < w.length; i++) {
                let opt = w[i];
                let value: string | undefined;
                const eq = opt.indexOf("=");
                if (opt.startsWith("--") && eq > 0) {
                    value = opt.slice(eq + 1);
                    opt = opt.slice(0, eq);
                } else if (/^-[a-zA-Z]./.test(opt)) {
                    value = opt.slice(2); // -rfile, as optparse accepts
                    opt = opt.slice(0, 2);
                } else if (OPTIONS_WITH_VALUE.has(opt)) {
                    value = w[++i];
                    if (value === undefined) {
                        throw new RequirementsError(number, line, `${opt} needs a value`);
                    }
                }
                out.push({ ...classifyOption(opt, value, line, number), number });
            }
            continue;
        }
        out.push({ ...requirement(line, number), number });
    }
    return out;
}

function classifyOption(opt: string, value: string | undefined, line: string, number: number): RequirementLine {
    switch (opt) {
        case "-r":
        case "--requirement":
            return { kind: "include", file: value!, constraints: false, line };
        case "-c":
        case "--constraint":
            return { kind: "include", file: value!, constraints: true, line };
        case "-e":
        case "--editable": {
            const v = value!;
            if (VCS_SCHEMES.some((s) => v.startsWith(s)) || /^[a-z]+:\/\//i.test(v)) {
                return { kind: "url", url: v, vcs: VCS_SCHEMES.some((s) => v.startsWith(s)), name: eggName(v), editable: true, line };
            }
            return { kind: "path", ...pathWithExtras(v, line, number), editable: true, line };
        }
        default:
            if (!opt.startsWith("-")) {
                throw new RequirementsError(number, line, `${JSON.stringify(opt)} is neither an option nor a requirement`);
            }
            return { kind: "option", option: opt, value, line };
    }
}

/**
 * A requirement line's requirement and the names of the per-requirement options after it (--hash,
 * --config-settings, -C: they follow it after whitespace; `--hash=sha256:...` and `--hash sha256:...` alike).
 */
export function splitRequirementOptions(line: string): { requirement: string; options: string[] } {
    const optAt = line.search(/\s--?[a-zA-Z]/);
    const requirement = (optAt >= 0 ? line.slice(0, optAt) : line).trim();
    const options = optAt >= 0 ? words(line.slice(optAt)).filter((w) => w.startsWith("-")).map((w) => (w.includes("=") ? w.slice(0, w.indexOf("=")) : w)) : [];
    return { requirement, options };
}

function requirement(line: string, number: number): RequirementLine {
    const { requirement: req, options } = splitRequirementOptions(line);
    if (VCS_SCHEMES.some((s) => req.startsWith(s)) || /^[a-z][a-z0-9+.-]*:\/\//i.test(req)) {
        return { kind: "url", url: req, vcs: VCS_SCHEMES.some((s) => req.startsWith(s)), name: eggName(req), options, line };
    }
    if (req.startsWith(".") || req.startsWith("/") || req.startsWith("file:")) {
        return { kind: "path", ...pathWithExtras(req, line, number), editable: false, options, line };
    }
    let parsed: Requirement | null;
    try {
        parsed = parsePipRequirementsLine(req);
    } catch (e) {
        const arbitrary = arbitraryEquality(req);
        if (arbitrary !== undefined) {
            return { ...arbitrary, options, line };
        }
        // `name @ url ; marker` (PEP 508: whitespace before the `;` after a URL), which pip-requirements-js's grammar does not
        // take: the URL requirement and the marker, each read by its own parser.
        const semi = urlMarkerSplit(req);
        const head = semi === undefined ? null : safeParse(req.slice(0, semi));
        const marker = semi === undefined ? undefined : parseMarker(req.slice(semi + 1).trim());
        if (head?.type === "ProjectURL" && marker !== undefined) {
            return { kind: "url", name: head.name, url: head.url, vcs: VCS_SCHEMES.some((s) => head.url.startsWith(s)), marker, options, line };
        }
        throw new RequirementsError(number, line, `not a PEP 508 requirement (${String((e as Error).message).split("\n")[0]})`);
    }
    if (parsed === null) {
        throw new RequirementsError(number, line, "not a requirement");
    }
    switch (parsed.type) {
        case "ProjectName":
            return {
                kind: "name",
                name: parsed.name,
                extras: parsed.extras ?? [],
                specifiers: (parsed.versionSpec ?? []).map((s) => ({ operator: String(s.operator), version: s.version })),
                marker: parsed.environmentMarkerTree as MarkerTree | undefined,
                options,
                line,
            };
        case "ProjectURL":
            return { kind: "url", name: parsed.name, url: parsed.url, vcs: VCS_SCHEMES.some((s) => parsed.url.startsWith(s)), options, line };
        case "RequirementsFile":
            return { kind: "include", file: parsed.path, constraints: false, line };
        case "ConstraintsFile":
            return { kind: "include", file: parsed.path, constraints: true, line };
        default:
            throw new RequirementsError(number, line, "not a requirement");
    }
}

/**
 * A requirement with PEP 440's arbitrary equality, `cryptography===48.0.1` (Tandoor's requirements.txt), which
 * pip takes and pip-requirements-js's grammar does not: the line read by that parser with `===` as `==`, and
 * each `==` specifier whose version the line writes after `===` given its operator back.
 */
export function arbitraryEquality(req: string): Omit<Extract<RequirementLine, { kind: "name" }>, "options" | "line"> | undefined {
    if (!req.includes("===")) {
        return undefined;
    }
    const parsed = safeParse(req.split("===").join("=="));
    if (parsed?.type !== "ProjectName") {
        return undefined;
    }
    // The version ends where a character no version has comes (a comma, a space, `;`, the line's end).
    const versionChar = (c: string | undefined): boolean => c !== undefined && (c.toLowerCase() !== c.toUpperCase() || (c >= "0" && c <= "9") || ".*+!_-".includes(c));
    const written = (version: string): boolean =>
        req.split("===").slice(1).some((after) => after.trimStart().startsWith(version) && !versionChar(after.trimStart()[version.length]));
    return {
        kind: "name",
        name: parsed.name,
        extras: parsed.extras ?? [],
        specifiers: (parsed.versionSpec ?? []).map((s) => ({ operator: s.operator === "==" && written(s.version) ? "===" : String(s.operator), version: s.version })),
        marker: parsed.environmentMarkerTree as MarkerTree | undefined,
    };
}

/** Where the marker of `name @ url ; marker` starts: the first `;` after whitespace once past the `@`. */
function urlMarkerSplit(req: string): number | undefined {
    const at = req.indexOf("@");
    for (let i = at < 0 ? req.length : at + 1; i < req.length; i++) {
        if (req[i] === ";" && (req[i - 1] === " " || req[i - 1] === "\t")) {
            return i;
        }
    }
    return undefined;
}

function safeParse(req: string): Requirement | null {
    try {
        return parsePipRequirementsLine(req.trim());
    } catch {
        return null;
    }
}

/**
 * A local path and the extras written after it (`.[server,db]`), as pip splits
 * them: a trailing bracketed part is the extras, read by the PEP 508 parser
 * as the extras of a placeholder name (pip does the same).
 */
export function pathWithExtras(written: string, line: string, number: number): { path: string; extras: string[] } {
    const open = written.lastIndexOf("[");
    if (!written.endsWith("]") || open <= 0) {
        return { path: written, extras: [] };
    }
    let parsed: Requirement | null;
    try {
        parsed = parsePipRequirementsLine(`placeholder${written.slice(open)}`);
    } catch {
        parsed = null;
    }
    if (parsed?.type !== "ProjectName") {
        throw new RequirementsError(number, line, `${JSON.stringify(written.slice(open))} after the path is not a list of extras`);
    }
    return { path: written.slice(0, open), extras: parsed.extras ?? [] };
}

/** `...#egg=name` names the project of a bare URL requirement. */
function eggName(url: string): string | undefined {
    const hash = url.indexOf("#");
    if (hash < 0) {
        return undefined;
    }
    const params = new URLSearchParams(url.slice(hash + 1));
    return params.get("egg")?.split("[")[0] ?? undefined;
}

/** `${NAME}` references pip expands from the environment (only that form, names of A-Z, 0-9 and _). */
export function envReferences(text: string): string[] {
    const out: string[] = [];
    const re = /\$\{([A-Z0-9_]+)\}/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        if (!out.includes(m[1])) {
            out.push(m[1]);
        }
    }
    return out;
}

/** The exact version a requirement pins (`==1.2.3`), if it pins one. */
export function pinnedVersion(r: RequirementLine): string | undefined {
    if (r.kind !== "name" || r.specifiers.length !== 1) {
        return undefined;
    }
    const [s] = r.specifiers;
    return (s.operator === "==" || s.operator === "===") && !s.version.includes("*") ? s.version : undefined;
}

/** A PEP 508 environment marker as pip-requirements-js parses it: `left op right` leaves, joined by and/or. */
export type MarkerTree =
    | { readonly operator: "and" | "or"; readonly left: MarkerTree; readonly right: MarkerTree }
    | { readonly operator: string; readonly left: string; readonly right: string };

const MARKER_VARIABLES = new Set([
    "python_version", "python_full_version", "os_name", "sys_platform", "platform_release", "platform_system", "platform_version",
    "platform_machine", "platform_python_implementation", "implementation_name", "implementation_version", "extra",
    // PEP 751 (pylock.toml): the sets of extras and dependency groups being installed, used as `"name" in extras`.
    "extras", "dependency_groups",
]);

/**
 * Parses an environment marker on its own, as a pylock.toml package's `marker`
 * key holds one: PEP 508's marker grammar (`and`/`or`, parentheses, a quoted
 * string or a variable on each side of a comparison) with PEP 751's `extras`
 * and `dependency_groups` variables, which pip-requirements-js's grammar does
 * not have. A hand-written recursive descent over the grammar's tokens;
 * undefined when the text is not a marker.
 */
export function parseMarker(text: string): MarkerTree | undefined {
    const tokens: Array<{ kind: "str" | "word" | "op" | "paren"; text: string }> = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (c === " " || c === "\t") {
            i++;
        } else if (c === "'" || c === '"') {
            const end = text.indexOf(c, i + 1);
            if (end < 0) {
                return undefined;
            }
            tokens.push({ kind: "str", text: text.slice(i, end + 1) });
            i = end + 1;
        } else if (c === "(" || c === ")") {
            tokens.push({ kind: "paren", text: c });
            i++;
        } else if ("<>=!~".includes(c)) {
            let j = i;
            while (j < text.length && "<>=!~".includes(text[j])) {
                j++;
            }
            tokens.push({ kind: "op", text: text.slice(i, j) });
            i = j;
        } else {
            let j = i;
            while (j < text.length && !" \t()'\"<>=!~".includes(text[j])) {
                j++;
            }
            if (j === i) {
                return undefined;
            }
            tokens.push({ kind: "word", text: text.slice(i, j) });
            i = j;
        }
    }
    let at = 0;
    const peek = (): { kind: string; text: string } | undefined => tokens[at];
    const operand = (): string | undefined => {
        const t = tokens[at];
        if (t?.kind === "str" || (t?.kind === "word" && MARKER_VARIABLES.has(t.text))) {
            at++;
            return t.text;
        }
        return undefined;
    };
    const comparison = (): MarkerTree | undefined => {
        if (peek()?.text === "(") {
            at++;
            const inner = or();
            if (inner === undefined || peek()?.text !== ")") {
                return undefined;
            }
            at++;
            return inner;
        }
        const left = operand();
        let op: string | undefined;
        const t = peek();
        if (t?.kind === "op" && ["<", "<=", ">", ">=", "==", "!=", "~=", "==="].includes(t.text)) {
            op = t.text;
            at++;
        } else if (t?.kind === "word" && t.text === "in") {
            op = "in";
            at++;
        } else if (t?.kind === "word" && t.text === "not" && tokens[at + 1]?.text === "in") {
            op = "not in";
            at += 2;
        }
        const right = op === undefined ? undefined : operand();
        return left === undefined || op === undefined || right === undefined ? undefined : { operator: op, left, right };
    };
    const chain = (word: "and" | "or", next: () => MarkerTree | undefined) => (): MarkerTree | undefined => {
        let left = next();
        while (left !== undefined && peek()?.kind === "word" && peek()?.text === word) {
            at++;
            const right = next();
            left = right === undefined ? undefined : { operator: word, left, right };
        }
        return left;
    };
    const and = chain("and", comparison);
    const or: () => MarkerTree | undefined = chain("or", and);
    const tree = or();
    return tree !== undefined && at === tokens.length ? tree : undefined;
}

/** Marker variables of the image's Linux CPython; python_version only when a Python is given. */
export function linuxMarkers(python?: string): Readonly<Record<string, string>> {
    return {
        os_name: "posix",
        sys_platform: "linux",
        platform_system: "Linux",
        implementation_name: "cpython",
        platform_python_implementation: "CPython",
        ...(python !== undefined ? { python_version: python, python_full_version: `${python}.0` } : {}),
    };
}

const VERSION_MARKERS = new Set(["python_version", "python_full_version", "implementation_version", "platform_release"]);

/**
 * Whether a marker holds in an environment (PEP 508's evaluation: version
 * comparisons for the version variables, string comparisons otherwise),
 * three-valued: undefined when it depends on a variable the environment does
 * not give (platform_machine, or the Python when none is given).
 */
export function markerHolds(tree: MarkerTree, env: Readonly<Record<string, string | ReadonlySet<string>>>): boolean | undefined {
    if (tree.operator === "and" || tree.operator === "or") {
        const t = tree as { readonly left: MarkerTree; readonly right: MarkerTree };
        const a = markerHolds(t.left, env);
        const b = markerHolds(t.right, env);
        if (tree.operator === "and") {
            return a === false || b === false ? false : a === true && b === true ? true : undefined;
        }
        return a === true || b === true ? true : a === false && b === false ? false : undefined;
    }
    const leaf = tree as { readonly operator: string; readonly left: string; readonly right: string };
    const side = (x: string): { value?: string | ReadonlySet<string>; variable?: string } =>
        /^(["']).*\1$/.test(x) ? { value: x.slice(1, -1) } : { variable: x, value: Object.prototype.hasOwnProperty.call(env, x) ? env[x] : undefined };
    const l = side(leaf.left);
    const r = side(leaf.right);
    if (l.value === undefined || r.value === undefined) {
        return undefined;
    }
    const op = leaf.operator.replace(/\s+/g, " ");
    if (typeof l.value !== "string" || typeof r.value !== "string") {
        // PEP 751's set variables: only `"name" in extras` (or `not in`) compares with them.
        if (typeof l.value === "string" && (op === "in" || op === "not in")) {
            const found = (r.value as ReadonlySet<string>).has(l.value);
            return op === "in" ? found : !found;
        }
        return undefined;
    }
    if (op === "in" || op === "not in") {
        const found = r.value.includes(l.value);
        return op === "in" ? found : !found;
    }
    if ([l.variable, r.variable].some((v) => v !== undefined && VERSION_MARKERS.has(v))) {
        let c: number;
        try {
            c = comparePep440(l.value, r.value);
        } catch {
            return undefined;
        }
        switch (op) {
            case "<": return c < 0;
            case "<=": return c <= 0;
            case ">": return c > 0;
            case ">=": return c >= 0;
            case "==": return c === 0;
            case "!=": return c !== 0;
            default: return undefined;
        }
    }
    return op === "==" ? l.value === r.value : op === "!=" ? l.value !== r.value : undefined;
}
