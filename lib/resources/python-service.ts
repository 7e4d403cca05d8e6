import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../errors";
import { Plan } from "../plan/plan";
import { gunicornCommand, healthCheckCommand, healthCheckTimingSpec, stopTimeout } from "../render/commands";
import * as v from "../validate";
import { CheckedContainerArgs, checkContainerArgs, containerEnvs, PythonAppArgs, releaseContainer, scratchTmpfs } from "./python-app";
import { ComponentInternals } from "./internals";
import { asResourceError, checkedPythonImage, PythonImage } from "./python-image";

/**
 * How a Swarm service's tasks are reached by name. "vip": one virtual IP
 * that the kernel's IPVS balances over the tasks (Docker's default, and the
 * routing mesh for published ports). "dnsrr": the service name resolves to
 * the tasks' own addresses (round-robin DNS), for a load balancer of your own
 * and for kernels without IPVS.
 */
export const EndpointMode = {
    /** A virtual IP balanced over the tasks by IPVS (Docker's default). */
    Vip: "vip",
    /** Round-robin DNS: the name resolves to the tasks' own addresses. */
    Dnsrr: "dnsrr",
} as const;
export type EndpointMode = (typeof EndpointMode)[keyof typeof EndpointMode];

/**
 * How `hostPort` is published. "ingress": on every node of the swarm,
 * through the routing mesh (needs IPVS; not with "dnsrr"). "host": on the
 * node a task runs on, straight to that task (one task per node and port).
 */
export const PublishMode = {
    /** On every node, through the routing mesh (Docker's default). */
    Ingress: "ingress",
    /** On the node each task runs on, straight to that task. */
    Host: "host",
} as const;
export type PublishMode = (typeof PublishMode)[keyof typeof PublishMode];

export interface PythonServiceArgs extends PythonAppArgs {
    /** Tasks (containers) the service runs. @default 2 */
    readonly replicas?: number;
    /** How the service's name resolves (see EndpointMode). @default "vip" */
    readonly endpointMode?: EndpointMode;
    /** How `hostPort` is published (see PublishMode); only with `hostPort`. @default "ingress" */
    readonly publishMode?: PublishMode;
    /** Tasks replaced at once during a rolling update. @default 1 */
    readonly updateParallelism?: number;
    /**
     * Seconds Swarm watches each updated task (already healthy: a task only
     * counts as running once its health check passes) before it moves on; a
     * task failing in that time rolls the update back. @default 30
     */
    readonly updateMonitorSeconds?: number;
    /**
     * Seconds `pulumi up` waits for the service to converge (every task
     * running and healthy; after an update, the update completed) before it
     * fails. @default 300
     */
    readonly convergeTimeoutSeconds?: number;
}

/** Where Swarm mounts a task's secrets, one file per secret. */
export const SWARM_SECRETS_DIR = "/run/secrets";

/**
 * Exports each secret file of /run/secrets as an environment variable of the
 * same name, then runs the image's command: the app reads its secrets from
 * os.environ as under PythonApp, while the service spec and `docker inspect`
 * carry only the secrets' names. The names were checked as variable names;
 * the value keeps its trailing newlines (the `x` guard).
 */
const SECRETS_TO_ENV = [
    `for f in ${SWARM_SECRETS_DIR}/*; do`,
    '  [ -f "$f" ] || continue',
    '  v=$(cat "$f"; printf x) || exit 1',
    '  export "${f##*/}=${v%x}"',
    "done",
    'exec "$@"',
].join("\n");

/** Label put on every Swarm object the component creates. */
const COMPONENT_LABEL = "dev.pulumi-python-app.component";

const TMPFS_SIZE = /^size=(\d+)([kmg]?)$/;
const TMPFS_ALLOWED = new Set(["rw", "noexec", "nosuid", "nodev"]);
const DEFAULT_TMP_BYTES = 64 * 1024 * 1024;

/** PythonService's getters read these; fields would be outputs (see ComponentInternals). */
interface Internals {
    readonly image: PythonImage;
    readonly service: docker.Service;
    readonly network?: docker.Network;
    readonly secrets: docker.Secret[];
    readonly release?: docker.Container;
}
const internals = new ComponentInternals<PythonService, Internals>("PythonService");

