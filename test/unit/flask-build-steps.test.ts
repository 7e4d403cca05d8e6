import * as assert from "node:assert/strict";
import { synthesize } from "../../lib/synthesize";
import { TmpApps } from "./helpers";

/**
 * What a Flask app's extensions build before it serves: Flask-Babel's
 * catalogues (`pybabel compile`), run in the builder so the image ships
 * them. GIVEN an app shape, THEN the exact build steps, Dockerfile lines
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

