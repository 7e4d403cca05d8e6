import { quote as shellQuote } from "shell-quote";
import * as semver from "semver";
import { parse as parseToml } from "smol-toml";
import { BASE_IMAGES, DISTRO_NODEJS, RELEASE_NAMES } from "../data/base-images";
import { DEFAULTS } from "../data/defaults";
import { DJANGO_DEV_APPS } from "../data/django-dev-apps";
import { DISTRO_RELEASES, DistroRelease } from "../data/native-libraries";
import { table } from "../detect/dependencies";
import { DjangoProject } from "../detect/django";
import { Entrypoint, servedRoots } from "../detect/entrypoint";
import { dockerfileFrontend, detectFrontend, servedFrontends, servedNodeModules, toolsWithoutBuild } from "../detect/frontend";
import { appDockerfile } from "../detect/container";
import { commands, CONTROL_WORDS, displayWords, isAssignment, pyprojectOf, scriptOf, shellTokens, withoutRunners } from "../detect/procfile";
import { flaskBuildFacts, FlaskAssets } from "../detect/flask-build";
import { joinPath } from "../detect/paths";
import { candidates, moduleReader } from "../detect/app-code";
import { EnvView } from "../detect/python-eval";
import { calleeOf, dictGet, Expr, exprText, parseModule, str } from "../detect/python-source";
import { SourceTree } from "../detect/source";
import { readIni } from "../detect/ini";
import { InputError } from "../errors";
import { CheckedOptions } from "./options";
import { folderCommand } from "./server";
import { byName } from "../data/by-name";

/**
 * Steps around the server: what the builder runs after the source is copied
 * (collectstatic, compilemessages, `buildCommands`), and what PythonApp runs
 * once per deploy before the new container takes traffic (migrations, a
 * Procfile's release: line).
 */
export interface BuildStep {
    /** "collectstatic", "compilemessages", or "buildCommands[0]". */
    readonly name: string;
    /** The command, run without a shell. */
    readonly argv: readonly string[];
    /** Where it runs in the image. */
    readonly workdir: string;
    /** Variables the step needs besides `buildEnv` (Django's settings module). */
    readonly env: Readonly<Record<string, string>>;
    /** What showed the step is needed. */
    readonly source: string;
    /** The option that turns it off, for the failure message. */
    readonly off: string;
    /** Absolute folders outside the app folder it writes (a STATIC_ROOT of /var/www/...): the runner copies them from the builder. */
    readonly outputs?: readonly string[];
    /** Absolute folders it fills that the image ships, wherever they are (STATIC_ROOT): no data volume may hide them. */
    readonly fills?: readonly string[];
    /**
     * What it writes is the image's wherever it lands (a front-end build's output, which the app may also
     * rewrite at start and so sit in a data path): the runner removes nothing it writes into the data paths.
     */
    readonly keepsWrites?: boolean;
}

export interface ReleasePlan {
    /** The command, as words (a Procfile line with shell syntax runs under `sh -c`). */
    readonly command: readonly string[];
    /** Where it runs in the image. */
    readonly workdir: string;
    /** What it came from: "`releaseCommand`", "Procfile release:", "Procfile web: (before the server)", "Django". */
    readonly source: string;
    /**
     * Folders of the image the release writes into though they belong to the build (STATIC_ROOT, for a release
     * script's collectstatic that cannot be taken out): the release container gets a throwaway tmpfs there.
     */
    readonly scratch?: readonly string[];
}

