import * as path from "node:path";
import { DEFAULTS } from "../data/defaults";
import { newerPython } from "../data/python-support";
import { Plan, UV_NAMES_OF_PIP_SETTINGS } from "../plan/plan";
import { GUNICORN_CONFIG_PATH, gunicornCommand, HEALTH_CHECK_TIMING, healthCheckCommand } from "./commands";
import { EXPORT_LOCK_SOURCE } from "./export-lock";
import { renderGunicornConfig } from "./gunicorn-config";

/**
 * Renders the plan as a two-stage Dockerfile. Pure: the same plan gives the
 * same bytes. It only renders: every value interpolated here was checked
 * when the plan was made (allow-lists, no control characters); lists of
 * words are written in exec/JSON form, and comments are stripped of control
 * characters, so nothing can open a new instruction.
 */

const VENV = DEFAULTS.venv;
const APP = DEFAULTS.workdir;
const TOOLS = "/opt/build-tools";
/** The lock-to-requirements exporter (written into the builder for poetry.lock, Pipfile.lock and pdm.lock). */
const EXPORT_LOCK = `${TOOLS}/export-lock.py`;
/** The build-step runner (written into the builder): runs a step and, when it fails, says which step and what to set. */
const STEP_RUNNER = `${TOOLS}/run-step.py`;

export function renderDockerfile(plan: Plan): string {
    const out: string[] = [];
    if (plan.syntax) {
        out.push(`# syntax=${plan.syntax}`);
    }
    out.push(
        comment(`Synthesized by pulumi-python-app. Eject with: npx pulumi-python-app synth <dir> --out <dir>`),
        comment(`App: ${plan.framework} ${plan.entrypoint.interface.toUpperCase()} ${plan.entrypoint.spec} (from ${plan.entrypoint.source})`),
        comment(`Python ${plan.python.version} (${plan.python.source === "default" ? "the default" : `from ${plan.python.source}`}) on ${plan.baseImage.image}: ${plan.baseImage.reason}`),
        comment(`Dependencies: ${uvPip(plan) ? "uv's pip interface" : plan.installer} from ${plan.manifest}${plan.dependencies.inlineScript ? "'s PEP 723 script metadata" : ""}`),
        "",
        ...builderStage(plan),
        "",
        ...runnerStage(plan),
    );
    return out.join("\n") + "\n";
}

function comment(text: string): string {
    return `# ${text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?")}`;
}

/**
 * An id for the apt cache mounts: one per distro and stage. Per distro, so
 * different releases' archives stay apart; per stage, because apt locks its
 * lists and archives, and a mount shared with `sharing=locked` would make the
 * builder's and the runner's installs, which BuildKit runs in parallel, wait
 * for each other.
 */
function aptCacheKey(plan: Plan, stage: "builder" | "runner"): string {
    return `${plan.baseImage.image.replace(/[^A-Za-z0-9.-]+/g, "-")}-${stage}`;
}

/**
 * apt-get install with BuildKit cache mounts for the archives and lists, so a
 * rebuild downloads nothing; the cache lives in the builder, not the image.
 */
function aptInstall(plan: Plan, packages: readonly string[], stage: "builder" | "runner", then: readonly string[] = []): string[] {
    const key = aptCacheKey(plan, stage);
    const lines = [
        `RUN --mount=type=cache,id=apt-archives-${key},target=/var/cache/apt,sharing=locked \\`,
        `    --mount=type=cache,id=apt-lists-${key},target=/var/lib/apt/lists,sharing=locked \\`,
        "    rm -f /etc/apt/apt.conf.d/docker-clean \\",
        "    && echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache \\",
        "    && apt-get update \\",
        `    && apt-get install -y --no-install-recommends ${packages.join(" ")}`,
    ];
    const tail = [...(stage === "runner" ? ["rm -f /etc/apt/apt.conf.d/keep-cache"] : []), ...then];
    for (const t of tail) {
        // The runner ships: apt inside the running container should not keep downloaded packages.
        lines[lines.length - 1] += " \\";
        lines.push(`    && ${t}`);
    }
    return lines;
}

function pipCache(): string {
    return "--mount=type=cache,id=pip,target=/root/.cache/pip";
}

function uvCache(): string {
    return "--mount=type=cache,id=uv,target=/root/.cache/uv";
}

/** Where the install steps see the extra CA bundle, when `caBundle` is set. */
export const CA_BUNDLE_PATH = "/run/secrets/ca-bundle.pem";

function secretMounts(caBundle: boolean, names: readonly string[], uv: { alias: boolean; fileIndex?: boolean } = { alias: false }): string {
    const ca = caBundle ? `--mount=type=secret,id=ca-bundle,target=${CA_BUNDLE_PATH} ` : "";
    // For uv's pip interface, a pip setting is mounted under uv's name for it too (PIP_INDEX_URL as UV_INDEX_URL); not
    // PIP_INDEX_URL when a requirements file names its --index-url, which wins over the environment's for pip (uv lets
    // UV_INDEX_URL win).
    const also = (name: string): string =>
        uv.alias && UV_NAMES_OF_PIP_SETTINGS[name] && !(name === "PIP_INDEX_URL" && uv.fileIndex) ? `--mount=type=secret,id=${name},env=${UV_NAMES_OF_PIP_SETTINGS[name]} ` : "";
    return ca + names.map((name) => `--mount=type=secret,id=${name},env=${name} ${also(name)}`).join("");
}

