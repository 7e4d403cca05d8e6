import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../errors";
import { Plan } from "../plan/plan";
import { healthCheckCommand, stopTimeout } from "../render/commands";
import * as v from "../validate";
import { buildPythonImage, PythonImageArgs } from "./python-image";

export type RestartPolicy = "no" | "on-failure" | "always" | "unless-stopped";

export interface PythonAppArgs extends PythonImageArgs {
    /** Host port to publish the app's port on. @default the app's `port` */
    readonly hostPort?: number;
    /** Host address to publish on. @default "127.0.0.1" (loopback only; "0.0.0.0" for every interface) */
    readonly hostIp?: string;
    /** Plain environment variables. @default {} */
    readonly env?: Record<string, pulumi.Input<string>>;
    /** Environment variables kept as Pulumi secrets. @default {} */
    readonly secretEnv?: Record<string, pulumi.Input<string>>;
    /** @default "unless-stopped" */
    readonly restart?: RestartPolicy;
    /** Size of /dev/shm in MiB, where gunicorn keeps worker heartbeats. @default 64 */
    readonly shmSizeMb?: number;
    /** Mount the root filesystem read-only (with a tmpfs at /tmp). @default true */
    readonly readOnlyRootFilesystem?: boolean;
    /** tmpfs mounts: path -> mount options. @default { "/tmp": "rw,noexec,nosuid,size=64m" } */
    readonly tmpfs?: Record<string, string>;
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

/**
 * A PythonImage plus a Docker container running it with gunicorn as a
 * non-root user, hardened by default: read-only root filesystem, all
 * capabilities dropped, no-new-privileges, a health check the engine runs,
 * and a stop timeout that lets gunicorn finish in-flight requests.
 */
export class PythonApp extends pulumi.ComponentResource {
    /** http://host:port of the published app. */
    readonly url: pulumi.Output<string>;
    readonly containerName: pulumi.Output<string>;
    readonly containerId: pulumi.Output<string>;
    /** The image the container runs (digest-pinned when pushed). */
    readonly imageRef: pulumi.Output<string>;
    readonly dockerfile: pulumi.Output<string>;
    readonly plan: Plan;
    readonly container: docker.Container;

