import ignore from "@balena/dockerignore";
import { InputError } from "../errors";
import { Plan } from "../plan/plan";

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
export function renderDockerignore(plan: Plan, userDockerignore: string | undefined): string {
    const lines = ["# Synthesized by pulumi-python-app", ...DEFAULT_IGNORE];
    if (userDockerignore !== undefined && userDockerignore.trim() !== "") {
        lines.push("# from the app's .dockerignore", ...userDockerignore.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l !== ""));
    }
    if (plan.ignore.length > 0) {
        lines.push("# from `ignore`", ...plan.ignore);
    }
    return lines.join("\n") + "\n";
}

export function ignorePatterns(dockerignore: string): string[] {
    return dockerignore
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"));
}

/** A matcher with Docker's .dockerignore semantics (later patterns win, `!` re-includes). */
export function ignoreMatcher(dockerignore: string): (relPath: string) => boolean {
    const ig = ignore().add(ignorePatterns(dockerignore));
    return (relPath: string) => ig.ignores(relPath);
}

/** A pattern the matcher (and Docker) can compile: no unclosed `[` or reversed range such as `[z-a]`. */
function compiles(pattern: string): boolean {
    try {
        ignore().add([pattern]).ignores("probe");
        return true;
    } catch {
        return false;
    }
}

const BAD_PATTERN = "which is not a valid .dockerignore pattern (an unclosed [ or a reversed range such as [z-a]); fix or remove it.";

/** The files the Dockerfile copies must survive the .dockerignore, or the build fails late. */
export function checkManifestsKept(plan: Plan, dockerignore: string, hasUserFile: boolean): void {
    plan.ignore.forEach((p, i) => {
        if (!compiles(p)) {
            throw new InputError(`\`ignore[${i}]\``, `\`ignore[${i}]\` is ${JSON.stringify(p)}, ${BAD_PATTERN}`);
        }
    });
    for (const p of ignorePatterns(dockerignore)) {
        if (!compiles(p)) {
            throw new InputError(".dockerignore", `The app's .dockerignore has the pattern ${JSON.stringify(p)}, ${BAD_PATTERN}`);
        }
    }
    const ignored = ignoreMatcher(dockerignore);
    // Which layer excludes the file: the synthesized defaults, the app's .dockerignore, or `ignore`
    // (renderDockerignore appends `ignore` last, after a one-line header).
    const lines = dockerignore.trimEnd().split("\n");
    const withoutOption = plan.ignore.length > 0 ? lines.slice(0, -(plan.ignore.length + 1)) : lines;
    const byDefaultsAndUser = ignoreMatcher(withoutOption.join("\n"));
    const byDefaults = ignoreMatcher(DEFAULT_IGNORE.join("\n"));
    for (const f of plan.manifests) {
        if (!ignored(f)) {
            continue;
        }
        if (!byDefaultsAndUser(f)) {
            throw new InputError(
                "`ignore`",
                `\`ignore\` excludes ${f}, which the Dockerfile copies to install dependencies; remove that pattern.`,
            );
        }
        if (hasUserFile && !byDefaults(f)) {
            throw new InputError(
                ".dockerignore",
                `The app's .dockerignore excludes ${f}, which the Dockerfile copies to install dependencies; remove that pattern.`,
            );
        }
        throw new InputError(
            f,
            `${f} is excluded by the synthesized .dockerignore (it keeps virtualenvs, caches, secrets and tooling ` +
                `out of the build), but the Dockerfile copies it to install dependencies. Move the file, ` +
                `or re-include it with \`ignore\`: ["!${f}"].`,
        );
    }
}
