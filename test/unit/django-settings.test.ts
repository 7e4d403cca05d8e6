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

    describe("the variables the settings read at import with no default", () => {
        // cookiecutter-django's reads: env.db() in base, env("X") in production (one inside a dict), and reads with defaults.
        const BASE = BASE_HEAD + [
            "import environ",
            "",
            "env = environ.Env()",
            'DEBUG = env.bool("DJANGO_DEBUG", False)',
            'DATABASES = {"default": env.db("DATABASE_URL")}',
            'INSTALLED_APPS = ["django.contrib.staticfiles"]',
            'EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")',
            "",
        ].join("\n");
        const PRODUCTION = [
            "import os",
            "",
            "from .base import *  # noqa: F403",
            "from .base import DATABASES",
            "from .base import env",
            "",
            'SECRET_KEY = env("DJANGO_SECRET_KEY")',
            'ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["example.com"])',
            'DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)',
            'CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": env("REDIS_URL")}}',
            'ADMIN_URL = env("DJANGO_ADMIN_URL")',
            'SENTRY_DSN = os.environ["SENTRY_DSN"]',
            'if env.bool("USE_S3", default=False):',
            '    AWS_STORAGE_BUCKET_NAME = env("DJANGO_AWS_STORAGE_BUCKET_NAME")',
            "",
            "def later():",
            '    return env("ONLY_WHEN_CALLED")',
            "",
        ].join("\n");
        const note = (missing: string) =>
            "collectstatic runs in the builder with config.settings.production (the settings the server uses), so static files ship in the image, " +
            `but those settings read ${missing} from the environment at import with no default, so the build fails without them: ` +
            "give them with `buildEnv`, or `buildSecrets` for a secret (collectstatic opens no database or cache connection, so placeholder values do; " +
            "the server needs the real ones, from the component's `env` or `secretEnv`); `collectStatic: false` turns it off.";

        it("GIVEN cookiecutter-django's production settings THEN the collectstatic note names each variable read with no default, with its file, in the order they are read", () => {
            const { plan } = synthesize(project({ base: BASE, production: PRODUCTION }));
            assert.deepEqual(plan.buildSteps, [COLLECTSTATIC]);
            assert.deepEqual(collectNotes(plan.notes), [
                note("DATABASE_URL (config/settings/base.py), DJANGO_SECRET_KEY, REDIS_URL, DJANGO_ADMIN_URL, SENTRY_DSN (config/settings/production.py)"),
            ]);
        });

        it("GIVEN some of them in `buildEnv` and `buildSecrets`, and a condition the build meets THEN the note names the rest, the conditional read included", () => {
            const { plan } = synthesize(project({ base: BASE, production: PRODUCTION }), {
                buildEnv: { DATABASE_URL: "postgres://build@localhost/build", USE_S3: "true", SENTRY_DSN: "" },
                buildSecrets: ["DJANGO_SECRET_KEY"],
            });
            assert.deepEqual(collectNotes(plan.notes), [note("REDIS_URL, DJANGO_ADMIN_URL, DJANGO_AWS_STORAGE_BUCKET_NAME (config/settings/production.py)")]);
        });

        it("GIVEN python-decouple's config() and os.environ[] with no default THEN they are named, and once `buildEnv` gives them, the usual note", () => {
            const production = 'import os\nfrom decouple import config\nfrom .base import *\n\nSECRET_KEY = config("SECRET_KEY")\nHOSTS = os.environ["HOSTS"]\nDEBUG = config("DEBUG", default=False, cast=bool)\n';
            const dir = project({ base: BASE_HEAD + 'INSTALLED_APPS = ["django.contrib.staticfiles"]\n', production });
            assert.deepEqual(collectNotes(synthesize(dir).plan.notes), [
                "collectstatic runs in the builder with config.settings.production (the settings the server uses), so static files ship in the image, " +
                    "but those settings read SECRET_KEY, HOSTS (config/settings/production.py) from the environment at import with no default, so the build fails without them: " +
                    "give them with `buildEnv`, or `buildSecrets` for a secret (collectstatic opens no database or cache connection, so placeholder values do; " +
                    "the server needs the real ones, from the component's `env` or `secretEnv`); `collectStatic: false` turns it off.",
            ]);
            assert.deepEqual(collectNotes(synthesize(dir, { buildEnv: { SECRET_KEY: "x", HOSTS: "x" } }).plan.notes), [COLLECTSTATIC_NOTE]);
        });
    });
});