/**
 * A PythonImage run as a Docker Swarm service: `replicas` tasks, each with
 * PythonApp's hardening where a service spec can say it (read-only root,
 * capabilities dropped, tmpfs at /tmp and /dev/shm, the app's non-root user,
 * a stop grace period after gunicorn's graceful timeout, resource limits);
 * a rolling update that starts each new task before stopping an old one,
 * gated on the image's health check, rolled back automatically when a new
 * task does not become healthy; and `up` waits until the service converged
 * (or fails saying it rolled back). `secretEnv` entries are Swarm secrets,
 * exported as environment variables when the task starts. The image is
 * pulled by digest from `registry` (a Swarm node cannot use another engine's
 * local image).
 *
 * The service runs on the engine of the docker provider (`docker:host`), which
 * must be a Swarm manager. PythonApp options that Swarm cannot honour fail at
 * construction (so in `pulumi preview`) with an InputError naming the option
 * and the fix: no `registry`, `healthCheck: false`, `noNewPrivileges: true`
 * (a daemon-wide `dockerd --no-new-privileges` instead), `hostIp`, data paths
 * and `volumes`/`retainVolumes`, tmpfs options other than size/rw/noexec/
 * nosuid/nodev, and `hostPort` with `endpointMode: "dnsrr"` unless `publishMode: "host"`.
 */
export class PythonService extends pulumi.ComponentResource {
    /** The Swarm service's id. */
    readonly serviceId: pulumi.Output<string>;
    /** The Swarm service's name: `<name>` and `tasks.<name>` resolve on its network. */
    readonly serviceName: pulumi.Output<string>;
    /** The overlay network the tasks are attached to: the one created, else the first of `networks`. */
    readonly networkName: pulumi.Output<string>;
    /** `<serviceName>:<port>`: where a proxy on the service's network reaches the app. */
    readonly address: pulumi.Output<string>;
    /** The image the tasks run, pinned to its digest. */
    readonly imageRef: pulumi.Output<string>;
    /** The synthesized Dockerfile. */
    readonly dockerfile: pulumi.Output<string>;
    /** What was detected and decided, as the JSON text `synth --plan` prints. */
    readonly planJson: pulumi.Output<string>;

    /** What was detected and decided. */
    get plan(): Plan {
        return internals.get(this).image.plan;
    }
    /** The PythonImage the service runs. */
    get image(): PythonImage {
        return internals.get(this).image;
    }
    /** The docker Service. */
    get service(): docker.Service {
        return internals.get(this).service;
    }
    /** The overlay network created for the service, unless `networks` was given. */
    get network(): docker.Network | undefined {
        return internals.get(this).network;
    }
    /** One Swarm secret per `secretEnv` entry, in the order of their names. */
    get secrets(): docker.Secret[] {
        return internals.get(this).secrets;
    }
    /** The container that ran the release step, when there is one. */
    get release(): docker.Container | undefined {
        return internals.get(this).release;
    }

