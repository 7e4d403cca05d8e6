import { Infra } from "./infra";
import { run } from "./util";

/** The manifest media types the bench asks the registry for. */
export const ACCEPT = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

function splitRef(inf: Infra, ref: string): { repo: string; reference: string } {
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

async function getManifest(inf: Infra, repo: string, reference: string): Promise<any> {
    const res = await fetch(`http://${inf.registry}/v2/${repo}/manifests/${reference}`, {
        headers: { Authorization: "Basic " + Buffer.from(`${inf.user}:${inf.password}`).toString("base64"), Accept: ACCEPT },
    });
    if (!res.ok) {
        throw new Error(`registry: ${repo}:${reference}: HTTP ${res.status}`);
    }
    return res.json();
}

/** Compressed size as pushed: the sum of the layer blobs of the image's (linux/amd64) manifest, read through the registry HTTP API. */
export async function compressedSize(inf: Infra, ref: string): Promise<{ bytes: number; layers: number }> {
    const { repo, reference } = splitRef(inf, ref);
    let m = await getManifest(inf, repo, reference);
    if (Array.isArray(m.manifests)) {
        const pick = m.manifests.find((d: any) => d.platform?.os === "linux" && d.platform?.architecture === "amd64") ?? m.manifests[0];
        m = await getManifest(inf, repo, pick.digest);
    }
    const layers: Array<{ size: number }> = m.layers ?? [];
    return { bytes: layers.reduce((a, l) => a + l.size, 0), layers: layers.length };
}

/** Uncompressed size: `docker pull`, then the engine's `{{.Size}}` of the image. */
export async function uncompressedSize(ref: string): Promise<number> {
    await run("docker", ["pull", "-q", ref], { log: "sizes.log" });
    const r = await run("docker", ["image", "inspect", "-f", "{{.Size}}", ref], { log: "sizes.log" });
    return Number(r.stdout.trim());
}
