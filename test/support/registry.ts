import { Infra } from "./env";

/**
 * A client of the local registry's HTTP API (Docker Registry v2 / OCI
 * Distribution), with its Basic credentials.
 */
export type RegistryAccess = Pick<Infra, "registry" | "user" | "password">;

/** The manifest media types asked for: OCI and Docker, single-platform and lists. */
export const ACCEPT = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

export function authHeader(inf: RegistryAccess): string {
    return "Basic " + Buffer.from(`${inf.user}:${inf.password}`).toString("base64");
}

function manifestUrl(inf: RegistryAccess, repo: string, reference: string): string {
    return `http://${inf.registry}/v2/${repo}/manifests/${reference}`;
}

/** `host/repo:tag` or `host/repo@digest` of this registry as repository and reference (tag or digest). */
export function splitRef(inf: RegistryAccess, ref: string): { repo: string; reference: string } {
    const prefix = `${inf.registry}/`;
    if (!ref.startsWith(prefix)) {
        throw new Error(`${ref} is not in the registry ${inf.registry}`);
    }
    const rest = ref.slice(prefix.length);
    const at = rest.indexOf("@");
    if (at >= 0) {
        return { repo: rest.slice(0, at), reference: rest.slice(at + 1) };
    }
    const colon = rest.lastIndexOf(":");
    return { repo: rest.slice(0, colon), reference: rest.slice(colon + 1) };
}

/** The registry's answer to HEAD of a manifest: status and digest. */
export async function headManifest(inf: RegistryAccess, repo: string, reference: string): Promise<{ status: number; digest: string | null }> {
    const res = await fetch(manifestUrl(inf, repo, reference), { method: "HEAD", headers: { Authorization: authHeader(inf), Accept: ACCEPT } });
    return { status: res.status, digest: res.headers.get("docker-content-digest") };
}

/** The digest the registry serves for a reference such as `host/repo:tag`, or null when it has none. */
export async function digestOf(inf: RegistryAccess, ref: string): Promise<string | null> {
    const { repo, reference } = splitRef(inf, ref);
    const { status, digest } = await headManifest(inf, repo, reference);
    if (status === 404) {
        return null;
    }
    if (status < 200 || status >= 300) {
        throw new Error(`registry: HEAD ${ref}: HTTP ${status}`);
    }
    return digest;
}

export async function getManifest(inf: RegistryAccess, repo: string, reference: string): Promise<any> {
    const res = await fetch(manifestUrl(inf, repo, reference), { headers: { Authorization: authHeader(inf), Accept: ACCEPT } });
    if (!res.ok) {
        throw new Error(`registry: ${repo}:${reference}: HTTP ${res.status}`);
    }
    return res.json();
}

/** Deletes a tag's manifest (the registry runs with delete enabled), so the next build starts with no image and no cache there. */
export async function deleteTag(inf: RegistryAccess, repo: string, tag: string): Promise<void> {
    const { status, digest } = await headManifest(inf, repo, tag);
    if (status !== 200 || !digest) {
        return;
    }
    const res = await fetch(manifestUrl(inf, repo, digest), { method: "DELETE", headers: { Authorization: authHeader(inf) } });
    if (res.status !== 202 && res.status !== 404) {
        throw new Error(`deleting ${repo}:${tag} from the registry: HTTP ${res.status}`);
    }
}

/** Compressed size as pushed: the sum of the layer blobs of the image's (linux/amd64) manifest. */
export async function compressedSize(inf: RegistryAccess, ref: string): Promise<{ bytes: number; layers: number }> {
    const { repo, reference } = splitRef(inf, ref);
    let m = await getManifest(inf, repo, reference);
    if (Array.isArray(m.manifests)) {
        const pick = m.manifests.find((d: any) => d.platform?.os === "linux" && d.platform?.architecture === "amd64") ?? m.manifests[0];
        m = await getManifest(inf, repo, pick.digest);
    }
    const layers: Array<{ size: number }> = m.layers ?? [];
    return { bytes: layers.reduce((a, l) => a + l.size, 0), layers: layers.length };
}

/**
 * The local registry's known push race. Its filesystem storage writes a
 * repository's blob link file in place (truncate, then write), and BuildKit
 * pushes an image and its registry cache at once, both mounting the same layer
 * into the same repository. A manifest PUT that reads the link mid-write gets
 * an empty digest and answers "digest invalid" plus "blob unknown", though
 * every blob is there: the same push again succeeds. Registries with other
 * storage do not do this; the tests deploy to this one, so a `pulumi up` that
 * failed with exactly this answer is run once more (and says so on stderr).
 */
export const REGISTRY_LINK_RACE = "provided digest did not match uploaded content";

/**
 * Runs `attempt`; when it fails with the registry's link race (its error or
 * output, as `text` reads it, holds REGISTRY_LINK_RACE), runs it once more.
 * Any other failure, and a second race, are the caller's.
 */
export async function retryOnRegistryLinkRace<T>(what: string, attempt: () => Promise<T>, text: (failure: unknown) => string): Promise<T> {
    try {
        return await attempt();
    } catch (e) {
        if (!text(e).includes(REGISTRY_LINK_RACE)) {
            throw e;
        }
        process.stderr.write(`${what}: the registry answered "${REGISTRY_LINK_RACE}" (its link-file race); running it once more\n`);
        return attempt();
    }
}
