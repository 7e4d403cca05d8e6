import { parse as shellParse, quote as shellQuote } from "shell-quote";
import type { AppInterface } from "../data/frameworks";
import { COMMAND_WRAPPERS, gunicornFlag, OTHER_SERVER_VALUE_FLAGS, UVICORN_VALUE_FLAGS } from "../data/servers";
import { SourceTree } from "./source";

/**
 * A Procfile, read as the platforms that run it do: `<process>: <command>`
 * per line, each command a shell command line. The web command is split
 * into words and operators by a shell-words parser (shell-quote): quotes,
 * `&&`, `;`, pipes and `VAR=value` prefixes are understood, and `$VAR` is
 * kept as written. Every flag of the server command is either carried into
 * the plan or listed in `notes` with the reason it is not; nothing is
 * dropped silently.
 */

export type ProcfileServer = "gunicorn" | "uvicorn" | "hypercorn" | "daphne" | "waitress-serve" | "flask";

export interface ProcfileWeb {
    /** The web command as written. */
    readonly command: string;
    /** The server it starts, if one that serves a WSGI/ASGI app. */
    readonly server?: ProcfileServer;
    /** The app as gunicorn's APP_MODULE: a bare module gets gunicorn's default `:application`; `--factory` adds `()`. */
    readonly spec?: string;
    /** What the command says about the interface (uvicorn, hypercorn, daphne: ASGI; waitress, flask: WSGI; gunicorn: its worker class). */
    readonly interface?: AppInterface;
    readonly workerClass?: string;
    readonly chdir?: string;
    readonly pythonPath: readonly string[];
    /** gunicorn's `--config` file, relative to the source folder (or chdir). */
    readonly config?: string;
    readonly timeout?: number;
    readonly gracefulTimeout?: number;
    readonly threads?: number;
    readonly workers?: number;
    /** Flags passed through to the image's gunicorn command, as written. */
    readonly carried: readonly string[];
    /** `VAR=value` words before the server. */
    readonly env: ReadonlyArray<readonly [string, string]>;
    /** Commands chained before the server (`migrate && gunicorn ...`), as shell text. */
    readonly before: readonly string[];
    /** What was not carried, and why. */
    readonly notes: readonly string[];
}

export interface ProcfileFacts {
    readonly web?: ProcfileWeb;
    /** The `release:` command as written. */
    readonly release?: string;
    /** Other process types (worker, clock...), which the image does not run. */
    readonly others: readonly string[];
}

type Token = string | { op: string } | { comment: string } | { op: "glob"; pattern: string };

export function readProcfile(src: SourceTree): ProcfileFacts | undefined {
    const text = src.readIfFile("Procfile");
    if (text === undefined) {
        return undefined;
    }
    let web: ProcfileWeb | undefined;
    let release: string | undefined;
    const others: string[] = [];
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) {
            continue;
        }
        const colon = line.indexOf(":");
        if (colon <= 0) {
            continue;
        }
        const name = line.slice(0, colon).trim();
        const command = line.slice(colon + 1).trim();
        if (name === "web" && web === undefined) {
            web = readWeb(command);
        } else if (name === "release" && release === undefined) {
            release = command;
        } else if (name !== "web" && name !== "release") {
            others.push(name);
        }
    }
    return { web, release, others };
}

/** Words and operators of a shell command line; `$VAR` stays as written. */
export function shellTokens(command: string): Token[] {
    return shellParse(command, (name) => `\${${name}}`) as Token[];
}

function wordOf(t: Token): string | undefined {
    if (typeof t === "string") {
        return t;
    }
    if ("op" in t && t.op === "glob") {
        return (t as { pattern: string }).pattern;
    }
    return undefined;
}

/** Splits tokens into simple commands at &&, ||, ; and & (pipes stay inside a command). */
export function commands(tokens: Token[]): Array<{ words: string[]; piped: boolean }> {
    const out: Array<{ words: string[]; piped: boolean }> = [];
    let cur: string[] = [];
    let piped = false;
    for (const t of tokens) {
        const w = wordOf(t);
        if (w !== undefined) {
            cur.push(w);
            continue;
        }
        if (typeof t === "object" && "comment" in t) {
            break;
        }
        const op = (t as { op: string }).op;
        if (op === "|" || op === ">" || op === ">>" || op === ">&" || op === "<" || op === "2>&1") {
            piped = true;
            continue;
        }
        out.push({ words: cur, piped });
        cur = [];
        piped = false;
    }
    if (cur.length > 0) {
        out.push({ words: cur, piped });
    }
    return out.filter((c) => c.words.length > 0);
}

function text(words: string[]): string {
    return shellQuote(words).replace(/\\\$\\\{([A-Za-z_][A-Za-z0-9_]*)\\\}/g, "$$$1");
}

