import type { SyntaxNode } from "@lezer/common";
import { parser as jsParser } from "@lezer/javascript";
import { candidates, ImportRoot, moduleReader } from "./app-code";
import { table } from "./dependencies";
import { joinPath, pathValue } from "./paths";
import { dockerfileRuns } from "./container";
import { commands, displayWords, shellTokens } from "./procfile";
import { calleeOf, Expr, parseModule } from "./python-source";
import { SourceTree } from "./source";

/**
 * A front-end build beside the Python app: package.json's `build` script,
 * run with npm, that compiles the CSS/JS the app serves (Tailwind, Sass,
 * webpack, Vite, esbuild...) into its static folders. Those outputs are
 * usually not committed, so an image without the build ships pages that
 * reference files that do not exist (and Django's manifest storage or
 * django-compressor fail on them).
 *
 * Only a package.json at the root of the source folder counts (or the one
 * a convention names: django-tailwind's <TAILWIND_APP_NAME>/static_src),
 * and only when its dependencies name a known build tool (FRONTEND_TOOLS): a
 * `build` script alone may build docs or a separate app deployed elsewhere.
 */
export interface FrontendBuild {
    /** package.json's path in the source folder. */
    readonly file: string;
    /** Its folder, relative to the source folder ("" for the root): where npm runs. */
    readonly dir: string;
    /** The script as written, for notes. */
    readonly script: string;
    /** How the dependencies install: `npm ci` with package-lock.json or npm-shrinkwrap.json, else `npm install`. */
    readonly install: "npm ci" | "npm install";
    /** The build tools its dependencies name, in package.json's order. */
    readonly tools: readonly string[];
    /** A script of package.json runs the `flask` command (Flask-Static-Digest's `flask digest compile`): it must find the app. */
    readonly runsFlask: boolean;
    /**
     * The Node.js versions the build needs, as npm's `engines.node` ranges: package.json's own, and each
     * build tool's as its lock file records it (`vite` 7: "^20.19.0 || >=22.12.0").
     */
    readonly nodeNeeds: ReadonlyArray<{ readonly who: string; readonly range: string }>;
}

export type FrontendFacts = { readonly build: FrontendBuild } | { readonly skipped: string } | undefined;

/** Packages whose presence says `build` compiles front-end assets. */
export const FRONTEND_TOOLS: readonly string[] = [
    "tailwindcss",
    "@tailwindcss/cli",
    "@tailwindcss/postcss",
    "sass",
    "node-sass",
    "postcss-cli",
    "webpack",
    "webpack-cli",
    "vite",
    "esbuild",
    "rollup",
    "parcel",
    "gulp",
    "@babel/cli",
    "typescript",
];

/** Other package managers' locks, which the builder's npm cannot honour. */
const FOREIGN_LOCKS: readonly string[] = ["yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock"];

/** How npm installs a folder's packages: `npm ci` with package-lock.json or npm-shrinkwrap.json, else `npm install`. */
function npmInstall(src: SourceTree, dir: string): "npm ci" | "npm install" {
    const at = (name: string) => (dir === "" ? name : `${dir}/${name}`);
    return src.isFile(at("package-lock.json")) || src.isFile(at("npm-shrinkwrap.json")) ? "npm ci" : "npm install";
}

