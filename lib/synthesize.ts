import { DEFAULTS } from "./data/defaults";
import { openSource } from "./detect/source";
import { planBytecode } from "./plan/bytecode";
import { makePlan, Plan, SynthesizeOptions } from "./plan/plan";
import { renderDockerfile } from "./render/dockerfile";
import { checkManifestsKept } from "./plan/ignore-check";
import { ignoreMatcher } from "./detect/ignore";
import { renderDockerignore } from "./render/dockerignore";
import { seededDataNotes } from "./plan/writable";

export interface Synthesized {
    /** The Dockerfile text. */
    readonly dockerfile: string;
    /** The .dockerignore applied to the build context: synthesized patterns merged with the app's own. */
    readonly dockerignore: string;
    /** What was detected and decided, with where each decision came from. */
    readonly plan: Plan;
}

/**
 * detect -> plan -> render. Pure and synchronous: it reads the source folder
 * and returns text; it writes nothing and needs no Pulumi engine. The output
 * depends only on the folder's contents and the options (no clock, no
 * absolute paths, no iteration-order accidents), so the same inputs give
 * byte-identical output. Bad input throws an InputError naming the argument.
 */
export function synthesize(sourceDir: string, options: SynthesizeOptions = {}): Synthesized {
    const src = openSource(sourceDir);
    const planned = makePlan(src, options);
    const userIgnore = src.readIfFile(".dockerignore");
    const dockerignore = renderDockerignore(planned, userIgnore);
    checkManifestsKept(planned, dockerignore, userIgnore !== undefined);
    // After the .dockerignore: the decision counts the Python source the build context holds. (makePlan checked the option.)
    const ignored = ignoreMatcher(dockerignore);
    const seeded = seededDataNotes(planned.writablePaths, DEFAULTS.workdir, (rel) => src.isFile(rel) && !ignored(rel));
    const plan: Plan = { ...planned, notes: [...planned.notes, ...seeded], bytecode: planBytecode(src, planned.sourceInto, dockerignore, options.compileBytecode) };
    return { dockerfile: renderDockerfile(plan), dockerignore, plan };
}
