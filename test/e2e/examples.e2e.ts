import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { getJson, infra, Infra, REPO, retryOnRegistryLinkRace, sh } from "./harness";

/**
 * Every project in examples/ deployed as its README says, from its own
 * folder, with the Pulumi CLI: npm install, stack init, the config its
 * README gives plus the settings these machines force (examples/README.md),
 * up, a request, a second preview that expects no changes, destroy.
 */
interface Example {
    readonly dir: string;
    readonly hostPort: number;
    readonly registry: boolean;
    readonly url: (outputs: Record<string, any>) => string;
}

const EXAMPLES: Example[] = [
    { dir: "flask-local", hostPort: 18091, registry: false, url: (o) => o.url },
    { dir: "flask-registry", hostPort: 18092, registry: true, url: (o) => o.url },
    { dir: "image-only", hostPort: 18093, registry: true, url: () => "http://127.0.0.1:18093" },
];

for (const ex of EXAMPLES) {
    describe(`e2e: examples/${ex.dir} as its README says`, function () {
        let inf: Infra;
        const cwd = path.join(REPO, "examples", ex.dir);
        let backend: string;
        let env: NodeJS.ProcessEnv;
        const run = (cmd: string, args: string[], input?: string): string => sh(cmd, args, { cwd, env, input });
        const pulumi = (...args: string[]) => run("pulumi", [...args, "--non-interactive", "--stack", "e2e"]);

        before(() => {
            inf = infra();
            backend = fs.mkdtempSync(path.join(os.tmpdir(), `ppa-example-${ex.dir}-`));
            env = { ...process.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "" };
        });
        after(() => {
            try {
                pulumi("destroy", "--yes", "--color", "never");
                pulumi("stack", "rm", "--yes", "--force");
            } catch {
                // already gone, or never made
            }
            fs.rmSync(backend, { recursive: true, force: true });
        });

        it("installs, deploys, answers, and a second preview expects no changes", async () => {
            run("npm", ["install", "--no-audit", "--no-fund"]);
            run("pulumi", ["stack", "init", "e2e", "--non-interactive"]);
            if (ex.registry) {
                pulumi("config", "set", "registry", inf.registry);
                pulumi("config", "set", "registryUser", inf.user);
                run("pulumi", ["config", "set", "--secret", "registryPassword", "--non-interactive", "--stack", "e2e"], inf.password);
            }
            // The settings these machines force (examples/README.md), and a port of the test's own.
            pulumi("config", "set", "baseImage", inf.trixie);
            pulumi("config", "set", "builder", inf.builder);
            if (inf.caBundle) {
                pulumi("config", "set", "caBundle", inf.caBundle);
            }
            pulumi("config", "set", "hostPort", String(ex.hostPort));
            const out = await retryOnRegistryLinkRace(`pulumi up (examples/${ex.dir})`, async () => pulumi("up", "--yes", "--skip-preview", "--color", "never"), String);
            fs.mkdirSync(path.join(REPO, "test", "e2e", "logs"), { recursive: true });
            fs.writeFileSync(path.join(REPO, "test", "e2e", "logs", `example-${ex.dir}-up.log`), out);
            const outputs = JSON.parse(pulumi("stack", "output", "--json", "--show-secrets"));
            const body = await getJson(`${ex.url(outputs)}/`);
            assert.equal(body.service, "flask-local", `the example's app answers: ${JSON.stringify(body)}`);
            pulumi("preview", "--expect-no-changes", "--color", "never");
        });
    });
}
