import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
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
    fills: ["/app/staticfiles"],
};
const COLLECTSTATIC_NOTE =
    "collectstatic runs in the builder with config.settings.production (the settings the server uses), so static files ship in the image; " +
    "settings it needs at import come from `buildEnv` and `buildSecrets`; `collectStatic: false` turns it off.";

const SITE_HEAD = [
    "import os",
    "from pathlib import Path",
    "",
    "BASE_DIR = Path(__file__).resolve().parent.parent",
    "WSGI_APPLICATION = 'mysite.wsgi.application'",
    "INSTALLED_APPS = ['django.contrib.staticfiles']",
    "STATIC_URL = '/static/'",
    "",
].join("\n");

/** One settings module, as Django's startproject and Render's tutorial lay it out. */
function site(settings: string): string {
    return apps.make({
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\nfrom django.core.management import execute_from_command_line\n",
        "mysite/__init__.py": "",
        "mysite/wsgi.py":
            "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\napplication = get_wsgi_application()\n",
        "mysite/settings.py": SITE_HEAD + settings,
        "requirements.txt": "django\nwhitenoise\n",
    });
}

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
                shape: "a list with comments between its entries, and a comment between a call's arguments",
                base: 'INSTALLED_APPS = [\n    "django.contrib.auth",\n    # "debug_toolbar",\n    *[  # the rest\n        "django.contrib.staticfiles",\n    ],\n]\n',
                production: 'from .base import *\n\nINSTALLED_APPS.insert(  # first\n    0,\n    "whitenoise.runserver_nostatic",\n)\n',
                apps: ["whitenoise.runserver_nostatic", "django.contrib.auth", "django.contrib.staticfiles"],
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

        it("GIVEN reads in a try body whose except clause falls back (doccano's `try: CELERY_BROKER_URL = env(\"CELERY_BROKER_URL\")` / `except EnvError:`) THEN they are not named; one after the try is", () => {
            const production =
                "import environ\nfrom .base import *\n\nenv = environ.Env()\ntry:\n    BROKER = env(\"CELERY_BROKER_URL\")\nexcept environ.ImproperlyConfigured:\n    try:\n        BROKER = \"sqla+\" + env(\"DATABASE_URL\")\n    except Exception:\n        BROKER = \"memory://\"\nSECRET_KEY = env(\"SECRET_KEY\")\n";
            const dir = project({ base: BASE_HEAD + 'INSTALLED_APPS = ["django.contrib.staticfiles"]\n', production });
            assert.deepEqual(collectNotes(synthesize(dir).plan.notes), [
                note("SECRET_KEY (config/settings/production.py)").replace("without them: give them", "without it: give it"),
            ]);
        });
    });

    describe("reads in a module imported under a condition", () => {
        it("GIVEN `elif ENV_TYPE == \"prod\": from .server_settings import *` with ENV_TYPE defaulting to \"dev\" (Django-CRM's) THEN what server_settings reads is not named for the build; with ENV_TYPE=prod in `buildEnv` it is", () => {
            const settings =
                BASE_HEAD +
                'INSTALLED_APPS = ["django.contrib.staticfiles"]\nENV_TYPE = os.environ.get("ENV_TYPE", "dev")\nif ENV_TYPE == "dev":\n    MEDIA_ROOT = os.path.join(BASE_DIR, "media")\nelif ENV_TYPE == "prod":\n    from .server_settings import *\n';
            const dir = project({ base: settings, production: 'import os\nfrom .base import *\n', server_settings: 'import os\nAWS_BUCKET_NAME = os.environ["AWS_BUCKET_NAME"]\n' });
            assert.deepEqual(collectNotes(synthesize(dir).plan.notes), [COLLECTSTATIC_NOTE]);
            assert.deepEqual(collectNotes(synthesize(dir, { buildEnv: { ENV_TYPE: "prod" } }).plan.notes), [
                "collectstatic runs in the builder with config.settings.production (the settings the server uses), so static files ship in the image, " +
                    "but those settings read AWS_BUCKET_NAME (config/settings/server_settings.py) from the environment at import with no default, so the build fails without it: " +
                    "give it with `buildEnv`, or `buildSecrets` for a secret (collectstatic opens no database or cache connection, so placeholder values do; " +
                    "the server needs the real ones, from the component's `env` or `secretEnv`); `collectStatic: false` turns it off.",
            ]);
        });
    });

    describe("STATIC_ROOT set only in an `if` branch", () => {
        const ROOT = "    STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')\n";
        const STEP = (env: Record<string, string>) => ({
            ...COLLECTSTATIC,
            env: { DJANGO_SETTINGS_MODULE: "mysite.settings", ...env },
            source: "django.contrib.staticfiles and STATIC_ROOT (mysite/settings.py)",
        });
        const SITE_NOTE =
            "collectstatic runs in the builder with mysite.settings (the settings the server uses), so static files ship in the image; " +
            "settings it needs at import come from `buildEnv` and `buildSecrets`; `collectStatic: false` turns it off.";
        const NO_STATIC_ROOT = "\"You're using the staticfiles app without having set the STATIC_ROOT setting\"";

        const switched: Array<{ shape: string; settings: string; env: Record<string, string>; note: string }> = [
            {
                shape: "Render's tutorial (`DEBUG = 'RENDER' not in os.environ`, `if not DEBUG:`)",
                settings: `DEBUG = 'RENDER' not in os.environ\n\nif not DEBUG:\n${ROOT}    STATICFILES_STORAGE = 'whitenoise.storage.CompressedManifestStaticFilesStorage'\n`,
                env: { RENDER: "1" },
                note:
                    "STATIC_ROOT is set only when `not DEBUG` holds (mysite/settings.py; DEBUG = 'RENDER' not in os.environ), which the build does not meet by itself: " +
                    "collectstatic runs with RENDER=1 (any value does) to collect into that STATIC_ROOT, which the server uses when its container sets RENDER too (with DEBUG off then, and ALLOWED_HOSTS to give); set RENDER in `buildEnv` to override it.",
            },
            {
                shape: "django-environ's `DEBUG = env.bool(\"DJANGO_DEBUG\", default=True)`",
                settings: `import environ\n\nenv = environ.Env()\nDEBUG = env.bool("DJANGO_DEBUG", default=True)\nif not DEBUG:\n${ROOT}`,
                env: { DJANGO_DEBUG: "False" },
                note:
                    'STATIC_ROOT is set only when `not DEBUG` holds (mysite/settings.py; DEBUG = env.bool("DJANGO_DEBUG", default=True)), which the build does not meet by itself: ' +
                    "collectstatic runs with DJANGO_DEBUG=False to collect into that STATIC_ROOT, which the server uses when its container sets DJANGO_DEBUG=False too (with DEBUG off then, and ALLOWED_HOSTS to give); set DJANGO_DEBUG in `buildEnv` to override it.",
            },
            {
                shape: "python-decouple's `config(\"DEBUG\", default=True, cast=bool)` and an `else:` branch",
                settings: `from decouple import config\n\nDEBUG = config("DEBUG", default=True, cast=bool)\nif DEBUG:\n    STATICFILES_DIRS = []\nelse:\n${ROOT}`,
                env: { DEBUG: "False" },
                note:
                    'STATIC_ROOT is set only when `not DEBUG` holds (mysite/settings.py; DEBUG = config("DEBUG", default=True, cast=bool)), which the build does not meet by itself: ' +
                    "collectstatic runs with DEBUG=False to collect into that STATIC_ROOT, which the server uses when its container sets DEBUG=False too (with DEBUG off then, and ALLOWED_HOSTS to give); set DEBUG in `buildEnv` to override it.",
            },
            {
                shape: "`DEBUG = os.getenv(\"DEBUG\", \"1\") == \"1\"` (the value to give is not the literal)",
                settings: `DEBUG = os.getenv("DEBUG", "1") == "1"\nif not DEBUG:\n${ROOT}`,
                env: { DEBUG: "False" },
                note:
                    'STATIC_ROOT is set only when `not DEBUG` holds (mysite/settings.py; DEBUG = os.getenv("DEBUG", "1") == "1"), which the build does not meet by itself: ' +
                    "collectstatic runs with DEBUG=False to collect into that STATIC_ROOT, which the server uses when its container sets DEBUG=False too (with DEBUG off then, and ALLOWED_HOSTS to give); set DEBUG in `buildEnv` to override it.",
            },
            {
                shape: "a test of the environment in the `if` itself (`os.environ.get(\"DJANGO_ENV\") == \"production\"`)",
                settings: `if os.environ.get("DJANGO_ENV") == "production":\n${ROOT}`,
                env: { DJANGO_ENV: "production" },
                note:
                    'STATIC_ROOT is set only when `os.environ.get("DJANGO_ENV") == "production"` holds (mysite/settings.py), which the build does not meet by itself: ' +
                    "collectstatic runs with DJANGO_ENV=production to collect into that STATIC_ROOT, and the image sets DJANGO_ENV=production too, so the server runs the same settings (the container's environment overrides it); set DJANGO_ENV in `buildEnv` to override it.",
            },
        ];
        for (const c of switched) {
            it(`GIVEN ${c.shape} THEN collectstatic runs with the variable that selects the branch, and a note says so`, () => {
                const { plan } = synthesize(site(c.settings));
                assert.deepEqual(plan.buildSteps, [STEP(c.env)]);
                assert.deepEqual(collectNotes(plan.notes), [SITE_NOTE, c.note]);
                // The image carries the switch only where the server then still answers (DEBUG on, or hosts listed).
                assert.deepEqual(plan.imageEnv, c.shape.startsWith("a test of the environment") ? c.env : {});
            });
        }

        it("GIVEN Render's tutorial THEN the Dockerfile's collectstatic step carries RENDER=1", () => {
            const { dockerfile } = synthesize(site(switched[0].settings));
            assert.match(dockerfile, /"DJANGO_SETTINGS_MODULE=mysite\.settings","RENDER=1","--","python","manage\.py","collectstatic","--noinput"\]/);
        });

        it("GIVEN a branch the build meets as it is (DEBUG off by default), or STATIC_ROOT set in both branches THEN nothing is added", () => {
            for (const settings of [
                `import environ\n\nenv = environ.Env()\nDEBUG = env.bool("DJANGO_DEBUG", False)\nif not DEBUG:\n${ROOT}`,
                `from somewhere import decide\n\nif decide():\n    STATIC_ROOT = '/srv/static'\nelse:\n${ROOT}`,
                `STATIC_ROOT = BASE_DIR / 'static'\nif os.environ.get('CDN'):\n    STATIC_ROOT = '/srv/static'\n`,
            ]) {
                const { plan } = synthesize(site(settings));
                // (A STATIC_ROOT of /srv/static in a branch is also copied to the runner: `outputs`, made in the builder whichever branch ran;
                // `fills` names the branch the build's reading takes.)
                assert.deepEqual(
                    plan.buildSteps.map((st) => ({ ...st, outputs: undefined, fills: undefined })),
                    [{ ...STEP({}), outputs: undefined, fills: undefined }],
                );
                assert.deepEqual(
                    collectNotes(plan.notes).filter((n) => !n.startsWith("STATIC_ROOT is /srv/static, outside the app folder")),
                    [SITE_NOTE],
                );
            }
        });

        it("GIVEN the variable in `buildEnv` with a value that misses the branch THEN it is not overridden, and the note names it and the error", () => {
            const { plan } = synthesize(site(switched[1].settings), { buildEnv: { DJANGO_DEBUG: "true" } });
            assert.deepEqual(plan.buildSteps, [STEP({})]);
            assert.deepEqual(collectNotes(plan.notes), [
                SITE_NOTE,
                'STATIC_ROOT is set only when `not DEBUG` holds (mysite/settings.py; DEBUG = env.bool("DJANGO_DEBUG", default=True)), which the build does not meet by itself, ' +
                    "and it depends on DJANGO_DEBUG (DJANGO_DEBUG given by `buildEnv`): give it the value that meets it in `buildEnv`, " +
                    `or collectstatic fails with Django's ${NO_STATIC_ROOT}; or set STATIC_ROOT outside the condition, or \`collectStatic: false\`.`,
            ]);
        });

        it("GIVEN a condition on the environment whose needed value cannot be known THEN nothing is set, and the note names the variable", () => {
            const { plan } = synthesize(site(`from .flags import TRUTHY\n\nDEBUG = os.environ.get("DEBUG", "") in TRUTHY\nif not DEBUG:\n${ROOT}`));
            assert.deepEqual(plan.buildSteps, [STEP({})]);
            assert.deepEqual(collectNotes(plan.notes), [
                SITE_NOTE,
                'STATIC_ROOT is set only when `not DEBUG` holds (mysite/settings.py; DEBUG = os.environ.get("DEBUG", "") in TRUTHY), which the build may not meet by itself, ' +
                    "and it depends on DEBUG: give it the value that meets it in `buildEnv`, " +
                    `or collectstatic fails with Django's ${NO_STATIC_ROOT}; or set STATIC_ROOT outside the condition, or \`collectStatic: false\`.`,
            ]);
        });

        it("GIVEN collectstatic and a MIDDLEWARE without WhiteNoise or ServeStatic THEN a note says nothing serves /static/ and how to fix it; WhiteNoise's middleware, an app wrapped in WhiteNoise, or an unreadable MIDDLEWARE get no such note", () => {
            const root = 'STATIC_ROOT = BASE_DIR / "staticfiles"\n';
            const served = (middleware: string, wsgi?: string) => {
                const dir = site(`${root}${middleware}`);
                if (wsgi !== undefined) {
                    fs.writeFileSync(path.join(dir, "mysite", "wsgi.py"), wsgi);
                }
                return synthesize(dir).plan.notes.filter((n) => n.startsWith("Nothing in the app serves the collected static files"));
            };
            assert.deepEqual(served("MIDDLEWARE = ['django.middleware.security.SecurityMiddleware', 'django.middleware.common.CommonMiddleware']\n"), [
                "Nothing in the app serves the collected static files: MIDDLEWARE (mysite/settings.py) has no WhiteNoise or ServeStatic middleware, gunicorn serves no files, " +
                    "and Django's own static views answer only with DEBUG on, so STATIC_URL answers 404 (CSS, scripts, the admin's styles): " +
                    'add "whitenoise.middleware.WhiteNoiseMiddleware" after SecurityMiddleware (and whitenoise to the dependencies), or serve STATIC_ROOT from a proxy in front.',
            ]);
            assert.deepEqual(served("MIDDLEWARE = ['django.middleware.security.SecurityMiddleware', 'whitenoise.middleware.WhiteNoiseMiddleware']\n"), []);
            assert.deepEqual(served("MIDDLEWARE = ['servestatic.middleware.ServeStaticMiddleware']\n"), []);
            assert.deepEqual(served("MIDDLEWARE = EXTRA + ['django.middleware.common.CommonMiddleware']\n"), []);
            const wrapped = "import os\nfrom django.core.wsgi import get_wsgi_application\nfrom whitenoise import WhiteNoise\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\napplication = WhiteNoise(get_wsgi_application())\n";
            assert.deepEqual(served("MIDDLEWARE = ['django.middleware.common.CommonMiddleware']\n", wrapped), []);
        });

        it("GIVEN DEBUG on, no static middleware, and a ROOT_URLCONF that adds only the media files (django-helpdesk's demo) THEN a note says gunicorn serves no /static/ even with DEBUG on; staticfiles_urlpatterns() or static(settings.STATIC_URL, ...) there get none", () => {
            const served = (urls: string) => {
                const dir = site('DEBUG = True\nALLOWED_HOSTS = ["*"]\nSTATIC_ROOT = BASE_DIR / "staticfiles"\nROOT_URLCONF = "mysite.urls"\nMIDDLEWARE = ["django.middleware.common.CommonMiddleware"]\n');
                fs.writeFileSync(path.join(dir, "mysite", "urls.py"), `from django.conf import settings\nfrom django.conf.urls.static import static\nfrom django.contrib.staticfiles.urls import staticfiles_urlpatterns\nurlpatterns = []\n${urls}`);
                return synthesize(dir).plan.notes.filter((n) => n.startsWith("Nothing in the app serves the collected static files"));
            };
            assert.deepEqual(served("urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)\n"), [
                "Nothing in the app serves the collected static files: MIDDLEWARE (mysite/settings.py) has no WhiteNoise or ServeStatic middleware, gunicorn serves no files, " +
                    "and with DEBUG on Django serves them only under runserver or where the URLconf adds them, which mysite/urls.py does not (no staticfiles_urlpatterns(), no static(settings.STATIC_URL, ...)), " +
                    "so STATIC_URL answers 404 (CSS, scripts, the admin's styles): " +
                    'add "whitenoise.middleware.WhiteNoiseMiddleware" after SecurityMiddleware (and whitenoise to the dependencies), or serve STATIC_ROOT from a proxy in front.',
            ]);
            assert.deepEqual(served("urlpatterns += staticfiles_urlpatterns()\n"), []);
            assert.deepEqual(served("urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)\n"), []);
        });

        it("GIVEN INSTALLED_APPS and MIDDLEWARE handed to a helper and unpacked back from it (the Django Styleguide's `INSTALLED_APPS, MIDDLEWARE = LoggersSetup.setup_settings(INSTALLED_APPS, MIDDLEWARE)`) THEN what they held is kept: collectstatic runs and WhiteNoise counts", () => {
            const dir = site(
                'STATIC_ROOT = BASE_DIR / "staticfiles"\nMIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "whitenoise.middleware.WhiteNoiseMiddleware"]\n' +
                    "from .loggers import LoggersSetup\nINSTALLED_APPS, MIDDLEWARE = LoggersSetup.setup_settings(INSTALLED_APPS, MIDDLEWARE)\n",
            );
            const { plan } = synthesize(dir);
            assert.deepEqual(plan.buildSteps.map((b) => b.name), ["collectstatic"]);
            assert.deepEqual(plan.notes.filter((n) => n.startsWith("Nothing in the app serves")), []);
        });

        it("GIVEN STATIC_ROOT = \"\" (an older project template's) THEN collectstatic does not run, with a note: Django reads it as unset and collectstatic would fail", () => {
            const { plan } = synthesize(site('STATIC_ROOT = ""'));
            assert.deepEqual(plan.buildSteps, []);
            assert.deepEqual(collectNotes(plan.notes), ["collectstatic does not run: django.contrib.staticfiles is installed but mysite/settings.py set no STATIC_ROOT to collect into."]);
        });

        it("GIVEN a branch no environment reaches (`DEBUG = True`, then `if not DEBUG:`) THEN collectstatic does not run, with a note, and `collectStatic: true` is refused", () => {
            const dir = site(`DEBUG = True\nif not DEBUG:\n${ROOT}`);
            const { plan } = synthesize(dir);
            assert.deepEqual(plan.buildSteps, []);
            assert.deepEqual(collectNotes(plan.notes), [
                "collectstatic does not run: django.contrib.staticfiles is installed but mysite/settings.py sets STATIC_ROOT only when `not DEBUG` holds, " +
                    "which it does in no environment; set STATIC_ROOT outside that condition to collect the static files in the build.",
            ]);
            assert.throws(() => synthesize(dir, { collectStatic: true }), /`collectStatic` is true, but the Django settings have no STATIC_ROOT/);
        });

        it("GIVEN a condition that is not on the environment THEN nothing is set, and the note says what fails and the fixes", () => {
            const { plan } = synthesize(site(`import sys\n\nif "collectstatic" in sys.argv:\n${ROOT}`));
            assert.deepEqual(plan.buildSteps, [STEP({})]);
            assert.deepEqual(collectNotes(plan.notes), [
                SITE_NOTE,
                'STATIC_ROOT is set only when `"collectstatic" in sys.argv` holds (mysite/settings.py), which the build may not meet by itself: ' +
                    `collectstatic then fails with Django's ${NO_STATIC_ROOT}; set STATIC_ROOT outside the condition, give what the condition needs with \`buildEnv\`, or set \`collectStatic: false\`.`,
            ]);
        });
    });
    describe("DEBUG as the server runs it", () => {
        const debugNotes = (notes: readonly string[]) => notes.filter((n) => n.includes(" sets DEBUG = "));
        const EXPOSED = "Django's error pages then show tracebacks and settings to anyone who triggers an error";

        it("GIVEN DEBUG off and an empty ALLOWED_HOSTS THEN a note says every request answers 400; with DEBUG on, none (Django then answers localhost)", () => {
            const hostNotes = (settings: string) => synthesize(site(settings)).plan.notes.filter((n) => n.includes("leaves ALLOWED_HOSTS empty"));
            assert.deepEqual(hostNotes("DEBUG = False\nALLOWED_HOSTS = []\n"), [
                "mysite/settings.py leaves ALLOWED_HOSTS empty and DEBUG is off, so Django answers 400 (Bad Request) to every request (the health check passes: 400 is below 500): " +
                    "list the host names the site answers on, or read them from an environment variable set in `env`.",
            ]);
            assert.deepEqual(hostNotes("DEBUG = True\nALLOWED_HOSTS = []\n"), []);
            assert.deepEqual(hostNotes("DEBUG = False\nALLOWED_HOSTS = ['shop.example.net']\n"), []);
        });

        it("GIVEN Render's tutorial (DEBUG on unless RENDER is set, ALLOWED_HOSTS only from RENDER_EXTERNAL_HOSTNAME) THEN a note names RENDER, `env` and RENDER_EXTERNAL_HOSTNAME", () => {
            const settings =
                "DEBUG = 'RENDER' not in os.environ\n\nALLOWED_HOSTS = []\nRENDER_EXTERNAL_HOSTNAME = os.environ.get('RENDER_EXTERNAL_HOSTNAME')\n" +
                "if RENDER_EXTERNAL_HOSTNAME:\n    ALLOWED_HOSTS.append(RENDER_EXTERNAL_HOSTNAME)\n\nif not DEBUG:\n    STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')\n";
            assert.deepEqual(debugNotes(synthesize(site(settings)).plan.notes), [
                `mysite/settings.py sets DEBUG = 'RENDER' not in os.environ, so the server runs with DEBUG on unless its container sets RENDER (any value does): ${EXPOSED}; ` +
                    "set it in the component's `env` for production. With DEBUG off, Django answers 400 to a request for any host not in ALLOWED_HOSTS, " +
                    "which mysite/settings.py fills only from RENDER_EXTERNAL_HOSTNAME: set it to the site's host name too.",
            ]);
        });

        it("GIVEN `DEBUG = True` and an empty ALLOWED_HOSTS (startproject's settings) THEN a note says DEBUG is on, how to turn it off, and that ALLOWED_HOSTS needs the host names then", () => {
            assert.deepEqual(debugNotes(synthesize(site("DEBUG = True\nALLOWED_HOSTS = []\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n")).plan.notes), [
                `mysite/settings.py sets DEBUG = True, so the server runs with DEBUG on: ${EXPOSED}; set DEBUG = False, or read it from the environment, for production. ` +
                    "With DEBUG off, Django answers 400 to a request for any host not in ALLOWED_HOSTS, which mysite/settings.py leaves empty: add the site's host names there.",
            ]);
        });

        it("GIVEN django-environ's `env.bool(\"DJANGO_DEBUG\", default=True)` with hosts listed THEN the note names DJANGO_DEBUG=False, and nothing about the hosts", () => {
            const settings = 'import environ\n\nenv = environ.Env()\nDEBUG = env.bool("DJANGO_DEBUG", default=True)\nALLOWED_HOSTS = ["shop.example.com"]\n';
            assert.deepEqual(debugNotes(synthesize(site(settings)).plan.notes), [
                'mysite/settings.py sets DEBUG = env.bool("DJANGO_DEBUG", default=True), so the server runs with DEBUG on unless its container sets DJANGO_DEBUG=False: ' +
                    `${EXPOSED}; set it in the component's \`env\` for production.`,
            ]);
        });

        it("GIVEN `DEBUG = True`, then `DEBUG = False` and SECURE_SSL_REDIRECT on under `if ENVIRONMENT == 'production':` (DRF's tutorial) THEN the note says DEBUG is off only under that condition, names ENVIRONMENT=production, and that it also turns the https redirect on", () => {
            const settings =
                "ENVIRONMENT = os.getenv('ENVIRONMENT', 'development')\nDEBUG = True\nALLOWED_HOSTS = ['*']\n" +
                "if ENVIRONMENT == 'production':\n    DEBUG = False\n    SECURE_SSL_REDIRECT = True\n    SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n";
            const { notes } = synthesize(site(settings)).plan;
            assert.deepEqual(debugNotes(notes), [
                `mysite/settings.py sets DEBUG = False only under a condition, so the server runs with DEBUG on unless its container sets ENVIRONMENT=production: ${EXPOSED}; ` +
                    "set it in the component's `env` for production. That setting also turns SECURE_SSL_REDIRECT on (mysite/settings.py): Django then answers plain HTTP with a 301 to https, " +
                    "so serve the container behind a proxy that terminates TLS.",
            ]);
            assert.ok(!notes.some((n) => n.includes("turns SECURE_SSL_REDIRECT on, so Django answers")), notes.join("\n"));
        });

        it("GIVEN DEBUG on unless a variable is set, but what turns it off cannot be known THEN the note names the variable and `env`", () => {
            const settings = 'from .flags import VERBOSE\n\nDEBUG = os.environ.get("DEBUG_OFF") is None or VERBOSE\nALLOWED_HOSTS = ["*"]\n';
            assert.deepEqual(debugNotes(synthesize(site(settings)).plan.notes), [
                'mysite/settings.py sets DEBUG = os.environ.get("DEBUG_OFF") is None or VERBOSE, which reads DEBUG_OFF, and the image does not set it, ' +
                    `so the server runs with DEBUG on: ${EXPOSED}; give it the value that turns DEBUG off in the component's \`env\` for production.`,
            ]);
        });

        it("GIVEN DEBUG off without the environment, or not known, or not set THEN no note", () => {
            for (const settings of [
                'import environ\n\nenv = environ.Env()\nDEBUG = env.bool("DJANGO_DEBUG", False)\n',
                "DEBUG = os.environ.get('DJANGO_DEBUG', '') == 'true'\n",
                "from .flags import DEBUG\n",
                "",
            ]) {
                assert.deepEqual(debugNotes(synthesize(site(settings)).plan.notes), [], settings);
            }
        });
    });
});

