import { compare } from "@renovatebot/pep440";
import { parse as parseSpecifier, satisfies } from "@renovatebot/pep440/lib/specifier";
import { DEFAULTS } from "../data/defaults";
import { AppInterface, SOCKETIO_INNER_ARGS } from "../data/frameworks";
import { UVICORN_LEGACY_WORKER_CLASS, UVICORN_WORKER_CLASS, UVICORN_WORKER_RELEASES } from "../data/servers";
import { Dependencies } from "../detect/dependencies";
import { gunicornConfigFile, ProcfileWeb, pythonConfigModule, shellTokens } from "../detect/procfile";
import { pathValue } from "../detect/paths";
import { evaluate } from "../detect/python-eval";
import { bind, parseModule, str } from "../detect/python-source";
import { SourceTree } from "../detect/source";
import { InputError } from "../errors";
import { CheckedOptions } from "./options";

/**
 * gunicorn's settings for the image: the worker class and the packages it
 * needs, timeouts and threads, and the app's own gunicorn.conf.py. The
 * precedence is the component's options, then the Procfile, then the app's
 * gunicorn.conf.py, then the defaults; every value not taken is a note.
 */
export interface ServerPlan {
    readonly port: number;
    /** `workers` from the options: on the command line, overriding everything. */
    readonly workers?: number;
    /** The worker count when nothing else sets it (the Procfile's); WEB_CONCURRENCY overrides it at run time. */
    readonly defaultWorkers?: number;
    readonly threads?: number;
    readonly timeout: number;
    readonly gracefulTimeout: number;
    readonly workerClass?: string;
    /** Packages added to the venv because the installed set lacks them (name==version). */
    readonly addedPackages: readonly string[];
    /** The app has its own gunicorn config, loaded before the image's settings. */
    /**
     * Folders the web command made before the server (`rm -rf "$DIR" && mkdir -p "$DIR" && gunicorn ...`):
     * the image's gunicorn config makes them at every start, emptied first where the command removed them,
     * as the variables in them say at run time. They prepare the server's container, not a release.
     */
    readonly startFolders?: ReadonlyArray<{ readonly path: string; readonly empty: boolean }>;
    /**
     * The ASGI root path (uvicorn's `--root-path`): the path prefix a proxy serves the app under. gunicorn has
     * no flag for it; the image's config gives the uvicorn worker a subclass that passes it to uvicorn.
     */
    readonly rootPath?: string;
    /**
     * The app's module that parses the command line when the app is made (argparse's `parse_args()`, calibre-web's):
     * the image's config empties each worker's sys.argv of gunicorn's own arguments before the app loads.
     */
    readonly argvParsedBy?: string;
    readonly userConfig: boolean;
    /** Its path in the image, when there is one. */
    readonly userConfigPath?: string;
    /** Settings the app's config sets itself (the image does not override them). */
    readonly userConfigSets: readonly string[];
    /**
     * Settings of the app's config the image's config drops after loading it: `user`, `group`, `initgroups`
     * (a switch from root the image's user may not make) and an absolute `chdir` outside /app (the app's folder on
     * its old server). Absent when none.
     */
    readonly userConfigDropped?: readonly string[];
    /**
     * gunicorn's timeout and graceful_timeout when the app's config sets them
     * and no option or Procfile flag does: the command line leaves them to the
     * config (a flag would override it, and the config may read them from the
     * environment at start); `timeout` and `gracefulTimeout` above hold what
     * the config gives with the environment unset.
     */
    readonly timeoutsFromConfig: readonly ("timeout" | "graceful_timeout")[];
    /** gunicorn flags from the Procfile, passed through as written. */
    readonly extraArgs: readonly string[];
    /** gunicorn logs each request to stdout (`accessLog`); not when the app's own config sets accesslog, which is kept. */
    readonly accessLog: boolean;
    /** gunicorn's forwarded_allow_ips, when `trustedProxies` sets it. */
    readonly forwardedAllowIps?: string;
    /** Where gunicorn writes its pid instead of the app config's pidfile, which is in a read-only place. */
    readonly pidfile?: string;
}

