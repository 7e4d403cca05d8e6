import { Plan } from "../plan/plan";

/**
 * The gunicorn config baked into the image. It only sizes the worker pool,
 * which a command line cannot do: workers follow the CPUs the container may
 * use (its cgroup quota, else its CPU affinity), because a fixed number is
 * wrong on every machine but one. WEB_CONCURRENCY overrides it at run time,
 * and `workers` in the component's args overrides both (on the command line).
 * WSGI apps get 4 threads per worker (the gthread worker) unless `threads`
 * says otherwise: the benchmark measured sync workers far behind.
 */
export function renderGunicornConfig(plan: Plan): string {
    const perCpu = plan.entrypoint.interface === "asgi" ? "cpus" : "2 * cpus + 1";
    return [
        "# Synthesized by pulumi-python-app: size the worker pool from the container's CPUs.",
        "import math",
        "import os",
        "",
        "",
        "def _cpus():",
        "    try:  # cgroup v2",
        "        quota, period = open(\"/sys/fs/cgroup/cpu.max\").read().split()",
        "        if quota != \"max\":",
        "            return max(1, math.ceil(int(quota) / int(period)))",
        "    except (OSError, ValueError):",
        "        pass",
        "    try:  # cgroup v1",
        "        quota = int(open(\"/sys/fs/cgroup/cpu/cpu.cfs_quota_us\").read())",
        "        period = int(open(\"/sys/fs/cgroup/cpu/cpu.cfs_period_us\").read())",
        "        if quota > 0:",
        "            return max(1, math.ceil(quota / period))",
        "    except (OSError, ValueError):",
        "        pass",
        "    return len(os.sched_getaffinity(0))",
        "",
        "",
        "cpus = _cpus()",
        `workers = int(os.environ.get("WEB_CONCURRENCY") or (${perCpu}))`,
        ...(plan.entrypoint.interface === "wsgi"
            ? [
                  "# Threads per worker: gunicorn then runs its gthread worker, which keeps connections",
                  "# alive and overlaps I/O; sync workers serve one request at a time per process.",
                  "threads = 4",
              ]
            : []),
        "",
        "# gunicorn 25.1+ opens a control socket under $HOME, which is read-only here; keep it in memory.",
        "# (Older gunicorns ignore the name.)",
        'control_socket = "/dev/shm/gunicorn.ctl"',
        "",
    ].join("\n");
}
