import * as assert from "node:assert/strict";
import * as path from "path";
import { InputError } from "../../lib/errors";
import { SynthesizeOptions } from "../../lib/plan/plan";
import { synthesize } from "../../lib/synthesize";
import { fixture, FLASK_APP, TmpApps } from "./helpers";

/**
 * Every bad input throws an InputError whose message names the argument (or
 * file) and the fix, before anything is built. Messages are compared whole.
 */

const apps = new TmpApps();
const NATIVE = fixture("flask-native");
const FLASK = { "app.py": FLASK_APP };
const SUPPORTED = "supported versions are 3.10, 3.11, 3.12, 3.13, 3.14";

interface Case {
    readonly given: string;
    readonly run: () => unknown;
    readonly argument: string;
    readonly message: string | RegExp;
}

function withOptions(options: SynthesizeOptions): () => unknown {
    return () => synthesize(NATIVE, options);
}

function inFolder(files: Record<string, string>, options: SynthesizeOptions = {}): () => unknown {
    return () => synthesize(apps.make(files), options);
}

const APP_RULE =
    'it must be "module:attribute" (e.g. "app:app", "myproj.wsgi:application"), "module:factory()" ' +
    '(e.g. "app:create_app()", with literal arguments if any), or a bare "module" (gunicorn then serves its `application`), with Python identifiers only (a file name of a module may also hold hyphens).';
const CONTROL = "such characters could start a new Dockerfile instruction or shell command. Remove it.";

