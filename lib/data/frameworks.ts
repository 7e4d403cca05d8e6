import { satisfies } from "@renovatebot/pep440";
import { parse as parseSpecifier } from "@renovatebot/pep440/lib/specifier";
import { installedVersion } from "./releases";
import { byName } from "./by-name";

/**
 * The web frameworks detection knows: how each one's app object is made in
 * code, and whether gunicorn serves it as WSGI or ASGI. Data on the ground
 * floor; detection reads the app's code against it. The interface always
 * follows the constructor the code calls (falcon.App is WSGI, falcon.asgi.App
 * is ASGI), never a name that merely appears among the dependencies.
 */

/**
 * How gunicorn serves the app. A string-valued `as const` object (not a TS
 * `enum`): the plain strings "wsgi" and "asgi" type-check as well, and
 * Pulumi's schema inference reads it as an enum.
 */
export const AppInterface = {
    /** WSGI, with gunicorn's own workers (gthread by default). */
    Wsgi: "wsgi",
    /** ASGI, with the uvicorn worker. */
    Asgi: "asgi",
} as const;
export type AppInterface = (typeof AppInterface)[keyof typeof AppInterface];
export const APP_INTERFACES: readonly AppInterface[] = Object.values(AppInterface);

export const FRAMEWORKS = [
    "django",
    "flask",
    "quart",
    "fastapi",
    "fasthtml",
    "starlette",
    "litestar",
    "falcon",
    "sanic",
    "blacksheep",
    "dash",
    "bottle",
    "pyramid",
    "connexion",
    "unknown",
] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface FrameworkRow {
    readonly framework: Exclude<Framework, "unknown">;
    /** PEP 503 names of the distributions that provide it (what a dependency list says). */
    readonly distributions: readonly string[];
    /** Top-level import names. */
    readonly modules: readonly string[];
    /** Fully qualified callables that make an app object, and what gunicorn serves it as. */
    readonly constructors: Readonly<Record<string, AppInterface>>;
    /**
     * The attribute of the made object that gunicorn must serve, when the object
     * itself is not a WSGI/ASGI callable: a Dash app serves its Flask `server`.
     */
    readonly serves?: string;
    /** Constructors among `constructors` that return a tuple whose first item is the app (FastHTML's `app, rt = fast_app()`). */
    readonly firstOfTuple?: readonly string[];
    /** Why the interface is what it is. */
    readonly reason: string;
    /**
     * Releases whose apps are served otherwise than `constructors` say (the
     * newest releases): the first row whose PEP 440 `range` holds the version
     * the app installs decides the interface of every constructor.
     */
    readonly olderReleases?: ReadonlyArray<{ readonly range: string; readonly interface: AppInterface; readonly reason: string }>;
}