export interface ServerInputs {
    readonly options: CheckedOptions;
    readonly interface: AppInterface;
    readonly web?: ProcfileWeb;
    readonly deps: Dependencies;
    /** Projects the install step installs. */
    readonly installed: ReadonlySet<string>;
    /** gunicorn's working folder, relative to the source folder. */
    readonly chdir: string;
    /** The middleware the served object is (its qualified constructor), when it is: python-socketio's servers need one worker. */
    readonly wrapper?: string;
    /** Data the app keeps between requests in its own process (a module-level store its handlers change), when it does. */
    readonly inProcessStore?: { readonly file: string; readonly name: string; readonly how: string };
    /** Django Channels' default channel layer backend (CHANNEL_LAYERS["default"]["BACKEND"]), when the settings name one. */
    readonly channelLayer?: { readonly backend: string; readonly file: string; readonly switchedBy: readonly string[] };
    readonly workdir: string;
    /** Why the app needs setuptools it would not have (pkg_resources, distutils), when it does: DEFAULTS.setuptools is added. */
    readonly setuptools?: string;
}

/** Settings of an app's gunicorn.conf.py read as literals (anything computed is only known to be set). */
/**
 * gunicorn's settings for a master started as root (a VPS's systemd unit): `user` and `group` to switch to, and
 * `initgroups`. A process that is not root may not switch, and gunicorn chowns its worker files to `user` at start.
 */
const PRIVILEGE_SETTINGS: readonly string[] = ["group", "initgroups", "user"];

function readUserConfig(src: SourceTree, file: string): { sets: string[]; ints: Map<string, number>; strings: Map<string, string>; chdir?: string } {
    const mod = parseModule(src.read(file));
    const sets: string[] = [];
    const ints = new Map<string, number>();
    const strings = new Map<string, string>();
    for (const [name, value] of mod.assigns) {
        if (name.startsWith("_")) {
            continue;
        }
        sets.push(name);
        // A literal, or what it is when the environment sets nothing: `int(os.getenv("TIMEOUT", "120"))` is 120.
        const v = evaluate(bind(value, (local) => (local === name ? undefined : mod.value(local))), () => undefined);
        if (v?.t === "num" && Number.isInteger(v.v)) {
            ints.set(name, v.v);
        }
        if (v?.t === "str") {
            strings.set(name, v.v);
        }
    }
    // chdir is a path: os.path.join("/home/deploy", "site") reads as one too.
    const chdir = mod.value("chdir");
    return { sets: [...new Set(sets)].sort(), ints, strings, chdir: chdir === undefined ? undefined : (strings.get("chdir") ?? pathValue(chdir, { file, cwd: "", lookup: (n) => (mod.value(n) ? { expr: mod.value(n)!, file } : undefined) })) };
}

/** The places a pidfile may be: writable in every container of the image (gunicorn writes it by a temporary file and a rename, so a link cannot stand in). */
const PID_PLACES = ["/tmp", "/dev/shm"];

/**
 * The app's gunicorn config may set a pidfile in the read-only app folder
 * (`pidfile = "gunicorn.pid"`): gunicorn exits at start. Unless it is under
 * a writable path, it moves to /dev/shm under the same name.
 */
export function placePidfile(src: SourceTree, server: ServerPlan, workdir: string, chdir: string, writable: readonly string[], notes: string[]): ServerPlan {
    if (!server.userConfigPath || !server.userConfigSets.includes("pidfile")) {
        return server;
    }
    const file = server.userConfigPath.slice(workdir.length + 1);
    const value = parseModule(src.read(file)).value("pidfile");
    if (value === undefined || value.kind === "none") {
        return server;
    }
    const set = str(value);
    if (set === undefined) {
        notes.push(`${file} sets pidfile to a value computed at start; if it is not in a writable place (/tmp, /dev/shm or a writable path), gunicorn cannot start on the read-only root.`);
        return server;
    }
    const base = chdir === "" ? workdir : `${workdir}/${chdir}`;
    const abs = set.startsWith("/") ? set : `${base}/${set}`;
    const inside = (p: string) => abs.startsWith(`${p}/`);
    if ([...PID_PLACES, ...writable].some(inside)) {
        return server;
    }
    const name = set.split("/").pop() ?? "";
    const pidfile = `/dev/shm/${/^[A-Za-z0-9._-]+$/.test(name) ? name : "gunicorn.pid"}`;
    notes.push(`${file} sets pidfile = ${JSON.stringify(set)} (${abs}), which is read-only in the container and would stop gunicorn at start: the image's config moves it to ${pidfile}.`);
    return { ...server, pidfile };
}

