import * as fs from "node:fs";
import * as path from "node:path";
import { APP_OUTPUTS, componentConfig, componentProgram, createProject, docker, Infra, loadInfra, PulumiProject, REPO } from "../support";

/**
 * What the end-to-end suites add to test/support: their ports, the clean-up
 * of an interrupted run's containers, the args an e2e PythonApp starts from,
 * and a project whose program is one PythonApp. The real parts (the Docker
 * engine, BuildKit, the registry with credentials and the Pulumi CLI) are
 * brought up by scripts/infra.sh, whose env.sh must be sourced before the
 * tests run. A missing part fails the suite with the command to run; nothing
 * is skipped.
 */
export { docker, getJson, REPO, retryOnRegistryLinkRace, sh } from "../support";
export type { Infra } from "../support";
export { deleteTag as registryDeleteTag, headManifest as registryManifest } from "../support";

/** The host ports the e2e suites publish their apps on, one per suite. */
export const E2E_PORTS = { first: 18080, last: 18099 };

let leftoversCleared = false;

/**
 * Removes containers an interrupted earlier run left behind on the suites'
 * own ports. Their stacks' state went with the run's temporary folder, so no
 * `destroy` reaches them, and their restart policy brings them back with the
 * engine: left alone, the next run's `up` fails with "port is already
 * allocated". Only containers of an image from the suites' own repositories
 * (`<registry>/e2e/...`) that publish a port in E2E_PORTS on loopback, with a
 * Pulumi auto-name (`<name>-<7 hex>`), are touched: anyone else's are not.
 */
function clearLeftovers(inf: Infra): void {
    if (leftoversCleared) {
        return;
    }
    leftoversCleared = true;
    const ids = docker("ps", "-aq").split("\n").filter(Boolean);
    if (ids.length === 0) {
        return;
    }
    // The bindings the container asks for, running or not: a stopped one takes its ports back when the engine restarts it.
    const inspected = JSON.parse(docker("inspect", ...ids)) as {
        Id: string;
        Name: string;
        Config: { Image: string };
        HostConfig: { PortBindings?: Record<string, { HostIp: string; HostPort: string }[] | null> };
    }[];
    // PythonApp runs its image by ID: the image's names say whose it is.
    const ours = (image: string): boolean => {
        let names: string[];
        try {
            const [img] = JSON.parse(docker("image", "inspect", image)) as { RepoTags: string[] | null; RepoDigests: string[] | null }[];
            names = [...(img.RepoTags ?? []), ...(img.RepoDigests ?? [])];
        } catch {
            return false; // its image is gone (force-removed): nothing says it is ours
        }
        return names.some((n) => n.startsWith(`${inf.registry}/e2e/`));
    };
    for (const c of inspected) {
        const bindings = Object.values(c.HostConfig.PortBindings ?? {}).flatMap((b) => b ?? []);
        const onOurPorts = bindings.some((b) => b.HostIp === "127.0.0.1" && Number(b.HostPort) >= E2E_PORTS.first && Number(b.HostPort) <= E2E_PORTS.last);
        const name = c.Name.replace(/^\//, "");
        if (onOurPorts && /-[0-9a-f]{7}$/.test(name) && ours(c.Config.Image)) {
            docker("rm", "-f", c.Id);
            console.log(`      removed ${name}, left on an e2e port by an interrupted run`);
        }
    }
}

/** env.sh's infrastructure, once the containers an interrupted run left on the suites' ports are gone. */
export function infra(): Infra {
    const inf = loadInfra();
    clearLeftovers(inf);
    return inf;
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
    await p.stack.setAllConfig(componentConfig(inf, name, args, secrets));
}

/** A Pulumi project in a temp folder: a copy of the app, and a program that builds it with PythonApp. */
export interface Project extends PulumiProject {
    /** Writes `<logDir>/<name>-<title>.log`. */
    log: (title: string, text: string) => void;
}

const PROGRAM = componentProgram("PythonApp", APP_OUTPUTS);

/** Where a project's temp folder, Pulumi project name and logs go; the defaults are the e2e suite's. */
export interface ProjectOptions {
    /** Prefix of the temp folder and of the Pulumi project name. @default "ppa-e2e" */
    prefix?: string;
    /** Folder that `log` writes to. @default test/e2e/logs */
    logDir?: string;
}

export async function makeProject(name: string, appSource: string, stackName = "e2e", options: ProjectOptions = {}): Promise<Project> {
    const p = await createProject({
        name: `${options.prefix ?? "ppa-e2e"}-${name}`,
        program: PROGRAM,
        stackName,
        app: appSource,
    });
    const logDir = options.logDir ?? path.join(REPO, "test", "e2e", "logs");
    fs.mkdirSync(logDir, { recursive: true });
    return { ...p, log: (title, text) => fs.writeFileSync(path.join(logDir, `${name}-${title}.log`), text) };
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
