import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { appArgs, configureApp, docker, getJson, infra, Infra, installStepCached, makeProject, Project, registryDeleteTag, registryManifest, sh } from "./harness";

/**
 * `pulumi up` for real: a real Docker engine, BuildKit, a registry with
 * credentials and the Pulumi CLI with its providers. Each app goes through
 * the life of a deployment, one step per test, in order.
 */
interface AppCase {
    name: string;
    source: string;
    /** Which base image from the local registry (the machine reaches no other). */
    base: "trixie" | "bookworm";
    hostPort: number;
    /** The file a "code change" edits. */
    codeFile: string;
    prepare?: (appDir: string, i: Infra) => void;
}

const APPS = path.join(__dirname, "apps");

const CASES: AppCase[] = [
    { name: "flask-native", source: path.join(APPS, "flask-native"), base: "bookworm", hostPort: 18081, codeFile: "app.py" },
    {
        name: "fastapi-uv",
        source: path.join(APPS, "fastapi-uv"),
        base: "trixie",
        hostPort: 18082,
        codeFile: "main.py",
        // uv.lock is made here with the pinned uv, so the repository holds no index URLs.
        prepare: (appDir, i) => {
            sh(i.uv, ["lock", "--quiet"], { cwd: appDir });
        },
    },
    { name: "django", source: path.join(APPS, "django"), base: "trixie", hostPort: 18083, codeFile: "mysite/urls.py" },
];

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)}s`;
}

for (const c of CASES) {
    describe(`e2e: ${c.name}`, function () {
        let inf: Infra;
        let p: Project;
        let repo: string;
        let coldMs = 0;
        const args = (extra: Record<string, unknown> = {}) => appArgs(inf, { repository: `e2e/${c.name}`, hostPort: c.hostPort, base: c.base }, extra);
        const configure = (extra: Record<string, unknown> = {}) => configureApp(p, inf, c.name, args(extra));
        const containerName = async () => (await p.stack.outputs()).containerName.value as string;
        const url = async () => (await p.stack.outputs()).url.value as string;

        before(async () => {
            inf = infra();
            repo = `e2e/${c.name}`;
            p = await makeProject(c.name, c.source);
            c.prepare?.(p.appDir, inf);
            await configure();
            // Start cold: no build cache in the builder, no image or cache ref in the registry.
            sh("buildctl", ["--addr", inf.buildkitAddr, "prune", "--all"]);
            await registryDeleteTag(inf, repo, "e2e");
            await registryDeleteTag(inf, repo, "buildcache");
        });
        after(async () => {
            await p?.cleanup();
        });

        it("1. up builds (cold), pushes and runs the app; it answers through gunicorn with --worker-tmp-dir /dev/shm", async () => {
            const t0 = Date.now();
            let out = "";
            const res = await p.stack.up({ onOutput: (s) => (out += s), color: "never" });
            coldMs = Date.now() - t0;
            p.log("1-up", out);
            console.log(`      cold up: ${seconds(coldMs)}`);
            assert.equal(res.summary.result, "succeeded");
            const body = await getJson(`${await url()}/`);
            assert.equal(body.app, c.name);
            const top = docker("top", await containerName(), "-eo", "pid,ppid,uid,args");
            const gunicorns = top.split("\n").filter((l) => /gunicorn/.test(l));
            assert.ok(gunicorns.length >= 2, `a gunicorn master and at least one worker:\n${top}`);
            assert.ok(gunicorns.every((l) => l.includes("--worker-tmp-dir /dev/shm")), top);
            const pids = new Set(gunicorns.map((l) => l.trim().split(/\s+/)[0]));
            const workers = gunicorns.filter((l) => pids.has(l.trim().split(/\s+/)[1]));
            assert.ok(workers.length >= 1, `workers are children of the master:\n${top}`);
        });

        it("2. the app's processes run as the configured non-root uid 10001", async () => {
            const body = await getJson(`${await url()}/`);
            assert.equal(body.uid, 10001);
            assert.equal(body.gid, 10001);
            const uids = docker("top", await containerName(), "-eo", "pid,uid,args")
                .split("\n")
                .slice(1)
                .map((l) => l.trim().split(/\s+/)[1]);
            assert.ok(uids.length > 0 && uids.every((u) => u === "10001"), `every process as 10001, got ${uids.join(",")}`);
            assert.equal(docker("inspect", "-f", "{{.Config.User}}", await containerName()), "10001:10001");
        });

        it("3. the image is in the registry under its tag, the container runs it by digest, and the cache ref exists", async () => {
            const ref = (await p.stack.outputs()).imageRef.value as string;
            const digest = ref.split("@")[1];
            assert.match(ref, new RegExp(`^${inf.registry.replace(/\./g, "\\.")}/${repo}:e2e@sha256:[a-f0-9]{64}$`));
            const tagged = await registryManifest(inf, repo, "e2e");
            assert.equal(tagged.status, 200);
            assert.equal(tagged.digest, digest);
            const imageId = docker("inspect", "-f", "{{.Image}}", await containerName());
            const repoDigests = docker("image", "inspect", "-f", "{{json .RepoDigests}}", imageId);
            assert.ok(repoDigests.includes(digest), `the running image was pulled by digest: ${repoDigests}`);
            const cache = await registryManifest(inf, repo, "buildcache");
            assert.equal(cache.status, 200, "the registry cache ref exists");
        });

        it("4. a second up changes nothing, and preview with expectNoChanges passes", async () => {
            const res = await p.stack.up({ color: "never" });
            const changes = Object.entries(res.summary.resourceChanges ?? {}).filter(([k, n]) => k !== "same" && n! > 0);
            assert.deepEqual(changes, []);
            await p.stack.preview({ expectNoChanges: true, color: "never" });
        });

        it("5. a source change rebuilds with the dependency layer from cache; only the image, its pull and the container change", async () => {
            fs.appendFileSync(path.join(p.appDir, c.codeFile), "\n# a code change\n");
            let out = "";
            const t0 = Date.now();
            const res = await p.stack.up({ onOutput: (s) => (out += s), color: "never" });
            p.log("5-code-change", out);
            console.log(`      code-change up (warm builder): ${seconds(Date.now() - t0)}`);
            const step = installStepCached(out);
            assert.ok(step.found, "the build output shows the install step");
            assert.ok(step.cached, `the dependency install step was CACHED: ${step.line}`);
            const changes = res.summary.resourceChanges ?? {};
            assert.equal(changes.create ?? 0, 0);
            assert.equal(changes.delete ?? 0, 0);
            assert.equal(changes.update, 1, "the docker-build Image is updated (rebuilt)");
            assert.equal(changes.replace, 2, "the RemoteImage (new digest) and the Container are replaced");
            const body = await getJson(`${await url()}/`);
            assert.equal(body.app, c.name);
        });

        it("6. with the builder's local state wiped, a rebuild imports the dependency layers from the registry cache", async () => {
            sh("buildctl", ["--addr", inf.buildkitAddr, "prune", "--all"]);
            const du = sh("buildctl", ["--addr", inf.buildkitAddr, "du"]);
            fs.appendFileSync(path.join(p.appDir, c.codeFile), "\n# another code change\n");
            let out = "";
            const t0 = Date.now();
            const res = await p.stack.up({ onOutput: (s) => (out += s), color: "never" });
            const ms = Date.now() - t0;
            p.log("6-wiped-builder", `buildctl du after prune:\n${du}\n\n${out}`);
            console.log(`      wiped-builder up: ${seconds(ms)} (cold was ${seconds(coldMs)}, ratio ${(ms / coldMs).toFixed(2)})`);
            assert.equal(res.summary.result, "succeeded");
            assert.match(out, /importing cache manifest from [^\n]*buildcache/);
            const step = installStepCached(out);
            console.log(`      install step after the wipe: ${step.how}`);
            assert.ok(step.found && step.cached, `the install step came from the registry cache, not a rerun: ${step.line} (${step.how})`);
        });

        if (c.name === "flask-native") {
            it("preview --diff shows the Dockerfile text as a readable diff when an option changes", async () => {
                await configure({ workers: 3 });
                let out = "";
                const res = await p.stack.preview({ diff: true, color: "never", onOutput: (s) => (out += s) });
                p.log("preview-diff", out);
                assert.equal(res.changeSummary.update, 1);
                assert.match(out, /dockerfile/);
                // CMD is written a flag per line, so the change is one added line in the diff.
                assert.match(out, /^\s*\+\s+"--workers", "3", \\$/m);
                assert.doesNotMatch(out, /^\s*-\s+"--workers"/m);
                await configure();
            });
        }

        it("7. a bad input fails preview with the component's message, and nothing is built or created", async () => {
            const bad = await makeProject(`${c.name}-bad`, c.source, "bad");
            try {
                await bad.stack.setAllConfig({
                    name: { value: `${c.name}-bad` },
                    args: { value: JSON.stringify({ ...args({ uid: 0 }), registry: { server: inf.registry, repository: `e2e/${c.name}-bad`, username: inf.user } }) },
                    registryPassword: { value: inf.password, secret: true },
                });
                await assert.rejects(bad.stack.preview({ color: "never" }), (e: Error) =>
                    e.message.includes("`uid` is 0 (root); the app must run as a non-root user. Use an id such as 10001."),
                );
                const state = await bad.stack.exportStack();
                assert.equal((state.deployment.resources ?? []).length, 0, "no resource in the stack");
                assert.equal((await registryManifest(inf, `e2e/${c.name}-bad`, "e2e")).status, 404, "nothing pushed");
                assert.equal(docker("ps", "-a", "-q", "--filter", `name=${c.name}-bad`), "", "no container");
            } finally {
                await bad.cleanup();
            }
        });

        it("8. destroy leaves no container and no stray state behind", async () => {
            const name = await containerName();
            const res = await p.stack.destroy({ color: "never" });
            assert.equal(res.summary.result, "succeeded");
            assert.equal(docker("ps", "-a", "-q", "--filter", `name=^${name}$`), "");
            const state = await p.stack.exportStack();
            assert.equal((state.deployment.resources ?? []).length, 0);
        });
    });
}
