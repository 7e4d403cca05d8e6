import { detectDependencies, Installer } from "../detect/dependencies";
import { AppInterface, detectEntrypoint, Framework } from "../detect/entrypoint";
import { detectPython } from "../detect/python-version";
import { SourceTree } from "../detect/source";
import { InputError } from "../errors";
import * as v from "../validate";
import { BaseFlavor, baseImageFor, flavorOf, pythonOfKnownImage } from "./base-images";
import { ASGI_WORKER_CLASS, DEFAULTS } from "./defaults";
import { NATIVE_PACKAGES } from "./native-packages";

/** What synthesize() takes besides the source folder. Every field is optional. */
export interface SynthesizeOptions {
    /**
     * gunicorn's app: "module:attribute" or "module:factory()".
     * @default detected: Procfile `web:`, then Django settings, then a module creating Flask/FastAPI/Starlette
     */
    readonly app?: string;
    /**
     * "wsgi" or "asgi"; ASGI apps run with gunicorn's uvicorn worker.
     * @default detected from the framework
     */
    readonly interface?: AppInterface;
    /**
     * Python version, "3.10" to "3.14".
     * @default .python-version, then requires-python, then runtime.txt, then 3.13
     */
    readonly python?: string;
    /**
     * Which installer to use; must match the lock file present.
     * @default detected from the lock file (uv.lock, poetry.lock, Pipfile.lock), else pip
     */
    readonly installer?: Installer;
    /**
     * Base image of both stages. An image whose repository is `python` is taken as an
     * official Python image; any other must be Debian or Ubuntu with python3 in apt.
     * @default from the base-image table for the Python version (distro Python first)
     */
    readonly baseImage?: string;
    /** @default 8000 */
    readonly port?: number;
    /**
     * gunicorn workers.
     * @default follows the container's CPU limit: 2 x CPUs + 1 for WSGI, CPUs for ASGI (WEB_CONCURRENCY overrides at run time)
     */
    readonly workers?: number;
    /** gunicorn threads per worker (WSGI; more than 1 runs the gthread worker). @default 4 for WSGI apps (set in the synthesized gunicorn config) */
    readonly threads?: number;
    /** gunicorn worker timeout, seconds. @default 60 */
    readonly timeout?: number;
    /** gunicorn graceful timeout, seconds; the container's stop timeout follows it. @default 30 */
    readonly gracefulTimeout?: number;
    /** Name of the non-root user. @default "app" */
    readonly user?: string;
    /** @default 10001 */
    readonly uid?: number;
    /** @default 10001 */
    readonly gid?: number;
    /** Extra Debian packages for the builder stage (compilers and -dev headers are already there). @default [] */
    readonly aptBuildPackages?: string[];
    /** Extra Debian packages for the runner stage (shared libraries the app loads). @default [] */
    readonly aptRuntimePackages?: string[];
    /** Path the health check requests; any answer below 500 counts as healthy. @default "/" */
    readonly healthCheckPath?: string;
    /** Set false to leave HEALTHCHECK out of the image. @default true */
    readonly healthCheck?: boolean;
    /**
     * A `# syntax=` frontend image for the first line. Off by default: it makes the
     * builder pull an image, which fails on builders without internet access.
     * @default none
     */
    readonly syntax?: string;
    /**
     * Names of build secrets mounted as environment variables into the dependency
     * install step only (e.g. PIP_INDEX_URL, UV_INDEX_URL), for private package
     * indexes. Only the names enter the Dockerfile; values never reach the image.
     * @default []
     */
    readonly installSecrets?: string[];
    /**
     * The install steps trust an extra CA bundle, given to the build as the
     * secret `ca-bundle` (a PEM file): for networks whose TLS is intercepted by a
     * proxy with its own CA. The bundle is mounted only while installing.
     * @default false
     */
    readonly caBundle?: boolean;
    /** OCI labels for the image. @default {} */
    readonly labels?: Record<string, string>;
    /** Extra .dockerignore patterns, added after the synthesized ones and the user's own. @default [] */
    readonly ignore?: string[];
}

export interface Plan {
    readonly framework: Framework;
    readonly entrypoint: { readonly spec: string; readonly interface: AppInterface; readonly source: string };
    readonly installer: Installer;
    /** Files copied before the source and read by the install step. */
    readonly manifests: readonly string[];
    readonly manifest: string;
    readonly installsProject: boolean;
    /** Dependencies install after the source is copied (local path requirements). */
    readonly needsSource: boolean;
    readonly python: { readonly version: string; readonly source: string };
    readonly baseImage: { readonly image: string; readonly flavor: BaseFlavor; readonly reason: string };
    readonly server: {
        readonly port: number;
        readonly workers?: number;
        readonly threads?: number;
        readonly timeout: number;
        readonly gracefulTimeout: number;
        readonly workerClass?: string;
        /** Packages added to the venv because the app's dependencies lack them. */
        readonly addedPackages: readonly string[];
        /** The app has its own gunicorn.conf.py, loaded instead of the synthesized one. */
        readonly userConfig: boolean;
    };
    readonly user: { readonly name: string; readonly uid: number; readonly gid: number };
    readonly apt: { readonly build: readonly string[]; readonly runtime: readonly string[] };
    readonly healthCheck?: { readonly path: string };
    readonly syntax?: string;
    readonly installSecrets: readonly string[];
    readonly caBundle: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly ignore: readonly string[];
    readonly notes: readonly string[];
}

