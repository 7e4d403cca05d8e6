import * as path from "path";
import { Arg, Copy, DockerfileParser, Env, From, Instruction, JSONInstruction, Run } from "dockerfile-ast";
import { load as loadYaml } from "js-yaml";
import { parse as shellParse } from "shell-quote";
import { DEFAULTS, IMAGE_SET_VARIABLES } from "../data/defaults";
import { commands, CONTROL_WORDS, developmentServer, displayWords, expansion, isAssignment, isMigrationCommand, pastWrappers, scriptOf, SETUP_BUILTINS, shellTokens, wrapperNote } from "./procfile";
import { pathWithExtras } from "./requirements";
import { SourceTree } from "./source";
import { byName } from "../data/by-name";

/**
 * An app's own container config, read as its deployment convention when no
 * Procfile or hosting platform's file gives the web command: the Dockerfile
 * (parsed by dockerfile-ast) and the Compose file (compose.yaml, compose.yml,
 * docker-compose.yml or docker-compose.yaml, parsed by js-yaml) whose service
 * is built from this folder. Nothing here is run or copied into the image as
 * written: the web command goes through the Procfile's reader, the values
 * through the checks the platforms' values go through.
 */
export interface ContainerConfig {
    /** The file that gives the web command: the Compose file when its service sets `command:`/`entrypoint:`, else "Dockerfile". */
    readonly file: string;
    /** The web command as shell text, in the image's terms (the Dockerfile's WORKDIR is the source folder); undefined when neither file names one. */
    readonly command?: string;
    /** Where the command came from, as a sentence's subject ("docker-compose.yml's service web command", "The Dockerfile's CMD") and as a plan source. */
    readonly commandFrom?: { readonly web: string; readonly source: string };
    /** The source's folder the command starts in, when below its root (the `cd` that `command` opens with), and what puts it there ("the Dockerfile's WORKDIR"). */
    readonly startsIn?: { readonly dir: string; readonly why: string };
    /** A one-shot service of the same build that migrates (`python manage.py migrate`), as shell text, with its service's name. */
    readonly release?: { readonly command: string; readonly service: string; readonly file: string };
    /** The health check's URL path (HEALTHCHECK, compose `healthcheck.test`), with where it came from. */
    readonly healthCheckPath?: { readonly path: string; readonly source: string };
    /** Variables set (Dockerfile ENV, then the service's `environment:`), name, value and file, in order; the later win. */
    readonly set: ReadonlyArray<readonly [string, string, string]>;
    /** Variables the app needs that are not carried: `${VAR}` references, secret-looking values, addresses of other compose services. */
    readonly needs: ReadonlyArray<readonly [string, string]>;
    /** Data folders (VOLUME, the service's volumes), absolute paths in the image, with where they came from. */
    readonly mounts: ReadonlyArray<{ readonly path: string; readonly source: string }>;
    /** The Python of `FROM python:X.Y[-variant]` (the final stage's base), as written. */
    readonly python?: { readonly said: string; readonly source: string };
    /** Variables a `RUN VAR=value python manage.py ...` line gives a build step (collectstatic's placeholders). */
    readonly buildEnv: ReadonlyArray<readonly [string, string, string]>;
    /** What was read and not taken, and why. */
    readonly notes: readonly string[];
    /** An absolute path of the app's own image in this image's terms: under a folder the source is copied to, the same file under /app; else as given. */
    readonly appPath?: (imagePath: string) => string;
}

