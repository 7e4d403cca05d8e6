import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "fs";
import { Copy, Run } from "dockerfile-ast";
import { sqliteUrlRest } from "../../lib/detect/paths";
import { dockerfileSelection } from "../../lib/detect/container";
import { decodeText, SourceTree } from "../../lib/detect/source";
import { linuxMarkers, markerHolds, parseMarker, parseRequirements } from "../../lib/detect/requirements";
import { InputError } from "../../lib/errors";
import { synthesize } from "../../lib/synthesize";
import { execForm, exportWith, fixture, FIXTURES, FLASK_APP, parse, shellOf, TmpApps } from "./helpers";

/** The detection rules, one by one: GIVEN a folder, WHEN synthesized, THEN these plan fields. */

const apps = new TmpApps();

function cmdOf(dockerfile: string): string[] {
    const p = parse(dockerfile);
    const cmd = p.instructions.find((i) => i.getKeyword() === "CMD")!;
    return execForm(dockerfile, cmd);
}

describe("detection", () => {
    afterEach(() => apps.cleanup());

    describe("the fixtures", () => {
        it("GIVEN flask-requirements THEN pip from requirements.txt and its -r include, Python 3.11 from .python-version, Flask WSGI app:app", () => {
            const { plan } = synthesize(fixture("flask-requirements"));
            assert.equal(plan.installer, "pip");
            assert.equal(plan.manifest, "requirements.txt");
            assert.deepEqual(plan.manifests, ["requirements.txt", "requirements/base.txt"]);
            assert.deepEqual(plan.python, { version: "3.11", source: ".python-version" });
            assert.equal(plan.baseImage.image, "debian:bookworm");
            assert.equal(plan.framework, "flask");
            assert.deepEqual(plan.entrypoint, { spec: "app:app", interface: "wsgi", source: "app.py" });
            assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1"]);
        });

        it("GIVEN flask-native (psycopg2) THEN libpq-dev goes to the builder and libpq5 to the runner", () => {
            const { plan } = synthesize(fixture("flask-native"));
            assert.deepEqual(plan.apt, { build: ["libpq-dev"], runtime: ["libpq5"] });
            assert.ok(plan.notes.some((n) => n.startsWith("psycopg2: added libpq-dev, libpq5")));
        });

        it("GIVEN flask-native and aptBuildPackages naming libpq-dev already THEN it is not listed twice", () => {
            const { plan } = synthesize(fixture("flask-native"), { aptBuildPackages: ["libpq-dev"], aptRuntimePackages: ["libpq5"] });
            assert.deepEqual(plan.apt, { build: ["libpq-dev"], runtime: ["libpq5"] });
        });

        it("GIVEN django THEN the app comes from WSGI_APPLICATION and gunicorn is added", () => {
            const { plan } = synthesize(fixture("django"));
            assert.equal(plan.framework, "django");
            assert.deepEqual(plan.entrypoint, {
                spec: "mysite.wsgi:application",
                interface: "wsgi",
                source: "Django settings (mysite/settings.py)",
            });
            assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1"]);
            assert.equal(plan.server.workerClass, undefined);
        });

        it("GIVEN fastapi-uv THEN uv from uv.lock, Python 3.13 from requires-python, ASGI with the uvicorn worker added", () => {
            const { plan } = synthesize(fixture("fastapi-uv"));
            assert.equal(plan.installer, "uv");
            assert.equal(plan.manifest, "uv.lock");
            assert.deepEqual(plan.manifests, ["pyproject.toml", "uv.lock"]);
            assert.equal(plan.installsProject, false);
            assert.deepEqual(plan.python, { version: "3.13", source: "pyproject.toml requires-python" });
            assert.equal(plan.framework, "fastapi");
            assert.deepEqual(plan.entrypoint, { spec: "main:app", interface: "asgi", source: "main.py" });
            assert.equal(plan.server.workerClass, "uvicorn_worker.UvicornWorker");
            assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1", "uvicorn-worker==0.4.0"]);
        });

        it("GIVEN poetry THEN Poetry from poetry.lock without installing the project, the app from the Procfile, gunicorn not added", () => {
            const { plan } = synthesize(fixture("poetry"));
            assert.equal(plan.installer, "poetry");
            assert.deepEqual(plan.manifests, ["pyproject.toml", "poetry.lock"]);
            assert.equal(plan.installsProject, false);
            assert.deepEqual(plan.entrypoint, { spec: "wsgi:app", interface: "wsgi", source: "Procfile" });
            assert.equal(plan.framework, "flask");
            assert.deepEqual(plan.server.addedPackages, []);
        });
    });

    describe("requirements files", () => {
        it("GIVEN -r and -c includes, nested and relative to the including file THEN every file is listed in the order pip reads it", () => {
            const dir = apps.make({
                "app.py": FLASK_APP,
                "requirements.txt": "-r reqs/base.txt\n-c constraints.txt\nflask==3.1.0\n",
                "reqs/base.txt": "--requirement=common.txt  # relative to reqs/\nitsdangerous==2.2.0\n",
                "reqs/common.txt": "-r../reqs/extra.txt\nclick==8.2.1\n",
                "reqs/extra.txt": "blinker==1.9.0\n",
                "constraints.txt": "werkzeug==3.1.3\n",
            });
            const r = synthesize(dir);
            assert.deepEqual(r.plan.manifests, ["requirements.txt", "reqs/base.txt", "reqs/common.txt", "reqs/extra.txt", "constraints.txt"]);
            const copies = parse(r.dockerfile)
                .stages[0].instructions.filter((i): i is Copy => i instanceof Copy && i.getJSONStrings().length > 0)
                .map((c) => c.getJSONStrings().map((s) => s.getJSONValue()));
            assert.deepEqual(copies, [
                ["requirements.txt", "constraints.txt", "./"],
                ["reqs/base.txt", "reqs/common.txt", "reqs/extra.txt", "reqs/"],
            ]);
        });

        it("GIVEN gunicorn only in a -c constraints file THEN gunicorn is still added (constraints install nothing)", () => {
            const dir = apps.make({
                "app.py": FLASK_APP,
                "requirements.txt": "-c constraints.txt\nflask==3.1.0\n",
                "constraints.txt": "gunicorn==23.0.0\npsycopg2==2.9.10\n",
            });
            const { plan } = synthesize(dir);
            assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1"]);
            assert.deepEqual(plan.apt, { build: [], runtime: [] });
        });

        it("GIVEN the same file included twice THEN it is listed once", () => {
            const dir = apps.make({
                "app.py": FLASK_APP,
                "requirements.txt": "-r base.txt\n-r ./base.txt\nflask\n",
                "base.txt": "-r requirements.txt\nclick\n",
            });
            assert.deepEqual(synthesize(dir).plan.manifests, ["requirements.txt", "base.txt"]);
        });

        it("GIVEN `-e .` THEN needsSource is set and the Dockerfile copies the source before installing", () => {
            const dir = apps.make({
                "app.py": FLASK_APP,
                "requirements.txt": "flask==3.1.0\n-e .\n",
                "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\n',
            });
            const r = synthesize(dir);
            assert.equal(r.plan.needsSource, true);
            assert.equal(r.plan.manifest, "requirements.txt");
            const builder = parse(r.dockerfile).stages[0].instructions;
            const copies = builder.filter((i): i is Copy => i instanceof Copy);
            assert.deepEqual(copies.map((c) => c.getArgumentsContent()), [". ."], "only the whole source is copied");
            const install = builder.findIndex((i) => i instanceof Run && shellOf(i).includes("pip install -r requirements.txt"));
            assert.ok(builder.indexOf(copies[0]) < install);
        });

        it("GIVEN `-e .[server]` THEN the plan says the project is installed, by the requirements install alone, and the extra's requirements count as the app's", () => {
            const dir = apps.make({
                "inkwell/__init__.py": '"""Inkwell."""\n__version__ = "1.2.0"\n',
                "inkwell/wsgi.py": FLASK_APP,
                "requirements.txt": "Flask==3.0.3\n-e .[server]\n",
                "pyproject.toml":
                    '[build-system]\nrequires = ["flit_core>=3.9,<4"]\nbuild-backend = "flit_core.buildapi"\n\n[project]\nname = "inkwell"\ndynamic = ["version", "description"]\ndependencies = ["Flask>=3.0"]\n\n[project.optional-dependencies]\nserver = ["gunicorn==23.0.0"]\n',
            });
            const r = synthesize(dir);
            assert.equal(r.plan.installsProject, true);
            assert.equal(r.plan.needsSource, true);
            assert.deepEqual(r.plan.server.addedPackages, [], "gunicorn comes with the server extra");
            assert.deepEqual(r.plan.notes, ["requirements.txt installs a local path (-e or ./), so dependencies install after the source is copied; a code change reinstalls them."]);
            const runs = parse(r.dockerfile).stages[0].instructions.filter((i): i is Run => i instanceof Run).map((i) => shellOf(i).trim());
            assert.ok(runs.some((x) => x.startsWith("/opt/build-tools/bin/uv pip install -r requirements.txt")), "uv's pip interface installs it");
            assert.ok(!r.dockerfile.includes("--no-deps"), "the project is not installed a second time");
            assert.ok(!r.dockerfile.includes("pip check"), "every install went through pip's resolver");
        });

        describe("uv's pip interface or pip", () => {
            // The end of every install RUN: on failure it lingers a second, so the installer's error reaches the build output.
            const LINGER = "|| { status=$?; sleep 1; exit $status; }";
            const installRun = (dockerfile: string): string =>
                parse(dockerfile).stages[0].instructions.filter((i): i is Run => i instanceof Run).map((i) => shellOf(i).trim()).find((x) => /pip install (--require-hashes )?-r requirements\.txt/.test(x))!;

            it("GIVEN options and per-requirement options uv reads as pip does THEN uv's pip interface installs, pip's index strategy set and pip left out of the venv", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "requirements.txt": "--index-url https://pypi.example/simple\n-c constraints.txt\n--only-binary :all:\n--no-binary psycopg2\nFlask==3.1.0\ngunicorn==23.0.0\n",
                    "constraints.txt": "werkzeug<4\n",
                    ".python-version": "3.13\n",
                });
                const r = synthesize(dir);
                assert.deepEqual(r.plan.requirementsInstaller, { tool: "uv", reason: "every line of the requirements files is one uv's pip interface reads as pip does" });
                assert.equal(installRun(r.dockerfile), `/opt/build-tools/bin/uv pip install -r requirements.txt     ${LINGER}`);
                assert.match(r.dockerfile, /^ENV UV_PYTHON=\/opt\/venv\/bin\/python UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_INDEX_STRATEGY=unsafe-best-match$/m);
                assert.match(r.dockerfile, /^RUN python3 -m venv --without-pip \/opt\/venv$/m);
                assert.ok(!r.dockerfile.includes("rm -rf /opt/venv/bin/pip"), "no pip to remove");
                assert.ok(!r.plan.notes.some((n) => n.includes("uv's faster pip interface")));
            });

            it("GIVEN Python 3.11 THEN the venv is made with pip (ensurepip seeds setuptools, whose distutils shim and pkg_resources apps import) and pip is removed after uv's install", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "Flask==3.1.0\ngunicorn==23.0.0\n", ".python-version": "3.11\n" });
                const r = synthesize(dir);
                assert.equal(r.plan.requirementsInstaller?.tool, "uv");
                assert.match(r.dockerfile, /^RUN python3 -m venv \/opt\/venv$/m);
                assert.match(r.dockerfile, /uv pip install -r requirements\.txt \\\n    && rm -rf \/opt\/venv\/bin\/pip /);
            });

            it("GIVEN hashed lines THEN uv is asked for pip's hash-checking mode (--require-hashes), where a dependency without a hash fails as it does for pip", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "requirements.txt": "-r requirements/base.txt\ngunicorn==23.0.0 --hash=sha256:" + "b".repeat(64) + "\n",
                    "requirements/base.txt": "flask==3.1.0 \\\n    --hash=sha256:" + "a".repeat(64) + "\n",
                });
                const r = synthesize(dir);
                assert.deepEqual(r.plan.requirementsInstaller, { tool: "uv", reason: "every line of the requirements files is one uv's pip interface reads as pip does", requireHashes: true });
                assert.equal(installRun(r.dockerfile), `/opt/build-tools/bin/uv pip install --require-hashes -r requirements.txt     ${LINGER}`);
            });

            it("GIVEN PIP_INDEX_URL as an install secret and a file that names its --index-url THEN uv reads the file's (as pip does), not the secret under UV_INDEX_URL", () => {
                const withFile = apps.make({ "app.py": FLASK_APP, "requirements.txt": "--index-url https://mirror.example/simple\nFlask==3.1.0\ngunicorn==23.0.0\n" });
                const mounts = (d: string) => synthesize(d, { installSecrets: ["PIP_INDEX_URL"] }).dockerfile.split("\n").find((l) => l.includes("id=uv,"))!;
                assert.ok(!mounts(withFile).includes("env=UV_INDEX_URL"), mounts(withFile));
                const plain = apps.make({ "app.py": FLASK_APP, "requirements.txt": "Flask==3.1.0\ngunicorn==23.0.0\n" });
                assert.ok(mounts(plain).includes("--mount=type=secret,id=PIP_INDEX_URL,env=PIP_INDEX_URL --mount=type=secret,id=PIP_INDEX_URL,env=UV_INDEX_URL "), mounts(plain));
            });

            it("GIVEN --trusted-host with an HTTP --index-url THEN pip installs, and the install of what the image adds trusts the host too", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "--index-url http://devpi.example:3141/root/pypi/+simple/\n--trusted-host devpi.example\nFlask==3.1.0\n" });
                const r = synthesize(dir);
                assert.equal(r.plan.requirementsInstaller?.tool, "pip");
                assert.ok(
                    r.dockerfile.includes("printf '%s\\n' '--index-url http://devpi.example:3141/root/pypi/+simple/' '--trusted-host devpi.example' > /tmp/index-options.txt"),
                    r.dockerfile,
                );
            });

            it("GIVEN `name @ url ; marker` lines THEN they are read (PEP 508 URL plus marker), and one no Linux CPython meets is not the app's", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "requirements.txt":
                        'Flask==3.1.0\nappnope @ https://files.example/appnope-0.1.4-py2.py3-none-any.whl ; sys_platform == "darwin"\n' +
                        'acme-core @ git+https://git.example/acme/core.git@0123456789abcdef0123456789abcdef01234567 ; python_version >= "3.11" and python_version < "4.0"\n',
                });
                const r = synthesize(dir);
                assert.equal(r.plan.requirementsInstaller?.tool, "uv");
                assert.ok(r.plan.apt.build.includes("git"), "the VCS line needs git in the builder");
            });

            it("GIVEN uvicorn as a range below what the newest uvicorn-worker needs THEN the release that accepts the range is added", () => {
                const dir = apps.make({ "main.py": "from fastapi import FastAPI\napp = FastAPI()\n", "requirements.txt": "fastapi==0.115.0\nuvicorn[standard]>=0.29,<0.33\n" });
                const r = synthesize(dir);
                assert.ok(r.plan.server.addedPackages.includes("uvicorn-worker==0.3.0"), r.plan.server.addedPackages.join(" "));
                assert.ok(r.plan.notes.includes("uvicorn-worker 0.3.0, not 0.4.0: 0.4.0 needs uvicorn>=0.36.0 and gunicorn>=21.0.0, and the app asks for uvicorn>=0.29,<0.33."), r.plan.notes.join("\n"));
                const open = apps.make({ "main.py": "from fastapi import FastAPI\napp = FastAPI()\n", "requirements.txt": "fastapi==0.115.0\nuvicorn[standard]>=0.29\n" });
                assert.ok(synthesize(open).plan.server.addedPackages.includes("uvicorn-worker==0.4.0"));
            });

            const pipOnly: Array<[string, string, string]> = [
                ["--trusted-host", "--trusted-host pypi.example\nFlask==3.1.0\n", "requirements.txt: --trusted-host pypi.example (uv does not read --trusted-host)"],
                ["--extra-index-url", "--extra-index-url https://extra.example/simple\nFlask==3.1.0\n", "requirements.txt: --extra-index-url https://extra.example/simple (uv fails where pip skips an index that does not answer)"],
                ["-C after an editable path", "-e ./pkg -C editable_mode=compat\nFlask==3.1.0\n", "requirements.txt: -e ./pkg -C editable_mode=compat (uv does not read -C)"],
                ["--config-settings after a requirement", "Flask==3.1.0 --config-settings=x=y\n", "requirements.txt: Flask==3.1.0 --config-settings=x=y (uv does not read --config-settings)"],
                ["--pre", "--pre\nFlask==3.1.0\n", "requirements.txt: --pre (uv does not read --pre)"],
                ["--global-option after a requirement", "Flask==3.1.0 --global-option=--quiet\n", "requirements.txt: Flask==3.1.0 --global-option=--quiet (uv does not read --global-option)"],
                ["a --no-binary list", "--no-binary=lxml,xmlsec\nFlask==3.1.0\n", "requirements.txt: --no-binary=lxml,xmlsec (uv takes one name per --no-binary)"],
                ["an editable VCS URL", "-e git+https://git.example/acme/lib.git#egg=lib\nFlask==3.1.0\n", "requirements.txt: -e git+https://git.example/acme/lib.git#egg=lib (uv installs only local folders editable)"],
                ["two --index-url", "-i https://a.example/simple\n-r more.txt\nFlask==3.1.0\n", "more.txt: --index-url https://b.example/simple (a second --index-url, which uv refuses)"],
            ];
            for (const [what, text, line] of pipOnly) {
                it(`GIVEN ${what} THEN pip installs, and a note names the line`, () => {
                    const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": text, "more.txt": "--index-url https://b.example/simple\n", "pkg/pyproject.toml": '[project]\nname = "pkg"\nversion = "1"\n' });
                    const r = synthesize(dir);
                    assert.deepEqual(r.plan.requirementsInstaller, { tool: "pip", reason: `only pip reads ${line}` });
                    assert.ok(installRun(r.dockerfile).startsWith("pip install -r requirements.txt"), installRun(r.dockerfile));
                    assert.ok(!r.dockerfile.includes("/opt/build-tools"), "no uv in the builder");
                    assert.ok(r.plan.notes.includes(`pip installs the requirements, not uv's faster pip interface: ${line}. Without that, uv would.`), r.plan.notes.join("\n"));
                });
            }

            it("GIVEN a --find-links folder of the app THEN pip installs (it reads the folder from the requirements file's place)", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "--find-links wheels\nFlask==3.1.0\n", "wheels/README": "vendored\n" });
                assert.equal(synthesize(dir).plan.requirementsInstaller?.tool, "pip");
            });

            it("GIVEN an install secret uv has no name for (PIP_TRUSTED_HOST) THEN pip installs; PIP_INDEX_URL alone keeps uv", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "Flask==3.1.0\n" });
                const r = synthesize(dir, { installSecrets: ["PIP_INDEX_URL", "PIP_TRUSTED_HOST"] });
                assert.deepEqual(r.plan.requirementsInstaller, { tool: "pip", reason: "only pip reads the install secret PIP_TRUSTED_HOST (a pip setting uv does not read)" });
                assert.equal(synthesize(dir, { installSecrets: ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"] }).plan.requirementsInstaller?.tool, "uv");
            });

            it("GIVEN requirementsInstaller \"pip\" THEN pip installs; GIVEN \"uv\" and a line only pip reads THEN an InputError names it and the fix", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "--prefer-binary\nFlask==3.1.0\n" });
                const r = synthesize(dir, { requirementsInstaller: "pip" });
                assert.deepEqual(r.plan.requirementsInstaller, { tool: "pip", reason: "the requirementsInstaller option" });
                assert.ok(installRun(r.dockerfile).startsWith("pip install -r requirements.txt"));
                assert.throws(
                    () => synthesize(dir, { requirementsInstaller: "uv" }),
                    (e: unknown) =>
                        e instanceof InputError &&
                        e.message ===
                            '`requirementsInstaller` is "uv", but uv\'s pip interface would not install as pip does: requirements.txt: --prefer-binary (uv does not read --prefer-binary). ' +
                                'Remove that from the requirements files or the install secrets, or set `requirementsInstaller: "pip"`.',
                );
                assert.throws(() => synthesize(dir, { requirementsInstaller: "poetry" as never }), /`requirementsInstaller` is "poetry"; it must be "uv" or "pip"\./);
            });

            it("GIVEN hashed lines and an unhashed one THEN refused at preview, naming the unhashed line (pip's hash-checking mode would refuse it in the build)", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "requirements.txt": "-r requirements/base.txt\ngunicorn==23.0.0\n",
                    "requirements/base.txt": "flask==3.1.0 \\\n    --hash=sha256:" + "a".repeat(64) + "\n",
                });
                assert.throws(
                    () => synthesize(dir),
                    (e: unknown) =>
                        e instanceof InputError &&
                        e.message ===
                            "requirements.txt: gunicorn==23.0.0 has no --hash, while other requirement lines do (requirements/base.txt: flask==3.1.0...): pip installs in hash-checking mode once any requirement has a hash, and refuses one without (uv is asked for the same). " +
                                "Hash every line (pip-compile --generate-hashes, or uv pip compile --generate-hashes), or drop the hashes.",
                );
            });

            it("GIVEN one project pinned to two versions across requirements and constraints THEN refused at preview naming both lines; the same pin twice, or pins split by markers, are accepted", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "-r base.txt\n-c constraints.txt\nFlask==3.1.0\n", "base.txt": "sqlparse==0.5.3\nFlask==3.1.0\n", "constraints.txt": "sqlparse==0.5.2\n" });
                assert.throws(
                    () => synthesize(dir),
                    (e: unknown) =>
                        e instanceof InputError &&
                        e.message ===
                            "The requirements files pin one project to two versions (base.txt: sqlparse==0.5.3 and constraints.txt: sqlparse==0.5.2); pip and uv both refuse to install them (no version satisfies both). Keep one pin.",
                );
                const fine = apps.make({
                    "app.py": FLASK_APP,
                    "requirements.txt": 'Flask==3.1.0\nflask==3.1\nnumpy==2.1.3 ; python_version >= "3.13"\nnumpy==1.26.4 ; python_version < "3.13"\n',
                });
                assert.equal(synthesize(fine).plan.requirementsInstaller?.tool, "uv");
            });

            it("GIVEN a uv.lock app THEN requirementsInstaller is not part of its plan", () => {
                assert.equal(synthesize(fixture("fastapi-uv")).plan.requirementsInstaller, undefined);
            });
        });

        it("GIVEN a ./local path requirement THEN needsSource is set too", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n./libs/shared\n" });
            assert.equal(synthesize(dir).plan.needsSource, true);
        });

        it("GIVEN gunicorn already in requirements.txt THEN it is not added", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "Flask==3.1.0\nGunicorn[gevent]==23.0.0\n" });
            const r = synthesize(dir);
            assert.deepEqual(r.plan.server.addedPackages, []);
            assert.ok(!r.dockerfile.includes("gunicorn=="));
        });

        it("GIVEN a requirements.txt and a lock file THEN the lock wins and a note says requirements.txt is ignored", () => {
            const dir = apps.copyOf("fastapi-uv", { "requirements.txt": "fastapi\n" });
            const { plan } = synthesize(dir);
            assert.equal(plan.installer, "uv");
            assert.ok(plan.notes.includes("requirements.txt is ignored: uv.lock pins the dependencies."));
        });

        it("GIVEN uv.lock and poetry.lock and `installer: \"uv\"` THEN uv.lock is installed and a note says poetry.lock is ignored; without `installer` both are refused", () => {
            const dir = apps.copyOf("fastapi-uv", { "poetry.lock": "" });
            const { plan } = synthesize(dir, { installer: "uv" });
            assert.equal(plan.installer, "uv");
            assert.ok(plan.notes.includes('poetry.lock is ignored: `installer` is "uv", so uv.lock pins the dependencies.'), plan.notes.join("\n"));
            assert.throws(() => synthesize(dir), /keep the lock file of the tool you use and delete the other, or set `installer` to that tool \("uv" or "poetry"\)\.$/);
            assert.throws(() => synthesize(dir, { installer: "pip" }), /The source folder has both uv\.lock and poetry\.lock;/);
        });

        it("GIVEN uv.lock and poetry.lock and a Dockerfile that installs with one of them (`RUN uv sync`, `CMD [\"sh\", \"-c\", \"uv run ...\"]`) THEN that lock is installed, with a note; a Dockerfile naming both, or neither, leaves the refusal", () => {
            for (const dockerfile of [
                "FROM python:3.12\nRUN pip install uv\nCOPY . /app\nRUN uv sync --frozen --no-dev\n",
                'FROM python:3.12\nCOPY . /app\nCMD ["sh", "-c", "uv run --no-sync uvicorn main:app --port $PORT"]\n',
            ]) {
                const { plan } = synthesize(apps.copyOf("fastapi-uv", { "poetry.lock": "", Dockerfile: dockerfile }));
                assert.equal(plan.installer, "uv", dockerfile);
                assert.ok(plan.notes.includes("poetry.lock is ignored: the app's Dockerfile installs with uv (set `installer` to choose another), so uv.lock pins the dependencies."), plan.notes.join("\n"));
            }
            for (const dockerfile of ["FROM python:3.12\nRUN pip install poetry uv\nRUN poetry install && uv sync\n", "FROM python:3.12\nRUN pip install -r requirements.txt\n"]) {
                assert.throws(() => synthesize(apps.copyOf("fastapi-uv", { "poetry.lock": "", Dockerfile: dockerfile })), /The source folder has both uv\.lock and poetry\.lock;/, dockerfile);
            }
        });

        it("GIVEN `python` (or .python-version) naming a Python a pinned compiled package has no wheel for (greenlet 3.0.3 on 3.13) THEN a warning names it and the Pythons with wheels; a Python with wheels says nothing", () => {
            const warn = (options: Record<string, string>, extra: Record<string, string> = {}) =>
                synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask==3.1.0\ngreenlet==3.0.3\n", ...extra }), options).plan.notes.filter((n) => n.startsWith("Warning:") && n.includes("greenlet"));
            assert.deepEqual(warn({ python: "3.13" }), [
                "Warning: `python` is Python 3.13, but greenlet 3.0.3 has no wheel for 3.13 (its published wheels): it builds from source in the image, slowly, and may fail. Python 3.10, 3.11, 3.12 have wheels for it; or upgrade it to a release with a 3.13 wheel.",
            ]);
            assert.equal(warn({}, { ".python-version": "3.13\n" }).length, 1);
            assert.deepEqual(warn({ python: "3.12" }), []);
        });
    });

    describe("pyproject.toml and lock files", () => {
        it("GIVEN a PEP 621 pyproject.toml without a lock THEN pip installs its dependencies, not the project", () => {
            const dir = apps.make({
                "app.py": FLASK_APP,
                "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["flask>=3", "psycopg2==2.9.10"]\n',
            });
            const { plan } = synthesize(dir);
            assert.equal(plan.installer, "pip");
            assert.equal(plan.manifest, "pyproject.toml");
            assert.deepEqual(plan.manifests, ["pyproject.toml"]);
            assert.equal(plan.installsProject, false);
            assert.deepEqual(plan.apt.build, ["libpq-dev"]);
        });

        it("GIVEN a pyproject.toml with a build-system and no lock THEN pip installs the project after the source", () => {
            const dir = apps.make({
                "app.py": FLASK_APP,
                "pyproject.toml":
                    '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["flask"]\n\n[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
            });
            const r = synthesize(dir);
            assert.equal(r.plan.installsProject, true);
            const builder = parse(r.dockerfile).stages[0].instructions;
            const copyAll = builder.findIndex((i) => i instanceof Copy && i.getArgumentsContent() === ". .");
            const project = builder.findIndex((i) => i instanceof Run && shellOf(i).trim().startsWith("pip install --no-deps ."));
            assert.ok(copyAll >= 0 && project > copyAll);
        });

        it("GIVEN a uv.lock locked for an older version of the project (pyproject.toml's version bumped, not relocked) THEN it installs with --frozen and a note when the requirements are the locked ones; when they changed, an InputError names them before anything is built", () => {
            const lockText = fs.readFileSync(path.join(FIXTURES, "fastapi-uv", "uv.lock"), "utf8");
            const pyproject = fs.readFileSync(path.join(FIXTURES, "fastapi-uv", "pyproject.toml"), "utf8");
            assert.ok(lockText.includes('requires-dist = [{ name = "fastapi", specifier = ">=0.115" }]') && pyproject.includes('version = "0.1.0"'));
            const bumped = pyproject.replace('version = "0.1.0"', 'version = "0.2.0.dev0"');
            const optional = '\n[project.optional-dependencies]\ndocs = ["Sphinx>=8"]\n';
            const lockOptional = lockText.replace(
                'requires-dist = [{ name = "fastapi", specifier = ">=0.115" }]',
                'requires-dist = [\n    { name = "fastapi", specifier = ">=0.115" },\n    { name = "sphinx", marker = "extra == \'docs\'", specifier = ">=8" },\n]\nprovides-extras = ["docs"]',
            );
            const uvSyncs = (dockerfile: string) => dockerfile.split("\n").filter((l) => l.includes("uv sync")).map((l) => l.includes("--frozen") ? "frozen" : l.includes("--locked") ? "locked" : "?");

            const same = synthesize(apps.copyOf("fastapi-uv", { "pyproject.toml": bumped + optional, "uv.lock": lockOptional }));
            assert.deepEqual(uvSyncs(same.dockerfile), ["frozen"]);
            assert.ok(
                same.plan.notes.includes(
                    "uv.lock was locked for version 0.1.0 of the project and pyproject.toml says 0.2.0.dev0; the project's requirements are the ones locked, so the image installs the lock as it is (`uv sync --frozen`; `--locked` would refuse it). Run `uv lock` and commit uv.lock to record the new version.",
                ),
                same.plan.notes.join("\n"),
            );
            assert.deepEqual(uvSyncs(synthesize(fixture("fastapi-uv")).dockerfile), ["locked"]);

            assert.throws(
                () => synthesize(apps.copyOf("fastapi-uv", { "pyproject.toml": bumped.replace('"fastapi>=0.115"', '"fastapi>=0.115",\n    "httpx"') })),
                (e: unknown) =>
                    e instanceof InputError &&
                    e.argument === "uv.lock" &&
                    e.message ===
                        "uv.lock is out of date: it was locked for version 0.1.0 of the project, pyproject.toml says 0.2.0.dev0, and the project's requirements changed since (pyproject.toml: httpx), " +
                            "so `uv sync --locked` refuses it and the locked set is not what the project asks for. Run `uv lock` and commit uv.lock.",
            );
        });

        describe("the project's extras", () => {
            const BEACON_PYPROJECT = [
                "[build-system]",
                'requires = ["hatchling>=1.24"]',
                'build-backend = "hatchling.build"',
                "",
                "[project]",
                'name = "beacon-api"',
                'version = "0.4.2"',
                'requires-python = ">=3.11"',
                'dependencies = ["fastapi==0.115.0", "pydantic-settings==2.5.2"]',
                "",
                "[project.optional-dependencies]",
                'server = ["uvicorn[standard]==0.32.0"]',
                'prod = ["beacon-api[server]", "gunicorn==23.0.0", "orjson==3.10.7"]',
                'dev = ["pytest==8.3.3", "httpx==0.27.2"]',
                "",
                "[dependency-groups]",
                'lint = ["ruff==0.6.9"]',
                "",
                "[tool.hatch.build.targets.wheel]",
                'packages = ["src/beacon_api"]',
                "",
            ].join("\n");
            const beacon = () =>
                apps.make({
                    "pyproject.toml": BEACON_PYPROJECT,
                    "src/beacon_api/__init__.py": "",
                    "src/beacon_api/main.py": "from fastapi import FastAPI\nfrom fastapi.responses import ORJSONResponse\napp = FastAPI(default_response_class=ORJSONResponse)\n",
                });

            it("GIVEN a PEP 621 extra named prod THEN it installs with the dependencies, before the source, its pins count (gunicorn is not added, uvicorn 0.32.0 picks the worker) and a note names it", () => {
                const r = synthesize(beacon());
                assert.deepEqual(r.plan.dependencies.groups, ["prod"]);
                assert.deepEqual(r.plan.dependencies.extras, ["prod"]);
                assert.equal(r.plan.installsProject, true);
                assert.deepEqual(r.plan.server.addedPackages, ["uvicorn-worker==0.3.0"]);
                assert.deepEqual(r.plan.notes, [
                    "Installs the extra prod (pyproject.toml's [project.optional-dependencies]) besides the main dependencies (set `dependencyGroups` to choose).",
                    "uvicorn-worker 0.3.0, not 0.4.0: 0.4.0 needs uvicorn>=0.36.0 and gunicorn>=21.0.0, and the app pins uvicorn 0.32.0 and gunicorn 23.0.0.",
                    "The app's dependencies lack uvicorn-worker: added uvicorn-worker==0.3.0, installed against the app's own pins so none of them moves.",
                ]);
                const builder = parse(r.dockerfile).stages[0].instructions;
                const install = builder.findIndex((i) => i instanceof Run && shellOf(i).includes("pip install -r /tmp/pyproject-deps.txt"));
                const copyAll = builder.findIndex((i) => i instanceof Copy && i.getArgumentsContent() === ". .");
                const project = builder.findIndex((i) => i instanceof Run && shellOf(i).trim().startsWith("pip install --no-deps ."));
                assert.ok(install >= 0 && install < copyAll && copyAll < project, "the dependency layer stays before the source; the project installs after it");
                const lines = r.dockerfile.split("\n");
                assert.ok(lines.some((l) => l.startsWith('    python -c "import sys;') && l.endsWith('" prod \\')));
                assert.ok(lines.includes("    && pip list --format=freeze > /tmp/installed.txt && pip install -c /tmp/installed.txt uvicorn-worker==0.3.0 \\"));
            });

            it("GIVEN a PEP 621 extra named prod THEN the builder's script lists the dependencies and the extra's requirements, the extra it names on the project itself expanded", () => {
                const dir = beacon();
                const r = synthesize(dir);
                const line = r.dockerfile.split("\n").find((l) => l.startsWith('    python -c "'))!;
                const script = (JSON.parse(line.slice("    python -c ".length, line.lastIndexOf('"') + 1)) as string).replace("/tmp/pyproject-deps.txt", "deps.txt");
                const run = spawnSync("python3", ["-c", script, "prod"], { cwd: dir, encoding: "utf8" });
                assert.equal(run.status, 0, run.stderr);
                assert.equal(fs.readFileSync(path.join(dir, "deps.txt"), "utf8"), "fastapi==0.115.0\npydantic-settings==2.5.2\nuvicorn[standard]==0.32.0\ngunicorn==23.0.0\norjson==3.10.7\n");
            });

            it("GIVEN `dependencyGroups` naming an extra THEN it is installed, and a name neither a group nor an extra is refused with both lists", () => {
                const dir = beacon();
                const r = synthesize(dir, { dependencyGroups: ["dev", "lint"] });
                assert.deepEqual(r.plan.dependencies.groups, ["dev", "lint"]);
                assert.deepEqual(r.plan.dependencies.extras, ["dev"]);
                assert.deepEqual(r.plan.server.addedPackages, ["gunicorn==27.0.1", "uvicorn-worker==0.4.0"]);
                assert.ok(r.dockerfile.includes('" dev lint \\\n'));
                assert.throws(
                    () => synthesize(dir, { dependencyGroups: ["production"] }),
                    (e: unknown) =>
                        e instanceof InputError &&
                        e.message ===
                            '`dependencyGroups` names "production", which the manifests do not define (they define the dependency group lint and the extras server, prod, dev (pyproject.toml\'s [project.optional-dependencies])).',
                );
            });

            it("GIVEN no extra is chosen THEN the builder's script is the one without extras", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["flask"]\n[project.optional-dependencies]\ndev = ["pytest"]\n' });
                const r = synthesize(dir);
                assert.deepEqual([r.plan.dependencies.groups, r.plan.dependencies.extras], [[], []]);
                assert.ok(!r.dockerfile.includes("optional-dependencies"));
            });

            it("GIVEN setup.cfg's [options.extras_require] prod THEN pip installs the project with it and a note names it", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "setup.cfg": "[metadata]\nname = svc\n\n[options]\npy_modules = app\ninstall_requires =\n    flask==3.1.0\n\n[options.extras_require]\nprod =\n    gunicorn==23.0.0\ndev = pytest\n",
                    "setup.py": "from setuptools import setup\nsetup()\n",
                });
                const r = synthesize(dir);
                assert.deepEqual(r.plan.dependencies.extras, ["prod"]);
                assert.equal(r.plan.installsProject, true);
                assert.deepEqual(r.plan.server.addedPackages, []);
                assert.ok(r.plan.notes.includes("Installs the extra prod (setup.cfg's [options.extras_require]) besides the main dependencies (set `dependencyGroups` to choose)."));
                assert.ok(r.dockerfile.split("\n").includes("    pip install '.[prod]' \\"));
                assert.ok(!r.dockerfile.includes("--no-deps"));
            });

            it("GIVEN setup.py's extras_require dict THEN its names are extras `dependencyGroups` accepts", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "setup.py": 'from setuptools import setup\nsetup(name="svc", py_modules=["app"], install_requires=["flask"], extras_require={"deploy": ["gunicorn==23.0.0"], "dev": "pytest"})\n',
                });
                assert.deepEqual(synthesize(dir).plan.dependencies.extras, ["deploy"]);
                assert.deepEqual(synthesize(dir, { dependencyGroups: ["dev"] }).plan.dependencies.extras, ["dev"]);
            });
        });

        it("GIVEN a constraints.txt beside a pyproject.toml or setup.py project THEN a note says pip does not apply it", () => {
            const note = (files: Record<string, string>) => synthesize(apps.make({ "app.py": FLASK_APP, "constraints.txt": "flask==3.0.3\n", ...files })).plan.notes.filter((n) => n.startsWith("constraints.txt"));
            assert.deepEqual(note({ "pyproject.toml": '[project]\nname = "svc"\nversion = "1.0"\ndependencies = ["flask"]\n' }), [
                "constraints.txt is not applied: pip reads a constraints file only when a requirements file or the command names it (`pip install -c constraints.txt ...`), and the image installs from pyproject.toml. To have those versions, pin them in the manifest or lock the dependencies (uv.lock, pylock.toml...).",
            ]);
            assert.equal(note({ "setup.py": 'from setuptools import setup\nsetup(name="svc", py_modules=["app"], install_requires=["flask"])\n' }).length, 1);
            assert.deepEqual(note({ "requirements.txt": "-c constraints.txt\nflask\n" }), []);
        });

        it("GIVEN Pipfile.lock THEN pipenv is the installer and its default packages are the dependencies", () => {
            const lock = {
                _meta: { hash: { sha256: "0" }, "pipfile-spec": 6, requires: { python_version: "3.12" }, sources: [] },
                default: {
                    flask: { hashes: ["sha256:aa"], index: "pypi", version: "==3.1.0" },
                    gunicorn: { hashes: ["sha256:bb"], index: "pypi", version: "==23.0.0" },
                },
                develop: { pytest: { version: "==8.3.0" } },
            };
            const dir = apps.make({ "app.py": FLASK_APP, Pipfile: "[packages]\nflask = '*'\n", "Pipfile.lock": JSON.stringify(lock, null, 4) });
            const { plan } = synthesize(dir);
            assert.equal(plan.installer, "pipenv");
            assert.equal(plan.manifest, "Pipfile.lock");
            assert.deepEqual(plan.manifests, ["Pipfile.lock"]);
            assert.deepEqual(plan.server.addedPackages, []);
        });

        describe("PEP 723 inline script metadata", () => {
            const block = (toml: string) => `# /// script\n${toml.split("\n").map((l) => (l === "" ? "#" : `# ${l}`)).join("\n")}\n# ///\n${FLASK_APP}`;

            it("GIVEN a single-file app with a `# /// script` block THEN pip installs its requirements from a list in the Dockerfile, before the source, within its requires-python", () => {
                const r = synthesize(apps.make({ "app.py": block('requires-python = "<3.13"\ndependencies = [\n    "flask==3.1.2",\n    "gunicorn>=23",\n]') }));
                assert.equal(r.plan.installer, "pip");
                assert.equal(r.plan.manifest, "app.py");
                assert.deepEqual(r.plan.manifests, []);
                assert.equal(r.plan.python.version, "3.12");
                assert.deepEqual(r.plan.server.addedPackages, []);
                const lines = r.dockerfile.split("\n");
                const heredoc = lines.indexOf("COPY <<'EOF' /tmp/script-requirements.txt");
                assert.deepEqual(lines.slice(heredoc, heredoc + 4), ["COPY <<'EOF' /tmp/script-requirements.txt", "flask==3.1.2", "gunicorn>=23", "EOF"]);
                assert.ok(lines.includes("    pip install -r /tmp/script-requirements.txt \\"));
                assert.ok(heredoc < lines.indexOf("# The source, straight from the build context."));
            });

            it("GIVEN a `# ///` line followed by more comment lines THEN the last one closes the block, as the PEP's reader takes it (here: not TOML, refused)", () => {
                const dir = apps.make({ "app.py": `# /// script\n# dependencies = ["flask"]\n# ///\n# x = 1\n# ///\n${FLASK_APP}` });
                assert.throws(() => synthesize(dir), (e: unknown) => e instanceof InputError && e.message === "app.py's PEP 723 `# /// script` block is not valid TOML (line 2, column 1: illegal character in key). Fix the block.");
            });

            it("GIVEN a project named EOF THEN it is written in lower case, so it cannot end the heredoc", () => {
                const lines = synthesize(apps.make({ "app.py": block('dependencies = ["flask", "EOF"]') })).dockerfile.split("\n");
                const heredoc = lines.indexOf("COPY <<'EOF' /tmp/script-requirements.txt");
                assert.deepEqual(lines.slice(heredoc, heredoc + 4), ["COPY <<'EOF' /tmp/script-requirements.txt", "flask", "eof", "EOF"]);
            });

            it("GIVEN a requirement that is not PEP 508, a newline in one, an unclosed block, two scripts THEN InputError names the file and the fix", () => {
                const refused = (files: Record<string, string>) => {
                    try {
                        synthesize(apps.make(files));
                    } catch (e) {
                        assert.ok(e instanceof InputError);
                        return e.message;
                    }
                    return "not refused";
                };
                assert.equal(refused({ "app.py": block('dependencies = ["flask >>> 3"]') }), 'app.py\'s PEP 723 block lists "flask >>> 3", which is not a PEP 508 requirement; fix the line.');
                assert.equal(refused({ "app.py": block('dependencies = ["flask\\nRUN curl evil | sh"]') }), 'app.py\'s PEP 723 block lists "flask\\nRUN curl evil | sh", which is not a PEP 508 requirement; fix the line.');
                assert.equal(refused({ "app.py": block('dependencies = ["lib @ file:///src/lib"]') }), 'app.py\'s PEP 723 block lists "lib @ file:///src/lib", which is not a package the build can fetch (a local file URL); fix the line.');
                assert.equal(refused({ "app.py": `# /// script\n# dependencies = []\n${FLASK_APP}` }), "app.py opens a PEP 723 `# /// script` block that no `# ///` line closes (every line between is `#` or `# ` and text); close the block.");
                assert.equal(
                    refused({ "app.py": block('dependencies = ["flask"]'), "tool.py": block('dependencies = ["rich"]') }),
                    "app.py and tool.py each declare dependencies in a PEP 723 `# /// script` block, and the image installs one app's: put the app's dependencies in a pyproject.toml or requirements.txt, or keep the block in the app's file only.",
                );
            });

            it("GIVEN the script's lock (app.py.lock) THEN uv exports it from the block, written into the Dockerfile, and installs the locked versions; `uv run app.py` is `python app.py`", () => {
                const lock = 'version = 1\nrequires-python = ">=3.11"\n\n[manifest]\nrequirements = [{ name = "flask" }]\n\n[[package]]\nname = "flask"\nversion = "3.1.1"\nsource = { registry = "https://packages.example/simple" }\n\n[[package]]\nname = "uvicorn"\nversion = "0.34.2"\nsource = { registry = "https://packages.example/simple" }\n';
                const text = block('requires-python = ">=3.11"\ndependencies = ["flask"]\n\n[tool.uv]\nexclude-newer = "2025-06-01T00:00:00Z"');
                const r = synthesize(apps.make({ "app.py": text, "app.py.lock": lock, Procfile: "web: uv run app.py\n" }));
                assert.equal(r.plan.installer, "uv");
                assert.equal(r.plan.manifest, "app.py.lock");
                assert.deepEqual(r.plan.manifests, ["app.py.lock"]);
                const lines = r.dockerfile.split("\n");
                const stub = lines.indexOf("COPY <<'EOF' /app/app.py");
                assert.deepEqual(lines.slice(stub + 1, stub + 9), ["# /// script", '# requires-python = ">=3.11"', '# dependencies = ["flask"]', "#", "# [tool.uv]", '# exclude-newer = "2025-06-01T00:00:00Z"', "# ///", "EOF"]);
                assert.equal(lines[stub + 9], 'COPY ["app.py.lock","./"]');
                assert.ok(lines.includes("    /opt/build-tools/bin/uv export --script app.py --locked --format requirements.txt -o /tmp/script-requirements.txt \\"));
                assert.ok(lines.includes("    && /opt/build-tools/bin/uv pip install -r /tmp/script-requirements.txt \\"));
                assert.ok(r.plan.notes.includes("The Procfile's web: line runs `python app.py`, a development server; the image serves the app with gunicorn instead."), r.plan.notes.join("\n"));
                const unlocked = synthesize(apps.make({ "app.py": text })).plan;
                assert.equal(unlocked.installer, "pip");
                assert.ok(
                    unlocked.notes.includes(
                        "app.py declares its dependencies in a PEP 723 `# /// script` block (as `uv run app.py` reads them): the image installs those, from a list in the Dockerfile, so a code change keeps the dependency layer; nothing pins their versions: `uv lock --script app.py` writes app.py.lock, which the image then installs (and which carries the block's [tool.uv] exclude-newer, not applied without it).",
                    ),
                );
            });

            it("GIVEN the script's lock naming a path source (the block's [tool.uv.sources]) THEN its folder is copied with the lock", () => {
                const lock = 'version = 1\nrequires-python = ">=3.11"\n\n[manifest]\nrequirements = [{ name = "slugkit", directory = "vendor/slugkit" }]\n\n[[package]]\nname = "slugkit"\nversion = "0.1.0"\nsource = { directory = "vendor/slugkit" }\n';
                const r = synthesize(apps.make({ "app.py": block('dependencies = ["slugkit", "flask"]\n\n[tool.uv.sources]\nslugkit = { path = "vendor/slugkit" }'), "app.py.lock": lock, "vendor/slugkit/pyproject.toml": '[project]\nname = "slugkit"\nversion = "0.1.0"\n' }));
                assert.deepEqual(r.plan.manifests, ["app.py.lock", "vendor/slugkit/"]);
            });

            it("GIVEN a requirements.txt beside a script block THEN requirements.txt decides", () => {
                assert.equal(synthesize(apps.make({ "app.py": block('dependencies = ["flask"]'), "requirements.txt": "flask\n" })).plan.manifest, "requirements.txt");
            });
        });

        describe("a PEP 751 lock (pylock.toml)", () => {
            /** A pylock.toml of index packages (name, version, optional marker), as the lockers write them. */
            const pylock = (head: string, pkgs: Array<[string, string, string?]>, extra = ""): string =>
                `lock-version = "1.0"\ncreated-by = "test"\n${head}\n` +
                pkgs
                    .map(([n, v, m]) => `\n[[packages]]\nname = "${n}"\nversion = "${v}"\n${m ? `marker = ${JSON.stringify(m)}\n` : ""}wheels = [{ name = "${n.replace(/-/g, "_")}-${v}-py3-none-any.whl", url = "https://files.packages.example/${n}-${v}-py3-none-any.whl", hashes = { sha256 = "00" } }]\n`)
                    .join("") +
                extra;

            it("GIVEN pylock.toml and requirements.txt THEN uv installs the lock, requirements.txt names the app's own dependencies, gunicorn is added", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "pylock.toml": pylock("", [["flask", "3.1.2"], ["werkzeug", "3.1.3"]]) });
                const r = synthesize(dir);
                assert.equal(r.plan.installer, "uv");
                assert.equal(r.plan.manifest, "pylock.toml");
                assert.deepEqual(r.plan.manifests, ["pylock.toml"]);
                assert.equal(r.plan.framework, "flask");
                assert.deepEqual(r.plan.server.addedPackages, ["gunicorn==27.0.1"]);
                assert.ok(r.plan.notes.includes("requirements.txt is ignored: pylock.toml pins the dependencies."));
                const lines = r.dockerfile.split("\n");
                assert.ok(lines.includes("    /opt/build-tools/bin/uv pip install -r pylock.toml \\"));
                assert.ok(lines.includes("    && /opt/build-tools/bin/uv pip list --format=freeze > /tmp/installed.txt && /opt/build-tools/bin/uv pip install -c /tmp/installed.txt gunicorn==27.0.1 \\"));
            });

            it("GIVEN group markers and default-groups THEN the default and production groups are named to uv, and a group's gunicorn counts only when chosen", () => {
                const files = {
                    "app.py": FLASK_APP,
                    "pyproject.toml": '[project]\nname = "svc"\nversion = "1.0"\nrequires-python = ">=3.11"\ndependencies = ["flask"]\n',
                    "pylock.toml": pylock('requires-python = ">=3.11"\nextras = ["pg"]\ndependency-groups = ["default", "dev", "prod"]\ndefault-groups = ["default"]', [
                        ["flask", "3.1.2", '"default" in dependency_groups'],
                        ["gunicorn", "23.0.0", '"prod" in dependency_groups'],
                        ["psycopg", "3.2.9", '"pg" in extras'],
                        ["pytest", "8.4.0", '"dev" in dependency_groups'],
                        ["colorama", "0.4.6", 'sys_platform == "win32" and "dev" in dependency_groups'],
                    ]),
                };
                const r = synthesize(apps.make(files));
                assert.deepEqual(r.plan.dependencies.groups, ["default", "prod"]);
                assert.deepEqual(r.plan.server.addedPackages, []);
                assert.ok(r.dockerfile.split("\n").includes("    /opt/build-tools/bin/uv pip install -r pylock.toml --group default --group prod \\"));
                const dev = synthesize(apps.make(files), { dependencyGroups: ["dev", "pg"] });
                assert.deepEqual(dev.plan.dependencies.groups, ["default", "dev", "pg"]);
                assert.deepEqual(dev.plan.dependencies.extras, ["pg"]);
                assert.deepEqual(dev.plan.server.addedPackages, ["gunicorn==27.0.1"]);
                assert.ok(dev.dockerfile.split("\n").includes("    /opt/build-tools/bin/uv pip install -r pylock.toml --group default --group dev --extra pg \\"));
                assert.throws(
                    () => synthesize(apps.make(files), { dependencyGroups: ["docs"] }),
                    (e: unknown) => e instanceof InputError && e.message === '`dependencyGroups` names "docs", which the manifests do not define (they define the dependency groups dev, prod and the extra pg (pylock.toml\'s extras)).',
                );
            });

            it("GIVEN the lock lists the project itself THEN its dependencies install from a copy without it before the source, the project after it, not editable", () => {
                const dir = apps.make({
                    "svc/__init__.py": "",
                    "svc/app.py": FLASK_APP,
                    "pyproject.toml": '[project]\nname = "svc"\nversion = "1.0"\ndependencies = ["flask"]\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
                    "pylock.toml": pylock("", [["flask", "3.1.2"]], '\n[[packages]]\nname = "svc"\ndirectory = { path = ".", editable = true }\n'),
                });
                const r = synthesize(dir);
                assert.equal(r.plan.installsProject, true);
                assert.equal(r.plan.sourceInto, "builder");
                assert.ok(r.plan.notes.includes("pylock.toml installs the project itself (svc): after the source, without its editable link."));
                const lines = r.dockerfile.split("\n");
                assert.ok(lines.includes("RUN --mount=type=cache,id=pip,target=/root/.cache/pip python3 -m venv /opt/build-tools && /opt/build-tools/bin/pip install uv==0.13.9 tomli-w==1.2.0"));
                const deps = lines.findIndex((l) => l === "    && /opt/build-tools/bin/uv pip install -r pylock.image-deps.toml && rm pylock.image-deps.toml \\");
                const source = lines.indexOf("COPY . .");
                const project = lines.indexOf("RUN --mount=type=cache,id=uv,target=/root/.cache/uv /opt/build-tools/bin/uv pip install --no-editable -r pylock.toml \\");
                assert.ok(deps > 0 && deps < source && source < project, r.dockerfile);
            });

            it("GIVEN the lock's filter script THEN, run by Python, it drops exactly the app's own code (the lock's folder, an editable folder) and keeps the rest", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "pyproject.toml": '[project]\nname = "svc"\nversion = "1.0"\ndependencies = ["flask"]\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
                    "libs/util/pyproject.toml": '[project]\nname = "util"\nversion = "1.0"\n',
                    "backend/pyproject.toml": '[project]\nname = "api"\nversion = "1.0"\n',
                    "pylock.toml": pylock("", [["flask", "3.1.2"]], '\n[[packages]]\nname = "svc"\ndirectory = { path = "./", editable = true }\n\n[[packages]]\nname = "util"\ndirectory = { path = "libs/util" }\n\n[[packages]]\nname = "api"\ndirectory = { path = "backend", editable = true }\n'),
                });
                const r = synthesize(dir);
                assert.deepEqual(r.plan.manifests, ["pylock.toml", "libs/util/"]);
                const line = r.dockerfile.split("\n").find((l) => l.includes("tomli_w.dump"))!;
                const script = JSON.parse(line.slice(line.indexOf('"'), line.lastIndexOf('"') + 1)) as string;
                // tomli-w is not on the test host: a stand-in writes the names kept, which is what the filter decides.
                const stub = apps.make({ "tomli_w.py": "def dump(d, f):\n    f.write(','.join(p['name'] for p in d['packages']).encode())\n" });
                const run = spawnSync("python3", ["-c", script, "pylock.toml"], { cwd: dir, env: { ...process.env, PYTHONPATH: stub }, encoding: "utf8" });
                assert.equal(run.status, 0, run.stderr);
                assert.equal(fs.readFileSync(path.join(dir, "pylock.image-deps.toml"), "utf8"), "flask,util");
            });

            it("GIVEN PEP 751 markers THEN they parse and hold as the sets of extras and groups say; what is not a marker does not parse", () => {
                const env = { ...linuxMarkers("3.13"), extras: new Set(["pg"]), dependency_groups: new Set(["default"]) };
                const holds = (m: string) => markerHolds(parseMarker(m)!, env);
                assert.equal(holds('"pg" in extras'), true);
                assert.equal(holds("'dev' in dependency_groups"), false);
                assert.equal(holds('"dev" not in dependency_groups and python_version >= "3.11"'), true);
                assert.equal(holds('(sys_platform == "win32" or "default" in dependency_groups) and "pg" in extras'), true);
                assert.equal(holds('sys_platform == "win32" and "default" in dependency_groups'), false);
                assert.equal(holds('platform_machine == "aarch64" and "default" in dependency_groups'), undefined);
                for (const bad of ['"pg" in', "flask == 1", 'python_version >= "3.11" and', '(os_name == "posix"', "extras == 'pg' or"]) {
                    assert.equal(parseMarker(bad), undefined, bad);
                }
            });

            it("GIVEN a group name a shell would read THEN InputError names it; a named lock with such a name is not taken for a lock", () => {
                const bad = apps.make({ "app.py": FLASK_APP, "pylock.toml": pylock('dependency-groups = ["default", "x;rm -rf /"]\ndefault-groups = ["default"]', [["flask", "3.1.2"]]) });
                assert.throws(
                    () => synthesize(bad),
                    (e: unknown) => e instanceof InputError && e.message.startsWith('pylock.toml names the group or extra "x;rm -rf /", which is not a valid name (letters, digits, ".", "_" and "-"); Regenerate it'),
                );
                const named = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "pylock.a$(id).toml": pylock("", [["flask", "3.1.2"]]) });
                assert.equal(synthesize(named).plan.manifest, "requirements.txt");
            });

            it("GIVEN a lock-version 2 or none THEN InputError names the file and the fix", () => {
                const two = apps.make({ "app.py": FLASK_APP, "pylock.toml": 'lock-version = "2.0"\n' });
                assert.throws(
                    () => synthesize(two),
                    (e: unknown) =>
                        e instanceof InputError &&
                        e.message ===
                            'pylock.toml has lock-version "2.0", and PEP 751 lock-version 1 is what the image\'s installer (uv) reads; a newer major version may change the format. Regenerate it with the tool that wrote it (`pip lock`, `uv export --format pylock.toml`, `pdm export -f pylock`).',
                );
                const none = apps.make({ "app.py": FLASK_APP, "pylock.toml": "[[packages]]\nname = 'flask'\n" });
                assert.throws(() => synthesize(none), (e: unknown) => e instanceof InputError && e.message.startsWith("pylock.toml has lock-version (none), and PEP 751 lock-version 1 is what the image's installer (uv) reads; without it the file is not a PEP 751 lock."));
            });

            it("GIVEN one named lock THEN it is installed; two named and no pylock.toml THEN InputError lists them", () => {
                const one = synthesize(apps.make({ "app.py": FLASK_APP, "pylock.prod.toml": pylock("", [["flask", "3.1.2"]]) }));
                assert.equal(one.plan.manifest, "pylock.prod.toml");
                assert.ok(one.dockerfile.split("\n").includes("    /opt/build-tools/bin/uv pip install -r pylock.prod.toml \\"));
                const two = apps.make({ "app.py": FLASK_APP, "pylock.prod.toml": pylock("", [["flask", "3.1.2"]]), "pylock.dev.toml": pylock("", [["flask", "3.1.2"]]) });
                assert.throws(
                    () => synthesize(two),
                    (e: unknown) =>
                        e instanceof InputError &&
                        e.message ===
                            "The source folder has the PEP 751 locks pylock.dev.toml, pylock.prod.toml and no pylock.toml, and the image installs one lock: name the one the app runs with pylock.toml (or write it with your locker's output option, e.g. `uv export --format pylock.toml -o pylock.toml`).",
                );
            });

            it("GIVEN uv.lock and the pylock.toml exported from it THEN uv.lock decides, with a note; `installer: \"pip\"` beside a pylock.toml is refused", () => {
                const dir = apps.copyOf("fastapi-uv", { "pylock.toml": pylock("", [["fastapi", "0.115.0"]]) });
                const r = synthesize(dir);
                assert.equal(r.plan.manifest, "uv.lock");
                assert.ok(r.plan.notes.includes("pylock.toml is ignored: uv.lock, uv's own lock, pins the dependencies."));
                const pl = apps.make({ "app.py": FLASK_APP, "pylock.toml": pylock("", [["flask", "3.1.2"]]) });
                assert.throws(
                    () => synthesize(pl, { installer: "pip" }),
                    (e: unknown) => e instanceof InputError && e.message === '`installer` is "pip", but the source folder has pylock.toml, a PEP 751 lock, which uv installs. Remove `installer` or delete pylock.toml.',
                );
            });

            it("GIVEN uv.lock with named pylock exports beside it THEN uv.lock decides, naming them; a lock's extra left out is named", () => {
                const dir = apps.copyOf("fastapi-uv", { "pylock.prod.toml": pylock("", [["fastapi", "0.115.0"]]), "pylock.dev.toml": pylock("", [["fastapi", "0.115.0"]]) });
                const r = synthesize(dir);
                assert.equal(r.plan.manifest, "uv.lock");
                assert.ok(r.plan.notes.includes("pylock.dev.toml, pylock.prod.toml are ignored: uv.lock, uv's own lock, pins the dependencies."));
                const extras = synthesize(apps.make({ "app.py": FLASK_APP, "pylock.toml": pylock('extras = ["md"]', [["flask", "3.1.2"], ["markdown", "3.7", '"md" in extras']]) }));
                assert.ok(
                    extras.plan.notes.includes(
                        "pylock.toml locks the extra md, which is not installed (an installer installs a lock's extras only when named): if the app needs it, add it to `dependencyGroups` (with the groups to install besides the default ones).",
                    ),
                );
            });

            it("GIVEN a package locked by a file URL (pip lock of a vendored wheel) THEN InputError names it and the path to write instead", () => {
                const lock = pylock("", [["flask", "3.1.2"]], '\n[[packages]]\nname = "harborlib"\nversion = "1.4.0"\n\n[packages.archive]\nurl = "file:///home/dev/app/vendor/harborlib-1.4.0-py3-none-any.whl"\n\n[packages.archive.hashes]\nsha256 = "00"\n');
                const dir = apps.make({ "app.py": FLASK_APP, "pylock.toml": lock, "vendor/harborlib-1.4.0-py3-none-any.whl": "" });
                assert.throws(
                    () => synthesize(dir),
                    (e: unknown) =>
                        e instanceof InputError &&
                        e.message ===
                            'pylock.toml installs harborlib from file:///home/dev/app/vendor/harborlib-1.4.0-py3-none-any.whl, a file on the machine that wrote the lock, which the build cannot see. The source folder has vendor/harborlib-1.4.0-py3-none-any.whl: name it by a path relative to the lock instead of the URL (PEP 751: `path = "vendor/harborlib-1.4.0-py3-none-any.whl"` in place of `url`), or publish the package to an index.',
                );
                const fixed = apps.make({ "app.py": FLASK_APP, "pylock.toml": lock.replace('url = "file:///home/dev/app/vendor/', 'path = "vendor/'), "vendor/harborlib-1.4.0-py3-none-any.whl": "" });
                assert.deepEqual(synthesize(fixed).plan.manifests, ["pylock.toml", "vendor/harborlib-1.4.0-py3-none-any.whl"]);
            });

            it("GIVEN the lock's requires-python THEN the Python satisfies it", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "pylock.toml": pylock('requires-python = "<3.13"', [["flask", "3.1.2"]]) });
                assert.deepEqual(synthesize(dir).plan.python.version, "3.12");
            });
        });

        it("GIVEN a uv.lock that locks uvicorn-worker and gunicorn THEN neither is added", () => {
            const dir = apps.copyOf("fastapi-uv", { "uv.lock": uvLockWith(["gunicorn", "uvicorn-worker"]) });
            assert.deepEqual(synthesize(dir).plan.server.addedPackages, []);
        });
    });

    describe("Python version", () => {
        it("GIVEN conda's environment.yml beside requirements.txt THEN its python=... match spec names the version, after the other files; a range or an unsupported version names none", () => {
            const python = (env: string, extra: Record<string, string> = {}) => synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "environment.yml": env, ...extra })).plan.python;
            const deps = (...d: string[]) => `name: x\nchannels:\n  - conda-forge\ndependencies:\n${d.map((x) => `  - ${x}\n`).join("")}  - pip:\n    - gunicorn\n`;
            assert.deepEqual(python(deps("python=3.11", "flask=3.0")), { version: "3.11", source: "environment.yml (conda's python)" });
            assert.equal(python(deps("conda-forge::python==3.12.4")).version, "3.12");
            assert.equal(python(deps("python 3.11.* h955ad1f_0")).version, "3.11");
            assert.equal(python(deps("python=3.11"), { ".python-version": "3.12\n" }).source, ".python-version");
            assert.notEqual(python(deps("python>=3.10")).source, "environment.yml (conda's python)");
            assert.notEqual(python(deps("python=3.6")).source, "environment.yml (conda's python)");
        });
        const requires: Array<[string, string]> = [
            [">=3.10,<3.13", "3.12"],
            ["~=3.11.0", "3.11"],
            [">=3.9", "3.13"],
            [">=3.14", "3.14"],
            ["==3.12.*", "3.12"],
            [">=3.10, !=3.13.*", "3.14"],
            ["<3.12", "3.11"],
        ];
        for (const [spec, version] of requires) {
            it(`GIVEN requires-python "${spec}" THEN Python ${version}`, () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "pyproject.toml": `[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = "${spec}"\ndependencies = ["flask"]\n`,
                });
                assert.deepEqual(synthesize(dir).plan.python, { version, source: "pyproject.toml requires-python" });
            });
        }

        const files = {
            "app.py": FLASK_APP,
            "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.10,<3.13"\ndependencies = ["flask"]\n',
            ".python-version": "3.11.9\n",
            "runtime.txt": "python-3.10.14\n",
        };

        it("GIVEN .python-version, requires-python and runtime.txt THEN .python-version wins", () => {
            assert.deepEqual(synthesize(apps.make(files)).plan.python, { version: "3.11", source: ".python-version" });
        });

        it("GIVEN requires-python >=3.12 and a GitHub Actions workflow that tests on 3.14 only (a matrix, setup-uv or setup-python) THEN 3.14 is chosen over the default, with a note; a matrix holding the default, or an exact version file, keeps it", () => {
            const pyproject = '[project]\nname = "forum"\nversion = "1.0"\nrequires-python = ">=3.12"\ndependencies = ["flask"]\n';
            const matrix = (versions: string, action = "astral-sh/setup-uv@v7") =>
                `on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        python-version: ${versions}\n    steps:\n    - uses: actions/checkout@v6\n    - uses: ${action}\n      with:\n        python-version: \${{ matrix.python-version }}\n`;
            const chosen = (extra: Record<string, string>) => synthesize(apps.make({ "app.py": FLASK_APP, "pyproject.toml": pyproject, ...extra })).plan;
            const only314 = chosen({ ".github/workflows/tests.yml": matrix('["3.14"]') });
            assert.deepEqual(only314.python, { version: "3.14", source: "pyproject.toml requires-python and the Pythons its CI tests on (.github/workflows/tests.yml)" });
            assert.ok(only314.notes.includes("Python 3.14, not 3.13: the project's CI (.github/workflows/tests.yml) tests on 3.14, not on 3.13. Set `python` to choose another."), only314.notes.join("\n"));
            const direct = "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n";
            assert.equal(chosen({ ".github/workflows/ci.yaml": direct }).python.version, "3.12");
            assert.equal(chosen({ ".github/workflows/ci.yml": matrix('["3.12", "3.13", "3.14"]', "actions/setup-python@v5") }).python.version, "3.13");
            assert.equal(chosen({ ".github/workflows/ci.yml": matrix('["3.11", "pypy3.10", "3.x"]') }).python.version, "3.13");
            assert.equal(chosen({ ".github/workflows/ci.yml": matrix('["3.14"]'), ".python-version": "3.12\n" }).python.version, "3.12");
            assert.equal(chosen({ ".github/workflows/ci.yml": "jobs: [\n" }).python.version, "3.13");
        });

        it("GIVEN asdf's .tool-versions or mise.toml naming Python THEN it decides, after .python-version and runtime.txt; `python system` says nothing", () => {
            const base = { "app.py": FLASK_APP, "requirements.txt": "flask\n" };
            const tv = (text: string) => synthesize(apps.make({ ...base, ".tool-versions": text })).plan.python;
            assert.deepEqual(tv("nodejs 22.11.0\npython 3.11.9 3.10.14  # two, the first wins\n"), { version: "3.11", source: ".tool-versions" });
            assert.deepEqual(tv("python system\n"), { version: "3.13", source: "default" });
            const mise = (file: string, text: string) => synthesize(apps.make({ ...base, [file]: text })).plan.python;
            assert.deepEqual(mise("mise.toml", '[tools]\npython = "3.12"\nnode = "22"\n'), { version: "3.12", source: "mise.toml" });
            assert.deepEqual(mise(".mise.toml", '[tools]\npython = ["3.11", "3.12"]\n'), { version: "3.11", source: ".mise.toml" });
            assert.deepEqual(mise("mise.toml", '[tools]\npython = { version = "3.10" }\n'), { version: "3.10", source: "mise.toml" });
            assert.deepEqual(mise(".config/mise/config.toml", '[tools]\npython = "3.11"\n'), { version: "3.11", source: ".config/mise/config.toml" });
            assert.deepEqual(synthesize(apps.make({ ...base, ".tool-versions": "python 3.11.9\n", ".python-version": "3.12\n" })).plan.python, { version: "3.12", source: ".python-version" });
        });

        it("GIVEN runtime.txt naming one version that requires-python allows THEN runtime.txt decides (a range only limits)", () => {
            const rest: Record<string, string> = { ...files };
            delete rest[".python-version"];
            assert.deepEqual(synthesize(apps.make(rest)).plan.python, { version: "3.10", source: "runtime.txt" });
        });
        it("GIVEN runtime.txt naming a version requires-python excludes THEN InputError names both", () => {
            const dir = apps.make({ ...files, ".python-version": "3.13\n" });
            assert.throws(
                () => synthesize(dir),
                (e: unknown) =>
                    e instanceof InputError &&
                    e.message === '.python-version asks for Python 3.13, but pyproject.toml requires-python is ">=3.10,<3.13", which does not allow it; make them agree, or set `python`.',
            );
        });

        describe("the newest Python a pinned release supports", () => {
            const BOTTLE_APP = "import bottle\n\napplication = bottle.default_app()\n";
            it("GIVEN bottle==0.12.25 and requires-python >=3.10 THEN 3.12, and source and note name the release", () => {
                const dir = apps.make({
                    "app.py": BOTTLE_APP,
                    "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["bottle==0.12.25"]\n',
                });
                const plan = synthesize(dir).plan;
                assert.equal(plan.python.version, "3.12");
                assert.match(plan.python.source, /^pyproject\.toml requires-python and bottle 0\.12\.25 supports Python up to 3\.12 \(/);
                assert.ok(plan.notes.some((n) => n.startsWith("Python 3.12, not 3.13: bottle 0.12.25 supports Python up to 3.12")));
            });
            it("GIVEN bottle==0.12.25 and requires-python >=3.13 THEN the oldest allowed, 3.13, with a note", () => {
                const dir = apps.make({
                    "app.py": BOTTLE_APP,
                    "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.13"\ndependencies = ["bottle==0.12.25"]\n',
                });
                const plan = synthesize(dir).plan;
                assert.equal(plan.python.version, "3.13");
                assert.ok(plan.notes.some((n) => n.startsWith("No supported Python is old enough for the release pinned here: bottle 0.12.25")));
            });
            it("GIVEN a 2017 Flask freeze (Jinja2==2.9.6, Werkzeug==0.12.2: `from collections import Mapping`) THEN the oldest supported Python, with a note that importing them fails and which to upgrade", () => {
                const dir = apps.make({ "app.py": "from flask import Flask\napp = Flask(__name__)\n", "requirements.txt": "Flask==0.12.2\nJinja2==2.9.6\nMarkupSafe==1.1.1\nWerkzeug==0.12.2\nclick==6.7\n" });
                const plan = synthesize(dir).plan;
                assert.equal(plan.python.version, "3.10");
                const note = plan.notes.find((n) => n.startsWith("No supported Python is old enough for the release pinned here: jinja2 2.9.6 supports Python up to 3.9 (Jinja2 2.8 to 2.10.1 import Mapping from collections"));
                assert.ok(note, plan.notes.join("\n"));
                assert.match(note, /werkzeug 0\.12\.2 supports Python up to 3\.9 \(Werkzeug 0\.12 to 0\.14 import Container, Iterable and MutableSet from collections, which Python 3\.10 removed; 0\.15\.0 imports them from collections\.abc\)\. Python 3\.10, the oldest allowed, is used; importing Jinja2, Werkzeug fails on it\. Upgrade Jinja2, Werkzeug or set `python`\.$/);
            });
            it("GIVEN bottle==0.12.25 and numpy==1.25.2 (wheels up to cp311) THEN 3.11: the cap, then the wheels", () => {
                const dir = apps.make({ "app.py": BOTTLE_APP, "requirements.txt": "bottle==0.12.25\nnumpy==1.25.2\n" });
                const plan = synthesize(dir).plan;
                assert.equal(plan.python.version, "3.11");
                assert.match(plan.python.source, /^bottle 0\.12\.25 supports .*, and the wheels of numpy 1\.25\.2/);
            });
            it("GIVEN bottle==0.12.25 and runtime.txt python-3.13 THEN runtime.txt still decides, with a note", () => {
                const dir = apps.make({ "app.py": BOTTLE_APP, "requirements.txt": "bottle==0.12.25\n", "runtime.txt": "python-3.13.1\n" });
                const plan = synthesize(dir).plan;
                assert.deepEqual(plan.python, { version: "3.13", source: "runtime.txt" });
                assert.ok(plan.notes.some((n) => n.startsWith("runtime.txt names Python 3.13, but bottle 0.12.25 supports Python up to 3.12")));
            });
            it("GIVEN `python` 3.13 and Django~=3.2.10 THEN 3.13, with a note", () => {
                const dir = apps.make({ "app.py": BOTTLE_APP, "requirements.txt": "bottle\nDjango~=3.2.10\n" });
                const plan = synthesize(dir, { python: "3.13" }).plan;
                assert.deepEqual(plan.python, { version: "3.13", source: "`python`" });
                assert.ok(plan.notes.some((n) => n.startsWith("`python` names Python 3.13, but django~=3.2.10 installs a Django release in >=3.2.9,<4.0")));
            });
            it("GIVEN pydub pinned, ranged or unpinned (every release imports audioop) THEN 3.12, with a note naming it", () => {
                for (const [req, asked] of [
                    ["pydub==0.25.1\n", "pydub 0.25.1"],
                    ["pydub>=0.24\n", "pydub>=0.24 installs a pydub release in >=0, which"],
                    ["pydub\n", "pydub (unpinned: its newest release)"],
                ]) {
                    const plan = synthesize(apps.make({ "app.py": BOTTLE_APP, "requirements.txt": `bottle==0.13.2\n${req}` })).plan;
                    assert.equal(plan.python.version, "3.12", req);
                    assert.ok(plan.notes.some((n) => n.startsWith(`Python 3.12, not 3.13: ${asked} supports Python up to 3.12 (pydub imports audioop`)), `${req}: ${plan.notes.join("\n")}`);
                }
            });
            it("GIVEN WebOb==1.8.8 (imports cgi) THEN 3.12; WebOb 1.8.9, or legacy-cgi beside 1.8.8, THEN 3.13", () => {
                const py = (req: string) => synthesize(apps.make({ "app.py": BOTTLE_APP, "requirements.txt": `bottle==0.13.2\n${req}` })).plan.python.version;
                assert.equal(py("WebOb==1.8.8\n"), "3.12");
                assert.equal(py("WebOb==1.8.9\n"), "3.13");
                assert.equal(py("WebOb==1.8.8\nlegacy-cgi==2.6.3\n"), "3.13");
                assert.equal(synthesize(apps.make({ "app.py": BOTTLE_APP, "requirements.txt": "bottle==0.12.25\nlegacy-cgi==2.6.3\n" })).plan.python.version, "3.13");
            });
            it("GIVEN pydub beside audioop-lts (which restores audioop) THEN 3.13 (no cap)", () => {
                const plan = synthesize(apps.make({ "app.py": BOTTLE_APP, "requirements.txt": "bottle==0.13.2\npydub==0.25.1\naudioop-lts==0.2.1 ; python_version >= '3.13'\n" })).plan;
                assert.deepEqual(plan.python, { version: "3.13", source: "default" });
            });
            it("GIVEN psycopg[binary]==3.1.8 (which installs psycopg-binary 3.1.8: wheels up to 3.11) THEN 3.11, the note naming psycopg-binary", () => {
                const plan = synthesize(apps.make({ "app.py": BOTTLE_APP, "requirements.txt": "bottle==0.13.2\npsycopg[binary]==3.1.8\n" })).plan;
                assert.equal(plan.python.version, "3.11");
                assert.ok(plan.notes.some((n) => n.startsWith("Python 3.11, not 3.13: psycopg-binary 3.1.8 has no wheel built for 3.13 (its published wheels)")), plan.notes.join("\n"));
                const plain = synthesize(apps.make({ "app.py": BOTTLE_APP, "requirements.txt": "bottle==0.13.2\npsycopg==3.1.8\n" })).plan;
                assert.equal(plain.python.version, "3.13");
            });
            it("GIVEN bottle unpinned, or bottle==0.13.2 THEN 3.13 (no cap)", () => {
                for (const req of ["bottle\n", "bottle==0.13.2\n"]) {
                    const plan = synthesize(apps.make({ "app.py": BOTTLE_APP, "requirements.txt": req })).plan;
                    assert.deepEqual(plan.python, { version: "3.13", source: "default" });
                }
            });
        });

        it("GIVEN only runtime.txt THEN it decides", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "runtime.txt": "python-3.10.14\n" });
            assert.deepEqual(synthesize(dir).plan.python, { version: "3.10", source: "runtime.txt" });
            assert.equal(synthesize(dir).plan.baseImage.image, "ubuntu:22.04");
        });

        it("GIVEN nothing names a version THEN the default, 3.13", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n" });
            assert.deepEqual(synthesize(dir).plan.python, { version: "3.13", source: "default" });
        });

        it("GIVEN an sdist-only pin (psycopg2) beside Pillow 10.3.0 (no cp313 wheel) THEN 3.12: the sdist-only package does not decide", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask==3.1.0\nPillow==10.3.0\npsycopg2==2.9.10\n" });
            const plan = synthesize(dir).plan;
            assert.deepEqual(plan.python, { version: "3.12", source: "the wheels of pillow 10.3.0 (its published wheels)" });
            const note = plan.notes.find((n) => n.startsWith("Python 3.12, not 3.13: pillow 10.3.0 has no wheel built for 3.13"));
            assert.ok(note, JSON.stringify(plan.notes));
            assert.match(note, /psycopg2 2\.9\.10 has no wheel for any of 3\.10, 3\.11, 3\.12, 3\.13, 3\.14 \(its published wheels\): it builds from source on every Python/);
        });

        it("GIVEN pylibmc unpinned on 3.13 (its newest release's wheels stop at 3.11) THEN libmemcached's -dev packages in the builder and its library in the runner; pinned, 3.11 is chosen and nothing is added", () => {
            const unpinned = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\npylibmc\n" })).plan;
            assert.deepEqual(unpinned.python, { version: "3.13", source: "default" });
            assert.deepEqual(unpinned.apt, { build: ["libmemcached-dev", "zlib1g-dev"], runtime: ["libmemcached11t64"] });
            assert.ok(unpinned.notes.some((n) => n.startsWith("pylibmc (unpinned: pip installs 1.6.3) has no wheel for Python 3.13, so it builds from source: added libmemcached-dev, zlib1g-dev, libmemcached11t64 (")), unpinned.notes.join("\n"));
            const pinned = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\npylibmc==1.6.3\n" })).plan;
            assert.deepEqual(pinned.python, { version: "3.11", source: "the wheels of pylibmc 1.6.3 (its published wheels)" });
            assert.deepEqual(pinned.apt, { build: [], runtime: [] });
        });

        it("GIVEN GitPython (a wiki that keeps its pages in a git repository) THEN the git program in the runner, nothing in the builder", () => {
            const plan = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask==3.1.0\nGitPython==3.1.45\n" })).plan;
            assert.deepEqual(plan.apt, { build: [], runtime: ["git"] });
            assert.ok(plan.notes.some((n) => n.startsWith("gitpython: added git (GitPython is pure Python and runs the git program")), plan.notes.join("\n"));
        });

        it("GIVEN --no-binary lxml,xmlsec (pip's comma list) THEN both build from source: their -dev packages in the builder, their libraries in the runner; :none: clears it", () => {
            const plan = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "--no-binary lxml,xmlsec\nflask==3.1.0\nlxml==5.3.0\nxmlsec==1.3.14\n" })).plan;
            assert.deepEqual(plan.apt, { build: ["libxml2-dev", "libxslt1-dev", "libxmlsec1-dev", "pkg-config"], runtime: ["libxml2", "libxslt1.1", "libxmlsec1t64-openssl"] });
            assert.ok(plan.notes.some((n) => n.startsWith("lxml builds from source: the requirements say --no-binary lxml: added libxml2-dev, libxslt1-dev, libxml2, libxslt1.1 (")), plan.notes.join("\n"));
            const all = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "--no-binary=:all:\nflask==3.1.0\nlxml==5.3.0\n" })).plan;
            assert.ok(all.notes.some((n) => n.startsWith("lxml builds from source: the requirements say --no-binary :all:")), all.notes.join("\n"));
            const cleared = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "--no-binary lxml\n--no-binary :none:\nflask==3.1.0\nlxml==5.3.0\n" })).plan;
            assert.deepEqual(cleared.apt, { build: [], runtime: [] });
        });

        it("GIVEN only an sdist-only compiled pin (psycopg2) THEN the default, with no note blaming the wheels", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask==3.1.0\npsycopg2==2.9.10\n" });
            const plan = synthesize(dir).plan;
            assert.deepEqual(plan.python, { version: "3.13", source: "default" });
            assert.ok(!plan.notes.some((n) => n.includes("No supported Python has wheels")), JSON.stringify(plan.notes));
        });

        it("GIVEN a pin whose wheels stop before every allowed Python THEN it does not decide within requires-python", () => {
            // numpy 1.26.4 has wheels up to cp312: for ">=3.13" it builds from source on every allowed version.
            const dir = apps.make({
                "app.py": FLASK_APP,
                "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.13"\ndependencies = ["flask", "numpy==1.26.4"]\n',
            });
            const plan = synthesize(dir).plan;
            assert.deepEqual(plan.python, { version: "3.13", source: "pyproject.toml requires-python" });
            assert.ok(!plan.notes.some((n) => n.includes("No supported Python has wheels")), JSON.stringify(plan.notes));
        });

        describe("setuptools python_requires", () => {
            const setupPy = (kw: string, head = "") =>
                `from setuptools import setup\n${head}\nsetup(\n    name="svc",\n    ${kw}\n    install_requires=["flask==3.1.0"],\n)\n`;

            it("GIVEN setup.py python_requires bound to a top-level name THEN the newest Python it allows, named as the source", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "setup.py": setupPy("python_requires=PYTHON,", 'PYTHON = ">=3.10,<3.12"\n') });
                assert.deepEqual(synthesize(dir).plan.python, { version: "3.11", source: "setup.py python_requires" });
            });

            it("GIVEN setup.cfg and setup.py both say python_requires THEN each must allow the version", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "setup.py": setupPy('python_requires=">=3.8",'),
                    "setup.cfg": "[metadata]\nname = svc\n\n[options]\npython_requires = >=3.9,<3.11\n",
                });
                assert.deepEqual(synthesize(dir).plan.python, { version: "3.10", source: "setup.cfg [options] python_requires and setup.py python_requires" });
            });

            it("GIVEN pyproject.toml requires-python and setup.py python_requires THEN requires-python decides (setuptools reads [project] first)", () => {
                const dir = apps.make({
                    "app.py": FLASK_APP,
                    "setup.py": setupPy('python_requires=">=3.8,<3.11",'),
                    "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.12"\ndependencies = ["flask"]\n',
                });
                assert.deepEqual(synthesize(dir).plan.python, { version: "3.13", source: "pyproject.toml requires-python" });
            });

            it("GIVEN a setup.cfg python_requires that is not a specifier THEN InputError names the file and key", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "setup.py": setupPy(""), "setup.cfg": "[options]\npython_requires = three point eleven\n" });
                assert.throws(
                    () => synthesize(dir),
                    (e: unknown) =>
                        e instanceof InputError &&
                        e.message ===
                            'setup.cfg [options] python_requires is "three point eleven", which is not a version specifier; write one such as ">=3.11", or set `python`.',
                );
            });

            it("GIVEN a setup.py python_requires no supported Python satisfies THEN InputError names it", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "setup.py": setupPy('python_requires=">=3.6,<3.9",') });
                assert.throws(() => synthesize(dir), (e: unknown) => e instanceof InputError && e.message.startsWith('setup.py python_requires is ">=3.6,<3.9", which no supported Python satisfies'));
            });
        });

        it("GIVEN `python` \"3.12.4\" and a .python-version THEN `python` wins, as 3.12", () => {
            assert.deepEqual(synthesize(apps.make(files), { python: "3.12.4" }).plan.python, { version: "3.12", source: "`python`" });
        });

        it("GIVEN a .python-version with a comment line first THEN the first version line counts", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", ".python-version": "# pinned\n\n3.12\n" });
            assert.equal(synthesize(dir).plan.python.version, "3.12");
        });
    });

    describe("the app", () => {
        it("GIVEN a Procfile running gunicorn -k uvicorn.workers.UvicornWorker THEN the app is ASGI", () => {
            const dir = apps.make({
                "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
                "requirements.txt": "fastapi\ngunicorn\n",
                Procfile: "release: python migrate.py\nweb: gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT main:app\n",
            });
            const r = synthesize(dir);
            assert.deepEqual(r.plan.entrypoint, { spec: "main:app", interface: "asgi", source: "Procfile" });
            assert.equal(r.plan.framework, "fastapi");
            assert.equal(r.plan.server.workerClass, "uvicorn_worker.UvicornWorker");
            assert.deepEqual(r.plan.server.addedPackages, ["uvicorn-worker==0.4.0"]);
        });

        const CONNEXION = "import connexion\n\napp = connexion.FlaskApp(__name__)\n";
        it("GIVEN connexion>=2.7,<3 (a range below 3) THEN its FlaskApp is WSGI", () => {
            const r = synthesize(apps.make({ "app.py": CONNEXION, "requirements.txt": "connexion[swagger-ui]>=2.7,<3\n" }));
            assert.equal(r.plan.entrypoint.interface, "wsgi");
        });
        it("GIVEN connexion unpinned, or a range that allows 3 THEN its FlaskApp is ASGI (the newest release)", () => {
            for (const req of ["connexion\n", "connexion>=2.7,<3.5\n", "connexion~=3.1\n"]) {
                const r = synthesize(apps.make({ "app.py": CONNEXION, "requirements.txt": req }));
                assert.equal(r.plan.entrypoint.interface, "asgi", req);
                assert.ok(r.plan.notes.some((n) => n.includes("served as ASGI, for connexion")), req);
            }
        });
        it("GIVEN connexion==2.14.2 in pyproject.toml and `interface` \"asgi\" THEN the option wins", () => {
            const dir = apps.make({ "app.py": CONNEXION, "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["connexion==2.14.2"]\n' });
            assert.equal(synthesize(dir).plan.entrypoint.interface, "wsgi");
            assert.equal(synthesize(dir, { interface: "asgi" }).plan.entrypoint.interface, "asgi");
        });
        it("GIVEN `interface` contradicting the constructor the code shows THEN an InputError before anything is built", () => {
            const fastapi = apps.make({ "src/notes/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n", "requirements.txt": "fastapi\n" });
            assert.throws(
                () => synthesize(fastapi, { interface: "wsgi" }),
                (e: unknown) =>
                    e instanceof InputError &&
                    e.message ===
                        '`interface` is "wsgi", but src.notes.main:app (src/notes/main.py) is made by a fastapi constructor, which makes an ASGI app: gunicorn would serve it as WSGI and every request would fail. ' +
                            'Remove `interface` (detection serves it as "asgi"), or point `app` at a WSGI wrapper of it.',
            );
            const flask = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n" });
            assert.throws(() => synthesize(flask, { app: "app:app", interface: "asgi" }), /`interface` is "asgi", but app:app \(app.py\) is made by a flask constructor, which makes a WSGI app/);
        });
        const A2WSGI = "from a2wsgi import ASGIMiddleware\nfrom fastapi import FastAPI\n\napi = FastAPI()\napp = ASGIMiddleware(api)\n";
        it("GIVEN `app` naming middleware that adapts an ASGI app to WSGI (a2wsgi) THEN it is served as WSGI, with or without `interface` saying so", () => {
            const dir = apps.make({ "app.py": A2WSGI, "requirements.txt": "fastapi\na2wsgi\n" });
            for (const options of [{ app: "app:app" }, { app: "app:app", interface: "wsgi" as const }]) {
                const { plan } = synthesize(dir, options);
                assert.deepEqual(plan.entrypoint, { spec: "app:app", interface: "wsgi", source: "`app`" });
                assert.equal(plan.framework, "fastapi");
                assert.equal(plan.server.workerClass, undefined, "gunicorn's own (gthread) workers");
                assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1"], "no uvicorn worker");
            }
            assert.ok(synthesize(dir, { app: "app:app" }).plan.notes.includes("app:app is a2wsgi.ASGIMiddleware around the fastapi app, which makes a WSGI app: it is served as WSGI."));
        });
        it("GIVEN `interface` contradicting the middleware `app` names THEN an InputError naming the middleware", () => {
            const dir = apps.make({ "app.py": A2WSGI, "requirements.txt": "fastapi\na2wsgi\n" });
            assert.throws(
                () => synthesize(dir, { app: "app:app", interface: "asgi" }),
                (e: unknown) =>
                    e instanceof InputError &&
                    e.message ===
                        '`interface` is "asgi", but app:app (app.py) is made by a2wsgi.ASGIMiddleware, which makes a WSGI app: gunicorn would serve it as ASGI and every request would fail. ' +
                            'Remove `interface` (detection serves it as "wsgi"), or point `app` at an ASGI wrapper of it.',
            );
            // The app object it wraps is still the framework's, and ASGI.
            assert.equal(synthesize(dir, { app: "app:api" }).plan.entrypoint.interface, "asgi");
        });
        it("GIVEN an app rebound to middleware around itself (`app = WhiteNoise(app)`) THEN scanning finds it, with the wrapped app's framework", () => {
            const dir = apps.make({
                "app.py": 'from flask import Flask\nfrom whitenoise import WhiteNoise\n\napp = Flask(__name__)\napp = WhiteNoise(app, root="static/")\n',
                "requirements.txt": "flask\nwhitenoise\n",
            });
            const { plan } = synthesize(dir);
            assert.deepEqual(plan.entrypoint, { spec: "app:app", interface: "wsgi", source: "app.py" });
            assert.equal(plan.framework, "flask");
        });
        it("GIVEN a module-level WsgiToAsgi around a local factory's Flask app THEN it is found, ASGI, with the uvicorn worker", () => {
            const dir = apps.make({
                "main.py": "from asgiref.wsgi import WsgiToAsgi\nfrom flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n\n\napplication = WsgiToAsgi(create_app())\n",
                "requirements.txt": "flask\nasgiref\n",
            });
            const { plan } = synthesize(dir);
            assert.deepEqual(plan.entrypoint, { spec: "main:application", interface: "asgi", source: "main.py" });
            assert.equal(plan.framework, "flask");
            assert.equal(plan.server.workerClass, "uvicorn_worker.UvicornWorker");
        });
        it("GIVEN middleware around an app imported from the app's own code (WhiteNoise(app), ASGIMiddleware(create_app())) THEN the wrapper's module is served, with the wrapped app's framework", () => {
            const flask = apps.make({
                "myapp/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
                "wsgi.py": 'from whitenoise import WhiteNoise\nfrom myapp import app\napplication = WhiteNoise(app, root="static/")\n',
                "requirements.txt": "flask\nwhitenoise\nfastapi\n",
            });
            const a = synthesize(flask).plan;
            assert.deepEqual(a.entrypoint, { spec: "wsgi:application", interface: "wsgi", source: "wsgi.py" });
            assert.equal(a.framework, "flask");
            const starlette = apps.make({
                "notes/__init__.py": "from starlette.applications import Starlette\n\n\ndef create_app():\n    return Starlette()\n",
                "serve.py": "from a2wsgi import ASGIMiddleware\nfrom notes import create_app\napplication = ASGIMiddleware(create_app())\n",
                "requirements.txt": "starlette\na2wsgi\nflask\n",
            });
            const b = synthesize(starlette).plan;
            assert.deepEqual(b.entrypoint, { spec: "serve:application", interface: "wsgi", source: "serve.py" });
            assert.equal(b.framework, "starlette");
            assert.ok(b.notes.includes("serve:application is a2wsgi.ASGIMiddleware around the starlette app, which makes a WSGI app: it is served as WSGI."));
        });
        it("GIVEN `app` naming an object no framework makes (an ASGI class's instance) THEN it is served as WSGI with a note naming `interface: \"asgi\"`; with `interface` set, or a framework's app, no such note", () => {
            const files = { "requirements.txt": "gunicorn\nuvicorn-worker\n", "main.py": "class App:\n    async def __call__(self, scope, receive, send):\n        pass\n\napp = App()\n" };
            const note = (o: { app: string; interface?: "asgi" | "wsgi" }, extra: Record<string, string> = {}) =>
                synthesize(apps.make({ ...files, ...extra }), o).plan.notes.filter((n) => n.includes("gunicorn's default"));
            assert.deepEqual(note({ app: "main:app" }), [
                '`app` is main:app, and neither the code nor the dependencies show which framework makes it: it is served as WSGI, gunicorn\'s default; if it is an ASGI app (its `__call__` takes scope, receive and send), set `interface: "asgi"`, or every request fails.',
            ]);
            assert.deepEqual(note({ app: "main:app", interface: "asgi" }), []);
            assert.deepEqual(note({ app: "web:site" }, { "requirements.txt": "flask\n", "web.py": "from flask import Flask\nsite = Flask(__name__)\n" }), []);
        });

        it("GIVEN wsgi.py calling a factory its package's __init__.py re-exports (`from forum import create_app`, `from .app import create_app` there) and a celery_worker.py calling it too THEN wsgi.py's app is served", () => {
            const files = {
                "requirements.txt": "flask\n",
                "forum/app.py": "from flask import Flask\n\ndef create_app(config=None):\n    app = Flask('forum')\n    return app\n",
                "wsgi.py": "from forum import create_app\nforum = create_app(config='forum.cfg')\n",
                "celery_worker.py": "from forum.app import create_app\napp = create_app()\n",
            };
            for (const reexport of ["from .app import create_app\n", "from forum.app import create_app\n", "from forum.app import create_app as create_app\n"]) {
                const { plan } = synthesize(apps.make({ ...files, "forum/__init__.py": reexport }));
                assert.deepEqual([plan.entrypoint.spec, plan.framework], ["wsgi:forum", "flask"], reexport);
            }
        });

        it("GIVEN only a factory that needs an argument (create_app(config_name)) THEN the refusal names it and how to call it", () => {
            const dir = apps.make({
                "app/__init__.py": "from flask import Flask\n\n\ndef create_app(config_name):\n    app = Flask(__name__)\n    return app\n",
                "run.py": 'import os\nfrom app import create_app\n\nif __name__ == "__main__":\n    create_app(os.getenv("FLASK_CONFIG") or "development").run()\n',
                "requirements.txt": "flask\n",
            });
            assert.throws(
                () => synthesize(dir),
                (e: Error) =>
                    e.message ===
                    "app/__init__.py defines create_app(config_name), a factory that makes a flask app, but it takes an argument gunicorn cannot give by itself, and no app object was found: set `app` to call it with the value production needs, e.g. app: \"app:create_app('production')\".",
            );
            assert.equal(synthesize(dir, { app: "app:create_app('production')" }).plan.entrypoint.spec, "app:create_app('production')");
        });
        it("GIVEN a factory whose parameter defaults to a name (the Mega-Tutorial's create_app(config_class=Config)), or to a dotted one, THEN gunicorn can call it with no argument: it is served", () => {
            for (const signature of ["config_class=Config", "config_class: type = Config", "config_class=config.Config, *, testing=False"]) {
                const dir = apps.make({
                    "app/__init__.py": `from flask import Flask\n\nfrom . import config\nfrom .config import Config\n\n\ndef create_app(${signature}):\n    app = Flask(__name__)\n    app.config.from_object(config_class)\n    return app\n`,
                    "app/config.py": "class Config:\n    DEBUG = False\n",
                    "requirements.txt": "flask\n",
                });
                assert.equal(synthesize(dir).plan.entrypoint.spec, "app:create_app()", signature);
            }
        });
        it("GIVEN a Tornado app (tornado.web.Application, `python app.py`) THEN it is refused naming Tornado and gunicorn's tornado worker; with `app` and that worker, one worker per CPU", () => {
            const dir = apps.make({
                "app.py": "import asyncio\nimport tornado.web\n\n\ndef make_app():\n    return tornado.web.Application([])\n\n\nasync def main():\n    make_app().listen(8888)\n    await asyncio.Event().wait()\n\nif __name__ == \"__main__\":\n    asyncio.run(main())\n",
                "requirements.txt": "tornado\n",
                Procfile: "web: python app.py\n",
            });
            assert.throws(() => synthesize(dir), /app\.py makes a tornado\.web\.Application, which runs on Tornado's own server and is neither a WSGI nor an ASGI app.*`workerClass: "tornado"`/);
            const r = synthesize(dir, { app: "app:make_app()", workerClass: "tornado" });
            assert.match(r.dockerfile, /^workers = int\(os\.environ\.get\("WEB_CONCURRENCY"\) or \(cpus\)\)$/m);
        });
        it("GIVEN an aiohttp app (web.Application, `python server.py`) THEN it is refused naming aiohttp and its gunicorn worker, also for `app` without that worker; with both, one worker per CPU", () => {
            const server = [
                "from aiohttp import web",
                "def make_app():",
                "    app = web.Application()",
                "    return app",
                "app = make_app()",
                'if __name__ == "__main__":',
                "    web.run_app(app)",
                "",
            ].join("\n");
            const dir = apps.make({ "server.py": server, "requirements.txt": "aiohttp\n", Procfile: "web: python server.py\n" });
            assert.throws(
                () => synthesize(dir),
                (e: Error) =>
                    e.message.includes(
                        "server.py makes an aiohttp.web.Application, which runs on aiohttp's own server (web.run_app) and is neither a WSGI nor an ASGI app, and no WSGI or ASGI app was found: " +
                            'gunicorn serves it only with aiohttp\'s worker. Set `app` to it (app: "server:app") and `workerClass: "aiohttp.GunicornWebWorker"`',
                    ),
            );
            assert.throws(
                () => synthesize(dir, { app: "server:app" }),
                /`app` is server:app, and server\.py makes an aiohttp\.web\.Application, .*the image's default worker \(gthread\) cannot serve it\. .*`workerClass: "aiohttp\.GunicornWebWorker"`/,
            );
            const r = synthesize(dir, { app: "server:app", workerClass: "aiohttp.GunicornWebWorker" });
            assert.equal(r.plan.server.workerClass, "aiohttp.GunicornWebWorker");
            assert.match(r.dockerfile, /^workers = int\(os\.environ\.get\("WEB_CONCURRENCY"\) or \(cpus\)\)$/m);
            // aiohttp's worker awaits what an `async def` factory returns: it is named without the call (with it, gunicorn gets a coroutine).
            const factory = apps.make({ "board.py": "from aiohttp import web\n\n\nasync def make_app():\n    app = web.Application()\n    return app\n", "requirements.txt": "aiohttp\n" });
            assert.throws(() => synthesize(factory), /Set `app` to it \(app: "board:make_app"\) and `workerClass: "aiohttp\.GunicornWebWorker"`/);
        });
        it("GIVEN an SQLite path read from the Flask config with a default (current_app.config.get('DATABASE', path)) THEN the default is the database", () => {
            const dir = apps.make({
                "app.py": 'import aiosqlite\nfrom quart import Quart, current_app\napp = Quart(__name__)\n\n\n@app.get("/")\nasync def index():\n    async with aiosqlite.connect(current_app.config.get("DATABASE", "/var/lib/pastebin/pastes.db")) as db:\n        return "ok"\n',
                "requirements.txt": "quart\naiosqlite\n",
            });
            assert.deepEqual(synthesize(dir).plan.writablePaths, [
                { path: "/data", kind: "data", why: "app.py: aiosqlite.connect(/var/lib/pastebin/pastes.db)", links: [{ from: "/var/lib/pastebin/pastes.db", to: "/data/var/lib/pastebin/pastes.db" }] },
            ]);
        });
        it("GIVEN a model or array saved by path (joblib.dump, numpy.save, .save_model) THEN its folder is writable, like open(PATH, 'wb')", () => {
            const writes = (code: string, reqs: string) =>
                synthesize(apps.make({ "app.py": `from flask import Flask\n${code}\napp = Flask(__name__)\n\n@app.post('/train')\ndef train():\n    save()\n    return 'ok'\n`, "requirements.txt": `flask\n${reqs}\n`, "models/.gitkeep": "" })).plan.writablePaths.map((w) => [w.path, w.kind, w.why]);
            assert.deepEqual(writes("import joblib\n\ndef save():\n    joblib.dump({}, 'models/clf.joblib')\n", "joblib"), [["/app/models", "data", "app.py: joblib.dump() writes models/clf.joblib"]]);
            assert.deepEqual(writes("import numpy as np\n\ndef save():\n    np.save(file='models/w.npy', arr=[1])\n", "numpy"), [["/app/models", "data", "app.py: numpy.save() writes models/w.npy"]]);
            assert.deepEqual(writes("import os, uuid, joblib\n\ndef save():\n    joblib.dump({}, os.path.join('models', uuid.uuid4().hex))\n", "joblib"), [["/app/models", "data", "app.py: joblib.dump() writes files into models"]]);
            assert.deepEqual(writes("import xgboost\n\ndef save():\n    xgboost.Booster().save_model('models/b.json')\n", "xgboost"), [["/app/models", "data", "app.py: .save_model() writes models/b.json"]]);
        });
        it("GIVEN folders the code makes under a cache folder, or named for a cache THEN scratch; others data", () => {
            const kinds = (dirs: string[]) =>
                synthesize(apps.make({ "app.py": `import os\nfrom flask import Flask\n${dirs.map((d) => `os.makedirs(${JSON.stringify(d)}, exist_ok=True)\n`).join("")}app = Flask(__name__)\n`, "requirements.txt": "flask\n" })).plan.writablePaths.map((w) => [w.path, w.kind]);
            assert.deepEqual(kinds(["cache/tpl", "pagecache", "thumb_cache", "data/files", "logs/old", "geocaches"]), [
                ["/app/cache/tpl", "scratch"],
                ["/app/data/files", "data"],
                ["/app/geocaches", "data"],
                ["/app/logs/old", "scratch"],
                ["/app/pagecache", "scratch"],
                ["/app/thumb_cache", "scratch"],
            ]);
        });
        it("GIVEN render.yaml's disk THEN a data volume at its mountPath; a library cache variable it sets outside it THEN that folder is scratch, data for a model cache", () => {
            const render = (disk: string, envVars: string) =>
                `services:\n  - type: web\n    name: api\n    runtime: python\n    startCommand: gunicorn app:app\n    envVars:\n${envVars}${disk}`;
            const paths = (yaml: string) => synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "render.yaml": yaml })).plan.writablePaths.map((w) => [w.path, w.kind, w.why]);
            const hf = "      - key: HF_HOME\n        value: /var/data/hf\n      - key: MPLCONFIGDIR\n        value: /tmp/mpl\n";
            assert.deepEqual(paths(render("    disk:\n      name: data\n      mountPath: /var/data\n      sizeGB: 1\n", hf)), [["/var/data", "data", "render.yaml's disk mountPath"]]);
            assert.deepEqual(paths(render("", hf)), [["/var/data/hf", "data", "render.yaml envVars sets HF_HOME, Hugging Face's cache (downloaded models and datasets), to /var/data/hf"]]);
            assert.deepEqual(paths(render("", "      - key: NLTK_DATA\n        value: nltk_data\n")), [["/app/nltk_data", "scratch", "render.yaml envVars sets NLTK_DATA, NLTK's data (nltk.download() writes there), to nltk_data"]]);
            // A disk in Render's checkout folder is the same folder of the app here.
            assert.deepEqual(paths(render("    disk:\n      name: data\n      mountPath: /opt/render/project/src/storage\n", "")), [
                ["/app/storage", "data", "render.yaml's disk mountPath /opt/render/project/src/storage (Render's checkout folder is the image's /app)"],
            ]);
        });
        it("GIVEN FastHTML's `app, rt = fast_app()` from a star import THEN an ASGI fasthtml app; its database file is data, and its session key file unless secret_key= is given", () => {
            const code = (call: string) => `from fasthtml.common import *\n\ndb = database('data/todos.db')\n${call}\n\n@rt\ndef index():\n    return P('hi')\n`;
            const r = synthesize(apps.make({ "main.py": code("app, rt = fast_app()"), "requirements.txt": "python-fasthtml\n", "data/.gitkeep": "" })).plan;
            assert.equal(r.framework, "fasthtml");
            assert.deepEqual(r.entrypoint, { spec: "main:app", interface: "asgi", source: "main.py" });
            assert.deepEqual(r.writablePaths.map((w) => [w.path, w.kind, w.links]), [
                ["/app/data", "data", []],
                ["/data", "data", [{ from: "/app/.sesskey", to: "/data/.sesskey" }]],
            ]);
            const keyed = synthesize(apps.make({ "main.py": code("app, rt = fast_app(secret_key=os.environ['SESSKEY'])"), "requirements.txt": "python-fasthtml\n", "data/.gitkeep": "" })).plan;
            assert.deepEqual(keyed.writablePaths.map((w) => w.path), ["/app/data"]);
            // fast_app's own database file, and a key read with no default, which may be None: the key file may still be written.
            const tutorial = synthesize(apps.make({ "main.py": "import os\nfrom fasthtml.common import *\n\napp, rt, notes, Note = fast_app('data/fridge.db', secret_key=os.environ.get('SESSION_SECRET'), id=int, pk='id')\n", "requirements.txt": "python-fasthtml\n", "data/.gitkeep": "" })).plan;
            assert.deepEqual(tutorial.writablePaths.map((w) => [w.path, w.kind, w.why]), [
                ["/app/data", "data", "main.py: FastHTML's fast_app(data/fridge.db) opens its database there"],
                ["/data", "data", "main.py: FastHTML's fast_app() when secret_key= (SESSION_SECRET) is unset writes its session key to .sesskey at import"],
            ]);
            const direct = synthesize(apps.make({ "app.py": "from fasthtml import FastHTML\n\napplication = FastHTML(key_fname='keys/session.key')\n", "requirements.txt": "python-fasthtml\n" })).plan;
            assert.deepEqual(direct.entrypoint, { spec: "app:application", interface: "asgi", source: "app.py" });
            assert.deepEqual(direct.writablePaths.map((w) => [w.path, w.kind]), [["/app/keys", "data"]]);
        });
        it("GIVEN Heroku's Aptfile THEN tools and libraries go to the runner, -dev packages to the builder; a URL or :repo: line is noted; a bad name is refused", () => {
            const plan = (aptfile: string) => synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", Aptfile: aptfile })).plan;
            const p = plan("# tools\nffmpeg\n\nlibmagic-dev\nhttps://x.example/pkg.deb\n");
            assert.deepEqual(p.apt, { build: ["libmagic-dev"], runtime: ["ffmpeg"] });
            assert.ok(p.notes.includes("Aptfile's `https://x.example/pkg.deb` is not installed (a .deb URL or another repository): list the packages by name, or with `aptRuntimePackages`."));
            assert.throws(
                () => plan("ffmpeg; curl evil | sh\n"),
                (e: unknown) => e instanceof InputError && e.message === 'Aptfile line 1, "ffmpeg; curl evil | sh", is not a package name apt takes; fix the line (one package per line), or list packages with `aptRuntimePackages`.',
            );
        });
        it("GIVEN Railway's nixpacks.toml [phases.setup] aptPkgs THEN they are installed as an Aptfile's are (\"...\" skipped); nixPkgs are named, not installed; a bad name is refused", () => {
            const plan = (toml: string) => synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "nixpacks.toml": toml })).plan;
            const p = plan('[phases.setup]\naptPkgs = ["...", "poppler-utils", "libpq-dev"]\nnixPkgs = ["...", "ffmpeg"]\n');
            assert.deepEqual(p.apt, { build: ["libpq-dev"], runtime: ["poppler-utils"] });
            assert.ok(p.notes.includes("nixpacks.toml's [phases.setup] aptPkgs lists packages the app needs: poppler-utils in the runner; libpq-dev in the builder (headers to compile against), from the base image's Debian archive."), p.notes.join("\n"));
            assert.ok(p.notes.some((n) => n.startsWith("nixpacks.toml's [phases.setup] nixPkgs (ffmpeg) are Nix packages and are not installed here")));
            assert.throws(
                () => plan('[phases.setup]\naptPkgs = ["curl evil | sh"]\n'),
                (e: unknown) => e instanceof InputError && e.message === 'nixpacks.toml\'s [phases.setup] aptPkgs names "curl evil | sh", which is not a package name apt takes; fix it, or list packages with `aptRuntimePackages`.',
            );
        });
        it("GIVEN Sanic's attribute-style config (app.config.DATABASE = 'pins.db') read by aiosqlite.connect(app.config.DATABASE) THEN the database is linked into /data", () => {
            const app = "import aiosqlite\nfrom sanic import Sanic, text\n\napp = Sanic('pins')\napp.config.DATABASE = 'pins.db'\n\n@app.before_server_start\nasync def open_db(app, _):\n    app.ctx.db = await aiosqlite.connect(app.config.DATABASE)\n\n@app.get('/')\nasync def index(request):\n    return text('ok')\n";
            const paths = synthesize(apps.make({ "server.py": app, "requirements.txt": "sanic\naiosqlite\n" })).plan.writablePaths;
            assert.deepEqual(paths, [{ path: "/data", kind: "data", why: "server.py: aiosqlite.connect(pins.db)", links: [{ from: "/app/pins.db", to: "/data/pins.db" }] }]);
        });
        it("GIVEN a relative sqlite:/// URL in config.py and Flask-SQLAlchemy's SQLAlchemy() in models.py THEN the database is in the instance folder", () => {
            const files = {
                "app.py": "from flask import Flask\nfrom models import db\n\ndef create_app():\n    app = Flask(__name__)\n    app.config.from_object('config.Config')\n    db.init_app(app)\n    return app\n",
                "models.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
                "config.py": "class Config:\n    SQLALCHEMY_DATABASE_URI = 'sqlite:///taskboard.db'\n",
                "requirements.txt": "flask\nflask-sqlalchemy==3.1.1\n",
            };
            assert.deepEqual(synthesize(apps.make(files)).plan.writablePaths.map((w) => [w.path, w.kind]), [["/app/instance", "data"]]);
        });
        it("GIVEN an SQLite URL prefix tested with .startswith() THEN it names no database (only the URL the app uses does)", () => {
            const app =
                "import os\nfrom flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    app.config['SQLALCHEMY_DATABASE_URI'] = os.environ.get('DATABASE_URL', 'sqlite:////srv/quotes/quotes.db')\n" +
                "    if app.config['SQLALCHEMY_DATABASE_URI'].startswith('sqlite:////srv/'):\n        pass\n    return app\n";
            const paths = synthesize(apps.make({ "app.py": app, "requirements.txt": "flask\n" })).plan.writablePaths;
            assert.deepEqual(paths.map((w) => [w.path, w.links]), [["/data", [{ from: "/srv/quotes/quotes.db", to: "/data/srv/quotes/quotes.db" }]]]);
        });
        it("GIVEN Litestar's FileStore(path=...) THEN its folder is a data folder holding sessions", () => {
            const app = "from pathlib import Path\nfrom litestar import Litestar\nfrom litestar.middleware.session.server_side import ServerSideSessionConfig\nfrom litestar.stores.file import FileStore\n\napp = Litestar(route_handlers=[], middleware=[ServerSideSessionConfig().middleware], stores={'sessions': FileStore(path=Path('session_data'))})\n";
            const paths = synthesize(apps.make({ "app.py": app, "requirements.txt": "litestar\n" })).plan.writablePaths;
            assert.deepEqual(paths.map((w) => [w.path, w.kind, w.why]), [["/app/session_data", "data", "app.py: FileStore(session_data)"]]);
        });
        it("GIVEN a Robyn app THEN it is refused by name: from its dependency when the Procfile starts no known server, and as `app`", () => {
            const files = { "app.py": "from robyn import Robyn\n\napp = Robyn(__file__)\n\n@app.get('/')\ndef index():\n    return 'hi'\n\napp.start(host='0.0.0.0', port=8080)\n", "requirements.txt": "robyn\n", Procfile: "web: python app.py --processes 2\n" };
            assert.throws(() => synthesize(apps.make(files)), (e: unknown) => e instanceof InputError && e.message.startsWith("The app depends on robyn, whose apps run on Robyn's own server, and no WSGI or ASGI app was found in the code"));
            assert.throws(
                () => synthesize(apps.make(files), { app: "app:app" }),
                (e: unknown) =>
                    e instanceof InputError &&
                    e.message === "`app` is app:app, which app.py makes with robyn.Robyn: a Robyn app runs on Robyn's own server and is neither a WSGI nor an ASGI app, so gunicorn cannot serve it. This package deploys apps gunicorn serves; run it with an image of your own.",
            );
        });
        it("GIVEN names that wrap each other in a cycle THEN detection ends, with the framework the module imports", () => {
            const dir = apps.make({
                "app.py": "from flask import Flask\nfrom whitenoise import WhiteNoise\n\napp = Flask(__name__)\nb = WhiteNoise(app)\napp = WhiteNoise(b)\nb = WhiteNoise(app)\n",
                "requirements.txt": "flask\nwhitenoise\n",
            });
            const { plan } = synthesize(dir, { app: "app:b" });
            assert.equal(plan.entrypoint.interface, "wsgi");
            assert.equal(plan.framework, "flask");
        });
        it("GIVEN a Procfile running `uvicorn main:app --factory` THEN the app is main:app() and ASGI", () => {
            const dir = apps.make({
                "main.py": "from fastapi import FastAPI\n\n\ndef app():\n    return FastAPI()\n",
                "requirements.txt": "fastapi\nuvicorn\n",
                Procfile: "web: uvicorn main:app --factory --host 0.0.0.0 --port $PORT\n",
            });
            assert.deepEqual(synthesize(dir).plan.entrypoint, { spec: "main:app()", interface: "asgi", source: "Procfile" });
        });

        it("GIVEN no framework's app but a module-level `def application(environ, start_response)` (Radicale's shape) or `async def app(scope, receive, send)` THEN that callable is served, with a note; a framework's app anywhere wins over it", () => {
            const wsgi = "def application(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n";
            const asgi = "async def app(scope, receive, send):\n    pass\n";
            const found = (files: Record<string, string>) => synthesize(apps.make({ "requirements.txt": "gunicorn\nuvicorn-worker\n", ...files })).plan;
            const pkg = found({ "davsrv/__init__.py": wsgi, "davsrv/config.py": "def load(path, strict):\n    pass\n" });
            assert.deepEqual([pkg.entrypoint.spec, pkg.entrypoint.interface, pkg.framework], ["davsrv:application", "wsgi", "unknown"]);
            assert.ok(pkg.notes.includes("No framework's app was found; davsrv/__init__.py defines application() with the signature of a WSGI application (PEP 3333: environ, start_response), which gunicorn serves as davsrv:application. Set `app` to serve another."), pkg.notes.join("\n"));
            const a = found({ "server.py": asgi });
            assert.deepEqual([a.entrypoint.spec, a.entrypoint.interface], ["server:app", "asgi"]);
            for (const notApp of ["def application(environ):\n    pass\n", "async def application(environ, start_response):\n    pass\n", "def app(scope, receive, send):\n    pass\n", "def application(environ, start_response, extra=1, *rest):\n    pass\n"]) {
                assert.throws(() => found({ "server.py": notApp }), /Could not find the app/, notApp);
            }
            const flask = found({ "requirements.txt": "flask\n", "server.py": wsgi, "web.py": "from flask import Flask\nsite = Flask(__name__)\n" });
            assert.equal(flask.entrypoint.spec, "web:site");
        });

        describe("the app's own Dockerfile and Compose file in place of a Procfile", () => {
            const SVC = {
                "svc/__init__.py": "",
                "svc/web.py": "from flask import Flask\n\nsite = Flask(__name__)\n",
                "svc/admin.py": "from flask import Flask\n\nadmin = Flask(__name__)\n",
                "requirements.txt": "flask\n",
            };
            const DOCKERFILE =
                "FROM python:3.11-slim AS base\nENV PYTHONUNBUFFERED=1 \\\n    DATA_DIR=/data \\\n    SITE_TITLE=\"Hello there\"\nWORKDIR /srv/site\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n" +
                "VOLUME [\"/data\"]\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/healthz || exit 1\nCMD [\"gunicorn\", \"--timeout\", \"75\", \"-b\", \"0.0.0.0:8000\", \"svc.web:site\"]\n";

            it("GIVEN only a Dockerfile THEN its CMD, ENV, VOLUME, HEALTHCHECK and FROM python:3.11 are the web command, the image's environment, a data path, the health path and the Python", () => {
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: DOCKERFILE }));
                assert.deepEqual(plan.entrypoint, { spec: "svc.web:site", interface: "wsgi", source: "Dockerfile" });
                assert.equal(plan.server.timeout, 75);
                assert.deepEqual(plan.imageEnv, { DATA_DIR: "/data", SITE_TITLE: "Hello there" });
                assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.kind]), [["/data", "data"]]);
                assert.deepEqual(plan.healthCheck, { path: "/healthz" });
                assert.deepEqual(plan.python, { version: "3.11", source: "Dockerfile FROM python:3.11-slim" });
                assert.ok(plan.notes.includes("The health check requests /healthz, Dockerfile's HEALTHCHECK; set `healthCheckPath` to change it."), plan.notes.join("\n"));
            });

            it("GIVEN a compose service built from YAML merge keys (`<<: *common`), and PATH in the Dockerfile's ENV THEN the merged service is the app and PATH is neither carried nor asked for", () => {
                const compose =
                    "x-common: &common\n  build: .\n  environment:\n    SITE_MODE: production\nservices:\n  web:\n    <<: *common\n    command: gunicorn svc.web:site\n";
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: DOCKERFILE.replace("ENV PYTHONUNBUFFERED=1", "ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1"), "compose.yaml": compose }));
                assert.equal(plan.entrypoint.spec, "svc.web:site");
                assert.equal(plan.imageEnv["SITE_MODE"], "production");
                assert.ok(!plan.notes.some((n) => n.includes("PATH (")), plan.notes.join("\n"));
            });

            it("GIVEN ARG and ENV values in FROM, WORKDIR and COPY, and an ENTRYPOINT script named by the absolute path COPY puts it at THEN they are expanded and the script is read", () => {
                const dockerfile =
                    'ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim\nENV APP_HOME=/home/app/web\nENV DATA_DIR=${APP_HOME}/data\nWORKDIR $APP_HOME\nCOPY requirements.txt .\nCOPY . $APP_HOME\n' +
                    'COPY docker-entrypoint.sh /docker-entrypoint.sh\nENTRYPOINT ["/docker-entrypoint.sh"]\nCMD ["gunicorn", "--timeout", "90", "svc.web:site"]\n';
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: dockerfile, "docker-entrypoint.sh": '#!/bin/sh\nset -e\nflask --app svc.web:site db upgrade\nexec "$@"\n' }));
                assert.deepEqual(plan.python, { version: "3.11", source: "Dockerfile FROM python:3.11-slim" });
                assert.equal(plan.imageEnv["DATA_DIR"], "/app/data");
                assert.equal(plan.server.timeout, 90);
                assert.deepEqual(plan.release?.command, ["flask", "--app", "svc.web:site", "db", "upgrade"]);
            });

            it("GIVEN a Procfile or a platform file beside the Dockerfile THEN the Dockerfile is not read (its ENV, VOLUME and FROM neither)", () => {
                for (const beside of <Array<Record<string, string>>>[{ Procfile: "web: gunicorn svc.admin:admin\n" }, { "fly.toml": "app = 's'\n[processes]\napp = 'gunicorn svc.admin:admin'\n" }]) {
                    const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: DOCKERFILE, ...beside }));
                    assert.equal(plan.entrypoint.spec, "svc.admin:admin");
                    assert.deepEqual(plan.imageEnv, {});
                    assert.deepEqual(plan.writablePaths, []);
                    assert.notEqual(plan.python.source, "Dockerfile FROM python:3.11-slim");
                }
            });

            it("GIVEN .python-version beside FROM python:3.11 THEN .python-version decides and a note names the Dockerfile's", () => {
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: DOCKERFILE, ".python-version": "3.12\n" }));
                assert.deepEqual(plan.python, { version: "3.12", source: ".python-version" });
                assert.ok(plan.notes.includes("Dockerfile FROM python:3.11-slim names Python 3.11, but .python-version says 3.12, which is used; set `python` to choose."), plan.notes.join("\n"));
            });

            it("GIVEN an ENTRYPOINT script that migrates and ends in exec \"$@\" THEN its commands before the CMD are the release step", () => {
                const dockerfile = "FROM python:3.13-slim\nWORKDIR /home/site/web\nCOPY . .\nENTRYPOINT [\"/home/site/web/entrypoint.sh\"]\nCMD [\"gunicorn\", \"svc.web:site\"]\n";
                const script = "#!/bin/sh\nset -e\npython -m svc.setup\nexec \"$@\"\n";
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: dockerfile, "entrypoint.sh": script }));
                assert.equal(plan.entrypoint.spec, "svc.web:site");
                assert.deepEqual(plan.release, { command: ["python", "-m", "svc.setup"], workdir: "/app", source: "Dockerfile ENTRYPOINT (before the server)" });
                assert.ok(plan.notes.some((n) => n.startsWith("The image's entrypoint entrypoint.sh runs `python -m svc.setup` and then the CMD")), plan.notes.join("\n"));
            });

            it("GIVEN the app's Dockerfile in docker/ (built from the root), its ENV set in a base stage and a JSON-form VOLUME that uses it THEN its ENV is the image's and the volume's folder is writable", () => {
                const dockerfile =
                    'FROM python:3.13-slim AS base\nENV APP_HOME="/app" PRODUCTION=true\n\nFROM base AS production\nCOPY ./recipes $APP_HOME/recipes\nWORKDIR $APP_HOME\nVOLUME [ "$APP_HOME/data/" ]\nCMD ["uvicorn", "recipes.main:app"]\n';
                const { plan } = synthesize(
                    apps.make({ "recipes/__init__.py": "", "recipes/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n", "requirements.txt": "fastapi\nuvicorn\n", "docker/Dockerfile": dockerfile }),
                );
                assert.equal(plan.entrypoint.spec, "recipes.main:app");
                assert.equal(plan.imageEnv["PRODUCTION"], "true");
                assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.why]), [["/app/data", "docker/Dockerfile VOLUME /app/data"]]);
            });

            it("GIVEN an ENTRYPOINT that starts the app's script through an init process (tini, dumb-init, with their options; Tandoor's and umap's), or runs its server through gosu or su-exec (taiga-back's) THEN the script is read as if it were the ENTRYPOINT: its server's flags, the commands before it as the release step, and a note naming the init process", () => {
                const flask = { "web.py": "from flask import Flask\napp = Flask(__name__)\n", "requirements.txt": "flask\ngunicorn\n", "manage.py": "" };
                const boot = "#!/bin/sh\nset -e\npython manage.py migrate\nexec gunicorn --workers 3 --timeout 30 web:app\n";
                for (const [entrypoint, shown] of [
                    ['["/sbin/tini", "--", "/opt/x/boot.sh"]', "/sbin/tini --"],
                    ['["tini", "-g", "-s", "--", "/opt/x/boot.sh"]', "tini -g -s --"],
                    ['["/usr/bin/tini", "-p", "SIGTERM", "--", "./boot.sh"]', "/usr/bin/tini -p SIGTERM --"],
                    ['["/usr/bin/dumb-init", "--rewrite", "15:2", "--", "/opt/x/boot.sh"]', "/usr/bin/dumb-init --rewrite 15:2 --"],
                    ['["dumb-init", "-c", "/opt/x/boot.sh"]', "dumb-init -c"],
                ]) {
                    const { plan } = synthesize(apps.make({ ...flask, "boot.sh": boot, Dockerfile: `FROM python:3.11-slim\nWORKDIR /opt/x\nCOPY . /opt/x\nENTRYPOINT ${entrypoint}\n` }));
                    assert.deepEqual(plan.entrypoint, { spec: "web:app", interface: "wsgi", source: "Dockerfile" }, entrypoint);
                    assert.deepEqual([plan.server.defaultWorkers, plan.server.timeout, plan.server.workerClass], [3, 30, undefined], entrypoint);
                    assert.deepEqual(plan.release, { command: ["python", "manage.py", "migrate"], workdir: "/app", source: "Dockerfile ENTRYPOINT (before the server)" }, entrypoint);
                    assert.deepEqual(plan.notes.slice(0, 2), [
                        "The Dockerfile's ENTRYPOINT runs boot.sh; the commands in it are read as the web command.",
                        `Dockerfile starts the server through \`${shown}\`, which the image does not run; add it to \`app\`'s environment or image yourself if you need it.`,
                    ]);
                }
                // A script whose server runs as another user (taiga-back's `exec gosu taiga gunicorn ...`, su-exec): the server and the commands before it are read, and the switch is noted.
                for (const [line, shown] of [
                    ["exec gosu taiga gunicorn --workers 3 --timeout 30 web:app", "gosu taiga"],
                    ["exec su-exec app:app gunicorn --workers 3 --timeout 30 web:app", "su-exec app:app"],
                ]) {
                    const { plan } = synthesize(apps.make({ ...flask, "boot.sh": `#!/bin/sh\nset -e\npython manage.py migrate\n${line}\n`, Dockerfile: 'FROM python:3.11-slim\nWORKDIR /opt/x\nCOPY . /opt/x\nENTRYPOINT ["/opt/x/boot.sh"]\n' }));
                    assert.deepEqual([plan.entrypoint.spec, plan.server.defaultWorkers, plan.server.timeout, plan.release?.command], ["web:app", 3, 30, ["python", "manage.py", "migrate"]], line);
                    assert.ok(plan.notes.includes(`Dockerfile starts the server through \`${shown}\`, which switches to another user: not run, since the image runs as its own user (uid 10001).`), plan.notes.join("\n"));
                }
                // A script that gives the CMD's words to its server (KitchenOwl's `uwsgi "$@"`), after control flow: the server with them,
                // after the migration and `mkdir -p` outside the control flow; what runs inside it is not run.
                const gives = synthesize(
                    apps.make({
                        ...flask,
                        "entrypoint.sh": '#!/bin/bash\nset -e\nif [ ! -f "/proc/net/if_inet6" ]; then\n    echo "no ipv6"\nfi\nmkdir -p $STORAGE_PATH/upload\npython manage.py migrate\nif [ "$SEED" = "true" ]; then\n    python seed.py\nfi\ngunicorn "$@"\n',
                        Dockerfile: 'FROM python:3.11-slim\nWORKDIR /srv\nCOPY . /srv\nENV STORAGE_PATH=/data\nENTRYPOINT ["./entrypoint.sh"]\nCMD ["--workers", "3", "web:app"]\n',
                    }),
                ).plan;
                assert.deepEqual([gives.entrypoint.spec, gives.server.defaultWorkers, gives.release?.command], ["web:app", 3, ["python", "manage.py", "migrate"]]);
                assert.ok(
                    gives.notes.includes(
                        "The image's entrypoint entrypoint.sh runs commands under control flow (if/then, loops) before `gunicorn --workers 3 web:app`: that is read as the web command, after `mkdir -p $STORAGE_PATH/upload`, `python manage.py migrate`, " +
                            "and the other commands are not run (set `releaseCommand` for what must run at deploy).",
                    ),
                    gives.notes.join("\n"),
                );
                // The script ends with `exec "$@"`: its commands, then the CMD, read under the init process too.
                const passes = synthesize(
                    apps.make({
                        ...flask,
                        "entrypoint.sh": '#!/bin/sh\nset -e\npython manage.py migrate\nexec "$@"\n',
                        Dockerfile: 'FROM python:3.11-slim\nWORKDIR /srv\nCOPY . /srv\nENTRYPOINT ["/sbin/tini", "--", "/srv/entrypoint.sh"]\nCMD ["gunicorn", "--timeout", "90", "web:app"]\n',
                    }),
                ).plan;
                assert.deepEqual([passes.entrypoint.spec, passes.entrypoint.source, passes.server.timeout, passes.release?.command], ["web:app", "Dockerfile", 90, ["python", "manage.py", "migrate"]]);
                assert.deepEqual(passes.notes.slice(0, 2), [
                    "The image's entrypoint entrypoint.sh runs `python manage.py migrate` and then the CMD: read as `python manage.py migrate && gunicorn --timeout 90 web:app`.",
                    "Dockerfile starts the server through `/sbin/tini --`, which the image does not run; add it to `app`'s environment or image yourself if you need it.",
                ]);
            });

            it("GIVEN an empty exec-form ENTRYPOINT (`ENTRYPOINT []`, uv's Docker guide's reset of the base image's) or CMD THEN it sets none: the Compose command, else the CMD, is the web command", () => {
                const litestar = { "main.py": "from litestar import Litestar\n\napp = Litestar([])\n", "requirements.txt": "litestar[standard]\n" };
                const compose = "services:\n  app:\n    build: .\n    command: litestar --app main:app run --host 0.0.0.0 --port 8000 --wc 3\n";
                const { plan } = synthesize(apps.make({ ...litestar, "docker-compose.yml": compose, Dockerfile: "FROM python:3.13-slim\nWORKDIR /app\nCOPY . /app\nEXPOSE 8000\nENTRYPOINT []\n" }));
                assert.deepEqual(plan.entrypoint, { spec: "main:app", interface: "asgi", source: "docker-compose.yml" });
                assert.deepEqual([plan.server.defaultWorkers, plan.server.workerClass], [3, "uvicorn_worker.UvicornWorker"]);
                assert.ok(plan.notes.includes("docker-compose.yml's `--wc 3` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set `workers` to fix it)."), plan.notes.join("\n"));
                assert.ok(!plan.notes.some((n) => n.includes("'[]'")), plan.notes.join("\n"));
                // The Dockerfile alone: its CMD, written after the reset or before it in the same stage (Docker keeps a CMD of the ENTRYPOINT's own stage).
                const flask = { "web.py": "from flask import Flask\napp = Flask(__name__)\n", "requirements.txt": "flask\ngunicorn\n" };
                for (const tail of ['ENTRYPOINT []\nCMD ["gunicorn", "--workers", "2", "web:app"]\n', 'CMD ["gunicorn", "--workers", "2", "web:app"]\nENTRYPOINT []\n']) {
                    const p = synthesize(apps.make({ ...flask, Dockerfile: `FROM python:3.13-slim\nWORKDIR /app\nCOPY . /app\n${tail}` })).plan;
                    assert.deepEqual([p.entrypoint, p.server.defaultWorkers], [{ spec: "web:app", interface: "wsgi", source: "Dockerfile" }, 2], tail);
                }
                // `CMD []` gives the entrypoint script's `exec "$@"` nothing to run.
                const none = synthesize(
                    apps.make({ ...flask, "entrypoint.sh": '#!/bin/sh\nexec "$@"\n', Dockerfile: 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . /app\nENTRYPOINT ["/app/entrypoint.sh"]\nCMD []\n' }),
                ).plan;
                assert.equal(none.entrypoint.source, "web.py");
                assert.ok(none.notes.includes("The image's entrypoint entrypoint.sh ends by running its arguments (`exec \"$@\"`), and no CMD gives them: no web command is read from it."), none.notes.join("\n"));
            });

            it("GIVEN an entrypoint script that defaults its own variables (`WORKERS=${WORKERS:-1}`, CTFd's) and runs gunicorn with them THEN the defaults are read into the flags, the image's environment first, as the shell does", () => {
                const files = { "web.py": "from flask import Flask\napp = Flask(__name__)\n", "requirements.txt": "flask\ngunicorn\ngevent\n" };
                const script =
                    '#!/bin/bash\nset -euo pipefail\nWORKERS=${WORKERS:-1}\nWORKER_CLASS=${WORKER_CLASS:-gevent}\nexport TIMEOUT=45\nGRACE=${GRACE-20}\nif [ "$WORKERS" -gt 8 ]; then\n  GRACE=5\nfi\n' +
                    "exec gunicorn 'web:app' --bind 0.0.0.0:$PORT --workers $WORKERS --worker-class \"$WORKER_CLASS\" --timeout $TIMEOUT --graceful-timeout $GRACE\n";
                const dockerfile = 'FROM python:3.11-slim\nWORKDIR /opt/x\nCOPY . /opt/x\nENTRYPOINT ["/opt/x/entrypoint.sh"]\n';
                const { plan } = synthesize(apps.make({ ...files, "entrypoint.sh": script, Dockerfile: dockerfile }));
                assert.deepEqual(plan.entrypoint, { spec: "web:app", interface: "wsgi", source: "Dockerfile" });
                assert.deepEqual([plan.server.defaultWorkers, plan.server.workerClass, plan.server.timeout, plan.server.gracefulTimeout], [1, "gevent", 45, 30]);
                assert.ok(
                    plan.notes.includes(
                        "entrypoint.sh sets WORKERS=1 (its default, `${WORKERS:-1}`), WORKER_CLASS=gevent (its default, `${WORKER_CLASS:-gevent}`) and TIMEOUT=45 before the commands that use them: " +
                            "the commands are read with those values; the image does not read WORKERS, WORKER_CLASS or TIMEOUT at run time.",
                    ),
                    plan.notes.join("\n"),
                );
                assert.ok(plan.notes.includes("Dockerfile's `--workers 1` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set `workers` to fix it)."), plan.notes.join("\n"));
                // GRACE is set again under if: not known, left as written.
                assert.ok(plan.notes.some((n) => n.includes("$GRACE")), plan.notes.join("\n"));
                // The image's ENV sets WORKERS: `${WORKERS:-1}` gives it, as the shell would.
                const env = synthesize(apps.make({ ...files, "entrypoint.sh": script, Dockerfile: dockerfile.replace("ENTRYPOINT", "ENV WORKERS=4\nENTRYPOINT") })).plan;
                assert.deepEqual([env.server.defaultWorkers, env.server.workerClass], [4, "gevent"]);
                assert.ok(env.notes.some((n) => n.startsWith("entrypoint.sh sets WORKERS=4 (the image's environment's, over the script's default `${WORKERS:-1}`), WORKER_CLASS=gevent")), env.notes.join("\n"));
                // A Procfile's script: PORT, which the image sets, stays as written; WEB_CONCURRENCY, which the image's gunicorn reads, gets its default as the worker count.
                const start = "#!/bin/sh\nPORT=${PORT:-5000}\nexport WEB_CONCURRENCY=${WEB_CONCURRENCY:-4}\nexec gunicorn -b 0.0.0.0:$PORT --workers $WEB_CONCURRENCY web:app\n";
                const procfile = synthesize(apps.make({ ...files, Procfile: "web: bin/start\n", "bin/start": start })).plan;
                assert.deepEqual([procfile.entrypoint.source, procfile.server.defaultWorkers], ["Procfile", 4]);
                assert.deepEqual(procfile.notes.slice(0, 3), [
                    "The Procfile's web: line runs bin/start; the commands in it are read as the web command.",
                    "bin/start sets WEB_CONCURRENCY=4 (its default, `${WEB_CONCURRENCY:-4}`) before the commands that use it: the commands are read with that value.",
                    "The Procfile's `-b 0.0.0.0:$PORT` is not carried: the image binds 0.0.0.0:$PORT.",
                ]);
            });

            it("GIVEN a script that runs `exec $CMD_LINE`, the variable holding a factory call THEN the value is split at blanks only, as the shell splits it: `shop:create_app()` stays one word", () => {
                const { plan } = synthesize(
                    apps.make({
                        "shop/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n",
                        "requirements.txt": "flask\ngunicorn\n",
                        ".docker/Dockerfile": 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/app/.docker/start.sh"]\n',
                        ".docker/start.sh": '#!/bin/sh\nCMD_LINE="gunicorn --workers 2 shop:create_app()"\nif [ -n "$WAIT_FOR" ]; then\n  sleep 2\nfi\nexec $CMD_LINE\n',
                    }),
                );
                assert.deepEqual([plan.entrypoint.spec, plan.entrypoint.source, plan.server.defaultWorkers], ["shop:create_app()", ".docker/Dockerfile", 2]);
            });

            it("GIVEN an ENTRYPOINT script copied with another file into /, that keeps its server command in a variable and runs it under control flow (`exec ${server_command}`, `eval \"$cmd\"`) THEN that command is the web command: uvicorn's --app-dir is the Python path, the server runs in the source folder, and the app's modules there are read for what they write", () => {
                const files = {
                    "server/main.py": "from fastapi import FastAPI\n\nimport helpers\n\nhelpers.start_log()\napp = FastAPI()\n",
                    "server/helpers.py": 'import os\n\n\ndef start_log():\n    os.makedirs("logs", exist_ok=True)\n',
                    "requirements.txt": "fastapi\nuvicorn\n",
                    Dockerfile: 'FROM python:3.13-slim\nWORKDIR /app\nCOPY server ./server\nCOPY entrypoint.sh healthcheck.sh /\nENTRYPOINT ["/entrypoint.sh"]\n',
                    "healthcheck.sh": "#!/bin/sh\ncurl -f http://localhost:8080/health\n",
                };
                for (const [script, line] of [
                    [
                        '#!/bin/sh\nset -e\nserver_command="python -m \\\n  uvicorn main:app \\\n  --app-dir server \\\n  --host ${HOST} --port 8080"\n' +
                            'if [ `id -u` -eq 0 ]; then\n  chown -R 1000:1000 /data\n  exec gosu 1000:1000 ${server_command}\nelse\n  echo Starting as $(id -u)\n  exec ${server_command}\nfi\n',
                        "exec ${server_command}",
                    ],
                    ['#!/bin/sh\ncmd="exec uvicorn main:app --app-dir server --port 8080 $@"\nif [ "$PUID" -ne 0 ]; then\n  cmd="su - app -c \'$cmd\'"\nfi\neval "$cmd"\n', "eval"],
                    ['#!/bin/sh\nCMD_LINE="uvicorn main:app --app-dir server"\nif [ -n "$WAIT_FOR" ]; then\n  sleep 2\n  exec $CMD_LINE\nelse\n  exec $CMD_LINE\nfi\n', "exec $CMD_LINE"],
                ]) {
                    const { plan } = synthesize(apps.make({ ...files, "entrypoint.sh": script }));
                    assert.deepEqual([plan.entrypoint.spec, plan.entrypoint.source, plan.server.chdir, plan.server.pythonPath], ["main:app", "Dockerfile", undefined, ["/app/server"]], line);
                    assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.kind]), [["/app/logs", "scratch"]], line);
                }
            });

            it("GIVEN `--forwarded-allow-ips '*'` inside a script's command variable run as `exec ${cmd}` (the quotes stay in the word), or a host name THEN gunicorn, which refuses such an item at start, gets only the IP items, with a note", () => {
                const run = (flags: string) =>
                    synthesize(
                        apps.make({
                            "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
                            "requirements.txt": "fastapi\nuvicorn\n",
                            Dockerfile: 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/app/entrypoint.sh"]\n',
                            "entrypoint.sh": `#!/bin/sh\ncmd="uvicorn main:app --proxy-headers ${flags}"\nexec \${cmd}\n`,
                        }),
                    ).plan;
                const quoted = run("--forwarded-allow-ips '*'");
                assert.deepEqual(quoted.server.extraArgs, []);
                assert.ok(
                    quoted.notes.includes(
                        "Dockerfile's `--forwarded-allow-ips '*'` names \"'*'\", which gunicorn refuses at start (it takes `*` or IP addresses and networks; uvicorn matched it as text, trusting no real peer): not carried, so gunicorn's default (127.0.0.1,::1) stands. Set `trustedProxies` to trust a proxy.",
                    ),
                    quoted.notes.join("\n"),
                );
                const mixed = run("--forwarded-allow-ips 10.0.0.0/8,proxy.internal,192.168.1.1/24,fd00::/8");
                assert.deepEqual(mixed.server.extraArgs, ["--forwarded-allow-ips", "10.0.0.0/8,fd00::/8"]);
                assert.ok(mixed.notes.some((n) => n.includes('names "proxy.internal", "192.168.1.1/24", which gunicorn refuses at start') && n.includes("only 10.0.0.0/8,fd00::/8 is carried")), mixed.notes.join("\n"));
            });

            it("GIVEN a Compose file THEN the service built here that runs a server gives the command, environment, volumes and health path; the one-shot migrate service is the release step; the others are named, and a variable holding another service's address (a URL, a bare host `db`, `db:5432`) is named, not set", () => {
                const compose =
                    "services:\n  migrate:\n    build: .\n    command: python manage.py migrate --noinput\n" +
                    "  web:\n    build:\n      context: .\n    command: gunicorn --workers 2 svc.web:site\n    env_file: .env\n" +
                    "    environment:\n      - SITE_MODE=prod\n      - SECRET_KEY=dev-only\n      - DATABASE_URL=postgresql://u:p@db:5432/site\n      - API_BASE=${API_BASE:-http://localhost}\n      - \"BELL=a\\u0007b\"\n      - POSTGRES_HOST=db\n      - DB_ADDR=db:5432\n" +
                    "    volumes:\n      - ./uploads:/srv/site/uploads\n      - ./conf:/etc/site:ro\n" +
                    "    healthcheck:\n      test: [\"CMD\", \"wget\", \"-qO-\", \"http://127.0.0.1:8000/up\"]\n" +
                    "  admin:\n    build: .\n    command: gunicorn svc.admin:admin\n  db:\n    image: postgres:16\n";
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: DOCKERFILE, "docker-compose.yml": compose, "manage.py": "" }));
                assert.deepEqual(plan.entrypoint, { spec: "svc.web:site", interface: "wsgi", source: "docker-compose.yml" });
                assert.equal(plan.server.defaultWorkers, 2);
                assert.deepEqual(plan.release, { command: ["python", "manage.py", "migrate", "--noinput"], workdir: "/app", source: "docker-compose.yml service migrate" });
                assert.deepEqual(plan.imageEnv, { DATA_DIR: "/data", SITE_TITLE: "Hello there", SITE_MODE: "prod" });
                assert.deepEqual(plan.writablePaths.map((w) => w.path).sort(), ["/app/uploads", "/data"]);
                assert.deepEqual(plan.healthCheck, { path: "/up" });
                const said = plan.notes.join("\n");
                assert.ok(said.includes("docker-compose.yml's service admin (gunicorn svc.admin:admin) is not deployed"), said);
                assert.ok(said.includes("docker-compose.yml runs db (postgres:16) beside the app"), said);
                assert.ok(said.includes("reads its variables from .env, which is not read"), said);
                for (const name of ["SECRET_KEY", "DATABASE_URL", "API_BASE", "BELL", "POSTGRES_HOST", "DB_ADDR"]) {
                    assert.ok(said.includes(name), `${name} named: ${said}`);
                    assert.ok(!(name in plan.imageEnv), name);
                }
            });

            it("GIVEN COPY ./app /app THEN the image's paths under /app are the source's app/ (a compose variable pointing at a file there too)", () => {
                const dockerfile = "FROM python:3.11\nCOPY ./app /app\nVOLUME /app/state\n";
                const compose = "services:\n  web:\n    build: .\n    environment:\n      QUOTES_FILE: /app/quotes.txt\n";
                const { plan } = synthesize(apps.make({ "app/main.py": "from flask import Flask\napp = Flask(__name__)\n", "app/quotes.txt": "q\n", "requirements.txt": "flask\n", Dockerfile: dockerfile, "compose.yaml": compose }));
                assert.deepEqual(plan.imageEnv, { QUOTES_FILE: "/app/app/quotes.txt" });
                assert.deepEqual(plan.writablePaths.map((w) => w.path), ["/app/app/state"]);
            });

            it("GIVEN a Compose service that bind-mounts the source folder back over the image's copy (`.:/code`, `./svc:/code/svc`) THEN it is a development mount, not a data folder; a mounted folder without code still is one", () => {
                const dockerfile = "FROM python:3.12\nWORKDIR /code\nCOPY . /code/\nCMD [\"gunicorn\", \"svc.web:site\"]\n";
                for (const [volumes, paths, development] of [
                    ["      - .:/code\n", [], true],
                    ["      - ./svc:/code/svc\n      - ./uploads:/code/uploads\n", ["/app/uploads"], true],
                    ["      - type: bind\n        source: .\n        target: /code\n", [], true],
                    ["      - ../site:/code\n", [], false],
                ] as const) {
                    const compose = `services:\n  web:\n    build: .\n    volumes:\n${volumes}`;
                    const { plan } = synthesize(apps.make({ ...SVC, "uploads/.gitkeep": "", Dockerfile: dockerfile, "docker-compose.yml": compose }));
                    assert.deepEqual(plan.writablePaths.map((w) => w.path), paths, volumes);
                    assert.equal(plan.notes.some((n) => n.includes("(a development mount, for live reload): not carried")), development, volumes);
                }
            });

            it("GIVEN a Compose service that binds files of the source (security_monkey's config module and accounts file), or a git-ignored .env THEN they are not data volumes (no mkdir over a file), with a note", () => {
                const dockerfile = "FROM python:3.12\nWORKDIR /code\nCOPY . /code/\nCMD [\"gunicorn\", \"svc.web:site\"]\n";
                const compose = "services:\n  web:\n    build: .\n    volumes:\n      - ./conf/settings.py:/code/conf/settings.py\n      - ./accounts.json:/etc/svc/accounts.json\n      - ./uploads:/code/uploads\n      - ./src/.env:/code/.env\n";
                const { plan, dockerfile: rendered } = synthesize(apps.make({ ...SVC, "conf/settings.py": "X = 1\n", "accounts.json": "[]\n", Dockerfile: dockerfile, "docker-compose.yml": compose }));
                assert.deepEqual(plan.writablePaths.map((w) => w.path), ["/app/uploads"]);
                assert.doesNotMatch(rendered, /settings\.py|accounts\.json/);
                const said = plan.notes.filter((n) => n.includes("binds the source's file"));
                assert.deepEqual(said, [
                    "docker-compose.yml's service web binds the source's file ./conf/settings.py at /code/conf/settings.py: not carried as a volume (a file of the source, not data); the image holds the source's copy at /app/conf/settings.py.",
                    "docker-compose.yml's service web binds the source's file ./accounts.json at /etc/svc/accounts.json: not carried as a volume (a file of the source, not data); the image holds the source's copy at /app/accounts.json, not at /etc/svc/accounts.json: point the app at that path, or copy the file there with a build step.",
                ]);
                // A dotenv file, not in the source (git-ignored; FastAPI-boilerplate's): the deployment's values, not a data folder named .env.
                assert.ok(
                    plan.notes.includes("docker-compose.yml's service web binds ./src/.env at /code/.env: not carried (an env file holds the deployment's own values, not data): set them with PythonApp's `env` (`secretEnv` for secrets)."),
                    plan.notes.join("\n"),
                );
            });

            it("GIVEN a Compose service that runs a development server (`flask run --debug`, `runserver`, `--reload`) over a bind mount of the source THEN its environment is not carried, with a note; the Dockerfile's ENV still is", () => {
                const devNote = (cmd: string) =>
                    `docker-compose.yml's service web is a development setup (it runs \`${cmd}\` over a bind mount of the source): its environment (FLASK_DEBUG, SITE_TITLE) is not carried. ` +
                    "Set what production needs with PythonApp's `env` (`secretEnv` for secrets).";
                for (const [command, mount, env, note] of [
                    ["flask --app svc.web:site run --debug --host 0.0.0.0", "      - .:/srv/site\n", { DATA_DIR: "/data", SITE_TITLE: "Hello there" }, "flask --app svc.web:site run --debug --host 0.0.0.0"],
                    ["uvicorn --reload --interface wsgi svc.web:site", "      - ./svc:/srv/site/svc\n", { DATA_DIR: "/data", SITE_TITLE: "Hello there" }, "uvicorn --reload --interface wsgi svc.web:site"],
                    // Not a development setup; its debug switch still is not carried, nor its SITE_TITLE over the Dockerfile's (notes say so).
                    ["gunicorn svc.web:site", "      - .:/srv/site\n", { DATA_DIR: "/data", SITE_TITLE: "Hello there" }, undefined],
                    ["flask --app svc.web:site run --debug", "      - ./uploads:/srv/site/uploads\n", { DATA_DIR: "/data", SITE_TITLE: "Hello there" }, undefined],
                ] as const) {
                    const compose = `services:\n  web:\n    build: .\n    command: ${command}\n    environment:\n      FLASK_DEBUG: "1"\n      SITE_TITLE: Dev\n    volumes:\n${mount}`;
                    const { plan } = synthesize(apps.make({ ...SVC, "uploads/.gitkeep": "", Dockerfile: DOCKERFILE, "docker-compose.yml": compose }));
                    assert.deepEqual(plan.imageEnv, env, command);
                    assert.equal(plan.notes.find((n) => n.includes("is a development setup")), note === undefined ? undefined : devNote(note), command);
                }
            });

            it("GIVEN a Compose service that turns debugging on, or sets a variable the Dockerfile's ENV sets (isso's e2e harness pointing its settings at a test config) THEN neither is carried: the Dockerfile's value stays, with notes", () => {
                const dockerfile = "FROM python:3.12\nWORKDIR /srv/site\nCOPY . .\nENV SITE_SETTINGS=/config/site.cfg\nCMD [\"gunicorn\", \"svc.web:site\"]\n";
                const compose = 'services:\n  web:\n    build: .\n    environment:\n      FLASK_DEBUG: 1\n      DJANGO_DEBUG: "False"\n      SITE_SETTINGS: /config/site-dev.cfg\n      SITE_TITLE: Dev\n';
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: dockerfile, "docker-compose.yml": compose }));
                assert.deepEqual(plan.imageEnv, { SITE_SETTINGS: "/config/site.cfg", DJANGO_DEBUG: "False", SITE_TITLE: "Dev" });
                const said = plan.notes.filter((n) => n.startsWith("docker-compose.yml's service web"));
                assert.deepEqual(said, [
                    "docker-compose.yml's service web turns debugging on (FLASK_DEBUG=1): not carried, as a production image must not (tracebacks and debug toolbars to every visitor). Set it with PythonApp's `env` only where debugging is wanted.",
                    "docker-compose.yml's service web sets SITE_SETTINGS=/config/site-dev.cfg (the Dockerfile's ENV: /config/site.cfg): the image keeps the value of the app's own Dockerfile, which it replaces; set the other with PythonApp's `env` if that is the deployment's.",
                ]);
            });

            it("GIVEN a Compose service whose command migrates and then runs the development server (`sh -c \"... migrate && ... runserver\"`), and STATIC_ROOT inside the Dockerfile's VOLUME THEN the service is the web service, the commands before the server are the release step in manage.py's folder, and the volume goes to the folders the app writes inside it, not over the collected static files", () => {
                const settings =
                    "import os\nSECRET_KEY = os.environ.get('SECRET_KEY', 'x')\nINSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.staticfiles']\nROOT_URLCONF = 'app.urls'\n" +
                    "WSGI_APPLICATION = 'app.wsgi.application'\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': os.environ.get('DB_HOST')}}\n" +
                    "STATIC_URL = '/static/static/'\nSTATIC_ROOT = '/vol/web/static'\nMEDIA_ROOT = '/vol/web/media'\n";
                const dockerfile = "FROM python:3.11-alpine\nCOPY ./requirements.txt /requirements.txt\nCOPY ./app /app\nWORKDIR /app\nRUN pip install -r /requirements.txt\nVOLUME /vol/web\nCMD [\"gunicorn\", \"app.wsgi\"]\n";
                const compose =
                    "services:\n  app:\n    build:\n      context: .\n    volumes:\n      - ./app:/app\n      - ./data/web:/vol/web\n" +
                    '    command: >\n      sh -c "python manage.py wait_for_db &&\n             python manage.py migrate &&\n             python manage.py runserver 0.0.0.0:8000"\n' +
                    "    environment:\n      - DEBUG=1\n  db:\n    image: postgres:13-alpine\n";
                const { plan } = synthesize(
                    apps.make({
                        "app/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'app.settings')\n",
                        "app/app/__init__.py": "",
                        "app/app/settings.py": settings,
                        "app/app/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                        "requirements.txt": "django\ngunicorn\npsycopg2-binary\n",
                        Dockerfile: dockerfile,
                        "docker-compose.yml": compose,
                    }),
                );
                assert.deepEqual(plan.release, { command: ["sh", "-c", "python manage.py wait_for_db && python manage.py migrate"], workdir: "/app/app", source: "docker-compose.yml service app command (before the server)" });
                assert.deepEqual(plan.imageEnv, { DJANGO_SETTINGS_MODULE: "app.settings" });
                assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.kind]), [["/vol/web/media", "data"]]);
                assert.deepEqual(plan.buildSteps.find((st) => st.name === "collectstatic")?.outputs, ["/vol/web/static"]);
                assert.ok(
                    plan.notes.includes(
                        "Dockerfile VOLUME /vol/web makes /vol/web a data folder, but /vol/web/static inside it is what the build writes and the image ships: a volume there would keep the first deploy's copy and hide every later image's, so none is mounted at /vol/web; " +
                            "the folders the app writes inside it (/vol/web/media) are its data instead.",
                    ),
                    plan.notes.join("\n"),
                );
            });

            it("GIVEN a volume at STATIC_ROOT itself in the app folder (wagtail/guide's Compose `staticfiles:/app/static`, or the Dockerfile's VOLUME) THEN none is mounted there: collectstatic's files stay in the image, with the note", () => {
                const files = {
                    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
                    "shop/__init__.py": "",
                    "shop/settings.py":
                        "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = 'x'\nALLOWED_HOSTS = ['*']\nINSTALLED_APPS = ['django.contrib.staticfiles']\n" +
                        "MIDDLEWARE = ['whitenoise.middleware.WhiteNoiseMiddleware']\nROOT_URLCONF = 'shop.urls'\nWSGI_APPLICATION = 'shop.wsgi.application'\nSTATIC_URL = '/static/'\nSTATIC_ROOT = BASE_DIR / 'static'\n",
                    "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                    "requirements.txt": "django==5.1.4\nwhitenoise==6.8.2\n",
                };
                const note =
                    "makes /app/static a data folder, but that folder is what the build writes and the image ships: a volume there would keep the first deploy's copy and hide every later image's, so none is mounted at /app/static; " +
                    "no folder the app writes was found inside it: name one in `writablePaths` if it does.";
                for (const [name, text, why] of [
                    ["docker-compose.yml", "services:\n  web:\n    build: .\n    volumes:\n      - staticfiles:/app/static\nvolumes:\n  staticfiles:\n", "docker-compose.yml's service web volume staticfiles:/app/static"],
                    ["Dockerfile", 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nVOLUME ["/app/static"]\nCMD ["gunicorn", "shop.wsgi"]\n', "Dockerfile VOLUME /app/static"],
                ] as const) {
                    const { plan, dockerfile } = synthesize(apps.make({ ...files, [name]: text }));
                    assert.deepEqual(plan.writablePaths, [], name);
                    assert.deepEqual(plan.buildSteps.find((st) => st.name === "collectstatic")?.fills, ["/app/static"]);
                    assert.doesNotMatch(dockerfile, /--keep-out=\/app\/static/);
                    assert.ok(plan.notes.includes(`${why} ${note}`), plan.notes.join("\n"));
                }
            });

            it("GIVEN the app's Dockerfile sets PYTHONPATH to folders of the source (`ENV PYTHONPATH=/srv/site`, `/srv/site/lib:$PYTHONPATH`) THEN the image sets it in its own terms, so a release script run by path (`python svc/pre_start.py`) imports the package; folders outside the source are not carried", () => {
                const env = (line: string) =>
                    synthesize(apps.make({ ...SVC, "lib/.keep": "", Dockerfile: `FROM python:3.12-slim\nWORKDIR /srv/site\nCOPY . .\n${line}\nCMD ["gunicorn", "svc.web:site"]\n` })).plan.imageEnv["PYTHONPATH"];
                assert.equal(env("ENV PYTHONPATH=/srv/site"), "/app");
                assert.equal(env("ENV PYTHONPATH=/srv/site/lib:$PYTHONPATH"), "/app/lib");
                assert.equal(env("ENV PYTHONPATH=/opt/vendor"), undefined);
                const dockerfile = synthesize(apps.make({ ...SVC, Dockerfile: "FROM python:3.12-slim\nWORKDIR /srv/site\nCOPY . .\nENV PYTHONPATH=/srv/site\nCMD [\"gunicorn\", \"svc.web:site\"]\n" })).dockerfile;
                assert.ok(dockerfile.split("\n").includes('ENV PYTHONPATH="/app"'), dockerfile);
            });

            it("GIVEN a Dockerfile FROM a Python not supported here (python:3.9-slim) THEN one note says it is not used and why, not also that the image uses it", () => {
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: "FROM python:3.9-slim\nWORKDIR /srv/site\nCOPY . .\nCMD [\"gunicorn\", \"svc.web:site\"]\n" }));
                assert.deepEqual(plan.python, { version: "3.13", source: "default" });
                assert.deepEqual(
                    plan.notes.filter((n) => n.includes("Python 3.9")),
                    ["Dockerfile FROM python:3.9-slim names Python 3.9, which is not supported here (3.10, 3.11, 3.12, 3.13, 3.14); it is not used: the image's Python is chosen as for an app that names none."],
                );
            });

            it("GIVEN installer settings in the Dockerfile's ENV or the service's environment (POETRY_*, PIP_*, UV_*) THEN they stay out of the image's environment, named in one note", () => {
                const dockerfile = "FROM python:3.12-slim\nENV POETRY_VERSION=2.1.1 POETRY_VIRTUALENVS_CREATE=false PIP_DEFAULT_TIMEOUT=100 SITE_TITLE=Hi\nWORKDIR /srv/site\nCOPY . .\nCMD [\"gunicorn\", \"svc.web:site\"]\n";
                const compose = "services:\n  web:\n    build: .\n    environment:\n      UV_NO_CACHE: \"1\"\n      SITE_MODE: prod\n";
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: dockerfile, "docker-compose.yml": compose }));
                assert.deepEqual(plan.imageEnv, { SITE_TITLE: "Hi", SITE_MODE: "prod" });
                assert.ok(
                    plan.notes.includes("POETRY_VERSION, POETRY_VIRTUALENVS_CREATE, PIP_DEFAULT_TIMEOUT, UV_NO_CACHE configure the app's own install, which the image replaces with its own: not carried into the image's environment."),
                    plan.notes.join("\n"),
                );
            });

            it("GIVEN an ENTRYPOINT or CMD script found through PATH (`COPY scripts/start.sh /usr/local/bin/start`, `ENV PATH=/scripts:$PATH` with `COPY ./scripts /scripts`) THEN the script is read: its server is the web command and the commands before it the release step", () => {
                const script = "#!/bin/sh\nset -e\npython -m svc.migrate\nexec gunicorn --workers 3 svc.web:site\n";
                for (const [dockerfile, file, said] of [
                    ["FROM python:3.12-slim\nWORKDIR /srv/site\nCOPY . .\nCOPY scripts/start.sh /usr/local/bin/start\nENTRYPOINT [\"start\"]\n", "scripts/start.sh", "ENTRYPOINT"],
                    ["FROM python:3.12-slim\nCOPY ./scripts /scripts\nCOPY . /srv/site\nWORKDIR /srv/site\nENV PATH=\"/scripts:/py/bin:$PATH\"\nCMD [\"start.sh\"]\n", "scripts/start.sh", "CMD"],
                    ["FROM python:3.12-slim\nWORKDIR /srv/site\nCOPY . .\nCOPY docker/run /usr/local/bin/\nCMD run\n", "docker/run", "CMD"],
                ] as const) {
                    const { plan } = synthesize(apps.make({ ...SVC, [file]: script, "svc/migrate.py": "", Dockerfile: dockerfile }));
                    assert.deepEqual([plan.entrypoint.spec, plan.server.defaultWorkers], ["svc.web:site", 3], dockerfile);
                    assert.deepEqual(plan.release, { command: ["python", "-m", "svc.migrate"], workdir: "/app", source: `Dockerfile ${said} (before the server)` }, dockerfile);
                }
            });

            it("GIVEN a Compose variable that points at a file the service bind-mounts from the source (`./contrib/site.cfg:/config/site.cfg`) THEN the image's variable points at that file in /app", () => {
                const compose =
                    "services:\n  web:\n    build: .\n    environment:\n      SITE_SETTINGS: /config/site.cfg\n      SITE_THEMES: /themes/dark\n      SITE_OTHER: /config/missing.cfg\n" +
                    "    volumes:\n      - type: bind\n        source: ./contrib/site.cfg\n        target: /config/site.cfg\n        read_only: true\n      - ./themes:/themes:ro\n      - ../outside:/config/missing.cfg\n";
                const { plan } = synthesize(apps.make({ ...SVC, "contrib/site.cfg": "[general]\n", "themes/dark/style.css": "", Dockerfile: DOCKERFILE, "docker-compose.yml": compose }));
                assert.deepEqual(plan.imageEnv, { DATA_DIR: "/data", SITE_TITLE: "Hello there", SITE_SETTINGS: "/app/contrib/site.cfg", SITE_THEMES: "/app/themes/dark", SITE_OTHER: "/config/missing.cfg" });
            });

            it("GIVEN a Dockerfile written to inject (a command after the server, a HEALTHCHECK URL with a substitution, a VOLUME with one) THEN none of it reaches the image", () => {
                const dockerfile = "FROM python:3.12\nWORKDIR /srv\nCOPY . .\nVOLUME [\"/data $(touch /x)\"]\nHEALTHCHECK CMD curl http://localhost:8000/$(id)\nCMD gunicorn svc.web:site; touch /pwned\n";
                const { plan, dockerfile: rendered } = synthesize(apps.make({ ...SVC, Dockerfile: dockerfile }));
                assert.equal(plan.entrypoint.spec, "svc.web:site");
                assert.deepEqual(plan.healthCheck, { path: "/" });
                assert.deepEqual(plan.writablePaths, []);
                assert.ok(!rendered.includes("pwned") && !rendered.includes("touch"), rendered);
                assert.ok(plan.notes.includes("The Dockerfile's CMD runs `touch /pwned` after the server; the image does not."), plan.notes.join("\n"));
            });

            it("GIVEN an exec-form CMD or ENTRYPOINT whose strings hold blanks (`[\"sh\", \"-c\", \"python -m svc.setup && gunicorn --workers 3 svc.web:site\"]`) THEN each string is one word, blanks kept", () => {
                for (const [line, argv] of [
                    ['CMD ["sh", "-c", "python -m svc.setup && gunicorn --workers 3 svc.web:site"]', undefined],
                    ['ENTRYPOINT ["sh",\\\n  "-c", "python -m svc.setup && gunicorn --workers 3 svc.web:site"]', undefined],
                    ['CMD ["gunicorn", "--workers", "3", "svc.web:site"]', undefined],
                ] as const) {
                    const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: `FROM python:3.12\nWORKDIR /app\nCOPY . .\n${line}\n` }));
                    assert.deepEqual([plan.entrypoint.spec, plan.server.defaultWorkers], ["svc.web:site", 3], line);
                    assert.deepEqual(plan.release?.command ?? argv, line.includes("svc.setup") ? ["python", "-m", "svc.setup"] : undefined, line);
                }
            });

            it("GIVEN a CMD naming a module whose file name holds hyphens (`gunicorn youtube-dl-server:app`) THEN it is served as named, and found with no CMD: importlib loads such a file", () => {
                const files = { "requirements.txt": "flask\ngunicorn\n", "youtube-dl-server.py": "from flask import Flask\napp = Flask(__name__)\n" };
                const { plan, dockerfile } = synthesize(apps.make({ ...files, Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD ["gunicorn", "-b", "0.0.0.0:8080", "youtube-dl-server:app"]\n' }));
                assert.deepEqual([plan.entrypoint.spec, plan.entrypoint.source], ["youtube-dl-server:app", "Dockerfile"]);
                assert.match(dockerfile, /"youtube-dl-server:app"\]$/m);
                const found = synthesize(apps.make(files)).plan.entrypoint;
                assert.deepEqual([found.spec, found.source], ["youtube-dl-server:app", "youtube-dl-server.py"]);
            });

            it("GIVEN compose commands wrapped in `sh -c` THEN the command line inside is read: the migrate service's as the release step, the web service's server and what it chains before it", () => {
                const compose =
                    "services:\n  migrate:\n    build: .\n    command: [\"sh\", \"-c\", \"python manage.py migrate --noinput\"]\n" +
                    "  web:\n    build: .\n    command: sh -c \"python -m svc.setup && gunicorn --timeout 33 svc.web:site\"\n";
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: DOCKERFILE, "compose.yaml": compose, "manage.py": "" }));
                assert.equal(plan.entrypoint.spec, "svc.web:site");
                assert.equal(plan.server.timeout, 33);
                assert.deepEqual(plan.release, { command: ["python", "manage.py", "migrate", "--noinput"], workdir: "/app", source: "compose.yaml service migrate" });
                const chained = synthesize(apps.make({ ...SVC, Dockerfile: DOCKERFILE, "compose.yaml": compose.replace(/  migrate:\n.*\n.*\n/, "") })).plan;
                assert.deepEqual(chained.release, { command: ["python", "-m", "svc.setup"], workdir: "/app", source: "compose.yaml service web command (before the server)" });
            });

            it("GIVEN COPY . /code and WORKDIR /code/src THEN the command runs in the source's src/ (gunicorn's folder), as in the image", () => {
                const dockerfile = "FROM python:3.13\nCOPY . /code\nWORKDIR /code/src\nCMD [\"gunicorn\", \"svc.web:site\"]\n";
                const files = Object.fromEntries(Object.entries(SVC).map(([k, v]) => [k === "requirements.txt" ? k : `src/${k}`, v]));
                const { plan } = synthesize(apps.make({ ...files, Dockerfile: dockerfile }));
                assert.equal(plan.entrypoint.spec, "svc.web:site");
                assert.equal(plan.server.chdir, "/app/src");
            });

            it("GIVEN a Compose file that is not YAML THEN a note names it and the Dockerfile is still read", () => {
                const { plan } = synthesize(apps.make({ ...SVC, Dockerfile: DOCKERFILE, "docker-compose.yml": "services: [\n" }));
                assert.equal(plan.entrypoint.spec, "svc.web:site");
                assert.ok(plan.notes.some((n) => n.startsWith("docker-compose.yml cannot be parsed")), plan.notes.join("\n"));
            });
        });

        describe("platform config files in place of a Procfile", () => {
            const TWO_APPS = {
                "svc/__init__.py": "",
                "svc/web.py": "from flask import Flask\n\nsite = Flask(__name__)\n",
                "svc/admin.py": "from flask import Flask\n\nadmin = Flask(__name__)\n",
                "requirements.txt": "flask\n",
            };
            const RENDER = "services:\n  - type: web\n    name: site\n    runtime: python\n    startCommand: gunicorn svc.web:site\n    preDeployCommand: python -m svc.setup\n    healthCheckPath: /up\n";

            it("GIVEN DigitalOcean's .do/app.yaml THEN its service's run_command, PRE_DEPLOY job, health check and envs are read", () => {
                const spec =
                    "name: site\nservices:\n- name: web\n  environment_slug: python\n  run_command: gunicorn --workers 2 svc.web:site\n  health_check:\n    http_path: /up\n  envs:\n  - key: SITE_TITLE\n    value: Hello\n  - key: DATABASE_URL\n    value: ${db.DATABASE_URL}\n  - key: SECRET_KEY\n    type: SECRET\n    value: EV[1:x]\n" +
                    "jobs:\n- name: migrate\n  kind: PRE_DEPLOY\n  run_command: python -m svc.setup\n";
                const { plan } = synthesize(apps.make({ ...TWO_APPS, ".do/app.yaml": spec }));
                assert.deepEqual(plan.entrypoint, { spec: "svc.web:site", interface: "wsgi", source: ".do/app.yaml" });
                assert.equal(plan.server.defaultWorkers, 2);
                assert.deepEqual(plan.release, { command: ["python", "-m", "svc.setup"], workdir: "/app", source: ".do/app.yaml PRE_DEPLOY job" });
                assert.deepEqual(plan.healthCheck, { path: "/up" });
                assert.deepEqual(plan.imageEnv, { SITE_TITLE: "Hello" });
                assert.ok(plan.notes.some((n) => n.includes("DATABASE_URL (.do/app.yaml envs), SECRET_KEY (.do/app.yaml envs)")), plan.notes.join("\n"));
            });

            it("GIVEN a path variable and a required variable the platform's config sets THEN the path is read with its value, and the variable is not named as missing", () => {
                const code = "import os\nimport sqlite3\nfrom flask import Flask\n\nDB = os.environ.get('VISITS_DB', 'visits.db')\napp = Flask(os.environ['SITE_TITLE'])\n\n@app.get('/')\ndef index():\n    sqlite3.connect(DB)\n    return 'ok'\n";
                const fly = "app = 'v'\n[env]\nVISITS_DB = '/var/lib/visits/visits.db'\nSITE_TITLE = 'Visits'\n";
                const p = synthesize(apps.make({ "app.py": code, "requirements.txt": "flask\n", "fly.toml": fly })).plan;
                assert.deepEqual(p.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/var/lib/visits/visits.db", to: "/data/var/lib/visits/visits.db" }]]]);
                assert.ok(!p.notes.some((n) => n.includes("from the environment at import with no default")), p.notes.join("\n"));
                // The link's own folder, outside the app's, is made before the link.
                const dockerfile = synthesize(apps.make({ "app.py": code, "requirements.txt": "flask\n", "fly.toml": fly })).dockerfile;
                assert.ok(dockerfile.split("\n").includes("RUN mkdir -p /data /data/var/lib/visits /var/lib/visits \\"), dockerfile);
                const bare = synthesize(apps.make({ "app.py": code, "requirements.txt": "flask\n" })).plan;
                assert.deepEqual(bare.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/app/visits.db", to: "/data/visits.db" }]]]);
                assert.ok(bare.notes.some((n) => n.startsWith("app.py reads SITE_TITLE from the environment at import with no default")));
                // Variables every container has (the image's PATH and HOME, Docker's HOSTNAME) are never missing (searxng reads os.environ["PATH"]).
                const always = code.replace("app = Flask(os.environ['SITE_TITLE'])", "PATHS = (os.environ['PATH'], os.environ['HOME'], os.environ['HOSTNAME'], os.environ['SITE_TITLE'])\napp = Flask(__name__)");
                const notes = synthesize(apps.make({ "app.py": always, "requirements.txt": "flask\n" })).plan.notes.filter((n) => n.includes("from the environment at import with no default"));
                assert.equal(notes.length, 1, notes.join("\n"));
                assert.ok(notes[0].startsWith("app.py reads SITE_TITLE from the environment at import with no default"), notes[0]);
            });

            it("GIVEN fly.toml's [processes] and no Procfile THEN the routed process is the web command; nixpacks.toml's [start] cmd and [variables] when railway.toml names no start command", () => {
                const fly = synthesize(apps.make({ ...TWO_APPS, "fly.toml": "app = 'site'\n[processes]\napp = 'gunicorn --timeout 90 svc.admin:admin'\nworker = 'python -m svc.jobs'\n\n[http_service]\ninternal_port = 8000\nprocesses = ['app']\n" })).plan;
                assert.deepEqual(fly.entrypoint, { spec: "svc.admin:admin", interface: "wsgi", source: "fly.toml" });
                assert.equal(fly.server.timeout, 90);
                assert.ok(
                    fly.notes.includes(
                        "fly.toml also has the worker process (`python -m svc.jobs`); the image runs only the web process. " +
                            "What the others do (a task queue's worker, a scheduler) happens only once each runs as another container of the same image with its own command, and the web container's environment and data volumes (a worker whose broker is the app's SQLite database needs that volume too).",
                    ),
                    fly.notes.join("\n"),
                );
                const nix = synthesize(apps.make({ ...TWO_APPS, "railway.toml": "[deploy]\nhealthcheckPath = '/up'\n", "nixpacks.toml": "[variables]\nSITE_MODE = 'prod'\nNIXPACKS_PYTHON_VERSION = '3.11'\n\n[start]\ncmd = 'python -m svc.setup && gunicorn --workers 3 svc.admin:admin'\n" })).plan;
                assert.equal(nix.entrypoint.spec, "svc.admin:admin");
                assert.equal(nix.server.defaultWorkers, 3);
                assert.deepEqual(nix.release?.command, ["python", "-m", "svc.setup"]);
                assert.deepEqual(nix.imageEnv, { SITE_MODE: "prod" });
                assert.deepEqual(nix.healthCheck, { path: "/up" });
            });

            it("GIVEN render.yaml and a Procfile THEN the Procfile's commands are used, and render.yaml's health check path (like its environment)", () => {
                const dir = apps.make({ ...TWO_APPS, "render.yaml": RENDER, Procfile: "web: gunicorn svc.admin:admin\n" });
                const { plan } = synthesize(dir);
                assert.deepEqual(plan.entrypoint, { spec: "svc.admin:admin", interface: "wsgi", source: "Procfile" });
                assert.equal(plan.release, undefined);
                assert.deepEqual(plan.healthCheck, { path: "/up" });
            });

            it("GIVEN render.yaml's web service (legacy `env: python`) THEN its startCommand, preDeployCommand and healthCheckPath are used; `healthCheckPath` beats it", () => {
                const dir = apps.make({ ...TWO_APPS, "render.yaml": RENDER.replace("runtime: python", "env: python") });
                const { plan } = synthesize(dir);
                assert.deepEqual(plan.entrypoint, { spec: "svc.web:site", interface: "wsgi", source: "render.yaml" });
                assert.deepEqual(plan.release, { command: ["python", "-m", "svc.setup"], workdir: "/app", source: "render.yaml preDeployCommand" });
                assert.deepEqual(plan.healthCheck, { path: "/up" });
                assert.ok(plan.notes.includes("The health check requests /up, render.yaml's healthCheckPath; set `healthCheckPath` to change it."), plan.notes.join("\n"));
                assert.deepEqual(synthesize(dir, { healthCheckPath: "/ping" }).plan.healthCheck, { path: "/ping" });
            });

            it("GIVEN render.yaml's buildCommand script with commands the image does not run THEN a note names them, and not the install, collectstatic or migrate", () => {
                const script =
                    "#!/usr/bin/env bash\nset -o errexit\npip install -r requirements.txt\nnpm ci && npm run build\npython manage.py collectstatic --no-input\n" +
                    "python manage.py migrate\npython manage.py createsuperuser --noinput\npoetry run python train.py --out model.pkl\nmkdir -p media\n";
                const yaml = RENDER.replace("    preDeployCommand: python -m svc.setup\n", "    buildCommand: ./build.sh\n");
                const { plan } = synthesize(apps.make({ ...TWO_APPS, "render.yaml": yaml, "build.sh": script }));
                assert.deepEqual(plan.release?.command, ["python", "manage.py", "migrate"]);
                const note = "render.yaml's buildCommand also runs `python manage.py createsuperuser --noinput`, `python train.py --out model.pkl` (build.sh), which the image does not run: " +
                    "add what makes files the app needs to `buildCommands`, and what needs the database to `releaseCommand`.";
                assert.ok(plan.notes.includes(note), plan.notes.join("\n"));
                const plain = synthesize(apps.make({ ...TWO_APPS, "render.yaml": RENDER.replace("    preDeployCommand: python -m svc.setup\n", "    buildCommand: pip install -r requirements.txt; python -m pip --version\n") })).plan;
                assert.ok(!plain.notes.some((n) => n.includes("buildCommand also runs")), plain.notes.join("\n"));
            });

            it("GIVEN Heroku's bin/post_compile THEN a note names what in it the image does not run; migrate only without a release line", () => {
                const hook = "#!/usr/bin/env bash\nset -eo pipefail\npython manage.py compilemessages\npython manage.py migrate --noinput\npython manage.py compress --force\npython manage.py loaddata initial.json\n";
                const notesOf = (procfile: string) => synthesize(apps.make({ ...TWO_APPS, Procfile: procfile, "bin/post_compile": hook })).plan.notes;
                const tail = ", which the image does not run: add what makes files the app needs to `buildCommands`, and what needs the database to `releaseCommand`.";
                const withRelease = notesOf("web: gunicorn svc.web:site\nrelease: python manage.py migrate\n");
                assert.ok(withRelease.includes("bin/post_compile, which Heroku's Python buildpack runs around its install, runs `python manage.py loaddata initial.json`" + tail), withRelease.join("\n"));
                const without = notesOf("web: gunicorn svc.web:site\n");
                assert.ok(without.includes("bin/post_compile, which Heroku's Python buildpack runs around its install, runs `python manage.py migrate --noinput`, `python manage.py loaddata initial.json`" + tail), without.join("\n"));
            });

            it("GIVEN render.yaml whose web service is built from another folder (rootDir) THEN its commands are not used and a note says where it is", () => {
                const dir = apps.make({ ...TWO_APPS, "render.yaml": RENDER.replace("    name: site\n", "    name: site\n    rootDir: backend\n") });
                const { plan } = synthesize(dir, { app: "svc.web:site" });
                assert.equal(plan.release, undefined);
                assert.ok(
                    plan.notes.includes("render.yaml's web service site is built from backend/ (its rootDir), not this folder; its commands are not used. Point `source` at that folder to deploy it."),
                    plan.notes.join("\n"),
                );
            });

            it("GIVEN render.yaml that is not YAML THEN a note says so and the app is found in the code", () => {
                const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "render.yaml": "services:\n  - type: web\n   name: [broken\n" });
                const { plan } = synthesize(dir);
                assert.equal(plan.entrypoint.source, "app.py");
                assert.ok(plan.notes.some((n) => n.startsWith("render.yaml cannot be parsed (") && n.endsWith("); its commands are not read.")), plan.notes.join("\n"));
            });

            it("GIVEN a start command that chains a migration before the server and a preDeployCommand THEN the pre-deploy command is the release step and a note says the chained one does not run", () => {
                const dir = apps.make({ ...TWO_APPS, "railway.json": JSON.stringify({ deploy: { startCommand: "python -m svc.migrate && gunicorn svc.web:site", preDeployCommand: "python -m svc.seed" } }) });
                const { plan } = synthesize(dir);
                assert.deepEqual(plan.release?.command, ["python", "-m", "svc.seed"]);
                assert.ok(
                    plan.notes.includes(
                        "railway.json's startCommand also runs `python -m svc.migrate` before the server; the image runs railway.json preDeployCommand as the release step instead, so it does not run: add what it does to the release command if it is needed.",
                    ),
                    plan.notes.join("\n"),
                );
            });

            it("GIVEN railway.toml with a start command naming an app by a bad path and a list of pre-deploy commands THEN the error names railway.toml; the list runs in turn", () => {
                const bad = apps.make({ ...TWO_APPS, "railway.toml": '[deploy]\nstartCommand = "gunicorn --chdir ../up svc.web:site"\n' });
                assert.throws(() => synthesize(bad), (e: InputError) => e.argument === "railway.toml" && e.message.startsWith("railway.toml's startCommand gives --chdir as \"../up\", which the image cannot use:"));
                const dir = apps.make({ ...TWO_APPS, "railway.toml": '[deploy]\nstartCommand = "gunicorn svc.web:site"\npreDeployCommand = ["python -m svc.migrate", "python -m svc.seed"]\n' });
                const { plan } = synthesize(dir);
                assert.deepEqual(plan.entrypoint, { spec: "svc.web:site", interface: "wsgi", source: "railway.toml" });
                assert.deepEqual(plan.release, { command: ["sh", "-c", "python -m svc.migrate && python -m svc.seed"], workdir: "/app", source: "railway.toml preDeployCommand" });
            });
        });

        describe("`cd` and scripts in the web command", () => {
            const BACKEND = {
                "backend/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\nfrom django.core.management import execute_from_command_line\n",
                "backend/config/__init__.py": "",
                "backend/config/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "backend/config/settings.py":
                    "WSGI_APPLICATION = 'config.wsgi.application'\nINSTALLED_APPS = []\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\n",
                "requirements.txt": "django\ngunicorn\n",
            };

            it("GIVEN `cd backend && python manage.py migrate && gunicorn ...` THEN gunicorn runs in backend/ and migrate is the release step there; `cd` is not a command", () => {
                const { plan } = synthesize(apps.make({ ...BACKEND, Procfile: "web: cd backend && python manage.py migrate && gunicorn config.wsgi:application --timeout 45\n" }));
                assert.equal(plan.server.chdir, "/app/backend");
                assert.equal(plan.server.timeout, 45);
                assert.deepEqual(plan.release, { command: ["python", "manage.py", "migrate"], workdir: "/app/backend", source: "Procfile web: (before the server)" });
                assert.ok(plan.notes.includes("The Procfile's web: line changes to backend/ (`cd`) before the server: gunicorn runs there, as do the commands before it."), plan.notes.join("\n"));
            });

            it("GIVEN `--chdir backend --pythonpath ../shared` (and `cd backend &&` before it, an absolute /app/shared, PYTHONPATH=../shared after `cd`) THEN the path resolves from backend/ as gunicorn resolves it: /app/shared", () => {
                const shared = { "backend/wsgi.py": "from textkit import slug\n" + FLASK_APP, "shared/textkit/__init__.py": "def slug(s):\n    return s\n", "requirements.txt": "flask\ngunicorn\n" };
                for (const line of [
                    "gunicorn --chdir backend --pythonpath ../shared --workers 2 wsgi:app",
                    "cd backend && gunicorn --pythonpath ../shared wsgi:app",
                    "gunicorn --chdir /app/backend --pythonpath /app/shared wsgi:app",
                    "cd backend && PYTHONPATH=../shared gunicorn wsgi:app",
                    "gunicorn --chdir backend --pythonpath=../shared,. wsgi:app",
                ]) {
                    const r = synthesize(apps.make({ ...shared, Procfile: `web: ${line}\n` }));
                    assert.deepEqual([r.plan.entrypoint.spec, r.plan.server.chdir, r.plan.server.pythonPath[0]], ["wsgi:app", "/app/backend", "/app/shared"], line);
                    const argv = cmdOf(r.dockerfile);
                    assert.equal(argv[argv.indexOf("--chdir") + 1], "/app/backend", line);
                    assert.match(argv[argv.indexOf("--pythonpath") + 1], /^\/app\/shared(,\/app\/backend)?$/, line);
                }
            });

            it("GIVEN a --pythonpath, PYTHONPATH or --chdir that resolves outside the source folder THEN it is refused naming the argument, what it resolves to and the fix", () => {
                const shared = { "backend/wsgi.py": FLASK_APP, "requirements.txt": "flask\n" };
                const refused = (line: string) => {
                    try {
                        synthesize(apps.make({ ...shared, Procfile: `web: ${line}\n` }));
                    } catch (e) {
                        assert.ok(e instanceof InputError, String(e));
                        return e.message;
                    }
                    return assert.fail(`${line} was not refused`);
                };
                assert.equal(
                    refused("gunicorn --chdir backend --pythonpath ../../shared wsgi:app"),
                    'The Procfile\'s web: line gives --pythonpath as "../../shared", which the image cannot use: resolved from backend/, the folder gunicorn runs in (its --chdir), it is ../shared, outside the source folder. Fix the line (a folder inside the source folder), or set `pythonPath`.',
                );
                assert.equal(
                    refused("cd backend && PYTHONPATH=../../lib gunicorn wsgi:app"),
                    'The Procfile\'s web: line gives PYTHONPATH as "../../lib", which the image cannot use: resolved from backend/, the folder the command starts in, it is ../lib, outside the source folder. Fix the line (a folder inside the source folder), or set `pythonPath`.',
                );
                assert.equal(
                    refused("cd backend && gunicorn --chdir ../../site wsgi:app"),
                    'The Procfile\'s web: line gives --chdir as "../../site", which the image cannot use: resolved from backend/, the folder the command starts in, it is ../site, outside the source folder. Fix the line (a folder inside the source folder), or set `chdir`.',
                );
                assert.equal(
                    refused("gunicorn --chdir backend --pythonpath /opt/shared wsgi:app"),
                    'The Procfile\'s web: line gives --pythonpath as "/opt/shared", which the image cannot use: it is an absolute path outside /app, where the image (like Heroku) keeps the source folder. Fix the line (a folder inside the source folder), or set `pythonPath`.',
                );
            });

            it("GIVEN `web: bin/start` running a script that cds and execs gunicorn with ${WEB_CONCURRENCY:-3} THEN the script is read: its folder, timeout and default worker count", () => {
                const script = "#!/usr/bin/env bash\nset -euo pipefail\n# start the site\ncd backend\nexec gunicorn config.wsgi:application --workers ${WEB_CONCURRENCY:-3} --timeout 45\n";
                const { plan } = synthesize(apps.make({ ...BACKEND, Procfile: "web: bin/start\n", "bin/start": script }));
                assert.equal(plan.server.chdir, "/app/backend");
                assert.equal(plan.server.timeout, 45);
                assert.equal(plan.server.defaultWorkers, 3);
                assert.equal(plan.notes[0], "The Procfile's web: line runs bin/start; the commands in it are read as the web command.");
                const sh = synthesize(apps.make({ ...BACKEND, Procfile: "web: sh ./bin/start\n", "bin/start": script })).plan;
                assert.equal(sh.server.chdir, "/app/backend");
                const render = synthesize(apps.make({ ...BACKEND, "render.yaml": "services:\n  - type: web\n    runtime: python\n    startCommand: ./bin/start\n", "bin/start": script })).plan;
                assert.equal(render.server.timeout, 45);
                assert.equal(render.notes[0], "render.yaml's startCommand runs bin/start; the commands in it are read as the web command.");
            });
        });

        describe("environment runners (uv run, poetry run, pipenv run, pdm run, hatch run)", () => {
            const FACTORY = "from flask import Flask\n\n\ndef create_app(config_name):\n    return Flask(__name__)\n";
            const tracker = (procfile: string, extra: Record<string, string> = {}) => apps.make({ "tracker/__init__.py": FACTORY, "requirements.txt": "flask\ngunicorn\n", Procfile: procfile, ...extra });

            it("GIVEN `hatch run prod:serve` and `pdm run start` naming pyproject.toml scripts THEN the scripts' commands are read, with their arguments", () => {
                const pyproject =
                    '[project]\nname = "tracker"\nversion = "1.0"\n\n[tool.hatch.envs.prod.scripts]\nserve = "gunicorn --timeout 90 \'tracker:create_app(\\"production\\")\'"\n\n' +
                    '[tool.hatch.envs.default.scripts]\nweb = ["gunicorn {args:--workers 2} \'tracker:create_app(\\"dev\\")\'"]\n\n' +
                    '[tool.pdm.scripts]\nstart = { cmd = ["gunicorn", "tracker:create_app(\'pdm\')"] }\nboth = { shell = "flask db upgrade && gunicorn x:y" }\n';
                const plan = (procfile: string) => synthesize(tracker(procfile, { "pyproject.toml": pyproject })).plan;
                const hatch = plan("web: hatch run prod:serve --workers 3\n");
                assert.deepEqual(hatch.entrypoint, { spec: 'tracker:create_app("production")', interface: "wsgi", source: "Procfile" });
                assert.equal(hatch.server.timeout, 90);
                assert.equal(hatch.server.defaultWorkers, 3);
                assert.equal(hatch.notes[0], "The Procfile's web: line runs serve, pyproject.toml's [tool.hatch.envs.prod.scripts] serve script: read as `hatch run prod:gunicorn --timeout 90 'tracker:create_app(\"production\")' --workers 3`.");
                const defaults = plan("web: hatch run web\n");
                assert.equal(defaults.entrypoint.spec, 'tracker:create_app("dev")');
                assert.equal(defaults.server.defaultWorkers, 2);
                assert.equal(plan("web: pdm run start\n").entrypoint.spec, "tracker:create_app('pdm')");
                // Two commands in one script: left to the runner's own reading (which finds no server there).
                assert.throws(() => plan("web: pdm run both\n"), InputError);
            });

            it("GIVEN `pdm run start`, a composite of two scripts with an env THEN the first runs before the server (the release step), the env is the server's", () => {
                const pyproject =
                    '[project]\nname = "tracker"\nversion = "1.0"\n\n[tool.pdm.scripts]\nupgrade = "flask --app tracker db upgrade"\nweb = "gunicorn \'tracker:create_app(\\"x\\")\' --workers 2"\n' +
                    'start = { composite = ["upgrade", "web"], env = { TRACKER_MODE = "production" } }\n';
                const p = synthesize(tracker("web: pdm run start\n", { "pyproject.toml": pyproject })).plan;
                assert.equal(p.entrypoint.spec, 'tracker:create_app("x")');
                assert.equal(p.server.defaultWorkers, 2);
                assert.deepEqual(p.imageEnv, { TRACKER_MODE: "production" });
                assert.deepEqual(p.release?.command, ["flask", "--app", "tracker", "db", "upgrade"]);
                assert.ok(p.notes.includes("The Procfile's web: line runs start, pyproject.toml's [tool.pdm.scripts] start composite script: read as `flask --app tracker db upgrade && TRACKER_MODE=production gunicorn 'tracker:create_app(\"x\")' --workers 2`."), p.notes.join("\n"));
            });

            it("GIVEN a hatch environment with env-vars, features and a script using {env:PORT:8000} THEN the variables are the server's, the features are named, the field reads as ${PORT:-8000}", () => {
                const pyproject =
                    '[project]\nname = "tracker"\nversion = "1.0"\n[project.optional-dependencies]\nserver = ["gunicorn"]\n\n[tool.hatch.envs.prod]\nfeatures = ["server"]\n\n[tool.hatch.envs.prod.env-vars]\nTRACKER_MODE = "production"\n\n' +
                    '[tool.hatch.envs.prod.scripts]\nserve = "gunicorn --workers 3 --bind 0.0.0.0:{env:PORT:8000} \'tracker:create_app(\\"x\\")\'"\n';
                const p = synthesize(tracker("web: hatch run prod:serve\n", { "pyproject.toml": pyproject })).plan;
                assert.equal(p.server.defaultWorkers, 3);
                assert.deepEqual(p.imageEnv, { TRACKER_MODE: "production" });
                assert.ok(p.notes.includes("The Procfile's web: line runs serve, pyproject.toml's [tool.hatch.envs.prod.scripts] serve script: read as `TRACKER_MODE=production hatch run prod:gunicorn --workers 3 --bind '0.0.0.0:${PORT:-8000}' 'tracker:create_app(\"x\")'`."), p.notes.join("\n"));
                assert.ok(p.notes.includes('Hatch\'s prod environment installs the project\'s feature server (its extras), which the image installs only when named: set `dependencyGroups: ["server"]` (with any production group) if the server needs it.'));
            });

            it("GIVEN `uv run gunicorn \"tracker:create_app('production')\" --workers 3 --timeout 90` THEN the gunicorn command is read, app and flags, and a note says the runner is not needed", () => {
                const { plan } = synthesize(tracker("web: uv run gunicorn \"tracker:create_app('production')\" --workers 3 --timeout 90\n"));
                assert.deepEqual(plan.entrypoint, { spec: "tracker:create_app('production')", interface: "wsgi", source: "Procfile" });
                assert.equal(plan.server.defaultWorkers, 3);
                assert.equal(plan.server.timeout, 90);
                assert.ok(
                    plan.notes.includes("The Procfile starts the server through `uv run`, which runs it in the project's environment: the image's venv is that environment and is on PATH, so the command runs without it."),
                    plan.notes.join("\n"),
                );
                assert.ok(!plan.notes.some((n) => n.includes("starts no server")), plan.notes.join("\n"));
            });

            it("GIVEN poetry run, pipenv run, pdm run, hatch run and uv run with their own options (--no-dev, --frozen, --, global options before run) THEN each is seen through to the same gunicorn command", () => {
                for (const runner of ["poetry run", "poetry --no-interaction run", "pipenv run", "pipenv --python 3.12 run", "pdm run", "pdm run -p . --", "hatch run", "uv run --no-dev --frozen", "uv run --python 3.13 --", "/usr/local/bin/uv run"]) {
                    const { plan } = synthesize(tracker(`web: ${runner} gunicorn "tracker:create_app('production')" -k gthread --timeout 75\n`));
                    assert.equal(plan.entrypoint.spec, "tracker:create_app('production')", runner);
                    assert.equal(plan.entrypoint.source, "Procfile", runner);
                    assert.equal(plan.server.timeout, 75, runner);
                    assert.equal(plan.server.workerClass, "gthread", runner);
                }
            });

            it("GIVEN `uv run -m gunicorn`, `uv run --directory backend gunicorn` and `poetry -C backend run gunicorn` THEN python -m is the module and the directory is where gunicorn runs", () => {
                const backend = { "backend/wsgi.py": FLASK_APP, "requirements.txt": "flask\n" };
                const m = synthesize(apps.make({ "wsgi.py": FLASK_APP, "requirements.txt": "flask\n", Procfile: "web: uv run -m gunicorn wsgi:app --timeout 40\n" })).plan;
                assert.deepEqual([m.entrypoint.spec, m.server.timeout], ["wsgi:app", 40]);
                for (const line of ["uv run --directory backend gunicorn wsgi:app", "uv run --directory=backend gunicorn wsgi:app", "poetry -C backend run gunicorn wsgi:app", "cd backend && poetry run gunicorn wsgi:app"]) {
                    const { plan } = synthesize(apps.make({ ...backend, Procfile: `web: ${line}\n` }));
                    assert.equal(plan.server.chdir, "/app/backend", line);
                    assert.equal(plan.entrypoint.spec, "wsgi:app", line);
                }
                const note = synthesize(apps.make({ ...backend, Procfile: "web: uv run --directory backend gunicorn wsgi:app\n" })).plan.notes;
                assert.ok(note.some((n) => n.endsWith("so the command runs without it. It runs in backend/ (its directory option), as gunicorn does.")), note.join("\n"));
            });

            it("GIVEN runner options that choose what is installed or load variables (uv run --extra, --env-file; hatch run prod:) THEN a note names them and what to set", () => {
                const uv = synthesize(tracker("web: uv run --extra server --env-file .env.prod gunicorn \"tracker:create_app('production')\"\n")).plan;
                assert.ok(
                    uv.notes.includes(
                        "The Procfile starts the server through `uv run --extra server --env-file .env.prod`, which runs it in the project's environment: the image's venv is that environment and is on PATH, so the command runs without it. " +
                            "Its `--extra server` chooses what is installed, which the image does not follow: it installs the main dependencies (and a group named prod, production or deploy); set `dependencyGroups`, or add the packages to the dependencies. " +
                            "It loads variables from .env.prod, which the image does not: set them in `env` (or `secretEnv`).",
                    ),
                    uv.notes.join("\n"),
                );
                const hatch = synthesize(tracker("web: hatch run prod:gunicorn \"tracker:create_app('production')\" --timeout 50\n")).plan;
                assert.deepEqual([hatch.entrypoint.spec, hatch.server.timeout], ["tracker:create_app('production')", 50]);
                assert.ok(hatch.notes.some((n) => n.startsWith("The Procfile starts the server through `hatch run`") && n.includes("It runs in hatch's prod environment")), hatch.notes.join("\n"));
            });

            it("GIVEN a release: line and commands chained before the server through uv run / poetry run THEN the release step runs them without the runner, with a note", () => {
                const r = synthesize(tracker("release: uv run --frozen flask --app 'tracker:create_app(\"production\")' db upgrade\nweb: uv run gunicorn \"tracker:create_app('production')\"\n")).plan;
                assert.deepEqual(r.release?.command, ["flask", "--app", 'tracker:create_app("production")', "db", "upgrade"]);
                assert.ok(r.notes.some((n) => n.startsWith("Procfile release: runs through `uv run --frozen`")), r.notes.join("\n"));
                const chained = synthesize(tracker("web: poetry run python -m tracker.migrate && poetry run gunicorn \"tracker:create_app('production')\"\n")).plan;
                assert.deepEqual(chained.release?.command, ["python", "-m", "tracker.migrate"]);
                const shell = synthesize(tracker("release: uv run python -m tracker.migrate && uv run python -m tracker.seed $SEED\nweb: gunicorn \"tracker:create_app('production')\"\n")).plan;
                assert.deepEqual(shell.release?.command, ["sh", "-c", 'python -m tracker.migrate && python -m tracker.seed $SEED']);
            });

            it("GIVEN `poetry run streamlit run app.py` with no WSGI/ASGI app THEN it is refused naming Streamlit's own server", () => {
                const dir = apps.make({ "app.py": "import streamlit as st\nst.write('hi')\n", "requirements.txt": "streamlit\n", Procfile: "web: poetry run streamlit run app.py\n" });
                assert.throws(() => synthesize(dir), (e: Error) => e instanceof InputError && e.message.startsWith("The Procfile's web: line runs Streamlit's own server (poetry run streamlit run app.py)"));
            });
        });

        describe("a console script or `python -m pkg` that calls uvicorn.run()", () => {
            const INVENTORY = {
                "pyproject.toml":
                    '[project]\nname = "acme-inventory"\nversion = "1.0"\ndependencies = ["fastapi", "uvicorn"]\n\n[project.scripts]\ninventory-api = "inventory_api.__main__:main"\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[tool.hatch.build.targets.wheel]\npackages = ["src/inventory_api"]\n',
                "src/inventory_api/__init__.py": "",
                "src/inventory_api/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
                "src/inventory_api/__main__.py":
                    'import os\n\nimport uvicorn\n\nfrom .app import app\n\n\ndef main():\n    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), proxy_headers=True, forwarded_allow_ips="*")\n',
            };

            it("GIVEN a console script whose main() runs uvicorn.run(app, ...) with the app object imported from the project (`from .app import app`) THEN that module:name is the app, and forwarded_allow_ips is carried as the CLI flag is", () => {
                for (const procfile of ["web: inventory-api\n", "web: uv run inventory-api\n", "web: python -m inventory_api\n"]) {
                    const { plan } = synthesize(apps.make({ ...INVENTORY, Procfile: procfile }));
                    assert.deepEqual(plan.entrypoint, { spec: "inventory_api.app:app", interface: "asgi", source: "Procfile" }, procfile);
                    assert.deepEqual(plan.server.extraArgs, ["--forwarded-allow-ips", "*"], procfile);
                    assert.ok(!plan.notes.some((n) => n.includes("starts no server")), plan.notes.join("\n"));
                    assert.ok(plan.notes.includes("uvicorn.run's host= and port= are not carried: the image binds 0.0.0.0:$PORT."), plan.notes.join("\n"));
                }
                const { plan } = synthesize(apps.make({ ...INVENTORY, Procfile: "web: inventory-api\n" }));
                assert.ok(
                    plan.notes.includes(
                        "The web command runs inventory-api, the project's console script (inventory_api.__main__:main), whose src/inventory_api/__main__.py starts uvicorn.run(app): read as `uvicorn inventory_api.app:app --forwarded-allow-ips '*'`.",
                    ),
                    plan.notes.join("\n"),
                );
            });

            it("GIVEN uvicorn.run's keyword arguments (workers from the environment, timeout_keep_alive, log_level, root_path, an imported factory called) THEN they map as the CLI flags do: worker count, carried flags, a note for what is not carried; root_path carried", () => {
                const main =
                    'import os\nimport uvicorn\nfrom svc.factory import create_app\n\nif __name__ == "__main__":\n' +
                    '    uvicorn.run(create_app(), workers=int(os.environ.get("WEB_CONCURRENCY", 3)), timeout_keep_alive=10, log_level="info", root_path="/api", reload=False, log_config=LOGGING)\n';
                const { plan } = synthesize(
                    apps.make({
                        "svc/__init__.py": "",
                        "svc/factory.py": "from fastapi import FastAPI\n\n\ndef create_app():\n    return FastAPI()\n",
                        "svc/__main__.py": main,
                        "requirements.txt": "fastapi\nuvicorn\n",
                        Procfile: "web: python -m svc\n",
                    }),
                );
                assert.deepEqual(plan.entrypoint, { spec: "svc.factory:create_app()", interface: "asgi", source: "Procfile" });
                assert.equal(plan.server.defaultWorkers, 3);
                assert.deepEqual(plan.server.extraArgs, ["--keep-alive", "10", "--log-level", "info"]);
                assert.equal(plan.server.rootPath, "/api");
                assert.ok(plan.notes.some((n) => n.startsWith("The Procfile's `--root-path /api` is carried: the image's gunicorn config gives the uvicorn worker that root path")), plan.notes.join("\n"));
                assert.ok(plan.notes.includes("uvicorn.run's log_config= is not a value the package can read before the app runs; it is not carried. Set the component's matching option if it matters."), plan.notes.join("\n"));
            });
        });

        it("GIVEN a Procfile running `python -m gunicorn 'svc.web:app'` THEN the quotes are dropped", () => {
            const dir = apps.make({
                "svc/__init__.py": "",
                "svc/web.py": FLASK_APP,
                "requirements.txt": "flask\n",
                Procfile: "web: PYTHONPATH=. python -m gunicorn 'svc.web:app'\n",
            });
            assert.deepEqual(synthesize(dir).plan.entrypoint, { spec: "svc.web:app", interface: "wsgi", source: "Procfile" });
        });

        it("GIVEN a Django project with ASGI_APPLICATION THEN the app is ASGI", () => {
            const dir = apps.copyOf("django", {
                "mysite/asgi.py":
                    "import os\n\nfrom django.core.asgi import get_asgi_application\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n\napplication = get_asgi_application()\n",
            });
            fs.appendFileSync(`${dir}/mysite/settings.py`, 'ASGI_APPLICATION = "mysite.asgi.application"\n');
            const r = synthesize(dir);
            assert.deepEqual(r.plan.entrypoint, {
                spec: "mysite.asgi:application",
                interface: "asgi",
                source: "Django settings (mysite/settings.py)",
            });
            assert.equal(cmdOf(r.dockerfile).at(-1), "mysite.asgi:application");
            assert.equal(r.plan.server.workerClass, "uvicorn_worker.UvicornWorker");
        });

        it("GIVEN WSGI_APPLICATION naming a module the source lacks, and an asgi.py that mounts Django's app into the `application` it serves THEN that `application` is served, and the source says why", () => {
            const dir = apps.copyOf("django", {
                "mysite/asgi.py":
                    "import os\n\nfrom django.core.asgi import get_asgi_application\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\ndjango_application = get_asgi_application()\n\n\n" +
                    "def create_application():\n    from starlette.applications import Starlette\n    from starlette.routing import Mount\n    return Starlette(routes=[Mount(\"/\", django_application)])\n\n\napplication = create_application()\n",
            });
            fs.rmSync(`${dir}/mysite/wsgi.py`);
            const r = synthesize(dir);
            assert.deepEqual(r.plan.entrypoint, {
                spec: "mysite.asgi:application",
                interface: "asgi",
                source: "mysite/asgi.py (WSGI_APPLICATION names mysite.wsgi.application, a module the source does not have)",
            });
            assert.equal(cmdOf(r.dockerfile).at(-1), "mysite.asgi:application");
        });

        it("GIVEN a wsgi.py that gives DJANGO_SETTINGS_MODULE no default, and manage.py's that does THEN the image sets manage.py's for the server; a wsgi.py with its own default needs none", () => {
            const files = {
                "manage.py": 'import os\nimport sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
                "shop/__init__.py": "",
                "shop/settings.py": 'SECRET_KEY = "x"\nDEBUG = False\nALLOWED_HOSTS = ["*"]\nINSTALLED_APPS = []\nROOT_URLCONF = "shop.urls"\nWSGI_APPLICATION = "shop.wsgi.application"\n',
                "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django==5.1.4\n",
            };
            const plan = synthesize(apps.make(files)).plan;
            assert.deepEqual(plan.imageEnv, { DJANGO_SETTINGS_MODULE: "shop.settings" });
            assert.ok(plan.notes.includes("shop/wsgi.py, the module the server loads, gives DJANGO_SETTINGS_MODULE no default; manage.py's is shop.settings, but gunicorn does not run manage.py: the image sets DJANGO_SETTINGS_MODULE=shop.settings; the container's environment overrides it."), plan.notes.join("\n"));
            const own = synthesize(apps.make({ ...files, "shop/wsgi.py": 'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\napplication = get_wsgi_application()\n' })).plan;
            assert.deepEqual(own.imageEnv, {});
        });

        it("GIVEN settings that `try: from .local import *` and import the base settings only `except ImportError:` THEN the handler's settings apply only when local.py is not in the source", () => {
            const files = {
                "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n',
                "site/__init__.py": "",
                "site/settings/__init__.py": "try:\n    from .local import *\nexcept ImportError:\n    from .base import *\n",
                "site/settings/base.py": 'SECRET_KEY = "x"\nDEBUG = False\nALLOWED_HOSTS = []\nROOT_URLCONF = "site.urls"\nWSGI_APPLICATION = "site.wsgi.application"\nINSTALLED_APPS = []\n',
                "site/settings/dev.py": 'from .base import *\nDEBUG = True\nALLOWED_HOSTS = ["localhost", "127.0.0.1"]\n',
                "site/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django==5.1.4\n",
            };
            const notes = (extra: Record<string, string>) => synthesize(apps.make({ ...files, ...extra })).plan.notes.join("\n");
            const withLocal = notes({ "site/settings/local.py": "from .dev import *\n" });
            assert.doesNotMatch(withLocal, /leaves ALLOWED_HOSTS empty/);
            assert.match(withLocal, /lists only localhost, 127\.0\.0\.1 in ALLOWED_HOSTS/);
            assert.match(notes({}), /leaves ALLOWED_HOSTS empty and DEBUG is off/);
        });

        it("GIVEN a Django settings package (mysite/settings/) THEN WSGI_APPLICATION is found in its modules", () => {
            const dir = apps.make({
                "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
                "mysite/__init__.py": "",
                "mysite/settings/__init__.py": "from .base import *\n",
                "mysite/settings/base.py": 'WSGI_APPLICATION = "mysite.wsgi.application"\n',
                "mysite/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\n",
            });
            assert.deepEqual(synthesize(dir).plan.entrypoint, {
                spec: "mysite.wsgi:application",
                interface: "wsgi",
                source: "Django settings (mysite/settings/base.py)",
            });
        });

        describe("a Django settings module on the server's Python path", () => {
            const HUB = {
                "manage.py": 'import os\nimport sys\nfrom pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent\nsys.path.insert(0, str(BASE_DIR / "apps"))\nsys.path.insert(0, str(BASE_DIR / "src"))\n\n\ndef main():\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")\n',
                "src/hub/__init__.py": "",
                "src/hub/settings.py":
                    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\nINSTALLED_APPS = ['pages']\nWSGI_APPLICATION = 'hub.wsgi.application'\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\n",
                "src/hub/wsgi.py": "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'hub.settings')\napplication = get_wsgi_application()\n",
                "apps/pages/__init__.py": "",
                "requirements.txt": "django\ngunicorn\n",
            };
            const MIGRATE = { command: ["python", "manage.py", "migrate", "--noinput"], workdir: "/app", source: "Django with an SQLite database" };

            it("GIVEN `gunicorn --pythonpath src,apps hub.wsgi` (or --pythonpath src, --chdir src) and hub/settings.py in src/ THEN the settings are read from there: SQLite at the root is the /data volume and migrate the release step", () => {
                for (const line of ["gunicorn --pythonpath src,apps hub.wsgi --log-file -", "gunicorn --pythonpath src hub.wsgi", "gunicorn --chdir src hub.wsgi", "PYTHONPATH=src gunicorn hub.wsgi"]) {
                    const { plan } = synthesize(apps.make({ ...HUB, Procfile: `web: ${line}\n` }));
                    assert.equal(plan.framework, "django", line);
                    assert.deepEqual(plan.entrypoint, { spec: "hub.wsgi:application", interface: "wsgi", source: "Procfile" }, line);
                    assert.deepEqual(plan.release, MIGRATE, line);
                    assert.deepEqual(plan.writablePaths, [{ path: "/data", kind: "data", why: "src/hub/settings.py: DATABASES uses SQLite at db.sqlite3", links: [{ from: "/app/db.sqlite3", to: "/data/db.sqlite3" }] }], line);
                }
                assert.deepEqual(synthesize(apps.make({ ...HUB, Procfile: "web: gunicorn --pythonpath src,apps hub.wsgi\n" })).plan.server.pythonPath, ["/app/src", "/app/apps"]);
            });

            it("GIVEN an app's own SQLite backend (ENGINE 'hub.timed_sqlite_backend') or GeoDjango's SpatiaLite THEN the database is SQLite: the /data volume and migrate", () => {
                for (const engine of ["hub.timed_sqlite_backend", "django.contrib.gis.db.backends.spatialite"]) {
                    const settings = HUB["src/hub/settings.py"].replace("django.db.backends.sqlite3", engine);
                    const { plan } = synthesize(apps.make({ ...HUB, "src/hub/settings.py": settings }));
                    assert.deepEqual(plan.release, MIGRATE, engine);
                    assert.deepEqual(plan.writablePaths, [{ path: "/data", kind: "data", why: "src/hub/settings.py: DATABASES uses SQLite at db.sqlite3", links: [{ from: "/app/db.sqlite3", to: "/data/db.sqlite3" }] }], engine);
                }
                const server = synthesize(apps.make({ ...HUB, "src/hub/settings.py": HUB["src/hub/settings.py"].replace("django.db.backends.sqlite3", "django.db.backends.postgresql") })).plan;
                assert.deepEqual(server.writablePaths, []);
            });

            it("GIVEN `try: from .dev import *` / `except ImportError: from .prod import *` and a .dockerignore that leaves dev.py out (linkding's layout) THEN the settings are prod.py's, as in the image: its database on the volume, no note about dev.py", () => {
                const files = {
                    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'hub.settings')\n",
                    "hub/__init__.py": "",
                    "hub/wsgi.py": "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'hub.settings')\napplication = get_wsgi_application()\n",
                    "hub/settings/__init__.py": "try:\n    from .dev import *\nexcept ImportError:\n    from .prod import *\n",
                    "hub/settings/base.py": "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\nINSTALLED_APPS = ['django.contrib.auth']\n",
                    "hub/settings/dev.py": "from .base import *\nDEBUG = True\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'dev.sqlite3'}}\n",
                    "hub/settings/prod.py": "from .base import *\nDEBUG = False\nALLOWED_HOSTS = ['*']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'data' / 'hub.sqlite3'}}\n",
                    "requirements.txt": "django\ngunicorn\n",
                };
                const inImage = synthesize(apps.make({ ...files, ".dockerignore": "/hub/settings/dev.py\n" })).plan;
                assert.deepEqual(inImage.writablePaths, [
                    { path: "/data", kind: "data", why: "hub/settings/prod.py: DATABASES uses SQLite at data/hub.sqlite3", links: [{ from: "/app/data/hub.sqlite3", to: "/data/data/hub.sqlite3" }] },
                ]);
                assert.ok(!inImage.notes.some((n) => n.includes("dev.py")), inImage.notes.join("\n"));
                // Kept in the build context, dev.py is what the image imports.
                const kept = synthesize(apps.make(files)).plan;
                assert.deepEqual(kept.writablePaths.map((w) => w.why), ["hub/settings/dev.py: DATABASES uses SQLite at dev.sqlite3"]);
            });

            it("GIVEN a second SQLite database (a router's `analytics`) or a DatabaseCache THEN the release step migrates each database and makes the cache table, with a note for each; with a database server the note's releaseCommand makes the cache table too", () => {
                const settings = HUB["src/hub/settings.py"];
                const withDb = settings.replace("'NAME': BASE_DIR / 'db.sqlite3'}}", "'NAME': BASE_DIR / 'db.sqlite3'}, 'analytics': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'analytics.sqlite3'}}");
                assert.notEqual(withDb, settings);
                const two = synthesize(apps.make({ ...HUB, "src/hub/settings.py": withDb })).plan;
                assert.deepEqual(two.release, { ...MIGRATE, command: ["sh", "-c", "python manage.py migrate --noinput && python manage.py migrate --noinput --database analytics"] });
                const twoNote = "DATABASES holds more SQLite databases than `default` (analytics), and `migrate` migrates one database per run: the release step migrates each (`migrate --database analytics`), ";
                assert.ok(two.notes.includes(`${twoNote}and with no DATABASE_ROUTERS each of them gets every app's tables.`), two.notes.join("\n"));
                const routed = synthesize(apps.make({ ...HUB, "src/hub/settings.py": `${withDb}DATABASE_ROUTERS = ['hub.routers.AnalyticsRouter']\n` })).plan;
                assert.deepEqual(routed.release, two.release);
                assert.ok(routed.notes.includes(`${twoNote}where DATABASE_ROUTERS' allow_migrate puts each app's tables.`), routed.notes.join("\n"));
                const caches = "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.db.DatabaseCache', 'LOCATION': 'hub_cache'}}\n";
                const cached = synthesize(apps.make({ ...HUB, "src/hub/settings.py": settings + caches })).plan;
                assert.deepEqual(cached.release, { ...MIGRATE, command: ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable"] });
                assert.ok(
                    cached.notes.includes(
                        "The settings' CACHES keeps its cache in the database (DatabaseCache, table hub_cache), a table `migrate` does not make: the release step runs `createcachetable` after it, or every cached view fails with no such table.",
                    ),
                    cached.notes.join("\n"),
                );
                const server = synthesize(apps.make({ ...HUB, "src/hub/settings.py": settings.replace("django.db.backends.sqlite3", "django.db.backends.postgresql") + caches })).plan;
                assert.equal(server.release, undefined);
                assert.ok(server.notes.some((n) => n.endsWith('set `releaseCommand: ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable"]` to run it once per deploy (createcachetable makes the table of the settings\' DatabaseCache, which migrate does not).')), server.notes.join("\n"));
                // A cache chosen by a conditional expression (legadilo's `{...DatabaseCache...} if IS_PRODUCTION else {...LocMemCache...}`).
                const chosen = "IS_PRODUCTION = True\nCACHES = {'default': {'BACKEND': 'django.core.cache.backends.db.DatabaseCache', 'LOCATION': 'hub_cache'} if IS_PRODUCTION else {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n";
                assert.deepEqual(synthesize(apps.make({ ...HUB, "src/hub/settings.py": settings + chosen })).plan.release, cached.release);
            });

            it("GIVEN no Procfile and a manage.py that puts src/ (and apps/) on sys.path THEN the settings are found in src/, and the server gets both folders", () => {
                const { plan } = synthesize(apps.make(HUB));
                assert.deepEqual(plan.entrypoint, { spec: "hub.wsgi:application", interface: "wsgi", source: "Django settings (src/hub/settings.py)" });
                assert.deepEqual(plan.server.pythonPath, ["/app/apps", "/app/src"]);
                assert.deepEqual(plan.release, MIGRATE);
            });

            it("GIVEN a settings module on no folder of the Python path THEN the refusal names the folders looked in and the fix", () => {
                const rest = Object.fromEntries(Object.entries(HUB).filter(([f]) => f !== "src/hub/settings.py"));
                assert.throws(
                    () => synthesize(apps.make(rest)),
                    (e: Error) =>
                        e instanceof InputError &&
                        e.message ===
                            'manage.py selects the Django settings module "hub.settings", but no folder on the Python path holds hub/settings.py (nor a package of that name): looked in apps/, src/, the source folder; ' +
                                "fix DJANGO_SETTINGS_MODULE, or set `pythonPath` to the folder that holds it, or `app`.",
                );
            });
        });

        it("GIVEN a Dockerfile naming the Django server (`gunicorn proj.wsgi`) whose settings module the source lacks, only its settings.py.example THEN it is refused at preview naming the example to copy; with the settings there it is served", () => {
            const files = {
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.conf.settings')\n",
                "proj/__init__.py": "",
                "proj/conf/__init__.py": "",
                "proj/conf/base.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = []\n",
                "proj/conf/settings.py.example": "from .base import *\nDATABASES = {}\n",
                "proj/wsgi.py": "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.conf.settings')\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ngunicorn\n",
                Dockerfile: 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["gunicorn", "proj.wsgi"]\nCMD ["-b", "0.0.0.0:8000"]\n',
            };
            assert.throws(
                () => synthesize(apps.make(files)),
                (e: Error) =>
                    e instanceof InputError &&
                    e.message ===
                        'manage.py selects the Django settings module "proj.conf.settings", but there is no proj/conf/settings.py (nor a package of that name); fix DJANGO_SETTINGS_MODULE or set `app`. ' +
                            "The project ships proj/conf/settings.py.example: copy it to proj/conf/settings.py and fill it in (secrets through environment variables), as its install steps do.",
            );
            const { plan } = synthesize(apps.make({ ...files, "proj/conf/settings.py": files["proj/conf/settings.py.example"] }));
            assert.deepEqual([plan.entrypoint.spec, plan.entrypoint.source], ["proj.wsgi:application", "Dockerfile"]);
        });

        it("GIVEN a Flask factory `def create_app():` THEN the app is app:create_app()", () => {
            const dir = apps.make({
                "app.py":
                    "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n\n    @app.get(\"/\")\n    def index():\n        return {\"ok\": True}\n\n    return app\n",
                "requirements.txt": "flask\n",
            });
            const r = synthesize(dir);
            assert.deepEqual(r.plan.entrypoint, { spec: "app:create_app()", interface: "wsgi", source: "app.py" });
            assert.equal(cmdOf(r.dockerfile).at(-1), "app:create_app()");
        });

        it("GIVEN a module-level app that a factory configures and returns (Calibre-Web's create_app()) THEN the factory is served; a factory that makes its own app leaves the module's alone", () => {
            const configures = "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef create_app():\n    from .web import web\n    app.register_blueprint(web)\n    return app\n";
            const dir = apps.make({ "shelf/__init__.py": configures, "shelf/web.py": "from flask import Blueprint\nweb = Blueprint('web', __name__)\n", "requirements.txt": "flask\n" });
            assert.deepEqual(synthesize(dir).plan.entrypoint, { spec: "shelf:create_app()", interface: "wsgi", source: "shelf/__init__.py" });
            const own = "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef create_test_app():\n    app = Flask('test')\n    return app\n";
            assert.equal(synthesize(apps.make({ "site.py": own, "requirements.txt": "flask\n" })).plan.entrypoint.spec, "site:app");
        });

        it("GIVEN a factory that needs an argument THEN it is not taken for the app", () => {
            const dir = apps.make({
                "app.py": "from flask import Flask\n\n\ndef create_app(config):\n    return Flask(__name__)\n",
                "requirements.txt": "flask\n",
            });
            assert.throws(() => synthesize(dir), { name: "InputError", argument: "`app`" });
        });

        it("GIVEN a Starlette app THEN framework starlette, ASGI", () => {
            const dir = apps.make({
                "server.py":
                    "from starlette.applications import Starlette\nfrom starlette.responses import JSONResponse\nfrom starlette.routing import Route\n\n\nasync def index(request):\n    return JSONResponse({\"ok\": True})\n\napp = Starlette(routes=[Route(\"/\", index)])\n",
                "requirements.txt": "starlette\n",
            });
            const { plan } = synthesize(dir);
            assert.equal(plan.framework, "starlette");
            assert.deepEqual(plan.entrypoint, { spec: "server:app", interface: "asgi", source: "server.py" });
        });

        it("GIVEN app.py and main.py both creating apps THEN app.py ranks first; a package module counts below top level", () => {
            const dir = apps.make({
                "main.py": "from fastapi import FastAPI\napi = FastAPI()\n",
                "app.py": "from flask import Flask\napplication = Flask(__name__)\n",
                "pkg/app.py": FLASK_APP,
                "requirements.txt": "flask\nfastapi\n",
            });
            assert.deepEqual(synthesize(dir).plan.entrypoint, { spec: "app:application", interface: "wsgi", source: "app.py" });
        });

        it("GIVEN an app only under tests/ THEN it is not found", () => {
            const dir = apps.make({ "tests/app.py": FLASK_APP, "requirements.txt": "flask\n" });
            assert.throws(() => synthesize(dir), { name: "InputError", argument: "`app`" });
        });

        it("GIVEN `app` and a Procfile and an app.py THEN `app` beats everything", () => {
            const dir = apps.make({
                "app.py": FLASK_APP,
                "service.py": "from fastapi import FastAPI\napi = FastAPI()\n",
                "requirements.txt": "flask\nfastapi\n",
                Procfile: "web: gunicorn app:app\n",
            });
            const r = synthesize(dir, { app: "service:api" });
            assert.deepEqual(r.plan.entrypoint, { spec: "service:api", interface: "asgi", source: "`app`" });
            assert.equal(r.plan.framework, "fastapi");
            assert.equal(cmdOf(r.dockerfile).at(-1), "service:api");
        });

        it("GIVEN `interface` asgi on an ASGI wrapper of a Flask app THEN the interface follows the option", () => {
            const dir = apps.make({
                "app.py": "from asgiref.wsgi import WsgiToAsgi\nfrom flask import Flask\n\nflask_app = Flask(__name__)\napp = WsgiToAsgi(flask_app)\n",
                "requirements.txt": "flask\nasgiref\n",
            });
            const { plan } = synthesize(dir, { app: "app:app", interface: "asgi" });
            assert.equal(plan.entrypoint.interface, "asgi");
            assert.equal(plan.server.workerClass, "uvicorn_worker.UvicornWorker");
        });

        it("GIVEN `writablePaths` naming a database file THEN it is linked into the data folder, not made a folder", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n" });
            const r = synthesize(dir, { writablePaths: { "app.db": "data", uploads: "data" } });
            assert.deepEqual(r.plan.writablePaths, [
                { path: "/app/uploads", kind: "data", why: "`writablePaths`", links: [] },
                { path: "/data", kind: "data", why: "`writablePaths`", links: [{ from: "/app/app.db", to: "/data/app.db" }] },
            ]);
            assert.match(r.dockerfile, /ln -sfn \/data\/app\.db \/app\/app\.db/);
            assert.doesNotMatch(r.dockerfile, /mkdir -p [^\n]*\/app\/app\.db/);
        });
        it("GIVEN `writablePaths` naming a file the app generates (`secret.txt`, not in the source) THEN it is a file linked into the data folder; a suffixed name that is a folder of the source, or written with a trailing slash, stays a folder", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "conf.d/site.conf": "x\n" });
            const r = synthesize(dir, { writablePaths: { "secret.txt": "data", "conf.d": "data", "cache.d/": "scratch" } });
            assert.deepEqual(r.plan.writablePaths, [
                { path: "/app/cache.d", kind: "scratch", why: "`writablePaths`", links: [] },
                { path: "/app/conf.d", kind: "data", why: "`writablePaths`", links: [] },
                { path: "/data", kind: "data", why: "`writablePaths`", links: [{ from: "/app/secret.txt", to: "/data/secret.txt" }] },
            ]);
            assert.doesNotMatch(r.dockerfile, /mkdir -p [^\n]*\/app\/secret\.txt/);
        });
        it("GIVEN writes in functions and classes nested in a factory THEN they are found like top-level ones", () => {
            const factory = [
                "import os, sqlite3",
                "from flask import Flask",
                "def create_app():",
                "    app = Flask(__name__)",
                "    @app.route('/')",
                "    def index():",
                "        def db():",
                "            return sqlite3.connect('orders.db')",
                "        return str(db())",
                "    class Store:",
                "        def __init__(self):",
                "            os.makedirs('uploads', exist_ok=True)",
                "    return app",
                "",
            ].join("\n");
            const dir = apps.make({ "app.py": factory, "requirements.txt": "flask\n" });
            const r = synthesize(dir);
            assert.deepEqual(
                r.plan.writablePaths.map((w) => [w.path, w.why, w.links]),
                [
                    ["/app/uploads", "app.py: os.makedirs(uploads)", []],
                    ["/data", "app.py: sqlite3.connect(orders.db)", [{ from: "/app/orders.db", to: "/data/orders.db" }]],
                ],
            );
        });
        it("GIVEN Peewee's SqliteDatabase and playhouse's SqliteExtDatabase THEN their files are linked into /data like sqlite3.connect()'s", () => {
            const app = [
                "from flask import Flask",
                "from peewee import SqliteDatabase",
                "from playhouse.sqlite_ext import SqliteExtDatabase",
                'db = SqliteDatabase("notes.db", pragmas={"journal_mode": "wal"})',
                'search = SqliteExtDatabase(database="search.db")',
                'memory = SqliteDatabase(":memory:")',
                "later = SqliteDatabase(None)",
                "app = Flask(__name__)",
                "",
            ].join("\n");
            const dir = apps.make({ "app.py": app, "requirements.txt": "flask\npeewee\n" });
            const r = synthesize(dir);
            assert.deepEqual(
                r.plan.writablePaths.map((w) => [w.path, w.why, w.links]),
                [
                    [
                        "/data",
                        "app.py: Peewee's SqliteDatabase(notes.db); app.py: Peewee's SqliteExtDatabase(search.db)",
                        [
                            { from: "/app/notes.db", to: "/data/notes.db" },
                            { from: "/app/search.db", to: "/data/search.db" },
                        ],
                    ],
                ],
            );
            assert.match(r.dockerfile, /ln -sfn \/data\/notes\.db \/app\/notes\.db/);
        });
        it("GIVEN Flask-Reuploaded's UploadSets with UPLOADED_<SET>_DEST and UPLOADS_DEFAULT_DEST THEN each set's folder is an upload folder (data)", () => {
            const init = [
                "import os",
                "from flask import Flask",
                "from flask_uploads import IMAGES, UploadSet, configure_uploads",
                "basedir = os.path.abspath(os.path.dirname(__file__))",
                'photos = UploadSet("photos", IMAGES)',
                'docs = UploadSet("docs")',
                "def create_app():",
                "    app = Flask(__name__)",
                '    app.config["UPLOADED_PHOTOS_DEST"] = os.path.join(basedir, "static", "photos")',
                '    app.config.from_object("gallery.config")',
                "    configure_uploads(app, (photos, docs))",
                "    return app",
                "",
            ].join("\n");
            const dir = apps.make({
                "gallery/__init__.py": init,
                "gallery/config.py": 'UPLOADS_DEFAULT_DEST = "var/uploads"\n',
                "wsgi.py": "from gallery import create_app\napp = create_app()\n",
                "requirements.txt": "flask\nflask-reuploaded\n",
            });
            const r = synthesize(dir, { app: "wsgi:app" });
            assert.deepEqual(
                r.plan.writablePaths.map((w) => [w.path, w.kind, w.why]),
                [
                    ["/app/gallery/static/photos", "data", 'gallery/__init__.py: Flask-Uploads saves the UploadSet "photos" into gallery/static/photos, by UPLOADED_PHOTOS_DEST'],
                    [
                        "/app/var/uploads/docs",
                        "data",
                        'gallery/config.py: Flask-Uploads saves the UploadSet "docs" into var/uploads/docs, by UPLOADS_DEFAULT_DEST (var/uploads, a folder per set) (the config gallery/__init__.py loads with from_object)',
                    ],
                ],
            );
        });
        it("GIVEN Django FileSystemStorages (one in an app's models, one in STORAGES) THEN their locations are upload folders (data)", () => {
            const settings = [
                "from pathlib import Path",
                "BASE_DIR = Path(__file__).resolve().parent.parent",
                'INSTALLED_APPS = ["django.contrib.contenttypes", "docs.apps.DocsConfig"]',
                'WSGI_APPLICATION = "vault.wsgi.application"',
                'PRIVATE_STORAGE_ROOT = BASE_DIR / "private"',
                'STORAGES = {"exports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": BASE_DIR / "exports"}}}',
                "",
            ].join("\n");
            const dir = apps.make({
                "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "vault.settings")\n',
                "vault/__init__.py": "",
                "vault/settings.py": settings,
                "vault/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "docs/__init__.py": "",
                "docs/apps.py": "from django.apps import AppConfig\nclass DocsConfig(AppConfig):\n    name = 'docs'\n",
                "docs/models.py": "from django.conf import settings\nfrom django.core.files.storage import FileSystemStorage\nprivate = FileSystemStorage(location=settings.PRIVATE_STORAGE_ROOT)\n",
                "requirements.txt": "django\n",
            });
            assert.deepEqual(
                synthesize(dir).plan.writablePaths.map((w) => [w.path, w.kind, w.why]),
                [
                    ["/app/exports", "data", 'vault/settings.py: STORAGES["exports"] is a FileSystemStorage at exports (uploaded files)'],
                    ["/app/private", "data", "docs/models.py: FileSystemStorage(location=settings.PRIVATE_STORAGE_ROOT, private) keeps uploaded files there"],
                ],
            );
        });
        it("GIVEN the app's gunicorn config pointing PROMETHEUS_MULTIPROC_DIR into the app (raw_env) and creating folders in a hook THEN both are writable, the metrics folder scratch", () => {
            const conf = [
                "import os",
                'raw_env = ["PROMETHEUS_MULTIPROC_DIR=/app/prometheus_multiproc", "TZ=UTC"]',
                "def on_starting(server):",
                '    path = "/app/prometheus_multiproc"',
                "    os.makedirs(path, exist_ok=True)",
                '    os.makedirs("reports", exist_ok=True)',
                "",
            ].join("\n");
            const dir = apps.make({ "app.py": FLASK_APP, "gunicorn.conf.py": conf, "requirements.txt": "flask\nprometheus-client\n", Procfile: "web: gunicorn app:app -c gunicorn.conf.py\n" });
            assert.deepEqual(
                synthesize(dir).plan.writablePaths.map((w) => [w.path, w.kind, w.why]),
                [
                    [
                        "/app/prometheus_multiproc",
                        "scratch",
                        'gunicorn.conf.py: raw_env "PROMETHEUS_MULTIPROC_DIR=/app/prometheus_multiproc" points PROMETHEUS_MULTIPROC_DIR, prometheus_client\'s multiprocess metrics (a file per worker process), at /app/prometheus_multiproc among the app\'s read-only files',
                    ],
                    ["/app/reports", "data", "gunicorn.conf.py: os.makedirs(reports)"],
                ],
            );
        });
        it("GIVEN library caches pointed into the app (os.environ.setdefault, os.environ[...] =) and nltk.download(download_dir=) THEN they are scratch folders (a model cache data), /tmp left alone", () => {
            const main = [
                "import os",
                "from pathlib import Path",
                "import nltk",
                "from fastapi import FastAPI",
                "BASE_DIR = Path(__file__).resolve().parent",
                'os.environ.setdefault("HF_HOME", str(BASE_DIR / ".hf_cache"))',
                'os.environ["MPLCONFIGDIR"] = "/tmp/mpl"',
                'os.environ["XDG_CACHE_HOME"] = str(BASE_DIR / ".cache")',
                'nltk.download("punkt_tab", download_dir=str(BASE_DIR / "nltk_data"))',
                "app = FastAPI()",
                "",
            ].join("\n");
            const dir = apps.make({ "main.py": main, "requirements.txt": "fastapi\nnltk\n" });
            assert.deepEqual(
                synthesize(dir).plan.writablePaths.map((w) => [w.path, w.kind, w.why]),
                [
                    ["/app/.cache", "scratch", 'main.py: os.environ["XDG_CACHE_HOME"] = ... points XDG_CACHE_HOME, the cache of libraries that follow XDG (pip, Hugging Face, fontconfig...), at .cache among the app\'s read-only files'],
                    // A model cache is a volume: models outgrow a scratch tmpfs, and a restart would download them again.
                    ["/app/.hf_cache", "data", 'main.py: os.environ.setdefault("HF_HOME", ...) points HF_HOME, Hugging Face\'s cache (downloaded models and datasets), at .hf_cache among the app\'s read-only files'],
                    [
                        "/app/nltk_data",
                        "scratch",
                        "main.py: nltk.download(download_dir=nltk_data) downloads NLTK data there when the module runs, again on every start; to keep it in the image, download it in the build (`buildCommands`) and drop the call",
                    ],
                ],
            );
        });
        it("GIVEN the served module and an app module it imports reading variables at import with no default THEN a note names them and `env`/`secretEnv`; defaults and reads in functions are not named", () => {
            const app = [
                "import os",
                "from dotenv import load_dotenv",
                "from flask import Flask",
                "from settings import DB_URL",
                "load_dotenv()",
                "app = Flask(__name__)",
                'app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]',
                'TZ = os.getenv("OFFICE_TZ", "Europe/Berlin")',
                'DEBUG = os.environ.get("DEBUG")',
                "def later():",
                '    return os.environ["ONLY_IN_A_REQUEST"]',
                'if os.environ.get("SENTRY"):',
                '    DSN = os.environ["SENTRY_DSN"]',
                "",
            ].join("\n");
            const dir = apps.make({ "app.py": app, "settings.py": 'import os\nDB_URL = os.environ["DATABASE_URL"]\n', "requirements.txt": "flask\npython-dotenv\n" });
            const notes = synthesize(dir).plan.notes.filter((n) => n.includes("at import with no default"));
            assert.deepEqual(notes, [
                "settings.py, app.py read DATABASE_URL and SECRET_KEY from the environment at import with no default (os.environ[...], a check that raises without it, a pydantic-settings field, a dynaconf validator, a database engine given None): unless they are set, every worker fails at start (KeyError, ValidationError). " +
                    "Set them with PythonApp's `env` (`secretEnv` for secrets); the .env file the app loads (python-dotenv's load_dotenv(), pydantic-settings' env_file) is not in the image, which leaves .env files out (they hold secrets).",
            ]);
            const clean = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n" });
            assert.ok(!synthesize(clean).plan.notes.some((n) => n.includes("at import with no default")));
        });
        it("GIVEN a required pydantic-settings field in a config module the served module imports three levels down (main -> api.routes -> core.db -> core.config), and an import cycle THEN the variable is named", () => {
            const dir = apps.make({
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/core/__init__.py": "",
                "app/main.py": "from fastapi import FastAPI\nfrom app.api.routes import router\napp = FastAPI()\napp.include_router(router)\n",
                "app/api/routes.py": "from fastapi import APIRouter\nfrom app.core.db import engine\nfrom app import main\nrouter = APIRouter()\n",
                "app/core/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\nfrom app.core.config import settings\nengine = create_async_engine(settings.DATABASE_URL)\n",
                "app/core/config.py": "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    DATABASE_URL: str\n    PROJECT_NAME: str = 'api'\n\n\nsettings = Settings()\n",
                "requirements.txt": "fastapi\nsqlalchemy\npydantic-settings\n",
            });
            assert.deepEqual(synthesize(dir).plan.notes.filter((n) => n.includes("at import with no default")), [
                "app/core/config.py reads DATABASE_URL from the environment at import with no default (os.environ[...], a check that raises without it, a pydantic-settings field, a dynaconf validator, a database engine given None): unless it is set, every worker fails at start (KeyError, ValidationError). " +
                    "Set it with PythonApp's `env` (`secretEnv` for secrets).",
            ]);
        });
        it("GIVEN a config class imported by name (`from .config import Config`, loaded by a factory's default argument) whose body reads os.environ[\"SECRET_KEY\"] THEN the variable is named: the class body runs when config.py is imported", () => {
            const dir = apps.make({
                "app/__init__.py": "from flask import Flask\n\nfrom .config import Config\n\n\ndef create_app(config_class=Config):\n    app = Flask(__name__)\n    app.config.from_object(config_class)\n    return app\n",
                "app/config.py": 'import os\n\n\nclass Config:\n    SECRET_KEY = os.environ["SECRET_KEY"]\n    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///inventory.db")\n',
                "requirements.txt": "flask\n",
            });
            assert.deepEqual(synthesize(dir).plan.notes.filter((n) => n.includes("at import with no default")), [
                "app/config.py reads SECRET_KEY from the environment at import with no default (os.environ[...], a check that raises without it, a pydantic-settings field, a dynaconf validator, a database engine given None): unless it is set, every worker fails at start (KeyError, ValidationError). " +
                    "Set it with PythonApp's `env` (`secretEnv` for secrets).",
            ]);
        });
        it("GIVEN a database engine made at import from os.environ.get() with no default (testdriven.io's FastAPI + SQLModel app) THEN the variable is named: create_engine(None) fails the import", () => {
            const noted = (db: string): string[] =>
                synthesize(apps.make({ "main.py": `from fastapi import FastAPI\nimport db\napp = FastAPI()\n`, "db.py": db, "requirements.txt": "fastapi\nsqlmodel\nredis\n" }))
                    .plan.notes.filter((n) => n.includes("at import with no default"))
                    .map((n) => n.slice(0, n.indexOf(" from the environment")));
            assert.deepEqual(noted('import os\nfrom sqlmodel import create_engine\nDATABASE_URL = os.environ.get("DATABASE_URL")\nengine = create_engine(DATABASE_URL, echo=True)\n'), ["db.py reads DATABASE_URL"]);
            assert.deepEqual(noted('import os\nimport sqlalchemy\nfrom sqlalchemy.orm import sessionmaker\nSession = sessionmaker(bind=sqlalchemy.create_engine(os.getenv("DB_URL")))\n'), ["db.py reads DB_URL"]);
            assert.deepEqual(noted('import os\nimport redis\ncache = redis.Redis.from_url(os.environ.get("REDIS_URL"))\n'), ["db.py reads REDIS_URL"]);
            // A default, or a fallback after `or`, gives the engine a URL.
            assert.deepEqual(noted('import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///app.db"))\n'), []);
            assert.deepEqual(noted('import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.environ.get("DATABASE_URL") or "sqlite:///app.db")\n'), []);
        });
        it("GIVEN a check that raises without a variable (if not X: raise, assert), a module-level from_object, dynaconf validators and a pydantic-settings getter called at import THEN the note names each required variable, and those with a value do not count", () => {
            const noted = (files: Record<string, string>): string[] =>
                synthesize(apps.make(files)).plan.notes.filter((n) => n.includes("at import with no default")).map((n) => n.slice(0, n.indexOf(" from the environment")));
            const settings = [
                "import os",
                'SECRET_KEY = os.environ.get("SECRET_KEY")',
                "if not SECRET_KEY:",
                '    raise ValueError("No SECRET_KEY set")',
                'TZ = os.environ.get("TZ", "UTC")',
                "if not TZ:",
                '    raise ValueError("never")',
                'assert os.getenv("API_TOKEN"), "API_TOKEN is required"',
                "",
            ].join("\n");
            assert.deepEqual(noted({ "app.py": 'from flask import Flask\napp = Flask(__name__)\napp.config.from_object("settings")\n', "settings.py": settings, "requirements.txt": "flask\n" }), [
                "settings.py reads SECRET_KEY and API_TOKEN",
            ]);
            const dynaconf = [
                "from dynaconf import Dynaconf, Validator",
                'settings = Dynaconf(envvar_prefix="TRAILS", settings_files=["settings.toml", ".secrets.toml"], validators=[',
                '    Validator("SECRET_KEY", "MAPS_TOKEN", must_exist=True),',
                '    Validator("TITLE", must_exist=True),',
                '    Validator("PAGE_SIZE", default=20),',
                "])",
                "",
            ].join("\n");
            const dyn = synthesize(
                apps.make({ "app.py": "from flask import Flask\nfrom config import settings\napp = Flask(__name__)\n", "config.py": dynaconf, "settings.toml": '[default]\ntitle = "Trails"\n', ".secrets.toml": 'secret_key = "dev"\n', "requirements.txt": "flask\ndynaconf\n" }),
            );
            assert.deepEqual(
                dyn.plan.notes.filter((n) => n.includes("at import with no default")),
                [
                    "config.py reads TRAILS_SECRET_KEY and TRAILS_MAPS_TOKEN from the environment at import with no default (os.environ[...], a check that raises without it, a pydantic-settings field, a dynaconf validator, a database engine given None): unless they are set, every worker fails at start (KeyError, ValidationError). " +
                        "Set them with PythonApp's `env` (`secretEnv` for secrets); the image leaves out .secrets.toml (dynaconf's secrets), as it does .env files.",
                ],
            );
            assert.ok(dyn.dockerignore.split("\n").includes("**/.secrets.*"));
            const getter = [
                "from functools import lru_cache",
                "from pydantic_settings import BaseSettings, SettingsConfigDict",
                "class Settings(BaseSettings):",
                '    app_name: str = "x"',
                "    admin_email: str",
                '    model_config = SettingsConfigDict(env_file=".env")',
                "@lru_cache",
                "def get_settings():",
                "    return Settings()",
                "",
            ].join("\n");
            assert.deepEqual(
                noted({ "api/__init__.py": "", "api/config.py": getter, "api/main.py": "from fastapi import FastAPI\nfrom .config import get_settings\napp = FastAPI(title=get_settings().app_name)\n", "requirements.txt": "fastapi\nuvicorn\n" }),
                ["api/main.py reads ADMIN_EMAIL"],
            );
        });
        it("GIVEN pydantic-settings fields declared with Field(...), Field(min_length=16) and Field(validation_alias=\"DATABASE_URL\"), and one with Field(default=...) THEN the first three are named, the alias as written", () => {
            const config = "from pydantic import Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\nclass S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='RELAY_')\n    token: str = Field(...)\n    secret: str = Field(min_length=16)\n    database_url: str = Field(validation_alias='DATABASE_URL')\n    region: str = Field(default='eu')\nsettings = S()\n";
            const notes = synthesize(apps.make({ "main.py": `from fastapi import FastAPI\n${config}app = FastAPI()\n`, "requirements.txt": "fastapi\npydantic-settings\n" })).plan.notes.filter((n) => n.includes("at import with no default"));
            assert.deepEqual(notes.map((n) => n.slice(0, n.indexOf(" from the"))), ["main.py reads RELAY_TOKEN, RELAY_SECRET and DATABASE_URL"]);
        });
        it("GIVEN settings = Settings() of a pydantic-settings class with required fields (env_prefix, a base in the module, a default, a field the call passes) THEN the note names the required ones as pydantic-settings reads them", () => {
            const config = [
                "from pydantic_settings import BaseSettings, SettingsConfigDict",
                "",
                "",
                "class Base(BaseSettings):",
                "    secret_key: str",
                "",
                "",
                "class Settings(Base):",
                '    model_config = SettingsConfigDict(env_prefix="SHOP_", env_file="../.env")',
                "    database_url: str",
                "    debug: bool = False",
                "    region: str",
                "",
                "",
                'settings = Settings(region="eu")  # type: ignore',
                "",
            ].join("\n");
            const dir = apps.make({ "app/__init__.py": "", "app/config.py": config, "app/main.py": "from fastapi import FastAPI\n\nfrom app.config import settings\n\napp = FastAPI()\n", "requirements.txt": "fastapi\npydantic-settings\n" });
            const notes = synthesize(dir).plan.notes.filter((n) => n.includes("at import with no default"));
            assert.equal(notes.length, 1, notes.join("\n"));
            assert.match(notes[0], /^app\/config\.py reads SHOP_DATABASE_URL and SHOP_SECRET_KEY from the environment at import with no default/);
        });
        it("GIVEN a folder named by a settings object's attribute in another module (pydantic-settings) THEN its default is the writable path", () => {
            const dir = apps.make({
                "app/__init__.py": "",
                "app/config.py": [
                    "from pydantic import Field",
                    "from pydantic_settings import BaseSettings",
                    "",
                    "class Base(BaseSettings):",
                    '    log_dir: str = "logs"',
                    "",
                    "class Settings(Base):",
                    '    upload_dir: str = "uploads"',
                    '    cache_dir: str = Field(default="cache")',
                    "",
                    "settings = Settings()",
                    "",
                ].join("\n"),
                "app/main.py": [
                    "import os",
                    "from pathlib import Path",
                    "from fastapi import FastAPI",
                    "from app.config import settings",
                    "",
                    "os.makedirs(settings.upload_dir, exist_ok=True)",
                    "Path(settings.cache_dir).mkdir(exist_ok=True)",
                    "os.makedirs(settings.log_dir, exist_ok=True)",
                    "app = FastAPI()",
                    "",
                ].join("\n"),
                "requirements.txt": "fastapi\npydantic-settings\n",
            });
            const r = synthesize(dir);
            assert.deepEqual(
                r.plan.writablePaths.map((w) => [w.path, w.kind, w.why]),
                [
                    ["/app/cache", "scratch", "app/main.py: Path(cache).mkdir()"],
                    ["/app/logs", "scratch", "app/main.py: os.makedirs(logs)"],
                    ["/app/uploads", "data", "app/main.py: os.makedirs(uploads)"],
                ],
            );
        });
        it("GIVEN a folder named by a config class's attribute or another module's name THEN it is the writable path; a local name wins over a module of the same name", () => {
            const dir = apps.make({
                "config.py": 'import os\nBASE = os.path.dirname(__file__)\nUPLOADS = os.path.join(BASE, "media")\n',
                "settings.py": 'DATA = "wrong"\n',
                "app.py": [
                    "import os",
                    "import config",
                    "from flask import Flask",
                    "",
                    "class Config:",
                    '    EXPORT_DIR = "exports"',
                    "",
                    "class settings:",
                    '    DATA = "store"',
                    "",
                    "os.makedirs(Config.EXPORT_DIR, exist_ok=True)",
                    "os.makedirs(config.UPLOADS, exist_ok=True)",
                    "os.makedirs(settings.DATA, exist_ok=True)",
                    "app = Flask(__name__)",
                    "",
                ].join("\n"),
                "requirements.txt": "flask\n",
            });
            assert.deepEqual(
                synthesize(dir).plan.writablePaths.map((w) => w.path),
                ["/app/exports", "/app/media", "/app/store"],
            );
        });
        it("GIVEN a file of a fixed name written (open 'w', os.replace, write_text) THEN its folder is writable, or the file alone beside code", () => {
            const dir = apps.make({
                "app.py": [
                    "import json, os",
                    "from pathlib import Path",
                    "import bottle",
                    "",
                    "HERE = os.path.dirname(os.path.abspath(__file__))",
                    'GUESTBOOK = os.path.join(HERE, "data", "guestbook.json")',
                    'STATE = Path(HERE) / "state" / "last.txt"',
                    "",
                    "def save(entries):",
                    '    tmp = GUESTBOOK + ".tmp"',
                    '    with open(tmp, "w") as fh:',
                    "        json.dump(entries, fh)",
                    "    os.replace(tmp, GUESTBOOK)",
                    "",
                    "def touch():",
                    '    STATE.write_text("x")',
                    '    with open(os.path.join(HERE, "counter.txt"), "a") as fh:',
                    '        fh.write("1")',
                    '    with open("/tmp/scratch.txt", "w") as fh:',
                    '        fh.write("1")',
                    '    with open(os.path.join(HERE, "README.md")) as fh:',
                    "        return fh.read()",
                    "",
                    "app = bottle.default_app()",
                    "",
                ].join("\n"),
                "data/.keep": "",
                "requirements.txt": "bottle\n",
            });
            const r = synthesize(dir);
            assert.deepEqual(
                r.plan.writablePaths.map((w) => [w.path, w.kind, w.why, w.links]),
                [
                    ["/app/data", "data", 'app.py: open(..., "w") writes data/guestbook.json.tmp', []],
                    ["/app/state", "data", "app.py: .write_text() writes state/last.txt", []],
                    ["/data", "data", 'app.py: open(..., "a") writes counter.txt', [{ from: "/app/counter.txt", to: "/data/counter.txt" }]],
                ],
            );
        });
        it("GIVEN a path held by a function's local name (or the function around it) THEN it is read; a parameter hides a module name", () => {
            const dir = apps.make({
                "invoicer/__init__.py": [
                    "import os",
                    "from logging.handlers import RotatingFileHandler",
                    "from flask import Flask, request",
                    "",
                    'media = "not-this"',
                    "",
                    "def create_app():",
                    "    app = Flask(__name__)",
                    '    log_dir = os.path.join(os.path.dirname(app.root_path), "logs")',
                    "    if not os.path.exists(log_dir):",
                    "        os.mkdir(log_dir)",
                    '    app.config["UPLOAD_FOLDER"] = os.path.join(app.static_folder, "uploads")',
                    '    thumbs = os.path.join(app.static_folder, "thumbs")',
                    "",
                    '    @app.post("/upload")',
                    "    def upload():",
                    '        f = request.files["file"]',
                    '        path = os.path.join(app.config["UPLOAD_FOLDER"], f.filename)',
                    "        f.save(path)",
                    "        f.save(os.path.join(thumbs, f.filename))",
                    "        return path",
                    "",
                    "    return app",
                    "",
                    "def store(media):",
                    "    os.makedirs(media)",
                    "",
                ].join("\n"),
                "wsgi.py": "from invoicer import create_app\napplication = create_app()\n",
                "requirements.txt": "flask\n",
            });
            const r = synthesize(dir);
            assert.deepEqual(
                r.plan.writablePaths.map((w) => [w.path, w.kind, w.why]),
                [
                    ["/app/invoicer/static/thumbs", "data", "invoicer/__init__.py: .save() stores files into invoicer/static/thumbs"],
                    ["/app/invoicer/static/uploads", "data", "invoicer/__init__.py: .save() stores files into invoicer/static/uploads"],
                    ["/app/logs", "scratch", "invoicer/__init__.py: os.mkdir(logs)"],
                ],
            );
        });
        it("GIVEN a src-layout package installed into the venv that writes into its own folder THEN the writable path is its installed copy", () => {
            const dir = apps.make({
                "pyproject.toml": [
                    "[project]",
                    'name = "gallery"',
                    'version = "0.1.0"',
                    'requires-python = ">=3.12"',
                    'dependencies = ["flask"]',
                    "",
                    "[build-system]",
                    'requires = ["setuptools"]',
                    'build-backend = "setuptools.build_meta"',
                    "",
                ].join("\n"),
                "src/gallery/__init__.py": [
                    "import os",
                    "from flask import Flask",
                    "app = Flask(__name__)",
                    'UPLOADS = os.path.join(app.static_folder, "uploads")',
                    "os.makedirs(UPLOADS, exist_ok=True)",
                    "",
                ].join("\n"),
            });
            const r = synthesize(dir, { python: "3.12" });
            assert.deepEqual(
                r.plan.writablePaths.map((w) => [w.path, w.why]),
                [
                    [
                        "/opt/venv/lib/python3.12/site-packages/gallery/static/uploads",
                        "src/gallery/__init__.py: os.makedirs(src/gallery/static/uploads) (src/ is installed as a package: the app writes in its installed copy, /opt/venv/lib/python3.12/site-packages/gallery/static/uploads)",
                    ],
                ],
            );
        });
        it("GIVEN writes with computed names into the package's own folder, in the source or in its installed copy (wikmd's downloads beside its modules) THEN no volume there: it would keep the first deploy's code; a note says so", () => {
            const code = 'import os\nfrom flask import Flask, request\napp = Flask(__name__)\n\n@app.post("/save")\ndef save():\n    with open(os.path.join(os.path.dirname(__file__), request.args["name"]), "wb") as f:\n        f.write(request.data)\n    return "ok"\n';
            const inSource = synthesize(apps.make({ "requirements.txt": "flask\n", "shop/__init__.py": code })).plan;
            assert.deepEqual(inSource.writablePaths, []);
            assert.ok(
                inSource.notes.includes(
                    "The app writes into /app/shop (shop/__init__.py: open(..., \"wb\") writes files into shop), a folder of its own code: a volume there would keep the first deploy's code and hide every later deploy's, so it stays read-only and those writes fail. " +
                        "Point them at a folder of their own (name it in `writablePaths`).",
                ),
                inSource.notes.join("\n"),
            );
            const installed = synthesize(
                apps.make({
                    "pyproject.toml": '[project]\nname = "shop"\nversion = "0.1.0"\ndependencies = ["flask"]\n\n[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
                    "src/shop/__init__.py": code,
                }),
                { python: "3.12" },
            ).plan;
            assert.deepEqual(installed.writablePaths, []);
            assert.ok(installed.notes.some((n) => n.startsWith("The app writes into /opt/venv/lib/python3.12/site-packages/shop (") && n.includes("a folder of its own code")), installed.notes.join("\n"));
        });
        it("GIVEN a Procfile naming a module of an installed src layout (setup.cfg) THEN its writable paths are in the installed copy; a .log file it appends to is scratch", () => {
            const dir = apps.make({
                "setup.cfg": "[metadata]\nname = filedesk\n\n[options]\npackage_dir =\n    = src\npackages = find:\ninstall_requires =\n    flask\n\n[options.packages.find]\nwhere = src\n",
                "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n',
                Procfile: "web: gunicorn filedesk.wsgi:app\n",
                "src/filedesk/__init__.py": "",
                "src/filedesk/wsgi.py": "from filedesk.app import app\n",
                "src/filedesk/app.py": [
                    "import os",
                    "import os.path as op",
                    "from flask import Flask",
                    "app = Flask(__name__)",
                    'file_path = op.join(op.dirname(__file__), "files")',
                    "try:",
                    "    os.mkdir(file_path)",
                    "except OSError:",
                    "    pass",
                    "",
                    "def visit():",
                    '    with open(op.join(op.dirname(__file__), "visits.log"), "a") as f:',
                    '        f.write("1")',
                    "",
                ].join("\n"),
            });
            const r = synthesize(dir, { python: "3.12" });
            assert.deepEqual(
                r.plan.writablePaths.map((w) => [w.path, w.kind, w.links]),
                [
                    ["/opt/venv/lib/python3.12/site-packages/filedesk/files", "data", []],
                    [
                        "/scratch",
                        "scratch",
                        [
                            { from: "/opt/venv/lib/python3.12/site-packages/filedesk/visits.log", to: "/scratch/opt-venv-lib-python3.12-site-packages-filedesk-visits.log" },
                            // The source copy, which a command importing src/filedesk would write, links to the same file.
                            { from: "/app/src/filedesk/visits.log", to: "/scratch/opt-venv-lib-python3.12-site-packages-filedesk-visits.log" },
                        ],
                    ],
                ],
            );
        });
        it("GIVEN `workerClass` naming uvicorn's own deprecated worker THEN it is kept and uvicorn-worker is not added", () => {
            const dir = apps.make({ "main.py": "from fastapi import FastAPI\napp = FastAPI()\n", "requirements.txt": "fastapi\nuvicorn==0.32.1\n" });
            const r = synthesize(dir, { workerClass: "uvicorn.workers.UvicornWorker" });
            assert.equal(r.plan.server.workerClass, "uvicorn.workers.UvicornWorker");
            assert.deepEqual(r.plan.server.addedPackages, ["gunicorn==27.0.1"]);
            assert.ok(!r.plan.notes.some((n) => n.includes("Procfile")), "no Procfile is blamed");
        });
        it("GIVEN the app's own gunicorn.conf.py THEN the image's config loads it first, keeps what it sets and adds what the image needs", () => {
            const dir = apps.copyOf("flask-native", { "gunicorn.conf.py": "workers = 4\ntimeout = 120\ndef post_fork(server, worker):\n    pass\n" });
            const r = synthesize(dir);
            assert.equal(r.plan.server.userConfig, true);
            assert.deepEqual(r.plan.server.userConfigSets, ["timeout", "workers"]);
            const argv = cmdOf(r.dockerfile);
            assert.equal(argv[argv.indexOf("--config") + 1], "/etc/pulumi-python-app/gunicorn.conf.py");
            assert.equal(argv[argv.indexOf("--worker-tmp-dir") + 1], "/dev/shm");
            // The app's timeout is honoured: left to its config (a flag would override it); the container's stop timeout follows the plan's values.
            assert.ok(!argv.includes("--timeout"), argv.join(" "));
            assert.equal(argv[argv.indexOf("--graceful-timeout") + 1], "30");
            assert.equal(r.plan.server.timeout, 120);
            assert.deepEqual(r.plan.server.timeoutsFromConfig, ["timeout"]);
            assert.ok(!argv.includes("--workers"), argv.join(" "));
            const config = r.dockerfile.slice(r.dockerfile.indexOf("COPY --link <<'EOF' /etc/pulumi-python-app/gunicorn.conf.py"));
            assert.match(config, /^__file__ = "\/app\/gunicorn\.conf\.py"\nwith open\(__file__\) as _f:$/m);
            assert.doesNotMatch(config.slice(0, config.indexOf("\nEOF\n")), /^workers = /m, "the image must not override the app's workers");
            assert.match(config, /^control_socket = "\/dev\/shm\/gunicorn\.ctl"$/m);
            assert.ok(r.plan.notes.some((n) => n.startsWith("The app's gunicorn.conf.py is loaded first")));
        });
        it("GIVEN the app's gunicorn.conf.py sends errorlog to a file THEN the image keeps it (no --error-logfile flag) and a note says boot errors go there, not to the container's log; errorlog = \"-\" or one read from the environment gets no note", () => {
            const noted = (conf: string) => {
                const r = synthesize(apps.copyOf("flask-native", { "gunicorn.conf.py": conf }));
                assert.ok(!cmdOf(r.dockerfile).includes("--error-logfile"), conf);
                return r.plan.notes.filter((n) => n.includes("sets errorlog to"));
            };
            assert.deepEqual(noted('errorlog = "logs/gunicorn-error.log"\n'), [
                "gunicorn.conf.py sets errorlog to logs/gunicorn-error.log, which the image keeps: gunicorn's errors (a worker that fails to boot, a timeout, the app's tracebacks) go there, not to the container's log, " +
                    'so a failed start shows nothing in `docker logs` or the platform\'s log; set errorlog = "-" to see them there.',
            ]);
            assert.deepEqual(noted('errorlog = "-"\n'), []);
            assert.deepEqual(noted('import os\nerrorlog = os.environ.get("ERROR_LOG") or None\n'), []);
        });
        it("GIVEN the app's gunicorn.conf.py switches to another user (user, group, initgroups for a master started as root) and chdirs to its old server's folder THEN the image's config drops those after loading it, keeps the rest, and notes say why", () => {
            const conf = 'user = "www-data"\ngroup = "www-data"\ninitgroups = True\nchdir = "/srv/blog"\ntimeout = 120\n';
            const dir = apps.copyOf("flask-native", { "gunicorn.conf.py": conf });
            const r = synthesize(dir);
            assert.ok(
                r.plan.notes.includes(
                    "gunicorn.conf.py sets group, initgroups and user (user www-data, group www-data), which gunicorn switches to when started as root: the image starts it as its own user (uid 10001), " +
                        "which may not switch, so gunicorn would stop at start (it chowns its worker files to that user); the image's config drops them.",
                ),
                r.plan.notes.join("\n"),
            );
            assert.ok(r.plan.notes.includes("The app's gunicorn.conf.py is loaded first, then the image's settings (bind, worker heartbeat in /dev/shm, control socket); it sets timeout, which the image keeps unless an option says otherwise."));
            // An absolute chdir outside /app is the app's folder on the server it was written for: gunicorn exits when it cannot go there.
            assert.ok(r.plan.notes.includes("gunicorn.conf.py sets chdir to /srv/blog, the app's folder on the server it was written for: the image runs gunicorn in /app, where the source is, and drops it."));
            assert.deepEqual(r.plan.server.userConfigDropped, ["chdir", "group", "initgroups", "user"]);
            assert.equal(synthesize(apps.copyOf("flask-native", { "gunicorn.conf.py": 'chdir = "/app"\n' })).plan.server.userConfigDropped, undefined);
            // A chdir built with os.path.join reads as the path it makes.
            assert.deepEqual(synthesize(apps.copyOf("flask-native", { "gunicorn.conf.py": 'import os\nchdir = os.path.join("/home/deploy", "site")\n' })).plan.server.userConfigDropped, ["chdir"]);
            // The rendered config, run as gunicorn runs a config file: what it leaves in its namespace are the settings.
            const start = r.dockerfile.indexOf("COPY --link <<'EOF' /etc/pulumi-python-app/gunicorn.conf.py\n");
            const rendered = r.dockerfile.slice(r.dockerfile.indexOf("\n", start) + 1, r.dockerfile.indexOf("\nEOF\n", start));
            const work = fs.mkdtempSync(path.join(os.tmpdir(), "switches-"));
            try {
                fs.writeFileSync(path.join(work, "config.py"), rendered.replace('"/app/gunicorn.conf.py"', JSON.stringify(path.join(dir, "gunicorn.conf.py"))));
                const run = spawnSync("python3", ["-c", `ns = {}\nexec(open(${JSON.stringify(path.join(work, "config.py"))}).read(), ns)\nprint(sorted(k for k in ("user", "group", "initgroups", "chdir", "timeout") if k in ns))`], { encoding: "utf8" });
                assert.equal(run.stdout.trim(), "['timeout']", run.stderr);
            } finally {
                fs.rmSync(work, { recursive: true, force: true });
            }
        });
        it("GIVEN a factory that parses the command line through the app's own module (calibre-web's create_app() calling cps/cli.py's init(), which runs parse_args()) THEN each worker's sys.argv loses gunicorn's arguments before the app loads, with a note; parsing only under main() changes nothing", () => {
            const cli = "import argparse\n\n\nclass CliParameter:\n    def __init__(self):\n        self.settings_path = 'app.db'\n\n    def init(self):\n        parser = argparse.ArgumentParser()\n        parser.add_argument('-p')\n        args = parser.parse_args()\n        self.settings_path = args.p or self.settings_path\n";
            const pkg = (init: string) => "from flask import Flask\nfrom .cli import CliParameter\n\ncli_param = CliParameter()\n\n\ndef create_app():\n" + init + "    return Flask(__name__)\n";
            const files = { "requirements.txt": "flask\n", "shelf/cli.py": cli, "shelf.py": "from shelf import create_app\n\nif __name__ == '__main__':\n    create_app().run()\n", Procfile: 'web: gunicorn "shelf:create_app()"\n' };
            const r = synthesize(apps.make({ ...files, "shelf/__init__.py": pkg("    cli_param.init()\n") }));
            assert.equal(r.plan.server.argvParsedBy, "shelf/cli.py");
            assert.ok(r.plan.notes.some((n) => n.startsWith("shelf/cli.py parses the command line when the app is made (argparse's parse_args())")), r.plan.notes.join("\n"));
            const start = r.dockerfile.indexOf("COPY --link <<'EOF' /etc/pulumi-python-app/gunicorn.conf.py\n");
            const rendered = r.dockerfile.slice(r.dockerfile.indexOf("\n", start) + 1, r.dockerfile.indexOf("\nEOF\n", start));
            const work = fs.mkdtempSync(path.join(os.tmpdir(), "argv-"));
            try {
                fs.writeFileSync(path.join(work, "config.py"), rendered.replace('"/dev/shm/pulumi-python-app-boot.lock"', JSON.stringify(path.join(work, "boot.lock"))));
                const script = [
                    "import sys",
                    "ns = {}",
                    "exec(compile(open(sys.argv[1]).read(), sys.argv[1], 'exec'), ns)",
                    "sys.argv = ['gunicorn', '--config', '/etc/pulumi-python-app/gunicorn.conf.py', 'shelf:create_app()']",
                    "class Tmp:",
                    "    def notify(self):",
                    "        pass",
                    "class Worker:",
                    "    tmp = Tmp()",
                    "ns['post_fork'](None, Worker())",
                    "print(sys.argv)",
                ].join("\n");
                const run = spawnSync("python3", ["-c", script, path.join(work, "config.py")], { encoding: "utf8" });
                assert.equal(run.status, 0, run.stderr);
                assert.equal(run.stdout.trim(), "['gunicorn']");
            } finally {
                fs.rmSync(work, { recursive: true, force: true });
            }
            // Only the launcher's main() parses it (create_app() never does): nothing changes.
            const launcher = synthesize(apps.make({ ...files, "shelf/__init__.py": pkg(""), "shelf/main.py": "from . import create_app, cli_param\n\n\ndef main():\n    cli_param.init()\n    create_app().run()\n" }));
            assert.equal(launcher.plan.server.argvParsedBy, undefined);
            assert.doesNotMatch(launcher.dockerfile, /sys\.argv\[1:\]/);
        });
        it("GIVEN the image's gunicorn config THEN one worker at a time starts the app: post_fork holds a lock that post_worker_init lets go (a WSGI app once imported, an ASGI app under uvicorn's worker once its lifespan startup is done), and the app's own hooks still run", () => {
            const dir = apps.copyOf("flask-native", { "gunicorn.conf.py": "calls = []\ndef post_fork(server, worker):\n    calls.append('post_fork')\ndef post_worker_init(worker):\n    calls.append('post_worker_init')\n" });
            const r = synthesize(dir);
            const start = r.dockerfile.indexOf("COPY --link <<'EOF' /etc/pulumi-python-app/gunicorn.conf.py\n");
            const rendered = r.dockerfile.slice(r.dockerfile.indexOf("\n", start) + 1, r.dockerfile.indexOf("\nEOF\n", start));
            const work = fs.mkdtempSync(path.join(os.tmpdir(), "boot-lock-"));
            try {
                const lock = path.join(work, "boot.lock");
                const config = rendered.replace('"/app/gunicorn.conf.py"', JSON.stringify(path.join(dir, "gunicorn.conf.py"))).replace('"/dev/shm/pulumi-python-app-boot.lock"', JSON.stringify(lock));
                assert.notEqual(config, rendered);
                fs.writeFileSync(path.join(work, "config.py"), config);
                const script = [
                    "import asyncio, fcntl, os, sys",
                    "ns = {}",
                    "exec(compile(open(sys.argv[1]).read(), sys.argv[1], 'exec'), ns)",
                    "def free():",
                    "    fd = os.open(sys.argv[2], os.O_RDWR)",
                    "    try:",
                    "        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
                    "        return True",
                    "    except OSError:",
                    "        return False",
                    "    finally:",
                    "        os.close(fd)",
                    "class Tmp:",
                    "    def notify(self):",
                    "        pass",
                    "class SyncWorker:",
                    "    tmp = Tmp()",
                    "    wsgi = staticmethod(lambda environ, start_response: [])",
                    "UvicornWorker = type('UvicornWorker', (SyncWorker,), {'__module__': 'uvicorn_worker._workers'})",
                    "def child_sees_free():",
                    "    pid = os.fork()",
                    "    if pid == 0:",
                    "        os._exit(0 if free() else 1)",
                    "    return os.waitpid(pid, 0)[1] == 0",
                    "w = SyncWorker()",
                    "ns['post_fork'](None, w)",
                    "print('wsgi held', not child_sees_free())",
                    "ns['post_worker_init'](w)",
                    "print('wsgi after init', child_sees_free())",
                    "async def app(scope, receive, send):",
                    "    await receive()",
                    "    await send({'type': 'lifespan.startup.complete'})",
                    "u = UvicornWorker()",
                    "u.wsgi = app",
                    "ns['post_fork'](None, u)",
                    "ns['post_worker_init'](u)",
                    "print('asgi after init', child_sees_free())",
                    "async def lifespan():",
                    "    async def receive():",
                    "        return {'type': 'lifespan.startup'}",
                    "    async def send(message):",
                    "        print('asgi at', message['type'], child_sees_free())",
                    "    await u.wsgi({'type': 'lifespan'}, receive, send)",
                    "asyncio.run(lifespan())",
                    "print('app hooks', ns['calls'])",
                ].join("\n");
                const run = spawnSync("python3", ["-c", script, path.join(work, "config.py"), lock], { encoding: "utf8" });
                assert.equal(run.status, 0, run.stderr);
                assert.deepEqual(run.stdout.trim().split("\n"), [
                    "wsgi held True",
                    "wsgi after init True",
                    "asgi after init False",
                    "asgi at lifespan.startup.complete True",
                    "app hooks ['post_fork', 'post_worker_init', 'post_fork', 'post_worker_init']",
                ]);
            } finally {
                fs.rmSync(work, { recursive: true, force: true });
            }
        });
        it("GIVEN `gunicorn -c \"python:config.gunicorn\"` (gunicorn's config module form) THEN config/gunicorn.py is loaded exactly as `-c config/gunicorn.py` is; a module not in the source folder is noted as a module", () => {
            const files = {
                "config/__init__.py": "",
                "config/gunicorn.py": 'import os\nworkers = int(os.getenv("WEB_CONCURRENCY", 3))\ntimeout = int(os.getenv("WEB_TIMEOUT", 120))\ngraceful_timeout = 90\n',
                "app.py": FLASK_APP,
                "requirements.txt": "flask\ngunicorn\n",
            };
            const server = (procfile: string, extra: Record<string, string> = {}) => synthesize(apps.make({ ...files, ...extra, Procfile: procfile })).plan;
            const byModule = server('web: gunicorn -c "python:config.gunicorn" app:app\n');
            const byFile = server("web: gunicorn -c config/gunicorn.py app:app\n");
            for (const plan of [byModule, byFile, server("web: gunicorn --config=python:config.gunicorn app:app\n")]) {
                assert.equal(plan.server.userConfig, true);
                assert.equal(plan.server.userConfigPath, "/app/config/gunicorn.py");
                assert.deepEqual(plan.server.userConfigSets, ["graceful_timeout", "timeout", "workers"]);
                assert.deepEqual([plan.server.timeout, plan.server.gracefulTimeout], [120, 90]);
                assert.deepEqual(plan.server.timeoutsFromConfig, ["timeout", "graceful_timeout"]);
            }
            assert.ok(byModule.notes.includes("The Procfile's `--config python:config.gunicorn` names the module config.gunicorn, which gunicorn imports from the folder it starts in: it is config/gunicorn.py, loaded as that file."), byModule.notes.join("\n"));
            assert.ok(!byModule.notes.some((n) => n.includes("names a file")), byModule.notes.join("\n"));
            // A package: python:settings.gunicorn is settings/gunicorn/__init__.py.
            const pkg = server("web: gunicorn -c python:settings.gunicorn app:app\n", { "settings/__init__.py": "", "settings/gunicorn/__init__.py": "timeout = 45\n" }).server;
            assert.deepEqual([pkg.userConfigPath, pkg.timeout], ["/app/settings/gunicorn/__init__.py", 45]);
            const missing = server("web: gunicorn -c python:deploy.gunicorn_conf app:app\n");
            assert.equal(missing.server.userConfig, false);
            assert.ok(
                missing.notes.includes(
                    "The Procfile's `--config python:deploy.gunicorn_conf` names the module deploy.gunicorn_conf, which is not a module of the source folder (deploy/gunicorn_conf.py or deploy/gunicorn_conf/__init__.py); it is not loaded. " +
                        "Put the config in the source folder, or set the settings it holds with the component's options (`timeout`, `workers`...).",
                ),
                missing.notes.join("\n"),
            );
        });
    });

    describe("the release step", () => {
        it("GIVEN `release: ./release-tasks.sh` whose lines migrate and collectstatic, a release line chaining collectstatic, and a script with control flow THEN collectstatic leaves the release (a note), the rest runs, and a script with `if` runs as it is", () => {
            const base = {
                "app.py": "from flask import Flask\napp = Flask(__name__)\n",
                "requirements.txt": "flask\n",
            };
            const script = synthesize(apps.make({ ...base, Procfile: "release: ./release-tasks.sh\nweb: gunicorn app:app\n", "release-tasks.sh": "#!/usr/bin/env bash\nset -euo pipefail\necho migrating\npython manage.py migrate --noinput\npython manage.py collectstatic --noinput\n" })).plan;
            assert.deepEqual(script.release?.command, ["python", "manage.py", "migrate", "--noinput"]);
            assert.ok(script.notes.includes("release-tasks.sh (Procfile release:) runs `python manage.py collectstatic --noinput`: collectstatic belongs to the build, where the image runs it when STATIC_ROOT is set. The release step runs the rest: `python manage.py migrate --noinput`."));
            const chained = synthesize(apps.make({ ...base, Procfile: "release: python manage.py collectstatic --noinput && python manage.py migrate && python manage.py createcachetable\nweb: gunicorn app:app\n" })).plan;
            assert.deepEqual(chained.release?.command, ["sh", "-c", "python manage.py migrate && python manage.py createcachetable"]);
            const only = synthesize(apps.make({ ...base, Procfile: "release: python manage.py collectstatic --noinput\nweb: gunicorn app:app\n" })).plan;
            assert.equal(only.release, undefined);
            const control = synthesize(apps.make({ ...base, Procfile: "release: bash bin/release\nweb: gunicorn app:app\n", "bin/release": "if [ -n \"$X\" ]; then\n  python manage.py collectstatic --noinput\nfi\npython manage.py migrate\n" })).plan;
            assert.deepEqual(control.release?.command, ["bash", "bin/release"]);
            assert.ok(control.notes.some((n) => n.startsWith("bin/release (Procfile release:) runs `python manage.py collectstatic --noinput` among its other commands")));
        });
        it("GIVEN `rm -rf \"$DIR\" && mkdir -p \"$DIR\"` and a migration chained before gunicorn THEN the migration is the release step and the image's gunicorn config empties and makes the folder at every start, the variable expanded at run time", () => {
            const dir = apps.make({
                "app.py": "from flask import Flask\napp = Flask(__name__)\n",
                "requirements.txt": "flask\nflask-migrate\n",
                Procfile: 'web: rm -rf "$METRICS_DIR" && mkdir -p "$METRICS_DIR" /tmp/uploads && flask db upgrade && gunicorn app:app\n',
            });
            const r = synthesize(dir);
            assert.deepEqual(r.plan.release?.command, ["flask", "--app", "app:app", "db", "upgrade"]);
            assert.deepEqual(r.plan.server.startFolders, [
                { path: "${METRICS_DIR}", empty: true },
                { path: "/tmp/uploads", empty: false },
            ]);
            // The config's folder code, run by host Python with the variable set to a folder that holds a stale file.
            const config = r.dockerfile.slice(r.dockerfile.indexOf("# Synthesized by pulumi-python-app.\nimport math"));
            const code = config.slice(0, config.indexOf("\nEOF"));
            const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-start-"));
            fs.mkdirSync(path.join(tmp, "metrics"));
            fs.writeFileSync(path.join(tmp, "metrics", "counter_1.db"), "stale");
            const folders = code.slice(code.indexOf("import shutil"), code.indexOf("# gunicorn 25.1+")).replace('"/tmp/uploads"', JSON.stringify(path.join(tmp, "uploads")));
            const res = spawnSync("python3", ["-c", `import os\n${folders}`], { encoding: "utf8", env: { ...process.env, METRICS_DIR: path.join(tmp, "metrics") } });
            const after = [fs.readdirSync(path.join(tmp, "metrics")), fs.existsSync(path.join(tmp, "uploads"))];
            fs.rmSync(tmp, { recursive: true, force: true });
            assert.equal(res.status, 0, res.stderr);
            assert.deepEqual(after, [[], true]);
        });
        const FACTORY = "from flask import Flask\n\n\ndef create_app(name):\n    return Flask(__name__)\n";
        const flasky = (procfile: string, extra: Record<string, string> = {}) =>
            apps.make({ "app/__init__.py": FACTORY, "flasky.py": "from app import create_app\n\napp = create_app('default')\n", "requirements.txt": "flask\n", Procfile: procfile, ...extra });

        it("GIVEN Flask before 2.2 (no --app option) THEN the release step and Flask-Migrate's upgrade get FLASK_APP through env; GIVEN 2.2 THEN --app", () => {
            const files = { "app.py": "from flask import Flask\napp = Flask(__name__)\n", Procfile: "release: flask db upgrade\nweb: gunicorn app:app\n" };
            const old = synthesize(apps.make({ ...files, "requirements.txt": "flask==2.1.3\nflask-migrate==3.1.0\n" })).plan;
            assert.deepEqual(old.release?.command, ["env", "FLASK_APP=app:app", "flask", "db", "upgrade"]);
            assert.ok(old.notes.some((n) => n.includes("it runs with FLASK_APP=app:app (set with env; the Flask installed, before 2.2, has no --app)")), old.notes.join("\n"));
            const migrations = { "app.py": 'from flask import Flask\napp = Flask(__name__)\napp.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"\n', "migrations/alembic.ini": "[alembic]\n", "migrations/env.py": "" };
            assert.deepEqual(synthesize(apps.make({ ...migrations, "requirements.txt": "flask==2.1.3\nflask-migrate==3.1.0\nflask-sqlalchemy==2.5.1\n" })).plan.release?.command, ["env", "FLASK_APP=app:app", "flask", "db", "upgrade"]);
            assert.deepEqual(synthesize(apps.make({ ...migrations, "requirements.txt": "flask==2.2.0\nflask-migrate==3.1.0\nflask-sqlalchemy==2.5.1\n" })).plan.release?.command, ["flask", "--app", "app:app", "db", "upgrade"]);
        });
        it("GIVEN Flask-Migrate with its own migrations folder (`Migrate(app, db, directory=\"migrations_db\")`, or `migrate.init_app(app, db, directory=...)` in a factory) THEN `flask db upgrade` is the release step, read from that folder", () => {
            const sqlite = 'app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"\n';
            for (const [code, folder] of [
                [`from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\nfrom flask_migrate import Migrate\napp = Flask(__name__)\n${sqlite}db = SQLAlchemy(app)\nmigrate = Migrate(app, db, directory="migrations_db")\n`, "migrations_db"],
                [`from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\nfrom flask_migrate import Migrate\napp = Flask(__name__)\n${sqlite}db = SQLAlchemy(app)\nmigrate = Migrate(app, db, "db/migrations")\n`, "db/migrations"],
                [`from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\nfrom flask_migrate import Migrate\ndb = SQLAlchemy()\nmigrate = Migrate()\napp = Flask(__name__)\n${sqlite}db.init_app(app)\nmigrate.init_app(app, db, directory="alembic")\n`, "alembic"],
            ] as const) {
                const files = { "app.py": code, [`${folder}/alembic.ini`]: "[alembic]\n", [`${folder}/env.py`]: "", "requirements.txt": "flask==3.1.1\nflask-migrate==4.1.0\nflask-sqlalchemy==3.1.1\n" };
                const { release } = synthesize(apps.make(files)).plan;
                assert.deepEqual(release, { command: ["flask", "--app", "app:app", "db", "upgrade"], workdir: "/app", source: `Flask-Migrate (${folder}/)` }, folder);
            }
        });
        it("GIVEN a Procfile release: chaining `flask` commands under sh -c THEN FLASK_APP comes through env and the script is left as written", () => {
            const r = synthesize(flasky("release: flask db upgrade && flask deploy\nweb: gunicorn flasky:app\n"));
            assert.deepEqual(r.plan.release?.command, ["env", "FLASK_APP=flasky:app", "sh", "-c", "flask db upgrade && flask deploy"]);
        });
        it("GIVEN the served app is middleware around the Flask app (application = WhiteNoise(app)) THEN `flask` gets the Flask app by its name; one made inline (WhiteNoise(create_app())) gets the module", () => {
            const dir = apps.make({
                "site.py": "from flask import Flask\nfrom whitenoise import WhiteNoise\n\napp = Flask(__name__)\napplication = WhiteNoise(app)\n",
                "requirements.txt": "flask\nwhitenoise\n",
                Procfile: "release: flask db upgrade\nweb: gunicorn site:application\n",
            });
            assert.deepEqual(synthesize(dir).plan.release?.command, ["flask", "--app", "site:app", "db", "upgrade"]);
            const inline = apps.make({
                "site.py": "from flask import Flask\nfrom whitenoise import WhiteNoise\n\n\ndef create_app():\n    return Flask(__name__)\n\n\napplication = WhiteNoise(create_app())\n",
                "requirements.txt": "flask\nwhitenoise\n",
                Procfile: "release: flask db upgrade\nweb: gunicorn site:application\n",
            });
            assert.deepEqual(synthesize(inline).plan.release?.command, ["flask", "--app", "site", "db", "upgrade"]);
        });

        it("GIVEN one module with `app = Flask(...)` and DispatcherMiddleware(Response(...), {\"/gallery\": app}) THEN the middleware is served (it holds the prefix); an adapter to the other interface (WsgiToAsgi(app)) is not preferred over the app", () => {
            const dispatch = apps.make({
                "app.py": "from flask import Flask\nfrom werkzeug.middleware.dispatcher import DispatcherMiddleware\nfrom werkzeug.wrappers import Response\n\napp = Flask(__name__)\napplication = DispatcherMiddleware(Response('Not Found', status=404), {'/gallery': app})\n",
                "requirements.txt": "flask\n",
            });
            assert.equal(synthesize(dispatch).plan.entrypoint.spec, "app:application");
            const adapter = apps.make({
                "app.py": "from asgiref.wsgi import WsgiToAsgi\nfrom flask import Flask\n\napp = Flask(__name__)\nasgi_app = WsgiToAsgi(app)\n",
                "requirements.txt": "flask\nasgiref\n",
            });
            assert.equal(synthesize(adapter).plan.entrypoint.spec, "app:app");
        });
        it("GIVEN `app = create_app()` then `app = DispatcherMiddleware(app, {\"/metrics\": make_wsgi_app()})` (prometheus_client's), and a Flask app a FastAPI app mounts through WSGIMiddleware THEN the dispatcher's module and the FastAPI app are served", () => {
            const dispatcher = synthesize(apps.make({
                "shelf/__init__.py": "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
                "wsgi.py": "from prometheus_client import make_wsgi_app\nfrom werkzeug.middleware.dispatcher import DispatcherMiddleware\nfrom shelf import create_app\n\napp = create_app()\napp = DispatcherMiddleware(app, {'/metrics': make_wsgi_app()})\n",
                "requirements.txt": "flask\nprometheus-client\n",
            })).plan;
            assert.deepEqual([dispatcher.entrypoint.spec, dispatcher.framework], ["wsgi:app", "flask"]);
            const mounted = synthesize(apps.make({
                "admin/__init__.py": "",
                "admin/app.py": "from flask import Flask\nadmin_app = Flask(__name__)\n",
                "api/__init__.py": "",
                "api/main.py": "from fastapi import FastAPI\nfrom fastapi.middleware.wsgi import WSGIMiddleware\nfrom admin.app import admin_app\napp = FastAPI()\napp.mount('/admin', WSGIMiddleware(admin_app))\n",
                "requirements.txt": "fastapi\nflask\nuvicorn\n",
            })).plan;
            assert.deepEqual([mounted.entrypoint.spec, mounted.entrypoint.interface], ["api.main:app", "asgi"]);
        });
        it("GIVEN wsgi.py `application = DispatcherMiddleware(web.create_app(), {\"/api\": api.create_app()})`, both factories delegating to the package's shared factory, and a create_celery_app() that returns a Celery app THEN the dispatcher is served, not the Celery factory", () => {
            const plan = synthesize(apps.make({
                "shop/__init__.py": "",
                "shop/factory.py":
                    "from celery import Celery\nfrom flask import Flask\n\n\ndef create_app(package_name, settings_override=None):\n    app = Flask(package_name, instance_relative_config=True)\n    return app\n\n\n" +
                    "def create_celery_app(app=None):\n    app = app or create_app('shop')\n    celery = Celery(__name__, broker=app.config.get('CELERY_BROKER_URL'))\n    return celery\n",
                "shop/web/__init__.py": "from .. import factory\n\n\ndef create_app(settings_override=None):\n    app = factory.create_app(__name__, settings_override)\n    return app\n",
                "shop/api/__init__.py": "from .. import factory\n\n\ndef create_app(settings_override=None):\n    app = factory.create_app(__name__, settings_override)\n    return app\n",
                "shop/tasks.py": "from .factory import create_celery_app\n\ncelery = create_celery_app()\n",
                "wsgi.py": "from werkzeug.middleware.dispatcher import DispatcherMiddleware\n\nfrom shop import api, web\n\napplication = DispatcherMiddleware(web.create_app(), {'/api': api.create_app()})\n",
                "requirements.txt": "flask\ncelery\n",
            })).plan;
            assert.deepEqual([plan.entrypoint.spec, plan.framework], ["wsgi:application", "flask"]);
        });
        it("GIVEN a Falcon app subclass made by a class method (`application = MemoApp.from_environ()`), in the module or imported THEN that is the app", () => {
            const cls = "import falcon\n\nclass MemoApp(falcon.App):\n    @classmethod\n    def from_environ(cls):\n        return cls()\n";
            assert.equal(synthesize(apps.make({ "memo/__init__.py": "", "memo/app.py": cls, "wsgi.py": "from memo.app import MemoApp\napplication = MemoApp.from_environ()\n", "requirements.txt": "falcon\n" })).plan.entrypoint.spec, "wsgi:application");
            const local = synthesize(apps.make({ "server.py": `${cls}\napi = MemoApp.from_environ()\n`, "requirements.txt": "falcon\n" })).plan;
            assert.deepEqual([local.entrypoint.spec, local.framework, local.entrypoint.interface], ["server:api", "falcon", "wsgi"]);
        });
        it("GIVEN an app another module mounts (app.mount in a factory, Starlette's Mount, DispatcherMiddleware of an imported app, a relative import) THEN the app that mounts it is served, not the mounted one", () => {
            const factory = apps.make({
                "api/__init__.py": "",
                "api/v1.py": "from fastapi import FastAPI\napi = FastAPI()\n",
                "server.py": "from fastapi import FastAPI\nfrom api.v1 import api\n\ndef create_app():\n    app = FastAPI()\n    app.mount('/v1', api)\n    return app\n",
                "requirements.txt": "fastapi\nuvicorn\n",
            });
            assert.equal(synthesize(factory).plan.entrypoint.spec, "server:create_app()");
            const starlette = apps.make({
                "web/__init__.py": "",
                "web/admin.py": "from starlette.applications import Starlette\nadmin = Starlette()\n",
                "web/site.py": "from starlette.applications import Starlette\nfrom starlette.routing import Mount\nfrom .admin import admin\n\ndef build():\n    return Starlette(routes=[Mount('/admin', app=admin)])\n",
                "requirements.txt": "starlette\nuvicorn\n",
            });
            assert.equal(synthesize(starlette).plan.entrypoint.spec, "web.site:build()");
            const dispatcher = apps.make({
                "blog.py": "from flask import Flask\nblog = Flask(__name__)\n",
                "wsgi.py": "from flask import Flask\nfrom werkzeug.middleware.dispatcher import DispatcherMiddleware\nfrom blog import blog\n\ndef make():\n    site = Flask(__name__)\n    site.wsgi_app = DispatcherMiddleware(site.wsgi_app, {'/blog': blog})\n    return site\n",
                "requirements.txt": "flask\n",
            });
            assert.equal(synthesize(dispatcher).plan.entrypoint.spec, "wsgi:make()");
            // Nothing else to serve: the mounted app is still found.
            const alone = apps.make({
                "api.py": "from fastapi import FastAPI\napi = FastAPI()\nouter = None\n\ndef unused(app):\n    app.mount('/x', api)\n",
                "requirements.txt": "fastapi\nuvicorn\n",
            });
            assert.equal(synthesize(alone).plan.entrypoint.spec, "api:api");
        });
        it("GIVEN a release `flask --app other deploy` THEN it is left alone", () => {
            const r = synthesize(flasky("release: flask --app flasky:app deploy\nweb: gunicorn flasky:app\n"));
            assert.deepEqual(r.plan.release?.command, ["flask", "--app", "flasky:app", "deploy"]);
        });
        it("GIVEN a release `flask deploy` and a .flaskenv setting FLASK_APP, with python-dotenv installed, THEN it is left alone, with a note", () => {
            const r = synthesize(flasky("release: flask deploy\nweb: gunicorn flasky:app\n", { ".flaskenv": "FLASK_APP=flasky.py\n", "requirements.txt": "flask\npython-dotenv\n" }));
            assert.deepEqual(r.plan.release?.command, ["flask", "deploy"]);
            assert.ok(r.plan.notes.includes("The release step runs `flask` without --app; .flaskenv sets FLASK_APP, which flask reads (python-dotenv is installed)."));
        });
        it("GIVEN a .flaskenv setting FLASK_APP but no python-dotenv THEN flask would not read it: the release step gets --app, with a note", () => {
            const r = synthesize(flasky("release: flask deploy\nweb: gunicorn flasky:app\n", { ".flaskenv": "FLASK_APP=flasky.py\n" }));
            assert.deepEqual(r.plan.release?.command, ["flask", "--app", "flasky:app", "deploy"]);
            assert.ok(r.plan.notes.includes(".flaskenv sets FLASK_APP, but flask reads it only when python-dotenv is installed, and the dependencies lack it."));
        });
        it("GIVEN fly.toml's [deploy] release_command THEN it is the release step", () => {
            const r = synthesize(flasky("web: gunicorn flasky:app\n", { "fly.toml": 'app = "flasky"\n\n[deploy]\n  release_command = "flask --app flasky:app deploy"\n' }));
            assert.deepEqual(r.plan.release, { command: ["flask", "--app", "flasky:app", "deploy"], workdir: "/app", source: "fly.toml [deploy] release_command" });
        });
        it("GIVEN Alembic configured in pyproject.toml's [tool.alembic] (no alembic.ini) and the app's own SQLite file THEN alembic upgrade head is the release step", () => {
            const dir = apps.make({
                "pyproject.toml": '[project]\nname = "bm"\nversion = "0"\ndependencies = ["flask", "sqlalchemy", "alembic"]\n\n[tool.alembic]\nscript_location = "%(here)s/alembic"\n',
                "bm.py": 'import sqlite3\nfrom flask import Flask\napp = Flask(__name__)\nDB = sqlite3.connect("bookmarks.db")\n',
                "alembic/env.py": "",
            });
            assert.deepEqual(synthesize(dir).plan.release, { command: ["alembic", "upgrade", "head"], workdir: "/app", source: "Alembic ([tool.alembic] in pyproject.toml)" });
        });
        it("GIVEN aerich's [tool.aerich] in pyproject.toml (Tortoise ORM's migrations) THEN `aerich upgrade` is the release step with the app's SQLite file, and a note gives it with a database server", () => {
            const files = (url: string) => ({
                "pyproject.toml": '[project]\nname = "jot"\nversion = "0"\ndependencies = ["fastapi", "tortoise-orm", "aerich"]\n\n[tool.aerich]\ntortoise_orm = "app.db.TORTOISE_ORM"\nlocation = "./migrations"\n',
                "app/__init__.py": "",
                "app/db.py": `TORTOISE_ORM = {"connections": {"default": ${url}}, "apps": {"models": {"models": ["app.models", "aerich.models"]}}}\n`,
                "app/main.py": "from fastapi import FastAPI\nfrom tortoise.contrib.fastapi import register_tortoise\nfrom app.db import TORTOISE_ORM\napp = FastAPI()\nregister_tortoise(app, config=TORTOISE_ORM)\n",
                "migrations/models/0_20240101000000_init.py": "async def upgrade(db):\n    return ''\n",
            });
            const sqlite = synthesize(apps.make(files('"sqlite://var/jot.sqlite3"'))).plan;
            assert.deepEqual(sqlite.release, { command: ["aerich", "upgrade"], workdir: "/app", source: "aerich ([tool.aerich] in pyproject.toml)" });
            const server = synthesize(apps.make(files('os.environ["DATABASE_URL"]'))).plan;
            assert.equal(server.release, undefined);
            assert.ok(
                server.notes.includes(
                    'aerich ([tool.aerich] in pyproject.toml) migrations are here, but the database is not an SQLite file of the app\'s and may not be reachable at deploy time, so the package does not run them on its own: set `releaseCommand: ["aerich","upgrade"]` to run them once per deploy.',
                ),
                server.notes.join("\n"),
            );
        });
        it("GIVEN an Alembic chain whose first revision only alters a table the app's create_all() makes (feedi) THEN no release step, with a note; a first revision that creates tables keeps it", () => {
            const base = (upgrade: string) => `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "5c1e0a7d9b21"\ndown_revision = None\n\n\ndef upgrade():\n${upgrade}\n\n\ndef downgrade():\n    pass\n`;
            const files = {
                "requirements.txt": "flask\nsqlalchemy\nalembic\n",
                "reader.py": 'from flask import Flask\nfrom sqlalchemy import create_engine\nengine = create_engine("sqlite:///var/reader.db")\napp = Flask(__name__)\n',
                "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
                "migrations/env.py": "",
                "migrations/versions/0002_later.py": 'revision = "0002"\ndown_revision = "5c1e0a7d9b21"\n\n\ndef upgrade():\n    pass\n',
            };
            const alters = synthesize(apps.make({ ...files, "migrations/versions/5c1e_add_folder.py": base('    op.add_column("feeds", sa.Column("folder", sa.String()))') })).plan;
            assert.equal(alters.release, undefined);
            assert.ok(
                alters.notes.includes(
                    'migrations/versions/5c1e_add_folder.py, the first revision of the Alembic (alembic.ini) migrations, changes a table it does not create (`op.add_column("feeds", sa.Column("folder", sa.String()))`): ' +
                        "the chain starts from tables made another way (the app's create_all(), a dump), so on a new database it stops there and the package does not run it as the release step. " +
                        'Once a database has them, set `releaseCommand: ["alembic","upgrade","head"]` to migrate it on each deploy (stamp a database the app made at the revision it matches first).',
                ),
                alters.notes.join("\n"),
            );
            const batch = synthesize(apps.make({ ...files, "migrations/versions/5c1e_add_folder.py": base('    with op.batch_alter_table("feeds") as batch_op:\n        batch_op.add_column(sa.Column("folder", sa.String()))') })).plan;
            assert.equal(batch.release, undefined);
            const creates = synthesize(
                apps.make({ ...files, "migrations/versions/5c1e_add_folder.py": base('    op.create_table("feeds", sa.Column("id", sa.Integer(), primary_key=True))\n    op.create_index("ix_feeds_id", "feeds", ["id"])') }),
            ).plan;
            assert.deepEqual(creates.release, { command: ["alembic", "upgrade", "head"], workdir: "/app", source: "Alembic (alembic.ini)" });
        });
        const pyramid = (ini: string) =>
            apps.make({
                "setup.py": 'from setuptools import setup\nsetup(name="tutorial", install_requires=["pyramid", "sqlalchemy", "alembic", "pyramid_tm"], entry_points={"paste.app_factory": ["main = tutorial:main"]})\n',
                "tutorial/__init__.py": "from pyramid.config import Configurator\n\n\ndef main(global_config, **settings):\n    with Configurator(settings=settings) as config:\n        return config.make_wsgi_app()\n",
                "production.ini": ini,
            });
        const PYRAMID_INI = "[app:main]\nuse = egg:tutorial\nsqlalchemy.url = sqlite:///%(here)s/tutorial.sqlite\n\n[alembic]\nscript_location = tutorial/alembic\nfile_template = %%(rev)s\n\n[server:main]\nuse = egg:waitress#main\n";
        it("GIVEN a Pyramid cookiecutter app (sqlalchemy.url with %(here)s and [alembic] in production.ini) THEN its SQLite file is data and Alembic runs with that ini", () => {
            const { plan } = synthesize(pyramid(PYRAMID_INI));
            assert.deepEqual(plan.writablePaths, [
                {
                    path: "/data",
                    kind: "data",
                    why: "production.ini: [app:main] sqlalchemy.url = sqlite:///%(here)s/tutorial.sqlite",
                    links: [{ from: "/app/tutorial.sqlite", to: "/data/tutorial.sqlite" }],
                },
            ]);
            assert.deepEqual(plan.release, { command: ["alembic", "-c", "production.ini", "upgrade", "head"], workdir: "/app", source: "Alembic ([alembic] in production.ini)" });
        });
        it("GIVEN a Pyramid app whose ini names a server database THEN no data path, and Alembic is left to `releaseCommand` with a note", () => {
            const { plan } = synthesize(pyramid(PYRAMID_INI.replace("sqlite:///%(here)s/tutorial.sqlite", "postgresql://db/tutorial")));
            assert.deepEqual(plan.writablePaths, []);
            assert.equal(plan.release, undefined);
            assert.ok(plan.notes.some((n) => n.startsWith("Alembic ([alembic] in production.ini) migrations are here, but the database is not an SQLite file")), plan.notes.join("\n"));
        });
        it("GIVEN a root prestart.sh with no shebang THEN it runs with sh from the source folder", () => {
            const dir = apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "prestart.sh": "python -c 'print(1)'\n" });
            assert.deepEqual(synthesize(dir).plan.release, { command: ["sh", "prestart.sh"], workdir: "/app", source: "prestart.sh (prestart.sh)" });
        });
        it("GIVEN a detected release step and `releaseCommand: []` (or false, from JavaScript) THEN none runs, with a note", () => {
            const dir = flasky("release: flask deploy\nweb: gunicorn flasky:app\n");
            for (const releaseCommand of [[], false] as const) {
                const r = synthesize(dir, { releaseCommand: releaseCommand as string[] | false });
                assert.equal(r.plan.release, undefined);
                assert.ok(r.plan.notes.some((n) => n.startsWith("A release step is detected (Procfile release:") && n.endsWith("but `releaseCommand` turns it off ([]): it does not run.")), r.plan.notes.join("\n"));
            }
        });
        it("GIVEN `releaseCommand` as words THEN it replaces the detected step, run from the app's folder", () => {
            const r = synthesize(flasky("release: flask deploy\nweb: gunicorn flasky:app\n"), { releaseCommand: ["python", "-c", "print(1)"] });
            assert.deepEqual(r.plan.release, { command: ["python", "-c", "print(1)"], workdir: "/app", source: "`releaseCommand`" });
        });
    });
});

describe("the gunicorn config's workers and threads", () => {
    afterEach(() => apps.cleanup());

    /** Runs the synthesized gunicorn config with host Python (no WEB_CONCURRENCY) and reads what gunicorn would. */
    function settings(dockerfile: string): { cpus: number; workers: number; threads: number | null } {
        const start = dockerfile.indexOf("COPY --link <<'EOF' /etc/pulumi-python-app/gunicorn.conf.py\n");
        assert.ok(start >= 0, "the Dockerfile carries the gunicorn config");
        const body = dockerfile.slice(dockerfile.indexOf("\n", start) + 1, dockerfile.indexOf("\nEOF\n", start));
        const dir = apps.make({ "gunicorn.conf.py": body + "\n" });
        const read = "import json; ns = {}; exec(open('gunicorn.conf.py').read(), ns); print(json.dumps({k: ns.get(k) for k in ('cpus', 'workers', 'threads')}))";
        const env = { ...process.env };
        delete env.WEB_CONCURRENCY;
        const r = spawnSync("python3", ["-c", read], { cwd: dir, encoding: "utf8", env });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as { cpus: number; workers: number; threads: number | null };
    }

    it("GIVEN a WSGI app and no server options THEN CPUs + 1 gthread workers of 12 threads", () => {
        const s = settings(synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n" })).dockerfile);
        assert.ok(s.cpus >= 1);
        assert.equal(s.workers, s.cpus + 1);
        assert.equal(s.threads, 12);
    });
    it("GIVEN a WSGI app and `threads: 1` (sync workers) THEN gunicorn's 2 x CPUs + 1 workers, and --threads 1 on the command line", () => {
        const r = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n" }), { threads: 1 });
        const s = settings(r.dockerfile);
        assert.equal(s.workers, 2 * s.cpus + 1);
        const argv = cmdOf(r.dockerfile);
        assert.equal(argv[argv.indexOf("--threads") + 1], "1");
    });
    it("GIVEN a WSGI app and `threads: 6` THEN CPUs + 1 workers and --threads 6 on the command line", () => {
        const r = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n" }), { threads: 6 });
        assert.equal(settings(r.dockerfile).workers, settings(r.dockerfile).cpus + 1);
        const argv = cmdOf(r.dockerfile);
        assert.equal(argv[argv.indexOf("--threads") + 1], "6");
    });
    it("GIVEN a WSGI app with `workerClass: sync`, or a Procfile's -k sync, THEN sync workers: no threads and 2 x CPUs + 1 workers", () => {
        for (const r of [
            synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\ngunicorn\n" }), { workerClass: "sync" }),
            synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\ngunicorn\n", Procfile: "web: gunicorn -k sync app:app\n" })),
        ]) {
            assert.equal(r.plan.server.workerClass, "sync");
            const s = settings(r.dockerfile);
            assert.equal(s.threads, null);
            assert.equal(s.workers, 2 * s.cpus + 1);
            assert.ok(!cmdOf(r.dockerfile).includes("--threads"));
        }
    });
    it("GIVEN a WSGI app with `workerClass: gevent` THEN no threads and 2 x CPUs + 1 workers", () => {
        const r = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\ngevent\n" }), { workerClass: "gevent" });
        const s = settings(r.dockerfile);
        assert.equal(s.threads, null);
        assert.equal(s.workers, 2 * s.cpus + 1);
    });
    it("GIVEN aiohttp's gunicorn worker (Procfile --worker-class aiohttp.GunicornWebWorker) THEN one worker per CPU (an event loop each) and no threads", () => {
        const r = synthesize(
            apps.make({
                "shortener/__init__.py": "",
                "shortener/main.py": "from aiohttp import web\n\nasync def make_app():\n    return web.Application()\n",
                "requirements.txt": "aiohttp\ngunicorn\n",
                Procfile: "web: gunicorn shortener.main:make_app --bind 0.0.0.0:$PORT --worker-class aiohttp.GunicornWebWorker\n",
            }),
        );
        assert.equal(r.plan.server.workerClass, "aiohttp.GunicornWebWorker");
        const s = settings(r.dockerfile);
        assert.equal(s.threads, null);
        assert.equal(s.workers, s.cpus);
    });
    it("GIVEN an ASGI app THEN one uvicorn worker per CPU and no threads", () => {
        const r = synthesize(apps.make({ "main.py": "from fastapi import FastAPI\napp = FastAPI()\n", "requirements.txt": "fastapi\nuvicorn\n" }));
        const s = settings(r.dockerfile);
        assert.equal(s.threads, null);
        assert.equal(s.workers, s.cpus);
    });
});

describe("WebSockets under the uvicorn worker", () => {
    const ASGI = "from django.core.asgi import get_asgi_application\n\napplication = get_asgi_application()\n";
    const plan = (requirements: string) => synthesize(apps.make({ "chat_asgi.py": ASGI, "requirements.txt": requirements }), { app: "chat_asgi:application", interface: "asgi" }).plan;
    const note = (requirements: string) => plan(requirements).notes.filter((n) => n.includes("WebSocket"));

    it("GIVEN a Channels app with no WebSocket library THEN wsproto is added beside the worker, with a note", () => {
        assert.deepEqual(note("django\nchannels\n"), [
            "The app uses Django Channels, and the image serves it with uvicorn's worker, which answers WebSocket connections only when `websockets` or `wsproto` is installed; " +
                "the dependencies have neither, so wsproto==1.3.2 is added (without it WebSocket consumers are refused; HTTP works).",
        ]);
        assert.deepEqual(plan("django\nchannels\n").server.addedPackages, ["gunicorn==27.0.1", "uvicorn-worker==0.4.0", "wsproto==1.3.2"]);
        assert.ok(plan("django\nchannels\n").notes.includes("The app's dependencies lack gunicorn, uvicorn-worker and wsproto: added gunicorn==27.0.1, uvicorn-worker==0.4.0, wsproto==1.3.2, installed against the app's own pins so none of them moves."));
    });
    it("GIVEN a Channels app that pins h11 0.14.0 THEN wsproto 1.2.0, the release that accepts it", () => {
        assert.ok(plan("django\nchannels\nuvicorn==0.30.6\nh11==0.14.0\n").server.addedPackages.includes("wsproto==1.2.0"));
        assert.match(note("django\nchannels\nuvicorn==0.30.6\nh11==0.14.0\n")[0], /so wsproto==1\.2\.0 is added \(without it WebSocket consumers are refused; HTTP works\), the release that accepts the app's h11 0\.14\.0\.$/);
    });
    it("GIVEN a Channels app with websockets THEN no note and nothing added for it", () => {
        assert.deepEqual(note("django\nchannels\nwebsockets\n"), []);
        assert.ok(!plan("django\nchannels\nwebsockets\n").server.addedPackages.some((p) => p.startsWith("wsproto")));
    });
});

describe("SQLite URLs", () => {
    it("GIVEN SQLAlchemy URLs WHEN split THEN any sqlite dialect, with or without a driver, gives its path; other dialects and in-memory ones none", () => {
        assert.equal(sqliteUrlRest("sqlite:///app.db"), "app.db");
        assert.equal(sqliteUrlRest("sqlite+aiosqlite:///todo.sqlite"), "todo.sqlite");
        assert.equal(sqliteUrlRest("sqlite+pysqlite:///./app.db"), "./app.db");
        assert.equal(sqliteUrlRest("sqlite+aiosqlite:////var/lib/app/db.sqlite3?timeout=20"), "/var/lib/app/db.sqlite3");
        assert.equal(sqliteUrlRest("sqlite+aiosqlite:///"), "");
        assert.equal(sqliteUrlRest("sqlite://"), undefined);
        assert.equal(sqliteUrlRest("postgresql+asyncpg://u@h/db"), undefined);
        assert.equal(sqliteUrlRest("sqlitex:///a.db"), undefined);
        assert.equal(sqliteUrlRest("sqlite+:///a.db"), undefined);
    });

    it("GIVEN Django settings whose SQLite URL is f\"sqlite:///{BASE_DIR}/db.sqlite3\" (dj_database_url.config's default, django-environ's env.db default, dj_database_url.parse of os.environ.get) THEN db.sqlite3 is linked into /data and migrate is the release step", () => {
        const head = "import os\nfrom pathlib import Path\nimport dj_database_url\nimport environ\nenv = environ.Env()\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.contenttypes']\nROOT_URLCONF = 'site_.urls'\nWSGI_APPLICATION = 'site_.wsgi.application'\n";
        for (const db of [
            `dj_database_url.config(default=f"sqlite:///{BASE_DIR}/db.sqlite3", conn_max_age=600)`,
            `env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR}/db.sqlite3")`,
            `dj_database_url.parse(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR}/db.sqlite3"))`,
        ]) {
            const dir = apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings')\n",
                "site_/__init__.py": "",
                "site_/settings.py": `${head}DATABASES = {"default": ${db}}\n`,
                "site_/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ndj-database-url\ndjango-environ\ngunicorn\n",
            });
            const { plan } = synthesize(dir);
            assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/app/db.sqlite3", to: "/data/db.sqlite3" }]]], db);
            assert.deepEqual(plan.release?.command, ["python", "manage.py", "migrate", "--noinput"], db);
        }
    });

    it("GIVEN a Django project whose manage.py and wsgi.py give DJANGO_SETTINGS_MODULE no default, and a platform config that sets it THEN those settings are read and the image sets them", () => {
        const dir = apps.make({
            "manage.py": "import sys\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n",
            "tots/__init__.py": "",
            "tots/settings/__init__.py": "",
            "tots/settings/base.py": [
                "import os",
                "BASE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))",
                "SECRET_KEY = os.environ.get('SECRET_KEY') or None",
                "INSTALLED_APPS = ['django.contrib.contenttypes']",
                "WSGI_APPLICATION = 'tots.wsgi.application'",
                "if os.environ.get('DATABASE_URL'):",
                "    import dj_database_url",
                "    DATABASES = {'default': dj_database_url.config()}",
                "else:",
                "    config = {'ENGINE': os.getenv('DB_ENGINE') or 'django.db.backends.sqlite3', 'NAME': os.getenv('DB_NAME') or os.path.join(BASE_DIR, 'data/db.sqlite3')}",
                "    DATABASES = {'default': config}",
                "",
            ].join("\n"),
            "tots/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            Procfile: "web: gunicorn tots.wsgi:application\n",
            "fly.toml": 'app = "tots"\n[env]\n  DJANGO_SETTINGS_MODULE = "tots.settings.base"\n',
            "requirements.txt": "django\ndj-database-url\ngunicorn\n",
        });
        const { plan, dockerfile } = synthesize(dir);
        assert.equal(plan.imageEnv["DJANGO_SETTINGS_MODULE"], "tots.settings.base");
        assert.match(dockerfile, /^ENV DJANGO_SETTINGS_MODULE="tots\.settings\.base"$/m);
        assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/app/data/db.sqlite3", to: "/data/data/db.sqlite3" }]]]);
        assert.deepEqual(plan.release?.command, ["python", "manage.py", "migrate", "--noinput"]);
        assert.ok(
            plan.notes.includes(
                "Neither manage.py nor the server's module gives DJANGO_SETTINGS_MODULE a default; fly.toml [env] sets them: the image sets DJANGO_SETTINGS_MODULE=tots.settings.base for the server, the build steps and manage.py commands; the container's environment overrides it.",
            ),
            plan.notes.join("\n"),
        );
    });

    it("GIVEN a platform config that sets DISABLE_COLLECTSTATIC=1 (Heroku's buildpack convention) THEN collectstatic does not run, with a note, unless `collectStatic` is true; 0 does not disable it", () => {
        const files = (value: string) => ({
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings')\n",
            "site_/__init__.py": "",
            "site_/settings.py": "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nINSTALLED_APPS = ['django.contrib.staticfiles']\nWSGI_APPLICATION = 'site_.wsgi.application'\nSTATIC_URL = 'static/'\nSTATIC_ROOT = BASE_DIR / 'static'\n",
            "site_/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "fly.toml": `app = "site"\n[env]\n  DISABLE_COLLECTSTATIC = "${value}"\n`,
            "requirements.txt": "django\ngunicorn\n",
        });
        const off = synthesize(apps.make(files("1"))).plan;
        assert.deepEqual(off.buildSteps, []);
        assert.ok(
            off.notes.includes(
                "collectstatic does not run: fly.toml [env] sets DISABLE_COLLECTSTATIC, with which the platform's build skips it (the app ships its collected static files, and collecting again would rewrite their manifest); set `collectStatic: true` to run it.",
            ),
            off.notes.join("\n"),
        );
        assert.deepEqual(synthesize(apps.make(files("1")), { collectStatic: true }).plan.buildSteps.map((b) => b.name), ["collectstatic"]);
        assert.deepEqual(synthesize(apps.make(files("0"))).plan.buildSteps.map((b) => b.name), ["collectstatic"]);
    });

    it("GIVEN DATABASES = {\"default\": default_database}, the name set by an if/else on a variable with an SQLite default, and an end-to-end test folder that makes a folder THEN the SQLite file is linked into /data, migrate is the release step, the note names the switch, and the test folder's write is not the app's", () => {
        const dir = apps.make({
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'marks.settings')\n",
            "marks/__init__.py": "",
            "marks/settings.py": [
                "import os",
                "BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))",
                "SECRET_KEY = 'x'",
                "INSTALLED_APPS = ['django.contrib.contenttypes']",
                "WSGI_APPLICATION = 'marks.wsgi.application'",
                'DB_ENGINE = os.getenv("MARKS_DB_ENGINE", "sqlite")',
                'if DB_ENGINE == "postgres":',
                '    default_database = {"ENGINE": "django.db.backends.postgresql", "NAME": os.getenv("MARKS_DB_NAME", "marks")}',
                "else:",
                '    default_database = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "db.sqlite3")}',
                'DATABASES = {"default": default_database}',
                "",
            ].join("\n"),
            "marks/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "marks/tests_e2e/__init__.py": "",
            "marks/tests_e2e/helpers.py": 'import os\nos.makedirs("test-results/screenshots", exist_ok=True)\n',
            "requirements.txt": "django\ngunicorn\n",
        });
        const { plan } = synthesize(dir);
        assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/app/db.sqlite3", to: "/data/db.sqlite3" }]]]);
        assert.deepEqual(plan.release?.command, ["python", "manage.py", "migrate", "--noinput"]);
        assert.ok(
            plan.notes.some((n) => n.startsWith('The Django settings use SQLite unless `DB_ENGINE == "postgres"` holds (marks/settings.py), which replaces DATABASES with a database server')),
            plan.notes.join("\n"),
        );
    });

    it("GIVEN an SQLite NAME joined from BASE_DIR and os.environ.get(\"DATABASE_NAME\", \"bakerydemodb\") THEN the default is the file: linked into /data and migrated", () => {
        const settings = (name: string) =>
            ["import os", "BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))", "SECRET_KEY = 'x'", "INSTALLED_APPS = ['django.contrib.contenttypes']", "WSGI_APPLICATION = 'bakery.wsgi.application'",
             `DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ${name}}}`, ""].join("\n");
        const files = (name: string) => ({
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'bakery.settings')\n",
            "bakery/__init__.py": "",
            "bakery/settings.py": settings(name),
            "bakery/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\ngunicorn\n",
        });
        const plan = synthesize(apps.make(files('os.path.join(BASE_DIR, os.environ.get("DATABASE_NAME", "bakerydemodb"))'))).plan;
        assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/app/bakerydemodb", to: "/data/bakerydemodb" }]]]);
        assert.deepEqual(plan.release?.command, ["python", "manage.py", "migrate", "--noinput"]);
        const getenv = synthesize(apps.make(files('os.path.join(BASE_DIR, "db", os.getenv("DATABASE_NAME", "bakery.sqlite3"))'))).plan;
        assert.deepEqual(getenv.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/app/db/bakery.sqlite3", to: "/data/db/bakery.sqlite3" }]]]);
    });

    it("GIVEN DATABASES = {} then DATABASES[\"default\"] = ... (SQLite, dj_database_url with an SQLite default, a server), or the key replaced only `if \"DATABASE_URL\" in os.environ:` THEN the item assignment is the setting: SQLite is linked and migrated, a server gets the migrate note", () => {
        const project = (databases: string) =>
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'marks.settings')\n",
                "marks/__init__.py": "",
                "marks/settings.py": ["import os", "import dj_database_url", "BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))", "SECRET_KEY = 'x'", "INSTALLED_APPS = ['django.contrib.contenttypes']", "WSGI_APPLICATION = 'marks.wsgi.application'", databases, ""].join("\n"),
                "marks/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ngunicorn\ndj-database-url\n",
            });
        const sqlite = "/data/db.sqlite3";
        for (const databases of [
            'DATABASES = {}\nDATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "db.sqlite3")}',
            'DATABASES = {}\nDATABASES["default"] = dj_database_url.config(default="sqlite:///" + os.path.join(BASE_DIR, "db.sqlite3"))',
            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "db.sqlite3")}}\nif "DATABASE_URL" in os.environ:\n    DATABASES["default"] = dj_database_url.config(conn_max_age=500)',
        ]) {
            const { plan } = synthesize(project(databases));
            assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/app/db.sqlite3", to: sqlite }]]], databases);
            assert.deepEqual(plan.release?.command, ["python", "manage.py", "migrate", "--noinput"], databases);
        }
        const guarded = synthesize(project('DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "db.sqlite3")}}\nif "DATABASE_URL" in os.environ:\n    DATABASES["default"] = dj_database_url.config()')).plan;
        assert.ok(guarded.notes.some((n) => n.startsWith("The Django settings use SQLite unless `\"DATABASE_URL\" in os.environ` holds (marks/settings.py), which replaces DATABASES with a database server")), guarded.notes.join("\n"));
        const server = synthesize(project('DATABASES = {}\nDATABASES["default"] = dj_database_url.config(default="postgres://u:p@localhost/marks")')).plan;
        assert.equal(server.release, undefined);
        assert.ok(server.notes.some((n) => n.startsWith("Django apps usually need `python manage.py migrate` before serving; the database here is a server")), server.notes.join("\n"));
    });

    it("GIVEN DATABASES nested (`DATABASES[\"default\"][\"NAME\"] = ...`), set in a loop, or from a helper of another module THEN the nested item is SQLite; the others are named as unreadable, not called a server, and a start script's migrate is kept", () => {
        const project = (databases: string, extra: Record<string, string> = {}) =>
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'marks.settings')\n",
                "marks/__init__.py": "",
                "marks/settings.py": ["import os", "BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))", "SECRET_KEY = 'x'", "INSTALLED_APPS = ['django.contrib.contenttypes']", "WSGI_APPLICATION = 'marks.wsgi.application'", databases, ""].join("\n"),
                "marks/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ngunicorn\n",
                ...extra,
            });
        const nested = synthesize(project('DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}\nDATABASES["default"]["NAME"] = os.path.join(BASE_DIR, "data", "db.sqlite3")')).plan;
        assert.deepEqual(nested.writablePaths.map((w) => [w.path, w.links]), [["/data", [{ from: "/app/data/db.sqlite3", to: "/data/data/db.sqlite3" }]]]);
        assert.deepEqual(nested.release?.command, ["python", "manage.py", "migrate", "--noinput"]);
        const unreadable = (text: string) =>
            `The Django settings' DATABASES takes \`${text}\` (marks/settings.py), which could not be read as SQLite or as a database server, so the package runs no migrate: ` +
            'set `releaseCommand: ["python", "manage.py", "migrate", "--noinput"]` to run it once per deploy, and, if it is an SQLite file, name the file or its folder in `writablePaths` as data (`{ "db.sqlite3": "data" }`) so the app may write it and it survives a restart.';
        for (const [databases, text, extra] of [
            ['DATABASES = {}\nfor alias in ["default"]:\n    DATABASES[alias] = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, alias + ".sqlite3")}', "DATABASES (set in a loop)", {}],
            ['from marks.dbconf import database_config\nDATABASES = {"default": database_config()}', "database_config()", { "marks/dbconf.py": "def database_config():\n    return {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}\n" }],
        ] as const) {
            const plan = synthesize(project(databases, extra)).plan;
            assert.equal(plan.release, undefined, databases);
            assert.ok(plan.notes.includes(unreadable(text)), plan.notes.join("\n"));
            assert.ok(!plan.notes.some((n) => n.includes("the database here is a server")), databases);
        }
        const script = synthesize(
            project('from marks.dbconf import database_config\nDATABASES = {"default": database_config()}', {
                "marks/dbconf.py": "def database_config():\n    return {}\n",
                Procfile: "web: python manage.py migrate && gunicorn marks.wsgi\n",
            }),
        ).plan;
        assert.deepEqual(script.release?.command, ["python", "manage.py", "migrate"]);
    });
});

/** A small well-formed uv.lock for the fastapi-uv project that also locks `extra`. */
/** A uv.lock whose root project (the fixture's) depends on fastapi and `extra`. */
function uvLockWith(extra: string[]): string {
    const names = ["fastapi", "starlette", ...extra].sort();
    const root = `\n[[package]]\nname = "fastapi-uv"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [${["fastapi", ...extra].map((n) => `{ name = "${n}" }`).join(", ")}]\n`;
    return (
        'version = 1\nrequires-python = ">=3.12"\n' +
        root +
        names.map((n) => `\n[[package]]\nname = "${n}"\nversion = "1.0.0"\nsource = { registry = "https://packages.example/simple" }\n`).join("")
    );
}

describe("the build step runner", () => {
    const CASE = path.join(FIXTURES, "cases", "django-whitenoise-collectstatic");
    /** Runs the runner the Dockerfile carries (its heredoc) with host Python on a command that fails with `message`. */
    const failWith = (message: string): string => {
        const lines = synthesize(CASE).dockerfile.split("\n");
        const start = lines.findIndex((l) => l.startsWith("COPY <<'EOF' /opt/build-tools/run-step.py"));
        assert.ok(start >= 0, "the Dockerfile carries the step runner");
        const source = lines.slice(start + 1, lines.indexOf("EOF", start)).join("\n");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-runner-"));
        fs.writeFileSync(path.join(dir, "run-step.py"), source);
        const r = spawnSync("python3", [path.join(dir, "run-step.py"), "collectstatic", "`collectStatic: false`", dir, "--", "python3", "-c", `import sys; print(${JSON.stringify(message)}); sys.exit(1)`], { encoding: "utf8" });
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(r.status, 1);
        return r.stderr;
    };

    it("GIVEN python-decouple's missing-variable error THEN the failure names the variable and buildEnv", () => {
        assert.match(failWith("decouple.UndefinedValueError: SECRET_KEY not found. Declare it as envvar or define a default value."), /It reads SECRET_KEY from the environment: give it with `buildEnv`/);
    });
    it("GIVEN a front-end tool that refuses the builder's Node.js THEN the failure names both versions and the fix, not the settings", () => {
        const out = failWith("You are using Node.js 18.20.4. Vite requires Node.js version 20.19+ or 22.12+. Please upgrade your Node.js version.\\nerror during build:\\n[vite:vue] crypto.hash is not a function");
        assert.match(out, /Vite needs Node\.js 20\.19\+ or 22\.12\+, newer than the builder's 18\.20\.4 \(the base image's nodejs\): set `python` to a version whose base image ships a newer one/);
        assert.doesNotMatch(out, /settings need variables/);
    });
    it("GIVEN a front-end build that fails in Vite/Rollup (a stack whose frames name `error`) THEN the failure quotes the reason after `error during build:`, with the front-end's fix, not the settings'", () => {
        const lines = synthesize(CASE).dockerfile.split("\n");
        const start = lines.findIndex((l) => l.startsWith("COPY <<'EOF' /opt/build-tools/run-step.py"));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-runner-"));
        try {
            fs.writeFileSync(path.join(dir, "run-step.py"), lines.slice(start + 1, lines.indexOf("EOF", start)).join("\n"));
            fs.writeFileSync(
                path.join(dir, "npm"),
                '#!/bin/sh\necho "vite v5.4.0 building for production..."\necho "error during build:"\necho \'Could not resolve entry module "static/scss/theme.scss".\'\necho "    at getRollupError (file:///app/node_modules/rollup/dist/es/shared/parseAst.js:396:41)"\necho "    at error (file:///app/node_modules/rollup/dist/es/shared/parseAst.js:392:42)"\nexit 1\n',
                { mode: 0o755 },
            );
            const r = spawnSync("python3", [path.join(dir, "run-step.py"), "npm run build", "`frontendBuild: false`", dir, "--", "sh", "-c", "npm ci --no-audit --no-fund && npm run build && rm -rf node_modules"], {
                encoding: "utf8",
                env: { ...process.env, PATH: `${dir}:${process.env["PATH"]}` },
            });
            assert.equal(r.status, 1);
            assert.equal(
                r.stderr.trim(),
                'pulumi-python-app: build step npm run build failed (exit 1): Could not resolve entry module "static/scss/theme.scss". Fix the front-end build, or build it ahead and ship its output in the source folder. Or turn it off with `frontendBuild: false`.',
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("GIVEN environs' EnvError and Starlette Config's KeyError THEN the failure names the variable", () => {
        assert.match(failWith('environs.EnvError: Environment variable "DATABASE_URL" not set'), /It reads DATABASE_URL from the environment: give it with `buildEnv`/);
        assert.match(failWith(`KeyError: "Config 'SECRET_KEY' is missing, and has no default."`), /It reads SECRET_KEY from the environment: give it with `buildEnv`/);
    });
    it("GIVEN django-environ's ImproperlyConfigured THEN the failure names the variable", () => {
        assert.match(failWith("django.core.exceptions.ImproperlyConfigured: Set the DATABASE_URL environment variable"), /It reads DATABASE_URL from the environment/);
    });
    it("GIVEN settings that write a key file and a database into data paths when collectstatic imports them THEN the step gets those paths and the runner removes what the step wrote there, and only that", () => {
        const settings = [
            "import os",
            "from pathlib import Path",
            "from django.utils.crypto import get_random_string",
            "BASE_DIR = Path(__file__).resolve().parent.parent",
            'DATA_DIR = os.path.join(BASE_DIR, "data")',
            "os.makedirs(DATA_DIR, exist_ok=True)",
            'SECRET_FILE = os.path.join(DATA_DIR, ".secret")',
            "if os.path.exists(SECRET_FILE):",
            "    SECRET_KEY = open(SECRET_FILE).read()",
            "else:",
            "    SECRET_KEY = get_random_string(50)",
            '    with open(SECRET_FILE, "w") as f:',
            "        f.write(SECRET_KEY)",
            "INSTALLED_APPS = ['django.contrib.staticfiles']",
            "ROOT_URLCONF = 'site_.urls'",
            "WSGI_APPLICATION = 'site_.wsgi.application'",
            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}',
            'STATIC_URL = "static/"',
            'STATIC_ROOT = BASE_DIR / "staticfiles"',
            "",
        ].join("\n");
        const app = apps.make({
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings')\n",
            "site_/__init__.py": "",
            "site_/settings.py": settings,
            "site_/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "data/seed.json": "{}\n",
            "requirements.txt": "django\ngunicorn\n",
        });
        const r = synthesize(app);
        assert.ok(!r.plan.notes.some((n) => n.includes("random value")), "a key kept in a file is not drawn per worker");
        const run = r.dockerfile.split("\n").find((l) => l.includes('"collectstatic","`collectStatic: false`"'))!;
        assert.deepEqual(JSON.parse(run.slice("RUN ".length)).filter((a: string) => a.startsWith("--keep-out=")), ["--keep-out=/app/data", "--keep-out=/app/db.sqlite3"]);
        // The runner itself, with host Python, on a folder standing in for /app.
        const lines = r.dockerfile.split("\n");
        const start = lines.findIndex((l) => l.startsWith("COPY <<'EOF' /opt/build-tools/run-step.py"));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-runner-"));
        fs.writeFileSync(path.join(dir, "run-step.py"), lines.slice(start + 1, lines.indexOf("EOF", start)).join("\n"));
        fs.mkdirSync(path.join(dir, "data"));
        fs.writeFileSync(path.join(dir, "data", "seed.json"), "{}\n");
        const write = "import os; os.makedirs('data/cache'); open('data/.secret','w').write('k'); open('data/cache/x','w'); open('db.sqlite3','w'); open('static.txt','w')";
        const res = spawnSync("python3", [path.join(dir, "run-step.py"), "collectstatic", "off", dir, `--keep-out=${dir}/data`, `--keep-out=${dir}/db.sqlite3`, "--", "python3", "-c", write], { encoding: "utf8" });
        const left = fs.readdirSync(dir).sort();
        const data = fs.readdirSync(path.join(dir, "data"));
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(res.status, 0, res.stderr);
        assert.deepEqual(data, ["seed.json"]);
        assert.deepEqual(left, ["data", "run-step.py", "static.txt"]);
        assert.match(res.stdout, /build step collectstatic wrote .*\/data\/\.secret, in a data path: removed from the image/);
    });
});

describe("a build step that imports a module opening a file in a folder the app writes", () => {
    it("runs with the app's writable folders made where missing, and without them again after, the logs it wrote included (Django's LOGGING FileHandler under logs/)", () => {
        const settings = [
            "from pathlib import Path",
            "BASE_DIR = Path(__file__).resolve().parent.parent",
            'SECRET_KEY = "x"',
            "INSTALLED_APPS = ['django.contrib.staticfiles']",
            'STATIC_URL = "static/"',
            'STATIC_ROOT = BASE_DIR / "staticfiles"',
            'LOGGING = {"version": 1, "handlers": {"file": {"class": "logging.FileHandler", "filename": BASE_DIR / "logs" / "django.log"}}, "root": {"handlers": ["file"]}}',
            "",
        ].join("\n");
        const r = synthesize(
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings')\n",
                "site_/__init__.py": "",
                "site_/settings.py": settings,
                "site_/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ngunicorn\n",
            }),
        );
        const lines = r.dockerfile.split("\n");
        const start = lines.findIndex((l) => l.startsWith("COPY <<'EOF' /opt/build-tools/run-step.py"));
        const source = lines.slice(start + 1, lines.indexOf("EOF", start));
        assert.ok(source.includes('make = ["/app/logs"]'), source.join("\n"));
        // The runner itself, with host Python, on a folder standing in for /app.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-runner-"));
        try {
            const step = (code: string, ...make: string[]) => {
                const folders = `make = ${JSON.stringify(make.map((m) => `${dir}/${m}`))}`;
                fs.writeFileSync(path.join(dir, "run-step.py"), source.map((l) => (l.startsWith("make = ") ? folders : l)).join("\n"));
                return spawnSync("python3", [path.join(dir, "run-step.py"), "collectstatic", "off", dir, "--", "python3", "-c", code], { encoding: "utf8" });
            };
            const log = step("open('logs/django.log', 'w').write('started'); open('var/log/app/a.log.1', 'w'); open('static.txt', 'w')", "logs", "var/log/app");
            assert.equal(log.status, 0, log.stderr);
            assert.deepEqual(fs.readdirSync(dir).sort(), ["run-step.py", "static.txt"]);
            // A folder the step left another file in stays, and one the source has is not touched.
            fs.mkdirSync(path.join(dir, "media"));
            const other = step("open('cache/x.bin', 'w'); open('media/m.log', 'w')", "cache", "media");
            assert.equal(other.status, 0, other.stderr);
            assert.deepEqual([fs.readdirSync(path.join(dir, "cache")), fs.readdirSync(path.join(dir, "media"))], [["x.bin"], ["m.log"]]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("schedulers started at import", () => {
    const SCHED = "from apscheduler.schedulers.background import BackgroundScheduler\n\nscheduler = BackgroundScheduler()\n";
    const notes = (files: Record<string, string>, options = {}) =>
        synthesize(apps.make({ "requirements.txt": "flask\napscheduler\n", ...files }), options).plan.notes.filter((n) => n.includes("runs its own scheduler"));

    it("GIVEN app.py starting a scheduler imported from the app's own module THEN a note names it and the fix", () => {
        assert.deepEqual(notes({ "jobs.py": SCHED, "app.py": `from flask import Flask\nfrom jobs import scheduler\n\napp = Flask(__name__)\nscheduler.start()\n` }), [
            "app.py starts BackgroundScheduler (apscheduler.schedulers.background.BackgroundScheduler) when it is imported, and every gunicorn worker imports the app, so each of the workers (one per CPU and more, by default) runs its own scheduler and every job runs once per worker: " +
                "set `workers: 1` (its threads still serve requests side by side), or run the scheduler as a process of its own.",
        ]);
    });
    it("GIVEN `workers: 1`, a start under `if __name__ == \"__main__\":`, or a start inside a function THEN no note", () => {
        const app = `from flask import Flask\n${SCHED}\napp = Flask(__name__)\nscheduler.start()\n`;
        assert.deepEqual(notes({ "app.py": app }, { workers: 1 }), []);
        assert.deepEqual(notes({ "app.py": app.replace("scheduler.start()", 'if __name__ == "__main__":\n    scheduler.start()') }), []);
        assert.deepEqual(notes({ "app.py": app.replace("scheduler.start()", "def boot():\n    scheduler.start()") }), []);
    });
    it("GIVEN a scheduler started in an ASGI app's startup hook (FastAPI's lifespan, `@app.on_event(\"startup\")`, Starlette's on_startup) THEN the note names the hook, which every worker runs", () => {
        const asgi = "from contextlib import asynccontextmanager\nfrom apscheduler.schedulers.asyncio import AsyncIOScheduler\nfrom fastapi import FastAPI\n\nscheduler = AsyncIOScheduler()\n\n\n";
        const lifespan = `${asgi}@asynccontextmanager\nasync def lifespan(_):\n    scheduler.start()\n    yield\n    scheduler.shutdown()\n\n\napp = FastAPI(lifespan=lifespan)\n`;
        const on = (files: Record<string, string>) => notes({ "requirements.txt": "fastapi\napscheduler\nuvicorn\n", ...files });
        assert.deepEqual(on({ "main.py": lifespan }), [
            "main.py starts AsyncIOScheduler (apscheduler.schedulers.asyncio.AsyncIOScheduler) in its startup hook lifespan(), and every gunicorn worker runs it, so each of the workers (one per CPU and more, by default) runs its own scheduler and every job runs once per worker: " +
                "set `workers: 1` (its threads still serve requests side by side), or run the scheduler as a process of its own.",
        ]);
        assert.equal(on({ "main.py": `${asgi}app = FastAPI()\n\n\n@app.on_event("startup")\nasync def boot():\n    scheduler.start()\n` }).length, 1);
        assert.equal(on({ "main.py": `from starlette.applications import Starlette\n${asgi}\ndef boot():\n    scheduler.start()\n\n\napp = Starlette(on_startup=[boot])\n` }).length, 1);
        // A shutdown hook, or a function no hook names: no note.
        assert.equal(on({ "main.py": `${asgi}app = FastAPI()\n\n\n@app.on_event("shutdown")\nasync def boot():\n    scheduler.start()\n` }).length, 0);
    });
});

describe("uv workspaces with services in members", () => {
    const TWO = path.join(FIXTURES, "..", "fixtures", "apps", "r10a-uvws-two-services");

    it("GIVEN two members that each hold an app and no workspacePackage THEN it is refused naming both", () => {
        assert.throws(
            () => synthesize(TWO),
            (e: Error) =>
                e.message ===
                "The uv workspace holds an app in more than one member: fleet-admin (fleet_admin:create_app(), in services/admin/src/fleet_admin/__init__.py); " +
                    "fleet-api (fleet_api.main:app, in services/api/src/fleet_api/main.py). Set `workspacePackage` to the member to deploy (one PythonApp per service).",
        );
    });
    it("GIVEN workspacePackage THEN that member's app is served and that member synced", () => {
        for (const [member, spec] of [["fleet-admin", "fleet_admin:create_app()"], ["fleet_api", "fleet_api.main:app"]]) {
            const { plan, dockerfile } = synthesize(TWO, { workspacePackage: member });
            assert.equal(plan.entrypoint.spec, spec);
            assert.match(dockerfile, new RegExp(`uv sync --locked --no-editable --inexact --no-default-groups --package ${member.replace("_", "-")} `));
        }
    });
    it("GIVEN a member with no sibling dependency pointed at on its own (full-stack-fastapi-template's backend/) THEN a note says the workspace's uv.lock pins it and how to install the locked versions", () => {
        const dir = apps.make({
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["services/*"]\n',
            "uv.lock": "version = 1\n",
            "services/api/pyproject.toml": '[project]\nname = "fleet-api"\nversion = "0.1.0"\ndependencies = ["fastapi>=0.115", "uvicorn"]\n',
            "services/api/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        });
        const notes = synthesize(path.join(dir, "services", "api")).plan.notes.filter((n) => n.includes("uv workspace"));
        assert.deepEqual(notes, [
            "The source folder is the member services/api of the uv workspace at ../.. (its pyproject.toml's [tool.uv.workspace]), whose ../../uv.lock pins its dependencies: " +
                'this folder has no lock of its own, so the image installs the newest versions its ranges allow. To install the locked ones, point `source` at ../.. and set `workspacePackage: "fleet-api"`.',
        ]);
        // Not a member (the globs name another folder), or no lock: no note.
        fs.writeFileSync(path.join(dir, "pyproject.toml"), '[tool.uv.workspace]\nmembers = ["apps/*"]\n');
        assert.equal(synthesize(path.join(dir, "services", "api")).plan.notes.filter((n) => n.includes("uv workspace")).length, 0);
    });
    it("GIVEN a member pointed at on its own, taking a sibling from the workspace THEN it is refused naming the root", () => {
        assert.throws(() => synthesize(path.join(FIXTURES, "..", "fixtures", "apps", "r10a-uvws-member-alone")), /^InputError: pyproject\.toml's \[tool\.uv\.sources\] takes acme-core from the uv workspace/);
    });
});

describe("what a command line's command writes", () => {
    it("GIVEN a Flask CLI command (`@bp.cli.command`, click's, Typer's) rewriting a committed file of the static folder (CTFd's `flask build jsenums`) THEN no data volume over the shipped files; a folder the command makes that ships nothing still is one", () => {
        const cli = (decorator: string, target: string) =>
            `import os\nimport click\nfrom flask import Blueprint, current_app\n\nbp = Blueprint("cli", __name__)\n\n\n${decorator}\ndef build():\n    path = os.path.join(current_app.root_path, "${target}")\n    with open(path, "w+") as f:\n        f.write("export const A = 1;")\n`;
        const files = {
            "requirements.txt": "flask\n",
            "quiz/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    from quiz.cli import bp\n    app.register_blueprint(bp)\n    return app\n",
            "quiz/static/js/constants.js": "export const A = 0;\n",
            Procfile: 'web: gunicorn "quiz:create_app()"\n',
        };
        for (const decorator of ['@bp.cli.command("jsenums")', "@click.command()"]) {
            const { plan } = synthesize(apps.make({ ...files, "quiz/cli.py": cli(decorator, "static/js/constants.js") }));
            assert.deepEqual(plan.writablePaths, [], decorator);
        }
        // The same write outside a command (a route): the server's, as before.
        const route = synthesize(apps.make({ ...files, "quiz/cli.py": cli('@bp.route("/build")', "static/js/constants.js") })).plan;
        assert.notDeepEqual(route.writablePaths, []);
        // A command writing into a folder that ships nothing (exports/): kept, the release step may run it.
        const exports = synthesize(apps.make({ ...files, "quiz/cli.py": cli('@bp.cli.command("export")', "exports/all.csv") })).plan;
        assert.deepEqual(exports.writablePaths.map((w) => w.path), ["/app/quiz/exports"]);
    });
});

describe("Python names that are JavaScript Object members", () => {
    it("GIVEN an app whose functions, parameters, keywords, settings and variables are named constructor, toString, __proto__ and the like (mealie's `constructor(**args)`) THEN it is read as any other app", () => {
        const names = ["constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__proto__", "__defineGetter__", "__lookupGetter__"];
        const code = ["import os", "from flask import Flask", "", "app = Flask(__name__)", ""];
        for (const n of names) {
            code.push(
                `def ${n}(*args, **kwargs):\n    return ${n}\n`,
                `def use_${n}(${n}=None):\n    ${n}()\n    os.makedirs(${n}, exist_ok=True)\n    open(${n}, "w")\n    return ${n}(**{"${n}": 1})\n`,
                `${n}_value = os.environ.get("${n}", "${n}")`,
                `x_${n} = ${n}(${n}=${n}_value)`,
                `app.config["${n}"] = ${n}_value`,
                `obj_${n} = app.${n}`,
            );
        }
        const dir = apps.make({ "app.py": `${code.join("\n")}\n`, "requirements.txt": "flask\n", Procfile: "web: constructor=1 toString=2 gunicorn app:app --timeout 31\n" });
        const { plan } = synthesize(dir);
        assert.deepEqual([plan.entrypoint.spec, plan.server.timeout], ["app:app", 31]);
    });
});

describe("variables the factory's config object needs at start", () => {
    it("GIVEN from_object(os.environ.get('APP_SETTINGS', 'pkg.config.ProductionConfig')) THEN the module's class bodies' reads are named, with their file", () => {
        const dir = apps.make({
            "requirements.txt": "flask\n",
            "inkwell/__init__.py": "import os\nfrom flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    app.config.from_object(os.environ.get('APP_SETTINGS', 'inkwell.config.ProductionConfig'))\n    return app\n",
            "inkwell/config.py": "import os\n\nclass BaseConfig:\n    SECRET_KEY = os.environ['SECRET_KEY']\n\nclass ProductionConfig(BaseConfig):\n    DEBUG = False\n",
            Procfile: 'web: gunicorn "inkwell:create_app()"\n',
        });
        const [note] = synthesize(dir).plan.notes.filter((n) => n.includes("at import with no default"));
        assert.match(note, /^inkwell\/config\.py reads SECRET_KEY from the environment at import with no default/);
    });
});

describe("environment markers in requirements.txt", () => {
    it("GIVEN one project pinned per Python by markers THEN the pin the default Python takes decides, in either order; a Windows-only line is not the app's", () => {
        const lines = ['numpy==2.1.3 ; python_version >= "3.13"', 'numpy==1.26.4 ; python_version < "3.13"'];
        for (const order of [lines, [...lines].reverse()]) {
            const { plan } = synthesize(apps.make({ "requirements.txt": `flask==3.1.0\n${order.join("\n")}\npywin32==306 ; sys_platform == "win32"\n`, "app.py": FLASK_APP }));
            assert.equal(plan.python.version, "3.13");
        }
    });
});

describe("the package indexes requirements.txt names", () => {
    it("GIVEN --index-url, --extra-index-url and a local --find-links THEN the install of the added gunicorn reads them too, quoted, with ${VAR} left for pip", () => {
        const dir = apps.make({
            "requirements.txt": "-i https://${IDX_USER}:${IDX_TOKEN}@pkgs.internal.example/simple\n--extra-index-url https://mirror.internal.example/simple\n--find-links wheels\nflask==3.1.0\n",
            "wheels/README": "vendored wheels\n",
            "app.py": FLASK_APP,
        });
        const { plan, dockerfile } = synthesize(dir, { installSecrets: ["IDX_USER", "IDX_TOKEN"] });
        assert.deepEqual(plan.dependencies.indexOptions, ["--index-url https://${IDX_USER}:${IDX_TOKEN}@pkgs.internal.example/simple", "--extra-index-url https://mirror.internal.example/simple", "--find-links wheels"]);
        assert.ok(
            dockerfile.includes(
                "printf '%s\\n' '--index-url https://${IDX_USER}:${IDX_TOKEN}@pkgs.internal.example/simple' '--extra-index-url https://mirror.internal.example/simple' '--find-links wheels' > /tmp/index-options.txt && " +
                    "pip list --format=freeze > /tmp/installed.txt && pip install -r /tmp/index-options.txt -c /tmp/installed.txt gunicorn==",
            ),
        );
    });
    it("GIVEN two ${VAR}s and no install secrets THEN one refusal names both", () => {
        const dir = apps.make({ "requirements.txt": "--index-url https://${IDX_USER}:${IDX_TOKEN}@pkgs.internal.example/simple\nflask==3.1.0\n", "app.py": FLASK_APP });
        assert.throws(() => synthesize(dir), /refers to \$\{IDX_USER\}, \$\{IDX_TOKEN\}, .* no install secret is named IDX_USER or IDX_TOKEN; add them to `installSecrets`/);
    });
    it("GIVEN no index options THEN the added packages come from pip's configured index, with no options file", () => {
        const { dockerfile } = synthesize(apps.make({ "requirements.txt": "flask==3.1.0\n", "app.py": FLASK_APP }));
        assert.doesNotMatch(dockerfile, /index-options/);
    });
});

describe("state a library keeps in one process", () => {
    const notes = (files: Record<string, string>, options = {}) => synthesize(apps.make(files), options).plan.notes.filter((n) => n.includes("gunicorn workers"));
    const LIMITER = "from flask import Flask\nfrom flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\n\napp = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app, storage_uri=STORAGE)\n";

    it("GIVEN Flask-Limiter with memory:// THEN a note says each worker counts on its own and names the fix", () => {
        assert.deepEqual(notes({ "requirements.txt": "flask\nflask-limiter\n", "app.py": LIMITER.replace("STORAGE", '"memory://"') }), [
            "app.py: Flask-Limiter's Limiter keeps its counters in memory (memory://), so each of the gunicorn workers (one per CPU and more, by default) counts on its own " +
                "(a limit of 5 a minute lets 5 through per worker): give it a shared storage_uri (redis://..., memcached://...), or set `workers: 1`.",
        ]);
    });
    it("GIVEN a shared storage, RATELIMIT_STORAGE_URI in the config, or one worker THEN no note", () => {
        assert.deepEqual(notes({ "requirements.txt": "flask\nflask-limiter\n", "app.py": LIMITER.replace("STORAGE", '"redis://cache:6379"') }), []);
        const configured = LIMITER.replace(", storage_uri=STORAGE", "").replace("app = Flask(__name__)\n", 'app = Flask(__name__)\napp.config["RATELIMIT_STORAGE_URI"] = "redis://cache:6379"\n');
        assert.deepEqual(notes({ "requirements.txt": "flask\nflask-limiter\n", "app.py": configured }), []);
        assert.deepEqual(notes({ "requirements.txt": "flask\nflask-limiter\n", "app.py": LIMITER.replace("STORAGE", '"memory://"') }, { workers: 1 }), []);
    });
    it("GIVEN Django sessions kept in the cache alone (SESSION_ENGINE cache) with LocMemCache, set or Django's default THEN a note says a login drops between workers and names the fix; cached_db, or a shared cache, gets none", () => {
        const settings = (extra: string) => ({
            "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings")\n',
            "site_conf/__init__.py": "",
            "site_conf/settings.py": `SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.sessions"]\nROOT_URLCONF = "site_conf.urls"\nWSGI_APPLICATION = "site_conf.wsgi.application"\n${extra}`,
            "site_conf/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\n",
            Procfile: "web: gunicorn site_conf.wsgi --workers 3\n",
        });
        const cache = 'SESSION_ENGINE = "django.contrib.sessions.backends.cache"\n';
        const expected =
            'site_conf/settings.py: SESSION_ENGINE keeps sessions in the cache alone, and that cache is Django\'s default, LocMemCache, in each process\'s memory, so each of the 3 gunicorn workers knows only the sessions it made ' +
            '(a login drops whenever a request reaches another worker): use SESSION_ENGINE "django.contrib.sessions.backends.cached_db" (or the default, "db"), or a shared cache (Redis, Memcached), or set `workers: 1`.';
        assert.deepEqual(notes(settings(cache)), [expected]);
        const locmem = 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}\n';
        assert.deepEqual(notes(settings(cache + locmem)), [expected.replace("Django's default, LocMemCache", "LocMemCache")]);
        assert.deepEqual(notes(settings('SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"\n')), []);
        assert.deepEqual(notes(settings(cache + 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379"}}\n')), []);
    });
});

describe("data the app keeps in its own process between requests", () => {
    const STORE = "from fastapi import FastAPI\n\napp = FastAPI()\ntodos: list[dict] = []\n\n@app.post('/todos')\ndef add(todo: dict):\n    todos.append(todo)\n    return todo\n\n@app.get('/todos')\ndef all_todos():\n    return todos\n";
    const plan = (files: Record<string, string>, options = {}) => synthesize(apps.make({ "requirements.txt": "fastapi\n", ...files }), options).plan;

    it("GIVEN a module-level list its route handlers change THEN one worker, with a note naming it", () => {
        const p = plan({ "main.py": STORE });
        assert.equal(p.server.workers, 1);
        assert.ok(p.notes.some((n) => n.startsWith("main.py keeps `todos`, a container its request handlers change (todos.append()), in the process (its memory, or a folder only it knows)")));
    });
    it("GIVEN the same with a worker count in the Procfile, or `workers` THEN that count stays (a note, or nothing)", () => {
        const withProcfile = plan({ "main.py": STORE, Procfile: "web: uvicorn main:app --workers 4\n" });
        assert.equal(withProcfile.server.workers, undefined);
        assert.equal(withProcfile.server.defaultWorkers, 4);
        assert.ok(withProcfile.notes.some((n) => n.includes("keeps `todos`") && n.includes("runs several workers, which the image keeps")));
        assert.equal(plan({ "main.py": STORE }, { workers: 3 }).server.workers, 3);
    });
    it("GIVEN a folder tempfile.mkdtemp() makes at import that a handler writes into THEN one worker, with a note naming it", () => {
        const app = "import os, tempfile\nfrom flask import Flask, send_from_directory\n\napp = Flask(__name__)\nEXPORT_DIR = tempfile.mkdtemp(prefix='exports-')\n\n@app.post('/exports')\ndef make():\n    path = os.path.join(EXPORT_DIR, 'x.csv')\n    open(path, 'w').write('a')\n    return 'ok'\n\n@app.get('/exports/x')\ndef get():\n    return send_from_directory(EXPORT_DIR, 'x.csv')\n";
        const p = plan({ "app.py": app, "requirements.txt": "flask\n" });
        assert.equal(p.server.workers, 1);
        assert.ok(p.notes.some((n) => n.startsWith("app.py keeps `EXPORT_DIR`, a folder tempfile.mkdtemp() makes at import, which two of its request handlers use (each worker makes its own)")));
    });
    it("GIVEN a mkdtemp() folder that one handler alone uses (makes, sends and deletes its files) THEN no rule", () => {
        const app = "import os, shutil, tempfile\nfrom flask import Flask, send_file\n\napp = Flask(__name__)\nWORK = tempfile.mkdtemp()\n\n@app.post('/zip')\ndef zip_it():\n    d = os.path.join(WORK, 'x')\n    os.makedirs(d)\n    return send_file(shutil.make_archive(d, 'zip', d))\n";
        assert.equal(plan({ "app.py": app, "requirements.txt": "flask\n" }).server.workers, undefined);
    });
    it("GIVEN a Gradio app mounted into FastAPI THEN one worker, with a note naming the Blocks", () => {
        const app = "import gradio as gr\nfrom fastapi import FastAPI\n\napp = FastAPI()\ndemo = gr.Interface(fn=lambda s: s, inputs='text', outputs='text')\napp = gr.mount_gradio_app(app, demo, path='/ui')\n";
        const p = plan({ "main.py": app, "requirements.txt": "fastapi\ngradio\nuvicorn\n" });
        assert.equal(p.server.workers, 1);
        assert.ok(p.notes.some((n) => n.startsWith("main.py keeps `demo`, a Gradio app mounted with mount_gradio_app() (its event queue and sessions), in the process")));
        assert.equal(plan({ "main.py": app, "requirements.txt": "fastapi\ngradio\nuvicorn\n" }, { workers: 2 }).server.workers, 2);
    });
    it("GIVEN NiceGUI mounted with ui.run_with(app) THEN one worker with a note, and .nicegui/ (app.storage) is data", () => {
        const app = "from fastapi import FastAPI\nfrom nicegui import ui\n\napp = FastAPI()\n\n@ui.page('/')\ndef page():\n    ui.label('hi')\n\nui.run_with(app, mount_path='/gui', storage_secret='s')\n";
        const p = plan({ "main.py": app, "requirements.txt": "fastapi\nnicegui\nuvicorn\n" });
        assert.equal(p.server.workers, 1);
        assert.ok(p.notes.some((n) => n.startsWith("main.py keeps `ui`, NiceGUI's pages mounted with ui.run_with() (their Socket.IO connections and client state), in the process")));
        assert.deepEqual(p.writablePaths.map((w) => [w.path, w.kind]), [["/app/.nicegui", "data"]]);
    });
    it("GIVEN state a startup hook sets, or a store no handler changes THEN no rule", () => {
        const lifespan = "from contextlib import asynccontextmanager\nfrom fastapi import FastAPI\n\nSTATE = {}\n\n@asynccontextmanager\nasync def lifespan(app):\n    STATE['ready'] = True\n    yield\n\napp = FastAPI(lifespan=lifespan)\n\n@app.get('/')\ndef index():\n    return {'ready': STATE.get('ready', False)}\n";
        assert.equal(plan({ "main.py": lifespan }).server.workers, undefined);
    });
});

describe("signing keys drawn at random at import", () => {
    const notes = (files: Record<string, string>, options = {}) =>
        synthesize(apps.make({ "requirements.txt": "flask\n", ...files }), options).plan.notes.filter((n) => n.includes("to a random value"));
    const FLASK = "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n";

    it("GIVEN a Flask SECRET_KEY read from the environment with no default (`app.config[\"SECRET_KEY\"] = os.environ.get(...)`, a config class's field) THEN a note says it is None until set; not with a default, a raise that names it already, or a library's keyword", () => {
        const unset = (files: Record<string, string>) => synthesize(apps.make({ "requirements.txt": "flask\n", ...files })).plan.notes.filter((n) => n.includes("with no default, so it is None"));
        assert.deepEqual(unset({ "app.py": `${FLASK}app.config["SECRET_KEY"] = os.environ.get("FLASK_SECRET")\n` }), [
            'app.py sets ["SECRET_KEY"] from FLASK_SECRET with no default, so it is None until that is set: sessions, flash() and CSRF tokens fail at their first use. Set FLASK_SECRET with PythonApp\'s `secretEnv`.',
        ]);
        const config = "import os\n\n\nclass Config:\n    SECRET_KEY = os.getenv('SECRET_KEY')\n";
        assert.deepEqual(unset({ "config.py": config, "app.py": `${FLASK}app.config.from_object("config.Config")\n` }), [
            "config.py sets Config.SECRET_KEY from SECRET_KEY with no default, so it is None until that is set: sessions, flash() and CSRF tokens fail at their first use. Set SECRET_KEY with PythonApp's `secretEnv`.",
        ]);
        assert.deepEqual(unset({ "app.py": `${FLASK}app.config["SECRET_KEY"] = os.environ.get("FLASK_SECRET", "dev")\n` }), []);
        assert.deepEqual(unset({ "app.py": `${FLASK}SECRET_KEY = os.environ.get("SECRET_KEY")\nif not SECRET_KEY:\n    raise ValueError("set SECRET_KEY")\napp.secret_key = SECRET_KEY\n` }), []);
        assert.deepEqual(unset({ "app.py": `${FLASK}from flask_session import Session\nSession(app, secret_key=os.environ.get("S"))\n` }), []);
    });

    it("GIVEN a Flask SECRET_KEY that falls back to a value written in the code (`os.environ.get(\"SECRET_KEY\") or \"you-will-never-guess\"`) THEN a note says sessions can be forged until the variable is set; not when the image sets it, nor for Django's settings", () => {
        const fixed = (files: Record<string, string>) => synthesize(apps.make({ "requirements.txt": "flask\n", ...files })).plan.notes.filter((n) => n.includes("falling back to a value written in the code"));
        const config = "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY') or 'you-will-never-guess'\n";
        assert.deepEqual(fixed({ "config.py": config, "app.py": `${FLASK}app.config.from_object("config.Config")\n` }), [
            "config.py sets Config.SECRET_KEY from SECRET_KEY, falling back to a value written in the code: left unset, sessions and CSRF tokens are signed with a key anyone with the code has, so they can be forged. " +
                "Set SECRET_KEY with PythonApp's `secretEnv`.",
        ]);
        assert.deepEqual(fixed({ "app.py": `${FLASK}app.secret_key = os.getenv("SECRET_KEY", "dev")\n`, Procfile: "web: SECRET_KEY=abc gunicorn app:app\n" }), []);
        assert.deepEqual(fixed({ "app.py": `${FLASK}app.secret_key = os.getenv("SECRET_KEY", "")\n` }), []);
    });

    it("GIVEN app.secret_key = os.urandom(24) THEN a note says every worker draws its own and to read it from the environment", () => {
        assert.deepEqual(notes({ "app.py": `${FLASK}app.secret_key = os.urandom(24)\n` }), [
            "app.py sets app.secret_key to a random value: each gunicorn worker process (one per CPU and more, by default) and each restart draws its own, " +
                "so a session cookie, CSRF token or signed token made by one is rejected by the others (logins that drop at random): " +
                "read it from an environment variable and set that with PythonApp's `secretEnv`.",
        ]);
    });
    it("GIVEN a random default behind an environment variable (a config class, a factory's config item, a name bound first) THEN the note names the variable", () => {
        const config = "import os\nimport secrets\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY') or secrets.token_hex(16)\n";
        assert.match(notes({ "config.py": config, "app.py": `${FLASK}app.config.from_object("config.Config")\n` })[0], /^config\.py sets Config\.SECRET_KEY to a random value unless SECRET_KEY is set: .* set SECRET_KEY with PythonApp's `secretEnv`/);
        const factory = "import os\nimport uuid\nfrom flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    app.config['SECRET_KEY'] = os.getenv('APP_KEY', uuid.uuid4().hex)\n    return app\n";
        assert.match(notes({ "app.py": factory })[0], /^app\.py sets \["SECRET_KEY"\] to a random value unless APP_KEY is set/);
        const bound = `${FLASK}import secrets\nKEY = secrets.token_urlsafe()\napp.config.update(SECRET_KEY=KEY)\n`;
        assert.match(notes({ "app.py": bound })[0], /^app\.py sets app\.config\.update\(SECRET_KEY=\.\.\.\) to a random value: /);
    });
    it("GIVEN Starlette's SessionMiddleware with a random secret_key, and one worker THEN the note says each container draws its own", () => {
        const app = "import secrets\nfrom fastapi import FastAPI\nfrom starlette.middleware.sessions import SessionMiddleware\n\napp = FastAPI()\napp.add_middleware(SessionMiddleware, secret_key=secrets.token_hex(32))\n";
        const [note] = synthesize(apps.make({ "requirements.txt": "fastapi\nitsdangerous\n", "main.py": app }), { workers: 1 }).plan.notes.filter((n) => n.includes("to a random value"));
        assert.match(note, /^main\.py sets app\.add_middleware\(secret_key=\.\.\.\) to a random value: each container \(and each restart\) draws its own/);
    });
    it("GIVEN Starlette's Config with env_prefix THEN the random default's variable is the prefixed one; a DevelopmentConfig's random key is not named", () => {
        const app = "import secrets\nfrom starlette.applications import Starlette\nfrom starlette.config import Config\nfrom starlette.middleware.sessions import SessionMiddleware\n\nconfig = Config('.env', env_prefix='CARGO_')\nSECRET_KEY = config('SECRET_KEY', default=secrets.token_urlsafe(32))\napp = Starlette()\n";
        const [note] = synthesize(apps.make({ "requirements.txt": "starlette\n", "main.py": app })).plan.notes.filter((n) => n.includes("to a random value"));
        assert.match(note, /^main\.py sets SECRET_KEY to a random value unless CARGO_SECRET_KEY is set: /);
        const config = "import os\nimport secrets\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY')\n\nclass DevelopmentConfig(Config):\n    SECRET_KEY = secrets.token_hex(16)\n\nclass TestingConfig(Config):\n    SECRET_KEY = os.urandom(8)\n";
        assert.deepEqual(notes({ "config.py": config, "app.py": `${FLASK}app.config.from_object("config.Config")\n` }), []);
    });
    it("GIVEN a fixed key, a key from the environment, or random values that sign nothing THEN no note", () => {
        assert.deepEqual(notes({ "app.py": `${FLASK}app.secret_key = os.environ["SECRET_KEY"]\nTOKEN = os.urandom(8)\napp.config["SECRET_KEY"] = "dev"\n` }), []);
    });
    it("GIVEN a Django project THEN only the server's settings count: a development module's random key is not named", () => {
        const files = {
            "requirements.txt": "django\n",
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings.dev')\nfrom django.core.management import execute_from_command_line\n",
            "site_/__init__.py": "",
            "site_/settings/__init__.py": "",
            "site_/settings/base.py": "INSTALLED_APPS = []\nROOT_URLCONF = 'site_.urls'\nWSGI_APPLICATION = 'site_.wsgi.application'\n",
            "site_/settings/dev.py": "from django.core.management.utils import get_random_secret_key\nfrom .base import *\nSECRET_KEY = get_random_secret_key()\n",
            "site_/settings/prod.py": "import os\nfrom django.core.management.utils import get_random_secret_key\nfrom .base import *\nSECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', get_random_secret_key())\n",
            "site_/urls.py": "urlpatterns = []\n",
            "site_/wsgi.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings.prod')\nfrom django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
        };
        const found = synthesize(apps.make(files)).plan.notes.filter((n) => n.includes("to a random value"));
        assert.equal(found.length, 1);
        assert.match(found[0], /^site_\/settings\/prod\.py sets SECRET_KEY to a random value unless DJANGO_SECRET_KEY is set: /);
    });
});

describe("setuptools' dynamic dependencies", () => {
    const PYPROJECT = (file: string) =>
        `[build-system]\nrequires = ["setuptools>=69"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "svc"\nversion = "1.0"\ndynamic = ["dependencies"]\n\n[tool.setuptools.dynamic]\ndependencies = { file = ${file} }\n`;

    it("GIVEN dependencies read from requirements/base.in THEN the file is copied with the manifests and installed before the source; its pins are the app's", () => {
        const dir = apps.make({ "pyproject.toml": PYPROJECT('["requirements/base.in"]'), "requirements/base.in": "# runtime\nflask==3.1.0\ngunicorn==23.0.0\n", "svc/__init__.py": FLASK_APP });
        const { plan, dockerfile } = synthesize(dir);
        assert.deepEqual(plan.manifests, ["pyproject.toml", "requirements/base.in"]);
        assert.deepEqual(plan.dependencies.requirementFiles, ["requirements/base.in"]);
        assert.deepEqual(plan.server.addedPackages, []);
        assert.match(dockerfile, /^ {4}&& pip install -r \/tmp\/pyproject-deps\.txt -r requirements\/base\.in( \\)?$/m);
        assert.ok(dockerfile.indexOf("-r requirements/base.in") < dockerfile.indexOf("COPY . ."));
    });
    it("GIVEN dynamic optional-dependencies with a production extra read from a file THEN that extra is installed by default from its file, and its gunicorn pin is the app's", () => {
        const pyproject =
            PYPROJECT('["requirements/base.in"]').replace('dynamic = ["dependencies"]', 'dynamic = ["dependencies", "optional-dependencies"]') +
            'optional-dependencies.production = { file = ["requirements/production.in"] }\noptional-dependencies.dev = { file = ["requirements/dev.in"] }\n';
        const dir = apps.make({
            "pyproject.toml": pyproject,
            "requirements/base.in": "flask==3.1.0\n",
            "requirements/production.in": "gunicorn==23.0.0\n",
            "requirements/dev.in": "pytest\n",
            "svc/__init__.py": FLASK_APP,
        });
        const { plan, dockerfile } = synthesize(dir);
        assert.deepEqual(plan.dependencies.groups, ["production"]);
        assert.deepEqual(plan.dependencies.requirementFiles, ["requirements/base.in", "requirements/production.in"]);
        assert.deepEqual(plan.server.addedPackages, []);
        assert.match(dockerfile, /pip install -r \/tmp\/pyproject-deps\.txt -r requirements\/base\.in -r requirements\/production\.in/);
        assert.doesNotMatch(dockerfile, /-r requirements\/dev\.in/);
    });
    it("GIVEN a dynamic file that is missing or names a path outside the folder THEN a note, and nothing of it installed", () => {
        for (const file of ['"missing.txt"', '["../up.txt"]']) {
            const { plan } = synthesize(apps.make({ "pyproject.toml": PYPROJECT(file), "svc/__init__.py": FLASK_APP }));
            assert.equal(plan.dependencies.requirementFiles, undefined);
            assert.ok(plan.notes.some((n) => n.startsWith("pyproject.toml's [tool.setuptools.dynamic] dependencies names ")), plan.notes.join("\n"));
        }
    });
});

describe("--find-links to a folder of the app", () => {
    it("GIVEN requirements/base.txt with `--find-links ../vendor` THEN vendor/ (relative to that file, as pip takes it) is copied with the manifests; a URL is pip's to fetch; a missing folder gets a note", () => {
        const dir = apps.make({
            "app.py": FLASK_APP,
            "requirements.txt": "-r requirements/base.txt\n--find-links https://wheels.example/simple\n",
            "requirements/base.txt": "--find-links ../vendor\nflask\nacme-slug==0.2.0\n",
            "vendor/acme_slug-0.2.0-py3-none-any.whl": "",
        });
        const { plan, dockerfile } = synthesize(dir);
        assert.deepEqual(plan.manifests, ["requirements.txt", "requirements/base.txt", "vendor/"]);
        assert.match(dockerfile, /^COPY \["vendor\/","vendor\/"\]$/m);
        const missing = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "-f ./wheels\nflask\n" })).plan;
        assert.ok(missing.notes.includes("requirements.txt's -f ./wheels names no folder inside the source folder; pip will not find packages there in the build."), missing.notes.join("\n"));
    });
});

describe("a pip.conf in the source folder", () => {
    it("GIVEN pip.conf setting a constraint THEN a note says the image's install does not read it and where the setting goes; GIVEN only unrelated settings THEN no note", () => {
        const notes = (conf: string) =>
            synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\n", "constraints.txt": "flask==3.0.3\n", "pip.conf": conf })).plan.notes.filter((n) => n.startsWith("pip.conf"));
        assert.deepEqual(notes("[global]\ndisable-pip-version-check = true\n\n[install]\nconstraint = constraints.txt\n"), [
            "pip.conf sets constraint, but pip reads no config file from the project folder (only its own places, or PIP_CONFIG_FILE), so the image's install does not apply it: " +
                "put constraints and indexes in the requirements file (-c constraints.txt, --index-url ...), with an index's credentials as `installSecrets`.",
        ]);
        assert.deepEqual(notes("[global]\ntimeout = 60\n"), []);
    });
});

describe("a Flask config chosen by a variable", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN flasky's layout, create_app(os.getenv(\"FLASK_CONFIG\") or \"default\") loading config[name] where \"default\" is DevelopmentConfig THEN a note says the server runs the development config and to set FLASK_CONFIG=production; not with \"production\" as the fallback, nor when the image sets it", () => {
        const files = (fallback: string, procfile = "web: gunicorn flasky:app\n") =>
            apps.make({
                "config.py":
                    "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY', 'x')\n\n\nclass DevelopmentConfig(Config):\n    DEBUG = True\n\n\nclass ProductionConfig(Config):\n    pass\n\n\n" +
                    "config = {'development': DevelopmentConfig, 'production': ProductionConfig, 'default': DevelopmentConfig}\n",
                "app/__init__.py": "from flask import Flask\nfrom config import config\n\n\ndef create_app(config_name):\n    app = Flask(__name__)\n    app.config.from_object(config[config_name])\n    return app\n",
                "flasky.py": `import os\nfrom app import create_app\n\napp = create_app(os.getenv('FLASK_CONFIG') or '${fallback}')\n`,
                "requirements.txt": "flask\ngunicorn\n",
                Procfile: procfile,
            });
        const noted = (dir: string) => synthesize(dir).plan.notes.filter((n) => n.includes("runs the development config"));
        assert.deepEqual(noted(files("default")), [
            'flasky.py makes the app with the config FLASK_CONFIG names, "default" when unset, which config.py maps to DevelopmentConfig: the server runs the development config (DEBUG on, its development database). ' +
                "Set FLASK_CONFIG=production with PythonApp's `env`.",
        ]);
        assert.deepEqual(noted(files("production")), []);
        assert.deepEqual(noted(files("default", "web: FLASK_CONFIG=production gunicorn flasky:app\n")), []);
    });
});

describe("a Celery app's broker", () => {
    afterEach(() => apps.cleanup());
    const notes = (files: Record<string, string>) => synthesize(apps.make(files)).plan.notes.filter((n) => n.includes("makes a Celery app"));
    const FLASK = "import os\nfrom celery import Celery\nfrom flask import Flask\n\napp = Flask(__name__)\n";
    it("GIVEN Celery(broker=...) whose broker with its variable unset is localhost or a Compose service's name THEN a note names the variable and the worker to run elsewhere; a broker on another host gets none", () => {
        assert.deepEqual(notes({ "app.py": `${FLASK}celery = Celery(app.name, broker=os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0"))\n`, "requirements.txt": "flask\ncelery\n" }), [
            "app.py makes a Celery app whose broker is redis://localhost:6379/0 unless CELERY_BROKER_URL is set: nothing answers there in this container, so every task the app sends (`.delay()`, `.apply_async()`) fails. " +
                "Set CELERY_BROKER_URL with PythonApp's `secretEnv` to a broker the container reaches, and run the Celery worker (`celery -A ... worker`) as a service of its own: this component runs the web app alone.",
        ]);
        assert.deepEqual(notes({ "app.py": `${FLASK}BROKER = "amqp://guest@rabbitmq//"\ncelery = Celery(app.name)\ncelery.conf.update(broker_url=BROKER)\n`, "requirements.txt": "flask\ncelery\n" }), [
            "app.py makes a Celery app whose broker is amqp://guest@rabbitmq//, written in the code: nothing answers there in this container, so every task the app sends (`.delay()`, `.apply_async()`) fails. " +
                "Read the broker URL from an environment variable and set it with PythonApp's `secretEnv`, and run the Celery worker (`celery -A ... worker`) as a service of its own: this component runs the web app alone.",
        ]);
        assert.deepEqual(notes({ "app.py": `${FLASK}celery = Celery(app.name, broker="redis://cache.internal.example:6379/0")\n`, "requirements.txt": "flask\ncelery\n" }), []);
    });
    it("GIVEN Celery's Django layout (config_from_object(\"django.conf:settings\", namespace=\"CELERY\")) THEN the broker is the CELERY_BROKER_URL setting", () => {
        const files = {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
            "shop/__init__.py": "from .celery import app as celery_app\n",
            "shop/celery.py": "from celery import Celery\napp = Celery('shop')\napp.config_from_object('django.conf:settings', namespace='CELERY')\n",
            "shop/settings.py": "import os\nSECRET_KEY = 'x'\nINSTALLED_APPS = []\nWSGI_APPLICATION = 'shop.wsgi.application'\nCELERY_BROKER_URL = os.environ.get('REDIS_URL', 'redis://localhost:6379/0')\n",
            "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\ncelery\n",
        };
        assert.deepEqual(notes(files).map((n) => n.slice(0, n.indexOf(":"))), ["shop/celery.py makes a Celery app whose broker is redis"]);
        assert.ok(notes(files)[0].includes("unless REDIS_URL is set"), notes(files)[0]);
    });
});

describe("links into the data volume", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN an SQLite file linked into a folder of the data volume (/app/data/app.db -> /data/data/app.db) THEN the image's gunicorn config makes that folder at every start, for a volume that starts empty; a file linked at the volume's top needs none", () => {
        const app = (db: string) => apps.make({ "app.py": `import sqlite3\nfrom flask import Flask\napp = Flask(__name__)\n\n\n@app.route("/")\ndef index():\n    return str(sqlite3.connect("${db}"))\n`, "requirements.txt": "flask\n" });
        const nested = synthesize(app("data/app.db"));
        assert.deepEqual(nested.plan.writablePaths.map((w) => w.links), [[{ from: "/app/data/app.db", to: "/data/data/app.db" }]]);
        const config = nested.dockerfile.slice(nested.dockerfile.indexOf("/etc/pulumi-python-app/gunicorn.conf.py"));
        assert.ok(config.includes('\nfor _folder in ["/data/data"]:\n    try:\n        os.makedirs(_folder, exist_ok=True)\n'), config);
        const top = synthesize(app("app.db"));
        assert.deepEqual(top.plan.writablePaths.map((w) => w.links), [[{ from: "/app/app.db", to: "/data/app.db" }]]);
        assert.ok(!top.dockerfile.includes("for _folder in"), top.dockerfile);
    });
});

describe("a config key set by update() with a dict", () => {
    it("GIVEN app.config.update({\"DATABASE\": os.path.join(app.root_path, \"blog.db\")}) and sqlite3.connect(app.config[\"DATABASE\"]) in a function THEN the database is linked into /data", () => {
        const dir = apps.make({
            "app.py":
                'import os\nimport sqlite3\nfrom quart import Quart\n\napp = Quart(__name__)\napp.config.update({"DATABASE": os.path.join(app.root_path, "blog.db")})\n\n\ndef connect():\n    return sqlite3.connect(app.config["DATABASE"])\n',
            "requirements.txt": "quart\n",
        });
        assert.deepEqual(synthesize(dir).plan.writablePaths, [
            { path: "/data", kind: "data", why: "app.py: sqlite3.connect(blog.db)", links: [{ from: "/app/blog.db", to: "/data/blog.db" }] },
        ]);
    });
});

describe("Django settings that differ by environment", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN settings/__init__.py importing production.py or development.py by DJANGO_ENV, with a FileBasedCache only in production THEN its folder is scratch though the development branch holds with nothing set", () => {
        const files = (init: string) =>
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
                "shop/__init__.py": "",
                "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "shop/settings/__init__.py": init,
                "shop/settings/base.py": "import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.contenttypes']\nWSGI_APPLICATION = 'shop.wsgi.application'\n",
                "shop/settings/development.py": "DEBUG = False\nCACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n",
                "shop/settings/production.py":
                    "from .base import BASE_DIR\nDEBUG = False\nCACHES = {'default': {'BACKEND': 'django.core.cache.backends.filebased.FileBasedCache', 'LOCATION': BASE_DIR / 'var' / 'cache'}}\n",
                "requirements.txt": "django\ngunicorn\n",
            });
        const cache = [["/app/var/cache", "scratch", 'shop/settings/production.py: CACHES["default"] is a FileBasedCache at var/cache']];
        for (const init of [
            "import os\nfrom .base import *\nif os.environ.get('DJANGO_ENV') == 'production':\n    from .production import *\nelse:\n    from .development import *\n",
            "import os\nfrom .base import *\nfrom .development import *\nif os.environ.get('DJANGO_ENV') == 'production':\n    from .production import *\n",
            "import os\nfrom .base import *\nfrom .production import *\n",
        ]) {
            assert.deepEqual(synthesize(files(init)).plan.writablePaths.map((w) => [w.path, w.kind, w.why]), cache, init);
        }
        const dev = "import os\nfrom .base import *\nfrom .production import *\nfrom .development import *\n";
        assert.deepEqual(synthesize(files(dev)).plan.writablePaths, [], "an unconditional later assignment replaces it");
    });
});

describe("uploads saved into an absolute folder", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN f.save(os.path.join(UPLOAD_DIR, f.filename)) with UPLOAD_DIR an absolute folder outside the app (/var/lib/ledger/receipts, from a variable's default) THEN it is a data folder; under /tmp it needs nothing", () => {
        const paths = (folder: string) =>
            synthesize(
                apps.make({
                    "web.py": `import os\nfrom flask import Flask, request\n\nUPLOAD_DIR = os.environ.get("UPLOAD_DIR", "${folder}")\napp = Flask(__name__)\n\n\n@app.post("/receipts")\ndef upload():\n    f = request.files["receipt"]\n    f.save(os.path.join(UPLOAD_DIR, f.filename))\n    return "ok"\n`,
                    "requirements.txt": "flask\n",
                }),
            ).plan.writablePaths.map((w) => [w.path, w.kind, w.why]);
        assert.deepEqual(paths("/var/lib/ledger/receipts"), [["/var/lib/ledger/receipts", "data", "web.py: .save() stores files into /var/lib/ledger/receipts"]]);
        assert.deepEqual(paths("/tmp/receipts"), []);
    });
    it("GIVEN file names put together from text (pastey's `config.data_directory + \"/\" + unique_id`, f\"{NOTES}/{name}.txt\", f\"uploads/{name}\", `ROOT + \"/shots/\" + name`, `\"%s/%s\" % (...)`, `\"{}/{}\".format(...)`) THEN the folder before the computed name is data; with no `/` before it, no folder", () => {
        const paths = (write: string) =>
            synthesize(
                apps.make({
                    "config.py": 'data_directory = "./data"\nROOT = "/srv/site"\nNOTES = "notes"\n',
                    "app.py": `from flask import Flask, request\nimport config\nfrom config import NOTES, ROOT\napp = Flask(__name__)\n\n\n@app.post("/p")\ndef paste():\n    name = request.args["id"]\n    ${write}\n    return "ok"\n`,
                    "requirements.txt": "flask\n",
                }),
            ).plan.writablePaths.map((w) => [w.path, w.kind]);
        assert.deepEqual(paths('output_file = config.data_directory + "/" + name\n    open(output_file, "w+").write("x")'), [["/app/data", "data"]]);
        assert.deepEqual(paths('open(f"{NOTES}/{name}.txt", "w").write("x")'), [["/app/notes", "data"]]);
        assert.deepEqual(paths('open(f"uploads/{name}", "wb").write(b"x")'), [["/app/uploads", "data"]]);
        assert.deepEqual(paths('request.files["f"].save(ROOT + "/shots/" + name)'), [["/srv/site/shots", "data"]]);
        assert.deepEqual(paths('open("%s/%s.txt" % (NOTES, name), "w").write("x")'), [["/app/notes", "data"]]);
        assert.deepEqual(paths('open("{}/{}".format(config.data_directory, name), "w").write("x")'), [["/app/data", "data"]]);
        assert.deepEqual(paths('open(NOTES + name, "w").write("x")'), []);
    });
    it("GIVEN pathlib writes of computed names into a folder ((app.config[\"PASTE_DIR\"] / key).write_bytes(), path.write_text(), path.open(\"w\")) THEN the folder is data, absolute or among the app's files; a read is not a write", () => {
        const paths = (folder: string, write: string) =>
            synthesize(
                apps.make({
                    "paste.py":
                        `import os\nfrom pathlib import Path\nfrom flask import Flask, request\n\napp = Flask(__name__)\napp.config["PASTE_DIR"] = Path(os.environ.get("PASTE_DIR", "${folder}"))\nNOTES = Path("${folder}")\n\n\n` +
                        `@app.post("/")\ndef create():\n    key = request.form["key"]\n    ${write}\n    return "ok"\n`,
                    "requirements.txt": "flask\n",
                }),
            ).plan.writablePaths.map((w) => [w.path, w.kind, w.why]);
        assert.deepEqual(paths("/var/lib/pastebin/pastes", '(app.config["PASTE_DIR"] / key).write_bytes(request.get_data())'), [
            ["/var/lib/pastebin/pastes", "data", "paste.py: .write_bytes() writes files into /var/lib/pastebin/pastes"],
        ]);
        assert.deepEqual(paths("notes", "path = NOTES / key\n    path.write_text(request.form['body'])"), [["/app/notes", "data", "paste.py: .write_text() writes files into notes"]]);
        assert.deepEqual(paths("notes", "with (NOTES / key).open(\"w\") as f:\n        f.write('x')"), [["/app/notes", "data", 'paste.py: .open("w") writes files into notes']]);
        assert.deepEqual(paths("notes", "(NOTES / key).read_text()"), []);
        assert.deepEqual(paths("notes", 'NOTES.joinpath(f"{key}.txt").write_text("x")'), [["/app/notes", "data", "paste.py: .write_text() writes files into notes"]]);
    });
});

describe("Hugging Face's model cache", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN sentence-transformers (or transformers) and nothing moving the cache THEN a note says models download into HOME's cache on the 64 MiB /tmp and how to keep them on a volume; HF_HOME set by the app, the platform or its Dockerfile ENV gets none", () => {
        const noted = (files: Record<string, string>) =>
            synthesize(apps.make({ "main.py": "from fastapi import FastAPI\nfrom sentence_transformers import SentenceTransformer\n\nmodel = SentenceTransformer('all-MiniLM-L6-v2')\napp = FastAPI()\n", "requirements.txt": "fastapi\nsentence-transformers\n", ...files })).plan.notes.filter((n) => n.includes("downloads models at their first use"));
        assert.deepEqual(noted({}), [
            "sentence-transformers downloads models at their first use into Hugging Face's cache, under HOME (/tmp/.cache/huggingface): the container's /tmp tmpfs, 64 MiB, which most models outgrow (No space left on device), and which every restart empties, so each start downloads them again. " +
                'Keep them on a volume: `env: { HF_HOME: "/var/cache/huggingface" }` with `writablePaths: { "/var/cache/huggingface": "data" }`, or download them in `buildCommands` with HF_HOME set to a folder of the image.',
        ]);
        assert.equal(noted({ "requirements.txt": "fastapi\ntransformers\n" }).length, 1);
        assert.deepEqual(noted({ Dockerfile: 'FROM python:3.12-slim\nENV HF_HOME=/models\nCOPY . /app\nCMD ["uvicorn", "main:app"]\n' }), []);
        assert.deepEqual(noted({ "requirements.txt": "fastapi\n" }), []);
    });
    it("GIVEN argostranslate (LibreTranslate's models), or openai-whisper, and nothing moving its folders THEN a note says where it downloads and installs them and how to keep them on a volume; the variable set in the image gets none", () => {
        const noted = (files: Record<string, string>) =>
            synthesize(apps.make({ "app.py": "from flask import Flask\nimport argostranslate.package\napp = Flask(__name__)\n", "requirements.txt": "flask\nargostranslate\n", ...files })).plan.notes.filter((n) => n.startsWith("argostranslate downloads"));
        assert.deepEqual(noted({}), [
            "argostranslate downloads its language models at their first use into /tmp/.local/cache/argos-translate and installs them into /tmp/.local/share/argos-translate/packages, under HOME: " +
                "the container's /tmp tmpfs, 64 MiB, which its models outgrow (No space left on device), and which every restart empties. " +
                'Keep them on a volume: `env: { ARGOS_PACKAGES_DIR: "/var/lib/argos/packages", XDG_CACHE_HOME: "/var/lib/argos/cache" }` with `writablePaths: { "/var/lib/argos": "data" }`, ' +
                "or install them in `buildCommands` with ARGOS_PACKAGES_DIR set to a folder of the image.",
        ]);
        const dockerfile = { Dockerfile: 'FROM python:3.12-slim\nENV ARGOS_PACKAGES_DIR=/models\nCOPY . /app\nCMD ["gunicorn", "app:app"]\n' };
        assert.deepEqual(noted(dockerfile), []);
        // The folder the image points it at is a model folder: data, on a volume.
        const plan = synthesize(apps.make({ "app.py": "from flask import Flask\nimport argostranslate.package\napp = Flask(__name__)\n", "requirements.txt": "flask\nargostranslate\n", ...dockerfile })).plan;
        assert.deepEqual(plan.writablePaths.map((w) => [w.path, w.kind]), [["/models", "data"]]);
        // openai-whisper's models go into XDG_CACHE_HOME/whisper, else ~/.cache/whisper.
        const whisper = (files: Record<string, string>) =>
            synthesize(apps.make({ "app.py": "import whisper\nfrom flask import Flask\napp = Flask(__name__)\nmodel = whisper.load_model('base')\n", "requirements.txt": "flask\nopenai-whisper==20250625\n", ...files })).plan.notes.filter((n) => n.startsWith("openai-whisper's"));
        assert.deepEqual(whisper({}), [
            "openai-whisper's load_model() downloads its model (up to 3 GB) at first use into /tmp/.cache/whisper, under HOME: the container's /tmp tmpfs, 64 MiB, which every model outgrows (No space left on device), and which every restart empties. " +
                'Keep it on a volume: `env: { XDG_CACHE_HOME: "/var/cache/models" }` with `writablePaths: { "/var/cache/models": "data" }` (or the folder the app passes as download_root), or download it in `buildCommands` into a folder of the image.',
        ]);
        assert.deepEqual(whisper({ Dockerfile: 'FROM python:3.12-slim\nENV XDG_CACHE_HOME=/models\nCOPY . /app\nCMD ["gunicorn", "app:app"]\n' }), []);
        // LibreTranslate's fork, argos-translate-lt, installs the same module with the same folders.
        const fork = synthesize(apps.make({ "app.py": "from flask import Flask\nimport argostranslate.package\napp = Flask(__name__)\n", "requirements.txt": "flask\nargos-translate-lt==1.12.1\n" })).plan;
        assert.equal(fork.notes.filter((n) => n.startsWith("argostranslate downloads")).length, 1, fork.notes.join("\n"));
    });
});

describe("system packages the app's own Dockerfile installs", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN FlareSolverr's shape (the final stage apt-installs chromium, chromium-driver and xvfb, a comment line inside the RUN; a builder stage installs gcc) THEN a note names what this image does not install, for `aptRuntimePackages`; nothing is added to the build", () => {
        const dockerfile =
            "FROM python:3.13-slim AS builder\nRUN apt-get update && apt-get install -y gcc libffi-dev\n\nFROM python:3.13-slim\nCOPY --from=builder /venv /venv\n" +
            "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n        chromium chromium-driver \\\n        # the display the browser draws into\n        xvfb dumb-init ffmpeg \\\n    && rm -rf /var/lib/apt/lists/*\n";
        const { plan } = synthesize(apps.make({ "app.py": 'import subprocess\nfrom flask import Flask\napp = Flask(__name__)\nsubprocess.run(["ffmpeg", "-version"])\n', "requirements.txt": "flask==3.1.1\n", Dockerfile: dockerfile }));
        assert.deepEqual(plan.apt.runtime, ["ffmpeg"]);
        assert.deepEqual(plan.notes.filter((n) => n.includes("installs system packages")), [
            "Dockerfile installs system packages this image does not (`RUN apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver xvfb dumb-init ffmpeg && rm -rf /var/lib/apt/lists/*`): chromium, chromium-driver, xvfb. " +
                "If the app runs or loads one at run time (a browser, a converter, a shared library), add it with `aptRuntimePackages`, by its name in the base image's Debian/Ubuntu archive.",
        ]);
        // Alpine's apk: named the same way, with a word on the names.
        const alpine = synthesize(apps.make({ "app.py": "from flask import Flask\napp = Flask(__name__)\n", "requirements.txt": "flask==3.1.1\n", Dockerfile: "FROM python:3.13-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && apk add --no-cache libmagic tini\n" })).plan;
        assert.ok(alpine.notes.some((n) => n.includes("): libmagic. ") && n.endsWith("by its name in Debian's archive (apk's Alpine names differ).")), alpine.notes.join("\n"));
    });
});

describe("programs the app's code runs", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN subprocess.run([\"ffmpeg\", ...]), os.system(\"pandoc ...\"), a shell=True line starting with git and an f-string starting with pdftotext THEN each program's package is in the runner, with a note; python, a computed program, a __main__-only call, or a package the platform's apt list already has add nothing", () => {
        const plan = (code: string, extra: Record<string, string> = {}) =>
            synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": `import os\nimport subprocess\nfrom flask import Flask\napp = Flask(__name__)\n\n\n@app.post("/go")\ndef go(src, dst, tool):\n${code}    return "ok"\n`, ...extra })).plan;
        const runs = plan(
            '    subprocess.run(["ffmpeg", "-i", src, dst], check=True)\n    os.system("pandoc -o /tmp/out.pdf /tmp/in.md")\n    subprocess.check_output("git rev-parse HEAD", shell=True)\n    subprocess.run(f"pdftotext {src} -", shell=True)\n',
        );
        assert.deepEqual(runs.apt.runtime, ["ffmpeg", "pandoc", "git", "poppler-utils"]);
        assert.ok(runs.notes.includes("app.py runs the ffmpeg program: added ffmpeg to the runner, which the base image lacks (without it the call fails with FileNotFoundError)."), runs.notes.join("\n"));
        assert.deepEqual(plan('    subprocess.run(["python", "-V"])\n    subprocess.run([tool, src])\n').apt.runtime, []);
        assert.deepEqual(plan('    pass\n\n\nif __name__ == "__main__":\n    subprocess.run(["git", "pull"])\n').apt.runtime, []);
        const listed = plan('    subprocess.run(["pdftotext", src, "-"])\n', { Aptfile: "poppler-utils\n" });
        assert.deepEqual(listed.apt.runtime, ["poppler-utils"]);
        assert.ok(!listed.notes.some((n) => n.includes("runs the pdftotext program")), listed.notes.join("\n"));
    });
});

describe("Django's file-based sessions", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN SESSION_ENGINE \"django.contrib.sessions.backends.file\" with SESSION_FILE_PATH in the project THEN that folder is writable scratch; unset (the temporary folder) or another engine needs none", () => {
        const paths = (sessions: string) =>
            synthesize(
                apps.make({
                    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
                    "shop/__init__.py": "",
                    "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                    "shop/settings.py": `import environ\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nenv = environ.Env()\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.sessions']\nWSGI_APPLICATION = 'shop.wsgi.application'\n${sessions}`,
                    "requirements.txt": "django\ndjango-environ\ngunicorn\n",
                }),
            ).plan.writablePaths.map((w) => [w.path, w.kind, w.why]);
        assert.deepEqual(paths('SESSION_ENGINE = "django.contrib.sessions.backends.file"\nSESSION_FILE_PATH = env("SESSION_FILE_PATH", default=str(BASE_DIR / "var" / "sessions"))\n'), [
            ["/app/var/sessions", "scratch", "shop/settings.py: SESSION_ENGINE keeps sessions in files in SESSION_FILE_PATH, var/sessions"],
        ]);
        assert.deepEqual(paths('SESSION_ENGINE = "django.contrib.sessions.backends.file"\n'), []);
        assert.deepEqual(paths('SESSION_ENGINE = "django.contrib.sessions.backends.cache"\nSESSION_FILE_PATH = str(BASE_DIR / "var" / "sessions")\n'), []);
        // The file-based email backend, the same way: EMAIL_FILE_PATH is made at the first send.
        assert.deepEqual(paths('EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"\nEMAIL_FILE_PATH = BASE_DIR / "sent_emails"\n'), [
            ["/app/sent_emails", "scratch", "shop/settings.py: EMAIL_BACKEND writes each email as a file in EMAIL_FILE_PATH, sent_emails"],
        ]);
        assert.deepEqual(paths('EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"\nEMAIL_FILE_PATH = BASE_DIR / "sent_emails"\n'), []);
    });
});

describe("Flask's current_app in a blueprint's module", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN os.path.join(current_app.root_path, \"static/profile_pics\", name) saved from a blueprint in a subpackage THEN the folder is in the app's root (the package that makes the Flask app), not the blueprint's", () => {
        const dir = apps.make({
            "flaskblog/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    from flaskblog.users.routes import users\n    app.register_blueprint(users)\n    return app\n",
            "flaskblog/users/__init__.py": "",
            "flaskblog/users/utils.py":
                "import os\nimport secrets\nfrom flask import current_app\nfrom PIL import Image\n\n\ndef save_picture(form_picture):\n    picture_fn = secrets.token_hex(8) + '.jpg'\n" +
                "    picture_path = os.path.join(current_app.root_path, 'static/profile_pics', picture_fn)\n    Image.open(form_picture).save(picture_path)\n    return picture_fn\n\n\n" +
                "def theme_file():\n    with open(os.path.join(current_app.static_folder, 'themes', 'custom.css'), 'w') as fh:\n        fh.write('')\n",
            "flaskblog/users/routes.py": "from flask import Blueprint, request\nfrom flaskblog.users.utils import save_picture\n\nusers = Blueprint('users', __name__)\n\n\n@users.route('/account', methods=['POST'])\ndef account():\n    return save_picture(request.files['picture'])\n",
            "run.py": "from flaskblog import create_app\n\napp = create_app()\n",
            "requirements.txt": "flask\npillow\n",
        });
        assert.deepEqual(
            synthesize(dir).plan.writablePaths.map((w) => [w.path, w.why]),
            [
                ["/app/flaskblog/static/profile_pics", "flaskblog/users/utils.py: .save() stores files into flaskblog/static/profile_pics"],
                ["/app/flaskblog/static/themes", "flaskblog/users/utils.py: open(..., \"w\") writes flaskblog/static/themes/custom.css"],
            ],
        );
    });
});

describe("servers' own CLIs, the web command's environment, and gunicorn config the app keeps", () => {
    afterEach(() => apps.cleanup());
    const FASTAPI_MAIN = 'from fastapi import FastAPI\n\nrouter = None\nservice = FastAPI()\n\n\n@service.get("/")\ndef root():\n    return {"ok": True}\n';

    it("GIVEN APIFlask, flask-openapi3's OpenAPI, or a Flask subclass of the app's own THEN each is a Flask app, served as WSGI", () => {
        for (const [code, req] of [
            ['from apiflask import APIFlask\n\napp = APIFlask(__name__, title="Pets")\n', "apiflask==2.3.0\n"],
            ["from flask_openapi3 import OpenAPI\n\napp = OpenAPI(__name__)\n", "flask-openapi3==4.0.3\n"],
            ["from flask import Flask\n\n\nclass Base(Flask):\n    pass\n\n\nclass Portal(Base):\n    pass\n\n\nportal = Portal(__name__)\n", "flask==3.1.0\n"],
        ]) {
            const dir = apps.make({ "web.py": code, "requirements.txt": req });
            const { plan } = synthesize(dir);
            assert.equal(plan.framework, "flask", code);
            assert.deepEqual(plan.entrypoint, { spec: code.includes("portal =") ? "web:portal" : "web:app", interface: "wsgi", source: "web.py" });
        }
    });

    it("GIVEN uvicorn --interface wsgi, or plain uvicorn or gunicorn -k uvicorn naming a Flask app THEN the constructor decides: WSGI, gthread, with a note when the command said ASGI", () => {
        const files = { "wiki.py": "from flask import Flask\n\napp = Flask(__name__)\n", "requirements.txt": "flask==3.1.0\nuvicorn==0.34.0\ngunicorn==23.0.0\n" };
        const explicit = synthesize(apps.make({ ...files, Procfile: "web: uvicorn --interface wsgi --port $PORT wiki:app\n" })).plan;
        assert.equal(explicit.entrypoint.interface, "wsgi");
        assert.equal(explicit.server.workerClass, undefined);
        assert.ok(!explicit.notes.some((n) => n.includes("--interface")), explicit.notes.join("\n"));
        const plain = synthesize(apps.make({ ...files, Procfile: "web: uvicorn wiki:app\n" })).plan;
        assert.equal(plain.entrypoint.interface, "wsgi");
        assert.ok(plain.notes.includes("The Procfile's web: line serves wiki:app as ASGI, but wiki.py makes it with a flask constructor, which makes a WSGI app: it is served as WSGI."), plain.notes.join("\n"));
        const worker = synthesize(apps.make({ ...files, Procfile: "web: gunicorn -k uvicorn.workers.UvicornWorker wiki:app\n" })).plan;
        assert.equal(worker.entrypoint.interface, "wsgi");
        assert.equal(worker.server.workerClass, undefined);
        assert.ok(worker.notes.some((n) => n.startsWith("The Procfile's worker class uvicorn.workers.UvicornWorker serves ASGI, but the app is WSGI")), worker.notes.join("\n"));
    });

    it("GIVEN `PYTHONPATH=backend APP_CONFIG=production EXTRA=$HOME gunicorn ...` THEN backend/ is on the Python path, APP_CONFIG is the image's, EXTRA is noted, not set", () => {
        const dir = apps.make({
            "backend/api/__init__.py": "",
            "backend/api/wsgi.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n",
            Procfile: "web: PYTHONPATH=backend APP_CONFIG=production EXTRA=$HOME gunicorn --env LOG_LEVEL=info api.wsgi:app\n",
        });
        const r = synthesize(dir);
        assert.deepEqual(r.plan.server.pythonPath, ["/app/backend"]);
        assert.deepEqual(r.plan.imageEnv, { APP_CONFIG: "production", LOG_LEVEL: "info" });
        assert.match(r.dockerfile, /^ENV APP_CONFIG="production" LOG_LEVEL="info"$/m);
        assert.ok(!cmdOf(r.dockerfile).includes("--env"), "--env becomes the image's environment");
        assert.ok(r.plan.notes.includes("The Procfile's web: line sets EXTRA from other variables or with characters an image variable cannot hold; not carried: set it in `env`."), r.plan.notes.join("\n"));
    });

    it("GIVEN a Django web line's --env DJANGO_SETTINGS_MODULE and a release `DJANGO_SETTINGS_MODULE=... python manage.py migrate` THEN the server's settings drive collectstatic and the image; the release runs through env", () => {
        const r = synthesize(path.join(FIXTURES, "..", "fixtures", "apps", "procfile-gunicorn-env-settings"));
        assert.deepEqual(r.plan.release?.command, ["env", "DJANGO_SETTINGS_MODULE=shelf.settings.production", "python", "manage.py", "migrate", "--noinput"]);
        assert.equal(r.plan.imageEnv.DJANGO_SETTINGS_MODULE, "shelf.settings.production");
        assert.ok(
            r.plan.notes.some((n) => n.startsWith("manage.py defaults to the settings shelf.settings.development, while the server runs shelf.settings.production (the Procfile's web: line sets them)")),
            r.plan.notes.join("\n"),
        );
    });

    it("GIVEN gunicorn.conf.py reading timeout and graceful_timeout from the environment with defaults, and accesslog '-' through a variable THEN the defaults are the plan's, the command line leaves them to the config, no '-' file", () => {
        const dir = apps.make({
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n",
            "gunicorn.conf.py": 'import os\n\ntimeout = int(os.getenv("TIMEOUT", "120"))\ngraceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", 90))\n_log = os.getenv("ACCESS_LOG", "-")\naccesslog = _log or None\n',
        });
        const r = synthesize(dir);
        assert.equal(r.plan.server.timeout, 120);
        assert.equal(r.plan.server.gracefulTimeout, 90);
        assert.deepEqual(r.plan.server.timeoutsFromConfig, ["timeout", "graceful_timeout"]);
        const argv = cmdOf(r.dockerfile);
        assert.ok(!argv.includes("--timeout") && !argv.includes("--graceful-timeout"), argv.join(" "));
        assert.deepEqual(r.plan.writablePaths, []);
        // An option still wins, on the command line.
        const opt = synthesize(dir, { timeout: 30 });
        assert.equal(cmdOf(opt.dockerfile)[cmdOf(opt.dockerfile).indexOf("--timeout") + 1], "30");
    });

    it("GIVEN `web: gunicorn` and gunicorn.conf.py's wsgi_app naming a factory with an argument THEN that is the app", () => {
        const dir = apps.make({
            "pastebin/__init__.py": "from flask import Flask\n\n\ndef create_app(config_name):\n    return Flask(__name__)\n",
            "requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n",
            "gunicorn.conf.py": "wsgi_app = \"pastebin:create_app('production')\"\nworkers = 2\n",
            Procfile: "web: gunicorn\n",
        });
        const r = synthesize(dir);
        assert.deepEqual(r.plan.entrypoint, { spec: "pastebin:create_app('production')", interface: "wsgi", source: "gunicorn.conf.py" });
        assert.equal(cmdOf(r.dockerfile).pop(), "pastebin:create_app('production')");
        // With no Procfile, gunicorn loads the same file.
        fs.rmSync(path.join(dir, "Procfile"));
        assert.equal(synthesize(dir).plan.entrypoint.spec, "pastebin:create_app('production')");
    });

    it("GIVEN Flask-SocketIO THEN one worker on the command line: 100 threads in threading mode, the eventlet worker when eventlet is installed; `workers` overrides", () => {
        const files = { "app.py": "from flask import Flask\nfrom flask_socketio import SocketIO\n\napp = Flask(__name__)\nsocketio = SocketIO(app)\n" };
        const threading = synthesize(apps.make({ ...files, "requirements.txt": "flask==3.1.0\nflask-socketio==5.4.1\n" }));
        assert.equal(threading.plan.server.workers, 1);
        assert.equal(threading.plan.server.threads, 100);
        const argv = cmdOf(threading.dockerfile);
        assert.equal(argv[argv.indexOf("--workers") + 1], "1");
        assert.ok(threading.plan.notes.some((n) => n.startsWith("The app uses Flask-SocketIO, which keeps each client's session in the worker process that accepted it")));
        const eventlet = synthesize(apps.make({ ...files, "requirements.txt": "flask==3.1.0\nflask-socketio==5.4.1\neventlet==0.38.2\n" })).plan;
        assert.equal(eventlet.server.workers, 1);
        assert.equal(eventlet.server.workerClass, "eventlet");
        assert.equal(eventlet.server.threads, undefined);
        assert.equal(synthesize(apps.make({ ...files, "requirements.txt": "flask==3.1.0\nflask-socketio==5.4.1\n" }), { workers: 3 }).plan.server.workers, 3);
    });

    it("GIVEN `fastapi run` THEN the module and sys.path are fastapi-cli's: its path (or default file) walked up through __init__.py, the app `--app` or the module's FastAPI object; --workers counts", () => {
        const make = (procfile: string) =>
            synthesize(
                apps.make({ "backend/app/__init__.py": "", "backend/app/main.py": FASTAPI_MAIN, "requirements.txt": "fastapi[standard]==0.115.6\n", Procfile: procfile }),
            ).plan;
        const sub = make("web: fastapi run backend/app/main.py --port $PORT --workers 2\n");
        assert.deepEqual(sub.entrypoint, { spec: "app.main:service", interface: "asgi", source: "Procfile" });
        assert.deepEqual(sub.server.pythonPath, ["/app/backend"]);
        assert.equal(sub.server.defaultWorkers, 2);
        const named = make("web: cd backend && fastapi run --app service\n");
        assert.equal(named.entrypoint.spec, "app.main:service");
        const entry = make("web: fastapi run --entrypoint app.main:service\n");
        assert.equal(entry.entrypoint.spec, "app.main:service");
    });

    it("GIVEN `litestar --app app.asgi:create_app run --wc 4` THEN the factory is called and 4 is the default worker count", () => {
        const dir = apps.make({
            "app/__init__.py": "",
            "app/asgi.py": "from litestar import Litestar, get\n\n\n@get(\"/\")\nasync def index() -> str:\n    return \"ok\"\n\n\ndef create_app() -> Litestar:\n    return Litestar([index])\n",
            "requirements.txt": "litestar[standard]==2.13.0\n",
            Procfile: "web: litestar --app app.asgi:create_app run --host 0.0.0.0 --port $PORT --wc 4\n",
        });
        const { plan } = synthesize(dir);
        assert.deepEqual(plan.entrypoint, { spec: "app.asgi:create_app()", interface: "asgi", source: "Procfile" });
        assert.equal(plan.server.defaultWorkers, 4);
    });
});

describe("Django settings the server runs, and static files outside the app folder", () => {
    afterEach(() => apps.cleanup());
    const APPS = path.join(FIXTURES, "apps");

    it("GIVEN the Procfile's `gunicorn --config config/gunicorn.py` whose raw_env sets DJANGO_SETTINGS_MODULE and wsgi_app names the app THEN those settings drive collectstatic and the image", () => {
        const { plan } = synthesize(path.join(APPS, "django-gunicorn-conf-raw-env"));
        assert.equal(plan.entrypoint.spec, "config.wsgi:application");
        assert.equal(plan.entrypoint.source, "config/gunicorn.py");
        assert.deepEqual(plan.buildSteps[0].env, { DJANGO_SETTINGS_MODULE: "config.settings.production" });
        assert.deepEqual(plan.imageEnv, { DJANGO_SETTINGS_MODULE: "config.settings.production" });
        assert.ok(plan.notes.some((n) => n.includes("(config/gunicorn.py's raw_env sets them)")), plan.notes.join("\n"));
    });

    it("GIVEN `buildEnv` naming the settings THEN collectstatic and the notes use them and the image sets no DJANGO_SETTINGS_MODULE; with none, the DEBUG note names the production module beside the dev one", () => {
        const dir = path.join(APPS, "cms-settings-dev-default");
        const built = synthesize(dir, { buildEnv: { DJANGO_SETTINGS_MODULE: "harbour.settings.production", DJANGO_SECRET_KEY: "x" } }).plan;
        assert.deepEqual(built.buildSteps[0].env, { DJANGO_SETTINGS_MODULE: "harbour.settings.production" });
        assert.deepEqual(built.imageEnv, {});
        assert.ok(!built.notes.some((n) => n.includes("DEBUG on")), built.notes.join("\n"));
        const plain = synthesize(dir).plan;
        assert.ok(
            plain.notes.includes(
                "harbour/settings/dev.py sets DEBUG = True, so the server runs with DEBUG on: Django's error pages then show tracebacks and settings to anyone who triggers an error; " +
                    "the project has production settings, harbour.settings.production: set DJANGO_SETTINGS_MODULE=harbour.settings.production in the component's `env` (PythonApp's build steps use it too), or set DEBUG = False.",
            ),
            plain.notes.join("\n"),
        );
    });

    it("GIVEN the platform's config setting what the settings read (fly.toml's DEBUG and STATIC_ROOT) THEN collectstatic runs with those values, as the server does, and a STATIC_ROOT they put outside the app is copied to the runner", () => {
        const dir = apps.make({
            "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings")\n',
            "site_conf/__init__.py": "",
            "site_conf/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "site_conf/settings.py":
                'import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = "x"\nDEBUG = os.environ.get("DEBUG", "True") == "True"\nALLOWED_HOSTS = ["*"]\n' +
                'INSTALLED_APPS = ["django.contrib.staticfiles"]\nSTATIC_URL = "/static/"\nSTATIC_ROOT = os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles")\nWSGI_APPLICATION = "site_conf.wsgi.application"\n',
            "requirements.txt": "django==5.1.4\n",
            "fly.toml": 'app = "x"\n\n[env]\n  DEBUG = "False"\n  STATIC_ROOT = "/srv/static"\n',
        });
        const step = synthesize(dir).plan.buildSteps.find((st) => st.name === "collectstatic")!;
        assert.deepEqual(step.env, { DEBUG: "False", STATIC_ROOT: "/srv/static", DJANGO_SETTINGS_MODULE: "site_conf.settings" });
        assert.deepEqual(step.outputs, ["/srv/static"]);
        fs.rmSync(path.join(dir, "fly.toml"));
        const plain = synthesize(dir).plan.buildSteps.find((st) => st.name === "collectstatic")!;
        assert.deepEqual([plain.env, plain.outputs], [{ DJANGO_SETTINGS_MODULE: "site_conf.settings" }, undefined]);
    });

    it("GIVEN STATIC_ROOT under /var/www THEN the runner copies it from the builder; a name the Dockerfile cannot carry is refused naming the settings file", () => {
        const r = synthesize(path.join(APPS, "static-root-var-www"));
        assert.deepEqual(r.plan.buildSteps[0].outputs, ["/var/www/quarry/static"]);
        assert.match(r.dockerfile, /^COPY --link --from=builder \/var\/www\/quarry\/static \/var\/www\/quarry\/static$/m);
        const bad = apps.copyOf("../fixtures/apps/static-root-var-www", {});
        const settings = path.join(bad, "quarry", "settings.py");
        fs.writeFileSync(settings, fs.readFileSync(settings, "utf8").replace(/STATIC_ROOT = .*/, 'STATIC_ROOT = "/var/www/my site/static"'));
        assert.throws(() => synthesize(bad), (e: unknown) => e instanceof InputError && e.argument === "quarry/settings.py" && e.message.includes('STATIC_ROOT is "/var/www/my site/static"'));
    });

    it("GIVEN django-tailwind's theme app (TAILWIND_APP_NAME) with static_src/package.json THEN its npm build runs there, before collectstatic", () => {
        const { plan } = synthesize(path.join(APPS, "django-tailwind-theme"));
        assert.deepEqual(
            plan.buildSteps.map((st) => [st.name, st.workdir]),
            [
                ["npm run build", "/app/theme/static_src"],
                ["collectstatic", "/app"],
            ],
        );
        assert.deepEqual(plan.apt.build, ["nodejs", "npm"]);
    });
});

describe("setuptools the app imports without having it (pkg_resources, distutils)", () => {
    afterEach(() => apps.cleanup());
    const FLASK = "from flask import Flask\n\napp = Flask(__name__)\n";
    const planOf = (files: Record<string, string>) => synthesize(apps.make({ "app.py": FLASK, "requirements.txt": "flask==3.1.0\n", ...files })).plan;
    const SETUPTOOLS = "setuptools==81.0.0";

    it("GIVEN app code importing pkg_resources THEN setuptools 81.0.0 is added with a note naming the file; in a try, or with setuptools<82 among the dependencies, THEN not", () => {
        const plan = planOf({ "version.py": "import pkg_resources\n\nVERSION = pkg_resources.get_distribution('flask').version\n" });
        assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1", SETUPTOOLS]);
        assert.ok(
            plan.notes.includes(
                "version.py imports pkg_resources, which setuptools 82.0.0 removed: the image adds setuptools==81.0.0, the last release line with pkg_resources and distutils' shim. Add setuptools<82 to the dependencies to choose it yourself.",
            ),
            plan.notes.join("\n"),
        );
        assert.match(synthesize(apps.make({ "app.py": FLASK, "requirements.txt": "flask==3.1.0\n", "version.py": "from pkg_resources import get_distribution\n" })).dockerfile, /setuptools==81\.0\.0/);
        const guarded = planOf({ "version.py": "try:\n    import pkg_resources\nexcept ImportError:\n    pkg_resources = None\n" });
        assert.deepEqual(guarded.server.addedPackages, ["gunicorn==27.0.1"]);
        const capped = planOf({ "requirements.txt": "flask==3.1.0\nsetuptools<82\n", "version.py": "import pkg_resources\n" });
        assert.deepEqual(capped.server.addedPackages, ["gunicorn==27.0.1"]);
    });

    it("GIVEN pkg_resources imported and setuptools pinned at 82 or later THEN nothing is added and a note says the import fails", () => {
        const plan = planOf({ "requirements.txt": "flask==3.1.0\nsetuptools==82.0.1\n", "version.py": "import pkg_resources\n" });
        assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1"]);
        assert.ok(plan.notes.includes("version.py imports pkg_resources, but the app pins setuptools 82.0.1, and setuptools 82.0.0 removed pkg_resources: pin setuptools<82, or the import fails when the app starts."), plan.notes.join("\n"));
    });

    it("GIVEN Pyramid among the dependencies (it imports pkg_resources at run time) THEN setuptools 81.0.0 is added", () => {
        const plan = planOf({ "requirements.txt": "flask==3.1.0\npyramid==2.0.2\n" });
        assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1", SETUPTOOLS]);
        assert.ok(plan.notes.some((n) => n.startsWith("Pyramid imports pkg_resources at run time (Pylons/pyramid issue 3731), which setuptools 82.0.0 removed: the image adds")), plan.notes.join("\n"));
        // A row for some releases: pyfiglet 0.8.post1 imports it, 1.0.0 and an unpinned (newest) one do not.
        assert.deepEqual(planOf({ "requirements.txt": "flask==3.1.0\npyfiglet==0.8.post1\n" }).server.addedPackages, ["gunicorn==27.0.1", SETUPTOOLS]);
        assert.deepEqual(planOf({ "requirements.txt": "flask==3.1.0\npyfiglet==1.0.0\n" }).server.addedPackages, ["gunicorn==27.0.1"]);
        assert.deepEqual(planOf({ "requirements.txt": "flask==3.1.0\npyfiglet\n" }).server.addedPackages, ["gunicorn==27.0.1"]);
    });

    it("GIVEN app code importing distutils THEN setuptools is added on 3.12 and later, not on 3.11 (its venv has ensurepip's setuptools), nor when the app installs setuptools", () => {
        const code = { "helpers.py": "from distutils.util import strtobool\n" };
        const plan = planOf(code);
        assert.equal(plan.python.version, "3.13");
        assert.deepEqual(plan.server.addedPackages, ["gunicorn==27.0.1", SETUPTOOLS]);
        assert.ok(plan.notes.some((n) => n.startsWith("helpers.py imports distutils, which Python 3.12 removed from the standard library (PEP 632); setuptools provides it: the image adds")), plan.notes.join("\n"));
        assert.deepEqual(planOf({ ...code, ".python-version": "3.11\n" }).server.addedPackages, ["gunicorn==27.0.1"]);
        assert.deepEqual(planOf({ ...code, "requirements.txt": "flask==3.1.0\nsetuptools==80.9.0\n" }).server.addedPackages, ["gunicorn==27.0.1"]);
    });
});

describe("native libraries of what the dependencies pull in", () => {
    afterEach(() => apps.cleanup());
    const aptOf = (files: Record<string, string>) => synthesize(apps.make({ "app.py": "from flask import Flask\n\napp = Flask(__name__)\n", ...files })).plan;

    it("GIVEN requirements without a lock naming flask-mysqldb, SQLAlchemy[postgresql], django-auth-ldap or Flask-WeasyPrint THEN the library of the project each depends on is added, with a note naming both", () => {
        const mysql = aptOf({ "requirements.txt": "flask==3.1.0\nFlask-MySQLdb==2.0.0\n" });
        assert.deepEqual(mysql.apt, { build: ["default-libmysqlclient-dev", "pkg-config"], runtime: ["libmariadb3"] });
        assert.ok(mysql.notes.some((n) => n.startsWith("flask-mysqldb depends on mysqlclient: added default-libmysqlclient-dev, pkg-config, libmariadb3")), mysql.notes.join("\n"));
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nSQLAlchemy[postgresql]==2.0.36\n" }).apt, { build: ["libpq-dev"], runtime: ["libpq5"] });
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nSQLAlchemy==2.0.36\n" }).apt, { build: [], runtime: [] });
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\ndjango-auth-ldap==5.1.0\n", ".python-version": "3.13\n" }).apt, { build: ["libldap-dev", "libsasl2-dev"], runtime: ["libldap2"] });
        // Read from their Requires-Dist: Flask-Multipass's ldap extra, mssql-django's pyodbc (a wheel that links libodbc without bundling it).
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nFlask-Multipass[ldap]==0.10\n", ".python-version": "3.13\n" }).apt, { build: ["libldap-dev", "libsasl2-dev"], runtime: ["libldap2"] });
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nFlask-Multipass==0.10\n", ".python-version": "3.13\n" }).apt, { build: [], runtime: [] });
        assert.deepEqual(aptOf({ "requirements.txt": "Django==5.0.14\nmssql-django==1.5\n", ".python-version": "3.11\n" }).apt, { build: [], runtime: ["libodbc2"] });
        // The newest WeasyPrint's row (pip resolves the newest), once.
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nFlask-WeasyPrint==1.1.0\n", ".python-version": "3.13\n" }).apt.runtime, ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]);
    });

    it("GIVEN PyICU, the MariaDB connector or mod_wsgi THEN what each builds against (ICU's runtime by release)", () => {
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nPyICU==2.14\n", ".python-version": "3.11\n" }).apt, { build: ["libicu-dev", "pkg-config"], runtime: ["libicu72"] });
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nPyICU==2.14\n", ".python-version": "3.13\n" }).apt.runtime, ["libicu76"]);
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nmariadb==1.1.11\n" }).apt, { build: ["libmariadb-dev"], runtime: ["libmariadb3"] });
        assert.deepEqual(aptOf({ "requirements.txt": "flask==3.1.0\nmod_wsgi==5.0.2\n" }).apt, { build: ["apache2-dev"], runtime: [] });
    });
});

describe("Python versions from pyenv names and uv's compile header", () => {
    afterEach(() => apps.cleanup());
    const FLASK_APP_PY = { "app.py": "from flask import Flask\n\napp = Flask(__name__)\n" };

    it("GIVEN the app's own code imports a standard-library module Python 3.13 removed (imghdr) THEN 3.12 is chosen with a note; an import under try, or a named 3.13, does not move it", () => {
        const code = "import imghdr\nfrom flask import Flask\n\napp = Flask(__name__)\n";
        const r = synthesize(apps.make({ "app.py": code, "requirements.txt": "flask==3.1.0\n" }));
        assert.equal(r.plan.python.version, "3.12");
        assert.ok(
            r.plan.notes.includes("Python 3.12, not 3.13: app.py imports imghdr, which Python 3.13 removed (PEP 594); it supports Python up to 3.12 (the standard library of 3.12). Set `python` to choose another."),
            r.plan.notes.join("\n"),
        );
        // Found three packages deep (a Django app's views package); a tool under scripts/ is not the server's code.
        const nested = synthesize(
            apps.make({ "app.py": "from flask import Flask\nimport shop.core.views.upload\n\napp = Flask(__name__)\n", "shop/__init__.py": "", "shop/core/__init__.py": "", "shop/core/views/__init__.py": "", "shop/core/views/upload.py": "import cgi\n", "requirements.txt": "flask==3.1.0\n" }),
        ).plan;
        assert.equal(nested.python.source, "shop/core/views/upload.py imports cgi, which Python 3.13 removed (PEP 594); it supports Python up to 3.12 (the standard library of 3.12)");
        assert.equal(synthesize(apps.make({ "app.py": FLASK_APP_PY["app.py"], "scripts/poke.py": "import telnetlib\n", "requirements.txt": "flask==3.1.0\n" })).plan.python.version, "3.13");
        const guarded = "try:\n    import imghdr\nexcept ImportError:\n    imghdr = None\nfrom flask import Flask\n\napp = Flask(__name__)\n";
        assert.equal(synthesize(apps.make({ "app.py": guarded, "requirements.txt": "flask==3.1.0\n" })).plan.python.version, "3.13");
        // A project that puts the module back lifts the cap: python-deadlib's standard-imghdr, legacy-cgi for cgi.
        assert.equal(synthesize(apps.make({ "app.py": code, "requirements.txt": "flask==3.1.0\nstandard-imghdr==3.13.0\n" })).plan.python.version, "3.13");
        assert.equal(synthesize(apps.make({ "app.py": "import cgi\n" + FLASK_APP_PY["app.py"], "requirements.txt": "flask==3.1.0\nlegacy-cgi==2.6.3\n" })).plan.python.version, "3.13");
        const named = synthesize(apps.make({ "app.py": code, "requirements.txt": "flask==3.1.0\n", ".python-version": "3.13\n" })).plan;
        assert.equal(named.python.version, "3.13");
        assert.ok(named.notes.some((n) => n.startsWith(".python-version names Python 3.13, but app.py imports imghdr, which Python 3.13 removed (PEP 594)")), named.notes.join("\n"));
    });

    it("GIVEN .python-version naming pyenv's system or a virtualenv THEN it is skipped with a note and requires-python decides; PyPy is still refused", () => {
        for (const name of ["system", "ledger-env"]) {
            const { plan } = synthesize(
                apps.make({
                    ...FLASK_APP_PY,
                    ".python-version": `${name}\n`,
                    "pyproject.toml": '[project]\nname = "ledger"\nversion = "1"\nrequires-python = ">=3.11,<3.12"\ndependencies = ["flask==3.1.0"]\n',
                }),
            );
            assert.equal(plan.python.version, "3.11");
            assert.ok(plan.notes.includes(`.python-version says "${name}", which names no Python version (pyenv's \`system\` or a virtualenv's name): it is skipped; set \`python\` to choose one.`), plan.notes.join("\n"));
        }
        assert.throws(() => synthesize(apps.make({ ...FLASK_APP_PY, "requirements.txt": "flask\n", ".python-version": "pypy3.10\n" })), /not a CPython version/);
    });

    it("GIVEN requirements.txt compiled by `uv pip compile --python-version 3.11` THEN 3.11, from its header; with --universal it is only the lowest, not a choice", () => {
        const req = (cmd: string) => `# This file was autogenerated by uv via the following command:\n#    ${cmd}\nflask==3.1.0\n`;
        const exact = synthesize(apps.make({ ...FLASK_APP_PY, "requirements.txt": req("uv pip compile requirements.in --python-version 3.11 -o requirements.txt") })).plan;
        assert.deepEqual(exact.python, { version: "3.11", source: "requirements.txt (its uv pip compile header)" });
        const universal = synthesize(apps.make({ ...FLASK_APP_PY, "requirements.txt": req("uv pip compile --universal --python-version 3.11 requirements.in -o requirements.txt") })).plan;
        assert.notEqual(universal.python.source, "requirements.txt (its uv pip compile header)");
    });
});

describe("uWSGI web commands", () => {
    afterEach(() => apps.cleanup());
    const FILES = {
        "guestbook/__init__.py": "",
        "guestbook/wsgi.py": "from flask import Flask\n\napplication = Flask(__name__)\nother = Flask('other')\n",
        "requirements.txt": "flask==3.1.0\nuwsgi==2.0.28\n",
    };

    it("GIVEN `uwsgi --ini uwsgi.ini` whose [uwsgi] names module, processes, threads, harakiri and env THEN gunicorn serves that app with those settings; uWSGI's own options are noted", () => {
        const { plan } = synthesize(
            apps.make({
                ...FILES,
                "uwsgi.ini": "[uwsgi]\nhttp-socket = :$(PORT)\nmodule = guestbook.wsgi:other\nmaster = true\nprocesses = 3\nthreads = 8\nharakiri = 90\nenv = GUESTBOOK_MODE=production\n",
                Procfile: "web: uwsgi --ini uwsgi.ini\n",
            }),
        );
        assert.deepEqual(plan.entrypoint, { spec: "guestbook.wsgi:other", interface: "wsgi", source: "Procfile" });
        assert.equal(plan.server.defaultWorkers, 3);
        assert.equal(plan.server.threads, 8);
        assert.equal(plan.server.timeout, 90);
        assert.deepEqual(plan.imageEnv, { GUESTBOOK_MODE: "production" });
        assert.ok(plan.notes.includes("uwsgi.ini's `processes = 3` is kept as the worker count (WEB_CONCURRENCY overrides it at run time; set `workers` to fix it)."), plan.notes.join("\n"));
        assert.ok(plan.notes.includes("uwsgi.ini runs uWSGI; the image serves the same app with gunicorn. uWSGI's own options (http-socket, master) are not carried."), plan.notes.join("\n"));
    });

    it("GIVEN an ENTRYPOINT script the Dockerfile copies with a folder laid out as the image's root (`COPY rootfs /`, ENTRYPOINT [\"/entrypoint.sh\"]) THEN that script of the folder is read, its migration the release step", () => {
        const { plan } = synthesize(
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
                "shop/__init__.py": "",
                "shop/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = []\n",
                "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ngunicorn\n",
                "rootfs/entrypoint.sh": "#!/bin/sh -e\n./manage.py migrate\nexec gunicorn shop.wsgi:application --bind 0.0.0.0:8000 --timeout 17\n",
                Dockerfile: 'FROM python:3.11-slim\nWORKDIR /var/www/app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY rootfs /\nCOPY . .\nVOLUME /data\nENTRYPOINT ["/entrypoint.sh"]\n',
            }),
        );
        assert.deepEqual(plan.release, { command: ["./manage.py", "migrate"], workdir: "/app", source: "Dockerfile ENTRYPOINT (before the server)" });
        assert.deepEqual([plan.entrypoint.source, plan.server.timeout], ["Dockerfile", 17]);
        assert.ok(plan.notes.includes("The Dockerfile's ENTRYPOINT runs rootfs/entrypoint.sh; the commands in it are read as the web command."), plan.notes.join("\n"));
        // An image path the folder does not hold (VOLUME /data) is not the folder's.
        assert.ok(plan.writablePaths.some((w) => w.path === "/data"), JSON.stringify(plan.writablePaths));
    });

    it("GIVEN heroku.yml that builds the web process from the Dockerfile, and a Procfile (wagtail/bakerydemo) THEN the Dockerfile is the deployment (its ENV, its CMD), heroku.yml's release the release step, its program's path in the app's image dropped", () => {
        const files = {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
            "shop/__init__.py": "",
            "shop/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.auth']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\n",
            "shop/prod_settings.py": "from .settings import *\nDEBUG = False\n",
            "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\ngunicorn\n",
            Procfile: "release: python manage.py migrate\nweb: gunicorn shop.wsgi:application\n",
            Dockerfile: 'FROM python:3.11-slim\nWORKDIR /code\nCOPY . .\nENV DJANGO_SETTINGS_MODULE=shop.prod_settings\nCMD ["gunicorn", "shop.wsgi:application", "--timeout", "17"]\n',
            "heroku.yml": "build:\n  docker:\n    web:\n      dockerfile: Dockerfile\nrelease:\n  image: web\n  command:\n    - /venv/bin/python manage.py migrate --noinput\n",
        };
        const { plan } = synthesize(apps.make(files));
        assert.deepEqual([plan.entrypoint.source, plan.imageEnv["DJANGO_SETTINGS_MODULE"], plan.server.timeout], ["Dockerfile", "shop.prod_settings", 17]);
        assert.deepEqual(plan.release, { command: ["python", "manage.py", "migrate", "--noinput"], workdir: "/app", source: "heroku.yml release" });
        for (const note of [
            "heroku.yml builds the web process from Dockerfile, so Heroku runs its CMD and ignores the Procfile: the Procfile is not read.",
            "heroku.yml release runs `/venv/bin/python`, a path in the app's own image: the release step runs the program by its name, from the image's venv on PATH.",
        ]) {
            assert.ok(plan.notes.includes(note), plan.notes.join("\n"));
        }
        // run.web replaces the CMD; without heroku.yml's Docker build, the Procfile stays the deployment.
        const run = synthesize(apps.make({ ...files, "heroku.yml": files["heroku.yml"] + "run:\n  web: gunicorn shop.wsgi:application --timeout 23\n" })).plan;
        assert.deepEqual([run.entrypoint.source, run.server.timeout], ["heroku.yml", 23]);
        const procfile = synthesize(apps.make({ ...files, "heroku.yml": "setup:\n  addons:\n    - plan: heroku-postgresql\n" })).plan;
        assert.deepEqual([procfile.entrypoint.source, procfile.release?.source], ["Procfile", "Procfile release:"]);
    });

    it("GIVEN no Dockerfile by that name but a variant named for its use (docker/default.Dockerfile beside alpine.Dockerfile, docker/production.Dockerfile beside local.Dockerfile, Dockerfile.prod) THEN that one is the app's Dockerfile; development-only or ambiguous variants are not read", () => {
        const files = {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
            "shop/__init__.py": "",
            "shop/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\n",
            "shop/prod_settings.py": "from .settings import *\nDEBUG = False\n",
            "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\ngunicorn\n",
        };
        const dockerfile = (settings: string) =>
            `FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nENV DJANGO_SETTINGS_MODULE=${settings}\nCMD ["sh", "-c", "python manage.py migrate && gunicorn shop.wsgi:application --timeout 17"]\n`;
        const read = (extra: Record<string, string>) => {
            const { plan } = synthesize(apps.make({ ...files, ...extra }));
            return [plan.imageEnv["DJANGO_SETTINGS_MODULE"], plan.release?.source, plan.server.timeout];
        };
        assert.deepEqual(read({ "docker/default.Dockerfile": dockerfile("shop.prod_settings"), "docker/alpine.Dockerfile": dockerfile("shop.settings") }), ["shop.prod_settings", "docker/default.Dockerfile CMD (before the server)", 17]);
        assert.deepEqual(read({ "docker/production.Dockerfile": dockerfile("shop.prod_settings"), "docker/local.Dockerfile": dockerfile("shop.settings") }), ["shop.prod_settings", "docker/production.Dockerfile CMD (before the server)", 17]);
        assert.deepEqual(read({ "Dockerfile.prod": dockerfile("shop.prod_settings"), "Dockerfile.dev": dockerfile("shop.settings") }), ["shop.prod_settings", "Dockerfile.prod CMD (before the server)", 17]);
        const none = read({});
        assert.deepEqual(none, ["shop.settings", "Django with an SQLite database", 60]);
        assert.deepEqual(read({ "Dockerfile.dev": dockerfile("shop.prod_settings") }), none);
        assert.deepEqual(read({ "docker/alpine.Dockerfile": dockerfile("shop.prod_settings"), "docker/slim.Dockerfile": dockerfile("shop.prod_settings") }), none);
    });

    it("GIVEN a multi-stage Dockerfile whose builder copies the source to /opt/guestbook and whose final stage takes it with COPY --from, and a uwsgi.ini there with env and attach-daemon on several lines (Healthchecks') THEN the CMD's ini path is the source's, every repeated key counts, the daemons are named as other containers' work, and a build-time value given twice is one note", () => {
        const dockerfile =
            "FROM python:3.12-slim AS builder\nCOPY requirements.txt /tmp\nRUN pip wheel --wheel-dir /wheels -r /tmp/requirements.txt\nCOPY . /opt/guestbook/\n\n" +
            "FROM python:3.12-slim\nWORKDIR /opt/guestbook\nCOPY --from=builder /opt/guestbook/ /opt/guestbook/\n" +
            "RUN DEBUG=False SECRET_KEY=build-key ./manage.py collectstatic --noinput && DEBUG=False SECRET_KEY=build-key ./manage.py compress\n" +
            "CMD [\"uwsgi\", \"/opt/guestbook/docker/uwsgi.ini\"]\n";
        const { plan } = synthesize(
            apps.make({
                ...FILES,
                "docker/Dockerfile": dockerfile,
                "docker/uwsgi.ini":
                    "[uwsgi]\nmaster = true\nprocesses = 3\nchdir = /opt/guestbook\nmodule = guestbook.wsgi:other\nenv = GUESTBOOK_MODE=production\nenv = GUESTBOOK_REGION=eu\n" +
                    "attach-daemon = ./manage.py sendalerts\nattach-daemon = ./manage.py sendreports --loop\n",
            }),
        );
        assert.deepEqual(plan.entrypoint, { spec: "guestbook.wsgi:other", interface: "wsgi", source: "docker/Dockerfile" });
        assert.equal(plan.server.defaultWorkers, 3);
        assert.deepEqual(plan.imageEnv, { GUESTBOOK_MODE: "production", GUESTBOOK_REGION: "eu" });
        assert.ok(
            plan.notes.includes(
                "docker/uwsgi.ini also starts `./manage.py sendalerts`, `./manage.py sendreports --loop` beside the app (uWSGI's attach-daemon); the image runs only the web server. " +
                    "What they do (sending alerts, reports, a queue's jobs) happens only once each runs as another container of the same image with that command, and the web container's environment and data volumes.",
            ),
            plan.notes.join("\n"),
        );
        assert.ok(plan.notes.includes("docker/uwsgi.ini runs uWSGI; the image serves the same app with gunicorn. uWSGI's own options (master) are not carried."), plan.notes.join("\n"));
        // The same build-time value before two commands is one note.
        assert.equal(plan.notes.filter((n) => n.startsWith("docker/Dockerfile RUN gives the build step DEBUG=False")).length, 1, plan.notes.join("\n"));
    });

    it("GIVEN a start script that sets shell variables, chowns its data folder and runs `exec uwsgi --http $HOST:$PORT uwsgi.ini` THEN the ini is read, the assignments are setup, the chown is not run", () => {
        const script = '#!/usr/bin/env bash\nHOST="${HOST:-[::]}"\nPORT="${PORT:-9090}"\nmkdir -p data\npython manage.py migrate\nchown -R www-data: /srv/data\nexec uwsgi --http $HOST:$PORT uwsgi.ini\n';
        const { plan } = synthesize(
            apps.make({
                ...FILES,
                "uwsgi.ini": "[uwsgi]\nmodule = guestbook.wsgi:other\nenv = GUESTBOOK_MODE=production\n",
                "bootstrap.sh": script,
                Procfile: "web: ./bootstrap.sh\n",
            }),
        );
        assert.deepEqual(plan.entrypoint, { spec: "guestbook.wsgi:other", interface: "wsgi", source: "Procfile" });
        assert.deepEqual(plan.imageEnv, { GUESTBOOK_MODE: "production" });
        assert.deepEqual(plan.release?.command, ["python", "manage.py", "migrate"]);
        assert.ok(
            plan.notes.includes(
                "The Procfile runs `chown -R www-data: /srv/data` before the server: who owns and may write the files is the image's to decide (its writable paths belong to its user, uid 10001; everything else is read-only), and the release step runs as that user, which may not change owners: not run.",
            ),
            plan.notes.join("\n"),
        );
    });

    it("GIVEN an ENTRYPOINT script that retries a migration in a loop before the server (microblog's boot.sh) THEN the migration is the release step, and the note says so instead of calling every command unrun", () => {
        const boot =
            '#!/bin/bash\nwhile true; do\n    flask db upgrade\n    if [[ "$?" == "0" ]]; then\n        break\n    fi\n    echo Deploy command failed, retrying in 5 secs...\n    sleep 5\ndone\nflask translate compile\nexec gunicorn -b :5000 --access-logfile - microblog:app\n';
        const { plan } = synthesize(
            apps.make({
                "microblog.py": "from flask import Flask\nfrom flask_migrate import Migrate\nfrom flask_sqlalchemy import SQLAlchemy\n\napp = Flask(__name__)\ndb = SQLAlchemy(app)\nmigrate = Migrate(app, db)\n",
                "requirements.txt": "flask==3.1.0\nflask-sqlalchemy==3.1.1\nflask-migrate==4.0.7\ngunicorn==23.0.0\n",
                "boot.sh": boot,
                Dockerfile: 'FROM python:3.13-slim\nWORKDIR /home/microblog\nCOPY . .\nRUN pip install -r requirements.txt\nENV FLASK_APP=microblog.py\nENTRYPOINT ["./boot.sh"]\n',
            }),
        );
        assert.deepEqual(plan.release, { command: ["flask", "--app", "microblog:app", "db", "upgrade"], workdir: "/app", source: "Dockerfile ENTRYPOINT (before the server)" });
        assert.ok(
            plan.notes.includes(
                "The Dockerfile's ENTRYPOINT runs boot.sh, whose commands run under control flow (if/then, loops): its last line, the server, is read as the web command, after the commands before it outside every block (they run whatever the branches decide); of the commands under control flow before it, `flask db upgrade` is the release step, and the others are not run (set `releaseCommand` for what must run at deploy).",
            ),
            plan.notes.join("\n"),
        );
    });

    it("GIVEN a start script whose server line starts with a setup builtin (`umask 0 && exec gunicorn ...`, Tandoor's boot.sh) THEN the server after it is read; a line of builtins alone is still setup", () => {
        const files = {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
            "shop/__init__.py": "",
            "shop/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.auth']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\n",
            "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\ngunicorn\n",
            Dockerfile: 'FROM python:3.11-slim\nWORKDIR /opt/shop\nCOPY . ./\nENTRYPOINT ["/opt/shop/boot.sh"]\n',
        };
        for (const line of ["umask 0 && exec gunicorn --timeout 17 shop.wsgi", "umask 0; set -e; exec gunicorn --timeout 17 shop.wsgi"]) {
            const { plan } = synthesize(apps.make({ ...files, "boot.sh": `#!/bin/sh\npython manage.py migrate\numask 0 && echo starting\n${line}\n` }));
            assert.deepEqual([plan.entrypoint.source, plan.server.timeout, plan.release?.command], ["Dockerfile", 17, ["python", "manage.py", "migrate"]], line);
        }
    });
    it("GIVEN a start script whose manage.py commands run before an if/else that only picks the server (linkding's bootstrap.sh) THEN those commands are the release step, as in the same script without the if/else", () => {
        const bootstrap =
            '#!/usr/bin/env bash\nmkdir -p data\npython manage.py generate_secret_key\npython manage.py migrate\n# comment\nif [ "$SUPERVISED" = "True" ]; then\n  python manage.py collect_feeds\n  exec supervisord -c supervisord.conf\nelse\n  exec gunicorn tagmark.wsgi:application\nfi\n';
        const files = {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tagmark.settings')\n",
            "tagmark/__init__.py": "",
            "tagmark/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'data/db.sqlite3'}}\nWSGI_APPLICATION = 'tagmark.wsgi.application'\n",
            "tagmark/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\ngunicorn\n",
            "bootstrap.sh": bootstrap,
            Procfile: "web: ./bootstrap.sh\n",
        };
        const { plan } = synthesize(apps.make(files));
        assert.equal(plan.entrypoint.spec, "tagmark.wsgi:application");
        assert.deepEqual(plan.release?.command, ["sh", "-c", "python manage.py generate_secret_key && python manage.py migrate"]);
        assert.ok(
            plan.notes.includes(
                "The Procfile's web: line runs bootstrap.sh, whose commands run under control flow (if/then, loops): its last line, the server, is read as the web command, after the commands before it outside every block (they run whatever the branches decide), " +
                    "and the commands under control flow before it are not run (set `releaseCommand` for what must run at deploy).",
            ),
            plan.notes.join("\n"),
        );
        // A migration only in a branch stays a release step of its own.
        const branch = synthesize(apps.make({ ...files, "bootstrap.sh": bootstrap.replace("python manage.py generate_secret_key\npython manage.py migrate\n", "").replace("  python manage.py collect_feeds\n", "  python manage.py migrate\n") })).plan;
        assert.deepEqual(branch.release?.command, ["python", "manage.py", "migrate"]);
    });

    it("GIVEN a start script with control flow whose server line names the app and worker class by variables (tiangolo's start.sh) THEN its last line is read, the app comes from the code, the worker class from the script's own default, with notes", () => {
        const script =
            '#! /usr/bin/env sh\nset -e\nif [ -f /app/app/main.py ]; then\n    DEFAULT_MODULE_NAME=app.main\nelif [ -f /app/main.py ]; then\n    DEFAULT_MODULE_NAME=main\nfi\nMODULE_NAME=${MODULE_NAME:-$DEFAULT_MODULE_NAME}\nexport APP_MODULE=${APP_MODULE:-"$MODULE_NAME:app"}\nexport WORKER_CLASS=${WORKER_CLASS:-"uvicorn.workers.UvicornWorker"}\nexec gunicorn -k "$WORKER_CLASS" "$APP_MODULE"\n';
        const { plan } = synthesize(apps.make({ "app/__init__.py": "", "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n", "requirements.txt": "fastapi\nuvicorn\ngunicorn\n", "start.sh": script, Procfile: "web: ./start.sh\n" }));
        assert.deepEqual(plan.entrypoint, { spec: "app.main:app", interface: "asgi", source: "app/main.py" });
        assert.equal(plan.release, undefined);
        assert.ok(plan.notes.includes('The Procfile\'s web: line gives the app as "${APP_MODULE}", a variable its command sets, which is not read here: the app is looked for in the code instead (set `app` to choose it).'), plan.notes.join("\n"));
        assert.ok(plan.notes.includes("The Procfile's web: line runs start.sh, whose commands run under control flow (if/then, loops): its last line, the server, is read as the web command, and the commands under control flow before it are not run (set `releaseCommand` for what must run at deploy)."));
        // WORKER_CLASS=${WORKER_CLASS:-"uvicorn.workers.UvicornWorker"} before the server line: its default is read; APP_MODULE's is made of MODULE_NAME, which a branch sets, so it is not.
        assert.ok(
            plan.notes.includes(
                "start.sh sets WORKER_CLASS=uvicorn.workers.UvicornWorker (its default, `${WORKER_CLASS:-\"uvicorn.workers.UvicornWorker\"}`) before the commands that use it: the commands are read with that value; the image does not read WORKER_CLASS at run time.",
            ),
            plan.notes.join("\n"),
        );
        assert.equal(plan.server.workerClass, "uvicorn_worker.UvicornWorker");
    });

    it("GIVEN `uwsgi --http :$PORT --wsgi-file guestbook/wsgi.py --callable other -p 2` THEN the file's module on its folder's path, the callable, 2 workers", () => {
        const { plan } = synthesize(apps.make({ ...FILES, Procfile: "web: uwsgi --http :$PORT --wsgi-file guestbook/wsgi.py --callable other -p 2 --master\n" }));
        assert.equal(plan.entrypoint.spec, "wsgi:other");
        assert.deepEqual(plan.server.pythonPath, ["/app/guestbook"]);
        assert.equal(plan.server.defaultWorkers, 2);
    });
});

describe("what apps write, named in logging config files, config classes and libraries", () => {
    afterEach(() => apps.cleanup());

    describe("paths computed through functions, objects and config files", () => {
        const paths = (files: Record<string, string>) => synthesize(apps.make({ "requirements.txt": "flask\npyyaml\nenvirons\n", ...files })).plan.writablePaths.map((w) => [w.path, w.kind]);
        const FLASK = "from flask import Flask\napp = Flask(__name__)\n";

        it("GIVEN a function that returns the data folder (an unset variable's branch, then the fallback) THEN the fallback is the folder", () => {
            assert.deepEqual(
                paths({ "app.py": `import os\nfrom pathlib import Path\nBASE = Path(__file__).parent\ndef data_dir():\n    d = os.getenv("DATA_DIR")\n    if d:\n        return Path(d)\n    return BASE / "data"\n\ndata_dir().mkdir(exist_ok=True)\n${FLASK}` }),
                [["/app/data", "data"]],
            );
        });
        it("GIVEN a folder made in __init__ from its argument, and a property of a dataclass whose field has a default_factory THEN both are read through the instance the app makes", () => {
            const code =
                "import os\nimport sqlite3\nfrom dataclasses import dataclass, field\nfrom pathlib import Path\n" +
                "def _root():\n    return Path(os.environ.get(\"ROOT\") or os.getcwd())\n" +
                "@dataclass\nclass Config:\n    root: Path = field(default_factory=_root)\n    @property\n    def logs(self):\n        return self.root / \"logs\"\n" +
                "class Store:\n    def __init__(self, path):\n        os.makedirs(os.path.dirname(path), exist_ok=True)\n        self.db = sqlite3.connect(path)\n" +
                "CONFIG = Config()\nCONFIG.logs.mkdir(exist_ok=True)\nstore = Store(\"db/comments.db\")\n" + FLASK;
            assert.deepEqual(paths({ "app.py": code }), [
                ["/app/db", "data"],
                ["/app/logs", "scratch"],
            ]);
        });
        it("GIVEN a factory whose parameter defaults to the config object, and a helper it passes it to THEN the helper's writes are read with the default", () => {
            const code =
                "from pathlib import Path\nclass Settings:\n    uploads = Path(\"media/uploads\")\nSETTINGS = Settings()\n" +
                "def prepare(settings):\n    settings.uploads.mkdir(parents=True, exist_ok=True)\n" +
                "def create_app(settings=SETTINGS):\n    prepare(settings)\n    from flask import Flask\n    return Flask(__name__)\n";
            assert.deepEqual(paths({ "app.py": code, Procfile: "web: gunicorn 'app:create_app()'\n" }), [["/app/media/uploads", "data"]]);
        });
        it("GIVEN a config class whose SQLite URL joins a class attribute `BASE_DIR = Path(__file__).resolve().parent` (AppSeed's apps/config.py) THEN the database is beside that module, on the data volume", () => {
            const files = {
                "requirements.txt": "flask\nflask-sqlalchemy\n",
                "apps/__init__.py": "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\ndef create_app(config):\n    app = Flask(__name__)\n    app.config.from_object(config)\n    db.init_app(app)\n    return app\n",
                "apps/config.py":
                    "import os\nfrom pathlib import Path\nclass Config(object):\n    BASE_DIR = Path(__file__).resolve().parent\n    USE_SQLITE = True\n    if USE_SQLITE:\n" +
                    "        SQLALCHEMY_DATABASE_URI = 'sqlite:///' + os.path.join(BASE_DIR, 'db.sqlite3')\nclass ProductionConfig(Config):\n    DEBUG = False\n",
                "run.py": "from apps.config import ProductionConfig\nfrom apps import create_app, db\napp = create_app(ProductionConfig)\nwith app.app_context():\n    db.create_all()\n",
            };
            const { plan } = synthesize(apps.make(files));
            assert.deepEqual(plan.writablePaths, [
                { path: "/data", kind: "data", why: "apps/config.py: an SQLite database at apps/db.sqlite3", links: [{ from: "/app/apps/db.sqlite3", to: "/data/apps/db.sqlite3" }] },
            ]);
        });
        it("GIVEN a factory's `instance_path` parameter with a default passed to Flask(instance_path=...) (ihatemoney's create_app(instance_path=\"/etc/ihatemoney\")) THEN the instance folder is that default, not ./instance; a folder in /app is data", () => {
            const run = (folder: string) => ({
                "money/__init__.py": "",
                "money/run.py": `from flask import Flask\n\ndef create_app(configuration=None, instance_path="${folder}", instance_relative_config=True):\n    app = Flask(__name__, instance_path=instance_path, instance_relative_config=instance_relative_config)\n    app.config.from_pyfile("money.cfg", silent=True)\n    return app\n`,
                "money/wsgi.py": "from money.run import create_app\napplication = create_app()\n",
            });
            const etc = synthesize(apps.make({ "requirements.txt": "flask\n", ...run("/etc/money") })).plan;
            assert.deepEqual(etc.writablePaths, []);
            assert.ok(etc.notes.includes("The app writes /etc/money (money/run.py: Flask's instance folder (Flask(instance_path=...))), which stays read-only in the container; if it must, move it or declare a folder in `writablePaths`."), etc.notes.join("\n"));
            assert.deepEqual(paths(run("/srv/money/instance")), [["/srv/money/instance", "data"]]);
        });
        it("GIVEN app.config.from_object(Config) with Config a class of the same module, whose UPLOADS joins its own ROOT attribute THEN the folder os.makedirs(app.config[\"UPLOADS\"]) makes is data", () => {
            const code =
                "import os\nfrom pathlib import Path\nfrom flask import Flask\n\nclass Config:\n    ROOT = Path(__file__).resolve().parent.parent\n    UPLOADS = ROOT / \"var\" / \"uploads\"\n\n" +
                "app = Flask(__name__)\napp.config.from_object(Config)\nos.makedirs(app.config[\"UPLOADS\"], exist_ok=True)\n";
            assert.deepEqual(paths({ "shop/__init__.py": code }), [["/app/var/uploads", "data"]]);
        });
        it("GIVEN folders made in a loop over a tuple of names THEN each item is a folder", () => {
            assert.deepEqual(paths({ "app.py": `import os\nDATA = "data"\nLOGS = "logs"\nfor folder in (DATA, LOGS):\n    os.makedirs(folder, exist_ok=True)\n${FLASK}` }), [
                ["/app/data", "data"],
                ["/app/logs", "scratch"],
            ]);
        });
        it("GIVEN paths in a YAML, a TOML (Flask's from_file) and an INI (configparser) file the code loads THEN their values are the paths", () => {
            assert.deepEqual(
                paths({ "app.py": `import yaml\nfrom pathlib import Path\nwith open("config.yml") as fh:\n    CONFIG = yaml.safe_load(fh)\nPath(CONFIG["storage"]["root"]).mkdir(exist_ok=True)\n${FLASK}`, "config.yml": "storage:\n  root: /srv/pastes\n" }),
                [["/srv/pastes", "data"]],
            );
            assert.deepEqual(
                paths({ "app.py": `import os\nimport sqlite3\nimport tomllib\n${FLASK}app.config.from_file("config.toml", load=tomllib.load, text=False)\nos.makedirs(app.config["ATTACHMENTS"], exist_ok=True)\nconn = sqlite3.connect(app.config["DATABASE"])\n`, "config.toml": 'DATABASE = "var/app.sqlite3"\nATTACHMENTS = "var/files"\n' }),
                [
                    ["/app/var/files", "data"],
                    ["/data", "data"],
                ],
            );
            assert.deepEqual(
                paths({ "app.py": `import configparser\nimport logging\nparser = configparser.ConfigParser()\nparser.read("settings.ini")\nlogging.basicConfig(filename=parser.get("log", "File", fallback="x.log"))\n${FLASK}`, "settings.ini": "[log]\nfile = log/app.log\n" }),
                [["/app/log", "scratch"]],
            );
        });
        it("GIVEN an SQLite URL held by a settings object a cached getter returns, given to create_engine in another module THEN the database is data", () => {
            const files = {
                "settings.py": 'from functools import lru_cache\nclass Settings:\n    def __init__(self, home="var"):\n        self.url = f"sqlite:///{home}/app.db"\n@lru_cache\ndef get_settings():\n    return Settings()\n',
                "app.py": `from sqlalchemy import create_engine\nfrom settings import get_settings\nengine = create_engine(get_settings().url)\n${FLASK}`,
            };
            assert.deepEqual(paths(files), [["/data", "data"]]);
            assert.match(synthesize(apps.make({ "requirements.txt": "flask\nsqlalchemy\n", ...files })).dockerfile, /ln -sfn \/data\/var\/app\.db \/app\/var\/app\.db/);
        });
        it("GIVEN a function whose returns sit under conditions on the environment, in a package three deep re-exported by its __init__ THEN the branch the unset environment takes is the path", () => {
            const files = {
                "shop/core/settings/__init__.py": "from .dirs import make_dirs\n",
                "shop/core/settings/dirs.py":
                    'import os\nfrom pathlib import Path\nTESTING = os.getenv("TESTING", "False").lower() in ["true", "1"]\nPRODUCTION = os.getenv("PRODUCTION", "True").lower() in ["true", "1"]\nDATA_DIR = os.getenv("DATA_DIR")\n' +
                    'def data_dir():\n    if TESTING:\n        return Path("tests/.temp")\n    if PRODUCTION:\n        return Path(DATA_DIR if DATA_DIR else "/app/data")\n    return Path("dev/data")\n' +
                    'def make_dirs():\n    for d in [data_dir() / "backups", data_dir() / "users"]:\n        d.mkdir(parents=True, exist_ok=True)\n',
                "shop/__init__.py": "",
                "shop/core/__init__.py": "",
                "shop/app.py": `from shop.core.settings import make_dirs\nmake_dirs()\n${FLASK}`,
            };
            assert.deepEqual(paths(files), [
                ["/app/data/backups", "data"],
                ["/app/data/users", "data"],
            ]);
        });
        it("GIVEN a classmethod and a staticmethod that return paths from a class attribute, read through a factory's parameter that defaults to the class THEN the folder is data", () => {
            const code =
                "from pathlib import Path\nfrom peewee import SqliteDatabase\nclass Config:\n    DATA_DIR = Path(\"storage\")\n" +
                "    @classmethod\n    def database_path(cls):\n        return cls.DATA_DIR / \"app.db\"\n    @staticmethod\n    def backup_dir():\n        return Config.DATA_DIR / \"backups\"\n" +
                "def create_app(config_class=Config):\n    config_class.database_path().parent.mkdir(parents=True, exist_ok=True)\n    config_class.backup_dir().mkdir(exist_ok=True)\n    from flask import Flask\n    return Flask(__name__)\n";
            // The backups folder is inside the storage volume.
            assert.deepEqual(paths({ "app.py": code, Procfile: "web: gunicorn 'app:create_app()'\n" }), [["/app/storage", "data"]]);
        });
        it("GIVEN a NamedTuple built by a classmethod `cls(...)`, and a dict of paths read by key THEN both are read", () => {
            const code =
                "import os\nimport sqlite3\nfrom pathlib import Path\nfrom typing import NamedTuple\n" +
                "class Conf(NamedTuple):\n    state_dir: Path\n    @classmethod\n    def load(cls):\n        return cls(state_dir=Path(os.environ.get(\"STATE\", \"state\")))\n" +
                "conf = Conf.load()\nconf.state_dir.mkdir(exist_ok=True)\nPATHS = {\"db\": Path(\"var/db/app.sqlite3\")}\nPATHS[\"db\"].parent.mkdir(parents=True, exist_ok=True)\n" + FLASK;
            assert.deepEqual(paths({ "app.py": code }), [
                ["/app/state", "data"],
                ["/app/var/db", "data"],
            ]);
        });
        it("GIVEN Tortoise ORM's two-slash sqlite:// URL THEN it is a file from the working folder; sqlite://:memory: is none", () => {
            const code = (url: string) => `from tortoise.contrib.quart import register_tortoise\nfrom quart import Quart\napp = Quart(__name__)\nregister_tortoise(app, db_url="${url}", modules={"models": ["models"]})\n`;
            assert.deepEqual(paths({ "app.py": code("sqlite://quips.sqlite3") }), [["/data", "data"]]);
            assert.deepEqual(paths({ "app.py": code("sqlite://:memory:") }), []);
        });
        it("GIVEN OmegaConf's YAML with ${...} references read as attributes, a dynaconf file with environments and @format, and a pydantic-settings TOML source THEN their values are the paths", () => {
            assert.deepEqual(
                paths({
                    "app.py": `from pathlib import Path\nfrom omegaconf import OmegaConf\ncfg = OmegaConf.load("conf/config.yaml")\nPath(cfg.storage.thumbs).mkdir(parents=True, exist_ok=True)\n${FLASK}`,
                    "conf/config.yaml": "storage:\n  root: var\n  thumbs: ${storage.root}/thumbs\n",
                }),
                [["/app/var/thumbs", "data"]],
            );
            const dynaconf = {
                "app.py": `import os\nfrom dynaconf import Dynaconf\nsettings = Dynaconf(settings_files=["settings.toml"], environments=True, env_switcher="APP_ENV")\nos.makedirs(settings.UPLOADS, exist_ok=True)\n${FLASK}`,
                "settings.toml": '[default]\ndata_dir = "instance"\nuploads = "@format {this.DATA_DIR}/uploads"\n[production]\ndata_dir = "/var/lib/pins"\n',
            };
            assert.deepEqual(paths(dynaconf), [["/app/instance/uploads", "data"]]);
            assert.deepEqual(paths({ ...dynaconf, Procfile: "web: APP_ENV=production gunicorn app:app\n" }), [["/var/lib/pins/uploads", "data"]]);
            const settings =
                "from pathlib import Path\nfrom pydantic_settings import BaseSettings, SettingsConfigDict, TomlConfigSettingsSource\n" +
                "class Settings(BaseSettings):\n    model_config = SettingsConfigDict(toml_file=\"app.toml\")\n    data_dir: Path = Path(\"data\")\n" +
                "    @classmethod\n    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):\n        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))\n" +
                `settings = Settings()\nPath(settings.data_dir).mkdir(exist_ok=True)\n${FLASK}`;
            assert.deepEqual(paths({ "app.py": settings, "app.toml": 'data_dir = "/srv/app"\n' }), [["/srv/app", "data"]]);
            assert.deepEqual(paths({ "app.py": settings.replace("TomlConfigSettingsSource(settings_cls)", "dotenv_settings"), "app.toml": 'data_dir = "/srv/app"\n' }), [["/app/data", "data"]]);
        });
        it("GIVEN a folder made from a value not read here THEN a note names the call; a temporary folder, a read-only database and a computed name under a folder found say nothing", () => {
            const notes = (code: string) => synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": `import os\nimport sqlite3\nimport tempfile\nfrom store import STORE\n${code}\n${FLASK}` , "store.py": "STORE = object()\n" })).plan.notes.filter((n) => n.includes("not read here"));
            assert.deepEqual(notes("os.makedirs(STORE.root, exist_ok=True)"), [
                "The app makes or opens places whose paths are computed in a way not read here: app.py: os.makedirs(STORE.root, exist_ok=True). The image's filesystem is read-only outside /tmp and the writable paths: if one of them is elsewhere, name it in `writablePaths` (data for what must be kept, scratch for the rest), or the call fails when it runs.",
            ]);
            assert.deepEqual(notes("WORK = tempfile.mkdtemp()\nos.makedirs(os.path.join(WORK, 'x'))"), []);
            assert.deepEqual(notes('DB = "cities.db"\nconn = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)'), []);
            assert.deepEqual(notes('UPLOADS = "uploads"\nos.makedirs(UPLOADS, exist_ok=True)\ndef save(name):\n    os.makedirs(os.path.join(UPLOADS, name))'), []);
        });
        it("GIVEN os.environ[...] the platform's config or the app's own setdefault gives, and current_app.config[...] set by the factory in another module THEN those are the paths", () => {
            assert.deepEqual(paths({ "app.py": `import os\nimport sqlite3\nconn = sqlite3.connect(os.environ["DB_PATH"])\n${FLASK}`, "fly.toml": 'app = "x"\n[env]\n  DB_PATH = "/srv/db/app.db"\n' }), [["/data", "data"]]);
            assert.deepEqual(paths({ "app.py": `import os\nfrom pathlib import Path\nos.environ.setdefault("STORE", "var/store")\nPath(os.environ["STORE"]).mkdir(parents=True, exist_ok=True)\n${FLASK}` }), [["/app/var/store", "data"]]);
            const files = {
                "notes/__init__.py": 'import os\nfrom flask import Flask\ndef create_app():\n    app = Flask(__name__)\n    app.config.from_mapping(DATABASE=os.path.join(app.root_path, "notes.db"))\n    from . import db\n    return app\n',
                "notes/db.py": 'import sqlite3\nfrom flask import current_app\ndef get_db():\n    return sqlite3.connect(current_app.config["DATABASE"])\n',
                Procfile: "web: gunicorn 'notes:create_app()'\n",
            };
            assert.match(synthesize(apps.make({ "requirements.txt": "flask\n", ...files })).dockerfile, /ln -sfn \/data\/notes\/notes\.db \/app\/notes\/notes\.db/);
        });
        it("GIVEN current_app.config[...] of a key a config class sets (a base of the class from_object loads from a dict of classes), and Flask-Whooshee's and Flask-Avatars' folders THEN those are the app's data paths", () => {
            const settings = [
                "import os",
                "basedir = os.path.abspath(os.path.dirname(os.path.dirname(__file__)))",
                "class BaseConfig:",
                "    GALLERY_UPLOAD_PATH = os.path.join(basedir, 'uploads')",
                "    AVATARS_SAVE_PATH = os.path.join(GALLERY_UPLOAD_PATH, 'avatars')",
                "class DevelopmentConfig(BaseConfig):",
                "    SECRET_KEY = 'dev'",
                "config = {'development': DevelopmentConfig}",
                "",
            ].join("\n");
            const files = {
                "gallery/settings.py": settings,
                "gallery/extensions.py": "from flask_avatars import Avatars\nfrom flask_whooshee import Whooshee\navatars = Avatars()\nwhooshee = Whooshee()\n",
                "gallery/__init__.py":
                    "import os\nfrom flask import Flask\nfrom gallery.extensions import avatars, whooshee\nfrom gallery.main import main_bp\nfrom gallery.settings import config\n\n" +
                    "def create_app(config_name=None):\n    if config_name is None:\n        config_name = os.getenv('FLASK_CONFIG', 'development')\n    app = Flask('gallery')\n    app.config.from_object(config[config_name])\n" +
                    "    whooshee.init_app(app)\n    avatars.init_app(app)\n    app.register_blueprint(main_bp)\n    return app\n",
                "gallery/main.py":
                    "import os\nfrom flask import Blueprint, current_app, request\nmain_bp = Blueprint('main', __name__)\n\n@main_bp.route('/upload', methods=['POST'])\ndef upload():\n" +
                    "    f = request.files['file']\n    f.save(os.path.join(current_app.config['GALLERY_UPLOAD_PATH'], f.filename))\n    return 'ok'\n",
                Procfile: "web: gunicorn 'gallery:create_app()'\n",
            };
            const want = (whoosheeDir: string) => ({
                "/app/uploads": "gallery/main.py: .save() stores files into uploads",
                [`/app/${whoosheeDir}`]: `gallery/extensions.py: Flask-Whooshee keeps its search indexes in ${whoosheeDir === "whooshee" ? "its default whooshee folder in the working folder" : `WHOOSHEE_DIR ${whoosheeDir}`}`,
            });
            const found = (extra: Record<string, string>) =>
                Object.fromEntries(synthesize(apps.make({ "requirements.txt": "flask\nflask-whooshee\nflask-avatars\n", ...files, ...extra })).plan.writablePaths.map((w) => [w.path, w.why]));
            assert.deepEqual(found({}), want("whooshee"));
            assert.deepEqual(found({ "gallery/settings.py": settings.replace("    SECRET_KEY = 'dev'", "    WHOOSHEE_DIR = os.path.join(basedir, 'search')") }), want("search"));
            assert.deepEqual(found({ "gallery/settings.py": settings.replace("    SECRET_KEY = 'dev'", "    WHOOSHEE_MEMORY_STORAGE = True") }), { "/app/uploads": want("whooshee")["/app/uploads"] });
            // The avatars folder alone (no upload view): Flask-Avatars' own key.
            const avatarsOnly = found({ "gallery/main.py": "from flask import Blueprint\nmain_bp = Blueprint('main', __name__)\n", "gallery/extensions.py": "from flask_avatars import Avatars\nfrom flask_whooshee import Whooshee\navatars = Avatars()\nwhooshee = Whooshee()\n" });
            assert.equal(avatarsOnly["/app/uploads/avatars"], "gallery/extensions.py: Flask-Avatars saves avatars into AVATARS_SAVE_PATH uploads/avatars");
        });
        it("GIVEN SQLAlchemy's URL.create() with the driver an environment default (\"sqlite\") and the database under a folder a variable names THEN that file is the database, where the image's variable puts it; another driver is not a file", () => {
            const code = (driver: string) =>
                `import os\nfrom sqlalchemy.engine import URL\nfrom flask import Flask\nPROJECT_DIR = os.path.dirname(os.path.abspath(__file__))\nSTORAGE_PATH = os.getenv("STORAGE_PATH", PROJECT_DIR)\n` +
                `DB_URL = URL.create(os.getenv("DB_DRIVER", "${driver}"), username=os.getenv("DB_USER"), host=os.getenv("DB_HOST"), database=os.getenv("DB_NAME", STORAGE_PATH + "/database.db"))\napp = Flask(__name__)\n`;
            const links = (files: Record<string, string>) => synthesize(apps.make({ "requirements.txt": "flask\nsqlalchemy\n", ...files })).plan.writablePaths.map((w) => [w.path, w.links.map((l) => l.from)]);
            assert.deepEqual(links({ "app.py": code("sqlite") }), [["/data", ["/app/database.db"]]]);
            assert.deepEqual(links({ "app.py": code("sqlite"), Dockerfile: "FROM python:3.12\nWORKDIR /app\nCOPY . .\nENV STORAGE_PATH=/srv/storage\nCMD [\"gunicorn\", \"app:app\"]\n" }), [["/data", ["/srv/storage/database.db"]]]);
            assert.deepEqual(links({ "app.py": code("postgresql") }), []);
        });
        it("GIVEN a script beside the app (a top-level module with an `if __name__ == \"__main__\":` block that no module imports) writing into a shipped folder, or such a module of a tools package nothing outside it imports THEN its writes are not the server's; the same module imported by the app, or served, still counts", () => {
            const script = 'import json\n\n\ndef update_templates(path="templates/items.json"):\n    with open(path, "w") as f:\n        json.dump({}, f)\n\n\nif __name__ == "__main__":\n    update_templates()\n';
            const base = { "app.py": "from flask import Flask\napp = Flask(__name__)\n", "templates/items.json": "{}\n", "requirements.txt": "flask\n" };
            const paths = (files: Record<string, string>) => synthesize(apps.make({ ...base, ...files })).plan.writablePaths.map((w) => w.links.map((l) => l.from).concat(w.path)).flat();
            assert.deepEqual(paths({ "manage_items.py": script }), []);
            assert.deepEqual(paths({ "manage_items.py": script, "app.py": "from flask import Flask\nimport manage_items\napp = Flask(__name__)\n" }), ["/app/templates"]);
            assert.deepEqual(paths({ "app.py": `${script}\nfrom flask import Flask\napp = Flask(__name__)\n` }), ["/app/templates"]);
            // In a tools package no module outside it imports (searxng_extra/update/): a script too; in a package the app imports, the app's.
            const tools = { "tools/__init__.py": "", "tools/update/__init__.py": "", "tools/update/items.py": script };
            assert.deepEqual(paths(tools), []);
            assert.deepEqual(paths({ ...tools, "tools/common.py": "from tools.update import items\n" }), []);
            assert.deepEqual(paths({ ...tools, "app.py": "from flask import Flask\nfrom tools.update import items\napp = Flask(__name__)\n" }), ["/app/templates"]);
        });
        it("GIVEN a library's store at an absolute path (TinyDB(\"/var/docs/db.json\") through a variable's default, diskcache under /var/cache) THEN it is writable like a relative one; one under /tmp needs nothing", () => {
            const found = (code: string) =>
                synthesize(apps.make({ "app.py": `import os\nfrom flask import Flask\n${code}\napp = Flask(__name__)\n`, "requirements.txt": "flask\ntinydb\ndiskcache\n" })).plan.writablePaths.map((w) => [w.path, w.kind, w.links.map((l) => l.from)]);
            assert.deepEqual(found('from tinydb import TinyDB\nSTORE = os.getenv("DOCS_STORE", "/var/docs")\ndb = TinyDB(os.path.join(STORE, "db.json"))'), [["/var/docs", "data", []]]);
            assert.deepEqual(found('import diskcache\ncache = diskcache.Cache("/var/cache/docs")'), [["/var/cache/docs", "scratch", []]]);
            assert.deepEqual(found('from tinydb import TinyDB\ndb = TinyDB("/tmp/db.json")'), []);
        });
        it("GIVEN a Chroma PersistentClient (at a path through pydantic-settings' default, or with none: its ./chroma) THEN that folder is data: its SQLite file and index survive a redeploy", () => {
            const found = (files: Record<string, string>) =>
                synthesize(apps.make({ "requirements.txt": "fastapi\nchromadb\npydantic-settings\n", ...files })).plan.writablePaths.map((w) => [w.path, w.kind, w.why]);
            const settings = 'from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    chroma_path: str = "chroma_db"\n\n\nsettings = Settings()\n';
            assert.deepEqual(
                found({ "app/__init__.py": "", "app/config.py": settings, "app/main.py": "import chromadb\nfrom fastapi import FastAPI\nfrom .config import settings\n\nclient = chromadb.PersistentClient(path=settings.chroma_path)\napp = FastAPI()\n" }),
                [["/app/chroma_db", "data", "app/main.py: PersistentClient(chroma_db)"]],
            );
            assert.deepEqual(found({ "main.py": "import chromadb\nfrom fastapi import FastAPI\n\nclient = chromadb.PersistentClient()\napp = FastAPI()\n" }), [["/app/chroma", "data", "main.py: PersistentClient(chroma)"]]);
        });
        it("GIVEN str.format() and %-formatted SQLite URLs, a name bound to a file name in a join, and a path that climbs above the app's folder THEN each is read", () => {
            assert.deepEqual(paths({ "app.py": `from sqlalchemy import create_engine\nDB = "var/app.db"\nengine = create_engine(u"sqlite:///{0}".format(DB))\n${FLASK}` }), [["/data", "data"]]);
            assert.deepEqual(paths({ "app.py": `from sqlalchemy import create_engine\nDB = "var/app.db"\nengine = create_engine("sqlite:///%s" % DB)\n${FLASK}` }), [["/data", "data"]]);
            assert.deepEqual(paths({ "app.py": `import os\nNAME = "logs"\nos.makedirs(os.path.join("var", NAME), exist_ok=True)\n${FLASK}` }), [["/app/var/logs", "scratch"]]);
            assert.deepEqual(paths({ "app.py": `import os\nos.makedirs(os.path.join(os.getcwd(), "../datastore"), exist_ok=True)\n${FLASK}` }), [["/datastore", "data"]]);
        });
        it("GIVEN an engine made inside a function from its parameter, with the path an attribute another method sets THEN the database is read through the call", () => {
            const files = {
                "app.py": `from sqlalchemy import create_engine\nclass Cli:\n    def parse(self):\n        self.db = "conf/app.db"\ncli = Cli()\ndef init_db(path):\n    return create_engine("sqlite:///{0}".format(path))\ndef create_app():\n    cli.parse()\n    init_db(cli.db)\n    from flask import Flask\n    return Flask(__name__)\n`,
                Procfile: "web: gunicorn 'app:create_app()'\n",
            };
            assert.match(synthesize(apps.make({ "requirements.txt": "flask\nsqlalchemy\n", ...files })).dockerfile, /ln -sfn \/data\/conf\/app\.db \/app\/conf\/app\.db/);
        });
        it("GIVEN dictConfig() of a dict in the code THEN its handlers' files are logs", () => {
            assert.deepEqual(paths({ "app.py": `import logging.config\nLOG_DIR = "logs"\nLOGGING = {"version": 1, "handlers": {"file": {"class": "logging.FileHandler", "filename": LOG_DIR + "/app.log"}}}\nlogging.config.dictConfig(LOGGING)\n${FLASK}` }), [["/app/logs", "scratch"]]);
        });
        it("GIVEN dictConfig(app.config[\"LOG_DEFAULT_CONF\"]) with the dict a field of a config class from_object loads (flaskbb) THEN its handlers' files are logs", () => {
            const config =
                'import os\nbasedir = os.path.dirname(os.path.abspath(__file__))\nclass DefaultConfig:\n    LOG_DEFAULT_CONF = {"version": 1, "handlers": {"info": {"class": "logging.handlers.RotatingFileHandler", "filename": os.path.join(basedir, "logs", "info.log")}}}\n';
            const app = 'import logging.config\nfrom flask import Flask\ndef create_app():\n    app = Flask("forum")\n    app.config.from_object("forum.config.DefaultConfig")\n    logging.config.dictConfig(app.config["LOG_DEFAULT_CONF"])\n    return app\n';
            assert.deepEqual(paths({ "forum/__init__.py": "", "forum/config.py": config, "forum/app.py": app, "wsgi.py": "from forum.app import create_app\napp = create_app()\n" }), [["/app/forum/logs", "scratch"]]);
        });
        it("GIVEN config.update() with an in-memory database, then from_envvar() of a file the web command's variable names THEN the file's database is the path", () => {
            const files = {
                "app.py": `import sqlite3\n${FLASK}app.config.update(DATABASE=":memory:")\napp.config.from_envvar("APP_SETTINGS")\nconn = sqlite3.connect(app.config["DATABASE"])\n`,
                "settings.cfg": 'DATABASE = "data/app.db"\n',
                Procfile: "web: APP_SETTINGS=/app/settings.cfg gunicorn app:app\n",
            };
            assert.match(synthesize(apps.make({ "requirements.txt": "flask\n", ...files })).dockerfile, /ln -sfn \/data\/data\/app\.db \/app\/data\/app\.db/);
        });
        it("GIVEN requests-cache's CachedSession and persist-queue's SQLiteAckQueue THEN the cache is scratch and the queue's folder data", () => {
            assert.deepEqual(paths({ "app.py": `import persistqueue\nimport requests_cache\nsession = requests_cache.CachedSession("cache/http")\nqueue = persistqueue.SQLiteAckQueue("data/queue")\n${FLASK}` }), [
                ["/app/cache", "scratch"],
                ["/app/data/queue", "data"],
            ]);
        });
        it("GIVEN environs' env.path() with a default THEN the default is the path, and the image's value when the platform sets the variable", () => {
            const code = `from pathlib import Path\nfrom environs import Env\nenv = Env()\nDATA = env.path("DATA_DIR", Path("var"))\nDATA.mkdir(exist_ok=True)\n${FLASK}`;
            assert.deepEqual(paths({ "app.py": code }), [["/app/var", "data"]]);
            assert.deepEqual(paths({ "app.py": code, "fly.toml": 'app = "x"\n[env]\n  DATA_DIR = "/srv/data"\n' }), [["/srv/data", "data"]]);
        });
    });

    it("GIVEN an SQLite file in platformdirs' user_data_dir (the app name through a module-level name) or under Path.home() THEN a note says it is on the tmpfs and how to keep it; a user_cache_dir says nothing", () => {
        const notes = (code: string) =>
            synthesize(apps.make({ "app.py": `import sqlite3\nfrom pathlib import Path\nfrom platformdirs import user_cache_dir, user_data_dir\nfrom flask import Flask\nAPP = "inkwell"\n${code}\napp = Flask(__name__)\n`, "requirements.txt": "flask\nplatformdirs\n" })).plan.notes.filter((n) => n.includes("tmpfs"));
        assert.deepEqual(notes('conn = sqlite3.connect(Path(user_data_dir(APP, appauthor=False)) / "notes.db")').map((n) => n.slice(0, n.indexOf(" ("))), ["The app keeps data in /tmp/.local/share/inkwell/notes.db"]);
        assert.deepEqual(notes('conn = sqlite3.connect(Path.home() / ".inkwell.db")').map((n) => n.slice(0, n.indexOf(" ("))), ["The app keeps data in /tmp/.inkwell.db"]);
        assert.deepEqual(notes('conn = sqlite3.connect(Path(user_cache_dir(APP)) / "c.db")'), []);
        // platformdirs' class, as an instance's attribute.
        assert.deepEqual(notes('from platformdirs import PlatformDirs\nconn = sqlite3.connect(Path(PlatformDirs(APP, APP).user_data_dir) / "notes.db")').map((n) => n.slice(0, n.indexOf(" ("))), ["The app keeps data in /tmp/.local/share/inkwell/notes.db"]);
        // The instance bound to a name first (lute-v3's `dirs = PlatformDirs("Lute3", "Lute3")`, then `dirs.user_data_dir`).
        assert.deepEqual(notes('from platformdirs import PlatformDirs\ndirs = PlatformDirs(APP, APP)\nconn = sqlite3.connect(Path(dirs.user_data_dir) / "notes.db")').map((n) => n.slice(0, n.indexOf(" ("))), ["The app keeps data in /tmp/.local/share/inkwell/notes.db"]);
        // Plain files in a folder it makes there (archivy's notes): whatever the app writes under XDG's data folder is its data.
        assert.deepEqual(
            notes('import os\nDATA = user_data_dir(APP)\nos.makedirs(DATA, exist_ok=True)\n\ndef save(name):\n    with open(os.path.join(DATA, name), "w") as f:\n        f.write("x")\n').map((n) => n.slice(0, n.indexOf(" ("))),
            ["The app keeps data in /tmp/.local/share/inkwell"],
        );
    });
    it("GIVEN a dictConfig JSON named by a parameter's default, a path joined with os.pardir, and a lock file THEN the logs and the lock are scratch, the database data", () => {
        const dir = apps.make({
            "app.py": "import fcntl\nimport os\nimport sqlite3\nfrom flask import Flask\nfrom log_setup import setup_logging\n\nsetup_logging()\n" +
                "ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.curdir))\n" +
                'DB = os.path.join(os.path.dirname(__file__), "var", os.pardir, "notes.db")\nconn = sqlite3.connect(DB)\n' +
                '_lock = open("scheduler.lock", "wb")\nfcntl.flock(_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)\napp = Flask(__name__)\n',
            "log_setup.py": 'import json\nimport logging.config\nimport os\n\ndef setup_logging(default_path="logging.json", env_key="LOG_CFG"):\n    path = os.getenv(env_key) or default_path\n    with open(path) as f:\n        logging.config.dictConfig(json.load(f))\n',
            "logging.json": JSON.stringify({ version: 1, handlers: { f: { class: "logging.handlers.RotatingFileHandler", filename: "info.log" } }, root: { handlers: ["f"] } }),
            "requirements.txt": "flask\n",
        });
        const { plan } = synthesize(dir);
        assert.deepEqual(
            plan.writablePaths.map((w) => [w.path, w.kind, w.links.map((l) => `${l.from}->${l.to}`)]),
            [
                ["/data", "data", ["/app/notes.db->/data/notes.db"]],
                ["/scratch", "scratch", ["/app/info.log->/scratch/info.log", "/app/scheduler.lock->/scratch/scheduler.lock"]],
            ],
        );
    });

    it("GIVEN fileConfig('logging.ini') with a RotatingFileHandler in logs/, a dictConfig YAML with a FileHandler, joblib's Memory and Flask-Caching configured in a from_object class THEN logs, caches are scratch", () => {
        const dir = apps.make({
            "app.py":
                "import logging.config\nimport yaml\nfrom flask import Flask\nfrom flask_caching import Cache\nfrom joblib import Memory\n\n" +
                'logging.config.fileConfig("logging.ini")\nwith open("audit.yaml") as f:\n    logging.config.dictConfig(yaml.safe_load(f))\n' +
                'memory = Memory(location="./cachedir", verbose=0)\napp = Flask(__name__)\napp.config.from_object("settings.Config")\ncache = Cache(app)\n',
            "settings.py": 'import os\n\nbasedir = os.path.abspath(os.path.dirname(__file__))\n\n\nclass Config:\n    CACHE_TYPE = "FileSystemCache"\n    CACHE_DIR = os.path.join(basedir, "cache")\n',
            "logging.ini":
                "[loggers]\nkeys=root\n\n[handlers]\nkeys=file\n\n[formatters]\nkeys=\n\n[logger_root]\nlevel=INFO\nhandlers=file\n\n[handler_file]\nclass=handlers.RotatingFileHandler\nargs=('logs/app.log', 'a', 1048576, 5)\n",
            "audit.yaml": "version: 1\nhandlers:\n  audit:\n    class: logging.FileHandler\n    filename: audit/audit.log\nroot:\n  handlers: [audit]\n",
            "requirements.txt": "flask==3.1.0\nflask-caching==2.3.0\njoblib==1.4.2\npyyaml==6.0.2\n",
        });
        assert.deepEqual(
            synthesize(dir).plan.writablePaths.map((w) => [w.path, w.kind]),
            [
                ["/app/audit", "scratch"],
                ["/app/cache", "scratch"],
                ["/app/cachedir", "scratch"],
                ["/app/logs", "scratch"],
            ],
        );
    });

    it("GIVEN a config class that sets its SQLite URL and Flask-Caching's file-system backend under `if` in its body, loaded as an instance of it (Config = ServerConfig()) by a factory whose cache extension lives in another module THEN the database is linked into /data, the cache folder is scratch, and Flask-Migrate's upgrade is the release step", () => {
        const dir = apps.make({
            "quiz/__init__.py": [
                "from flask import Flask",
                "from flask_migrate import Migrate",
                "from quiz.cache import cache",
                "from quiz.models import db",
                "",
                "",
                'def create_app(config="quiz.config.Config"):',
                "    app = Flask(__name__)",
                "    app.config.from_object(config)",
                "    db.init_app(app)",
                "    Migrate(app, db)",
                "    cache.init_app(app)",
                "    return app",
                "",
            ].join("\n"),
            "quiz/cache.py": "from flask_caching import Cache\n\ncache = Cache()\n",
            "quiz/models.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "quiz/config.py": [
                "import os",
                "",
                "",
                "class ServerConfig(object):",
                '    DATABASE_URL: str = os.getenv("DATABASE_URL")',
                "    if not DATABASE_URL:",
                '        DATABASE_URL = f"sqlite:///{os.path.dirname(os.path.abspath(__file__))}/quiz.db"',
                "    SQLALCHEMY_DATABASE_URI = DATABASE_URL",
                '    REDIS_URL: str = os.getenv("REDIS_URL")',
                "    if REDIS_URL:",
                '        CACHE_TYPE: str = "redis"',
                "    else:",
                '        CACHE_TYPE: str = "filesystem"',
                '        CACHE_DIR: str = os.path.join(os.path.dirname(__file__), os.pardir, ".data", "filesystem_cache")',
                "",
                "",
                "Config = ServerConfig()",
                "",
            ].join("\n"),
            "migrations/alembic.ini": "[alembic]\n",
            "migrations/env.py": "",
            "requirements.txt": "flask==3.1.0\nflask-caching==2.3.0\nflask-sqlalchemy==3.1.1\nflask-migrate==4.0.7\n",
        });
        const { plan } = synthesize(dir);
        assert.deepEqual(
            plan.writablePaths.map((w) => [w.path, w.kind, w.links.map((l) => `${l.from}->${l.to}`)]),
            [
                ["/app/.data/filesystem_cache", "scratch", []],
                ["/data", "data", ["/app/quiz/quiz.db->/data/quiz/quiz.db"]],
            ],
        );
        assert.deepEqual(plan.release?.command, ["flask", "--app", "quiz:create_app()", "db", "upgrade"]);
    });

    it("GIVEN a config class picked from a dict whose SQLite URL is a module-level prefix set per platform plus an absolute path (`prefix + os.path.join(basedir, \"data.db\")`) THEN the database is linked into /data", () => {
        const dir = apps.make({
            "blog/settings.py": [
                "import os",
                "import sys",
                "",
                "basedir = os.path.abspath(os.path.dirname(os.path.dirname(__file__)))",
                "WIN = sys.platform.startswith('win')",
                "if WIN:",
                "    prefix = 'sqlite:///'",
                "else:",
                "    prefix = 'sqlite:////'",
                "",
                "",
                "class ProductionConfig(object):",
                "    SQLALCHEMY_DATABASE_URI = os.getenv('DATABASE_URL', prefix + os.path.join(basedir, 'data.db'))",
                "",
                "",
                "config = {'production': ProductionConfig}",
                "",
            ].join("\n"),
            "blog/__init__.py": "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\nfrom blog.settings import config\n\ndb = SQLAlchemy()\n\n\ndef create_app(config_name=None):\n    app = Flask('blog')\n    app.config.from_object(config[config_name])\n    db.init_app(app)\n    return app\n",
            "wsgi.py": 'from blog import create_app\n\napp = create_app("production")\n',
            "requirements.txt": "flask\nflask-sqlalchemy\n",
        });
        assert.deepEqual(
            synthesize(dir).plan.writablePaths.map((w) => [w.path, w.links.map((l) => `${l.from}->${l.to}`)]),
            [["/data", ["/app/data.db->/data/data.db"]]],
        );
    });

    it("GIVEN Flask-SQLAlchemy 3 and a URL built as \"sqlite:///\" + app.config[\"DATABASE_FILE\"] (a relative name; flask-admin's example) THEN the instance folder holds the database, as for the literal URL; an absolute name is linked as it is", () => {
        const app = (file: string) =>
            `from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\napp = Flask(__name__)\napp.config["DATABASE_FILE"] = ${file}\napp.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + app.config["DATABASE_FILE"]\ndb = SQLAlchemy(app)\n`;
        const paths = (file: string) => synthesize(apps.make({ "app.py": app(file), "requirements.txt": "flask\nflask-sqlalchemy==3.1.1\n" })).plan.writablePaths.map((w) => [w.path, w.links.map((l) => l.from)]);
        assert.deepEqual(paths('"db.sqlite"'), [["/app/instance", []]]);
        assert.deepEqual(paths('"/var/lib/admin/db.sqlite"'), [["/data", ["/var/lib/admin/db.sqlite"]]]);
    });

    it("GIVEN an SQLite URL read from the environment that the app's Dockerfile ENV sets (gramps-web-api: os.environ[\"USER_DB_URI\"], or .get with a default) THEN the image's value is the database, not the default", () => {
        const app = (read: string) =>
            `import os\nfrom flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\napp = Flask(__name__)\napp.config["SQLALCHEMY_DATABASE_URI"] = ${read}\ndb = SQLAlchemy(app)\n`;
        const paths = (read: string, env = "ENV USER_DB_URI=sqlite:////var/lib/genealogy/users.sqlite\n") =>
            synthesize(apps.make({ "app.py": app(read), "requirements.txt": "flask==3.1.1\nflask-sqlalchemy==3.1.1\n", Dockerfile: `FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n${env}CMD ["gunicorn", "app:app"]\n` })).plan.writablePaths.map((w) => [w.path, w.links.map((l) => l.from)]);
        assert.deepEqual(paths('os.environ["USER_DB_URI"]'), [["/data", ["/var/lib/genealogy/users.sqlite"]]]);
        assert.deepEqual(paths('os.environ.get("USER_DB_URI", "sqlite:///local.db")'), [["/data", ["/var/lib/genealogy/users.sqlite"]]]);
        // Unset by the image: the default, in Flask-SQLAlchemy's instance folder.
        assert.deepEqual(paths('os.environ.get("USER_DB_URI", "sqlite:///local.db")', ""), [["/app/instance", []]]);
    });

    it("GIVEN a URL added up from three parts or more (\"sqlite:///\" + basedir + \"/\" + \"forum.sqlite\", FlaskBB's config class) THEN the database file is linked onto the volume", () => {
        const config = (uri: string) =>
            `import os\n\n\nclass DefaultConfig(object):\n    basedir = os.path.join(os.path.abspath(os.path.dirname(os.path.dirname(__file__))))\n    SQLALCHEMY_DATABASE_URI = ${uri}\n`;
        const paths = (uri: string) =>
            synthesize(
                apps.make({
                    "forum/__init__.py": "",
                    "forum/configs/__init__.py": "",
                    "forum/configs/default.py": config(uri),
                    "forum/app.py": 'from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\ndef create_app():\n    app = Flask("forum")\n    app.config.from_object("forum.configs.default.DefaultConfig")\n    db.init_app(app)\n    return app\n',
                    "wsgi.py": "from forum.app import create_app\n\napp = create_app()\n",
                    "requirements.txt": "flask==3.1.1\nflask-sqlalchemy==3.1.1\n",
                }),
            ).plan.writablePaths.map((w) => [w.path, w.links.map((l) => l.from)]);
        assert.deepEqual(paths('"sqlite:///" + basedir + "/" + "forum.sqlite"'), [["/data", ["/app/forum/forum.sqlite"]]]);
        assert.deepEqual(paths('"sqlite:///" + basedir + os.sep + "forum.sqlite"'), [["/data", ["/app/forum/forum.sqlite"]]]);
        assert.deepEqual(paths('"sqlite:///" + basedir + "/var/" + "forum.sqlite"'), [["/data", ["/app/forum/var/forum.sqlite"]]]);
    });

    it("GIVEN a FastAPI route that writes uploads with aiofiles (bracket's team logos: aiofiles.os.makedirs, `async with aiofiles.open(f\"...\", \"wb\")`) THEN the folder is the app's data, as with os.makedirs and open", () => {
        const route = (body: string) =>
            `import aiofiles\nimport aiofiles.os\nfrom fastapi import FastAPI, UploadFile\n\napp = FastAPI()\n\n\n@app.post("/teams/{team_id}/logo")\nasync def logo(team_id: int, file: UploadFile):\n${body}    return {"ok": True}\n`;
        const paths = (body: string) =>
            synthesize(apps.make({ "main.py": route(body), "requirements.txt": "fastapi==0.115.6\naiofiles==24.1.0\npython-multipart==0.0.20\n" })).plan.writablePaths.map((w) => [w.path, w.kind]);
        assert.deepEqual(paths('    await aiofiles.os.makedirs("static/team-logos", exist_ok=True)\n'), [["/app/static/team-logos", "data"]]);
        assert.deepEqual(paths('    async with aiofiles.open(f"media/logos/{team_id}.png", "wb") as f:\n        await f.write(await file.read())\n'), [["/app/media/logos", "data"]]);
        assert.deepEqual(paths('    async with aiofiles.open("media/readme.txt") as f:\n        await f.read()\n'), []);
    });

    it("GIVEN a folder made at run time with a computed last part (os.path.join(BASE, \"uploads\", str(uid)), UPLOADS / name, WHOOSHEE_DIR with the Python version) THEN the folder the code names holds them; one computed right under the app's folder is still named as not read", () => {
        const route = (place: string) =>
            `import os\nfrom pathlib import Path\nfrom flask import Flask, request\n\nBASE = os.path.dirname(os.path.abspath(__file__))\nUPLOADS = Path(BASE) / "var" / "uploads"\napp = Flask(__name__)\n\n\n@app.post("/u/<int:uid>")\ndef upload(uid):\n    folder = ${place}\n    os.makedirs(folder, exist_ok=True)\n    return "ok"\n`;
        const plan = (files: Record<string, string>) => synthesize(apps.make({ "requirements.txt": "flask==3.1.1\n", ...files })).plan;
        const paths = (place: string) => plan({ "app.py": route(place) }).writablePaths.map((w) => [w.path, w.kind, w.why]);
        assert.deepEqual(paths('os.path.join(BASE, "uploads", str(uid))'), [["/app/uploads", "data", 'app.py: os.makedirs(folder, exist_ok=True) makes or opens a place named at run time in uploads']]);
        assert.deepEqual(paths("UPLOADS / str(uid)"), [["/app/var/uploads", "data", "app.py: os.makedirs(folder, exist_ok=True) makes or opens a place named at run time in var/uploads"]]);
        const bare = plan({ "app.py": route("os.path.join(BASE, str(uid))") });
        assert.deepEqual(bare.writablePaths, []);
        assert.ok(bare.notes.some((n) => n.startsWith("The app makes or opens places whose paths are computed in a way not read here: app.py: os.makedirs(folder, exist_ok=True).")), bare.notes.join("\n"));
        const whooshee = plan({
            "app.py": 'import os\nimport sys\nfrom flask import Flask\nfrom flask_whooshee import Whooshee\n\nbasedir = os.path.dirname(os.path.abspath(__file__))\napp = Flask(__name__)\napp.config["WHOOSHEE_DIR"] = os.path.join(basedir, "whoosh_index", "{0.major}{0.minor}".format(sys.version_info))\nwhooshee = Whooshee(app)\n',
            "requirements.txt": "flask==3.1.1\nflask-whooshee==0.9.1\n",
        }).writablePaths;
        assert.deepEqual(whooshee.map((w) => [w.path, w.kind]), [["/app/whoosh_index", "data"]]);
    });

    it("GIVEN a file written at start into a folder that ships other files (static/sitemap.xml beside style.css) THEN the file alone is linked, not a volume over the folder", () => {
        const dir = apps.make({
            "app.py": 'from flask import Flask\n\napp = Flask(__name__)\nwith open("static/sitemap.xml", "w") as f:\n    f.write("<urlset/>")\n',
            "static/style.css": "body {}\n",
            "requirements.txt": "flask==3.1.0\n",
        });
        assert.deepEqual(synthesize(dir).plan.writablePaths, [
            { path: "/data", kind: "data", why: 'app.py: open(..., "w") writes static/sitemap.xml', links: [{ from: "/app/static/sitemap.xml", to: "/data/static/sitemap.xml" }] },
        ]);
    });
});

describe("worker classes that need a particular gunicorn or Socket.IO server", () => {
    afterEach(() => apps.cleanup());
    const SIO = { "app.py": "from flask import Flask\nfrom flask_socketio import SocketIO\n\napp = Flask(__name__)\nsocketio = SocketIO(app)\n" };

    it("GIVEN Flask-SocketIO with eventlet and no gunicorn THEN gunicorn 25.3.0 (26 dropped the eventlet worker), 23.0.0 for an eventlet before 0.40.3; a pinned gunicorn 26+ is refused naming the fix", () => {
        assert.deepEqual(synthesize(apps.make({ ...SIO, "requirements.txt": "flask==3.1.0\nflask-socketio==5.4.1\neventlet==0.40.3\n" })).plan.server.addedPackages, ["gunicorn==25.3.0"]);
        // gunicorn 24+'s eventlet worker refuses eventlet before 0.40.3; 23.0.0's takes 0.24.1 and later.
        assert.deepEqual(synthesize(apps.make({ ...SIO, "requirements.txt": "flask==3.1.0\nflask-socketio==5.4.1\neventlet==0.38.2\n" })).plan.server.addedPackages, ["gunicorn==23.0.0"]);
        assert.throws(
            () => synthesize(apps.make({ ...SIO, "requirements.txt": "flask==3.1.0\nflask-socketio==5.4.1\neventlet==0.38.2\ngunicorn==27.0.1\n" })),
            (e: unknown) => e instanceof InputError && e.argument === "requirements.txt" && e.message.includes("gunicorn removed its eventlet worker in 26.0.0: pin gunicorn<26"),
        );
    });

    it("GIVEN a gevent worker with gevent pinned before 24.10.1 and no gunicorn THEN gunicorn 23.0.0 (24.0.0 onwards refuse that gevent at start); a pinned gunicorn 24+ is refused naming the fix", () => {
        const FLASK = { "app.py": "from flask import Flask\n\napp = Flask(__name__)\n" };
        const added = (reqs: string, extra: Record<string, string> = {}) => synthesize(apps.make({ ...FLASK, "requirements.txt": reqs, ...extra })).plan.server.addedPackages;
        assert.deepEqual(added("flask==3.1.0\ngevent==23.9.1\n", { Procfile: "web: gunicorn -k gevent app:app\n" }), ["gunicorn==23.0.0"]);
        assert.deepEqual(added("flask==3.1.0\ngevent==24.10.1\n", { Procfile: "web: gunicorn -k gevent app:app\n" }), ["gunicorn==27.0.1"]);
        // Flask-SocketIO's gevent mode with gevent-websocket: its worker subclasses gunicorn's gevent worker.
        assert.deepEqual(synthesize(apps.make({ ...SIO, "requirements.txt": "flask==3.1.0\nflask-socketio==5.4.1\ngevent==22.10.2\ngevent-websocket==0.10.1\n" })).plan.server.addedPackages, ["gunicorn==23.0.0"]);
        // gevent installed but served by threads: gunicorn's gevent worker is not used.
        assert.deepEqual(added("flask==3.1.0\ngevent==23.9.1\n"), ["gunicorn==27.0.1"]);
        assert.throws(
            () => synthesize(apps.make({ ...FLASK, "requirements.txt": "flask==3.1.0\ngevent==23.9.1\ngunicorn==25.1.0\n", Procfile: "web: gunicorn -k gevent app:app\n" })),
            (e: unknown) =>
                e instanceof InputError &&
                e.argument === "Procfile" &&
                e.message ===
                    "The worker class is gevent, but the app pins gevent 23.9.1 and gunicorn 25.1.0, and gunicorn 24.0.0 and later refuse gevent older than 24.10.1 when the worker starts: upgrade gevent to 24.10.1 or later, or pin gunicorn<24 (23.0.0).",
        );
    });

    it("GIVEN gevent with gevent-websocket THEN its WebSocket worker; python-socketio's ASGIApp around FastAPI is served, with one worker", () => {
        const ws = synthesize(apps.make({ ...SIO, "requirements.txt": "flask==3.1.0\nflask-socketio==5.4.1\ngevent==24.11.1\ngevent-websocket==0.10.1\n" })).plan;
        assert.equal(ws.server.workerClass, "geventwebsocket.gunicorn.workers.GeventWebSocketWorker");
        const asgi = synthesize(
            apps.make({
                "main.py": "import socketio\nfrom fastapi import FastAPI\n\nsio = socketio.AsyncServer(async_mode=\"asgi\")\nfastapi_app = FastAPI()\napp = socketio.ASGIApp(sio, other_asgi_app=fastapi_app)\n",
                "requirements.txt": "fastapi==0.115.6\npython-socketio==5.11.4\nuvicorn==0.34.0\n",
            }),
        ).plan;
        assert.deepEqual(asgi.entrypoint, { spec: "main:app", interface: "asgi", source: "main.py" });
        assert.equal(asgi.server.workers, 1);
    });
});

describe("Django's ALLOWED_HOSTS", () => {
    const APPS = path.join(FIXTURES, "apps");
    it("GIVEN ALLOWED_HOSTS read from DJANGO_ALLOWED_HOSTS, or a list of only local and hosting-platform hosts THEN a note says where the site's host names go", () => {
        assert.ok(
            synthesize(path.join(APPS, "cookiecutter-django-heroku")).plan.notes.includes(
                "config/settings/production.py reads ALLOWED_HOSTS from DJANGO_ALLOWED_HOSTS: set it in the component's `env` to the host names the site answers on; Django answers 400 (Bad Request) to any other Host header.",
            ),
        );
        assert.ok(
            synthesize(path.join(APPS, "locallibrary-railway")).plan.notes.includes(
                "locallibrary/settings.py lists only .railway.app, .pythonanywhere.com, 127.0.0.1, localhost in ALLOWED_HOSTS: add the host names the site answers on (or read them from the environment); Django answers 400 (Bad Request) to any other Host header.",
            ),
        );
        assert.ok(!synthesize(path.join(APPS, "static-root-var-www")).plan.notes.some((n) => n.includes("ALLOWED_HOSTS")));
    });
});

describe("a Flask app's own command that creates its tables", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN db.create_all() only under `if __name__ == \"__main__\":` (flask-admin's examples) THEN no release step, and a note says gunicorn never makes the tables; create_all() at import too, or in a function, gets no such note", () => {
        const app = (tail: string) =>
            'from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\napp = Flask(__name__)\napp.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///db.sqlite"\ndb = SQLAlchemy(app)\n' + tail;
        const notes = (tail: string) =>
            synthesize(apps.make({ "app.py": app(tail), "requirements.txt": "flask\nflask-sqlalchemy==3.1.1\n" })).plan.notes.filter((n) => n.includes("only under `if __name__"));
        const main = 'if __name__ == "__main__":\n    with app.app_context():\n        db.create_all()\n    app.run(debug=True)\n';
        assert.deepEqual(notes(main), [
            'app.py creates the app\'s tables (create_all()) only under `if __name__ == "__main__":`, which gunicorn never runs: the database starts with no tables and every query fails ("no such table"). ' +
                "Set `releaseCommand` to a command that creates them (the same lines in a script of their own), or create them at import.",
        ]);
        assert.deepEqual(notes(`with app.app_context():\n    db.create_all()\n${main}`), []);
        assert.deepEqual(notes(`def setup():\n    db.create_all()\n${main}`), []);
    });

    it("GIVEN create-db on the project's own click group (realms-wiki's `cli = AppGroup()`, run by its console script) THEN it is not run as `flask create-db`; a note names it and `releaseCommand`", () => {
        for (const [group, imports] of [
            ["click.Group()", "import click"],
            ["AppGroup()", "from flask.cli import AppGroup"],
        ] as const) {
            const files = {
                "wiki/__init__.py": `import os\n${imports}\nfrom flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\ncli = ${group}\n\n\ndef create_app():\n    app = Flask(__name__)\n    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:////srv/wiki/wiki.db"\n    db.init_app(app)\n    return app\n`,
                "wiki/commands.py": "from wiki import cli, create_app, db\n\n\n@cli.command()\ndef create_db():\n    with create_app().app_context():\n        db.create_all()\n",
                "requirements.txt": "flask==3.1.1\nflask-sqlalchemy==3.1.1\n",
            };
            const { plan } = synthesize(apps.make(files));
            assert.equal(plan.release, undefined, group);
            assert.ok(plan.notes.some((n) => n.startsWith("wiki/commands.py defines create-db, which looks like it creates the app's tables, on the project's own command group (wiki.cli, run by its console script), not on `flask`'s")), plan.notes.join("\n"));
        }
    });

    it("GIVEN Flask's tutorial layout (`@click.command(\"init-db\")`, instance folder SQLite) THEN init-db (named after its function by click) is the release step while the instance folder holds no database", () => {
        const files = {
            "flaskr/__init__.py":
                'import os\nfrom flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__, instance_relative_config=True)\n    app.config.from_mapping(DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"))\n    os.makedirs(app.instance_path, exist_ok=True)\n    from . import db\n    db.init_app(app)\n    return app\n',
            "flaskr/db.py":
                "import sqlite3\nimport click\nfrom flask import current_app\n\n\ndef init_db():\n    sqlite3.connect(current_app.config['DATABASE']).executescript('CREATE TABLE IF NOT EXISTS post (id INTEGER)')\n\n\n@click.command()\ndef init_db_command():\n    init_db()\n\n\ndef init_app(app):\n    app.cli.add_command(init_db_command)\n",
            "requirements.txt": "flask==3.1.0\n",
        };
        const { plan } = synthesize(apps.make(files));
        assert.deepEqual(plan.release, {
            command: ["sh", "-c", "ls /app/instance/*.sqlite /app/instance/*.sqlite3 /app/instance/*.db >/dev/null 2>&1 || exec flask --app flaskr\\:create_app\\(\\) init-db"],
            workdir: "/app",
            source: "flaskr/db.py (init-db, on the first deploy)",
        });
    });
});

describe("a config file a Flask app loads at import", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN app.config.from_pyfile(\"config.py\") from the instance folder, which ships only config.example.py THEN a note says the app fails without it and to copy the example; silent=True, or a file that is there, says nothing", () => {
        const app = (call: string) => `from flask import Flask\napp = Flask(__name__, instance_relative_config=True)\n${call}\n`;
        const notes = (files: Record<string, string>) => synthesize(apps.make({ "requirements.txt": "flask==3.1.0\n", "instance/config.example.py": "SECRET_KEY = 'change me'\n", ...files })).plan.notes.filter((n) => n.includes("from_pyfile"));
        assert.deepEqual(notes({ "paste.py": app('app.config.from_pyfile("config.py")') }), [
            "paste.py loads instance/config.py with config.from_pyfile(), which the source does not have: the app fails at import without it. Copy instance/config.example.py (the app's example) to instance/config.py in the source folder with the settings the deployment needs, or pass them with `env` if the app reads them from its environment.",
        ]);
        assert.deepEqual(notes({ "paste.py": app('app.config.from_pyfile("config.py", silent=True)') }), []);
        assert.deepEqual(notes({ "paste.py": app('app.config.from_pyfile("config.py")'), "instance/config.py": "SECRET_KEY = 'x'\n" }), []);
    });
});

describe("a module of the app's own that the app imports as it starts, missing from the build context", () => {
    afterEach(() => apps.cleanup());
    const started = (files: Record<string, string>, requirements = "flask==3.1.0\ngunicorn==23.0.0\n") =>
        synthesize(apps.make({ "requirements.txt": requirements, ...files })).plan.notes.filter((n) => n.includes("as the app starts;"));
    const UNTIL = "Until then every worker fails at start, and so does the health check.";
    // nyaa's layout: WSGI.py calls the package's factory with the config module's name; the repository ships config.example.py.
    const factory = {
        "shop/__init__.py": "import flask\n\n\ndef create_app(config):\n    app = flask.Flask(__name__)\n    app.config.from_object(config)\n    return app\n",
        "WSGI.py": "from shop import create_app\n\napp = create_app('config')\n",
        Procfile: "web: gunicorn WSGI:app\n",
    };

    it("GIVEN a factory called with 'config' at import and only config.example.py THEN the note names the call, the example and the file to make", () => {
        assert.deepEqual(started({ ...factory, "config.example.py": "SECRET_KEY = 'change me'\n" }), [
            `WSGI.py runs \`create_app("config")\` as the app starts; the source has only its example, config.example.py: copy it to config.py in the source folder with the settings the deployment needs. ${UNTIL}`,
        ]);
        // With config.py there, or the call's module given as a parameter default that is there, nothing is said.
        assert.deepEqual(started({ ...factory, "config.example.py": "X = 1\n", "config.py": "X = 1\n" }), []);
    });

    it("GIVEN app.config.from_object(\"settings.Production\") with no settings.py and no example THEN the note says the source does not have it", () => {
        const app = "from flask import Flask\n\napp = Flask(__name__)\napp.config.from_object('settings.Production')\n";
        assert.deepEqual(started({ "app.py": app }), [
            `app.py runs \`config.from_object("settings.Production")\` as the app starts; the source does not have it (settings.py): add it to the source folder with the settings the deployment needs. ${UNTIL}`,
        ]);
        // A module an installed distribution provides is not the app's.
        assert.deepEqual(started({ "app.py": app.replace("settings.Production", "flask_appbuilder.const") }, "flask==3.1.0\nflask-appbuilder==4.5.0\n"), []);
    });

    it("GIVEN `import settings` in a module the served app imports, with settings.py.example beside where settings.py would be THEN the note names that import; an import the app guards, or a third-party one, says nothing", () => {
        const files = {
            "app.py": "from flask import Flask\nfrom views import bp\n\napp = Flask(__name__)\napp.register_blueprint(bp)\n",
            "views.py": "import requests\nfrom flask import Blueprint\nimport settings\n\nbp = Blueprint('v', __name__)\n",
            "settings.py.example": "API_TOKEN = ''\n",
        };
        assert.deepEqual(started(files), [
            `views.py runs \`import settings\` as the app starts; the source has only its example, settings.py.example: copy it to settings.py in the source folder with the settings the deployment needs. ${UNTIL}`,
        ]);
        assert.deepEqual(started({ ...files, "views.py": "from flask import Blueprint\ntry:\n    import settings\nexcept ImportError:\n    settings = None\n\nbp = Blueprint('v', __name__)\n" }), []);
    });

    it("GIVEN config.py in the folder and the app's .dockerignore leaving it out THEN the note says to take it out of .dockerignore", () => {
        const files = { ...factory, "config.py": "SECRET_KEY = 'x'\n", ".dockerignore": ".git\nconfig.py\n" };
        assert.deepEqual(started(files), [
            `WSGI.py runs \`create_app("config")\` as the app starts; config.py is in the source folder, but the app's .dockerignore leaves it out of the build context: remove it from .dockerignore, or pass its settings with \`env\` if the app reads them from its environment. ${UNTIL}`,
        ]);
    });

    it("GIVEN Django settings that star-import a sibling the source has only as an example THEN the note names the settings module's import", () => {
        const files = {
            "manage.py": "import os\nimport sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n",
            "site1/__init__.py": "",
            "site1/wsgi.py": "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\napplication = get_wsgi_application()\n",
            "site1/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = []\nROOT_URLCONF = 'site1.urls'\nfrom .local_settings import *\n",
            "site1/local_settings.py.sample": "DEBUG = False\n",
        };
        assert.deepEqual(started(files, "django==5.1.4\n"), [
            `site1/settings.py runs \`from .local_settings import *\` as the app starts; the source has only its example, site1/local_settings.py.sample: copy it to site1/local_settings.py in the source folder with the settings the deployment needs. ${UNTIL}`,
        ]);
    });
});

describe("a project's own console script that creates its tables", () => {
    afterEach(() => apps.cleanup());
    it("GIVEN a Quart app whose pyproject.toml gives an `init_db` console script, and an SQLite file beside the package THEN that script is the release step while the database does not exist; not when the image does not install the project", () => {
        const files = {
            "src/blog/__init__.py":
                'from pathlib import Path\nfrom sqlite3 import dbapi2 as sqlite3\n\nfrom quart import Quart\n\napp = Quart(__name__)\napp.config.update({"DATABASE": Path(app.root_path) / "blog.db"})\n\n\n' +
                'def init_db():\n    db = sqlite3.connect(app.config["DATABASE"])\n    db.execute("CREATE TABLE post (id INTEGER PRIMARY KEY)")\n    db.commit()\n\n\ndef run():\n    app.run()\n',
            "pyproject.toml":
                '[project]\nname = "blog"\nversion = "0.1.0"\ndependencies = ["quart==0.20.0"]\n\n[project.scripts]\ninit_db = "blog:init_db"\nstart = "blog:run"\n\n' +
                '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n',
        };
        const { plan } = synthesize(apps.make(files));
        assert.equal(plan.installsProject, true);
        const db = plan.writablePaths.flatMap((w) => w.links.map((l) => l.from)).find((f) => f.endsWith("/blog.db"));
        assert.ok(db !== undefined, JSON.stringify(plan.writablePaths));
        // Run as `python -c` from the app's folder: it imports the package the server serves (here the installed one, as src/ is not on the server's path).
        const run = (name: string) => ({ command: ["sh", "-c", `test -e ${db} || exec python -c 'import sys; from blog import init_db; sys.exit(init_db())'`], workdir: "/app", source: `pyproject.toml console script ${name} (on the first deploy)` });
        assert.deepEqual(plan.release, run("init_db"));
        // requirements.txt installs the dependencies alone: the project and its scripts are not in the image.
        const alone = synthesize(apps.make({ ...files, "requirements.txt": "quart==0.20.0\n", "pyproject.toml": files["pyproject.toml"].replace(/\n\n\[build-system\][\s\S]*$/, "\n") })).plan;
        assert.equal(alone.installsProject, false);
        assert.equal(alone.release, undefined);
        // A script named after the project (`blog-init`) that calls a function named like one (`init_db`) does the same.
        const named = synthesize(apps.make({ ...files, "pyproject.toml": files["pyproject.toml"].replace('init_db = "blog:init_db"', 'blog-init = "blog:init_db"') })).plan;
        assert.deepEqual(named.release, run("blog-init"));
        // With src/ on the server's Python path, the release step's import finds the same copy.
        const onPath = synthesize(apps.make({ ...files, Procfile: "web: gunicorn --pythonpath src blog:app\n" })).plan;
        assert.match(onPath.release!.command[2], /\|\| exec env PYTHONPATH=\/app\/src python -c 'import sys; from blog import init_db; sys\.exit\(init_db\(\)\)'$/);
        // One that calls another function is not read as making tables.
        assert.equal(synthesize(apps.make({ ...files, "pyproject.toml": files["pyproject.toml"].replace('init_db = "blog:init_db"', 'blog-init = "blog:run"') })).plan.release, undefined);
    });
});

describe("hosting platforms' config files", () => {
    afterEach(() => apps.cleanup());
    const MAIN = { "main.py": "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n", "requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n" };

    it("GIVEN App Engine's app.yaml (runtime python311, entrypoint, env_variables) THEN its entrypoint is the web command, 3.11 its Python, its variables the image's", () => {
        const { plan } = synthesize(
            apps.make({ ...MAIN, "app.yaml": "runtime: python311\nentrypoint: gunicorn -b :$PORT -w 2 main:app\nenv_variables:\n  GREETING: hello\n" }),
        );
        assert.deepEqual(plan.entrypoint, { spec: "main:app", interface: "wsgi", source: "app.yaml" });
        assert.equal(plan.server.defaultWorkers, 2);
        assert.deepEqual(plan.python, { version: "3.11", source: "app.yaml runtime" });
        assert.deepEqual(plan.imageEnv, { GREETING: "hello" });
    });

    it("GIVEN fly.toml's [env] and [mounts], render.yaml's envVars, app.json's env and nixpacks.toml's Python THEN values set are the image's, mounts are data folders, asked-for variables are named", () => {
        const fly = synthesize(apps.make({ ...MAIN, "fly.toml": 'app = "x"\n\n[env]\n  PORT = "8080"\n  DB_PATH = "/data/x.db"\n\n[mounts]\n  source = "x_data"\n  destination = "/data"\n' })).plan;
        assert.deepEqual(fly.imageEnv, { DB_PATH: "/data/x.db" });
        assert.deepEqual(
            fly.writablePaths.map((w) => [w.path, w.kind]),
            [["/data", "data"]],
        );
        const render = synthesize(
            apps.make({
                ...MAIN,
                "render.yaml":
                    "services:\n  - type: web\n    runtime: python\n    name: x\n    startCommand: gunicorn main:app\n    envVars:\n      - key: PYTHON_VERSION\n        value: 3.11.9\n      - key: MODE\n        value: production\n      - key: API_TOKEN\n        sync: false\n",
            }),
        ).plan;
        assert.deepEqual(render.imageEnv, { MODE: "production" });
        assert.equal(render.python.version, "3.11");
        assert.ok(render.notes.includes("The platform fills in or asks for API_TOKEN (render.yaml envVars) at deploy time: set it with PythonApp's `env` (`secretEnv` for secrets)."), render.notes.join("\n"));
        const heroku = synthesize(apps.make({ ...MAIN, Procfile: "web: gunicorn main:app\n", "app.json": '{"env": {"SECRET_KEY": {"generator": "secret"}, "DEBUG": {"value": "False"}}}' })).plan;
        assert.deepEqual(heroku.imageEnv, {});
        assert.ok(heroku.notes.some((n) => n.startsWith("The platform fills in or asks for SECRET_KEY (app.json env), DEBUG (app.json env, default False)")), heroku.notes.join("\n"));
        assert.deepEqual(synthesize(apps.make({ ...MAIN, "nixpacks.toml": '[variables]\nNIXPACKS_PYTHON_VERSION = "3.11"\n' })).plan.python, { version: "3.11", source: "nixpacks.toml NIXPACKS_PYTHON_VERSION" });
    });

    it("GIVEN uwsgi.ini with chdir = %d and wsgi-file = %d/main.py THEN %d is the ini's folder", () => {
        const { plan } = synthesize(apps.make({ ...MAIN, "uwsgi.ini": "[uwsgi]\nchdir = %d\nwsgi-file = %d/main.py\ncallable = app\n", Procfile: "web: uwsgi --ini uwsgi.ini\n" }));
        assert.equal(plan.entrypoint.spec, "main:app");
        assert.equal(plan.server.chdir, undefined);
    });
});

describe("Django settings read as Python runs them", () => {
    afterEach(() => apps.cleanup());
    const project = (files: Record<string, string>) =>
        synthesize(
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings')\n",
                "site_/__init__.py": "",
                "site_/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ngunicorn\n",
                ...files,
            }),
        ).plan;
    const BASE = "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nROOT_URLCONF = 'site_.urls'\nINSTALLED_APPS = ['django.contrib.staticfiles']\n";

    it("GIVEN the settings module chosen by a conditional expression (Azure's `a if 'WEBSITE_HOSTNAME' in os.environ else b`) THEN it evaluates with the environment unset, with a note naming the variable", () => {
        const p = project({
            "site_/wsgi.py": "import os\nfrom django.core.wsgi import get_wsgi_application\nm = 'site_.production' if 'WEBSITE_HOSTNAME' in os.environ else 'site_.settings'\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', m)\napplication = get_wsgi_application()\n",
            "manage.py": "import os\ndef main():\n    m = 'site_.production' if 'WEBSITE_HOSTNAME' in os.environ else 'site_.settings'\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', m)\n",
            "site_/settings.py": `${BASE}DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}\n`,
            "site_/production.py": "from .settings import *\n",
        });
        assert.deepEqual(p.release?.command, ["python", "manage.py", "migrate", "--noinput"]);
        assert.ok(p.notes.some((n) => n.startsWith("site_/wsgi.py picks the Django settings module from WEBSITE_HOSTNAME: with it unset, as the image runs, that is site_.settings")));
    });
    it("GIVEN split-settings include('components/*.py', 'environments/%s.py' % STAGE) THEN the glob's files in name order and the formatted file are read", () => {
        const p = project({
            "site_/settings/__init__.py": "import os\nfrom split_settings.tools import include, optional\nSTAGE = os.environ.get('STAGE', 'production')\ninclude('components/*.py', 'environments/%s.py' % STAGE, optional('local.py'))\n",
            "site_/settings/components/__init__.py": "",
            "site_/settings/components/a_base.py": BASE.replace("parent.parent", "parent.parent.parent.parent"),
            "site_/settings/components/b_db.py": 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}\n',
            "site_/settings/environments/__init__.py": "",
            "site_/settings/environments/production.py": "STATIC_ROOT = BASE_DIR / 'staticfiles'\n",
            "requirements.txt": "django\ndjango-split-settings\ngunicorn\n",
        });
        assert.deepEqual(p.buildSteps.map((b) => b.name), ["collectstatic"]);
        assert.deepEqual(p.writablePaths.map((w) => w.links), [[{ from: "/app/db.sqlite3", to: "/data/db.sqlite3" }]]);
    });
    it("GIVEN split-settings include(*base_settings) with the list grown by append (tabbycat's) THEN the listed files are read, the appended one too", () => {
        const p = project({
            "site_/settings/__init__.py":
                "import os\nfrom split_settings.tools import include, optional\nbase_settings = ['core.py']\nbase_settings.append('db.py')\nbase_settings.extend([optional('local.py')])\ninclude(*base_settings)\n",
            "site_/settings/core.py": BASE.replace("parent.parent", "parent.parent.parent") + "STATIC_ROOT = BASE_DIR / 'staticfiles'\n",
            "site_/settings/db.py": 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}\n',
            "requirements.txt": "django\ndjango-split-settings\ngunicorn\n",
        });
        assert.deepEqual(p.buildSteps.map((b) => b.name), ["collectstatic"]);
        assert.deepEqual(p.writablePaths.map((w) => w.links), [[{ from: "/app/db.sqlite3", to: "/data/db.sqlite3" }]]);
    });
    it("GIVEN `if not SECRET_KEY:` with the development key under `if DEBUG:` and a raise under its else THEN SECRET_KEY is named; a raise a variable cannot stop names nothing", () => {
        const guard = "import os\nDEBUG = os.environ.get('DEBUG') == '1'\nSECRET_KEY = os.environ.get('SECRET_KEY', '')\nif not SECRET_KEY:\n    if DEBUG:\n        SECRET_KEY = 'dev'\n    else:\n        raise RuntimeError('SECRET_KEY')\n";
        const named = (settings: string) => project({ "site_/settings.py": BASE + settings }).notes.filter((n) => n.includes("at import with no default")).map((n) => n.slice(0, n.indexOf(" from the")));
        assert.deepEqual(named(guard), ["site_/settings.py reads SECRET_KEY"]);
        assert.deepEqual(named("import sys\nif sys.version_info < (3, 10):\n    raise RuntimeError('old')\n"), []);
    });
});

describe("text files saved by Windows tools (a byte-order mark, UTF-16)", () => {
    const utf16le = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const utf16be = (text: string): Buffer => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
    const withFiles = (files: Record<string, string>, encoded: Record<string, Buffer>): string => {
        const dir = apps.make(files);
        for (const [rel, bytes] of Object.entries(encoded)) {
            fs.writeFileSync(path.join(dir, rel), bytes);
        }
        return dir;
    };

    it("GIVEN decodeText THEN each mark decides the encoding and is dropped; no mark is UTF-8", () => {
        const text = "flask==3.0.3\r\ncafé\r\n";
        assert.deepEqual(decodeText(utf16le(text)), { text, bom: "UTF-16 LE" });
        assert.deepEqual(decodeText(utf16be(text)), { text, bom: "UTF-16 BE" });
        assert.deepEqual(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), { text, bom: "UTF-8" });
        const utf32le = Buffer.alloc(4 + text.length * 4);
        utf32le.set([0xff, 0xfe, 0x00, 0x00]);
        [...text].forEach((c, i) => utf32le.writeUInt32LE(c.codePointAt(0)!, 4 + i * 4));
        assert.deepEqual(decodeText(utf32le), { text, bom: "UTF-32 LE" });
        assert.deepEqual(decodeText(Buffer.from(text)), { text });
    });

    it("GIVEN requirements.txt from PowerShell 5's `pip freeze >` (UTF-16 LE, BOM, CRLF) THEN its pins are read, and the image installs the file as it is", () => {
        const dir = withFiles({ "app.py": FLASK_APP }, { "requirements.txt": utf16le("Flask==3.0.3\r\ngunicorn==23.0.0\r\n") });
        const r = synthesize(dir);
        assert.deepEqual(r.plan.server.addedPackages, []);
        assert.match(r.dockerfile, /^\s*\/opt\/build-tools\/bin\/uv pip install -r requirements\.txt/m);
    });

    it("GIVEN .python-version, runtime.txt and a Procfile written by `echo ... >` in PowerShell 5 THEN each is read as its text", () => {
        const plan = (file: string, text: string, be = false) =>
            synthesize(withFiles({ "app.py": FLASK_APP, "requirements.txt": "flask\ngunicorn\n" }, { [file]: be ? utf16be(text) : utf16le(text) })).plan;
        assert.deepEqual(plan(".python-version", "3.11\r\n").python, { version: "3.11", source: ".python-version" });
        assert.equal(plan("runtime.txt", "python-3.11.9\r\n", true).python.version, "3.11");
        const web = plan("Procfile", "web: gunicorn app:app --timeout 90\r\n");
        assert.equal(web.entrypoint.source, "Procfile");
        assert.equal(web.server.timeout, 90);
    });

    it("GIVEN pyproject.toml or Pipfile.lock with a byte-order mark THEN InputError names the file and its encoding (tomllib and json in the image refuse the mark)", () => {
        const dir = withFiles({ "app.py": FLASK_APP }, { "pyproject.toml": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[project]\nname = "x"\nversion = "1"\ndependencies = ["flask"]\n')]) });
        assert.throws(() => synthesize(dir), (e: unknown) => e instanceof InputError && /^pyproject\.toml is UTF-8 with a byte-order mark, .*re-save it as UTF-8 without a BOM/.test(e.message));
        const lock = withFiles({ "app.py": FLASK_APP, Pipfile: '[packages]\nflask = "*"\n' }, { "Pipfile.lock": utf16le('{"_meta": {}, "default": {}}') });
        assert.throws(() => synthesize(lock), (e: unknown) => e instanceof InputError && e.message.startsWith("Pipfile.lock is UTF-16 LE with a byte-order mark"));
    });

    it("GIVEN a Python module in UTF-16 THEN InputError names it (Python reads source as UTF-8); one with a UTF-8 mark is read as Python reads it", () => {
        const dir = withFiles({ "requirements.txt": "flask\n" }, { "app.py": utf16le(FLASK_APP) });
        assert.throws(() => synthesize(dir), (e: unknown) => e instanceof InputError && e.message.startsWith("app.py is UTF-16 LE with a byte-order mark, and Python reads source files as UTF-8"));
        const marked = withFiles({ "requirements.txt": "flask\n" }, { "app.py": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FLASK_APP)]) });
        assert.equal(synthesize(marked).plan.entrypoint.spec, "app:app");
    });

    it("GIVEN a requirements file setuptools' dynamic dependencies read, with a byte-order mark THEN InputError names it (setuptools reads it as UTF-8, unlike pip)", () => {
        const dir = withFiles(
            {
                "app.py": FLASK_APP,
                "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = { file = ["requirements.in"] }\n',
            },
            { "requirements.in": utf16le("flask\r\n") },
        );
        assert.throws(() => synthesize(dir), (e: unknown) => e instanceof InputError && /^requirements\.in is UTF-16 LE with a byte-order mark, .*\(setuptools\) take UTF-8 without one/.test(e.message));
    });
});

describe("pip freeze lines no Linux pip can install", () => {
    const refusal = (files: Record<string, string>): string => {
        try {
            synthesize(apps.make({ "app.py": FLASK_APP, ...files }));
        } catch (e) {
            assert.ok(e instanceof InputError, String(e));
            return e.message;
        }
        assert.fail("not refused");
    };

    it("GIVEN Ubuntu's `pkg-resources==0.0.0` THEN InputError names the file, the line and the fix", () => {
        assert.equal(
            refusal({ "requirements.txt": "flask==3.0.3\r\ngunicorn==23.0.0\r\npkg-resources==0.0.0\r\n" }),
            'requirements.txt, line 3: "pkg-resources==0.0.0": no package index has pkg-resources; Debian and Ubuntu\'s pip lists it in `pip freeze` from a venv (it is setuptools\' own pkg_resources), and pip in the image cannot install it. Delete the line (`pip freeze --exclude pkg-resources` leaves it out).',
        );
        assert.match(refusal({ "requirements.txt": "-r requirements/base.txt\n", "requirements/base.txt": "flask\n\npkg_resources==0.0.0\n" }), /^requirements\/base\.txt, line 3: "pkg_resources==0\.0\.0": /);
    });

    it("GIVEN backports.zoneinfo pinned without a marker (a Python 3.8 `pip freeze` of a Django 4.0 app) THEN InputError names the line and the marker to add; with the marker it is accepted", () => {
        const files = (line: string) => ({ "requirements.txt": `asgiref==3.5.0\n${line}\nDjango==4.0.3\nsqlparse==0.4.2\n`, "app.py": FLASK_APP });
        assert.equal(
            refusal(files("backports.zoneinfo==0.2.1")),
            'requirements.txt, line 2: "backports.zoneinfo==0.2.1": backports-zoneinfo backports Python 3.9\'s zoneinfo to 3.6-3.8: it has wheels for CPython 3.8 and older only, and its source does not compile on the Pythons the image runs ' +
                '(a `pip freeze` made on an old Python writes such pins). Add `; python_version < "3.9"` to the line (`backports.zoneinfo==0.2.1 ; python_version < "3.9"`), or delete it.',
        );
        assert.doesNotThrow(() => synthesize(apps.make(files('backports.zoneinfo==0.2.1 ; python_version < "3.9"')), { app: "app:app" }));
    });

    it("GIVEN Windows-only distributions pinned without a marker THEN InputError names each line and the marker; with the marker, or only in a constraints file, they are accepted", () => {
        assert.match(
            refusal({ "requirements.txt": "colorama==0.4.6\nflask==3.0.3\npywin32==306\nwindows-curses==2.3.3 ; python_version >= '3.8'\n" }),
            /^requirements\.txt, line 3: "pywin32==306"; requirements\.txt, line 4: "windows-curses==2\.3\.3 ; python_version >= '3\.8'": pywin32 publishes Windows wheels only; windows-curses publishes .*Add `; sys_platform == "win32"` to each of those lines \(`pywin32==306 ; sys_platform == "win32"`\)/,
        );
        assert.doesNotMatch(refusal({ "requirements.txt": "colorama==0.4.6\nPyWinPTY==2.0.13\n" }), /colorama/);
        const marked = synthesize(apps.make({ "app.py": FLASK_APP, "requirements.txt": 'flask==3.0.3\npywin32==306 ; sys_platform == "win32"\n-c constraints.txt\n', "constraints.txt": "pypiwin32==223\n" }));
        assert.match(marked.dockerfile, /pip install -r requirements\.txt/);
    });

    it("GIVEN `name @ file:///...` lines (pip freeze in a conda environment) THEN InputError names them; a conda build folder gets `pip list --format=freeze`, another folder the usual fix", () => {
        const conda = refusal({ "requirements.txt": "Flask @ file:///home/conda/feedstock_root/build_artifacts/flask_1712667726126/work\nMarkupSafe @ file:///croot/markupsafe_1704205993651/work\nwheel==0.44.0\n" });
        assert.match(conda, /^requirements\.txt, line 1: "Flask @ file:\/\/\/home\/conda\/[^"]*"; requirements\.txt, line 2: "MarkupSafe @ file:\/\/\/croot\/[^"]*": these install from folders on the machine that wrote the file, outside the source folder/);
        assert.match(conda, /write the versions instead with `pip list --format=freeze > requirements\.txt`\.$/);
        // Anaconda on Windows builds under C:/b/abs_<hash>/croot/.
        assert.match(refusal({ "requirements.txt": "certifi @ file:///C:/b/abs_1f3xqzd6dz/croot/certifi_1734473278428/work/certifi\n" }), /pip list --format=freeze/);
        const other = refusal({ "requirements.txt": "flask\nshared @ file:///home/dev/libs/shared\n" });
        assert.match(other, /^requirements\.txt, line 2: "shared @ file:\/\/\/home\/dev\/libs\/shared": this installs from a folder on the machine .* Move or vendor the dependency into the source folder/);
    });
});

describe("a committed database the image moves into the data folder", () => {
    const django = (extra: Record<string, string>) =>
        synthesize(
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings')\n",
                "site_/__init__.py": "",
                "site_/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "site_/settings.py":
                    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nROOT_URLCONF = 'site_.urls'\nINSTALLED_APPS = []\n" +
                    'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}\n',
                "requirements.txt": "django\ngunicorn\n",
                ...extra,
            }),
        ).plan.notes.filter((n) => n.includes("seeds the data volume"));

    it("GIVEN db.sqlite3 committed beside manage.py THEN a note says it seeds the data volume, and how to keep it out", () => {
        assert.deepEqual(django({ "db.sqlite3": "SQLite format 3\0" }), [
            "db.sqlite3 is in the source folder, and the image moves it to /data/db.sqlite3: the committed database seeds the data volume on its first start (and is in the image's layers, rows and all). Delete it, or add it to .dockerignore, if that is not wanted.",
        ]);
    });
    it("GIVEN no committed database, or one the app's .dockerignore leaves out THEN no such note", () => {
        assert.deepEqual(django({}), []);
        assert.deepEqual(django({ "db.sqlite3": "SQLite format 3\0", ".dockerignore": "*.sqlite3\n" }), []);
    });
});

describe("an app module that imports its neighbours as top-level modules (`cd app && python main.py`)", () => {
    const FASTAPI_MAIN = (imports: string) => `from fastapi import FastAPI\n${imports}\napp = FastAPI()\napp.include_router(books.router)\n`;
    const served = (imports: string, extra: Record<string, string> = {}) => {
        const r = synthesize(
            apps.make({
                "requirements.txt": "fastapi\nuvicorn\n",
                "app/main.py": FASTAPI_MAIN(imports),
                "app/routers/__init__.py": "",
                "app/routers/books.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
                "app/core/__init__.py": "",
                "app/core/config.py": "settings = {}\n",
                ...extra,
            }),
        );
        return { spec: r.plan.entrypoint.spec, chdir: r.plan.server.chdir, pythonPath: r.plan.server.pythonPath, notes: r.plan.notes };
    };

    it("GIVEN app/main.py (app/ no package) importing `routers` and `core.config` that sit beside it THEN it is main:app run in app/ (gunicorn's --chdir), with a note", () => {
        const s = served("from routers import books\nfrom core.config import settings");
        assert.deepEqual({ spec: s.spec, chdir: s.chdir, pythonPath: s.pythonPath }, { spec: "main:app", chdir: "/app/app", pythonPath: [] });
        assert.ok(s.notes.includes("app/ holds the app (app/main.py imports core and routers from its own folder as top-level modules, as when run from app/): gunicorn runs in that folder (--chdir), which puts it on the Python path; set `chdir` to change it."));
    });
    it("GIVEN the same imports written from the root (`from app.routers import books`), or none of the app's own THEN it stays app.main:app run from the root", () => {
        assert.deepEqual(served("from app.routers import books").spec, "app.main:app");
        assert.deepEqual(served("from . import routers as books").chdir, undefined);
        assert.deepEqual(served("import os").spec, "app.main:app");
    });
    it("GIVEN a neighbour import and a root import side by side, or a neighbour also found at the root THEN it stays app.main:app (the root resolves it)", () => {
        assert.equal(served("from routers import books\nfrom app.core import config").spec, "app.main:app");
        assert.equal(served("from routers import books", { "routers/__init__.py": "", "routers/books.py": "router = None\n" }).spec, "app.main:app");
    });
    it("GIVEN a package in a plain folder (backend/api/__init__.py, backend/ no package) whose factory imports `config` from backend/ THEN it is api:create_app() run in backend/; a package at the root stays as found", () => {
        const files = {
            "requirements.txt": "flask\n",
            "backend/config.py": "class Settings:\n    DEBUG = False\n",
            "backend/api/__init__.py": "from flask import Flask\n\nfrom config import Settings\n\n\ndef create_app():\n    app = Flask(__name__)\n    app.config.from_object(Settings)\n    return app\n",
        };
        const r = synthesize(apps.make(files)).plan;
        assert.deepEqual({ spec: r.entrypoint.spec, chdir: r.server.chdir }, { spec: "api:create_app()", chdir: "/app/backend" });
        assert.ok(r.notes.some((n) => n.startsWith("backend/ holds the app (backend/api/__init__.py imports config from its own folder as top-level modules, as when run from backend/)")), r.notes.join("\n"));
        // A module of that package (backend/api/main.py) is served the same way, by its dotted name.
        const inPackage = synthesize(apps.make({ ...files, "backend/api/__init__.py": "", "backend/api/main.py": files["backend/api/__init__.py"] })).plan;
        assert.deepEqual({ spec: inPackage.entrypoint.spec, chdir: inPackage.server.chdir }, { spec: "api.main:create_app()", chdir: "/app/backend" });
        const root = synthesize(apps.make({ "requirements.txt": "flask\n", "config.py": files["backend/config.py"], "api/__init__.py": files["backend/api/__init__.py"] })).plan;
        assert.deepEqual({ spec: root.entrypoint.spec, chdir: root.server.chdir }, { spec: "api:create_app()", chdir: undefined });
    });
});

describe("scripts the image runs, checked out with Windows line endings", () => {
    const app = (files: Record<string, string>) => apps.make({ "app.py": FLASK_APP, "requirements.txt": "flask\ngunicorn\n", ...files });
    const refusal = (dir: string, options = {}): string => {
        try {
            synthesize(dir, options);
        } catch (e) {
            assert.ok(e instanceof InputError, String(e));
            return e.message;
        }
        assert.fail("not refused");
    };
    const CRLF_SCRIPT = "#!/usr/bin/env bash\r\nset -euo pipefail\r\npython -c 'print(1)'\r\n";

    it("GIVEN a Procfile release: that runs a CRLF script THEN InputError names the script, CRLF and the fix", () => {
        assert.equal(
            refusal(app({ Procfile: "release: bin/release\r\nweb: gunicorn app:app\r\n", "bin/release": CRLF_SCRIPT })),
            'bin/release has CRLF (Windows) line endings, so on Linux every line ends in a \\r the shell takes as part of its last word (`#!/usr/bin/env bash` names "bash\\r", which does not exist), ' +
                "and the image runs it (Procfile release: `bin/release`), where it would fail: convert it to LF line endings with `dos2unix bin/release`, or for the whole checkout `git config core.autocrlf input`, " +
                "then `git add --renormalize .` and check the files out again (a .gitattributes line `bin/release text eol=lf` keeps it so).",
        );
    });
    it("GIVEN the script given to a shell, inside `sh -c`, or as a build command THEN it is refused the same way", () => {
        assert.match(refusal(app({ Procfile: "release: bash scripts/release.sh\nweb: gunicorn app:app\n", "scripts/release.sh": CRLF_SCRIPT })), /^scripts\/release\.sh has CRLF/);
        assert.match(refusal(app({ Procfile: "release: ./migrate.sh && echo done\nweb: gunicorn app:app\n", "migrate.sh": CRLF_SCRIPT })), /^migrate\.sh has CRLF/);
        assert.match(refusal(app({ "build.sh": CRLF_SCRIPT }), { buildCommands: [["./build.sh"]] }), /^build\.sh has CRLF .*the image runs it \(`buildCommands` `\.\/build\.sh`\)/);
    });
    it("GIVEN a script with a byte-order mark before its #! THEN it is refused, naming the mark", () => {
        const dir = app({ Procfile: "release: ./release.sh\nweb: gunicorn app:app\n" });
        fs.writeFileSync(path.join(dir, "release.sh"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("#!/bin/sh\nflask db upgrade\n")]));
        assert.match(refusal(dir), /^release\.sh is UTF-8 with a byte-order mark, which the kernel and the shell read as part of its first line, .*save it as UTF-8 without a byte-order mark\.$/);
    });
    it("GIVEN CRLF files the image only reads (a start script read through, a Python script the release runs with python) THEN nothing is refused", () => {
        const r = synthesize(app({ Procfile: "release: python seed.py\r\nweb: ./start.sh\r\n", "start.sh": "#!/usr/bin/env bash\r\nset -euo pipefail\r\nexec gunicorn app:app --workers 3\r\n", "seed.py": "print('seeded')\r\n" }));
        assert.deepEqual(r.plan.release?.command, ["python", "seed.py"]);
        assert.equal(r.plan.server.defaultWorkers, 3);
    });
});

describe("reading the source folder", () => {
    const apps = new TmpApps();
    afterEach(() => apps.cleanup());

    it("stats each path once per synthesis, however many readers ask (a 120-module app took 72 s re-statting module candidates)", () => {
        // Every module looked up from every caller and import root: the same missing `x.py` / `x/__init__.py` asked for again and again.
        const files: Record<string, string> = {
            "requirements.txt": "flask\n",
            "app.py": "from flask import Flask\nfrom views import *\napp = Flask(__name__)\n",
            "models.py": 'import os\n\nclass Store:\n    def __init__(self, folder="data"):\n        self.folder = folder\n\n    def put(self, key):\n        with open(os.path.join(self.folder, key), "w") as f:\n            f.write("")\n',
        };
        for (let i = 0; i < 8; i++) {
            files[`helpers${i}.py`] = `from models import Store\n\ndef save${i}(x):\n    Store().put("k${i}")\n`;
        }
        files["views.py"] = Array.from({ length: 8 }, (_, i) => `from helpers${i} import save${i}\n`).join("") + "\ndef index(x):\n" + Array.from({ length: 8 }, (_, i) => `    save${i}(x)\n`).join("");
        const dir = apps.make(files);
        const realFs = require("fs") as { statSync: typeof fs.statSync };
        const original = realFs.statSync;
        const counts = new Map<string, number>();
        realFs.statSync = ((p: fs.PathLike, ...rest: unknown[]) => {
            const key = String(p);
            if (key.startsWith(dir)) {
                counts.set(key, (counts.get(key) ?? 0) + 1);
            }
            return (original as (...a: unknown[]) => unknown)(p, ...rest);
        }) as typeof fs.statSync;
        let plan;
        try {
            plan = synthesize(dir).plan;
        } finally {
            realFs.statSync = original;
        }
        assert.ok(plan.writablePaths.some((w) => w.path === "/app/data"), JSON.stringify(plan.writablePaths));
        const repeated = [...counts].filter(([, n]) => n > 1).map(([p, n]) => `${path.relative(dir, p)} x${n}`);
        assert.deepEqual(repeated, []);
        assert.ok(counts.size > 0, "the folder was read through fs.statSync");
    });
});

describe("shapes met in real apps' own layouts", () => {
    const apps = new TmpApps();
    afterEach(() => apps.cleanup());

    describe("names bound through their own method calls", () => {
        // calibre-web's kobo.py and taiga-back: a query narrowed in place, `q = q.filter(...)`, read back through `q`'s methods.
        for (const [shape, body] of [
            ["an object's method called on the name it rebinds (`items = items.filter(...)`, then `items.all()`)", "    items = Thing.objects.all()\n    items = items.filter(active=True)\n    for item in items.all():\n        print(item)\n"],
            ["the rebound name's method call as a path (`open(os.path.join(q.folder(), 'x'), 'w')`)", "    q = Thing.objects.all()\n    q = q.filter(active=True)\n    with open(os.path.join(q.folder(), 'x'), 'w') as f:\n        f.write('')\n"],
        ] as const) {
            it(`synthesizes an app where ${shape}`, () => {
                const dir = apps.make({
                    "requirements.txt": "flask\n",
                    "app.py": `import os\nfrom flask import Flask\napp = Flask(__name__)\n\n\ndef export():\n${body}`,
                });
                const s = synthesize(dir);
                assert.equal(s.plan.entrypoint.spec, "app:app");
            });
        }
    });

    describe("PEP 440 arbitrary equality in requirements files", () => {
        it("reads `name===version` as pip does (Tandoor's `cryptography===48.0.1` was refused as not PEP 508)", () => {
            const lines = parseRequirements("cryptography===48.0.1\nflask[async] === 3.1.0 ; python_version >= '3.9'\nrequests>=2,===2.32.3\nlegacy===1.0-custom\n");
            assert.deepEqual(
                lines.map((l) => (l.kind === "name" ? [l.name, l.extras, l.specifiers, l.marker !== undefined] : l.kind)),
                [
                    ["cryptography", [], [{ operator: "===", version: "48.0.1" }], false],
                    ["flask", ["async"], [{ operator: "===", version: "3.1.0" }], true],
                    ["requests", [], [{ operator: ">=", version: "2" }, { operator: "===", version: "2.32.3" }], false],
                    ["legacy", [], [{ operator: "===", version: "1.0-custom" }], false],
                ],
            );
        });

        it("installs a requirements file with `===` pins", () => {
            const s = synthesize(apps.make({ "requirements.txt": "flask===3.1.0\n", "app.py": FLASK_APP }));
            assert.equal(s.plan.entrypoint.spec, "app:app");
            assert.match(s.dockerfile, /uv pip install -r requirements\.txt/);
        });
    });

    describe("scripts beside the app", () => {
        const FACTORY = "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n";

        it("serves the package's factory, not the app a cron script makes before it exits (PowerDNS-Admin's update_accounts.py)", () => {
            const spec = (script: string) =>
                synthesize(apps.make({ "requirements.txt": "flask\n", "pkg/__init__.py": FACTORY, "run.py": 'from pkg import create_app\n\nif __name__ == "__main__":\n    create_app().run()\n', "update_accounts.py": script })).plan.entrypoint.spec;
            // A `#!` script that exits under a condition, and any module whose top level always exits.
            assert.equal(spec('#!/usr/bin/env python3\nimport sys\nfrom pkg import create_app\n\napp = create_app()\nwith app.app_context():\n    if not app.config.get("UPDATES"):\n        sys.exit(1)\n    print("updating")\n'), "pkg:create_app()");
            assert.equal(spec("import sys\nfrom pkg import create_app\n\napp = create_app()\nwith app.app_context():\n    print('updating')\n    sys.exit(0)\n"), "pkg:create_app()");
            // Without the exit it is a module that makes the app (an object made at import wins over a bare factory).
            assert.equal(spec("from pkg import create_app\n\napp = create_app()\n"), "update_accounts:app");
        });

        it("GIVEN a module whose top level runs its app's dev server (nyaa's run.py: `app.run(debug=True)`, no __main__ guard) beside one that only makes the app (WSGI.py) THEN the latter is served; alone, a Flask app's is neutralized with FLASK_RUN_FROM_CLI=true, another server's is noted", () => {
            const factory = "from flask import Flask\n\n\ndef create_app(name):\n    app = Flask(__name__)\n    return app\n";
            const both = synthesize(
                apps.make({ "requirements.txt": "flask\n", "nyaa/__init__.py": factory, "run.py": "from nyaa import create_app\n\napp = create_app('config')\napp.run(host='0.0.0.0', port=5500, debug=True)\n", "WSGI.py": "from nyaa import create_app\n\napp = create_app('config')\n" }),
            ).plan;
            assert.equal(both.entrypoint.spec, "WSGI:app");
            assert.equal(both.imageEnv["FLASK_RUN_FROM_CLI"], undefined);
            const alone = synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n" })).plan;
            assert.equal(alone.entrypoint.spec, "app:app");
            assert.equal(alone.imageEnv["FLASK_RUN_FROM_CLI"], "true");
            assert.ok(
                alone.notes.includes(
                    'app.py calls `app.run(debug=True)` at import, outside `if __name__ == "__main__":`, which would start Flask\'s development server inside gunicorn\'s worker: ' +
                        "the image sets FLASK_RUN_FROM_CLI=true, with which app.run() returns at once (as under the `flask` command), and gunicorn serves the app.",
                ),
                alone.notes.join("\n"),
            );
            // Guarded, nothing changes; a Procfile naming the module gets the same.
            assert.equal(synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": 'from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run()\n' })).plan.imageEnv["FLASK_RUN_FROM_CLI"], undefined);
            assert.equal(synthesize(apps.make({ "requirements.txt": "flask\ngunicorn\n", Procfile: "web: gunicorn app:app\n", "app.py": "from flask import Flask\napp = Flask(__name__)\napp.run()\n" })).plan.imageEnv["FLASK_RUN_FROM_CLI"], "true");
            const fastapi = synthesize(apps.make({ "requirements.txt": "fastapi\nuvicorn\n", "main.py": "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nuvicorn.run(app, port=8000)\n" })).plan;
            assert.ok(fastapi.notes.some((n) => n.startsWith("main.py calls `uvicorn.run(app, port=8000)` at import, outside `if __name__ == \"__main__\":`: gunicorn's worker imports the module and would run that server")), fastapi.notes.join("\n"));
        });

        it("still serves a `#!` module that exits only when misconfigured, when no other module makes an app", () => {
            const dir = apps.make({
                "requirements.txt": "flask\n",
                "server.py": '#!/usr/bin/env python3\nimport os\nimport sys\nfrom flask import Flask\n\nif not os.environ.get("TOKEN"):\n    sys.exit("TOKEN is required")\napp = Flask(__name__)\n',
            });
            assert.equal(synthesize(dir).plan.entrypoint.spec, "server:app");
        });
    });

    describe("extras the app's own Dockerfile installs", () => {
        const PYPROJECT =
            '[project]\nname = "mapsrv"\nversion = "1.0"\ndependencies = ["fastapi"]\n\n[project.optional-dependencies]\ndeploy = ["uvicorn"]\nsync = ["redis"]\nS3_Storage = ["boto3"]\ntest = ["pytest"]\n\n' +
            '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n';
        const groupsOf = (run: string | undefined, options: Record<string, unknown> = {}) => {
            const s = synthesize(
                apps.make({ "pyproject.toml": PYPROJECT, "main.py": "from fastapi import FastAPI\napp = FastAPI()\n", ...(run === undefined ? {} : { Dockerfile: `FROM python:3.13-slim\nCOPY . /srv\n${run}\n` }) }),
                options,
            );
            return { groups: s.plan.dependencies.groups, notes: s.plan.notes.filter((n) => n.startsWith("Installs")) };
        };

        it("installs the project and them when the Dockerfile installs the project and no requirements file, over a requirements.txt (buku's, the command-line tool's, without the web app's Flask)", () => {
            const files = { "pyproject.toml": PYPROJECT, "requirements.txt": "fastapi\n", "main.py": "from fastapi import FastAPI\napp = FastAPI()\n" };
            const plan = (run: string) => synthesize(apps.make({ ...files, Dockerfile: `FROM python:3.13-slim\nCOPY . /srv\n${run}\n` })).plan;
            const project = plan('RUN pip install --no-cache-dir gunicorn "/srv[sync]" && rm -rf /srv');
            assert.deepEqual([project.manifest, project.installsProject, project.dependencies.groups], ["pyproject.toml", true, ["sync", "deploy"]]);
            assert.ok(
                project.notes.includes(
                    "requirements.txt is ignored: the app's Dockerfile installs the project itself (`RUN pip install --no-cache-dir gunicorn \"/srv[sync]\" && rm -rf /srv`) and no requirements file, so the project's own metadata names the dependencies.",
                ),
                project.notes.join("\n"),
            );
            // Installing the requirements file too, or the project not at all, keeps requirements.txt.
            assert.equal(plan("RUN pip install -r /srv/requirements.txt && pip install /srv").manifest, "requirements.txt");
            assert.equal(plan("RUN pip install gunicorn").manifest, "requirements.txt");
        });

        it("installs them, as umap's `pip install .[deploy,s3,sync]` does, naming the line", () => {
            assert.deepEqual(groupsOf("RUN /venv/bin/pip install .[sync,s3-storage]"), {
                groups: ["sync", "S3_Storage", "deploy"],
                notes: [
                    "Installs the extras sync, S3_Storage (pyproject.toml's [project.optional-dependencies]) besides the main dependencies, as the app's own Dockerfile does (`RUN /venv/bin/pip install .[sync,s3-storage]`); set `dependencyGroups` to choose.",
                    "Installs the extra deploy too, by its name (set `dependencyGroups` to choose).",
                ],
            });
            assert.deepEqual(groupsOf('RUN python3 -m pip install -e ".[deploy,sync]"').groups, ["deploy", "sync"]);
            assert.deepEqual(groupsOf("RUN uv sync --frozen --extra sync --extra=deploy").groups, ["sync", "deploy"]);
            assert.deepEqual(groupsOf("RUN uv sync --all-extras").groups, ["deploy", "sync", "S3_Storage", "test"]);
            assert.deepEqual(groupsOf('RUN poetry install --extras "sync deploy"').groups, ["sync", "deploy"]);
            // The folder the source is copied to, by its path in the image (the Dockerfile's `COPY . /srv`).
            assert.deepEqual(groupsOf('RUN pip install "/srv/[sync]"').groups, ["sync", "deploy"]);
            // Only stages whose work reaches the final image count: otterwiki's test stage, built on the builder, installs its
            // test extra, and the final stage copies the venv from the builder; a stage the final one copies from counts.
            const staged = (dockerfile: string) => synthesize(apps.make({ "pyproject.toml": PYPROJECT, "main.py": "from fastapi import FastAPI\napp = FastAPI()\n", Dockerfile: dockerfile })).plan.dependencies.groups;
            const builder = "FROM python:3.13-slim AS builder\nCOPY . /srv\nWORKDIR /srv\nRUN pip install .[sync]\n\n";
            assert.deepEqual(staged(`${builder}FROM builder AS test-stage\nRUN pip install .[test]\n\nFROM python:3.13-slim\nCOPY --from=builder /venv /venv\n`), ["sync", "deploy"]);
            assert.deepEqual(staged(`${builder}FROM python:3.13-slim\nCOPY . /srv\n`), ["deploy"]);
        });

        it("keeps the production extra alone without such a line, or with `dependencyGroups`", () => {
            assert.deepEqual(groupsOf(undefined).groups, ["deploy"]);
            assert.deepEqual(groupsOf("RUN pip install -r requirements.txt ./vendor/lib[sync]").groups, ["deploy"]);
            assert.deepEqual(groupsOf("RUN pip install /opt/plugin[sync]").groups, ["deploy"]);
            assert.deepEqual(groupsOf("RUN pip install .[sync]", { dependencyGroups: ["test"] }).groups, ["test"]);
        });
    });

    describe("scripts the app's own Dockerfile runs at build", () => {
        it("are not the server's code: what they write stays in the image (Tandoor's version.py wrote cookbook/version_info.py, which was linked into /data)", () => {
            const files = (run: string) => ({
                "requirements.txt": "flask\n",
                "app.py": 'from flask import Flask\nfrom version_info import VERSION\napp = Flask(__name__)\n\n\n@app.get("/")\ndef index():\n    return VERSION\n',
                "version_info.py": 'VERSION = "dev"\n',
                "version.py": 'import subprocess\n\nwith open("version_info.py", "w+") as f:\n    f.write(\'VERSION = "1.0"\\n\')\n',
                Dockerfile: `FROM python:3.13-slim\nWORKDIR /opt/app\nCOPY . ./\n${run}\nCMD ["gunicorn", "app:app"]\n`,
            });
            const paths = (run: string) => synthesize(apps.make(files(run))).plan.writablePaths.map((w) => w.path);
            assert.deepEqual(paths("RUN /opt/app/venv/bin/python version.py"), []);
            assert.deepEqual(paths('RUN ["python3", "./version.py"]'), []);
            // Not run at build: a module whose writes happen when something runs it, as the server might.
            assert.deepEqual(paths("RUN pip install -r requirements.txt"), ["/data"]);
        });
    });

    describe("environment reads a conditional expression guards", () => {
        it("are not required: `os.environ[\"X\"] if \"X\" in os.environ else None` reads X only when it is set (paperless-ngx's PROXY_SSL_HEADER)", () => {
            const noted = (line: string) =>
                synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": `import json\nimport os\nfrom flask import Flask\napp = Flask(__name__)\n${line}\n` })).plan.notes.filter((n) => n.includes("at import with no default")).map((n) => n.slice(0, n.indexOf(" from the environment")));
            assert.deepEqual(noted('HEADER = tuple(json.loads(os.environ["PROXY_SSL_HEADER"])) if "PROXY_SSL_HEADER" in os.environ else None'), []);
            assert.deepEqual(noted('HEADER = None if "PROXY_SSL_HEADER" not in os.environ else os.environ["PROXY_SSL_HEADER"]'), []);
            // The branch that runs with the variable unset still counts.
            assert.deepEqual(noted('HEADER = os.environ["FALLBACK"] if "PROXY_SSL_HEADER" in os.environ else os.environ["PROXY_DEFAULT"]'), ["app.py reads PROXY_DEFAULT"]);
            assert.deepEqual(noted('HEADER = os.environ["PROXY_SSL_HEADER"] if DEBUG_FLAG else None\nDEBUG_FLAG = True'), ["app.py reads PROXY_SSL_HEADER"]);
        });
    });

    describe("a boot script the CMD names by its path in the image", () => {
        it("is read under an init process's ENTRYPOINT (`ENTRYPOINT [\"tini\", \"--\"]`, `CMD [\"/app/docker/entrypoint.sh\"]`): its server's flags are carried", () => {
            const plan = (workdir: string) =>
                synthesize(
                    apps.make({
                        "requirements.txt": "flask\n",
                        "web.py": FLASK_APP,
                        "docker/entrypoint.sh": '#!/bin/sh\nset -e\nexec gunicorn --timeout 90 --bind 0.0.0.0:8000 web:app\n',
                        Dockerfile: `FROM python:3.13-slim\nRUN pip install tini\nWORKDIR ${workdir}\nCOPY . .\nENTRYPOINT ["tini", "--"]\nCMD ["${workdir}/docker/entrypoint.sh"]\n`,
                    }),
                ).plan;
            for (const workdir of ["/app", "/srv/site"]) {
                const p = plan(workdir);
                assert.deepEqual([p.entrypoint.spec, p.entrypoint.source, p.server.timeout], ["web:app", "Dockerfile", 90], workdir);
                assert.ok(p.notes.includes("The Dockerfile's ENTRYPOINT runs docker/entrypoint.sh; the commands in it are read as the web command."), p.notes.join("\n"));
            }
        });
    });

    describe("a script's `: \"${VAR:=default}\"` line", () => {
        it("sets the variable for the commands after it, as `VAR=${VAR:=default}` does", () => {
            const plan = synthesize(
                apps.make({
                    "requirements.txt": "flask\n",
                    "web.py": FLASK_APP,
                    "docker/entrypoint.sh": '#!/bin/sh\nset -e\n: "${GUNICORN_WORKERS:=3}" "${GUNICORN_TIMEOUT=75}"\nexec gunicorn --workers "$GUNICORN_WORKERS" --timeout "$GUNICORN_TIMEOUT" --bind 0.0.0.0:8000 web:app\n',
                    Dockerfile: 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["tini", "--", "docker/entrypoint.sh"]\n',
                }),
            ).plan;
            assert.deepEqual([plan.entrypoint.spec, plan.server.defaultWorkers, plan.server.timeout], ["web:app", 3, 75]);
            assert.ok(plan.notes.some((n) => n.startsWith("docker/entrypoint.sh sets GUNICORN_WORKERS=3 (its default, `${GUNICORN_WORKERS:=3}`) and GUNICORN_TIMEOUT=75")), plan.notes.join("\n"));
        });
    });

    describe("a shell-form CMD's paths in the image", () => {
        it("are read in the source's terms: `COPY . /app/src` then `CMD gunicorn --chdir /app/src web:app` serves from the app folder (gunicorn could not change into /app/src)", () => {
            const plan = (cmd: string) =>
                synthesize(apps.make({ "requirements.txt": "flask\n", "web.py": FLASK_APP, Dockerfile: `FROM python:3.13-slim\nCOPY . /app/src\nRUN pip install -r /app/src/requirements.txt\n${cmd}\n` })).plan;
            for (const cmd of ["CMD gunicorn -w 2 -b 0.0.0.0:5000 --chdir /app/src web:app", 'CMD ["gunicorn", "-w", "2", "--chdir", "/app/src", "web:app"]']) {
                const p = plan(cmd);
                assert.deepEqual([p.entrypoint.spec, p.entrypoint.source, p.server.chdir, p.server.defaultWorkers], ["web:app", "Dockerfile", undefined, 2], cmd);
            }
        });
    });

    describe("a Dockerfile ENV naming a file its own RUN makes", () => {
        it("is named: this image runs none of those RUN lines, so the file is not there (kinto's KINTO_INI, made by `kinto init --ini $KINTO_INI`)", () => {
            const notes = (lines: string) =>
                synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": FLASK_APP, "config/app.ini": "[app]\n", Dockerfile: `FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\n${lines}\nCMD ["gunicorn", "app:app"]\n` })).plan.notes.filter((n) => n.includes("names a path"));
            assert.deepEqual(notes("ENV KINTO_INI=/etc/kinto/kinto.ini\nRUN kinto init --ini $KINTO_INI --backend=memory"), [
                "KINTO_INI=/etc/kinto/kinto.ini (Dockerfile ENV) names a path the app's own Dockerfile makes in a RUN (`RUN kinto init --ini $KINTO_INI --backend=memory`), which this image does not run: it is not in the image. " +
                    "Point KINTO_INI at a file of the source with PythonApp's `env`, or ship the file in the source.",
            ]);
            assert.equal(notes("ENV APP_CONFIG=/app/config/config.cfg\nRUN mkdir -p /app/config && touch /app/config/config.cfg").length, 1);
            // A file of the source, a folder, or a path no RUN makes: nothing to say.
            assert.deepEqual(notes("ENV APP_INI=/app/config/app.ini\nRUN cat /app/config/app.ini"), []);
            assert.deepEqual(notes("ENV DATA_DIR=/data\nRUN mkdir -p /data"), []);
            assert.deepEqual(notes("ENV APP_INI=/etc/app/app.ini"), []);
        });
    });

    describe("a uv project's extras", () => {
        it("are installed with `uv sync --extra` when the app's own Dockerfile installs them (kinto's `uv sync --extra postgresql`)", () => {
            const s = synthesize(apps.copyOf("apps/r34-flask-uv-lock-sync-extra"));
            assert.deepEqual([s.plan.dependencies.groups, s.plan.dependencies.extras], [["cache"], ["cache"]]);
            assert.match(s.dockerfile, /uv sync --locked --no-install-project --no-editable --no-default-groups --extra cache \\\n/);
            assert.ok(s.plan.notes.includes("Installs the extra cache (pyproject.toml's [project.optional-dependencies]) besides the main dependencies, as the app's own Dockerfile does (`RUN uv sync --frozen --no-dev --extra cache`); set `dependencyGroups` to choose."), s.plan.notes.join("\n"));
        });

        it("are chosen with `dependencyGroups` beside the PEP 735 groups, each with its own flag", () => {
            const s = synthesize(apps.copyOf("apps/r34-flask-uv-lock-sync-extra"), { dependencyGroups: ["postgresql", "dev"] });
            assert.match(s.dockerfile, /--no-default-groups --extra postgresql --group dev \\\n/);
            assert.throws(
                () => synthesize(apps.copyOf("apps/r34-flask-uv-lock-sync-extra"), { dependencyGroups: ["redis"] }),
                (e: Error) => e instanceof InputError && e.message.includes('`dependencyGroups` names "redis", which the manifests do not define'),
            );
        });

        it("are not installed unless something names them", () => {
            const dir = apps.copyOf("apps/r34-flask-uv-lock-sync-extra");
            fs.rmSync(path.join(dir, "Dockerfile"));
            const s = synthesize(dir);
            assert.deepEqual(s.plan.dependencies.groups, []);
            assert.match(s.dockerfile, /--no-default-groups \\\n/);
        });
    });

    describe("a requirements/ folder with no requirements.txt at the root (cookiecutter-django's layout)", () => {
        const REQS = { "requirements/base.txt": "flask==3.1.0\n", "requirements/local.txt": "-r base.txt\npytest==8.3.4\n", "requirements/production.txt": "-r base.txt\ngunicorn==23.0.0\n", "app.py": FLASK_APP };

        it("installs the file the app's own Dockerfile installs, else the production one by its name, with the files it includes", () => {
            const fromDockerfile = synthesize(apps.make({ ...REQS, Dockerfile: "FROM python:3.13-slim\nWORKDIR /app\nCOPY requirements requirements\nRUN pip install -r requirements/local.txt\nCOPY . .\n" }));
            assert.deepEqual([fromDockerfile.plan.manifest, fromDockerfile.plan.manifests], ["requirements/local.txt", ["requirements/local.txt", "requirements/base.txt"]]);
            assert.ok(
                fromDockerfile.plan.notes.includes(
                    "The source folder has no requirements.txt at its root, and requirements/base.txt, requirements/local.txt, requirements/production.txt in a requirements/ folder: " +
                        "the image installs requirements/local.txt, the file Dockerfile installs (a requirements.txt at the root, `-r requirements/<file>.txt`, chooses another).",
                ),
                fromDockerfile.plan.notes.join("\n"),
            );
            const byName = synthesize(apps.make(REQS));
            assert.deepEqual([byName.plan.manifest, byName.plan.manifests, byName.plan.server.addedPackages], ["requirements/production.txt", ["requirements/production.txt", "requirements/base.txt"], []]);
            assert.match(byName.dockerfile, /COPY \["requirements\/production\.txt","requirements\/base\.txt","requirements\/"\]\n/);
            assert.match(byName.dockerfile, / -r requirements\/production\.txt \\\n/);
            const pip = synthesize(apps.make(REQS), { requirementsInstaller: "pip" }).dockerfile;
            assert.match(pip, /pip install -r requirements\/production\.txt \\\n/);
        });

        it("installs a Compose-built Dockerfile's file, and says nothing of the entrypoint's build commands as not run (they are build steps)", () => {
            const plan = synthesize(apps.copyOf("apps/r21b-django-compose-migrate-service")).plan;
            assert.deepEqual([plan.manifest, plan.release?.source], ["requirements/production.txt", "compose.yaml service migrate"]);
            assert.deepEqual(plan.buildSteps.map((b) => b.name), ["collectstatic", "compilemessages"]);
            assert.deepEqual(plan.notes.filter((n) => n.includes("so they do not run") || n.includes("so it does not run")), []);
        });

        it("beside a pyproject.toml that holds only tools' settings (hypothesis/h's layout), installs the file the Dockerfile copies and installs under another name", () => {
            const files = {
                ...REQS,
                "pyproject.toml": "[tool.ruff]\nline-length = 100\n\n[tool.pytest.ini_options]\naddopts = \"-q\"\n",
                Dockerfile: "FROM python:3.13-slim\nWORKDIR /srv\nCOPY requirements/local.txt requirements/base.txt ./\nCOPY requirements/production.txt ./\nRUN pip install -r production.txt\nCOPY . .\n",
            };
            const plan = synthesize(apps.make(files)).plan;
            assert.deepEqual([plan.manifest, plan.manifests], ["requirements/production.txt", ["requirements/production.txt", "requirements/base.txt"]]);
            assert.ok(plan.notes.some((n) => n.includes("the image installs requirements/production.txt, the file Dockerfile installs")), plan.notes.join("\n"));
            // Copied into a folder of the image by its name.
            const into = synthesize(apps.make({ ...files, Dockerfile: "FROM python:3.13-slim\nWORKDIR /srv\nCOPY requirements/local.txt /deps/\nRUN pip install -r /deps/local.txt\n" })).plan;
            assert.equal(into.manifest, "requirements/local.txt");
        });

        it("beside a setup.cfg that holds only linters' settings (cookiecutter-django's [flake8], [mypy]) THEN the requirements/ folder still is the manifest; a setup.cfg with [options] is a project", () => {
            const lint = "[flake8]\nmax-line-length = 120\n\n[mypy]\npython_version = 3.12\n";
            assert.equal(synthesize(apps.make({ ...REQS, "setup.cfg": lint })).plan.manifest, "requirements/production.txt");
            const project = synthesize(apps.make({ ...REQS, "setup.cfg": `[metadata]\nname = site\n\n[options]\ninstall_requires =\n    flask==3.1.0\n\n${lint}` })).plan;
            assert.equal(project.manifest, "setup.cfg");
        });

        it("reads that file's pip-compile header for the Python it was resolved with", () => {
            const plan = synthesize(apps.make({ ...REQS, "requirements/production.txt": "#\n# This file is autogenerated by pip-compile with Python 3.11\n#\n-r base.txt\ngunicorn==23.0.0\n" })).plan;
            assert.deepEqual([plan.python.version, plan.python.source], ["3.11", "requirements/production.txt (its pip-compile header)"]);
        });

        it("is refused, naming the files, when neither the Dockerfile nor a production file's name picks one", () => {
            assert.throws(
                () => synthesize(apps.make({ "requirements/base.txt": "flask==3.1.0\n", "requirements/dev.txt": "-r base.txt\n", "app.py": FLASK_APP })),
                (e: Error) =>
                    e instanceof InputError &&
                    e.message.endsWith(
                        "It has requirements/base.txt, requirements/dev.txt in a requirements/ folder, and the package has no option that picks one: add a requirements.txt at the root that includes the production one (e.g. the line `-r requirements/base.txt`), as Heroku's buildpack also expects.",
                    ),
            );
        });
    });

    describe("an absolute `cd` before the server", () => {
        const site = { "requirements.txt": "flask\n", "site/web.py": FLASK_APP, "site/init_db.py": "print('tables made')\n" };

        it("is the source's folder it names, for the server and for the commands run before it (the release step)", () => {
            const fromScript = synthesize(
                apps.make({
                    ...site,
                    "entrypoint.sh": "#!/bin/sh\nset -e\ncd /srv/site\npython init_db.py\nexec gunicorn web:app --bind 0.0.0.0:8080\n",
                    Dockerfile: 'FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\nWORKDIR /srv/site\nENTRYPOINT ["/srv/entrypoint.sh"]\n',
                }),
            ).plan;
            const fromProcfile = synthesize(apps.make({ ...site, Procfile: "web: cd /app/site && python init_db.py && gunicorn web:app\n" })).plan;
            // Named through the image's ENV: `cd "$APP_HOME/site"`.
            const throughEnv = synthesize(
                apps.make({
                    ...site,
                    "entrypoint.sh": '#!/bin/sh\nset -e\ncd "$APP_HOME/site"\npython init_db.py\nexec gunicorn web:app --bind 0.0.0.0:8080\n',
                    Dockerfile: 'FROM python:3.12-slim\nENV APP_HOME=/srv\nWORKDIR $APP_HOME\nCOPY . .\nRUN pip install -r requirements.txt\nENTRYPOINT ["/srv/entrypoint.sh"]\n',
                }),
            ).plan;
            for (const plan of [fromScript, fromProcfile, throughEnv]) {
                assert.deepEqual([plan.server.chdir, plan.release?.command, plan.release?.workdir], ["/app/site", ["python", "init_db.py"], "/app/site"]);
            }
        });

        it("through a variable the image does not set is refused, naming it, unless `chdir` names the folder", () => {
            const files = {
                ...site,
                "entrypoint.sh": '#!/bin/sh\nset -e\ncd "$SITE_ROOT/site"\npython init_db.py\nexec gunicorn web:app --bind 0.0.0.0:8080\n',
                Dockerfile: 'FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\nENTRYPOINT ["/srv/entrypoint.sh"]\n',
            };
            assert.throws(
                () => synthesize(apps.make(files)),
                (e: Error) =>
                    e instanceof InputError &&
                    e.message ===
                        "The Dockerfile's ENTRYPOINT runs `cd ${SITE_ROOT}/site` before the server, but $SITE_ROOT is not set in the image, so the folder the server starts in is not known. " +
                            'Set `chdir` to that folder inside the source folder (such as "app"), or give SITE_ROOT a value with an ENV line in the Dockerfile.',
            );
            const plan = synthesize(apps.make(files), { chdir: "site" }).plan;
            assert.deepEqual([plan.server.chdir, plan.release?.command, plan.release?.workdir], ["/app/site", ["python", "init_db.py"], "/app/site"]);
            assert.ok(plan.notes.includes("The Dockerfile's ENTRYPOINT changes to `${SITE_ROOT}/site` before the server, a folder named by variables the image does not set: `chdir` says which folder that is, and gunicorn and the commands before it run there."));
        });
    });

    describe("the dependency groups and extras the app's own Dockerfile installs", () => {
        const selection = (runs: string) => dockerfileSelection(new SourceTree(apps.make({ "app.py": "", Dockerfile: `FROM python:3.13-slim\n${runs}\n` })));

        it("are read from uv's, Poetry's, PDM's and pip's options, over every RUN line", () => {
            assert.deepEqual(selection("RUN uv sync --frozen --no-dev --group server --group=jobs --only-group web --extra s3"), {
                extras: ["s3"],
                allExtras: false,
                groups: ["server", "jobs", "web"],
                allGroups: false,
                lines: ["RUN uv sync --frozen --no-dev --group server --group=jobs --only-group web --extra s3"],
            });
            assert.deepEqual(selection("RUN poetry install --only main,web --no-root\nRUN poetry export --with=jobs -E cache -f requirements.txt -o r.txt"), {
                extras: ["cache"],
                allExtras: false,
                groups: ["web", "jobs"],
                allGroups: false,
                lines: ["RUN poetry install --only main,web --no-root", "RUN poetry export --with=jobs -E cache -f requirements.txt -o r.txt"],
            });
            assert.deepEqual(selection("RUN pdm install --prod -G web,jobs -Gcache\nRUN uv sync --all-groups"), {
                extras: [],
                allExtras: false,
                groups: ["web", "jobs", "cache"],
                allGroups: true,
                lines: ["RUN pdm install --prod -G web,jobs -Gcache", "RUN uv sync --all-groups"],
            });
            // pip 25.1's PEP 735 groups: the project's own pyproject.toml only.
            assert.deepEqual(selection("RUN pip install --group server --group pyproject.toml:jobs --group tools/pyproject.toml:lint")?.groups, ["server", "jobs"]);
            // Poetry's `main` and `--only-root`, PDM's `default`: the main dependencies, no group.
            assert.equal(selection("RUN poetry install --only main --no-root\nRUN poetry install --only-root\nRUN pdm install -G default"), undefined);
        });

        it("are installed, development groups left out with a note", () => {
            const dir = apps.copyOf("apps/r14b-uv-prod-include-group");
            fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM python:3.13-slim\nRUN uv sync --frozen --group server --group dev\n");
            const s = synthesize(dir);
            assert.deepEqual(s.plan.dependencies.groups, ["server", "prod"]);
            assert.match(s.dockerfile, /--no-default-groups --group server --group prod \\\n/);
            const line = "`RUN uv sync --frozen --group server --group dev`";
            for (const note of [
                `Installs the dependency group server besides the main dependencies, as the app's own Dockerfile does (${line}); set \`dependencyGroups\` to choose.`,
                `The app's own Dockerfile installs the development group dev too (${line}); it is left out: development tools stay out of the image (set \`dependencyGroups\` to install it).`,
                "Installs the dependency group prod too, by its name (set `dependencyGroups` to choose).",
            ]) {
                assert.ok(s.plan.notes.includes(note), s.plan.notes.join("\n"));
            }
            // `--all-groups`: every group but the development ones.
            fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM python:3.13-slim\nRUN uv sync --frozen --all-groups\n");
            assert.deepEqual(synthesize(dir).plan.dependencies.groups, ["server", "prod"]);
        });

        it("are installed with pip's `--group` from a PEP 735 pyproject.toml, a name no group has left alone", () => {
            const dir = apps.copyOf("apps/r17a-pep735-pip-group-constraints-flask");
            fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM python:3.13-slim\nRUN pip install --group server --group Jobs\n");
            assert.deepEqual(synthesize(dir).plan.dependencies.groups, ["server", "deploy"]);
        });

        it("are the dependencies of a pyproject.toml with [dependency-groups] and no [project] (bookwyrm's), chosen by the Dockerfile's `pip install --group main` or `dependencyGroups`; with none chosen, refused naming them", () => {
            const files = { "pyproject.toml": '[dependency-groups]\nmain = ["flask==3.1.1", "gunicorn==23.0.0"]\ndev = ["pytest==8.3.4"]\n', "app.py": "from flask import Flask\napp = Flask(__name__)\n" };
            const s = synthesize(apps.make({ ...files, Dockerfile: "FROM python:3.13-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install --group main\n" }));
            assert.deepEqual([s.plan.manifest, s.plan.installsProject, s.plan.dependencies.groups, s.plan.server.addedPackages], ["pyproject.toml", false, ["main"], []]);
            assert.match(s.dockerfile, /for n in sys\.argv\[1:\] for x in grp\(n\)\]\)\)" main \\\n {4}&& pip install -r \/tmp\/pyproject-deps\.txt/);
            assert.doesNotMatch(s.dockerfile, /pip install --no-deps \.|pip install \./);
            assert.deepEqual(synthesize(apps.make(files), { dependencyGroups: ["main"] }).plan.dependencies.groups, ["main"]);
            assert.throws(
                () => synthesize(apps.make(files)),
                (e: Error) =>
                    e instanceof InputError &&
                    e.message ===
                        "pyproject.toml has no [project] table, only [dependency-groups] (main, dev), and nothing chooses one: name the groups the app runs with in `dependencyGroups` (as `pip install --group main` would), or add [project] with `dependencies`.",
            );
        });
    });

    describe("the app `flask run` serves", () => {
        const FACTORY = "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n";
        const entry = (files: Record<string, string>) => {
            const e = synthesize(apps.make({ "requirements.txt": "flask\n", "web.py": "from flask import Flask\napplication = Flask(__name__)\n", "app.py": FACTORY, ...files })).plan;
            return [e.entrypoint.spec, e.entrypoint.source, e.server.pythonPath];
        };

        it("is found in the module `--app` names as flask finds it: a factory called, `app` or `application`, else the module's one app", () => {
            assert.deepEqual(entry({ Procfile: "web: flask --app app run\n" }), ["app:create_app()", "Procfile", []]);
            assert.deepEqual(entry({ Procfile: "web: flask -A app:create_app run\n" }), ["app:create_app()", "Procfile", []]);
            assert.deepEqual(entry({ Procfile: "web: flask --app=web run --port $PORT\n" }), ["web:application", "Procfile", []]);
            assert.deepEqual(entry({ Procfile: "web: flask --app site run\n", "site.py": "from flask import Flask\nsite = Flask(__name__)\n" }), ["site:site", "Procfile", []]);
            // A file path: its folder goes on the path (flask's prepare_import).
            assert.deepEqual(entry({ Procfile: "web: flask --app src/shop.py run\n", "src/shop.py": "from flask import Flask\n\n\ndef make_app():\n    return Flask(__name__)\n" }), ["shop:make_app()", "Procfile", ["/app/src"]]);
            // A file of a package is imported through the package, from the folder above it.
            const pkg = { "src/__init__.py": "", "src/routes.py": "x = 1\n", "src/shop.py": "from flask import Flask\nfrom .routes import x\n\nserver = Flask(__name__)\n" };
            assert.deepEqual(entry({ Procfile: "web: FLASK_APP=src/shop.py flask run\n", ...pkg }), ["src.shop:server", "Procfile", []]);
            assert.deepEqual(entry({ Procfile: "web: flask --app lib/src/shop run\n", ...Object.fromEntries(Object.entries(pkg).map(([k, v]) => [`lib/${k}`, v])) }), ["src.shop:server", "Procfile", ["/app/lib"]]);
        });

        it("is FLASK_APP's when no --app is given: the command's, the image's ENV, or what its boot script exports", () => {
            assert.deepEqual(entry({ Procfile: "web: FLASK_APP=app flask run --host 0.0.0.0\n" }), ["app:create_app()", "Procfile", []]);
            const dockerfile = (lines: string) => `FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n${lines}\n`;
            assert.deepEqual(entry({ Dockerfile: dockerfile('ENV FLASK_APP=app\nCMD ["flask", "run", "--host", "0.0.0.0"]') }), ["app:create_app()", "Dockerfile", []]);
            assert.deepEqual(entry({ Dockerfile: dockerfile('CMD ["./boot.sh"]'), "boot.sh": "#!/bin/sh\nset -e\nexport FLASK_APP=app\nflask db upgrade\nexec flask run --host=0.0.0.0\n" }), ["app:create_app()", "Dockerfile", []]);
            // Set without export, the variable is the script's alone: flask does not see it.
            assert.deepEqual(entry({ Dockerfile: dockerfile('CMD ["./boot.sh"]'), "boot.sh": "#!/bin/sh\nFLASK_APP=app\nexec flask run --host=0.0.0.0\n" })[0], "web:application");
        });
    });

    describe("a Dockerfile ENV that defaults a build argument", () => {
        it("is the default when the argument has no value: `ARG STATIC_URL` then `ENV STATIC_URL=${STATIC_URL:-/static/}` is /static/ (saleor's Dockerfile), as is a name nothing sets", () => {
            const plan = (lines: string) =>
                synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": FLASK_APP, Dockerfile: `FROM python:3.12-slim\n${lines}\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "app:app"]\n` })).plan;
            assert.deepEqual(plan("ARG STATIC_URL\nENV STATIC_URL=${STATIC_URL:-/static/} MEDIA=${MEDIA_URL-/media/}\nARG MEDIA_URL").imageEnv, { STATIC_URL: "/static/", MEDIA: "/media/" });
            // An argument with a value is expanded by its value, in every pair and in the old `ENV NAME value` form; a stage's `ARG NAME` takes the default of an ARG before FROM.
            assert.deepEqual(plan("ARG MODE=prod\nENV ROOT=/api \\\n    APP_MODE=${MODE:-dev}\nENV LEVEL $MODE").imageEnv, { ROOT: "/api", APP_MODE: "prod", LEVEL: "prod" });
            const global = synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": FLASK_APP, Dockerfile: 'ARG MODE=debug\nFROM python:3.12-slim\nARG MODE\nENV APP_MODE=${MODE:-info} PY="$PYTHON_VERSION" HOME_DIR=${PATH:-none}\nCMD ["gunicorn", "app:app"]\n' })).plan;
            assert.deepEqual(global.imageEnv, { APP_MODE: "debug" });
            // The pairs of one ENV see the values from before it; `${NAME:+word}` is the word where NAME is set, else empty.
            const pairs = plan("ARG HOME_DIR=/srv\nENV A=1 B=x$A HAS=${HOME_DIR:+yes} FEATURE=${UNSET_FLAG:+on}");
            assert.deepEqual(pairs.imageEnv, { A: "1", HAS: "yes", FEATURE: "" });
            assert.ok(pairs.notes.some((n) => n.includes("leaves B (Dockerfile ENV, x$A) to the deployment")), pairs.notes.join("\n"));
            // A name the base image may set (the python image's own ENV, any name under another base): left to the deployment.
            assert.ok(global.notes.some((n) => n.startsWith("The app's own container config leaves PY (Dockerfile ENV, $PYTHON_VERSION), HOME_DIR (Dockerfile ENV, ${PATH:-none}) to the deployment")), global.notes.join("\n"));
            const ubuntu = synthesize(apps.make({ "requirements.txt": "flask\n", "app.py": FLASK_APP, Dockerfile: 'FROM ubuntu:24.04\nENV OTHER=${UNDECLARED:-x}\nCMD ["gunicorn", "app:app"]\n' })).plan;
            assert.ok(ubuntu.notes.includes("The app's own container config leaves OTHER (Dockerfile ENV, ${UNDECLARED:-x}) to the deployment: set it with PythonApp's `env` (`secretEnv` for secrets)."), ubuntu.notes.join("\n"));
        });
    });

    describe("a command run from a WORKDIR below the folder the source is copied to", () => {
        it("reads its absolute paths from there: `WORKDIR /usr/src/app/src` then `gunicorn --chdir /usr/src/app/src` runs in src/ (it was src/src, or refused in a script)", () => {
            const plan = (lines: string, files: Record<string, string> = {}) =>
                synthesize(
                    apps.make({
                        "requirements.txt": "flask\n",
                        "src/web.py": FLASK_APP,
                        ...files,
                        Dockerfile: `FROM python:3.12-slim\nWORKDIR /usr/src/app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nWORKDIR /usr/src/app/src\nCOPY ./src ./\n${lines}\n`,
                    }),
                ).plan;
            const p = plan('CMD ["gunicorn", "--chdir", "/usr/src/app/src", "-b", "0.0.0.0:8000", "web:app"]');
            assert.deepEqual([p.entrypoint.spec, p.server.chdir, p.server.pythonPath], ["web:app", "/app/src", []]);
            assert.equal(plan("CMD gunicorn --chdir /usr/src/app/src web:app").server.chdir, "/app/src");
            // The note names the WORKDIR, not a `cd` the command does not run.
            assert.ok(p.notes.includes("The Dockerfile's CMD runs in src/ (the Dockerfile's WORKDIR): gunicorn runs there."), p.notes.join("\n"));
            // A script the ENTRYPOINT names by its path in the image is that folder's file, and the image paths it gives are read the same way (paperless-ngx).
            for (const chdir of ["", "--chdir /usr/src/app/src ", "--chdir=/usr/src/app/src "]) {
                const s = plan('ENTRYPOINT ["/usr/src/app/src/entrypoint.sh"]', { "src/entrypoint.sh": `#!/bin/sh\nexec gunicorn ${chdir}--timeout 45 web:app\n` });
                assert.deepEqual([s.entrypoint.spec, s.server.timeout, s.server.chdir], ["web:app", 45, "/app/src"], chdir);
            }
        });

        it("takes the folder above it for the source's root: a VOLUME beside the copied src/ is the source's data/ (paperless-ngx's /usr/src/paperless/data)", () => {
            const p = synthesize(
                apps.make({
                    "requirements.txt": "flask\n",
                    "src/web.py": FLASK_APP,
                    Dockerfile: 'FROM python:3.12-slim\nWORKDIR /usr/src/app/src\nCOPY ./src ./\nVOLUME ["/usr/src/app/data", "/usr/src/app/src/cache", "/var/lib/app"]\nCMD ["gunicorn", "web:app"]\n',
                }),
            ).plan;
            assert.deepEqual(p.writablePaths.map((w) => [w.path, w.why]), [
                ["/app/data", "Dockerfile VOLUME /usr/src/app/data"],
                ["/app/src/cache", "Dockerfile VOLUME /usr/src/app/src/cache"],
                ["/var/lib/app", "Dockerfile VOLUME /var/lib/app"],
            ]);
        });

        it("takes the folder above a package copied under its own name from deeper in the source for that package's folder: `COPY ./src/app /code/app`, WORKDIR /code, `uvicorn app.main:app` runs in src/ (FastAPI-boilerplate)", () => {
            const p = synthesize(
                apps.make({
                    "requirements.txt": "fastapi\nuvicorn\n",
                    "src/__init__.py": "",
                    "src/app/__init__.py": "",
                    "src/app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
                    Dockerfile: 'FROM python:3.11\nWORKDIR /code\nCOPY ./src/app /code/app\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n',
                }),
            ).plan;
            assert.deepEqual([p.entrypoint.spec, p.server.chdir], ["app.main:app", "/app/src"]);
        });
    });

    describe("a Django settings module's own environment helpers", () => {
        const HELPERS =
            "import os\nfrom pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\n\n\n" +
            'def get_path(key, default):\n    if key in os.environ:\n        return Path(os.environ[key]).resolve()\n    return Path(default).resolve()\n\n\n' +
            "def required(name):\n    value = os.environ[name]\n    return value\n\n\n";
        const django = (settings: string) =>
            synthesize(
                apps.make({
                    "requirements.txt": "django\n",
                    "manage.py": 'import os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
                    "proj/__init__.py": "",
                    "proj/wsgi.py": 'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\napplication = get_wsgi_application()\n',
                    "proj/settings.py": `${HELPERS}${settings}\nALLOWED_HOSTS = ["*"]\nINSTALLED_APPS = []\nSTATIC_URL = "/static/"\nSTATIC_ROOT = BASE_DIR / "static"\n`,
                }),
            ).plan;

        it("are read as what they return: paperless-ngx's data folder from `get_path(\"APP_DATA_DIR\", BASE_DIR / \"data\")` holds the SQLite database", () => {
            const p = django('SECRET_KEY = "x"\nDATA_DIR = get_path("APP_DATA_DIR", BASE_DIR / "data")\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "db.sqlite3"}}\n');
            assert.deepEqual(p.writablePaths.map((w) => [w.path, w.why]), [["/data", "proj/settings.py: DATABASES uses SQLite at data/db.sqlite3"]]);
        });

        it("are read where a setting's value calls them inside a dict, and a plain helper whatever it returns (`DATABASES = {\"default\": db_config()}`)", () => {
            const db = (body: string) =>
                django(`SECRET_KEY = "x"\n\n\ndef db_config():\n${body}\n\n\nDATABASES = {"default": db_config()}\n`).writablePaths.map((w) => [w.path, w.why, w.links]);
            const expected = [["/data", "proj/settings.py: DATABASES uses SQLite at var/db.sqlite3", [{ from: "/app/var/db.sqlite3", to: "/data/var/db.sqlite3" }]]];
            assert.deepEqual(db('    return {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("DATABASE_PATH", BASE_DIR / "var" / "db.sqlite3")}'), expected);
            assert.deepEqual(db('    return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "var" / "db.sqlite3"}'), expected);
            // A helper's return that calls another helper.
            assert.deepEqual(db('    return {"ENGINE": "django.db.backends.sqlite3", "NAME": get_path("DATABASE_PATH", BASE_DIR / "var" / "db.sqlite3")}'), expected);
        });

        it("name the variables they require at import (`SECRET_KEY = required(\"SECRET_KEY\")`)", () => {
            const p = django('SECRET_KEY = required("DJANGO_SECRET")\n');
            assert.ok(p.notes.some((n) => n.startsWith("proj/settings.py reads DJANGO_SECRET from the environment at import with no default")), p.notes.join("\n"));
            // A helper whose first return sits in a `try` (its `except` returns the default) is not read as requiring the variable,
            // and is read as that default when the variable is unset.
            const tried = django(
                'def env_int(name, default):\n    try:\n        return int(os.environ[name])\n    except KeyError:\n        return default\n\n\n' +
                    'def env_path(name, default):\n    try:\n        return Path(os.environ[name])\n    except KeyError:\n        return default\n\n\n' +
                    'SECRET_KEY = "x"\nWORKERS = env_int("APP_WORKERS", 2)\nDB_FILE = env_path("DB_PATH", BASE_DIR / "db" / "site.sqlite3")\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB_FILE}}\n',
            );
            assert.ok(!tried.notes.some((n) => n.includes("reads APP_WORKERS")), tried.notes.join("\n"));
            assert.deepEqual(tried.writablePaths.map((w) => w.path), ["/data"]);
        });
    });

    describe("a Flask config file loaded with from_pyfile from the instance folder (the flaskr tutorial's instance/config.py)", () => {
        it("is read as the app's code: a database it names is made writable", () => {
            const FACTORY =
                "import os\nfrom flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__, instance_relative_config=True)\n" +
                '    app.config.from_mapping(SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "blog.sqlite"))\n' +
                '    app.config.from_pyfile("config.py", silent=True)\n    return app\n';
            const paths = (files: Record<string, string>) =>
                synthesize(apps.make({ "requirements.txt": "flask\nflask-sqlalchemy\n", "wsgi.py": "from blog import create_app\n\napp = create_app()\n", "blog/__init__.py": FACTORY, ...files })).plan.writablePaths.map((w) => [w.path, w.why, w.links]);
            assert.deepEqual(paths({ "instance/config.py": 'SQLALCHEMY_DATABASE_URI = "sqlite:////var/lib/blog/blog.db"\n' }), [
                ["/app/instance", "blog/__init__.py: Flask's instance folder (instance_relative_config / app.instance_path)", []],
                ["/data", "instance/config.py: an SQLite database at /var/lib/blog/blog.db", [{ from: "/var/lib/blog/blog.db", to: "/data/var/lib/blog/blog.db" }]],
            ]);
            // Its names and `__file__` are its own: `basedir = os.path.dirname(__file__)` is the instance folder, wherever the key is read.
            assert.deepEqual(
                paths({
                    "instance/config.py": 'import os\nbasedir = os.path.abspath(os.path.dirname(__file__))\nSQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(basedir, "..", "var", "blog.db")\n',
                }),
                [
                    ["/app/instance", "blog/__init__.py: Flask's instance folder (instance_relative_config / app.instance_path)", []],
                    ["/data", "instance/config.py: an SQLite database at var/blog.db", [{ from: "/app/var/blog.db", to: "/data/var/blog.db" }]],
                ],
            );
            // A key read in another module keeps the file's `__file__`: the uploads folder is the instance folder's, not blog/uploads.
            const saving = FACTORY + '\n\ndef save_upload(app, f):\n    f.save(os.path.join(app.config["UPLOAD_FOLDER"], f.filename))\n';
            assert.deepEqual(
                paths({ "blog/__init__.py": saving, "instance/config.py": 'import os\nUPLOAD_FOLDER = os.path.join(os.path.dirname(__file__), "uploads")\n' }).map(([p]) => p),
                ["/app/instance"],
            );
            // Without instance_relative_config, from_pyfile reads beside the module: instance/config.py is not the app's.
            assert.deepEqual(
                paths({ "blog/__init__.py": FACTORY.replace(", instance_relative_config=True", ""), "instance/config.py": 'SQLALCHEMY_DATABASE_URI = "sqlite:////var/lib/blog/blog.db"\n' }).map(([p]) => p),
                ["/app/instance"],
            );
        });
    });

    describe("production settings that leave ALLOWED_HOSTS or SECRET_KEY unset (the Wagtail template's production.py)", () => {
        const notes = (production: string) =>
            synthesize(
                apps.make({
                    "requirements.txt": "django\n",
                    "manage.py": 'import os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings.dev")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
                    "mysite/__init__.py": "",
                    "mysite/wsgi.py": 'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings.production")\napplication = get_wsgi_application()\n',
                    "mysite/settings/__init__.py": "",
                    "mysite/settings/base.py": 'INSTALLED_APPS = []\nROOT_URLCONF = "mysite.urls"\nWSGI_APPLICATION = "mysite.wsgi.application"\n',
                    "mysite/settings/dev.py": 'from .base import *\n\nDEBUG = True\nSECRET_KEY = "dev"\nALLOWED_HOSTS = ["*"]\n',
                    "mysite/settings/production.py": production,
                }),
            ).plan.notes.filter((n) => n.startsWith("The server's settings (mysite.settings.production) do not set"));

        it("get a note for each: every request answers 400, and the empty key 500 where it is read", () => {
            assert.deepEqual(notes("from .base import *\n\nDEBUG = False\n\ntry:\n    from .local import *\nexcept ImportError:\n    pass\n"), [
                "The server's settings (mysite.settings.production) do not set ALLOWED_HOSTS, whose default is empty, and DEBUG is off, so Django answers 400 (Bad Request) to every request " +
                    "(the health check passes: 400 is below 500): list the host names the site answers on, or read them from an environment variable set in `env`.",
                "The server's settings (mysite.settings.production) do not set SECRET_KEY, so the key is empty, and Django refuses it wherever it is read " +
                    "(ImproperlyConfigured: The SECRET_KEY setting must not be empty): sessions, signed cookies, password reset tokens and the admin answer 500. " +
                    'Read it from the environment in those settings (`SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]`) and set it with PythonApp\'s `secretEnv`.',
            ]);
        });

        it("get none where they are set, or where a star import of a module outside the source may set them", () => {
            assert.deepEqual(notes('from .base import *\n\nDEBUG = False\nSECRET_KEY = "k"\nALLOWED_HOSTS = ["example.org"]\n'), []);
            assert.deepEqual(notes("from .base import *\nfrom shared_settings.production import *\n\nDEBUG = False\n"), []);
            // DEBUG as something not read here: whether Django answers 400 is not known.
            assert.deepEqual(notes('from .base import *\nfrom .flags import debug_flag\n\nDEBUG = debug_flag()\nSECRET_KEY = "k"\n'), []);
            assert.deepEqual(notes("from .base import *\nfrom .loader import load\n\nDEBUG = False\nglobals().update(load())\n"), []);
            assert.deepEqual(notes('import os\nfrom .base import *\n\nDEBUG = False\nfor _name in ("SECRET_KEY", "ALLOWED_HOSTS"):\n    locals()[_name] = os.environ.get("DJANGO_" + _name)\n'), []);
        });
    });

    describe("a Poetry project's extras, and a lock of Poetry 1.5-1.8", () => {
        it("installs the extras the app's own Dockerfile names, with their optional packages (`poetry install --extras \"cache\"`)", () => {
            const dir = apps.copyOf("apps/r34-flask-poetry18-extras");
            const s = synthesize(dir);
            assert.deepEqual([s.plan.dependencies.groups, s.plan.dependencies.extras], [["cache"], ["cache"]]);
            assert.match(s.dockerfile, /python \/opt\/build-tools\/export-lock\.py poetry main cache \\\n/);
            const exported = exportWith(dir, s.dockerfile).lock.split("\n").map((l) => l.split("==")[0]).filter((n) => n !== "");
            assert.deepEqual(exported, ["blinker", "cachelib", "click", "flask", "itsdangerous", "jinja2", "markupsafe", "werkzeug"]);
        });

        it("reads the groups of a lock that records none through pyproject.toml: dev stays out, and a Windows-only dependency too", () => {
            const dir = apps.copyOf("apps/r34-flask-poetry18-extras");
            fs.rmSync(path.join(dir, "Dockerfile"));
            const main = synthesize(dir);
            assert.deepEqual(main.plan.dependencies.groups, []);
            assert.deepEqual(exportWith(dir, main.dockerfile).lock.split("\n").map((l) => l.split("==")[0]).filter((n) => n !== ""), ["blinker", "click", "flask", "itsdangerous", "jinja2", "markupsafe", "werkzeug"]);
            // A dependency's `platform` and `python` limits hold for Linux and the running Python, as its markers do.
            const limited = apps.copyOf("apps/r34-poetry18-python-platform-deps");
            const names = exportWith(limited, synthesize(limited).dockerfile).lock.split("\n").map((l) => l.split("==")[0]).filter((n) => n !== "");
            assert.deepEqual(names, ["blinker", "click", "flask", "gunicorn", "itsdangerous", "jinja2", "markupsafe", "packaging", "werkzeug"]);
            const dev = synthesize(dir, { dependencyGroups: ["dev"] });
            assert.deepEqual(
                exportWith(dir, dev.dockerfile).lock.split("\n").map((l) => l.split("==")[0]).filter((n) => n !== ""),
                ["blinker", "click", "flask", "iniconfig", "itsdangerous", "jinja2", "markupsafe", "packaging", "pluggy", "pygments", "pytest", "werkzeug"],
            );
        });
    });
});
