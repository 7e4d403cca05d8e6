import * as assert from "node:assert/strict";
import { findDjango } from "../../lib/detect/django";
import { SourceTree } from "../../lib/detect/source";
import { synthesize } from "../../lib/synthesize";
import { TmpApps } from "./helpers";

/**
 * Django settings read as Python imports them: names bound in order, lists
 * built from starred items, concatenations and in-place additions, names
 * imported from a sibling settings module, and the `if` branches settings
 * sit in. GIVEN a settings shape, THEN the exact build step and notes.
 */

const apps = new TmpApps();

/** A settings package as cookiecutter-django lays it out: config/settings/{base,production}.py, wsgi.py and manage.py selecting production. */
function project(settings: Record<string, string>, extra: Record<string, string> = {}): string {
    const files: Record<string, string> = {
        "manage.py":
            'import os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\n' +
            "    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n",
        "config/__init__.py": "",
        "config/wsgi.py":
            'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\napplication = get_wsgi_application()\n',
        "config/settings/__init__.py": "",
        "requirements.txt": "django\nwhitenoise\n",
        ...extra,
    };
    for (const [name, text] of Object.entries(settings)) {
        files[`config/settings/${name}.py`] = text;
    }
    return apps.make(files);
}

const BASE_HEAD = [
    "from pathlib import Path",
    "",
    "BASE_DIR = Path(__file__).resolve(strict=True).parent.parent.parent",
    'WSGI_APPLICATION = "config.wsgi.application"',
    'STATIC_URL = "/static/"',
    'STATIC_ROOT = str(BASE_DIR / "staticfiles")',
    "",
].join("\n");

const COLLECTSTATIC = {
    name: "collectstatic",
    argv: ["python", "manage.py", "collectstatic", "--noinput"],
    workdir: "/app",
    env: { DJANGO_SETTINGS_MODULE: "config.settings.production" },
    source: "django.contrib.staticfiles and STATIC_ROOT (config/settings/base.py)",
    off: "`collectStatic: false`",
};
const COLLECTSTATIC_NOTE =
    "collectstatic runs in the builder with config.settings.production (the settings the server uses), so static files ship in the image; " +
    "settings it needs at import come from `buildEnv` and `buildSecrets`; `collectStatic: false` turns it off.";

const collectNotes = (notes: readonly string[]) => notes.filter((n) => /collectstatic|STATIC_ROOT/.test(n));

