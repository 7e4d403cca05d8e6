import { byName } from "./by-name";

/**
 * What detection needs to know about the servers a Procfile may start, and
 * which release of the ASGI worker fits which uvicorn. Data on the ground
 * floor, read by detect/procfile.ts and plan/server.ts.
 */

/**
 * gunicorn's command-line flags, from its settings (gunicorn --help): for
 * each, whether it takes a value and what the image does with it.
 * - "timeout", "gracefulTimeout", "threads", "workerClass", "chdir",
 *   "pythonPath", "config": carried into the plan's fields of that name;
 * - "env": a `NAME=value` for the server's environment, which the image sets;
 * - "carry": passed through to the image's gunicorn command as written;
 * - "drop": not carried, with the reason in the plan's notes.
 */
export type GunicornFlagUse =
    | "timeout"
    | "gracefulTimeout"
    | "threads"
    | "workerClass"
    | "chdir"
    | "pythonPath"
    | "config"
    | "workers"
    | "env"
    | "carry"
    | "drop";

export interface GunicornFlag {
    readonly names: readonly string[];
    readonly takesValue: boolean;
    readonly use: GunicornFlagUse;
    /** For "drop": why, as the note says it. */
    readonly why?: string;
}

export const GUNICORN_FLAGS: readonly GunicornFlag[] = [
    { names: ["-c", "--config"], takesValue: true, use: "config" },
    { names: ["-b", "--bind"], takesValue: true, use: "drop", why: "the image binds 0.0.0.0:$PORT" },
    { names: ["-w", "--workers"], takesValue: true, use: "workers" },
    { names: ["-k", "--worker-class"], takesValue: true, use: "workerClass" },
    { names: ["--threads"], takesValue: true, use: "threads" },
    { names: ["-t", "--timeout"], takesValue: true, use: "timeout" },
    { names: ["--graceful-timeout"], takesValue: true, use: "gracefulTimeout" },
    { names: ["--chdir"], takesValue: true, use: "chdir" },
    { names: ["--pythonpath"], takesValue: true, use: "pythonPath" },
    { names: ["--worker-connections"], takesValue: true, use: "carry" },
    { names: ["--max-requests"], takesValue: true, use: "carry" },
    { names: ["--max-requests-jitter"], takesValue: true, use: "carry" },
    { names: ["--keep-alive"], takesValue: true, use: "carry" },
    { names: ["--backlog"], takesValue: true, use: "carry" },
    { names: ["--limit-request-line"], takesValue: true, use: "carry" },
    { names: ["--limit-request-fields"], takesValue: true, use: "carry" },
    { names: ["--limit-request-field_size", "--limit-request-field-size"], takesValue: true, use: "carry" },
    { names: ["--forwarded-allow-ips"], takesValue: true, use: "carry" },
    { names: ["--proxy-allow-from"], takesValue: true, use: "carry" },
    { names: ["--log-level"], takesValue: true, use: "carry" },
    { names: ["--access-logformat"], takesValue: true, use: "carry" },
    { names: ["--logger-class"], takesValue: true, use: "carry" },
    { names: ["--log-config"], takesValue: true, use: "carry" },
    { names: ["--log-config-json"], takesValue: true, use: "carry" },
    { names: ["-n", "--name"], takesValue: true, use: "carry" },
    { names: ["--statsd-host"], takesValue: true, use: "carry" },
    { names: ["--statsd-prefix"], takesValue: true, use: "carry" },
    { names: ["--dogstatsd-tags"], takesValue: true, use: "carry" },
    { names: ["-e", "--env"], takesValue: true, use: "env" },
    { names: ["--preload"], takesValue: false, use: "carry" },
    { names: ["--no-sendfile"], takesValue: false, use: "carry" },
    { names: ["--reuse-port"], takesValue: false, use: "carry" },
    { names: ["--capture-output"], takesValue: false, use: "carry" },
    { names: ["--proxy-protocol"], takesValue: false, use: "carry" },
    { names: ["--access-logfile"], takesValue: true, use: "drop", why: "the image logs to stdout" },
    { names: ["--error-logfile", "--log-file"], takesValue: true, use: "drop", why: "the image logs to stdout" },
    { names: ["--worker-tmp-dir"], takesValue: true, use: "drop", why: "the image keeps worker heartbeats in /dev/shm" },
    { names: ["-p", "--pid"], takesValue: true, use: "drop", why: "the root filesystem is read-only; the engine tracks the process" },
    { names: ["-u", "--user"], takesValue: true, use: "drop", why: "the image runs as its own non-root user (`uid`)" },
    { names: ["-g", "--group"], takesValue: true, use: "drop", why: "the image runs as its own non-root group (`gid`)" },
    { names: ["-m", "--umask"], takesValue: true, use: "drop", why: "not needed in the image" },
    { names: ["--certfile"], takesValue: true, use: "drop", why: "TLS ends at a proxy or load balancer in front of the container" },
    { names: ["--keyfile"], takesValue: true, use: "drop", why: "TLS ends at a proxy or load balancer in front of the container" },
    { names: ["--ca-certs"], takesValue: true, use: "drop", why: "TLS ends at a proxy or load balancer in front of the container" },
    { names: ["--reload"], takesValue: false, use: "drop", why: "a development setting" },
    { names: ["--reload-engine"], takesValue: true, use: "drop", why: "a development setting" },
    { names: ["--reload-extra-file"], takesValue: true, use: "drop", why: "a development setting" },
    { names: ["-D", "--daemon"], takesValue: false, use: "drop", why: "a container's main process must stay in the foreground" },
    { names: ["--spew"], takesValue: false, use: "drop", why: "a debugging setting" },
    { names: ["--check-config"], takesValue: false, use: "drop", why: "the image starts the server" },
    { names: ["--print-config"], takesValue: false, use: "drop", why: "the image starts the server" },
    { names: ["--paste", "--paster"], takesValue: true, use: "drop", why: "PasteDeploy apps are not detected; set `app`" },
];

