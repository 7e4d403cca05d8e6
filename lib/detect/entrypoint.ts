import { InputError } from "../errors";
import { APP_SPEC } from "../validate";
import { SourceTree } from "./source";

export type AppInterface = "wsgi" | "asgi";
export type Framework = "flask" | "django" | "fastapi" | "starlette" | "quart" | "unknown";

export interface Entrypoint {
    /** gunicorn's APP_MODULE: "module:attribute" or "module:factory()". */
    readonly spec: string;
    readonly interface: AppInterface;
    readonly framework: Framework;
    /** What decided it: "`app`", "Procfile", "Django settings (proj/settings.py)" or a module's path. */
    readonly source: string;
}

const ASGI_FRAMEWORKS: ReadonlySet<Framework> = new Set(["fastapi", "starlette", "quart"]);

/** Folders never scanned for the app: tools, virtualenvs, tests. */
const SKIP_DIRS = new Set([
    ".git", ".hg", ".svn", ".venv", "venv", "env", "node_modules", "__pycache__", "tests", "test",
    "docs", "migrations", "static", "templates", "site-packages", "build", "dist", ".tox", ".nox",
]);

/** Which file names are likeliest to hold the app, best first. */
const RANK = ["app", "main", "wsgi", "asgi", "server", "api", "application", "__init__"];

const CONSTRUCTOR =
    /^([A-Za-z_]\w*)\s*(?::\s*[\w.[\]]+\s*)?=\s*(?:[A-Za-z_]\w*\.)?(Flask|FastAPI|Starlette|Quart)\s*\(/m;
const FACTORY = /^def\s+(create_app|make_app)\s*\(([^)]*)\)/m;

export function detectEntrypoint(
    src: SourceTree,
    app: unknown,
    requestedInterface: unknown,
    dependencyNames: ReadonlySet<string>,
): Entrypoint {
    if (requestedInterface !== undefined && requestedInterface !== "wsgi" && requestedInterface !== "asgi") {
        throw new InputError(
            "`interface`",
            `\`interface\` is ${JSON.stringify(requestedInterface)}; it must be "wsgi" or "asgi".`,
        );
    }
    const fromDeps = frameworkFromDependencies(dependencyNames);
    const found = find(src, app, fromDeps);
    const iface = (requestedInterface as AppInterface | undefined) ?? found.interface;
    return { ...found, interface: iface };
}

function find(src: SourceTree, app: unknown, fromDeps: Framework): Entrypoint {
    if (app !== undefined) {
        if (typeof app !== "string" || !APP_SPEC.test(app)) {
            throw new InputError(
                "`app`",
                `\`app\` is ${JSON.stringify(app)}; it must be "module:attribute" (e.g. "app:app", "myproj.wsgi:application") ` +
                    'or "module:factory()" (e.g. "app:create_app()"), with Python identifiers only.',
            );
        }
        const moduleText = readModule(src, app.split(":")[0]);
        const framework = moduleText ? frameworkFromText(moduleText) ?? fromDeps : fromDeps;
        return { spec: app, interface: interfaceOf(framework, moduleText), framework, source: "`app`" };
    }

    const procfile = fromProcfile(src, fromDeps);
    if (procfile) {
        return procfile;
    }
    const django = fromDjango(src);
    if (django) {
        return django;
    }
    const scanned = fromScan(src);
    if (scanned) {
        return scanned;
    }
    throw new InputError(
        "`app`",
        "Could not find the app: no Procfile `web:` line, no Django manage.py, and no module that creates " +
            "Flask(...), FastAPI(...) or Starlette(...) at its top level. Set `app` to gunicorn's " +
            '"module:attribute" (e.g. app: "service.main:app").',
    );
}

function frameworkFromDependencies(names: ReadonlySet<string>): Framework {
    for (const f of ["django", "fastapi", "flask", "quart", "starlette"] as const) {
        if (names.has(f)) {
            return f;
        }
    }
    return "unknown";
}

function frameworkFromText(text: string): Framework | undefined {
    const m = CONSTRUCTOR.exec(text);
    if (m) {
        return m[2].toLowerCase() as Framework;
    }
    if (/get_asgi_application|get_wsgi_application|django/.test(text)) {
        return "django";
    }
    if (/^\s*(?:from|import)\s+flask\b/m.test(text)) {
        return "flask";
    }
    return undefined;
}

