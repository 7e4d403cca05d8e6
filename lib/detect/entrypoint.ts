import { AppInterface, defaultInterface, Framework, FRAMEWORK_TABLE, frameworkOfDistribution, interfaceAtRelease, mostSpecific } from "../data/frameworks";
import { OWN_SERVER_APPS, OWN_SERVER_TOOLS } from "../data/servers";
import { DEFAULTS } from "../data/defaults";
import { InputError } from "../errors";
import { appSpec, relativeDir } from "../validate";
import { aiohttpApp, classify, frameworkOfSpec, ImportRoot, moduleExists, ModuleReader, moduleReader, scanForApp } from "./app-code";
import { Dependencies } from "./dependencies";
import { readIni } from "./ini";
import { DjangoProject, DjangoServer, findDjango, SettingsModuleMissing } from "./django";
import { joinPath, resolvedFrom } from "./paths";
import { gunicornConfigFile, ownServer, ProcessOrigin, ProcfileFacts, ProcfileWeb, readPlatformEnv, readProcfile } from "./procfile";
import { calleeOf, parseModule, str } from "./python-source";
import { SourceTree } from "./source";

export type { AppInterface, Framework };

export interface Entrypoint {
    /** gunicorn's APP_MODULE: "module:attribute" or "module:factory()". */
    readonly spec: string;
    readonly interface: AppInterface;
    readonly framework: Framework;
    /** What decided it: "`app`", "Procfile" (or "render.yaml"...), "Django settings (proj/settings.py)" or a module's path. */
    readonly source: string;
    /** The folder gunicorn runs in, relative to the source folder ("" for the source folder itself). */
    readonly chdir: string;
    /** Folders put on gunicorn's Python path, relative to the source folder. */
    readonly pythonPath: readonly string[];
    /** The import root the app was found under, when found by scanning. */
    readonly root?: ImportRoot;
    /** The Django project, when the app is Django's. */
    readonly django?: DjangoProject;
    /** The Procfile, when there is one. */
    readonly procfile?: ProcfileFacts;
    /** The middleware the served object is, around the framework's app (`application = WhiteNoise(app)`): "whitenoise.WhiteNoise". */
    readonly wrapper?: string;
    /** The framework's app inside that middleware, when a name holds it ("wsgi:frontend"): what a framework's CLI (`flask --app`) loads. */
    readonly wrapped?: string;
    /** The PasteDeploy ini a Pyramid app is loaded from, and its app section: its settings (sqlalchemy.url, [alembic]) are the app's. */
    readonly paste?: { readonly file: string; readonly section: string };
    readonly notes: readonly string[];
}

/**
 * The folders the served app's modules import from, as gunicorn runs it: the
 * import root the app was found under (src/, a workspace member), else the
 * Python path's folders (gunicorn puts them first) and the folder gunicorn
 * runs in. Every reader of the app's code scans from these.
 */
export function servedRoots(entry: Pick<Entrypoint, "root" | "chdir" | "pythonPath">): ImportRoot[] {
    if (entry.root) {
        return [entry.root];
    }
    const path = entry.pythonPath.filter((p) => p !== "" && p !== entry.chdir && !p.startsWith("/")).map((dir) => ({ dir, why: "the Python path" }));
    return [...path, { dir: entry.chdir, why: entry.chdir === "" ? "the source folder" : "the folder gunicorn runs in" }];
}

export interface EntrypointRequest {
    readonly app?: string;
    readonly interface?: AppInterface;
    readonly chdir?: string;
    readonly pythonPath?: readonly string[];
    /** A uv workspace member to serve (its folder is an import root). */
    readonly workspaceMember?: string;
    /** The `workerClass` option: an aiohttp app named by `app` needs aiohttp's worker. */
    readonly workerClass?: string;
    /** `buildEnv` (PythonApp adds its `env`'s DJANGO_SETTINGS_MODULE and DJANGO_CONFIGURATION to it): the settings the build and the server use when the web command and gunicorn's config do not say. */
    readonly buildEnv?: Readonly<Record<string, string>>;
    /** The distributions the image installs (PEP 503 names), when known: what the Django settings can import. */
    readonly installed?: ReadonlySet<string>;
}

/** The fix for an aiohttp app: gunicorn serves it only with aiohttp's worker. */
function aiohttpFix(spec: string): string {
    return `Set \`app\` to it (app: "${spec}") and \`workerClass: "aiohttp.GunicornWebWorker"\` (aiohttp's gunicorn worker; the image runs one worker process per CPU, each with its own event loop).`;
}

