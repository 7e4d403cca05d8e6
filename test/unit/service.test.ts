import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue, outputOf, providerState, Recorded, settle, unwrap } from "./pulumi-mocks";

/**
 * PythonService against Pulumi's mocks: every resource it registers, with its
 * exact type, name and inputs. When another file's mocks are in place, the
 * mock monitor's mocks are swapped for these in `before` and put back in
 * `after` (the monitor and its feature flags stay), so files run in any order.
 */
let recorded: Recorded[] = [];
const props = new Map<string, Record<string, any>>();
const options = new Map<string, pulumi.CustomResourceOptions>();
const record: pulumi.ResourceTransformation = (a) => {
    props.set(a.name, a.props);
    options.set(a.name, a.opts as pulumi.CustomResourceOptions);
    return undefined;
};

function mocks(): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
            const state = providerState(args);
            if (["docker:index/service:Service", "docker:index/secret:Secret", "docker:index/network:Network"].includes(args.type)) {
                state.name = args.inputs.name ?? `${args.name}-1234567`;
            }
            if (args.type === "docker:index/network:Network") {
                state.ipamConfigs = [{ subnet: "10.211.3.0/24", gateway: "10.211.3.1" }];
            }
            if (args.type === "docker:index/container:Container" && args.inputs.attach) {
                state.exitCode = 0;
                state.containerLogs = "ok\n";
            }
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            if (args.token === "docker:index/getNetwork:getNetwork") {
                return { id: `${args.inputs.name}-id`, name: args.inputs.name, ipamConfigs: [{ subnet: "10.211.9.0/24" }] };
            }
            return args.inputs;
        },
    };
}

const FIXTURES = path.resolve(__dirname, "..", "fixtures");
const REGISTRY = { server: "127.0.0.1:5000", username: "ppa", password: "pw" };


