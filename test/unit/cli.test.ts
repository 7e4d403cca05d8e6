import * as assert from "node:assert/strict";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../lib/synthesize";
import { fixture, ROOT } from "./helpers";

/**
 * The CLI as a user runs it: a real child process, its stdout, stderr and
 * exit code. The runs are queued in before() and run a few at a time (each
 * pays ts-node's start-up); each `it` checks one of them.
 */

interface Result {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** At most this many CLI processes at once: each spends about a CPU-second starting ts-node. */
const PARALLEL = Math.max(2, os.cpus().length);
let running = 0;
const waiting: Array<() => void> = [];

async function cli(args: string[]): Promise<Result> {
    if (running >= PARALLEL) {
        await new Promise<void>((go) => waiting.push(go));
    }
    running++;
    try {
        return await spawnCli(args);
    } finally {
        running--;
        waiting.shift()?.();
    }
}

function spawnCli(args: string[]): Promise<Result> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join("lib", "cli.ts"), ...args],
            { cwd: ROOT, encoding: "utf8", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } },
            (error, stdout, stderr) => {
                const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
                resolve({ status, stdout, stderr });
            },
        );
    });
}

const FLASK = path.join("test", "fixtures", "flask-requirements");
const USAGE_START = "Usage: pulumi-python-app synth <dir> [--out DIR] [options]\n";

describe("CLI (child process)", function () {
    this.timeout(60000);

    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-cli-"));
    const runs: Record<string, Promise<Result>> = {};
    const expected = synthesize(fixture("flask-requirements"));

    before(() => {
        const start = (name: string, args: string[]): void => {
            runs[name] = cli(args);
        };
        start("synth", ["synth", FLASK]);
        start("out", ["synth", FLASK, "--out", outDir]);
        start("plan", ["synth", FLASK, "--plan"]);
        start("dockerignore", ["synth", FLASK, "--dockerignore"]);
        start("options", [
            "synth", FLASK, "--port", "9000", "--label", "team=web=blue", "--apt-runtime", "libxml2", "--apt-runtime=libxslt1.1",
            "--no-health-check", "--install-secret", "PIP_INDEX_URL", "--syntax=docker/dockerfile:1",
        ]);
        start("missing", ["synth", "/nonexistent"]);
        start("port0", ["synth", FLASK, "--port", "0"]);
        start("portText", ["synth", FLASK, "--port", "eighty"]);
        start("unknown", ["synth", FLASK, "--prot", "80"]);
        start("noDir", ["synth"]);
        start("twoDirs", ["synth", FLASK, FLASK]);
        start("noValue", ["synth", FLASK, "--port"]);
        start("help", ["--help"]);
    });

    after(() => fs.rmSync(outDir, { recursive: true, force: true }));

    it("GIVEN `synth <fixture>` WHEN run THEN it prints exactly synthesize()'s Dockerfile and exits 0", async () => {
        const r = await runs.synth;
        assert.equal(r.stderr, "");
        assert.equal(r.status, 0);
        assert.equal(r.stdout, expected.dockerfile);
    });

    it("GIVEN --out DIR WHEN run THEN it writes Dockerfile, .dockerignore and plan.json there", async () => {
        const r = await runs.out;
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, `Wrote Dockerfile, .dockerignore and plan.json to ${outDir}\n`);
        assert.deepEqual(fs.readdirSync(outDir).sort(), [".dockerignore", "Dockerfile", "plan.json"]);
        assert.equal(fs.readFileSync(path.join(outDir, "Dockerfile"), "utf8"), expected.dockerfile);
        assert.equal(fs.readFileSync(path.join(outDir, ".dockerignore"), "utf8"), expected.dockerignore);
        assert.equal(fs.readFileSync(path.join(outDir, "plan.json"), "utf8"), JSON.stringify(expected.plan, null, 2) + "\n");
    });

    it("GIVEN --plan WHEN run THEN it prints the plan as JSON", async () => {
        const r = await runs.plan;
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify(expected.plan)));
        assert.equal(r.stdout, JSON.stringify(expected.plan, null, 2) + "\n");
    });

    it("GIVEN --dockerignore WHEN run THEN it prints the merged .dockerignore", async () => {
        const r = await runs.dockerignore;
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, expected.dockerignore);
        assert.ok(r.stdout.endsWith("# from the app's .dockerignore\nnotes/\n"));
    });

    it("GIVEN options as flags (repeatable, --flag=value, KEY=VALUE with = in the value) WHEN run THEN they reach synthesize()", async () => {
        const r = await runs.options;
        assert.equal(r.status, 0, r.stderr);
        const same = synthesize(fixture("flask-requirements"), {
            port: 9000,
            labels: { team: "web=blue" },
            aptRuntimePackages: ["libxml2", "libxslt1.1"],
            healthCheck: false,
            installSecrets: ["PIP_INDEX_URL"],
            syntax: "docker/dockerfile:1",
        });
        assert.equal(r.stdout, same.dockerfile);
    });

    it("GIVEN a folder that does not exist WHEN run THEN it exits 1 with the message on stderr and nothing on stdout", async () => {
        const r = await runs.missing;
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.equal(
            r.stderr,
            'pulumi-python-app: `source` is "/nonexistent", which does not exist (/nonexistent). Point it at the folder that holds the app; a relative path is taken from the folder the program runs in (where its Pulumi.yaml is).\n',
        );
    });

    it("GIVEN --port 0 WHEN run THEN it exits 1 with the InputError's message", async () => {
        const r = await runs.port0;
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, "pulumi-python-app: `port` is 0; it must be a whole number from 1 to 65535. Use a TCP port such as 8000.\n");
    });

    it("GIVEN --port eighty WHEN run THEN it exits 1 saying it must be a whole number", async () => {
        const r = await runs.portText;
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, 'pulumi-python-app: --port is "eighty"; it must be a whole number.\n');
    });

    it("GIVEN an unknown option WHEN run THEN it exits 2 with the usage on stderr", async () => {
        const r = await runs.unknown;
        assert.equal(r.status, 2);
        assert.equal(r.stdout, "");
        assert.ok(r.stderr.startsWith(`pulumi-python-app: unknown option --prot.\n\n${USAGE_START}`), r.stderr);
    });

    it("GIVEN synth without a folder, two folders, or a flag without its value WHEN run THEN each exits 2 with a usage error", async () => {
        const cases: Array<[Result, string]> = [
            [await runs.noDir, "the app's folder is missing: pulumi-python-app synth <dir>."],
            [await runs.twoDirs, `more than one folder given (${JSON.stringify(FLASK)} and ${JSON.stringify(FLASK)}).`],
            [await runs.noValue, "--port needs a value."],
        ];
        for (const [r, message] of cases) {
            assert.equal(r.status, 2);
            assert.equal(r.stdout, "");
            assert.ok(r.stderr.startsWith(`pulumi-python-app: ${message}\n\n${USAGE_START}`), r.stderr);
        }
    });

    it("GIVEN --help WHEN run THEN it prints the usage on stdout and exits 0", async () => {
        const r = await runs.help;
        assert.equal(r.status, 0);
        assert.equal(r.stderr, "");
        assert.ok(r.stdout.startsWith(USAGE_START));
    });
});
