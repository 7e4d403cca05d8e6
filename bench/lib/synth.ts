import * as fs from "node:fs";
import * as path from "node:path";
import { APP_SRC } from "./builds";
import { LIB } from "../../test/support";
import { Stat, stat } from "./util";

/**
 * Scenario 7b: synthesize() on a source tree of the bench app plus 10,000
 * small .py files in nested folders (100 packages x 10 subpackages x 10
 * modules), in-process, timed with a monotonic clock.
 */
export function makeBigTree(root: string, files = 10000): void {
    fs.rmSync(root, { recursive: true, force: true });
    fs.cpSync(APP_SRC, root, { recursive: true });
    let made = 0;
    for (let a = 0; made < files; a++) {
        const pkg = path.join(root, "src", `pkg${String(a).padStart(3, "0")}`);
        for (let b = 0; b < 10 && made < files; b++) {
            const sub = path.join(pkg, `sub${b}`);
            fs.mkdirSync(sub, { recursive: true });
            for (let c = 0; c < 10 && made < files; c++) {
                fs.writeFileSync(path.join(sub, `mod${c}.py`), `"""Generated module ${made}."""\n\n\ndef f${made}(x):\n    return x + ${made}\n`);
                made++;
            }
        }
    }
}

export function countFiles(root: string): number {
    let n = 0;
    for (const e of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
        if (e.isFile()) {
            n++;
        }
    }
    return n;
}

export function timeSynthesize(root: string, runs: number, baseImage: string): Stat {
    const { synthesize } = require(LIB) as typeof import("../../lib");
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        synthesize(root, { baseImage });
        xs.push(performance.now() - t0);
    }
    return stat(xs);
}

/**
 * What PythonImage adds on top of synthesize() for every preview and up:
 * mirroring the source (minus ignored files) into its build-context folder.
 * The first run copies everything; later runs find the files in place.
 */
export function timeStageContext(root: string, dest: string, runs: number, baseImage: string): { first: number; rest: Stat } {
    const { synthesize } = require(LIB) as typeof import("../../lib");
    const { stageBuildContext } = require(path.join(LIB, "resources", "build-context")) as typeof import("../../lib/resources/build-context");
    const ignore = synthesize(root, { baseImage }).dockerignore;
    fs.rmSync(dest, { recursive: true, force: true });
    const xs: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
        const t0 = performance.now();
        stageBuildContext(root, ignore, dest);
        xs.push(performance.now() - t0);
    }
    return { first: xs[0], rest: stat(xs.slice(1)) };
}