function djangoManage(entry: Entrypoint): { workdir: string; manage: string } | undefined {
    if (!entry.django) {
        return undefined;
    }
    const root = entry.django.root;
    return { workdir: root === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${root}`, manage: entry.django.manage };
}

/** What the rest of the plan knows that decides the build steps of a Flask app. */
export interface BuildFacts {
    /** Projects the install step installs. */
    readonly installed: ReadonlySet<string>;
    /** Folders on gunicorn's Python path, relative to the source folder: a step that imports the app needs them too. */
    readonly pythonPath: readonly string[];
    /** The base image's release, whose apt nodejs runs a front-end build. */
    readonly release?: DistroRelease;
    /** The Flask installed is older than 2.2, whose CLI has no --app option: commands get FLASK_APP instead. */
    readonly flaskBefore22?: boolean;
    /** The platform's config that sets DISABLE_COLLECTSTATIC (to anything but "" or "0"), as a note names it. */
    readonly disableCollectstatic?: string;
    /**
     * What the image's environment sets from the app's own config (the platform's env, its Dockerfile's ENV, its
     * Compose service's environment; never a secret): Django's build steps run with it, as the server does and as
     * the platforms' builds do, so the settings take the same branches (DEBUG, STATIC_ROOT) in both.
     */
    readonly imageEnv?: Readonly<Record<string, string>>;
}

/**
 * django-tailwind's theme app: its Node project is <TAILWIND_APP_NAME>/static_src
 * (`python manage.py tailwind build` runs its build script there), and the CSS
 * it writes into the app's static folder is usually git-ignored, so
 * collectstatic needs it built first.
 */
function tailwindTheme(src: SourceTree, django: DjangoProject): ReturnType<typeof detectFrontend> {
    const name = str(django.settings.get("TAILWIND_APP_NAME"));
    if (!django.settings.installedApps.includes("tailwind") || name === undefined || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
        return undefined;
    }
    const dir = [django.root, ...name.split(".")].filter((p) => p !== "").join("/") + "/static_src";
    return detectFrontend(src, dir);
}

/** The folders a Django project serves files from that a build may make: STATICFILES_DIRS (a `(prefix, path)` pair's path) and the templates' DIRS. */
function djangoServedDirs(django: DjangoProject): string[] {
    const s = django.settings;
    const dirs: Array<{ e: Expr; file: string }> = [];
    const staticFile = s.sourceOf("STATICFILES_DIRS");
    const statics = s.get("STATICFILES_DIRS");
    for (const item of statics?.kind === "list" && staticFile !== undefined ? statics.items : []) {
        dirs.push({ e: item.kind === "list" && item.items.length === 2 ? item.items[1] : item, file: staticFile! });
    }
    const templatesFile = s.sourceOf("TEMPLATES");
    const templates = s.get("TEMPLATES");
    for (const t of templates?.kind === "list" && templatesFile !== undefined ? templates.items : []) {
        const d = dictGet(t, "DIRS");
        for (const item of d?.kind === "list" ? d.items : []) {
            dirs.push({ e: item, file: templatesFile! });
        }
    }
    return dirs.flatMap(({ e, file }) => {
        const p = s.pathOf(e, file);
        return p === undefined ? [] : [p];
    });
}

export function planBuildSteps(
    src: SourceTree,
    o: CheckedOptions,
    entry: Entrypoint,
    notes: string[],
    facts: BuildFacts = { installed: new Set(), pythonPath: [] },
): { steps: BuildStep[]; apt: string[]; imageEnv: Record<string, string> } {
    const steps: BuildStep[] = [];
    /** Variables the server needs to run the settings branch the build chose (the image sets them; the container's env overrides). */
    const imageEnv: Record<string, string> = {};
    const apt: string[] = [];
    const django = entry.django;
    const manage = djangoManage(entry);
    const settingsEnv: Record<string, string> = django
        ? { ...facts.imageEnv, DJANGO_SETTINGS_MODULE: django.runtimeSettings, ...(django.configuration !== undefined ? { DJANGO_CONFIGURATION: django.configuration } : {}) }
        : {};

    if (django) {
        devAppsSwitch(django, o, settingsEnv, imageEnv, facts.installed, notes);
    }

    // The front-end build first: collectstatic and django-compressor read what it writes.
    // The root's package, django-tailwind's theme, else a package in a folder above the folder the app serves its build from.
    const roots = servedRoots(entry);
    const own = detectFrontend(src) ?? (django ? tailwindTheme(src, django) : undefined);
    const skipped: string[] = [];
    const served = django ? djangoServedDirs(django) : [];
    const missing: Array<{ path: string; file: string }> = [];
    const builds = own === undefined ? servedFrontends(src, roots, served, skipped, missing) : "build" in own ? [own.build] : [];
    for (const u of own === undefined ? missing : []) {
        notes.push(
            `Warning: ${u.file} serves ${u.path}/ with StaticFiles, and the source folder has no ${u.path}/ (a git-ignored build output?) that a build here makes: ` +
                `StaticFiles refuses a missing folder when the app is made (RuntimeError: Directory '${u.path}' does not exist), so unless the app makes it first the server does not start. ` +
                "Build it into the source folder before deploying, or give its package.json a build script writing there (`--outDir`, Vite's `build.outDir`).",
        );
    }
    // Packages STATICFILES_DIRS serves from node_modules (bootstrap's dist): installed before collectstatic.
    const nodeModules = o.frontendBuild === false ? [] : servedNodeModules(src, served, skipped);
    notes.push(...skipped);
    if (o.frontendBuild === true && builds.length === 0) {
        throw new InputError(
            "`frontendBuild`",
            `\`frontendBuild\` is true, but ${own !== undefined && "skipped" in own ? own.skipped.replace(/;.*$/, "") : "there is no package.json with a build script at the root of the source folder"}; remove \`frontendBuild\`, or run the build with \`buildCommands\`.`,
        );
    }
    const unbuilt = own === undefined && builds.length === 0 ? toolsWithoutBuild(src) : undefined;
    // The app's own Dockerfile runs those tools (djangogirls' `RUN gulp local`): the builder runs the same commands.
    const dockerBuilt = unbuilt === undefined || o.frontendBuild === false ? undefined : dockerfileFrontend(src, unbuilt.tools);
    if (dockerBuilt !== undefined) {
        const dockerfile = appDockerfile(src) ?? "Dockerfile";
        steps.push({
            name: "front-end build",
            argv: ["sh", "-c", `${dockerBuilt.install} --no-audit --no-fund && ${dockerBuilt.steps.join(" && ")} && rm -rf node_modules`],
            workdir: DEFAULTS.workdir,
            env: {},
            source: `${dockerfile}'s ${dockerBuilt.lines.map((l) => `\`${l}\``).join(", ")} with package.json's ${unbuilt!.tools.join(", ")}`,
            off: "`frontendBuild: false`",
            keepsWrites: true,
        });
        if (!apt.includes("nodejs")) {
            apt.push("nodejs", "npm");
        }
        notes.push(
            `package.json has no build script, but the app's ${dockerfile} builds its front-end with ${unbuilt!.tools.join(", ")} (${dockerBuilt.lines.map((l) => `\`${l}\``).join(", ")}): ` +
                `the builder runs \`${dockerBuilt.install}\` then ${dockerBuilt.steps.map((c) => `\`${c}\``).join(", ")} before the other build steps, with the base image's nodejs and npm (builder only), ` +
                "and removes node_modules after it. `frontendBuild: false` turns it off.",
        );
    } else if (unbuilt !== undefined) {
        notes.push(
            `${unbuilt.file} names ${unbuilt.tools.join(", ")} but has no build script, so the image builds no front-end: if the app serves what ${unbuilt.tools.length === 1 ? "it makes" : "they make"} (a git-ignored static folder), that is missing. ` +
                'Add a "build" script that runs it (the command the README or the app\'s own Dockerfile runs), or run it with `buildCommands`.',
        );
    }
    if (own !== undefined && "skipped" in own) {
        notes.push(own.skipped);
    } else if (builds.length > 0 && o.frontendBuild === false) {
        for (const b of builds) {
            notes.push(`${b.file}'s build script (${b.script}) is detected but \`frontendBuild\` is false: it does not run, so its output ships only if it is in the source folder.`);
        }
    }
    for (const b of o.frontendBuild === false ? [] : builds) {
        // Its `flask` commands (Flask-Static-Digest) load the app gunicorn serves, as the release step's do.
        const flaskEnv: Record<string, string> = b.runsFlask && (entry.framework === "flask" || entry.framework === "dash") ? { FLASK_APP: flaskApp(entry) } : {};
        steps.push({
            // Several packages (a client and its successor): each step named by its folder.
            name: builds.length > 1 ? `npm run build in ${b.dir}/` : "npm run build",
            // node_modules stays for collectstatic when STATICFILES_DIRS serves from it; removed after that.
            argv: ["sh", "-c", `${b.install} --no-audit --no-fund && npm run build${nodeModules.some((m) => m.dir === b.dir) ? "" : " && rm -rf node_modules"}`],
            workdir: b.dir === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${b.dir}`,
            env: flaskEnv,
            source: `${b.file}'s build script with ${b.tools.join(", ")}`,
            off: "`frontendBuild: false`",
            keepsWrites: true,
        });
        if (!apt.includes("nodejs")) {
            apt.push("nodejs", "npm");
        }
        const node = facts.release === undefined ? undefined : DISTRO_NODEJS[facts.release];
        notes.push(
            `The front-end build runs in the builder, before the other build steps: \`${b.install}\` then \`npm run build\` (${b.script})${b.dir === "" ? "" : ` in ${b.dir}/`}, with the base image's nodejs and npm (builder only; ` +
                `${node === undefined ? "Debian 13's is Node.js 20, Debian 12's 18" : `Node.js ${node} on ${RELEASE_NAMES[facts.release!]}`})` +
                (nodeModules.some((m) => m.dir === b.dir)
                    ? ", and node_modules stays until collectstatic has copied what STATICFILES_DIRS serves from it. "
                    : ", and node_modules is removed after it, so the runner gets only what it built. ") +
                (flaskEnv["FLASK_APP"] !== undefined
                    ? `Its scripts run \`flask\`, which gets FLASK_APP=${flaskEnv["FLASK_APP"]} and imports the app: settings the app reads at import come from \`buildEnv\` and \`buildSecrets\`. `
                    : "") +
                "`frontendBuild: false` turns it off.",
        );
        // A build tool that needs a newer Node.js than the release ships fails (Vite 7 on Debian 12's 18: `crypto.hash is not a function`).
        const unmet = node === undefined ? [] : b.nodeNeeds.filter((n) => semver.validRange(n.range) !== null && !semver.satisfies(node, n.range));
        if (unmet.length > 0) {
            const newer = DISTRO_RELEASES.filter((r) => unmet.every((n) => semver.satisfies(DISTRO_NODEJS[r], n.range)));
            const python = BASE_IMAGES.filter((row) => row.flavor === "apt" && newer.includes(row.release)).map((row) => `${row.python} (${RELEASE_NAMES[row.release]}, Node.js ${DISTRO_NODEJS[row.release]})`);
            notes.push(
                `Warning: ${unmet.map((n) => `${n.who} needs Node.js ${n.range}`).join("; ")}, and the builder's nodejs, the base image's (${RELEASE_NAMES[facts.release!]}), is ${node}: the front-end build is likely to fail. ` +
                    (python.length > 0 ? `The base image of Python ${python.join(" or ")} meets it: set \`python\` to that version if the app allows it; or ` : "") +
                    "build the front-end ahead, ship its output in the source folder and set `frontendBuild: false`.",
            );
        }
    }

    for (const m of nodeModules.filter((n) => !builds.some((b) => b.dir === n.dir))) {
        const command = `${m.install}${m.omitDev ? " --omit=dev" : ""} --no-audit --no-fund`;
        steps.push({
            name: nodeModules.length > 1 ? `${m.install} in ${m.dir === "" ? "./" : `${m.dir}/`}` : m.install,
            argv: ["sh", "-c", command],
            workdir: m.dir === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${m.dir}`,
            env: {},
            source: `STATICFILES_DIRS serving ${m.served.join(", ")} (${django!.settings.sourceOf("STATICFILES_DIRS")})`,
            off: "`frontendBuild: false`",
        });
        if (!apt.includes("nodejs")) {
            apt.push("nodejs", "npm");
        }
        notes.push(
            `STATICFILES_DIRS (${django!.settings.sourceOf("STATICFILES_DIRS")}) serves ${m.served.join(", ")}, which npm installs and the image's source never holds (the .dockerignore leaves node_modules out): ` +
                `the builder runs \`${command}\`${m.dir === "" ? "" : ` in ${m.dir}/`} from ${m.file} before collectstatic, with the base image's nodejs and npm (builder only). \`frontendBuild: false\` turns it off.`,
        );
    }

    // collectstatic: django.contrib.staticfiles with a STATIC_ROOT to collect into.
    const staticApp = django?.settings.installedApps.some((a) => a === "django.contrib.staticfiles" || a.startsWith("django.contrib.staticfiles.")) ?? false;
    const staticRoot = django?.settings.get("STATIC_ROOT");
    // STATIC_ROOT set only in a branch no environment reaches (`DEBUG = True`, then `if not DEBUG:`) is never set.
    const rootCond = django?.settings.whenSet("STATIC_ROOT");
    const neverSet = rootCond !== undefined && rootCond.variables.length === 0 && rootCond.holds(() => undefined) === false;
    // An empty STATIC_ROOT (`STATIC_ROOT = ""`, older project templates) is unset to Django: collectstatic refuses it (ImproperlyConfigured).
    const hasStaticRoot = staticRoot !== undefined && staticRoot.kind !== "none" && !(staticRoot.kind === "str" && staticRoot.value === "") && !neverSet;
    // Flask-Babel's catalogues and Flask-Assets' bundles (not for Django, whose compilemessages and collectstatic are above).
    const flask = django ? undefined : flaskBuild(src, entry, facts);
    if (o.collectStatic === true && !(django && staticApp && hasStaticRoot) && flask?.assets === undefined) {
        throw new InputError(
            "`collectStatic`",
            `\`collectStatic\` is true, but ${django ? "the Django settings have no STATIC_ROOT (or no django.contrib.staticfiles)" : "the app is not a Django project"}, so there is nothing to collect into; remove \`collectStatic\`, or set STATIC_ROOT.`,
        );
    }
    if (django && manage && staticApp) {
        if (neverSet && rootCond) {
            notes.push(
                `collectstatic does not run: django.contrib.staticfiles is installed but ${rootCond.file} sets STATIC_ROOT only when \`${rootCond.text}\` holds, ` +
                    "which it does in no environment; set STATIC_ROOT outside that condition to collect the static files in the build.",
            );
        } else if (!hasStaticRoot) {
            notes.push(`collectstatic does not run: django.contrib.staticfiles is installed but ${django.settings.sourceOf("INSTALLED_APPS") ?? "the settings"} set no STATIC_ROOT to collect into.`);
        } else if (o.collectStatic === false) {
            notes.push("collectstatic is detected (django.contrib.staticfiles with STATIC_ROOT) but `collectStatic` is false: it does not run.");
        } else if (o.collectStatic === undefined && facts.disableCollectstatic !== undefined) {
            // Heroku's Python buildpack (and DigitalOcean's, which follows it) skips collectstatic when DISABLE_COLLECTSTATIC is set: the app ships its collected files.
            notes.push(
                `collectstatic does not run: ${facts.disableCollectstatic} sets DISABLE_COLLECTSTATIC, with which the platform's build skips it (the app ships its collected static files, and collecting again would rewrite their manifest); set \`collectStatic: true\` to run it.`,
            );
        } else {
            const env: Record<string, string> = { ...settingsEnv };
            const branchNote = staticRootBranch(django, o, env, imageEnv);
            // Django's deployment docs put STATIC_ROOT under /var/www: the runner copies it from the builder, as it copies /app.
            const rootFile = django.settings.sourceOf("STATIC_ROOT");
            const rootPath = rootFile === undefined ? undefined : django.settings.pathOf(staticRoot, rootFile, { ...env, ...o.buildEnv })?.replace(/\/+$/, "");
            const outside = rootPath !== undefined && rootPath.startsWith("/") && rootPath !== "" && !`${rootPath}/`.startsWith(`${DEFAULTS.workdir}/`) ? rootPath : undefined;
            // django-sass-processor: {% sass_src %} serves the compiled .css when DEBUG is off, which `compilescss` writes
            // beside the .scss (its docs' production steps: compilescss, then collectstatic).
            if (django.settings.installedApps.includes("sass_processor")) {
                steps.push({
                    name: "compilescss",
                    argv: ["python", "manage.py", "compilescss"],
                    workdir: manage.workdir,
                    env,
                    source: `django-sass-processor in INSTALLED_APPS (${django.settings.sourceOf("INSTALLED_APPS")})`,
                    off: "`collectStatic: false` (it goes before collectstatic)",
                });
                notes.push("compilescss (django-sass-processor) runs in the builder before collectstatic: with DEBUG off, {% sass_src %} links the compiled .css, which it writes.");
            }
            steps.push({
                name: "collectstatic",
                argv: ["python", "manage.py", "collectstatic", "--noinput"],
                workdir: manage.workdir,
                env,
                source: `django.contrib.staticfiles and STATIC_ROOT (${django.settings.sourceOf("STATIC_ROOT")})`,
                off: "`collectStatic: false`",
                ...(outside !== undefined ? { outputs: [outside] } : {}),
                ...(rootPath !== undefined && rootPath !== "" ? { fills: [rootPath.startsWith("/") ? rootPath : `${DEFAULTS.workdir}/${rootPath}`] } : {}),
            });
            if (outside !== undefined && !/^\/[A-Za-z0-9._/-]+$/.test(outside)) {
                throw new InputError(
                    rootFile!,
                    `STATIC_ROOT is ${JSON.stringify(outside)}, outside the app folder, and the image copies it from the builder by name, which takes only letters, digits, ".", "_", "-" and "/": ` +
                        "rename it, or put STATIC_ROOT under the project (BASE_DIR / \"staticfiles\").",
                );
            }
            if (outside !== undefined) {
                notes.push(`STATIC_ROOT is ${outside}, outside the app folder: collectstatic writes it in the builder and the runner copies it from there, read-only to the app's user like the code.`);
            }
            // What the settings read at import with no default, and the step's environment does not give, fails the build: name it.
            const missing = django.settings.requiredEnv(stepEnv(o, env));
            notes.push(
                missing.length === 0
                    ? `collectstatic runs in the builder with ${django.runtimeSettings} (the settings the server uses), so static files ship in the image; ` +
                          "settings it needs at import come from `buildEnv` and `buildSecrets`; `collectStatic: false` turns it off."
                    : `collectstatic runs in the builder with ${django.runtimeSettings} (the settings the server uses), so static files ship in the image, ` +
                          `but those settings read ${byFile(missing)} from the environment at import with no default, so the build fails without ${missing.length === 1 ? "it" : "them"}: ` +
                          `give ${missing.length === 1 ? "it" : "them"} with \`buildEnv\`, or \`buildSecrets\` for a secret (collectstatic opens no database or cache connection, so placeholder values do; ` +
                          "the server needs the real ones, from the component's `env` or `secretEnv`); `collectStatic: false` turns it off.",
            );
            if (branchNote) {
                notes.push(branchNote);
            }
            // gunicorn serves no files, and Django's static views answer only with DEBUG on: without middleware
            // that serves STATIC_ROOT (WhiteNoise, ServeStatic) or around the app, /static/ answers 404.
            const reader = moduleReader(src, roots);
            const served = reader.fileOf(entry.spec.split(":")[0]!);
            const wrappers = (served === undefined ? undefined : reader.parse(served.file))?.calls.map((c) => calleeOf(c) ?? "") ?? [];
            // django-heroku's settings(locals()) inserts WhiteNoise's middleware itself; with DEBUG on, the DEBUG note speaks instead.
            const serving =
                [...(django.settings.middleware ?? []), entry.wrapper ?? "", ...wrappers].some((m) => STATIC_SERVERS.some((s) => m.startsWith(s))) ||
                ["django-heroku", "django-on-heroku"].some((d) => facts.installed.has(d));
            const debugOn = django.settings.truthOf("DEBUG")?.holds(stepEnv(o, env)) === true;
            if (django.settings.middleware !== undefined && !serving && !debugOn) {
                notes.push(
                    `Nothing in the app serves the collected static files: MIDDLEWARE (${django.settings.sourceOf("MIDDLEWARE")}) has no WhiteNoise or ServeStatic middleware, gunicorn serves no files, ` +
                        "and Django's own static views answer only with DEBUG on, so STATIC_URL answers 404 (CSS, scripts, the admin's styles): " +
                        'add "whitenoise.middleware.WhiteNoiseMiddleware" after SecurityMiddleware (and whitenoise to the dependencies), or serve STATIC_ROOT from a proxy in front.',
                );
            }
            // With DEBUG on, Django's static view serves only where runserver adds it, or where the URLconf does
            // (`urlpatterns += staticfiles_urlpatterns()`, `static(settings.STATIC_URL, ...)`); gunicorn runs neither.
            const urlconf = django.settings.text("ROOT_URLCONF");
            const urls = urlconf === undefined ? undefined : reader.fileOf(urlconf);
            const urlsMod = urls === undefined ? undefined : reader.parse(urls.file);
            const staticInUrls = urlsMod?.calls.some((c) => {
                const callee = calleeOf(c) ?? "";
                return callee === "django.contrib.staticfiles.urls.staticfiles_urlpatterns" || (callee === "django.conf.urls.static.static" && c.args[0] !== undefined && exprText(c.args[0]).includes("STATIC_URL"));
            });
            if (django.settings.middleware !== undefined && !serving && debugOn && urlsMod !== undefined && staticInUrls === false) {
                notes.push(
                    `Nothing in the app serves the collected static files: MIDDLEWARE (${django.settings.sourceOf("MIDDLEWARE")}) has no WhiteNoise or ServeStatic middleware, gunicorn serves no files, ` +
                        `and with DEBUG on Django serves them only under runserver or where the URLconf adds them, which ${urls!.file} does not (no staticfiles_urlpatterns(), no static(settings.STATIC_URL, ...)), so STATIC_URL answers 404 (CSS, scripts, the admin's styles): ` +
                        'add "whitenoise.middleware.WhiteNoiseMiddleware" after SecurityMiddleware (and whitenoise to the dependencies), or serve STATIC_ROOT from a proxy in front.',
                );
            }
            // django-compressor's offline compression: with COMPRESS_OFFLINE, {% compress %} only reads the manifest `compress` writes.
            // As the settings evaluate in the build's environment (`COMPRESS_OFFLINE = not DEBUG`, an environment read with a default).
            const offline = django.settings.truthOf("COMPRESS_OFFLINE")?.holds(stepEnv(o, env)) === true;
            if (django.settings.installedApps.includes("compressor") && offline) {
                steps.push({
                    name: "compress",
                    argv: ["python", "manage.py", "compress", "--force"],
                    workdir: manage.workdir,
                    env,
                    source: `django-compressor with COMPRESS_OFFLINE (${django.settings.sourceOf("COMPRESS_OFFLINE")})`,
                    off: "`collectStatic: false` (it follows collectstatic)",
                });
                notes.push(
                    "compress (django-compressor's offline compression) runs in the builder after collectstatic: with COMPRESS_OFFLINE, every {% compress %} block reads the manifest it writes, " +
                        "and a page whose block is missing from it fails with OfflineGenerationError.",
                );
            }
        }
    }

    // collectstatic has copied what STATICFILES_DIRS serves from node_modules into STATIC_ROOT: the runner needs no node_modules.
    // Without collectstatic the app's finders serve them from there (DEBUG, WhiteNoise's finders), so they stay.
    if (nodeModules.length > 0 && steps.some((s) => s.name === "collectstatic")) {
        const dirs = nodeModules.map((m) => (m.dir === "" ? `${DEFAULTS.workdir}/node_modules` : `${DEFAULTS.workdir}/${m.dir}/node_modules`));
        steps.push({
            name: "rm node_modules",
            argv: ["rm", "-rf", ...dirs],
            workdir: DEFAULTS.workdir,
            env: {},
            source: "collectstatic copied what STATICFILES_DIRS serves from node_modules",
            off: "`frontendBuild: false`",
        });
        notes.push(`node_modules (${dirs.join(", ")}) is removed after collectstatic, which copied the files STATICFILES_DIRS serves from it into STATIC_ROOT: the runner gets only those.`);
    }

    // compilemessages: .po catalogues without their compiled .mo.
    if (django && manage) {
        const uncompiled = poWithoutMo(src, django.root);
        if (uncompiled.length > 0) {
            steps.push({
                name: "compilemessages",
                argv: ["python", "manage.py", "compilemessages"],
                workdir: manage.workdir,
                env: settingsEnv,
                source: `translation catalogues without their .mo (${uncompiled.slice(0, 3).join(", ")}${uncompiled.length > 3 ? ", ..." : ""})`,
                off: "removing the .po files or committing the compiled .mo files",
            });
            apt.push("gettext");
            notes.push(`compilemessages runs in the builder (gettext added there): ${uncompiled.length} translation catalogue(s) have no compiled .mo.`);
        }
    }

    if (flask) {
        steps.push(...pybabelSteps(src, flask.translationDirs, notes));
        if (flask.assets) {
            const step = assetsStep(src, o, entry, facts, flask.assets, flask.rootPath, notes);
            if (step) {
                steps.push(step);
            }
        }
    }

    o.buildCommands.forEach((argv, i) => {
        steps.push({
            name: `buildCommands[${i}]`,
            argv,
            workdir: entry.chdir === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${entry.chdir}`,
            env: {},
            source: "`buildCommands`",
            off: "removing it from `buildCommands`",
        });
    });
    return { steps, apt, imageEnv };
}

const NO_STATIC_ROOT = "\"You're using the staticfiles app without having set the STATIC_ROOT setting\"";

/**
 * STATIC_ROOT set only in an `if` branch (Render's tutorial: `DEBUG = 'RENDER'
 * not in os.environ`, then `if not DEBUG: STATIC_ROOT = ...`): collectstatic
 * would run in the other branch, with no STATIC_ROOT, and fail. When one
 * variable's value certainly selects the branch, the step gets it (added to
 * `env`); otherwise the note says what decides it and how to give it.
 * Returns the note, or undefined when the build meets the branch as it is.
 */
function staticRootBranch(django: DjangoProject, o: CheckedOptions, env: Record<string, string>, imageEnv: Record<string, string>): string | undefined {
    const cond = django.settings.whenSet("STATIC_ROOT");
    const base = stepEnv(o, env);
    const now = cond?.holds(base);
    if (!cond || now === true) {
        return undefined;
    }
    const through = cond.via.map((v) => `${v.name} = ${v.text}${v.file === cond.file ? "" : ` in ${v.file}`}`);
    const where = `STATIC_ROOT is set only when \`${cond.text}\` holds (${[cond.file, ...through].join("; ")}), which the build ${now === false ? "does not meet" : "may not meet"} by itself`;
    const fixed = new Set([...Object.keys(o.buildEnv), ...o.buildSecrets, ...Object.keys(env)]);
    const sw = cond.switchTo(true, base, fixed);
    if (sw) {
        env[sw.variable] = sw.value;
        // The server runs the branch the build collected for (`if "DYNO" in os.environ: django_heroku.settings(...)`), unless that
        // branch turns DEBUG off with no host in ALLOWED_HOSTS: then every request would answer 400, and the note says so instead.
        const switched: EnvView = (name) => (name === sw.variable ? sw.value : base(name));
        const hosts = django.settings.entriesOf("ALLOWED_HOSTS");
        const answers = django.settings.truthOf("DEBUG")?.holds(switched) !== false || (hosts?.items.length ?? 0) > 0;
        if (answers) {
            imageEnv[sw.variable] = sw.value;
        }
        return (
            `${where}: collectstatic runs with ${sw.variable}=${sw.value}${sw.anyValue ? " (any value does)" : ""} to collect into that STATIC_ROOT, ` +
            (answers
                ? `and the image sets ${sw.variable}=${sw.value} too, so the server runs the same settings (the container's environment overrides it)`
                : `which the server uses when its container sets ${sw.anyValue ? sw.variable : `${sw.variable}=${sw.value}`} too (with DEBUG off then, and ALLOWED_HOSTS to give)`) +
            `; set ${sw.variable} in \`buildEnv\` to override it.`
        );
    }
    const given = cond.variables.filter((v) => fixed.has(v));
    if (cond.variables.length > 0) {
        const vars = cond.variables.join(", ");
        return (
            `${where}, and it depends on ${vars}${given.length > 0 ? ` (${given.join(", ")} given by \`buildEnv\`)` : ""}: ` +
            `give ${cond.variables.length === 1 ? "it" : "them"} the value that meets it in \`buildEnv\`, or collectstatic fails with Django's ${NO_STATIC_ROOT}; ` +
            "or set STATIC_ROOT outside the condition, or `collectStatic: false`."
        );
    }
    return (
        `${where}: collectstatic then fails with Django's ${NO_STATIC_ROOT}; set STATIC_ROOT outside the condition, ` +
        "give what the condition needs with `buildEnv`, or set `collectStatic: false`."
    );
}

/**
 * DEBUG on unless the environment says otherwise, with development apps the
 * image does not install (debug_toolbar from requirements-dev.txt) added under
 * it: importing the settings fails (ModuleNotFoundError) in collectstatic and
 * in every worker. The variable that turns DEBUG off goes to the build steps
 * and the image (the container's env overrides it), as a production deploy
 * sets it.
 */
function devAppsSwitch(django: DjangoProject, o: CheckedOptions, env: Record<string, string>, imageEnv: Record<string, string>, installed: ReadonlySet<string>, notes: string[]): void {
    const missing = DJANGO_DEV_APPS.filter((a) => django.settings.installedApps.includes(a.app) && !installed.has(a.distribution));
    const debug = django.settings.truthOf("DEBUG");
    const base = stepEnv(o, env);
    if (missing.length === 0 || debug === undefined || debug.holds(base) !== true) {
        return;
    }
    const fixed = new Set([...Object.keys(o.buildEnv), ...o.buildSecrets]);
    const sw = debug.switchTo(false, base, fixed);
    const apps = missing.map((a) => `${a.app} (${a.distribution})`).join(", ");
    if (!sw) {
        // DEBUG = True as a literal: no variable turns it off; another settings module does.
        const fix = debug.variables.length === 0 ? "Run the production settings (DJANGO_SETTINGS_MODULE in `buildEnv` and `env`)" : "Turn DEBUG off in `buildEnv` and `env`";
        notes.push(`With DEBUG on, as ${debug.file} leaves it, the settings add ${apps}, which the dependencies do not install: the build and every worker fail with ModuleNotFoundError. ${fix}, or install ${missing.length > 1 ? "them" : "it"}.`);
        return;
    }
    env[sw.variable] = sw.value;
    imageEnv[sw.variable] = sw.value;
    notes.push(
        `With DEBUG on, as ${debug.file} leaves it, the settings add ${apps}, which the dependencies do not install (a development requirements file has ${missing.length > 1 ? "them" : "it"}): ` +
            `the build steps and the image run with ${sw.variable}=${sw.value}, which turns DEBUG off (the container's environment overrides it); DEBUG off, Django answers only the hosts in ALLOWED_HOSTS.`,
    );
}

/** The environment a build step runs with: `buildEnv` over the step's own variables; a build secret is set, to a value not known here. */
function stepEnv(o: CheckedOptions, env: Readonly<Record<string, string>>): EnvView {
    return (name) =>
        Object.prototype.hasOwnProperty.call(o.buildEnv, name) ? o.buildEnv[name] : o.buildSecrets.includes(name) ? null : Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
}

/** "A (x.py), B, C (y.py)": variables with the file that reads them, each file named once after its last variable. */
function byFile(vars: ReadonlyArray<{ readonly variable: string; readonly file: string }>): string {
    return vars.map((v, i) => (vars[i + 1]?.file === v.file ? v.variable : `${v.variable} (${v.file})`)).join(", ");
}

/** The Flask app's build facts, when it is a Flask app (or installs Flask-Babel or Flask-Assets). */
function flaskBuild(src: SourceTree, entry: Entrypoint, facts: BuildFacts): ReturnType<typeof flaskBuildFacts> | undefined {
    const babel = BABEL.some((n) => facts.installed.has(n));
    const assets = facts.installed.has("flask-assets");
    if (entry.framework !== "flask" && !babel && !assets) {
        return undefined;
    }
    const roots = servedRoots(entry);
    const found = flaskBuildFacts(src, roots);
    return { ...found, translationDirs: babel ? found.translationDirs : [], assets: assets ? found.assets : undefined };
}

/** Middleware and WSGI wrappers that serve Django's STATIC_ROOT from the app's own process, by module prefix. */
const STATIC_SERVERS = ["whitenoise.", "servestatic.", "dj_static."];

/** Distributions that install Babel's `pybabel` (Flask-Babel and its forks depend on Babel). */
const BABEL = ["babel", "flask-babel", "flask-babelex", "flask-babelplus"];

/**
 * `pybabel compile -d <folder>` for each folder Flask-Babel reads that holds
 * .po catalogues without their .mo: gettext reads only the compiled .mo, so
 * without it every page silently stays in the source language. Babel (which
 * Flask-Babel depends on) is pure Python: no gettext in the builder.
 */
function pybabelSteps(src: SourceTree, dirs: ReadonlyArray<{ dir: string; why: string }>, notes: string[]): BuildStep[] {
    const steps: BuildStep[] = [];
    for (const { dir, why } of dirs) {
        const uncompiled = poWithoutMo(src, dir);
        if (uncompiled.length === 0) {
            continue;
        }
        // pybabel compiles the "messages" domain unless told the others: -D takes a space-separated list.
        const domains = [...new Set(uncompiled.map((f) => f.slice(f.lastIndexOf("/") + 1, -3)))].sort();
        const domainArgs = domains.length === 1 && domains[0] === "messages" ? [] : ["-D", domains.join(" ")];
        steps.push({
            name: "pybabel compile",
            argv: ["pybabel", "compile", "-d", dir, ...domainArgs],
            workdir: DEFAULTS.workdir,
            env: {},
            source: `Babel and translation catalogues without their .mo in ${dir}/ (${why}): ${uncompiled.slice(0, 3).join(", ")}${uncompiled.length > 3 ? ", ..." : ""}`,
            off: "removing the .po files or committing the compiled .mo files",
        });
        const target = makeTarget(src, "pybabel compile");
        notes.push(
            `pybabel compile runs in the builder for ${dir}/ (${why}): ${uncompiled.length} translation catalogue(s) have no compiled .mo, which Flask-Babel needs to translate` +
                `${target ? ` (the Makefile's \`${target}\` target compiles them outside the image)` : ""}; commit the .mo files or remove the .po files to turn it off.`,
        );
    }
    return steps;
}

/** The Makefile target whose recipe runs a command, for the note. Makefile syntax, not Python: a line read is enough. */
function makeTarget(src: SourceTree, command: string): string | undefined {
    const lines = src.readIfFile("Makefile")?.split(/\r?\n/) ?? [];
    let target: string | undefined;
    for (const line of lines) {
        const rule = /^([A-Za-z0-9_.\/-]+)\s*:(?!=)/.exec(line);
        if (rule) {
            target = rule[1];
        } else if (line.startsWith("\t") && line.includes(command)) {
            return target;
        }
    }
    return undefined;
}

/**
 * Flask-Assets' bundles, built in the builder with `flask --app <app> assets
 * build`: webassets otherwise writes them (and its cache, static/.webassets-cache)
 * into the static folder when a page first names them, which a read-only
 * root refuses. Built here, the outputs and the cache ship in the image, in
 * the static folder Flask serves them from; at run time ASSETS_AUTO_BUILD's
 * check finds each output newer than its sources and the bundle definition
 * unchanged (from the cache), and writes nothing. The filters (rjsmin,
 * cssmin, libsass...) run from the venv the server uses.
 */
function assetsStep(src: SourceTree, o: CheckedOptions, entry: Entrypoint, facts: BuildFacts, assets: FlaskAssets, rootPath: string | undefined, notes: string[]): BuildStep | undefined {
    if (assets.outputs.length === 0 && assets.yaml.length === 0) {
        return undefined;
    }
    const outputs = assets.outputs.map((b) => b.output);
    const what =
        outputs.length > 0
            ? `bundle${outputs.length === 1 ? "" : "s"} ${outputs.join(", ")}${assets.yaml.length > 0 ? ` and those ${assets.yaml.join(", ")} loads from YAML` : ""}`
            : `the bundles ${assets.yaml.join(", ")} loads from YAML`;
    const staticDir = `${rootPath === undefined || rootPath === "" ? "" : `${rootPath}/`}static`;
    const one = outputs.length === 1 && assets.yaml.length === 0;
    if (o.collectStatic === false) {
        notes.push(
            `Flask-Assets' ${what} (${assets.file}) ${one ? "is" : "are"} not built in the builder: \`collectStatic\` is false, so webassets writes ${one ? "it" : "them"}, and its cache, into ${staticDir}/ on the first page that names them, ` +
                "which the read-only root refuses unless those folders are made writable (`writablePaths`) or the outputs are committed.",
        );
        return undefined;
    }
    const env: Record<string, string> = facts.pythonPath.length > 0 ? { PYTHONPATH: facts.pythonPath.map((p) => (p === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${p}`)).join(":") } : {};
    const workdir = entry.chdir === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${entry.chdir}`;
    // webassets writes its cache files with mkstemp's mode 0600: owned by the builder's root, the app's user could not read them, and
    // webassets reads the cache on every page (the bundle definitions, the versions in its manifest). They are made readable by all.
    const cache = assets.cache === false ? undefined : assets.cache === undefined ? `${DEFAULTS.workdir}/${staticDir}/.webassets-cache` : joinPath(workdir, assets.cache);
    const before22 = facts.flaskBefore22 === true;
    const build = before22 ? `FLASK_APP=${flaskApp(entry)} flask assets build` : `flask --app ${flaskApp(entry)} assets build`;
    const q = (word: string): string => (/^[\w./:=@%+-]+$/.test(word) ? word : `'${word.split("'").join("'\\''")}'`);
    // `flask assets build` logs a bundle it cannot build and goes on (exit status 0): say before the build what will fail it.
    for (const bundle of assets.outputs) {
        // (Only a package manager's folder is certain: other inputs may resolve through a blueprint's static folder or a load path.)
        const missing = bundle.inputs.filter((i) => /^(node_modules|bower_components)\//.test(i) && !src.isFile(`${staticDir}/${i}`) && !src.isFile(i));
        const programs = bundle.filters.flatMap((f) => (FILTER_PROGRAMS[f] === undefined ? [] : [`${f} (the ${FILTER_PROGRAMS[f]} program)`]));
        if (missing.length > 0) {
            notes.push(
                `Flask-Assets' bundle ${bundle.output} (${bundle.file}) reads ${missing.join(", ")}, which ${staticDir}/ does not hold (a package manager installs ${missing.length > 1 ? "them" : "it"}): ` +
                    "`flask assets build` logs the bundle's error and goes on, and every page that names the bundle answers 500. " +
                    `Commit those files under ${staticDir}/, or have package.json's \`build\` script copy them there (the image runs \`npm ci\` and \`npm run build\` first, then removes node_modules).`,
            );
        }
        if (programs.length > 0) {
            notes.push(
                `Flask-Assets' bundle ${bundle.output} (${bundle.file}) uses the filter ${programs.join(", ")}, which the image does not have: the bundle is not built and the pages that name it answer 500. ` +
                    'Use a filter webassets runs in Python (`filters="libsass"` with libsass installed, for SCSS), or commit the built file.',
            );
        }
    }
    notes.push(
        `${build} runs in the builder: Flask-Assets' ${what} (${assets.file}) and webassets' cache are written into ${staticDir}/ there and ship in the image, ` +
            "where webassets would otherwise write them on the first page that names them, which the read-only root refuses; " +
            "the build imports the app, so what it reads at import with no default comes from `buildEnv` and `buildSecrets`; `collectStatic: false` turns it off.",
    );
    return {
        name: "assets build",
        argv:
            cache === undefined
                ? flaskCommand(flaskApp(entry), ["assets", "build"], before22)
                : ["sh", "-c", `${flaskCommand(flaskApp(entry), ["assets", "build"], before22).map(q).join(" ")} && if [ -d ${q(cache)} ]; then chmod -R a+rX ${q(cache)}; fi`],
        workdir,
        env,
        source: `Flask-Assets bundles with an output (${[...new Set([...assets.outputs.map((b) => b.file), ...assets.yaml])].join(", ")})`,
        off: "`collectStatic: false`",
    };
}

/** webassets' filters that run a program (`filters="scss"` runs Ruby's or Dart's `sass`), and that program; its Python filters (libsass, pyscss, rjsmin, cssmin) need none. */
const FILTER_PROGRAMS: Readonly<Record<string, string>> = byName({
    sass: "sass",
    scss: "sass",
    less: "lessc",
    stylus: "stylus",
    coffeescript: "coffee",
    typescript: "tsc",
    uglifyjs: "uglifyjs",
    cleancss: "cleancss",
    autoprefixer: "autoprefixer",
    babel: "babel",
    postcss: "postcss",
    closure_js: "java",
    yui_js: "java",
    yui_css: "java",
});

/** .po files under locale/ folders (three levels deep at most) with no .mo beside them. */
function poWithoutMo(src: SourceTree, root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string, depth: number): void => {
        for (const e of src.list(dir)) {
            const rel = dir === "" ? e.name : `${dir}/${e.name}`;
            if (e.isDirectory() && depth < 6 && !e.name.startsWith(".") && e.name !== "node_modules" && e.name !== "venv" && e.name !== ".venv") {
                walk(rel, depth + 1);
            } else if (e.isFile() && e.name.endsWith(".po") && rel.includes("/LC_MESSAGES/") && !src.isFile(`${rel.slice(0, -3)}.mo`)) {
                out.push(rel);
            }
        }
    };
    walk(root, 0);
    return out.sort();
}

/** A Procfile command as words: plain words when it has no shell syntax, else `sh -c` (the platforms run it with a shell too). */
function procfileCommand(text: string): string[] {
    const tokens = shellTokens(text);
    const plain = tokens.every((t) => typeof t === "string" && !t.includes("$"));
    if (!plain || tokens.length === 0) {
        return ["sh", "-c", text];
    }
    // `NAME=value python manage.py migrate`: the shell sets the variables for the command; an exec-form command needs env(1) for it.
    return /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[0] as string) ? ["env", ...(tokens as string[])] : (tokens as string[]);
}

/** A release command without the environment runners that start it (`uv run`, `poetry run`...): they are not in the image, whose venv is on PATH. */
function runnerFree(command: string, source: string, notes: string[]): string {
    const { text, runners } = withoutRunners(command);
    if (runners.length > 0) {
        notes.push(`${source} runs through \`${[...new Set(runners)].join("`, `")}\`, which runs commands in the project's environment: the image's venv is that environment and is on PATH, so the release step runs without it.`);
    }
    return pathFree(text, source, notes);
}

/** Folders of the system's own programs: a path there names the same program in this image. */
const SYSTEM_BIN = new Set(["/bin", "/sbin", "/usr/bin", "/usr/sbin"]);

/**
 * A command's program named by its path in the app's own image (bakerydemo's heroku.yml release `/venv/bin/python manage.py
 * migrate`, `/usr/local/bin/python`): that path is not in this image, whose venv is on PATH; the program by its name alone.
 */
function pathFree(text: string, source: string, notes: string[]): string {
    const tokens = shellTokens(text);
    if (!tokens.every((t) => typeof t === "string" || ("op" in t && t.op === "&&"))) {
        return text;
    }
    const changed: string[] = [];
    const out = commands(tokens).map((c) => {
        const at = c.words.findIndex((w) => !isAssignment(w));
        const program = c.words[at];
        const dir = program === undefined ? "" : program.slice(0, program.lastIndexOf("/"));
        if (program === undefined || !program.startsWith("/") || !dir.endsWith("/bin") || SYSTEM_BIN.has(dir) || program.includes("$")) {
            return c.words;
        }
        const name = program.slice(dir.length + 1);
        changed.push(program);
        return [...c.words.slice(0, at), /^python(3(\.\d+)?)?$/.test(name) ? "python" : name, ...c.words.slice(at + 1)];
    });
    if (changed.length === 0) {
        return text;
    }
    notes.push(`${source} runs ${changed.map((p) => `\`${p}\``).join(", ")}, a path in the app's own image: the release step runs the program by its name, from the image's venv on PATH.`);
    return out.map((w) => displayWords(w)).join(" && ");
}


/** What the rest of the plan knows that decides the release step. */
export interface ReleaseFacts {
    /** Projects the install step installs. */
    readonly installed: ReadonlySet<string>;
    /** The app keeps an SQLite database of its own (a detected database file, or a folder it is kept in): migrations can run at deploy. */
    readonly sqlite: boolean;
    /**
     * Where the app's SQLite database is kept, absolute: a data folder (Flask's instance folder, a database's own folder), or the
     * file itself (linked into /data: it exists once its link's target does).
     */
    readonly database?: { readonly dir: string } | { readonly file: string };
    /** The Flask installed is older than 2.2, whose CLI has no --app option: commands get FLASK_APP instead. */
    readonly flaskBefore22?: boolean;
    /** The install step installs the app's own project, so its console scripts ([project.scripts], [tool.poetry.scripts]) are on PATH. */
    readonly installsProject?: boolean;
}

/** Click groups a project makes for its own command line (a console script runs them, not `flask`). */
const OWN_GROUPS = new Set(["click.Group", "click.group", "flask.cli.AppGroup", "flask.cli.FlaskGroup"]);

/** Names of the CLI commands apps give their "create the tables" step (Flask's tutorial: `flask init-db`). */
const INIT_DB_COMMANDS = new Set(["init-db", "init_db", "initdb", "create-db", "create_db", "createdb"]);

/**
 * A click command of the app's code named like INIT_DB_COMMANDS:
 * `@click.command("init-db")` (registered with app.cli.add_command) or
 * `@app.cli.command("init-db")`; unnamed, click names it after the function
 * (underscores to dashes, a `_command`/`_cmd` suffix dropped).
 */
function initDbCommand(src: SourceTree, entry: Entrypoint): { file: string; name: string; group?: string } | undefined {
    const roots = servedRoots(entry);
    const reader = moduleReader(src, roots);
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        for (const d of mod?.decorators ?? []) {
            if (d.callee !== "click.command" && !d.callee.endsWith(".cli.command")) {
                continue;
            }
            // `@cli.command()` on the project's own group (realms-wiki's `cli = AppGroup()`, run by its console script):
            // not a `flask` command, or one under the group's name.
            const owner = d.callee.slice(0, -".command".length);
            const cut = owner.lastIndexOf(".");
            const home = cut < 0 ? mod : reader.parse(reader.fileOf(owner.slice(0, cut), c)?.file ?? "");
            const made = home?.value(cut < 0 ? owner : owner.slice(cut + 1));
            const own = made?.kind === "call" && OWN_GROUPS.has(calleeOf(made) ?? "");
            const name = str(d.args[0]) ?? d.target?.replace(/_(command|cmd)$/, "").replace(/_/g, "-");
            if (name !== undefined && INIT_DB_COMMANDS.has(name)) {
                return { file: c.file, name, ...(own ? { group: owner } : {}) };
            }
        }
    }
    return undefined;
}

/**
 * The folder Flask-Migrate keeps its migrations in, as the app gives it: `Migrate(app, db, directory="migrations_db")`
 * (or the third argument), or `migrate.init_app(app, db, directory=...)` in a module that imports flask_migrate;
 * relative to the working folder, as `flask db upgrade` reads it. @default "migrations" (also when it is computed).
 */
function flaskMigrateDirectory(src: SourceTree, entry: Entrypoint): string {
    const roots = servedRoots(entry);
    const reader = moduleReader(src, roots);
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        if (mod === undefined || ![...mod.imported].some((m) => m === "flask_migrate" || m.startsWith("flask_migrate."))) {
            continue;
        }
        for (const call of mod.calls) {
            const callee = calleeOf(call) ?? "";
            const given = callee === "flask_migrate.Migrate" ? (call.kwargs["directory"] ?? call.args[2]) : callee.endsWith(".init_app") ? call.kwargs["directory"] : undefined;
            const dir = str(given)?.replace(/\/+$/, "");
            if (dir !== undefined && dir !== "" && !dir.startsWith("/") && !dir.split("/").includes("..")) {
                return dir;
            }
        }
    }
    return "migrations";
}

/** The project's console script ([project.scripts], [tool.poetry.scripts]) named like INIT_DB_COMMANDS, with its `module:function`. */
function initDbScript(src: SourceTree): { name: string; target: string } | undefined {
    const pyproject = pyprojectOf(src);
    const tables = [table(table(pyproject, "tool"), "poetry"), table(pyproject, "project")];
    for (const scripts of tables.map((t) => table(t, "scripts"))) {
        for (const [name, target] of Object.entries(scripts ?? {})) {
            // Named like one (`init-db`), or calling a function named like one (`linkshort-init = "linkshort.cli:init_db"`).
            const fn = typeof target === "string" ? target.trim().split(":").pop()!.split(".").pop()! : "";
            if ((INIT_DB_COMMANDS.has(name) || INIT_DB_COMMANDS.has(fn)) && typeof target === "string" && /^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_.]*$/.test(target.trim())) {
                return { name, target: target.trim() };
            }
        }
    }
    return undefined;
}

export function planRelease(src: SourceTree, o: CheckedOptions, entry: Entrypoint, facts: ReleaseFacts, notes: string[]): ReleasePlan | undefined {
    const workdir = entry.chdir === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${entry.chdir}`;
    const found = detectRelease(src, entry, facts, notes);
    const detected = found && entry.framework === "flask" ? withFlaskApp(src, found, entry, facts.installed, notes, facts.flaskBefore22 === true) : found;
    if (o.releaseCommand === false) {
        if (detected) {
            notes.push(`A release step is detected (${detected.source}: ${displayWords(detected.command)}), but \`releaseCommand\` turns it off ([]): it does not run.`);
        }
        return undefined;
    }
    if (o.releaseCommand !== undefined) {
        return { command: o.releaseCommand, workdir, source: "`releaseCommand`" };
    }
    if (detected) {
        notes.push(
            `Release step (${detected.source}): \`${displayWords(detected.command)}\` runs once per deploy with the new image, before the new container takes traffic (PythonApp). ` +
                "It runs again whenever the image changes, so it must be safe to rerun (migrations are; a command that recreates tables is not). " +
                "Set `releaseCommand` to change it, or [] to skip it.",
        );
    }
    return detected;
}

/**
 * A command that belongs to the build, not to a release: collectstatic and
 * translation compiles write beside the code, which is read-only in the
 * container (the build runs them); the reason, for a note.
 */
function buildOnly(words: readonly string[]): string | undefined {
    const isManage = words[0]?.startsWith("python") && words[1]?.endsWith("manage.py");
    if (isManage && words[2] === "collectstatic") {
        return "collectstatic belongs to the build, where the image runs it when STATIC_ROOT is set";
    }
    const skip = words[0] === "env" ? words.findIndex((w, i) => i > 0 && !w.includes("=")) : 0;
    const run = words.slice(Math.max(skip, 0));
    if ((run[0] === "pybabel" && run[1] === "compile") || (isManage && words[2] === "compilemessages") || (run[0] === "flask" && run[run.length - 1] === "compile")) {
        return "compiling translations writes beside the code, which is read-only in the container: the build compiles catalogues that lack their .mo files";
    }
    return undefined;
}

/**
 * The Procfile's release (its line, or the script it runs: Heroku's
 * `release: ./release-tasks.sh`) without the commands that belong to the
 * build: in the release container the code is read-only, so `collectstatic`
 * there fails the deploy. Only a plain list of commands (one per line, or
 * joined with && and ;) is rewritten; undefined when nothing is dropped, null when nothing is left.
 */
function releaseWithoutBuildSteps(src: SourceTree, release: string, source: string, notes: string[], staticRoot?: string): ReleasePlan | null | undefined {
    const script = scriptOf(src, release);
    const text = script?.commands ?? release;
    const tokens = shellTokens(text);
    const cmds = commands(tokens);
    if (tokens.some((t) => typeof t !== "string" && !("op" in t && (t.op === "&&" || t.op === ";"))) || cmds.some((c) => CONTROL_WORDS.has(c.words[0] ?? ""))) {
        const inside = cmds.filter((c) => buildOnly(c.words) !== undefined);
        if (inside.length === 0) {
            return undefined;
        }
        const where = script === undefined ? `The release command (${source})` : `${script.file} (${source})`;
        const listed = inside.map((c) => `\`${displayWords(c.words)}\``).join(", ");
        // collectstatic writes STATIC_ROOT: a throwaway tmpfs there lets the script run as it did on its platform.
        const collects = inside.some((c) => c.words[2] === "collectstatic");
        if (collects && staticRoot !== undefined) {
            notes.push(
                `${where} runs ${listed} among its other commands, which the image runs as they are: the release container gets a throwaway tmpfs at STATIC_ROOT (${staticRoot}) ` +
                    "for it, since the code is read-only there; the static files the server uses are the build's.",
            );
            return { command: procfileCommand(release), workdir: DEFAULTS.workdir, source, scratch: [staticRoot] };
        }
        notes.push(
            `${where} runs ${listed} among its other commands, which the image runs as they are: ` +
                "in the release container the code is read-only, so that step fails there; the build already runs it. Take it out, or set `releaseCommand`.",
        );
        return undefined;
    }
    const dropped = cmds.map((c) => ({ words: c.words, why: buildOnly(c.words) })).filter((c) => c.why !== undefined);
    if (dropped.length === 0) {
        return undefined;
    }
    const kept = cmds.filter((c) => buildOnly(c.words) === undefined).map((c) => displayWords(c.words));
    const where = script === undefined ? `The release command (${source})` : `${script.file} (${source})`;
    notes.push(
        `${where} runs ${dropped.map((d) => `\`${displayWords(d.words)}\``).join(", ")}: ${[...new Set(dropped.map((d) => d.why))].join("; ")}. ` +
            (kept.length > 0 ? `The release step runs the rest: \`${kept.join(" && ")}\`.` : "Nothing else is left to run, so there is no release step."),
    );
    if (kept.length === 0) {
        return null;
    }
    const joined = kept.join(" && ");
    return { command: kept.length === 1 ? procfileCommand(joined) : ["sh", "-c", joined], workdir: DEFAULTS.workdir, source };
}

/** Django's STATIC_ROOT as an absolute path in the image, when the settings set it readably. */
function staticRootOf(entry: Entrypoint): string | undefined {
    const settings = entry.django?.settings;
    const file = settings?.sourceOf("STATIC_ROOT");
    const p = settings === undefined || file === undefined ? undefined : settings.pathOf(settings.get("STATIC_ROOT"), file);
    return p === undefined || p === "" ? undefined : p.startsWith("/") ? p : `${DEFAULTS.workdir}/${p}`;
}

/** The tables of the Django settings' DatabaseCache caches (any settings branch's CACHES), which `createcachetable` makes. */
function databaseCacheTables(django: DjangoProject): string[] {
    // A cache chosen by a conditional expression (legadilo's `{DatabaseCache...} if IS_PRODUCTION else {LocMemCache...}`): either branch.
    const branches = (c: Expr): Expr[] => (c.kind === "cond" ? [...branches(c.then), ...branches(c.otherwise)] : [c]);
    const tables = django.settings.variants("CACHES").flatMap(({ expr }) =>
        expr.kind !== "dict"
            ? []
            : expr.entries.flatMap(([, given]) => branches(given).flatMap((c) => (str(dictGet(c, "BACKEND")) === "django.core.cache.backends.db.DatabaseCache" ? [str(dictGet(c, "LOCATION")) ?? "?"] : []))),
    );
    return [...new Set(tables)];
}

/** Commands that change files' owner or mode: a start script's `chown -R www-data data` fits its own image, not this one. */
const OWNERSHIP_COMMANDS = new Set(["chown", "chgrp", "chmod"]);

function detectRelease(src: SourceTree, entry: Entrypoint, facts: ReleaseFacts, notes: string[]): ReleasePlan | undefined {
    const procfile = entry.procfile;
    // The platforms run Procfile commands in the app's root folder.
    if (procfile?.release !== undefined) {
        // Folder commands (mkdir, rm -r) run at every start from the gunicorn config; collectstatic and translation compiles in the build.
        const before = (procfile.web?.before ?? []).filter((cmd) => folderCommand(cmd) === undefined && buildOnly(procfileCommand(cmd)) === undefined);
        if (before.length > 0) {
            notes.push(
                `${procfile.origin.web} also runs ${before.map((b) => `\`${b}\``).join(", ")} before the server; the image runs ${procfile.origin.releaseSource} as the release step instead, so ${before.length === 1 ? "it does" : "they do"} not run: ` +
                    "add what it does to the release command if it is needed.",
            );
        }
        const release = runnerFree(procfile.release, procfile.origin.releaseSource, notes);
        const rewritten = releaseWithoutBuildSteps(src, release, procfile.origin.releaseSource, notes, staticRootOf(entry));
        return rewritten === null ? undefined : (rewritten ?? { command: procfileCommand(release), workdir: DEFAULTS.workdir, source: procfile.origin.releaseSource });
    }
    const fly = flyReleaseCommand(src);
    if (fly !== undefined) {
        return { command: procfileCommand(runnerFree(fly, "fly.toml's release_command", notes)), workdir: DEFAULTS.workdir, source: "fly.toml [deploy] release_command" };
    }
    const django = entry.django;
    const databases = django?.settings.databases;
    const hasDatabase = databases !== undefined && (databases.sqlite.length > 0 || databases.other || databases.unknown.length > 0);
    const before = procfile?.web?.before ?? [];
    if (before.length > 0) {
        const kept: string[] = [];
        const folders: string[] = [];
        const owners: string[] = [];
        for (const cmd of before) {
            const words = procfileCommand(cmd);
            if (folderCommand(cmd) !== undefined) {
                folders.push(cmd);
                continue;
            }
            if (OWNERSHIP_COMMANDS.has(words[0] ?? "")) {
                owners.push(cmd);
                continue;
            }
            // collectstatic and translation compiles (pybabel compile, manage.py compilemessages, microblog's `flask translate compile`)
            // write beside the code, which is read-only at run time: the build runs them.
            const why = buildOnly(words);
            if (why !== undefined) {
                notes.push(`${procfile!.origin.subject} runs \`${cmd}\` before the server; ${why}.`);
                continue;
            }
            const isManage = words[0]?.startsWith("python") && words[1]?.endsWith("manage.py");
            if (isManage && words[2] === "migrate" && django && !hasDatabase) {
                notes.push(`${procfile!.origin.subject} runs \`${cmd}\` before the server, but the settings define no DATABASES, so there is nothing to migrate: it is not run. Set \`releaseCommand\` to run it anyway.`);
                continue;
            }
            kept.push(cmd);
        }
        if (folders.length > 0) {
            notes.push(
                `${procfile!.origin.subject} runs ${folders.map((f) => `\`${f}\``).join(", ")} before the server, which ${folders.length > 1 ? "prepare" : "prepares"} the server's own container, not a release: ` +
                    "the image's gunicorn config makes those folders at every start, emptied where the command removed them (a folder must be writable there: under /tmp, or declared in `writablePaths`).",
            );
        }
        if (owners.length > 0) {
            notes.push(
                `${procfile!.origin.subject} runs ${owners.map((f) => `\`${displayWords(procfileCommand(f))}\``).join(", ")} before the server: who owns and may write the files is the image's to decide ` +
                    `(its writable paths belong to its user, uid ${DEFAULTS.uid}; everything else is read-only), and the release step runs as that user, which may not change owners: not run.`,
            );
        }
        if (kept.length > 0) {
            const text = kept.join(" && ");
            // A `cd` to a folder the image does not name (`cd "$SITE_ROOT/app"`) is the one `chdir` gives.
            const cd = procfile!.web!.cdUnset !== undefined ? entry.chdir || undefined : procfile!.web!.cd;
            const workdir = cd === undefined ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${cd}`;
            return { command: kept.length === 1 ? procfileCommand(text) : ["sh", "-c", text], workdir, source: `${procfile!.origin.webSource} (before the server)` };
        }
    }
    if (django && hasDatabase) {
        const manage = djangoManage(entry)!;
        if (databases!.sqlite.length > 0) {
            const sw = databases!.switchedBy;
            if (sw) {
                notes.push(
                    `The Django settings use SQLite unless \`${sw.text}\` holds (${sw.file}), which replaces DATABASES with a database server: with nothing set the image keeps the SQLite file on its volume and migrates it; ` +
                        "set the variables in `env` to use the server (the release step then migrates that one).",
                );
            }
            // Django migrates one database per run: the other SQLite databases (a router's `analytics`) each need their own.
            const others = [...new Set(databases!.sqlite.flatMap((d) => (d.alias !== undefined && d.alias !== "default" ? [d.alias] : [])))];
            const cacheTables = databaseCacheTables(django);
            const steps = [
                ["python", "manage.py", "migrate", "--noinput"],
                ...others.map((a) => ["python", "manage.py", "migrate", "--noinput", "--database", a]),
                ...(cacheTables.length > 0 ? [["python", "manage.py", "createcachetable"]] : []),
            ];
            if (others.length > 0) {
                // With no router, Django's default allows every app's migrations on every database.
                const routed = django.settings.variants("DATABASE_ROUTERS").length > 0;
                notes.push(
                    `DATABASES holds more SQLite databases than \`default\` (${others.join(", ")}), and \`migrate\` migrates one database per run: the release step migrates each (\`migrate --database ${others[0]}\`${others.length > 1 ? ", ..." : ""}), ` +
                        (routed ? "where DATABASE_ROUTERS' allow_migrate puts each app's tables." : "and with no DATABASE_ROUTERS each of them gets every app's tables."),
                );
            }
            if (cacheTables.length > 0) {
                notes.push(
                    `The settings' CACHES keeps its cache in the database (DatabaseCache, table ${cacheTables.join(", ")}), a table \`migrate\` does not make: the release step runs \`createcachetable\` after it, ` +
                        "or every cached view fails with no such table.",
                );
            }
            const command = steps.length === 1 ? steps[0] : ["sh", "-c", steps.map((c) => shellQuote(c)).join(" && ")];
            return { command, workdir: manage.workdir, source: "Django with an SQLite database" };
        }
        const unknown = databases!.unknown[0];
        if (unknown !== undefined && !databases!.other) {
            notes.push(
                `The Django settings' DATABASES takes \`${unknown.text}\` (${unknown.file}), which could not be read as SQLite or as a database server, so the package runs no migrate: ` +
                    'set `releaseCommand: ["python", "manage.py", "migrate", "--noinput"]` to run it once per deploy, and, if it is an SQLite file, name the file or its folder in `writablePaths` as data (`{ "db.sqlite3": "data" }`) so the app may write it and it survives a restart.',
            );
            return undefined;
        }
        const give =
            databaseCacheTables(django).length > 0
                ? '`releaseCommand: ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable"]` to run it once per deploy (createcachetable makes the table of the settings\' DatabaseCache, which migrate does not).'
                : '`releaseCommand: ["python", "manage.py", "migrate", "--noinput"]` to run it once per deploy.';
        notes.push(
            "Django apps usually need `python manage.py migrate` before serving; the database here is a server, not a local SQLite file, and may not be reachable at deploy time, so the package does not run it on its own: " +
                `set ${give}`,
        );
        return undefined;
    }
    // The container convention of tiangolo's images: prestart.sh in the app's folder runs before the server.
    const prestart = findPrestart(src, entry, notes);
    if (prestart) {
        return prestart;
    }
    // Alembic migrations (through Flask-Migrate, or alone).
    const chdir = entry.chdir === "" ? "" : `${entry.chdir}/`;
    const workdir = `${DEFAULTS.workdir}${chdir === "" ? "" : `/${entry.chdir}`}`;
    let migrate: ReleasePlan | undefined;
    /** The Alembic scripts folder (its versions/ holds the revisions), from the source's root. */
    let scripts: string | undefined;
    const migrations = facts.installed.has("flask-migrate") ? flaskMigrateDirectory(src, entry) : undefined;
    if (migrations !== undefined && src.isFile(`${chdir}${migrations}/alembic.ini`)) {
        migrate = { command: flaskCommand(flaskApp(entry), ["db", "upgrade"], facts.flaskBefore22 === true), workdir, source: `Flask-Migrate (${chdir}${migrations}/)` };
        scripts = `${chdir}${migrations}`;
    } else if (facts.installed.has("alembic") && entry.paste && readIni(src.read(entry.paste.file)).has("alembic")) {
        // Pyramid's cookiecutter keeps Alembic's settings in the app's own ini (its README: `alembic -c development.ini upgrade head`).
        migrate = { command: ["alembic", "-c", entry.paste.file, "upgrade", "head"], workdir: DEFAULTS.workdir, source: `Alembic ([alembic] in ${entry.paste.file})` };
        scripts = scriptLocation("", readIni(src.read(entry.paste.file)).get("alembic")?.get("script_location"));
    } else if (facts.installed.has("alembic") && src.isFile(`${chdir}alembic.ini`)) {
        migrate = { command: ["alembic", "upgrade", "head"], workdir, source: `Alembic (${chdir}alembic.ini)` };
        scripts = scriptLocation(chdir, readIni(src.read(`${chdir}alembic.ini`)).get("alembic")?.get("script_location"));
    } else if (facts.installed.has("alembic") && alembicInPyproject(src, `${chdir}pyproject.toml`) !== undefined) {
        // Alembic 1.16+ reads its settings from pyproject.toml's [tool.alembic] when there is no alembic.ini.
        migrate = { command: ["alembic", "upgrade", "head"], workdir, source: `Alembic ([tool.alembic] in ${chdir}pyproject.toml)` };
        scripts = scriptLocation(chdir, alembicInPyproject(src, `${chdir}pyproject.toml`));
    } else if (facts.installed.has("aerich") && aerichInPyproject(src, `${chdir}pyproject.toml`)) {
        // Tortoise ORM's migrations: aerich reads [tool.aerich] from the pyproject.toml in the folder it runs in.
        migrate = { command: ["aerich", "upgrade"], workdir, source: `aerich ([tool.aerich] in ${chdir}pyproject.toml)` };
    }
    const alters = migrate !== undefined && scripts !== undefined ? alterOnlyBase(src, `${scripts}/versions`) : undefined;
    if (migrate !== undefined && alters !== undefined) {
        notes.push(
            `${alters.file}, the first revision of the ${migrate.source} migrations, changes a table it does not create (\`${alters.call}\`): the chain starts from tables made another way (the app's create_all(), a dump), ` +
                "so on a new database it stops there and the package does not run it as the release step. " +
                `Once a database has them, set \`releaseCommand: ${JSON.stringify(migrate.command)}\` to migrate it on each deploy (stamp a database the app made at the revision it matches first).`,
        );
        migrate = undefined;
    }
    const db = facts.database;
    // The project's own console script named like INIT_DB_COMMANDS (Quart's blog example: `init_db = "blog:init_db"`), when the image installs it.
    const script = !migrate && db !== undefined && facts.installsProject === true ? initDbScript(src) : undefined;
    if (script !== undefined && db !== undefined) {
        const where = "dir" in db ? db.dir : db.file;
        const q = shellQuote([where]);
        const exists = "dir" in db ? `ls ${q}/*.sqlite ${q}/*.sqlite3 ${q}/*.db >/dev/null 2>&1` : `test -e ${q}`;
        // The script's function, imported as the server imports the package (from the app's folder, on the server's Python path),
        // not the installed copy the script in the venv's bin/ would import: a Flask app's instance folder is then the server's
        // (/app/instance), not the read-only <venv>/var/<pkg>-instance, and the tables land in the database the server opens.
        const [module, attr] = script.target.split(":");
        const code = `import sys; from ${module} import ${attr.split(".")[0]}; sys.exit(${attr}())`;
        const path = entry.pythonPath.filter((p) => p !== "").map((p) => (p.startsWith("/") ? p : `${DEFAULTS.workdir}/${p}`));
        const run = `${path.length > 0 ? `env PYTHONPATH=${shellQuote([path.join(":")])} ` : ""}python -c ${shellQuote([code])}`;
        notes.push(
            `pyproject.toml's console script \`${script.name}\` (${script.target}) creates the app's tables: it is the release step while ${"dir" in db ? `${where} holds no database file` : `${where} does not exist`} yet ` +
                "(the first deploy; the volume keeps the database after), so a redeploy does not recreate the tables; it runs as `python -c` from the app's folder, so it imports the package the server serves, not the installed copy. Set `releaseCommand` to change it.",
        );
        return { command: ["sh", "-c", `${exists} || exec ${run}`], workdir, source: `pyproject.toml console script ${script.name} (on the first deploy)` };
    }
    if (!migrate && db !== undefined && (entry.framework === "flask" || entry.framework === "quart")) {
        const init = initDbCommand(src, entry);
        if (init?.group !== undefined) {
            notes.push(
                `${init.file} defines ${init.name}, which looks like it creates the app's tables, on the project's own command group (${init.group}, run by its console script), not on \`${entry.framework}\`'s: ` +
                    "the package does not run it, so the database starts without tables unless the app makes them; set `releaseCommand` to the command that makes them (the console script's, as the app's README gives it).",
            );
        } else if (init !== undefined) {
            // Run once: while there is no database yet (the first deploy; the volume keeps it after), since such commands
            // create the tables from scratch (Flask's tutorial's drops them first). A linked file exists once its target does.
            const where = "dir" in db ? db.dir : db.file;
            const q = shellQuote([where]);
            const exists = "dir" in db ? `ls ${q}/*.sqlite ${q}/*.sqlite3 ${q}/*.db >/dev/null 2>&1` : `test -e ${q}`;
            const run = shellQuote(entry.framework === "flask" ? flaskCommand(flaskApp(entry), [init.name], facts.flaskBefore22 === true) : [entry.framework, "--app", flaskApp(entry), init.name]);
            notes.push(
                `${init.file} defines \`${entry.framework} ${init.name}\`, which creates the app's tables: it is the release step while ${"dir" in db ? `${where} holds no database file` : `${where} does not exist`} yet ` +
                    "(the first deploy; the volume keeps the database after), so a redeploy does not recreate the tables. Set `releaseCommand` to change it.",
            );
            return {
                command: ["sh", "-c", `${exists} || exec ${run}`],
                workdir,
                source: `${init.file} (${init.name}, on the first deploy)`,
            };
        }
    }
    if (!migrate && db !== undefined) {
        const asScript = tablesMadeOnlyAsScript(src, entry);
        if (asScript !== undefined) {
            notes.push(
                `${asScript} creates the app's tables (create_all()) only under \`if __name__ == "__main__":\`, which gunicorn never runs: the database starts with no tables and every query fails ("no such table"). ` +
                    "Set `releaseCommand` to a command that creates them (the same lines in a script of their own), or create them at import.",
            );
        }
    }
    if (migrate && !facts.sqlite) {
        notes.push(
            `${migrate.source} migrations are here, but the database is not an SQLite file of the app's and may not be reachable at deploy time, so the package does not run them on its own: ` +
                `set \`releaseCommand: ${JSON.stringify(migrate.command)}\` to run them once per deploy.`,
        );
        return undefined;
    }
    return migrate;
}