const KNOWN_OPTIONS = new Set([
    "app", "interface", "python", "installer", "baseImage", "port", "workers", "threads", "timeout",
    "gracefulTimeout", "user", "uid", "gid", "aptBuildPackages", "aptRuntimePackages", "healthCheckPath",
    "healthCheck", "syntax", "installSecrets", "caBundle", "labels", "ignore",
]);

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const IGNORE_PATTERN = /^[^\s#][^\n]*$/;

export function makePlan(src: SourceTree, options: SynthesizeOptions): Plan {
    checkOptions(options);
    const o = options;
    const notes: string[] = [];

    if (o.installer !== undefined && !["pip", "uv", "poetry", "pipenv"].includes(o.installer)) {
        throw new InputError(
            "`installer`",
            `\`installer\` is ${JSON.stringify(o.installer)}; it must be "pip", "uv", "poetry" or "pipenv".`,
        );
    }
    const deps = detectDependencies(src, o.installer);
    notes.push(...deps.notes);
    const python = detectPython(src, o.python, deps.pyproject);
    const entry = detectEntrypoint(src, o.app, o.interface, deps.names);

    const baseImage = chooseBase(o.baseImage, python.version);

    const port = o.port === undefined ? DEFAULTS.port : v.integer("`port`", o.port, 1, 65535, "Use a TCP port such as 8000.");
    if (o.uid === 0) {
        throw new InputError("`uid`", "`uid` is 0 (root); the app must run as a non-root user. Use an id such as 10001.");
    }
    const uid = o.uid === undefined ? DEFAULTS.uid : v.integer("`uid`", o.uid, 1, 2147483647, "Use a non-root user id such as 10001.");
    if (o.gid === 0) {
        throw new InputError("`gid`", "`gid` is 0 (root's group); use a non-root group id such as 10001.");
    }
    const gid = o.gid === undefined ? DEFAULTS.gid : v.integer("`gid`", o.gid, 1, 2147483647, "Use a non-root group id such as 10001.");
    const user = o.user === undefined ? DEFAULTS.user : v.matches("`user`", o.user, v.USER_NAME, "a Linux user name (lower case, digits, _ or -, at most 32)");
    if (user === "root") {
        throw new InputError("`user`", '`user` is "root"; the app must run as a non-root user. Use a name such as "app".');
    }
    const workers = o.workers === undefined ? undefined : positive("`workers`", o.workers, "gunicorn needs at least 1 worker; leave `workers` unset to follow the container's CPUs.");
    const threads = o.threads === undefined ? undefined : positive("`threads`", o.threads, "Leave `threads` unset for the default of 4 (WSGI).");
    const timeout = o.timeout === undefined ? DEFAULTS.timeout : positive("`timeout`", o.timeout, "It is gunicorn's worker timeout in seconds.");
    const gracefulTimeout =
        o.gracefulTimeout === undefined ? DEFAULTS.gracefulTimeout : positive("`gracefulTimeout`", o.gracefulTimeout, "It is seconds gunicorn waits for requests to finish on stop.");

    const aptBuild = v.stringList("`aptBuildPackages`", o.aptBuildPackages, v.APT_PACKAGE, "a Debian package name (optionally =version)");
    const aptRuntime = v.stringList("`aptRuntimePackages`", o.aptRuntimePackages, v.APT_PACKAGE, "a Debian package name (optionally =version)");
    for (const row of NATIVE_PACKAGES) {
        if (deps.names.has(row.pypi)) {
            aptBuild.push(...row.build.filter((p) => !aptBuild.includes(p)));
            aptRuntime.push(...row.runtime.filter((p) => !aptRuntime.includes(p)));
            notes.push(`${row.pypi}: added ${[...row.build, ...row.runtime].join(", ")} (${row.reason})`);
        }
    }

    let healthCheck: { path: string } | undefined;
    if (o.healthCheck !== undefined && typeof o.healthCheck !== "boolean") {
        throw new InputError("`healthCheck`", "`healthCheck` must be true or false.");
    }
    if (o.healthCheck !== false) {
        const path = o.healthCheckPath === undefined ? DEFAULTS.healthCheckPath : v.matches("`healthCheckPath`", o.healthCheckPath, v.URL_PATH, 'a URL path such as "/healthz" (starting with /, no spaces, quotes or backslashes)');
        healthCheck = { path };
    } else if (o.healthCheckPath !== undefined) {
        throw new InputError("`healthCheckPath`", "`healthCheckPath` is set but `healthCheck` is false; remove one of them.");
    }

    const syntax = o.syntax === undefined ? undefined : v.matches("`syntax`", o.syntax, v.IMAGE_REF, 'an image reference such as "docker/dockerfile:1"');
    if (o.caBundle !== undefined && typeof o.caBundle !== "boolean") {
        throw new InputError("`caBundle`", "`caBundle` must be true or false in synthesize(); PythonImage takes the PEM file's path.");
    }
    const installSecrets = v.stringList("`installSecrets`", o.installSecrets, v.ENV_NAME, "an environment variable name such as PIP_INDEX_URL");
    const labels = checkLabels(o.labels);
    const ignore = v.stringList("`ignore`", o.ignore, IGNORE_PATTERN, "a .dockerignore pattern (one line, not starting with # or a space)");

    const addedPackages: string[] = [];
    if (!deps.names.has("gunicorn")) {
        addedPackages.push(DEFAULTS.gunicorn);
    }
    const workerClass = entry.interface === "asgi" ? ASGI_WORKER_CLASS : undefined;
    if (workerClass && !deps.names.has("uvicorn-worker")) {
        addedPackages.push(DEFAULTS.uvicornWorker);
    }
    if (addedPackages.length > 0) {
        notes.push(`The app's dependencies lack ${addedPackages.map((p) => p.split("==")[0]).join(" and ")}: added ${addedPackages.join(", ")}.`);
    }
    const userConfig = src.isFile("gunicorn.conf.py");
    if (userConfig) {
        notes.push("The app's gunicorn.conf.py is loaded; the command line still sets bind, --worker-tmp-dir, logs and timeouts.");
    }

    return {
        framework: entry.framework,
        entrypoint: { spec: entry.spec, interface: entry.interface, source: entry.source },
        installer: deps.installer,
        manifests: deps.files,
        manifest: deps.manifest,
        installsProject: deps.installsProject,
        needsSource: deps.needsSource,
        python,
        baseImage,
        server: { port, workers, threads, timeout, gracefulTimeout, workerClass, addedPackages, userConfig },
        user: { name: user, uid, gid },
        apt: { build: aptBuild, runtime: aptRuntime },
        healthCheck,
        syntax,
        installSecrets,
        caBundle: o.caBundle === true,
        labels,
        ignore,
        notes,
    };
}

function checkOptions(options: unknown): void {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
        throw new InputError("`options`", "The options must be an object such as { app: \"app:app\" }.");
    }
    for (const key of Object.keys(options as object).sort()) {
        if (!KNOWN_OPTIONS.has(key) && (options as Record<string, unknown>)[key] !== undefined) {
            throw new InputError(`\`${key}\``, `\`${key}\` is not an option of synthesize(); check its spelling.`);
        }
    }
}

