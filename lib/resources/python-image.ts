import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import { ImageOptions } from "../plan/options";
import { Plan, planJson } from "../plan/plan";
import { synthesize } from "../synthesize";
import * as v from "../validate";
import { stageBuildContext } from "./build-context";
import { ComponentInternals } from "./internals";

/**
 * What the exported build cache holds (BuildKit's cache export `mode`). A
 * string-valued `as const` object: "min" and "max" type-check as well.
 */
export const CacheMode = {
    /** The layers of the image itself. */
    Min: "min",
    /** Also every builder layer (compilers, headers, installed dependencies). */
    Max: "max",
} as const;
export type CacheMode = (typeof CacheMode)[keyof typeof CacheMode];
const CACHE_MODES: readonly CacheMode[] = Object.values(CacheMode);

/**
 * The build cache export mode when `cacheMode` is unset: what a source change
 * on a cold builder needs. "min" when the source goes straight to the runner
 * (only the image's layers are used); "max" when it goes through the builder
 * (build steps or the project's install rerun there, on the builder's
 * layers). See `PythonImageArgs.cacheMode`.
 */
export function defaultCacheMode(plan: Pick<Plan, "sourceInto">): CacheMode {
    return plan.sourceInto === "builder" ? CacheMode.Max : CacheMode.Min;
}

/** The registry PythonImage pushes to, and the credentials for it. */
export interface RegistryArgs {
    /** The registry's host[:port], e.g. "123456789012.dkr.ecr.eu-west-1.amazonaws.com" or "127.0.0.1:5000". */
    readonly server: string;
    /** Repository inside the registry. @default the component's name */
    readonly repository?: string;
    /** User name to push (and pull) with; goes with `password`. @default none (anonymous, or credentials the builder already has) */
    readonly username?: pulumi.Input<string>;
    /** Password or token for `username`; kept a Pulumi secret. @default none */
    readonly password?: pulumi.Input<string>;
}

/**
 * PythonImage's args: where the app is and where the image goes, plus every
 * option of the synthesized image (ImageOptions).
 */
export interface PythonImageArgs extends ImageOptions {
    /**
     * The app's folder, relative to the Pulumi program's folder (where `pulumi`
     * runs), or absolute. A plain string: it is read before deployment.
     */
    readonly source: string;
    /**
     * Where to push. Without it the image is built into the local Docker engine
     * (no push), which is all a single-machine deploy needs.
     * @default none: load into the local engine
     */
    readonly registry?: RegistryArgs;
    /** Tags to push under the repository. @default ["latest"] */
    readonly tags?: string[];
    /** Push to the registry. @default true when `registry` is set */
    readonly push?: boolean;
    /**
     * Registry refs to import build cache from.
     * @default [`<server>/<repository>:buildcache`] when `registry` is set
     */
    readonly cacheFrom?: string[];
    /**
     * A registry ref to export the build cache to (OCI image manifest, so
     * ECR-like registries accept it; an export error does not fail the build).
     * @default `<server>/<repository>:buildcache` when `registry` is set
     */
    readonly cacheTo?: string;
    /**
     * What the exported cache holds (BuildKit's cache export `mode`).
     * "min": the layers of the image itself: the runtime packages, the venv
     * and the app, which is all a source change on a cold builder needs, and
     * costs nearly nothing to export (the image's own compressed blobs).
     * "max": also every builder layer (compilers, -dev headers, the installed
     * dependencies), so a dependency change on a cold builder skips the
     * toolchain install, at the price of compressing and pushing the
     * toolchain (hundreds of MB) on every cold build. bench/RESULTS.md has
     * the measured cost.
     * @default "min" when the source goes straight to the runner; "max" when
     * it goes through the builder (`plan.sourceInto`: build steps or the
     * project's install rerun on a source change, and need the builder's layers)
     */
    readonly cacheMode?: CacheMode;
    /** Set false to turn the default registry cache off. @default true */
    readonly cache?: boolean;
    /** Target platforms, e.g. ["linux/amd64", "linux/arm64"]; more than one needs a `registry`. @default the builder's */
    readonly platforms?: string[];
    /** A buildx builder by name (docker-container, kubernetes or remote driver). @default the provider's default */
    readonly builder?: string;
    /** Build during `pulumi preview` too (slow; catches broken builds in CI previews). @default false */
    readonly buildOnPreview?: boolean;
    /**
     * Secrets for the dependency install step only (private package indexes),
     * passed as BuildKit secrets and exposed as environment variables of that
     * step, e.g. { PIP_INDEX_URL: cfg.requireSecret("indexUrl") }. Never build
     * args: nothing of them lands in the image or its history.
     * @default {}
     */
    readonly installSecrets?: Record<string, pulumi.Input<string>>;
    /**
     * Secrets for the build steps only (collectstatic, `buildCommands`), passed
     * the same way, e.g. { DJANGO_SECRET_KEY: cfg.requireSecret("secretKey") }.
     * @default {}
     */
    readonly buildSecrets?: Record<string, pulumi.Input<string>>;
    /**
     * Path of a PEM CA bundle that the install and build steps trust, for networks whose
     * TLS is intercepted by a proxy with its own CA (e.g. "/etc/ssl/certs/ca-certificates.crt").
     * Passed to BuildKit as a secret and mounted only while installing and running build steps; it is not in the image.
     * @default none
     */
    readonly caBundle?: string;
    /**
     * The command PythonApp runs once per deploy, with the new image, before the
     * new container takes traffic (migrations), as a list of words (no shell),
     * e.g. ["python", "manage.py", "migrate", "--noinput"]; [] runs none.
     * @default the Procfile's release: line (else render.yaml's or Railway's preDeployCommand), or the commands it chains before the server, or Django's
     * `migrate` when its database is an SQLite file in the app's folder
     */
    readonly releaseCommand?: string[];
}

