import { DEFAULTS } from "../data/defaults";
import { APP_INTERFACES, AppInterface } from "../data/frameworks";
import { INSTALLERS, Installer, REQUIREMENTS_INSTALLERS, RequirementsInstaller } from "../detect/dependencies";
import { WRITABLE_PATH_KINDS, WritablePathKind } from "../detect/writable-paths";
import { InputError } from "../errors";
import * as v from "../validate";

/**
 * The options of the synthesized image that synthesize() and PythonImage
 * (so PythonApp too) take alike. Every field is optional: detection fills
 * what is unset. The four options whose shape differs between the two
 * (`installSecrets`, `buildSecrets`, `caBundle`, `releaseCommand`) are
 * declared by SynthesizeOptions and PythonImageArgs themselves.
 */
export interface ImageOptions {
    /**
     * gunicorn's app: "module:attribute", "module:factory()" (literal arguments
     * allowed, e.g. "app:create_app('production')"), or a bare "module", which
     * gunicorn reads as "module:application".
     * @default detected: Procfile `web:` (else render.yaml's or Railway's start command), then Django (manage.py and its settings), then the code
     */
    readonly app?: string;
    /**
     * "wsgi" or "asgi"; ASGI apps run with gunicorn's uvicorn worker. For an
     * app object detection cannot read (middleware it does not know, such as
     * a wrapper of the app's own). Throws InputError when the code shows a
     * framework constructor or known middleware (a2wsgi, asgiref's
     * WsgiToAsgi, WhiteNoise, ...) that makes the other interface (say,
     * `interface: "wsgi"` on `app = FastAPI()`): every request would fail.
     * @default the interface of the constructor or middleware that makes the app
     */
    readonly interface?: AppInterface;
    /**
     * Python version, "3.10" to "3.14".
     * @default .python-version, runtime.txt, Pipfile(.lock), pip-compile's header; else the default (3.13)
     * within requires-python / Poetry's python constraint, preferring a version every pinned compiled package has wheels for
     */
    readonly python?: string;
    /**
     * Which installer to use; must match the lock file present. Where the folder has
     * several tools' locks (uv.lock beside poetry.lock), it picks the one installed.
     * @default detected from the lock file (uv.lock, poetry.lock, Pipfile.lock, pdm.lock), else pip;
     * several lock files without it are an InputError naming them
     */
    readonly installer?: Installer;
    /**
     * What installs a requirements.txt app's dependencies: `"uv"`, uv's pip
     * interface (`uv pip install -r requirements.txt`, with pip's index
     * strategy, `unsafe-best-match`, and bytecode compiled), or `"pip"`. Both
     * install the same versions from the same files; uv does it in a fraction
     * of pip's time (the bench's scenario 4). Ignored for other manifests.
     * Errors: `"uv"` when a requirements file holds something only pip reads
     * (the error names the line).
     * @default "uv" when every line of the requirements files is one uv reads
     * as pip does (options such as `--trusted-host`, `--pre`,
     * `--global-option`, a `--find-links` folder or an editable VCS URL keep
     * pip, with a note), and no install secret is a pip setting uv does not
     * read (`PIP_INDEX_URL` and `PIP_EXTRA_INDEX_URL` are passed to uv as
     * `UV_INDEX_URL` and `UV_EXTRA_INDEX_URL`); else "pip"
     */
    readonly requirementsInstaller?: RequirementsInstaller;
    /**
     * Dependency groups to install besides the main dependencies (PEP 735
     * [dependency-groups], uv's, Poetry's and PDM's groups; PDM's include the
     * optional-dependencies groups), or, for a project pip installs, its
     * extras (PEP 621 [project.optional-dependencies], setuptools'
     * extras_require). Development groups
     * (dev, lint, test...) are never installed unless named here.
     * @default a group or extra named prod, production or deploy, when there is one
     */
    readonly dependencyGroups?: string[];
    /**
     * The uv workspace member that holds the app (its [project] name), for
     * `uv sync --package`.
     * @default the member whose code makes the app, when the workspace root is virtual
     */
    readonly workspacePackage?: string;
    /**
     * Base image of both stages. An image whose repository is `python` is taken as an
     * official Python image; any other must be Debian or Ubuntu with python3 in apt.
     * @default from the base-image table for the Python version (distro Python first)
     */
    readonly baseImage?: string;
    /** The TCP port gunicorn listens on in the container (PythonApp publishes it). @default 8000 */
    readonly port?: number;
    /**
     * gunicorn workers.
     * @default follows the container's CPU limit: CPUs + 1 for WSGI with threads (the default), 2 x CPUs + 1 for WSGI with `threads: 1` or another worker class, CPUs for ASGI (WEB_CONCURRENCY overrides at run time)
     */
    readonly workers?: number;
    /** gunicorn threads per worker (WSGI; more than 1 runs the gthread worker). @default 12 for WSGI apps (set in the synthesized gunicorn config) */
    readonly threads?: number;
    /** gunicorn worker timeout, seconds. @default the Procfile's or the app's gunicorn.conf.py's, else 60 */
    readonly timeout?: number;
    /** gunicorn graceful timeout, seconds; the container's stop timeout follows it. @default the Procfile's or the app's gunicorn.conf.py's, else 30 */
    readonly gracefulTimeout?: number;
    /**
     * gunicorn's worker class: sync, gthread, gevent, eventlet, tornado, or a
     * dotted class path.
     * @default gthread-style threads for WSGI; the uvicorn worker for ASGI; the Procfile's -k
     */
    readonly workerClass?: string;
    /**
     * The folder gunicorn runs in (its --chdir), relative to the source folder.
     * @default the Django project's folder, else the Procfile's --chdir, else the source folder
     */
    readonly chdir?: string;
    /**
     * Folders put on gunicorn's Python path (its --pythonpath), relative to the source folder.
     * @default the Procfile's --pythonpath; the folder holding the app when it is not importable otherwise
     */
    readonly pythonPath?: string[];
    /**
     * Addresses of the proxies whose X-Forwarded-* headers gunicorn (and the
     * uvicorn worker) trusts: gunicorn's forwarded_allow_ips. "*" trusts every peer.
     * @default gunicorn's own (127.0.0.1 and ::1; the FORWARDED_ALLOW_IPS variable at run time overrides)
     */
    readonly trustedProxies?: string[];
    /** Name of the non-root user. @default "app" */
    readonly user?: string;
    /** User id of the non-root user the app runs as (not 0). @default 10001 */
    readonly uid?: number;
    /** Group id of that user (not 0). @default 10001 */
    readonly gid?: number;
    /** Extra Debian packages for the builder stage (compilers and -dev headers are already there). @default [] */
    readonly aptBuildPackages?: string[];
    /** Extra Debian packages for the runner stage (shared libraries the app loads). @default [] */
    readonly aptRuntimePackages?: string[];
    /** Path the health check requests; any answer below 500 (redirects included, not followed) counts as healthy. @default render.yaml's healthCheckPath, railway's deploy.healthcheckPath, or the app's own Compose healthcheck or Dockerfile HEALTHCHECK path, else "/" */
    readonly healthCheckPath?: string;
    /** Set false to leave HEALTHCHECK out of the image. @default true */
    readonly healthCheck?: boolean;
    /**
     * Compile the app's own modules to bytecode in the image (the venv's are
     * always compiled). When unset: compiled when the source goes through the
     * builder, or when the build context holds 256 KB of Python source or
     * more; below that, gunicorn's workers compile the few modules they
     * import faster at start than a build step would (bench/RESULTS.md).
     * @default by the app's size
     */
    readonly compileBytecode?: boolean;
    /**
     * gunicorn's access log: one line per request on stdout (`--access-logfile -`),
     * the container's only record of the requests it served. Turn it off when a
     * proxy or load balancer in front logs every request already: on an ASGI app
     * (uvicorn's worker) the line costs a measurable share of the requests per
     * second (bench/RESULTS.md, serving). An `accesslog` set in the app's own
     * gunicorn.conf.py is kept either way.
     * @default true
     */
    readonly accessLog?: boolean;
    /**
     * Run Django's `collectstatic` in the builder (detected from
     * django.contrib.staticfiles and STATIC_ROOT), and Flask-Assets'
     * `flask assets build` (detected from its bundles). false turns them off.
     * @default true when detected
     */
    readonly collectStatic?: boolean;
    /**
     * Run the front-end build: package.json's `build` script, with npm (`npm ci`
     * with a package-lock.json, else `npm install`), first among the build
     * steps, with Debian's nodejs and npm in the builder only; node_modules is
     * removed after it. Detected when package.json at the source folder's root
     * has a `build` script and names a front-end build tool (tailwindcss, sass,
     * webpack, vite, esbuild, ...). true with no such build is an error.
     * @default detected
     */
    readonly frontendBuild?: boolean;
    /**
     * More build steps, each a command (list of words, run without a shell)
     * in the builder after the source is copied, in the folder gunicorn runs in.
     * @default []
     */
    readonly buildCommands?: string[][];
    /**
     * Non-secret environment for the build steps (collectstatic and
     * `buildCommands`) and the project install, e.g. settings a Django settings
     * module reads at import. Not set in the final image.
     * @default {}
     */
    readonly buildEnv?: Record<string, string>;
    /**
     * Paths the app writes, relative to the app's folder or absolute: created
     * owned by the app's user in the image. "data" paths persist (PythonApp
     * mounts a named volume); "scratch" paths do not (a tmpfs).
     * @default detected (Flask's instance folder, SQLite files, log files, MEDIA_ROOT)
     */
    readonly writablePaths?: Record<string, WritablePathKind>;
    /**
     * A `# syntax=` frontend image for the first line. Off by default: it makes the
     * builder pull an image, which fails on builders without internet access.
     * @default none
     */
    readonly syntax?: string;
    /** OCI labels for the image. @default {} */
    readonly labels?: Record<string, string>;
    /** Extra .dockerignore patterns, added after the synthesized ones and the user's own. @default [] */
    readonly ignore?: string[];
}

