import { isIP } from "node:net";
import { parse as shellParse, quote as shellQuote } from "shell-quote";
import { load as loadYaml } from "js-yaml";
import { parse as parseToml } from "smol-toml";
import type { AppInterface } from "../data/frameworks";
import { COMMAND_WRAPPERS, ENVIRONMENT_RUNNERS, gunicornFlag, OTHER_SERVER_VALUE_FLAGS, OWN_SERVER_TOOLS, UVICORN_VALUE_FLAGS } from "../data/servers";
import { DEFAULTS, IMAGE_SET_VARIABLES } from "../data/defaults";
import { herokuYml, readContainerConfig } from "./container";
import { readIni } from "./ini";
import { evaluate, walk } from "./python-eval";
import { absoluteModule, bind, calleeOf, Expr, parseModule, str } from "./python-source";
import { joinPath, relativeTo } from "./paths";
import { SourceTree } from "./source";
import { byName } from "../data/by-name";

/**
 * A Procfile, read as the platforms that run it do: `<process>: <command>`
 * per line, each command a shell command line. The web command is split
 * into words and operators by a shell-words parser (shell-quote): quotes,
 * `&&`, `;`, pipes and `VAR=value` prefixes are understood, and `$VAR` is
 * kept as written. Every flag of the server command is either carried into
 * the plan or listed in `notes` with the reason it is not; nothing is
 * dropped silently.
 */

export type ProcfileServer = "gunicorn" | "uvicorn" | "hypercorn" | "daphne" | "waitress-serve" | "sanic" | "flask" | "fastapi" | "litestar" | "uwsgi" | "granian";

export interface ProcfileWeb {
    /** The web command as written. */
    readonly command: string;
    /** The file it was read from. */
    readonly origin: ProcessOrigin;
    /** The server it starts, if one that serves a WSGI/ASGI app. */
    readonly server?: ProcfileServer;
    /** The app as gunicorn's APP_MODULE: a bare module gets gunicorn's default `:application`; `--factory` adds `()`. */
    readonly spec?: string;
    /**
     * The spec's attribute is the server's first guess, not written: `fastapi
     * run main.py` serves `app`, else `api`, else the module's first FastAPI
     * app; `litestar run` calls a factory it is given; `flask --app m run`
     * serves `app` or `application`, else the module's one Flask app, else
     * calls `create_app` or `make_app`. Detection settles it from the module's code.
     */
    readonly discover?: "fastapi" | "litestar" | "flask";
    /** What the command says about the interface (uvicorn, hypercorn, daphne: ASGI; waitress, flask: WSGI; gunicorn: its worker class). */
    readonly interface?: AppInterface;
    readonly workerClass?: string;
    readonly chdir?: string;
    /** Folders on the server's Python path, relative to the folder it runs in (`chdir`): gunicorn resolves --pythonpath after --chdir. */
    readonly pythonPath: readonly string[];
    /** gunicorn's `--config` file, relative to the source folder (or chdir). */
    readonly config?: string;
    readonly timeout?: number;
    readonly gracefulTimeout?: number;
    readonly threads?: number;
    readonly workers?: number;
    /** uvicorn's (or `fastapi run`'s) `--root-path`: the path prefix a proxy serves the ASGI app under. */
    readonly rootPath?: string;
    /** Flags passed through to the image's gunicorn command, as written. */
    readonly carried: readonly string[];
    /** The server's environment: `VAR=value` words before the server, and gunicorn's `--env VAR=value`, in order. */
    readonly env: ReadonlyArray<readonly [string, string]>;
    /** Commands chained before the server (`migrate && gunicorn ...`), as shell text. */
    readonly before: readonly string[];
    /** The folder `cd` commands before the server move to (`cd backend && gunicorn ...`), relative to the app's root: the chained commands and the server run there. */
    readonly cd?: string;
    /** A `cd` whose folder names variables the image does not set (`cd "$SITE_ROOT/app"`): the word as written and those names; `cd` then holds it unexpanded. */
    readonly cdUnset?: { readonly word: string; readonly names: readonly string[] };
    /** What was not carried, and why. */
    readonly notes: readonly string[];
}

/**
 * Where the web and release commands were read, for messages and plan
 * sources: the Procfile, or a platform's config file that holds the same two
 * commands (Render's render.yaml, Railway's railway.toml or railway.json).
 */
export interface ProcessOrigin {
    /** The file, as a message names it: "Procfile", "render.yaml". */
    readonly file: string;
    /** The file as a sentence's subject: "The Procfile", "render.yaml". */
    readonly subject: string;
    /** The web command as a sentence's subject: "The Procfile's web: line", "render.yaml's startCommand". */
    readonly web: string;
    /** The web command as a plan source: "Procfile web:", "render.yaml startCommand". */
    readonly webSource: string;
    /** The release command as a plan source: "Procfile release:", "render.yaml preDeployCommand". */
    readonly releaseSource: string;
    /**
     * For the app's own container config: an absolute path of its image in this image's terms (`/usr/src/app/src`, the folder
     * its Dockerfile copies src/ to, is /app/src), for the paths its commands and scripts give (`gunicorn --chdir /usr/src/app/src`).
     */
    readonly appPath?: (imagePath: string) => string;
    /** The folder the app's own container config starts the command in (its `cd`), and what puts it there, for the notes. */
    readonly startsIn?: { readonly dir: string; readonly why: string };
}

export const PROCFILE: ProcessOrigin = { file: "Procfile", subject: "The Procfile", web: "The Procfile's web: line", webSource: "Procfile web:", releaseSource: "Procfile release:" };

export interface ProcfileFacts {
    readonly origin: ProcessOrigin;
    readonly web?: ProcfileWeb;
    /** The release command as written (`release:`, preDeployCommand). */
    readonly release?: string;
    /** Other processes (worker, clock...), which the image does not run, as a message lists them, with their commands: "worker: (`celery -A app worker`)", "the worker service celery". */
    readonly others: readonly string[];
    /** The platform's health check path (render.yaml healthCheckPath, railway deploy.healthcheckPath), as written. */
    readonly healthCheckPath?: string;
    /** Where the health check path was read, when another file than the commands' gives it ("Dockerfile's HEALTHCHECK"). */
    readonly healthCheckSource?: string;
    /** What was read and not used, and why. */
    readonly notes: readonly string[];
}

type Token = string | { op: string } | { comment: string } | { op: "glob"; pattern: string };

/**
 * The app's web and release commands: the Procfile's when there is one (the
 * platforms that read it ignore their own config's commands only when they
 * are unset, and an app keeps one of the two), else the first of render.yaml,
 * railway.toml and railway.json that names a start command, else the app's
 * own container config (its Dockerfile, its Compose file's service).
 */
export function readProcfile(src: SourceTree): ProcfileFacts | undefined {
    const text = src.readIfFile("Procfile");
    const heroku = herokuYml(src);
    if (heroku !== undefined) {
        return readHerokuYml(src, heroku, text !== undefined);
    }
    if (text === undefined) {
        return platformFacts(src) ?? readContainer(src);
    }
    return readProcfileText(text, src);
}

/** Whether the app's own container config (Dockerfile, Compose file) is its deployment convention: no Procfile or platform file gives the commands. */
export function containerConfigUsed(src: SourceTree): boolean {
    return ((!src.isFile("Procfile") && platformFacts(src) === undefined) || herokuYml(src) !== undefined) && readContainerConfig(src) !== undefined;
}

/**
 * heroku.yml's Docker deploy: the web process is its Dockerfile's (read as the app's own container config), with
 * `run.web` over its CMD, and `release.command` as the release step; Heroku ignores the Procfile then.
 */
function readHerokuYml(src: SourceTree, heroku: NonNullable<ReturnType<typeof herokuYml>>, procfile: boolean): ProcfileFacts | undefined {
    const container = readContainer(src);
    const ignored = procfile ? [`heroku.yml builds the web process from ${heroku.dockerfile}, so Heroku runs ${heroku.web === undefined ? "its CMD" : "heroku.yml's run.web"} and ignores the Procfile: the Procfile is not read.`] : [];
    if (container === undefined) {
        return undefined;
    }
    const origin: ProcessOrigin =
        heroku.web === undefined
            ? { ...container.origin, releaseSource: heroku.release === undefined ? container.origin.releaseSource : "heroku.yml release" }
            : { ...container.origin, file: "heroku.yml", subject: "heroku.yml", web: "heroku.yml's run.web", webSource: "heroku.yml run.web", releaseSource: heroku.release === undefined ? "heroku.yml (before the server)" : "heroku.yml release" };
    const web = heroku.web === undefined ? container.web : webCommand(src, heroku.web, origin);
    return { ...container, origin, web, release: heroku.release ?? container.release, notes: [...ignored, ...container.notes] };
}

/** The first hosting platform's config file that gives the commands. */
function platformFacts(src: SourceTree): ProcfileFacts | undefined {
    const railway = readRailway(src, "railway.toml") ?? readRailway(src, "railway.json");
    // Railway builds with Nixpacks: with no start command in railway.toml/json, nixpacks.toml's [start] cmd is the web command.
    const nixpacks = railway !== undefined && railway.web === undefined ? readNixpacks(src) : undefined;
    const merged = nixpacks?.web !== undefined ? { ...railway!, web: nixpacks.web, origin: { ...railway!.origin, web: nixpacks.origin.web, webSource: nixpacks.origin.webSource } } : railway;
    return readRenderYaml(src) ?? merged ?? readDoAppSpec(src) ?? readFlyProcesses(src) ?? readNixpacks(src) ?? readAppYaml(src);
}

function readProcfileText(text: string, src: SourceTree): ProcfileFacts {
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
            web = webCommand(src, command, PROCFILE);
        } else if (name === "release" && release === undefined) {
            release = command;
        } else if (name !== "web" && name !== "release") {
            others.push(`${name}: (\`${command}\`)`);
        }
    }
    return { origin: PROCFILE, web, release, others, notes: compileHookNotes(src, release !== undefined) };
}

/**
 * Heroku's Python buildpack runs bin/pre_compile before its install and
 * bin/post_compile after it (its compile hooks): what in them the image does
 * not do is named. Migrations count as done when the Procfile has a release
 * line, which the image runs.
 */
