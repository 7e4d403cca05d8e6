import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { appArgs, configureApp, docker, getJson, infra, Infra, makeProject, Project, registryDeleteTag } from "./harness";

/**
 * A Django app on its startproject-default SQLite database, deployed as a
 * new user would, with no options: the image links the database file into
 * /data, PythonApp mounts a named volume there and runs `migrate` as the
 * release step before each new container. The data survives a redeploy; a
 * failing release step stops `up` with its output and leaves the running
 * container serving.
 */
describe("e2e: release step and data volume (django-sqlite)", function () {
    let inf: Infra;
    let p: Project;
    const repo = "e2e/django-sqlite";
    const hostPort = 18084;
    const configure = (extra: Record<string, unknown> = {}) => configureApp(p, inf, "django-sqlite", appArgs(inf, { repository: repo, hostPort }, extra));
    const outputs = async () => await p.stack.outputs();
    const hit = async () => getJson(`${(await outputs()).url.value}/count`);
    let volume = "";

    before(async () => {
        inf = infra();
        // Start clean: a volume left by an earlier run would hold that run's data.
        docker("volume", "rm", "-f", "django-sqlite-data");
        p = await makeProject("django-sqlite", path.join(__dirname, "apps", "django-sqlite"));
        await configure();
        await registryDeleteTag(inf, repo, "e2e");
    });
    after(async () => {
        await p?.stack.destroy({ color: "never" }).catch(() => undefined);
        await p?.cleanup();
        docker("volume", "rm", "-f", volume || "django-sqlite-data");
    });

    it("1. up runs migrate in a release container, then the app writes its SQLite database on a named volume", async () => {
        let out = "";
        const res = await p.stack.up({ onOutput: (s) => (out += s), color: "never" });
        p.log("release-1-up", out);
        assert.equal(res.summary.result, "succeeded");
        const state = await p.stack.exportStack();
        const resources = state.deployment.resources ?? [];
        const release = resources.find((r: any) => r.type === "docker:index/container:Container" && r.urn.endsWith("django-sqlite-release"));
        assert.ok(release, "a release container is in the state");
        assert.equal(release.outputs.exitCode, 0);
        assert.match(release.outputs.containerLogs, /Applying counter\.0001_initial\.\.\. OK/);
        const vol = resources.find((r: any) => r.type === "docker:index/volume:Volume");
        assert.ok(vol, "a named volume is in the state");
        volume = vol.outputs.name;
        assert.equal((await hit()).hits, 1);
        const body = await hit();
        assert.equal(body.hits, 2);
        assert.equal(body.uid, 10001);
        const name = (await outputs()).containerName.value as string;
        const mounts = JSON.parse(docker("inspect", "-f", "{{json .Mounts}}", name));
        assert.deepEqual(
            mounts.map((m: any) => [m.Type, m.Name, m.Destination]),
            [["volume", volume, "/data"]],
        );
        // The code stays root's and read-only to the app; only the data folder is its own.
        assert.equal(docker("exec", name, "stat", "-c", "%u %g", "/app", "/app/site_cfg/settings.py"), "0 0\n0 0");
        assert.equal(docker("exec", name, "stat", "-c", "%u", "/data"), "10001");
        assert.equal(docker("exec", name, "sh", "-c", "test -w /app && echo writable || echo read-only"), "read-only");
        assert.equal(docker("exec", name, "sh", "-c", "readlink /app/db.sqlite3"), "/data/db.sqlite3");
    });

    it("2. a code change redeploys: the release step runs again with the new image, and the data survives the new container", async () => {
        const before = (await outputs()).containerId.value;
        fs.appendFileSync(path.join(p.appDir, "site_cfg", "urls.py"), "\n# a code change\n");
        let out = "";
        const res = await p.stack.up({ onOutput: (s) => (out += s), color: "never" });
        p.log("release-2-redeploy", out);
        assert.equal(res.summary.result, "succeeded");
        assert.notEqual((await outputs()).containerId.value, before, "a new container");
        assert.equal((await hit()).hits, 3, "the rows written before the redeploy are still there");
    });

    it("3. a failing release step stops up with its output, and the running container keeps serving", async () => {
        const before = (await outputs()).containerId.value as string;
        await configure({ releaseCommand: ["python", "-c", "import sys; print('release boom: the database is locked'); sys.exit(3)"] });
        fs.appendFileSync(path.join(p.appDir, "site_cfg", "urls.py"), "\n# another code change\n");
        let out = "";
        await assert.rejects(p.stack.up({ onOutput: (s) => (out += s), color: "never" }), (e: Error) => {
            p.log("release-3-failed", `${out}\n\n${e.message}`);
            return /The release step \(`releaseCommand`: python -c .*\) exited with 3/.test(e.message) && e.message.includes("release boom: the database is locked");
        });
        assert.equal(docker("inspect", "-f", "{{.State.Running}}", before), "true", "the old container still runs");
        assert.equal((await hit()).hits, 4, "and still serves, with its data");
    });

    it("4. with the step fixed, up converges", async () => {
        await configure();
        const res = await p.stack.up({ color: "never" });
        assert.equal(res.summary.result, "succeeded");
        assert.equal((await hit()).hits, 5);
        await p.stack.preview({ expectNoChanges: true, color: "never" });
    });

    it("5. destroy removes the containers and keeps the data volume (retainVolumes)", async () => {
        const name = (await outputs()).containerName.value as string;
        const res = await p.stack.destroy({ color: "never" });
        assert.equal(res.summary.result, "succeeded");
        assert.equal(docker("ps", "-a", "-q", "--filter", `name=^${name}$`), "");
        assert.equal(docker("volume", "ls", "-q", "--filter", `name=^${volume}$`), volume, "the volume is kept");
    });
});