    constructor(name: string, args: PythonServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-python-app:index:PythonService", name, {}, opts);
        const {
            replicas, endpointMode, publishMode, updateParallelism, updateMonitorSeconds, convergeTimeoutSeconds,
            hostPort, hostIp, env, secretEnv, restart, shmSizeMb, readOnlyRootFilesystem, tmpfs, volumes, retainVolumes, dropCapabilities,
            addCapabilities, noNewPrivileges, memoryMb, cpus, networks, containerLabels, waitForHealthy, ...imageArgs
        } = args ?? ({} as PythonServiceArgs);

        // Every option is checked before anything is synthesized or built.
        const c = asResourceError(this, () =>
            checkContainerArgs({
                hostPort, hostIp, env, secretEnv, restart, shmSizeMb, readOnlyRootFilesystem, tmpfs, volumes, retainVolumes, dropCapabilities,
                addCapabilities, noNewPrivileges, memoryMb, cpus, containerLabels, waitForHealthy, healthCheck: imageArgs.healthCheck,
            }),
        );
        const s = asResourceError(this, () =>
            checkServiceArgs(args, { replicas, endpointMode, publishMode, updateParallelism, updateMonitorSeconds, convergeTimeoutSeconds }),
        );

        const image = checkedPythonImage(name, imageArgs, { parent: this }, checkPlan);
        const plan = image.plan;
        if (c.memoryMb !== undefined) {
            void pulumi.log.info(`memoryMb: a Swarm service limits memory, not swap; a task may also use up to ${c.memoryMb} MiB of swap where the node has swap.`, this);
        }
        const probe = healthCheckCommand(plan)!;
        const port = plan.server.port;
        const labels = { [COMPONENT_LABEL]: name };

        // The tasks' network: an attachable overlay of our own (a proxy container can join it), or the named ones.
        const network =
            networks && networks.length > 0
                ? undefined
                : new docker.Network(
                      `${name}-network`,
                      { driver: "overlay", attachable: true, labels: Object.entries(labels).map(([label, value]) => ({ label, value })) },
                      { parent: this },
                  );
        const named = network ? [] : networks!.map((n) => docker.getNetworkOutput({ name: n }, { parent: this }));
        const networkIds: pulumi.Input<string>[] = network ? [network.id] : named.map((n) => n.id);
        const networkName = network ? network.name : pulumi.output(networks![0]);

        // A proxy reaches the tasks from the service's network: trust its X-Forwarded-* headers from there.
        const envWithProxy: Record<string, pulumi.Input<string>> = { ...c.env };
        if (plan.server.forwardedAllowIps === undefined && !("FORWARDED_ALLOW_IPS" in c.env) && !("FORWARDED_ALLOW_IPS" in c.secretEnv)) {
            const ipam = network ? network.ipamConfigs : named[0].ipamConfigs;
            envWithProxy.FORWARDED_ALLOW_IPS = pulumi.output(ipam).apply(
                (configs) => (configs ?? []).map((x) => x.subnet).filter((x): x is string => !!x).join(",") || "127.0.0.1",
            );
        }

        // One Swarm secret per secretEnv entry (the value base64, as the API takes it); a new value is a new secret.
        const secretNames = Object.keys(c.secretEnv).sort();
        const secrets = secretNames.map(
            (k) =>
                new docker.Secret(
                    `${name}-secret-${k.toLowerCase().replace(/_/g, "-")}`,
                    {
                        data: pulumi.secret(pulumi.output(c.secretEnv[k]).apply((value) => Buffer.from(value, "utf8").toString("base64"))),
                        labels: [
                            { label: COMPONENT_LABEL, value: name },
                            { label: "dev.pulumi-python-app.env", value: k },
                        ],
                    },
                    { parent: this },
                ),
        );

        // Mounts: tmpfs at /tmp (or `tmpfs`), the app's scratch paths, and /dev/shm (a service has no shm size).
        const tmpfsMounts: Record<string, number> = {};
        for (const [target, options] of Object.entries(c.tmpfs)) {
            tmpfsMounts[target] = tmpfsBytes(target, options);
        }
        if (c.readOnlyRootFilesystem) {
            for (const w of plan.writablePaths.filter((p) => p.kind === "scratch")) {
                tmpfsMounts[w.path] ??= DEFAULT_TMP_BYTES;
            }
        }
        tmpfsMounts["/dev/shm"] ??= c.shmSizeMb * 1024 * 1024;
        // No `mode`: the provider reads it back without the sticky bit and would show a diff on every preview (the kernel's default is 1777).
        const mounts = Object.entries(tmpfsMounts)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([target, sizeBytes]) => ({ type: "tmpfs", target, tmpfsOptions: { sizeBytes } }));

        // The release step (migrations): the new image on the same engine, before the service is updated.
        let released: pulumi.Output<string> | undefined;
        let release: docker.Container | undefined;
        if (plan.release) {
            ({ release, released } = releaseStep(this, name, plan, image, c, envWithProxy, network?.name ?? networks![0]));
        }