export function gunicornFlag(name: string): GunicornFlag | undefined {
    return GUNICORN_FLAGS.find((f) => f.names.includes(name));
}

/**
 * uvicorn's command-line flags that take a value, so the app argument can be
 * told from flag values. What each maps to in gunicorn is decided in
 * detect/procfile.ts.
 */
export const UVICORN_VALUE_FLAGS: readonly string[] = [
    "--host", "--port", "--uds", "--fd", "--reload-dir", "--reload-include", "--reload-exclude", "--reload-delay",
    "--workers", "--loop", "--http", "--ws", "--ws-max-size", "--ws-max-queue", "--ws-ping-interval",
    "--ws-ping-timeout", "--ws-per-message-deflate", "--lifespan", "--interface", "--env-file", "--log-config",
    "--log-level", "--root-path", "--limit-concurrency", "--backlog", "--limit-max-requests",
    "--timeout-keep-alive", "--timeout-graceful-shutdown", "--timeout-worker-healthcheck", "--ssl-keyfile", "--ssl-certfile",
    "--ssl-keyfile-password", "--ssl-version", "--ssl-cert-reqs", "--ssl-ca-certs", "--ssl-ciphers", "--header",
    "--app-dir", "--h11-max-incomplete-event-size", "--forwarded-allow-ips",
];

/** hypercorn's, daphne's, waitress-serve's and sanic's flags that take a value. */
export const OTHER_SERVER_VALUE_FLAGS: Readonly<Record<string, readonly string[]>> = byName({
    sanic: ["-H", "--host", "-p", "--port", "-u", "--unix", "--cert", "--key", "--tls", "--tls-strategy", "-w", "--workers", "-R", "--reload-dir"],
    hypercorn: ["-b", "--bind", "-c", "--config", "-k", "--worker-class", "-w", "--workers", "--root-path", "--access-logfile", "--error-logfile", "--log-level", "--graceful-timeout", "--keep-alive", "-m", "--umask", "-u", "--user", "-g", "--group", "--certfile", "--keyfile", "--ca-certs", "--ciphers", "--backlog", "--pid", "--insecure-bind", "--quic-bind", "--server-name", "--max-requests", "--read-timeout", "--websocket-ping-interval", "--statsd-host", "--statsd-prefix", "-p", "--access-logformat", "--log-config"],
    daphne: ["-b", "--bind", "-p", "--port", "-u", "--unix-socket", "--fd", "-e", "--endpoint", "--access-log", "--log-fmt", "-t", "--http-timeout", "--websocket_timeout", "--websocket_connect_timeout", "--application-close-timeout", "--root-path", "--ping-interval", "--ping-timeout", "--proxy-headers-host", "--proxy-headers-port", "--server-name", "-v", "--verbosity"],
    "waitress-serve": ["--host", "--port", "--listen", "--unix-socket", "--unix-socket-perms", "--url-scheme", "--url-prefix", "--ident", "--threads", "--backlog", "--recv-bytes", "--send-bytes", "--outbuf-overflow", "--outbuf-high-watermark", "--inbuf-overflow", "--connection-limit", "--cleanup-interval", "--channel-timeout", "--log-socket-errors", "--max-request-header-size", "--max-request-body-size", "--asyncore-loop-timeout", "--asyncore-use-poll", "--trusted-proxy", "--trusted-proxy-count", "--trusted-proxy-headers"],
});