/**
 * Words for a message, reading as the command line they are: a word with
 * nothing the shell treats specially as it is, `$VAR` as written, anything
 * else quoted (double quotes when it holds a `$VAR`, single quotes otherwise).
 * shell-quote's own quoting backslash-escapes `:` and `$`, which reads wrong.
 */
export function displayWords(words: readonly string[]): string {
    const plain = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "_@%+=:,./-".includes(c);
    return words
        .map((w) => {
            const d = display(w);
            const bare = d.replace(/\$[A-Za-z_][A-Za-z0-9_]*/g, "");
            if (d !== "" && [...bare].every(plain)) {
                return d;
            }
            if (bare !== d) {
                return `"${[...d].map((c) => ("\\\"`".includes(c) ? `\\${c}` : c)).join("")}"`;
            }
            return `'${d.split("'").join("'\\''")}'`;
        })
        .join(" ");
}

/** A word as the Procfile wrote it: `$PORT`, not the parser's `${PORT}`. */
function display(word: string): string {
    return word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, "$$$1");
}

function number(value: string | undefined): number | undefined {
    if (value === undefined || !/^\d+$/.test(value)) {
        return undefined;
    }
    return Number(value);
}

interface Located {
    readonly server: ProcfileServer;
    readonly args: string[];
    readonly env: Array<readonly [string, string]>;
    readonly notes: string[];
}

/** Finds the server in one simple command: past VAR=value words, wrappers (ddtrace-run, newrelic-admin...), and `python -m`. */
function locate(words: string[]): Located | { dev: string } | undefined {
    const env: Array<readonly [string, string]> = [];
    const notes: string[] = [];
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) {
        const eq = words[i].indexOf("=");
        env.push([words[i].slice(0, eq), words[i].slice(eq + 1)]);
        i++;
    }
    for (;;) {
        const w = words[i];
        const wrapper = w === undefined ? undefined : COMMAND_WRAPPERS[w.split("/").pop()!];
        if (!wrapper) {
            break;
        }
        const start = i;
        i++;
        if (w.endsWith("newrelic-admin") && words[i] === "run-program") {
            i++;
        }
        if (wrapper.until) {
            const end = words.indexOf(wrapper.until, i);
            i = end < 0 ? words.length : end + 1;
        } else {
            while (i < words.length && words[i].startsWith("-")) {
                i += wrapper.valueFlags.includes(words[i]) && !words[i].includes("=") ? 2 : 1;
            }
        }
        if (w !== "exec") {
            notes.push(`The Procfile starts the server through \`${displayWords(words.slice(start, i))}\`, which the image does not run; add it to \`app\`'s environment or image yourself if you need it.`);
        }
    }
    let tool = words[i]?.split("/").pop();
    let args = words.slice(i + 1);
    if (tool !== undefined && /^python(3(\.\d+)?)?$/.test(tool)) {
        if (args[0] === "-m" && args[1]) {
            tool = args[1];
            args = args.slice(2);
        } else if (args[0] !== undefined && args[0].endsWith("manage.py")) {
            return args[1] === "runserver" ? { dev: text(words.slice(i)) } : undefined;
        } else {
            return args[0] !== undefined && args[0].endsWith(".py") ? { dev: text(words.slice(i)) } : undefined;
        }
    }
    if (tool === "django-admin" && args[0] === "runserver") {
        return { dev: text(words.slice(i)) };
    }
    if (tool === "flask") {
        return args.includes("run") ? { server: "flask", args, env, notes } : undefined;
    }
    if (tool === "gunicorn" || tool === "uvicorn" || tool === "hypercorn" || tool === "daphne" || tool === "waitress-serve") {
        return { server: tool, args, env, notes };
    }
    return undefined;
}

/**
 * Tools that run an app on their own server, which is neither WSGI nor ASGI
 * for gunicorn to serve: the Procfile's web command, by its program name.
 */
const OWN_SERVERS: Readonly<Record<string, string>> = {
    streamlit: "Streamlit",
    panel: "Panel",
    bokeh: "Bokeh",
    voila: "Voilà",
    chainlit: "Chainlit",
    solara: "Solara",
    reflex: "Reflex",
    jupyter: "Jupyter",
    "jupyter-lab": "Jupyter",
    "jupyter-notebook": "Jupyter",
};

/** The tool a web command runs that serves the app itself (`streamlit run app.py`), when it is one: its name. */
export function ownServer(command: string): string | undefined {
    for (const c of commands(shellTokens(command))) {
        let start = 0;
        while (start < c.words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(c.words[start])) {
            start++; // VAR=value before the program
        }
        const words = c.words.slice(start);
        let tool = words[0]?.split("/").pop();
        if (tool !== undefined && /^python(3(\.\d+)?)?$/.test(tool) && words[1] === "-m") {
            tool = words[2];
        }
        if (tool !== undefined && OWN_SERVERS[tool] !== undefined) {
            return OWN_SERVERS[tool];
        }
    }
    return undefined;
}

