import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The environment the end-to-end tests, the corpus runner and the bench run
 * in: scripts/infra.sh brings up the Docker engine, BuildKit, the registry
 * with credentials and the Pulumi CLI, and writes an env.sh that must be
 * sourced first. A missing part fails with the command to run.
 */

/** The repository's root. */
export const REPO = path.resolve(__dirname, "..", "..");

/** The built package (`npm run build`), which the generated Pulumi programs load. */
export const LIB = path.join(REPO, "dist", "lib");

/** scripts/infra.sh's cache folder when $PPA_CACHE is not set. */
export const DEFAULT_CACHE = "/var/cache/pulumi-python-app";

export const ENV_HINT = `run \`bash scripts/infra.sh && source \${PPA_CACHE:-${DEFAULT_CACHE}}/env.sh\` first`;

/** What env.sh provides. */
export interface Infra {
    /** The local registry, host:port. */
    registry: string;
    user: string;
    password: string;
    /** The BuildKit builder's name for docker-build. */
    builder: string;
    /** The base images infra.sh pushes to the registry. */
    bookworm: string;
    trixie: string;
    buildkitAddr: string;
    /** The uv binary infra.sh installs. */
    uv: string;
    /** infra.sh's cache folder ($PPA_CACHE). */
    cache: string;
    /** A PEM bundle for networks that intercept TLS; undefined where none is needed. */
    caBundle?: string;
    /** The second Docker engine, in swarm mode; undefined where infra.sh has not started one. */
    swarmHost?: string;
    /** The load balancer image for services on that engine. */
    lbImage?: string;
}

function notSet(names: string[]): Error {
    return new Error(`${names.join(", ")} ${names.length === 1 ? "is" : "are"} not set: ${ENV_HINT}.`);
}

/** The value of an environment variable env.sh sets; throws with the hint when it is empty. */
export function need(name: string): string {
    const v = process.env[name];
    if (!v) {
        throw notSet([name]);
    }
    return v;
}

const REQUIRED = ["PPA_REGISTRY", "PPA_REGISTRY_USER", "PPA_REGISTRY_PASSWORD", "PPA_BUILDER", "PPA_BASE_BOOKWORM", "PPA_BASE_TRIXIE", "PPA_UV"];

/** Reads env.sh's variables, naming every missing one, and checks that the package is built. */
export function loadInfra(): Infra {
    const missing = REQUIRED.filter((n) => !process.env[n]);
    if (missing.length > 0) {
        throw notSet(missing);
    }
    if (!fs.existsSync(path.join(LIB, "index.js"))) {
        throw new Error("dist/lib is missing: run `npm run build` first (the Pulumi programs load the built package).");
    }
    const env = process.env;
    return {
        registry: need("PPA_REGISTRY"),
        user: need("PPA_REGISTRY_USER"),
        password: need("PPA_REGISTRY_PASSWORD"),
        builder: need("PPA_BUILDER"),
        bookworm: need("PPA_BASE_BOOKWORM"),
        trixie: need("PPA_BASE_TRIXIE"),
        buildkitAddr: env.PPA_BUILDKIT_ADDR || env.BUILDKIT_HOST || "unix:///run/buildkit/buildkitd.sock",
        uv: need("PPA_UV"),
        cache: env.PPA_CACHE || DEFAULT_CACHE,
        caBundle: env.PPA_CA_BUNDLE || undefined,
        swarmHost: env.PPA_SWARM_HOST || undefined,
        lbImage: env.PPA_LB_IMAGE || undefined,
    };
}
