import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue, outputOf, providerState, Recorded, settle, unwrap } from "./pulumi-mocks";

/**
 * The components, run against Pulumi's mocks: every resource they register
 * is recorded with its exact type, name and inputs. setMocks must come
 * before the components are imported.
 */
let recorded: Recorded[] = [];
/** What the mocked release container exits with. */
const releaseExit = { code: 0, logs: "Operations to perform:\n  Apply all migrations\n" };

/** Resource options and raw inputs the components pass to their children, recorded through a transformation (before serialization). */
const options = new Map<string, pulumi.CustomResourceOptions>();
const props = new Map<string, Record<string, any>>();
const recordOptions: pulumi.ResourceTransformation = (a) => {
    options.set(a.name, a.opts as pulumi.CustomResourceOptions);
    props.set(a.name, a.props);
    return undefined;
};

/** Whether an input is a secret Output (false for plain values). */
async function secretInput(x: unknown): Promise<boolean> {
    return pulumi.Output.isInstance(x) ? (await (x as any).isSecret) === true : false;
}

function mocks(): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
            const state = providerState(args);
            if (args.type === "docker:index/container:Container") {
                state.name = args.inputs.name ?? `${args.name}-1234567`;
                if (args.inputs.attach) {
                    state.exitCode = releaseExit.code;
                    state.containerLogs = releaseExit.logs;
                }
            }
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            if (args.token === "docker:index/getNetwork:getNetwork") {
                return { name: args.inputs.name, ipamConfigs: [{ subnet: "172.17.0.0/16", gateway: "172.17.0.1" }] };
            }
            return args.inputs;
        },
    };
}

pulumi.runtime.setMocks(mocks(), "proj", "dev", false);
const { PythonApp, PythonImage } = require("../../lib") as typeof import("../../lib");
const { cpusString, gateways } = require("../../lib/resources/python-app") as typeof import("../../lib/resources/python-app");
const { engines } = require("../../lib/resources/engine") as typeof import("../../lib/resources/engine");

/** A fake Docker engine: the container's health as the test sets it. */
const fakeEngine = {
    state: { running: true, restarting: false, exitCode: 0, health: "healthy", restartCount: 0 } as any,
    log: "",
    inspected: [] as string[],
    async inspect(id: string) {
        this.inspected.push(id);
        return this.state;
    },
    async logs() {
        return this.log;
    },
};
engines.at = () => fakeEngine;

const FIXTURES = path.resolve(__dirname, "..", "fixtures");