/** Commands that start the program given after them (APM agents, process runners): skipped to find the server. */
export const COMMAND_WRAPPERS: Readonly<Record<string, { readonly valueFlags: readonly string[]; readonly until?: string; readonly switchesUser?: boolean }>> = byName({
    exec: { valueFlags: [] },
    "newrelic-admin": { valueFlags: [] },
    "ddtrace-run": { valueFlags: [] },
    "opentelemetry-instrument": { valueFlags: ["--traces_exporter", "--metrics_exporter", "--logs_exporter", "--service_name", "--exporter_otlp_endpoint"] },
    "doppler": { valueFlags: [], until: "--" },
    "infisical": { valueFlags: [], until: "--" },
    "dotenv": { valueFlags: ["-f", "--file"], until: "--" },
    // Heroku's PgBouncer and nginx buildpacks start their daemon, then the command after them.
    "start-pgbouncer": { valueFlags: [] },
    "start-pgbouncer-stunnel": { valueFlags: [] },
    "start-nginx": { valueFlags: [] },
    // Init processes that run the command as their child.
    "tini": { valueFlags: ["-p", "-e"] },
    "dumb-init": { valueFlags: ["-r", "--rewrite"] },
    // Tools that run the command as another user, named right after them (`gosu taiga gunicorn ...`, `su-exec app:app ...`):
    // the image already runs as its own user.
    gosu: { valueFlags: [], switchesUser: true },
    "su-exec": { valueFlags: [], switchesUser: true },
});

/**
 * Project tools whose `run` subcommand runs a command in the project's
 * environment (`uv run`, `poetry run`, `pipenv run`, `pdm run`, `hatch
 * run`). The image's venv is that environment and is on PATH, and the tool
 * itself is not in the runner, so the command after them runs without them.
 * Options may come before `run` (the tool's global ones) or after it; the
 * lists say which take a value, which change the folder the command runs in,
 * which choose what is installed (the image installs what its own rules
 * say), which load a file of variables, and which run a module (`uv run -m`).
 */
export interface EnvironmentRunner {
    readonly valueFlags: readonly string[];
    readonly directoryFlags: readonly string[];
    readonly installFlags: readonly string[];
    readonly envFileFlags: readonly string[];
    readonly moduleFlags: readonly string[];
    /** The command may name an environment first: hatch's `run ENV:command`. */
    readonly envPrefix?: boolean;
}

