import * as assert from "node:assert/strict";
import { Copy, Cmd, DockerfileParser, Env, Healthcheck, Instruction, Run, Stopsignal, User } from "dockerfile-ast";
import { SynthesizeOptions } from "../../lib/plan/plan";
import { ignoreMatcher } from "../../lib/detect/ignore";
import { synthesize } from "../../lib/synthesize";
import { execForm, FIXTURE_NAMES, fixture, FLASK_APP, mountsOf, parse, Parsed, shellOf, TmpApps } from "./helpers";

/**
 * What matters in the synthesized Dockerfile, asserted on the parsed
 * instructions (dockerfile-ast), not on the text.
 */

/** The commands of a shell line joined with &&, each split into words. */
function commands(run: Run): string[][] {
    return shellOf(run)
        .split("&&")
        .map((c) => c.trim().split(/\s+/).filter((w) => w !== ""))
        .filter((c) => c.length > 0);
}

function program(cmd: string[]): string {
    return cmd[0].split("/").pop()!;
}

/** Packages named by `apt-get install` commands in a RUN. */
function aptPackages(run: Run): string[] {
    return commands(run)
        .filter((c) => c[0] === "apt-get" && c[1] === "install")
        .flatMap((c) => c.slice(2).filter((w) => !w.startsWith("-")));
}

/** The cache targets a RUN mounts. */
function cacheTargets(run: Run): string[] {
    return mountsOf(run)
        .filter((m) => m.split(",").includes("type=cache"))
        .map((m) => m.split(",").find((o) => o.startsWith("target="))!.slice("target=".length));
}

function secretMounts(run: Run): string[] {
    return mountsOf(run).filter((m) => m.startsWith("type=secret"));
}

/** The installer caches a command needs: pip's, uv's or Poetry's (the pip in /opt/build-tools too). */
function neededCaches(cmd: string[]): string[] {
    const prog = program(cmd);
    if (prog === "apt-get" && cmd[1] === "install") {
        return ["/var/cache/apt", "/var/lib/apt/lists"];
    }
    if ((prog === "pip" && cmd[1] === "install") || (prog === "python" && (cmd[1] ?? "").endsWith("/export-lock.py"))) {
        return ["/root/.cache/pip"];
    }
    if (prog === "uv") {
        return ["/root/.cache/uv"];
    }
    return [];
}

/**
 * A RUN that installs the app's dependencies or the app itself (pip, uv or
 * Poetry acting on the venv), as opposed to apt or installing uv/Poetry
 * themselves into /opt/build-tools.
 */
function isDependencyInstall(run: Run): boolean {
    return commands(run).some((c) => {
        if (c[0] === "/opt/build-tools/bin/pip") {
            return false;
        }
        const prog = program(c);
        // A lock (poetry.lock, Pipfile.lock) is exported to requirements and installed by pip in the same RUN.
        const exportsLock = prog === "python" && (c[1] ?? "").endsWith("/export-lock.py");
        return (prog === "pip" && c[1] === "install") || (prog === "uv" && (c[1] === "sync" || c[1] === "pip")) || exportsLock;
    });
}

function stagesOf(p: Parsed): { builder: Instruction[]; runner: Instruction[] } {
    assert.equal(p.stages.length, 2, "exactly two FROM stages");
    assert.deepEqual(p.stages.map((s) => s.name), ["builder", "runner"]);
    return { builder: p.stages[0].instructions, runner: p.stages[1].instructions };
}

function isCopyAll(i: Instruction): boolean {
    return i instanceof Copy && i.getFlags().length === 0 && i.getArgumentsContent() === ". .";
}

function cmdOf(p: Parsed): string[] {
    const cmds = p.instructions.filter((i): i is Cmd => i instanceof Cmd);
    assert.equal(cmds.length, 1, "one CMD");
    return execForm(p.text, cmds[0]);
}

