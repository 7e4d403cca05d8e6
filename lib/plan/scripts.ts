import { DEFAULTS } from "../data/defaults";
import { commands, displayWords, isAssignment, shellTokens } from "../detect/procfile";
import { SourceTree } from "../detect/source";
import { InputError } from "../errors";

/** Shells whose first operand is a script file they read line by line. */
const SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "dash"]);

/** A command the image runs: its words, the folder it runs in (absolute in the image), and what it came from. */
export interface RunCommand {
    readonly argv: readonly string[];
    readonly workdir: string;
    readonly source: string;
}

/**
 * The app's script files a command executes: its first word when that is a
 * path (`bin/release`, `./scripts/migrate.sh`), the script a shell is given
 * (`bash release.sh`), and the same inside `sh -c "..."`. Relative to the
 * source folder; a bare name is looked up on PATH, not in the folder.
 */
export function scriptsRun(src: SourceTree, run: RunCommand): string[] {
    const base = run.workdir === DEFAULTS.workdir ? "" : run.workdir.startsWith(`${DEFAULTS.workdir}/`) ? run.workdir.slice(DEFAULTS.workdir.length + 1) : undefined;
    const inSource = (word: string): string | undefined => {
        const rel = word.startsWith(`${DEFAULTS.workdir}/`) ? word.slice(DEFAULTS.workdir.length + 1) : word.startsWith("/") || base === undefined ? undefined : [base, word.replace(/^(\.\/)+/, "")].filter((p) => p !== "").join("/");
        return rel !== undefined && !rel.split("/").includes("..") && src.isFile(rel) ? rel : undefined;
    };
    const fromWords = (words: readonly string[]): string[] => {
        const start = words.findIndex((x) => !isAssignment(x));
        const w = start < 0 ? [] : words.slice(start);
        const first = w[0]?.split("/").pop() ?? "";
        if (SHELLS.has(first) && w[1] === "-c" && w[2] !== undefined) {
            return commands(shellTokens(w[2])).flatMap((c) => fromWords(c.words));
        }
        if (SHELLS.has(first)) {
            const operand = w.slice(1).find((x) => !x.startsWith("-"));
            const file = operand === undefined ? undefined : inSource(operand);
            return file === undefined ? [] : [file];
        }
        const file = w[0] !== undefined && w[0].includes("/") ? inSource(w[0]) : undefined;
        return file === undefined ? [] : [file];
    };
    return fromWords(run.argv);
}

/**
 * Scripts the image runs must run on Linux: one checked out with Windows line
 * endings (git's core.autocrlf=true) fails there with `/usr/bin/env:
 * 'bash\r': No such file or directory` or `set: pipefail\r: invalid option`,
 * and a byte-order mark before `#!` hides the interpreter. Refused before
 * the build, naming the file and the fix. Files the package only reads (a
 * start script read through for its server line) are not checked.
 */
export function refuseUnrunnableScripts(src: SourceTree, runs: readonly RunCommand[]): void {
    for (const run of runs) {
        for (const file of scriptsRun(src, run)) {
            const bom = src.byteOrderMark(file);
            const crlf = src.read(file).includes("\r\n");
            if (bom === undefined && !crlf) {
                continue;
            }
            const what = [
                ...(bom !== undefined ? [`is ${bom} with a byte-order mark, which the kernel and the shell read as part of its first line`] : []),
                ...(crlf ? ["has CRLF (Windows) line endings, so on Linux every line ends in a \\r the shell takes as part of its last word (`#!/usr/bin/env bash` names \"bash\\r\", which does not exist)"] : []),
            ].join(", and ");
            const fix = [
                ...(crlf ? [`convert it to LF line endings with \`dos2unix ${file}\`, or for the whole checkout \`git config core.autocrlf input\`, then \`git add --renormalize .\` and check the files out again (a .gitattributes line \`${file} text eol=lf\` keeps it so)`] : []),
                ...(bom !== undefined ? ["save it as UTF-8 without a byte-order mark"] : []),
            ].join("; ");
            throw new InputError(file, `${file} ${what}, and the image runs it (${run.source} \`${displayWords(run.argv)}\`), where it would fail: ${fix}.`);
        }
    }
}
