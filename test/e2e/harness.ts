import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

/**
 * The real parts the end-to-end tests use: the Docker engine, BuildKit, the
 * registry with credentials and the Pulumi CLI, all brought up by
 * scripts/infra.sh, whose env.sh must be sourced before the tests run. A
 * missing part fails the suite with the command to run; nothing is skipped.
 */
export interface Infra {
    registry: string;
    user: string;
    password: string;
    builder: string;
    bookworm: string;
    trixie: string;
    buildkitAddr: string;
    uv: string;
    /** A PEM bundle for networks that intercept TLS; undefined where none is needed. */
    caBundle?: string;
}

export const REPO = path.resolve(__dirname, "..", "..");

function need(name: string): string {
    const v = process.env[name];
    if (!v) {
        throw new Error(`${name} is not set: run \`bash scripts/infra.sh && source \${PPA_CACHE:-/var/cache/pulumi-python-app}/env.sh\` first.`);
    }
    return v;
}

/** The host ports the e2e suites publish their apps on, one per suite. */
export const E2E_PORTS = { first: 18080, last: 18099 };

let leftoversCleared = false;

/**
 * Removes containers an interrupted earlier run left behind on the suites'
 * own ports. Their stacks' state went with the run's temporary folder, so no
 * `destroy` reaches them, and their restart policy brings them back with the
 * engine: left alone, the next run's `up` fails with "port is already
 * allocated". Only containers publishing a port in E2E_PORTS on loopback,
 * with a Pulumi auto-name (`<name>-<7 hex>`), are touched.
 */