/** Where modules import from: the source folder, src/ (src layout), and uv workspace members (and their src/). */
export function importRoots(src: SourceTree, deps: Dependencies): ImportRoot[] {
    const roots: ImportRoot[] = [{ dir: "", why: "the source folder" }];
    if (deps.srcLayout) {
        roots.push({ dir: "src", why: "src layout" });
    }
    for (const m of deps.workspace?.members ?? []) {
        roots.push({ dir: m.dir, why: `uv workspace member ${m.name}` });
        if (src.list(`${m.dir}/src`).length > 0) {
            roots.push({ dir: `${m.dir}/src`, why: `uv workspace member ${m.name} (src layout)` });
        }
    }
    return roots;
}


/** The framework the app's own main dependencies name, most specific first (Quart before the Flask it depends on). */
function frameworkFromDependencies(deps: Dependencies): Framework {
    return mostSpecific([...deps.direct].map((n) => frameworkOfDistribution(n)))?.framework ?? "unknown";
}

/** "an ASGI", "a WSGI". */
function article(iface: AppInterface): string {
    return iface === "asgi" ? "an ASGI" : "a WSGI";
}

export function detectEntrypoint(src: SourceTree, request: EntrypointRequest, deps: Dependencies): Entrypoint {
    const roots = importRoots(src, deps);
    const procfile = readProcfile(src);
    const fromDeps = frameworkFromDependencies(deps);
    const notes: string[] = [];

    // Folders the option or the Procfile name come first when looking a module up.
    const lookup = (chdir: string, pythonPath: readonly string[]): ImportRoot[] => [
        ...(chdir !== "" ? [{ dir: chdir, why: "the working folder" }] : []),
        ...pythonPath.map((p) => ({ dir: p, why: "the Python path" })),
        ...roots,
    ];
    /** A framework whose apps changed interface between releases: the interface of the release the app installs. */
    const releaseInterface = (framework: Framework, iface: AppInterface): ReturnType<typeof interfaceAtRelease> => {
        const dist = FRAMEWORK_TABLE.find((r) => r.framework === framework)?.distributions[0];
        return dist === undefined ? { interface: iface } : interfaceAtRelease(framework, iface, deps.pins.get(dist), deps.specifiers.get(dist));
    };
    const atRelease = (framework: Framework, iface: AppInterface): AppInterface => {
        const r = releaseInterface(framework, iface);
        if (r.release !== undefined) {
            notes.push(`The app is served as ${r.interface.toUpperCase()}, for ${r.release} in the dependencies (${deps.manifest}): ${r.reason}`);
        }
        return r.interface;
    };
    /**
     * The `interface` option, refused where the code shows the app object's
     * constructor and that says otherwise: gunicorn would call an ASGI app as
     * WSGI (or the reverse) and every request would fail after the build. A
     * framework whose apps changed interface between releases takes either
     * (the pinned release may not be the one installed).
     */
    const requested = (framework: Framework, made: AppInterface | undefined, spec: string, file: string, wrapper?: string): AppInterface | undefined => {
        if (request.interface === undefined || made === undefined) {
            return request.interface;
        }
        // Middleware's interface is its own; a framework's may depend on its release.
        const shown = wrapper ? made : releaseInterface(framework, made).interface;
        if (request.interface !== made && request.interface !== shown) {
            throw new InputError(
                "`interface`",
                `\`interface\` is "${request.interface}", but ${spec} (${file}) is made by ${wrapper ?? `a ${framework} constructor`}, which makes ${article(shown)} app: ` +
                    `gunicorn would serve it as ${request.interface.toUpperCase()} and every request would fail. ` +
                    `Remove \`interface\` (detection serves it as "${shown}"), or point \`app\` at ${article(request.interface)} wrapper of it.`,
            );
        }
        return request.interface;
    };
    /** The interface of an app object detection read: middleware's own, else the framework's at its release. */
    const served = (framework: Framework, made: AppInterface, spec: string, wrapper: string | undefined): AppInterface => {
        if (wrapper === undefined) {
            return atRelease(framework, made);
        }
        notes.push(`${spec} is ${wrapper} around the ${framework} app, which makes ${article(made)} app: it is served as ${made.toUpperCase()}.`);
        return made;
    };
    const interfaceFor = (spec: string, said: AppInterface | undefined, chdir: string, pythonPath: readonly string[]) => {
        const code = frameworkOfSpec(src, lookup(chdir, pythonPath), spec);
        const framework: Framework = code?.framework ?? fromDeps;
        const chosen = code?.constructed ? requested(framework, code.interface, spec, code.file, code.wrapper) : request.interface;
        // The constructor the code calls outranks what the server command implies, where the interface does not depend on the release:
        // `uvicorn wiki:app` of a Flask app would fail there too, and gunicorn serves it as what it is.
        const shown = code?.constructed && (code.wrapper !== undefined || releaseInterface(framework, code.interface).release === undefined) ? code.interface : undefined;
        if (chosen === undefined && said !== undefined && shown !== undefined && shown !== said) {
            notes.push(
                `${procfile?.origin.web ?? "The web command"} serves ${spec} as ${said.toUpperCase()}, but ${code!.file} makes it with ${code!.wrapper ?? `a ${framework} constructor`}, ` +
                    `which makes ${article(shown)} app: it is served as ${shown.toUpperCase()}.`,
            );
        }
        const iface = chosen ?? (shown !== undefined && said !== undefined ? shown : said) ?? served(framework, code?.interface ?? defaultInterface(framework), spec, code?.wrapper);
        // The import root the module is under, when it is one of the layout's (src/): the plan installs it or puts it on the path.
        const under = moduleReader(src, lookup(chdir, pythonPath)).fileOf(spec.split(":")[0])?.root;
        const root = under !== undefined && under.dir !== "" && roots.includes(under) ? under : undefined;
        return { framework, iface, found: code !== undefined || moduleExists(src, lookup(chdir, pythonPath), spec), root, wrapper: code?.wrapper, wrapped: code?.inner };
    };

    // `cd "$SITE_ROOT/app"` with SITE_ROOT set nowhere in the image: the folder the server and its steps start in is unknown.
    const cdUnset = procfile?.web?.cdUnset;
    if (cdUnset !== undefined && request.chdir === undefined) {
        const names = cdUnset.names.map((n) => `$${n}`);
        throw new InputError(
            procfile!.origin.file,
            `${procfile!.origin.web} runs \`cd ${cdUnset.word}\` before the server, but ${names.join(" and ")} ${names.length > 1 ? "are" : "is"} not set in the image, so the folder the server starts in is not known. ` +
                `Set \`chdir\` to that folder inside the source folder (such as "app"), or give ${cdUnset.names.join(" and ")} a value with an ENV line in the Dockerfile.`,
        );
    }

    if (request.app !== undefined) {
        const chdir = request.chdir ?? "";
        const pythonPath = request.pythonPath ?? [];
        const { framework, iface, found, root, wrapper, wrapped } = interfaceFor(request.app, undefined, chdir, pythonPath);
        const appModule = moduleReader(src, lookup(chdir, pythonPath)).fileOf(request.app.split(":")[0]);
        const parsed = appModule === undefined ? undefined : moduleReader(src, lookup(chdir, pythonPath)).parse(appModule.file);
        const aio = parsed === undefined ? undefined : aiohttpApp(parsed, request.app.split(":")[0]);
        if (aio !== undefined && !/aiohttp/i.test(request.workerClass ?? "")) {
            throw new InputError(
                "`workerClass`",
                `\`app\` is ${request.app}, and ${appModule!.file} makes an aiohttp.web.Application, which is neither a WSGI nor an ASGI app: ${request.workerClass === undefined ? "the image's default worker (gthread)" : `gunicorn's ${request.workerClass} worker`} cannot serve it. ` +
                    aiohttpFix(aio),
            );
        }
        // An object of a framework that runs its own server (Robyn's Robyn(__file__)): neither WSGI nor ASGI.
        const attr = request.app.split(":")[1] ?? "";
        const made = parsed === undefined || attr.includes("(") ? undefined : parsed.value(attr);
        const ownClass = made?.kind === "call" ? OWN_SERVER_APPS[calleeOf(made) ?? ""] : undefined;
        if (ownClass !== undefined) {
            throw new InputError(
                "`app`",
                `\`app\` is ${request.app}, which ${appModule!.file} makes with ${calleeOf(made!)}: a ${ownClass} app runs on ${ownClass}'s own server and is neither a WSGI nor an ASGI app, so gunicorn cannot serve it. ` +
                    "This package deploys apps gunicorn serves; run it with an image of your own.",
            );
        }
        if (!found) {
            notes.push(`\`app\` names the module ${request.app.split(":")[0]}, which is not in the source folder; it must come from an installed package.`);
        } else if (framework === "unknown" && request.interface === undefined) {
            // Nothing says which protocol the object speaks (Datasette(...).app(), an ASGI class's instance): WSGI is gunicorn's default.
            notes.push(
                `\`app\` is ${request.app}, and neither the code nor the dependencies show which framework makes it: it is served as WSGI, gunicorn's default; ` +
                    'if it is an ASGI app (its `__call__` takes scope, receive and send), set `interface: "asgi"`, or every request fails.',
            );
        }
        return withDjango(src, { spec: request.app, interface: iface, framework, source: "`app`", chdir, pythonPath, procfile, notes, root, wrapper, wrapped }, { installed: request.installed });
    }

    const web = procfile?.web;
    // An app given as a variable the command sets itself (tiangolo's start.sh: `exec gunicorn ... "$APP_MODULE"`): not known here; the code decides.
    const variableSpec = web?.spec !== undefined && web.spec.includes("$");
    if (variableSpec) {
        // As written: a bare module reads as "module:application", which the variable is not.
        const written = web!.spec!.endsWith(":application") ? web!.spec!.slice(0, -":application".length) : web!.spec!;
        notes.push(`${procfile!.origin.web} gives the app as ${JSON.stringify(written)}, a variable its command sets, which is not read here: the app is looked for in the code instead (set \`app\` to choose it).`);
    }
    // gunicorn's wsgi_app in the config it loads (`web: gunicorn` alone, or no Procfile): the app, as the Procfile's app argument would name it.
    const configApp = web?.spec === undefined && (web === undefined || web.server === "gunicorn") ? gunicornConfigApp(src, web) : undefined;
    if ((web?.spec !== undefined && !variableSpec) || configApp !== undefined) {
        const origin = configApp?.origin ?? procfile!.origin;
        let spec = fromProcfile(origin, "the app", configApp?.spec ?? web!.spec!, (v) => appSpec(v));
        const webOrigin = procfile?.origin ?? origin;
        const chdir = request.chdir ?? (web?.chdir === undefined ? "" : procfileFolder(webOrigin, "--chdir", web.chdir, web.cd ?? "", "the folder the command starts in", "chdir"));
        // PYTHONPATH=backend before the server: gunicorn's --pythonpath (entries that expand $PYTHONPATH or name the working folder add nothing).
        const envPath = (web?.env ?? [])
            .filter(([k]) => k === "PYTHONPATH")
            .flatMap(([, v]) => v.split(":"))
            .filter((p) => p !== "" && p !== "." && p !== "./" && !p.includes("$"));
        // gunicorn resolves --pythonpath in the folder it runs in (after --chdir); Python resolves PYTHONPATH where the command starts (after `cd`).
        const pythonPath =
            request.pythonPath ??
            [
                ...(web?.pythonPath ?? []).map((p) => procfileFolder(webOrigin, "--pythonpath", p, web?.chdir ?? "", "the folder gunicorn runs in (its --chdir)", "pythonPath")),
                ...envPath.map((p) => procfileFolder(webOrigin, "PYTHONPATH", p, web?.cd ?? "", "the folder the command starts in", "pythonPath")),
            ].filter((p, i, all) => all.indexOf(p) === i);
        if (envPath.length > 0 && request.pythonPath === undefined) {
            notes.push(`${webOrigin.web} sets PYTHONPATH=${envPath.join(":")}: gunicorn gets ${envPath.map((p) => `${p}/`).join(", ")} on its Python path (--pythonpath).`);
        }
        if (web?.discover !== undefined && configApp === undefined) {
            spec = discovered(moduleReader(src, lookup(chdir, pythonPath)), spec, web.discover);
        }
        const { framework, iface, root, wrapper, wrapped } = interfaceFor(spec, web?.interface, chdir, pythonPath);
        return withDjango(src, { spec, interface: iface, framework, source: origin.file, chdir, pythonPath, procfile, notes, root, wrapper, wrapped }, { ...djangoServer(src, web, chdir, webOrigin, request.buildEnv), installed: request.installed });
    }

    const django = findDjango(src, { ...djangoServer(src, web, request.chdir ?? "", procfile?.origin, request.buildEnv), pythonPath: request.pythonPath, chdir: request.chdir, installed: request.installed });
    if (django) {
        return {
            spec: django.entry.spec,
            interface: request.interface ?? django.entry.interface,
            framework: "django",
            source: django.entry.source,
            chdir: request.chdir ?? django.root,
            pythonPath: request.pythonPath ?? [...django.sysPath, ...(django.packageParent !== undefined && request.chdir === undefined ? [django.packageParent] : [])],
            django,
            procfile,
            notes: [
                ...(django.root !== "" ? [`The Django project is in ${django.root}/: gunicorn runs there.`] : []),
                ...(django.packageParent !== undefined && request.pythonPath === undefined && request.chdir === undefined
                    ? [
                          `${django.manage} is inside the ${django.root.split("/").pop()} package: gunicorn gets ${django.packageParent === "" ? "the source folder" : `${django.packageParent}/`}, the folder above it, on its Python path, ` +
                              `where ${django.entry.spec.split(":")[0]} imports from.`,
                      ]
                    : []),
                ...(django.sysPath.length > 0 && request.pythonPath === undefined
                    ? [
                          `${django.manage} puts ${django.sysPath.map((d) => `${d}/`).join(", ")} on sys.path and the server's module, ${django.entry.spec.split(":")[0]}, does not: ` +
                              "gunicorn gets it on its Python path (--pythonpath), so the server imports the same apps manage.py's commands do. Set `pythonPath` to change it.",
                      ]
                    : []),
            ],
        };
    }

    const { found, looked, withArgs, tornado, aiohttp, callable } = scanForApp(src, workspaceScanRoots(src, roots, deps, request.workspaceMember));
    if (found) {
        return {
            spec: found.spec,
            interface: requested(found.framework, found.interface, found.spec, found.file, found.wrapper) ?? served(found.framework, found.interface, found.spec, found.wrapper),
            framework: found.framework,
            source: found.file,
            chdir: request.chdir ?? found.runsIn ?? "",
            pythonPath: request.pythonPath ?? [],
            root: found.root,
            procfile,
            wrapper: found.wrapper,
            wrapped: found.inner,
            notes,
        };
    }
    const paste = pyramidPasteApp(src, deps);
    if (paste) {
        return {
            spec: paste.spec,
            interface: request.interface ?? "wsgi",
            framework: "pyramid",
            source: paste.file,
            chdir: request.chdir ?? "",
            pythonPath: request.pythonPath ?? [],
            procfile,
            paste: { file: paste.file, section: paste.section },
            notes: [
                ...notes,
                `The app is Pyramid's PasteDeploy app in ${paste.file} ([${paste.section}]), loaded by gunicorn through pyramid.paster.get_app as pserve would load it; its [server:main] is not used. ` +
                    "The project must be installed for its `egg:` entry point to resolve (its setup.py or pyproject.toml is installed into the venv). Set `app` to serve another file.",
            ],
        };
    }
    if (callable) {
        const shape = callable.interface === "wsgi" ? "a WSGI application (PEP 3333: environ, start_response)" : "an ASGI 3 application (scope, receive, send)";
        return {
            spec: callable.spec,
            interface: request.interface ?? callable.interface,
            framework: "unknown",
            source: callable.file,
            chdir: request.chdir ?? "",
            pythonPath: request.pythonPath ?? [],
            root: callable.root,
            procfile,
            notes: [
                ...notes,
                `No framework's app was found; ${callable.file} defines ${callable.spec.split(":")[1]}() with the signature of ${shape}, which gunicorn serves as ${callable.spec}. Set \`app\` to serve another.`,
            ],
        };
    }
    const own = web ? ownServer(web.command) : undefined;
    if (web && own !== undefined) {
        throw new InputError(
            procfile!.origin.file,
            `${procfile!.origin.web} runs ${own}'s own server (${web.command}), and no WSGI or ASGI app was found in the code: a ${own} app is not one gunicorn can serve, ` +
                "and this package deploys apps gunicorn serves (Flask, Django, FastAPI and the other WSGI/ASGI frameworks). Run it with an image of your own; " +
                'if the code does hold a WSGI or ASGI app, set `app` to its "module:attribute".',
        );
    }
    // No Procfile (Streamlit Community Cloud's layout: streamlit_app.py), or one that starts no server the package knows
    // (Robyn's `python app.py --processes 2`): a dependency that is its own server says the same.
    const ownDependency = web?.server === undefined ? OWN_SERVER_TOOLS.find((t) => t.distribution !== undefined && deps.direct.has(t.distribution)) : undefined;
    if (ownDependency !== undefined) {
        throw new InputError(
            "`app`",
            `The app depends on ${ownDependency.distribution}, whose apps run on ${ownDependency.label}'s own server, and no WSGI or ASGI app was found in the code: a ${ownDependency.label} app is not one gunicorn can serve, ` +
                "and this package deploys apps gunicorn serves (Flask, Django, FastAPI and the other WSGI/ASGI frameworks). Run it with an image of your own; " +
                'if the code does hold a WSGI or ASGI app, set `app` to its "module:attribute".',
        );
    }
    if (aiohttp !== undefined) {
        throw new InputError(
            "`app`",
            `${aiohttp.file} makes an aiohttp.web.Application, which runs on aiohttp's own server (web.run_app) and is neither a WSGI nor an ASGI app, and no WSGI or ASGI app was found: ` +
                `gunicorn serves it only with aiohttp's worker. ${aiohttpFix(aiohttp.spec)}`,
        );
    }
    if (tornado !== undefined) {
        throw new InputError(
            "`app`",
            `${tornado} makes a tornado.web.Application, which runs on Tornado's own server and is neither a WSGI nor an ASGI app, and no WSGI or ASGI app was found: ` +
                'gunicorn serves it only with its tornado worker. Set `app` to the Application (or a factory that returns it, e.g. app: "app:make_app()") and `workerClass: "tornado"`.',
        );
    }
    if (withArgs.length > 0) {
        const f = withArgs[0];
        throw new InputError(
            "`app`",
            `${f.file} defines ${f.name}(${f.params.join(", ")}), a factory that makes a ${f.framework} app, but it takes ${f.params.length === 1 ? "an argument" : "arguments"} gunicorn cannot give by itself, and no app object was found: ` +
                `set \`app\` to call it with the value production needs, e.g. app: "${f.module}:${f.name}(${f.params.map(() => "'production'").join(", ")})".`,
        );
    }
    const procfileSaid = web ? ` ${procfile!.origin.web} names no app (${web.command}).` : "";
    throw new InputError(
        "`app`",
        `Could not find the app: no Procfile web: line naming one, no Django manage.py (looked in the source folder and one folder down), ` +
            `no module that makes an app with a known framework (Flask, Quart, FastAPI, FastHTML, Starlette, Litestar, Falcon, Sanic, BlackSheep, Dash, Bottle, Pyramid, Connexion, Django) ` +
            `at its top level or in a factory gunicorn can call without arguments (looked in ${looked.join(", ")}, two packages deep), ` +
            `no Pyramid production.ini with an [app:main] section, and no module-level WSGI \`application(environ, start_response)\` or ASGI \`async def app(scope, receive, send)\`.${procfileSaid} ` +
            'Set `app` to gunicorn\'s "module:attribute" (e.g. app: "service.main:app").',
    );
}

