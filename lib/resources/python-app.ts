import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../errors";
import { Plan } from "../plan/plan";
import { healthCheckCommand, healthCheckTimingSpec, stopTimeout } from "../render/commands";
import * as v from "../validate";
import { engines, waitHealthy } from "./engine";
import { ComponentInternals } from "./internals";
import { asResourceError, checkedPythonImage, PythonImage, PythonImageArgs, safeName } from "./python-image";

/**
 * The container's restart policy (Docker's `--restart`). A string-valued
 * `as const` object: the plain strings ("on-failure"...) type-check as well.
 */
export const RestartPolicy = {
    /** Never restarted. */
    No: "no",
    /** Restarted when it exits with a non-zero code. */
    OnFailure: "on-failure",
    /** Always restarted, also when the engine restarts after a manual stop. */
    Always: "always",
    /** Always restarted, except after a manual stop (`docker stop`). */
    UnlessStopped: "unless-stopped",
} as const;
export type RestartPolicy = (typeof RestartPolicy)[keyof typeof RestartPolicy];
export const RESTART_POLICIES: readonly RestartPolicy[] = Object.values(RestartPolicy);

/** PythonApp's args: PythonImage's, plus how the container runs. */
export interface PythonAppArgs extends PythonImageArgs {
    /** Host port to publish the app's port on. @default the app's `port` */
    readonly hostPort?: number;
    /** Host address to publish on. @default "127.0.0.1" (loopback only; "0.0.0.0" for every interface) */
    readonly hostIp?: string;
    /** Plain environment variables. @default {} */
    readonly env?: Record<string, pulumi.Input<string>>;
    /** Environment variables kept as Pulumi secrets. @default {} */
    readonly secretEnv?: Record<string, pulumi.Input<string>>;
    /** The container's restart policy. @default "unless-stopped" */
    readonly restart?: RestartPolicy;
    /** Size of /dev/shm in MiB, where gunicorn keeps worker heartbeats. @default 64 */
    readonly shmSizeMb?: number;
    /** Mount the root filesystem read-only (with a tmpfs at /tmp and at the app's scratch paths). @default true */
    readonly readOnlyRootFilesystem?: boolean;
    /** tmpfs mounts: path -> mount options, replacing the default /tmp one. @default { "/tmp": "rw,noexec,nosuid,size=64m" } with a read-only root */
    readonly tmpfs?: Record<string, string>;
    /**
     * Named volumes for the app's data paths: container path -> volume name. Every
     * data path of the plan (`plan.writablePaths`, e.g. Flask's instance folder, the
     * folder an SQLite database is linked into) gets a volume; this names them.
     * Volumes are kept when the stack is destroyed (`retainVolumes`).
     * @default `<name>-<path>` for each data path
     */
    readonly volumes?: Record<string, string>;
    /** Keep the data volumes when the container or the stack is destroyed. @default true */
    readonly retainVolumes?: boolean;
    /** Linux capabilities to drop. @default ["ALL"] */
    readonly dropCapabilities?: string[];
    /** Linux capabilities to add back. @default [] */
    readonly addCapabilities?: string[];
    /** Set no-new-privileges. @default true */
    readonly noNewPrivileges?: boolean;
    /** Memory limit in MiB. @default none */
    readonly memoryMb?: number;
    /** CPU limit, e.g. 0.5 or 2. @default none */
    readonly cpus?: number;
    /** Docker networks to attach to (by name). @default [] (the default bridge) */
    readonly networks?: pulumi.Input<string>[];
    /** Container labels. @default {} */
    readonly containerLabels?: Record<string, string>;
    /** Wait for the health check to pass during `pulumi up`. @default true when the image has a health check */
    readonly waitForHealthy?: boolean;
}

const CAPABILITY = /^(?:ALL|[A-Z][A-Z_]*)$/;
const TMPFS_PATH = /^\/[A-Za-z0-9._/-]*$/;
const TMPFS_OPTIONS = /^[A-Za-z0-9=,._-]*$/;
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DEFAULT_TMP = { "/tmp": "rw,noexec,nosuid,size=64m" };
const SCRATCH_TMPFS = "rw,noexec,nosuid,size=64m";
/** How long `up` waits for a new container's health check to pass. */
const HEALTH_WAIT_SECONDS = 90;