function compileHookNotes(src: SourceTree, releaseLine: boolean): string[] {
    const notes: string[] = [];
    for (const hook of ["bin/pre_compile", "bin/post_compile"]) {
        const build = src.isFile(hook) ? buildCommandsOf(src, hook) : undefined;
        const unrun = build?.commands.filter((c) => !doneByTheImage(c) && !(releaseLine && isMigrationCommand(c))).map(displayWords) ?? [];
        if (unrun.length > 0) {
            notes.push(
                `${hook}, which Heroku's Python buildpack runs around its install, runs ${unrun.map((c) => `\`${c}\``).join(", ")}, which the image does not run: ` +
                    "add what makes files the app needs to `buildCommands`, and what needs the database to `releaseCommand`.",
            );
        }
    }
    return notes;
}

/**
 * The web command, read through the script of the app it runs when it only runs one (`bin/start`);
 * `env`, the image's environment, gives the variables the script only defaults.
 */
function webCommand(src: SourceTree, given: string, o: ProcessOrigin, env?: ReadonlyMap<string, string>): ProcfileWeb {
    return flaskPackage(src, webCommandRead(src, given, o, env));
}

/**
 * `flask --app src/app.py run` where src/ is a package (it has `__init__.py`): flask imports `src.app` from the folder
 * above the package, as its prepare_import walks up the `__init__.py` files; the folder the command gave goes on the path
 * only when it is not a package.
 */
function flaskPackage(src: SourceTree, web: ProcfileWeb): ProcfileWeb {
    if (web.discover !== "flask" || web.spec === undefined || web.pythonPath.length !== 1) {
        return web;
    }
    let dir = web.pythonPath[0];
    let module = web.spec;
    while (dir !== "" && dir !== "." && src.isFile(joinPath(joinPath(web.cd ?? "", dir) ?? dir, "__init__.py") ?? "")) {
        const cut = dir.lastIndexOf("/");
        module = `${dir.slice(cut + 1)}.${module}`;
        dir = cut < 0 ? "" : dir.slice(0, cut);
    }
    return module === web.spec ? web : { ...web, spec: module, pythonPath: dir === "" || dir === "." ? [] : [dir] };
}

function webCommandRead(src: SourceTree, given: string, o: ProcessOrigin, env?: ReadonlyMap<string, string>): ProcfileWeb {
    const script = projectScript(src, given, o);
    if (script !== undefined) {
        const inner = webCommandRead(src, script.command, o, env);
        return { ...inner, command: given, notes: [...script.notes, ...inner.notes] };
    }
    const command = given;
    const web = readWeb(command, o, env);
    const file = web.server === undefined ? scriptOf(src, command, true, env ?? new Map()) : undefined;
    const launcher = web.server === undefined && file === undefined ? launcherOf(src, command, o) : undefined;
    if (launcher !== undefined) {
        // The flags come from the launcher's uvicorn.run(), not the command line: the notes name it.
        const inner = readWeb(launcher.command, { ...o, subject: launcher.subject });
        return withServerFiles(src, { ...inner, origin: o, command, notes: [...launcher.notes, ...inner.notes] });
    }
    if (file === undefined) {
        return withServerFiles(src, web);
    }
    // The server's files (uWSGI's ini, fastapi-cli's module) are named in the script's commands, not in the command that runs the script.
    const inner = withServerFiles(src, readWeb(file.commands, o, new Map([...(env ?? []), ...file.exported])));
    const migrations = file.migrations ?? [];
    const outside = (file.unconditional ?? 0) > 0 ? ", after the commands before it outside every block (they run whatever the branches decide)" : "";
    const read = !file.skipped
        ? `${o.web} runs ${file.file}; the commands in it are read as the web command.`
        : migrations.length > 0
          ? `${o.web} runs ${file.file}, whose commands run under control flow (if/then, loops): its last line, the server, is read as the web command${outside}; of the commands under control flow before it, ` +
            `${migrations.map((m) => `\`${m}\``).join(", ")} ${migrations.length > 1 ? "are" : "is"} the release step, and the others are not run (set \`releaseCommand\` for what must run at deploy).`
          : `${o.web} runs ${file.file}, whose commands run under control flow (if/then, loops): its last line, the server, is read as the web command${outside}, and the commands under control flow before it are not run (set \`releaseCommand\` for what must run at deploy).`;
    const through = file.wrappers.filter((w) => w[0] !== "exec").map((w) => wrapperNote(o.subject, w));
    return { ...inner, command, before: [...migrations, ...inner.before], notes: [read, ...through, ...file.notes, ...inner.notes] };
}

/**
 * `hatch run [ENV:]NAME [args]` and `pdm run NAME [args]` where NAME is a
 * script of pyproject.toml ([tool.hatch.envs.ENV.scripts], the `default`
 * environment without ENV; [tool.pdm.scripts], a string, `cmd` or `shell`):
 * the same runner in front of the script's command, the arguments appended
 * (or put at hatch's and PDM's `{args}`), so the runner's own reading
 * (its environment, its notes) stays. A script of several commands, or one
 * that calls a Python function, is left as it is.
 */
function projectScript(src: SourceTree, command: string, o: ProcessOrigin): { command: string; notes: string[] } | undefined {
    const tokens = shellTokens(command);
    if (!tokens.every((t) => typeof t === "string")) {
        return undefined;
    }
    const words = tokens as string[];
    let i = 0;
    while (i < words.length && isAssignment(words[i])) {
        i++;
    }
    const tool = words[i]?.split("/").pop();
    const runner = tool === "hatch" || tool === "pdm" ? environmentRunner(words, i) : undefined;
    if (runner === undefined || runner.command.length === 0) {
        return undefined;
    }
    const pyproject = pyprojectOf(src);
    const at = (obj: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((x, k) => (x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>)[k] : undefined), obj);
    const [name, ...args] = runner.command;
    let script: unknown;
    let where: string;
    // Variables the environment sets for its scripts (hatch's env-vars): the server's environment, as VAR=value words before it.
    const envVars: string[] = [];
    const notes: string[] = [];
    if (tool === "hatch") {
        const env = runner.environment ?? "default";
        script = at(pyproject, "tool", "hatch", "envs", env, "scripts", name);
        where = `[tool.hatch.envs.${env}.scripts] ${name}`;
        envVars.push(...assignmentWords(at(pyproject, "tool", "hatch", "envs", env, "env-vars")));
        const features = at(pyproject, "tool", "hatch", "envs", env, "features");
        if (Array.isArray(features) && features.length > 0) {
            notes.push(
                `Hatch's ${env} environment installs the project's feature${features.length > 1 ? "s" : ""} ${features.join(", ")} (its extras), which the image installs only when named: ` +
                    `set \`dependencyGroups: ${JSON.stringify(features)}\` (with any production group) if the server needs ${features.length > 1 ? "them" : "it"}.`,
            );
        }
    } else {
        const pdmScript = (n: string) => at(pyproject, "tool", "pdm", "scripts", n);
        // A PDM script's command: a string, or its `cmd` (a string or a list of words) or `shell`.
        const commandOf = (entry: unknown) => (typeof entry === "string" ? entry : (at(entry, "cmd") ?? at(entry, "shell")));
        const entry = pdmScript(name);
        script = commandOf(entry);
        where = `[tool.pdm.scripts] ${name}`;
        // The script's env: the environment of what it runs (VAR=value words before it).
        envVars.push(...assignmentWords(at(entry, "env")));
        // A composite: its scripts (or command lines) in turn; the last is the server, the ones before run before it
        // (`migrate` then `web`), as a Procfile's `&&` chain reads. The composite's env is the server's, so the image's,
        // which the commands before it (the release step) run with too.
        const parts = at(entry, "composite");
        if (Array.isArray(parts) && parts.length > 0 && parts.every((x) => typeof x === "string") && args.length === 0) {
            const lines = (parts as string[]).map((part, n) => {
                const [sub, ...subArgs] = shellTokens(part);
                const subEntry = typeof sub === "string" ? pdmScript(sub) : undefined;
                const text = commandOf(subEntry);
                const subWords = typeof text === "string" ? shellTokens(text) : Array.isArray(text) ? text : subEntry === undefined ? shellTokens(part) : undefined;
                return subWords === undefined || !subWords.every((w) => typeof w === "string") || !subArgs.every((w) => typeof w === "string")
                    ? undefined
                    : displayWords([...(n === parts.length - 1 ? envVars : []), ...(subWords as string[]), ...(subEntry === undefined ? [] : (subArgs as string[]))]);
            });
            if (lines.some((l) => l === undefined)) {
                return undefined;
            }
            const chain = lines.join(" && ");
            return { command: chain, notes: [`${o.web} runs ${name}, pyproject.toml's ${where} composite script: read as \`${chain}\`.`] };
        }
    }
    if (Array.isArray(script) && tool === "hatch" && script.length === 1) {
        script = script[0];
    }
    // hatch's {env:NAME} and {env:NAME:default} context fields: the shell's ${NAME} and ${NAME:-default}.
    if (typeof script === "string" && tool === "hatch") {
        let out = "";
        let rest = script;
        for (let open = rest.indexOf("{env:"); open >= 0; open = rest.indexOf("{env:")) {
            const close = rest.indexOf("}", open);
            const [variable, ...fallback] = rest.slice(open + 5, close < 0 ? open : close).split(":");
            if (close < 0 || !isAssignment(`${variable}=`)) {
                break;
            }
            out += `${rest.slice(0, open)}\${${variable}${fallback.length > 0 ? `:-${fallback.join(":")}` : ""}}`;
            rest = rest.slice(close + 1);
        }
        script = out + rest;
    }
    // {args} (hatch's {args:default} too) takes the arguments, as text before the shell reads the line; without it they are appended.
    let filled: Token[] | undefined;
    if (typeof script === "string") {
        const open = script.indexOf("{args");
        const close = open < 0 ? -1 : script.indexOf("}", open);
        const field = script.slice(open + 5, close);
        if (open >= 0 && close > open && (field === "" || field.startsWith(":"))) {
            filled = shellTokens(`${script.slice(0, open)}${args.length > 0 ? displayWords(args) : field.slice(1)}${script.slice(close + 1)}`);
        } else {
            filled = [...shellTokens(script), ...args];
        }
    } else if (Array.isArray(script) && script.every((w) => typeof w === "string")) {
        // PDM's `cmd` as a list: the words themselves.
        filled = [...(script as string[]), ...args];
    }
    if (filled === undefined || filled.length === 0 || !filled.every((t): t is string => typeof t === "string") || filled.some((w) => w.includes("{") && w.includes("}") && !w.includes("${"))) {
        return undefined; // another of hatch's context fields ({root}, {home}...): not read here
    }
    const head = words.slice(0, words.length - runner.command.length);
    // hatch's `ENV:NAME` word: the environment stays on the script's first word.
    const first = runner.environment !== undefined && words[words.length - runner.command.length].startsWith(`${runner.environment}:`) ? `${runner.environment}:${filled[0]}` : filled[0];
    const expanded = displayWords([...envVars, ...head, first, ...filled.slice(1)]);
    return { command: expanded, notes: [`${o.web} runs ${name}, pyproject.toml's ${where} script: read as \`${expanded}\`.`, ...notes] };
}

/** What the web command reads from the source folder: fastapi-cli's module path, uWSGI's ini file, a Sanic app's main-process code. */
function withServerFiles(src: SourceTree, web: ProcfileWeb): ProcfileWeb {
    return web.server === "uwsgi" ? withUwsgiIni(src, web) : web.server === "sanic" ? withSanicMainProcess(src, web) : withFastapiModule(src, web);
}

/**
 * A Sanic app with main-process code (`@app.main_process_start`, `app.shared_ctx`):
 * Sanic's own server runs it once before its workers; in ASGI mode, under
 * gunicorn's uvicorn worker, nothing runs it, so what it sets up is missing.
 */
function withSanicMainProcess(src: SourceTree, web: ProcfileWeb): ProcfileWeb {
    const module = web.spec?.split(":")[0];
    const path = module?.split(".").join("/");
    const file = path === undefined ? undefined : [`${path}.py`, `src/${path}.py`, `${path}/__init__.py`, `src/${path}/__init__.py`].find((f) => src.isFile(f));
    if (file === undefined) {
        return web;
    }
    const mod = parseModule(src.read(file));
    const listeners = [...new Set(mod.decorators.map((d) => d.callee.split(".").pop()!).filter((n) => n.startsWith("main_process_")))];
    let shared = false;
    for (const e of [...mod.assignedAnywhere, ...mod.calls]) {
        walk(e, (x) => {
            shared ||= x.kind === "ref" && x.path.split(".").includes("shared_ctx");
        });
    }
    if (listeners.length === 0 && !shared) {
        return web;
    }
    const what = [...listeners.map((l) => `@app.${l}`), ...(shared ? ["app.shared_ctx"] : [])].join(" and ");
    return {
        ...web,
        notes: [
            ...web.notes,
            `${file} uses ${what}, which only Sanic's own server runs (once, in its main process, before the workers): under gunicorn's uvicorn worker Sanic runs in ASGI mode, ` +
                "where no main process runs them, so what they set up is missing and requests that use it fail. Move that setup into @app.before_server_start (per worker), or run the app with an image of your own on Sanic's server.",
        ],
    };
}

/** `fastapi run PATH`: the path read as fastapi-cli reads it, in the folder the command runs in. */
function withFastapiModule(src: SourceTree, web: ProcfileWeb): ProcfileWeb {
    if (web.server !== "fastapi" || web.discover !== "fastapi") {
        return web;
    }
    // No path and no --app: fastapi-cli takes pyproject.toml's [tool.fastapi] entrypoint ("module:app", from the working folder) before its default files.
    if (web.spec === "\u0000") {
        const pyproject = src.readIfFile(joinPath(web.chdir ?? "", "pyproject.toml") ?? "pyproject.toml");
        let entry: unknown;
        try {
            const tool = pyproject === undefined ? undefined : (parseToml(pyproject) as Record<string, Record<string, Record<string, unknown>> | undefined>)["tool"];
            entry = tool?.["fastapi"]?.["entrypoint"];
        } catch {
            entry = undefined;
        }
        if (typeof entry === "string" && entry.includes(":")) {
            return { ...web, spec: entry, discover: undefined, notes: [...web.notes, `${web.origin.web} runs fastapi with no path: the app is pyproject.toml's [tool.fastapi] entrypoint, ${entry}.`] };
        }
    }
    const m = fastapiModule(src, web, web.chdir ?? "");
    return {
        ...web,
        spec: m.spec,
        discover: m.named ? undefined : "fastapi",
        // fastapi-cli's folder is found from the source folder; the web command's Python path is relative to the folder the server runs in.
        pythonPath: [...web.pythonPath, ...m.pythonPath.map((p) => relativeTo(web.chdir ?? "", p))],
        notes: [...web.notes, ...(m.note ? [m.note] : [])],
    };
}

/**
 * The gunicorn config file gunicorn would load for the web command: its
 * `--config` (relative to the source folder, else to the working folder),
 * else gunicorn.conf.py in the source folder or the working folder; the
 * first that exists, relative to the source folder.
 */
export function gunicornConfigFile(src: SourceTree, config: string | undefined, chdir: string): string | undefined {
    const given = config === undefined || config === "" ? [] : (pythonConfigModule(config)?.files ?? [config]);
    const candidates = [...given.flatMap((c) => [c, chdir === "" ? "" : `${chdir}/${c}`]), "gunicorn.conf.py", ...(chdir !== "" ? [`${chdir}/gunicorn.conf.py`] : [])];
    return candidates.filter((f) => f !== "" && !f.startsWith("/") && !f.split("/").includes("..")).find((f) => src.isFile(f));
}

/**
 * gunicorn's `--config python:MODULE`: a module gunicorn imports (from the
 * folder it starts in), not a file path: `python:config.gunicorn` is
 * config/gunicorn.py, or the package config/gunicorn/__init__.py. The files
 * it may be, relative to that folder; undefined for a file path.
 */
export function pythonConfigModule(config: string): { module: string; files: string[] } | undefined {
    if (!config.startsWith("python:")) {
        return undefined;
    }
    const module = config.slice("python:".length);
    const path = module.split(".").join("/");
    return { module, files: /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(module) ? [`${path}.py`, `${path}/__init__.py`] : [] };
}

/** A TOML table of variables (hatch's env-vars, a PDM script's env) as `NAME=value` words; other keys and values left out. */
function assignmentWords(vars: unknown): string[] {
    const table = vars !== null && typeof vars === "object" && !Array.isArray(vars) ? (vars as Record<string, unknown>) : {};
    return Object.entries(table)
        .filter(([k, v]) => isAssignment(`${k}=`) && (typeof v === "string" || typeof v === "number" || typeof v === "boolean"))
        .map(([k, v]) => `${k}=${String(v)}`);
}

/** pyproject.toml, parsed; undefined when absent or not TOML (dependency detection says what is wrong with it). */
export function pyprojectOf(src: SourceTree): Record<string, unknown> | undefined {
    try {
        const text = src.readIfFile("pyproject.toml");
        return text === undefined ? undefined : (parseToml(text) as Record<string, unknown>);
    } catch {
        return undefined;
    }
}

/** A shell variable assignment word, `NAME=value`. */
export function isAssignment(word: string): boolean {
    const eq = word.indexOf("=");
    return eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word.slice(0, eq));
}

/** Shell builtins a start script runs to set itself up (options, variables, messages): not commands to run before the server. */
export const SETUP_BUILTINS: ReadonlySet<string> = new Set(["set", "export", "unset", ":", "echo", "printf", "true", "umask", "ulimit", "trap", "source", ".", "shopt", "readonly", "declare", "local"]);

/**
 * A web command that runs the app's own Python launcher: the project's
 * console script ([project.scripts], [tool.poetry.scripts]) or `python -m
 * pkg`, whose module starts uvicorn itself (`uvicorn.run("pkg.app:create_app",
 * factory=True, workers=...)`). Read as the uvicorn command it amounts to.
 */
function launcherOf(src: SourceTree, command: string, o: ProcessOrigin): { command: string; subject: string; notes: string[] } | undefined {
    const cmds = commands(shellTokens(command));
    // Past VAR=value words, wrappers and environment runners (`uv run inventory-api`).
    const { words, notes: through } = unwrap(cmds[cmds.length - 1]?.words ?? [], o);
    let target: string | undefined;
    let what: string;
    if (words[0] !== undefined && /^python(3(\.\d+)?)?$/.test(words[0]) && words[1] === "-m" && words[2] !== undefined) {
        target = words[2];
        what = `\`python -m ${words[2]}\``;
    } else if (words[0] !== undefined && /^python(3(\.\d+)?)?$/.test(words[0]) && words[1]?.endsWith(".py") && !words[1].startsWith("/") && !words[1].split("/").includes("..")) {
        // `python main.py`: the same __main__ block `python -m main` runs, as the module the file is.
        target = words[1].replace(/^\.\//, "").slice(0, -3).split("/").join(".");
        what = `\`python ${words[1]}\``;
    } else {
        const pyproject = pyprojectOf(src);
        const scripts = {
            ...((pyproject?.["tool"] as Record<string, Record<string, unknown>> | undefined)?.["poetry"]?.["scripts"] as Record<string, unknown> | undefined),
            ...((pyproject?.["project"] as Record<string, unknown> | undefined)?.["scripts"] as Record<string, unknown> | undefined),
        };
        const entry = words[0] === undefined || !Object.prototype.hasOwnProperty.call(scripts, words[0]) ? undefined : scripts[words[0]];
        target = typeof entry === "string" ? entry.split(":")[0].trim() : undefined;
        what = `${words[0]}, the project's console script (${String(entry)})`;
    }
    if (target === undefined || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(target)) {
        return undefined;
    }
    const path = target.split(".").join("/");
    const file = [`${path}.py`, `src/${path}.py`, `${path}/__main__.py`, `src/${path}/__main__.py`, `${path}/__init__.py`, `src/${path}/__init__.py`].find((f) => src.isFile(f));
    if (file === undefined) {
        return undefined;
    }
    const mod = parseModule(src.read(file));
    const run = mod.calls.find((c) => calleeOf(c) === "uvicorn.run" || calleeOf(c) === "uvicorn.main.run");
    const app = run?.args[0] ?? run?.kwargs["app"];
    // The module the file is, as Python imports it (`pkg.__main__` for `python -m pkg`), and the package its relative imports start from.
    const module = file.replace(/^src\//, "").replace(/(\/__init__)?\.py$/, "").split("/").join(".");
    const pkg = file.endsWith("/__init__.py") ? module : module.split(".").slice(0, -1).join(".");
    const spec = run === undefined ? undefined : uvicornRunApp(mod, app, module, pkg);
    if (run === undefined || spec === undefined || !/^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_.]*(\(\))?$/.test(spec.spec)) {
        return undefined;
    }
    const { flags, notes } = uvicornRunFlags(mod, run.kwargs);
    const line = displayWords(["uvicorn", spec.spec, ...flags]);
    return {
        command: line,
        subject: `${file}'s uvicorn.run()`,
        notes: [...through, `The web command runs ${what}, whose ${file} starts uvicorn.run(${spec.shown}${flags.includes("--factory") ? ", factory=True" : ""}): read as \`${line}\`.`, ...notes],
    };
}

/**
 * The app uvicorn.run() is given, as gunicorn's APP_MODULE: its "module:attr"
 * string; a name of the module (`app`, made there); a name the module imports
 * from the app's code (`from .app import app`, `from pkg.app import app`, an
 * attribute of an imported module): its module and name; or a call of such a
 * factory with no arguments (`create_app()`).
 */
function uvicornRunApp(mod: ReturnType<typeof parseModule>, app: Expr | undefined, module: string, pkg: string): { spec: string; shown: string } | undefined {
    const text = str(app);
    if (text !== undefined) {
        return { spec: text, shown: JSON.stringify(text) };
    }
    const called = app?.kind === "call" && app.args.length === 0 && Object.keys(app.kwargs).length === 0 ? app.callee : undefined;
    const ref = called ?? app;
    if (ref?.kind !== "ref") {
        return undefined;
    }
    const suffix = called !== undefined ? "()" : "";
    const shown = `${ref.local}${suffix}`;
    // Made in the module itself.
    if (!ref.local.includes(".") && mod.value(ref.local) !== undefined) {
        return { spec: `${module}:${ref.local}${suffix}`, shown };
    }
    // Imported: the path the import binds it to, relative imports made absolute.
    if (ref.path !== ref.local && ref.path.includes(".")) {
        const dotted = absoluteModule(ref.path.slice(0, ref.path.lastIndexOf(".")), pkg);
        const name = ref.path.slice(ref.path.lastIndexOf(".") + 1);
        return dotted === "" ? undefined : { spec: `${dotted}:${name}${suffix}`, shown };
    }
    return undefined;
}

/** uvicorn.run's keyword arguments the CLI has as flags, by name (underscores become dashes otherwise); `app` and `factory` aside. */
const UVICORN_RUN_DEFAULTS: Readonly<Record<string, boolean>> = byName({ reload: false, proxy_headers: true, access_log: true, server_header: true, date_header: true, use_colors: true });

/**
 * uvicorn.run's keyword arguments as the uvicorn CLI flags they are
 * (`forwarded_allow_ips="*"` is `--forwarded-allow-ips '*'`, `workers=4`
 * `--workers 4`), read as the CLI's are; a value the environment decides is
 * read with the environment unset (`int(os.environ.get("WORKERS", 2))` is 2).
 * What has no value to read is noted.
 */
function uvicornRunFlags(mod: ReturnType<typeof parseModule>, kwargs: Readonly<Record<string, Expr>>): { flags: string[]; notes: string[] } {
    const flags: string[] = [];
    const notes: string[] = [];
    const bound: string[] = [];
    for (const [name, expr] of Object.entries(kwargs)) {
        if (name === "app" || !/^[a-z_]+$/.test(name)) {
            continue;
        }
        const flag = `--${name.replace(/_/g, "-")}`;
        const v = evaluate(bind(expr, (local) => mod.value(local)), () => undefined); // the environment unset
        if (name === "host" || name === "port" || name === "uds" || name === "fd") {
            bound.push(`${name}=`);
        } else if (v?.t === "bool") {
            if (UVICORN_RUN_DEFAULTS[name] !== v.v && !(name === "factory" && !v.v)) {
                flags.push(v.v ? flag : `--no-${flag.slice(2)}`);
            }
        } else if (v?.t === "str" || v?.t === "num") {
            flags.push(flag, String(v.v));
        } else if (v?.t === "list" && v.items.every((i) => i.t === "str")) {
            flags.push(flag, v.items.map((i) => (i as { v: string }).v).join(","));
        } else if (v?.t !== "none") {
            notes.push(`uvicorn.run's ${name}= is not a value the package can read before the app runs; it is not carried. Set the component's matching option if it matters.`);
        }
    }
    if (bound.length > 0) {
        notes.unshift(`uvicorn.run's ${bound.join(" and ")} ${bound.length === 1 ? "is" : "are"} not carried: the image binds 0.0.0.0:$PORT.`);
    }
    return { flags, notes };
}

/**
 * A web command that only runs a script of the app (`bin/start`, `sh scripts/web.sh`):
 * the script's commands, one per line, joined with && (a script's lines run in
 * turn; the server is its last), skipping comments, blank lines and `set` options.
 * `serverOnly`: for a script with control flow, only its last line (the server).
 * With `env` (the image's environment, for the web command), the variables the
 * script sets itself (`WORKERS=${WORKERS:-1}`) are read into the commands after
 * them, `env` first where the script only defaults them, as the shell does;
 * `notes` says which. Without it the commands keep them as written (a release
 * script run as its commands reads them from the container's environment).
 */
export function scriptOf(
    src: SourceTree,
    command: string,
    serverOnly = false,
    env?: ReadonlyMap<string, string>,
): {
    file: string;
    commands: string;
    /** The script has control flow: of the commands in blocks, only migrations run (as the release step). */
    skipped?: boolean;
    /** With control flow, how many commands outside every block, before the server, `commands` holds before it. */
    unconditional?: number;
    migrations?: string[];
    wrappers: string[][];
    exported: ReadonlyMap<string, string>;
    notes: string[];
} | undefined {
    const cmds = commands(shellTokens(command));
    // `cd src && entrypoint.sh` (an image whose WORKDIR is a folder below the source's): the script in that folder, its commands run from there.
    const cd = cmds.length === 2 && cmds[0].words.length === 2 && cmds[0].words[0] === "cd" && !cmds[0].piped ? cmds[0].words[1] : undefined;
    const run = cd === undefined ? cmds : cmds.slice(1);
    // The script an init process or another wrapper starts (`/sbin/tini -- /opt/app/boot.sh`, Tandoor's and umap's ENTRYPOINT).
    const { wrappers, command: words } = pastWrappers(run.length === 1 ? run[0].words : []);
    const path = words.length === 1 ? words[0] : words.length === 2 && (words[0] === "sh" || words[0] === "bash") ? words[1] : undefined;
    const file = path === undefined || cd === undefined ? path?.replace(/^\.\//, "") : path.startsWith("/") || cd.startsWith("/") ? undefined : joinPath(cd, path);
    const inCd = (line: string) => (cd === undefined ? line : `${displayWords(["cd", cd])} && ${line}`);
    const text = file === undefined || file.startsWith("/") || file.includes("..") ? undefined : src.readIfFile(file);
    if (file === undefined || text === undefined) {
        return undefined;
    }
    // A line ending in a backslash goes on in the next, as in the shell.
    const all = text
        .replace(/\\\r?\n/g, " ")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"));
    const variables = env === undefined ? [] : scriptVariables(all, env);
    const used = new Map<string, ScriptVariable>();
    const read = (at: number, line: string) => withVariables(heldCommand(all, line), variables[at], used);
    const lines = all
        .map((l, at) => [pastSetup(l), at] as const)
        .filter(([l]) => l !== "" && !SETUP_BUILTINS.has(commands(shellTokens(l))[0]?.words[0] ?? ""))
        // `HOST="${HOST:-0.0.0.0}"`: a shell variable for the script's own server line, whose binding the image replaces.
        .filter(([l]) => !commands(shellTokens(l)).every((c) => c.words.every(isAssignment)));
    const noted = () => variablesNote(file, used);
    // What the script exports before its last line, the server's: the server's environment besides the image's.
    const exported = new Map([...(variables[all.length - 1] ?? [])].flatMap(([k, v]) => (v.exported ? [[k, v.value] as const] : [])));
    // A script with control flow (tiangolo's start.sh: `if [ -f /app/app/main.py ]; then ...`) is not a list of commands:
    // only its server line is read, the last that is a command (a `fi` closing it is not); what runs before it is not a release step here.
    const flow = serverOnly && lines.some(([l]) => commands(shellTokens(l)).some((c) => CONTROL_WORDS.has(c.words[0] ?? "")));
    if (flow && lines.length > 0) {
        const [server, at] = [...lines].reverse().find(([l]) => !CONTROL_WORDS.has(commands(shellTokens(l))[0]?.words[0] ?? "")) ?? lines[lines.length - 1];
        const held = read(at, server);
        // The commands outside every block run whatever the branches decide (linkding's bootstrap.sh: migrate and its other
        // manage.py commands, then `if ...; then supervisord; else uwsgi; fi`): read with the server, as a script without control flow is.
        const plain = unconditional(lines.map(([l]) => l));
        const before = lines.filter(([, i], n) => i < at && plain[n]);
        // A migration under control flow before it (microblog's boot.sh retries `flask db upgrade` in a loop until the database answers) is a release step all the same.
        const migrations = lines
            .filter(([, i], n) => i < at && !plain[n])
            .flatMap(([l]) => commands(shellTokens(l)).map((c) => c.words))
            .filter((w) => w.every((x) => typeof x === "string") && isMigrationCommand(w))
            .map(displayWords);
        const joined = [...before.map(([l, i]) => read(i, l)), held].join(" && ");
        return { file, commands: inCd(joined), skipped: true, unconditional: before.length, migrations: [...new Set(migrations)], wrappers, exported, notes: noted() };
    }
    if (lines.length === 0) {
        return undefined;
    }
    const joined = lines.map(([l, at]) => read(at, l)).join(" && ");
    return { file, commands: inCd(joined), wrappers, exported, notes: noted() };
}

/**
 * A line without the setup builtins it starts with (Tandoor's `umask 0 && exec gunicorn ...`): the commands after them,
 * as written; "" when the line holds nothing else, and the line as it is when its first command is not one.
 */
function pastSetup(line: string): string {
    const tokens = shellTokens(line);
    let i = 0;
    while (typeof tokens[i] === "string" && SETUP_BUILTINS.has(tokens[i] as string)) {
        const op = tokens.findIndex((t, k) => k > i && typeof t !== "string" && "op" in t && (t.op === "&&" || t.op === ";"));
        if (op < 0 || tokens.slice(i, op).some((t) => typeof t !== "string")) {
            return i === 0 ? line : "";
        }
        i = op + 1;
    }
    if (i === 0) {
        return line;
    }
    const rest = tokens.slice(i);
    return rest.every((t) => typeof t === "string" || ("op" in t && (t.op === "&&" || t.op === ";" || t.op === "||")))
        ? rest.map((t) => (typeof t === "string" ? displayWords([t]) : (t as { op: string }).op)).join(" ")
        : line;
}

/** For each line of a script, whether it runs outside every block (if/case, a loop, a function's or a group's braces). */
function unconditional(lines: readonly string[]): boolean[] {
    let depth = 0;
    return lines.map((line) => {
        const start = depth;
        const cs = commands(shellTokens(line));
        depth = blockDepth(cs, depth);
        return start === 0 && !cs.some((c) => CONTROL_WORDS.has(c.words[0] ?? "") || c.words[c.words.length - 1] === "{");
    });
}

/** The block depth after a line's commands: a block opens at `if`, a loop, `case`, a function's or a group's `{`, and closes at fi, done, esac, `}`. */
function blockDepth(cs: ReadonlyArray<{ readonly words: readonly string[] }>, depth: number): number {
    for (const c of cs) {
        const first = c.words[0] ?? "";
        depth += ["if", "for", "while", "until", "select", "case"].includes(first) || c.words[c.words.length - 1] === "{" ? 1 : ["fi", "done", "esac", "}"].includes(first) ? -1 : 0;
        depth = Math.max(depth, 0);
    }
    return depth;
}

interface ScriptVariable {
    readonly value: string;
    /** The assignment as written, when its value is a default (`${WORKERS:-1}`), and whether the image's environment gave the value instead. */
    readonly defaulted?: { readonly written: string; readonly byImage: boolean };
    /** Set with `export`: the commands after it see it in their environment (`export FLASK_APP=app`, then `flask run`). */
    readonly exported?: boolean;
}

/**
 * The variables a script has set before each of its lines (`WORKERS=${WORKERS:-1}`,
 * `export WORKER_CLASS=gevent`, `${VAR-default}`), outside control flow (one
 * a branch or a loop sets is not known: it may not run). A value is as the shell gives it: the image's
 * environment (`env`) where the script only defaults the variable, else the
 * default; a variable the image sets itself (PORT...) stays as written, as
 * does any the script does not set. A value with blanks is not kept (the
 * shell would split it into words where it is used unquoted).
 */
function scriptVariables(lines: readonly string[], env: ReadonlyMap<string, string>): Array<ReadonlyMap<string, ScriptVariable>> {
    const out: Array<ReadonlyMap<string, ScriptVariable>> = [];
    const vars = new Map<string, ScriptVariable>();
    let depth = 0;
    for (const written of lines) {
        out.push(new Map(vars));
        const cs = commands(shellTokens(written));
        // `: "${WORKERS:=3}"` (the `:` builtin with assigning expansions) sets each variable as `WORKERS=${WORKERS:=3}` does.
        const colon = cs.length === 1 && cs[0].words[0] === ":" && cs[0].words.length > 1 ? cs[0].words.slice(1).map(assigningExpansion) : [];
        const line = colon.length > 0 && colon.every((a) => a !== undefined) ? colon.join(" ") : written;
        if (line !== written) {
            cs.splice(0, cs.length, ...commands(shellTokens(line)));
        }
        depth = blockDepth(cs, depth);
        const only = cs.length === 1 ? cs[0].words : [];
        const declared = ["export", "readonly", "declare", "local"].includes(only[0] ?? "") ? only.slice(1).filter((w) => !w.startsWith("-")) : only;
        if (declared.length === 0 || !declared.every(isAssignment)) {
            continue;
        }
        if (depth > 0) {
            // Set in a branch or a loop, which may not run: its value is not known.
            declared.forEach((w) => vars.delete(w.slice(0, w.indexOf("="))));
            continue;
        }
        // The line read again from its text with the variables known so far (shellTokens keeps `${WORKERS:-1}` as written):
        // each expansion as the shell gives it, the quoting as written.
        const names = new Set(declared.map((w) => w.slice(0, w.indexOf("="))));
        const defaulted = new Map<string, NonNullable<ScriptVariable["defaulted"]>>();
        const lookup = (key: string): string => {
            const ref = expansion(key);
            if (ref === undefined || IMAGE_SET_VARIABLES.has(ref.name)) {
                return ref === undefined ? `\${${key}}` : `\${${ref.name}}`;
            }
            const image = env.get(ref.name);
            if (image !== undefined && !(ref.colon && image === "")) {
                if (names.has(ref.name) && ref.fallback !== undefined) {
                    defaulted.set(ref.name, { written: `\${${key}}`, byImage: true });
                }
                return image;
            }
            const own = vars.get(ref.name);
            if (own !== undefined) {
                return own.value;
            }
            if (names.has(ref.name) && ref.fallback !== undefined) {
                // The default is a word of its own: its quotes removed, its variables read (`${APP_MODULE:-"$MODULE_NAME:app"}`).
                const word = safeParse(ref.fallback, lookup);
                if (word?.length === 1 && typeof word[0] === "string") {
                    defaulted.set(ref.name, { written: `\${${key}}`, byImage: false });
                    return word[0];
                }
            }
            return `\${${key}}`;
        };
        const read = safeParse(line, lookup);
        const words = read?.every((t): t is string => typeof t === "string") ? read.slice(read.length - declared.length) : undefined;
        for (const [n, word] of declared.entries()) {
            const name = word.slice(0, word.indexOf("="));
            const value = words?.[n]?.startsWith(`${name}=`) ? words[n].slice(name.length + 1) : undefined;
            // Not known: a value made of a variable that has no value here (`${MODULE_NAME}:app`), or with blanks.
            const unknown = value === undefined || [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].some((m) => !IMAGE_SET_VARIABLES.has(m[1]));
            // `PORT=${PORT:-5000}` where the image sets PORT: `$PORT` as it was.
            if (unknown || /\s/.test(value) || value === `\${${name}}`) {
                vars.delete(name);
            } else {
                vars.set(name, { value, defaulted: defaulted.get(name), exported: only[0] === "export" || vars.get(name)?.exported });
            }
        }
    }
    out.push(new Map(vars));
    return out;
}

/** `${NAME:=default}` / `${NAME=default}` as a whole word: the assignment it makes, `NAME=${NAME:=default}`. */
function assigningExpansion(word: string): string | undefined {
    const inner = word.startsWith("${") && word.endsWith("}") ? word.slice(2, -1) : undefined;
    const ref = inner === undefined ? undefined : expansion(inner);
    const op = ref === undefined ? undefined : inner!.slice(ref.name.length, ref.name.length + (ref.colon ? 2 : 1));
    return ref?.fallback !== undefined && (op === ":=" || op === "=") ? `${ref.name}=${word}` : undefined;
}

/** A command line's words and operators, the variables looked up in `lookup`; undefined where shell-quote cannot read it (`Bad substitution`). */
function safeParse(line: string, lookup: (key: string) => string): Token[] | undefined {
    try {
        return shellParse(line, lookup) as Token[];
    } catch {
        return undefined;
    }
}

/** A parameter expansion's name and its default (`WORKERS:-1`, `WORKERS-1`, `WORKERS:=1`), as shell-quote hands it over; undefined for any other form (`#VAR`, `VAR%x`). */
export function expansion(key: string): { name: string; fallback?: string; colon: boolean } | undefined {
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(key)?.[0];
    if (name === undefined) {
        return undefined;
    }
    const rest = key.slice(name.length);
    const colon = rest.startsWith(":");
    const op = rest.slice(colon ? 1 : 0, colon ? 2 : 1);
    if (rest === "") {
        return { name, colon: false };
    }
    return op === "-" || op === "=" ? { name, fallback: rest.slice(colon ? 2 : 1), colon } : undefined;
}

/**
 * A script's line with the variables the script set before it read in
 * (`--workers $WORKERS`: `--workers 1`), rebuilt from its words and
 * operators; as written when none is used, or when the line redirects or
 * globs. `used` collects the names read in.
 */
function withVariables(line: string, vars: ReadonlyMap<string, ScriptVariable> | undefined, used: Map<string, ScriptVariable>): string {
    if (vars === undefined || vars.size === 0 || !line.includes("$")) {
        return line;
    }
    const here = new Set<string>();
    const tokens = safeParse(line, (key) => {
        const v = vars.get(key);
        if (v === undefined) {
            return `\${${key}}`;
        }
        here.add(key);
        return v.value;
    });
    if (tokens === undefined || here.size === 0) {
        return line;
    }
    const parts: string[] = [];
    let words: string[] = [];
    for (const t of tokens) {
        if (typeof t === "string") {
            words.push(t);
        } else if ("op" in t && ["&&", "||", ";", "|", "&"].includes(t.op)) {
            parts.push(displayWords(words), t.op);
            words = [];
        } else {
            return line;
        }
    }
    parts.push(displayWords(words));
    here.forEach((k) => used.set(k, vars.get(k)!));
    return parts.filter((p) => p !== "").join(" ");
}

/** What a script's own variables gave its commands: `entrypoint.sh sets WORKERS=1 (its default, `${WORKERS:-1}`)...`. */
function variablesNote(file: string, used: ReadonlyMap<string, ScriptVariable>): string[] {
    const named = [...used].map(([k, v]) => {
        const how = v.defaulted === undefined ? "" : v.defaulted.byImage ? ` (the image's environment's, over the script's default \`${v.defaulted.written}\`)` : ` (its default, \`${v.defaulted.written}\`)`;
        return `${displayWords([`${k}=${v.value}`])}${how}`;
    });
    if (named.length === 0) {
        return [];
    }
    const list = named.length > 1 ? `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}` : named[0];
    const many = named.length > 1;
    // The image's gunicorn config reads WEB_CONCURRENCY itself; the others are read here only.
    const unread = [...used.keys()].filter((k) => k !== "WEB_CONCURRENCY");
    const rest = unread.length === 0 ? "" : `; the image does not read ${unread.length > 1 ? `${unread.slice(0, -1).join(", ")} or ${unread[unread.length - 1]}` : unread[0]} at run time`;
    return [`${file} sets ${list} before the commands that use ${many ? "them" : "it"}: the commands are read with ${many ? "those values" : "that value"}${rest}.`];
}

/**
 * A line that runs the command a variable of the script holds (`cmd="exec gunicorn app:app ..."` then
 * `eval "$cmd"`, or `exec ${server_command}`): that command, as the variable was first set before any
 * control flow (a branch that wraps it, `cmd="su - app -c '$cmd'"`, changes the user, not the server), the
 * script's own arguments (`$@`) left out. Any other line is returned as it is.
 */
function heldCommand(lines: readonly string[], line: string): string {
    const words = commands(shellTokens(line));
    const run = words.length === 1 ? words[0].words : [];
    const rest = run[0] === "exec" || run[0] === "eval" ? run.slice(1) : run;
    const name = rest.length === 1 && rest[0].startsWith("${") && rest[0].endsWith("}") ? rest[0].slice(2, -1) : undefined;
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        return line;
    }
    for (const l of lines) {
        const cs = commands(shellTokens(l));
        if (cs.some((c) => CONTROL_WORDS.has(c.words[0] ?? ""))) {
            break;
        }
        const w = cs.length === 1 && cs[0].words.length === 1 ? cs[0].words[0] : undefined;
        if (w !== undefined && isAssignment(w) && w.slice(0, w.indexOf("=")) === name) {
            const value = w.slice(w.indexOf("=") + 1);
            // `eval` parses the value as a command line; `exec ${cmd}` only splits it into fields at blanks, so a
            // `create_app()` in it stays one word, as the shell passes it.
            const held = run[0] === "eval" ? commands(shellTokens(value)).map((c) => c.words) : [value.split(/[ \t\n]+/).filter((f) => f !== "")];
            return held.length === 1 ? displayWords(held[0].filter((x) => !["${@}", "${*}", "$@", "$*"].includes(x))) : line;
        }
    }
    return line;
}

/** gunicorn's settings that take a list of peers, which it checks at start: `*`, or IP addresses and networks. */
const PEER_LIST_FLAGS: ReadonlySet<string> = new Set(["--forwarded-allow-ips", "--proxy-allow-from"]);

/**
 * A list of trusted peers carried to gunicorn (`flag value`), or nothing. gunicorn refuses to start when
 * an item is not `*` or an IP address or network (`ipaddress.ip_network`, strict: no host bits set under
 * the prefix), where uvicorn took any string as a host to match: a `'*'` whose quotes a script's
 * `exec ${cmd}` left in, a host name, a socket path. Those items are dropped with a note; with none
 * left, gunicorn's default (127.0.0.1,::1) stands.
 */
function peerList(flag: string, value: string, subject: string, shown: string, notes: string[]): string[] {
    const items = value.split(",").map((v) => v.trim()).filter((v) => v !== "");
    const kept = items.filter((v) => v === "*" || ipNetwork(v));
    const dropped = items.filter((v) => !kept.includes(v));
    if (dropped.length > 0) {
        notes.push(
            `${subject}'s \`${shown}\` names ${dropped.map((v) => JSON.stringify(v)).join(", ")}, which gunicorn refuses at start (it takes \`*\` or IP addresses and networks; ` +
                `uvicorn matched ${dropped.length > 1 ? "them" : "it"} as text, trusting no real peer): ${kept.length > 0 ? `only ${kept.join(",")} is carried` : `not carried, so gunicorn's default (127.0.0.1,::1) stands`}. Set \`trustedProxies\` to trust a proxy.`,
        );
    }
    return kept.length === 0 ? [] : [flag, kept.join(",")];
}

/** Whether text is an IP address, or a network as Python's `ipaddress.ip_network` reads it strictly (an IPv4 network with no host bits set). */
function ipNetwork(text: string): boolean {
    const cut = text.indexOf("/");
    const address = cut < 0 ? text : text.slice(0, cut);
    const family = isIP(address);
    if (family === 0) {
        return false;
    }
    if (cut < 0) {
        return true;
    }
    const prefix = text.slice(cut + 1);
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) {
        return false;
    }
    if (family === 6) {
        return true;
    }
    const n = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    return bits === 32 || n % 2 ** (32 - bits) === 0;
}

/** Shell words that make a script more than a list of commands (a line starting with one is part of control flow): such a script runs as it is. */
export const CONTROL_WORDS: ReadonlySet<string> = new Set(["if", "then", "elif", "else", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "{", "}", "exit", "return"]);

function platformOrigin(file: string, release: string): ProcessOrigin {
    return { file, subject: file, web: `${file}'s startCommand`, webSource: `${file} startCommand`, releaseSource: `${file} ${release}` };
}

/** A platform's config file, parsed (YAML, TOML or JSON); undefined when absent, facts holding a note when it does not parse. */
function platformFile(src: SourceTree, file: string, parse: (text: string) => unknown): { origin: ProcessOrigin; doc: unknown } | { broken: ProcfileFacts } | undefined {
    const text = src.readIfFile(file);
    if (text === undefined) {
        return undefined;
    }
    const origin = platformOrigin(file, "preDeployCommand");
    try {
        return { origin, doc: parse(text) };
    } catch (e) {
        return { broken: { origin, others: [], notes: [`${file} cannot be parsed (${(e as Error).message.split("\n")[0]}); its commands are not read.`] } };
    }
}

function nonEmpty(v: unknown): string | undefined {
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/**
 * A Render Blueprint (render.yaml, its spec's field names): the Python web
 * service's `startCommand` and `preDeployCommand`. A service built from
 * another folder (`rootDir`) is not this source folder's app; it is named in
 * a note. Parsed by js-yaml; a file that is not YAML is noted and skipped.
 */
/**
 * A Blueprint's services or envVarGroups: at the top level, and under
 * projects[].environments[] (Render's projects layout), in file order.
 */
function renderBlueprint(doc: unknown, key: "services" | "envVarGroups"): Record<string, unknown>[] {
    const objects = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x)) : []);
    const top = doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>) : {};
    const projects = objects(top["projects"]);
    const environments = projects.flatMap((p) => objects(p["environments"]));
    return [...objects(top[key]), ...projects.flatMap((p) => objects(p[key])), ...environments.flatMap((e) => objects(e[key]))];
}