export function detectFrontend(src: SourceTree, dir = ""): FrontendFacts {
    const at = (name: string) => (dir === "" ? name : `${dir}/${name}`);
    const file = at("package.json");
    const text = src.readIfFile(file);
    if (text === undefined) {
        return undefined;
    }
    let pkg: Record<string, unknown>;
    try {
        const parsed: unknown = JSON.parse(text);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            return { skipped: `${file} is not a JSON object; no front-end build is run.` };
        }
        pkg = parsed as Record<string, unknown>;
    } catch (e) {
        return { skipped: `${file} is not valid JSON (${(e as Error).message}); no front-end build is run.` };
    }
    const scripts = pkg["scripts"];
    // Heroku's Node.js buildpack runs `heroku-postbuild` instead of `build` when a package defines it.
    const named = (key: string): unknown => (scripts !== null && typeof scripts === "object" ? (scripts as Record<string, unknown>)[key] : undefined);
    const script = typeof named("heroku-postbuild") === "string" && (named("heroku-postbuild") as string).trim() !== "" ? named("heroku-postbuild") : named("build");
    if (typeof script !== "string" || script.trim() === "") {
        return undefined;
    }
    const names = ["dependencies", "devDependencies"].flatMap((k) => {
        const deps = pkg[k];
        return deps !== null && typeof deps === "object" ? Object.keys(deps as Record<string, unknown>) : [];
    });
    const tools = names.filter((n) => FRONTEND_TOOLS.includes(n));
    if (tools.length === 0 && dir === "") {
        // A root package.json that builds another folder's package (`npm --prefix frontend run build`, `cd frontend && npm run build`,
        // npm's workspaces): that package is the build, run in its own folder with its own lock, as the root's script would.
        const inner = delegatedDir(script, pkg).map((d) => detectFrontend(src, d)).find((f) => f !== undefined && "build" in f);
        if (inner !== undefined) {
            return inner;
        }
    }
    if (tools.length === 0) {
        return { skipped: `${file} has a build script (${script}) but names none of the front-end build tools the package knows (${FRONTEND_TOOLS.slice(0, 6).join(", ")}, ...): it is not run; add it to \`buildCommands\` if the image needs it.` };
    }
    const lock = FOREIGN_LOCKS.map(at).find((f) => src.isFile(f));
    if (lock !== undefined) {
        return { skipped: `${file}'s build script (${script}) is not run: its dependencies are locked by ${lock}, and the builder installs with npm only; run it with \`buildCommands\` (and \`aptBuildPackages\`), or commit its output.` };
    }
    // `npm run build` may run other scripts (`&& npm run flask-static-digest`): any of them running flask counts.
    const all = Object.values(scripts as Record<string, unknown>).filter((v): v is string => typeof v === "string");
    const runsFlask = all.some((text) => commands(shellTokens(text)).some((c) => c.words.find((w) => !w.includes("=")) === "flask"));
    return { build: { file, dir, script, install: npmInstall(src, dir), tools, runsFlask, nodeNeeds: nodeNeeds(src, at, pkg, tools) } };
}

/**
 * The root package.json's front-end build tools when it has no `build` (or
 * `heroku-postbuild`) script to run them (djangogirls' gulp, run by its own
 * Dockerfile's `RUN gulp local`): nothing builds the front-end in the image.
 */
export function toolsWithoutBuild(src: SourceTree): { file: string; tools: string[] } | undefined {
    let pkg: unknown;
    try {
        pkg = JSON.parse(src.readIfFile("package.json") ?? "null");
    } catch {
        return undefined; // detectFrontend says so
    }
    if (pkg === null || typeof pkg !== "object" || Array.isArray(pkg)) {
        return undefined;
    }
    const field = (k: string): Record<string, unknown> => {
        const v = (pkg as Record<string, unknown>)[k];
        return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    };
    const scripts = field("scripts");
    if (["build", "heroku-postbuild"].some((k) => typeof scripts[k] === "string" && (scripts[k] as string).trim() !== "")) {
        return undefined;
    }
    const tools = [...Object.keys(field("dependencies")), ...Object.keys(field("devDependencies"))].filter((n) => FRONTEND_TOOLS.includes(n));
    return tools.length === 0 ? undefined : { file: "package.json", tools };
}