/**
 * Whether the venv is made with pip: not when uv installs everything into it (ensurepip's pip would only be deleted
 * again), on Python 3.12 and later. Before 3.12, ensurepip seeds setuptools too, whose distutils shim and
 * pkg_resources apps import (`from distutils.util import strtobool`): that venv is kept whole and pip removed.
 */
function venvWithPip(plan: Plan): boolean {
    return !uvPip(plan) || installProject(plan) !== undefined || newerPython("3.12", plan.python.version);
}

/**
 * uv's settings for the builder (the venv its Python, no downloaded Pythons, bytecode compiled, files copied from
 * its cache mount; `before` and `after` add to them) and uv itself, pip-installed into a tools venv with the
 * install secrets (a private-only index serves uv too).
 */
function uvTools(plan: Plan, packages: string, before: string, after: string): string[] {
    return [
        `ENV ${before}UV_PYTHON=${VENV}/bin/python UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy${after}`,
        `RUN ${pipCache()} ${secretMounts(plan.caBundle, plan.installSecrets)}python3 -m venv ${TOOLS} && ${TOOLS}/bin/pip install ${packages}`,
    ];
}

/** Whether uv's pip interface installs the requirements (a requirements.txt app; see the requirementsInstaller option). */
function uvPip(plan: Plan): boolean {
    return plan.requirementsInstaller?.tool === "uv";
}

/** Manifests keep their relative paths; one COPY per folder, JSON form; a whole folder (a path dependency, "libs/x/") is copied to its own place. */
function copyManifests(plan: Plan): string[] {
    const byDir = new Map<string, string[]>();
    const folders: string[] = [];
    for (const f of plan.manifests) {
        if (f.endsWith("/")) {
            folders.push(`COPY ${JSON.stringify([f, f])}`);
            continue;
        }
        const dir = f.includes("/") ? f.slice(0, f.lastIndexOf("/") + 1) : "./";
        byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
    }
    return [...[...byDir.entries()].map(([dir, files]) => `COPY ${JSON.stringify([...files, dir])}`), ...folders];
}

function builderStage(plan: Plan): string[] {
    const apt = plan.baseImage.flavor === "apt";
    const buildPackages = apt
        ? ["build-essential", "python3", "python3-dev", "python3-venv", ...plan.apt.build]
        : ["build-essential", ...plan.apt.build];
    const lines = [
        comment(
            plan.sourceInto === "runner"
                ? "Builder: compilers and -dev headers live here only; the runner gets the finished venv, and the source goes straight to the runner."
                : "Builder: compilers and -dev headers live here only; the runner gets the finished venv and app.",
        ),
        `FROM ${plan.baseImage.image} AS builder`,
        "ARG DEBIAN_FRONTEND=noninteractive",
        ...aptInstall(plan, buildPackages, "builder"),
        `ENV VIRTUAL_ENV=${VENV} PATH=${VENV}/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1`,
        `RUN python3 -m venv ${venvWithPip(plan) ? "" : "--without-pip "}${VENV}`,
    ];
    if (plan.caBundle) {
        // Builder only (the runner starts from the base again): pip, uv, requests and Node (npm, in a front-end build step) trust the mounted bundle.
        lines.push(`ENV PIP_CERT=${CA_BUNDLE_PATH} SSL_CERT_FILE=${CA_BUNDLE_PATH} REQUESTS_CA_BUNDLE=${CA_BUNDLE_PATH} NODE_EXTRA_CA_CERTS=${CA_BUNDLE_PATH}`);
    }
    if (plan.installer === "uv") {
        const tools = pylockOf(plan) !== undefined && plan.installsProject ? `${DEFAULTS.uv} ${DEFAULTS.tomliW}` : DEFAULTS.uv;
        lines.push(...uvTools(plan, tools, `UV_PROJECT_ENVIRONMENT=${VENV} `, ""));
    } else if (uvPip(plan)) {
        // uv's pip interface with pip's index strategy (the best version over every index, as pip picks it).
        lines.push(...uvTools(plan, DEFAULTS.uv, "", " UV_INDEX_STRATEGY=unsafe-best-match"));
    } else if (plan.installer === "poetry" || plan.installer === "pipenv" || plan.installer === "pdm") {
        // The lock is installed by pip, with its hashes: no Poetry, Pipenv or PDM in the builder.
        lines.push(`COPY <<'EOF' ${EXPORT_LOCK}`, ...EXPORT_LOCK_SOURCE, "EOF");
    }
    lines.push(`WORKDIR ${APP}`);

    const project = installProject(plan);
    // The consistency check ends the last install step, so a conflict fails the build, not the container. Only
    // where an install skipped the resolver (`--no-deps` of a lock or of the project) or for uv's own check: a
    // plain pip install into the fresh venv is consistent by construction (one resolver run, then the added
    // packages resolved against a constraint of all the rest), and `pip check` costs half a second per build.
    const check = plan.installer === "uv" ? [`${TOOLS}/bin/uv pip check`] : resolverOnly(plan) ? [] : ["pip check"];
    // Then pip leaves the venv: the image installs nothing at run time, and the venv the runner copies (a new
    // layer at every dependency change) is smaller. After the build steps instead when there are any: they run
    // the app's own commands. Removed as files: `pip uninstall pip` took 2 s of a 6 s dependency change.
    const dropPip = `rm -rf ${VENV}/bin/pip ${VENV}/bin/pip3 ${VENV}/bin/pip3.* ${VENV}/lib/python3*/site-packages/pip ${VENV}/lib/python3*/site-packages/pip-*.dist-info`;
    const drop = venvWithPip(plan) ? [dropPip] : [];
    const finish = plan.buildSteps.length === 0 ? [...check, ...drop] : check;
    const install = installDependencies(plan, project === undefined ? finish : []);
    if (plan.needsSource) {
        const why = plan.requirementsInstaller !== undefined ? `${plan.manifest} installs a local path` : `${plan.manifest} installs the project itself`;
        lines.push(comment(`${why}, so the source comes first.`), "COPY . .", ...install);
    } else {
        const script = plan.dependencies.inlineScript;
        const manifests =
            script === undefined
                ? [comment("Manifests first: a code change does not reinstall dependencies."), ...copyManifests(plan)]
                : script.lock !== undefined
                  ? [
                        comment(`${script.file}'s PEP 723 block, as uv reads it, and its lock: a code change does not reinstall the dependencies.`),
                        // Every line of the block starts with "#" (detection read it so), so none ends the heredoc.
                        `COPY <<'EOF' ${APP}/${script.file}`,
                        ...script.block,
                        "EOF",
                        ...copyManifests(plan),
                    ]
                  : [
                        comment(`${script.file}'s PEP 723 dependencies, listed here: a code change does not reinstall them.`),
                        `COPY <<'EOF' ${SCRIPT_REQUIREMENTS}`,
                        // Each a PEP 508 requirement on one line (detection refused control characters); a project named EOF, written
                        // in lower case (names compare case-insensitively), cannot end the heredoc.
                        ...script.requirements.map((r) => (r.trim() === "EOF" ? "eof" : r.trim())),
                        "EOF",
                    ];
        lines.push(...manifests, ...install);
        if (plan.sourceInto === "builder") {
            lines.push("COPY . .");
        }
    }
    if (project) {
        lines.push(`${project} \\`, ...finish.map((f, i) => `    && ${f}${i < finish.length - 1 ? " \\" : ""}`));
    }
    if (plan.buildSteps.length > 0) {
        lines.push(...buildSteps(plan));
    }
    const last = [
        ...(plan.sourceInto === "builder" && plan.bytecode.compileApp ? [`python -m compileall -q -j 0 --invalidation-mode unchecked-hash ${APP}`] : []),
        ...(plan.buildSteps.length > 0 ? drop : []),
    ];
    if (last.length > 0) {
        lines.push(`RUN ${last.join(" \\\n    && ")}`);
    }
    return lines;
}