/** What a puller of the image needs: the registry and, when set, the credentials. */
export interface PullAuth {
    readonly address: string;
    readonly username: pulumi.Input<string>;
    readonly password: pulumi.Output<string>;
}

/**
 * A Python app's folder -> synthesized Dockerfile -> a docker-build Image,
 * pushed with a registry cache (or loaded into the local engine). Usable on
 * its own to feed Kubernetes, ECS, Cloud Run or anything that takes an image.
 *
 * Errors in the args fail at construction (so in `pulumi preview`) as a
 * ResourceError on this component, naming the argument and the fix. What
 * the plan decided and noticed is logged on the component.
 */
export class PythonImage extends pulumi.ComponentResource {
    /**
     * The image to run: `<server>/<repo>:<tag>@sha256:...` when pushed (pinned to
     * the digest, never a moving tag); the local tag when loaded into the engine.
     */
    readonly ref: pulumi.Output<string>;
    /** The manifest digest the build produced. */
    readonly digest: pulumi.Output<string>;
    /** The synthesized Dockerfile. */
    readonly dockerfile: pulumi.Output<string>;
    /** The .dockerignore applied to the build context. */
    readonly dockerignore: pulumi.Output<string>;
    /**
     * What was detected and decided (the `plan`), as 2-space indented JSON:
     * the text `pulumi-python-app synth --plan` prints. For programs in other
     * languages, which have no typed `plan`.
     */
    readonly planJson: pulumi.Output<string>;

    /** What was detected and decided. */
    get plan(): Plan {
        return imageInternals.get(this).plan;
    }
    /** Whether the image went to a registry (true) or into the local engine (false). */
    get pushed(): boolean {
        return imageInternals.get(this).pushed;
    }
    /** The registry and credentials to pull the image with, when it is pushed with credentials. */
    get pullAuth(): PullAuth | undefined {
        return imageInternals.get(this).pullAuth;
    }
    /** The underlying docker-build Image. */
    get image(): dockerBuild.Image {
        return imageInternals.get(this).image;
    }

    constructor(name: string, args: PythonImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-python-app:index:PythonImage", name, {}, opts);
        const built = asResourceError(this, () => buildPythonImage(name, args, this));
        imageInternals.set(this, built);
        this.dockerfile = pulumi.output(built.dockerfile);
        this.dockerignore = pulumi.output(built.dockerignore);
        this.planJson = pulumi.output(planJson(built.plan));
        this.digest = built.image.digest;
        this.ref = built.pushed ? built.image.ref : pulumi.output(built.localTag!);
        for (const note of built.plan.notes) {
            void pulumi.log.info(note, this);
        }
        this.registerOutputs({
            ref: this.ref,
            digest: this.digest,
            dockerfile: this.dockerfile,
            dockerignore: this.dockerignore,
            planJson: this.planJson,
        });
    }
}

/** PythonImage's getters read these; fields would be outputs (see ComponentInternals). */
const imageInternals = new ComponentInternals<PythonImage, BuiltImage>("PythonImage");

/** Runs `fn`; an InputError becomes a ResourceError on the component, so the preview shows it there without a stack trace. */
export function asResourceError<T>(resource: pulumi.Resource, fn: () => T): T {
    try {
        return fn();
    } catch (e) {
        if (e instanceof InputError) {
            throw new pulumi.ResourceError(e.message, resource, true);
        }
        throw e;
    }
}

export interface BuiltImage {
    readonly plan: Plan;
    readonly dockerfile: string;
    readonly dockerignore: string;
    readonly image: dockerBuild.Image;
    readonly pushed: boolean;
    readonly localTag?: string;
    readonly pullAuth?: PullAuth;
}