export function readWeb(command: string): ProcfileWeb {
    const cmds = commands(shellTokens(command));
    const notes: string[] = [];
    for (let c = 0; c < cmds.length; c++) {
        const found = locate(cmds[c].words);
        if (found === undefined) {
            continue;
        }
        if ("dev" in found && c < cmds.length - 1 && !found.dev.includes("runserver")) {
            continue; // a script run before the server, such as `python manage.py migrate`
        }
        if ("dev" in found) {
            notes.push(`The Procfile's web: line runs \`${found.dev}\`, a development server; the image serves the app with gunicorn instead.`);
            return { command, pythonPath: [], carried: [], env: [], before: cmds.slice(0, c).map((x) => text(x.words)), notes };
        }
        const before = cmds.slice(0, c).map((x) => text(x.words));
        const after = cmds.slice(c + 1).map((x) => displayWords(x.words));
        for (const a of after) {
            notes.push(`The Procfile's web: line runs \`${a}\` after the server; the image does not.`);
        }
        if (cmds[c].piped) {
            notes.push("The Procfile pipes or redirects the server's output; the image logs to stdout, where the engine collects it.");
        }
        const parsed = found.server === "gunicorn" ? gunicornArgs(found.args) : found.server === "uvicorn" ? uvicornArgs(found.args) : otherServerArgs(found.server, found.args);
        return { command, server: found.server, ...parsed, env: found.env, before, notes: [...found.notes, ...notes, ...parsed.notes] };
    }
    notes.push(`The Procfile's web: line (\`${command}\`) starts no server the package knows (gunicorn, uvicorn, hypercorn, daphne, waitress-serve, flask run); the app is looked for in the code instead.`);
    return { command, pythonPath: [], carried: [], env: [], before: [], notes };
}

type Parsed = Omit<ProcfileWeb, "command" | "server" | "env" | "before">;

/** gunicorn [OPTIONS] APP_MODULE: each flag is carried, mapped or noted. */
function gunicornArgs(args: string[]): Parsed {
    const out: { -readonly [K in keyof Parsed]: Parsed[K] } = { pythonPath: [], carried: [], notes: [] };
    const carried: string[] = [];
    const notes: string[] = [];
    const pythonPath: string[] = [];
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
        let a = args[i];
        if (!a.startsWith("-") || a === "-") {
            positional.push(a);
            continue;
        }
        let value: string | undefined;
        if (a.startsWith("--") && a.includes("=")) {
            value = a.slice(a.indexOf("=") + 1);
            a = a.slice(0, a.indexOf("="));
        } else if (!a.startsWith("--") && a.length > 2) {
            value = a.slice(2);
            a = a.slice(0, 2);
        }
        const flag = gunicornFlag(a);
        if (!flag) {
            notes.push(`The Procfile's gunicorn flag \`${a}\` is not one the package knows; it is not carried. Set it in a gunicorn.conf.py if the app needs it.`);
            continue;
        }
        if (flag.takesValue && value === undefined) {
            value = args[++i];
        }
        const shown = display(value === undefined ? a : `${a} ${value}`);
        switch (flag.use) {
            case "timeout":
            case "gracefulTimeout":
            case "threads": {
                const n = number(value);
                if (n === undefined) {
                    notes.push(`The Procfile's \`${shown}\` is not a whole number; it is not carried. Set \`${flag.use}\`.`);
                } else {
                    out[flag.use] = n;
                }
                break;
            }
            case "workers": {
                const n = number(value);
                out.workers = n;
                notes.push(
                    n === undefined
                        ? `The Procfile's \`${shown}\` is not a number: the worker count follows WEB_CONCURRENCY at run time, else the container's CPUs; set \`workers\` to fix it.`
                        : `The Procfile's \`${shown}\` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set \`workers\` to fix it).`,
                );
                break;
            }
            case "workerClass":
                out.workerClass = value;
                break;
            case "chdir":
                out.chdir = value;
                break;
            case "pythonPath":
                pythonPath.push(...(value ?? "").split(",").filter((p) => p !== ""));
                break;
            case "config":
                out.config = value;
                break;
            case "carry":
                carried.push(...(value === undefined ? [a] : [a, value]));
                break;
            case "drop":
                notes.push(`The Procfile's \`${shown}\` is not carried: ${flag.why}.`);
                break;
        }
    }
    if (positional.length > 0) {
        const spec = positional[positional.length - 1];
        out.spec = spec.includes(":") ? spec : `${spec}:application`;
    } else {
        notes.push("The Procfile's gunicorn command names no app; the app is looked for in the code.");
    }
    const k = out.workerClass ?? "";
    if (k !== "") {
        out.interface = k.toLowerCase().includes("uvicorn") ? "asgi" : "wsgi";
    }
    return { ...out, pythonPath, carried, notes };
}