describe("folders manage.py puts on sys.path", () => {
    const MANAGE_MAIN = [
        "import sys",
        "from pathlib import Path",
        "",
        "",
        "def main():",
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")',
        "    current_path = Path(__file__).parent.resolve()",
        '    sys.path.append(str(current_path / "shop"))',
        "    from django.core.management import execute_from_command_line",
        "    execute_from_command_line(sys.argv)",
        "",
    ].join("\n");
    const SETTINGS = { production: `${BASE_HEAD}INSTALLED_APPS = ["django.contrib.staticfiles", "orders"]\n` };

    it("GIVEN manage.py appending shop/ inside main() (cookiecutter-django's form) and a wsgi.py that does not THEN gunicorn gets /app/shop on its Python path, with a note", () => {
        const dir = project(SETTINGS, { "manage.py": `import os\n${MANAGE_MAIN}`, "shop/orders/__init__.py": "" });
        const { plan } = synthesize(dir);
        assert.deepEqual(plan.server.pythonPath, ["/app/shop"]);
        assert.ok(
            plan.notes.includes(
                "manage.py puts shop/ on sys.path and the server's module, config.wsgi, does not: gunicorn gets it on its Python path (--pythonpath), so the server imports the same apps manage.py's commands do. Set `pythonPath` to change it.",
            ),
            plan.notes.join("\n"),
        );
        assert.deepEqual(synthesize(dir, { pythonPath: [] }).plan.server.pythonPath, []);
    });

    it("GIVEN manage.py inside the package whose settings it selects (ArchiveBox's layout, the project installed) THEN the settings are found from the folder above the package", () => {
        const dir = apps.make({
            "pyproject.toml": '[project]\nname = "vaultbox"\nversion = "1.0"\ndependencies = ["django"]\n[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
            "vaultbox/__init__.py": "",
            "vaultbox/manage.py": "import os\nimport sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'vaultbox.core.settings')\nfrom django.core.management import execute_from_command_line\n",
            "vaultbox/core/__init__.py": "",
            "vaultbox/core/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = []\nWSGI_APPLICATION = 'vaultbox.core.wsgi.application'\n",
            "vaultbox/core/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
        });
        const { plan } = synthesize(dir);
        assert.deepEqual(plan.entrypoint, { spec: "vaultbox.core.wsgi:application", interface: "wsgi", source: "Django settings (vaultbox/core/settings.py)" });
        assert.equal(plan.installsProject, true);
    });

    it("GIVEN wsgi.py adding the same folder itself THEN nothing is added; a folder outside the source, or one that does not exist, is never added", () => {
        const wsgi =
            "import os\nimport sys\nfrom pathlib import Path\nfrom django.core.wsgi import get_wsgi_application\n" +
            'BASE_DIR = Path(__file__).resolve(strict=True).parent.parent\nsys.path.append(str(BASE_DIR / "shop"))\n' +
            'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\napplication = get_wsgi_application()\n';
        const same = project(SETTINGS, { "manage.py": `import os\n${MANAGE_MAIN}`, "config/wsgi.py": wsgi, "shop/orders/__init__.py": "" });
        assert.deepEqual(synthesize(same).plan.server.pythonPath, []);
        const manage = `import os\n${MANAGE_MAIN.replace('current_path / "shop"', 'current_path.parent / "vendor"').replace("sys.path.append", "sys.path.insert(0, 'libs')\n    sys.path.append")}`;
        assert.deepEqual(synthesize(project(SETTINGS, { "manage.py": manage })).plan.server.pythonPath, []);
    });
});