export function planServer(src: SourceTree, inp: ServerInputs, notes: string[]): ServerPlan {
    const o = inp.options;
    const web = inp.web;

    // The app's own config: the Procfile's --config, else gunicorn.conf.py where gunicorn would look.
    const configFile = gunicornConfigFile(src, web?.config, inp.chdir);
    const configModule = web?.config ? pythonConfigModule(web.config) : undefined;
    if (web?.config && configModule !== undefined && configFile !== undefined && configModule.files.some((f) => configFile === f || configFile.endsWith(`/${f}`))) {
        notes.push(`${web.origin.subject}'s \`--config ${web.config}\` names the module ${configModule.module}, which gunicorn imports from the folder it starts in: it is ${configFile}, loaded as that file.`);
    } else if (web?.config && configModule !== undefined) {
        notes.push(
            `${web.origin.subject}'s \`--config ${web.config}\` names the module ${configModule.module}, which is not a module of the source folder (${configModule.files.join(" or ") || "not a dotted module name"}); it is not loaded. ` +
                "Put the config in the source folder, or set the settings it holds with the component's options (`timeout`, `workers`...).",
        );
    } else if (web?.config && !configFile) {
        notes.push(`${web.origin.subject}'s \`--config ${web.config}\` names a file that is not in the source folder; it is not loaded.`);
    }
    const user = configFile ? readUserConfig(src, configFile) : undefined;
    const dropped: string[] = [];
    if (user) {
        // `chdir = "/srv/pastebin"`: the app's folder on the server it came from; gunicorn exits when it cannot go there.
        const chdir = user.chdir;
        const elsewhere = chdir !== undefined && chdir.startsWith("/") && chdir !== DEFAULTS.workdir && !chdir.startsWith(`${DEFAULTS.workdir}/`);
        dropped.push(...user.sets.filter((n) => PRIVILEGE_SETTINGS.includes(n) || (n === "chdir" && elsewhere)));
        const kept = user.sets.filter((n) => !dropped.includes(n));
        notes.push(
            `The app's ${configFile} is loaded first, then the image's settings (bind, worker heartbeat in /dev/shm, control socket)` +
                (kept.length > 0 ? `; it sets ${kept.join(", ")}, which the image keeps unless an option says otherwise.` : "."),
        );
        if (elsewhere) {
            notes.push(`${configFile} sets chdir to ${chdir}, the app's folder on the server it was written for: the image runs gunicorn in ${DEFAULTS.workdir}, where the source is, and drops it.`);
        }
        const switches = user.sets.filter((n) => PRIVILEGE_SETTINGS.includes(n));
        if (switches.length > 0) {
            const named = ["user", "group"].flatMap((n) => (user.strings.has(n) ? [`${n} ${user.strings.get(n)}`] : []));
            notes.push(
                `${configFile} sets ${switches.length > 1 ? `${switches.slice(0, -1).join(", ")} and ${switches[switches.length - 1]}` : switches[0]}${named.length > 0 ? ` (${named.join(", ")})` : ""}, which gunicorn switches to when started as root: the image starts it as its own user (uid ${DEFAULTS.uid}), ` +
                    "which may not switch, so gunicorn would stop at start (it chowns its worker files to that user); the image's config drops them.",
            );
        }
        if (!o.accessLog && user.sets.includes("accesslog")) {
            notes.push(`\`accessLog\` is false, but ${configFile} sets accesslog itself; the app's setting is kept.`);
        }
        if (user.sets.includes("bind")) {
            notes.push(`${configFile} sets bind; the image binds 0.0.0.0:${o.port} instead (the port the container publishes).`);
        }
        // gunicorn writes a worker that fails to boot, a timeout and the app's tracebacks to its error log: a file keeps them out of the container's log.
        const errorlog = user.strings.get("errorlog");
        if (errorlog !== undefined && errorlog !== "-") {
            notes.push(
                `${configFile} sets errorlog to ${errorlog}, which the image keeps: gunicorn's errors (a worker that fails to boot, a timeout, the app's tracebacks) go there, not to the container's log, ` +
                    'so a failed start shows nothing in `docker logs` or the platform\'s log; set errorlog = "-" to see them there.',
            );
        }
    }

    const pick = (option: number | undefined, procfile: number | undefined, configName: string, fallback: number): number =>
        option ?? procfile ?? user?.ints.get(configName) ?? fallback;
    const timeout = pick(o.timeout, web?.timeout, "timeout", DEFAULTS.timeout);
    const gracefulTimeout = pick(o.gracefulTimeout, web?.gracefulTimeout, "graceful_timeout", DEFAULTS.gracefulTimeout);
    const threads = o.threads ?? web?.threads;

    // The worker class, and the packages it needs.
    const added: string[] = [];
    let workerClass = o.workerClass ?? web?.workerClass ?? user?.strings.get("worker_class");
    if (inp.interface === "asgi") {
        if (o.workerClass === UVICORN_LEGACY_WORKER_CLASS) {
            // Asked for by name: uvicorn's own (deprecated) worker, which needs no other package.
            notes.push(`\`workerClass\` is ${UVICORN_LEGACY_WORKER_CLASS}, uvicorn's own deprecated worker; uvicorn-worker is not added.`);
        } else if (workerClass === undefined || workerClass === UVICORN_LEGACY_WORKER_CLASS || workerClass === UVICORN_WORKER_CLASS) {
            const chosen = asgiWorker(inp, workerClass === UVICORN_LEGACY_WORKER_CLASS && o.workerClass === undefined, notes);
            workerClass = chosen.workerClass;
            added.push(...chosen.added);
            // uvicorn serves WebSockets only with a WebSocket library; daphne (Channels' own server) brings none uvicorn uses.
            if (inp.installed.has("channels") && !inp.installed.has("websockets") && !inp.installed.has("wsproto")) {
                // wsproto: pure Python, on h11 (which uvicorn already installs); 1.3 needs h11 0.16 or later.
                const h11 = inp.deps.pins.get("h11");
                const wsproto = h11 !== undefined && compare(h11, "0.16.0") < 0 ? DEFAULTS.wsprotoBeforeH11016 : DEFAULTS.wsproto;
                added.push(wsproto);
                notes.push(
                    "The app uses Django Channels, and the image serves it with uvicorn's worker, which answers WebSocket connections only when `websockets` or `wsproto` is installed; " +
                        `the dependencies have neither, so ${wsproto} is added (without it WebSocket consumers are refused; HTTP works)` +
                        (h11 !== undefined && wsproto === DEFAULTS.wsprotoBeforeH11016 ? `, the release that accepts the app's h11 ${h11}.` : "."),
                );
            }
        } else if (!/uvicorn|asgi/i.test(workerClass)) {
            throw new InputError(
                o.workerClass !== undefined ? "`workerClass`" : web?.workerClass !== undefined ? web.origin.file : "gunicorn.conf.py",
                `The app is ASGI, but the worker class is ${JSON.stringify(workerClass)}, which serves WSGI; ` +
                    `use "${UVICORN_WORKER_CLASS}" (or leave it unset), or set \`interface\` to "wsgi".`,
            );
        }
    } else if (workerClass !== undefined && o.workerClass === undefined && /uvicorn|asgi/i.test(workerClass)) {
        // The code makes a WSGI app (detection said so over the command): an ASGI worker would call it as ASGI and fail every request.
        notes.push(
            `${web?.workerClass !== undefined ? `${web.origin.subject}'s` : "gunicorn.conf.py's"} worker class ${workerClass} serves ASGI, but the app is WSGI: ` +
                "it is not carried; the image serves it with gunicorn's threaded worker (gthread).",
        );
        workerClass = undefined;
    } else if (workerClass !== undefined) {
        const needs: Record<string, string> = { gevent: "gevent", eventlet: "eventlet", tornado: "tornado" };
        const pkg = needs[workerClass] ?? needs[workerClass.split(".")[2] ?? ""];
        if (pkg && !inp.installed.has(pkg)) {
            throw new InputError(
                o.workerClass !== undefined ? "`workerClass`" : web?.workerClass !== undefined ? web.origin.file : "gunicorn.conf.py",
                `gunicorn's ${workerClass} worker needs the ${pkg} package, which the dependencies lack; add ${pkg} to them, or choose another worker class with \`workerClass\`.`,
            );
        }
    }
    const socketio = socketIoServer(inp, workerClass, threads, notes) ?? channelsServer(inp, notes) ?? storeServer(inp, web?.workers !== undefined || (user?.sets.includes("workers") ?? false), notes);
    // gunicorn dropped its eventlet worker in 26.0.0.
    const finalClass = socketio?.workerClass ?? workerClass;
    const eventlet = finalClass === "eventlet" || finalClass === "gunicorn.workers.geventlet.EventletWorker";
    const pinned = inp.deps.pins.get("gunicorn");
    if (eventlet && pinned !== undefined && compare(pinned, "26.0.0") >= 0) {
        throw new InputError(
            o.workerClass !== undefined ? "`workerClass`" : web?.workerClass !== undefined ? web.origin.file : inp.deps.manifest,
            `The worker class is eventlet, but the app pins gunicorn ${pinned}, and gunicorn removed its eventlet worker in 26.0.0: pin gunicorn<26 (25.3.0 has it), or choose another worker class with \`workerClass\` (gevent).`,
        );
    }
    // gunicorn 24.0.0 onwards refuse to start a gevent worker (geventwebsocket's subclasses it) on gevent older than 24.10.1.
    const gevent = finalClass === "gevent" || finalClass === "gunicorn.workers.ggevent.GeventWorker" || finalClass?.startsWith("geventwebsocket.") === true;
    const geventPin = inp.deps.pins.get("gevent");
    const oldGevent = gevent && geventPin !== undefined && compare(geventPin, "24.10.1") < 0;
    if (oldGevent && pinned !== undefined && compare(pinned, "24.0.0") >= 0) {
        throw new InputError(
            o.workerClass !== undefined ? "`workerClass`" : web?.workerClass !== undefined ? web.origin.file : inp.deps.manifest,
            `The worker class is ${finalClass}, but the app pins gevent ${geventPin} and gunicorn ${pinned}, and gunicorn 24.0.0 and later refuse gevent older than 24.10.1 when the worker starts: ` +
                "upgrade gevent to 24.10.1 or later, or pin gunicorn<24 (23.0.0).",
        );
    }
    if (!inp.installed.has("gunicorn")) {
        const oldEventlet = eventlet && inp.deps.pins.get("eventlet") !== undefined && compare(inp.deps.pins.get("eventlet")!, "0.40.3") < 0;
        added.unshift(oldGevent ? DEFAULTS.gunicornWithOldGevent : !eventlet ? DEFAULTS.gunicorn : oldEventlet ? DEFAULTS.gunicornWithOldEventlet : DEFAULTS.gunicornWithEventlet);
    }
    if (inp.setuptools !== undefined) {
        added.push(DEFAULTS.setuptools);
        notes.push(`${inp.setuptools}: the image adds ${DEFAULTS.setuptools}, the last release line with pkg_resources and distutils' shim. Add setuptools<82 to the dependencies to choose it yourself.`);
    }
    // `--no-index --find-links wheelhouse`: the install reads only the app's own wheels, so what the image adds must be among them.
    if (added.length > 0 && inp.deps.indexOptions.includes("--no-index")) {
        const where = inp.deps.indexOptions.filter((x) => x.startsWith("--find-links ")).map((x) => x.slice("--find-links ".length));
        throw new InputError(
            inp.deps.manifest,
            `${inp.deps.manifest} installs with --no-index${where.length > 0 ? ` from ${where.join(", ")}` : ""}, and the image adds ${added.join(", ")} to serve the app, which no index can then provide: ` +
                `vendor ${added.length > 1 ? "their wheels" : "its wheel"} there and list ${added.length > 1 ? "them" : "it"} in ${inp.deps.manifest} (pip download ${added.join(" ")} -d ${where[0] ?? "wheelhouse"}).`,
        );
    }
    // setuptools has its own note (it may be there already, and moves).
    const lacking = added.filter((p) => p !== DEFAULTS.setuptools);
    if (lacking.length > 0) {
        const names = lacking.map((p) => p.split("==")[0]);
        notes.push(`The app's dependencies lack ${names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0]}: added ${lacking.join(", ")}, installed against the app's own pins so none of them moves.`);
    }

    let defaultWorkers: number | undefined;
    if (o.workers === undefined && web?.workers !== undefined) {
        defaultWorkers = web.workers;
    }
    const forwardedAllowIps = o.trustedProxies?.join(",");
    const folders = startFolders(web?.before ?? []);
    const configPath = configFile ? `${inp.workdir}/${configFile}` : undefined;
    return {
        port: o.port,
        workers: o.workers ?? socketio?.workers,
        defaultWorkers,
        threads: socketio?.threads ?? threads,
        timeout,
        gracefulTimeout,
        workerClass: socketio?.workerClass ?? workerClass,
        addedPackages: added,
        userConfig: configFile !== undefined,
        userConfigPath: configPath,
        userConfigSets: user?.sets ?? [],
        userConfigDropped: dropped.length > 0 ? dropped : undefined,
        timeoutsFromConfig: (["timeout", "graceful_timeout"] as const).filter(
            (k) => user?.sets.includes(k) && (k === "timeout" ? o.timeout ?? web?.timeout : o.gracefulTimeout ?? web?.gracefulTimeout) === undefined,
        ),
        accessLog: o.accessLog && !user?.sets.includes("accesslog"),
        extraArgs: web?.carried ?? [],
        forwardedAllowIps,
        ...(folders.length > 0 ? { startFolders: folders } : {}),
        ...rootPathOf(web, socketio?.workerClass ?? workerClass, notes),
    };
}