/**
 * A Pyramid app laid out as its cookiecutter does: `main(global_config,
 * **settings)` is a PasteDeploy app factory that only an ini file's
 * `[app:main]` (or `[pipeline:main]`) can call with its settings. Served as
 * `pyramid.paster:get_app('production.ini')`, a literal call gunicorn makes;
 * development.ini is never used (it turns on the debug toolbar).
 */
function pyramidPasteApp(src: SourceTree, deps: Dependencies): { spec: string; file: string; section: string } | undefined {
    const file = "production.ini";
    if (!deps.direct.has("pyramid") || !src.isFile(file)) {
        return undefined;
    }
    const sections = readIni(src.read(file));
    const section = ["app:main", "pipeline:main"].find((s) => sections.has(s));
    return section === undefined ? undefined : { spec: `pyramid.paster:get_app('${file}')`, file, section };
}

/**
 * The app a server's CLI finds in its module, as it finds it: `fastapi run`
 * takes `app`, else `api`, else the module's first app object (the spec names
 * `app` until the code says otherwise); `litestar run --app m:create_app`
 * calls an app factory; `flask --app m run` calls a function it is named
 * (`m:create_app`), and in a module named alone (read as `m:application`)
 * takes `app` or `application`, else the module's one app object, else calls
 * `create_app` or `make_app` (flask.cli's find_best_app).
 */