function positive(argument: string, value: unknown, hint: string): number {
    return v.integer(argument, value, 1, 100000, hint);
}

function chooseBase(requested: unknown, python: string): Plan["baseImage"] {
    if (requested === undefined) {
        const row = baseImageFor(python)!;
        return { image: row.image, flavor: row.flavor, reason: row.reason };
    }
    const image = v.matches("`baseImage`", requested, v.IMAGE_REF, 'an image reference such as "debian:trixie" or "registry.example/mirror/python:3.12-slim"');
    const known = pythonOfKnownImage(image);
    if (known !== undefined && known !== python) {
        throw new InputError(
            "`baseImage`",
            `\`baseImage\` ${image} ships Python ${known}, but the app asks for Python ${python}. ` +
                `Pick a base image with Python ${python}, or set \`python\` to "${known}".`,
        );
    }
    const flavor = flavorOf(image);
    return {
        image,
        flavor,
        reason:
            flavor === "python"
                ? "`baseImage`: an official Python image; Python comes with it."
                : "`baseImage`: a Debian or Ubuntu image; python3 comes from its apt.",
    };
}

function checkLabels(labels: unknown): Record<string, string> {
    if (labels === undefined) {
        return {};
    }
    if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
        throw new InputError("`labels`", "`labels` must be an object of label names to string values.");
    }
    const out: Record<string, string> = {};
    for (const key of Object.keys(labels).sort()) {
        v.matches(`\`labels\` key`, key, LABEL_KEY, "a label name such as org.opencontainers.image.source");
        out[key] = v.string(`\`labels.${key}\``, (labels as Record<string, unknown>)[key]);
    }
    return out;
}