/** uvicorn's --root-path, carried when the image serves the app with a uvicorn worker (whose CONFIG_KWARGS take it). */
function rootPathOf(web: ProcfileWeb | undefined, workerClass: string | undefined, notes: string[]): { rootPath?: string } {
    const root = web?.rootPath;
    if (root === undefined) {
        return {};
    }
    if (workerClass !== UVICORN_WORKER_CLASS && workerClass !== UVICORN_LEGACY_WORKER_CLASS) {
        notes.push(`${web!.origin.subject}'s \`--root-path ${root}\` is not carried: the image's ${workerClass ?? "default"} worker has no root path.`);
        return {};
    }
    notes.push(
        `${web!.origin.subject}'s \`--root-path ${root}\` is carried: the image's gunicorn config gives the uvicorn worker that root path (ROOT_PATH overrides it at run time), so the app builds its URLs under the prefix the proxy serves it at.`,
    );
    return { rootPath: root };
}

/**
 * A command chained before the server that only prepares folders, `mkdir` or `rm -r` (shell text with
 * nothing but words): its operation and paths; undefined for any other command.
 */
export function folderCommand(cmd: string): { op: "mkdir" | "rm"; paths: string[] } | undefined {
    const words = shellTokens(cmd);
    if (!words.every((t): t is string => typeof t === "string")) {
        return undefined;
    }
    const op = words[0];
    if (op !== "mkdir" && op !== "rm") {
        return undefined;
    }
    const options = words.slice(1).filter((w) => w.startsWith("-"));
    const paths = words.slice(1).filter((w) => !w.startsWith("-"));
    // rm without -r would fail on a folder; only the recursive form prepares one.
    if (paths.length === 0 || (op === "rm" && !options.some((o) => /^-[a-zA-Z]*[rR]/.test(o) || o === "--recursive"))) {
        return undefined;
    }
    return { op, paths };
}