describe("django-configurations' class-based settings", () => {
    const SETTINGS = [
        "from pathlib import Path",
        "from configurations import Configuration, values",
        "",
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        "",
        "class Base(Configuration):",
        '    INSTALLED_APPS = ["django.contrib.staticfiles"]',
        '    WSGI_APPLICATION = "shop.wsgi.application"',
        '    STATIC_URL = "/static/"',
        '    DATABASES = values.DatabaseURLValue("postgres://db/shop")',
        "",
        "class SqliteMixin:",
        "    DATABASES = values.DatabaseURLValue(f\"sqlite:///{BASE_DIR / 'shop.sqlite3'}\")",
        "",
        "class Dev(Base):",
        "    DEBUG = values.BooleanValue(True)",
        "",
        "class Prod(SqliteMixin, Base):",
        '    STATIC_ROOT = BASE_DIR / "collected"',
        "",
    ].join("\n");
    const project = (wsgiConfiguration: string) =>
        apps.make({
            "manage.py":
                'import os\nimport sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\nos.environ.setdefault("DJANGO_CONFIGURATION", "Dev")\n' +
                "from configurations.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n",
            "shop/__init__.py": "",
            "shop/settings.py": SETTINGS,
            "shop/wsgi.py":
                'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n' +
                `os.environ.setdefault("DJANGO_CONFIGURATION", "${wsgiConfiguration}")\nfrom configurations.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n`,
            "requirements.txt": "django\ndjango-configurations\n",
        });

    it("GIVEN wsgi.py selecting Prod(SqliteMixin, Base) and manage.py Dev THEN Prod's attributes, a mixin's over the base's, decide: collectstatic and the image run Prod, its SQLite database is on /data and migrated", () => {
        const { plan } = synthesize(project("Prod"));
        assert.deepEqual(plan.buildSteps.map((s) => [s.name, s.env]), [["collectstatic", { DJANGO_SETTINGS_MODULE: "shop.settings", DJANGO_CONFIGURATION: "Prod" }]]);
        assert.deepEqual(plan.imageEnv, { DJANGO_CONFIGURATION: "Prod" });
        assert.deepEqual(plan.release?.command, ["python", "manage.py", "migrate", "--noinput"]);
        assert.deepEqual(
            plan.writablePaths.map((w) => [w.path, w.links]),
            [["/data", [{ from: "/app/shop.sqlite3", to: "/data/shop.sqlite3" }]]],
        );
        assert.ok(plan.notes.includes("manage.py defaults to the django-configurations class Dev, while the server runs Prod: the image sets DJANGO_CONFIGURATION=Prod, so manage.py commands use the server's settings; the container's environment overrides it."));
    });

    it("GIVEN wsgi.py selecting Dev THEN Dev's attributes: no STATIC_ROOT (no collectstatic), the base's PostgreSQL URL (no migrate: a database server), and no image env", () => {
        const { plan } = synthesize(project("Dev"));
        assert.deepEqual(plan.buildSteps, []);
        assert.deepEqual(plan.imageEnv, {});
        assert.equal(plan.release, undefined);
    });
});