/**
 * What synthesize() takes besides the source folder: the image options, plus
 * the secrets and the CA bundle as names and flags (synthesize() writes the
 * Dockerfile only; PythonImage takes the values). checkOptions() is the one
 * place each option is checked.
 */
export interface SynthesizeOptions extends ImageOptions {
    /**
     * Names of build secrets mounted as environment variables into the build
     * steps only (PythonImage takes the values). Only the names enter the Dockerfile.
     * @default []
     */
    readonly buildSecrets?: string[];
    /**
     * The command PythonApp runs once per deploy, with the new image, before the
     * new container takes traffic (migrations), as a list of words (no shell);
     * [] or false runs none.
     * @default the Procfile's release: line (else render.yaml's or Railway's preDeployCommand, or the app's own Compose file's one-shot migrating
     * service), or the commands it (or the app's Dockerfile ENTRYPOINT script) chains before the server, or Django's
     * `migrate` when its database is an SQLite file in the app's folder
     */
    readonly releaseCommand?: string[] | false;
    /**
     * Names of build secrets mounted as environment variables into the dependency
     * install step only (e.g. PIP_INDEX_URL, UV_INDEX_URL, or a token a manifest's
     * ${NAME} refers to), for private package indexes. Only the names enter the
     * Dockerfile; values never reach the image.
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
}

/** The options after checking: the same names, values narrowed; unset stays undefined where detection decides. */
export interface CheckedOptions {
    readonly app?: string;
    readonly interface?: AppInterface;
    readonly python?: string;
    readonly installer?: Installer;
    readonly requirementsInstaller?: RequirementsInstaller;
    readonly dependencyGroups?: readonly string[];
    readonly workspacePackage?: string;
    readonly baseImage?: string;
    readonly port: number;
    readonly workers?: number;
    readonly threads?: number;
    readonly timeout?: number;
    readonly gracefulTimeout?: number;
    readonly workerClass?: string;
    readonly chdir?: string;
    readonly pythonPath?: readonly string[];
    readonly trustedProxies?: readonly string[];
    readonly user: string;
    readonly uid: number;
    readonly gid: number;
    readonly aptBuildPackages: readonly string[];
    readonly aptRuntimePackages: readonly string[];
    readonly healthCheck?: { readonly path: string };
    /** `healthCheckPath` was given (a platform config's health check path does not replace it). */
    readonly healthCheckPathSet: boolean;
    readonly compileBytecode?: boolean;
    readonly accessLog: boolean;
    readonly collectStatic?: boolean;
    readonly frontendBuild?: boolean;
    readonly buildCommands: readonly (readonly string[])[];
    readonly buildEnv: Readonly<Record<string, string>>;
    readonly buildSecrets: readonly string[];
    readonly releaseCommand?: readonly string[] | false;
    readonly writablePaths: Readonly<Record<string, WritablePathKind>>;
    readonly syntax?: string;
    readonly installSecrets: readonly string[];
    readonly caBundle: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly ignore: readonly string[];
}

/** The name of every option synthesize() takes (PythonImage takes each one too). */
export const KNOWN_OPTIONS: ReadonlySet<string> = new Set<keyof SynthesizeOptions>([
    "app", "interface", "python", "installer", "requirementsInstaller", "dependencyGroups", "workspacePackage", "baseImage", "port", "workers",
    "threads", "timeout", "gracefulTimeout", "workerClass", "chdir", "pythonPath", "trustedProxies", "user", "uid", "gid",
    "aptBuildPackages", "aptRuntimePackages", "healthCheckPath", "healthCheck", "compileBytecode", "accessLog", "collectStatic", "frontendBuild", "buildCommands",
    "buildEnv", "buildSecrets", "releaseCommand", "writablePaths", "syntax", "installSecrets", "caBundle", "labels", "ignore",
]);

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const IGNORE_PATTERN = /^[^\s#][^\n]*$/;
/** A dependency group or project name (PEP 735 / PEP 508 names). */
const GROUP_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** A gunicorn worker class: a short name or a dotted Python path. */
const WORKER_CLASS = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** An IPv4/IPv6 address or network, or "*". */
const PROXY_ADDRESS = /^(?:\*|[0-9A-Fa-f.:]+(?:\/\d{1,3})?)$/;
/** A writable path: absolute or relative, plain path characters. */
const WRITABLE_PATH = /^\/?[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*\/?$/;

function positive(argument: string, value: unknown, hint: string): number {
    return v.integer(argument, value, 1, 100000, hint);
}

/** Checks every option; the first bad one throws an InputError naming it and the fix. */
export function checkOptions(options: unknown): CheckedOptions {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
        throw new InputError("`options`", 'The options must be an object such as { app: "app:app" }.');
    }
    for (const key of Object.keys(options).sort()) {
        if (!KNOWN_OPTIONS.has(key) && (options as Record<string, unknown>)[key] !== undefined) {
            throw new InputError(`\`${key}\``, `\`${key}\` is not an option of synthesize(); check its spelling.`);
        }
    }
    const o = options as Record<string, unknown>;

    const app = o.app === undefined ? undefined : v.appSpec(o.app);
    const iface = o.interface === undefined ? undefined : v.oneOf("`interface`", o.interface, APP_INTERFACES);
    const installer = o.installer === undefined ? undefined : v.oneOf("`installer`", o.installer, INSTALLERS);
    const requirementsInstaller = o.requirementsInstaller === undefined ? undefined : v.oneOf("`requirementsInstaller`", o.requirementsInstaller, REQUIREMENTS_INSTALLERS);
    if (o.python !== undefined && typeof o.python !== "string") {
        // A number loses the version: 3.10 is 3.1.
        throw new InputError("`python`", `\`python\` must be a string such as "3.12", not ${v.describe(o.python)}; quote the version.`);
    }

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
    const threads = o.threads === undefined ? undefined : positive("`threads`", o.threads, `Leave \`threads\` unset for the default of ${DEFAULTS.threads} (WSGI).`);
    const timeout = o.timeout === undefined ? undefined : positive("`timeout`", o.timeout, "It is gunicorn's worker timeout in seconds.");
    const gracefulTimeout =
        o.gracefulTimeout === undefined ? undefined : positive("`gracefulTimeout`", o.gracefulTimeout, "It is seconds gunicorn waits for requests to finish on stop.");
    const workerClass = o.workerClass === undefined ? undefined : v.matches("`workerClass`", o.workerClass, WORKER_CLASS, 'a gunicorn worker class such as "gthread", "gevent" or "uvicorn_worker.UvicornWorker"');

    const aptBuildPackages = v.stringList("`aptBuildPackages`", o.aptBuildPackages, v.APT_PACKAGE, "a Debian package name (optionally =version)");
    const aptRuntimePackages = v.stringList("`aptRuntimePackages`", o.aptRuntimePackages, v.APT_PACKAGE, "a Debian package name (optionally =version)");

    const healthCheckOn = v.bool("`healthCheck`", o.healthCheck, true);
    let healthCheck: { path: string } | undefined;
    if (healthCheckOn) {
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
    const buildSecrets = v.stringList("`buildSecrets`", o.buildSecrets, v.ENV_NAME, "an environment variable name such as DJANGO_SECRET_KEY");
    const buildEnv = v.stringMap("`buildEnv`", o.buildEnv, v.ENV_NAME, "an environment variable name such as DJANGO_SETTINGS_MODULE", v.string);
    for (const name of buildSecrets) {
        if (name in buildEnv) {
            throw new InputError("`buildSecrets`", `\`${name}\` is in both \`buildEnv\` and \`buildSecrets\`; keep it in one.`);
        }
    }
    const labels = v.stringMap("`labels`", o.labels, LABEL_KEY, "a label name such as org.opencontainers.image.source", v.string);
    const ignore = v.stringList("`ignore`", o.ignore, IGNORE_PATTERN, "a .dockerignore pattern (one line, not starting with # or a space)");

    const dependencyGroups = o.dependencyGroups === undefined ? undefined : v.stringList("`dependencyGroups`", o.dependencyGroups, GROUP_NAME, 'a dependency group name such as "prod"');
    const workspacePackage = o.workspacePackage === undefined ? undefined : v.matches("`workspacePackage`", o.workspacePackage, GROUP_NAME, 'a project name such as "api"');
    const chdir = o.chdir === undefined ? undefined : v.relativeDir("`chdir`", o.chdir);
    const pythonPath = o.pythonPath === undefined ? undefined : checkList("`pythonPath`", o.pythonPath).map((p, i) => v.relativeDir(`\`pythonPath[${i}]\``, p));
    const trustedProxies = o.trustedProxies === undefined ? undefined : v.stringList("`trustedProxies`", o.trustedProxies, PROXY_ADDRESS, 'an IP address or network such as "172.17.0.1" or "10.0.0.0/8", or "*"');
    const collectStatic = v.bool("`collectStatic`", o.collectStatic);
    const frontendBuild = v.bool("`frontendBuild`", o.frontendBuild);
    const compileBytecode = v.bool("`compileBytecode`", o.compileBytecode);
    const accessLog = v.bool("`accessLog`", o.accessLog, true);
    const buildCommands = checkList("`buildCommands`", o.buildCommands ?? []).map((c, i) => v.argv(`\`buildCommands[${i}]\``, c));
    const releaseCommand = checkReleaseCommand(o.releaseCommand);
    const writablePaths = v.stringMap("`writablePaths`", o.writablePaths, WRITABLE_PATH, 'a path such as "instance" or "/var/lib/app" (letters, digits, ., _, - and /)', (arg, value) =>
        v.oneOf(arg, value, WRITABLE_PATH_KINDS),
    );
    for (const p of Object.keys(writablePaths)) {
        if (p.split("/").includes("..")) {
            throw new InputError("`writablePaths`", `\`writablePaths\` path ${JSON.stringify(p)} has "..": give it relative to the app's folder without "..", or absolute.`);
        }
    }

    return {
        app, interface: iface, python: o.python as string | undefined, installer, requirementsInstaller, dependencyGroups, workspacePackage,
        baseImage: o.baseImage === undefined ? undefined : v.matches("`baseImage`", o.baseImage, v.IMAGE_REF, 'an image reference such as "debian:trixie" or "registry.example/mirror/python:3.12-slim"'),
        port, workers, threads, timeout, gracefulTimeout, workerClass, chdir, pythonPath, trustedProxies, user, uid, gid,
        aptBuildPackages, aptRuntimePackages, healthCheck, healthCheckPathSet: o.healthCheckPath !== undefined, compileBytecode, accessLog, collectStatic, frontendBuild, buildCommands, buildEnv, buildSecrets, releaseCommand,
        writablePaths, syntax, installSecrets, caBundle: o.caBundle === true, labels, ignore,
    };
}

/**
 * `releaseCommand`: a command as a list of words, or [] for none. false (the
 * older spelling of "none", still taken from JavaScript callers) means [] too;
 * both come back as false.
 */
function checkReleaseCommand(value: unknown): readonly string[] | false | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (value === false || (Array.isArray(value) && value.length === 0)) {
        return false;
    }
    if (!Array.isArray(value)) {
        throw new InputError(
            "`releaseCommand`",
            `\`releaseCommand\` must be a command as a list of words, e.g. ["python", "manage.py", "migrate"], or [] to run no release step; not ${v.describe(value)}.`,
        );
    }
    return v.argv("`releaseCommand`", value);
}

function checkList(argument: string, value: unknown): unknown[] {
    if (!Array.isArray(value)) {
        throw new InputError(argument, `${argument} must be a list, not ${v.describe(value)}.`);
    }
    return value;
}