/** Whether every pip install of the plan goes through pip's resolver (no `--no-deps` install of a lock or of the project). */
function resolverOnly(plan: Plan): boolean {
    return plan.installer === "pip" && installProject(plan) === undefined;
}

/** uv sync's selection: `--no-default-groups` (uv installs dev by default), then `--extra X` / `--group X` for each chosen one, and the workspace member. */
function uvSelection(plan: Plan): string {
    const d = plan.dependencies;
    return ["--no-default-groups", ...d.groups.map((g) => (d.extras.includes(g) ? `--extra ${g}` : `--group ${g}`)), ...(d.workspacePackage ? [`--package ${d.workspacePackage}`] : [])].join(" ");
}

/** Where the builder writes a PEP 723 script's requirements, for pip. */
const SCRIPT_REQUIREMENTS = "/tmp/script-requirements.txt";

/** The PEP 751 lock uv installs, when the plan's manifest is one (pylock.toml, pylock.<name>.toml). */
function pylockOf(plan: Plan): string | undefined {
    return plan.installer === "uv" && plan.manifest.startsWith("pylock.") ? plan.manifest : undefined;
}

/** uv's pip interface on a PEP 751 lock: the lock, then `--extra X` / `--group X` for each chosen one (naming groups replaces the lock's defaults, which the plan's groups include). */
function pylockInstall(plan: Plan, file: string, noEditable = false): string {
    const d = plan.dependencies;
    return [`${TOOLS}/bin/uv pip install${noEditable ? " --no-editable" : ""} -r ${file}`, ...d.groups.map((g) => (d.extras.includes(g) ? `--extra ${g}` : `--group ${g}`))].join(" ");
}

/**
 * Python (run by the tools venv's interpreter, the lock as its argument) that writes pylock.image-deps.toml beside
 * the lock: the lock without the app's own code (`directory` entries at the lock's folder or editable), which needs
 * the source. Beside it, so the lock's relative paths still resolve; PEP 751 names it `pylock.<name>.toml`.
 */
const PYLOCK_WITHOUT_PROJECT =
    "import sys, tomli_w; tomllib = __import__('tomllib') if sys.version_info >= (3, 11) else __import__('pip._vendor.tomli', fromlist=['loads']); " +
    "lock = tomllib.load(open(sys.argv[1], 'rb')); " +
    "own = lambda d: d.get('editable', False) or all(x in ('', '.') for x in d.get('path', '').split('/')); " +
    "lock['packages'] = [p for p in lock.get('packages', []) if not ('directory' in p and own(p['directory']))]; " +
    "tomli_w.dump(lock, open('pylock.image-deps.toml', 'wb'))";