    constructor(name: string, args: PythonAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-python-app:index:PythonApp", name, {}, opts);
        const {
            hostPort, hostIp, env, secretEnv, restart, shmSizeMb, readOnlyRootFilesystem, tmpfs, dropCapabilities,
            addCapabilities, noNewPrivileges, memoryMb, cpus, networks, containerLabels, waitForHealthy, ...imageArgs
        } = args ?? ({} as PythonAppArgs);

        // Validate the container's own args before anything is synthesized or built.
        const c = checkContainerArgs({
            hostPort, hostIp, env, secretEnv, restart, shmSizeMb, readOnlyRootFilesystem, tmpfs, dropCapabilities,
            addCapabilities, noNewPrivileges, memoryMb, cpus, containerLabels, waitForHealthy,
        });

        const built = buildPythonImage(name, imageArgs, this);
        const plan = built.plan;
        this.plan = plan;
        this.dockerfile = pulumi.output(built.dockerfile);

        // The engine needs the image by id: pull it from the registry (by digest), or find the loaded one.
        const imageProvider = built.pushed && imageArgs.registry?.username !== undefined
            ? new docker.Provider(
                  `${name}-docker`,
                  {
                      registryAuth: [
                          {
                              address: imageArgs.registry.server,
                              username: imageArgs.registry.username,
                              password: pulumi.secret(imageArgs.registry.password!),
                          },
                      ],
                  },
                  { parent: this },
              )
            : undefined;
        const ref = built.pushed ? built.image.ref : pulumi.output(built.localTag!);
        const local = new docker.RemoteImage(
            `${name}-pull`,
            {
                name: ref,
                keepLocally: true,
                // A local image keeps its tag across builds: a new digest must replace the container.
                triggers: { digest: built.image.digest },
            },
            { parent: this, provider: imageProvider },
        );

        const port = plan.server.port;
        const publishedPort = c.hostPort ?? port;
        const probe = healthCheckCommand(plan);
        const envs = pulumi
            .all([pulumi.output(c.env), pulumi.secret(c.secretEnv)])
            .apply(([plain, secret]) => [...toEnvList(plain), ...toEnvList(secret)]);

        this.container = new docker.Container(
            `${name}-container`,
            {
                image: local.imageId,
                ports: [{ internal: port, external: publishedPort, ip: c.hostIp }],
                envs: Object.keys(c.secretEnv).length > 0 ? pulumi.secret(envs) : envs,
                user: `${plan.user.uid}:${plan.user.gid}`,
                restart: c.restart,
                shmSize: c.shmSizeMb,
                readOnly: c.readOnlyRootFilesystem,
                tmpfs: c.readOnlyRootFilesystem || Object.keys(c.tmpfs).length > 0 ? c.tmpfs : undefined,
                capabilities: { drops: c.dropCapabilities, adds: c.addCapabilities.length > 0 ? c.addCapabilities : undefined },
                securityOpts: c.noNewPrivileges ? ["no-new-privileges:true"] : undefined,
                memory: c.memoryMb,
                // No swap beyond the limit; also, left unset, the engine reports 2x memory and every preview shows a diff.
                memorySwap: c.memoryMb,
                cpus: c.cpus === undefined ? undefined : String(c.cpus),
                networksAdvanced: networks && networks.length > 0 ? networks.map((n) => ({ name: n })) : undefined,
                labels: Object.entries(c.containerLabels).map(([label, value]) => ({ label, value })),
                healthcheck: probe
                    ? { tests: ["CMD", ...probe], interval: "10s", timeout: "5s", startPeriod: "20s", retries: 3 }
                    : undefined,
                stopSignal: "SIGTERM",
                stopTimeout: stopTimeout(plan),
                destroyGraceSeconds: stopTimeout(plan),
                wait: probe !== undefined && c.waitForHealthy !== false,
                waitTimeout: probe !== undefined ? 90 : undefined,
                mustRun: true,
            },
            { parent: this },
        );

        const urlHost = c.hostIp === "0.0.0.0" ? "127.0.0.1" : c.hostIp.includes(":") ? `[${c.hostIp}]` : c.hostIp;
        this.url = pulumi.output(`http://${urlHost}:${publishedPort}`);
        this.containerName = this.container.name;
        this.containerId = this.container.id;
        this.imageRef = ref;
        this.registerOutputs({
            url: this.url,
            containerName: this.containerName,
            containerId: this.containerId,
            imageRef: this.imageRef,
            dockerfile: this.dockerfile,
        });
    }
}

function toEnvList(env: Record<string, string>): string[] {
    return Object.keys(env)
        .sort()
        .map((k) => `${k}=${env[k]}`);
}

interface CheckedContainerArgs {
    hostPort?: number;
    hostIp: string;
    env: Record<string, pulumi.Input<string>>;
    secretEnv: Record<string, pulumi.Input<string>>;
    restart: RestartPolicy;
    shmSizeMb: number;
    readOnlyRootFilesystem: boolean;
    tmpfs: Record<string, string>;
    dropCapabilities: string[];
    addCapabilities: string[];
    noNewPrivileges: boolean;
    memoryMb?: number;
    cpus?: number;
    containerLabels: Record<string, string>;
    waitForHealthy?: boolean;
}

function checkContainerArgs(a: Partial<PythonAppArgs>): CheckedContainerArgs {
    const hostPort = a.hostPort === undefined ? undefined : v.integer("`hostPort`", a.hostPort, 1, 65535, "Use a free TCP port on the host, such as 8080.");
    const hostIp = a.hostIp === undefined ? "127.0.0.1" : v.matches("`hostIp`", a.hostIp, /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]+)$/, "an IPv4 or IPv6 address such as \"127.0.0.1\" or \"0.0.0.0\"");
    const env = checkEnv("`env`", a.env);
    const secretEnv = checkEnv("`secretEnv`", a.secretEnv);
    for (const k of Object.keys(secretEnv)) {
        if (k in env) {
            throw new InputError("`secretEnv`", `\`${k}\` is in both \`env\` and \`secretEnv\`; keep it in one.`);
        }
    }
    const restarts: RestartPolicy[] = ["no", "on-failure", "always", "unless-stopped"];
    if (a.restart !== undefined && !restarts.includes(a.restart)) {
        throw new InputError("`restart`", `\`restart\` is ${JSON.stringify(a.restart)}; it must be one of ${restarts.map((r) => `"${r}"`).join(", ")}.`);
    }
    const shmSizeMb = a.shmSizeMb === undefined ? 64 : v.integer("`shmSizeMb`", a.shmSizeMb, 1, 1048576, "It is /dev/shm's size in MiB; gunicorn needs a few MiB.");
    const readOnly = bool("`readOnlyRootFilesystem`", a.readOnlyRootFilesystem, true);
    let tmpfs: Record<string, string> = readOnly ? { "/tmp": "rw,noexec,nosuid,size=64m" } : {};
    if (a.tmpfs !== undefined) {
        if (a.tmpfs === null || typeof a.tmpfs !== "object" || Array.isArray(a.tmpfs)) {
            throw new InputError("`tmpfs`", "`tmpfs` must be an object of mount paths to options, e.g. { \"/tmp\": \"size=64m\" }.");
        }
        tmpfs = {};
        for (const p of Object.keys(a.tmpfs).sort()) {
            v.matches("`tmpfs` path", p, TMPFS_PATH, "an absolute path such as /tmp");
            tmpfs[p] = v.matches(`\`tmpfs["${p}"]\``, a.tmpfs[p], TMPFS_OPTIONS, "mount options such as \"rw,size=64m\"");
        }
    }
    const drops = v.stringList("`dropCapabilities`", a.dropCapabilities ?? ["ALL"], CAPABILITY, "a capability name such as NET_RAW or ALL");
    const adds = v.stringList("`addCapabilities`", a.addCapabilities, CAPABILITY, "a capability name such as NET_BIND_SERVICE");
    const noNewPrivileges = bool("`noNewPrivileges`", a.noNewPrivileges, true);
    const memoryMb = a.memoryMb === undefined ? undefined : v.integer("`memoryMb`", a.memoryMb, 6, 1048576, "Docker needs at least 6 MiB.");
    let cpus: number | undefined;
    if (a.cpus !== undefined) {
        if (typeof a.cpus !== "number" || !Number.isFinite(a.cpus) || a.cpus <= 0 || a.cpus > 1024) {
            throw new InputError("`cpus`", `\`cpus\` is ${v.describe(a.cpus)}; it must be a number of CPUs above 0, such as 0.5 or 2.`);
        }
        cpus = a.cpus;
    }
    const containerLabels: Record<string, string> = {};
    if (a.containerLabels !== undefined) {
        if (a.containerLabels === null || typeof a.containerLabels !== "object" || Array.isArray(a.containerLabels)) {
            throw new InputError("`containerLabels`", "`containerLabels` must be an object of label names to strings.");
        }
        for (const k of Object.keys(a.containerLabels).sort()) {
            v.matches("`containerLabels` key", k, /^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "a label name such as com.example.team");
            containerLabels[k] = v.string(`\`containerLabels.${k}\``, a.containerLabels[k]);
        }
    }
    const waitForHealthy = a.waitForHealthy === undefined ? undefined : bool("`waitForHealthy`", a.waitForHealthy, true);
    return {
        hostPort, hostIp, env, secretEnv, restart: a.restart ?? "unless-stopped", shmSizeMb, readOnlyRootFilesystem: readOnly, tmpfs,
        dropCapabilities: drops, addCapabilities: adds, noNewPrivileges, memoryMb, cpus, containerLabels, waitForHealthy,
    };
}

function checkEnv(argument: string, env: Record<string, pulumi.Input<string>> | undefined): Record<string, pulumi.Input<string>> {
    if (env === undefined) {
        return {};
    }
    if (env === null || typeof env !== "object" || Array.isArray(env)) {
        throw new InputError(argument, `${argument} must be an object of variable names to values.`);
    }
    const out: Record<string, pulumi.Input<string>> = {};
    for (const k of Object.keys(env).sort()) {
        v.matches(`${argument} name`, k, v.ENV_NAME, "an environment variable name (letters, digits, _; not starting with a digit)");
        out[k] = env[k]; // values go to the engine's API, not to a Dockerfile or a shell
    }
    return out;
}

function bool(argument: string, value: unknown, dflt: boolean): boolean {
    if (value === undefined) {
        return dflt;
    }
    if (typeof value !== "boolean") {
        throw new InputError(argument, `${argument} must be true or false, not ${v.describe(value)}.`);
    }
    return value;
}