function discovered(reader: ModuleReader, spec: string, how: "fastapi" | "litestar" | "flask"): string {
    const [module, attribute] = spec.split(":");
    const where = reader.fileOf(module);
    const mod = where === undefined ? undefined : reader.parse(where.file);
    if (where === undefined || mod === undefined) {
        return spec;
    }
    const made = (name: string) => classify(reader, where.file, where.root, name);
    if (how === "litestar" || how === "flask") {
        const kind = attribute.includes("(") ? undefined : made(attribute)?.kind;
        if (how === "litestar" || kind !== undefined || attribute !== "application") {
            return kind === "factory" ? `${module}:${attribute}()` : spec;
        }
        const objects = [...new Set(mod.assigns.map(([name]) => name))].filter((n) => made(n)?.kind === "object");
        const object = ["app", "application"].find((n) => objects.includes(n)) ?? (objects.length === 1 ? objects[0] : undefined);
        const factory = ["create_app", "make_app"].find((n) => made(n)?.kind === "factory");
        return object !== undefined ? `${module}:${object}` : factory !== undefined ? `${module}:${factory}()` : spec;
    }
    // fastapi-cli: `app`, then `api`, then the first app object in dir() order, which is alphabetical.
    const names = ["app", "api", ...[...new Set(mod.assigns.map(([name]) => name))].sort()];
    const found = names.find((n) => made(n)?.kind === "object");
    return found === undefined ? spec : `${module}:${found}`;
}