/** render.yaml's health check path, whichever file gives the start command (a Procfile beside it: Render still checks that path). */
export function renderCheckPath(src: SourceTree): string | undefined {
    return src.isFile("render.yaml") ? readRenderYaml(src)?.healthCheckPath : undefined;
}

function readRenderYaml(src: SourceTree): ProcfileFacts | undefined {
    const file = "render.yaml";
    const loaded = platformFile(src, file, loadYaml);
    if (loaded === undefined || "broken" in loaded) {
        return loaded?.broken;
    }
    const { origin, doc } = loaded;
    const entries = renderBlueprint(doc, "services");
    if (entries.length === 0) {
        return undefined;
    }
    const isPython = (s: Record<string, unknown>) => (s["runtime"] ?? s["env"]) === "python";
    const here = (s: Record<string, unknown>) => {
        const dir = nonEmpty(s["rootDir"]);
        return dir === undefined || dir.replace(/^\.\/?/, "").replace(/\/$/, "") === "";
    };
    const webs = entries.filter((s) => s["type"] === "web" && isPython(s));
    const notes: string[] = [];
    const picked = webs.filter(here);
    for (const s of webs.filter((w) => !here(w))) {
        notes.push(`${file}'s web service ${String(s["name"] ?? "")} is built from ${String(s["rootDir"])}/ (its rootDir), not this folder; its commands are not used. Point \`source\` at that folder to deploy it.`);
    }
    const service = picked[0];
    if (picked.length > 1) {
        notes.push(`${file} has ${picked.length} Python web services; the first, ${String(service["name"] ?? "")}, gives the commands.`);
    }
    const others = entries
        .filter((s) => s !== service && s["type"] !== "web" && isPython(s))
        .map((s) => `the ${String(s["type"])} service ${String(s["name"] ?? "")}${typeof s["startCommand"] === "string" ? ` (\`${s["startCommand"]}\`)` : ""}`);
    if (service === undefined) {
        return notes.length > 0 ? { origin, others, notes } : undefined;
    }
    const start = nonEmpty(service["startCommand"]);
    const preDeploy = nonEmpty(service["preDeployCommand"]);
    // Render's Django guide migrates in its build script (build.sh: pip install, collectstatic, migrate): here migrations are the release step.
    const build = buildCommandsOf(src, nonEmpty(service["buildCommand"]));
    const migrations = build?.commands.filter(isMigrationCommand).map(displayWords) ?? [];
    const fromBuild = preDeploy === undefined && build !== undefined && migrations.length > 0 ? { file: build.file, commands: migrations.join(" && ") } : undefined;
    if (fromBuild !== undefined) {
        notes.push(`${file}'s buildCommand runs \`${fromBuild.commands}\` (${fromBuild.file}); the image runs it as the release step, before the new container takes traffic, and builds the rest itself.`);
    }
    const unrun = build?.commands.filter((c) => !isMigrationCommand(c) && !doneByTheImage(c)).map(displayWords) ?? [];
    if (build !== undefined && unrun.length > 0) {
        notes.push(
            `${file}'s buildCommand also runs ${unrun.map((c) => `\`${c}\``).join(", ")} (${build.file}), which the image does not run: ` +
                "add what makes files the app needs to `buildCommands`, and what needs the database to `releaseCommand`.",
        );
    }
    return {
        origin: fromBuild === undefined ? origin : { ...origin, releaseSource: `${file} buildCommand (${fromBuild.file})` },
        web: start === undefined ? undefined : webCommand(src, start, origin),
        release: preDeploy ?? fromBuild?.commands,
        healthCheckPath: nonEmpty(service["healthCheckPath"]),
        others,
        notes,
    };
}

/** The commands of a platform's build command, or of the script it runs (`./build.sh`), each as its words with any environment runner (`poetry run`) removed. */
function buildCommandsOf(src: SourceTree, command: string | undefined): { file: string; commands: string[][] } | undefined {
    if (command === undefined) {
        return undefined;
    }
    const script = scriptOf(src, command);
    const found = commands(shellTokens(script?.commands ?? command))
        .map((c) => withoutRunner(c.words).words)
        .filter((w) => w.length > 0 && !SETUP_BUILTINS.has(w[0]));
    return { file: script?.file ?? "buildCommand", commands: found };
}

/** Installers whose install the image's own dependency step does; front-end package managers whose build the image's front-end step runs (or names). */
const BUILD_TOOLS_THE_IMAGE_RUNS: ReadonlySet<string> = new Set(["pip", "pip3", "uv", "poetry", "pipenv", "pdm", "npm", "yarn", "pnpm", "npx"]);
/** Django commands the image runs in the builder when the app needs them (compress: django-compressor's offline manifest, with COMPRESS_OFFLINE). */
const DJANGO_BUILD_COMMANDS: ReadonlySet<string> = new Set(["collectstatic", "compilemessages", "compress"]);
/** Commands that only prepare or show the build machine's own folders and tools. */
const BUILD_HOUSEKEEPING: ReadonlySet<string> = new Set(["cd", "mkdir", "ls", "pwd", "which", "chmod", "rm", "exit", "env", "cat"]);

/** A build command the image does itself or that leaves nothing behind: an install, collectstatic, a front-end build, `python --version`. */
function doneByTheImage(given: readonly string[]): boolean {
    const w = given[0] === "python" || given[0] === "python3" ? (given[1] === "-m" ? given.slice(2) : given.slice(1)) : given;
    const tool = w[0]?.split("/").pop() ?? "";
    if (BUILD_TOOLS_THE_IMAGE_RUNS.has(tool) || BUILD_HOUSEKEEPING.has(tool)) {
        return true;
    }
    if (w.length === 0 || w[0] === "--version" || w[0] === "-V") {
        return true;
    }
    return tool.endsWith("manage.py") && DJANGO_BUILD_COMMANDS.has(w[1] ?? "");
}

/** A command that migrates the app's database: Django's migrate, Flask-Migrate's upgrade, Alembic's. */
export function isMigrationCommand(given: readonly string[]): boolean {
    const w = withoutRunner(given).words;
    const args = /^python(3(\.\d+)?)?$/.test(w[0] ?? "") ? w.slice(1) : w;
    return (args[0]?.endsWith("manage.py") && args[1] === "migrate") || (args[0] === "flask" && args.includes("db") && args.includes("upgrade")) || (args[0] === "alembic" && args.includes("upgrade"));
}

/**
 * The app's own container config (its Dockerfile, its Compose file's
 * service built from this folder) as the last platform file: its web
 * command (ENTRYPOINT and CMD, or the service's command), read like a
 * Procfile's; a one-shot migrating service of the same build as the
 * release step; the health check's path; the other services named.
 */
function readContainer(src: SourceTree): ProcfileFacts | undefined {
    const c = readContainerConfig(src);
    if (c === undefined) {
        return undefined;
    }
    const origin: ProcessOrigin = {
        file: c.file,
        subject: c.file,
        web: c.commandFrom?.web ?? `${c.file}'s command`,
        webSource: c.commandFrom?.source ?? c.file,
        releaseSource: c.release === undefined ? `${c.commandFrom?.source ?? c.file} (before the server)` : `${c.release.file} service ${c.release.service}`,
        appPath: c.appPath,
        startsIn: c.startsIn,
    };
    return { origin, web: c.command === undefined ? undefined : webCommand(src, c.command, origin, new Map(c.set.map(([k, v]) => [k, v]))), release: c.release?.command, healthCheckPath: c.healthCheckPath?.path, healthCheckSource: c.healthCheckPath?.source, others: [], notes: c.notes };
}

