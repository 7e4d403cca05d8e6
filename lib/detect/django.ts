import { InputError } from "../errors";
import { isSqliteUrl, pathValue, sqliteUrlPath } from "./paths";
import { calleeOf, dictGet, Expr, parseModule, PyModule, str, strList } from "./python-source";
import { SourceTree } from "./source";

/**
 * A Django project, read from its files: which manage.py, which settings
 * module (following `from .base import *` and absolute star imports through
 * a settings package), which WSGI/ASGI application, and the settings the
 * build and the runtime care about (static files, the database, media and
 * locale folders). Nothing is imported or run.
 */
export interface DjangoProject {
    /** The folder that holds manage.py, relative to the source folder ("" or "portal"); gunicorn runs there. */
    readonly root: string;
    readonly manage: string;
    /** The settings module manage.py selects (often the development one). */
    readonly settingsModule: string;
    /** The settings module the server runs with: the one wsgi.py/asgi.py selects, else manage.py's. */
    readonly runtimeSettings: string;
    /** gunicorn's app, its interface and the file that decided it. */
    readonly entry: { readonly spec: string; readonly interface: "wsgi" | "asgi"; readonly source: string };
    /** The runtime settings, merged through star imports. */
    readonly settings: DjangoSettings;
}

export interface DjangoSettings {
    /** Values of top-level names after every star import, as the last assignment left them. */
    get(name: string): Expr | undefined;
    /** The file that set a name last. */
    sourceOf(name: string): string | undefined;
    /** INSTALLED_APPS, resolved through list concatenations of names. */
    readonly installedApps: readonly string[];
    /**
     * Reads a path setting (`BASE_DIR / "x"`, os.path.join(BASE_DIR, "x"), a
     * literal) assigned in `file`: relative to the source folder, or absolute;
     * undefined when the code computes it unreadably.
     */
    pathOf(e: Expr | undefined, file: string): string | undefined;
    /**
     * The databases DATABASES configures: SQLite files (a dict with the sqlite3
     * ENGINE, or a URL setting such as env.db()/dj_database_url.config() whose
     * default is an sqlite:/// URL) with their paths where readable, and
     * whether any other database is configured. Empty when DATABASES is unset or {}.
     */
    readonly databases: { readonly sqlite: ReadonlyArray<{ readonly path?: string }>; readonly other: boolean };
}

const SKIP = new Set([".git", ".venv", "venv", "env", "node_modules", "__pycache__", "tests", "test", "docs", "static", "templates", "site-packages", "build", "dist"]);

/** manage.py at the root, then one folder down (src/, a project folder), the first that is Django's. */
export function findDjango(src: SourceTree): DjangoProject | undefined {
    const candidates = ["manage.py"];
    for (const e of src.list("")) {
        if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith(".")) {
            candidates.push(`${e.name}/manage.py`);
        }
    }
    for (const manage of candidates) {
        const text = src.readIfFile(manage);
        if (text === undefined) {
            continue;
        }
        const mod = parseModule(text);
        if (!isDjangoManage(mod)) {
            continue; // a Flask or custom CLI that happens to be called manage.py
        }
        return readProject(src, manage, mod);
    }
    return undefined;
}

function isDjangoManage(mod: PyModule): boolean {
    return [...mod.imported].some((m) => m === "django" || m.startsWith("django.")) || settingsModuleIn(mod) !== undefined;
}

/** `os.environ.setdefault("DJANGO_SETTINGS_MODULE", X)`, `os.environ["DJANGO_SETTINGS_MODULE"] = X`, and the like. */
export function settingsModuleIn(mod: PyModule): string | undefined | null {
    const value = (e: Expr | undefined): string | undefined => {
        const s = str(e);
        if (s !== undefined) {
            return s;
        }
        const name = e?.kind === "ref" && !e.path.includes(".") ? e.path : undefined;
        return name ? str(mod.value(name)) : undefined;
    };
    let seen = false;
    for (const call of mod.calls) {
        const callee = calleeOf(call) ?? "";
        if (str(call.args[0]) === "DJANGO_SETTINGS_MODULE" && call.args.length >= 2 && (callee.endsWith("setdefault") || callee.endsWith("get") || callee.endsWith("getenv"))) {
            seen = true;
            const v = value(call.args[1]);
            if (v !== undefined) {
                return v;
            }
        }
    }
    for (const [target, v] of mod.itemAssigns) {
        if (target.kind === "subscript" && str(target.index) === "DJANGO_SETTINGS_MODULE") {
            seen = true;
            const s = value(v);
            if (s !== undefined) {
                return s;
            }
        }
    }
    return seen ? null : undefined;
}