export const FRAMEWORK_TABLE: readonly FrameworkRow[] = [
    {
        framework: "django",
        distributions: ["django"],
        modules: ["django"],
        constructors: {
            "django.core.wsgi.get_wsgi_application": "wsgi",
            "django.core.asgi.get_asgi_application": "asgi",
        },
        reason: "Django serves WSGI from get_wsgi_application() and ASGI from get_asgi_application() (Channels sets ASGI_APPLICATION).",
    },
    {
        framework: "flask",
        distributions: ["flask", "apiflask", "flask-openapi3"],
        modules: ["flask", "apiflask", "flask_openapi3"],
        // APIFlask and flask-openapi3's OpenAPI are Flask subclasses: Flask apps to the flask CLI and to gunicorn.
        constructors: { "flask.Flask": "wsgi", "apiflask.APIFlask": "wsgi", "flask_openapi3.OpenAPI": "wsgi" },
        reason: "A Flask app is a WSGI callable.",
    },
    {
        framework: "quart",
        distributions: ["quart"],
        modules: ["quart"],
        constructors: { "quart.Quart": "asgi" },
        reason: "Quart is Flask's API on asyncio: an ASGI app (it depends on Flask, which must not make it WSGI).",
    },
    {
        framework: "fastapi",
        distributions: ["fastapi"],
        modules: ["fastapi"],
        constructors: { "fastapi.FastAPI": "asgi", "fastapi.applications.FastAPI": "asgi" },
        reason: "FastAPI apps are ASGI (Starlette underneath).",
    },
    {
        framework: "fasthtml",
        distributions: ["python-fasthtml"],
        modules: ["fasthtml"],
        constructors: {
            "fasthtml.FastHTML": "asgi",
            "fasthtml.common.FastHTML": "asgi",
            "fasthtml.core.FastHTML": "asgi",
            "fasthtml.fast_app": "asgi",
            "fasthtml.common.fast_app": "asgi",
            "fasthtml.fastapp.fast_app": "asgi",
        },
        firstOfTuple: ["fasthtml.fast_app", "fasthtml.common.fast_app", "fasthtml.fastapp.fast_app"],
        reason: "FastHTML apps are Starlette apps: ASGI.",
    },
    {
        framework: "starlette",
        distributions: ["starlette"],
        modules: ["starlette"],
        constructors: { "starlette.applications.Starlette": "asgi", "starlette.Starlette": "asgi" },
        reason: "Starlette apps are ASGI.",
    },
    {
        framework: "litestar",
        distributions: ["litestar"],
        modules: ["litestar"],
        constructors: { "litestar.Litestar": "asgi", "litestar.app.Litestar": "asgi" },
        reason: "Litestar apps are ASGI.",
    },
    {
        framework: "falcon",
        distributions: ["falcon"],
        modules: ["falcon"],
        constructors: { "falcon.App": "wsgi", "falcon.API": "wsgi", "falcon.asgi.App": "asgi" },
        reason: "falcon.App is a WSGI app; falcon.asgi.App an ASGI one.",
    },
    {
        framework: "sanic",
        distributions: ["sanic"],
        modules: ["sanic"],
        constructors: { "sanic.Sanic": "asgi", "sanic.app.Sanic": "asgi" },
        reason: "A Sanic app is an ASGI callable (served here by gunicorn's uvicorn worker, not Sanic's own server).",
    },
    {
        framework: "blacksheep",
        distributions: ["blacksheep"],
        modules: ["blacksheep"],
        constructors: { "blacksheep.Application": "asgi", "blacksheep.server.Application": "asgi" },
        reason: "BlackSheep apps are ASGI.",
    },
    {
        framework: "dash",
        distributions: ["dash"],
        modules: ["dash"],
        constructors: { "dash.Dash": "wsgi" },
        serves: "server",
        reason: "A Dash app runs on a Flask server, `app.server`, which is the WSGI callable gunicorn serves.",
    },
    {
        framework: "bottle",
        distributions: ["bottle"],
        modules: ["bottle"],
        constructors: { "bottle.Bottle": "wsgi", "bottle.default_app": "wsgi" },
        reason: "Bottle apps are WSGI.",
    },
    {
        framework: "pyramid",
        distributions: ["pyramid"],
        modules: ["pyramid"],
        constructors: {},
        reason: "Pyramid's Configurator.make_wsgi_app() returns a WSGI app.",
    },
    {
        framework: "connexion",
        distributions: ["connexion"],
        modules: ["connexion"],
        constructors: { "connexion.App": "asgi", "connexion.FlaskApp": "asgi", "connexion.AsyncApp": "asgi" },
        reason: "Connexion 3 apps (App, FlaskApp, AsyncApp) are ASGI.",
        olderReleases: [
            {
                range: "<3",
                interface: "wsgi",
                reason: "Connexion 2's App and FlaskApp hand __call__ to the Flask app they wrap: a WSGI app (only Connexion 3 made them ASGI).",
            },
        ],
    },
];

/**
 * The order in which to believe a framework's presence when the code does not
 * say: one that builds on another comes first (Quart, Dash and Connexion
 * depend on Flask; FastAPI on Starlette).
 */
export const SPECIFICITY: readonly Exclude<Framework, "unknown">[] = [
    "django", "quart", "fastapi", "fasthtml", "litestar", "sanic", "blacksheep", "connexion", "dash", "falcon", "bottle", "pyramid", "starlette", "flask",
];

/** Gradio's function that mounts a Blocks app into a FastAPI app, by its qualified names. */
export const GRADIO_MOUNTS: readonly string[] = ["gradio.mount_gradio_app", "gradio.routes.mount_gradio_app"];

/**
 * Middleware that wraps an app and is itself the app served: the interface
 * of what it returns, whatever it wraps. An adapter turns one interface into
 * the other (a2wsgi's ASGIMiddleware serves an ASGI app to a WSGI server);
 * the others keep it (WhiteNoise is WSGI middleware). Qualified as the code
 * imports them; each from its project's documentation.
 */
export const WRAPPERS: Readonly<Record<string, AppInterface>> = byName({
    // Adapters: ASGI app -> WSGI callable.
    "a2wsgi.ASGIMiddleware": "wsgi",
    "a2wsgi.asgi.ASGIMiddleware": "wsgi",
    // Adapters: WSGI app -> ASGI callable.
    "a2wsgi.WSGIMiddleware": "asgi",
    "a2wsgi.wsgi.WSGIMiddleware": "asgi",
    "asgiref.wsgi.WsgiToAsgi": "asgi",
    "starlette.middleware.wsgi.WSGIMiddleware": "asgi",
    "fastapi.middleware.wsgi.WSGIMiddleware": "asgi",
    "uvicorn.middleware.wsgi.WSGIMiddleware": "asgi",
    // WSGI middleware.
    "whitenoise.WhiteNoise": "wsgi",
    "servestatic.ServeStatic": "wsgi",
    "werkzeug.middleware.proxy_fix.ProxyFix": "wsgi",
    "werkzeug.middleware.dispatcher.DispatcherMiddleware": "wsgi",
    "werkzeug.middleware.shared_data.SharedDataMiddleware": "wsgi",
    "sentry_sdk.integrations.wsgi.SentryWsgiMiddleware": "wsgi",
    // ASGI middleware.
    "servestatic.ServeStaticASGI": "asgi",
    "uvicorn.middleware.proxy_headers.ProxyHeadersMiddleware": "asgi",
    "blacknoise.BlackNoise": "asgi",
    "sentry_sdk.integrations.asgi.SentryAsgiMiddleware": "asgi",
    // Gradio's mount_gradio_app(app, blocks, path=...) returns the FastAPI app it mounted the Blocks into.
    ...Object.fromEntries(GRADIO_MOUNTS.map((m) => [m, "asgi" as const])),
    // python-socketio's servers, around the app they pass other requests to (SOCKETIO_INNER_ARGS).
    "socketio.ASGIApp": "asgi",
    "socketio.asgi.ASGIApp": "asgi",
    "socketio.WSGIApp": "wsgi",
    "socketio.wsgi.WSGIApp": "wsgi",
});