/**
 * Google App Engine's app.yaml (standard environment): its `entrypoint` is
 * the web command (`gunicorn -b :$PORT main:app`); App Engine runs no
 * release step. Only for a Python runtime (`runtime: python311`).
 */
function readAppYaml(src: SourceTree): ProcfileFacts | undefined {
    const file = "app.yaml";
    const loaded = platformFile(src, file, loadYaml);
    if (loaded === undefined || "broken" in loaded) {
        return loaded?.broken;
    }
    const doc = loaded.doc as Record<string, unknown> | null;
    const runtime = nonEmpty(doc?.["runtime"]);
    const start = nonEmpty(doc?.["entrypoint"]);
    if (runtime === undefined || !runtime.startsWith("python") || start === undefined) {
        return undefined;
    }
    const origin: ProcessOrigin = { file, subject: file, web: `${file}'s entrypoint`, webSource: `${file} entrypoint`, releaseSource: `${file} (none)` };
    return { origin, web: webCommand(src, start, origin), others: [], notes: [] };
}

/**
 * What the hosting platform's config sets in the app's environment, or says
 * the app needs: fly.toml's [env], App Engine's app.yaml env_variables,
 * render.yaml's Python web service's envVars (a `value`; `sync: false` and
 * `fromDatabase`/`fromService` name a variable the user must give), and
 * app.json's env (what Heroku's deploy button asks for: named, with the
 * default it offers); and the platform's volumes (fly.toml's mounts, a Render
 * web service's disk). PORT is the image's own.
 */