        const auth = image.pullAuth;
        const service = new docker.Service(
            `${name}-service`,
            {
                auth: auth ? { serverAddress: auth.address, username: auth.username, password: auth.password } : undefined,
                mode: { replicated: { replicas: s.replicas } },
                endpointSpec: {
                    mode: s.endpointMode,
                    ports: c.hostPort !== undefined ? [{ targetPort: port, publishedPort: c.hostPort, publishMode: s.publishMode, protocol: "tcp" }] : undefined,
                },
                labels: [
                    ...Object.entries(labels).map(([label, value]) => ({ label, value })),
                    // Waits for the release step: a failed one stops here, before the running tasks are replaced.
                    ...(released ? [{ label: "dev.pulumi-python-app.release-exit-code", value: released }] : []),
                ],
                taskSpec: {
                    containerSpec: {
                        image: image.ref,
                        ...(secrets.length > 0 ? { commands: ["/bin/sh", "-c", SECRETS_TO_ENV, "secrets-to-env"], args: gunicornCommand(plan) } : {}),
                        user: `${plan.user.uid}:${plan.user.gid}`,
                        env: envWithProxy,
                        readOnly: c.readOnlyRootFilesystem,
                        capDrops: c.dropCapabilities,
                        capAdds: c.addCapabilities.length > 0 ? c.addCapabilities : undefined,
                        mounts,
                        secrets: secrets.map((secret, i) => ({
                            secretId: secret.id,
                            secretName: secret.name,
                            fileName: secretNames[i],
                            fileUid: String(plan.user.uid),
                            fileGid: String(plan.user.gid),
                            fileMode: 0o400,
                        })),
                        healthcheck: { tests: ["CMD", ...probe], ...healthCheckTimingSpec() },
                        stopSignal: "SIGTERM",
                        stopGracePeriod: goDuration(stopTimeout(plan)),
                        labels: Object.entries(c.containerLabels).map(([label, value]) => ({ label, value })),
                    },
                    resources:
                        c.memoryMb !== undefined || c.cpus !== undefined
                            ? { limits: { memoryBytes: c.memoryMb !== undefined ? c.memoryMb * 1024 * 1024 : undefined, nanoCpus: c.cpus !== undefined ? Math.round(c.cpus * 1e9) : undefined } }
                            : undefined,
                    // window: Swarm reports "0s" when unset; sent, a second `up` sees no change.
                    restartPolicy: { condition: RESTART_CONDITIONS[c.restart], delay: "5s", window: "0s" },
                    networksAdvanceds: networkIds.map((id) => ({ id })),
                },
                updateConfig: {
                    parallelism: s.updateParallelism,
                    delay: "0s",
                    order: "start-first",
                    failureAction: "rollback",
                    monitor: goDuration(s.updateMonitorSeconds),
                    maxFailureRatio: "0.0",
                },
                rollbackConfig: {
                    parallelism: 0,
                    delay: "0s",
                    order: "start-first",
                    failureAction: "pause",
                    monitor: "10s",
                    maxFailureRatio: "0.0",
                },
                // `up` waits for convergence: the provider fails it when Swarm rolled the update back.
                convergeConfig: c.waitForHealthy === false ? undefined : { delay: "5s", timeout: goDuration(s.convergeTimeoutSeconds) },
            },
            { parent: this, dependsOn: release ? [release] : [] },
        );

        internals.set(this, { image, service, network, secrets, release });
        this.serviceId = service.id;
        this.serviceName = service.name;
        this.networkName = networkName;
        this.address = pulumi.interpolate`${service.name}:${port}`;
        this.imageRef = image.ref;
        this.dockerfile = image.dockerfile;
        this.planJson = image.planJson;
        this.registerOutputs({
            serviceId: this.serviceId,
            serviceName: this.serviceName,
            networkName: this.networkName,
            address: this.address,
            imageRef: this.imageRef,
            dockerfile: this.dockerfile,
            planJson: this.planJson,
        });
    }
}

/** PythonApp's restart policies as Swarm restart conditions. */
const RESTART_CONDITIONS: Record<string, string> = {
    "no": "none",
    "on-failure": "on-failure",
    "always": "any",
    "unless-stopped": "any",
};

interface CheckedServiceArgs {
    replicas: number;
    endpointMode: EndpointMode;
    publishMode: PublishMode;
    updateParallelism: number;
    updateMonitorSeconds: number;
    convergeTimeoutSeconds: number;
}