describe("PythonService (Pulumi mocks)", () => {
    let lib: typeof import("../../lib");
    let svc: typeof import("../../lib/resources/python-service");
    let cwd: string;
    let work: string;

    let monitor: { mocks: pulumi.runtime.Mocks } | undefined;
    let saved: pulumi.runtime.Mocks | undefined;

    before(async () => {
        monitor = pulumi.runtime.getMonitor() as unknown as { mocks: pulumi.runtime.Mocks } | undefined;
        if (monitor?.mocks) {
            saved = monitor.mocks;
            monitor.mocks = mocks();
        } else {
            await pulumi.runtime.setMocks(mocks(), "proj", "dev", false);
        }
        lib = require("../../lib");
        svc = require("../../lib/resources/python-service");
        cwd = process.cwd();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-service-mocks-"));
        process.chdir(work);
    });
    after(() => {
        if (monitor && saved) {
            monitor.mocks = saved;
        }
        process.chdir(cwd);
        fs.rmSync(work, { recursive: true, force: true });
    });
    beforeEach(() => {
        recorded = [];
        props.clear();
        options.clear();
    });

    it("GIVEN defaults and a registry WHEN constructed THEN one hardened replicated Service with a health-gated start-first update, auth and a converge wait", async () => {
        const s = new lib.PythonService(
            "shop",
            { source: path.join(FIXTURES, "flask-requirements"), registry: REGISTRY, env: { MODE: "prod" }, secretEnv: { APP_TOKEN: "t0k\n" } },
            { transformations: [record] },
        );
        assert.equal(await outputOf(s.serviceName), "shop-service-1234567");
        assert.equal(await outputOf(s.address), "shop-service-1234567:8000");
        assert.equal(await outputOf(s.networkName), "shop-network-1234567");
        assert.equal(await outputOf(s.imageRef), `127.0.0.1:5000/shop:latest@sha256:${"a".repeat(64)}`);
        await settle();
        assert.deepEqual(
            recorded.map((r) => `${r.type} ${r.name}`).sort(),
            [
                "docker-build:index:Image shop-image",
                "docker:index/network:Network shop-network",
                "docker:index/secret:Secret shop-secret-app-token",
                "docker:index/service:Service shop-service",
                "pulumi-python-app:index:PythonImage shop",
                "pulumi-python-app:index:PythonService shop",
            ],
        );
        const inputsOf = (n: string) => unwrap(recorded.find((r) => r.name === n)!.inputs);
        assert.deepEqual(inputsOf("shop-network"), { driver: "overlay", attachable: true, labels: [{ label: "dev.pulumi-python-app.component", value: "shop" }] });
        // The secret's value is base64 (what the API takes) and stays a Pulumi secret.
        const secret = inputsOf("shop-secret-app-token");
        assert.equal(secret.data, Buffer.from("t0k\n").toString("base64"));
        assert.ok(isSecretValue(recorded.find((r) => r.name === "shop-secret-app-token")!.inputs.data), "the secret's data is a secret");
        assert.deepEqual(secret.labels, [
            { label: "dev.pulumi-python-app.component", value: "shop" },
            { label: "dev.pulumi-python-app.env", value: "APP_TOKEN" },
        ]);

        const service = inputsOf("shop-service");
        const spec = service.taskSpec.containerSpec;
        const probe = spec.healthcheck.tests;
        assert.deepEqual(probe.slice(0, 3), ["CMD", "python", "-c"]);
        assert.deepEqual(probe.slice(4), ["/", "8000"]);
        assert.deepEqual(
            { ...spec, healthcheck: { ...spec.healthcheck, tests: "probe" }, commands: spec.commands.slice(0, 2), args: spec.args.slice(0, 1) },
            {
                image: `127.0.0.1:5000/shop:latest@sha256:${"a".repeat(64)}`,
                // Secrets are files: a shell exports each as a variable, then runs the image's own command.
                commands: ["/bin/sh", "-c"],
                args: ["gunicorn"],
                user: "10001:10001",
                env: { MODE: "prod", FORWARDED_ALLOW_IPS: "10.211.3.0/24" },
                readOnly: true,
                capDrops: ["ALL"],
                mounts: [
                    { type: "tmpfs", target: "/dev/shm", tmpfsOptions: { sizeBytes: 64 * 1024 * 1024 } },
                    { type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: 64 * 1024 * 1024 } },
                ],
                secrets: [{ secretId: "shop-secret-app-token-id", secretName: "shop-secret-app-token-1234567", fileName: "APP_TOKEN", fileUid: "10001", fileGid: "10001", fileMode: 0o400 }],
                healthcheck: { tests: "probe", interval: "10s", timeout: "5s", startPeriod: "20s", retries: 3 },
                stopSignal: "SIGTERM",
                stopGracePeriod: "35s",
                labels: [],
            },
        );
        assert.deepEqual(spec.commands.slice(3), ["secrets-to-env"]);
        assert.match(spec.commands[2], /^for f in \/run\/secrets\/\*; do\n/);
        assert.match(spec.commands[2], /\nexec "\$@"$/);
        assert.deepEqual(spec.args.slice(-1), ["app:app"]);
        assert.ok(!JSON.stringify(service).includes("t0k"), "the secret's value is not in the service spec");
        assert.deepEqual(
            { ...service, taskSpec: { ...service.taskSpec, containerSpec: "above" } },
            {
                auth: { serverAddress: "127.0.0.1:5000", username: "ppa", password: "pw" },
                mode: { replicated: { replicas: 2 } },
                endpointSpec: { mode: "vip" },
                labels: [{ label: "dev.pulumi-python-app.component", value: "shop" }],
                taskSpec: {
                    containerSpec: "above",
                    restartPolicy: { condition: "any", delay: "5s", window: "0s" },
                    networksAdvanceds: [{ id: "shop-network-id" }],
                },
                updateConfig: { parallelism: 1, delay: "0s", order: "start-first", failureAction: "rollback", monitor: "30s", maxFailureRatio: "0.0" },
                rollbackConfig: { parallelism: 0, delay: "0s", order: "start-first", failureAction: "pause", monitor: "10s", maxFailureRatio: "0.0" },
                convergeConfig: { delay: "5s", timeout: "5m" },
            },
        );
        // The registry password is a secret, and so the whole auth block is sent as one.
        assert.ok(isSecretValue(recorded.find((r) => r.name === "shop-service")!.inputs.auth), "the registry password stays a secret");
        // Getters, not outputs: the children are reachable from TypeScript.
        assert.ok(s.image instanceof lib.PythonImage);
        assert.equal(s.secrets.length, 1);
        assert.ok(s.network !== undefined);
        assert.equal(s.release, undefined);
        assert.equal(s.plan.server.port, 8000);
    });

    it("GIVEN networks, a published host-mode port, limits, dnsrr and no wait WHEN constructed THEN they map onto the Service and no network is created", async () => {
        const s = new lib.PythonService("api", {
            source: path.join(FIXTURES, "flask-requirements"),
            registry: { server: "127.0.0.1:5000" },
            replicas: 3,
            endpointMode: "dnsrr",
            hostPort: 8080,
            publishMode: "host",
            networks: ["backend"],
            memoryMb: 256,
            cpus: 0.5,
            restart: "on-failure",
            shmSizeMb: 16,
            tmpfs: { "/tmp": "rw,noexec,nosuid,size=32m", "/cache": "size=1g" },
            dropCapabilities: ["NET_RAW"],
            addCapabilities: ["NET_BIND_SERVICE"],
            containerLabels: { "com.example.team": "a" },
            updateParallelism: 2,
            updateMonitorSeconds: 65,
            waitForHealthy: false,
            env: { FORWARDED_ALLOW_IPS: "10.0.0.2" },
        });
        await outputOf(s.serviceId);
        await settle();
        assert.deepEqual(
            recorded.map((r) => `${r.type} ${r.name}`).sort(),
            ["docker-build:index:Image api-image", "docker:index/service:Service api-service", "pulumi-python-app:index:PythonImage api", "pulumi-python-app:index:PythonService api"],
        );
        const service = unwrap(recorded.find((r) => r.name === "api-service")!.inputs);
        assert.equal(service.auth, undefined);
        assert.deepEqual(service.mode, { replicated: { replicas: 3 } });
        assert.deepEqual(service.endpointSpec, { mode: "dnsrr", ports: [{ targetPort: 8000, publishedPort: 8080, publishMode: "host", protocol: "tcp" }] });
        assert.deepEqual(service.taskSpec.resources, { limits: { memoryBytes: 256 * 1024 * 1024, nanoCpus: 500000000 } });
        assert.deepEqual(service.taskSpec.restartPolicy, { condition: "on-failure", delay: "5s", window: "0s" });
        assert.deepEqual(service.taskSpec.networksAdvanceds, [{ id: "backend-id" }]);
        const spec = service.taskSpec.containerSpec;
        assert.equal(spec.commands, undefined, "no secrets: the image's own command");
        assert.deepEqual(spec.env, { FORWARDED_ALLOW_IPS: "10.0.0.2" });
        assert.deepEqual(spec.capDrops, ["NET_RAW"]);
        assert.deepEqual(spec.capAdds, ["NET_BIND_SERVICE"]);
        assert.deepEqual(spec.labels, [{ label: "com.example.team", value: "a" }]);
        assert.deepEqual(spec.mounts, [
            { type: "tmpfs", target: "/cache", tmpfsOptions: { sizeBytes: 1024 ** 3 } },
            { type: "tmpfs", target: "/dev/shm", tmpfsOptions: { sizeBytes: 16 * 1024 * 1024 } },
            { type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: 32 * 1024 * 1024 } },
        ]);
        assert.deepEqual(service.updateConfig, { parallelism: 2, delay: "0s", order: "start-first", failureAction: "rollback", monitor: "1m5s", maxFailureRatio: "0.0" });
        assert.equal(service.convergeConfig, undefined, "waitForHealthy: false leaves the wait out");
        assert.equal(await outputOf(s.networkName), "backend");
    });

    it("GIVEN a Django app with migrations WHEN constructed THEN the release step runs first on the service's engine and network with the pull credentials", async () => {
        const s = new lib.PythonService("blog", { source: path.join(FIXTURES, "django"), registry: REGISTRY, secretEnv: { DJANGO_SECRET_KEY: "k" }, releaseCommand: ["python", "manage.py", "migrate", "--noinput"] }, { transformations: [record] });
        await outputOf(s.serviceId);
        await settle();
        const names = recorded.map((r) => `${r.type} ${r.name}`);
        assert.ok(names.includes("docker:index/container:Container blog-release"), names.join("\n"));
        assert.ok(names.indexOf("docker:index/container:Container blog-release") < names.indexOf("docker:index/service:Service blog-service"));
        const inputsOf = (n: string) => unwrap(recorded.find((r) => r.name === n)!.inputs);
        assert.deepEqual(JSON.parse(inputsOf("blog-docker").registryAuth), [{ address: "127.0.0.1:5000", username: "ppa", password: "pw" }]);
        const release = inputsOf("blog-release");
        assert.deepEqual(release.command, ["python", "manage.py", "migrate", "--noinput"]);
        assert.deepEqual(release.networksAdvanced, [{ name: "blog-network-1234567" }]);
        assert.ok(release.envs.includes("DJANGO_SECRET_KEY=k"), "the release step gets the secrets as environment entries");
        assert.deepEqual(release.securityOpts, ["no-new-privileges:true"]);
        assert.equal(release.user, "10001:10001");
        assert.deepEqual(inputsOf("blog-service").labels.slice(-1), [{ label: "dev.pulumi-python-app.release-exit-code", value: "0" }]);
        assert.deepEqual(options.get("blog-service")?.dependsOn, [s.release]);
    });

    it("GIVEN seconds WHEN formatted as a service duration THEN they match the provider's read-back", () => {
        assert.deepEqual([0, 5, 35, 60, 65, 300, 3600, 3605, 3660].map(svc.goDuration), ["0s", "5s", "35s", "1m", "1m5s", "5m", "1h", "1h0m5s", "1h1m"]);
    });

    const base = { source: path.join(FIXTURES, "flask-requirements"), registry: REGISTRY };
    const bad: Array<[string, Record<string, unknown>, string]> = [
        [
            "no registry",
            { registry: undefined },
            "PythonService needs a `registry`: Swarm tasks pull their image by digest from a registry, and cannot use an image that only exists in one engine's local store. " +
                'Set `registry: { server: "registry.example:5000", username, password }`.',
        ],
        ["push false", { push: false }, "`push` is false, but Swarm tasks pull their image from the registry; remove `push: false`."],
        [
            "healthCheck false",
            { healthCheck: false },
            "`healthCheck` is false, but a PythonService's rolling updates and their automatic rollback are gated on the image's health check; remove `healthCheck: false` (set `healthCheckPath` to a path that answers below 500).",
        ],
        [
            "noNewPrivileges true",
            { noNewPrivileges: true },
            "`noNewPrivileges` cannot be set on a Swarm service (its spec has no such option); remove it and start the engines with `dockerd --no-new-privileges`, which applies it to every task.",
        ],
        ["hostIp without hostPort", { hostIp: "0.0.0.0" }, "`hostIp` is set without `hostPort`; a PythonService publishes nothing unless `hostPort` is set. Remove `hostIp`."],
        [
            "hostIp on loopback",
            { hostPort: 8080, hostIp: "127.0.0.1" },
            '`hostIp` is "127.0.0.1", but Swarm publishes a service\'s ports on every interface; remove `hostIp` (or set "0.0.0.0"), or publish nothing and put a proxy on the service\'s network that forwards to `tasks.<serviceName>` (the `address` output).',
        ],
        [
            "hostPort with dnsrr in ingress mode",
            { hostPort: 8080, endpointMode: "dnsrr" },
            '`hostPort` is published in "ingress" mode (the default), which Swarm refuses with `endpointMode: "dnsrr"` ("port published with ingress mode can\'t be used with dnsrr mode"); set `publishMode: "host"`, or use `endpointMode: "vip"`, or remove `hostPort` and put a proxy on the service\'s network.',
        ],
        ["publishMode without hostPort", { publishMode: "host" }, "`publishMode` is set without `hostPort`; it says how `hostPort` is published. Remove it, or set `hostPort`."],
        [
            "volumes",
            { volumes: { "/app/instance": "data" } },
            "`volumes` is set, but a PythonService mounts no volumes: a named volume is local to one node, and its replicas (and the old and new task during an update) would share it. Remove `volumes` and keep the app's data in a database or object store.",
        ],
        [
            "retainVolumes",
            { retainVolumes: false },
            "`retainVolumes` is set, but a PythonService mounts no volumes: a named volume is local to one node, and its replicas (and the old and new task during an update) would share it. Remove `retainVolumes` and keep the app's data in a database or object store.",
        ],
        [
            "a tmpfs uid option",
            { tmpfs: { "/tmp": "rw,size=64m,uid=10001" } },
            '`tmpfs./tmp` has the option "uid=10001", which a Swarm service\'s tmpfs cannot take (only a size; Docker mounts it rw,noexec,nosuid,nodev); keep only "size=<n>[k|m|g]" (and rw, noexec, nosuid, nodev).',
        ],
        ["replicas 0", { replicas: 0 }, "`replicas` is 0; it must be a whole number from 1 to 100. Run at least 1 task; 2 or more keep serving during an update and a task's failure."],
        ["a bad endpointMode", { endpointMode: "mesh" }, '`endpointMode` is "mesh"; it must be "vip" or "dnsrr".'],
        ["a bad publishMode", { hostPort: 8080, publishMode: "node" }, '`publishMode` is "node"; it must be "ingress" or "host".'],
        ["convergeTimeoutSeconds 1", { convergeTimeoutSeconds: 1 }, "`convergeTimeoutSeconds` is 1; it must be a whole number from 10 to 86400. It is how long `pulumi up` waits for the service to converge, in seconds."],
        // PythonApp's own checks apply too.
        ["a bad restart policy", { restart: "sometimes" }, '`restart` is "sometimes"; it must be one of "no", "on-failure", "always", "unless-stopped".'],
    ];
    for (const [what, extra, message] of bad) {
        it(`GIVEN ${what} WHEN constructed THEN it fails before any resource, as a ResourceError naming the argument and the fix`, async () => {
            assert.throws(
                () => new lib.PythonService(`bad-${what.replace(/\W+/g, "-")}`, { ...base, ...extra } as any),
                (e: unknown) => pulumi.ResourceError.isInstance(e) && (e.message === message || assert.fail(`got: ${e.message}`)),
            );
            await settle();
            assert.ok(!recorded.some((r) => r.type !== "pulumi-python-app:index:PythonService"), "no child resource may be created");
        });
    }

    it("GIVEN an app with a data path WHEN constructed THEN it fails naming `writablePaths`, before the image or any Swarm object", async () => {
        assert.throws(
            () => new lib.PythonService("guest", { source: path.join(FIXTURES, "cases", "django-sqlite-in-app-folder"), registry: REGISTRY }),
            (e: unknown) =>
                pulumi.ResourceError.isInstance(e) &&
                e.message.startsWith("The app has data paths (/data), which PythonApp keeps on named volumes, but a volume is local to one node and a PythonService's replicas would share it. ") &&
                e.message.includes('declare those paths "scratch" in `writablePaths`'),
        );
        await settle();
        const created = recorded.filter((r) => r.type.startsWith("docker")).map((r) => r.type);
        assert.deepStrictEqual(created, [], "no image build and no Swarm object is registered");
    });
});