/** Debian's default PATH (the python:* images' own puts /usr/local/bin first as well): where a bare command is looked up after the Dockerfile's PATH. */
const DEFAULT_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/** Words that start a web server in a command (a dev server too: the Procfile reader says what it does with it). */
const SERVER_WORDS = new Set(["gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "granian", "uwsgi", "runserver", "flask", "fastapi", "litestar", "sanic"]);

export const COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/** Where an app keeps its Dockerfile, first found first: the root, then the folders self-hosted apps use (docker/Dockerfile). */
const DOCKERFILES = ["Dockerfile", "docker/Dockerfile", ".docker/Dockerfile"];

/**
 * heroku.yml's Docker deploy (Heroku's container stack): `build.docker.web`, the Dockerfile the web process is built from
 * (a path, or `{dockerfile: ...}`), when the source holds it; `run.web`, the command that replaces its CMD (a string, or
 * `{command: [...]}`); `release.command`, the release phase's commands. Heroku then ignores the Procfile.
 */
export function herokuYml(src: SourceTree): HerokuYml | undefined {
    if (!herokuYmls.has(src)) {
        herokuYmls.set(src, parseHerokuYml(src));
    }
    return herokuYmls.get(src);
}

type HerokuYml = { readonly dockerfile: string; readonly web?: string; readonly release?: string };
const herokuYmls = new WeakMap<SourceTree, HerokuYml | undefined>();

function parseHerokuYml(src: SourceTree): HerokuYml | undefined {
    const text = src.readIfFile("heroku.yml");
    let doc: unknown;
    try {
        doc = text === undefined ? undefined : loadYaml(text);
    } catch {
        return undefined; // Heroku refuses it too
    }
    const web = obj(obj(obj(doc)?.["build"])?.["docker"])?.["web"];
    const named = typeof web === "string" ? web : obj(web)?.["dockerfile"];
    const dockerfile = typeof named === "string" ? posixJoin("/", named).slice(1) : undefined;
    if (dockerfile === undefined || !src.isFile(dockerfile)) {
        return undefined;
    }
    const commandOf = (v: unknown): string | undefined => {
        const c = typeof v === "string" ? v : obj(v)?.["command"];
        const lines = typeof c === "string" ? [c] : Array.isArray(c) && c.every((x) => typeof x === "string") ? (c as string[]) : [];
        return lines.length > 0 && lines.every((l) => l.trim() !== "") ? lines.join(" && ") : undefined;
    };
    const release = obj(obj(doc)?.["release"]);
    const image = release?.["image"];
    return { dockerfile, web: commandOf(obj(obj(doc)?.["run"])?.["web"]), release: image === undefined || image === "web" ? commandOf(release) : undefined };
}

/** A variant of a Dockerfile's name that is not the deployed image's. */
const NOT_DEPLOYED = new Set(["dev", "develop", "development", "local", "test", "tests", "testing", "ci", "debug", "docs", "e2e", "devcontainer", "worker", "celery"]);
/** Variants that name the deployed image, preferred in this order. */
const DEPLOYED = ["production", "prod", "release", "deploy", "default", "web", "app"];

/**
 * The app's own Dockerfile: DOCKERFILES, first found first; else a variant named for its use beside them
 * (`Dockerfile.prod`, `Dockerfile-production`, `docker/production.Dockerfile`, linkding's `docker/default.Dockerfile`
 * beside its `alpine.Dockerfile`), the deployed one: one whose variant says production, prod, release, deploy,
 * default, web or app (in that order), else the only one that is not for development, tests or a worker.
 */
export function appDockerfile(src: SourceTree): string | undefined {
    if (!appDockerfiles.has(src)) {
        appDockerfiles.set(src, findAppDockerfile(src));
    }
    return appDockerfiles.get(src);
}

/** appDockerfile's answer per source tree: it lists folders, and detection asks many times. */
const appDockerfiles = new WeakMap<SourceTree, string | undefined>();

function findAppDockerfile(src: SourceTree): string | undefined {
    const found = herokuYml(src)?.dockerfile ?? DOCKERFILES.find((f) => src.isFile(f));
    if (found !== undefined) {
        return found;
    }
    const variants = ["", "docker", ".docker"].flatMap((dir) =>
        src.list(dir).flatMap((e) => {
            const m = e.isFile() ? /^Dockerfile[.-]([A-Za-z0-9_-]+)$|^([A-Za-z0-9_-]+)\.Dockerfile$/i.exec(e.name) : null;
            const variant = m === null ? undefined : (m[1] ?? m[2])!.toLowerCase();
            return variant === undefined || NOT_DEPLOYED.has(variant) ? [] : [{ file: dir === "" ? e.name : `${dir}/${e.name}`, variant }];
        }),
    );
    for (const name of DEPLOYED) {
        const hit = variants.find((v) => v.variant === name);
        if (hit !== undefined) {
            return hit.file;
        }
    }
    return variants.length === 1 ? variants[0].file : undefined;
}

/** Installers' settings (`POETRY_VIRTUALENVS_CREATE=false`, `PIP_NO_CACHE_DIR`): they configure the app's own install, which the image replaces with its own. */
const INSTALLER_PREFIXES = ["POETRY_", "PIP_", "PIPENV_", "UV_", "PDM_"];

/** Variables the synthesized image sets itself: a container config's value for them is neither carried nor asked for. */
const IMAGE_OWN = new Set([...IMAGE_SET_VARIABLES, "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK", "UV_COMPILE_BYTECODE", "UV_LINK_MODE", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON_DOWNLOADS"]);

/** Names that hold a secret: their value in a committed file is a development one, not carried. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|(^|_)API_?KEY|CREDENTIALS?)/i;

interface DockerfileFacts {
    readonly workdir: string;
    /** Image folders the source (or one of its folders) is copied to: image path -> source-relative folder ("" the root). */
    readonly copies: ReadonlyArray<readonly [string, string]>;
    readonly env: Array<readonly [string, string]>;
    readonly volumes: string[];
    /** CMD/ENTRYPOINT: exec form as words, shell form as text. */
    readonly cmd?: { words?: string[]; text?: string };
    readonly entrypoint?: { words?: string[]; text?: string };
    readonly health?: string[];
    readonly python?: string;
    readonly buildEnv: Array<readonly [string, string]>;
}

const containerConfigs = new WeakMap<SourceTree, ContainerConfig | null>();

/** The app's container config, read once per source tree; undefined when it has no Dockerfile and no Compose file built from it. */
export function readContainerConfig(src: SourceTree): ContainerConfig | undefined {
    if (!containerConfigs.has(src)) {
        containerConfigs.set(src, readFiles(src) ?? null);
    }
    return containerConfigs.get(src) ?? undefined;
}

function posixJoin(base: string, rel: string): string {
    const parts = (rel.startsWith("/") ? rel : `${base}/${rel}`).split("/");
    const out: string[] = [];
    for (const p of parts) {
        if (p === "" || p === ".") {
            continue;
        }
        if (p === "..") {
            out.pop();
        } else {
            out.push(p);
        }
    }
    return `/${out.join("/")}`;
}

/** A source-relative file as written in COPY (`docker-entrypoint.sh`, `./bin/start.sh`); undefined when not a plain file. */
function sourceFile(src: SourceTree, given: string): string | undefined {
    const rel = posixJoin("/", given).slice(1);
    return given.includes("*") || given.includes("$") || given.startsWith("/") || rel === "" || !src.isFile(rel) ? undefined : rel;
}

/** A source-relative folder as written in COPY (`.`, `./app`, `app/`): "" for the root; undefined when not a plain folder. */
function sourceFolder(src: SourceTree, given: string): string | undefined {
    const rel = posixJoin("/", given).slice(1);
    if (given.includes("*") || given.includes("$") || given.startsWith("/")) {
        return undefined;
    }
    return rel === "" || (src.exists(rel) && !src.isFile(rel)) ? rel : undefined;
}

function readDockerfile(src: SourceTree, file: string): DockerfileFacts | undefined {
    const text = src.readIfFile(file);
    if (text === undefined) {
        return undefined;
    }
    const all = DockerfileParser.parse(text).getInstructions();
    // The final stage, and the stages it is built FROM by name (`FROM base`).
    const stages = stagesOf(all);
    const chain: typeof stages = [];
    for (let s: (typeof stages)[number] | undefined = stages[stages.length - 1]; s !== undefined && !chain.includes(s); ) {
        chain.unshift(s);
        const base = s.from.getImageName();
        s = stages.find((x) => x.name !== undefined && x.name === base);
    }
    const root = chain[0]?.from;
    // `ARG PYTHON_VERSION=3.11` then `FROM python:${PYTHON_VERSION}-slim`: the reference as Docker expands it.
    const reference = root?.getExpandedArguments()[0]?.getValue() ?? "";
    const lastSlash = reference.lastIndexOf("/");
    const colon = reference.indexOf(":", lastSlash + 1);
    const at = reference.indexOf("@");
    const image = (colon < 0 ? (at < 0 ? reference : reference.slice(0, at)) : reference.slice(0, colon)).replace(/^(docker\.io\/)?(library\/)?/, "");
    const tag = colon < 0 ? "" : reference.slice(colon + 1, at < 0 ? undefined : at);
    const version = tag.split("-")[0];
    const python = image === "python" && /^3\.\d+(\.\d+)?$/.test(version) ? tag : undefined;
    let workdir = "/";
    const facts: DockerfileFacts & { copies: Array<readonly [string, string]> } = { workdir, copies: [], env: [], volumes: [], buildEnv: [], python };
    const form = (i: Instruction): { words?: string[]; text?: string } | undefined => {
        // The exec form read as JSON: dockerfile-ast's getJSONValue() drops the blanks inside each string (`"gunicorn web:app -w 3"`).
        const json = i instanceof JSONInstruction ? (jsonWords(i.getArgumentsContent() ?? "") ?? i.getJSONStrings().map((j) => j.getJSONValue())) : [];
        // `ENTRYPOINT []` (uv's Docker guide, to reset the base image's): an empty exec form sets none, not a command `[]`.
        if (json.length === 0 && jsonWords(i.getArgumentsContent() ?? "")?.length === 0) {
            return undefined;
        }
        return json.length > 0 ? { words: json } : { text: i.getArgumentsContent() ?? "" };
    };
    let cmd: { words?: string[]; text?: string } | undefined;
    let entrypoint: { words?: string[]; text?: string } | undefined;
    let health: string[] | undefined;
    const stageOf = new Map(chain.flatMap((s, n) => s.body.map((i) => [i, n] as const)));
    let cmdStage: number | undefined;
    // Build arguments declared with no default (`ARG STATIC_URL`): unset in the image this package builds, which passes none.
    const unsetArgs = new Set<string>();
    // The values an ARG or ENV gives a name, as later instructions see it; the ARGs before the first FROM, which a stage's `ARG NAME` takes.
    const known = new Map<string, string>();
    const firstFrom = all.findIndex((i) => i instanceof From);
    const globalArgs = new Map(
        all
            .slice(0, Math.max(firstFrom, 0))
            .flatMap((i) => (i instanceof Arg ? i.getProperties() : []))
            .flatMap((p) => (p.getValue() !== null && !p.getValue()!.includes("$") ? [[p.getName(), p.getValue()!] as const] : [])),
    );
    // Under a python:* image, a name neither the Dockerfile nor that image's own ENV sets is unset too.
    const unset = (name: string) => unsetArgs.has(name) || (image === "python" && !known.has(name) && !PYTHON_IMAGE_ENV.has(name));
    const expandValue = (value: string) => expandedValue(value, known, unset);
    for (const i of chain.flatMap((s) => s.body)) {
        const keyword = i.getKeyword();
        // Arguments with the ARG and ENV values Docker expands in them (`WORKDIR $APP_HOME`).
        const args = i.getExpandedArguments().map((a) => a.getValue());
        if (keyword === "WORKDIR" && args.length === 1) {
            workdir = posixJoin(workdir, args[0]);
        } else if (i instanceof Env) {
            // Each pair read with the values from before the instruction (`ENV A=1 B=x$A` gives B=x, as Docker does).
            const expanded = i.getProperties().map((p) => (p.getValue() === null ? undefined : expandValue(p.getValue()!)));
            for (const [n, p] of i.getProperties().entries()) {
                const value = p.getValue();
                if (value !== null) {
                    // `ENV DATA=${APP_HOME}/data`: the expanded value, when it expands.
                    const e = expanded[n];
                    const kept = e !== undefined && !e.includes("$") ? e : value;
                    facts.env.push([p.getName(), kept]);
                    unsetArgs.delete(p.getName());
                    if (kept.includes("$")) {
                        known.delete(p.getName());
                    } else {
                        known.set(p.getName(), kept);
                    }
                }
            }
        } else if (i instanceof Arg) {
            for (const p of i.getProperties()) {
                const value = p.getValue();
                const e = value === null ? undefined : expandValue(value);
                const global = value === null ? globalArgs.get(p.getName()) : undefined;
                if (global !== undefined) {
                    // `ARG PYTHON_VERSION` in a stage takes the default an ARG before the first FROM gives it.
                    unsetArgs.delete(p.getName());
                    known.set(p.getName(), global);
                } else if (value === null) {
                    unsetArgs.add(p.getName());
                    known.delete(p.getName());
                } else {
                    unsetArgs.delete(p.getName());
                    if (e === undefined || e.includes("$")) {
                        known.delete(p.getName());
                    } else {
                        known.set(p.getName(), e);
                    }
                }
            }
        } else if ((keyword === "COPY" || keyword === "ADD") && args.length === 2 && !copiesFromStage(i)) {
            const from = sourceFolder(src, args[0]);
            const file = from === undefined ? sourceFile(src, args[0]) : undefined;
            if (from !== undefined) {
                facts.copies.push([posixJoin(workdir, args[1]), from]);
            } else if (file !== undefined) {
                // `COPY docker-entrypoint.sh /docker-entrypoint.sh` (or into a folder, `/usr/local/bin/`): that path is the file of the source.
                const dest = posixJoin(workdir, args[1]);
                const intoFolder = args[1].endsWith("/") || args[1] === "." || dest === workdir || facts.copies.some(([to, from]) => to === dest && !src.isFile(from));
                const to = intoFolder ? posixJoin(dest, file.split("/").pop()!) : dest;
                facts.copies.push([to, file]);
            }
        } else if (i instanceof Copy && args.length === 2 && copiesFromStage(i)) {
            // `COPY --from=builder /opt/healthchecks/ /opt/healthchecks/` of a stage that copied the source there: the same source, here.
            const named = i.getFromFlag()!.getValue() ?? "";
            const stage = stageNamed(stages, named);
            const taken = posixJoin("/", args[0]);
            const dest = posixJoin(workdir, args[1]);
            for (const [to, from] of stage === undefined || chain.includes(stage) ? [] : stageCopies(src, stage.body)) {
                if (to === taken || to.startsWith(`${taken === "/" ? "" : taken}/`)) {
                    facts.copies.push([posixJoin(dest, to.slice(taken.length)), from]);
                } else if (taken.startsWith(`${to}/`) && !src.isFile(from)) {
                    facts.copies.push([dest, posixJoin(`/${from}`, taken.slice(to.length + 1)).slice(1)]);
                }
            }
        } else if ((keyword === "COPY" || keyword === "ADD") && args.length > 2 && !copiesFromStage(i)) {
            // `COPY entrypoint.sh healthcheck.sh /`: each file into the folder the last argument names.
            const dest = posixJoin(workdir, args[args.length - 1]);
            for (const arg of args.slice(0, -1)) {
                const file = sourceFolder(src, arg) === undefined ? sourceFile(src, arg) : undefined;
                if (file !== undefined) {
                    facts.copies.push([posixJoin(dest, file.split("/").pop()!), file]);
                }
            }
        } else if (keyword === "VOLUME") {
            // The JSON form with the values Docker expands in it too (`VOLUME [ "$MEALIE_HOME/data/" ]`).
            const json = i instanceof JSONInstruction ? (jsonWords(args.join(" ")) ?? i.getJSONStrings().map((j) => j.getJSONValue())) : [];
            facts.volumes.push(...(json.length > 0 ? json : args).map((v) => posixJoin(workdir, withStageEnv(v, facts.env))));
        } else if (keyword === "CMD") {
            cmd = form(i);
            cmdStage = stageOf.get(i);
        } else if (keyword === "ENTRYPOINT") {
            entrypoint = form(i);
            // An ENTRYPOINT resets the CMD of the stages before it; a CMD of its own stage stays (Docker's rule).
            if (cmdStage !== stageOf.get(i)) {
                cmd = undefined;
            }
        } else if (keyword === "HEALTHCHECK") {
            const at = args.findIndex((a) => a.toUpperCase() === "CMD");
            const rest = at < 0 ? "" : args.slice(at + 1).join(" ");
            health = rest.startsWith("[") ? jsonWords(rest) : wordsOf(rest);
        } else if (keyword === "RUN") {
            // `RUN SECRET_KEY=placeholder python manage.py collectstatic`: the project's own build-time values for the step.
            for (const c of commands(shellTokens(i.getArgumentsContent() ?? ""))) {
                const n = c.words.findIndex((w) => !isAssignment(w));
                const rest = c.words.slice(n);
                if (n > 0 && rest.some((w) => w.endsWith("manage.py")) && rest.some((w) => !w.startsWith("-") && !w.endsWith("manage.py") && !/^python/.test(w))) {
                    for (const w of c.words.slice(0, n)) {
                        const eq = w.indexOf("=");
                        const [name, value] = [w.slice(0, eq), w.slice(eq + 1)];
                        // Healthchecks' `DEBUG=False SECRET_KEY=build-key` before collectstatic and again before compress: once.
                        if (!facts.buildEnv.some(([k, v]) => k === name && v === value)) {
                            facts.buildEnv.push([name, value]);
                        }
                    }
                }
            }
        }
    }
    return { ...facts, workdir, cmd, entrypoint, health };
}

/** A build stage of a Dockerfile: its name (`AS builder`), its FROM, and the instructions after it. */
interface Stage {
    readonly name?: string;
    readonly from: From;
    readonly body: Instruction[];
}

/** A Dockerfile's instructions by stage, in order. */
function stagesOf(all: readonly Instruction[]): Stage[] {
    const stages: Stage[] = [];
    for (const i of all) {
        if (i instanceof From) {
            stages.push({ name: i.getBuildStage() ?? undefined, from: i, body: [] });
        } else {
            stages[stages.length - 1]?.body.push(i);
        }
    }
    return stages;
}

/** The stage a `--from=` or `FROM` names: by its name, or by its index. */
function stageNamed(stages: readonly Stage[], ref: string): Stage | undefined {
    return stages.find((x) => x.name === ref) ?? (/^\d+$/.test(ref) ? stages[Number(ref)] : undefined);
}

/**
 * The instructions of the stages whose work reaches the final image: the last
 * stage, the stages it is built FROM by name, and those it (or they) copy from
 * (`COPY --from=`, `RUN --mount=...,from=`), by name or index. A test stage
 * built on the builder (otterwiki's `FROM compile-stage AS test-stage` with
 * `RUN pip install '.[dev]'`) is left out: nothing of it ships.
 */
function inFinalImage(all: readonly Instruction[]): Instruction[] {
    const stages = stagesOf(all);
    if (stages.length === 0) {
        return [...all];
    }
    const named = (ref: string) => stageNamed(stages, ref);
    const reached = new Set<Stage>();
    const visit = (s: Stage | undefined): void => {
        if (s === undefined || reached.has(s)) {
            return;
        }
        reached.add(s);
        visit(named(s.from.getImageName() ?? ""));
        for (const i of s.body) {
            if (i instanceof Copy && i.getFromFlag() !== null) {
                visit(named(i.getFromFlag()!.getValue() ?? ""));
            }
            if (i instanceof Run) {
                for (const f of i.getFlags()) {
                    const from = f.getName() === "mount" ? f.getOption("from")?.getValue() : undefined;
                    if (from) {
                        visit(named(from));
                    }
                }
            }
        }
    };
    visit(stages[stages.length - 1]);
    return stages.filter((s) => reached.has(s)).flatMap((s) => [s.from, ...s.body]);
}

/** A script's commands outside its control flow (if/fi, for/while/until ... done, case/esac), the control words left out. */
function topLevel(lines: ReadonlyArray<readonly string[]>): string[][] {
    const out: string[][] = [];
    let depth = 0;
    for (const w of lines) {
        const first = w[0] ?? "";
        if (["if", "for", "while", "until", "case"].includes(first)) {
            depth++;
        } else if (["fi", "done", "esac"].includes(first)) {
            depth = Math.max(0, depth - 1);
        } else if (depth === 0 && !CONTROL_WORDS.has(first)) {
            out.push([...w]);
        }
    }
    return out;
}

/** A `COPY --from=<stage or image>`: its paths are another filesystem's, not the source's (the flag is not in its arguments). */
function copiesFromStage(i: Instruction): boolean {
    return i instanceof Copy && i.getFromFlag() !== null;
}

/** Where a stage (one the final stage does not build FROM) copies source folders and files: [path in that stage, source path], by its WORKDIR. */
function stageCopies(src: SourceTree, body: readonly Instruction[]): Array<readonly [string, string]> {
    let workdir = "/";
    const out: Array<readonly [string, string]> = [];
    for (const i of body) {
        const args = i.getExpandedArguments().map((a) => a.getValue());
        if (i.getKeyword() === "WORKDIR" && args.length === 1) {
            workdir = posixJoin(workdir, args[0]);
        } else if ((i.getKeyword() === "COPY" || i.getKeyword() === "ADD") && args.length === 2 && !copiesFromStage(i)) {
            const folder = sourceFolder(src, args[0]);
            if (folder !== undefined) {
                out.push([posixJoin(workdir, args[1]), folder]);
            }
        }
    }
    return out;
}

/** A shell-form CMD (`set -xe; python manage.py migrate; gunicorn ...`): its commands in turn, the shell's own settings left out, as a script's lines are read. */
function shellForm(text: string, word: (w: string) => string = (w) => w): string {
    const tokens = shellTokens(text);
    const cmds = commands(tokens);
    if (cmds.some((c) => c.piped) || tokens.some((t) => typeof t === "object" && "op" in t && t.op !== ";" && t.op !== "&&")) {
        return text;
    }
    return cmds
        .filter((c) => !SETUP_BUILTINS.has(c.words[0] ?? ""))
        .map((c) => displayWords(c.words.map(word)))
        .join(" && ");
}

/** The variables the official python:* images set in their ENV: a Dockerfile built on one sees them. */
const PYTHON_IMAGE_ENV = new Set(["PATH", "LANG", "GPG_KEY", "PYTHON_VERSION", "PYTHON_SHA256", "PYTHON_PIP_VERSION", "PYTHON_SETUPTOOLS_VERSION", "PYTHON_GET_PIP_URL", "PYTHON_GET_PIP_SHA256"]);

/**
 * An ARG or ENV value (as written, its quotes removed) with the variables Docker expands in it: `$NAME` and `${NAME}` by
 * the values earlier ARG and ENV instructions give (`known`), `${NAME:-word}` / `${NAME-word}` by the word where the name
 * is `unset` (`ARG STATIC_URL` with no default, then `ENV STATIC_URL=${STATIC_URL:-/static/}`, saleor's), `${NAME:+word}`
 * by the word where NAME is set. A name with no value known stays as written; undefined when the shell-words parser
 * (shell-quote) cannot read the value.
 */
function expandedValue(value: string, known: ReadonlyMap<string, string>, unset: (name: string) => boolean): string | undefined {
    if (!value.includes("$")) {
        return value;
    }
    let words;
    try {
        // Read as one double-quoted word: Docker does not split an ENV value at its blanks.
        words = shellParse(`"${value.replace(/[\\"`]/g, "\\$&")}"`, (key) => {
            const ref = expansion(key);
            const have = ref === undefined ? undefined : known.get(ref.name);
            if (ref === undefined) {
                return alternative(key, known, unset) ?? `\${${key}}`;
            }
            if (have !== undefined && !(ref.colon && have === "" && ref.fallback !== undefined)) {
                return have;
            }
            return ref.fallback !== undefined && !ref.fallback.includes("$") && (have !== undefined || unset(ref.name)) ? ref.fallback : `\${${key}}`;
        });
    } catch {
        return undefined;
    }
    return words.length === 1 && typeof words[0] === "string" ? words[0] : undefined;
}