export const ENVIRONMENT_RUNNERS: Readonly<Record<string, EnvironmentRunner>> = byName({
    uv: {
        valueFlags: [
            "--extra", "--no-extra", "--group", "--no-group", "--only-group", "--with", "--with-editable", "--with-requirements",
            "--env-file", "--package", "--python", "-p", "--directory", "--project", "--index", "--default-index", "--index-url", "-i",
            "--extra-index-url", "--find-links", "-f", "--upgrade-package", "-P", "--reinstall-package", "--index-strategy",
            "--keyring-provider", "--resolution", "--prerelease", "--fork-strategy", "--exclude-newer", "--exclude-newer-package",
            "--no-build-isolation-package", "--config-setting", "-C", "--config-settings-package", "--link-mode", "--no-build-package",
            "--no-binary-package", "--refresh-package", "--cache-dir", "--python-preference", "--color", "--allow-insecure-host",
            "--config-file", "--python-platform",
        ],
        directoryFlags: ["--directory"],
        installFlags: ["--extra", "--all-extras", "--group", "--only-group", "--all-groups", "--with", "--with-editable", "--with-requirements", "--package", "--only-dev"],
        envFileFlags: ["--env-file"],
        moduleFlags: ["-m", "--module"],
    },
    poetry: {
        valueFlags: ["-C", "--directory", "-P", "--project"],
        directoryFlags: ["-C", "--directory"],
        installFlags: [],
        envFileFlags: [],
        moduleFlags: [],
    },
    pipenv: {
        valueFlags: ["--python", "--pypi-mirror"],
        directoryFlags: [],
        installFlags: [],
        envFileFlags: [],
        moduleFlags: [],
    },
    pdm: {
        valueFlags: ["-p", "--project", "--venv", "-k", "--skip", "-c", "--config"],
        directoryFlags: [],
        installFlags: [],
        envFileFlags: [],
        moduleFlags: [],
    },
    hatch: {
        valueFlags: ["-e", "--env", "-p", "--project", "--color", "--data-dir", "--cache-dir", "--config"],
        directoryFlags: [],
        installFlags: ["-e", "--env"],
        envFileFlags: [],
        moduleFlags: [],
        envPrefix: true,
    },
});

/** The class of the ASGI worker each package provides, and the deprecated one uvicorn itself ships. */
export const UVICORN_WORKER_CLASS = "uvicorn_worker.UvicornWorker";
export const UVICORN_LEGACY_WORKER_CLASS = "uvicorn.workers.UvicornWorker";

/**
 * Releases of the uvicorn-worker package (gunicorn's ASGI worker, split out
 * of uvicorn), newest first, with the lowest uvicorn and gunicorn each one
 * accepts (their Requires-Dist, read from the released wheels). The plan
 * adds the newest release that accepts the uvicorn and gunicorn the app pins,
 * so adding the worker never moves an app's pin.
 */
export const UVICORN_WORKER_RELEASES: ReadonlyArray<{ readonly version: string; readonly uvicorn: string; readonly gunicorn: string }> = [
    { version: "0.4.0", uvicorn: "0.36.0", gunicorn: "21.0.0" },
    { version: "0.3.0", uvicorn: "0.15.0", gunicorn: "20.1.0" },
];

/** Constructors of app objects that run on their framework's own server, by qualified name: an `app` naming one is refused. */
export const OWN_SERVER_APPS: Readonly<Record<string, string>> = byName({
    "robyn.Robyn": "Robyn",
    "robyn.SubRouter": "Robyn",
});

/**
 * Tools whose apps run on their own server, not on a WSGI/ASGI one gunicorn
 * can serve: the web commands that start them (`streamlit run app.py`,
 * `python -m panel serve`) and the distribution whose presence among the
 * app's dependencies says so when no command does (Bokeh and Jupyter are
 * also libraries a Flask app embeds: only their commands count).
 */
export const OWN_SERVER_TOOLS: ReadonlyArray<{ readonly label: string; readonly commands: readonly string[]; readonly distribution?: string }> = [
    { label: "Streamlit", commands: ["streamlit"], distribution: "streamlit" },
    { label: "Gradio", commands: [], distribution: "gradio" },
    { label: "Chainlit", commands: ["chainlit"], distribution: "chainlit" },
    { label: "Panel", commands: ["panel"], distribution: "panel" },
    { label: "Voilà", commands: ["voila"], distribution: "voila" },
    { label: "Solara", commands: ["solara"], distribution: "solara" },
    { label: "Reflex", commands: ["reflex"], distribution: "reflex" },
    // Robyn's Rust server (`python app.py --processes 2`); NiceGUI's ui.run() (its ui.run_with(app) mounts it into a FastAPI app, which is found first).
    { label: "Robyn", commands: ["robyn"], distribution: "robyn" },
    { label: "NiceGUI", commands: [], distribution: "nicegui" },
    { label: "Bokeh", commands: ["bokeh"] },
    { label: "Jupyter", commands: ["jupyter", "jupyter-lab", "jupyter-notebook"] },
];
