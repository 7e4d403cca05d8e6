import { compare } from "@renovatebot/pep440";
import { DEFAULTS } from "../data/defaults";
import { AppInterface } from "../data/frameworks";
import { UVICORN_LEGACY_WORKER_CLASS, UVICORN_WORKER_CLASS, UVICORN_WORKER_RELEASES } from "../data/servers";
import { Dependencies } from "../detect/dependencies";
import { ProcfileWeb } from "../detect/procfile";
import { parseModule, str } from "../detect/python-source";
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
    readonly userConfig: boolean;
    /** Its path in the image, when there is one. */
    readonly userConfigPath?: string;
    /** Settings the app's config sets itself (the image does not override them). */
    readonly userConfigSets: readonly string[];
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
    readonly workdir: string;
}

/** Settings of an app's gunicorn.conf.py read as literals (anything computed is only known to be set). */
function readUserConfig(src: SourceTree, file: string): { sets: string[]; ints: Map<string, number>; strings: Map<string, string> } {
    const mod = parseModule(src.read(file));
    const sets: string[] = [];
    const ints = new Map<string, number>();
    const strings = new Map<string, string>();
    for (const [name, value] of mod.assigns) {
        if (name.startsWith("_")) {
            continue;
        }
        sets.push(name);
        if (value.kind === "num" && /^\d+$/.test(value.text)) {
            ints.set(name, Number(value.text));
        }
        const s = str(value);
        if (s !== undefined) {
            strings.set(name, s);
        }
    }
    return { sets: [...new Set(sets)].sort(), ints, strings };
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
    const configCandidates = [
        ...(web?.config ? [web.config, inp.chdir === "" ? "" : `${inp.chdir}/${web.config}`] : []),
        "gunicorn.conf.py",
        ...(inp.chdir !== "" ? [`${inp.chdir}/gunicorn.conf.py`] : []),
    ].filter((f) => f !== "" && !f.startsWith("/") && !f.split("/").includes(".."));
    const configFile = configCandidates.find((f) => src.isFile(f));
    if (web?.config && !configFile) {
        notes.push(`${web.origin.subject}'s \`--config ${web.config}\` names a file that is not in the source folder; it is not loaded.`);
    }
    const user = configFile ? readUserConfig(src, configFile) : undefined;
    if (user) {
        notes.push(
            `The app's ${configFile} is loaded first, then the image's settings (bind, worker heartbeat in /dev/shm, control socket)` +
                (user.sets.length > 0 ? `; it sets ${user.sets.join(", ")}, which the image keeps unless an option says otherwise.` : "."),
        );
        if (!o.accessLog && user.sets.includes("accesslog")) {
            notes.push(`\`accessLog\` is false, but ${configFile} sets accesslog itself; the app's setting is kept.`);
        }
        if (user.sets.includes("bind")) {
            notes.push(`${configFile} sets bind; the image binds 0.0.0.0:${o.port} instead (the port the container publishes).`);
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
    if (!inp.installed.has("gunicorn")) {
        added.unshift(DEFAULTS.gunicorn);
    }
    if (added.length > 0) {
        const names = added.map((p) => p.split("==")[0]);
        notes.push(`The app's dependencies lack ${names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0]}: added ${added.join(", ")}, installed against the app's own pins so none of them moves.`);
    }

    let defaultWorkers: number | undefined;
    if (o.workers === undefined && web?.workers !== undefined) {
        defaultWorkers = web.workers;
    }
    const forwardedAllowIps = o.trustedProxies?.join(",");
    const configPath = configFile ? `${inp.workdir}/${configFile}` : undefined;
    return {
        port: o.port,
        workers: o.workers,
        defaultWorkers,
        threads,
        timeout,
        gracefulTimeout,
        workerClass,
        addedPackages: added,
        userConfig: configFile !== undefined,
        userConfigPath: configPath,
        userConfigSets: user?.sets ?? [],
        accessLog: o.accessLog && !user?.sets.includes("accesslog"),
        extraArgs: web?.carried ?? [],
        forwardedAllowIps,
    };
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
    const release = UVICORN_WORKER_RELEASES.find(
        (r) => (uvicorn === undefined || compare(uvicorn, r.uvicorn) >= 0) && (gunicorn === undefined || compare(gunicorn, r.gunicorn) >= 0),
    );
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
                ` and gunicorn>=${UVICORN_WORKER_RELEASES[0].gunicorn}, and the app pins ${[uvicorn ? `uvicorn ${uvicorn}` : "", gunicorn ? `gunicorn ${gunicorn}` : ""].filter((x) => x !== "").join(" and ")}.`,
        );
    }
    return { workerClass: UVICORN_WORKER_CLASS, added: [`uvicorn-worker==${release.version}`] };
}