/**
 * The app's own Dockerfile's RUN commands that run those front-end tools of the root package.json (djangogirls'
 * `RUN gulp local`, `npx webpack --mode production`, or `npm run <a script of package.json>`), in order, as the
 * builder runs them: a tool by its local binary (`node_modules/.bin/gulp local`), whatever the Dockerfile installed
 * globally. With how the dependencies install (`npm ci` with package-lock.json, else `npm install`); undefined when no
 * RUN runs one, or another package manager's lock pins them.
 */
export function dockerfileFrontend(src: SourceTree, tools: readonly string[]): { steps: string[]; install: "npm ci" | "npm install"; lines: string[] } | undefined {
    if (FOREIGN_LOCKS.some((f) => src.isFile(f))) {
        return undefined;
    }
    let scripts: Record<string, unknown> = {};
    try {
        const pkg: unknown = JSON.parse(src.readIfFile("package.json") ?? "{}");
        const s = pkg !== null && typeof pkg === "object" ? (pkg as Record<string, unknown>)["scripts"] : undefined;
        scripts = s !== null && typeof s === "object" && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
    } catch {
        return undefined;
    }
    const steps: string[] = [];
    const lines: string[] = [];
    for (const run of dockerfileRuns(src)) {
        const w = run.words;
        const program = (w[0] ?? "").split("/").pop() ?? "";
        const viaNpx = program === "npx" ? w.slice(1).findIndex((x) => !x.startsWith("-")) + 1 : -1;
        const tool = tools.includes(program) ? 0 : viaNpx > 0 && tools.includes(w[viaNpx]) ? viaNpx : -1;
        let command: string[] | undefined;
        if (tool >= 0) {
            command = [`node_modules/.bin/${w[tool]}`, ...w.slice(tool + 1)];
        } else if (program === "npm" && (w[1] === "run" || w[1] === "run-script") && typeof scripts[w[2] ?? ""] === "string") {
            command = w;
        }
        if (command !== undefined) {
            steps.push(displayWords(command));
            if (!lines.includes(run.line)) {
                lines.push(run.line);
            }
        }
    }
    return steps.length > 0 ? { steps, install: npmInstall(src, ""), lines } : undefined;
}

/** package.json's `engines.node`, and the build tools' in package-lock.json (lockfileVersion 2 and 3: `packages["node_modules/vite"]`). */
function nodeNeeds(src: SourceTree, at: (name: string) => string, pkg: Record<string, unknown>, tools: readonly string[]): Array<{ who: string; range: string }> {
    const engine = (o: unknown): string | undefined => {
        const engines = o !== null && typeof o === "object" ? (o as Record<string, unknown>)["engines"] : undefined;
        const node = engines !== null && typeof engines === "object" ? (engines as Record<string, unknown>)["node"] : undefined;
        return typeof node === "string" && node.trim() !== "" ? node.trim() : undefined;
    };
    const out: Array<{ who: string; range: string }> = [];
    const own = engine(pkg);
    if (own !== undefined) {
        out.push({ who: `${at("package.json")}'s engines`, range: own });
    }
    const lockFile = [at("package-lock.json"), at("npm-shrinkwrap.json")].find((f) => src.isFile(f));
    let lock: unknown;
    try {
        lock = lockFile === undefined ? undefined : JSON.parse(src.read(lockFile));
    } catch {
        return out; // npm ci refuses a broken lock with its own message
    }
    const packages = lock !== null && typeof lock === "object" ? (lock as Record<string, unknown>)["packages"] : undefined;
    for (const tool of tools) {
        const entry = packages !== null && typeof packages === "object" ? (packages as Record<string, unknown>)[`node_modules/${tool}`] : undefined;
        const range = engine(entry);
        const version = entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>)["version"] : undefined;
        if (range !== undefined) {
            out.push({ who: `${tool}${typeof version === "string" ? ` ${version}` : ""} (${lockFile})`, range });
        }
    }
    return out;
}