/** The service's own options, and the PythonApp options a Swarm service cannot honour. */
function checkServiceArgs(args: PythonServiceArgs, a: Partial<PythonServiceArgs>): CheckedServiceArgs {
    const replicas = a.replicas === undefined ? 2 : v.integer("`replicas`", a.replicas, 1, 100, "Run at least 1 task; 2 or more keep serving during an update and a task's failure.");
    const endpointMode = a.endpointMode === undefined ? EndpointMode.Vip : v.oneOf("`endpointMode`", a.endpointMode, Object.values(EndpointMode));
    const publishMode = a.publishMode === undefined ? PublishMode.Ingress : v.oneOf("`publishMode`", a.publishMode, Object.values(PublishMode));
    const updateParallelism = a.updateParallelism === undefined ? 1 : v.integer("`updateParallelism`", a.updateParallelism, 1, 100, "It is how many tasks an update replaces at once.");
    const updateMonitorSeconds =
        a.updateMonitorSeconds === undefined ? 30 : v.integer("`updateMonitorSeconds`", a.updateMonitorSeconds, 0, 3600, "It is how long Swarm watches each updated task, in seconds.");
    const convergeTimeoutSeconds =
        a.convergeTimeoutSeconds === undefined
            ? 300
            : v.integer("`convergeTimeoutSeconds`", a.convergeTimeoutSeconds, 10, 86400, "It is how long `pulumi up` waits for the service to converge, in seconds.");

    if (args.registry === undefined) {
        throw new InputError(
            "`registry`",
            "PythonService needs a `registry`: Swarm tasks pull their image by digest from a registry, and cannot use an image that only exists in one engine's local store. " +
                'Set `registry: { server: "registry.example:5000", username, password }`.',
        );
    }
    if (args.push === false) {
        throw new InputError("`push`", "`push` is false, but Swarm tasks pull their image from the registry; remove `push: false`.");
    }
    if (args.healthCheck === false) {
        throw new InputError(
            "`healthCheck`",
            "`healthCheck` is false, but a PythonService's rolling updates and their automatic rollback are gated on the image's health check; remove `healthCheck: false` (set `healthCheckPath` to a path that answers below 500).",
        );
    }
    if (args.noNewPrivileges === true) {
        throw new InputError(
            "`noNewPrivileges`",
            "`noNewPrivileges` cannot be set on a Swarm service (its spec has no such option); remove it and start the engines with `dockerd --no-new-privileges`, which applies it to every task.",
        );
    }
    if (args.hostIp !== undefined) {
        if (args.hostPort === undefined) {
            throw new InputError("`hostIp`", "`hostIp` is set without `hostPort`; a PythonService publishes nothing unless `hostPort` is set. Remove `hostIp`.");
        }
        if (args.hostIp !== "0.0.0.0") {
            throw new InputError(
                "`hostIp`",
                `\`hostIp\` is ${JSON.stringify(args.hostIp)}, but Swarm publishes a service's ports on every interface; remove \`hostIp\` (or set "0.0.0.0"), ` +
                    "or publish nothing and put a proxy on the service's network that forwards to `tasks.<serviceName>` (the `address` output).",
            );
        }
    }
    if (args.hostPort !== undefined && endpointMode === EndpointMode.Dnsrr && publishMode === PublishMode.Ingress) {
        throw new InputError(
            "`publishMode`",
            '`hostPort` is published in "ingress" mode (the default), which Swarm refuses with `endpointMode: "dnsrr"` ("port published with ingress mode can\'t be used with dnsrr mode"); ' +
                'set `publishMode: "host"`, or use `endpointMode: "vip"`, or remove `hostPort` and put a proxy on the service\'s network.',
        );
    }
    if (args.publishMode !== undefined && args.hostPort === undefined) {
        throw new InputError("`publishMode`", "`publishMode` is set without `hostPort`; it says how `hostPort` is published. Remove it, or set `hostPort`.");
    }
    if (args.volumes !== undefined || args.retainVolumes !== undefined) {
        const arg = args.volumes !== undefined ? "`volumes`" : "`retainVolumes`";
        throw new InputError(
            arg,
            `${arg} is set, but a PythonService mounts no volumes: a named volume is local to one node, and its replicas (and the old and new task during an update) would share it. ` +
                `Remove ${arg} and keep the app's data in a database or object store.`,
        );
    }
    if (args.tmpfs !== undefined) {
        for (const [target, options] of Object.entries(args.tmpfs)) {
            tmpfsBytes(target, options);
        }
    }
    return { replicas, endpointMode, publishMode, updateParallelism, updateMonitorSeconds, convergeTimeoutSeconds };
}

