import { DEFAULTS } from "../plan/defaults";
import { Plan } from "../plan/plan";
import { GUNICORN_CONFIG_PATH, gunicornCommand, healthCheckCommand } from "./commands";
import { renderGunicornConfig } from "./gunicorn-config";

/**
 * Renders the plan as a two-stage Dockerfile. Pure: the same plan gives the
 * same bytes. Every value interpolated here was validated by makePlan against
 * an allow-list; lists of words are written in exec/JSON form, and comments
 * are stripped of control characters, so nothing can open a new instruction.
 */

const VENV = DEFAULTS.venv;
const APP = DEFAULTS.workdir;
const TOOLS = "/opt/build-tools";

export function renderDockerfile(plan: Plan): string {
    const out: string[] = [];
    if (plan.syntax) {
        out.push(`# syntax=${plan.syntax}`);
    }
    out.push(
        comment(`Synthesized by pulumi-python-app. Eject with: npx pulumi-python-app synth <dir> --out <dir>`),
        comment(`App: ${plan.framework} ${plan.entrypoint.interface.toUpperCase()} ${plan.entrypoint.spec} (from ${plan.entrypoint.source})`),
        comment(`Python ${plan.python.version} (${plan.python.source === "default" ? "the default" : `from ${plan.python.source}`}) on ${plan.baseImage.image}: ${plan.baseImage.reason}`),
        comment(`Dependencies: ${plan.installer} from ${plan.manifest}`),
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

/** An id for the apt cache mounts that keeps different distros' caches apart. */
function aptCacheKey(plan: Plan): string {
    return plan.baseImage.image.replace(/[^A-Za-z0-9.-]+/g, "-");
}

/**
 * apt-get install with BuildKit cache mounts for the archives and lists, so a
 * rebuild downloads nothing; the cache lives in the builder, not the image.
 */
function aptInstall(plan: Plan, packages: readonly string[], stage: "builder" | "runner"): string[] {
    const key = aptCacheKey(plan);
    const lines = [
        `RUN --mount=type=cache,id=apt-archives-${key},target=/var/cache/apt,sharing=locked \\`,
        `    --mount=type=cache,id=apt-lists-${key},target=/var/lib/apt/lists,sharing=locked \\`,
        "    rm -f /etc/apt/apt.conf.d/docker-clean \\",
        "    && echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache \\",
        "    && apt-get update \\",
        `    && apt-get install -y --no-install-recommends ${packages.join(" ")}`,
    ];
    if (stage === "runner") {
        // The runner ships: apt inside the running container should not keep downloaded packages.
        lines[lines.length - 1] += " \\";
        lines.push("    && rm -f /etc/apt/apt.conf.d/keep-cache");
    }
    return lines;
}

function pipCache(): string {
    return "--mount=type=cache,id=pip,target=/root/.cache/pip";
}

/** Where the install steps see the extra CA bundle, when `caBundle` is set. */
export const CA_BUNDLE_PATH = "/run/secrets/ca-bundle.pem";

function secretMounts(plan: Plan): string {
    const ca = plan.caBundle ? `--mount=type=secret,id=ca-bundle,target=${CA_BUNDLE_PATH} ` : "";
    return ca + plan.installSecrets.map((name) => `--mount=type=secret,id=${name},env=${name} `).join("");
}

/** Manifests keep their relative paths; one COPY per folder, JSON form. */
function copyManifests(plan: Plan): string[] {
    const byDir = new Map<string, string[]>();
    for (const f of plan.manifests) {
        const dir = f.includes("/") ? f.slice(0, f.lastIndexOf("/") + 1) : "./";
        byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
    }
    return [...byDir.entries()].map(([dir, files]) => `COPY ${JSON.stringify([...files, dir])}`);
}

function builderStage(plan: Plan): string[] {
    const apt = plan.baseImage.flavor === "apt";
    const buildPackages = apt
        ? ["build-essential", "python3", "python3-dev", "python3-venv", ...plan.apt.build]
        : ["build-essential", ...plan.apt.build];
    const lines = [
        comment("Builder: compilers and -dev headers live here only; the runner gets the finished venv."),
        `FROM ${plan.baseImage.image} AS builder`,
        "ARG DEBIAN_FRONTEND=noninteractive",
        ...aptInstall(plan, buildPackages, "builder"),
        `ENV VIRTUAL_ENV=${VENV} PATH=${VENV}/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1`,
        `RUN python3 -m venv ${VENV}`,
    ];
    if (plan.caBundle) {
        // Builder only (the runner starts from the base again): pip, uv and requests trust the mounted bundle.
        lines.push(`ENV PIP_CERT=${CA_BUNDLE_PATH} SSL_CERT_FILE=${CA_BUNDLE_PATH} REQUESTS_CA_BUNDLE=${CA_BUNDLE_PATH}`);
    }
    if (plan.installer === "uv") {
        lines.push(
            `ENV UV_PROJECT_ENVIRONMENT=${VENV} UV_PYTHON=${VENV}/bin/python UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy`,
            `RUN ${pipCache()} ${secretMounts(plan)}python3 -m venv ${TOOLS} && ${TOOLS}/bin/pip install ${DEFAULTS.uv}`,
        );
    } else if (plan.installer === "poetry") {
        lines.push(
            "ENV POETRY_VIRTUALENVS_CREATE=false POETRY_NO_INTERACTION=1",
            `RUN ${pipCache()} ${secretMounts(plan)}python3 -m venv ${TOOLS} && ${TOOLS}/bin/pip install ${DEFAULTS.poetry}`,
        );
    }
    lines.push(`WORKDIR ${APP}`);

    const install = installDependencies(plan);
    if (plan.needsSource) {
        lines.push(comment("requirements.txt installs a local path, so the source comes first."), "COPY . .", ...install);
    } else {
        lines.push(comment("Manifests first: a code change does not reinstall dependencies."), ...copyManifests(plan), ...install, "COPY . .");
    }
    const project = installProject(plan);
    if (project) {
        lines.push(project);
    }
    lines.push(`RUN python -m compileall -q -j 0 --invalidation-mode unchecked-hash ${APP}`);
    return lines;
}

function installDependencies(plan: Plan): string[] {
    const secrets = secretMounts(plan);
    const added = plan.server.addedPackages.join(" ");
    switch (plan.installer) {
        case "uv": {
            const addStep = added ? ` \\\n    && ${TOOLS}/bin/uv pip install ${added}` : "";
            return [
                `RUN --mount=type=cache,id=uv,target=/root/.cache/uv ${secrets}\\`,
                `    ${TOOLS}/bin/uv sync --locked --no-dev --no-install-project --no-editable${addStep}`,
            ];
        }
        case "poetry": {
            const addStep = added ? ` \\\n    && pip install ${added}` : "";
            return [
                `RUN --mount=type=cache,id=poetry,target=/root/.cache/pypoetry ${pipCache()} ${secrets}\\`,
                `    ${TOOLS}/bin/poetry install --only main --no-root --no-ansi${addStep} \\`,
                `    && python -m compileall -q -j 0 ${VENV}/lib`,
            ];
        }
        case "pipenv": {
            const addStep = added ? ` \\\n    && pip install ${added}` : "";
            // Pipfile.lock's default section, with its hashes, as a requirements file for pip.
            const convert =
                "import json; d = json.load(open('Pipfile.lock'))['default']; " +
                "open('/tmp/pipfile.txt', 'w').write(''.join(n + e['version'] + ('; ' + e['markers'] if e.get('markers') else '') " +
                "+ ''.join(' --hash=' + h for h in e.get('hashes', [])) + '\\n' for n, e in sorted(d.items())))";
            return [
                `RUN ${pipCache()} ${secrets}\\`,
                `    python -c ${JSON.stringify(convert)} \\`,
                `    && pip install -r /tmp/pipfile.txt${addStep}`,
            ];
        }
        default: {
            const addStep = added ? ` \\\n    && pip install ${added}` : "";
            if (plan.manifest === "pyproject.toml") {
                // Only the dependencies: the project itself (if it is a package) installs after the source.
                const deps =
                    "import sys; tomllib = __import__('tomllib') if sys.version_info >= (3, 11) else __import__('pip._vendor.tomli', fromlist=['loads']); " +
                    "d = tomllib.load(open('pyproject.toml', 'rb')).get('project', {}).get('dependencies', []); " +
                    "open('/tmp/pyproject-deps.txt', 'w').write(''.join(r + '\\n' for r in d))";
                return [
                    `RUN ${pipCache()} ${secrets}\\`,
                    `    python -c ${JSON.stringify(deps)} \\`,
                    `    && pip install -r /tmp/pyproject-deps.txt${addStep}`,
                ];
            }
            return [`RUN ${pipCache()} ${secrets}\\`, `    pip install -r requirements.txt${addStep}`];
        }
    }
}

function installProject(plan: Plan): string | undefined {
    if (!plan.installsProject) {
        return undefined;
    }
    const secrets = secretMounts(plan);
    switch (plan.installer) {
        case "uv":
            // --inexact: an exact sync would uninstall the packages added above (gunicorn, uvicorn-worker).
            return `RUN --mount=type=cache,id=uv,target=/root/.cache/uv ${secrets}${TOOLS}/bin/uv sync --locked --no-dev --no-editable --inexact`;
        case "poetry":
            return `RUN --mount=type=cache,id=poetry,target=/root/.cache/pypoetry ${secrets}${TOOLS}/bin/poetry install --only-root --no-ansi`;
        default:
            return `RUN ${pipCache()} ${secrets}pip install --no-deps .`;
    }
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
        `COPY --link --from=builder ${VENV} ${VENV}`,
        `COPY --link --from=builder ${APP} ${APP}`,
    );
    if (!plan.server.userConfig) {
        lines.push(`COPY <<'EOF' ${GUNICORN_CONFIG_PATH}`, ...renderGunicornConfig(plan).trimEnd().split("\n"), "EOF");
    }
    lines.push(
        `WORKDIR ${APP}`,
        `ENV VIRTUAL_ENV=${VENV} PATH=${VENV}/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PYTHONFAULTHANDLER=1 LANG=C.UTF-8 PORT=${plan.server.port}`,
    );
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
        lines.push(`HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ${JSON.stringify(probe)}`);
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