/** `${NAME:+word}` / `${NAME+word}`: the word where NAME is set (and, with the colon, not empty), else empty; undefined where it is not known. */
function alternative(key: string, known: ReadonlyMap<string, string>, unset: (name: string) => boolean): string | undefined {
    const plus = key.indexOf("+");
    const colon = plus > 0 && key[plus - 1] === ":";
    const ref = plus < 0 ? undefined : expansion(key.slice(0, colon ? plus - 1 : plus));
    if (ref === undefined || ref.fallback !== undefined || key.slice(plus + 1).includes("$")) {
        return undefined;
    }
    const have = known.get(ref.name);
    return have !== undefined ? (colon && have === "" ? "" : key.slice(plus + 1)) : unset(ref.name) ? "" : undefined;
}

/**
 * A value with the ENV an earlier stage set expanded (dockerfile-ast expands within a stage; `FROM base AS
 * production` inherits base's ENV, which Docker expands in `VOLUME [ "$MEALIE_HOME/data/" ]`), read by
 * shell-quote; an unknown variable stays as written.
 */
function withStageEnv(value: string, env: ReadonlyArray<readonly [string, string]>): string {
    if (!value.includes("$")) {
        return value;
    }
    const known = new Map(env);
    const words = shellParse(value, (name) => known.get(name) ?? `\${${name}}`);
    return words.length === 1 && typeof words[0] === "string" ? words[0] : value;
}

