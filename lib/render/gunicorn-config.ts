import * as path from "path";
import { DEFAULTS } from "../data/defaults";
import { Plan } from "../plan/plan";

/**
 * The gunicorn config baked into the image. It loads the app's own
 * gunicorn.conf.py first (its hooks and settings stay), then adds what the
 * image needs and what a command line cannot say:
 * - the worker count follows the CPUs the container may use (its cgroup
 *   quota, else its CPU affinity), because a fixed number is wrong on every
 *   machine but one; WEB_CONCURRENCY overrides it at run time, the app's
 *   config or the Procfile's --workers replace the formula, and `workers`
 *   in the component's args overrides all (on the command line). Workers
 *   that run threads (WSGI's gthread default, or `threads` above 1) get
 *   CPUs + 1: one process per CPU for the Python the GIL serializes, one
 *   more to keep them busy, threads for the waits. ASGI workers, and
 *   aiohttp's and Tornado's gunicorn workers, get one per CPU (an event
 *   loop each);
 *   one-request-at-a-time workers (sync, or another worker class the app
 *   names) gunicorn's 2 x CPUs + 1;
 * - WSGI apps get DEFAULTS.threads threads per worker (the gthread worker)
 *   unless the app or `threads` says otherwise: the benchmark measured sync
 *   workers far behind, and 4 threads behind 12 on I/O waits;
 * - the proxies whose X-Forwarded-* headers count (`trustedProxies`; the
 *   FORWARDED_ALLOW_IPS variable, which PythonApp sets, overrides);
 * - the control socket in /dev/shm, because the root filesystem is read-only;
 * - one worker starts the app at a time (BOOT_LOCK_HOOKS): what apps do at
 *   start (tables made at import, migrations in an ASGI lifespan startup)
 *   raced between workers on one SQLite file, and a worker that failed to
 *   boot stopped gunicorn.
 */
/** Worker classes that run one event loop per process, as the ASGI worker does: aiohttp's (by the names its docs give) and gunicorn's Tornado worker. */
const EVENT_LOOP_WORKERS = new Set([
    "aiohttp.GunicornWebWorker",
    "aiohttp.GunicornUVLoopWebWorker",
    "aiohttp.worker.GunicornWebWorker",
    "aiohttp.worker.GunicornUVLoopWebWorker",
    "tornado",
    "gunicorn.workers.gtornado.TornadoWorker",
]);