export interface PlatformEnv {
    /** Name, value and the file that sets it, in file order. */
    readonly set: ReadonlyArray<readonly [string, string, string]>;
    /** Names the platform fills in at deploy time (secrets, database URLs), or asks for, and the file. */
    readonly needs: ReadonlyArray<readonly [string, string]>;
    /** Folders the platform mounts a volume at (fly.toml's [mounts] destination, render.yaml's web service's disk mountPath), absolute, with the file and key. */
    readonly mounts: ReadonlyArray<{ readonly path: string; readonly source: string }>;
}

/** Read once per source tree: detection and the plan both ask. */
const platformEnvs = new WeakMap<SourceTree, PlatformEnv>();

export function readPlatformEnv(src: SourceTree): PlatformEnv {
    let found = platformEnvs.get(src);
    if (!found) {
        found = readPlatformEnvFiles(src);
        platformEnvs.set(src, found);
    }
    return found;
}

function readPlatformEnvFiles(src: SourceTree): PlatformEnv {
    const set: Array<readonly [string, string, string]> = [];
    const needs: Array<readonly [string, string]> = [];
    const scalar = (v: unknown): string | undefined => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);
    const parsed = (file: string, parse: (t: string) => unknown): Record<string, unknown> | undefined => {
        const text = src.readIfFile(file);
        try {
            const doc = text === undefined ? undefined : parse(text);
            return doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>) : undefined;
        } catch {
            return undefined;
        }
    };
    const table = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
    for (const [k, v] of Object.entries(table(parsed("fly.toml", parseToml)?.["env"]))) {
        const value = scalar(v);
        if (value !== undefined) {
            set.push([k, value, "fly.toml [env]"]);
        }
    }
    const appYaml = parsed("app.yaml", loadYaml);
    if (String(appYaml?.["runtime"] ?? "").startsWith("python")) {
        for (const [k, v] of Object.entries(table(appYaml?.["env_variables"]))) {
            const value = scalar(v);
            if (value !== undefined) {
                set.push([k, value, "app.yaml env_variables"]);
            }
        }
    }
    const blueprint = parsed("render.yaml", loadYaml);
    const web = renderBlueprint(blueprint, "services").find((s) => s["type"] === "web" && (s["runtime"] ?? s["env"]) === "python" && nonEmpty(s["rootDir"]) === undefined);
    // `- fromGroup: name` takes an environment group's envVars (the service's own keys, after it, win).
    const groups = renderBlueprint(blueprint, "envVarGroups");
    // The service's own keys first: the first of a name is the one taken, and Render lets them win over a group's wherever it is listed.
    const own = Array.isArray(web?.["envVars"]) ? (web!["envVars"] as unknown[]).map(table) : [];
    const rows = [
        ...own.filter((row) => nonEmpty(row["fromGroup"]) === undefined),
        ...own.flatMap((row) => {
            const found = groups.find((g) => g["name"] === nonEmpty(row["fromGroup"]));
            return Array.isArray(found?.["envVars"]) ? (found!["envVars"] as unknown[]).map(table) : [];
        }),
    ];
    for (const row of rows) {
        const key = nonEmpty(row["key"]);
        if (key === undefined) {
            continue;
        }
        const value = scalar(row["value"]);
        if (value !== undefined) {
            set.push([key, value, "render.yaml envVars"]);
        } else if (row["sync"] === false || row["fromDatabase"] !== undefined || row["fromService"] !== undefined || row["generateValue"] !== undefined) {
            needs.push([key, "render.yaml envVars"]);
        }
    }
    // DigitalOcean's app spec: the service's envs (and the spec's app-wide ones): a plain value is set; a SECRET, or a
    // binding (${db.DATABASE_URL}), is the platform's to fill in: named.
    const doSpec = doAppSpec(src);
    if (doSpec !== undefined && !("broken" in doSpec)) {
        const envs = [...(Array.isArray(doService(doSpec.spec)?.["envs"]) ? (doService(doSpec.spec)!["envs"] as unknown[]) : []), ...(Array.isArray(doSpec.spec["envs"]) ? (doSpec.spec["envs"] as unknown[]) : [])].map(table);
        for (const row of envs) {
            const key = nonEmpty(row["key"]);
            const value = scalar(row["value"]);
            if (key === undefined) {
                continue;
            }
            if (row["type"] === "SECRET" || value === undefined || value.includes("${")) {
                needs.push([key, `${doSpec.file} envs`]);
            } else {
                set.push([key, value, `${doSpec.file} envs`]);
            }
        }
    }
    // Nixpacks' [variables] (its own NIXPACKS_* settings aside): the app's environment on Railway.
    for (const [k, v] of Object.entries(table(parsed("nixpacks.toml", parseToml)?.["variables"]))) {
        const value = scalar(v);
        if (value !== undefined && !k.startsWith("NIXPACKS_")) {
            set.push([k, value, "nixpacks.toml [variables]"]);
        }
    }
    // app.json's env is what Heroku's deploy button asks for (a `value` is only the default it offers): named, not set.
    for (const [k, v] of Object.entries(table(parsed("app.json", JSON.parse)?.["env"]))) {
        const row = table(v);
        const value = typeof v === "string" ? v : scalar(row["value"]);
        if (row["required"] !== false || row["generator"] !== undefined || (value !== undefined && value !== "")) {
            needs.push([k, value !== undefined && value !== "" ? `app.json env, default ${value}` : "app.json env"]);
        }
    }
    // fly.toml's volumes: [mounts] (or [[mounts]]) destination; a Render web service's persistent disk: disk.mountPath.
    const flyMounts = parsed("fly.toml", parseToml)?.["mounts"];
    const mounts = (Array.isArray(flyMounts) ? flyMounts : [flyMounts])
        .map(table)
        .flatMap((m) => (typeof m["destination"] === "string" && m["destination"].startsWith("/") ? [{ path: m["destination"], source: "fly.toml [mounts] destination" }] : []));
    const disk = table(web?.["disk"])["mountPath"];
    if (typeof disk === "string" && disk.startsWith("/")) {
        // Render checks the repository out at /opt/render/project/src: a disk there is the same folder of the app, which is /app here.
        const checkout = "/opt/render/project/src";
        const path = disk === checkout || disk.startsWith(`${checkout}/`) ? `${DEFAULTS.workdir}${disk.slice(checkout.length)}` : disk;
        mounts.push({ path, source: path === disk ? "render.yaml's disk mountPath" : `render.yaml's disk mountPath ${disk} (Render's checkout folder is the image's ${DEFAULTS.workdir})` });
    }
    // The app's own Dockerfile ENV and Compose service's environment and volumes, when they are its deployment convention.
    const container = containerConfigUsed(src) ? readContainerConfig(src) : undefined;
    set.push(...(container?.set ?? []));
    needs.push(...(container?.needs ?? []));
    mounts.push(...(container?.mounts ?? []));
    return { set: set.filter(([k]) => k !== "PORT"), needs, mounts };
}

/**
 * Railway's config as code (railway.toml or railway.json): `deploy.startCommand`
 * and `deploy.preDeployCommand` (a command, or a list of commands run in turn).
 */
function readRailway(src: SourceTree, file: "railway.toml" | "railway.json"): ProcfileFacts | undefined {
    const loaded = platformFile(src, file, file === "railway.toml" ? parseToml : JSON.parse);
    if (loaded === undefined || "broken" in loaded) {
        return loaded?.broken;
    }
    const { origin, doc } = loaded;
    const deploy = (doc as { deploy?: Record<string, unknown> } | null)?.deploy;
    const start = nonEmpty(deploy?.["startCommand"]);
    const pre = deploy?.["preDeployCommand"];
    const release = Array.isArray(pre) ? nonEmpty(pre.filter((c) => typeof c === "string" && c.trim() !== "").join(" && ")) : nonEmpty(pre);
    const healthCheckPath = nonEmpty(deploy?.["healthcheckPath"]);
    if (start === undefined && release === undefined && healthCheckPath === undefined) {
        return undefined;
    }
    return { origin, web: start === undefined ? undefined : webCommand(src, start, origin), release, healthCheckPath, others: [], notes: [] };
}

/**
 * DigitalOcean App Platform's app spec (.do/app.yaml, or the `spec` of
 * .do/deploy.template.yaml): the first service's `run_command` (a Python one
 * when the spec says), its `health_check.http_path`, and the PRE_DEPLOY jobs'
 * run_commands, in turn, as the release step. Its envs are read with the
 * platform's environment (readPlatformEnv).
 */
function readDoAppSpec(src: SourceTree): ProcfileFacts | undefined {
    const found = doAppSpec(src);
    if (found === undefined || "broken" in found) {
        return found?.broken;
    }
    const { file, spec } = found;
    const service = doService(spec);
    const start = nonEmpty(service?.["run_command"]);
    const jobs = (Array.isArray(spec["jobs"]) ? spec["jobs"] : []).filter((j): j is Record<string, unknown> => j !== null && typeof j === "object" && (j as Record<string, unknown>)["kind"] === "PRE_DEPLOY");
    const release = nonEmpty(jobs.map((j) => nonEmpty(j["run_command"])).filter((c) => c !== undefined).join(" && "));
    if (start === undefined && release === undefined) {
        return undefined;
    }
    const origin: ProcessOrigin = { file, subject: file, web: `${file}'s run_command`, webSource: `${file} run_command`, releaseSource: `${file} PRE_DEPLOY job` };
    const check = (service?.["health_check"] ?? {}) as Record<string, unknown>;
    return { origin, web: start === undefined ? undefined : webCommand(src, start, origin), release, healthCheckPath: nonEmpty(check["http_path"]), others: [], notes: [] };
}

/** The app spec DigitalOcean reads: .do/app.yaml, else .do/deploy.template.yaml's `spec`. */
function doAppSpec(src: SourceTree): { file: string; spec: Record<string, unknown> } | { broken: ProcfileFacts } | undefined {
    for (const file of [".do/app.yaml", ".do/deploy.template.yaml"]) {
        const loaded = platformFile(src, file, loadYaml);
        if (loaded === undefined) {
            continue;
        }
        if ("broken" in loaded) {
            return loaded;
        }
        const doc = (loaded.doc ?? {}) as Record<string, unknown>;
        const spec = file.endsWith("deploy.template.yaml") ? ((doc["spec"] ?? {}) as Record<string, unknown>) : doc;
        return { file, spec };
    }
    return undefined;
}

/** The app spec's service that serves the app: the first Python one, else the first. */
function doService(spec: Record<string, unknown>): Record<string, unknown> | undefined {
    const services = (Array.isArray(spec["services"]) ? spec["services"] : []).filter((x): x is Record<string, unknown> => x !== null && typeof x === "object");
    return services.find((x) => String(x["environment_slug"] ?? "").startsWith("python")) ?? services[0];
}

/**
 * fly.toml's [processes] with no Procfile: the process its [http_service]
 * (or [[services]]) routes to, "app" by default, is the web command; the
 * others are named. Its release_command is read by the release step.
 */