/** The folders `mkdir -p` makes before the server, each emptied first when an `rm -rf` of it came before. */
export function startFolders(before: readonly string[]): Array<{ path: string; empty: boolean }> {
    const removed = new Set<string>();
    const out: Array<{ path: string; empty: boolean }> = [];
    for (const cmd of before) {
        const f = folderCommand(cmd);
        for (const p of f?.paths ?? []) {
            if (f!.op === "rm") {
                removed.add(p);
            } else if (!out.some((o) => o.path === p)) {
                out.push({ path: p, empty: removed.has(p) });
            }
        }
    }
    return out;
}

/**
 * Flask-SocketIO keeps each client's Socket.IO session in the process that
 * accepted it, so gunicorn must run one worker (Flask-SocketIO's deployment
 * docs: `gunicorn -w 1 --threads 100`, or one eventlet/gevent worker): with
 * more, a client's next long-poll lands in another worker and is refused
 * ("Invalid session"). The worker count is fixed on the command line (no
 * WEB_CONCURRENCY raises it); the worker class follows the async mode
 * Flask-SocketIO picks from what is installed (eventlet, then gevent, then
 * threads). `workers` overrides.
 */
function socketIoServer(inp: ServerInputs, workerClass: string | undefined, threads: number | undefined, notes: string[]): { workers: number; threads?: number; workerClass?: string } | undefined {
    const wrapped = inp.wrapper !== undefined && SOCKETIO_INNER_ARGS[inp.wrapper] !== undefined;
    if (inp.options.workers !== undefined || !(wrapped || (inp.interface === "wsgi" && inp.installed.has("flask-socketio")))) {
        return undefined;
    }
    if (inp.interface === "asgi") {
        notes.push(
            `The app is served through python-socketio's ${inp.wrapper}, which keeps each client's session in the worker process that accepted it: gunicorn runs one worker (--workers 1, which WEB_CONCURRENCY does not change). ` +
                "To run more, scale containers behind a load balancer with sticky sessions and give the server a client_manager (Redis); set `workers` to override.",
        );
        return { workers: 1 };
    }
    const mode = inp.installed.has("eventlet") ? "eventlet" : inp.installed.has("gevent") ? "gevent" : "threading";
    // With gevent-websocket installed, Flask-SocketIO's gevent mode answers WebSocket upgrades only under its worker (its deployment docs).
    const geventClass = inp.installed.has("gevent-websocket") ? "geventwebsocket.gunicorn.workers.GeventWebSocketWorker" : "gevent";
    const cls = workerClass ?? (mode === "threading" ? undefined : mode === "gevent" ? geventClass : mode);
    const many = mode === "threading" && (cls === undefined || cls === "gthread") && threads === undefined && !inp.options.threads ? DEFAULTS.socketIoThreads : undefined;
    notes.push(
        "The app uses Flask-SocketIO, which keeps each client's session in the worker process that accepted it: gunicorn runs one worker (--workers 1, which WEB_CONCURRENCY does not change), " +
            (cls !== undefined && cls !== "gthread"
                ? `with the ${cls} worker (Flask-SocketIO's ${mode} mode). `
                : `with ${many ?? threads ?? DEFAULTS.threads} threads (Flask-SocketIO's threading mode; each connected client holds one). `) +
            "To run more, scale containers behind a load balancer with sticky sessions and give SocketIO a message_queue; set `workers` to override.",
    );
    return { workers: 1, threads: many, workerClass: cls };
}

