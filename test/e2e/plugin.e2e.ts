import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appArgs, getJson, infra, Infra, REPO, retryOnRegistryLinkRace } from "./harness";

/**
 * The package as a Pulumi plugin (plugin/PulumiPlugin.yaml, `runtime: nodejs`),
 * driven by the Pulumi CLI as a user of another language would: the schema
 * inferred from the TypeScript source, and a YAML program that deploys a
 * PythonApp through `pulumi package add`. Needs the Node.js host's RunPlugin
 * and the YAML language host that scripts/infra.sh installs next to `pulumi`.
 */
const PLUGIN = path.join(REPO, "plugin");
const GOLDEN = path.join(REPO, "test", "golden", "schema.json");
const LOGS = path.join(REPO, "test", "e2e", "logs");
const HOST_PORT = 18094;

interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a command to completion, logs its output to test/e2e/logs/plugin-<log>.log, and returns it whatever the exit. */
function run(log: string, cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Run {
    const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, input: opts.input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error) {
        throw r.error;
    }
    fs.mkdirSync(LOGS, { recursive: true });
    fs.writeFileSync(path.join(LOGS, `plugin-${log}.log`), `$ ${cmd} ${args.join(" ")}\n(exit ${r.status})\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run, what: string): Run {
    assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r;
}

/** The CLI's environment: env.sh's, plus no package-name lookups in a registry (none is reachable). */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, PULUMI_DISABLE_REGISTRY_RESOLVE: "true", PULUMI_CONFIG_PASSPHRASE: "", ...extra };
}

/**
 * The golden file is the schema as the package's provider serves it (Pulumi's
 * analyzer + generateSchema, test/unit/schema.test.ts). `get-schema` reads
 * that into Go's schema.PackageSpec and prints it again, which changes three
 * things and only these: `config` (a struct, printed even when empty) is added
 * as `{}`; `dependencies` (omitempty) is dropped when empty; and the
 * analyzer's `optional` flag on properties, which PropertySpec has no field
 * for, is dropped (optionality is carried by `required`/`requiredInputs`).
 * This applies exactly those to the golden file; the rest must match as is.
 */
function asCliPrints(golden: Record<string, any>): Record<string, any> {
    const out = structuredClone(golden);
    assert.deepEqual(out.dependencies ?? [], [], "the package depends on no other package");
    delete out.dependencies;
    out.config = {};
    const dropOptional = (props: Record<string, Record<string, unknown>> | undefined) => {
        for (const p of Object.values(props ?? {})) {
            if (p.optional === true) {
                delete p.optional;
            }
        }
    };
    for (const r of Object.values(out.resources ?? {}) as Record<string, any>[]) {
        dropOptional(r.inputProperties);
        dropOptional(r.properties);
    }
    for (const t of Object.values(out.types ?? {}) as Record<string, any>[]) {
        dropOptional(t.properties);
    }
    return out;
}

describe("e2e: the package as a Pulumi plugin", function () {
    let work: string;

    before(() => {
        infra();
        assert.ok(fs.existsSync(path.join(PLUGIN, "PulumiPlugin.yaml")), `${PLUGIN}/PulumiPlugin.yaml is missing`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-e2e-plugin-"));
    });
    after(() => {
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("pulumi package get-schema <repo>/plugin prints the schema of the golden file", () => {
        const r = ok(run("get-schema", "pulumi", ["package", "get-schema", PLUGIN], { cwd: work, env: cliEnv() }), "pulumi package get-schema");
        assert.doesNotMatch(r.stderr, /invalid port|error/i);
        const schema = JSON.parse(r.stdout) as Record<string, any>;
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };
        assert.equal(schema.name, "pulumi-python-app");
        assert.equal(schema.version, pkg.version);
        assert.deepEqual(Object.keys(schema.resources).sort(), ["pulumi-python-app:index:PythonApp", "pulumi-python-app:index:PythonImage", "pulumi-python-app:index:PythonService"]);
        assert.deepEqual(
            schema.types["pulumi-python-app:index:RestartPolicy"].enum.map((e: { value: string }) => e.value),
            ["no", "on-failure", "always", "unless-stopped"],
        );
        const golden = JSON.parse(fs.readFileSync(GOLDEN, "utf8")) as Record<string, any>;
        assert.deepEqual(schema, asCliPrints(golden));
    });

    it("a plugin that throws while loading fails get-schema with its error and exit code, without hanging", () => {
        const bad = path.join(work, "bad-plugin");
        fs.mkdirSync(bad);
        fs.writeFileSync(path.join(bad, "PulumiPlugin.yaml"), "runtime: nodejs\n");
        fs.writeFileSync(path.join(bad, "package.json"), JSON.stringify({ name: "bad-plugin", version: "0.0.1", main: "index.js" }));
        fs.writeFileSync(path.join(bad, "index.js"), 'throw new Error("boom from the plugin");\n');
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(bad, "node_modules"));
        const r = run("get-schema-bad", "pulumi", ["package", "get-schema", bad], { cwd: work, env: cliEnv() });
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.ok(r.stderr.includes("Error: boom from the plugin"), r.stderr);
        // the Node.js host's RunPlugin error for the run-plugin script's "already reported" exit
        assert.ok(r.stderr.includes("Program exited with non-zero exit code: 32"), r.stderr);
    });

    describe("a YAML program (runtime: yaml) with a PythonApp", function () {
        let inf: Infra;
        let project: string;
        const stack = "e2e";
        const repository = "e2e/plugin-yaml";
        const pulumi = (log: string, args: string[], input?: string) => run(log, "pulumi", [...args, "--non-interactive"], { cwd: project, env: cliEnv(), input });
        /** The program: Main.yaml beside Pulumi.yaml; `properties` is JSON, which is YAML too. */
        const writeProgram = (extra: Record<string, unknown> = {}) => {
            const args = appArgs(inf, { repository, hostPort: HOST_PORT }, { restart: "on-failure", ...extra });
            (args.registry as Record<string, unknown>).password = "${registryPassword}";
            fs.writeFileSync(
                path.join(project, "Main.yaml"),
                [
                    "# Generated by test/e2e/plugin.e2e.ts: one PythonApp from the package's plugin.",
                    "config:",
                    "  registryPassword:",
                    "    type: string",
                    "    secret: true",
                    "resources:",
                    "  app:",
                    "    type: pulumi-python-app:index:PythonApp",
                    `    properties: ${JSON.stringify(args)}`,
                    "outputs:",
                    "  url: ${app.url}",
                    "  imageRef: ${app.imageRef}",
                    "  containerName: ${app.containerName}",
                    "",
                ].join("\n"),
            );
        };

        before(() => {
            inf = infra();
            project = path.join(work, "yaml");
            fs.mkdirSync(path.join(project, ".backend"), { recursive: true });
            fs.cpSync(path.join(REPO, "test", "e2e", "apps", "flask-faults"), path.join(project, "app"), { recursive: true });
            fs.writeFileSync(
                path.join(project, "Pulumi.yaml"),
                ["name: ppa-e2e-plugin-yaml", "runtime: yaml", "backend:", `  url: file://${path.join(project, ".backend")}`, ""].join("\n"),
            );
            writeProgram();
            ok(pulumi("stack-init", ["stack", "init", stack]), "pulumi stack init");
            ok(pulumi("config", ["config", "set", "--secret", "registryPassword"], inf.password), "pulumi config set --secret");
        });
        after(() => {
            if (fs.existsSync(path.join(project, ".backend"))) {
                pulumi("destroy-after", ["destroy", "--yes", "--stack", stack]);
            }
        });

        it("pulumi package add <repo>/plugin writes the package's lock file and the packages: entry", () => {
            ok(pulumi("package-add", ["package", "add", PLUGIN]), "pulumi package add");
            const lock = fs.readFileSync(path.join(project, "sdks", "pulumi-python-app", "pulumi-python-app-0.1.0.yaml"), "utf8");
            assert.match(lock, /^name: pulumi-python-app$/m);
            assert.match(lock, /^version: 0\.1\.0$/m);
            const projectFile = fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8");
            assert.match(projectFile, new RegExp(`^packages:\\n  pulumi-python-app: ${PLUGIN.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
        });

        it("up deploys the app, which answers over HTTP; a second preview has no changes", async () => {
            // A failed run is thrown (ok), so the registry's push race is run once more: see REGISTRY_LINK_RACE.
            await retryOnRegistryLinkRace("pulumi up (YAML program)", async () => ok(pulumi("up", ["up", "--yes", "--stack", stack, "--color", "never"]), "pulumi up"), (e) => String(e));
            const outputs = JSON.parse(ok(pulumi("outputs", ["stack", "output", "--json", "--show-secrets", "--stack", stack]), "stack output").stdout);
            assert.equal(outputs.url, `http://127.0.0.1:${HOST_PORT}`);
            assert.match(outputs.imageRef, new RegExp(`^${inf.registry}/${repository}:e2e@sha256:[0-9a-f]{64}$`));
            const body = await getJson(`${outputs.url}/`);
            assert.equal(body.app, "flask-faults");
            const inspect = JSON.parse(run("inspect", "docker", ["inspect", outputs.containerName], { cwd: project }).stdout);
            assert.equal(inspect[0].HostConfig.RestartPolicy.Name, "on-failure", "the enum value reached the container");
            const preview = ok(pulumi("preview-again", ["preview", "--expect-no-changes", "--stack", stack, "--color", "never"]), "pulumi preview --expect-no-changes");
            assert.match(preview.stdout, /\d+ unchanged/);
        });

        it("a bad argument fails preview with the component's own message", () => {
            writeProgram({ port: 0 });
            try {
                const r = pulumi("preview-bad", ["preview", "--stack", stack, "--color", "never"]);
                assert.notEqual(r.status, 0);
                assert.match(r.stdout + r.stderr, /`port` is 0; it must be a whole number from 1 to 65535\. Use a TCP port such as 8000\./);
            } finally {
                writeProgram();
            }
        });

        it("destroy removes the container", () => {
            const name = JSON.parse(ok(pulumi("outputs-before-destroy", ["stack", "output", "--json", "--stack", stack]), "stack output").stdout).containerName as string;
            assert.equal(run("inspect-before-destroy", "docker", ["inspect", name], { cwd: project }).status, 0, `container ${name} runs before destroy`);
            ok(pulumi("destroy", ["destroy", "--yes", "--stack", stack, "--color", "never"]), "pulumi destroy");
            const r = run("inspect-after-destroy", "docker", ["inspect", name], { cwd: project });
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /No such object/);
        });
    });
});