/**
 * The Django settings the server runs with when its command or its gunicorn
 * config sets them: `DJANGO_SETTINGS_MODULE=x gunicorn ...`, gunicorn's
 * `--env`, or the config's `raw_env = ["DJANGO_SETTINGS_MODULE=x"]` (the
 * command's win, as gunicorn applies them after the config's); else
 * `buildEnv`'s, which PythonApp fills from the container's `env`.
 */
function djangoServer(
    src: SourceTree,
    web: ProcfileWeb | undefined,
    chdir: string,
    origin: ProcessOrigin | undefined,
    buildEnv: Readonly<Record<string, string>> = {},
): DjangoServer {
    const file = gunicornConfigFile(src, web?.config, web?.chdir ?? chdir);
    const platform = readPlatformEnv(src).set;
    const rawEnv = file === undefined ? undefined : parseModule(src.read(file)).value("raw_env");
    const fromConfig = (rawEnv?.kind === "list" ? rawEnv.items : []).flatMap((item): Array<readonly [string, string]> => {
        const text = str(item);
        const eq = text?.indexOf("=") ?? -1;
        return text !== undefined && eq > 0 ? [[text.slice(0, eq), text.slice(eq + 1)]] : [];
    });
    const pick = (name: string) => {
        const fromWeb = (web?.env ?? []).filter(([k]) => k === name).pop()?.[1];
        const fromFile = fromConfig.filter(([k]) => k === name).pop()?.[1];
        const fromBuild = buildEnv[name];
        // The hosting platform's environment (fly.toml [env], app.yaml env_variables, render.yaml envVars) is the image's; the container's env outranks it.
        const fromPlatform = platform.filter(([k]) => k === name).pop();
        return fromWeb !== undefined
            ? { value: fromWeb, from: (origin?.web ?? "the web command").replace(/^The /, "the ") }
            : fromFile !== undefined
              ? { value: fromFile, from: `${file}'s raw_env` }
              : fromBuild !== undefined
                ? { value: fromBuild, from: "`buildEnv` (or PythonApp's `env`)" }
                : fromPlatform !== undefined
                  ? { value: fromPlatform[1], from: fromPlatform[2] }
                  : undefined;
    };
    const settings = pick("DJANGO_SETTINGS_MODULE");
    const configuration = pick("DJANGO_CONFIGURATION");
    return {
        settings: settings?.value,
        configuration: configuration?.value,
        from: settings?.from ?? configuration?.from,
        buildEnv: (settings ?? configuration)?.from.startsWith("`buildEnv`"),
    };
}