/**
 * A PythonImage plus a Docker container running it with gunicorn as a
 * non-root user, hardened by default: read-only root filesystem, all
 * capabilities dropped, no-new-privileges, a health check the engine runs,
 * and a stop timeout that lets gunicorn finish in-flight requests. The paths
 * the app writes get named volumes (data) or tmpfs (scratch); a release step
 * (migrations) runs with the new image before the new container starts.
 */
export class PythonApp extends pulumi.ComponentResource {
    /** http://host:port of the published app. */
    readonly url: pulumi.Output<string>;
    /** The name of the container serving the app. */
    readonly containerName: pulumi.Output<string>;
    /** The id of the container serving the app. */
    readonly containerId: pulumi.Output<string>;
    /** The image the container runs (digest-pinned when pushed). */
    readonly imageRef: pulumi.Output<string>;
    /** The synthesized Dockerfile. */
    readonly dockerfile: pulumi.Output<string>;
    /**
     * What was detected and decided (the `plan`), as 2-space indented JSON:
     * the text `pulumi-python-app synth --plan` prints. For programs in other
     * languages, which have no typed `plan`.
     */
    readonly planJson: pulumi.Output<string>;

    /** What was detected and decided. */
    get plan(): Plan {
        return appInternals.get(this).image.plan;
    }
    /** The PythonImage this app runs. */
    get image(): PythonImage {
        return appInternals.get(this).image;
    }
    /** The container serving the app. */
    get container(): docker.Container {
        return appInternals.get(this).container;
    }
    /** The container that ran the release step, when there is one. */
    get release(): docker.Container | undefined {
        return appInternals.get(this).release;
    }