/** The folders a root build script runs npm in (`npm --prefix X`, `npm -C X`, `cd X && npm ...`, `--workspace X`), then npm workspaces. */
function delegatedDir(script: string, pkg: Record<string, unknown>): string[] {
    const dirs: string[] = [];
    const add = (d: string | undefined) => {
        const clean = d?.replace(/^\.\//, "").replace(/\/+$/, "");
        if (clean !== undefined && clean !== "" && /^[A-Za-z0-9._/-]+$/.test(clean) && !clean.split("/").includes("..") && !dirs.includes(clean)) {
            dirs.push(clean);
        }
    };
    let cd: string | undefined;
    for (const c of commands(shellTokens(script))) {
        const w = c.words;
        if (w[0] === "cd" && w.length === 2) {
            cd = w[1];
            continue;
        }
        if (w[0] === "npm" || w[0] === "npx") {
            if (cd !== undefined) {
                add(cd);
            }
            for (let i = 1; i < w.length; i++) {
                if (["--prefix", "-C", "--workspace", "-w"].includes(w[i])) {
                    add(w[i + 1]);
                } else if (/^--(prefix|workspace)=/.test(w[i])) {
                    add(w[i].slice(w[i].indexOf("=") + 1));
                }
            }
        }
    }
    const workspaces = pkg["workspaces"];
    for (const d of Array.isArray(workspaces) ? workspaces : []) {
        if (typeof d === "string" && !d.includes("*")) {
            add(d);
        }
    }
    return dirs;
}

/**
 * The front-end packages in folders of the app (not at the root) whose build
 * output the Python code serves from a folder the source lacks:
 * `StaticFiles(directory="client/build")` (or any call given `directory=`, a
 * StaticFiles subclass for a single-page app), `Flask(static_folder=...)`,
 * `send_from_directory("frontend/dist", ...)`. Each is the nearest folder
 * above a served one that holds a package.json with a build script naming a
 * build tool, else a package beside it whose build writes there (its
 * `--outDir`, or its Vite config's `build.outDir`); the served folder must be missing (an output not committed), so
 * a front-end deployed elsewhere is never built here. An app that serves
 * several (a client and its successor beside it) gets each, once, in the order
 * found. `served`: folders the caller read elsewhere (Django's
 * STATICFILES_DIRS and template DIRS), relative to the source folder, tried
 * first. `skipped` receives why a package found that way is not built (its
 * lock is pnpm's or yarn's), for a note. `unbuilt` receives the folders
 * Starlette's StaticFiles serves that the source lacks and no package found
 * builds: StaticFiles refuses a missing folder when the app is made.
 */
export function servedFrontends(
    src: SourceTree,
    roots: readonly ImportRoot[],
    served: readonly string[] = [],
    skipped: string[] = [],
    unbuilt: Array<{ path: string; file: string }> = [],
): FrontendBuild[] {
    const out: FrontendBuild[] = [];
    /** Whether the folder is there, or a package found builds it (or would, but for its lock). */
    const builtAbove = (path: string): boolean => {
        if (path === "" || path.startsWith("/") || src.exists(path)) {
            return true;
        }
        // The served folder's ancestors, nearest first, below the root (a root package.json is the usual build already).
        const parts = path.split("/");
        for (let n = parts.length - 1; n >= 1; n--) {
            const dir = parts.slice(0, n).join("/");
            const found = src.isFile(`${dir}/package.json`) ? detectFrontend(src, dir) : undefined;
            if (found !== undefined && "build" in found) {
                if (!out.some((b) => b.dir === found.build.dir)) {
                    out.push(found.build);
                }
                return true;
            }
            // A build the builder cannot run (a pnpm or yarn lock): why, for the note, as for a root package.json.
            if (found !== undefined && "skipped" in found) {
                if (!skipped.includes(found.skipped)) {
                    skipped.push(found.skipped);
                }
                return true;
            }
        }
        // A package beside it that builds into it (`web/` with Vite's `build.outDir: "../app/ui"`, or `vite build --outDir ../app/ui`).
        for (const pkg of outputPackages(src)) {
            if (pkg.outputs.some((o) => path === o || path.startsWith(`${o}/`))) {
                const found = detectFrontend(src, pkg.dir);
                // No lock of its own, and the root's is another package manager's (full-stack-fastapi-template's bun.lock for its workspaces).
                const rootLock = FOREIGN_LOCKS.find((f) => src.isFile(f));
                if (found !== undefined && "build" in found && found.build.install === "npm install" && rootLock !== undefined) {
                    const why = `${found.build.file}'s build script (${found.build.script}) writes ${path}/, which the app serves, but is not run: its dependencies are locked by ${rootLock}, and the builder installs with npm only; run it with \`buildCommands\` (and \`aptBuildPackages\`), or commit its output.`;
                    if (!skipped.includes(why)) {
                        skipped.push(why);
                    }
                } else if (found !== undefined && "build" in found && !out.some((b) => b.dir === found.build.dir)) {
                    out.push(found.build);
                } else if (found !== undefined && "skipped" in found && !skipped.includes(found.skipped)) {
                    skipped.push(found.skipped);
                }
                return true;
            }
        }
        return false;
    };
    // Folders the caller knows the app serves (Django's STATICFILES_DIRS and template DIRS).
    served.forEach((p) => builtAbove(p));
    const reader = moduleReader(src, roots);
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        const lookup = (name: string) => {
            const expr = mod?.value(name);
            return expr ? { expr, file: c.file } : undefined;
        };
        for (const call of mod?.calls ?? []) {
            const callee = calleeOf(call) ?? "";
            const given =
                call.kwargs["directory"] ??
                (STATIC_FILES.has(callee) ? call.args[0] : undefined) ??
                (callee === "flask.Flask" ? call.kwargs["static_folder"] : undefined) ??
                (callee === "flask.send_from_directory" ? (call.args[0] ?? call.kwargs["directory"]) : undefined);
            const path = given === undefined ? undefined : pathValue(given, { file: c.file, cwd: "", lookup });
            // StaticFiles(directory=...) checks the folder when the app is made (check_dir=True): a missing one stops the app.
            const checked = STATIC_FILES.has(callee) && !(call.kwargs["check_dir"]?.kind === "bool" && call.kwargs["check_dir"].value === false);
            if (path !== undefined && !builtAbove(path) && checked && !unbuilt.some((u) => u.path === path)) {
                unbuilt.push({ path, file: c.file });
            }
        }
    }
    return out;
}