function healthcheckOf(p: Parsed): string[] | undefined {
    const hcs = p.instructions.filter((i): i is Healthcheck => i instanceof Healthcheck);
    if (hcs.length === 0) {
        return undefined;
    }
    assert.equal(hcs.length, 1, "at most one HEALTHCHECK");
    const sub = hcs[0].getSubcommand();
    assert.equal(sub?.getValue(), "CMD");
    return execForm(p.text, hcs[0], sub!.getRange());
}

function envOf(instructions: Instruction[]): Map<string, string> {
    const env = new Map<string, string>();
    for (const i of instructions) {
        if (i instanceof Env) {
            for (const prop of i.getProperties()) {
                env.set(prop.getName(), prop.getValue() ?? "");
            }
        }
    }
    return env;
}

const INSTALLER_CACHE: Record<string, string> = {
    pip: "/root/.cache/pip",
    pipenv: "/root/.cache/pip",
    uv: "/root/.cache/uv",
    // poetry.lock and pdm.lock are installed by pip, from their hashes.
    poetry: "/root/.cache/pip",
    pdm: "/root/.cache/pip",
};

/** The cache the dependency install mounts: uv's when uv's pip interface installs a requirements.txt app. */
function installerCache(plan: { installer: string; requirementsInstaller?: { tool: string } }): string {
    return plan.requirementsInstaller?.tool === "uv" ? INSTALLER_CACHE.uv : INSTALLER_CACHE[plan.installer];
}

