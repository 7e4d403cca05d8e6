import { Plan } from "../plan/plan";

/**
 * The argv lists the image runs. Shared by the Dockerfile (CMD, HEALTHCHECK)
 * and the container resources, so the two never disagree.
 */

export const GUNICORN_CONFIG_PATH = "/etc/pulumi-python-app/gunicorn.conf.py";

/** gunicorn's command line: every value here was checked when the plan was made. */
export function gunicornCommand(plan: Plan): string[] {
    const s = plan.server;
    const argv = [
        "gunicorn",
        "--config", GUNICORN_CONFIG_PATH,
        "--bind", `0.0.0.0:${s.port}`,
        // The worker heartbeat on a disk-backed /tmp can stall workers: keep it in memory.
        "--worker-tmp-dir", "/dev/shm",
    ];
    if (s.accessLog) {
        argv.push("--access-logfile", "-");
    }
    if (!s.userConfigSets.includes("errorlog")) {
        argv.push("--error-logfile", "-");
    }
    // Left to the app's config when it sets them: a flag would override the config.
    if (!s.timeoutsFromConfig.includes("timeout")) {
        argv.push("--timeout", String(s.timeout));
    }
    if (!s.timeoutsFromConfig.includes("graceful_timeout")) {
        argv.push("--graceful-timeout", String(s.gracefulTimeout));
    }
    // With a root path the image's config sets the worker class (a subclass carrying it): a flag would override it.
    if (s.workerClass && s.rootPath === undefined) {
        argv.push("--worker-class", s.workerClass);
    }
    if (s.workers !== undefined) {
        argv.push("--workers", String(s.workers));
    }
    if (s.threads !== undefined) {
        argv.push("--threads", String(s.threads));
    }
    if (s.chdir !== undefined) {
        argv.push("--chdir", s.chdir);
    }
    if (s.pythonPath.length > 0) {
        argv.push("--pythonpath", s.pythonPath.join(","));
    }
    argv.push(...s.extraArgs, plan.entrypoint.spec);
    return argv;
}

/**
 * A health probe with the interpreter the image already has (no curl): one
 * GET with http.client, which does not follow redirects, so an app that
 * redirects plain HTTP to https:// (SECURE_SSL_REDIRECT behind a TLS proxy)
 * is healthy. Any answer below 500 counts (a 404 at the path still means the
 * server is up); a refused connection, a timeout or a 5xx does not.
 */
const PROBE = [
    "import http.client, sys",
    "try:",
    "    c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[2]), timeout=4)",
    "    c.request('GET', sys.argv[1], headers={'User-Agent': 'healthcheck'})",
    "    sys.exit(0 if c.getresponse().status < 500 else 1)",
    "except Exception:",
    "    sys.exit(1)",
].join("\n");

/**
 * The health check's timing, in seconds (retries: failed probes in a row
 * before unhealthy), shared by the image's HEALTHCHECK and the container and
 * service specs that repeat it (Docker reads it back from there, not the image).
 */
export const HEALTH_CHECK_TIMING = { intervalSeconds: 10, timeoutSeconds: 5, startPeriodSeconds: 20, retries: 3 } as const;

/** The timing as the docker provider's `healthcheck` block takes it ("10s" strings). */
export function healthCheckTimingSpec(): { interval: string; timeout: string; startPeriod: string; retries: number } {
    const t = HEALTH_CHECK_TIMING;
    return { interval: `${t.intervalSeconds}s`, timeout: `${t.timeoutSeconds}s`, startPeriod: `${t.startPeriodSeconds}s`, retries: t.retries };
}

export function healthCheckCommand(plan: Plan): string[] | undefined {
    if (!plan.healthCheck) {
        return undefined;
    }
    return ["python", "-c", PROBE, plan.healthCheck.path, String(plan.server.port)];
}

/** Seconds the engine should wait after SIGTERM before SIGKILL: gunicorn's graceful timeout plus a margin. */
export function stopTimeout(plan: Plan): number {
    return plan.server.gracefulTimeout + STOP_MARGIN_SECONDS;
}

/** The margin between gunicorn's graceful timeout and the engine's SIGKILL. */
export const STOP_MARGIN_SECONDS = 5;