describe("a path helper taking *args (pontoon's `def path(*args): return os.path.join(ROOT, *args)`)", () => {
    afterEach(() => apps.cleanup());
    const HELPER = "ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n\n\ndef path(*args):\n    return os.path.join(ROOT, *args)\n\n\n";
    const links = (settings: string) =>
        synthesize(site(`${HELPER}${settings}SECRET_KEY = 'x'\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path("var", "db.sqlite3")}}\n`), { collectStatic: false }).plan.writablePaths.map((w) => [w.path, w.links.map((l) => l.from)]);

    it("GIVEN the SQLite database named through it THEN the arguments are spread where the helper passes them on: the database is on the volume", () => {
        assert.deepEqual(links(""), [["/data", ["/app/var/db.sqlite3"]]]);
    });

    it("GIVEN a helper that uses its *args otherwise (their count) THEN it is not read as a path, and nothing is guessed", () => {
        const other = "def path(*args):\n    return os.path.join(ROOT, *args) if len(args) > 1 else ROOT\n\n\n";
        assert.deepEqual(links(other), []);
    });
});

describe("development apps under DEBUG", () => {
    it("GIVEN DEBUG = True as a literal with debug_toolbar not installed THEN the note points at other settings, not at a variable that turns DEBUG off", () => {
        const literal = synthesize(site("DEBUG = True\nINSTALLED_APPS += ['debug_toolbar']\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\nSECRET_KEY = 'x'\n"), { collectStatic: false }).plan;
        const said = literal.notes.find((n) => n.startsWith("With DEBUG on"));
        assert.ok(said?.endsWith("Run the production settings (DJANGO_SETTINGS_MODULE in `buildEnv` and `env`), or install it."), literal.notes.join("\n"));
    });

    // django-wiki's and djangoproject.com's form: the app is added only where its import works, so its absence fails nothing.
    const TRIED = {
        body: "if DEBUG:\n    try:\n        import debug_toolbar  # noqa\n        INSTALLED_APPS += ['debug_toolbar']\n        MIDDLEWARE += ['debug_toolbar.middleware.DebugToolbarMiddleware']\n    except ImportError:\n        pass\n",
        else: "try:\n    import debug_toolbar\nexcept ModuleNotFoundError:\n    pass\nelse:\n    INSTALLED_APPS.append('debug_toolbar')\n    MIDDLEWARE.insert(0, 'debug_toolbar.middleware.DebugToolbarMiddleware')\n",
    };
    const tried = (form: string, requirements: string): string => {
        const dir = site(`DEBUG = os.environ.get('DEBUG', '1') == '1'\nMIDDLEWARE = []\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\nSECRET_KEY = 'x'\n${form}`);
        fs.writeFileSync(path.join(dir, "requirements.txt"), requirements);
        return dir;
    };
    for (const [form, text] of Object.entries(TRIED)) {
        it(`GIVEN debug_toolbar added after \`try: import debug_toolbar\` (the ${form === "body" ? "try body" : "else clause"}) and not installed THEN DEBUG is left as the settings say and nothing is said to fail`, () => {
            const dir = tried(text, "django\nwhitenoise\n");
            const { plan } = synthesize(dir);
            assert.deepEqual(plan.imageEnv, {});
            assert.equal(plan.notes.find((n) => n.includes("debug_toolbar")), undefined, plan.notes.join("\n"));
            const settings = findDjango(new SourceTree(dir), { installed: new Set(["django", "whitenoise"]) })!.settings;
            assert.deepEqual(settings.installedApps, ["django.contrib.staticfiles"]);
            assert.deepEqual(settings.middleware, []);
        });
        it(`GIVEN the same ${form === "body" ? "try body" : "else clause"} with django-debug-toolbar installed THEN the app and its middleware are in the settings`, () => {
            const settings = findDjango(new SourceTree(tried(text, "django\ndjango-debug-toolbar\n")), { installed: new Set(["django", "django-debug-toolbar"]) })!.settings;
            assert.deepEqual(settings.installedApps, ["django.contrib.staticfiles", "debug_toolbar"]);
            assert.deepEqual(settings.middleware, ["debug_toolbar.middleware.DebugToolbarMiddleware"]);
        });
    }

    it("GIVEN debug_toolbar added under DEBUG with no import tried, not installed THEN the build steps and the image turn DEBUG off, with the note", () => {
        const { plan } = synthesize(tried("if DEBUG:\n    INSTALLED_APPS += ['debug_toolbar']\n", "django\nwhitenoise\n"));
        assert.deepEqual(plan.imageEnv, { DEBUG: "False" });
        assert.ok(plan.notes.some((n) => n.startsWith("With DEBUG on, as mysite/settings.py leaves it, the settings add debug_toolbar (django-debug-toolbar), which the dependencies do not install")), plan.notes.join("\n"));
    });
});