/** python-socketio's wrappers take the Socket.IO server first and the app second (or by this keyword). */
export const SOCKETIO_INNER_ARGS: Readonly<Record<string, string>> = byName({
    "socketio.ASGIApp": "other_asgi_app",
    "socketio.asgi.ASGIApp": "other_asgi_app",
    "socketio.WSGIApp": "wsgi_app",
    "socketio.wsgi.WSGIApp": "wsgi_app",
});

/** Methods whose call makes an app, for frameworks whose app comes from an object the code built first. */
export const APP_METHODS: Readonly<Record<string, { readonly framework: Exclude<Framework, "unknown">; readonly interface: AppInterface }>> = byName({
    make_wsgi_app: { framework: "pyramid", interface: "wsgi" },
});

/** The row whose constructor a qualified callable is, e.g. "falcon.asgi.App". */
export function constructorOf(qualified: string): { row: FrameworkRow; interface: AppInterface } | undefined {
    for (const row of FRAMEWORK_TABLE) {
        const iface = row.constructors[qualified];
        if (iface) {
            return { row, interface: iface };
        }
    }
    return undefined;
}

/** The framework a top-level import name belongs to ("flask" -> flask). */
export function frameworkOfModule(module: string): FrameworkRow | undefined {
    const top = module.split(".")[0];
    return FRAMEWORK_TABLE.find((r) => r.modules.includes(top));
}

/** The framework a dependency name provides (PEP 503 name). */
export function frameworkOfDistribution(name: string): FrameworkRow | undefined {
    return FRAMEWORK_TABLE.find((r) => r.distributions.includes(name));
}

/**
 * The interface of a framework's app when the code does not show the
 * constructor: ASGI for frameworks whose apps are only ASGI; for the others
 * WSGI unless one of `imported` is an ASGI module of theirs (falcon.asgi).
 */
export function defaultInterface(framework: Framework, imported: Iterable<string> = []): AppInterface {
    const row = FRAMEWORK_TABLE.find((r) => r.framework === framework);
    if (!row) {
        return "wsgi";
    }
    const kinds = new Set(Object.values(row.constructors));
    if (kinds.size === 1 && kinds.has("asgi")) {
        return "asgi";
    }
    for (const m of imported) {
        for (const [ctor, iface] of Object.entries(row.constructors)) {
            if (iface === "asgi" && ctor.startsWith(`${m}.`) && m.includes(".")) {
                return "asgi";
            }
        }
    }
    return "wsgi";
}

/** The most specific framework among names (imports or dependencies). */
export function mostSpecific(rows: Iterable<FrameworkRow | undefined>): FrameworkRow | undefined {
    const present = new Set([...rows].filter((r) => r !== undefined).map((r) => r!.framework));
    const f = SPECIFICITY.find((x) => present.has(x));
    return f ? FRAMEWORK_TABLE.find((r) => r.framework === f) : undefined;
}

/**
 * The interface of a framework's app at the release the app installs: the
 * constructor's (the newest releases') unless a row of `olderReleases` holds
 * that release. `release` and `reason` say what decided, for the plan's notes.
 */
export function interfaceAtRelease(
    framework: Framework,
    iface: AppInterface,
    pin: string | undefined,
    specifier: string | undefined,
): { interface: AppInterface; release?: string; reason?: string } {
    const row = FRAMEWORK_TABLE.find((r) => r.framework === framework);
    if (!row?.olderReleases) {
        return { interface: iface };
    }
    const version = installedVersion(pin, specifier, row.olderReleases.flatMap((r) => parseSpecifier(r.range).map((c) => c.version)));
    const dist = row.distributions[0];
    const said = pin !== undefined ? `${dist}==${pin}` : specifier ? `${dist}${specifier} (the newest release it allows)` : `${dist}, unpinned (the newest release)`;
    const older = version === undefined ? undefined : row.olderReleases.find((r) => satisfies(version, r.range));
    return { interface: older ? older.interface : iface, release: said, reason: older ? older.reason : row.reason };
}