function readFlyProcesses(src: SourceTree): ProcfileFacts | undefined {
    const loaded = platformFile(src, "fly.toml", parseToml);
    if (loaded === undefined || "broken" in loaded) {
        return loaded?.broken;
    }
    const doc = (loaded.doc ?? {}) as Record<string, unknown>;
    const processes = doc["processes"] !== null && typeof doc["processes"] === "object" ? (doc["processes"] as Record<string, unknown>) : {};
    const http = (doc["http_service"] ?? (Array.isArray(doc["services"]) ? doc["services"][0] : undefined) ?? {}) as Record<string, unknown>;
    const routed = Array.isArray(http["processes"]) && typeof http["processes"][0] === "string" ? (http["processes"][0] as string) : "app";
    const start = nonEmpty(processes[routed]);
    if (start === undefined) {
        return undefined;
    }
    const origin: ProcessOrigin = { file: "fly.toml", subject: "fly.toml", web: `fly.toml's [processes] ${routed}`, webSource: `fly.toml [processes] ${routed}`, releaseSource: "fly.toml [deploy] release_command" };
    const others = Object.keys(processes)
        .filter((k) => k !== routed)
        .map((k) => `the ${k} process${nonEmpty(processes[k]) !== undefined ? ` (\`${nonEmpty(processes[k])}\`)` : ""}`);
    return { origin, web: webCommand(src, start, origin), others, notes: [] };
}

/** nixpacks.toml's [start] cmd (Railway's Nixpacks builds), with no Procfile and no railway.toml/json start command. */
function readNixpacks(src: SourceTree): ProcfileFacts | undefined {
    const loaded = platformFile(src, "nixpacks.toml", parseToml);
    if (loaded === undefined || "broken" in loaded) {
        return loaded?.broken;
    }
    const start = nonEmpty(((loaded.doc ?? {}) as { start?: Record<string, unknown> }).start?.["cmd"]);
    if (start === undefined) {
        return undefined;
    }
    const origin: ProcessOrigin = { file: "nixpacks.toml", subject: "nixpacks.toml", web: "nixpacks.toml's [start] cmd", webSource: "nixpacks.toml [start] cmd", releaseSource: "nixpacks.toml (none)" };
    return { origin, web: webCommand(src, start, origin), others: [], notes: [] };
}

/** A word as shellTokens keeps it (`${APP_HOME}/web`) with its variables' values from `env`; undefined when one is not set there. */
function expandedWord(word: string, env: ReadonlyMap<string, string>): string | undefined {
    if (!word.includes("$")) {
        return word;
    }
    const out = safeParse(word, (name) => env.get(name) ?? "");
    return unsetNames(word, env).length === 0 && out?.length === 1 && typeof out[0] === "string" ? out[0] : undefined;
}

/** The variables a shell word expands that `env` does not set, in order, each once. */
function unsetNames(word: string, env: ReadonlyMap<string, string>): string[] {
    const names: string[] = [];
    safeParse(word, (name) => {
        if (!env.has(name) && !names.includes(name)) {
            names.push(name);
        }
        return "";
    });
    return names;
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

/** A whole number, or the default of a shell expansion that has one (`${WEB_CONCURRENCY:-2}`: 2, what the command gets when the variable is unset). */
function number(value: string | undefined): number | undefined {
    const cut = value?.indexOf(":-") ?? -1;
    const plain = value !== undefined && value.startsWith("${") && value.endsWith("}") && cut > 2 ? value.slice(cut + 2, -1) : value;
    if (plain === undefined || !/^\d+$/.test(plain)) {
        return undefined;
    }
    return Number(plain);
}

interface Located {
    readonly server: ProcfileServer;
    readonly args: string[];
    readonly env: Array<readonly [string, string]>;
    readonly notes: string[];
    /** The folder an environment runner's directory option moves to (`uv run --directory backend`). */
    readonly cd?: string;
}

/**
 * An environment runner at words[i] (`uv run --no-dev`, `poetry run`,
 * `pipenv run`, `pdm run`, `hatch run ENV:`): where the command after it
 * starts, and what its options say. Undefined when the word is not one, or
 * the tool is not running a command (`uv pip install`, `poetry install`).
 */
export function environmentRunner(
    words: readonly string[],
    i: number,
): { command: string[]; shown: string; cd?: string; install: string[]; envFiles: string[]; environment?: string } | undefined {
    const name = words[i]?.split("/").pop() ?? "";
    const r = Object.prototype.hasOwnProperty.call(ENVIRONMENT_RUNNERS, name) ? ENVIRONMENT_RUNNERS[name] : undefined;
    if (r === undefined) {
        return undefined;
    }
    let j = i + 1;
    let run = false;
    let cd: string | undefined;
    let module = false;
    let environment: string | undefined;
    const install: string[] = [];
    const envFiles: string[] = [];
    while (j < words.length) {
        const w = words[j];
        if (!run && w === "run") {
            run = true;
            j++;
            continue;
        }
        if (run && w === "--") {
            j++;
            break;
        }
        if (!w.startsWith("-") || w === "-") {
            break;
        }
        const eq = w.startsWith("--") ? w.indexOf("=") : -1;
        const flag = eq > 0 ? w.slice(0, eq) : w;
        const value = eq > 0 ? w.slice(eq + 1) : r.valueFlags.includes(flag) ? words[++j] : undefined;
        j++;
        if (r.directoryFlags.includes(flag) && value !== undefined) {
            cd = joinPath(cd ?? "", value) ?? value;
        } else if (r.envFileFlags.includes(flag) && value !== undefined) {
            envFiles.push(value);
        } else if (r.moduleFlags.includes(flag)) {
            module = true;
        }
        if (r.installFlags.includes(flag)) {
            install.push(display(value === undefined ? flag : `${flag} ${value}`));
            if (name === "hatch" && value !== undefined) {
                environment = value;
            }
        }
    }
    if (!run || j >= words.length) {
        return undefined;
    }
    // hatch run ENV:command: the command runs in hatch's ENV environment.
    const colon = r.envPrefix ? words[j].indexOf(":") : -1;
    if (colon > 0 && /^[A-Za-z0-9_.-]+$/.test(words[j].slice(0, colon)) && words[j].length > colon + 1) {
        environment = words[j].slice(0, colon);
    }
    const rest = words.slice(j);
    const prefix = environment !== undefined && rest[0].startsWith(`${environment}:`) ? environment.length + 1 : 0;
    // `uv run app.py`: uv runs a .py file with the environment's Python (a PEP 723 script's own environment).
    const script = name === "uv" && rest[0].endsWith(".py");
    const command = module ? ["python", "-m", ...rest] : script ? ["python", ...rest] : [rest[0].slice(prefix), ...rest.slice(1)];
    return { command, shown: displayWords(words.slice(i, j)), cd, install, envFiles, environment };
}

/**
 * The program of one simple command and its arguments, past what runs it:
 * VAR=value words (the program's environment), wrappers (ddtrace-run,
 * newrelic-admin...), environment runners (`uv run`, `poetry run`...), in
 * any order. `uv run -m pkg` is `python -m pkg`; hatch's `ENV:command` is
 * the command. `cd` is the folder a runner's `--directory` moves to.
 */
function unwrap(given: readonly string[], o: ProcessOrigin): { words: string[]; env: Array<readonly [string, string]>; notes: string[]; cd?: string } {
    let words = [...given];
    const env: Array<readonly [string, string]> = [];
    const notes: string[] = [];
    let cd: string | undefined;
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) {
        const eq = words[i].indexOf("=");
        env.push([words[i].slice(0, eq), words[i].slice(eq + 1)]);
        i++;
    }
    for (;;) {
        const w = words[i];
        const runner = environmentRunner(words, i);
        if (runner !== undefined) {
            notes.push(
                `${o.subject} starts the server through \`${runner.shown}\`, which runs it in the project's environment: the image's venv is that environment and is on PATH, so the command runs without it.` +
                    (runner.cd !== undefined ? ` It runs in ${runner.cd}/ (its directory option), as gunicorn does.` : "") +
                    (runner.install.length > 0
                        ? ` Its ${runner.install.map((f) => `\`${f}\``).join(", ")} ${runner.install.length === 1 ? "chooses" : "choose"} what is installed${runner.environment !== undefined ? ` (hatch's ${runner.environment} environment)` : ""}, which the image does not follow: ` +
                          "it installs the main dependencies (and a group named prod, production or deploy); set `dependencyGroups`, or add the packages to the dependencies."
                        : runner.environment !== undefined
                          ? ` It runs in hatch's ${runner.environment} environment, whose own dependencies the image does not install: it installs the project's; add them to the project's dependencies if the app needs them.`
                          : "") +
                    (runner.envFiles.length > 0 ? ` It loads variables from ${runner.envFiles.join(", ")}, which the image does not: set them in \`env\` (or \`secretEnv\`).` : ""),
            );
            if (runner.cd !== undefined) {
                cd = joinPath(cd ?? "", runner.cd) ?? runner.cd;
            }
            words = runner.command;
            i = 0;
            continue;
        }
        const end = wrapperEnd(words, i);
        if (end === undefined) {
            break;
        }
        if (w !== "exec") {
            notes.push(wrapperNote(o.subject, words.slice(i, end)));
        }
        i = end;
    }
    return { words: words.slice(i), env, notes, cd };
}

/**
 * Where the command a wrapper at words[i] starts begins (`exec`, APM agents,
 * init processes: `/sbin/tini -g --`, `dumb-init --rewrite 15:2`), past the
 * wrapper's own options; undefined when words[i] is not one.
 */
function wrapperEnd(words: readonly string[], i: number): number | undefined {
    const w = words[i];
    const wrapper = w === undefined ? undefined : COMMAND_WRAPPERS[w.split("/").pop()!];
    if (!wrapper) {
        return undefined;
    }
    let j = i + 1;
    if (w.endsWith("newrelic-admin") && words[j] === "run-program") {
        j++;
    }
    if (wrapper.until) {
        const end = words.indexOf(wrapper.until, j);
        return end < 0 ? words.length : end + 1;
    }
    while (j < words.length && words[j].startsWith("-")) {
        // `--` ends the wrapper's options: what follows is the command, even when it starts with a dash.
        if (words[j] === "--") {
            return j + 1;
        }
        j += wrapper.valueFlags.includes(words[j]) && !words[j].includes("=") ? 2 : 1;
    }
    // gosu's and su-exec's user comes before the command.
    return wrapper.switchesUser === true ? Math.min(j + 1, words.length) : j;
}

/** The wrappers that start a command (`exec`, `/sbin/tini --`...), each its words, and the command after them. */
export function pastWrappers(words: readonly string[]): { wrappers: string[][]; command: string[] } {
    const wrappers: string[][] = [];
    let i = 0;
    for (let end = wrapperEnd(words, i); end !== undefined; end = wrapperEnd(words, i)) {
        wrappers.push(words.slice(i, end));
        i = end;
    }
    return { wrappers, command: words.slice(i) };
}

export function wrapperNote(subject: string, wrapper: readonly string[]): string {
    if (COMMAND_WRAPPERS[wrapper[0]?.split("/").pop() ?? ""]?.switchesUser === true) {
        return `${subject} starts the server through \`${displayWords(wrapper)}\`, which switches to another user: not run, since the image runs as its own user (uid ${DEFAULTS.uid}).`;
    }
    return `${subject} starts the server through \`${displayWords(wrapper)}\`, which the image does not run; add it to \`app\`'s environment or image yourself if you need it.`;
}

/**
 * A command chained before the server or run as the release step, without
 * the environment runner that starts it (`uv run python manage.py migrate`):
 * the runner is not in the image, whose venv is on PATH. Left as written
 * when the runner moves to another folder (`--directory`).
 */
export function withoutRunner(words: readonly string[]): { words: string[]; runner?: string; cd?: { readonly dir: string; readonly words: string[]; readonly runner: string } } {
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) {
        i++;
    }
    const runner = environmentRunner(words, i);
    if (runner === undefined) {
        return { words: [...words] };
    }
    if (runner.cd !== undefined) {
        // Left as written; `cd` says where the command runs without the runner, for callers that can change folder.
        return { words: [...words], cd: { dir: runner.cd, words: [...words.slice(0, i), ...runner.command], runner: runner.shown } };
    }
    return { words: [...words.slice(0, i), ...runner.command], runner: runner.shown };
}

/**
 * A command line (a release command) with the environment runners that
 * start its commands removed, rebuilt from its words and operators; as
 * written when none does, or when it redirects or globs (its spacing and
 * quoting would be lost). `runners` names what was removed.
 */
export function withoutRunners(command: string): { text: string; runners: string[] } {
    const tokens = shellTokens(command);
    const parts: string[] = [];
    const runners: string[] = [];
    let words: string[] = [];
    const flush = () => {
        const stripped = withoutRunner(words);
        // A runner that moves to a folder first (`poetry -C web run ...`, `uv run --directory web ...`): the shell's cd does it.
        const moving = stripped.cd;
        if (moving !== undefined && !moving.dir.split("/").includes("..") && !moving.dir.startsWith("/")) {
            runners.push(moving.runner);
            parts.push(displayWords(["cd", moving.dir]), "&&", displayWords(moving.words));
            words = [];
            return;
        }
        if (stripped.runner !== undefined) {
            runners.push(stripped.runner);
        }
        parts.push(displayWords(stripped.words));
        words = [];
    };
    for (const t of tokens) {
        if (typeof t === "string") {
            words.push(t);
        } else if ("op" in t && ["&&", "||", ";", "|", "&"].includes(t.op)) {
            flush();
            parts.push(t.op);
        } else {
            return { text: command, runners: [] };
        }
    }
    flush();
    return runners.length === 0 ? { text: command, runners } : { text: parts.filter((p) => p !== "").join(" "), runners };
}

/** Finds the server in one simple command: past VAR=value words, wrappers (ddtrace-run, newrelic-admin...), environment runners (uv run...) and `python -m`. */
function locate(all: string[], o: ProcessOrigin): Located | { dev: string } | undefined {
    const { words, env, notes, cd } = unwrap(all, o);
    let tool = words[0]?.split("/").pop();
    let args = words.slice(1);
    if (tool !== undefined && /^python(3(\.\d+)?)?$/.test(tool)) {
        if (args[0] === "-m" && args[1]) {
            tool = args[1];
            args = args.slice(2);
        } else if (args[0] !== undefined && args[0].endsWith("manage.py")) {
            return args[1] === "runserver" ? { dev: displayWords(words) } : undefined;
        } else {
            return args[0] !== undefined && args[0].endsWith(".py") ? { dev: displayWords(words) } : undefined;
        }
    }
    if (tool === "django-admin" && args[0] === "runserver") {
        return { dev: displayWords(words) };
    }
    if (tool === "flask") {
        return args.includes("run") ? { server: "flask", args, env, notes, cd } : undefined;
    }
    // FastAPI's CLI (fastapi-cli): `fastapi run [PATH]`, `fastapi dev` (its development mode).
    if (tool === "fastapi" && (args[0] === "run" || args[0] === "dev")) {
        return { server: "fastapi", args, env, notes, cd };
    }
    if (tool === "granian") {
        return { server: "granian", args, env, notes, cd };
    }
    // uWSGI: its options on the command line or in an ini file (`uwsgi --ini uwsgi.ini`).
    if (tool === "uwsgi") {
        return { server: "uwsgi", args, env, notes, cd };
    }
    // Litestar's CLI: `litestar [--app X] run ...`.
    if (tool === "litestar" && args.includes("run")) {
        return { server: "litestar", args, env, notes, cd };
    }
    if (tool === "gunicorn" || tool === "uvicorn" || tool === "hypercorn" || tool === "daphne" || tool === "waitress-serve" || tool === "sanic") {
        return { server: tool, args, env, notes, cd };
    }
    return undefined;
}

/**
 * The development server a command starts, as written, when it starts one
 * that says so: Django's `runserver`, any server with `--reload`, `fastapi
 * dev`, `flask run` with `--debug` or `--reload`. A setup running one is the
 * authors' development setup, not their deployment.
 */
export function developmentServer(command: string): string | undefined {
    for (const c of commands(shellTokens(command))) {
        const found = locate(c.words, PROCFILE);
        if (found === undefined) {
            continue;
        }
        if ("dev" in found) {
            if (found.dev.includes("runserver")) {
                return found.dev;
            }
            continue;
        }
        const reload = found.args.includes("--reload") || (found.server === "fastapi" && found.args[0] === "dev") || (found.server === "flask" && found.args.includes("--debug"));
        if (reload) {
            return displayWords(c.words);
        }
    }
    return undefined;
}

/** The tool a web command runs that serves the app itself (`streamlit run app.py`), when it is one: its name. */
export function ownServer(command: string): string | undefined {
    for (const c of commands(shellTokens(command))) {
        const words = unwrap(c.words, PROCFILE).words; // past VAR=value words, wrappers and environment runners
        let tool = words[0]?.split("/").pop();
        if (tool !== undefined && /^python(3(\.\d+)?)?$/.test(tool) && words[1] === "-m") {
            tool = words[2];
        }
        const own = tool === undefined ? undefined : OWN_SERVER_TOOLS.find((t) => t.commands.includes(tool));
        if (own !== undefined) {
            return own.label;
        }
    }
    return undefined;
}