    constructor(name: string, args: PythonAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-python-app:index:PythonApp", name, {}, opts);
        const {
            hostPort, hostIp, env, secretEnv, restart, shmSizeMb, readOnlyRootFilesystem, tmpfs, volumes, retainVolumes, dropCapabilities,
            addCapabilities, noNewPrivileges, memoryMb, cpus, networks, containerLabels, waitForHealthy, ...imageArgs
        } = args ?? ({} as PythonAppArgs);

        // Validate the container's own args before anything is synthesized or built.
        const c = asResourceError(this, () =>
            checkContainerArgs({
                hostPort, hostIp, env, secretEnv, restart, shmSizeMb, readOnlyRootFilesystem, tmpfs, volumes, retainVolumes, dropCapabilities,
                addCapabilities, noNewPrivileges, memoryMb, cpus, containerLabels, waitForHealthy, healthCheck: imageArgs.healthCheck,
            }),
        );

        // The Django settings the container runs (`env` as plain strings) are the ones the build steps must use: collectstatic with
        // other settings writes no manifest the server's storage reads. They go to the build as `buildEnv` unless that sets them.
        const runsWith = ["DJANGO_SETTINGS_MODULE", "DJANGO_CONFIGURATION"].filter((k) => typeof c.env[k] === "string" && imageArgs.buildEnv?.[k] === undefined);
        const buildEnv = runsWith.length === 0 ? imageArgs.buildEnv : { ...Object.fromEntries(runsWith.map((k) => [k, c.env[k] as string])), ...imageArgs.buildEnv };

        // `volumes` must name the plan's data paths: checked before the image registers its build.
        const image = checkedPythonImage(name, { ...imageArgs, buildEnv }, { parent: this }, (p) => checkVolumes(p, c));
        const plan = image.plan;
        this.dockerfile = image.dockerfile;
        this.planJson = image.planJson;

        // Data paths get named volumes, scratch paths a tmpfs (with a read-only root).
        const mounts = dataMounts(name, plan, c, this);
        const tmpfsMounts = { ...c.tmpfs };
        if (c.readOnlyRootFilesystem) {
            Object.assign(tmpfsMounts, { ...scratchTmpfs(plan), ...tmpfsMounts });
        }

        // The engine needs the image by id: pull it from the registry (by digest), or find the loaded one.
        const auth = image.pullAuth;
        const imageProvider = auth
            ? new docker.Provider(`${name}-docker`, { registryAuth: [{ address: auth.address, username: auth.username, password: auth.password }] }, { parent: this })
            : undefined;
        const local = new docker.RemoteImage(
            `${name}-pull`,
            {
                name: image.ref,
                keepLocally: true,
                // A local image keeps its tag across builds: a new digest must replace the container.
                triggers: { digest: image.digest },
            },
            { parent: this, provider: imageProvider },
        );

        const port = plan.server.port;
        const publishedPort = c.hostPort ?? port;
        const probe = healthCheckCommand(plan);
        const waitForHealth = probe !== undefined && c.waitForHealthy !== false;
        const engine = waitForHealth ? engines.at(new pulumi.Config("docker").get("host")) : undefined;

        // Behind a proxy on the host, a loopback-published port's peer is the engine's gateway: trust its X-Forwarded-* headers.
        const envWithProxy: Record<string, pulumi.Input<string>> = { ...c.env };
        if (plan.server.forwardedAllowIps === undefined && isLoopback(c.hostIp) && !("FORWARDED_ALLOW_IPS" in c.env) && !("FORWARDED_ALLOW_IPS" in c.secretEnv)) {
            const network = networks && networks.length > 0 ? networks[0] : "bridge";
            envWithProxy.FORWARDED_ALLOW_IPS = docker
                .getNetworkOutput({ name: network }, { parent: this })
                .apply((n) => gateways(n.ipamConfigs).join(",") || "127.0.0.1");
        }
        const envs = containerEnvs(envWithProxy, c.secretEnv);

        const hardening = {
            user: `${plan.user.uid}:${plan.user.gid}`,
            envs,
            readOnly: c.readOnlyRootFilesystem,
            tmpfs: c.readOnlyRootFilesystem || Object.keys(tmpfsMounts).length > 0 ? tmpfsMounts : undefined,
            mounts: mounts.length > 0 ? mounts : undefined,
            capabilities: { drops: c.dropCapabilities, adds: c.addCapabilities.length > 0 ? c.addCapabilities : undefined },
            securityOpts: c.noNewPrivileges ? ["no-new-privileges:true"] : undefined,
            shmSize: c.shmSizeMb,
            memory: c.memoryMb,
            // No swap beyond the limit; also, left unset, the engine reports 2x memory and every preview shows a diff.
            memorySwap: c.memoryMb,
            cpus: c.cpus === undefined ? undefined : cpusString(c.cpus),
            networksAdvanced: networks && networks.length > 0 ? networks.map((n) => ({ name: n })) : undefined,
        };

        // The release step (migrations): the new image, the same environment and volumes, before the new container.
        let released: pulumi.Output<string> | undefined;
        let release: docker.Container | undefined;
        if (plan.release) {
            ({ release, released } = releaseContainer(this, name, plan.release, local.imageId, hardening, "the new container was not started, and the container running now, if any, keeps serving"));
        }

        const container = new docker.Container(
            `${name}-container`,
            {
                image: local.imageId,
                ports: [{ internal: port, external: publishedPort, ip: c.hostIp }],
                ...hardening,
                restart: c.restart,
                labels: [
                    ...Object.entries(c.containerLabels).map(([label, value]) => ({ label, value })),
                    // Waits for the release step: a failed one stops here, before the running container is replaced.
                    ...(released ? [{ label: "dev.pulumi-python-app.release-exit-code", value: released }] : []),
                ],
                healthcheck: probe
                    ? { tests: ["CMD", ...probe], ...healthCheckTimingSpec() }
                    : undefined,
                stopSignal: "SIGTERM",
                stopTimeout: stopTimeout(plan),
                destroyGraceSeconds: stopTimeout(plan),
                // The component waits itself when it can reach the engine, so a failure can say why.
                wait: waitForHealth && engine === undefined,
                waitTimeout: waitForHealth && engine === undefined ? HEALTH_WAIT_SECONDS : undefined,
                mustRun: true,
            },
            // The name and host port are fixed: the old container must go before its replacement starts.
            { parent: this, deleteBeforeReplace: true, dependsOn: release ? [release] : [] },
        );

        // `up` waits for the health check; a container that never passes fails it with its state, probe output and log.
        const healthy =
            engine && !pulumi.runtime.isDryRun()
                ? container.id.apply(async (id) => {
                      try {
                          return await waitHealthy(engine, id, HEALTH_WAIT_SECONDS);
                      } catch (e) {
                          throw new pulumi.ResourceError(
                              `${(e as Error).message}\nFix the app, point \`healthCheckPath\` at a path that answers below 500, or set \`waitForHealthy: false\`.`,
                              this,
                              true,
                          );
                      }
                  })
                : pulumi.output("not waited for");
        const urlHost = c.hostIp === "0.0.0.0" ? "127.0.0.1" : c.hostIp.includes(":") ? `[${c.hostIp}]` : c.hostIp;
        this.url = healthy.apply(() => `http://${urlHost}:${publishedPort}`);
        this.containerName = container.name;
        this.containerId = container.id;
        this.imageRef = image.ref;
        appInternals.set(this, { image, container, release });
        this.registerOutputs({
            url: this.url,
            containerName: this.containerName,
            containerId: this.containerId,
            imageRef: this.imageRef,
            dockerfile: this.dockerfile,
            planJson: this.planJson,
        });
    }
}