/**
 * A package.json whose installed packages the app serves as static files:
 * Django's STATICFILES_DIRS naming `node_modules` or a folder inside it
 * (`BASE_DIR / "node_modules" / "bootstrap" / "dist"`). node_modules is never
 * in the image's source (the .dockerignore leaves it out), so npm installs it
 * in the builder before collectstatic copies the files.
 */
export interface NodeModulesInstall {
    /** package.json's path in the source folder. */
    readonly file: string;
    /** Its folder, relative to the source folder ("" for the root): where npm runs. */
    readonly dir: string;
    /** `npm ci` with package-lock.json or npm-shrinkwrap.json, else `npm install`. */
    readonly install: "npm ci" | "npm install";
    /** Every package served is among `dependencies`: `--omit=dev` installs only those. */
    readonly omitDev: boolean;
    /** The served folders, relative to the source folder, for notes. */
    readonly served: readonly string[];
}

/**
 * The package.json folders whose node_modules the app serves (`served`: folders relative to the source folder,
 * Django's STATICFILES_DIRS), in the order served. A package locked by yarn, pnpm or bun, which the builder's npm
 * cannot honour, is not installed: `skipped` receives why, for a note.
 */
export function servedNodeModules(src: SourceTree, served: readonly string[], skipped: string[] = []): NodeModulesInstall[] {
    const out: Array<{ file: string; dir: string; install: "npm ci" | "npm install"; omitDev: boolean; served: string[] }> = [];
    for (const path of served) {
        const parts = path.split("/");
        const at = parts.indexOf("node_modules");
        if (path.startsWith("/") || at < 0) {
            continue;
        }
        const dir = parts.slice(0, at).join("/");
        const file = dir === "" ? "package.json" : `${dir}/package.json`;
        const text = src.readIfFile(file);
        if (text === undefined) {
            continue;
        }
        const pkgName = parts[at + 1]?.startsWith("@") ? parts.slice(at + 1, at + 3).join("/") : parts[at + 1];
        const seen = out.find((m) => m.dir === dir);
        let deps: Record<string, unknown> = {};
        try {
            const pkg: unknown = JSON.parse(text);
            const d = pkg !== null && typeof pkg === "object" ? (pkg as Record<string, unknown>)["dependencies"] : undefined;
            deps = d !== null && typeof d === "object" && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
        } catch {
            continue; // not npm's to install; collectstatic then finds no folder, as now
        }
        // One package (node_modules/bootstrap/...) must be a runtime dependency; the whole folder needs some.
        const omitDev = pkgName === undefined ? Object.keys(deps).length > 0 : pkgName in deps;
        if (seen !== undefined) {
            seen.served.push(path);
            seen.omitDev &&= omitDev;
            continue;
        }
        const at2 = (name: string) => (dir === "" ? name : `${dir}/${name}`);
        const foreign = FOREIGN_LOCKS.map(at2).find((f) => src.isFile(f));
        if (foreign !== undefined) {
            const why = `STATICFILES_DIRS serves ${path}, which the image does not hold (node_modules is not copied): ${file}'s packages are locked by ${foreign}, and the builder installs with npm only, so they are not installed and collectstatic leaves them out; install them with \`buildCommands\` (and \`aptBuildPackages\`), or copy the files the app serves into a static folder of the source.`;
            if (!skipped.includes(why)) {
                skipped.push(why);
            }
            continue;
        }
        out.push({ file, dir, install: npmInstall(src, dir), omitDev, served: [path] });
    }
    return out;
}