describe("a SECRET_KEY read from the environment with nothing to fall back on", () => {
    afterEach(() => apps.cleanup());
    const notesOf = (line: string) =>
        synthesize(project({ production: `${BASE_HEAD}import os\n${line}\nDEBUG = False\nALLOWED_HOSTS = ["*"]\n` })).plan.notes.filter((n) => n.includes("SECRET_KEY"));

    it("is named: Django imports the settings, then refuses the empty key wherever it is read (django-on-docker)", () => {
        assert.deepEqual(notesOf('SECRET_KEY = os.environ.get("SECRET_KEY")'), [
            'config/settings/production.py sets SECRET_KEY from SECRET_KEY with no default (`os.environ.get("SECRET_KEY")`): unless it is set, the key is empty, and Django refuses it wherever ' +
                "it is read (ImproperlyConfigured: The SECRET_KEY setting must not be empty): sessions, signed cookies, password reset tokens and the admin answer 500. " +
                "Set it with PythonApp's `secretEnv`.",
        ]);
        assert.equal(notesOf('SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "")').length, 1);
    });

    it("is not named with a default, when importing fails first, or when the settings choose under `if`", () => {
        assert.deepEqual(notesOf('SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only")'), []);
        assert.deepEqual(
            notesOf('SECRET_KEY = os.environ["SECRET_KEY"]').map((n) => n.slice(0, 60)),
            ["config/settings/production.py reads SECRET_KEY from the envi"],
        );
        assert.deepEqual(notesOf('SECRET_KEY = os.environ.get("SECRET_KEY")\nif not SECRET_KEY:\n    SECRET_KEY = "fallback"'), []);
    });
});

