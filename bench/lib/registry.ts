import { run } from "./util";

export { compressedSize } from "../../test/support";

/** Uncompressed size: `docker pull`, then the engine's `{{.Size}}` of the image. */
export async function uncompressedSize(ref: string): Promise<number> {
    await run("docker", ["pull", "-q", ref], { log: "sizes.log" });
    const r = await run("docker", ["image", "inspect", "-f", "{{.Size}}", ref], { log: "sizes.log" });
    return Number(r.stdout.trim());
}