/** PythonApp's getters read these; fields would be outputs (see ComponentInternals). */
const appInternals = new ComponentInternals<PythonApp, { readonly image: PythonImage; readonly container: docker.Container; readonly release?: docker.Container }>("PythonApp");

/**
 * CPUs as the docker provider reads them back (nano-CPUs as a decimal: "1.0",
 * "0.5", "1.25"), so a second `up` sees no change: sent as "1", the value
 * came back as "1.0" and every `up` replaced the container.
 */
export function cpusString(cpus: number): string {
    const nano = BigInt(Math.round(cpus * 1e9));
    const whole = nano / 1_000_000_000n;
    const frac = nano % 1_000_000_000n;
    return frac === 0n ? `${whole}.0` : `${whole}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}`;
}

/**
 * The gateways of a network's IPAM configs: the one the engine reports, else
 * the subnet's first host address, which is what a bridge network's gateway
 * is unless configured otherwise (the default bridge often reports no Gateway).
 */
export function gateways(configs: ReadonlyArray<{ gateway?: string; subnet?: string }>): string[] {
    const out: string[] = [];
    for (const c of configs) {
        if (c.gateway) {
            out.push(c.gateway);
        } else if (c.subnet && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c.subnet)) {
            const [addr, bits] = c.subnet.split("/");
            const n = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
            const mask = Number(bits) === 0 ? 0 : 2 ** 32 - 2 ** (32 - Number(bits));
            const gw = ((n & mask) >>> 0) + 1;
            out.push([24, 16, 8, 0].map((s) => (gw >>> s) & 255).join("."));
        }
    }
    return out;
}

function isLoopback(ip: string): boolean {
    return ip.startsWith("127.") || ip === "::1";
}

/** `volumes` may only name data paths of the plan. */
function checkVolumes(plan: Plan, c: CheckedContainerArgs): void {
    const data = plan.writablePaths.filter((w) => w.kind === "data");
    for (const target of Object.keys(c.volumes)) {
        if (!data.some((w) => w.path === target)) {
            throw new InputError(
                "`volumes`",
                `\`volumes\` names ${target}, which is not a data path of the app (${data.length > 0 ? data.map((w) => w.path).join(", ") : "it has none"}); ` +
                    "declare it in `writablePaths` as \"data\" so the image makes it writable by the app's user.",
            );
        }
    }
}

/** A named volume at each data path, named by `volumes` where it names one. */
function dataMounts(name: string, plan: Plan, c: CheckedContainerArgs, parent: pulumi.Resource): docker.types.input.ContainerMount[] {
    return plan.writablePaths.filter((w) => w.kind === "data").map((w) => {
        const volumeName = c.volumes[w.path] ?? `${safeName(name).toLowerCase()}-${w.path.replace(/^\/+/, "").replace(/[^A-Za-z0-9_.-]+/g, "-")}`;
        const volume = new docker.Volume(
            `${name}-volume${w.path.replace(/[^A-Za-z0-9_.-]+/g, "-")}`,
            { name: volumeName, labels: [{ label: "dev.pulumi-python-app.path", value: w.path }] },
            // Data outlives the container, and (unless told otherwise) the stack.
            { parent, retainOnDelete: c.retainVolumes },
        );
        return { type: "volume", source: volume.name, target: w.path };
    });
}