/**
 * The module of the app's code that calls `<db>.create_all()` only in its
 * `if __name__ == "__main__":` block (flask-admin's examples, tutorials run
 * with `python app.py`), when no module calls it anywhere else.
 */
function tablesMadeOnlyAsScript(src: SourceTree, entry: Entrypoint): string | undefined {
    const roots = servedRoots(entry);
    const reader = moduleReader(src, roots);
    let script: string | undefined;
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        const createAll = (k: Extract<Expr, { kind: "call" }>) => (calleeOf(k) ?? "").endsWith(".create_all");
        if (mod?.calls.some((k) => createAll(k) && !mod.scriptCalls.has(k))) {
            return undefined; // made at import, in a command or a function: not this shape
        }
        if (script === undefined && [...(mod?.scriptCalls ?? [])].some(createAll)) {
            script = c.file;
        }
    }
    return script;
}

/**
 * tiangolo's prestart.sh: at the source folder's root (his uvicorn-gunicorn
 * images), in scripts/ (the full-stack FastAPI template's backend, run as
 * `bash scripts/prestart.sh` from the folder that holds alembic.ini), or the
 * same two places in the folder the app package sits in (the working folder,
 * the import root, a Python path entry). The script runs from the folder it is
 * found beside (scripts/'s parent), as those images run it, with the shell its
 * shebang names.
 */
