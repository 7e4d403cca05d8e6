import * as assert from "node:assert/strict";
import * as path from "node:path";
import { appArgs, configureApp, docker, getJson, infra, Infra, makeProject, Project } from "./harness";

/**
 * A second `up` changes nothing, with any options: a PythonApp with every
 * option set to a non-default value (whole-number and fractional cpus,
 * memory, env and secret env, labels, tmpfs, a network, capabilities, a
 * writable root, volumes, a non-default user and port...) deploys, and
 * `preview --expect-no-changes` passes after it. (Sent as "1", cpus came
 * back from the provider as "1.0" and every up replaced the container.)
 */
describe("e2e: every option set, and a second up changes nothing", function () {
    let inf: Infra;
    let p: Project;
    const network = "ppa-e2e-options";
    const args = (cpus: number) => appArgs(inf, { repository: "e2e/options", hostPort: 18086 }, {
        tags: ["e2e", "options"],
        // The image's options.
        port: 8080,
        user: "web",
        uid: 20001,
        gid: 20001,
        workers: 2,
        threads: 2,
        timeout: 45,
        gracefulTimeout: 20,
        trustedProxies: ["10.0.0.1"],
        healthCheckPath: "/healthz",
        labels: { "org.example.team": "web" },
        ignore: ["*.md"],
        buildEnv: { BUILD_MODE: "e2e" },
        writablePaths: { uploads: "data", logs: "scratch" },
        // The container's options.
        hostIp: "127.0.0.1",
        env: { MODE: "e2e" },
        secretEnv: { API_TOKEN: "not-a-real-token" },
        restart: "always",
        shmSizeMb: 128,
        readOnlyRootFilesystem: false,
        tmpfs: { "/tmp": "rw,nosuid,size=32m", "/var/cache/app": "rw,size=8m" },
        volumes: { "/app/uploads": "ppa-e2e-options-uploads" },
        retainVolumes: false,
        dropCapabilities: ["ALL"],
        addCapabilities: ["NET_BIND_SERVICE"],
        noNewPrivileges: true,
        memoryMb: 300,
        cpus,
        networks: [network],
        containerLabels: { "com.example.role": "api" },
        waitForHealthy: true,
    });
    const configure = (cpus: number) => configureApp(p, inf, "options", args(cpus));

    before(async () => {
        inf = infra();
        try {
            docker("network", "create", network);
        } catch {
            // left by an earlier run
        }
        p = await makeProject("options", path.join(__dirname, "apps", "flask-faults"));
    });
    after(async () => {
        await p?.stack.destroy({ color: "never" }).catch(() => undefined);
        await p?.cleanup();
        try {
            docker("network", "rm", network);
        } catch {
            // in use or gone
        }
    });

    for (const cpus of [1, 0.5]) {
        it(`GIVEN every option set (cpus ${cpus}) THEN up deploys, the container has them, and preview expects no changes`, async () => {
            await configure(cpus);
            let out = "";
            const res = await p.stack.up({ onOutput: (s) => (out += s), color: "never" });
            p.log(`options-cpus-${cpus}`, out);
            assert.equal(res.summary.result, "succeeded");
            const outputs = await p.stack.outputs();
            assert.equal((await getJson(`${outputs.url.value}/`)).app, "flask-faults");
            const name = outputs.containerName.value as string;
            const inspect = JSON.parse(docker("inspect", name))[0];
            assert.equal(inspect.Config.User, "20001:20001");
            assert.equal(inspect.HostConfig.NanoCpus, cpus * 1e9);
            assert.equal(inspect.HostConfig.Memory, 300 * 1024 * 1024);
            assert.equal(inspect.HostConfig.ReadonlyRootfs, false);
            // The engine reports capabilities with their CAP_ prefix.
            assert.deepEqual(inspect.HostConfig.CapAdd.map((c: string) => c.replace(/^CAP_/, "")), ["NET_BIND_SERVICE"]);
            assert.equal(inspect.HostConfig.RestartPolicy.Name, "always");
            assert.ok(Object.keys(inspect.NetworkSettings.Networks).includes(network));
            assert.ok(inspect.Config.Env.includes("MODE=e2e") && inspect.Config.Env.includes("API_TOKEN=not-a-real-token"));
            // With a writable root, only the tmpfs mounts asked for (the scratch path is a folder of the image).
            assert.deepEqual(Object.keys(inspect.HostConfig.Tmpfs).sort(), ["/tmp", "/var/cache/app"]);
            await p.stack.preview({ expectNoChanges: true, color: "never" });
            const again = await p.stack.up({ color: "never" });
            const changes = Object.entries(again.summary.resourceChanges ?? {}).filter(([k, n]) => k !== "same" && n! > 0);
            assert.deepEqual(changes, [], "a second up changes nothing");
        });
    }
});
