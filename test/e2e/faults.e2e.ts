import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { appArgs, configureApp, docker, getJson, infra, Infra, makeProject, Project, REPO, sh } from "./harness";

/**
 * Faults a user meets, each bounded in time and on loopback: an app that
 * never becomes healthy, a build that fails, the app's process dying, a
 * redeploy under load, the registry down during `up`, BuildKit restarted
 * between two `up`s. Each failure must say what went wrong, and the stack
 * must converge once the cause is gone.
 */
describe("e2e: faults (flask-faults)", function () {
    let inf: Infra;
    let p: Project;
    const repo = "e2e/flask-faults";
    const hostPort = 18085;
    const configure = (extra: Record<string, unknown> = {}) => configureApp(p, inf, "flask-faults", appArgs(inf, { repository: repo, hostPort }, extra));
    const url = async () => (await p.stack.outputs()).url.value as string;
    const containerName = async () => (await p.stack.outputs()).containerName.value as string;
    const up = async (title: string) => {
        let out = "";
        try {
            const res = await p.stack.up({ onOutput: (s) => (out += s), color: "never" });
            p.log(title, out);
            return res;
        } catch (e) {
            p.log(title, `${out}\n\n${(e as Error).message}`);
            throw e;
        }
    };

    before(async () => {
        inf = infra();
        p = await makeProject("flask-faults", path.join(__dirname, "apps", "flask-faults"));
        await configure();
    });
    after(async () => {
        await p?.stack.destroy({ color: "never" }).catch(() => undefined);
        await p?.cleanup();
    });

    it("1. an app that never becomes healthy fails up with its traceback's last line, not only 'failed to be in healthy state'", async () => {
        await configure({ healthCheckPath: "/boom" });
        const t0 = Date.now();
        await assert.rejects(up("faults-1-unhealthy"), (e: Error) => {
            assert.match(e.message, /The container did not become healthy: its health check failed\./);
            assert.match(e.message, /KeyError: 'MISSING_SETTING'/, "the app's own error is in the message");
            assert.match(e.message, /point `healthCheckPath` at a path that answers below 500/);
            return true;
        });
        console.log(`      failed in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        await configure();
        const res = await up("faults-1-fixed");
        assert.equal(res.summary.result, "succeeded");
        assert.equal((await getJson(`${await url()}/`)).app, "flask-faults");
    });

    it("2. a build that fails names the failing step and the installer's last error lines", async () => {
        const req = path.join(p.appDir, "requirements.txt");
        const good = fs.readFileSync(req, "utf8");
        fs.writeFileSync(req, `${good}no-such-package-ppa-e2e==1.0.0\n`);
        try {
            await assert.rejects(up("faults-2-build"), (e: Error) => {
                assert.match(e.message, /uv pip install -r requirements\.txt/, "the failing step is named");
                // uv's pip interface prints its error and its cause on two lines; BuildKit's log stream can end before the second
                // reaches the message (pip's two lines had the same fate), so either counts.
                assert.match(
                    e.message,
                    /error: No solution found when resolving dependencies|no-such-package-ppa-e2e was not found in the package registry and you require no-such-package-ppa-e2e==1\.0\.0/,
                    `the installer's own error (uv's pip interface) is there: ${e.message}`,
                );
                return true;
            });
        } finally {
            fs.writeFileSync(req, good);
        }
        assert.equal((await getJson(`${await url()}/`)).app, "flask-faults", "the running container was left alone");
    });

    it("3. the app's process killed on the host: the restart policy brings it back and it turns healthy again within 60 s", async () => {
        const name = await containerName();
        const pid = docker("inspect", "-f", "{{.State.Pid}}", name);
        const restartsBefore = Number(docker("inspect", "-f", "{{.RestartCount}}", name));
        const t0 = Date.now();
        sh("kill", ["-KILL", pid]);
        let healthy = false;
        while (Date.now() - t0 < 60_000) {
            await new Promise((r) => setTimeout(r, 1000));
            const [status, restarts] = docker("inspect", "-f", "{{.State.Health.Status}} {{.RestartCount}}", name).split(" ");
            if (Number(restarts) > restartsBefore && status === "healthy") {
                healthy = true;
                break;
            }
        }
        const seconds = (Date.now() - t0) / 1000;
        console.log(`      healthy again after ${seconds.toFixed(1)}s`);
        assert.ok(healthy, "the container restarted and passed its health check within 60 s");
        assert.equal((await getJson(`${await url()}/`)).app, "flask-faults");
    });

    it("4. a redeploy under load: the failed requests and the longest gap are counted (one container has downtime by design)", async () => {
        const target = `${await url()}/`;
        let ok = 0;
        let failed = 0;
        let lastOk = Date.now();
        let longestGap = 0;
        let running = true;
        const load = (async () => {
            while (running) {
                try {
                    const res = await fetch(target, { signal: AbortSignal.timeout(2000) });
                    await res.arrayBuffer();
                    if (res.ok) {
                        ok++;
                        longestGap = Math.max(longestGap, Date.now() - lastOk);
                        lastOk = Date.now();
                    } else {
                        failed++;
                    }
                } catch {
                    failed++;
                }
                await new Promise((r) => setTimeout(r, 20));
            }
        })();
        fs.appendFileSync(path.join(p.appDir, "app.py"), "\n# a code change\n");
        const res = await up("faults-4-redeploy");
        // Let the client see the new container answer.
        await new Promise((r) => setTimeout(r, 2000));
        running = false;
        await load;
        assert.equal(res.summary.result, "succeeded");
        const figures = { requests: ok + failed, ok, failed, longestGapSeconds: Number((longestGap / 1000).toFixed(1)) };
        console.log(`      redeploy under load: ${JSON.stringify(figures)}`);
        fs.mkdirSync(path.join(REPO, "test", "e2e", "logs"), { recursive: true });
        fs.writeFileSync(path.join(REPO, "test", "e2e", "logs", "redeploy-under-load.json"), JSON.stringify(figures, null, 2) + "\n");
        assert.ok(ok > 0, "the client was served before and after the redeploy");
        assert.ok(longestGap < 60_000, "the gap is bounded by the stop timeout and the new container's start");
    });

    it("5. the registry down during up: up fails naming the registry; once it is back, a second up converges with no manual step", async () => {
        const pidFile = path.join(inf.cache, "state", "registry", "registry.pid");
        const pid = fs.readFileSync(pidFile, "utf8").trim();
        fs.appendFileSync(path.join(p.appDir, "app.py"), "\n# a change to push\n");
        sh("kill", ["-TERM", pid]);
        try {
            await assert.rejects(up("faults-5-registry-down"), (e: Error) => {
                assert.match(e.message, new RegExp(inf.registry.replace(/\./g, "\\.")), "the message names the registry");
                return true;
            });
        } finally {
            // infra.sh starts what is missing, and only that.
            sh("bash", [path.join(REPO, "scripts", "infra.sh")]);
        }
        const res = await up("faults-5-registry-back");
        assert.equal(res.summary.result, "succeeded");
        await p.stack.preview({ expectNoChanges: true, color: "never" });
        assert.equal((await getJson(`${await url()}/`)).app, "flask-faults");
    });

    it("6. BuildKit restarted between two ups: the second up builds and deploys", async () => {
        const pidFile = path.join(inf.cache, "state", "buildkitd.pid");
        const pid = fs.readFileSync(pidFile, "utf8").trim();
        sh("kill", ["-TERM", pid]);
        // A buildkitd cancelling another build's solves can take a while to let go of its lock: infra.sh cannot start a new one before.
        for (let i = 0; i < 240 && fs.existsSync(`/proc/${pid}`); i++) {
            await new Promise((r) => setTimeout(r, 500));
        }
        assert.ok(!fs.existsSync(`/proc/${pid}`), `buildkitd (pid ${pid}) still runs 120 s after SIGTERM`);
        sh("bash", [path.join(REPO, "scripts", "infra.sh")]);
        fs.appendFileSync(path.join(p.appDir, "app.py"), "\n# a change after the restart\n");
        const res = await up("faults-6-buildkit-restarted");
        assert.equal(res.summary.result, "succeeded");
        assert.equal((await getJson(`${await url()}/`)).app, "flask-faults");
    });
});
