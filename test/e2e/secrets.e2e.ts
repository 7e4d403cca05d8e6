import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { appArgs, configureApp, docker, infra, Infra, makeProject, Project } from "./harness";

/**
 * Secrets that must not leak, with a real build: an install secret (a
 * private index URL carrying a token), a build secret read by a build step,
 * the CA bundle, the registry password and a secret env value. After `up`,
 * none appears in `docker history --no-trunc`, the image config and labels,
 * any layer's files, the output `up` printed, or the stack's state in
 * plaintext. Each secret is a distinctive random string (the CA bundle is
 * checked by its last certificate, the one the host adds).
 */
describe("e2e: secrets stay out of the image, its history, the logs and the state", function () {
    let inf: Infra;
    let p: Project;
    let index: http.Server;
    const token = `tok-${crypto.randomBytes(12).toString("hex")}`;
    const buildToken = `bld-${crypto.randomBytes(12).toString("hex")}`;
    const envSecret = `env-${crypto.randomBytes(12).toString("hex")}`;
    let upOutput = "";

    before(async () => {
        inf = infra();
        // A private index on loopback that knows no package: pip asks it (with the token in the URL) and moves on.
        index = http.createServer((_req, res) => {
            res.writeHead(404);
            res.end();
        });
        await new Promise<void>((r) => index.listen(0, "127.0.0.1", () => r()));
        const port = (index.address() as { port: number }).port;
        p = await makeProject("secrets", path.join(__dirname, "apps", "flask-faults"));
        await configureApp(
            p,
            inf,
            "secrets",
            appArgs(inf, { repository: "e2e/secrets", hostPort: 18087 }, {
                buildCommands: [["python", "-c", "import os, sys; sys.exit(0 if os.environ['BUILD_TOKEN'].startswith('bld-') else 1)"]],
            }),
            {
                installSecrets: { PIP_EXTRA_INDEX_URL: `http://ppa:${token}@127.0.0.1:${port}/simple/` },
                buildSecrets: { BUILD_TOKEN: buildToken },
                secretEnv: { APP_SECRET: envSecret },
            },
        );
        const res = await p.stack.up({ onOutput: (s) => (upOutput += s), color: "never" });
        p.log("secrets-up", upOutput);
        assert.equal(res.summary.result, "succeeded");
    });
    after(async () => {
        await p?.stack.destroy({ color: "never" }).catch(() => undefined);
        await p?.cleanup();
        index?.close();
    });

    /** The secrets, by name; the CA bundle by its last certificate's body. */
    const secrets = (): Record<string, string> => {
        const out: Record<string, string> = { installSecret: token, buildSecret: buildToken, secretEnv: envSecret, registryPassword: inf.password };
        if (inf.caBundle) {
            const pem = fs.readFileSync(inf.caBundle, "utf8");
            const last = pem.slice(pem.lastIndexOf("-----BEGIN CERTIFICATE-----")).split("\n").slice(1, 4).join("");
            out.caBundle = last;
        }
        return out;
    };

    it("GIVEN the pushed image THEN no secret is in its history, config, labels or any layer's files", async () => {
        const ref = (await p.stack.outputs()).imageRef.value as string;
        docker("pull", ref);
        const history = docker("history", "--no-trunc", ref);
        const config = docker("image", "inspect", ref);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-secrets-"));
        try {
            const tar = path.join(dir, "image.tar");
            docker("save", "-o", tar, ref);
            execFileSync("tar", ["-xf", tar, "-C", dir]);
            const layers = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith("layer.tar") || f.startsWith("blobs/"));
            assert.ok(layers.length > 3, `the image has layers to search (${layers.length})`);
            for (const [name, value] of Object.entries(secrets())) {
                assert.ok(!history.includes(value), `${name} is in docker history`);
                assert.ok(!config.includes(value), `${name} is in the image config or labels`);
                for (const layer of layers) {
                    const bytes = fs.readFileSync(path.join(dir, layer));
                    assert.ok(!bytes.includes(value), `${name} is in ${layer}`);
                }
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("GIVEN the output up printed (build logs included) THEN no secret is in it", () => {
        // The build step's RUN, with the CA bundle's mount first when the machine needs one.
        assert.match(upOutput, /RUN (--mount=type=secret,id=ca-bundle,target=\S+ )?--mount=type=secret,id=BUILD_TOKEN,env=BUILD_TOKEN/, "the build log is in the output");
        for (const [name, value] of Object.entries(secrets())) {
            assert.ok(!upOutput.includes(value), `${name} is in the output of up`);
        }
    });

    it("GIVEN the stack's state file THEN every secret is encrypted, none in plaintext", async () => {
        // The backend's own file (exportStack would decrypt the secrets for display).
        const backend = path.join(p.dir, ".backend");
        const files = fs.readdirSync(backend, { recursive: true }).map(String).filter((f) => f.includes(`${path.sep}stacks${path.sep}`) && /\.json(\.gz)?$/.test(f) && !f.includes(".bak"));
        assert.ok(files.length > 0, `a state file under ${backend}`);
        for (const f of files) {
            const raw = fs.readFileSync(path.join(backend, f));
            const state = (f.endsWith(".gz") ? zlib.gunzipSync(raw) : raw).toString("utf8");
            for (const [name, value] of Object.entries(secrets())) {
                const at = state.indexOf(value);
                assert.ok(at < 0, `${name} is in ${f} in plaintext: ...${state.slice(Math.max(0, at - 200), at + 60)}...`);
            }
            assert.match(state, /"ciphertext"/, "the state holds encrypted secrets");
        }
    });
});