/**
 * Where to look for the app in a uv workspace: `workspacePackage`'s member
 * alone when it holds an app (it is the one deployed); else, when the root
 * holds none and several members each hold one (two services sharing a
 * library), refused naming them, since serving one at random deploys the
 * wrong service.
 */
function workspaceScanRoots(src: SourceTree, roots: ImportRoot[], deps: Dependencies, wanted: string | undefined): ImportRoot[] {
    const members = deps.workspace?.members ?? [];
    const rootsOf = (name: string) => roots.filter((r) => r.why === `uv workspace member ${name}` || r.why === `uv workspace member ${name} (src layout)`);
    if (wanted !== undefined) {
        const own = rootsOf(wanted.toLowerCase().replace(/[-_.]+/g, "-"));
        return own.length > 0 && scanForApp(src, own).found ? own : roots;
    }
    if (members.length < 2) {
        return roots;
    }
    const memberDirs = new Set(roots.filter((r) => r.why.startsWith("uv workspace member ")).map((r) => r.dir));
    const outside = roots.filter((r) => !memberDirs.has(r.dir));
    if (scanForApp(src, outside).found) {
        return roots;
    }
    const apps = members.flatMap((m) => {
        const found = scanForApp(src, rootsOf(m.name)).found;
        return found ? [`${m.name} (${found.spec}, in ${found.file})`] : [];
    });
    if (apps.length > 1) {
        throw new InputError(
            "`workspacePackage`",
            `The uv workspace holds an app in more than one member: ${apps.join("; ")}. Set \`workspacePackage\` to the member to deploy (one PythonApp per service).`,
        );
    }
    return roots;
}