export function renderGunicornConfig(plan: Plan): string {
    const s = plan.server;
    const appSets = (name: string) => s.userConfigSets.includes(name);
    // An explicit "sync" (option or Procfile -k) stays sync: gunicorn turns a sync worker with threads into gthread.
    const threadedDefault = s.workerClass === undefined || s.workerClass === "gthread";
    // The image sets the threads (the gthread default) unless the app's config or the worker class says otherwise.
    const imageThreads = plan.entrypoint.interface === "wsgi" && threadedDefault && !appSets("threads") && !appSets("worker_class");
    const threads = s.threads ?? (imageThreads ? DEFAULTS.threads : undefined);
    const eventLoop = plan.entrypoint.interface === "asgi" || EVENT_LOOP_WORKERS.has(s.workerClass ?? "");
    const perCpu = eventLoop ? "cpus" : threads !== undefined && threads > 1 ? "cpus + 1" : "2 * cpus + 1";
    const lines = ["# Synthesized by pulumi-python-app.", "import math", "import os", ""];
    if (s.userConfigPath) {
        lines.push(
            "# The app's own config first, as its own file (__file__ is its path): its settings and hooks stay; the image's needs follow.",
            `__file__ = ${JSON.stringify(s.userConfigPath)}`,
            "with open(__file__) as _f:",
            '    exec(compile(_f.read(), __file__, "exec"))',
            "",
        );
        const dropped = s.userConfigDropped ?? [];
        if (dropped.length > 0) {
            lines.push(
                "# What the app's config says for the server it was written for: a switch from root (which the image's user may",
                "# not make), the app's folder there. The image runs as its own user, in its own folder.",
                `for _name in ${pyList(dropped.map((n) => JSON.stringify(n)))}:`,
                "    globals().pop(_name, None)",
                "",
            );
        }
    }
    if (!appSets("workers")) {
        lines.push(
            "",
            "def _cpus():",
            "    try:  # cgroup v2",
            '        quota, period = open("/sys/fs/cgroup/cpu.max").read().split()',
            '        if quota != "max":',
            "            return max(1, math.ceil(int(quota) / int(period)))",
            "    except (OSError, ValueError):",
            "        pass",
            "    try:  # cgroup v1",
            '        quota = int(open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read())',
            '        period = int(open("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read())',
            "        if quota > 0:",
            "            return max(1, math.ceil(quota / period))",
            "    except (OSError, ValueError):",
            "        pass",
            "    return len(os.sched_getaffinity(0))",
            "",
            "",
            "cpus = _cpus()",
            s.defaultWorkers !== undefined
                ? `workers = int(os.environ.get("WEB_CONCURRENCY") or ${s.defaultWorkers})  # the Procfile's --workers`
                : `workers = int(os.environ.get("WEB_CONCURRENCY") or (${perCpu}))`,
        );
    }
    if (imageThreads) {
        lines.push(
            "# Threads per worker: gunicorn then runs its gthread worker, which keeps connections",
            "# alive and overlaps I/O; sync workers serve one request at a time per process.",
            `threads = ${DEFAULTS.threads}`,
        );
    }
    if (s.pidfile !== undefined) {
        lines.push("# The app's config puts the pidfile in a read-only place: gunicorn writes it here instead.", `pidfile = ${JSON.stringify(s.pidfile)}`);
    }
    if (s.forwardedAllowIps !== undefined) {
        lines.push(
            "# Proxies whose X-Forwarded-* headers are trusted (`trustedProxies`); FORWARDED_ALLOW_IPS overrides.",
            `forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or ${JSON.stringify(s.forwardedAllowIps)}`,
        );
    }
    if (s.rootPath !== undefined && s.workerClass !== undefined) {
        const cut = s.workerClass.lastIndexOf(".");
        lines.push(
            "",
            "# uvicorn's --root-path, which gunicorn has no flag for: the worker passes its CONFIG_KWARGS to uvicorn.",
            `from ${s.workerClass.slice(0, cut)} import ${s.workerClass.slice(cut + 1)} as _UvicornWorker`,
            "",
            "",
            "class RootPathUvicornWorker(_UvicornWorker):",
            `    CONFIG_KWARGS = {**_UvicornWorker.CONFIG_KWARGS, "root_path": os.environ.get("ROOT_PATH") or ${JSON.stringify(s.rootPath)}}`,
            "",
            "",
            "worker_class = RootPathUvicornWorker",
        );
    }
    if (s.startFolders !== undefined && s.startFolders.length > 0) {
        lines.push(
            "",
            "# Folders the app's web command made before the server, made here at every start (emptied first where it removed them).",
            "import shutil",
            "",
            `for _folder, _empty in ${pyList(s.startFolders.map((f) => `(${JSON.stringify(f.path)}, ${f.empty ? "True" : "False"})`))}:`,
            "    _folder = os.path.expandvars(_folder)",
            '    if _folder and "$" not in _folder:',
            "        if _empty:",
            "            shutil.rmtree(_folder, ignore_errors=True)",
            "        try:",
            "            os.makedirs(_folder, exist_ok=True)",
            "        except OSError as _e:",
            '            print(f"pulumi-python-app: cannot make {_folder}: {_e}", flush=True)',
        );
    }
    // A data volume that starts empty (a bind mount, another platform's disk) lacks the folders the image made in it for
    // its links (/data/data for /app/data/app.db): SQLite cannot create its file there. Docker's named volumes copy them up.
    const linkFolders = [
        ...new Set(
            plan.writablePaths.flatMap((w) =>
                w.kind === "data" ? w.links.map((l) => path.posix.dirname(l.to)).filter((d) => d !== w.path && d.startsWith(`${w.path}/`)) : [],
            ),
        ),
    ].sort();
    if (linkFolders.length > 0) {
        lines.push(
            "",
            "# The folders of the data volume the app's links point into, for a volume that starts empty.",
            `for _folder in ${pyList(linkFolders.map((f) => JSON.stringify(f)))}:`,
            "    try:",
            "        os.makedirs(_folder, exist_ok=True)",
            "    except OSError as _e:",
            '        print(f"pulumi-python-app: cannot make {_folder}: {_e}", flush=True)',
        );
    }
    if (s.argvParsedBy !== undefined) {
        lines.push(
            "",
            `# ${s.argvParsedBy} parses the command line when the app is made: gunicorn's own arguments are not the app's.`,
            "import sys",
            "",
            '_argv_app_post_fork = globals().get("post_fork")',
            "",
            "",
            "def post_fork(server, worker):",
            "    sys.argv[1:] = []",
            "    if _argv_app_post_fork is not None:",
            "        _argv_app_post_fork(server, worker)",
        );
    }
    lines.push(...BOOT_LOCK_HOOKS);
    lines.push(
        "",
        "# gunicorn 25.1+ opens a control socket under $HOME; keep it in memory (older gunicorns ignore the name).",
        'control_socket = "/dev/shm/gunicorn.ctl"',
        "",
    );
    return lines.join("\n");
}