/** What the plan decided that a service cannot do: data paths (volumes). */
function checkPlan(plan: Plan): void {
    const data = plan.writablePaths.filter((w) => w.kind === "data");
    if (data.length > 0) {
        throw new InputError(
            "`writablePaths`",
            `The app has data paths (${data.map((w) => w.path).join(", ")}), which PythonApp keeps on named volumes, but a volume is local to one node and a PythonService's replicas would share it. ` +
                'Keep the data in a database or object store and declare those paths "scratch" in `writablePaths` (a tmpfs per task), or use PythonApp.',
        );
    }
}

/** A tmpfs's size in bytes from PythonApp-style options ("rw,noexec,nosuid,size=64m"); a service's tmpfs takes only a size. */
function tmpfsBytes(target: string, options: string): number {
    let bytes = DEFAULT_TMP_BYTES;
    for (const o of options.split(",").filter(Boolean)) {
        const m = TMPFS_SIZE.exec(o);
        if (m) {
            bytes = Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2] as "" | "k" | "m" | "g"];
        } else if (!TMPFS_ALLOWED.has(o)) {
            throw new InputError(
                "`tmpfs`",
                `\`tmpfs.${target}\` has the option ${JSON.stringify(o)}, which a Swarm service's tmpfs cannot take (only a size; Docker mounts it rw,noexec,nosuid,nodev); ` +
                    'keep only "size=<n>[k|m|g]" (and rw, noexec, nosuid, nodev).',
            );
        }
    }
    return bytes;
}

/**
 * A duration as the docker provider reads a service's durations back (Go's
 * Duration.String() with a trailing "0s"/"0m" trimmed), so a second `up` sees
 * no change: 35 -> "35s", 60 -> "1m", 65 -> "1m5s", 3600 -> "1h".
 */
export function goDuration(seconds: number): string {
    if (seconds === 0) {
        return "0s";
    }
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const sec = seconds % 60;
    let out = "";
    if (h > 0) {
        out += `${h}h`;
    }
    if (h > 0 || m > 0) {
        out += `${m}m`;
    }
    out += `${sec}s`;
    return out.replace(/m0s$/, "m").replace(/h0m$/, "h");
}

/**
 * The release step: one container with the new image on the service's engine
 * (`docker:host`) and network, the same user, environment (secrets as plain
 * environment entries, kept Pulumi secrets) and hardening; the service waits
 * for it and is not updated when it fails.
 */
function releaseStep(
    parent: PythonService,
    name: string,
    plan: Plan,
    image: PythonImage,
    c: CheckedContainerArgs,
    env: Record<string, pulumi.Input<string>>,
    network: pulumi.Input<string>,
): { release: docker.Container; released: pulumi.Output<string> } {
    const step = plan.release!;
    const auth = image.pullAuth;
    // An explicit provider does not read the stack's docker:host: pass it on, so the pull and the step run on the service's engine.
    const provider = new docker.Provider(
        `${name}-docker`,
        { host: new pulumi.Config("docker").get("host"), registryAuth: auth ? [{ address: auth.address, username: auth.username, password: auth.password }] : undefined },
        { parent },
    );
    const local = new docker.RemoteImage(`${name}-pull`, { name: image.ref, keepLocally: true }, { parent, provider });
    const tmpfs: Record<string, string> = { ...c.tmpfs };
    if (c.readOnlyRootFilesystem) {
        Object.assign(tmpfs, { ...scratchTmpfs(plan), ...tmpfs });
    }
    const hardening = {
        user: `${plan.user.uid}:${plan.user.gid}`,
        envs: containerEnvs(env, c.secretEnv),
        readOnly: c.readOnlyRootFilesystem,
        tmpfs: Object.keys(tmpfs).length > 0 ? tmpfs : undefined,
        capabilities: { drops: c.dropCapabilities, adds: c.addCapabilities.length > 0 ? c.addCapabilities : undefined },
        securityOpts: ["no-new-privileges:true"],
        shmSize: c.shmSizeMb,
        networksAdvanced: [{ name: network }],
    };
    return releaseContainer(parent, name, step, local.imageId, hardening, "the service was not updated, and its running tasks keep serving", { provider });
}