/**
 * Django Channels with its in-memory channel layer: a group message reaches
 * only the consumers of the process that sent it (Channels' docs: "do not
 * use it in production" with more than one process), so with several
 * workers a chat message reaches only part of a room. One worker, like
 * daphne runs; channels_redis lifts the limit. `workers` overrides.
 */
function channelsServer(inp: ServerInputs, notes: string[]): { workers: number; threads?: number; workerClass?: string } | undefined {
    if (inp.options.workers !== undefined || inp.channelLayer?.backend !== "channels.layers.InMemoryChannelLayer") {
        return undefined;
    }
    notes.push(
        `${inp.channelLayer.file} uses Channels' InMemoryChannelLayer, which delivers group messages only within the process that sends them: gunicorn runs one worker ` +
            "(--workers 1, which WEB_CONCURRENCY does not change), as daphne does, so every consumer of a group gets its messages. " +
            (inp.channelLayer.switchedBy.length > 0
                ? `The settings choose the layer by ${inp.channelLayer.switchedBy.join(", ")}: when ${inp.channelLayer.switchedBy.length > 1 ? "they give" : "it gives"} a shared layer (channels_redis), set \`workers\` to run more.`
                : "To run more, use channels_redis's RedisChannelLayer (then scale freely); set `workers` to override."),
    );
    return { workers: 1 };
}

