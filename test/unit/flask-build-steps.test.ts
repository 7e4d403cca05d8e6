import * as assert from "node:assert/strict";
import { synthesize } from "../../lib/synthesize";
import { TmpApps } from "./helpers";

/**
 * What a Flask app's extensions build before it serves: Flask-Babel's
 * catalogues (`pybabel compile`) and Flask-Assets' bundles (`flask assets
 * build`), run in the builder so the image ships them and writes nothing at
 * run time. GIVEN an app shape, THEN the exact build steps, Dockerfile lines
 * and notes.
 */

const apps = new TmpApps();
afterEach(() => apps.cleanup());

const PO = 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "Hello"\nmsgstr "Bonjour"\n';
const BABEL_APP = "from flask import Flask\nfrom flask_babel import Babel\n\napp = Flask(__name__)\nbabel = Babel(app)\n";
const OFF = "removing the .po files or committing the compiled .mo files";

function pybabel(dir: string, why: string, files: string, domains: string[] = []): object {
    return {
        name: "pybabel compile",
        argv: ["pybabel", "compile", "-d", dir, ...domains],
        workdir: "/app",
        env: {},
        source: `Babel and translation catalogues without their .mo in ${dir}/ (${why}): ${files}`,
        off: OFF,
    };
}

const DEFAULT_WHY = "Flask-Babel's default translations folder, beside the app's root_path";

describe("Flask-Babel's catalogues", () => {
    it("GIVEN Flask-Babel and translations/fr/LC_MESSAGES/messages.po without its .mo, compiled by a Makefile target THEN pybabel compile runs in the builder, the source goes through it, and a note names the target", () => {
        const dir = apps.make({
            "app.py": BABEL_APP,
            "requirements.txt": "flask\nflask-babel\n",
            "translations/fr/LC_MESSAGES/messages.po": PO,
            Makefile: ".PHONY: build\n\nbuild: translations\n\ntranslations:\n\tpybabel compile -d translations\n",
        });
        const r = synthesize(dir);
        assert.deepEqual(r.plan.buildSteps, [pybabel("translations", DEFAULT_WHY, "translations/fr/LC_MESSAGES/messages.po")]);
        assert.equal(r.plan.sourceInto, "builder");
        assert.deepEqual(r.plan.apt.build, []);
        assert.ok(
            r.plan.notes.includes(
                `pybabel compile runs in the builder for translations/ (${DEFAULT_WHY}): 1 translation catalogue(s) have no compiled .mo, which Flask-Babel needs to translate ` +
                    "(the Makefile's `translations` target compiles them outside the image); commit the .mo files or remove the .po files to turn it off.",
            ),
        );
        assert.match(r.dockerfile, /^RUN \["python","\/opt\/build-tools\/run-step.py","pybabel compile","removing the .po files or committing the compiled .mo files","\/app","--","pybabel","compile","-d","translations"\]$/m);
    });

    it("GIVEN the app made in a package (shop/__init__.py) THEN the default folder is beside the package's root_path", () => {
        const dir = apps.make({ "shop/__init__.py": BABEL_APP, "requirements.txt": "flask\nflask-babel\n", "shop/translations/de/LC_MESSAGES/messages.po": PO });
        assert.deepEqual(synthesize(dir).plan.buildSteps, [pybabel("shop/translations", DEFAULT_WHY, "shop/translations/de/LC_MESSAGES/messages.po")]);
    });

    it("GIVEN BABEL_TRANSLATION_DIRECTORIES naming two folders (`;`-separated) and another domain THEN each folder with uncompiled catalogues is compiled, with -D", () => {
        const dir = apps.make({
            "app.py": BABEL_APP.replace("babel = ", 'app.config["BABEL_TRANSLATION_DIRECTORIES"] = "i18n;plugins/i18n"\nbabel = '),
            "requirements.txt": "flask\nflask-babel\n",
            "i18n/fr/LC_MESSAGES/messages.po": PO,
            "i18n/fr/LC_MESSAGES/messages.mo": "compiled",
            "plugins/i18n/fr/LC_MESSAGES/admin.po": PO,
            "translations/fr/LC_MESSAGES/messages.po": PO,
        });
        assert.deepEqual(synthesize(dir).plan.buildSteps, [pybabel("plugins/i18n", "app.py: BABEL_TRANSLATION_DIRECTORIES", "plugins/i18n/fr/LC_MESSAGES/admin.po", ["-D", "admin"])]);
    });

    it("GIVEN Babel(app, default_translation_directories=...) THEN that folder is read", () => {
        const dir = apps.make({ "app.py": BABEL_APP.replace("Babel(app)", 'Babel(app, default_translation_directories="locales")'), "requirements.txt": "flask\nflask-babel\n", "locales/fr/LC_MESSAGES/messages.po": PO });
        assert.deepEqual(synthesize(dir).plan.buildSteps, [pybabel("locales", "app.py: Babel(default_translation_directories=...)", "locales/fr/LC_MESSAGES/messages.po")]);
    });

    it("GIVEN the .mo files committed, or no Babel installed THEN no step", () => {
        const compiled = apps.make({ "app.py": BABEL_APP, "requirements.txt": "flask\nflask-babel\n", "translations/fr/LC_MESSAGES/messages.po": PO, "translations/fr/LC_MESSAGES/messages.mo": "x" });
        assert.deepEqual(synthesize(compiled).plan.buildSteps, []);
        const noBabel = apps.make({ "app.py": "from flask import Flask\n\napp = Flask(__name__)\n", "requirements.txt": "flask\n", "translations/fr/LC_MESSAGES/messages.po": PO });
        assert.deepEqual(synthesize(noBabel).plan.buildSteps, []);
        assert.equal(synthesize(noBabel).plan.sourceInto, "runner");
    });
});