export function readWeb(command: string, o: ProcessOrigin = PROCFILE, imageEnv: ReadonlyMap<string, string> = new Map()): ProcfileWeb {
    const cmds = commands(shellTokens(command));
    const notes: string[] = [];
    for (let c = 0; c < cmds.length; c++) {
        const found = locate(cmds[c].words, o);
        if (found === undefined) {
            continue;
        }
        if ("dev" in found && c < cmds.length - 1 && !found.dev.includes("runserver")) {
            continue; // a script run before the server, such as `python manage.py migrate`
        }
        // `cd backend && gunicorn ...`: the folder is where the server and the commands after the cd run, not a command.
        let cd: string | undefined;
        // Only the folder the image starts the command in (no `cd` of the command's own): the notes name the WORKDIR.
        let onlyImage = true;
        let cdUnset: ProcfileWeb["cdUnset"];
        const before: string[] = [];
        for (const [i, x] of cmds.slice(0, c).entries()) {
            if (x.words[0] === "cd" && x.words.length === 2) {
                onlyImage &&= i === 0 && x.words[1] === o.startsIn?.dir;
                // An absolute folder (a start script's `cd /srv/site`, in the app's own image's terms) as the source's folder it is, relative like the rest.
                // `cd "$APP_HOME/web"`: with the image's ENV value, where it sets the variable.
                const given = expandedWord(x.words[1], imageEnv) ?? x.words[1];
                const mapped = given.startsWith("/") && o.appPath !== undefined ? o.appPath(given) : given;
                const inApp = mapped === DEFAULTS.workdir ? "" : mapped.startsWith(`${DEFAULTS.workdir}/`) ? mapped.slice(DEFAULTS.workdir.length + 1) : undefined;
                const unset = unsetNames(x.words[1], imageEnv);
                if (unset.length > 0) {
                    cdUnset = { word: x.words[1], names: unset };
                } else if (mapped.startsWith("/")) {
                    cdUnset = undefined; // a known folder from here on
                }
                cd = inApp ?? joinPath(cd ?? "", given) ?? given;
            } else {
                const stripped = withoutRunner(x.words);
                before.push(text(stripped.words));
                if (stripped.runner !== undefined) {
                    notes.push(`${o.web} runs \`${displayWords(stripped.words)}\` through \`${stripped.runner}\`; the image's venv is the project's environment and is on PATH, so it runs without it.`);
                }
            }
        }
        if (cd === "") {
            cd = undefined;
        }
        if ("dev" in found) {
            notes.push(`${o.web} runs \`${found.dev}\`, a development server; the image serves the app with gunicorn instead.`);
            return { command, origin: o, pythonPath: [], carried: [], env: [], before, cd, ...(cdUnset !== undefined ? { cdUnset } : {}), notes };
        }
        const after = cmds.slice(c + 1).map((x) => displayWords(x.words));
        for (const a of after) {
            notes.push(`${o.web} runs \`${a}\` after the server; the image does not.`);
        }
        if (cmds[c].piped) {
            notes.push(`${o.subject} pipes or redirects the server's output; the image logs to stdout, where the engine collects it.`);
        }
        // The app a CLI reads from the environment (FLASK_APP, LITESTAR_APP): the command's own VAR=value, else the image's ENV.
        const serverEnv = [...imageEnv, ...found.env];
        const parsed =
            found.server === "gunicorn"
                ? gunicornArgs(found.args, o)
                : found.server === "uvicorn"
                  ? uvicornArgs(found.args, o)
                  : found.server === "fastapi"
                    ? fastapiArgs(found.args, o)
                    : found.server === "litestar"
                      ? litestarArgs(found.args, serverEnv, o)
                      : found.server === "uwsgi"
                        ? uwsgiOptions(uwsgiCommandLine(found.args), o)
                        : found.server === "granian"
                          ? granianArgs(found.args, o)
                          : otherServerArgs(found.server, found.args, o, serverEnv);
        // The folder the server starts in: `cd DIR &&`'s, then a runner's directory option (`uv run --directory DIR`); its --chdir is relative to that.
        const start = found.cd === undefined ? cd : (joinPath(cd ?? "", found.cd) ?? found.cd);
        const chdir = start === undefined ? parsed.chdir : parsed.chdir === undefined ? start : (joinPath(start, parsed.chdir) ?? parsed.chdir);
        if (cdUnset !== undefined) {
            notes.push(`${o.web} changes to \`${cdUnset.word}\` before the server, a folder named by variables the image does not set: \`chdir\` says which folder that is, and gunicorn${before.length > 0 ? " and the commands before it" : ""} run there.`);
        } else if (cd !== undefined) {
            const how = onlyImage && o.startsIn !== undefined ? `runs in ${cd}/ (${o.startsIn.why})` : `changes to ${cd}/ (\`cd\`) before the server`;
            notes.push(`${o.web} ${how}: gunicorn runs there${before.length > 0 ? ", as do the commands before it" : ""}.`);
        }
        return { command, origin: o, server: found.server, ...parsed, chdir, env: [...found.env, ...(parsed.env ?? [])], before, cd, ...(cdUnset !== undefined ? { cdUnset } : {}), notes: [...found.notes, ...notes, ...parsed.notes] };
    }
    notes.push(`${o.web} (\`${command}\`) starts no server the package knows (gunicorn, uvicorn, hypercorn, daphne, waitress-serve, sanic, uwsgi, granian, flask run, fastapi run, litestar run); the app is looked for in the code instead.`);
    // Its VAR=value words still say how the app runs (BOOKSHELF_ENV=production): the last command's are the server's environment.
    const last = cmds[cmds.length - 1]?.words ?? [];
    const env: Array<readonly [string, string]> = [];
    for (const w of last) {
        const eq = w.indexOf("=");
        if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
            break;
        }
        env.push([w.slice(0, eq), w.slice(eq + 1)]);
    }
    return { command, origin: o, pythonPath: [], carried: [], env, before: [], notes };
}

type Parsed = Omit<ProcfileWeb, "command" | "origin" | "server" | "env" | "before" | "cd"> & { readonly env?: ReadonlyArray<readonly [string, string]> };

/** gunicorn [OPTIONS] APP_MODULE: each flag is carried, mapped or noted. */
function gunicornArgs(args: string[], o: ProcessOrigin): Parsed {
    const out: { -readonly [K in keyof Parsed]: Parsed[K] } = { pythonPath: [], carried: [], notes: [] };
    const carried: string[] = [];
    const notes: string[] = [];
    const pythonPath: string[] = [];
    const positional: string[] = [];
    const env: Array<readonly [string, string]> = [];
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
            notes.push(`${o.subject}'s gunicorn flag \`${a}\` is not one the package knows; it is not carried. Set it in a gunicorn.conf.py if the app needs it.`);
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
                    notes.push(`${o.subject}'s \`${shown}\` is not a whole number; it is not carried. Set \`${flag.use}\`.`);
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
                        ? `${o.subject}'s \`${shown}\` is not a number: the worker count follows WEB_CONCURRENCY at run time, else the container's CPUs; set \`workers\` to fix it.`
                        : `${o.subject}'s \`${shown}\` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set \`workers\` to fix it).`,
                );
                break;
            }
            case "workerClass":
                if (value?.includes("$")) {
                    // `-k "$WORKER_CLASS"` (tiangolo's start.sh): a variable the command sets; the app's interface chooses the worker.
                    notes.push(`${o.subject}'s \`${shown}\` names the worker class by a variable, which is not read here: the image picks the worker for the app's interface (set \`workerClass\` to choose it).`);
                } else {
                    out.workerClass = value;
                }
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
            case "env": {
                const eq = value?.indexOf("=") ?? -1;
                if (value !== undefined && eq > 0) {
                    env.push([value.slice(0, eq), value.slice(eq + 1)]);
                }
                break;
            }
            case "carry":
                carried.push(...(value !== undefined && PEER_LIST_FLAGS.has(flag.names[flag.names.length - 1]) ? peerList(flag.names[flag.names.length - 1], value, o.subject, shown, notes) : value === undefined ? [a] : [a, value]));
                break;
            case "drop":
                notes.push(`${o.subject}'s \`${shown}\` is not carried: ${flag.why}.`);
                break;
        }
    }
    if (positional.length > 0) {
        const spec = positional[positional.length - 1];
        out.spec = spec.includes(":") ? spec : `${spec}:application`;
    } else {
        notes.push(`${o.subject}'s gunicorn command names no app: it is the wsgi_app of gunicorn's config when that sets one, else the app is looked for in the code.`);
    }
    const k = out.workerClass ?? "";
    if (k !== "") {
        out.interface = k.toLowerCase().includes("uvicorn") ? "asgi" : "wsgi";
    }
    return { ...out, pythonPath, carried, env, notes };
}

/** uvicorn [OPTIONS] APP: mapped onto what gunicorn's uvicorn worker takes, or noted. */
function uvicornArgs(args: string[], o: ProcessOrigin): Parsed {
    const carried: string[] = [];
    const notes: string[] = [];
    const pythonPath: string[] = [];
    let factory = false;
    let spec: string | undefined;
    let gracefulTimeout: number | undefined;
    let workers: number | undefined;
    let rootPath: string | undefined;
    let iface: AppInterface = "asgi";
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
                notes.push(`${o.subject}'s \`${shown}\` is not carried: the image binds 0.0.0.0:$PORT.`);
                break;
            case "--workers":
                workers = number(value);
                notes.push(`${o.subject}'s \`${shown}\` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set \`workers\` to fix it).`);
                break;
            case "--forwarded-allow-ips":
                carried.push(...peerList("--forwarded-allow-ips", value ?? "", o.subject, shown, notes));
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
            case "--root-path":
                rootPath = value;
                break;
            case "--interface":
                // auto, asgi3, asgi2: ASGI; wsgi: uvicorn's own WSGI adapter, which gunicorn's threads replace.
                iface = value === "wsgi" ? "wsgi" : "asgi";
                break;
            default:
                notes.push(`${o.subject}'s uvicorn flag \`${shown}\` has no gunicorn equivalent here; it is not carried.`);
        }
    }
    return {
        spec: spec === undefined ? undefined : factory && !spec.endsWith(")") ? `${spec}()` : spec,
        interface: iface,
        pythonPath,
        carried: carried.filter((c) => c !== ""),
        gracefulTimeout,
        workers,
        ...(rootPath ? { rootPath } : {}),
        notes,
    };
}

/**
 * hypercorn, daphne, waitress-serve, flask run: the app is taken; their flags are noted. Flask's is `--app`/`-A`
 * (a global option, before `run`), else FLASK_APP in the command's environment, as the `flask` command reads them.
 */
function otherServerArgs(server: ProcfileServer, args: string[], o: ProcessOrigin, env: ReadonlyArray<readonly [string, string]>): Parsed {
    const notes: string[] = [];
    const valueFlags = OTHER_SERVER_VALUE_FLAGS[server] ?? [];
    let spec: string | undefined = server === "flask" ? env.filter(([k]) => k === "FLASK_APP").pop()?.[1] : undefined;
    let factory = false;
    let workers: number | undefined;
    let gracefulTimeout: number | undefined;
    const flags: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (server === "flask") {
            if (a === "--app" || a === "-A") {
                spec = args[++i];
            } else if (a.startsWith("--app=")) {
                spec = a.slice("--app=".length);
            } else if (a.startsWith("-A") && a.length > 2) {
                spec = a.slice(2);
            }
            continue;
        }
        if (!a.startsWith("-")) {
            spec = a;
            continue;
        }
        if (a === "--call" || (server === "sanic" && a === "--factory")) {
            factory = true;
            continue;
        }
        // hypercorn's and sanic's worker processes, like uvicorn's --workers: the worker count.
        if ((server === "hypercorn" || server === "sanic") && (a === "-w" || a === "--workers" || a.startsWith("--workers="))) {
            const value = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
            workers = number(value);
            notes.push(
                workers === undefined
                    ? `${o.subject}'s \`${displayWords([a.split("=")[0], value ?? ""])}\` is not a number: the worker count follows WEB_CONCURRENCY at run time, else the container's CPUs; set \`workers\` to fix it.`
                    : `${o.subject}'s \`${displayWords([a.split("=")[0], value])}\` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set \`workers\` to fix it).`,
            );
            continue;
        }
        // hypercorn's --graceful-timeout means what gunicorn's does: the seconds workers get to finish on shutdown.
        if (server === "hypercorn" && (a === "--graceful-timeout" || a.startsWith("--graceful-timeout="))) {
            const value = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
            gracefulTimeout = number(value);
            if (gracefulTimeout !== undefined) {
                notes.push(`${o.subject}'s \`${displayWords(["--graceful-timeout", value ?? ""])}\` is kept as gunicorn's graceful timeout (set \`gracefulTimeout\` to change it).`);
                continue;
            }
        }
        flags.push(a);
        if (valueFlags.includes(a) && !a.includes("=")) {
            flags.push(args[++i] ?? "");
        }
    }
    const label = server === "flask" ? "`flask run` (a development server)" : server === "sanic" ? "Sanic's own server" : server;
    const asgi = server === "hypercorn" || server === "daphne" || server === "sanic";
    notes.push(`${o.subject} runs ${label}; the image serves the same app with gunicorn${asgi ? "'s uvicorn worker" : ""}.` + (flags.length > 0 ? ` Its flags (${displayWords(flags)}) are not carried.` : ""));
    if (server === "sanic") {
        // Sanic's ASGI mode (its docs, "ASGI"): the server's own settings do not apply, and its websocket object is not an async iterator there.
        notes.push(
            "Sanic runs in its ASGI mode under uvicorn: the server settings in app.config (KEEP_ALIVE_TIMEOUT, WEBSOCKET_PING_INTERVAL, REQUEST_TIMEOUT...) are not used, " +
                "and a websocket handler must read with `await ws.recv()` (`async for msg in ws` raises TypeError there).",
        );
    }
    // sanic takes `module.app` as well as `module:app`.
    if (server === "sanic" && spec !== undefined && !spec.includes(":") && spec.includes(".")) {
        spec = `${spec.slice(0, spec.lastIndexOf("."))}:${spec.slice(spec.lastIndexOf(".") + 1)}`;
    }
    // Flask's --app may be a file or a folder (`app.py`, `src/web`): its parent goes on sys.path and the rest is the module (flask's prepare_import).
    const pythonPath: string[] = [];
    if (server === "flask" && spec !== undefined) {
        const colon = spec.indexOf(":");
        const [where, attribute] = colon < 0 ? [spec, ""] : [spec.slice(0, colon), spec.slice(colon)];
        const file = where.replace(/\/+$/, "").replace(/\.py$/, "").replace(/\/__init__$/, "");
        if (file.includes("/")) {
            pythonPath.push(file.slice(0, file.lastIndexOf("/")));
        }
        spec = `${file.slice(file.lastIndexOf("/") + 1)}${attribute}`;
    }
    const iface: AppInterface = asgi ? "asgi" : "wsgi";
    return {
        spec: spec === undefined ? undefined : factory && !spec.endsWith(")") ? `${spec}()` : spec,
        ...(server === "flask" && spec !== undefined ? { discover: "flask" as const } : {}),
        interface: server === "flask" ? undefined : iface,
        pythonPath,
        carried: [],
        workers,
        gracefulTimeout,
        notes,
    };
}

/** A flag's value, `--flag value` or `--flag=value`, and the index after it. */
function flagValue(args: readonly string[], i: number): { name: string; value: string | undefined; next: number } {
    const a = args[i];
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    return eq > 0 ? { name: a.slice(0, eq), value: a.slice(eq + 1), next: i + 1 } : { name: a, value: args[i + 1], next: i + 2 };
}

/** The worker count a server's flag gives, as a note says it. */
function workersNote(o: ProcessOrigin, shown: string, n: number | undefined): string {
    return n === undefined
        ? `${o.subject}'s \`${shown}\` is not a number: the worker count follows WEB_CONCURRENCY at run time, else the container's CPUs; set \`workers\` to fix it.`
        : `${o.subject}'s \`${shown}\` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set \`workers\` to fix it).`;
}

const FASTAPI_VALUE_FLAGS = new Set(["--host", "--port", "--workers", "--root-path", "--app", "--entrypoint", "-e", "--forwarded-allow-ips"]);

/**
 * `fastapi run|dev [PATH] [--app NAME] [--entrypoint module:app]`, as
 * fastapi-cli reads it: PATH (else the first of its default files) is the
 * module, its package found by walking up the `__init__.py` files, and the
 * folder above the package goes on sys.path; the app is `--app`, else `app`,
 * else `api`, else the module's first FastAPI app. The file lookup needs the
 * source folder: `spec` holds the path as `path:NAME` until fastapiModule()
 * reads it (readWeb has no source tree).
 */
function fastapiArgs(args: string[], o: ProcessOrigin): Parsed {
    const notes: string[] = [];
    const carried: string[] = [];
    let path: string | undefined;
    let app: string | undefined;
    let entrypoint: string | undefined;
    let rootPath: string | undefined;
    let workers: number | undefined;
    const dev = args[0] === "dev";
    for (let i = 1; i < args.length; ) {
        const a = args[i];
        if (!a.startsWith("-")) {
            path = a;
            i++;
            continue;
        }
        const takes = FASTAPI_VALUE_FLAGS.has(a.split("=")[0]);
        const { name, value, next } = takes ? flagValue(args, i) : { name: a, value: undefined, next: i + 1 };
        i = next;
        const shown = display(value === undefined ? name : `${name} ${value}`);
        switch (name) {
            case "--app":
                app = value;
                break;
            case "--entrypoint":
            case "-e":
                entrypoint = value;
                break;
            case "--workers":
                workers = number(value);
                notes.push(workersNote(o, shown, workers));
                break;
            case "--forwarded-allow-ips":
                if (value) {
                    carried.push(...peerList("--forwarded-allow-ips", value, o.subject, shown, notes));
                }
                break;
            case "--host":
            case "--port":
                notes.push(`${o.subject}'s \`${shown}\` is not carried: the image binds 0.0.0.0:$PORT.`);
                break;
            case "--proxy-headers":
                break; // fastapi's default, and the worker's
            case "--root-path":
                rootPath = value;
                break;
            default:
                notes.push(`${o.subject}'s fastapi flag \`${shown}\` has no gunicorn equivalent here; it is not carried.`);
        }
    }
    notes.push(`${o.subject} runs \`fastapi ${args[0]}\`${dev ? " (its development mode)" : ""}, which serves the app with uvicorn; the image serves the same app with gunicorn's uvicorn worker.`);
    return {
        spec: entrypoint ?? `${path ?? ""}\u0000${app ?? ""}`,
        discover: entrypoint === undefined ? "fastapi" : undefined,
        interface: "asgi",
        pythonPath: [],
        carried,
        workers,
        ...(rootPath ? { rootPath } : {}),
        notes,
    };
}