function interfaceOf(framework: Framework, moduleText: string | undefined): AppInterface {
    if (ASGI_FRAMEWORKS.has(framework)) {
        return "asgi";
    }
    if (moduleText && /get_asgi_application\s*\(/.test(moduleText)) {
        return "asgi";
    }
    return "wsgi";
}

function readModule(src: SourceTree, module: string): string | undefined {
    const base = module.split(".").join("/");
    return src.readIfFile(`${base}.py`) ?? src.readIfFile(`${base}/__init__.py`);
}

function fromProcfile(src: SourceTree, fromDeps: Framework): Entrypoint | undefined {
    const text = src.readIfFile("Procfile");
    if (text === undefined) {
        return undefined;
    }
    const line = text.split(/\r?\n/).find((l) => /^web\s*:/.test(l));
    if (line === undefined) {
        return undefined;
    }
    const words = line.replace(/^web\s*:/, "").trim().split(/\s+/);
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) {
        i++; // leading VAR=value assignments
    }
    if (words[i] === "python" || words[i] === "python3") {
        i += words[i + 1] === "-m" ? 2 : 0;
    }
    const tool = words[i];
    if (tool !== "gunicorn" && tool !== "uvicorn") {
        return undefined;
    }
    const args = words.slice(i + 1);
    const specs = args.filter((w) => APP_SPEC.test(w.replace(/^['"]|['"]$/g, "")));
    if (specs.length === 0) {
        throw new InputError(
            "Procfile",
            `The Procfile's web: line runs ${tool} but names no "module:attribute" app; fix the line or set \`app\`.`,
        );
    }
    let spec = specs[specs.length - 1].replace(/^['"]|['"]$/g, "");
    let iface: AppInterface = "wsgi";
    if (tool === "uvicorn") {
        iface = "asgi";
        if (args.includes("--factory") && !spec.endsWith("()")) {
            spec += "()";
        }
    } else {
        const k = args.findIndex((w) => w === "-k" || w === "--worker-class" || w.startsWith("--worker-class="));
        const cls = k < 0 ? "" : args[k].includes("=") ? args[k].split("=")[1] : args[k + 1] ?? "";
        iface = /uvicorn/i.test(cls) ? "asgi" : "wsgi";
    }
    const moduleText = readModule(src, spec.split(":")[0]);
    const framework = (moduleText && frameworkFromText(moduleText)) || fromDeps;
    return { spec, interface: iface, framework, source: "Procfile" };
}

function fromDjango(src: SourceTree): Entrypoint | undefined {
    const manage = src.readIfFile("manage.py");
    if (manage === undefined) {
        return undefined;
    }
    const m = /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z_][\w.]*)['"]/.exec(manage);
    if (!m) {
        throw new InputError(
            "manage.py",
            "manage.py does not set DJANGO_SETTINGS_MODULE, so the settings (and WSGI_APPLICATION) cannot be found; set `app`.",
        );
    }
    const settingsModule = m[1];
    const base = settingsModule.split(".").join("/");
    const files = src.isFile(`${base}.py`)
        ? [`${base}.py`]
        : src
              .list(base)
              .filter((e) => e.isFile() && e.name.endsWith(".py"))
              .map((e) => `${base}/${e.name}`);
    let wsgi: string | undefined;
    let asgi: string | undefined;
    let where = files[0] ?? `${base}.py`;
    for (const f of files) {
        const text = src.read(f);
        const w = /^WSGI_APPLICATION\s*=\s*['"]([A-Za-z_][\w.]*)['"]/m.exec(text);
        const a = /^ASGI_APPLICATION\s*=\s*['"]([A-Za-z_][\w.]*)['"]/m.exec(text);
        if (w && !wsgi) {
            wsgi = w[1];
            where = f;
        }
        if (a && !asgi) {
            asgi = a[1];
            where = f;
        }
    }
    // Channels-style projects set ASGI_APPLICATION; plain Django sets WSGI_APPLICATION.
    const dotted = asgi ?? wsgi;
    if (!dotted || !dotted.includes(".")) {
        throw new InputError(
            where,
            `${where} sets neither WSGI_APPLICATION nor ASGI_APPLICATION; add one (e.g. WSGI_APPLICATION = "proj.wsgi.application") or set \`app\`.`,
        );
    }
    const cut = dotted.lastIndexOf(".");
    const spec = `${dotted.slice(0, cut)}:${dotted.slice(cut + 1)}`;
    return {
        spec,
        interface: asgi ? "asgi" : "wsgi",
        framework: "django",
        source: `Django settings (${where})`,
    };
}

interface Candidate {
    readonly file: string;
    readonly module: string;
    readonly depth: number;
    readonly rank: number;
}

function candidates(src: SourceTree): Candidate[] {
    const out: Candidate[] = [];
    const add = (file: string, depth: number): void => {
        const noExt = file.slice(0, -3);
        const parts = noExt.split("/");
        if (parts[parts.length - 1] === "__init__") {
            parts.pop();
        }
        if (parts.length === 0 || !parts.every((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) {
            return; // not importable by gunicorn
        }
        const name = file.split("/").pop()!.slice(0, -3);
        const rank = RANK.indexOf(name);
        out.push({ file, module: parts.join("."), depth, rank: rank < 0 ? RANK.length : rank });
    };
    for (const e of src.list("")) {
        if (e.isFile() && e.name.endsWith(".py")) {
            add(e.name, 0);
        } else if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) {
            for (const c of src.list(e.name)) {
                if (c.isFile() && c.name.endsWith(".py")) {
                    add(`${e.name}/${c.name}`, 1);
                }
            }
        }
    }
    return out.sort((a, b) => a.depth - b.depth || a.rank - b.rank || (a.file < b.file ? -1 : 1));
}

function fromScan(src: SourceTree): Entrypoint | undefined {
    let factory: Entrypoint | undefined;
    for (const c of candidates(src)) {
        if (c.file === "manage.py" || c.file === "setup.py" || c.file === "gunicorn.conf.py") {
            continue;
        }
        const text = src.read(c.file);
        const m = CONSTRUCTOR.exec(text);
        if (m) {
            const framework = m[2].toLowerCase() as Framework;
            return {
                spec: `${c.module}:${m[1]}`,
                interface: ASGI_FRAMEWORKS.has(framework) ? "asgi" : "wsgi",
                framework,
                source: c.file,
            };
        }
        const f = FACTORY.exec(text);
        if (!factory && f && /^\s*(?:from|import)\s+flask\b/m.test(text)) {
            const params = f[2].trim();
            const allDefaulted = params === "" || params.split(",").every((p) => p.includes("=") || p.trim() === "");
            if (allDefaulted) {
                factory = { spec: `${c.module}:${f[1]}()`, interface: "wsgi", framework: "flask", source: c.file };
            }
        }
    }
    return factory;
}
