import { SourceTree } from "../detect/source";
import { ignoreMatcher, ignorePatterns } from "../detect/ignore";

/**
 * Whether the image carries the app's own modules compiled to bytecode.
 *
 * The venv's bytecode is always there (the installers compile it). The app's
 * own modules, when the source goes straight to the runner, are compiled at
 * build time only when there is enough of them to pay: compiling means a RUN
 * after the source copy, on every source change (a container start, about
 * 0.3 s), while without it each gunicorn worker compiles the modules it
 * imports in memory at every start, all workers at once on the container's
 * CPUs. bench/RESULTS.md ("Bytecode of the app's own modules") measures both:
 * for bench/app (one module, 1 KB) precompiling saves nothing measurable;
 * for the same app with 300 modules (26,000 lines, about 800 KB) it saves
 * seconds of every start. The threshold sits between, where the workers'
 * compile time at one start passes the build's cost.
 */
export const COMPILE_APP_BYTECODE_FROM_BYTES = 256 * 1024;

export interface BytecodePlan {
    /** Compile the app's modules (compileall, unchecked-hash) in the image. */
    readonly compileApp: boolean;
    /** Why, in words. */
    readonly reason: string;
}

/**
 * The .py bytes in the build context (the source minus what the .dockerignore
 * drops), counted until `limit` is reached: the walk stops there, so a large
 * tree costs no more than the threshold's worth of files.
 */
export function appSourceBytes(src: SourceTree, dockerignore: string, limit: number): number {
    const ignored = ignoreMatcher(dockerignore);
    const mayReinclude = ignorePatterns(dockerignore).some((p) => p.startsWith("!"));
    let total = 0;
    const walk = (rel: string): void => {
        for (const e of src.list(rel)) {
            if (total >= limit) {
                return;
            }
            const child = rel === "" ? e.name : `${rel}/${e.name}`;
            const isIgnored = ignored(child);
            if (e.isDirectory()) {
                if (!isIgnored || mayReinclude) {
                    walk(child);
                }
            } else if (e.isFile() && e.name.endsWith(".py") && !isIgnored) {
                total += src.size(child);
            }
        }
    };
    walk("");
    return total;
}

export function planBytecode(src: SourceTree, sourceInto: "runner" | "builder", dockerignore: string, option: boolean | undefined): BytecodePlan {
    if (option !== undefined) {
        return { compileApp: option, reason: `compileBytecode is ${option}` };
    }
    if (sourceInto === "builder") {
        return { compileApp: true, reason: "the source goes through the builder, which compiles it after the build steps" };
    }
    const bytes = appSourceBytes(src, dockerignore, COMPILE_APP_BYTECODE_FROM_BYTES);
    if (bytes >= COMPILE_APP_BYTECODE_FROM_BYTES) {
        return {
            compileApp: true,
            reason: `the app has ${COMPILE_APP_BYTECODE_FROM_BYTES / 1024} KB of Python source or more: compiled once at build time rather than by every worker at every start`,
        };
    }
    return {
        compileApp: false,
        reason: `the app has ${Math.ceil(bytes / 1024)} KB of Python source, under ${COMPILE_APP_BYTECODE_FROM_BYTES / 1024} KB: its workers compile it faster at start than a build step would`,
    };
}