/**
 * Data the app keeps in its own process between requests (a tutorial's
 * in-memory store, a polled `jobs` dict, the FastAPI docs' WebSocket
 * ConnectionManager): with several workers each has its own copy, so a
 * request misses what another changed. One worker, as the app's own
 * `uvicorn main:app` ran, unless its command or gunicorn config chose a
 * count (then a note); `workers` overrides.
 */
function storeServer(inp: ServerInputs, countChosen: boolean, notes: string[]): { workers: number; threads?: number; workerClass?: string } | undefined {
    const s = inp.inProcessStore;
    if (inp.options.workers !== undefined || s === undefined) {
        return undefined;
    }
    const what = `${s.file} keeps \`${s.name}\`, ${s.how}, in the process (its memory, or a folder only it knows): each worker has its own, so a request can miss what another changed (a record one worker stored is missing in the others, a broadcast reaches part of the clients)`;
    if (countChosen) {
        notes.push(`${what}; the app's command or gunicorn config runs several workers, which the image keeps: keep that data in a database or Redis, or set \`workers: 1\`.`);
        return undefined;
    }
    notes.push(`${what}: gunicorn runs one worker (--workers 1, which WEB_CONCURRENCY does not change), as the app's own server did. Keep that data in a database or Redis to run more, and set \`workers\`.`);
    return { workers: 1 };
}