describe("components (Pulumi mocks)", () => {
    let cwd: string;
    let work: string;

    before(() => {
        cwd = process.cwd();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-mocks-"));
        process.chdir(work);
    });
    after(() => {
        process.chdir(cwd);
        fs.rmSync(work, { recursive: true, force: true });
    });
    beforeEach(() => {
        recorded = [];
    });

    describe("PythonImage", () => {
        it("GIVEN a registry with credentials WHEN constructed THEN one docker-build Image pushes with a min-mode registry cache", async () => {
            const img = new PythonImage("api", {
                source: path.join(FIXTURES, "flask-requirements"),
                registry: { server: "127.0.0.1:5000", repository: "team/api", username: "ppa", password: "s3cret" },
                tags: ["v1"],
                builder: "ppa-buildkit",
            });
            const ref = await outputOf(img.ref);
            await settle();
            assert.deepEqual(
                recorded.map((r) => [r.type, r.name]),
                [
                    ["pulumi-python-app:index:PythonImage", "api"],
                    ["docker-build:index:Image", "api-image"],
                ],
            );
            const raw = recorded[1].inputs;
            assert.ok(isSecretValue(raw.registries) || isSecretValue(raw.registries?.[0]?.password), "the registry password is sent as a secret");
            const inputs = unwrap(raw);
            assert.deepEqual(inputs.tags, ["127.0.0.1:5000/team/api:v1"]);
            assert.equal(inputs.push, true);
            assert.equal(inputs.load, false);
            assert.equal(inputs.buildOnPreview, false);
            assert.deepEqual(inputs.builder, { name: "ppa-buildkit" });
            assert.deepEqual(inputs.context, { location: ".pulumi-python-app/api/context" });
            assert.equal(inputs.dockerfile.inline, await outputOf(img.dockerfile));
            assert.deepEqual(inputs.cacheFrom, [{ registry: { ref: "127.0.0.1:5000/team/api:buildcache" } }]);
            assert.deepEqual(inputs.cacheTo, [
                {
                    registry: {
                        ref: "127.0.0.1:5000/team/api:buildcache",
                        mode: "min",
                        imageManifest: true,
                        ociMediaTypes: true,
                        ignoreError: true,
                    },
                },
            ]);
            assert.equal(inputs.registries.length, 1);
            assert.equal(inputs.registries[0].address, "127.0.0.1:5000");
            assert.equal(inputs.registries[0].username, "ppa");
            assert.equal(inputs.registries[0].password, "s3cret");
            assert.equal(ref, `127.0.0.1:5000/team/api:v1@sha256:${"a".repeat(64)}`);
        });

        it("GIVEN an app whose source goes through the builder (build steps) WHEN constructed THEN the default cache export holds every stage", async () => {
            new PythonImage("api", {
                source: path.join(FIXTURES, "flask-requirements"),
                registry: { server: "127.0.0.1:5000", repository: "team/api" },
                buildCommands: [["python", "-c", "print(1)"]],
            });
            await settle();
            const inputs = unwrap(recorded.find((r) => r.type === "docker-build:index:Image")!.inputs);
            assert.equal(inputs.cacheTo[0].registry.mode, "max");
        });

        it("GIVEN cacheMode max WHEN constructed THEN the registry cache export holds every stage", async () => {
            new PythonImage("api", {
                source: path.join(FIXTURES, "flask-requirements"),
                registry: { server: "127.0.0.1:5000", repository: "team/api" },
                cacheMode: "max",
            });
            await settle();
            const inputs = unwrap(recorded.find((r) => r.type === "docker-build:index:Image")!.inputs);
            assert.deepEqual(inputs.cacheTo, [
                { registry: { ref: "127.0.0.1:5000/team/api:buildcache", mode: "max", imageManifest: true, ociMediaTypes: true, ignoreError: true } },
            ]);
        });

        it("GIVEN no registry WHEN constructed THEN the image loads into the local engine, with no push and no cache", async () => {
            const img = new PythonImage("web", { source: path.join(FIXTURES, "flask-requirements") });
            const ref = await outputOf(img.ref);
            await settle();
            const inputs = recorded.find((r) => r.type === "docker-build:index:Image")!.inputs;
            assert.equal(inputs.push, false);
            assert.equal(inputs.load, true);
            assert.deepEqual(inputs.tags, ["pulumi-python-app/web:latest"]);
            assert.deepEqual(inputs.cacheFrom, []);
            assert.equal(inputs.cacheTo, undefined);
            assert.equal(ref, "pulumi-python-app/web:latest");
        });

        it("GIVEN a PythonImage WHEN constructed THEN planJson holds the plan as `synth --plan` prints it, and plan, pushed, pullAuth and image are getters, not outputs", async () => {
            const img = new PythonImage("web", { source: path.join(FIXTURES, "flask-requirements") });
            assert.equal(await outputOf(img.planJson), JSON.stringify(img.plan, null, 2) + "\n");
            await settle();
            assert.equal(img.plan.framework, "flask");
            assert.equal(img.pushed, false);
            assert.equal(img.pullAuth, undefined);
            assert.equal(img.image.constructor.name, "Image");
            for (const key of ["plan", "pushed", "pullAuth", "image"]) {
                assert.ok(!Object.prototype.hasOwnProperty.call(img, key), `${key} is not an own field (Pulumi's schema inference would make it an output)`);
                assert.equal(typeof Object.getOwnPropertyDescriptor(PythonImage.prototype, key)?.get, "function", `${key} is a getter`);
            }
        });

        it("GIVEN the source folder WHEN staged THEN the context mirrors it minus ignored files, with normalized modes", () => {
            const src = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-src-"));
            fs.writeFileSync(path.join(src, "requirements.txt"), "flask==3.1.0\n");
            fs.writeFileSync(path.join(src, "app.py"), "from flask import Flask\napp = Flask(__name__)\n", { mode: 0o664 });
            fs.writeFileSync(path.join(src, ".env"), "SECRET=1\n");
            fs.mkdirSync(path.join(src, ".git"));
            fs.writeFileSync(path.join(src, ".git", "HEAD"), "ref\n");
            fs.mkdirSync(path.join(src, "__pycache__"));
            fs.writeFileSync(path.join(src, "__pycache__", "app.cpython-313.pyc"), "x");
            fs.writeFileSync(path.join(src, "run.sh"), "#!/bin/sh\n", { mode: 0o775 });
            new PythonImage("stage", { source: src });
            const ctx = path.join(work, ".pulumi-python-app", "stage", "context");
            assert.deepEqual(fs.readdirSync(ctx).sort(), ["app.py", "requirements.txt", "run.sh"]);
            assert.equal(fs.statSync(path.join(ctx, "app.py")).mode & 0o777, 0o644);
            assert.equal(fs.statSync(path.join(ctx, "run.sh")).mode & 0o777, 0o755);
            // A file removed from the source disappears from the mirror.
            fs.rmSync(path.join(src, "run.sh"));
            new PythonImage("stage2", { source: src });
            new PythonImage("stage", { source: src }, { aliases: [] }).urn.apply(() => undefined);
            assert.deepEqual(fs.readdirSync(ctx).sort(), ["app.py", "requirements.txt"]);
            fs.rmSync(src, { recursive: true, force: true });
        });

        it("GIVEN install secrets WHEN constructed THEN they are BuildKit secrets, not build args, and only names reach the Dockerfile", async () => {
            const img = new PythonImage("priv", {
                source: path.join(FIXTURES, "flask-requirements"),
                installSecrets: { PIP_INDEX_URL: "https://user:token@pypi.internal/simple" },
            });
            await settle();
            const raw = recorded.find((r) => r.type === "docker-build:index:Image")!.inputs;
            assert.equal(raw.buildArgs, undefined);
            assert.ok(isSecretValue(raw.secrets) || isSecretValue(raw.secrets.PIP_INDEX_URL), "install secrets are sent as secrets");
            assert.deepEqual(unwrap(raw.secrets), { PIP_INDEX_URL: "https://user:token@pypi.internal/simple" });
            const dockerfile = await outputOf(img.dockerfile);
            assert.match(dockerfile, /--mount=type=secret,id=PIP_INDEX_URL,env=PIP_INDEX_URL/);
            assert.doesNotMatch(dockerfile, /token/);
        });

        it("GIVEN caBundle WHEN constructed THEN the PEM goes to BuildKit as the secret ca-bundle and the Dockerfile mounts it", async () => {
            const pemFile = path.join(work, "ca.pem");
            fs.writeFileSync(pemFile, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
            const img = new PythonImage("ca", { source: path.join(FIXTURES, "flask-requirements"), caBundle: pemFile });
            await settle();
            const inputs = unwrap(recorded.find((r) => r.type === "docker-build:index:Image")!.inputs);
            assert.deepEqual(Object.keys(inputs.secrets), ["ca-bundle"]);
            assert.match(inputs.secrets["ca-bundle"], /^-----BEGIN CERTIFICATE-----/);
            assert.equal(inputs.buildArgs, undefined);
            assert.match(await outputOf(img.dockerfile), /--mount=type=secret,id=ca-bundle,target=\/run\/secrets\/ca-bundle\.pem/);
        });

        const bad: Array<[string, Record<string, unknown>, string]> = [
            ["cacheTo without a registry", { cacheTo: "127.0.0.1:5000/x:cache" }, "`cacheTo` needs a `registry`: the build cache is exported to a registry ref. Set `registry`, or remove `cacheTo`."],
            ["a cacheMode that is not a mode", { registry: { server: "r.example" }, cacheMode: "all" }, '`cacheMode` is "all"; it must be "min" or "max".'],
            ["push without a registry", { push: true }, "`push` is true but there is no `registry` to push to; set `registry: { server, ... }`."],
            ["a registry server with a scheme", { registry: { server: "https://r.example" } }, '`registry.server` is "https://r.example", which is not a registry host such as "registry.example:5000" (no scheme, no path).'],
            ["a password without a username", { registry: { server: "r.example", password: "x" } }, "`registry.username` and `registry.password` go together; set both, or neither to use the builder's own credentials."],
            ["an empty tag list", { tags: [] }, '`tags` is empty; give at least one tag, or leave it unset for ["latest"].'],
            ["a tag with a newline", { tags: ["v1\nRUN x"] }, "`tags[0]` contains a newline or control character (U+000A); such characters could start a new Dockerfile instruction or shell command. Remove it."],
            ["a bad platform", { platforms: ["linux"] }, '`platforms[0]` is "linux", which is not a platform such as "linux/amd64".'],
            ["a bad install secret name", { installSecrets: { "PIP-URL": "x" } }, '`installSecrets` key is "PIP-URL", which is not an environment variable name such as PIP_INDEX_URL.'],
            ["an unreadable caBundle", { caBundle: "/nonexistent/ca.pem" }, '`caBundle` is "/nonexistent/ca.pem", which cannot be read; give the path of a PEM CA bundle.'],
            ["an Output as source", { source: pulumi.output("./app") }, "`source` must be a plain string path known before deployment, not a Pulumi Output (pass a plain value: it is needed before deployment)."],
            [
                "two platforms without a registry",
                { platforms: ["linux/amd64", "linux/arm64"] },
                "`platforms` names 2 platforms, but without a `registry` to push to the image is loaded into the local engine, whose image store takes one platform; " +
                    "set `registry` (a multi-platform image is pushed as a manifest list), or give one platform.",
            ],
            ["a build secret that is also an install secret", { installSecrets: { TOKEN: "a" }, buildSecrets: { TOKEN: "b" } }, "`TOKEN` is in both `installSecrets` and `buildSecrets`; a build secret has one name for both uses, keep it in one."],
        ];
        for (const [what, extra, message] of bad) {
            it(`GIVEN ${what} WHEN constructed THEN it fails as a ResourceError on the component, naming the argument`, () => {
                let component: pulumi.Resource | undefined;
                assert.throws(
                    () => new PythonImage(`bad-${what.replace(/\W+/g, "-")}`, { source: path.join(FIXTURES, "flask-requirements"), ...extra } as any, { transformations: [] }),
                    (e: unknown) => {
                        component = pulumi.ResourceError.isInstance(e) ? e.resource : undefined;
                        return pulumi.ResourceError.isInstance(e) && e.message === message && e.hideStack === true;
                    },
                );
                assert.ok(component instanceof PythonImage, "the error is attached to the PythonImage");
            });
        }
    });

    describe("PythonApp", () => {
        beforeEach(() => {
            options.clear();
            releaseExit.code = 0;
        });

        it("GIVEN defaults WHEN constructed THEN it composes a PythonImage and creates a RemoteImage and a hardened Container with exact inputs", async () => {
            const app = new PythonApp("shop", { source: path.join(FIXTURES, "flask-requirements"), env: { MODE: "prod" }, secretEnv: { TOKEN: "t0k" } }, { transformations: [recordOptions] });
            const url = await outputOf(app.url);
            await outputOf(app.containerId);
            await settle();
            assert.deepEqual(
                recorded.map((r) => [r.type, r.name]),
                [
                    ["pulumi-python-app:index:PythonApp", "shop"],
                    ["pulumi-python-app:index:PythonImage", "shop"],
                    ["docker-build:index:Image", "shop-image"],
                    ["docker:index/remoteImage:RemoteImage", "shop-pull"],
                    ["docker:index/container:Container", "shop-container"],
                ],
            );
            assert.ok(app.image instanceof PythonImage);
            const pull = recorded[3].inputs;
            assert.equal(pull.name, "pulumi-python-app/shop:latest");
            assert.equal(pull.keepLocally, true);
            assert.deepEqual(pull.triggers, { digest: `sha256:${"a".repeat(64)}` });
            const c = recorded[4].inputs;
            assert.equal(c.image, `sha256:${"b".repeat(64)}`);
            assert.deepEqual(c.ports, [{ internal: 8000, external: 8000, ip: "127.0.0.1" }]);
            assert.equal(c.user, "10001:10001");
            assert.equal(c.restart, "unless-stopped");
            assert.equal(c.shmSize, 64);
            assert.equal(c.readOnly, true);
            assert.deepEqual(c.tmpfs, { "/tmp": "rw,noexec,nosuid,size=64m" });
            assert.equal(c.mounts, undefined);
            assert.deepEqual(c.capabilities, { drops: ["ALL"] });
            assert.deepEqual(c.securityOpts, ["no-new-privileges:true"]);
            assert.equal(c.stopSignal, "SIGTERM");
            assert.equal(c.stopTimeout, 35);
            // The component waits for the health check itself (so a failure can say why), not the provider.
            assert.equal(c.wait, false);
            assert.ok(fakeEngine.inspected.includes("shop-container-id"), "up waited for the container's health");
            assert.equal(c.mustRun, true);
            // Plain variables stay plain (readable in a diff); only the secret one is a secret entry.
            const envs = props.get("shop-container")!.envs as unknown[];
            assert.ok(Array.isArray(envs), "the env list is a list of entries, not one Output");
            assert.deepEqual(await Promise.all(envs.map(secretInput)), [false, false, true]);
            // The port is published on loopback: the engine's gateway (the proxy's peer) is trusted for X-Forwarded-*.
            assert.deepEqual(unwrap(c.envs), ["FORWARDED_ALLOW_IPS=172.17.0.1", "MODE=prod", "TOKEN=t0k"]);
            assert.equal(c.healthcheck.tests[0], "CMD");
            assert.equal(c.healthcheck.tests[1], "python");
            assert.equal(c.memory, undefined);
            assert.equal(url, "http://127.0.0.1:8000");
            // The options the component relies on are said in the component, not left to a provider's schema.
            assert.equal(options.get("shop-container")?.deleteBeforeReplace, true);
            assert.equal(options.get("shop-image")?.retainOnDelete, true);
        });

        it("GIVEN limits, networks and a registry WHEN constructed THEN they reach the container and a docker provider gets the image's pull credentials", async () => {
            const app = new PythonApp("lim", {
                source: path.join(FIXTURES, "flask-requirements"),
                registry: { server: "127.0.0.1:5000", username: "ppa", password: "pw" },
                memoryMb: 256,
                cpus: 0.5,
                networks: ["backend"],
                hostPort: 8080,
                hostIp: "0.0.0.0",
                readOnlyRootFilesystem: false,
            });
            await outputOf(app.url);
            await outputOf(app.containerId);
            await settle();
            assert.deepEqual(
                recorded.map((r) => `${r.type} ${r.name}`).sort(),
                [
                    "docker-build:index:Image lim-image",
                    "docker:index/container:Container lim-container",
                    "docker:index/remoteImage:RemoteImage lim-pull",
                    "pulumi-python-app:index:PythonApp lim",
                    "pulumi-python-app:index:PythonImage lim",
                    "pulumi:providers:docker lim-docker",
                ],
            );
            const byType = (t: string) => unwrap(recorded.find((r) => r.type === t)!.inputs);
            const provider = byType("pulumi:providers:docker");
            assert.deepEqual(JSON.parse(provider.registryAuth), [{ address: "127.0.0.1:5000", username: "ppa", password: "pw" }]);
            const c = byType("docker:index/container:Container");
            assert.equal(c.memory, 256);
            assert.equal(c.memorySwap, 256);
            assert.equal(c.cpus, "0.5");
            // Whole numbers as the provider reads them back, or every up replaces the container.
            assert.deepEqual([1, 2, 0.25, 1.5, 0.1 + 0.2].map(cpusString), ["1.0", "2.0", "0.25", "1.5", "0.3"]);
            assert.deepEqual(c.networksAdvanced, [{ name: "backend" }]);
            assert.deepEqual(c.ports, [{ internal: 8000, external: 8080, ip: "0.0.0.0" }]);
            assert.equal(c.readOnly, false);
            assert.equal(c.tmpfs, undefined);
            // Published on every interface: no proxy is trusted by default.
            assert.deepEqual(c.envs, []);
            assert.equal(byType("docker:index/remoteImage:RemoteImage").name, `127.0.0.1:5000/lim:latest@sha256:${"a".repeat(64)}`);
            assert.equal(await outputOf(app.url), "http://127.0.0.1:8080");
        });

        it("GIVEN a Django app and `env` naming its production settings WHEN constructed THEN collectstatic uses them (buildEnv), and the image does not set DJANGO_SETTINGS_MODULE itself", async () => {
            const source = path.join(FIXTURES, "apps", "cms-settings-dev-default");
            const app = new PythonApp("cms", { source, env: { DJANGO_SETTINGS_MODULE: "harbour.settings.production" }, buildEnv: { DJANGO_SECRET_KEY: "build" } });
            await outputOf(app.containerId);
            await settle();
            assert.deepEqual(app.plan.buildSteps.find((st) => st.name === "collectstatic")?.env, { DJANGO_SETTINGS_MODULE: "harbour.settings.production" });
            assert.deepEqual(app.plan.buildEnv, { DJANGO_SETTINGS_MODULE: "harbour.settings.production", DJANGO_SECRET_KEY: "build" });
            assert.deepEqual(app.plan.imageEnv, {});
            // buildEnv's own value wins over env's.
            const own = new PythonApp("cms2", { source, env: { DJANGO_SETTINGS_MODULE: "harbour.settings.production" }, buildEnv: { DJANGO_SETTINGS_MODULE: "harbour.settings.dev", DJANGO_SECRET_KEY: "b" } });
            await outputOf(own.containerId);
            assert.equal(own.plan.buildEnv.DJANGO_SETTINGS_MODULE, "harbour.settings.dev");
        });

        it("GIVEN a Django app on SQLite WHEN constructed THEN its data folder gets a kept named volume and migrations run first, with the app's own hardening", async () => {
            const app = new PythonApp("guest", { source: path.join(FIXTURES, "cases", "django-sqlite-in-app-folder") }, { transformations: [recordOptions] });
            await outputOf(app.containerId);
            await settle();
            assert.deepEqual(
                recorded.map((r) => `${r.type} ${r.name}`).sort(),
                [
                    "docker-build:index:Image guest-image",
                    "docker:index/container:Container guest-container",
                    "docker:index/container:Container guest-release",
                    "docker:index/remoteImage:RemoteImage guest-pull",
                    "docker:index/volume:Volume guest-volume-data",
                    "pulumi-python-app:index:PythonApp guest",
                    "pulumi-python-app:index:PythonImage guest",
                ],
            );
            const inputsOf = (n: string) => unwrap(recorded.find((r) => r.name === n)!.inputs);
            assert.deepEqual(inputsOf("guest-volume-data"), { name: "guest-data", labels: [{ label: "dev.pulumi-python-app.path", value: "/data" }] });
            assert.equal(options.get("guest-volume-data")?.retainOnDelete, true);
            const release = inputsOf("guest-release");
            const c = inputsOf("guest-container");
            // The release container is registered before the app's container, which waits for its exit code.
            assert.ok(recorded.findIndex((r) => r.name === "guest-release") < recorded.findIndex((r) => r.name === "guest-container"));
            assert.deepEqual(release.command, ["python", "manage.py", "migrate", "--noinput"]);
            assert.equal(release.workingDir, "/app");
            assert.equal(release.attach, true);
            assert.equal(release.logs, true);
            assert.equal(release.mustRun, false);
            assert.equal(release.restart, "no");
            for (const key of ["user", "readOnly", "tmpfs", "mounts", "capabilities", "securityOpts", "envs"]) {
                assert.deepEqual(release[key], c[key], `the release step runs with the app's ${key}`);
            }
            assert.deepEqual(c.mounts, [{ type: "volume", source: "guest-data", target: "/data" }]);
            assert.deepEqual(c.labels, [{ label: "dev.pulumi-python-app.release-exit-code", value: "0" }]);
            assert.deepEqual(options.get("guest-container")?.dependsOn, [app.release]);
            // The getters: the same objects the component made, and not fields (fields would be outputs of its schema).
            assert.equal(app.plan, app.image.plan);
            assert.equal(app.release!.constructor.name, "Container");
            assert.equal(app.container.constructor.name, "Container");
            assert.notEqual(app.container, app.release);
            assert.equal(await outputOf(app.planJson), await outputOf(app.image.planJson));
            for (const key of ["plan", "image", "container", "release"]) {
                assert.ok(!Object.prototype.hasOwnProperty.call(app, key), key);
                assert.equal(typeof Object.getOwnPropertyDescriptor(PythonApp.prototype, key)?.get, "function", key);
            }
        });

        it("GIVEN a release script that collects static files among other commands WHEN constructed THEN the release container, and it alone, gets a tmpfs at STATIC_ROOT owned by the app's user", async () => {
            const app = new PythonApp("shelf", { source: path.join(__dirname, "..", "fixtures", "apps", "r15a-django-release-script-if") }, { transformations: [recordOptions] });
            await outputOf(app.containerId);
            await settle();
            const inputsOf = (n: string) => unwrap(recorded.find((r) => r.name === n)!.inputs);
            const release = inputsOf("shelf-release");
            const c = inputsOf("shelf-container");
            assert.deepEqual(release.command, ["bash", "bin/release.sh"]);
            assert.equal(release.tmpfs["/app/staticfiles"], "rw,nosuid,nodev,size=1g,uid=10001,gid=10001,mode=0755");
            assert.deepEqual({ ...release.tmpfs, "/app/staticfiles": undefined }, { ...c.tmpfs, "/app/staticfiles": undefined });
            assert.equal(c.tmpfs["/app/staticfiles"], undefined);
        });

        it("GIVEN a release step that fails WHEN deployed THEN the new container is not created and the error carries the step's last output", async () => {
            releaseExit.code = 1;
            releaseExit.logs = "Traceback (most recent call last):\ndjango.db.utils.OperationalError: unable to open database file\n";
            const app = new PythonApp("broken", { source: path.join(FIXTURES, "cases", "django-sqlite-in-app-folder") });
            const failure = await new Promise<unknown>((resolve) => {
                app.container.id.apply(() => resolve(undefined));
                process.once("unhandledRejection", (e) => resolve(e));
                setTimeout(() => resolve("timeout"), 2000);
            });
            assert.ok(pulumi.ResourceError.isInstance(failure), `expected a ResourceError, got ${String(failure)}`);
            assert.match((failure as Error).message, /The release step \(Django with an SQLite database: python manage.py migrate --noinput\) exited with 1; the new container was not started/);
            assert.match((failure as Error).message, /OperationalError: unable to open database file/);
            assert.ok(!recorded.some((r) => r.name === "broken-container"), "the app container must not be registered");
        });

        it("GIVEN a container that turns unhealthy WHEN deployed THEN up fails with its last health-check output and log lines", async () => {
            fakeEngine.state = {
                running: true,
                restarting: false,
                exitCode: 0,
                health: "unhealthy",
                restartCount: 0,
                lastProbe: { exitCode: 1, output: "" },
            };
            fakeEngine.log = "[ERROR] Exception on / [GET]\nTraceback (most recent call last):\nKeyError: 'DATABASE_URL'\n";
            try {
                const app = new PythonApp("sick", { source: path.join(FIXTURES, "flask-requirements") });
                const failure = await new Promise<unknown>((resolve) => {
                    app.url.apply(() => resolve(undefined));
                    process.once("unhandledRejection", (e) => resolve(e));
                    setTimeout(() => resolve("timeout"), 3000);
                });
                assert.ok(pulumi.ResourceError.isInstance(failure), `expected a ResourceError, got ${String(failure)}`);
                const message = (failure as Error).message;
                assert.match(message, /The container did not become healthy: its health check failed\.\nLast health check \(exit 1\): \(no output\)\nLast lines of its log:\n/);
                assert.match(message, /KeyError: 'DATABASE_URL'\nFix the app, point `healthCheckPath` at a path that answers below 500, or set `waitForHealthy: false`\.$/);
            } finally {
                fakeEngine.state = { running: true, restarting: false, exitCode: 0, health: "healthy", restartCount: 0 };
                fakeEngine.log = "";
            }
        });

        it("GIVEN a Flask app with an instance folder WHEN constructed THEN it is a volume, and `volumes` names it", async () => {
            const app = new PythonApp("notes", { source: path.join(FIXTURES, "cases", "flask-instance-folder"), volumes: { "/app/instance": "notes-instance" } });
            await outputOf(app.containerId);
            await settle();
            const c = unwrap(recorded.find((r) => r.name === "notes-container")!.inputs);
            assert.deepEqual(c.mounts, [{ type: "volume", source: "notes-instance", target: "/app/instance" }]);
        });

        it("GIVEN `volumes` naming a path that is not a data path WHEN constructed THEN it fails naming `volumes` and `writablePaths`, before the image build is registered", async () => {
            assert.throws(
                () => new PythonApp("vol", { source: path.join(FIXTURES, "flask-requirements"), volumes: { "/srv/x": "x" } }),
                (e: unknown) =>
                    pulumi.ResourceError.isInstance(e) &&
                    e.message ===
                        '`volumes` names /srv/x, which is not a data path of the app (it has none); declare it in `writablePaths` as "data" so the image makes it writable by the app\'s user.',
            );
            await settle();
            assert.deepStrictEqual(recorded.filter((r) => r.type.startsWith("docker")).map((r) => r.type), [], "nothing is built or run");
        });

        it("GIVEN a network whose IPAM reports no gateway (the default bridge) THEN the subnet's first host is its gateway", () => {
            assert.deepEqual(gateways([{ subnet: "172.17.0.0/16" }]), ["172.17.0.1"]);
            assert.deepEqual(gateways([{ subnet: "10.5.3.0/24" }, { gateway: "172.18.0.254", subnet: "172.18.0.0/16" }]), ["10.5.3.1", "172.18.0.254"]);
            assert.deepEqual(gateways([{ subnet: "fd00::/64" }]), [], "IPv6 subnets are left to an explicit trustedProxies");
        });

        it("GIVEN scratch paths and a read-only root WHEN constructed THEN each gets a tmpfs beside /tmp", async () => {
            const app = new PythonApp("logs", { source: path.join(FIXTURES, "flask-requirements"), writablePaths: { logs: "scratch" } });
            await outputOf(app.containerId);
            await settle();
            const c = unwrap(recorded.find((r) => r.name === "logs-container")!.inputs);
            // The scratch tmpfs belongs to the app's user: one over a folder of the image would otherwise be root's.
            assert.deepEqual(c.tmpfs, { "/tmp": "rw,noexec,nosuid,size=64m", "/app/logs": "rw,noexec,nosuid,size=64m,uid=10001,gid=10001,mode=0755" });
        });

        const bad: Array<[string, Record<string, unknown>, string]> = [
            ["port 0", { port: 0 }, "`port` is 0; it must be a whole number from 1 to 65535. Use a TCP port such as 8000."],
            ["hostPort 70000", { hostPort: 70000 }, "`hostPort` is 70000; it must be a whole number from 1 to 65535. Use a free TCP port on the host, such as 8080."],
            ["uid 0", { uid: 0 }, "`uid` is 0 (root); the app must run as a non-root user. Use an id such as 10001."],
            ["user root", { user: "root" }, '`user` is "root"; the app must run as a non-root user. Use a name such as "app".'],
            ["workers 0", { workers: 0 }, "`workers` is 0; it must be a whole number from 1 to 100000. gunicorn needs at least 1 worker; leave `workers` unset to follow the container's CPUs."],
            ["an invalid env name", { env: { "1BAD": "x" } }, '`env` key is "1BAD", which is not an environment variable name (letters, digits, _; not starting with a digit).'],
            ["a bad restart policy", { restart: "sometimes" }, '`restart` is "sometimes"; it must be one of "no", "on-failure", "always", "unless-stopped".'],
            ["negative cpus", { cpus: -1 }, "`cpus` is -1; it must be a number of CPUs above 0, such as 0.5 or 2."],
            ["a capability with a shell", { dropCapabilities: ["ALL; rm -rf /"] }, '`dropCapabilities[0]` is "ALL; rm -rf /", which is not a capability name such as NET_RAW or ALL.'],
            ["waitForHealthy without a health check", { waitForHealthy: true, healthCheck: false }, "`waitForHealthy` is true but `healthCheck` is false, so there is no health check to wait for; remove one of them."],
            ["a volume name with a space", { volumes: { "/app/instance": "my data" } }, '`volumes./app/instance` is "my data", which is not a Docker volume name such as "shop-data".'],
        ];
        for (const [what, extra, message] of bad) {
            it(`GIVEN ${what} WHEN constructed THEN it fails before any resource, as a ResourceError naming the argument`, () => {
                recorded = [];
                assert.throws(
                    () => new PythonApp(`bad-${what.replace(/\W+/g, "-")}`, { source: path.join(FIXTURES, "flask-requirements"), ...extra } as any),
                    (e: unknown) => pulumi.ResourceError.isInstance(e) && e.message === message,
                );
                assert.ok(!recorded.some((r) => !r.type.startsWith("pulumi-python-app:")), "no child resource may be created");
            });
        }
    });
});

describe("components during preview (dryRun)", () => {
    it("GIVEN a preview WHEN constructed THEN the Image is registered with buildOnPreview false and unknown outputs do not break the Container", async () => {
        recorded = [];
        pulumi.runtime.setMocks(mocks(), "proj", "dev", true);
        const cwd = process.cwd();
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-preview-"));
        process.chdir(work);
        try {
            const app = new PythonApp("pv", { source: path.join(FIXTURES, "flask-requirements") });
            await outputOf(app.url);
            await settle();
            const img = recorded.find((r) => r.type === "docker-build:index:Image")!;
            assert.equal(img.inputs.buildOnPreview, false);
            assert.ok(recorded.some((r) => r.type === "docker:index/container:Container"));
        } finally {
            process.chdir(cwd);
            fs.rmSync(work, { recursive: true, force: true });
            pulumi.runtime.setMocks(mocks(), "proj", "dev", false);
        }
    });
});

describe("ComponentInternals (what components serve through getters)", () => {
    const { ComponentInternals } = require("../../lib/resources/internals") as typeof import("../../lib/resources/internals");

    it("GIVEN a stored entry WHEN read THEN it is returned; GIVEN none THEN the error names the component and says when to read", () => {
        const internals = new ComponentInternals<pulumi.ComponentResource, { n: number }>("Thing");
        const a = {} as pulumi.ComponentResource;
        const b = {} as pulumi.ComponentResource;
        assert.deepEqual(internals.set(a, { n: 1 }), { n: 1 });
        assert.deepEqual(internals.get(a), { n: 1 });
        assert.throws(() => internals.get(b), { message: "Thing: its getters are read before its constructor stored them; read them after construction." });
    });
});
