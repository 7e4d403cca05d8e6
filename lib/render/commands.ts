import { Plan } from "../plan/plan";

/**
 * The argv lists the image runs. Shared by the Dockerfile (CMD, HEALTHCHECK)
 * and the container resource, so the two never disagree.
 */

export const GUNICORN_CONFIG_PATH = "/etc/pulumi-python-app/gunicorn.conf.py";

/** gunicorn's command line: every value here was validated by makePlan. */
export function gunicornCommand(plan: Plan): string[] {
    const s = plan.server;
    const argv = ["gunicorn"];
    if (!s.userConfig) {
        argv.push("--config", GUNICORN_CONFIG_PATH);
    }
    argv.push(
        "--bind", `0.0.0.0:${s.port}`,
        // The worker heartbeat on a disk-backed /tmp can stall workers: keep it in memory.
        "--worker-tmp-dir", "/dev/shm",
        "--access-logfile", "-",
        "--error-logfile", "-",
        "--timeout", String(s.timeout),
        "--graceful-timeout", String(s.gracefulTimeout),
    );
    if (s.workerClass) {
        argv.push("--worker-class", s.workerClass);
    }
    if (s.workers !== undefined) {
        argv.push("--workers", String(s.workers));
    }
    if (s.threads !== undefined) {
        argv.push("--threads", String(s.threads));
    }
    argv.push(plan.entrypoint.spec);
    return argv;
}

/**
 * A health probe with the interpreter the image already has (no curl): any
 * HTTP answer below 500 is healthy, so an app without a route at the path
 * still counts as up; a refused connection or a 5xx is not.
 */
const PROBE = [
    "import sys, urllib.request, urllib.error",
    "try:",
    "    urllib.request.urlopen('http://127.0.0.1:' + sys.argv[2] + sys.argv[1], timeout=4)",
    "except urllib.error.HTTPError as e:",
    "    sys.exit(1 if e.code >= 500 else 0)",
    "except Exception:",
    "    sys.exit(1)",
].join("\n");

export function healthCheckCommand(plan: Plan): string[] | undefined {
    if (!plan.healthCheck) {
        return undefined;
    }
    return ["python", "-c", PROBE, plan.healthCheck.path, String(plan.server.port)];
}

/** Seconds the engine should wait after SIGTERM before SIGKILL: gunicorn's graceful timeout plus a margin. */
export function stopTimeout(plan: Plan): number {
    return plan.server.gracefulTimeout + 5;
}