/** `sh -c "migrate && gunicorn ..."` (exec form or a compose command): the shell command line it runs, read as a shell-form CMD. */
function shellLine(words: readonly string[]): string | undefined {
    const shell = ["sh", "bash", "ash", "dash"].includes(words[0]?.split("/").pop() ?? "");
    const flags = words[1];
    return shell && words.length === 3 && flags !== undefined && /^-[a-z]*c$/.test(flags) ? shellForm(words[2]) : undefined;
}

function jsonWords(text: string): string[] | undefined {
    try {
        const v = JSON.parse(text) as unknown;
        return Array.isArray(v) && v.every((w) => typeof w === "string") ? v : undefined;
    } catch {
        return undefined;
    }
}

function wordsOf(text: string): string[] {
    return commands(shellTokens(text)).flatMap((c) => c.words);
}

/** The URL path a health check command requests on the container itself (curl, wget, python's urlopen). */
function checkPath(words: readonly string[] | undefined): string | undefined {
    for (const w of words ?? []) {
        for (let at = w.indexOf("http://"); at >= 0; at = w.indexOf("http://", at + 1)) {
            let end = at;
            while (end < w.length && !"'\" )]".includes(w[end])) {
                end++;
            }
            // A URL built from variables or command substitutions is not a path the image can request.
            if (w.slice(at, end).includes("$")) {
                continue;
            }
            try {
                const url = new URL(w.slice(at, end));
                if (["localhost", "127.0.0.1", "0.0.0.0", "[::1]"].includes(url.hostname)) {
                    return url.pathname + url.search;
                }
            } catch {
                // not a URL: go on
            }
        }
    }
    return undefined;
}

/**
 * The requirements file the app's own Dockerfile installs (`RUN pip install -r
 * requirements/production.txt`): the Dockerfile at the root, or the one a
 * Compose service built from this folder names. For a refusal that can say
 * which file to point a root requirements.txt at.
 */
export function dockerfileRequirements(src: SourceTree): { file: string; dockerfile: string } | undefined {
    const composeFile = COMPOSE_FILES.find((f) => src.isFile(f));
    let named: string[] = [];
    try {
        const services = Object.values(obj(obj(mergeKeys(composeFile === undefined ? undefined : loadYaml(src.read(composeFile))))?.["services"]) ?? {});
        named = services.flatMap((v) => (obj(v) ? [builtHere(obj(v)!)] : [])).filter((d): d is string => d !== undefined);
    } catch {
        named = [];
    }
    for (const dockerfile of [...new Set([appDockerfile(src) ?? "Dockerfile", ...named])]) {
        const text = src.readIfFile(dockerfile);
        // Where COPY put source files and folders, by path in the image (`COPY requirements/prod.txt ./` then `pip install -r prod.txt`).
        let workdir = "/";
        const copied: Array<readonly [string, string, boolean]> = [];
        for (const i of text === undefined ? [] : DockerfileParser.parse(text).getInstructions()) {
            const args = i.getExpandedArguments().map((a) => a.getValue());
            if (i.getKeyword() === "WORKDIR" && args.length === 1) {
                workdir = posixJoin(workdir, args[0]);
            } else if (i.getKeyword() === "COPY" && args.length === 2 && !copiesFromStage(i)) {
                const file = sourceFile(src, args[0]);
                const folder = file === undefined ? sourceFolder(src, args[0]) : undefined;
                const into = /\/$|^\.$/.test(args[1]);
                if (file !== undefined) {
                    copied.push([posixJoin(workdir, into ? `${args[1]}/${file.split("/").pop()}` : args[1]), file, false]);
                } else if (folder !== undefined) {
                    copied.push([posixJoin(workdir, args[1]), folder, true]);
                }
            }
            if (i.getKeyword() !== "RUN") {
                continue;
            }
            for (const c of commands(shellTokens(i.getArgumentsContent() ?? ""))) {
                const at = c.words.findIndex((w) => w === "-r" || w === "--requirement");
                const given = at < 0 || !c.words.includes("install") ? undefined : c.words[at + 1];
                if (given === undefined || given.includes("$")) {
                    continue;
                }
                const inImage = posixJoin(workdir, given);
                const mapped = copied
                    .map(([to, from, isFolder]) => (to === inImage ? from : isFolder && inImage.startsWith(`${to}/`) ? posixJoin(`/${from}`, inImage.slice(to.length + 1)).slice(1) : undefined))
                    .filter((f): f is string => f !== undefined && src.isFile(f))
                    .pop();
                const file = mapped ?? posixJoin("/", given).slice(1);
                if (src.isFile(file)) {
                    return { file, dockerfile };
                }
            }
        }
    }
    return undefined;
}

/** Lock-file tools and the subcommands that install from, or run in, the environment their lock pins. */
const LOCK_TOOL_COMMANDS: Readonly<Record<string, ReadonlySet<string>>> = byName({
    uv: new Set(["sync", "run", "export"]),
    poetry: new Set(["install", "run", "export", "sync"]),
    pipenv: new Set(["install", "sync", "run", "requirements"]),
    pdm: new Set(["install", "sync", "run", "export"]),
});

/** A command of the app's own Dockerfile: its instruction, its words (`sh -c "..."` read as the shell reads it), its line. */
interface DockerfileCommand {
    readonly keyword: "RUN" | "CMD" | "ENTRYPOINT";
    readonly words: string[];
    readonly line: string;
}

const dockerfileCommandLists = new WeakMap<SourceTree, DockerfileCommand[]>();

/** The commands of the app's own Dockerfile's RUN, CMD and ENTRYPOINT lines (the root's, else docker/'s or .docker/'s), read once per source tree. */
function dockerfileCommands(src: SourceTree): DockerfileCommand[] {
    let out = dockerfileCommandLists.get(src);
    if (out === undefined) {
        out = readDockerfileCommands(src);
        dockerfileCommandLists.set(src, out);
    }
    return out;
}

function readDockerfileCommands(src: SourceTree): DockerfileCommand[] {
    const name = appDockerfile(src);
    let parsed;
    try {
        parsed = name === undefined ? undefined : DockerfileParser.parse(src.read(name));
    } catch {
        return [];
    }
    const out: DockerfileCommand[] = [];
    for (const i of inFinalImage(parsed?.getInstructions() ?? [])) {
        const keyword = i.getKeyword();
        if (keyword !== "RUN" && keyword !== "CMD" && keyword !== "ENTRYPOINT") {
            continue;
        }
        const content = i.getArgumentsContent() ?? "";
        const json = content.trimStart().startsWith("[") ? jsonWords(content) : undefined;
        const text = json === undefined ? content : json.length === 3 && /^(\/bin\/|\/usr\/bin\/)?(ba)?sh$/.test(json[0]) && json[1] === "-c" ? json[2] : undefined;
        for (const c of text === undefined ? [{ words: json ?? [] }] : commands(shellTokens(text))) {
            out.push({ keyword, words: c.words, line: `${keyword} ${content.replace(/\s+/g, " ").trim()}` });
        }
    }
    return out;
}

/** What the final image of the app's own Dockerfile installs with the system's package manager, and the lines that do. */
export interface DockerfileSystemPackages {
    /** Debian/Ubuntu packages (`apt-get install -y chromium xvfb`), version pins (`=1.2`) left off. */
    readonly apt: readonly string[];
    /** Alpine packages (`apk add`): other names than Debian's. */
    readonly apk: readonly string[];
    readonly lines: readonly string[];
    readonly dockerfile: string;
}

/**
 * The system packages the app's own Dockerfile installs in its final stage and the stages that stage is
 * built FROM (a builder stage whose files are only copied from installs what the build needs, not the app):
 * FlareSolverr's `apt-get install -y chromium chromium-driver xvfb`.
 */
export function dockerfileSystemPackages(src: SourceTree): DockerfileSystemPackages | undefined {
    const name = appDockerfile(src);
    const text = name === undefined ? "" : src.read(name);
    let all: Instruction[];
    try {
        all = DockerfileParser.parse(text).getInstructions();
    } catch {
        return undefined;
    }
    // A RUN's own lines, as Docker reads them: comment lines inside it removed, continuations joined.
    const physical = text.split(/\r?\n/);
    const runText = (i: Instruction): string => {
        const { start, end } = i.getRange();
        const lines = physical.slice(start.line, end.line + 1).filter((l, k) => k === 0 || !l.trimStart().startsWith("#"));
        return lines.map((l) => l.replace(/\\$/, "")).join(" ").trimStart().replace(/^RUN\s+/i, "");
    };
    const stages = stagesOf(all);
    const lineage: Instruction[] = [];
    const seen = new Set<Stage>();
    for (let s: Stage | undefined = stages[stages.length - 1]; s !== undefined && !seen.has(s); s = stageNamed(stages, s.from.getImageName() ?? "")) {
        seen.add(s);
        lineage.unshift(...s.body);
    }
    const apt: string[] = [];
    const apk: string[] = [];
    const lines: string[] = [];
    for (const i of stages.length === 0 ? all : lineage) {
        if (i.getKeyword() !== "RUN") {
            continue;
        }
        let found = false;
        for (const c of commands(shellTokens(runText(i)))) {
            const program = path.posix.basename(c.words[0] ?? "");
            const at = (program === "apt-get" || program === "apt") && c.words.includes("install") ? c.words.indexOf("install") : program === "apk" && c.words.includes("add") ? c.words.indexOf("add") : -1;
            if (at < 0) {
                continue;
            }
            const names = c.words.slice(at + 1).filter((w) => !w.startsWith("-") && !w.includes("$"));
            // apk's `--virtual .build-deps gcc ...` names a group first, then what it holds.
            const list = program === "apk" ? apk : apt;
            list.push(...names.filter((n) => !n.startsWith(".")).map((n) => n.split("=")[0]).filter((n) => !list.includes(n)));
            found ||= names.length > 0;
        }
        if (found) {
            lines.push(`RUN ${runText(i).replace(/\s+/g, " ").trim()}`);
        }
    }
    return lines.length === 0 || name === undefined ? undefined : { apt, apk, lines, dockerfile: name };
}