/**
 * Whether a PEP 440 specifier ("\>=0.29,<0.33") allows some version at or above `min`: one of `min`, the
 * specifier's own versions at or above it, just past them (for `>` and `!=`), or a version above any bound, satisfies it.
 */
export function allowsAtLeast(spec: string, min: string): boolean {
    let bounds: string[];
    try {
        bounds = parseSpecifier(spec).map((c) => c.version);
    } catch {
        return true; // not a specifier pep440 reads: no bound known
    }
    const candidates = [min, "99999", ...bounds.filter((b) => compare(b, min) >= 0).flatMap((b) => [b, `${b}.1`, `${b}.0.1`])];
    return candidates.some((v) => satisfies(v, spec));
}

/** "pins uvicorn 0.32.0 and gunicorn 23.0.0", "asks for uvicorn>=0.29,<0.33 and pins gunicorn 23.0.0". */
function appAsks(what: ReadonlyArray<[string, string | undefined, string | undefined]>): string {
    const pinned = what.filter(([, pin]) => pin !== undefined).map(([name, pin]) => `${name} ${pin}`);
    const asked = what.filter(([, pin, spec]) => pin === undefined && spec !== undefined).map(([name, , spec]) => `${name}${spec}`);
    return [asked.length > 0 ? `asks for ${asked.join(" and ")}` : "", pinned.length > 0 ? `pins ${pinned.join(" and ")}` : ""].filter((x) => x !== "").join(" and ");
}

/**
 * The ASGI worker: uvicorn-worker's newest release that accepts the uvicorn
 * and gunicorn the app pins (so adding it never moves a pin), or none when
 * the app already has it; uvicorn's own deprecated worker class when the
 * pinned uvicorn predates every uvicorn-worker release.
 */
function asgiWorker(inp: ServerInputs, procfileSaidLegacy: boolean, notes: string[]): { workerClass: string; added: string[] } {
    if (inp.installed.has("uvicorn-worker")) {
        return { workerClass: UVICORN_WORKER_CLASS, added: [] };
    }
    const uvicorn = inp.installed.has("uvicorn") ? inp.deps.pins.get("uvicorn") : undefined;
    const gunicorn = inp.installed.has("gunicorn") ? inp.deps.pins.get("gunicorn") : undefined;
    // A range instead of a pin (`uvicorn[standard]>=0.29,<0.33`): the release must need no version the range excludes.
    const range = (name: string): string | undefined => (inp.installed.has(name) && !inp.deps.pins.has(name) ? inp.deps.specifiers.get(name) : undefined);
    const fits = (pin: string | undefined, spec: string | undefined, min: string): boolean => (pin === undefined ? spec === undefined || allowsAtLeast(spec, min) : compare(pin, min) >= 0);
    const release = UVICORN_WORKER_RELEASES.find((r) => fits(uvicorn, range("uvicorn"), r.uvicorn) && fits(gunicorn, range("gunicorn"), r.gunicorn));
    if (procfileSaidLegacy) {
        notes.push(
            `The worker class ${UVICORN_LEGACY_WORKER_CLASS} (from the Procfile or the app's gunicorn config) is deprecated in uvicorn; the image runs ${UVICORN_WORKER_CLASS}` +
                (release ? ` (uvicorn-worker ${release.version}${uvicorn ? `, which accepts the pinned uvicorn ${uvicorn}` : ""}).` : "."),
        );
    }
    if (!release) {
        notes.push(
            `uvicorn ${uvicorn} is older than every uvicorn-worker release accepts; the image runs uvicorn's own ${UVICORN_LEGACY_WORKER_CLASS}.`,
        );
        return { workerClass: UVICORN_LEGACY_WORKER_CLASS, added: [] };
    }
    if (release !== UVICORN_WORKER_RELEASES[0]) {
        notes.push(
            `uvicorn-worker ${release.version}, not ${UVICORN_WORKER_RELEASES[0].version}: ${UVICORN_WORKER_RELEASES[0].version} needs uvicorn>=${UVICORN_WORKER_RELEASES[0].uvicorn}` +
                ` and gunicorn>=${UVICORN_WORKER_RELEASES[0].gunicorn}, and the app ${appAsks([["uvicorn", uvicorn, range("uvicorn")], ["gunicorn", gunicorn, range("gunicorn")]])}.`,
        );
    }
    return { workerClass: UVICORN_WORKER_CLASS, added: [`uvicorn-worker==${release.version}`] };
}
