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