/**
 * The lock-file tools the app's own Dockerfile installs or runs with (`RUN uv sync --frozen`,
 * `CMD ["sh", "-c", "poetry run app"]`): the root's, else docker/'s or .docker/'s.
 */
export function dockerfileLockTools(src: SourceTree): Set<string> {
    const tools = new Set<string>();
    for (const c of dockerfileCommands(src)) {
        const words = c.words[0] === "python" || c.words[0] === "python3" ? (c.words[1] === "-m" ? c.words.slice(2) : []) : c.words;
        const sub = words.slice(1).find((w) => !w.startsWith("-"));
        if (words[0] !== undefined && sub !== undefined && LOCK_TOOL_COMMANDS[words[0]]?.has(sub)) {
            tools.add(words[0]);
        }
    }
    return tools;
}

/** The commands of the app's own Dockerfile's RUN lines as words, each with its line (`RUN ["sh", "-c", "..."]` read as the shell reads it). */
export function dockerfileRuns(src: SourceTree): DockerfileCommand[] {
    return dockerfileCommands(src).filter((c) => c.keyword === "RUN");
}

/** Python by the names its program goes by (python, python3, python3.13); a path to it (`/opt/venv/bin/python`) by its last part. */
const PYTHON = /^python(3(\.\d+)?)?$/;

/** What the app's own Dockerfile asks its installer for besides the main dependencies, and the RUN lines that say so. */
export interface DockerfileSelection {
    /** The project's extras, as written. */
    readonly extras: readonly string[];
    /** Every extra (`--all-extras`). */
    readonly allExtras: boolean;
    /** Dependency groups (uv's and PEP 735's, Poetry's, PDM's), as written; Poetry's `main` is the main dependencies, not listed. */
    readonly groups: readonly string[];
    /** Every group (`uv sync --all-groups`, `pdm install -G :all`). */
    readonly allGroups: boolean;
    readonly lines: readonly string[];
}

/** The values of an option that takes one (`--with a`, `--with=a`, `-Ga` for a short one), each split on `split`; over the whole command. */
function optionValues(words: readonly string[], names: readonly string[], split?: RegExp): string[] {
    const out: string[] = [];
    words.forEach((x, k) => {
        for (const name of names) {
            const value = x === name ? words[k + 1] : x.startsWith(name + "=") ? x.slice(name.length + 1) : !name.startsWith("--") && x.startsWith(name) && x.length > name.length ? x.slice(name.length) : undefined;
            if (value !== undefined) {
                out.push(...(split === undefined ? [value] : value.split(split)));
            }
        }
    });
    return out.filter((v) => v !== "");
}

/**
 * What the app's Dockerfile installs besides the main dependencies, over all its RUN lines:
 * - the project's own extras: `pip install .[deploy,s3]` (`-e`, quoted, `uv pip install`, the folder a COPY puts the source in, `/app/src[ai]`,
 *   `python -m pip`, a venv's `/venv/bin/pip`), `uv sync|export --extra a` (`--all-extras`), `poetry install|export --extras "a b"` / `-E a`;
 * - dependency groups: `uv sync|export --group a` / `--only-group a` (`--all-groups`), `poetry install|export --with a,b` / `--only main,b`,
 *   `pdm install|sync|export -G a` / `--group a` (`:all`), `pip install --group a` (pip 25.1's PEP 735 groups; `pyproject.toml:a` too).
 */
export function dockerfileSelection(src: SourceTree): DockerfileSelection | undefined {
    const extras: string[] = [];
    const groups: string[] = [];
    const lines: string[] = [];
    let allExtras = false;
    let allGroups = false;
    for (const run of dockerfileRuns(src)) {
        const words = run.words.map((x, k) => (k === 0 ? path.posix.basename(x) : x));
        const w = PYTHON.test(words[0] ?? "") ? (words[1] === "-m" ? words.slice(2) : []) : words;
        const before = extras.length + groups.length + Number(allExtras) + Number(allGroups);
        if ((w[0] === "pip" || w[0] === "pip3" || (w[0] === "uv" && w[1] === "pip")) && w.includes("install")) {
            for (const word of w.slice(w.indexOf("install") + 1)) {
                extras.push(...(word.includes("[") ? (sourceFolderInstall(src, word) ?? []) : []));
            }
            // pip's `--group [path:]name` reads the named pyproject.toml's [dependency-groups]; the project's own only.
            for (const g of optionValues(w, ["--group"])) {
                const cut = g.lastIndexOf(":");
                if (cut < 0 || ["pyproject.toml", "./pyproject.toml"].includes(g.slice(0, cut))) {
                    groups.push(g.slice(cut + 1));
                }
            }
        } else if (w[0] === "uv" && (w[1] === "sync" || w[1] === "export")) {
            extras.push(...optionValues(w, ["--extra"]));
            groups.push(...optionValues(w, ["--group", "--only-group"]));
            allExtras ||= w.includes("--all-extras");
            allGroups ||= w.includes("--all-groups");
        } else if (w[0] === "poetry" && (w[1] === "install" || w[1] === "export")) {
            extras.push(...optionValues(w, ["--extras", "-E"], /[\s,]+/));
            groups.push(...optionValues(w, ["--with", "--only"], /,/).filter((g) => g.trim() !== "main"));
            allExtras ||= w.includes("--all-extras");
        } else if (w[0] === "pdm" && ["install", "sync", "export"].includes(w[1])) {
            const named = optionValues(w, ["--group", "-G"], /,/);
            allGroups ||= named.includes(":all");
            groups.push(...named.filter((g) => g !== ":all" && g !== "default"));
        }
        if (extras.length + groups.length + Number(allExtras) + Number(allGroups) > before) {
            lines.push(run.line);
        }
    }
    const uniq = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter((x) => x !== ""))];
    return lines.length > 0 ? { extras: uniq(extras), allExtras, groups: uniq(groups), allGroups, lines } : undefined;
}

/**
 * The extras of a pip install word that names the source folder (`.`, `.[server]`, or the folder a COPY puts
 * the source in: `COPY . /src` then `pip install "/src[server]"`); undefined when it names something else.
 */
function sourceFolderInstall(src: SourceTree, word: string): string[] | undefined {
    let local: { path: string; extras: string[] } | undefined;
    try {
        local = word.startsWith(".") || word.startsWith("/") ? pathWithExtras(word, word, 0) : undefined;
    } catch {
        local = undefined; // not a list of extras: pip refuses it, and the app's image does not build
    }
    const at = local?.path.startsWith("/") ? readContainerConfig(src)?.appPath?.(posixJoin("/", local.path)) : undefined;
    const named = local !== undefined && (at === undefined ? !local.path.startsWith("/") && ["", ".", "./"].includes(local.path.replace(/\/+$/, "/")) : at === DEFAULTS.workdir);
    return named ? local?.extras : undefined;
}

/**
 * The line of the app's own Dockerfile that installs the project from its source folder with pip
 * (`pip install .`, `pip install "/src[server]"`), when no line there installs a requirements file:
 * the project's own metadata is then what the app's image installs, whatever requirements.txt says.
 */
export function dockerfileInstallsProject(src: SourceTree): string | undefined {
    let line: string | undefined;
    for (const run of dockerfileRuns(src)) {
        const words = run.words.map((x, k) => (k === 0 ? path.posix.basename(x) : x));
        const w = PYTHON.test(words[0] ?? "") ? (words[1] === "-m" ? words.slice(2) : []) : words;
        if (!((w[0] === "pip" || w[0] === "pip3" || (w[0] === "uv" && w[1] === "pip")) && w.includes("install"))) {
            continue;
        }
        const args = w.slice(w.indexOf("install") + 1);
        if (args.some((a) => a.startsWith("-r") || a.startsWith("--requirement"))) {
            return undefined;
        }
        if (line === undefined && args.some((a) => a !== "-e" && sourceFolderInstall(src, a) !== undefined)) {
            line = run.line;
        }
    }
    return line;
}

/**
 * The source folder's Python files the app's own Dockerfile runs at build time (`RUN python version.py`, Tandoor's
 * version stamp written into a module the app imports): relative paths, as the build context holds them.
 */