describe("a database server the settings find on the container itself", () => {
    afterEach(() => apps.cleanup());
    const files = (databases: string, extra: Record<string, string> = {}) =>
        apps.make({
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
            "shop/__init__.py": "",
            "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
            "shop/settings.py": `import os\nimport dj_database_url\nimport environ\nenv = environ.Env()\nSECRET_KEY = 'x'\nALLOWED_HOSTS = ['*']\nINSTALLED_APPS = ['django.contrib.auth']\nDATABASES = ${databases}\n`,
            "requirements.txt": "django\ndjango-environ\ndj-database-url\npsycopg2-binary\n",
            ...extra,
        });
    const notesOf = (databases: string, extra: Record<string, string> = {}, options = {}) => synthesize(files(databases, extra), options).plan.notes.filter((n) => n.startsWith("DATABASES'"));

    it("names the variables that name another (env.db()'s and dj_database_url's default URL, HOST from the environment), without the URL's password", () => {
        assert.deepEqual(notesOf('{"default": env.db("DATABASE_URL", default="postgres:///shop")}'), [
            "DATABASES' default database (shop/settings.py) is PostgreSQL on the container itself (`postgres:///shop`) unless DATABASE_URL is set, and the container runs no database server: " +
                "the release step's migrate and every request that queries the database fail until DATABASE_URL names a server the container reaches (a URL with its password: give it with `secretEnv`).",
        ]);
        assert.deepEqual(notesOf('{"default": dj_database_url.config(default="mysql://root:hunter2@127.0.0.1:3306/shop", env="SHOP_DB")}').map((n) => n.slice(0, 151)), [
            "DATABASES' default database (shop/settings.py) is MySQL on the container itself (`mysql://root:***@127.0.0.1:3306/shop`) unless SHOP_DB is set, and the",
        ]);
        assert.deepEqual(notesOf('{"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "HOST": os.environ.get("DB_HOST", "localhost")}}'), [
            "DATABASES' default database (shop/settings.py) is PostgreSQL on the container itself (HOST localhost) unless DB_HOST is set, and the container runs no database server: " +
                "the release step's migrate and every request that queries the database fail until DB_HOST names a server the container reaches.",
        ]);
    });

    it("is silent for another host, SQLite, or when the image's environment or buildEnv gives the variable", () => {
        assert.deepEqual(notesOf('{"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "HOST": os.environ.get("DB_HOST", "db")}}'), []);
        assert.deepEqual(notesOf('{"default": env.db("DATABASE_URL", default="sqlite:///db.sqlite3")}'), []);
        const url = '{"default": env.db("DATABASE_URL", default="postgres:///shop")}';
        assert.deepEqual(notesOf(url, { Dockerfile: "FROM python:3.12-slim\nENV DATABASE_URL=postgres://db/shop\nCOPY . /app\n" }), []);
        assert.deepEqual(notesOf(url, {}, { buildEnv: { DATABASE_URL: "postgres://db.internal/shop" } }), []);
    });
});