export interface CheckedContainerArgs {
    hostPort?: number;
    hostIp: string;
    env: Record<string, pulumi.Input<string>>;
    secretEnv: Record<string, pulumi.Input<string>>;
    restart: RestartPolicy;
    shmSizeMb: number;
    readOnlyRootFilesystem: boolean;
    tmpfs: Record<string, string>;
    volumes: Record<string, string>;
    retainVolumes: boolean;
    dropCapabilities: string[];
    addCapabilities: string[];
    noNewPrivileges: boolean;
    memoryMb?: number;
    cpus?: number;
    containerLabels: Record<string, string>;
    waitForHealthy?: boolean;
}

export function checkContainerArgs(a: Partial<PythonAppArgs>): CheckedContainerArgs {
    const hostPort = a.hostPort === undefined ? undefined : v.integer("`hostPort`", a.hostPort, 1, 65535, "Use a free TCP port on the host, such as 8080.");
    const hostIp = a.hostIp === undefined ? "127.0.0.1" : v.matches("`hostIp`", a.hostIp, /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]+)$/, 'an IPv4 or IPv6 address such as "127.0.0.1" or "0.0.0.0"');
    const env = checkEnv("`env`", a.env);
    const secretEnv = checkEnv("`secretEnv`", a.secretEnv);
    for (const k of Object.keys(secretEnv)) {
        if (k in env) {
            throw new InputError("`secretEnv`", `\`${k}\` is in both \`env\` and \`secretEnv\`; keep it in one.`);
        }
    }
    const restart = a.restart === undefined ? "unless-stopped" : v.oneOf("`restart`", a.restart, RESTART_POLICIES);
    const shmSizeMb = a.shmSizeMb === undefined ? 64 : v.integer("`shmSizeMb`", a.shmSizeMb, 1, 1048576, "It is /dev/shm's size in MiB; gunicorn needs a few MiB.");
    const readOnly = v.bool("`readOnlyRootFilesystem`", a.readOnlyRootFilesystem, true);
    const tmpfs: Record<string, string> =
        a.tmpfs === undefined
            ? readOnly
                ? { ...DEFAULT_TMP }
                : {}
            : v.stringMap("`tmpfs`", a.tmpfs, TMPFS_PATH, "an absolute path such as /tmp", (arg, value) =>
                  v.matches(arg, value, TMPFS_OPTIONS, 'mount options such as "rw,size=64m"'),
              );
    const volumes = v.stringMap("`volumes`", a.volumes, TMPFS_PATH, "an absolute container path such as /app/instance", (arg, value) =>
        v.matches(arg, value, VOLUME_NAME, 'a Docker volume name such as "shop-data"'),
    );
    const retainVolumes = v.bool("`retainVolumes`", a.retainVolumes, true);
    const drops = v.stringList("`dropCapabilities`", a.dropCapabilities ?? ["ALL"], CAPABILITY, "a capability name such as NET_RAW or ALL");
    const adds = v.stringList("`addCapabilities`", a.addCapabilities, CAPABILITY, "a capability name such as NET_BIND_SERVICE");
    const noNewPrivileges = v.bool("`noNewPrivileges`", a.noNewPrivileges, true);
    const memoryMb = a.memoryMb === undefined ? undefined : v.integer("`memoryMb`", a.memoryMb, 6, 1048576, "Docker needs at least 6 MiB.");
    let cpus: number | undefined;
    if (a.cpus !== undefined) {
        if (typeof a.cpus !== "number" || !Number.isFinite(a.cpus) || a.cpus <= 0 || a.cpus > 1024) {
            throw new InputError("`cpus`", `\`cpus\` is ${v.describe(a.cpus)}; it must be a number of CPUs above 0, such as 0.5 or 2.`);
        }
        cpus = a.cpus;
    }
    const containerLabels = v.stringMap("`containerLabels`", a.containerLabels, /^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "a label name such as com.example.team", v.string);
    const waitForHealthy = v.bool("`waitForHealthy`", a.waitForHealthy);
    if (waitForHealthy === true && a.healthCheck === false) {
        throw new InputError("`waitForHealthy`", "`waitForHealthy` is true but `healthCheck` is false, so there is no health check to wait for; remove one of them.");
    }
    return {
        hostPort, hostIp, env, secretEnv, restart, shmSizeMb, readOnlyRootFilesystem: readOnly, tmpfs, volumes, retainVolumes,
        dropCapabilities: drops, addCapabilities: adds, noNewPrivileges, memoryMb, cpus, containerLabels, waitForHealthy,
    };
}