/**
 * The packages the plan adds (gunicorn, the uvicorn worker, setuptools), installed
 * against a constraint of everything already installed but setuptools, so none of
 * the app's pins moves: a conflict fails here, naming the packages.
 */
function addPackages(plan: Plan, pip: string, list: string, indexFile?: string): string | undefined {
    const added = plan.server.addedPackages;
    if (added.length === 0) {
        return undefined;
    }
    // The app's package indexes (requirements.txt's --index-url, a lock's sources), which pip reads from a requirements file only: no other index is asked.
    const options = plan.dependencies.indexOptions;
    const write = indexFile === undefined && options.length > 0 ? `printf '%s\\n' ${options.map(shellWord).join(" ")} > /tmp/index-options.txt && ` : "";
    const from = indexFile !== undefined || options.length > 0 ? "-r /tmp/index-options.txt " : "";
    // setuptools may already be there at another release (ensurepip's before 3.12, or pulled in unpinned): it is the one added package that moves.
    const moves = added.some((p) => p.startsWith("setuptools==")) ? " | grep -v -i '^setuptools=='" : "";
    return `${write}${list}${moves} > /tmp/installed.txt && ${pip} install ${from}-c /tmp/installed.txt ${added.join(" ")}`;
}

function installDependencies(plan: Plan, finish: readonly string[]): string[] {
    const secrets = secretMounts(plan.caBundle, plan.installSecrets);
    const steps: string[] = [];
    let head: string;
    switch (plan.installer) {
        case "uv": {
            head = `RUN ${uvCache()} ${secrets}\\`;
            const pylock = pylockOf(plan);
            const script = plan.dependencies.inlineScript;
            if (script?.lock !== undefined) {
                // uv's own reading of the script's lock: the block must still match it (--locked), hashes checked on install.
                steps.push(`${TOOLS}/bin/uv export --script ${script.file} --locked --format requirements.txt -o ${SCRIPT_REQUIREMENTS}`, `${TOOLS}/bin/uv pip install -r ${SCRIPT_REQUIREMENTS}`);
            } else if (pylock !== undefined && plan.installsProject) {
                // The lock lists the project, which builds from the source: its dependencies first, from a copy without it.
                steps.push(`${TOOLS}/bin/python -c ${JSON.stringify(PYLOCK_WITHOUT_PROJECT)} ${pylock}`, `${pylockInstall(plan, "pylock.image-deps.toml")} && rm pylock.image-deps.toml`);
            } else if (pylock !== undefined) {
                steps.push(pylockInstall(plan, pylock));
            } else {
                const workspace = plan.dependencies.workspace ? " --no-install-workspace" : "";
                steps.push(`${TOOLS}/bin/uv sync ${uvLockFlag(plan)} --no-install-project --no-editable ${uvSelection(plan)}${workspace}`);
            }
            const add = addPackages(plan, `${TOOLS}/bin/uv pip`, `${TOOLS}/bin/uv pip list --format=freeze`);
            if (add) {
                steps.push(add);
            }
            break;
        }
        case "poetry":
        case "pipenv":
        case "pdm": {
            head = `RUN ${pipCache()} ${secrets}\\`;
            // The lock's own name of the main dependencies, then the chosen groups.
            const main = { poetry: "main", pdm: "default", pipenv: undefined }[plan.installer];
            // Poetry's extras ([tool.poetry.extras]) after the groups: the lock marks their packages optional.
            const d = plan.dependencies;
            const extras = plan.installer === "poetry" && d.extras.length > 0 ? ` ${d.extras.join(",")}` : "";
            const groups = main ? ` ${[main, ...d.groups.filter((g) => plan.installer !== "poetry" || !d.extras.includes(g))].join(",")}${extras}` : "";
            steps.push(
                `python ${EXPORT_LOCK} ${plan.installer === "pipenv" ? "pipfile" : plan.installer}${groups}`,
                "if [ -s /tmp/requirements.lock.txt ]; then pip install --require-hashes --no-deps -r /tmp/requirements.lock.txt; fi",
                "if [ -s /tmp/requirements.local.txt ]; then pip install --no-deps -r /tmp/requirements.local.txt; fi",
            );
            const add = addPackages(plan, "pip", "pip list --format=freeze", "/tmp/index-options.txt");
            if (add) {
                steps.push(add);
            }
            break;
        }
        default: {
            head = `RUN ${pipCache()} ${secrets}\\`;
            if (plan.manifest === "pyproject.toml") {
                // Only the dependencies (and chosen groups): the project itself, if a package, installs after the source.
                steps.push(`python -c ${JSON.stringify(pyprojectRequirements(plan.dependencies.extras.length > 0))}${plan.dependencies.groups.map((g) => ` ${g}`).join("")}`, `pip install -r /tmp/pyproject-deps.txt${(plan.dependencies.requirementFiles ?? []).map((f) => ` -r ${f}`).join("")}`);
            } else if (plan.dependencies.inlineScript !== undefined) {
                steps.push(`pip install -r ${SCRIPT_REQUIREMENTS}`);
            } else if (plan.manifest === "setup.py" || plan.manifest === "setup.cfg") {
                // A setuptools project: pip builds and installs it with its install_requires (and the chosen extras').
                const extras = plan.dependencies.extras;
                steps.push(extras.length > 0 ? `pip install '.[${extras.join(",")}]'` : "pip install .");
            } else if (uvPip(plan)) {
                const fileIndex = plan.dependencies.indexOptions.some((o) => o.startsWith("--index-url "));
                head = `RUN ${uvCache()} ${secretMounts(plan.caBundle, plan.installSecrets, { alias: true, fileIndex })}\\`;
                // A hashed file: pip's hash-checking mode, which uv applies only when asked (its default checks the hashes given).
                steps.push(`${TOOLS}/bin/uv pip install${plan.requirementsInstaller?.requireHashes ? " --require-hashes" : ""} -r ${plan.manifest}`);
            } else {
                steps.push(`pip install -r ${plan.manifest}`);
            }
            const add = uvPip(plan) ? addPackages(plan, `${TOOLS}/bin/uv pip`, `${TOOLS}/bin/uv pip list --format=freeze`) : addPackages(plan, "pip", "pip list --format=freeze");
            if (add) {
                steps.push(add);
            }
        }
    }
    steps.push(...finish);
    return [head, ...steps.map((s, i) => `    ${i === 0 ? "" : "&& "}${s} \\`), `    ${LINGER_ON_FAILURE}`];
}