function join(dir: string, rel: string): string {
    return dir === "" ? rel : `${dir}/${rel}`;
}

/** A dotted module's file under a folder: a/b.py or a/b/__init__.py. */
function moduleFile(src: SourceTree, root: string, module: string): string | undefined {
    const base = join(root, module.split(".").join("/"));
    if (src.isFile(`${base}.py`)) {
        return `${base}.py`;
    }
    if (src.isFile(`${base}/__init__.py`)) {
        return `${base}/__init__.py`;
    }
    return undefined;
}

function readProject(src: SourceTree, manage: string, manageMod: PyModule): DjangoProject {
    const root = manage.includes("/") ? manage.slice(0, manage.lastIndexOf("/")) : "";
    const fromManage = settingsModuleIn(manageMod);
    const wsgiFiles = findServerModules(src, root);
    let settingsModule = typeof fromManage === "string" ? fromManage : undefined;
    if (settingsModule === undefined) {
        for (const f of wsgiFiles) {
            const s = settingsModuleIn(parseModule(src.read(f.file)));
            if (typeof s === "string") {
                settingsModule = s;
                break;
            }
        }
    }
    if (settingsModule === undefined) {
        throw new InputError(
            manage,
            `${manage} imports Django but its DJANGO_SETTINGS_MODULE could not be read (looked for os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...") ` +
                `in ${manage}${wsgiFiles.length > 0 ? ` and ${wsgiFiles.map((f) => f.file).join(", ")}` : ""}); set \`app\` (e.g. "proj.wsgi:application").`,
        );
    }
    const devSettings = readSettings(src, root, settingsModule, manage);

    // The application: WSGI_APPLICATION / ASGI_APPLICATION in the settings, else the project's wsgi.py/asgi.py.
    let entry: DjangoProject["entry"] | undefined;
    const asgi = str(devSettings.get("ASGI_APPLICATION"));
    const wsgi = str(devSettings.get("WSGI_APPLICATION"));
    const dotted = asgi ?? wsgi;
    if (dotted !== undefined && dotted.includes(".")) {
        const cut = dotted.lastIndexOf(".");
        entry = {
            spec: `${dotted.slice(0, cut)}:${dotted.slice(cut + 1)}`,
            interface: asgi !== undefined ? "asgi" : "wsgi",
            source: `Django settings (${devSettings.sourceOf(asgi !== undefined ? "ASGI_APPLICATION" : "WSGI_APPLICATION")})`,
        };
    } else {
        const top = settingsModule.split(".")[0];
        const preferred = wsgiFiles.filter((f) => f.module.startsWith(`${top}.`)).concat(wsgiFiles.filter((f) => !f.module.startsWith(`${top}.`)));
        const chosen = preferred.find((f) => f.interface === "wsgi") ?? preferred[0];
        if (chosen) {
            entry = { spec: `${chosen.module}:${chosen.attribute}`, interface: chosen.interface, source: chosen.file };
        }
    }
    if (!entry) {
        const settingsFile = moduleFile(src, root, settingsModule) ?? `${join(root, settingsModule.split(".").join("/"))}.py`;
        throw new InputError(
            settingsFile,
            `${settingsFile} (and the modules it star-imports) sets neither WSGI_APPLICATION nor ASGI_APPLICATION, and no wsgi.py or asgi.py ` +
                `in ${root === "" ? "the project" : root} assigns get_wsgi_application() or get_asgi_application(); ` +
                `add one (e.g. WSGI_APPLICATION = "proj.wsgi.application") or set \`app\`.`,
        );
    }
    // The server runs with what the application module selects (wsgi.py often picks production settings).
    const entryModule = entry.spec.split(":")[0];
    const entryFile = moduleFile(src, root, entryModule);
    const fromEntry = entryFile ? settingsModuleIn(parseModule(src.read(entryFile))) : undefined;
    const runtimeSettings = typeof fromEntry === "string" && moduleFile(src, root, fromEntry) ? fromEntry : settingsModule;
    const settings = runtimeSettings === settingsModule ? devSettings : readSettings(src, root, runtimeSettings, entryFile ?? manage);
    return { root, manage, settingsModule, runtimeSettings, entry, settings };
}

interface ServerModule {
    readonly file: string;
    readonly module: string;
    readonly attribute: string;
    readonly interface: "wsgi" | "asgi";
}