function clearLeftovers(): void {
    if (leftoversCleared) {
        return;
    }
    leftoversCleared = true;
    const ids = docker("ps", "-aq").split("\n").filter(Boolean);
    if (ids.length === 0) {
        return;
    }
    // The bindings the container asks for, running or not: a stopped one takes its ports back when the engine restarts it.
    const inspected = JSON.parse(docker("inspect", ...ids)) as { Id: string; Name: string; HostConfig: { PortBindings?: Record<string, { HostIp: string; HostPort: string }[] | null> } }[];
    for (const c of inspected) {
        const bindings = Object.values(c.HostConfig.PortBindings ?? {}).flatMap((b) => b ?? []);
        const onOurPorts = bindings.some((b) => b.HostIp === "127.0.0.1" && Number(b.HostPort) >= E2E_PORTS.first && Number(b.HostPort) <= E2E_PORTS.last);
        const name = c.Name.replace(/^\//, "");
        if (onOurPorts && /-[0-9a-f]{7}$/.test(name)) {
            docker("rm", "-f", c.Id);
            console.log(`      removed ${name}, left on an e2e port by an interrupted run`);
        }
    }
}

export function infra(): Infra {
    if (!fs.existsSync(path.join(REPO, "dist", "lib", "index.js"))) {
        throw new Error("dist/lib is missing: run `npm run build` first (the e2e programs load the built package).");
    }
    clearLeftovers();
    return {
        registry: need("PPA_REGISTRY"),
        user: need("PPA_REGISTRY_USER"),
        password: need("PPA_REGISTRY_PASSWORD"),
        builder: need("PPA_BUILDER"),
        bookworm: need("PPA_BASE_BOOKWORM"),
        trixie: need("PPA_BASE_TRIXIE"),
        buildkitAddr: process.env.PPA_BUILDKIT_ADDR ?? "unix:///run/buildkit/buildkitd.sock",
        uv: need("PPA_UV"),
        caBundle: process.env.PPA_CA_BUNDLE || undefined,
    };
}

export function sh(cmd: string, args: string[], opts: { input?: string; cwd?: string } = {}): string {
    return execFileSync(cmd, args, { encoding: "utf8", cwd: opts.cwd, input: opts.input, stdio: ["pipe", "pipe", "pipe"] });
}

export function docker(...args: string[]): string {
    return sh("docker", args).trim();
}

/**
 * The args an e2e PythonApp starts from: the machine's base image (these
 * machines reach no public registry), its BuildKit builder and CA bundle,
 * the local registry with credentials, and the test's own repository, port
 * and health path; `extra` adds or overrides.
 */
export function appArgs(
    inf: Infra,
    own: { repository: string; hostPort: number; base?: "trixie" | "bookworm"; healthCheckPath?: string },
    extra: Record<string, unknown> = {},
): Record<string, unknown> {
    return {
        source: "./app",
        baseImage: own.base === "bookworm" ? inf.bookworm : inf.trixie,
        builder: inf.builder,
        registry: { server: inf.registry, repository: own.repository, username: inf.user },
        tags: ["e2e"],
        healthCheckPath: own.healthCheckPath ?? "/healthz",
        hostPort: own.hostPort,
        // Builds reach PyPI through this network's TLS proxy, whose CA the host trusts.
        caBundle: inf.caBundle,
        ...extra,
    };
}

/**
 * Sets the stack's config for the e2e program: the component's name and
 * args, the registry password, and maps of secrets (installSecrets,
 * buildSecrets, secretEnv) kept as secret config.
 */
export async function configureApp(p: Project, inf: Infra, name: string, args: Record<string, unknown>, secrets: Record<string, Record<string, string>> = {}): Promise<void> {
    const config: Record<string, { value: string; secret?: boolean }> = {
        name: { value: name },
        args: { value: JSON.stringify(args) },
        registryPassword: { value: inf.password, secret: true },
    };
    for (const [arg, values] of Object.entries(secrets)) {
        config[arg] = { value: JSON.stringify(values), secret: true };
        config[`${arg}Names`] = { value: JSON.stringify(Object.keys(values)) };
    }
    await p.stack.setAllConfig(config);
}

/** A Pulumi project in a temp folder: a copy of the app, and a program that builds it with PythonApp. */
export interface Project {
    dir: string;
    appDir: string;
    stack: Stack;
    log: (title: string, text: string) => void;
    cleanup: () => Promise<void>;
}

const PROGRAM = `"use strict";
// Generated by the end-to-end tests: one PythonApp whose args come from config.
const pulumi = require("@pulumi/pulumi");
const { PythonApp } = require(process.env.PPA_E2E_LIB);
const cfg = new pulumi.Config();
const args = JSON.parse(cfg.require("args"));
if (args.registry) {
    args.registry.password = cfg.requireSecret("registryPassword");
}
// Maps of secrets (installSecrets, buildSecrets, secretEnv): secret config holding a JSON object; its keys come from the secret itself.
for (const arg of ["installSecrets", "buildSecrets", "secretEnv"]) {
    const names = cfg.getObject(arg + "Names");
    if (names) {
        const values = cfg.requireSecretObject(arg);
        args[arg] = Object.fromEntries(names.map((n) => [n, values.apply((v) => v[n])]));
    }
}
const app = new PythonApp(cfg.require("name"), args);
exports.url = app.url;
exports.containerName = app.containerName;
exports.containerId = app.containerId;
exports.imageRef = app.imageRef;
exports.dockerfile = app.dockerfile;
`;

/** Where a project's temp folder, Pulumi project name and logs go; the defaults are the e2e suite's. */
export interface ProjectOptions {
    /** Prefix of the temp folder and of the Pulumi project name. @default "ppa-e2e" */
    prefix?: string;
    /** Folder that `log` writes to. @default test/e2e/logs */
    logDir?: string;
}

export async function makeProject(name: string, appSource: string, stackName = "e2e", options: ProjectOptions = {}): Promise<Project> {
    const prefix = options.prefix ?? "ppa-e2e";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-${name}-`));
    const appDir = path.join(dir, "app");
    fs.cpSync(appSource, appDir, { recursive: true });
    fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    const backend = path.join(dir, ".backend");
    fs.mkdirSync(backend);
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: dir },
        {
            projectSettings: { name: `${prefix}-${name}`, runtime: "nodejs", main: "index.js", backend: { url: `file://${backend}` } },
            envVars: {
                PULUMI_CONFIG_PASSPHRASE: "",
                PPA_E2E_LIB: path.join(REPO, "dist", "lib"),
            },
        },
    );
    const logDir = options.logDir ?? path.join(REPO, "test", "e2e", "logs");
    fs.mkdirSync(logDir, { recursive: true });
    return {
        dir,
        appDir,
        stack,
        log: (title, text) => fs.writeFileSync(path.join(logDir, `${name}-${title}.log`), text),
        cleanup: async () => {
            await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/**
 * Whether BuildKit reused the dependency-install step instead of running it.
 * BuildKit's plain progress names each step `#N [builder i/n] RUN ...`; a
 * step it runs prints the process's output as `#N <seconds> <text>`. A step
 * served from the local cache prints `#N CACHED`; one served from an imported
 * registry cache pulls and extracts its layer (`#N extracting sha256:...`)
 * and prints no process output.
 */
export function installStepCached(output: string): { found: boolean; cached: boolean; how: string; line: string } {
    const step = /^.*?#(\d+) \[builder\s+\d+\/\d+\] RUN .*(?:pip install -r|uv sync --locked --no-install-project|export-lock\.py|python -c).*$/m.exec(output);
    if (!step) {
        return { found: false, cached: false, how: "not found", line: "" };
    }
    const id = step[1];
    const ran = new RegExp(`#${id} \\d+\\.\\d+ `).test(output);
    if (new RegExp(`#${id} CACHED\\b`).test(output)) {
        return { found: true, cached: true, how: "local cache (CACHED)", line: step[0].trim() };
    }
    if (!ran && new RegExp(`#${id} extracting sha256:`).test(output)) {
        return { found: true, cached: true, how: "registry cache (layer pulled, not run)", line: step[0].trim() };
    }
    return { found: true, cached: false, how: ran ? "ran" : "unknown", line: step[0].trim() };
}

/** GET a URL on loopback and parse JSON, retrying while the container starts. */
export async function getJson(url: string, tries = 30): Promise<any> {
    let last: unknown;
    for (let i = 0; i < tries; i++) {
        try {
            const res = await fetch(url);
            if (res.ok) {
                return await res.json();
            }
            last = new Error(`${url}: HTTP ${res.status}`);
        } catch (e) {
            last = e;
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    throw last;
}

/** The registry's answer for a manifest: status and digest. */
export async function registryManifest(inf: Infra, repo: string, reference: string): Promise<{ status: number; digest: string | null }> {
    const res = await fetch(`http://${inf.registry}/v2/${repo}/manifests/${reference}`, {
        method: "HEAD",
        headers: {
            Authorization: "Basic " + Buffer.from(`${inf.user}:${inf.password}`).toString("base64"),
            Accept: [
                "application/vnd.oci.image.index.v1+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
            ].join(", "),
        },
    });
    return { status: res.status, digest: res.headers.get("docker-content-digest") };
}

/** Deletes a tag's manifest (the registry runs with delete enabled), so the next build starts with no image and no cache there. */
export async function registryDeleteTag(inf: Infra, repo: string, tag: string): Promise<void> {
    const { status, digest } = await registryManifest(inf, repo, tag);
    if (status !== 200 || !digest) {
        return;
    }
    const res = await fetch(`http://${inf.registry}/v2/${repo}/manifests/${digest}`, {
        method: "DELETE",
        headers: { Authorization: "Basic " + Buffer.from(`${inf.user}:${inf.password}`).toString("base64") },
    });
    if (res.status !== 202 && res.status !== 404) {
        throw new Error(`deleting ${repo}:${tag} from the registry: HTTP ${res.status}`);
    }
}