let pendingPlanCheck: ((plan: Plan) => void) | undefined;

/**
 * A PythonImage for a component that refuses some plans (PythonService: data
 * paths): `check` runs on the synthesized plan before the image registers
 * anything, so `up` builds nothing for an app the component then refuses. An
 * InputError it throws fails the PythonImage like its own checks.
 */
export function checkedPythonImage(name: string, args: PythonImageArgs, opts: pulumi.ComponentResourceOptions, check: (plan: Plan) => void): PythonImage {
    pendingPlanCheck = check;
    try {
        return new PythonImage(name, args, opts);
    } finally {
        pendingPlanCheck = undefined;
    }
}

/** Folder for generated build contexts, relative to the Pulumi project so paths do not differ between checkouts. */
export const WORK_DIR = ".pulumi-python-app";

/** Validates the args, synthesizes, stages the build context and creates the docker-build Image. */
function buildPythonImage(name: string, args: PythonImageArgs, parent: pulumi.Resource): BuiltImage {
    if (args === undefined || args === null || typeof args !== "object") {
        throw new InputError("`args`", 'PythonImage needs args, at least { source: "./app" }.');
    }
    const { source, registry, tags, push, cacheFrom, cacheTo, cacheMode, cache, platforms, builder, buildOnPreview, installSecrets, buildSecrets, caBundle, ...synthOptions } = args;
    if (pulumi.Output.isInstance(source) || typeof source !== "string") {
        throw new InputError("`source`", `\`source\` must be a plain string path known before deployment, not ${v.describe(source)}.`);
    }
    v.noControlChars("`source`", source);

    const installSecretNames = checkSecretNames("`installSecrets`", installSecrets);
    const buildSecretNames = checkSecretNames("`buildSecrets`", buildSecrets);
    const reg = checkRegistry(name, registry);
    const tagNames = v.stringList("`tags`", tags ?? ["latest"], v.TAG, 'an image tag such as "v1"');
    if (tagNames.length === 0) {
        throw new InputError("`tags`", '`tags` is empty; give at least one tag, or leave it unset for ["latest"].');
    }
    const pushFlag = v.bool("`push`", push);
    const pushed = reg !== undefined && pushFlag !== false;
    if (pushFlag === true && reg === undefined) {
        throw new InputError("`push`", "`push` is true but there is no `registry` to push to; set `registry: { server, ... }`.");
    }
    if (cacheTo !== undefined && reg === undefined) {
        throw new InputError("`cacheTo`", "`cacheTo` needs a `registry`: the build cache is exported to a registry ref. Set `registry`, or remove `cacheTo`.");
    }
    const useCache = v.bool("`cache`", cache, true) && reg !== undefined;
    const defaultCacheRef = reg ? `${reg.repo}:buildcache` : undefined;
    const fromRefs = v.stringList("`cacheFrom`", cacheFrom ?? (useCache ? [defaultCacheRef!] : []), v.IMAGE_REF, 'a registry ref such as "registry.example/app:buildcache"');
    const mode = cacheMode === undefined ? undefined : v.oneOf("`cacheMode`", cacheMode, CACHE_MODES);
    const toRef = cacheTo !== undefined ? v.matches("`cacheTo`", cacheTo, v.IMAGE_REF, 'a registry ref such as "registry.example/app:buildcache"') : useCache ? defaultCacheRef : undefined;
    const platformList = v.stringList("`platforms`", platforms, v.PLATFORM, 'a platform such as "linux/amd64"');
    if (platformList.length > 1 && !pushed) {
        throw new InputError(
            "`platforms`",
            `\`platforms\` names ${platformList.length} platforms, but without a \`registry\` to push to the image is loaded into the local engine, whose image store takes one platform; ` +
                "set `registry` (a multi-platform image is pushed as a manifest list), or give one platform.",
        );
    }
    const builderName = builder === undefined ? undefined : v.matches("`builder`", builder, /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a buildx builder name");
    const preview = v.bool("`buildOnPreview`", buildOnPreview, false);

    const caPem = readCaBundle(caBundle);
    const synth = synthesize(source, {
        ...synthOptions,
        installSecrets: installSecretNames,
        buildSecrets: buildSecretNames,
        caBundle: caPem !== undefined,
    });
    const check = pendingPlanCheck;
    pendingPlanCheck = undefined;
    check?.(synth.plan);

    const contextDir = path.join(WORK_DIR, safeName(name), "context");
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, ".gitignore"), "# Generated build contexts of pulumi-python-app\n*\n");
    stageBuildContext(source, synth.dockerignore, contextDir);

    const localTag = `pulumi-python-app/${safeName(name).toLowerCase()}:${tagNames[0]}`;
    const fullTags = reg ? tagNames.map((t) => `${reg.repo}:${t}`) : [localTag];

    const secrets: Record<string, pulumi.Input<string>> = {};
    for (const n of installSecretNames) {
        secrets[n] = pulumi.secret(installSecrets![n]);
    }
    for (const n of buildSecretNames) {
        if (n in secrets) {
            throw new InputError("`buildSecrets`", `\`${n}\` is in both \`installSecrets\` and \`buildSecrets\`; a build secret has one name for both uses, keep it in one.`);
        }
        secrets[n] = pulumi.secret(buildSecrets![n]);
    }
    if (caPem !== undefined) {
        secrets["ca-bundle"] = caPem;
    }

    const image = new dockerBuild.Image(
        `${name}-image`,
        {
            context: { location: contextDir.split(path.sep).join("/") },
            dockerfile: { inline: synth.dockerfile },
            tags: fullTags,
            push: pushed,
            load: !pushed,
            registries: reg?.credentials,
            cacheFrom: fromRefs.map((ref) => ({ registry: { ref } })),
            cacheTo: toRef
                ? [{ registry: { ref: toRef, mode: (mode ?? defaultCacheMode(synth.plan)) === CacheMode.Max ? dockerBuild.CacheMode.Max : dockerBuild.CacheMode.Min, imageManifest: true, ociMediaTypes: true, ignoreError: true } }]
                : undefined,
            platforms: platformList.length > 0 ? (platformList as dockerBuild.Platform[]) : undefined,
            builder: builderName ? { name: builderName } : undefined,
            buildOnPreview: preview,
            secrets: Object.keys(secrets).length > 0 ? secrets : undefined,
        },
        // A pushed image may be running elsewhere or be what a rollback needs: no deploy deletes it.
        { parent, retainOnDelete: true },
    );
    const pullAuth =
        pushed && reg?.credentials
            ? { address: reg.server, username: registry!.username!, password: pulumi.secret(pulumi.output(registry!.password!)) }
            : undefined;
    return { plan: synth.plan, dockerfile: synth.dockerfile, dockerignore: synth.dockerignore, image, pushed, localTag: pushed ? undefined : localTag, pullAuth };
}