export function dockerfileBuildScripts(src: SourceTree): Set<string> {
    const out = new Set<string>();
    for (const { words: [program, script] } of dockerfileRuns(src)) {
        if (PYTHON.test(path.posix.basename(program ?? "")) && script !== undefined && script.endsWith(".py") && !script.startsWith("/")) {
            const rel = path.posix.normalize(script);
            if (!rel.startsWith("..") && src.isFile(rel)) {
                out.add(rel);
            }
        }
    }
    return out;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** A compose service's `command:`/`entrypoint:`: a list is its words, a string is split as Compose splits it (shell words). */
function composeWords(v: unknown): string[] | undefined {
    if (Array.isArray(v)) {
        return v.every((w) => typeof w === "string" || typeof w === "number") ? v.map(String) : undefined;
    }
    return typeof v === "string" && v.trim() !== "" ? wordsOf(v) : undefined;
}

/**
 * Whether a Compose bind mount puts a folder of the source that holds Python
 * code (`.`, `./app`) back over the image's own copy of it (`.:/code` with
 * `COPY . /code`): a development mount for live reload, not a data folder.
 */
function sourceMount(src: SourceTree, host: string, mapped: string): boolean {
    if (!host.startsWith(".")) {
        return false;
    }
    const norm = path.posix.normalize(host);
    if (norm === ".." || norm.startsWith("../")) {
        return false;
    }
    const rel = posixJoin("/", norm).slice(1);
    if (mapped !== (rel === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${rel}`)) {
        return false;
    }
    const under = (name: string) => (rel === "" ? name : `${rel}/${name}`);
    return src.list(rel).some((e) => (e.isFile() && e.name.endsWith(".py")) || (e.isDirectory() && src.isFile(under(`${e.name}/__init__.py`))));
}

/** A service's `volumes:`, short (`./src:/app:ro`) and long syntax, with host side ("" for an anonymous volume), target and read-only flag. */
function volumeRows(service: Obj): Array<{ v: unknown; host: string; target: string; readOnly: boolean }> {
    return (Array.isArray(service["volumes"]) ? service["volumes"] : []).flatMap((v: unknown) => {
        const parts = typeof v === "string" ? v.split(":") : [];
        const host = typeof v === "string" ? parts[0] : obj(v)?.["source"];
        const target = typeof v === "string" ? parts[1] : obj(v)?.["target"];
        const readOnly = typeof v === "string" ? parts.slice(2).join(":").split(",").includes("ro") : obj(v)?.["read_only"] === true;
        return typeof target === "string" ? [{ v, host: typeof host === "string" ? host : "", target, readOnly }] : [];
    });
}

/** Whether a service is built from this folder (`build: .`, `build: {context: .}`), with the Dockerfile it builds. */
function builtHere(s: Obj): string | undefined {
    const build = s["build"];
    const context = typeof build === "string" ? build : typeof obj(build)?.["context"] === "string" ? (obj(build)!["context"] as string) : undefined;
    if (context === undefined || posixJoin("/", context) !== "/") {
        return undefined;
    }
    const dockerfile = obj(build)?.["dockerfile"];
    return typeof dockerfile === "string" ? posixJoin("/", dockerfile).slice(1) : "Dockerfile";
}

/**
 * YAML merge keys resolved as Compose resolves them (`api: {<<: *common, ...}`):
 * the mapping (or each of a list of mappings, the first winning) under `<<`
 * gives the keys the mapping does not set itself.
 */
function mergeKeys(doc: unknown, depth = 0): unknown {
    if (depth > 32 || doc === null || typeof doc !== "object") {
        return doc;
    }
    if (Array.isArray(doc)) {
        return doc.map((d) => mergeKeys(d, depth + 1));
    }
    const own = doc as Record<string, unknown>;
    const merged: Record<string, unknown> = {};
    const from = own["<<"];
    for (const base of (Array.isArray(from) ? from : from === undefined ? [] : [from]).slice().reverse()) {
        Object.assign(merged, mergeKeys(base, depth + 1) as Record<string, unknown>);
    }
    for (const [k, v] of Object.entries(own)) {
        if (k !== "<<") {
            merged[k] = mergeKeys(v, depth + 1);
        }
    }
    return merged;
}

function readFiles(src: SourceTree): ContainerConfig | undefined {
    const composeFile = COMPOSE_FILES.find((f) => src.isFile(f));
    const notes: string[] = [];
    let services: Array<[string, Obj]> = [];
    if (composeFile !== undefined) {
        try {
            services = Object.entries(obj(obj(mergeKeys(loadYaml(src.read(composeFile))))?.["services"]) ?? {}).flatMap(([k, v]) => (obj(v) ? [[k, obj(v)!] as [string, Obj]] : []));
        } catch (e) {
            notes.push(`${composeFile} cannot be parsed (${(e as Error).message.split("\n")[0]}); it is not read.`);
        }
    }
    const ours = services.filter(([, s]) => builtHere(s) !== undefined);
    // With no Compose service built here, the root's Dockerfile, else the one a docker/ folder keeps (built from the root, as its Compose file's `context: ..` says).
    const dockerfileName = ours.length > 0 ? builtHere(ours[0][1])! : (appDockerfile(src) ?? "Dockerfile");
    let dockerfile: DockerfileFacts | undefined;
    try {
        dockerfile = readDockerfile(src, dockerfileName);
    } catch (e) {
        notes.push(`${dockerfileName} cannot be parsed (${(e as Error).message.split("\n")[0]}); it is not read.`);
    }
    if (dockerfile === undefined && ours.length === 0) {
        return notes.length > 0 ? { file: composeFile ?? dockerfileName, set: [], needs: [], mounts: [], buildEnv: [], notes } : undefined;
    }
    const workdir = dockerfile?.workdir ?? DEFAULTS.workdir;
    // An image path in this image's terms: the folder the source is copied to (the WORKDIR when `COPY . .`) is the image's /app.
    const copied = dockerfile?.copies.length ? dockerfile.copies : [[workdir, ""] as const];
    // A folder copied to a path ending in its own name (`COPY ./src ./` in /usr/src/paperless/src): the folder above that path
    // stands for the source's root, as the project lays it out (paperless-ngx's VOLUME /usr/src/paperless/data, its data/ beside src/).
    // So does a folder copied under its own last name from deeper in the source (FastAPI-boilerplate's `COPY ./src/app /code/app`,
    // WORKDIR /code, `uvicorn app.main:app`): /code stands for src/.
    const implied = copied.flatMap(([to, from]) => {
        if (from === "" || src.isFile(from)) {
            return [];
        }
        if (to.endsWith(`/${from}`) && to.length > from.length + 1) {
            return [[to.slice(0, -(from.length + 1)), ""] as const];
        }
        const [toDir, fromDir] = [path.posix.dirname(to), path.posix.dirname(from)];
        return fromDir !== "." && toDir !== "/" && path.posix.basename(to) === path.posix.basename(from) ? [[toDir, fromDir] as const] : [];
    });
    const copies = [...copied, ...implied.filter(([to]) => !copied.some(([t]) => t === to))];
    // A folder copied to the image's root (`COPY rootfs /`) stands only for the files it holds (`/entrypoint.sh` is rootfs/entrypoint.sh).
    const copyOf = (p: string) =>
        [...copies]
            .sort((a, b) => b[0].length - a[0].length)
            .find(([to, from]) => (to === "/" ? from !== "" && p !== "/" && src.exists(posixJoin(from, p.slice(1))) : p === to || p.startsWith(`${to}/`)));
    const mapPath = (p: string): string => {
        const hit = copyOf(p);
        return hit === undefined ? p : posixJoin(`${DEFAULTS.workdir}/${hit[1]}`, p.slice(hit[0].length).replace(/^\//, "") || ".");
    };
    // A bare command found through PATH (`COPY scripts/run.sh /usr/local/bin/run`, `ENV PATH=/scripts:$PATH` with `CMD ["run.sh"]`):
    // the image's path of the source file it is, in PATH's order (the Dockerfile's PATH, its own `$PATH` entries left out, then Debian's default).
    const lastPath = [...(dockerfile?.env ?? [])].reverse().find(([name]) => name === "PATH")?.[1];
    const pathDirs = [...(lastPath?.split(":").filter((d) => d.startsWith("/") && !d.includes("$")) ?? []), ...DEFAULT_PATH];
    const onPath = (w: string): string | undefined =>
        w === "" || w.includes("/") || w.includes("$")
            ? undefined
            : pathDirs.map((d) => posixJoin(d, w)).find((p) => copyOf(p) !== undefined && src.isFile(mapPath(p).slice(DEFAULTS.workdir.length + 1)));
    // A word naming a file of the image's app folder, by its absolute path: the same file, relative to `from` (also when the image's folder is /app itself).
    const relativeWord = (from: string) => (word: string): string => {
        const w = onPath(word) ?? word;
        const mapped = w.startsWith("/") && copyOf(w) !== undefined ? mapPath(w) : undefined;
        // The folder the source is copied to itself (`COPY . /app/src` then `--chdir /app/src`): the app folder, ".".
        return mapped === undefined || (mapped !== DEFAULTS.workdir && !mapped.startsWith(`${DEFAULTS.workdir}/`)) ? word : path.posix.relative(from, mapped) || ".";
    };
    // Relative to the source folder: the file a script word names, as the source holds it.
    const rootWord = relativeWord(DEFAULTS.workdir);

    // The services: the one-shot migration, the app (the first of this build that runs a server), the others.
    const effective = (s: Obj): { words?: string[]; text?: string; entry?: { words?: string[]; text?: string } } => {
        const given = s["entrypoint"] !== undefined ? { words: composeWords(s["entrypoint"]) } : dockerfile?.entrypoint;
        const cmd = s["command"] !== undefined ? { words: composeWords(s["command"]) } : s["entrypoint"] !== undefined ? undefined : dockerfile?.cmd;
        // An empty list (`entrypoint: []`, `command: []`) sets none: the rest is read as if it were absent.
        const entry = given?.words?.length === 0 ? undefined : given;
        return { ...(cmd?.words?.length === 0 ? undefined : cmd), entry };
    };
    // A service's command as a shell command line (`sh -c "..."` unwrapped).
    const lineOf = (s: Obj) => {
        const words = composeWords(s["command"]);
        return words === undefined ? undefined : (shellLine(words) ?? displayWords(words));
    };
    // A one-shot service that migrates; one that goes on to start a server (`migrate && runserver`) is the web service.
    const migrates = (s: Obj) => {
        const line = lineOf(s);
        const cmds = line === undefined ? [] : commands(shellTokens(line));
        return cmds.some((c) => isMigrationCommand(c.words)) && !cmds.some((c) => c.words.some((w) => SERVER_WORDS.has(w.split("/").pop() ?? w)));
    };
    const releaseService = ours.find(([, s]) => migrates(s));
    const candidates = ours.filter(([, s]) => !migrates(s));
    const serves = (s: Obj) => {
        const e = effective(s);
        const words = [...(e.entry?.words ?? wordsOf(e.entry?.text ?? "")), ...(e.words ?? wordsOf(e.text ?? ""))].map((w) => w.split("/").pop() ?? w);
        return words.some((w) => SERVER_WORDS.has(w));
    };
    const app = candidates.find(([, s]) => serves(s)) ?? candidates[0];
    const service = app?.[1] ?? {};
    const others = candidates.filter((c) => c !== app).map(([name, s]) => {
        const words = composeWords(s["command"]);
        return `${name}${words === undefined ? "" : ` (${displayWords(words)})`}`;
    });
    if (others.length > 0) {
        notes.push(`${composeFile}'s service${others.length > 1 ? "s" : ""} ${others.join(", ")} ${others.length > 1 ? "are" : "is"} not deployed: this component runs the web service ${app![0]} alone; deploy ${others.length > 1 ? "them" : "it"} on ${others.length > 1 ? "their" : "its"} own.`);
    }
    const serviceNames = services.map(([n]) => n);
    const images = services.filter(([, s]) => builtHere(s) === undefined && typeof s["image"] === "string");

    // The folder the command runs in (the service's working_dir, else the WORKDIR), when it is a folder of the source below its root:
    // the command is read after a `cd` there, and the paths its words give relative to it (`--chdir /usr/src/app/src` from there is ".").
    const runDir = mapPath(typeof service["working_dir"] === "string" ? posixJoin(workdir, service["working_dir"]) : workdir);
    const relWord = relativeWord(runDir.startsWith(`${DEFAULTS.workdir}/`) ? runDir : DEFAULTS.workdir);

    // The web command: ENTRYPOINT and CMD as Docker runs them.
    const e = effective(service);
    let command: string | undefined;
    const cmdText = e.words !== undefined ? (shellLine(e.words) ?? displayWords(e.words.map(relWord))) : e.text;
    const fromCompose = app !== undefined && (service["command"] !== undefined || service["entrypoint"] !== undefined);
    const what = fromCompose
        ? { web: `${composeFile}'s service ${app![0]} command`, source: `${composeFile} service ${app![0]} command` }
        : { web: `The ${dockerfileName}'s ${e.entry !== undefined ? "ENTRYPOINT" : "CMD"}`, source: `${dockerfileName} ${e.entry !== undefined ? "ENTRYPOINT" : "CMD"}` };
    if (e.entry?.text !== undefined) {
        command = shellForm(e.entry.text, relWord); // shell form: the CMD is not passed
    } else if (e.entry?.words !== undefined && e.entry.words.length > 0) {
        const entryWords = e.entry.words.map(relWord);
        // The script an init process starts (`["/sbin/tini", "--", "/entrypoint.sh"]`) as the script itself.
        const { wrappers, command: entryCommand } = pastWrappers(e.entry.words.map(rootWord));
        const script = entryCommand.length === 1 ? scriptOf(src, entryCommand[0]) : undefined;
        const lines = script === undefined ? undefined : commands(shellTokens(script.commands)).map((c) => c.words);
        const last = lines?.[lines.length - 1];
        // `exec "$@"` runs the CMD; `uwsgi "$@"` (KitchenOwl's) gives the CMD's words to a program.
        const tail = last === undefined ? undefined : last[0] === "exec" ? last.slice(1) : last;
        const passes = tail !== undefined && tail.length > 0 && ["$@", "${@}"].includes(tail[tail.length - 1]) && !tail.slice(0, -1).some((w) => w.includes("$@"));
        const given = cmdText === undefined ? undefined : passes && tail!.length > 1 ? `${displayWords(tail!.slice(0, -1))} ${cmdText}` : cmdText;
        const flow = lines?.some((w) => CONTROL_WORDS.has(w[0] ?? "")) ?? false;
        if (script !== undefined && passes && cmdText === undefined) {
            notes.push(`The image's entrypoint ${script.file} ends by running its arguments (\`exec "$@"\`), and no CMD gives them: no web command is read from it.`);
        } else if (script !== undefined && passes && flow) {
            // Under control flow only the commands outside it that the image can stand for are kept: a migration (the
            // release step) and `mkdir -p` (made at every start), as for a start script's; the others are named.
            const kept = topLevel(lines!.slice(0, -1)).filter((w) => isMigrationCommand(w) || w[0] === "mkdir");
            command = [...kept.map((w) => displayWords(w)), given].join(" && ");
            notes.push(
                `The image's entrypoint ${script.file} runs commands under control flow (if/then, loops) before ${given === cmdText ? "the CMD" : `\`${given}\``}: that is read as the web command` +
                    (kept.length > 0 ? `, after ${kept.map((w) => `\`${displayWords(w)}\``).join(", ")}, and the other commands are not run` : ", and those commands are not run") +
                    " (set `releaseCommand` for what must run at deploy).",
            );
        } else if (script !== undefined && passes && given !== undefined) {
            // `exec "$@"`: the script's commands, then the CMD.
            command = [...lines!.slice(0, -1).map((w) => displayWords(w)), given].join(" && ");
            notes.push(`The image's entrypoint ${script.file} runs ${lines!.length > 1 ? `\`${lines!.slice(0, -1).map((w) => displayWords(w)).join(" && ")}\` and then ` : ""}${given === cmdText ? "the CMD" : `\`${given}\``}: read as \`${command}\`.`);
        } else {
            // The CMD's words in the image's terms too (`ENTRYPOINT ["tini", "--"]` with `CMD ["/app/docker/entrypoint.sh"]`).
            command = shellLine([...e.entry.words, ...(e.words ?? [])]) ?? displayWords([...entryWords, ...(e.words ?? []).map(relWord)]);
        }
        if (script !== undefined && passes && cmdText !== undefined) {
            // The CMD is read without the wrapper the entrypoint's script runs under.
            notes.push(...wrappers.filter((w) => w[0] !== "exec").map((w) => wrapperNote(service["entrypoint"] !== undefined ? composeFile! : dockerfileName, w)));
        }
    } else {
        command = e.text !== undefined ? shellForm(e.text, relWord) : cmdText;
    }

    const startsIn =
        command !== undefined && runDir.startsWith(`${DEFAULTS.workdir}/`)
            ? { dir: runDir.slice(DEFAULTS.workdir.length + 1), why: typeof service["working_dir"] === "string" ? `${composeFile}'s working_dir` : `the ${dockerfileName}'s WORKDIR` }
            : undefined;
    if (startsIn !== undefined) {
        command = `${displayWords(["cd", startsIn.dir])} && ${command}`;
    }

    // The environment: the Dockerfile's ENV, then the service's `environment:`.
    const set: Array<readonly [string, string, string]> = [];
    const needs: Array<readonly [string, string]> = [];
    const installerVars: string[] = [];
    const take = (name: string, value: string | undefined, file: string) => {
        // The service's value replaces the image's.
        for (const list of [set, needs] as Array<Array<readonly [string, ...string[]]>>) {
            const at = list.findIndex(([k]) => k === name);
            if (at >= 0) {
                list.splice(at, 1);
            }
        }
        if (name === "PYTHONPATH" && value !== undefined) {
            // `ENV PYTHONPATH=/app` (full-stack-fastapi-template's, for `python app/backend_pre_start.py` in its prestart script):
            // the folders of the source it names, in the image's terms; the rest (`$PYTHONPATH`, folders outside the source) is the app's own image's.
            const kept = value
                .split(":")
                .filter((e) => e.startsWith("/") && !e.includes("$"))
                .map(mapValue)
                .filter((e) => e === DEFAULTS.workdir || e.startsWith(`${DEFAULTS.workdir}/`));
            if (kept.length > 0) {
                set.push([name, [...new Set(kept)].join(":"), file]);
            }
            return;
        }
        if (IMAGE_OWN.has(name)) {
            return; // the image sets these itself (its venv on PATH, HOME, PORT...)
        } else if (INSTALLER_PREFIXES.some((p) => name.startsWith(p))) {
            installerVars.push(name); // the app's own install's settings (POETRY_VIRTUALENVS_CREATE): the image installs with its own
        } else if (value === undefined) {
            needs.push([name, `${file}, no value`]);
        } else if (value.includes("$")) {
            needs.push([name, `${file}, ${value}`]);
        } else if (/[\x00-\x1f\x7f]/.test(value)) {
            needs.push([name, `${file}, a value with characters an image variable cannot hold`]);
        } else if (SECRET_NAME.test(name)) {
            needs.push([name, `${file}, a secret`]);
        } else if (serviceNames.some((n) => hostOf(value) === n || bareHost(value) === n)) {
            needs.push([name, `${file}: ${value} is the compose service ${hostOf(value) ?? bareHost(value)}`]);
        } else {
            set.push([name, mapValue(value), file]);
        }
    };
    // The service's bind mounts of the source's own files (`./contrib/site.cfg:/config/site.cfg`): the image holds them at their place in /app.
    const binds = volumeRows(service).flatMap(({ host, target }): Array<readonly [string, string]> => {
        const rel = host.startsWith(".") ? path.posix.normalize(host).replace(/\/+$/, "") : undefined;
        if (!target.startsWith("/") || rel === undefined || rel === "." || rel === ".." || rel.startsWith("../")) {
            return [];
        }
        return src.exists(rel) ? [[posixJoin("/", target), rel]] : [];
    });
    const mapBound = (v: string): string | undefined => {
        const hit = binds.find(([to]) => v === to || v.startsWith(`${to}/`));
        return hit === undefined ? undefined : posixJoin(`${DEFAULTS.workdir}/${hit[1]}`, v.slice(hit[0].length).replace(/^\//, "") || ".");
    };
    const mapValue = (v: string) => (v.startsWith("/") && !v.includes(" ") ? (mapBound(v) ?? mapPath(v)) : v);
    for (const [k, v] of dockerfile?.env ?? []) {
        take(k, v, `${dockerfileName} ENV`);
    }
    const environment = service["environment"];
    const envFile = `${composeFile}'s service ${app?.[0]} environment`;
    const rows: Array<readonly [string, string | undefined]> = Array.isArray(environment)
        ? environment.map((row) => {
              const text = String(row);
              const eq = text.indexOf("=");
              return [eq < 0 ? text : text.slice(0, eq), eq < 0 ? undefined : text.slice(eq + 1)] as const;
          })
        : Object.entries(obj(environment) ?? {}).map(([k, v]) => [k, v === null || v === undefined ? undefined : String(v)] as const);
    // A service that runs a development server over a bind mount of the source (`manage.py runserver`
    // with `.:/code`) is the authors' development setup: its variables (DEBUG=1, a dev database)
    // are not production's. The Dockerfile's ENV, which the image is built with, still counts.
    const devServer = fromCompose && command !== undefined ? developmentServer(command) : undefined;
    const devMount = devServer !== undefined && volumeRows(service).some(({ host, target }) => sourceMount(src, host, mapPath(target)));
    if (devMount && rows.length > 0) {
        notes.push(
            `${composeFile}'s service ${app?.[0]} is a development setup (it runs \`${devServer}\` over a bind mount of the source): its environment (${rows.map(([k]) => k).join(", ")}) is not carried. ` +
                "Set what production needs with PythonApp's `env` (`secretEnv` for secrets).",
        );
    } else {
        // A debug switch turned on (FLASK_DEBUG: 1, DEBUG: "true") is the authors' setup, never production's; a variable the
        // Dockerfile's ENV already sets keeps the image's value (isso's e2e Compose file points its settings at a test config).
        const debugOn: string[] = [];
        const overrides: string[] = [];
        const imageSets = new Map((dockerfile?.env ?? []).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v]));
        for (const [k, v] of rows) {
            if (v !== undefined && DEBUG_SWITCH.test(k) && TRUE_WORDS.has(v.trim().toLowerCase())) {
                debugOn.push(`${k}=${v}`);
            } else if (v !== undefined && imageSets.has(k) && imageSets.get(k) !== v) {
                overrides.push(`${k}=${v} (the Dockerfile's ENV: ${imageSets.get(k)})`);
            } else {
                take(k, v, envFile);
            }
        }
        if (debugOn.length > 0) {
            notes.push(
                `${composeFile}'s service ${app?.[0]} turns debugging on (${debugOn.join(", ")}): not carried, as a production image must not (tracebacks and debug toolbars to every visitor). ` +
                    "Set it with PythonApp's `env` only where debugging is wanted.",
            );
        }
        if (overrides.length > 0) {
            notes.push(
                `${composeFile}'s service ${app?.[0]} sets ${overrides.join(", ")}: the image keeps the value of the app's own Dockerfile, which it replaces; ` +
                    "set the other with PythonApp's `env` if that is the deployment's.",
            );
        }
    }
    if (installerVars.length > 0) {
        const names = [...new Set(installerVars)];
        notes.push(`${names.join(", ")} ${names.length > 1 ? "configure" : "configures"} the app's own install, which the image replaces with its own: not carried into the image's environment.`);
    }
    const envFiles = ([] as unknown[]).concat(service["env_file"] ?? []).map((f) => (typeof f === "string" ? f : String(obj(f)?.["path"] ?? ""))).filter((f) => f !== "");
    if (envFiles.length > 0) {
        notes.push(`${composeFile}'s service ${app?.[0]} reads its variables from ${envFiles.join(", ")}, which is not read (it holds the deployment's own values): set them with PythonApp's \`env\` (\`secretEnv\` for secrets).`);
    }

    // Data folders: the Dockerfile's VOLUMEs, the service's volumes (named or bound), read-write.
    const mounts: Array<{ path: string; source: string }> = [];
    for (const v of dockerfile?.volumes ?? []) {
        mounts.push({ path: mapPath(v), source: `${dockerfileName} VOLUME ${v}` });
    }
    for (const { v, host, target, readOnly } of volumeRows(service)) {
        if (readOnly) {
            continue;
        }
        if (sourceMount(src, host, mapPath(target))) {
            notes.push(`${composeFile}'s service ${app?.[0]} mounts the source folder ${host} over ${target} (a development mount, for live reload): not carried, the image holds the source.`);
            continue;
        }
        // A file of the source bound into the container (security_monkey's `./env-config/config-docker.py:...`): the app's settings, not its data.
        const hostFile = host.startsWith(".") ? sourceFile(src, host) : undefined;
        if (hostFile !== undefined && target.startsWith("/")) {
            const copy = `${DEFAULTS.workdir}/${hostFile}`;
            notes.push(
                `${composeFile}'s service ${app?.[0]} binds the source's file ${host} at ${target}: not carried as a volume (a file of the source, not data); the image holds the source's copy at ${copy}` +
                    (mapPath(target) === copy ? "." : `, not at ${target}: point the app at that path, or copy the file there with a build step.`),
            );
            continue;
        }
        // A dotenv file bound in (FastAPI-boilerplate's `./src/.env:/code/.env`, git-ignored): the deployment's own values, as env_file's.
        const base = host.split("/").pop() ?? "";
        if (host.startsWith(".") && (base === ".env" || base.startsWith(".env.") || base.endsWith(".env"))) {
            notes.push(
                `${composeFile}'s service ${app?.[0]} binds ${host} at ${target}: not carried (an env file holds the deployment's own values, not data): set them with PythonApp's \`env\` (\`secretEnv\` for secrets).`,
            );
            continue;
        }
        if (target.startsWith("/") && !mounts.some((m) => m.path === mapPath(target))) {
            mounts.push({ path: mapPath(target), source: `${composeFile}'s service ${app?.[0]} volume ${typeof v === "string" ? v : target}` });
        }
    }

    // The health check: the service's, else the image's.
    const test = obj(service["healthcheck"])?.["test"];
    const testWords = Array.isArray(test) ? test.map(String).slice(1) : typeof test === "string" ? [test] : undefined;
    const composePath = checkPath(testWords?.flatMap((w) => [w, ...wordsOf(w)]));
    const imagePath = checkPath(dockerfile?.health);
    const healthCheckPath = composePath !== undefined ? { path: composePath, source: `${composeFile}'s service ${app?.[0]} healthcheck` } : imagePath !== undefined ? { path: imagePath, source: `${dockerfileName}'s HEALTHCHECK` } : undefined;

    if (images.length > 0) {
        notes.push(
            `${composeFile} runs ${images.map(([n, s]) => `${n} (${String(s["image"])})`).join(", ")} beside the app; this component deploys the app alone: ` +
                "give it the address of such a service with PythonApp's `env` (`secretEnv` for credentials).",
        );
    }
    const release = releaseService === undefined ? undefined : { command: lineOf(releaseService[1])!, service: releaseService[0], file: composeFile! };
    return {
        file: fromCompose ? composeFile! : dockerfileName,
        command,
        commandFrom: command === undefined ? undefined : what,
        startsIn,
        release,
        healthCheckPath,
        set,
        needs,
        mounts,
        python: dockerfile?.python === undefined ? undefined : { said: dockerfile.python, source: `${dockerfileName} FROM python:${dockerfile.python}` },
        buildEnv: (dockerfile?.buildEnv ?? []).map(([k, v]) => [k, v, `${dockerfileName} RUN`] as const),
        notes,
        appPath: mapPath,
    };
}

/** Variables that switch an app's debugging on (DEBUG, FLASK_DEBUG, DJANGO_DEBUG, APP_DEBUG). */
const DEBUG_SWITCH = /^([A-Z0-9]+_)?DEBUG$/;

/** The values those switches read as on (Flask's get_debug_flag, django-environ's and decouple's bool casts). */
const TRUE_WORDS = new Set(["1", "true", "yes", "on", "y", "t"]);

/** A value that is a host name alone, or with a port (`db`, `db:5432`, POSTGRES_HOST's and DB_HOST's shape): that name. */
function bareHost(value: string): string | undefined {
    const [host, port, ...rest] = value.split(":");
    return rest.length === 0 && host !== "" && (port === undefined || (port !== "" && [...port].every((c) => c >= "0" && c <= "9"))) ? host : undefined;
}

/** The host of a URL-like value (`redis://redis:6379/0`, `postgresql://u:p@db:5432/x`). */
function hostOf(value: string): string | undefined {
    try {
        return value.includes("://") ? new URL(value).hostname : undefined;
    } catch {
        return undefined;
    }
}