/** fastapi-cli's default files, in its order. */
const FASTAPI_DEFAULT_FILES = ["main.py", "app.py", "api.py", "app/main.py", "app/app.py", "app/api.py"];

/**
 * The module `fastapi run` imports, from the path fastapiArgs() kept: the
 * dotted module, the folder it puts on sys.path, and the app name given
 * (`app` when none is, which detection checks against the code); the
 * folder is relative to the source folder.
 */
export function fastapiModule(src: SourceTree, web: ProcfileWeb, base: string): { spec?: string; pythonPath: string[]; named?: boolean; note?: string } {
    const [given, app] = (web.spec ?? "").split("\u0000");
    const inBase = (p: string) => joinPath(base, p);
    let file: string | undefined;
    if (given === "") {
        file = FASTAPI_DEFAULT_FILES.map(inBase).find((f) => f !== undefined && src.isFile(f));
        if (file === undefined) {
            return { pythonPath: [], note: `${web.origin.web} runs fastapi with no path, and none of fastapi's default files (${FASTAPI_DEFAULT_FILES.join(", ")}) is there; the app is looked for in the code.` };
        }
    } else {
        const p = inBase(given.replace(/\/+$/, ""));
        file = p === undefined ? undefined : src.isFile(p) ? p : src.isFile(`${p}/__init__.py`) ? `${p}/__init__.py` : undefined;
        if (file === undefined) {
            return { pythonPath: [], note: `${web.origin.web} runs fastapi on ${given}, which is not a file of the source folder; the app is looked for in the code.` };
        }
    }
    const parts = file.replace(/\.py$/, "").split("/");
    if (parts[parts.length - 1] === "__init__") {
        parts.pop();
    }
    let top = parts.length - 1;
    while (top > 0 && src.isFile(`${parts.slice(0, top).join("/")}/__init__.py`)) {
        top--;
    }
    const module = parts.slice(top).join(".");
    const dir = parts.slice(0, top).join("/");
    return { spec: `${module}:${app === "" ? "app" : app}`, pythonPath: dir === "" ? [] : [dir], named: app !== "" };
}

const LITESTAR_VALUE_FLAGS = new Set(["--app", "--app-dir", "-p", "--port", "-H", "--host", "-W", "--wc", "--web-concurrency", "-R", "--reload-dir", "-I", "--reload-include", "-E", "--reload-exclude", "-F", "--fd", "--file-descriptor", "-U", "--uds", "--unix-domain-socket", "--ssl-certfile", "--ssl-keyfile", "--create-self-signed-cert"]);

/**
 * `litestar [--app module:attr] [--app-dir DIR] run [--wc N] ...`: the app is
 * `--app` (else LITESTAR_APP, else Litestar's own discovery, which the code
 * scan stands in for); `--wc` is the worker count; a factory it names is
 * called (`discover`).
 */
function litestarArgs(args: string[], env: ReadonlyArray<readonly [string, string]>, o: ProcessOrigin): Parsed {
    const notes: string[] = [];
    const pythonPath: string[] = [];
    let app = env.filter(([k]) => k === "LITESTAR_APP").pop()?.[1];
    let workers: number | undefined;
    const ignored: string[] = [];
    for (let i = 0; i < args.length; ) {
        const a = args[i];
        if (!a.startsWith("-")) {
            i++;
            continue;
        }
        const takes = LITESTAR_VALUE_FLAGS.has(a.split("=")[0]);
        const { name, value, next } = takes ? flagValue(args, i) : { name: a, value: undefined, next: i + 1 };
        i = next;
        const shown = display(value === undefined ? name : `${name} ${value}`);
        if (name === "--app") {
            app = value;
        } else if (name === "--app-dir" && value) {
            pythonPath.push(value);
        } else if (name === "-W" || name === "--wc" || name === "--web-concurrency") {
            workers = number(value);
            notes.push(workersNote(o, shown, workers));
        } else if (name === "-p" || name === "--port" || name === "-H" || name === "--host") {
            notes.push(`${o.subject}'s \`${shown}\` is not carried: the image binds 0.0.0.0:$PORT.`);
        } else {
            ignored.push(shown);
        }
    }
    notes.push(`${o.subject} runs \`litestar run\`, which serves the app with uvicorn; the image serves the same app with gunicorn's uvicorn worker.` + (ignored.length > 0 ? ` Its flags (${ignored.join(", ")}) are not carried.` : ""));
    return { spec: app, discover: app === undefined ? undefined : "litestar", interface: "asgi", pythonPath, carried: [], workers, notes };
}

/** uWSGI's options as `name -> values` (repeatable ones keep every value), with dashes for underscores. */
type UwsgiOptions = Map<string, string[]>;

/** uWSGI's options that start a process beside the app, run by its master. */
const UWSGI_DAEMONS = ["attach-daemon", "attach-daemon2", "smart-attach-daemon", "smart-attach-daemon2", "attach-control-daemon"];

/** uWSGI's short flags that take a value, by their long names. */
const UWSGI_SHORT: Readonly<Record<string, string>> = byName({ "-w": "module", "-p": "processes", "-s": "socket", "-M": "master", "-H": "home" });
/** uWSGI's flags that take no value (others take one). */
const UWSGI_BOOLEAN = new Set(["master", "enable-threads", "die-on-term", "need-app", "lazy-apps", "vacuum", "single-interpreter", "strict", "thunder-lock", "py-autoreload", "honour-stdin", "no-orphans", "harakiri-verbose", "memory-report", "disable-logging", "log-master", "auto-procname", "uwsgi-socket"]);

function uwsgiAdd(opts: UwsgiOptions, name: string, value: string): void {
    const key = name.replace(/_/g, "-");
    opts.set(key, [...(opts.get(key) ?? []), value]);
}

/** `uwsgi --ini uwsgi.ini --module app:app --processes 4 ...` as options; `--ini` files are read later, by withUwsgiIni(). */
function uwsgiCommandLine(args: readonly string[]): UwsgiOptions {
    const opts: UwsgiOptions = new Map();
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (UWSGI_SHORT[a] !== undefined) {
            uwsgiAdd(opts, UWSGI_SHORT[a], a === "-M" ? "true" : (args[++i] ?? ""));
        } else if (a.startsWith("--")) {
            const eq = a.indexOf("=");
            const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
            const value = eq > 0 ? a.slice(eq + 1) : UWSGI_BOOLEAN.has(name.replace(/_/g, "-")) || args[i + 1] === undefined || args[i + 1].startsWith("-") ? "true" : args[++i];
            uwsgiAdd(opts, name, value);
        } else if (!a.startsWith("-") && /\.(ini|yaml|yml|xml|json)$/.test(a)) {
            uwsgiAdd(opts, "ini", a); // `uwsgi app.ini`: the config file by its extension
        }
    }
    return opts;
}

/**
 * uWSGI's options mapped onto gunicorn's: the app (`module`/`wsgi`/`-w`, or
 * `wsgi-file` with `callable`, default `application`), `chdir`,
 * `pythonpath`, `processes` (the default worker count), `threads`,
 * `harakiri` (the worker timeout) and `env`; sockets, the master and the
 * rest are uWSGI's own and noted.
 */
function uwsgiOptions(opts: UwsgiOptions, o: ProcessOrigin, fromFile = false): Parsed {
    const last = (name: string) => opts.get(name)?.slice(-1)[0];
    const notes: string[] = [];
    const callable = last("callable") ?? "application";
    const module = last("module") ?? last("wsgi");
    const file = last("wsgi-file") ?? last("file");
    let spec: string | undefined;
    const pythonPath = [...(opts.get("pythonpath") ?? []), ...(opts.get("python-path") ?? [])];
    if (module !== undefined) {
        spec = module.includes(":") ? module : `${module}:${callable}`;
    } else if (file !== undefined && file.endsWith(".py")) {
        const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
        spec = `${file.slice(dir === "" ? 0 : dir.length + 1, -3)}:${callable}`;
        if (dir !== "" && dir !== ".") {
            pythonPath.push(dir); // uWSGI loads the file by its path; gunicorn imports it from its folder
        }
    }
    const processes = last("processes") ?? last("workers");
    const workers = processes === undefined ? undefined : number(processes);
    if (processes !== undefined) {
        notes.push(workersNote(o, fromFile ? `processes = ${processes}` : `--processes ${processes}`, workers));
    }
    const threads = last("threads") === undefined ? undefined : number(last("threads"));
    const harakiri = last("harakiri") === undefined ? undefined : number(last("harakiri"));
    const env: Array<readonly [string, string]> = (opts.get("env") ?? []).flatMap((e) => (e.indexOf("=") > 0 ? [[e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)] as const] : []));
    // Processes uWSGI's master starts beside the app (Healthchecks' `attach-daemon = ./manage.py sendalerts`): other containers' work here.
    const daemons = UWSGI_DAEMONS.flatMap((k) => opts.get(k) ?? []).filter((d) => d.trim() !== "");
    const own = [...opts.keys()].filter((k) => !["module", "wsgi", "wsgi-file", "file", "callable", "chdir", "pythonpath", "python-path", "processes", "workers", "threads", "harakiri", "env", "ini", ...UWSGI_DAEMONS].includes(k));
    notes.push(`${o.subject} runs uWSGI; the image serves the same app with gunicorn.` + (own.length > 0 ? ` uWSGI's own options (${own.join(", ")}) are not carried.` : ""));
    if (daemons.length > 0) {
        notes.push(
            `${o.subject} also starts ${daemons.map((d) => `\`${d.trim()}\``).join(", ")} beside the app (uWSGI's attach-daemon); the image runs only the web server. ` +
                "What they do (sending alerts, reports, a queue's jobs) happens only once each runs as another container of the same image with that command, and the web container's environment and data volumes.",
        );
    }
    return {
        spec,
        interface: "wsgi",
        chdir: last("chdir"),
        pythonPath,
        carried: [],
        workers,
        threads,
        timeout: harakiri,
        env,
        notes,
    };
}

/** `uwsgi --ini uwsgi.ini`: the file's [uwsgi] section, under the command line's own options (which uWSGI applies after it). */
function withUwsgiIni(src: SourceTree, web: ProcfileWeb): ProcfileWeb {
    const ini = shellTokens(web.command)
        .filter((t): t is string => typeof t === "string")
        .flatMap((t, i, all) => (t === "--ini" ? [all[i + 1] ?? ""] : t.startsWith("--ini=") ? [t.slice(6)] : /\.ini$/.test(t) && all[i - 1] !== "--ini" ? [t] : []))
        .filter((f) => f !== "");
    const file = ini.map((f) => joinPath(web.cd ?? "", f)).find((f): f is string => f !== undefined && src.isFile(f));
    if (file === undefined) {
        return ini.length > 0 ? { ...web, notes: [...web.notes, `${web.origin.web} names uWSGI's ${ini[0]}, which is not in the source folder; the app is looked for in the code.`] } : web;
    }
    const opts: UwsgiOptions = new Map();
    // uWSGI's magic variables in the file: %d is the file's own folder (with its slash), %(option) another option's value.
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "./";
    const section = readIni(src.read(file), { repeatedKeys: true }).get("uwsgi") ?? new Map<string, string>();
    const expand = (v: string): string => v.replace(/%d/g, dir).replace(/%\(([A-Za-z0-9_-]+)\)/g, (m, name: string) => section.get(name) ?? section.get(name.replace(/-/g, "_")) ?? m);
    for (const [k, v] of section) {
        for (const value of v.split("\n")) {
            uwsgiAdd(opts, k, expand(expand(value.trim())));
        }
    }
    // Paths the magic variables made relative to the source folder: "./app.py" is "app.py", "./" the source folder itself.
    for (const key of ["chdir", "wsgi-file", "file", "pythonpath", "python-path"]) {
        const values = opts.get(key);
        if (values !== undefined) {
            const norm = values.map((v) => (v.startsWith("/") ? v : (joinPath("", v.replace(/\/+$/, "")) ?? v))).filter((v) => !(key === "chdir" && v === ""));
            if (norm.length > 0) {
                opts.set(key, norm);
            } else {
                opts.delete(key);
            }
        }
    }
    // The command line's options (other than --ini) win.
    const words = shellTokens(web.command).filter((t): t is string => typeof t === "string");
    const at = words.findIndex((w) => w.split("/").pop() === "uwsgi");
    for (const [k, v] of uwsgiCommandLine(words.slice(at + 1))) {
        if (k !== "ini") {
            opts.set(k, v);
        }
    }
    const parsed = uwsgiOptions(opts, { ...web.origin, subject: file }, true);
    const chdir = web.cd === undefined ? parsed.chdir : parsed.chdir === undefined ? web.cd : (joinPath(web.cd, parsed.chdir) ?? parsed.chdir);
    // The file's paths were made relative to the source folder (%d); the web command's Python path is relative to the folder the server runs in.
    const pythonPath = parsed.pythonPath.map((p) => relativeTo(chdir ?? "", p));
    return { ...web, ...parsed, chdir, pythonPath, env: [...web.env.filter(([k]) => !(parsed.env ?? []).some(([p]) => p === k)), ...(parsed.env ?? [])], notes: [...web.notes.filter((n) => !n.includes("runs uWSGI")), `${web.origin.web} runs uWSGI with ${file}; its [uwsgi] options are read.`, ...parsed.notes] };
}

const GRANIAN_FLAGS_WITHOUT_VALUE = new Set(["--factory", "--reload", "--ws", "--no-ws", "--log", "--no-log", "--access-log", "--no-access-log", "--respawn-failed-workers", "--no-respawn-failed-workers", "--reload-ignore-worker-failure", "--http1-keep-alive", "--no-http1-keep-alive", "--http2-adaptive-window", "--no-http2-adaptive-window", "--opt", "--no-opt", "--reuse-address", "--no-reuse-address"]);

/**
 * `granian --interface asgi|wsgi [--factory] [--workers N] [--working-dir D] module:app`:
 * the app (a factory is called), its interface (granian's RSGI has no
 * gunicorn worker: the code decides), the worker count and working folder;
 * the rest is granian's own and noted.
 */
function granianArgs(args: string[], o: ProcessOrigin): Parsed {
    const notes: string[] = [];
    let spec: string | undefined;
    let factory = false;
    let iface: AppInterface | undefined;
    let workers: number | undefined;
    let chdir: string | undefined;
    const ignored: string[] = [];
    for (let i = 0; i < args.length; ) {
        const a = args[i];
        if (!a.startsWith("-")) {
            spec = a;
            i++;
            continue;
        }
        const takes = !GRANIAN_FLAGS_WITHOUT_VALUE.has(a) && !a.includes("=");
        const { name, value, next } = takes ? flagValue(args, i) : a.includes("=") ? flagValue(args, i) : { name: a, value: undefined, next: i + 1 };
        i = next;
        const shown = display(value === undefined ? name : `${name} ${value}`);
        if (name === "--factory") {
            factory = true;
        } else if (name === "--interface") {
            iface = value === "wsgi" ? "wsgi" : value === "asgi" || value === "asginl" ? "asgi" : undefined;
        } else if (name === "--workers") {
            workers = number(value);
            notes.push(workersNote(o, shown, workers));
        } else if (name === "--working-dir") {
            chdir = value;
        } else if (name === "--host" || name === "--port") {
            notes.push(`${o.subject}'s \`${shown}\` is not carried: the image binds 0.0.0.0:$PORT.`);
        } else {
            ignored.push(shown);
        }
    }
    notes.push(`${o.subject} runs granian; the image serves the same app with gunicorn${iface === "asgi" ? "'s uvicorn worker" : ""}.` + (ignored.length > 0 ? ` Its flags (${ignored.join(", ")}) are not carried.` : ""));
    return {
        spec: spec === undefined ? undefined : factory && !spec.endsWith(")") ? `${spec}()` : spec,
        interface: iface,
        chdir,
        pythonPath: [],
        carried: [],
        workers,
        notes,
    };
}