function readCaBundle(caBundle: unknown): string | undefined {
    if (caBundle === undefined) {
        return undefined;
    }
    const file = v.string("`caBundle`", caBundle);
    let pem: string;
    try {
        pem = fs.readFileSync(file, "utf8");
    } catch {
        throw new InputError("`caBundle`", `\`caBundle\` is ${JSON.stringify(file)}, which cannot be read; give the path of a PEM CA bundle.`);
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
        throw new InputError("`caBundle`", `\`caBundle\` is ${JSON.stringify(file)}, which holds no PEM certificate ("-----BEGIN CERTIFICATE-----").`);
    }
    return pem;
}

interface CheckedRegistry {
    /** `<server>/<repository>` */
    readonly repo: string;
    readonly server: string;
    readonly credentials?: dockerBuild.types.input.RegistryArgs[];
}

function checkRegistry(name: string, registry: RegistryArgs | undefined): CheckedRegistry | undefined {
    if (registry === undefined) {
        return undefined;
    }
    if (registry === null || typeof registry !== "object") {
        throw new InputError("`registry`", '`registry` must be an object such as { server: "registry.example", username, password }.');
    }
    const server = v.matches("`registry.server`", registry.server, v.REGISTRY_HOST, 'a registry host such as "registry.example:5000" (no scheme, no path)');
    const repository = v.matches(
        "`registry.repository`",
        registry.repository ?? safeName(name).toLowerCase(),
        v.REPOSITORY,
        'a repository path such as "team/api" (lower case)',
    );
    if ((registry.password === undefined) !== (registry.username === undefined)) {
        throw new InputError(
            "`registry`",
            "`registry.username` and `registry.password` go together; set both, or neither to use the builder's own credentials.",
        );
    }
    const credentials =
        registry.username !== undefined
            ? [{ address: server, username: registry.username, password: pulumi.secret(registry.password!) }]
            : undefined;
    return { repo: `${server}/${repository}`, server, credentials };
}

/** Names of a secrets map (values are any Input<string>); names go into the Dockerfile, so they are checked. */
function checkSecretNames(argument: string, secrets: Record<string, pulumi.Input<string>> | undefined): string[] {
    return Object.keys(v.stringMap(argument, secrets, v.ENV_NAME, "an environment variable name such as PIP_INDEX_URL", (_a, value) => value));
}

/** A resource name as a folder or repository name: safe characters, plus a short hash if any were replaced. */
export function safeName(name: string): string {
    const cleaned = name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[-.]+/, "");
    if (cleaned === name && cleaned !== "") {
        return cleaned;
    }
    const hash = crypto.createHash("sha256").update(name).digest("hex").slice(0, 8);
    return `${cleaned || "app"}-${hash}`;
}