/**
 * Ends an install RUN: when it fails, the step waits a second before exiting with the installer's status, so
 * BuildKit's log stream delivers the installer's last lines (its error and the cause) to the build output
 * before the solve fails; without it uv's error, printed in the same tenth of a second as its exit, was
 * often missing from `pulumi up`'s output, leaving only "did not complete successfully".
 */
const LINGER_ON_FAILURE = "|| { status=$?; sleep 1; exit $status; }";

/**
 * The Python (run by `python -c`, with the chosen group names as arguments) that writes
 * /tmp/pyproject-deps.txt from pyproject.toml alone, before the source is copied: [project]
 * dependencies, then each named PEP 735 group (include-group expanded) and, with `extras`,
 * each named extra of [project.optional-dependencies], where a requirement on the project
 * itself (`beacon-api[server]`) stands for those extras' requirements, as pip expands it
 * (read with pip's own PEP 508 parser). The project then installs with --no-deps.
 */
function pyprojectRequirements(extras: boolean): string {
    const load =
        "import sys; tomllib = __import__('tomllib') if sys.version_info >= (3, 11) else __import__('pip._vendor.tomli', fromlist=['loads']); " +
        "p = tomllib.load(open('pyproject.toml', 'rb')); g = p.get('dependency-groups', {}); " +
        "grp = lambda n: [x for r in g.get(n, []) for x in ([r] if isinstance(r, str) else grp(r['include-group']))]; ";
    const optional =
        "from pip._vendor.packaging.requirements import Requirement; from pip._vendor.packaging.utils import canonicalize_name as cn; " +
        "pr = p.get('project', {}); o = pr.get('optional-dependencies', {}); k = {cn(e): e for e in o}; " +
        "ext = lambda n, s: [] if n in s else [x for r in o.get(n, []) for q in [Requirement(r)] for x in ([r] if cn(q.name) != cn(pr.get('name', '')) else [y for e in sorted(q.extras) if cn(e) in k for y in ext(k[cn(e)], s | {n})])]; ";
    // Hatch's {root:uri} and PDM's ${PROJECT_ROOT} in a direct reference: the project's folder, where pip runs.
    // (chr(36) is "$", which the shell's double quotes around the command would expand.)
    const root = `.replace('{root:uri}', 'file://${APP}').replace('file:///' + chr(36) + '{PROJECT_ROOT}', 'file://${APP}')`;
    const write = (more: string) => `open('/tmp/pyproject-deps.txt', 'w').write(''.join(r${root} + '\\n' for r in p.get('project', {}).get('dependencies', []) + [x for n in sys.argv[1:] for x in ${more}]))`;
    return extras ? load + optional + write("grp(n) + ext(n, set())") : load + write("grp(n)");
}

/** The VCS-version stand-in for installing the project, when its build backend reads the version from git. */
function scmEnv(plan: Plan): string {
    const scm = plan.dependencies.scmVersion;
    return scm && plan.buildEnv[scm.env] === undefined ? `${scm.env}=0.0.0 ` : "";
}

/**
 * The step that installs the project after the source, without its dependencies, when it is a package;
 * none when the dependency install already installs it (`needsSource`: `-e .` in requirements.txt, a setuptools project).
 */
function installProject(plan: Plan): string | undefined {
    if (!plan.installsProject || plan.needsSource) {
        return undefined;
    }
    const secrets = secretMounts(plan.caBundle, plan.installSecrets);
    const env = scmEnv(plan) + Object.entries(plan.buildEnv).filter(([k]) => k === plan.dependencies.scmVersion?.env).map(([k, v]) => `${k}=${shellWord(v)} `).join("");
    switch (plan.installer) {
        case "uv": {
            const pylock = pylockOf(plan);
            if (pylock !== undefined) {
                // The whole lock again: everything but the project is installed already; --no-editable, as uv sync's.
                return `RUN ${uvCache()} ${secrets}${env}${pylockInstall(plan, pylock, true)}`;
            }
            // --inexact: an exact sync would uninstall the packages added above (gunicorn, uvicorn-worker).
            return `RUN ${uvCache()} ${secrets}${env}${TOOLS}/bin/uv sync ${uvLockFlag(plan)} --no-editable --inexact ${uvSelection(plan)}`;
        }
        default: {
            // pdm-backend writes its write_to version file into the installed package only; gunicorn imports the source copy in /app.
            const writeTo = plan.dependencies.scmVersion?.writeTo;
            const copy =
                writeTo === undefined
                    ? ""
                    : ` && (test -e ${APP}/${writeTo} || cp "$(python -c 'import sysconfig; print(sysconfig.get_paths()[\"purelib\"])')/${writeTo}" ${APP}/${writeTo})`;
            return `RUN ${pipCache()} ${secrets}${env}pip install --no-deps .${copy}`;
        }
    }
}

