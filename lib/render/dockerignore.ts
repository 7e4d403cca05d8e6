import { PlanBeforeContext } from "../plan/plan";

/**
 * What never belongs in the build context of a Python app: version control,
 * caches and virtualenvs (large, and machine-specific), secrets, and the
 * deployment tooling around the app. A smaller context uploads faster, and
 * what is not sent cannot leak into a layer.
 */
export const DEFAULT_IGNORE: readonly string[] = [
    "# version control",
    ".git",
    ".hg",
    ".svn",
    "# caches and build output",
    "**/__pycache__",
    "**/*.py[cod]",
    "**/.pytest_cache",
    "**/.mypy_cache",
    "**/.ruff_cache",
    ".tox",
    ".nox",
    ".coverage",
    "htmlcov",
    "*.egg-info",
    "# virtualenvs and other languages' dependencies",
    ".venv",
    "venv",
    "**/node_modules",
    "# secrets",
    ".env",
    ".env.*",
    "# cookiecutter-django's per-environment variable files (.envs/.production/.django)",
    ".envs",
    "# dynaconf's local secrets files (.secrets.toml, .secrets.yaml, ...) and Streamlit's",
    "**/.secrets.*",
    "**/.streamlit/secrets.toml",
    "**/*.pem",
    "**/*.key",
    "**/id_rsa*",
    ".aws",
    ".ssh",
    "# editors and deployment tooling",
    ".idea",
    ".vscode",
    "**/.DS_Store",
    "Dockerfile*",
    ".dockerignore",
    "Pulumi*.yaml",
    ".pulumi-python-app",
];

/** The synthesized patterns, then the user's own .dockerignore (later lines win), then `ignore`. */
export function renderDockerignore(plan: PlanBeforeContext, userDockerignore: string | undefined): string {
    const lines = ["# Synthesized by pulumi-python-app", ...DEFAULT_IGNORE];
    if (plan.keptCertificates.length > 0) {
        lines.push("# certificates with no private key (a CA bundle the app names): kept", ...plan.keptCertificates.map((f) => `!${f}`));
    }
    if (userDockerignore !== undefined && userDockerignore.trim() !== "") {
        lines.push("# from the app's .dockerignore", ...userDockerignore.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l !== ""));
    }
    if (plan.ignore.length > 0) {
        lines.push("# from `ignore`", ...plan.ignore);
    }
    return lines.join("\n") + "\n";
}