const ASSETS_APP =
    "from flask import Flask\nfrom flask_assets import Bundle, Environment\n\napp = Flask(__name__)\nassets = Environment(app)\n" +
    'js = Bundle("js/a.js", filters="rjsmin", output="gen/packed.js")\nassets.register("js_all", js)\n';
const ASSETS_NOTE = (spec: string, what: string, file: string, dir: string) =>
    `flask --app ${spec} assets build runs in the builder: Flask-Assets' ${what} (${file}) and webassets' cache are written into ${dir}/ there and ship in the image, ` +
    "where webassets would otherwise write them on the first page that names them, which the read-only root refuses; " +
    "the build imports the app, so what it reads at import with no default comes from `buildEnv` and `buildSecrets`; `collectStatic: false` turns it off.";

describe("Flask-Assets' bundles", () => {
    it("GIVEN Bundle(..., output=...) registered on the Environment in a package's __init__.py THEN `flask --app shop:app assets build` runs in the builder, in the app's folder", () => {
        const dir = apps.make({ "shop/__init__.py": ASSETS_APP, "run.py": "from shop import app\n", "requirements.txt": "flask\nflask-assets\nrjsmin\n", "shop/static/js/a.js": "var a = 1;\n" });
        const r = synthesize(dir);
        assert.equal(r.plan.entrypoint.spec, "shop:app");
        assert.deepEqual(r.plan.buildSteps, [
            {
                name: "assets build",
                argv: ["sh", "-c", "flask --app shop:app assets build && if [ -d /app/shop/static/.webassets-cache ]; then chmod -R a+rX /app/shop/static/.webassets-cache; fi"],
                workdir: "/app",
                env: {},
                source: "Flask-Assets bundles with an output (shop/__init__.py)",
                off: "`collectStatic: false`",
            },
        ]);
        assert.equal(r.plan.sourceInto, "builder");
        assert.deepEqual(r.plan.writablePaths, []);
        assert.ok(r.plan.notes.includes(ASSETS_NOTE("shop:app", "bundle gen/packed.js", "shop/__init__.py", "shop/static")));
        assert.ok(
            r.dockerfile.includes(
                'RUN ["python","/opt/build-tools/run-step.py","assets build","`collectStatic: false`","/app","--","sh","-c",' +
                    '"flask --app shop:app assets build && if [ -d /app/shop/static/.webassets-cache ]; then chmod -R a+rX /app/shop/static/.webassets-cache; fi"]\n',
            ),
        );
    });

    it("GIVEN bundles reading node_modules/ files a yarn install makes, or a filter that runs a program (PowerDNS-Admin's, flask-base's scss) THEN notes say the bundle will not build and the fix, before any build; Python filters and present inputs say nothing", () => {
        const assets =
            'from flask import Flask\nfrom flask_assets import Bundle, Environment\n\napp = Flask(__name__)\nassets = Environment(app)\n' +
            'assets.register("css", Bundle("node_modules/bootstrap/dist/css/bootstrap.css", output="generated/main.css"))\n' +
            'assets.register("scss", Bundle("custom/app.scss", filters="scss,cssmin", output="generated/custom.css"))\n' +
            'assets.register("js", Bundle("custom/app.js", filters=["rjsmin"], output="generated/main.js"))\n';
        const notes = synthesize(apps.make({ "app.py": assets, "static/custom/app.scss": "a {}\n", "static/custom/app.js": "var a;\n", "requirements.txt": "flask\nflask-assets\nrjsmin\ncssmin\n", "package.json": '{"dependencies": {"bootstrap": "5.3.8"}}\n' }))
            .plan.notes.filter((n) => n.startsWith("Flask-Assets' bundle "));
        assert.deepEqual(notes, [
            "Flask-Assets' bundle generated/main.css (app.py) reads node_modules/bootstrap/dist/css/bootstrap.css, which static/ does not hold (a package manager installs it): `flask assets build` logs the bundle's error and goes on, and every page that names the bundle answers 500. " +
                "Commit those files under static/, or have package.json's `build` script copy them there (the image runs `npm ci` and `npm run build` first, then removes node_modules).",
            "Flask-Assets' bundle generated/custom.css (app.py) uses the filter scss (the sass program), which the image does not have: the bundle is not built and the pages that name it answer 500. " +
                'Use a filter webassets runs in Python (`filters="libsass"` with libsass installed, for SCSS), or commit the built file.',
        ]);
    });

    it("GIVEN bundles loaded from YAML only THEN the build still runs (the command builds what the Environment holds), and the note says where they come from", () => {
        const dir = apps.make({
            "app.py": 'from flask import Flask\nfrom flask_assets import Environment\nfrom webassets.loaders import YAMLLoader\n\napp = Flask(__name__)\nassets = Environment(app)\nassets.register(YAMLLoader("assets.yml").load_bundles())\n',
            "requirements.txt": "flask\nflask-assets\npyyaml\n",
        });
        const r = synthesize(dir);
        assert.deepEqual(r.plan.buildSteps.map((s) => s.argv), [["sh", "-c", "flask --app app:app assets build && if [ -d /app/static/.webassets-cache ]; then chmod -R a+rX /app/static/.webassets-cache; fi"]]);
        assert.ok(r.plan.notes.includes(ASSETS_NOTE("app:app", "the bundles app.py loads from YAML", "app.py", "static")));
    });

    it("GIVEN `collectStatic: false` THEN no step, and a note says what the read-only root then refuses", () => {
        const dir = apps.make({ "app.py": ASSETS_APP, "requirements.txt": "flask\nflask-assets\n" });
        const r = synthesize(dir, { collectStatic: false });
        assert.deepEqual(r.plan.buildSteps, []);
        assert.ok(
            r.plan.notes.includes(
                "Flask-Assets' bundle gen/packed.js (app.py) is not built in the builder: `collectStatic` is false, so webassets writes it, and its cache, into static/ on the first page that names them, " +
                    "which the read-only root refuses unless those folders are made writable (`writablePaths`) or the outputs are committed.",
            ),
        );
    });

    it("GIVEN `collectStatic: true` on a Flask-Assets app THEN it is accepted (the bundles are what it builds)", () => {
        const dir = apps.make({ "app.py": ASSETS_APP, "requirements.txt": "flask\nflask-assets\n" });
        assert.deepEqual(synthesize(dir, { collectStatic: true }).plan.buildSteps.map((s) => s.name), ["assets build"]);
    });

    it("GIVEN ASSETS_CACHE set to a folder, or to False, and a factory app THEN that folder is made readable, or none, and the factory's spec is quoted for sh", () => {
        const folder = apps.make({ "app.py": ASSETS_APP.replace("assets = ", 'app.config["ASSETS_CACHE"] = "var/webassets"\nassets = '), "requirements.txt": "flask\nflask-assets\n" });
        assert.deepEqual(synthesize(folder).plan.buildSteps.map((s) => s.argv), [["sh", "-c", "flask --app app:app assets build && if [ -d /app/var/webassets ]; then chmod -R a+rX /app/var/webassets; fi"]]);
        const none = apps.make({ "app.py": ASSETS_APP.replace("assets = ", 'app.config["ASSETS_CACHE"] = False\nassets = '), "requirements.txt": "flask\nflask-assets\n" });
        assert.deepEqual(synthesize(none).plan.buildSteps.map((s) => s.argv), [["flask", "--app", "app:app", "assets", "build"]]);
        const factory = apps.make({
            "shop/__init__.py":
                "from flask import Flask\nfrom flask_assets import Bundle, Environment\n\nassets = Environment()\n\n\ndef create_app():\n    app = Flask(__name__)\n    assets.init_app(app)\n" +
                '    assets.register("js_all", Bundle("js/a.js", output="gen/packed.js"))\n    return app\n',
            "requirements.txt": "flask\nflask-assets\n",
        });
        const r = synthesize(factory);
        assert.equal(r.plan.entrypoint.spec, "shop:create_app()");
        assert.deepEqual(r.plan.buildSteps.map((s) => s.argv), [["sh", "-c", "flask --app 'shop:create_app()' assets build && if [ -d /app/shop/static/.webassets-cache ]; then chmod -R a+rX /app/shop/static/.webassets-cache; fi"]]);
    });

    it("GIVEN an Environment with no bundle output, or Flask-Assets not installed THEN no step", () => {
        const bare = apps.make({ "app.py": "from flask import Flask\nfrom flask_assets import Environment\n\napp = Flask(__name__)\nassets = Environment(app)\n", "requirements.txt": "flask\nflask-assets\n" });
        assert.deepEqual(synthesize(bare).plan.buildSteps, []);
        const notInstalled = apps.make({ "app.py": ASSETS_APP, "requirements.txt": "flask\n" });
        assert.deepEqual(synthesize(notInstalled).plan.buildSteps, []);
    });
});