/**
 * The packages in folders of the source (one or two deep, not the root) and the folders their build writes, relative
 * to the source folder: the build script's `--outDir`/`--out-dir`/`--outdir` (Vite, tsc, Babel, esbuild), and the
 * `build.outDir` string of a Vite config (vite.config.js/.mjs/.ts/.mts, read with a JavaScript parser).
 */
function outputPackages(src: SourceTree): Array<{ dir: string; outputs: string[] }> {
    const dirs = src
        .list("")
        .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules")
        .flatMap((e) => [e.name, ...src.list(e.name).filter((f) => f.isDirectory() && !f.name.startsWith(".") && f.name !== "node_modules").map((f) => `${e.name}/${f.name}`)])
        .filter((d) => src.isFile(`${d}/package.json`));
    return dirs.flatMap((dir) => {
        let script: unknown;
        try {
            script = (JSON.parse(src.read(`${dir}/package.json`)) as { scripts?: Record<string, unknown> })?.scripts?.["build"];
        } catch {
            return [];
        }
        const given: string[] = [];
        for (const c of typeof script === "string" ? commands(shellTokens(script)) : []) {
            c.words.forEach((w, i) => {
                const flag = ["--outDir", "--out-dir", "--outdir"].find((f) => w === f || w.startsWith(`${f}=`));
                const value = flag === undefined ? undefined : w === flag ? c.words[i + 1] : w.slice(flag.length + 1);
                if (value !== undefined) {
                    given.push(value);
                }
            });
        }
        const config = ["vite.config.js", "vite.config.mjs", "vite.config.ts", "vite.config.mts"].map((f) => `${dir}/${f}`).find((f) => src.isFile(f));
        if (config !== undefined) {
            given.push(...viteOutDirs(src.read(config), config.endsWith("ts")));
        }
        const outputs = given.flatMap((g) => {
            const joined = g.startsWith("/") ? undefined : joinPath(dir, g.replace(/\/+$/, ""));
            return joined === undefined || joined === "" ? [] : [joined];
        });
        return outputs.length > 0 ? [{ dir, outputs }] : [];
    });
}