describe("DATABASES made by a helper that assigns it under if/else", () => {
    afterEach(() => apps.cleanup());
    const settings = (body: string) =>
        "import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.auth']\n" +
        'DATABASE_URL = os.getenv("DATABASE_URL", None)\nPOSTGRES_DB = os.getenv("POSTGRES_DB", None)\n\n\n' +
        body;
    const plan = (body: string) =>
        synthesize(
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
                "shop/__init__.py": "",
                "shop/settings.py": settings(body),
                "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ngunicorn\n",
            }),
        ).plan;
    const tandoor =
        "def setup_database(db_url=None):\n    global DATABASE_URL, DATABASES\n    DATABASE_URL = db_url or DATABASE_URL\n    if DATABASE_URL:\n" +
        '        DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": DATABASE_URL.rsplit("/", 1)[-1]}}\n    else:\n' +
        '        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": POSTGRES_DB if POSTGRES_DB else os.path.join(BASE_DIR, "db.sqlite3")}}\n' +
        "    return DATABASES\n\n\nDATABASES = setup_database()\n";

    it("GIVEN Tandoor's setup_database() THEN the SQLite file its else branch names, with nothing set, is the database: a data file and the release step's migrate", () => {
        const p = plan(tandoor);
        assert.deepEqual(
            p.writablePaths.map((w) => [w.path, w.kind]),
            [["/data", "data"]],
        );
        assert.ok(p.writablePaths[0].links.some((l) => l.from === "/app/db.sqlite3"), JSON.stringify(p.writablePaths));
        assert.deepEqual(p.release?.command, ["python", "manage.py", "migrate", "--noinput"]);
        assert.ok(p.notes.some((n) => n.startsWith("The Django settings use SQLite unless `os.getenv(")), p.notes.join("\n"));
    });

    it("GIVEN the same helper assigning in a loop, or choosing by a value not read THEN no SQLite file is assumed", () => {
        const loop = tandoor.replace("    if DATABASE_URL:\n", "    for _ in range(1):\n      if DATABASE_URL:\n").replace("    else:\n", "      else:\n");
        assert.deepEqual(plan(loop).writablePaths, []);
        assert.deepEqual(plan(tandoor.replace("    if DATABASE_URL:\n", "    if some_flag():\n")).writablePaths, []);
    });
});

