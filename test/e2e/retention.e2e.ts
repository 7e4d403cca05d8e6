import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { appArgs, configureApp, getJson, infra, Infra, makeProject, Project, registryManifest } from "./harness";

/**
 * Pushed images are never deleted by a deploy: every digest the stack ever
 * pushed still pulls after a code change, a forced replacement of the image
 * (`up --replace`) and a `destroy` (the component marks the image
 * retainOnDelete, so no provider release can delete it).
 */
describe("e2e: every pushed digest survives replacement and destroy", function () {
    let inf: Infra;
    let p: Project;
    const repo = "e2e/retention";
    const digests = new Set<string>();
    const recordDigest = async () => {
        const ref = (await p.stack.outputs()).imageRef.value as string;
        digests.add(ref.split("@")[1]);
    };

    before(async () => {
        inf = infra();
        p = await makeProject("retention", path.join(__dirname, "apps", "flask-faults"));
        await configureApp(p, inf, "retention", appArgs(inf, { repository: repo, hostPort: 18088 }));
    });
    after(async () => {
        await p?.stack.destroy({ color: "never" }).catch(() => undefined);
        await p?.cleanup();
    });

    it("GIVEN an up, a code change, a forced replacement and a destroy THEN every digest pushed still pulls", async () => {
        assert.equal((await p.stack.up({ color: "never" })).summary.result, "succeeded");
        await recordDigest();
        fs.appendFileSync(path.join(p.appDir, "app.py"), "\n# a code change\n");
        assert.equal((await p.stack.up({ color: "never" })).summary.result, "succeeded");
        await recordDigest();
        const state = await p.stack.exportStack();
        const image = (state.deployment.resources ?? []).find((r: any) => r.type === "docker-build:index:Image");
        assert.ok(image, "the docker-build Image is in the state");
        fs.appendFileSync(path.join(p.appDir, "app.py"), "\n# another code change\n");
        const replaced = await p.stack.up({ color: "never", replace: [image.urn] });
        assert.equal(replaced.summary.result, "succeeded");
        assert.ok((replaced.summary.resourceChanges?.replace ?? 0) >= 1, "the image was replaced");
        await recordDigest();
        assert.equal((await getJson(`${(await p.stack.outputs()).url.value}/`)).app, "flask-faults");
        assert.equal((await p.stack.destroy({ color: "never" })).summary.result, "succeeded");
        assert.equal(digests.size, 3, `three builds, three digests: ${[...digests].join(", ")}`);
        for (const digest of digests) {
            const m = await registryManifest(inf, repo, digest);
            assert.equal(m.status, 200, `${repo}@${digest} still pulls`);
        }
    });
});