/** The app a literal `wsgi_app` names in the gunicorn config the web command (or gunicorn by default) loads. */
function gunicornConfigApp(src: SourceTree, web: ProcfileWeb | undefined): { spec: string; origin: ProcessOrigin } | undefined {
    const file = gunicornConfigFile(src, web?.config, web?.chdir ?? "");
    const value = file === undefined ? undefined : str(parseModule(src.read(file)).value("wsgi_app"));
    if (file === undefined || value === undefined) {
        return undefined;
    }
    const name = file.split("/").pop()!;
    return { spec: value, origin: { file, subject: name, web: `${name}'s wsgi_app`, webSource: `${file} wsgi_app`, releaseSource: "" } };
}

/**
 * A folder the web command names (--pythonpath, PYTHONPATH, --chdir), as a
 * folder of the source folder: a relative one resolved from the folder the
 * server resolves it in (`base`), as the server does; an absolute one under
 * /app (where the image, like Heroku, keeps the source folder) is that folder
 * of it. Refused, saying what it resolves to, when it is outside the source
 * folder. `base` already holds a relative --chdir (readWeb joined it).
 */
function procfileFolder(origin: ProcessOrigin, what: string, given: string, base: string, where: string, option: "pythonPath" | "chdir"): string {
    const app = DEFAULTS.workdir;
    // A path of the app's own image (a script's `--chdir /usr/src/app/src`) as this image's.
    const value = given.startsWith("/") && origin.appPath !== undefined ? origin.appPath(given) : given;
    const fix = `Fix the line (a folder inside the source folder), or set \`${option}\`.`;
    const check = (v: string) => relativeDir(`\`${option}\``, v);
    if (value.startsWith("/")) {
        if (value !== app && !value.startsWith(`${app}/`)) {
            throw new InputError(origin.file, `${origin.web} gives ${what} as ${JSON.stringify(value)}, which the image cannot use: it is an absolute path outside ${app}, where the image (like Heroku) keeps the source folder. ${fix}`);
        }
        return fromProcfile(origin, what, value.slice(app.length + 1) || ".", check);
    }
    // readWeb joined a --chdir that stays inside the source folder to the `cd` folder already; one it kept as written leaves it.
    const resolved = option === "chdir" ? joinPath("", value) : joinPath(base, value);
    if (resolved === undefined) {
        throw new InputError(
            origin.file,
            `${origin.web} gives ${what} as ${JSON.stringify(value)}, which the image cannot use: resolved from ${base === "" ? "the source folder" : `${base}/`}, ${where}, it is ${resolvedFrom(base, value)}, outside the source folder. ${fix}`,
        );
    }
    return fromProcfile(origin, what, resolved || ".", check);
}