describe("uploaded files kept in MEDIA_ROOT with nothing serving MEDIA_URL", () => {
    afterEach(() => apps.cleanup());
    const urls = (extra: string) => `from django.conf import settings\nfrom django.conf.urls.static import static\nfrom django.urls import path\n${extra}\nurlpatterns = []\nif settings.DEBUG:\n    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)\n`;
    const notesOf = (settings: string, urlsExtra = "") =>
        synthesize(
            apps.make({
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gallery.settings')\n",
                "gallery/__init__.py": "",
                "gallery/settings.py":
                    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = 'x'\nALLOWED_HOSTS = ['*']\nINSTALLED_APPS = ['django.contrib.staticfiles']\n" +
                    `ROOT_URLCONF = 'gallery.urls'\nMEDIA_URL = '/media/'\nMEDIA_ROOT = BASE_DIR / 'mediafiles'\n${settings}\n`,
                "gallery/urls.py": urls(urlsExtra),
                "gallery/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                "requirements.txt": "django\ngunicorn\n",
            }),
        ).plan.notes.filter((n) => n.startsWith("MEDIA_ROOT ("));

    it("GIVEN DEBUG off and media served only by static() under `if settings.DEBUG:` THEN a note says uploads answer 404 and what serves them", () => {
        assert.deepEqual(notesOf("DEBUG = False"), [
            "MEDIA_ROOT (gallery/settings.py) keeps the files the app saves in /app/mediafiles, a data volume, but with DEBUG off nothing serves MEDIA_URL (/media/): " +
                "Django's static() helper adds its URLs only while DEBUG is true, gallery/urls.py has no django.views.static.serve for it, gunicorn serves no files and WhiteNoise serves static files only, so every uploaded file answers 404. " +
                "Serve that path from a proxy in front, route MEDIA_URL to django.views.static.serve in the URLconf (for a small site), or keep the files in object storage (django-storages).",
        ]);
    });

    it("GIVEN DEBUG on, the URLconf importing django.views.static's serve, or a default storage elsewhere THEN no note", () => {
        assert.deepEqual(notesOf("DEBUG = True"), []);
        assert.deepEqual(notesOf("DEBUG = False", "from django.views.static import serve\n"), []);
        assert.deepEqual(notesOf('DEBUG = False\nSTORAGES = {"default": {"BACKEND": "storages.backends.s3.S3Storage"}, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}'), []);
    });
});