describe("the front-end build (package.json's build script)", () => {
    const FLASK = "from flask import Flask\n\napp = Flask(__name__)\n";
    const PKG = (deps: Record<string, string>, build = "tailwindcss -i src/in.css -o static/out.css --minify") =>
        JSON.stringify({ name: "assets", private: true, scripts: { build }, devDependencies: deps });
    const STEP = {
        name: "npm run build",
        argv: ["sh", "-c", "npm ci --no-audit --no-fund && npm run build && rm -rf node_modules"],
        workdir: "/app",
        env: {},
        source: "package.json's build script with tailwindcss",
        off: "`frontendBuild: false`",
        keepsWrites: true,
    };

    it("GIVEN a locked tailwind build THEN npm ci and npm run build run first in the builder, nodejs and npm in the builder only, and the source goes through the builder", () => {
        const dir = apps.make({ "app.py": FLASK, "requirements.txt": "flask\n", "package.json": PKG({ tailwindcss: "3.4.17" }), "package-lock.json": "{}" });
        const { plan, dockerfile } = synthesize(dir);
        assert.deepEqual(plan.buildSteps, [STEP]);
        assert.deepEqual(plan.apt, { build: ["nodejs", "npm"], runtime: [] });
        assert.equal(plan.sourceInto, "builder");
        assert.ok(plan.notes.some((n) => n.startsWith("The front-end build runs in the builder, before the other build steps: `npm ci` then `npm run build` (tailwindcss -i src/in.css -o static/out.css --minify)")), plan.notes.join("\n"));
        const runner = dockerfile.slice(dockerfile.indexOf(" AS runner"));
        assert.doesNotMatch(runner, /nodejs|npm/);
    });

    it("GIVEN a lock whose Vite needs a newer Node.js than the base image's nodejs THEN a warning names both versions and the Python whose base image meets it; GIVEN that Python THEN no warning", () => {
        const lock = JSON.stringify({
            name: "assets",
            lockfileVersion: 3,
            packages: { "": { name: "assets" }, "node_modules/vite": { version: "7.1.9", engines: { node: "^20.19.0 || >=22.12.0" } } },
        });
        const files = { "app.py": FLASK, "requirements.txt": "flask\n", "package.json": PKG({ vite: "7.1.9" }, "vite build"), "package-lock.json": lock };
        const old = synthesize(apps.make({ ...files, ".python-version": "3.11\n" })).plan.notes;
        assert.ok(
            old.includes(
                "Warning: vite 7.1.9 (package-lock.json) needs Node.js ^20.19.0 || >=22.12.0, and the builder's nodejs, the base image's (Debian 12), is 18.20.4: the front-end build is likely to fail. " +
                    "The base image of Python 3.13 (Debian 13, Node.js 20.19.2) meets it: set `python` to that version if the app allows it; or build the front-end ahead, ship its output in the source folder and set `frontendBuild: false`.",
            ),
            old.join("\n"),
        );
        assert.ok(old.some((n) => n.includes("with the base image's nodejs and npm (builder only; Node.js 18.20.4 on Debian 12)")), old.join("\n"));
        const current = synthesize(apps.make({ ...files, ".python-version": "3.13\n" })).plan.notes;
        assert.ok(!current.some((n) => n.startsWith("Warning: vite")), current.join("\n"));
    });

    it("GIVEN an app that rewrites a file of the front-end build's output at start (client/dist/index.html) THEN the build's output stays in the image: its step removes nothing from the data paths", () => {
        const app = 'from flask import Flask\n\nwith open("client/dist/index.html") as f:\n    html = f.read()\nwith open("client/dist/index.html", "w") as f:\n    f.write(html)\napp = Flask(__name__)\n';
        const { plan, dockerfile } = synthesize(apps.make({ "app.py": app, "requirements.txt": "flask\n", "package.json": PKG({ vite: "5.4.0" }, "vite build"), "package-lock.json": "{}" }));
        assert.ok(plan.writablePaths.some((w) => w.path === "/app/client/dist" && w.kind === "data"), JSON.stringify(plan.writablePaths));
        const npmLine = dockerfile.split("\n").find((l) => l.includes('"npm run build"'));
        assert.ok(npmLine !== undefined && !npmLine.includes("--keep-out"), npmLine);
    });

    it("GIVEN no lock file THEN npm install; GIVEN a Django app THEN the build runs before collectstatic", () => {
        const flask = apps.make({ "app.py": FLASK, "requirements.txt": "flask\n", "package.json": PKG({ sass: "1.83.4" }, "sass src:static/css") });
        assert.deepEqual(synthesize(flask).plan.buildSteps[0].argv, ["sh", "-c", "npm install --no-audit --no-fund && npm run build && rm -rf node_modules"]);
        const django = apps.make({
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\nfrom django.core.management import execute_from_command_line\n",
            "site_conf/__init__.py": "",
            "site_conf/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "site_conf/settings.py": "INSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = '/static/'\nSTATIC_ROOT = 'staticfiles'\nWSGI_APPLICATION = 'site_conf.wsgi.application'\n",
            "requirements.txt": "django\n",
            "package.json": PKG({ webpack: "5.97.1", "webpack-cli": "6.0.1" }, "webpack --mode production"),
        });
        assert.deepEqual(synthesize(django).plan.buildSteps.map((s) => s.name), ["npm run build", "collectstatic"]);
    });

    it("GIVEN a root package.json whose only script is Heroku's heroku-postbuild (`cd frontend && npm ci && npm run build`) THEN frontend/'s build runs, as Heroku's Node.js buildpack runs it instead of build", () => {
        const dir = apps.make({
            "app.py": FLASK,
            "requirements.txt": "flask\n",
            "package.json": JSON.stringify({ name: "site", private: true, scripts: { "heroku-postbuild": "cd frontend && npm ci && npm run build" } }),
            "frontend/package.json": PKG({ vite: "6.0.7" }, "vite build"),
            "frontend/package-lock.json": "{}",
        });
        const steps = synthesize(dir).plan.buildSteps;
        assert.deepEqual(steps.map((st) => [st.name, st.workdir, st.argv.join(" ")]), [["npm run build", "/app/frontend", "sh -c npm ci --no-audit --no-fund && npm run build && rm -rf node_modules"]]);
    });

    it("GIVEN a FastAPI app that serves frontend/dist (StaticFiles, a subclass by its directory=, Flask's static_folder) which the source lacks, and frontend/package.json builds it with Vite THEN frontend/'s build runs; a committed dist, or no build tool, runs nothing", () => {
        const files = {
            "requirements.txt": "fastapi\n",
            "frontend/package.json": PKG({ vite: "6.0.7" }, "vite build"),
            "frontend/package-lock.json": "{}",
        };
        const steps = (extra: Record<string, string>) => synthesize(apps.make({ ...files, ...extra })).plan.buildSteps.map((st) => [st.name, st.workdir]);
        const staticFiles = 'from fastapi import FastAPI\nfrom fastapi.staticfiles import StaticFiles\napp = FastAPI()\napp.mount("/", StaticFiles(directory="frontend/dist", html=True), name="spa")\n';
        assert.deepEqual(steps({ "main.py": staticFiles }), [["npm run build", "/app/frontend"]]);
        const subclass = 'from fastapi import FastAPI\nfrom spa import SinglePageApplication\napp = FastAPI()\napp.mount("/", SinglePageApplication(directory="frontend/dist"))\n';
        assert.deepEqual(steps({ "main.py": subclass, "spa.py": "from starlette.staticfiles import StaticFiles\nclass SinglePageApplication(StaticFiles):\n    pass\n" }), [["npm run build", "/app/frontend"]]);
        assert.deepEqual(steps({ "app.py": 'from flask import Flask\napp = Flask(__name__, static_folder="frontend/dist", static_url_path="/")\n', "requirements.txt": "flask\n" }), [["npm run build", "/app/frontend"]]);
        assert.deepEqual(steps({ "main.py": staticFiles, "frontend/dist/index.html": "<html></html>" }), []);
        assert.deepEqual(steps({ "main.py": staticFiles, "frontend/package.json": PKG({ "markdown-it": "14.1.0" }, "node build.js") }), []);
        // Locked by pnpm (no package-lock.json): not built, and a note says why, as for a root package.json.
        const pnpm = synthesize(apps.make({ "requirements.txt": "fastapi\n", "frontend/package.json": PKG({ vite: "6.0.7" }, "vite build"), "frontend/pnpm-lock.yaml": "lockfileVersion: '9.0'\n", "main.py": staticFiles })).plan;
        assert.deepEqual(pnpm.buildSteps, []);
        assert.ok(
            pnpm.notes.includes(
                "frontend/package.json's build script (vite build) is not run: its dependencies are locked by frontend/pnpm-lock.yaml, and the builder installs with npm only; run it with `buildCommands` (and `aptBuildPackages`), or commit its output.",
            ),
            pnpm.notes.join("\n"),
        );
    });

    it("GIVEN a project whose Hatch build hook (hatch_build.py) or setup.py runs npm while the project is built THEN the builder gets nodejs and npm, with a note; a hook that does not, or a project not installed, gets neither", () => {
        const pyproject = (hook: string) =>
            '[project]\nname = "ledger"\nversion = "1.0"\ndependencies = ["flask"]\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n' + hook;
        const hookCode =
            "import shutil\nimport subprocess\nfrom hatchling.builders.hooks.plugin.interface import BuildHookInterface\n\nclass Hook(BuildHookInterface):\n    def initialize(self, version, build_data):\n" +
            '        npm = shutil.which("npm")\n        subprocess.run((npm, "run", "build"), cwd="frontend", check=True)\n';
        const plan = (files: Record<string, string>) => synthesize(apps.make({ "ledger/__init__.py": FLASK, ...files })).plan;
        const note = "hatch_build.py runs npm while the project is built (its build hook compiles a front-end into the package): nodejs and npm are added to the builder only.";
        const hatch = plan({ "pyproject.toml": pyproject("\n[tool.hatch.build.hooks.custom]\n"), "hatch_build.py": hookCode });
        assert.deepEqual(hatch.apt.build, ["nodejs", "npm"]);
        assert.ok(hatch.notes.includes(note), hatch.notes.join("\n"));
        const named = plan({ "pyproject.toml": pyproject('\n[tool.hatch.build.targets.wheel.hooks.custom]\npath = "tools/build.py"\n'), "tools/build.py": hookCode.replace('shutil.which("npm")', '"node"').replace('(npm, "run", "build")', '["npm", "ci"]') });
        assert.deepEqual(named.apt.build, ["nodejs", "npm"]);
        const setupPy = plan({ "pyproject.toml": pyproject("").replace("hatchling.build", "setuptools.build_meta").replace('"hatchling"', '"setuptools"'), "setup.py": 'import subprocess\nfrom setuptools import setup\nsubprocess.check_call("npm run build", shell=True)\nsetup()\n' });
        assert.deepEqual(setupPy.apt.build, ["nodejs", "npm"]);
        assert.deepEqual(plan({ "pyproject.toml": pyproject("\n[tool.hatch.build.hooks.custom]\n"), "hatch_build.py": hookCode.replace(/npm/g, "make") }).apt.build, []);
        assert.deepEqual(plan({ "pyproject.toml": pyproject("\n[tool.hatch.build.hooks.custom]\n").replace(/\[build-system\][^[]*/, ""), "hatch_build.py": hookCode }).apt.build, []);
    });

    it("GIVEN an app that serves two front-ends built in their own folders (client/dist at /, client_v2/dist at /v2) THEN both builds run, each named by its folder; one package serving two outputs builds once", () => {
        const app =
            'from fastapi import FastAPI\nfrom fastapi.staticfiles import StaticFiles\napp = FastAPI()\napp.mount("/v2", StaticFiles(directory="client_v2/dist", html=True))\napp.mount("/", StaticFiles(directory="client/dist", html=True))\n';
        const files = {
            "requirements.txt": "fastapi\n",
            "main.py": app,
            "client/package.json": PKG({ vite: "6.0.7" }, "vite build"),
            "client/package-lock.json": "{}",
            "client_v2/package.json": PKG({ vite: "6.0.7" }, "vite build"),
        };
        const { plan } = synthesize(apps.make(files));
        assert.deepEqual(
            plan.buildSteps.map((st) => [st.name, st.workdir, st.argv.join(" ")]),
            [
                ["npm run build in client_v2/", "/app/client_v2", "sh -c npm install --no-audit --no-fund && npm run build && rm -rf node_modules"],
                ["npm run build in client/", "/app/client", "sh -c npm ci --no-audit --no-fund && npm run build && rm -rf node_modules"],
            ],
        );
        assert.equal(plan.apt.build.filter((p) => p === "nodejs").length, 1);
        const once = synthesize(apps.make({ ...files, "main.py": app.replace("client_v2/dist", "client/dist/v2") })).plan.buildSteps;
        assert.deepEqual(once.map((st) => [st.name, st.workdir]), [["npm run build", "/app/client"]]);
        const off = synthesize(apps.make(files), { frontendBuild: false }).plan;
        assert.deepEqual(off.buildSteps, []);
        assert.equal(off.notes.filter((n) => n.includes("is detected but `frontendBuild` is false")).length, 2);
    });

    it("GIVEN an app serving a folder that a package beside it builds (web/'s Vite `build.outDir: \"../app/ui\"`, or `vite build --outDir`) THEN that package's build runs; locked by the root's bun.lock it is noted; nothing building it gets a warning", () => {
        const app = 'from pathlib import Path\nfrom fastapi import FastAPI\nfrom fastapi.staticfiles import StaticFiles\n\nUI_DIR = Path(__file__).parent / "ui"\napp = FastAPI()\napp.mount("/", StaticFiles(directory=UI_DIR, html=True), name="ui")\n';
        const files = { "requirements.txt": "fastapi\nuvicorn\n", "app/__init__.py": "", "app/main.py": app, "web/package.json": PKG({ vite: "6.0.7" }, "vite build"), "web/package-lock.json": "{}" };
        const steps = (extra: Record<string, string>) => synthesize(apps.make({ ...files, ...extra })).plan.buildSteps.map((st) => [st.name, st.workdir]);
        for (const config of [
            ["web/vite.config.js", 'export default { build: { outDir: "../app/ui", emptyOutDir: true } };\n'],
            ["web/vite.config.ts", 'import { defineConfig } from "vite"\nexport default defineConfig({\n  plugins: [] as string[],\n  build: {\n    outDir: "../app/ui",\n  },\n})\n'],
        ]) {
            assert.deepEqual(steps({ [config[0]]: config[1] }), [["npm run build", "/app/web"]], config[0]);
        }
        assert.deepEqual(steps({ "web/package.json": PKG({ vite: "6.0.7" }, "vite build --outDir ../app/ui") }), [["npm run build", "/app/web"]]);
        // An outDir elsewhere (another folder, or not under `build`) builds nothing here, and the missing folder is named.
        const elsewhere = synthesize(apps.make({ ...files, "web/vite.config.js": 'export default { outDir: "../app/ui", build: { outDir: "dist" } };\n' })).plan;
        assert.deepEqual(elsewhere.buildSteps, []);
        assert.deepEqual(elsewhere.notes.filter((n) => n.startsWith("Warning: app/main.py serves")), [
            "Warning: app/main.py serves app/ui/ with StaticFiles, and the source folder has no app/ui/ (a git-ignored build output?) that a build here makes: " +
                "StaticFiles refuses a missing folder when the app is made (RuntimeError: Directory 'app/ui' does not exist), so unless the app makes it first the server does not start. " +
                "Build it into the source folder before deploying, or give its package.json a build script writing there (`--outDir`, Vite's `build.outDir`).",
        ]);
        // check_dir=False: the app takes a missing folder.
        const unchecked = synthesize(apps.make({ ...files, "app/main.py": app.replace("html=True", "html=True, check_dir=False"), "web/vite.config.js": "export default {};\n" })).plan;
        assert.equal(unchecked.notes.filter((n) => n.startsWith("Warning: app/main.py serves")).length, 0);
        // The package has no lock; the root's bun.lock locks the workspace (full-stack-fastapi-template).
        const unlocked = Object.fromEntries(Object.entries(files).filter(([f]) => f !== "web/package-lock.json"));
        const bun = synthesize(apps.make({ ...unlocked, "bun.lock": "{}", "web/vite.config.js": 'export default { build: { outDir: "../app/ui" } };\n' })).plan;
        assert.deepEqual(bun.buildSteps, []);
        assert.ok(bun.notes.some((n) => n.startsWith("web/package.json's build script (vite build) writes app/ui/, which the app serves, but is not run: its dependencies are locked by bun.lock")), bun.notes.join("\n"));
    });

    it("GIVEN a Django project whose STATICFILES_DIRS and templates' DIRS name frontend/build (git-ignored), built by frontend/package.json THEN frontend/'s build runs before collectstatic", () => {
        const settings = (dirs: string) =>
            "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = '/static/'\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n" +
            `${dirs}\nWSGI_APPLICATION = 'site_conf.wsgi.application'\n`;
        const files = {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\n",
            "site_conf/__init__.py": "",
            "site_conf/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\n",
            "frontend/package.json": PKG({ "react-scripts": "5.0.1", webpack: "5.97.1" }, "react-scripts build"),
            "frontend/package-lock.json": "{}",
        };
        const steps = (dirs: string) => synthesize(apps.make({ ...files, "site_conf/settings.py": settings(dirs) })).plan.buildSteps.map((st) => [st.name, st.workdir]);
        assert.deepEqual(steps("STATICFILES_DIRS = [BASE_DIR / 'frontend' / 'build' / 'static']"), [["npm run build", "/app/frontend"], ["collectstatic", "/app"]]);
        assert.deepEqual(steps("TEMPLATES = [{'BACKEND': 'django.template.backends.django.DjangoTemplates', 'DIRS': [BASE_DIR / 'frontend/build'], 'APP_DIRS': True}]"), [["npm run build", "/app/frontend"], ["collectstatic", "/app"]]);
        assert.deepEqual(steps("STATICFILES_DIRS = [('app', BASE_DIR / 'frontend' / 'dist')]"), [["npm run build", "/app/frontend"], ["collectstatic", "/app"]]);
        assert.deepEqual(steps("STATICFILES_DIRS = []"), [["collectstatic", "/app"]]);
    });

    it("GIVEN a Django project whose STATICFILES_DIRS serves node_modules or a package's folder in it THEN npm installs package.json's packages before collectstatic and node_modules goes after it; a build script keeps it until then; a yarn lock gets a note", () => {
        const files = (dirs: string, pkg: object, extra: Record<string, string> = {}) => ({
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\n",
            "site_conf/__init__.py": "",
            "site_conf/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "site_conf/settings.py":
                "import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = '/static/'\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n" +
                `${dirs}\nWSGI_APPLICATION = 'site_conf.wsgi.application'\n`,
            "requirements.txt": "django\n",
            "package.json": JSON.stringify(pkg),
            ...extra,
        });
        const steps = (p: { buildSteps: ReadonlyArray<{ name: string; workdir: string; argv: readonly string[] }> }) => p.buildSteps.map((st) => [st.name, st.workdir, st.argv.join(" ")]);
        const runtime = { name: "site", dependencies: { bootstrap: "5.3.3", htmx: "2.0.4" }, devDependencies: { prettier: "3.4.2" } };
        const whole = synthesize(apps.make(files("STATICFILES_DIRS = [os.path.join(BASE_DIR, 'node_modules')]", runtime, { "package-lock.json": "{}" }))).plan;
        assert.deepEqual(steps(whole), [
            ["npm ci", "/app", "sh -c npm ci --omit=dev --no-audit --no-fund"],
            ["collectstatic", "/app", "python manage.py collectstatic --noinput"],
            ["rm node_modules", "/app", "rm -rf /app/node_modules"],
        ]);
        assert.deepEqual(whole.apt.build, ["nodejs", "npm"]);
        assert.ok(
            whole.notes.includes(
                "STATICFILES_DIRS (site_conf/settings.py) serves node_modules, which npm installs and the image's source never holds (the .dockerignore leaves node_modules out): " +
                    "the builder runs `npm ci --omit=dev --no-audit --no-fund` from package.json before collectstatic, with the base image's nodejs and npm (builder only). `frontendBuild: false` turns it off.",
            ),
            whole.notes.join("\n"),
        );
        // A dev dependency's folder: every package installs.
        const dev = synthesize(apps.make(files("STATICFILES_DIRS = [BASE_DIR / 'node_modules' / 'prettier' / 'standalone']", runtime))).plan;
        assert.deepEqual(steps(dev)[0], ["npm install", "/app", "sh -c npm install --no-audit --no-fund"]);
        // A build script of the same package keeps node_modules for collectstatic.
        const built = synthesize(apps.make(files("STATICFILES_DIRS = [BASE_DIR / 'node_modules' / 'bootstrap' / 'dist', BASE_DIR / 'assets']", { ...runtime, scripts: { build: "sass in.scss assets/site.css" }, devDependencies: { sass: "1.83.0" } }, { "package-lock.json": "{}" }))).plan;
        assert.deepEqual(steps(built), [
            ["npm run build", "/app", "sh -c npm ci --no-audit --no-fund && npm run build"],
            ["collectstatic", "/app", "python manage.py collectstatic --noinput"],
            ["rm node_modules", "/app", "rm -rf /app/node_modules"],
        ]);
        // Locked by yarn: not installed, said so.
        const yarn = synthesize(apps.make(files("STATICFILES_DIRS = [BASE_DIR / 'node_modules']", runtime, { "yarn.lock": "" }))).plan;
        assert.deepEqual(steps(yarn).map((s) => s[0]), ["collectstatic"]);
        assert.ok(yarn.notes.some((n) => n.startsWith("STATICFILES_DIRS serves node_modules, which the image does not hold (node_modules is not copied): package.json's packages are locked by yarn.lock")), yarn.notes.join("\n"));
        // `frontendBuild: false`, or no package.json: nothing.
        assert.deepEqual(steps(synthesize(apps.make(files("STATICFILES_DIRS = [BASE_DIR / 'node_modules']", runtime)), { frontendBuild: false }).plan).map((s) => s[0]), ["collectstatic"]);
    });

    it("GIVEN a root package.json that names gulp with no build script, and the app's Dockerfile running it (`RUN gulp local`, `npx webpack`, `npm run` a script) THEN the builder runs the same commands before collectstatic, by the local binary", () => {
        const files = {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
            "shop/__init__.py": "",
            "shop/settings.py": "import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_URL = '/static/'\nSTATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')\nSTATICFILES_DIRS = [os.path.join(BASE_DIR, 'static/local')]\n",
            "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "requirements.txt": "django\ngunicorn\n",
            "package.json": JSON.stringify({ name: "shop", private: true, scripts: { css: "sass in.scss static/local/site.css" }, devDependencies: { gulp: "^4.0.2", sass: "1.83.0", webpack: "5.97.1" } }),
        };
        const dockerfile = (runs: string) => `FROM python:3.11-slim\nRUN apt-get update && apt-get install -y nodejs npm && npm install -g gulp\nWORKDIR /var/www/app\nCOPY . .\nRUN pip install -r requirements.txt && npm install\n${runs}\nCMD ["gunicorn", "shop.wsgi:application"]\n`;
        const plan = (runs: string, extra: Record<string, string> = {}) => synthesize(apps.make({ ...files, Dockerfile: dockerfile(runs), ...extra })).plan;
        const gulp = plan("RUN gulp local");
        assert.deepEqual(gulp.buildSteps.map((st) => [st.name, st.workdir, st.argv.join(" ")]), [
            ["front-end build", "/app", "sh -c npm install --no-audit --no-fund && node_modules/.bin/gulp local && rm -rf node_modules"],
            ["collectstatic", "/app", "python manage.py collectstatic --noinput"],
        ]);
        assert.deepEqual(gulp.apt.build, ["nodejs", "npm"]);
        assert.ok(
            gulp.notes.includes(
                "package.json has no build script, but the app's Dockerfile builds its front-end with gulp, sass, webpack (`RUN gulp local`): the builder runs `npm install` then `node_modules/.bin/gulp local` before the other build steps, " +
                    "with the base image's nodejs and npm (builder only), and removes node_modules after it. `frontendBuild: false` turns it off.",
            ),
            gulp.notes.join("\n"),
        );
        assert.equal(gulp.notes.filter((n) => n.includes("has no build script, so the image builds no front-end")).length, 0);
        assert.deepEqual(plan("RUN npx --yes webpack --mode production && npm run css", { "package-lock.json": "{}" }).buildSteps[0].argv, [
            "sh",
            "-c",
            "npm ci --no-audit --no-fund && node_modules/.bin/webpack --mode production && npm run css && rm -rf node_modules",
        ]);
        // Nothing in the Dockerfile runs them, a yarn lock, or `frontendBuild: false`: the note, as before.
        for (const p of [plan("RUN echo done"), plan("RUN gulp local", { "yarn.lock": "" }), synthesize(apps.make({ ...files, Dockerfile: dockerfile("RUN gulp local") }), { frontendBuild: false }).plan]) {
            assert.deepEqual(p.buildSteps.map((st) => st.name), ["collectstatic"]);
        }
    });

    it("GIVEN a root package.json that names gulp but has no build script (djangogirls runs `gulp local` in its own Dockerfile) THEN nothing runs and a note says the image builds no front-end and how to add one", () => {
        const { plan } = synthesize(apps.make({ "app.py": FLASK, "requirements.txt": "flask\n", "package.json": JSON.stringify({ name: "site", devDependencies: { gulp: "^4.0.2", "gulp-sass": "^5.1.0" } }), "gulpfile.js": "" }));
        assert.deepEqual(plan.buildSteps, []);
        assert.deepEqual(plan.notes.filter((n) => n.includes("has no build script")), [
            'package.json names gulp but has no build script, so the image builds no front-end: if the app serves what it makes (a git-ignored static folder), that is missing. ' +
                'Add a "build" script that runs it (the command the README or the app\'s own Dockerfile runs), or run it with `buildCommands`.',
        ]);
        const linted = synthesize(apps.make({ "app.py": FLASK, "requirements.txt": "flask\n", "package.json": JSON.stringify({ devDependencies: { prettier: "3.0.0" } }) })).plan;
        assert.deepEqual(linted.notes.filter((n) => n.includes("has no build script")), []);
    });

    it("GIVEN a build script with no known build tool, or a yarn lock THEN nothing runs and a note says why; `frontendBuild: true` then is an error naming the reason", () => {
        const docs = apps.make({ "app.py": FLASK, "requirements.txt": "flask\n", "package.json": PKG({ "markdown-it": "14.1.0" }, "node docs/build.js") });
        const r = synthesize(docs);
        assert.deepEqual(r.plan.buildSteps, []);
        assert.ok(r.plan.notes.some((n) => n.startsWith("package.json has a build script (node docs/build.js) but names none of the front-end build tools the package knows")), r.plan.notes.join("\n"));
        assert.throws(
            () => synthesize(docs, { frontendBuild: true }),
            (e: Error) => e.message.startsWith("`frontendBuild` is true, but package.json has a build script (node docs/build.js) but names none of the front-end build tools the package knows"),
        );
        const yarn = apps.make({ "app.py": FLASK, "requirements.txt": "flask\n", "package.json": PKG({ vite: "6.0.7" }, "vite build"), "yarn.lock": "" });
        assert.deepEqual(synthesize(yarn).plan.buildSteps, []);
        assert.ok(synthesize(yarn).plan.notes.some((n) => n.startsWith("package.json's build script (vite build) is not run: its dependencies are locked by yarn.lock")));
        assert.throws(() => synthesize(apps.make({ "app.py": FLASK, "requirements.txt": "flask\n" }), { frontendBuild: true }), /^InputError: `frontendBuild` is true, but there is no package\.json with a build script/);
    });

    it("GIVEN a build that runs `npm run digest`, whose script is `flask digest compile` (Flask-Static-Digest) THEN the step gets FLASK_APP with the app gunicorn serves", () => {
        const pkg = JSON.stringify({ scripts: { build: "webpack && npm run digest", digest: "flask digest compile" }, devDependencies: { webpack: "5.97.1" } });
        const dir = apps.make({ "autoapp.py": "from shop import create_app\n\napp = create_app()\n", "shop/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n", "requirements.txt": "flask\n", "package.json": pkg });
        const { plan } = synthesize(dir);
        assert.deepEqual(plan.buildSteps[0].env, { FLASK_APP: "autoapp:app" });
        assert.deepEqual(synthesize(apps.make({ "app.py": FLASK, "requirements.txt": "flask\n", "package.json": PKG({ sass: "1.83.4" }) })).plan.buildSteps[0].env, {});
    });

    it("GIVEN `frontendBuild: false` THEN the detected build does not run, with a note", () => {
        const dir = apps.make({ "app.py": FLASK, "requirements.txt": "flask\n", "package.json": PKG({ tailwindcss: "3.4.17" }) });
        const { plan } = synthesize(dir, { frontendBuild: false });
        assert.deepEqual(plan.buildSteps, []);
        assert.deepEqual(plan.apt.build, []);
        assert.ok(plan.notes.includes("package.json's build script (tailwindcss -i src/in.css -o static/out.css --minify) is detected but `frontendBuild` is false: it does not run, so its output ships only if it is in the source folder."));
    });
});
