import ignore from "@balena/dockerignore";
import { InputError } from "../errors";
import { ignoreMatcher, ignorePatterns } from "../detect/ignore";
import { DEFAULT_IGNORE } from "../render/dockerignore";
import { PlanBeforeContext } from "./plan";

/**
 * Checks on the merged .dockerignore, made before anything is built: every
 * pattern compiles, and no pattern drops a file the Dockerfile copies to
 * install dependencies (which would fail the build late). The message names
 * the layer at fault: the synthesized defaults, the app's .dockerignore, or
 * `ignore`.
 */

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
export function checkManifestsKept(plan: PlanBeforeContext, dockerignore: string, hasUserFile: boolean): void {
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