/** uvicorn [OPTIONS] APP: mapped onto what gunicorn's uvicorn worker takes, or noted. */
function uvicornArgs(args: string[]): Parsed {
    const carried: string[] = [];
    const notes: string[] = [];
    const pythonPath: string[] = [];
    let factory = false;
    let spec: string | undefined;
    let gracefulTimeout: number | undefined;
    let workers: number | undefined;
    for (let i = 0; i < args.length; i++) {
        let a = args[i];
        if (!a.startsWith("-")) {
            spec = a;
            continue;
        }
        let value: string | undefined;
        if (a.includes("=")) {
            value = a.slice(a.indexOf("=") + 1);
            a = a.slice(0, a.indexOf("="));
        } else if (UVICORN_VALUE_FLAGS.includes(a)) {
            value = args[++i];
        }
        const shown = display(value === undefined ? a : `${a} ${value}`);
        switch (a) {
            case "--factory":
                factory = true;
                break;
            case "--app-dir":
                if (value) {
                    pythonPath.push(value);
                }
                break;
            case "--host":
            case "--port":
            case "--uds":
            case "--fd":
                notes.push(`The Procfile's \`${shown}\` is not carried: the image binds 0.0.0.0:$PORT.`);
                break;
            case "--workers":
                workers = number(value);
                notes.push(`The Procfile's \`${shown}\` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set \`workers\` to fix it).`);
                break;
            case "--forwarded-allow-ips":
                carried.push("--forwarded-allow-ips", value ?? "");
                break;
            case "--proxy-headers":
                break; // uvicorn's default, and the worker's
            case "--timeout-keep-alive":
                carried.push("--keep-alive", value ?? "");
                break;
            case "--limit-max-requests":
                carried.push("--max-requests", value ?? "");
                break;
            case "--log-level":
                carried.push("--log-level", value ?? "");
                break;
            case "--timeout-graceful-shutdown":
                gracefulTimeout = number(value);
                break;
            default:
                notes.push(`The Procfile's uvicorn flag \`${shown}\` has no gunicorn equivalent here; it is not carried.`);
        }
    }
    return {
        spec: spec === undefined ? undefined : factory && !spec.endsWith(")") ? `${spec}()` : spec,
        interface: "asgi",
        pythonPath,
        carried: carried.filter((c) => c !== ""),
        gracefulTimeout,
        workers,
        notes,
    };
}

/** hypercorn, daphne, waitress-serve, flask run: the app is taken; their flags are noted. */
function otherServerArgs(server: ProcfileServer, args: string[]): Parsed {
    const notes: string[] = [];
    const valueFlags = OTHER_SERVER_VALUE_FLAGS[server] ?? [];
    let spec: string | undefined;
    let factory = false;
    let workers: number | undefined;
    const flags: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (server === "flask") {
            if (a === "--app" || a === "-A") {
                spec = args[++i];
            } else if (a.startsWith("--app=")) {
                spec = a.slice("--app=".length);
            }
            continue;
        }
        if (!a.startsWith("-")) {
            spec = a;
            continue;
        }
        if (a === "--call") {
            factory = true;
            continue;
        }
        // hypercorn's worker processes, like uvicorn's --workers: the worker count.
        if (server === "hypercorn" && (a === "-w" || a === "--workers" || a.startsWith("--workers="))) {
            const value = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
            workers = number(value);
            notes.push(
                workers === undefined
                    ? `The Procfile's \`${displayWords([a.split("=")[0], value ?? ""])}\` is not a number: the worker count follows WEB_CONCURRENCY at run time, else the container's CPUs; set \`workers\` to fix it.`
                    : `The Procfile's \`${displayWords([a.split("=")[0], value])}\` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set \`workers\` to fix it).`,
            );
            continue;
        }
        flags.push(a);
        if (valueFlags.includes(a) && !a.includes("=")) {
            flags.push(args[++i] ?? "");
        }
    }
    const label = server === "flask" ? "`flask run` (a development server)" : server;
    notes.push(`The Procfile runs ${label}; the image serves the same app with gunicorn${server === "hypercorn" || server === "daphne" ? "'s uvicorn worker" : ""}.` + (flags.length > 0 ? ` Its flags (${displayWords(flags)}) are not carried.` : ""));
    const iface: AppInterface = server === "hypercorn" || server === "daphne" ? "asgi" : "wsgi";
    return {
        spec: spec === undefined ? undefined : factory && !spec.endsWith(")") ? `${spec}()` : spec,
        interface: server === "flask" ? undefined : iface,
        pythonPath: [],
        carried: [],
        workers,
        notes,
    };
}