/** Modules under the project folder (one package deep) that assign get_wsgi_application() or get_asgi_application(). */
function findServerModules(src: SourceTree, root: string): ServerModule[] {
    const out: ServerModule[] = [];
    for (const e of src.list(root)) {
        if (!e.isDirectory() || SKIP.has(e.name) || e.name.startsWith(".")) {
            continue;
        }
        for (const [name, iface] of [["wsgi", "wsgi"], ["asgi", "asgi"]] as const) {
            const file = join(root, `${e.name}/${name}.py`);
            const text = src.readIfFile(file);
            if (text === undefined) {
                continue;
            }
            const mod = parseModule(text);
            for (const [target, value] of mod.assigns) {
                const callee = calleeOf(value) ?? "";
                if (callee.endsWith("get_wsgi_application") || callee.endsWith("get_asgi_application")) {
                    out.push({ file, module: `${e.name}.${name}`, attribute: target, interface: callee.endsWith("get_asgi_application") ? "asgi" : iface });
                }
            }
        }
    }
    return out;
}

/**
 * A settings module merged through its star imports (`from .base import *`,
 * `from proj.settings.base import *`) and django-split-settings' include(),
 * in source order: a later assignment overrides an earlier one.
 */
function readSettings(src: SourceTree, root: string, module: string, from: string): DjangoSettings {
    const values = new Map<string, { expr: Expr; file: string }>();
    const seen = new Set<string>();

    const load = (mod: string): void => {
        const file = moduleFile(src, root, mod);
        if (!file || seen.has(file)) {
            return;
        }
        seen.add(file);
        const parsed = parseModule(src.read(file));
        const pkg = file.endsWith("/__init__.py") ? mod : mod.split(".").slice(0, -1).join(".");
        for (const step of parsed.order) {
            if (step.kind === "star") {
                load(absoluteModule(step.module, pkg));
            } else if (step.kind === "include") {
                // django-split-settings: include("components/base.py", ...) relative to the settings module's folder.
                for (const rel of step.files) {
                    const target = rel.replace(/\.py$/, "").split("/").filter((p) => p !== "" && p !== ".").join(".");
                    load(pkg === "" ? target : `${pkg}.${target}`);
                }
            } else {
                values.set(step.name, { expr: step.value, file });
            }
        }
    };
    load(module);
    if (seen.size === 0) {
        const expected = `${join(root, module.split(".").join("/"))}.py`;
        throw new InputError(
            from,
            `${from} selects the Django settings module "${module}", but there is no ${expected} (nor a package of that name); fix DJANGO_SETTINGS_MODULE or set \`app\`.`,
        );
    }

    const resolveList = (e: Expr | undefined, depth = 0): string[] => {
        if (!e || depth > 5) {
            return [];
        }
        if (e.kind === "list") {
            return strList(e) ?? [];
        }
        if (e.kind === "add") {
            return [...resolveList(e.left, depth + 1), ...resolveList(e.right, depth + 1)];
        }
        if (e.kind === "ref" && !e.path.includes(".")) {
            return resolveList(values.get(e.path)?.expr, depth + 1);
        }
        return [];
    };
    const lookup = (name: string) => values.get(name);

    const databases = (): DjangoSettings["databases"] => {
        const bound = values.get("DATABASES");
        const sqlite: Array<{ path?: string }> = [];
        let other = false;
        if (bound?.expr.kind === "dict") {
            const ctx = { file: bound.file, cwd: root, lookup };
            for (const [, db] of bound.expr.entries) {
                const engine = str(dictGet(db, "ENGINE"));
                if (engine !== undefined) {
                    if (engine.endsWith("sqlite3")) {
                        sqlite.push({ path: pathValue(dictGet(db, "NAME"), ctx) });
                    } else {
                        other = true;
                    }
                } else if (isSqliteUrl(db)) {
                    sqlite.push({ path: sqliteUrlPath(db, ctx) });
                } else {
                    other = true;
                }
            }
        } else if (bound !== undefined) {
            other = true;
        }
        return { sqlite, other };
    };

    return {
        get: (name) => values.get(name)?.expr,
        sourceOf: (name) => values.get(name)?.file,
        installedApps: resolveList(values.get("INSTALLED_APPS")?.expr),
        pathOf: (e, file) => pathValue(e, { file, cwd: root, lookup }),
        databases: databases(),
    };
}

/** `.base` inside package `config.settings` -> `config.settings.base`. */
function absoluteModule(module: string, pkg: string): string {
    if (!module.startsWith(".")) {
        return module;
    }
    let dots = 0;
    while (module[dots] === ".") {
        dots++;
    }
    const parts = pkg === "" ? [] : pkg.split(".");
    const up = parts.slice(0, parts.length - (dots - 1));
    const rest = module.slice(dots);
    return [...up, ...(rest === "" ? [] : [rest])].join(".");
}