/** A value the Procfile (or render.yaml...) gives, checked like the option it stands for; a bad one is blamed on that file. */
function fromProcfile<T>(origin: ProcessOrigin, what: string, value: string, check: (v: string) => T): T {
    try {
        return check(value);
    } catch (e) {
        if (e instanceof InputError) {
            throw new InputError(
                origin.file,
                `${origin.web} gives ${what} as ${JSON.stringify(value)}, which the image cannot use: ${e.message.replace(/^`[^`]+` (is|contains) /, "it $1 ")} Fix the line, or set the option.`,
            );
        }
        throw e;
    }
}

/** The Django project behind a Django app found through `app` or the Procfile, for its build and release steps. */
function withDjango(src: SourceTree, e: Omit<Entrypoint, "django"> & { procfile?: ProcfileFacts }, server: DjangoServer = {}): Entrypoint {
    if (e.framework !== "django") {
        return e;
    }
    let django: DjangoProject | undefined;
    try {
        // The settings are imported from the server's Python path, as gunicorn imports them.
        django = findDjango(src, { ...server, pythonPath: e.pythonPath, chdir: e.chdir === "" ? undefined : e.chdir });
    } catch (err) {
        if (err instanceof SettingsModuleMissing) {
            throw err; // not a reading limit: the server cannot import the settings either
        }
        django = undefined; // the app is named explicitly; settings that cannot be read only cost the build steps
    }
    return { ...e, django };
}

export type { ProcfileWeb };