function checkEnv(argument: string, env: Record<string, pulumi.Input<string>> | undefined): Record<string, pulumi.Input<string>> {
    // Values go to the engine's API, not to a Dockerfile or a shell; names are checked.
    return v.stringMap(argument, env, v.ENV_NAME, "an environment variable name (letters, digits, _; not starting with a digit)", (_arg, value) => value as pulumi.Input<string>);
}

/**
 * The app's scratch paths as tmpfs mounts (path -> mount options), owned by
 * the app's user: a tmpfs over a folder of the image would otherwise be root's.
 */
export function scratchTmpfs(plan: Plan): Record<string, string> {
    return Object.fromEntries(
        plan.writablePaths.filter((p) => p.kind === "scratch").map((w) => [w.path, `${SCRATCH_TMPFS},uid=${plan.user.uid},gid=${plan.user.gid},mode=0755`]),
    );
}

/** The container's env list: one `NAME=value` entry per variable, sorted by name; a secret value is a secret entry, a plain one stays plain (readable in a diff). */
export function containerEnvs(env: Record<string, pulumi.Input<string>>, secretEnv: Record<string, pulumi.Input<string>>): pulumi.Input<string>[] {
    const entry = (k: string, value: pulumi.Input<string>): pulumi.Input<string> => (typeof value === "string" ? `${k}=${value}` : pulumi.interpolate`${k}=${value}`);
    return [
        ...Object.entries(env).map(([k, value]) => [k, entry(k, value)] as const),
        ...Object.entries(secretEnv).map(([k, value]) => [k, pulumi.secret(entry(k, value))] as const),
    ]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, e]) => e);
}

/**
 * The release step's one-off container (the new image, run to completion and
 * attached), and its exit code as a string once it exited 0. A non-zero exit
 * fails `up` with the step's last 20 lines of output; `keepsServing` says what
 * is left running (the component's own words).
 */
export function releaseContainer(
    parent: pulumi.Resource,
    name: string,
    step: NonNullable<Plan["release"]>,
    imageId: pulumi.Input<string>,
    hardening: Omit<docker.ContainerArgs, "image" | "name">,
    keepsServing: string,
    opts: pulumi.CustomResourceOptions = {},
): { release: docker.Container; released: pulumi.Output<string> } {
    // Folders the release writes though they belong to the build (a release script's collectstatic): a throwaway tmpfs, the app user's.
    const user = String(hardening.user ?? "").split(":");
    const scratch = hardening.readOnly && step.scratch !== undefined && step.scratch.length > 0
        ? Object.fromEntries(step.scratch.map((p) => [p, `rw,nosuid,nodev,size=1g,uid=${user[0]},gid=${user[1] ?? user[0]},mode=0755`]))
        : undefined;
    const release = new docker.Container(
        `${name}-release`,
        {
            image: imageId,
            command: [...step.command],
            workingDir: step.workdir,
            ...hardening,
            ...(scratch ? { tmpfs: { ...(hardening.tmpfs as Record<string, string> | undefined), ...scratch } } : {}),
            restart: "no",
            mustRun: false,
            attach: true,
            logs: true,
            labels: [{ label: "dev.pulumi-python-app.role", value: "release" }],
        },
        { parent, ...opts },
    );
    const released = pulumi.all([release.exitCode, release.containerLogs]).apply(([code, logs]) => {
        if (code !== 0) {
            const tail = (logs ?? "").trim().split("\n").slice(-20).join("\n");
            throw new pulumi.ResourceError(
                `The release step (${step.source}: ${step.command.join(" ")}) exited with ${code}; ${keepsServing}. ` +
                    `Its last output:\n${tail}\nFix the cause and run \`pulumi up\` again (with \`--replace\` on the release container to rerun it with the same image), or set \`releaseCommand\`.`,
                parent,
                true,
            );
        }
        return String(code);
    });
    return { release, released };
}