function findPrestart(src: SourceTree, entry: Entrypoint, notes: string[]): ReleasePlan | undefined {
    const bases = [...new Set(["", entry.chdir, entry.root?.dir ?? "", ...entry.pythonPath])];
    for (const base of bases) {
        for (const rel of ["prestart.sh", "scripts/prestart.sh"]) {
            const file = base === "" ? rel : `${base}/${rel}`;
            if (!src.isFile(file)) {
                continue;
            }
            const shell = shebangShell(src.read(file));
            if (shell.other !== undefined) {
                notes.push(`${file}'s first line names ${shell.other}, which is not a shell the package runs scripts with; it runs under sh. Set \`releaseCommand\` to run it otherwise.`);
            }
            return {
                command: [shell.shell, rel],
                workdir: base === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${base}`,
                source: `prestart.sh (${file}${shell.from ? `, ${shell.shell} from its shebang` : ""})`,
            };
        }
    }
    return undefined;
}

/** The shell a script's `#!` line names: bash, else sh (also with no shebang, as the images run it). */
function shebangShell(script: string): { shell: "bash" | "sh"; from: boolean; other?: string } {
    const first = script.split(/\r?\n/, 1)[0];
    if (!first.startsWith("#!")) {
        return { shell: "sh", from: false };
    }
    const words = shellTokens(first.slice(2)).filter((t): t is string => typeof t === "string");
    let i = 0;
    if (words[0]?.split("/").pop() === "env") {
        i = 1;
        while (words[i]?.startsWith("-")) {
            i++;
        }
    }
    const name = words[i]?.split("/").pop();
    if (name === "bash") {
        return { shell: "bash", from: true };
    }
    if (name === "sh" || name === "dash" || name === "ash") {
        return { shell: "sh", from: true };
    }
    return { shell: "sh", from: false, other: name === undefined ? "no interpreter" : JSON.stringify(name) };
}

/** The words of a simple command past its `VAR=value` prefixes, and those prefixes' names. */
function splitAssignments(words: readonly string[]): { names: string[]; rest: readonly string[] } {
    let i = 0;
    const names: string[] = [];
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) {
        names.push(words[i].slice(0, words[i].indexOf("=")));
        i++;
    }
    return { names, rest: words.slice(i) };
}

/**
 * What `flask --app` loads: the app gunicorn serves, or, when that is
 * middleware around the Flask app (`application = WhiteNoise(app)`,
 * DispatcherMiddleware), the Flask app inside it by the name that holds it
 * (`wsgi:frontend`), else its module alone: flask's discovery then finds the
 * Flask app in it (its `app` or `application` attribute, else its one Flask
 * instance, else create_app()). flask cannot run the middleware itself.
 */
function flaskApp(entry: Entrypoint): string {
    return entry.wrapper === undefined ? entry.spec : (entry.wrapped ?? entry.spec.split(":")[0]);
}

/**
 * `flask --app APP ARGS...`; Flask before 2.2 has no --app option (Flask's changelog: 2.2.0 added it, and
 * `flask --app` on 2.1 fails with "No such option: --app"), so FLASK_APP is set with env there.
 */
function flaskCommand(app: string, args: readonly string[], before22: boolean): string[] {
    return before22 ? ["env", `FLASK_APP=${app}`, "flask", ...args] : ["flask", "--app", app, ...args];
}

/** A `flask` command that names no app (no --app/-A, no FLASK_APP before it). */
function flaskWithoutApp(words: readonly string[]): boolean {
    const { names, rest } = splitAssignments(words);
    return rest[0]?.split("/").pop() === "flask" && !names.includes("FLASK_APP") && !rest.some((w) => w === "--app" || w === "-A" || w.startsWith("--app=") || (w.startsWith("-A") && w.length > 2));
}

/** FLASK_APP set in .flaskenv or .env, which the flask command loads (with python-dotenv installed). */
function flaskAppInDotenv(src: SourceTree, dir: string): string | undefined {
    for (const name of [".flaskenv", ".env"]) {
        const file = dir === "" ? name : `${dir}/${name}`;
        const text = src.readIfFile(file);
        const set = text?.split(/\r?\n/).some((line) => {
            const l = line.trim().replace(/^export\s+/, "");
            return l.slice(0, l.indexOf("=")).trim() === "FLASK_APP";
        });
        if (set) {
            return file;
        }
    }
    return undefined;
}

/**
 * A detected release step that runs the `flask` command without naming the
 * app: flask's auto-detection looks for app.py or wsgi.py and calls
 * create_app() with no arguments, which fails for most factories. The step is
 * pointed at the app the image serves, as the Flask-Migrate step is: `--app`
 * goes in after `flask` as its own word; a `sh -c` script gets FLASK_APP
 * through `env` instead, so the script itself is left as written.
 */
function withFlaskApp(src: SourceTree, step: ReleasePlan, entry: Entrypoint, installed: ReadonlySet<string>, notes: string[], flaskBefore22 = false): ReleasePlan {
    const cmd = step.command;
    const script = cmd[0] === "sh" && cmd[1] === "-c" && cmd.length === 3;
    const simple = script ? commands(shellTokens(cmd[2])).map((c) => c.words) : [[...cmd]];
    if (!simple.some(flaskWithoutApp)) {
        return step;
    }
    const workdirRel = step.workdir === DEFAULTS.workdir ? "" : step.workdir.slice(DEFAULTS.workdir.length + 1);
    const dotenv = flaskAppInDotenv(src, workdirRel);
    if (dotenv !== undefined && installed.has("python-dotenv")) {
        notes.push(`The release step runs \`flask\` without --app; ${dotenv} sets FLASK_APP, which flask reads (python-dotenv is installed).`);
        return step;
    }
    if (dotenv !== undefined) {
        notes.push(`${dotenv} sets FLASK_APP, but flask reads it only when python-dotenv is installed, and the dependencies lack it.`);
    }
    const appDir = entry.chdir === "" ? DEFAULTS.workdir : `${DEFAULTS.workdir}/${entry.chdir}`;
    if (entry.pythonPath.length > 0 || appDir !== step.workdir) {
        notes.push(
            `The release step runs \`flask\` without --app or FLASK_APP, from ${step.workdir}, where the app (${entry.spec}) does not import as it does for gunicorn; ` +
                "flask's own discovery decides which app it runs. Set FLASK_APP in the app's environment, or `releaseCommand`.",
        );
        return step;
    }
    const viaEnv = script || flaskBefore22;
    const command = script ? ["env", `FLASK_APP=${flaskApp(entry)}`, ...cmd] : flaskCommand(flaskApp(entry), cmd.slice(1), flaskBefore22);
    notes.push(
        `The release step runs \`flask\` without --app, and flask's own discovery (app.py, wsgi.py, a create_app() without arguments) need not find the app the image serves: ` +
            `it runs with ${viaEnv ? `FLASK_APP=${flaskApp(entry)} (set with env${flaskBefore22 && !script ? "; the Flask installed, before 2.2, has no --app" : ""})` : `--app ${flaskApp(entry)}`}, the app gunicorn serves (${entry.source}), which overrides a FLASK_APP in the app's environment. Set \`releaseCommand\` to run it otherwise.`,
    );
    return { ...step, command };
}

/** Fly.io's release step: fly.toml's `[deploy] release_command`, run once per deploy before the new machines start. */
function flyReleaseCommand(src: SourceTree): string | undefined {
    const text = src.readIfFile("fly.toml");
    if (text === undefined) {
        return undefined;
    }
    try {
        const deploy = (parseToml(text) as { deploy?: { release_command?: unknown } }).deploy;
        return typeof deploy?.release_command === "string" && deploy.release_command.trim() !== "" ? deploy.release_command : undefined;
    } catch {
        return undefined; // not TOML the platform would read either
    }
}

/** An ini's Alembic `script_location` as a folder of the source (`%(here)s/migrations` is beside the ini); package resources (`pkg:migrations`) are not read. */
function scriptLocation(iniFolder: string, value: string | undefined): string | undefined {
    const here = "%(here)s";
    const given = value?.trim();
    const rel = (given?.startsWith(here) ? given.slice(here.length) : given)?.split("/").filter((p) => p !== "" && p !== ".").join("/");
    if (rel === undefined || rel === "" || rel.includes(":") || given?.startsWith("/") || rel.split("/").includes("..")) {
        return undefined;
    }
    return `${iniFolder}${rel}`;
}

/** Alembic operations that change what a table holds and need it to exist. */
const ALEMBIC_TABLE_CHANGES = new Set(["add_column", "alter_column", "drop_column", "batch_alter_table", "create_index", "drop_index", "create_foreign_key", "create_unique_constraint", "create_check_constraint", "drop_constraint", "rename_table", "drop_table"]);
/** Calls that may create tables: Alembic's create_table, raw SQL, a metadata's create_all. */
const ALEMBIC_TABLE_MAKERS = ["create_table", "execute", "create_all", "bulk_insert"];

/**
 * A base revision (`down_revision = None`) of the Alembic chain whose upgrade() changes tables and
 * creates none (feedi's first revision adds a column to `feeds`, a table its create_all() makes at start):
 * `upgrade head` on a new database stops at it ("no such table"). Its file and the first such call.
 */
function alterOnlyBase(src: SourceTree, versions: string): { file: string; call: string } | undefined {
    for (const e of src.list(versions)) {
        const file = `${versions}/${e.name}`;
        if (!e.isFile() || !e.name.endsWith(".py")) {
            continue;
        }
        const mod = parseModule(src.read(file));
        const upgrade = mod.functions.get("upgrade");
        if (mod.value("down_revision")?.kind !== "none" || upgrade === undefined) {
            continue;
        }
        const ops = upgrade.calls.map((c) => (calleeOf(c) ?? "").split(".").pop() ?? "");
        const change = upgrade.calls.find((c) => ALEMBIC_TABLE_CHANGES.has((calleeOf(c) ?? "").split(".").pop() ?? ""));
        if (change !== undefined && !ops.some((o) => ALEMBIC_TABLE_MAKERS.includes(o))) {
            return { file, call: exprText(change) };
        }
    }
    return undefined;
}

/** Whether a pyproject.toml configures aerich, Tortoise ORM's migrations (`[tool.aerich]` naming its `tortoise_orm` config). */
function aerichInPyproject(src: SourceTree, file: string): boolean {
    const text = src.readIfFile(file);
    if (text === undefined) {
        return false;
    }
    try {
        return typeof (parseToml(text) as { tool?: { aerich?: { tortoise_orm?: unknown } } }).tool?.aerich?.tortoise_orm === "string";
    } catch {
        return false;
    }
}

/** The script_location of a pyproject.toml's Alembic `[tool.alembic]` table; undefined when it has none. */
function alembicInPyproject(src: SourceTree, file: string): string | undefined {
    const text = src.readIfFile(file);
    if (text === undefined) {
        return undefined;
    }
    try {
        const location = (parseToml(text) as { tool?: { alembic?: { script_location?: unknown } } }).tool?.alembic?.script_location;
        return typeof location === "string" ? location : undefined;
    } catch {
        return undefined;
    }
}