const CASES: Case[] = [
    // The source folder.
    {
        given: "a source folder that does not exist",
        run: () => synthesize("/nonexistent/app"),
        argument: "`source`",
        message:
            '`source` is "/nonexistent/app", which does not exist (/nonexistent/app). Point it at the folder that holds the app; a relative path is taken from the folder the program runs in (where its Pulumi.yaml is).',
    },
    {
        given: "a source that is a file",
        run: () => synthesize(path.join(NATIVE, "app.py")),
        argument: "`source`",
        message: new RegExp(
            '^`source` is ".*/flask-native/app\\.py", which is a file, not a folder\\. ' +
                "Point it at the folder that holds the app and its dependency manifest\\.$",
        ),
    },
    {
        given: "an empty string as the source",
        run: () => synthesize(""),
        argument: "`source`",
        message: '`source` must be the path of the app\'s folder (a plain string, e.g. "./app").',
    },
    {
        given: "a folder with no dependency manifest",
        run: inFolder(FLASK),
        argument: "`source`",
        message:
            "The source folder has no dependency manifest: add requirements.txt, pyproject.toml (PEP 621), uv.lock, poetry.lock, Pipfile.lock, pdm.lock or a PEP 751 pylock.toml next to the app, or a PEP 723 `# /// script` block in a single-file app.",
    },
    // Manifests and lock files.
    {
        given: "both uv.lock and poetry.lock",
        run: inFolder({ ...FLASK, "pyproject.toml": '[project]\nname = "x"\n', "uv.lock": "version = 1\n", "poetry.lock": "" }),
        argument: "uv.lock",
        message:
            "The source folder has both uv.lock and poetry.lock; keep the lock file of the tool you use and delete the other, or set `installer` to that tool (\"uv\" or \"poetry\").",
    },
    {
        given: "uv.lock, poetry.lock and Pipfile.lock",
        run: inFolder({ ...FLASK, "pyproject.toml": '[project]\nname = "x"\n', "uv.lock": "", "poetry.lock": "", "Pipfile.lock": "{}" }),
        argument: "uv.lock",
        message:
            "The source folder has uv.lock, poetry.lock and Pipfile.lock; keep the lock file of the tool you use and delete the others, or set `installer` to that tool (\"uv\" or \"poetry\" or \"pipenv\").",
    },
    {
        given: "a Pipfile without Pipfile.lock",
        run: inFolder({ ...FLASK, Pipfile: "[packages]\nflask = \"*\"\n" }),
        argument: "Pipfile",
        message: "The source folder has a Pipfile but no Pipfile.lock; run `pipenv lock` and commit Pipfile.lock.",
    },
    {
        given: "a Poetry pyproject.toml without poetry.lock",
        run: inFolder({ ...FLASK, "pyproject.toml": '[tool.poetry]\nname = "x"\nversion = "0.1.0"\n' }),
        argument: "pyproject.toml",
        message: "pyproject.toml is a Poetry project but there is no poetry.lock; run `poetry lock` and commit poetry.lock.",
    },
    {
        given: "a pyproject.toml with no [project] table",
        run: inFolder({ ...FLASK, "pyproject.toml": "[tool.black]\nline-length = 100\n" }),
        argument: "pyproject.toml",
        message:
            "pyproject.toml has no [project] table (PEP 621), so it names no dependencies; add [project] with `dependencies`, or add a requirements.txt.",
    },
    {
        given: "a pyproject.toml that is not TOML",
        run: inFolder({ ...FLASK, "pyproject.toml": "[project\nname = \"x\"\n" }),
        argument: "pyproject.toml",
        message: "pyproject.toml is not valid TOML (line 1, column 9: illegal character in key). Fix the file.",
    },
    {
        given: "a uv.lock that is not TOML",
        run: inFolder({ ...FLASK, "pyproject.toml": '[project]\nname = "x"\n', "uv.lock": "version = 1\nversion = 2\n" }),
        argument: "uv.lock",
        message:
            "uv.lock is not valid TOML (line 2, column 1: trying to redefine an already defined table or value). Regenerate it with `uv lock`.",
    },
    {
        given: "uv.lock without pyproject.toml",
        run: inFolder({ ...FLASK, "uv.lock": "version = 1\n" }),
        argument: "uv.lock",
        message: "The source folder has uv.lock but no pyproject.toml; uv needs both. Add pyproject.toml or delete uv.lock.",
    },
    {
        given: "installer uv without uv.lock",
        run: withOptions({ installer: "uv" }),
        argument: "`installer`",
        message: '`installer` is "uv", but the source folder has no uv.lock. Create it (uv lock) or remove `installer`.',
    },
    {
        given: "installer pip with a uv.lock present",
        run: () => synthesize(fixture("fastapi-uv"), { installer: "pip" }),
        argument: "`installer`",
        message: '`installer` is "pip", but the source folder has uv.lock, which uv installs. Remove `installer` or delete uv.lock.',
    },
    {
        given: 'installer "conda"',
        run: withOptions({ installer: "conda" as never }),
        argument: "`installer`",
        message: '`installer` is "conda"; it must be one of "pip", "uv", "poetry", "pipenv", "pdm".',
    },
    {
        given: "a requirements include outside the folder (-r ../x.txt)",
        run: inFolder({ ...FLASK, "requirements.txt": "-r ../x.txt\nflask\n" }),
        argument: "requirements.txt",
        message:
            "requirements.txt includes ../x.txt, which is outside the source folder (the build context). Move the file into the source folder.",
    },
    {
        given: "a nested include that climbs out (-r ../../x.txt from reqs/base.txt)",
        run: inFolder({ ...FLASK, "requirements.txt": "-r reqs/base.txt\n", "reqs/base.txt": "-r ../../x.txt\n" }),
        argument: "reqs/base.txt",
        message:
            "reqs/base.txt includes ../../x.txt, which is outside the source folder (the build context). Move the file into the source folder.",
    },
    {
        given: "a requirements include that is missing",
        run: inFolder({ ...FLASK, "requirements.txt": "-c constraints.txt\nflask\n" }),
        argument: "requirements.txt",
        message: "requirements.txt includes constraints.txt, which is not in the source folder. Fix the -r/-c line or add the file.",
    },
    {
        given: "a requirements include by URL",
        run: inFolder({ ...FLASK, "requirements.txt": "-r https://example.com/reqs.txt\n" }),
        argument: "requirements.txt",
        message:
            "requirements.txt includes https://example.com/reqs.txt, a URL; only files inside the source folder can be included. Vendor the file.",
    },
    {
        given: "an app's .dockerignore that excludes requirements.txt",
        run: inFolder({ ...FLASK, "requirements.txt": "flask\n", ".dockerignore": "*.txt\n" }),
        argument: ".dockerignore",
        message: "The app's .dockerignore excludes requirements.txt, which the Dockerfile copies to install dependencies; remove that pattern.",
    },
    {
        given: "`ignore` that excludes an included requirements file",
        run: () => synthesize(fixture("flask-requirements"), { ignore: ["requirements/"] }),
        argument: "`ignore`",
        message: "`ignore` excludes requirements/base.txt, which the Dockerfile copies to install dependencies; remove that pattern.",
    },
    {
        given: "a requirements include inside venv/, which the synthesized .dockerignore drops",
        run: inFolder({ ...FLASK, "requirements.txt": "-r venv/pins.txt\n", "venv/pins.txt": "flask\n" }),
        argument: "venv/pins.txt",
        message:
            "venv/pins.txt is excluded by the synthesized .dockerignore (it keeps virtualenvs, caches, secrets and tooling out of the build), " +
            'but the Dockerfile copies it to install dependencies. Move the file, or re-include it with `ignore`: ["!venv/pins.txt"].',
    },
    // Python versions.
    {
        given: "an unparseable .python-version",
        run: inFolder({ ...FLASK, "requirements.txt": "flask\n", ".python-version": "pypy3.10\n" }),
        argument: ".python-version",
        message: '.python-version says "pypy3.10", which is not a CPython version; write a version such as "3.12", or set `python`.',
    },
    {
        given: "Python 3.8 in .python-version",
        run: inFolder({ ...FLASK, "requirements.txt": "flask\n", ".python-version": "3.8.18\n" }),
        argument: ".python-version",
        message: `.python-version asks for Python 3.8, which is not supported; ${SUPPORTED}. Edit .python-version or set \`python\`.`,
    },
    {
        given: "Python 3.8 in requires-python",
        run: inFolder({ ...FLASK, "pyproject.toml": '[project]\nname = "x"\nrequires-python = "==3.8.*"\n' }),
        argument: "pyproject.toml requires-python",
        message:
            'pyproject.toml requires-python is "==3.8.*", which no supported Python satisfies (supported: 3.10, 3.11, 3.12, 3.13, 3.14). Widen it or set `python`.',
    },
    {
        given: "an unparseable requires-python",
        run: inFolder({ ...FLASK, "pyproject.toml": '[project]\nname = "x"\nrequires-python = "python3"\n' }),
        argument: "pyproject.toml requires-python",
        message:
            'pyproject.toml requires-python is "python3", which is not a version specifier; write one such as ">=3.11", or set `python`.',
    },
    {
        given: "Python 3.8 in runtime.txt",
        run: inFolder({ ...FLASK, "requirements.txt": "flask\n", "runtime.txt": "python-3.8.10\n" }),
        argument: "runtime.txt",
        message: `runtime.txt asks for Python 3.8, which is not supported; ${SUPPORTED}. Edit runtime.txt or set \`python\`.`,
    },
    {
        given: "a runtime.txt that names no version",
        run: inFolder({ ...FLASK, "requirements.txt": "flask\n", "runtime.txt": "python-latest\n" }),
        argument: "runtime.txt",
        message: 'runtime.txt says "python-latest", which is not a CPython version; write it as "python-3.12" (or "python-3.12.4"), or set `python`.',
    },
    {
        given: 'python "3.8"',
        run: withOptions({ python: "3.8" }),
        argument: "`python`",
        message: `\`python\` asks for Python 3.8, which is not supported; ${SUPPORTED}. Set \`python\` to a supported version.`,
    },
    {
        given: 'python "latest"',
        run: withOptions({ python: "latest" }),
        argument: "`python`",
        message: '`python` is "latest", which is not a Python version; use a version such as "3.12".',
    },
    {
        given: "python as the number 3.10 (which is 3.1)",
        run: withOptions({ python: 3.1 as never }),
        argument: "`python`",
        message: '`python` must be a string such as "3.12", not 3.1; quote the version.',
    },
    {
        given: 'baseImage "debian:bookworm" (Python 3.11) with python "3.13"',
        run: withOptions({ baseImage: "debian:bookworm", python: "3.13" }),
        argument: "`baseImage`",
        message:
            '`baseImage` debian:bookworm ships Python 3.11, but the app asks for Python 3.13. Pick a base image with Python 3.13, or set `python` to "3.11".',
    },
    {
        given: 'baseImage "python:3.12-slim" on an app that asks for 3.11 in .python-version',
        run: () => synthesize(fixture("flask-requirements"), { baseImage: "python:3.12-slim" }),
        argument: "`baseImage`",
        message:
            '`baseImage` python:3.12-slim ships Python 3.12, but the app asks for Python 3.11. Pick a base image with Python 3.11, or set `python` to "3.12".',
    },
    // The app.
    ...["app:", "app:app; rm -rf /", "1app:app", "app:app()()", "app:create_app(os.system('id'))", "-app:app", "my app:app"].map(
        (app): Case => ({
            given: `app ${JSON.stringify(app)}`,
            run: withOptions({ app }),
            argument: "`app`",
            message: `\`app\` is ${JSON.stringify(app)}; ${APP_RULE}`,
        }),
    ),
    {
        given: "a folder where no app can be found",
        run: inFolder({ "requirements.txt": "flask\n", "lib.py": "x = 1\n" }),
        argument: "`app`",
        message:
            "Could not find the app: no Procfile web: line naming one, no Django manage.py (looked in the source folder and one folder down), " +
            "no module that makes an app with a known framework (Flask, Quart, FastAPI, FastHTML, Starlette, Litestar, Falcon, Sanic, BlackSheep, Dash, Bottle, Pyramid, Connexion, Django) " +
            "at its top level or in a factory gunicorn can call without arguments (looked in the source folder, two packages deep), " +
            "no Pyramid production.ini with an [app:main] section, and no module-level WSGI `application(environ, start_response)` or ASGI `async def app(scope, receive, send)`. " +
            'Set `app` to gunicorn\'s "module:attribute" (e.g. app: "service.main:app").',
    },
    {
        given: "a Procfile web: line naming no app and no app in the code",
        run: inFolder({ "lib.py": "x = 1\n", "requirements.txt": "flask\n", Procfile: "web: gunicorn --bind 0.0.0.0:8000\n" }),
        argument: "`app`",
        message:
            "Could not find the app: no Procfile web: line naming one, no Django manage.py (looked in the source folder and one folder down), " +
            "no module that makes an app with a known framework (Flask, Quart, FastAPI, FastHTML, Starlette, Litestar, Falcon, Sanic, BlackSheep, Dash, Bottle, Pyramid, Connexion, Django) " +
            "at its top level or in a factory gunicorn can call without arguments (looked in the source folder, two packages deep), " +
            "no Pyramid production.ini with an [app:main] section, and no module-level WSGI `application(environ, start_response)` or ASGI `async def app(scope, receive, send)`. The Procfile's web: line names no app (gunicorn --bind 0.0.0.0:8000). " +
            'Set `app` to gunicorn\'s "module:attribute" (e.g. app: "service.main:app").',
    },
    {
        given: "a Django manage.py that does not set DJANGO_SETTINGS_MODULE",
        run: inFolder({ "manage.py": "import sys\nfrom django.core.management import execute_from_command_line\n", "requirements.txt": "django\n" }),
        argument: "manage.py",
        message:
            'manage.py imports Django but its DJANGO_SETTINGS_MODULE could not be read (looked for os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...") in manage.py); ' +
            'set `app` (e.g. "proj.wsgi:application").',
    },
    {
        given: 'interface "http"',
        run: withOptions({ interface: "http" as never }),
        argument: "`interface`",
        message: '`interface` is "http"; it must be "wsgi" or "asgi".',
    },
    // Numbers.
    ...([0, 70000, 80.5, -1, Number.NaN] as const).map(
        (port): Case => ({
            given: `port ${port}`,
            run: withOptions({ port }),
            argument: "`port`",
            message: `\`port\` is ${port}; it must be a whole number from 1 to 65535. Use a TCP port such as 8000.`,
        }),
    ),
    {
        given: 'port "8000" (a string)',
        run: withOptions({ port: "8000" as never }),
        argument: "`port`",
        message: '`port` is "8000"; it must be a whole number from 1 to 65535. Use a TCP port such as 8000.',
    },
    {
        given: "uid 0",
        run: withOptions({ uid: 0 }),
        argument: "`uid`",
        message: "`uid` is 0 (root); the app must run as a non-root user. Use an id such as 10001.",
    },
    {
        given: "uid -5",
        run: withOptions({ uid: -5 }),
        argument: "`uid`",
        message: "`uid` is -5; it must be a whole number from 1 to 2147483647. Use a non-root user id such as 10001.",
    },
    {
        given: "gid 0",
        run: withOptions({ gid: 0 }),
        argument: "`gid`",
        message: "`gid` is 0 (root's group); use a non-root group id such as 10001.",
    },
    {
        given: "gid 2^31",
        run: withOptions({ gid: 2147483648 }),
        argument: "`gid`",
        message: "`gid` is 2147483648; it must be a whole number from 1 to 2147483647. Use a non-root group id such as 10001.",
    },
    ...[0, -1].map(
        (workers): Case => ({
            given: `workers ${workers}`,
            run: withOptions({ workers }),
            argument: "`workers`",
            message: `\`workers\` is ${workers}; it must be a whole number from 1 to 100000. gunicorn needs at least 1 worker; leave \`workers\` unset to follow the container's CPUs.`,
        }),
    ),
    {
        given: "threads 0",
        run: withOptions({ threads: 0 }),
        argument: "`threads`",
        message: "`threads` is 0; it must be a whole number from 1 to 100000. Leave `threads` unset for the default of 12 (WSGI).",
    },
    {
        given: "timeout 1.5",
        run: withOptions({ timeout: 1.5 }),
        argument: "`timeout`",
        message: "`timeout` is 1.5; it must be a whole number from 1 to 100000. It is gunicorn's worker timeout in seconds.",
    },
    // The user.
    {
        given: 'user "root"',
        run: withOptions({ user: "root" }),
        argument: "`user`",
        message: '`user` is "root"; the app must run as a non-root user. Use a name such as "app".',
    },
    {
        given: 'user "App User"',
        run: withOptions({ user: "App User" }),
        argument: "`user`",
        message: '`user` is "App User", which is not a Linux user name (lower case, digits, _ or -, at most 32).',
    },
    {
        given: "a newline in user",
        run: withOptions({ user: "app\nUSER root" }),
        argument: "`user`",
        message: `\`user\` contains a newline or control character (U+000A); ${CONTROL}`,
    },
    // Strings that reach the Dockerfile.
    {
        given: 'an apt package "curl; rm -rf /"',
        run: withOptions({ aptBuildPackages: ["libxml2-dev", "curl; rm -rf /"] }),
        argument: "`aptBuildPackages[1]`",
        message: '`aptBuildPackages[1]` is "curl; rm -rf /", which is not a Debian package name (optionally =version).',
    },
    {
        given: "aptRuntimePackages that is a string, not a list",
        run: withOptions({ aptRuntimePackages: "libpq5" as never }),
        argument: "`aptRuntimePackages`",
        message: '`aptRuntimePackages` must be a list of strings, not "libpq5".',
    },
    ...["healthz", "/a b", '/"x', "/a\\b"].map(
        (p): Case => ({
            given: `healthCheckPath ${JSON.stringify(p)}`,
            run: withOptions({ healthCheckPath: p }),
            argument: "`healthCheckPath`",
            message: `\`healthCheckPath\` is ${JSON.stringify(p)}, which is not a URL path such as "/healthz" (starting with /, no spaces, quotes or backslashes).`,
        }),
    ),
    {
        given: "healthCheckPath with healthCheck false",
        run: withOptions({ healthCheck: false, healthCheckPath: "/healthz" }),
        argument: "`healthCheckPath`",
        message: "`healthCheckPath` is set but `healthCheck` is false; remove one of them.",
    },
    {
        given: "a newline in baseImage",
        run: withOptions({ baseImage: "debian:trixie\nRUN curl evil.sh | sh" }),
        argument: "`baseImage`",
        message: `\`baseImage\` contains a newline or control character (U+000A); ${CONTROL}`,
    },
    {
        given: "baseImage with upper case in the repository",
        run: withOptions({ baseImage: "Debian:trixie" }),
        argument: "`baseImage`",
        message:
            '`baseImage` is "Debian:trixie", which is not an image reference such as "debian:trixie" or "registry.example/mirror/python:3.12-slim".',
    },
    ...["app:app\n", "app:app\nRUN id"].map(
        (app): Case => ({
            given: `a newline in app (${JSON.stringify(app)})`,
            run: withOptions({ app }),
            argument: "`app`",
            message: `\`app\` contains a newline or control character (U+000A); ${CONTROL}`,
        }),
    ),
    {
        given: "a newline in a label value",
        run: withOptions({ labels: { team: "web\nUSER root" } }),
        argument: "`labels.team`",
        message: `\`labels.team\` contains a newline or control character (U+000A); ${CONTROL}`,
    },
    {
        given: "a BEL control character in a label value",
        run: withOptions({ labels: { team: "web\u0007" } }),
        argument: "`labels.team`",
        message: `\`labels.team\` contains a newline or control character (U+0007); ${CONTROL}`,
    },
    {
        given: "a U+2028 line separator in a label value",
        run: withOptions({ labels: { team: "a\u2028b" } }),
        argument: "`labels.team`",
        message: `\`labels.team\` contains a newline or control character (U+2028); ${CONTROL}`,
    },
    {
        given: "a label key with a space",
        run: withOptions({ labels: { "my key": "x" } }),
        argument: "`labels` key",
        message: '`labels` key is "my key", which is not a label name such as org.opencontainers.image.source.',
    },
    {
        given: "a label value that is a number",
        run: withOptions({ labels: { replicas: 3 as never } }),
        argument: "`labels.replicas`",
        message: "`labels.replicas` must be a string known before deployment, not 3.",
    },
    {
        given: 'an install secret named "A-B"',
        run: withOptions({ installSecrets: ["A-B"] }),
        argument: "`installSecrets[0]`",
        message: '`installSecrets[0]` is "A-B", which is not an environment variable name such as PIP_INDEX_URL.',
    },
    {
        given: 'syntax "docker/dockerfile:1 --evil"',
        run: withOptions({ syntax: "docker/dockerfile:1 --evil" }),
        argument: "`syntax`",
        message: '`syntax` is "docker/dockerfile:1 --evil", which is not an image reference such as "docker/dockerfile:1".',
    },
    {
        given: 'an ignore pattern starting with "#"',
        run: withOptions({ ignore: ["#notes"] }),
        argument: "`ignore[0]`",
        message: '`ignore[0]` is "#notes", which is not a .dockerignore pattern (one line, not starting with # or a space).',
    },
    {
        given: 'an ignore pattern "[" (an unclosed character class)',
        run: withOptions({ ignore: ["notes/", "["] }),
        argument: "`ignore[1]`",
        message:
            '`ignore[1]` is "[", which is not a valid .dockerignore pattern (an unclosed [ or a reversed range such as [z-a]); fix or remove it.',
    },
    {
        given: 'an app\'s .dockerignore with the pattern "[z-a]"',
        run: inFolder({ ...FLASK, "requirements.txt": "flask\n", ".dockerignore": "notes/\n[z-a]\n" }),
        argument: ".dockerignore",
        message:
            'The app\'s .dockerignore has the pattern "[z-a]", which is not a valid .dockerignore pattern (an unclosed [ or a reversed range such as [z-a]); fix or remove it.',
    },
    // The options object.
    {
        given: "an unknown option key",
        run: withOptions({ prot: 8000 } as never),
        argument: "`prot`",
        message: "`prot` is not an option of synthesize(); check its spelling.",
    },
    {
        given: "options that are not an object",
        run: () => synthesize(NATIVE, "port=80" as never),
        argument: "`options`",
        message: 'The options must be an object such as { app: "app:app" }.',
    },
    {
        given: "releaseCommand as one string",
        run: withOptions({ releaseCommand: "python manage.py migrate" as never }),
        argument: "`releaseCommand`",
        message: '`releaseCommand` must be a command as a list of words, e.g. ["python", "manage.py", "migrate"], or [] to run no release step; not "python manage.py migrate".',
    },
    {
        given: "releaseCommand true",
        run: withOptions({ releaseCommand: true as never }),
        argument: "`releaseCommand`",
        message: '`releaseCommand` must be a command as a list of words, e.g. ["python", "manage.py", "migrate"], or [] to run no release step; not true.',
    },
    {
        given: "releaseCommand with a word that is not a string",
        run: withOptions({ releaseCommand: ["python", 3] as never }),
        argument: "`releaseCommand[1]`",
        message: "`releaseCommand[1]` must be a string known before deployment, not 3.",
    },
    {
        given: "healthCheck that is a string",
        run: withOptions({ healthCheck: "no" as never }),
        argument: "`healthCheck`",
        message: '`healthCheck` must be true or false, not "no".',
    },
];