describe("Dockerfile structure", () => {
    const apps = new TmpApps();
    after(() => apps.cleanup());

    for (const name of FIXTURE_NAMES) {
        describe(`GIVEN the ${name} fixture WHEN synthesized`, () => {
            const r = synthesize(fixture(name));
            const p = parse(r.dockerfile);
            const { builder, runner } = stagesOf(p);

            it("THEN there are two stages, builder then runner, FROM the same base image", () => {
                assert.equal(p.keywords[0], "FROM");
                assert.equal(p.stages[0].from.getImage(), r.plan.baseImage.image);
                assert.equal(p.stages[1].from.getImage(), r.plan.baseImage.image);
            });

            it("THEN the builder copies each manifest, then installs dependencies; the source goes where the plan says, after them", () => {
                const manifestCopies = builder.filter(
                    (i): i is Copy => i instanceof Copy && i.getJSONStrings().length > 0,
                );
                const copied = manifestCopies.flatMap((c) => c.getJSONStrings().slice(0, -1).map((s) => s.getJSONValue()));
                assert.deepEqual(copied, [...r.plan.manifests]);
                const install = builder.findIndex((i) => i instanceof Run && isDependencyInstall(i));
                const copyAll = builder.findIndex(isCopyAll);
                assert.ok(install >= 0, "a dependency install RUN");
                for (const c of manifestCopies) {
                    assert.ok(builder.indexOf(c) < install, `${c.getTextContent()} comes before the install`);
                }
                const sourceCopies = runner.filter((i): i is Copy => i instanceof Copy && i.getArguments().map((a) => a.getValue()).join(" ") === ". /app");
                if (r.plan.sourceInto === "builder") {
                    assert.ok(copyAll >= 0, "COPY . . in the builder");
                    assert.ok(install < copyAll, "the install comes before COPY . .");
                    assert.equal(sourceCopies.length, 0);
                } else {
                    assert.equal(copyAll, -1, "no COPY . . in the builder");
                    assert.equal(sourceCopies.length, 1, "COPY --link . /app in the runner");
                    assert.deepEqual(sourceCopies[0].getFlags().map((f) => f.getName()), ["link"]);
                    const lastCopy = runner.filter((i) => i instanceof Copy).pop();
                    assert.equal(lastCopy, sourceCopies[0], "the source is the runner's last COPY");
                }
                assert.ok(
                    cacheTargets(builder[install] as Run).includes(installerCache(r.plan)),
                    `the install RUN mounts ${installerCache(r.plan)}`,
                );
            });

            it("THEN every RUN that installs mounts the caches its installers use", () => {
                let checked = 0;
                for (const run of p.runs) {
                    const targets = cacheTargets(run);
                    for (const cmd of commands(run)) {
                        for (const need of neededCaches(cmd)) {
                            checked++;
                            assert.ok(targets.includes(need), `${cmd.join(" ")} runs without a cache at ${need}`);
                        }
                    }
                }
                assert.ok(checked >= 4, "apt in both stages and the installer were checked");
            });

            it("THEN the runner copies the venv (and the app when the builder had the source) from the builder, then switches to USER 10001:10001", () => {
                const copies = runner.filter((i): i is Copy => i instanceof Copy);
                const fromBuilder = copies
                    // (Copy.getFromFlag() returns undefined in dockerfile-ast 0.7.1; read the flags instead.)
                    .filter((c) => c.getFlags().some((f) => f.getName() === "from" && f.getValue() === "builder"))
                    .map((c) => c.getArguments().map((a) => a.getValue()));
                assert.deepEqual(fromBuilder, [["/opt/venv", "/opt/venv"], ...(r.plan.sourceInto === "builder" ? [["/app", "/app"]] : [])]);
                const users = runner.filter((i): i is User => i instanceof User);
                assert.equal(users.length, 1);
                assert.equal(users[0].getArgumentsContent(), "10001:10001");
                const userAt = runner.indexOf(users[0]);
                for (const c of copies) {
                    assert.ok(runner.indexOf(c) < userAt, "USER comes after every COPY");
                }
                assert.ok(!builder.some((i) => i instanceof User), "the builder stays root");
            });

            it("THEN CMD is exec form: gunicorn, --worker-tmp-dir /dev/shm, --bind 0.0.0.0:8000, the app last", () => {
                const argv = cmdOf(p);
                assert.equal(argv[0], "gunicorn");
                assert.equal(argv[argv.indexOf("--worker-tmp-dir") + 1], "/dev/shm");
                assert.equal(argv[argv.indexOf("--bind") + 1], "0.0.0.0:8000");
                assert.equal(argv[argv.length - 1], r.plan.entrypoint.spec);
                if (r.plan.entrypoint.interface === "asgi") {
                    assert.equal(argv[argv.indexOf("--worker-class") + 1], "uvicorn_worker.UvicornWorker");
                } else {
                    assert.ok(!argv.includes("--worker-class"));
                }
            });

            it("THEN HEALTHCHECK probes with python in exec form, nothing uses curl, and STOPSIGNAL is SIGTERM", () => {
                const hc = healthcheckOf(p)!;
                assert.equal(hc[0], "python");
                assert.equal(hc[1], "-c");
                assert.deepEqual(hc.slice(3), ["/", "8000"]);
                assert.ok(!/curl|wget/.test(r.dockerfile));
                const stops = runner.filter((i): i is Stopsignal => i instanceof Stopsignal);
                assert.deepEqual(stops.map((s) => s.getArgumentsContent()), ["SIGTERM"]);
            });

            it("THEN the runner installs no compilers and no -dev packages", () => {
                const runnerPackages = runner.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
                assert.ok(runnerPackages.length > 0);
                for (const pkg of runnerPackages) {
                    assert.ok(pkg !== "build-essential" && !/-dev(=|$)/.test(pkg) && !/^(gcc|g\+\+|make|pkg-config)$/.test(pkg), pkg);
                }
                const builderPackages = builder.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
                assert.ok(builderPackages.includes("build-essential"));
            });

            it("THEN the runner's ENV sets the venv on PATH, PYTHONUNBUFFERED=1 and PYTHONDONTWRITEBYTECODE=1", () => {
                const env = envOf(runner);
                assert.equal(env.get("PYTHONUNBUFFERED"), "1");
                assert.equal(env.get("PYTHONDONTWRITEBYTECODE"), "1");
                assert.equal(env.get("VIRTUAL_ENV"), "/opt/venv");
                assert.equal(env.get("PATH"), "/opt/venv/bin:$PATH");
                assert.equal(env.get("PORT"), "8000");
            });

            it("THEN there is no # syntax= line and no secret mount", () => {
                assert.deepEqual(DockerfileParser.parse(r.dockerfile).getDirectives(), []);
                assert.ok(!r.dockerfile.split("\n").some((l) => /^#\s*syntax\s*=/i.test(l)));
                assert.ok(p.runs.every((run) => secretMounts(run).length === 0));
            });
        });
    }

    describe("GIVEN options that change the structure", () => {
        it("GIVEN accessLog false THEN gunicorn runs without an access log; an app config's accesslog is kept and noted", () => {
            const on = synthesize(fixture("flask-requirements"));
            assert.equal(on.plan.server.accessLog, true);
            assert.deepEqual(cmdOf(parse(on.dockerfile)).filter((a) => a.startsWith("--access")), ["--access-logfile"]);
            const off = synthesize(fixture("flask-requirements"), { accessLog: false });
            assert.equal(off.plan.server.accessLog, false);
            assert.ok(!cmdOf(parse(off.dockerfile)).includes("--access-logfile"));
            assert.ok(cmdOf(parse(off.dockerfile)).includes("--error-logfile"));
            const dir = apps.copyOf("flask-requirements", { "gunicorn.conf.py": 'accesslog = "-"\n' });
            const kept = synthesize(dir, { accessLog: false });
            assert.equal(kept.plan.server.accessLog, false);
            assert.ok(!cmdOf(parse(kept.dockerfile)).includes("--access-logfile"));
            assert.ok(kept.plan.notes.includes("`accessLog` is false, but gunicorn.conf.py sets accesslog itself; the app's setting is kept."), kept.plan.notes.join("\n"));
            assert.throws(() => synthesize(fixture("flask-requirements"), { accessLog: "off" as unknown as boolean }), {
                message: '`accessLog` must be true or false, not "off".',
            });
        });

        it("GIVEN syntax docker/dockerfile:1 WHEN synthesized THEN line 1 is exactly that directive", () => {
            const r = synthesize(fixture("flask-native"), { syntax: "docker/dockerfile:1" });
            assert.equal(r.dockerfile.split("\n")[0], "# syntax=docker/dockerfile:1");
            const directives = DockerfileParser.parse(r.dockerfile).getDirectives();
            assert.deepEqual(directives.map((d) => [d.getName(), d.getValue()]), [["syntax", "docker/dockerfile:1"]]);
        });

        it("GIVEN uid 2000 and gid 3000 WHEN synthesized THEN USER is 2000:3000 and the passwd entry agrees", () => {
            const r = synthesize(fixture("flask-native"), { uid: 2000, gid: 3000, user: "web" });
            const p = parse(r.dockerfile);
            const users = p.instructions.filter((i): i is User => i instanceof User);
            assert.deepEqual(users.map((u) => u.getArgumentsContent()), ["2000:3000"]);
            const passwd = p.runs.find((run) => shellOf(run).includes("/etc/passwd"))!;
            assert.equal(
                shellOf(passwd).replace(/\s+/g, " "),
                "echo 'web:x:2000:3000::/nonexistent:/usr/sbin/nologin' >> /etc/passwd && echo 'web:x:3000:' >> /etc/group",
            );
        });

        it("GIVEN port 9000, workers 3 and threads 4 WHEN synthesized THEN CMD, EXPOSE, ENV PORT and the probe follow", () => {
            const r = synthesize(fixture("flask-native"), { port: 9000, workers: 3, threads: 4 });
            const p = parse(r.dockerfile);
            const argv = cmdOf(p);
            assert.equal(argv[argv.indexOf("--bind") + 1], "0.0.0.0:9000");
            assert.equal(argv[argv.indexOf("--workers") + 1], "3");
            assert.equal(argv[argv.indexOf("--threads") + 1], "4");
            assert.deepEqual(healthcheckOf(p)!.slice(3), ["/", "9000"]);
            assert.deepEqual(
                p.instructions.filter((i) => i.getKeyword() === "EXPOSE").map((i) => i.getArgumentsContent()),
                ["9000"],
            );
            assert.equal(envOf(p.stages[1].instructions).get("PORT"), "9000");
        });

        it("GIVEN healthCheck false WHEN synthesized THEN there is no HEALTHCHECK", () => {
            const p = parse(synthesize(fixture("flask-native"), { healthCheck: false }).dockerfile);
            assert.equal(healthcheckOf(p), undefined);
        });

        it("GIVEN healthCheckPath /healthz WHEN synthesized THEN the probe requests /healthz", () => {
            const p = parse(synthesize(fixture("flask-requirements"), { healthCheckPath: "/healthz" }).dockerfile);
            assert.deepEqual(healthcheckOf(p)!.slice(3), ["/healthz", "8000"]);
        });

        const secretCases: Array<[string, string, { requirementsInstaller?: "pip" }]> = [
            ["flask-requirements", "uv's pip interface", {}],
            ["flask-requirements", "pip", { requirementsInstaller: "pip" }],
            ["fastapi-uv", "uv", {}],
            ["poetry", "poetry", {}],
        ];
        for (const [name, installer, options] of secretCases) {
            it(`GIVEN installSecrets on ${name} (${installer}) WHEN synthesized THEN each secret mounts as env on the install RUNs (and the installer's own install) only`, () => {
                const secrets = ["PIP_INDEX_URL", "UV_INDEX_URL"];
                const r = synthesize(fixture(name), { ...options, installSecrets: secrets });
                const p = parse(r.dockerfile);
                const expected = secrets.map((s) => `type=secret,id=${s},env=${s}`);
                let installs = 0;
                // uv is itself installed from the index: a private-only index needs the secret there too.
                const isToolInstall = (run: Parameters<typeof shellOf>[0]) => /\/opt\/build-tools\/bin\/pip install uv==/.test(shellOf(run));
                for (const run of p.runs) {
                    if (isToolInstall(run)) {
                        installs++;
                        assert.deepEqual(secretMounts(run), expected, shellOf(run));
                    } else if (isDependencyInstall(run)) {
                        installs++;
                        // uv's pip interface reads pip's index setting under its own name: the same secret, mounted as UV_INDEX_URL too.
                        const alias = installer === "uv's pip interface" ? ["type=secret,id=PIP_INDEX_URL,env=UV_INDEX_URL"] : [];
                        assert.deepEqual(secretMounts(run), [expected[0], ...alias, expected[1]], shellOf(run));
                    } else {
                        assert.deepEqual(secretMounts(run), [], shellOf(run));
                    }
                }
                assert.equal(installs, installer === "pip" || installer === "poetry" ? 1 : 2);
                assert.ok(!secrets.some((s) => r.dockerfile.includes(`${s}=`)), "no secret is set as a value");
            });
        }

        it("GIVEN caBundle WHEN synthesized THEN every network install step mounts the bundle and the builder (not the runner) points pip, uv and requests at it", () => {
            for (const name of FIXTURE_NAMES) {
                const p = parse(synthesize(fixture(name), { caBundle: true }).dockerfile);
                const ca = "type=secret,id=ca-bundle,target=/run/secrets/ca-bundle.pem";
                const installs = p.runs.filter((run) => /\b(?:pip|uv|poetry) (?:install|sync|pip install)\b/.test(shellOf(run)));
                assert.ok(installs.length >= 1, name);
                for (const run of installs) {
                    assert.ok(mountsOf(run).includes(ca), `${name}: ${shellOf(run)}`);
                }
                const [builder, runner] = p.stages;
                const envText = (st: typeof builder) =>
                    st.instructions.filter((i) => i.getKeyword() === "ENV").map((i) => i.getArgumentsContent() ?? "").join(" ");
                assert.match(envText(builder), /PIP_CERT=\/run\/secrets\/ca-bundle\.pem SSL_CERT_FILE=\/run\/secrets\/ca-bundle\.pem REQUESTS_CA_BUNDLE=\/run\/secrets\/ca-bundle\.pem/);
                assert.doesNotMatch(envText(runner), /ca-bundle/);
                assert.ok(runner.instructions.every((i) => !(i instanceof Run) || !mountsOf(i).includes(ca)), `${name}: no bundle in the runner`);
            }
        });

        it("GIVEN no caBundle WHEN synthesized THEN nothing mentions a CA bundle", () => {
            assert.doesNotMatch(synthesize(fixture("flask-requirements")).dockerfile, /ca-bundle|PIP_CERT/);
        });

        it("GIVEN a uv project with a build-system and installSecrets WHEN synthesized THEN both the dependency and the project install RUNs get them", () => {
            const dir = apps.copyOf("fastapi-uv", {
                "pyproject.toml":
                    '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.12"\ndependencies = ["fastapi>=0.115"]\n\n' +
                    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
            });
            const p = parse(synthesize(dir, { installSecrets: ["UV_INDEX_URL"] }).dockerfile);
            const installs = p.runs.filter(isDependencyInstall);
            assert.equal(installs.length, 2);
            for (const run of installs) {
                assert.deepEqual(secretMounts(run), ["type=secret,id=UV_INDEX_URL,env=UV_INDEX_URL"]);
                assert.ok(cacheTargets(run).includes("/root/.cache/uv"));
            }
        });
    });

    describe("base-image table", () => {
        const table: Array<[string, string]> = [
            ["3.10", "ubuntu:22.04"],
            ["3.11", "debian:bookworm"],
            ["3.12", "ubuntu:24.04"],
            ["3.13", "debian:trixie"],
        ];
        for (const [python, image] of table) {
            it(`GIVEN python ${python} WHEN synthesized THEN both stages are FROM ${image} with python3 from apt`, () => {
                const r = synthesize(fixture("flask-native"), { python });
                const p = parse(r.dockerfile);
                assert.deepEqual(p.stages.map((s) => s.from.getImage()), [image, image]);
                assert.equal(r.plan.baseImage.flavor, "apt");
                const builderPkgs = p.stages[0].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
                const runnerPkgs = p.stages[1].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
                assert.deepEqual(builderPkgs, ["build-essential", "python3", "python3-dev", "python3-venv", "libpq-dev"]);
                assert.deepEqual(runnerPkgs, ["ca-certificates", "python3", "libpq5"]);
            });
        }

        it("GIVEN python 3.14 WHEN synthesized THEN both stages are FROM python:3.14-slim and apt installs no python3", () => {
            const r = synthesize(fixture("flask-native"), { python: "3.14" });
            const p = parse(r.dockerfile);
            assert.deepEqual(p.stages.map((s) => s.from.getImage()), ["python:3.14-slim", "python:3.14-slim"]);
            assert.equal(r.plan.baseImage.flavor, "python");
            const builderPkgs = p.stages[0].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
            const runnerPkgs = p.stages[1].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
            assert.deepEqual(builderPkgs, ["build-essential", "libpq-dev"]);
            assert.deepEqual(runnerPkgs, ["libpq5"]);
        });

        it("GIVEN python 3.14 and no native packages WHEN synthesized THEN the runner runs no apt-get at all", () => {
            const r = synthesize(fixture("django"), { python: "3.14" });
            const p = parse(r.dockerfile);
            const runnerRuns = p.stages[1].instructions.filter((i): i is Run => i instanceof Run);
            assert.ok(runnerRuns.every((run) => !shellOf(run).includes("apt-get")));
        });

        it("GIVEN baseImage 127.0.0.1:5000/ppa/debian:bookworm on a 3.11 app WHEN synthesized THEN both stages use it, with python3 from apt", () => {
            const image = "127.0.0.1:5000/ppa/debian:bookworm";
            const r = synthesize(fixture("flask-requirements"), { baseImage: image });
            const p = parse(r.dockerfile);
            assert.deepEqual(p.stages.map((s) => s.from.getImage()), [image, image]);
            assert.equal(p.stages[0].from.getRegistry(), "127.0.0.1:5000");
            assert.equal(r.plan.baseImage.flavor, "apt");
            const runnerPkgs = p.stages[1].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
            assert.deepEqual(runnerPkgs, ["ca-certificates", "python3"]);
        });

        it("GIVEN baseImage registry.example/mirror/python:3.12-slim with python 3.12 WHEN synthesized THEN it is the official flavor", () => {
            const image = "registry.example/mirror/python:3.12-slim";
            const r = synthesize(fixture("flask-requirements"), { baseImage: image, python: "3.12" });
            assert.deepEqual(r.plan.baseImage.flavor, "python");
            const p = parse(r.dockerfile);
            assert.deepEqual(p.stages.map((s) => s.from.getImage()), [image, image]);
            const builderPkgs = p.stages[0].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
            assert.deepEqual(builderPkgs, ["build-essential"]);
        });
    });

    describe("throwaway apps", () => {
        afterEach(() => apps.cleanup());

        it("GIVEN a uv project with a build-system WHEN synthesized THEN the project installs after COPY . . without removing the added gunicorn", () => {
            const dir = apps.copyOf("fastapi-uv", {
                "pyproject.toml":
                    '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.12"\ndependencies = ["fastapi>=0.115"]\n\n' +
                    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
            });
            const r = synthesize(dir);
            assert.equal(r.plan.installsProject, true);
            const p = parse(r.dockerfile);
            const builder = p.stages[0].instructions;
            const copyAll = builder.findIndex(isCopyAll);
            const syncs = builder
                .map((i, at) => ({ i, at }))
                .filter(({ i }) => i instanceof Run && commands(i).some((c) => program(c) === "uv" && c[1] === "sync"));
            assert.equal(syncs.length, 2);
            assert.ok(syncs[0].at < copyAll && syncs[1].at > copyAll);
            const projectSync = commands(syncs[1].i as Run).find((c) => c[1] === "sync")!;
            // uv sync is exact by default: it would uninstall gunicorn and uvicorn-worker, added after the first sync.
            assert.ok(projectSync.includes("--inexact"), projectSync.join(" "));
        });

        it("GIVEN a Flask app with mysqlclient WHEN synthesized THEN the builder gets the MySQL client headers and the runner the library", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask==3.1.0\nmysqlclient==2.2.7\n" });
            const p = parse(synthesize(dir).dockerfile);
            const builderPkgs = p.stages[0].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
            const runnerPkgs = p.stages[1].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
            assert.deepEqual(builderPkgs.slice(4), ["default-libmysqlclient-dev", "pkg-config"]);
            assert.deepEqual(runnerPkgs, ["ca-certificates", "python3", "libmariadb3"]);
        });

        it("GIVEN aptBuildPackages and aptRuntimePackages WHEN synthesized THEN each lands in its own stage only", () => {
            const opts: SynthesizeOptions = { aptBuildPackages: ["libxml2-dev"], aptRuntimePackages: ["libxml2"] };
            const p = parse(synthesize(fixture("flask-requirements"), opts).dockerfile);
            const builderPkgs = p.stages[0].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
            const runnerPkgs = p.stages[1].instructions.filter((i): i is Run => i instanceof Run).flatMap(aptPackages);
            assert.deepEqual(builderPkgs, ["build-essential", "python3", "python3-dev", "python3-venv", "libxml2-dev"]);
            assert.deepEqual(runnerPkgs, ["ca-certificates", "python3", "libxml2"]);
        });
    });
});

describe("Bytecode of the app's own modules", () => {
    const apps = new TmpApps();
    after(() => apps.cleanup());
    const COMPILE = "RUN /opt/venv/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash /app";
    /** `n` modules of about 3 KB each. */
    const modules = (dir: string, n: number): Record<string, string> =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`${dir}/m${i}.py`, `def f${i}(x):\n    return [y * 2 for y in range(x) if y % 3]\n\n`.repeat(40)]));

    it("GIVEN a small app WHEN synthesized THEN nothing runs after the source copy and the plan says why", () => {
        const r = synthesize(fixture("flask-requirements"));
        assert.equal(r.plan.sourceInto, "runner");
        assert.equal(r.plan.bytecode.compileApp, false);
        assert.match(r.plan.bytecode.reason, /^the app has \d+ KB of Python source, under 256 KB: /);
        assert.ok(!r.dockerfile.includes("compileall"));
        const lines = r.dockerfile.split("\n");
        assert.match(lines[lines.indexOf("COPY --link . /app") + 1], /^ENV /);
    });

    it("GIVEN an app with 256 KB of Python source or more WHEN synthesized THEN the runner compiles it right after the source copy", () => {
        const dir = apps.copyOf("flask-requirements", modules("pkg", 120));
        const r = synthesize(dir);
        assert.equal(r.plan.bytecode.compileApp, true);
        const lines = r.dockerfile.split("\n");
        const at = lines.indexOf("COPY --link . /app");
        assert.ok(at > 0);
        assert.equal(lines[at + 2], COMPILE);
        assert.equal(lines.filter((l) => l.includes("compileall")).length, 1);
    });

    it("GIVEN the same source in a folder the .dockerignore drops WHEN synthesized THEN it does not count", () => {
        const dir = apps.copyOf("flask-requirements", { ...modules("vendor_copy", 120), ".dockerignore": "vendor_copy/\n" });
        const r = synthesize(dir);
        assert.equal(r.plan.bytecode.compileApp, false);
        assert.ok(!r.dockerfile.includes("compileall"));
    });

    it("GIVEN compileBytecode true on a small app, and false on an app whose source goes through the builder, THEN the option decides", () => {
        const on = synthesize(fixture("flask-requirements"), { compileBytecode: true });
        assert.deepEqual(on.plan.bytecode, { compileApp: true, reason: "compileBytecode is true" });
        assert.ok(on.dockerfile.split("\n").includes(COMPILE));
        const steps = { buildCommands: [["python", "-c", "print(1)"]] };
        const builderPath = synthesize(fixture("flask-requirements"), steps);
        assert.equal(builderPath.plan.sourceInto, "builder");
        assert.ok(builderPath.dockerfile.includes("RUN python -m compileall -q -j 0 --invalidation-mode unchecked-hash /app"));
        const off = synthesize(fixture("flask-requirements"), { ...steps, compileBytecode: false });
        assert.ok(!off.dockerfile.includes("compileall"));
    });

    it("GIVEN compileBytecode that is not a boolean WHEN synthesized THEN the error names the option", () => {
        assert.throws(() => synthesize(fixture("flask-requirements"), { compileBytecode: "yes" as unknown as boolean }), {
            message: '`compileBytecode` must be true or false, not "yes".',
        });
    });
});