/** A single-quoted shell word. */
function shellWord(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Build steps (collectstatic, compilemessages, `buildCommands`) in exec form,
 * through a small runner that sets the step's environment, runs it in its
 * folder and, when it fails, names the step, the variable it missed if the
 * error says, and the options that fix it.
 */
function buildSteps(plan: Plan): string[] {
    // The folders the app writes (and those its linked files sit in), which the runner stage makes: made for each step where missing, since a
    // module the step imports may open a file there (Django's LOGGING FileHandler under logs/, which the source does not hold).
    const folders = [...new Set(plan.writablePaths.flatMap((w) => [w.path, ...w.links.map((l) => path.posix.dirname(l.from)).filter((d) => d !== APP)]))];
    const lines = [`COPY <<'EOF' ${STEP_RUNNER}`, ...STEP_RUNNER_SOURCE.map((l) => (l === STEP_RUNNER_FOLDERS ? `make = ${JSON.stringify(folders)}` : l)), "EOF"];
    // The data paths in the app folder (folders, and files linked into /data): what a step writes there (a settings
    // module that makes its database or a secret key file when collectstatic imports it) is the build's, not the deploy's.
    const inApp = (p: string): boolean => p.startsWith(`${APP}/`);
    const keepOut = plan.writablePaths
        .filter((w) => w.kind === "data")
        .flatMap((w) => [...(inApp(w.path) ? [w.path] : []), ...w.links.map((l) => l.from).filter(inApp)]);
    for (const step of plan.buildSteps) {
        const env = { ...step.env, ...plan.buildEnv };
        const argv = ["python", STEP_RUNNER, step.name, step.off, step.workdir, ...(step.keepsWrites ? [] : keepOut).map((k) => `--keep-out=${k}`), ...Object.entries(env).map(([k, v]) => `${k}=${v}`), "--", ...step.argv];
        // The CA bundle too: a step may fetch (npm ci) through the same proxy the installs go through.
        lines.push(`RUN ${secretMounts(plan.caBundle, plan.buildSecrets)}${JSON.stringify(argv)}`);
    }
    // Folders the steps write outside the app folder, which the runner copies: made even when a settings branch wrote elsewhere, so the copy never fails.
    const outputs = plan.buildSteps.flatMap((st) => st.outputs ?? []);
    if (outputs.length > 0) {
        lines.push(`RUN mkdir -p ${outputs.join(" ")}`);
    }
    return lines;
}

/** The runner's line that lists the plan's writable folders (a JSON list of plain paths, which Python reads as a list). */
const STEP_RUNNER_FOLDERS = "make = []";

/** The runner's source: Python run by the builder's venv python. */
const STEP_RUNNER_SOURCE = [
    "import os, re, shutil, subprocess, sys",
    "name, off, workdir = sys.argv[1:4]",
    "rest = sys.argv[4:]",
    'cut = rest.index("--")',
    'keep_out = [i.split("=", 1)[1] for i in rest[:cut] if i.startswith("--keep-out=")]',
    "env = dict(os.environ)",
    'for item in rest[:cut]:',
    '    if not item.startswith("--keep-out="):',
    '        key, _, value = item.partition("=")',
    "        env[key] = value",
    "argv = rest[cut + 1:]",
    "def listing(p):",
    "    if os.path.isdir(p) and not os.path.islink(p):",
    "        return {os.path.join(d, x) for d, dirs, files in os.walk(p) for x in dirs + files}",
    "    return {p} if os.path.lexists(p) else set()",
    "# The folders the app writes that are not there yet (a log folder a settings module's FileHandler opens at import): made for the step.",
    STEP_RUNNER_FOLDERS,
    "def first_missing(d):",
    "    top = None",
    "    while not os.path.lexists(d):",
    "        top, d = d, os.path.dirname(d)",
    "    return top",
    "made = sorted({t for t in map(first_missing, make) if t})",
    "for d in make:",
    "    os.makedirs(d, exist_ok=True)",
    "before = set().union(*map(listing, keep_out))",
    "proc = subprocess.run(argv, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)",
    "sys.stdout.write(proc.stdout)",
    "# What the step wrote into a data path (a database, a generated key file) stays out of the image: the deploy's volume starts without it.",
    "for p in sorted(set().union(*map(listing, keep_out)) - before, key=len, reverse=True):",
    "    if os.path.lexists(p):",
    '        print(f"pulumi-python-app: build step {name} wrote {p}, in a data path: removed from the image", flush=True)',
    "        shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.remove(p)",
    "# And gone again, with the log lines the step wrote there; a folder the step left other files in stays.",
    "for d in made:",
    '    if all(re.search(r"\\.log(\\.\\d+)?$", f) for r, _, fs in os.walk(d) for f in fs):',
    "        shutil.rmtree(d)",
    "if proc.returncode != 0:",
    "    lines = [l for l in proc.stdout.splitlines() if l.strip()] or [\"(no output)\"]",
    "    # The line that says what failed, when a later one only says where to look (manage.py's usage hint, npm's log path).",
    '    errors = [l for l in lines if re.search(r"[Ee]rror\\b|ERR!|Unknown command|No module named|[Nn]ot found", l) and not re.search(r"complete log|for usage", l) and not re.match(r"\\s+at ", l)]',
    "    # Vite and Rollup print the reason on the line after `error during build:`, then a stack whose frames name `error`.",
    '    reasons = [lines[i + 1] for i, l in enumerate(lines[:-1]) if "error during build" in l]',
    "    tail = reasons[-1:] or errors[-1:] or lines[-1:]",
    '    missing = re.findall(r"KeyError: \'([A-Z][A-Z0-9_]*)\'|[Ss]et the ([A-Z][A-Z0-9_]*) environment variable|environment variable ([A-Z][A-Z0-9_]*)|([A-Z][A-Z0-9_]*) not found\\. Declare it as envvar|[Ee]nvironment variable \\"([A-Z][A-Z0-9_]*)\\" not set|Config \'([A-Z][A-Z0-9_]*)\' is missing", proc.stdout)',
    '    names = sorted({n for group in missing for n in group if n})',
    '    hint = ("It reads " + ", ".join(names) + " from the environment: give " + ("it" if len(names) == 1 else "them") + " with `buildEnv` (or `buildSecrets` for a secret). ") if names else "If the settings need variables at import, give them with `buildEnv` or `buildSecrets`. "',
    "    # A front-end tool that checks the Node.js it runs on (Vite: `You are using Node.js 18.20.4. Vite requires Node.js version 20.19+ or 22.12+.`).",
    '    node = re.search(r"You are using Node\\.js v?([0-9][0-9.]*)\\. (.+?) requires Node\\.js version (.+?)\\.?\\s*(?:Please|$)", proc.stdout, re.M)',
    "    # A front-end step's failure is the front-end's: no Python settings are read there.",
    '    if not names and any(w == "npm" or w.startswith("npm ") or " npm " in w or "node_modules/.bin/" in w for w in argv):',
    '        hint = "Fix the front-end build, or build it ahead and ship its output in the source folder. "',
    "    if node and not names:",
    '        hint = f"{node.group(2)} needs Node.js {node.group(3)}, newer than the builder\'s {node.group(1)} (the base image\'s nodejs): set `python` to a version whose base image ships a newer one (3.13: Debian 13, Node.js 20.19), or build the front-end ahead and ship its output. "',
    "    # One line: build logs show a failed step's last lines, and this one must not be cut.",
    '    print(f"pulumi-python-app: build step {name} failed (exit {proc.returncode}): {tail[0]} {hint}Or turn it off with {off}.", file=sys.stderr, flush=True)',
    "    sys.exit(proc.returncode)",
];

/**
 * Commands for the runner, after the app's files are in place: the paths the app writes,
 * and only those, made and owned by its user (a named volume mounted there
 * starts with this owner and these contents); files the app keeps among its
 * code are moved into the data or scratch folder and linked back. A file in
 * the scratch folder is replaced by the tmpfs mounted there at run time.
 */
function writableInRunner(plan: Plan): string[] {
    if (plan.writablePaths.length === 0) {
        return [];
    }
    const { uid, gid } = plan.user;
    const links = plan.writablePaths.flatMap((w) => w.links);
    const paths = plan.writablePaths.map((w) => w.path);
    const parent = (p: string) => p.slice(0, p.lastIndexOf("/"));
    // A link's folder is made too: outside the app's folder (a platform's VISITS_DB=/var/lib/visits/visits.db), or one of
    // the app's that the source does not hold (DATABASES' data/db.sqlite3 with no data/ committed).
    const linkDirs = links.map((l) => parent(l.from)).filter((d) => d !== "" && d !== APP);
    const dirs = [...new Set([...paths, ...links.map((l) => parent(l.to)), ...linkDirs])];
    const cmds: string[] = [`mkdir -p ${dirs.join(" ")}`];
    for (const link of links) {
        if (!link.to.startsWith(`${DEFAULTS.scratchDir}/`)) {
            // A database committed with the code becomes the volume's first contents (a scratch folder starts empty).
            cmds.push(`if [ -e ${link.from} ] && [ ! -L ${link.from} ]; then mv ${link.from} ${link.to}; fi`);
        }
        cmds.push(`ln -sfn ${link.to} ${link.from}`);
    }
    // (A COPY --chown into a folder an earlier layer made keeps that folder root's, so the owner is set here.)
    cmds.push(`chown -R ${uid}:${gid} ${paths.join(" ")}`);
    return cmds;
}

/**
 * The one RUN after the app's files are in the runner: the app's bytecode
 * when the plan compiles it there, and the writable paths.
 */
function afterSourceInRunner(plan: Plan): string[] {
    const compile = plan.sourceInto === "runner" && plan.bytecode.compileApp ? [`${VENV}/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash ${APP}`] : [];
    const writable = writableInRunner(plan);
    const cmds = [...compile, ...writable];
    if (cmds.length === 0) {
        return [];
    }
    const why = [
        ...(compile.length > 0 ? ["The app's modules compiled once here rather than by every worker at every start."] : []),
        ...(writable.length > 0 ? ["The paths the app writes: its user's; everything else stays root's."] : []),
    ];
    const head = why.map(comment);
    // One command, or mkdir and chown alone, fit one line; anything more, a command per line.
    if (cmds.length === 1 || (cmds.length === 2 && compile.length === 0)) {
        return [...head, `RUN ${cmds.join(" && ")}`];
    }
    return [...head, `RUN ${cmds[0]} \\`, ...cmds.slice(1).map((c, i) => `    && ${c}${i < cmds.length - 2 ? " \\" : ""}`)];
}

function runnerStage(plan: Plan): string[] {
    const { name, uid, gid } = plan.user;
    const lines = [comment("Runner: the interpreter, the venv and the app; nothing to compile with."), `FROM ${plan.baseImage.image} AS runner`, "ARG DEBIAN_FRONTEND=noninteractive"];
    if (plan.baseImage.flavor === "apt") {
        lines.push(...aptInstall(plan, ["ca-certificates", "python3", ...plan.apt.runtime], "runner"));
    } else if (plan.apt.runtime.length > 0) {
        lines.push(...aptInstall(plan, plan.apt.runtime, "runner"));
    }
    lines.push(
        comment(`A fixed non-root user; the app's files stay root-owned and read-only to it.`),
        `RUN echo '${name}:x:${uid}:${gid}::/nonexistent:/usr/sbin/nologin' >> /etc/passwd \\`,
        `    && echo '${name}:x:${gid}:' >> /etc/group`,
        // Before the linked copies: WORKDIR makes a folder, and a step on top of linked layers merges them first.
        `WORKDIR ${APP}`,
        `COPY --link --from=builder ${VENV} ${VENV}`,
        `COPY --link <<'EOF' ${GUNICORN_CONFIG_PATH}`,
        ...renderGunicornConfig(plan).trimEnd().split("\n"),
        "EOF",
    );
    if (plan.sourceInto === "runner") {
        // Last of the files, and linked: a source change rebuilds this layer (and the RUN below, if any) alone.
        lines.push(comment("The source, straight from the build context."), `COPY --link . ${APP}`);
    } else {
        lines.push(`COPY --link --from=builder ${APP} ${APP}`);
    }
    // What build steps write outside the app folder (a STATIC_ROOT under /var/www).
    for (const out of plan.buildSteps.flatMap((st) => st.outputs ?? [])) {
        lines.push(`COPY --link --from=builder ${out} ${out}`);
    }
    lines.push(...afterSourceInRunner(plan));
    const home = DEFAULTS.home;
    lines.push(
        `ENV VIRTUAL_ENV=${VENV} PATH=${VENV}/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PYTHONFAULTHANDLER=1 LANG=C.UTF-8 PORT=${plan.server.port} \\`,
        `    HOME=${home} XDG_CACHE_HOME=${home}/.cache XDG_CONFIG_HOME=${home}/.config XDG_DATA_HOME=${home}/.local/share`,
    );
    const imageEnv = Object.entries(plan.imageEnv);
    if (imageEnv.length > 0) {
        lines.push(`ENV ${imageEnv.map(([k, v]) => `${k}=${quote(v)}`).join(" ")}`);
    }
    const labels: Array<[string, string]> = [
        ["org.opencontainers.image.base.name", plan.baseImage.image],
        ["dev.pulumi-python-app.framework", plan.framework],
        ["dev.pulumi-python-app.app", plan.entrypoint.spec],
        ["dev.pulumi-python-app.python", plan.python.version],
        ...Object.entries(plan.labels),
    ];
    lines.push(`LABEL ${labels.map(([k, val]) => `${k}=${quote(val)}`).join(" \\\n      ")}`);
    lines.push(`USER ${uid}:${gid}`, `EXPOSE ${plan.server.port}`);
    const probe = healthCheckCommand(plan);
    if (probe) {
        const t = HEALTH_CHECK_TIMING;
        lines.push(`HEALTHCHECK --interval=${t.intervalSeconds}s --timeout=${t.timeoutSeconds}s --start-period=${t.startPeriodSeconds}s --retries=${t.retries} CMD ${JSON.stringify(probe)}`);
    }
    lines.push("STOPSIGNAL SIGTERM", `CMD ${execForm(gunicornCommand(plan))}`);
    return lines;
}

/**
 * An exec-form (JSON) argv over several lines, a flag and its value per line,
 * so a change to one flag is a one-line diff in `pulumi preview --diff`.
 */
function execForm(argv: readonly string[]): string {
    const groups: string[][] = [];
    for (let i = 0; i < argv.length; i++) {
        const takesValue = argv[i].startsWith("--") && i + 1 < argv.length && !argv[i + 1].startsWith("--") && i + 1 < argv.length - 1;
        groups.push(takesValue ? [argv[i], argv[++i]] : [argv[i]]);
    }
    return "[" + groups.map((g) => g.map((a) => JSON.stringify(a)).join(", ")).join(", \\\n     ") + "]";
}

/** A double-quoted Dockerfile word: backslash, quote and $ escaped (no variable expansion). */
export function quote(value: string): string {
    return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** `--locked` (the lock must match pyproject.toml, or uv fails the build), or `--frozen` for a lock the plan found written for another version of the project only. */
function uvLockFlag(plan: Plan): string {
    return plan.dependencies.uvFrozen === true ? "--frozen" : "--locked";
}