describe("validation: bad input throws InputError with the exact message", () => {
    afterEach(() => apps.cleanup());

    for (const c of CASES) {
        it(`GIVEN ${c.given} WHEN synthesized THEN InputError names ${c.argument}`, () => {
            assert.throws(c.run, (e: unknown) => {
                assert.ok(e instanceof InputError, `not an InputError: ${String(e)}`);
                assert.equal(e.name, "InputError");
                assert.equal(e.argument, c.argument);
                if (typeof c.message === "string") {
                    assert.equal(e.message, c.message);
                } else {
                    assert.match(e.message, c.message);
                }
                return true;
            });
        });
    }

    it("GIVEN an option set to undefined WHEN synthesized THEN it counts as unset (not unknown, not invalid)", () => {
        const opts = { port: undefined, app: undefined, notAnOption: undefined } as unknown as SynthesizeOptions;
        assert.equal(synthesize(NATIVE, opts).plan.server.port, 8000);
    });

    it("GIVEN an app's .dockerignore that re-includes what `ignore` would drop WHEN `ignore` comes last THEN `ignore` wins and is blamed", () => {
        const dir = apps.make({ ...FLASK, "requirements.txt": "flask\n", ".dockerignore": "!requirements.txt\n" });
        assert.throws(() => synthesize(dir, { ignore: ["*.txt"] }), {
            name: "InputError",
            message: "`ignore` excludes requirements.txt, which the Dockerfile copies to install dependencies; remove that pattern.",
        });
    });

    it("GIVEN a requirements file in venv/ and `ignore` re-including it WHEN synthesized THEN it is accepted", () => {
        const dir = apps.make({ ...FLASK, "requirements.txt": "-r venv/pins.txt\n", "venv/pins.txt": "flask\n" });
        assert.deepEqual(synthesize(dir, { ignore: ["!venv/pins.txt"] }).plan.manifests, ["requirements.txt", "venv/pins.txt"]);
    });
});