describe("Django settings read as Python imports them", () => {
    afterEach(() => apps.cleanup());

    describe("INSTALLED_APPS built from other lists", () => {
        const cases: Array<{ shape: string; base: string; production: string; apps: string[] }> = [
            {
                shape: "cookiecutter-django's production line `INSTALLED_APPS = [\"whitenoise.runserver_nostatic\", *INSTALLED_APPS]` over base's DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS",
                base:
                    'DJANGO_APPS = ["django.contrib.auth", "django.contrib.staticfiles"]\nTHIRD_PARTY_APPS = ["allauth"]\nLOCAL_APPS = ["shop.users"]\n' +
                    "INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS\n",
                production: 'from .base import *  # noqa: F403\nfrom .base import INSTALLED_APPS\n\nINSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]\n',
                apps: ["whitenoise.runserver_nostatic", "django.contrib.auth", "django.contrib.staticfiles", "allauth", "shop.users"],
            },
            {
                shape: '`["whitenoise.runserver_nostatic"] + INSTALLED_APPS` with INSTALLED_APPS imported by name',
                base: 'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.staticfiles"]\n',
                production: 'from .base import *\nfrom .base import INSTALLED_APPS\n\nINSTALLED_APPS = ["whitenoise.runserver_nostatic"] + INSTALLED_APPS\n',
                apps: ["whitenoise.runserver_nostatic", "django.contrib.auth", "django.contrib.staticfiles"],
            },
            {
                shape: "a starred list, then `INSTALLED_APPS += [...]` (cookiecutter-django's local.py)",
                base: 'INSTALLED_APPS = ["django.contrib.auth"]\n',
                production:
                    'from .base import *\nfrom .base import INSTALLED_APPS\n\nINSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]\n' +
                    'INSTALLED_APPS += ["django.contrib.staticfiles"]\nINSTALLED_APPS += ["django_extensions"]\n',
                apps: ["whitenoise.runserver_nostatic", "django.contrib.auth", "django.contrib.staticfiles", "django_extensions"],
            },
            {
                shape: "INSTALLED_APPS.append(...) on a star-imported list",
                base: 'INSTALLED_APPS = ["django.contrib.auth"]\n',
                production: 'from .base import *  # noqa\n\nINSTALLED_APPS.append("django.contrib.staticfiles")  # noqa: F405\n',
                apps: ["django.contrib.auth", "django.contrib.staticfiles"],
            },
            {
                shape: "INSTALLED_APPS.insert(0, ...) and .extend(...)",
                base: 'INSTALLED_APPS = ["django.contrib.auth"]\nEXTRA_APPS = ["django.contrib.staticfiles"]\n',
                production: 'from .base import *\n\nINSTALLED_APPS.insert(0, "whitenoise.runserver_nostatic")\nINSTALLED_APPS.extend(EXTRA_APPS)\n',
                apps: ["whitenoise.runserver_nostatic", "django.contrib.auth", "django.contrib.staticfiles"],
            },
            {
                shape: "lists imported by name from the base module and concatenated (`from .base import DJANGO_APPS`)",
                base: 'DJANGO_APPS = ["django.contrib.auth", "django.contrib.staticfiles"]\nLOCAL_APPS = ["shop.users"]\nINSTALLED_APPS = DJANGO_APPS + LOCAL_APPS\n',
                production: 'from .base import *\nfrom .base import DJANGO_APPS, LOCAL_APPS\n\nINSTALLED_APPS = DJANGO_APPS + ["storages"] + LOCAL_APPS\n',
                apps: ["django.contrib.auth", "django.contrib.staticfiles", "storages", "shop.users"],
            },
            {
                shape: "an entry that cannot be read (apps from the environment) beside known ones",
                base: 'import os\n\nINSTALLED_APPS = ["django.contrib.auth", "django.contrib.staticfiles"]\n',
                production: 'import os\nfrom .base import *\n\nINSTALLED_APPS = [*INSTALLED_APPS, *os.environ.get("EXTRA_APPS", "").split(",")]\n',
                apps: ["django.contrib.auth", "django.contrib.staticfiles"],
            },
        ];
        for (const c of cases) {
            it(`GIVEN ${c.shape} THEN the list is read as it evaluates, and collectstatic runs with the production settings`, () => {
                const dir = project({ base: BASE_HEAD + c.base, production: c.production });
                assert.deepEqual(findDjango(new SourceTree(dir))?.settings.installedApps, c.apps);
                const { plan } = synthesize(dir);
                assert.deepEqual(plan.buildSteps, [COLLECTSTATIC]);
                assert.deepEqual(collectNotes(plan.notes), [COLLECTSTATIC_NOTE]);
            });
        }

        it("GIVEN a name rebound after its import (`from .base import X`, then `X = [..., *X]`, then `X = X + [...]`) THEN each statement reads the value before it", () => {
            const dir = project({
                base: BASE_HEAD + 'INSTALLED_APPS = ["django.contrib.staticfiles"]\nMIDDLEWARE = ["a", "b"]\n',
                production:
                    'from .base import *\nfrom .base import INSTALLED_APPS\n\nINSTALLED_APPS = ["w", *INSTALLED_APPS]\nINSTALLED_APPS = INSTALLED_APPS + ["x"]\n' +
                    'MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")\n',
            });
            const settings = findDjango(new SourceTree(dir))!.settings;
            assert.deepEqual(settings.installedApps, ["w", "django.contrib.staticfiles", "x"]);
            assert.deepEqual(settings.entriesOf("MIDDLEWARE")?.items, ["a", "whitenoise.middleware.WhiteNoiseMiddleware", "b"]);
        });
    });
});