/** The string values of `outDir` properties inside a `build` object of a Vite config (`export default defineConfig({ build: { outDir: "..." } })`). */
export function viteOutDirs(text: string, typescript: boolean): string[] {
    const tree = (typescript ? jsParser.configure({ dialect: "ts" }) : jsParser).parse(text);
    const out: string[] = [];
    const nameOf = (prop: SyntaxNode): string | undefined => {
        const key = prop.firstChild;
        if (key === null) {
            return undefined;
        }
        const raw = text.slice(key.from, key.to);
        return key.name === "String" ? unquote(raw) : key.name === "PropertyDefinition" ? raw : undefined;
    };
    tree.iterate({
        enter: (n) => {
            if (n.name !== "Property" || nameOf(n.node) !== "outDir") {
                return;
            }
            // Inside `build: { ... }`: the object's own property.
            const object = n.node.parent;
            const owner = object?.name === "ObjectExpression" ? object.parent : null;
            if (owner?.name !== "Property" || nameOf(owner) !== "build") {
                return;
            }
            const value = n.node.lastChild;
            if (value?.name === "String") {
                const v = unquote(text.slice(value.from, value.to));
                if (v !== undefined) {
                    out.push(v);
                }
            }
        },
    });
    return out;
}

/** A JavaScript string literal's text, for the simple ones a config names a folder with (no escapes). */
function unquote(raw: string): string | undefined {
    const q = raw[0];
    return (q === '"' || q === "'") && raw.endsWith(q) && raw.length >= 2 && !raw.includes("\\") ? raw.slice(1, -1) : undefined;
}

/** Starlette's static files app, by the names it is imported under. */
const STATIC_FILES: ReadonlySet<string> = new Set(["starlette.staticfiles.StaticFiles", "fastapi.staticfiles.StaticFiles"]);

/**
 * The Python build hook that runs npm while the project itself is built
 * (a package that compiles its front-end into its wheel, as Fava does): the
 * file of Hatch's custom build hook (`[tool.hatch.build.hooks.custom]` or a
 * target's, its `path` or hatch_build.py), or setup.py, whose code calls
 * something with npm as the program (`shutil.which("npm")`,
 * `subprocess.run(["npm", "ci"])`, `"npm run build"`), read with the Python
 * parser. The builder then needs nodejs and npm; undefined when no hook does.
 */
export function buildHookRunningNpm(src: SourceTree, pyproject: Record<string, unknown> | undefined): string | undefined {
    const build = table(table(table(pyproject, "tool"), "hatch"), "build");
    const hooks = [table(build, "hooks"), table(table(table(build, "targets"), "wheel"), "hooks")];
    const files = hooks.map((h) => table(h, "custom")).filter((c) => c !== undefined).map((c) => (typeof c["path"] === "string" ? c["path"] : "hatch_build.py"));
    for (const file of [...new Set([...files, "setup.py"])]) {
        const text = file.split("/").includes("..") || file.startsWith("/") ? undefined : src.readIfFile(file);
        if (text !== undefined && parseModule(text).calls.some((c) => [...c.args, ...Object.values(c.kwargs)].some(namesNpm))) {
            return file;
        }
    }
    return undefined;
}

/** A call argument that names npm as the program: "npm", "npm run build", or a list/tuple starting so. */
function namesNpm(e: Expr): boolean {
    if (e.kind === "str") {
        return e.value === "npm" || e.value.startsWith("npm ");
    }
    return e.kind === "list" && e.items.length > 0 && namesNpm(e.items[0]!);
}