/**
 * gunicorn hooks that let one worker at a time start the app: post_fork takes
 * an exclusive lock in /dev/shm (telling the master it is alive while it
 * waits, for at most 300 s, then starts without it); post_worker_init lets it
 * go once the app is imported, or, under uvicorn's worker with an ASGI 3 app,
 * once the app's lifespan startup has finished (or failed, or proved
 * unsupported), or at the first request. A worker that dies lets it go with
 * its process. The app's own post_fork and post_worker_init (its config is
 * read first) still run.
 */
const BOOT_LOCK_HOOKS: readonly string[] = [
    "",
    "# One worker starts the app at a time: what apps do at start (tables made at import, migrations in an",
    "# ASGI lifespan startup) then never races between workers on one database file.",
    "import fcntl",
    "import inspect",
    "import time",
    "",
    '_boot_lock_path = "/dev/shm/pulumi-python-app-boot.lock"',
    '_app_post_fork = globals().get("post_fork")',
    '_app_post_worker_init = globals().get("post_worker_init")',
    "",
    "",
    "def _boot_release(worker):",
    '    fd = getattr(worker, "_boot_lock_fd", None)',
    "    if fd is not None:",
    "        worker._boot_lock_fd = None",
    "        os.close(fd)",
    "",
    "",
    "def post_fork(server, worker):",
    "    try:",
    "        fd = os.open(_boot_lock_path, os.O_RDWR | os.O_CREAT, 0o600)",
    "    except OSError:",
    "        fd = None",
    "    deadline = time.monotonic() + 300",
    "    while fd is not None:",
    "        try:",
    "            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
    "            worker._boot_lock_fd = fd",
    "            break",
    "        except OSError:",
    "            if time.monotonic() > deadline:",
    "                os.close(fd)",
    "                break",
    "            worker.tmp.notify()",
    "            time.sleep(0.05)",
    "    if _app_post_fork is not None:",
    "        _app_post_fork(server, worker)",
    "",
    "",
    "def _released_after_startup(app, worker):",
    "    async def released(scope, receive, send):",
    '        if scope["type"] != "lifespan":',
    "            _boot_release(worker)",
    "            return await app(scope, receive, send)",
    "",
    "        async def sending(message):",
    '            if message["type"] in ("lifespan.startup.complete", "lifespan.startup.failed"):',
    "                _boot_release(worker)",
    "            await send(message)",
    "",
    "        try:",
    "            return await app(scope, receive, sending)",
    "        finally:",
    "            _boot_release(worker)",
    "",
    "    return released",
    "",
    "",
    "def post_worker_init(worker):",
    "    if _app_post_worker_init is not None:",
    "        _app_post_worker_init(worker)",
    "    app = worker.wsgi",
    '    uvicorn = any(c.__module__.startswith("uvicorn") for c in type(worker).__mro__)',
    '    asgi3 = inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(getattr(app, "__call__", None))',
    '    if uvicorn and asgi3 and getattr(getattr(worker, "config", None), "interface", "auto") in ("auto", "asgi3") and getattr(worker, "_boot_lock_fd", None) is not None:',
    "        worker.wsgi = _released_after_startup(app, worker)",
    "    else:",
    "        _boot_release(worker)",
];

function pyList(items: readonly string[]): string {
    return `[${items.join(", ")}]`;
}