describe("The build context's .dockerignore", () => {
    const apps = new TmpApps();
    afterEach(() => apps.cleanup());
    const CERT = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUEXAMPLE\n-----END CERTIFICATE-----\n";
    const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqEXAMPLE\n-----END PRIVATE KEY-----\n";

    it("GIVEN a CA bundle (.pem of certificates only) beside private keys WHEN synthesized THEN the bundle is re-included after **/*.pem, with a note; a .pem holding a key, or a certificate with its key, stays out", () => {
        const dir = apps.copyOf("flask-requirements", {
            "certs/global-bundle.pem": CERT + CERT,
            "certs/server.pem": CERT + KEY,
            "tls/key.pem": KEY.replace(/PRIVATE KEY/g, "RSA PRIVATE KEY"),
        });
        const r = synthesize(dir);
        assert.deepEqual(r.plan.keptCertificates, ["certs/global-bundle.pem"]);
        const lines = r.dockerignore.split("\n");
        assert.ok(lines.indexOf("!certs/global-bundle.pem") > lines.indexOf("**/*.pem"), r.dockerignore);
        const ignored = ignoreMatcher(r.dockerignore);
        assert.deepEqual(["certs/global-bundle.pem", "certs/server.pem", "tls/key.pem"].map(ignored), [false, true, true]);
        assert.ok(
            r.plan.notes.includes(
                "certs/global-bundle.pem holds certificates and no private key (a CA bundle): kept in the image, while other .pem files stay out of it as secrets; a .dockerignore line `certs/global-bundle.pem` leaves it out.",
            ),
            r.plan.notes.join("\n"),
        );
        // The app's own .dockerignore comes after, so it can still leave the bundle out.
        const own = synthesize(apps.copyOf("flask-requirements", { "certs/global-bundle.pem": CERT, ".dockerignore": "certs/\n" }));
        assert.equal(ignoreMatcher(own.dockerignore)("certs/global-bundle.pem"), true);
    });
});
