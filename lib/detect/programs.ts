import { parse as shellParse } from "shell-quote";
import { PROGRAM_PACKAGES } from "../data/programs";
import { candidates, ImportRoot, moduleReader } from "./app-code";
import { calleeOf, Expr, str } from "./python-source";
import { SourceTree } from "./source";
import { byName } from "../data/by-name";

/** Calls that run a program: its argument list, or a command line a shell reads. */
const RUNNERS: Readonly<Record<string, "argv" | "shell">> = byName({
    "subprocess.run": "argv",
    "subprocess.call": "argv",
    "subprocess.check_call": "argv",
    "subprocess.check_output": "argv",
    "subprocess.Popen": "argv",
    "asyncio.create_subprocess_exec": "argv",
    "asyncio.create_subprocess_shell": "shell",
    "os.system": "shell",
    "os.popen": "shell",
});

/**
 * The programs of PROGRAM_PACKAGES the app's modules run, each with the first
 * module that does: the first word of a literal argument list
 * (`subprocess.run(["ffmpeg", "-i", src, dst])`), or of a literal command line
 * (`subprocess.run("pandoc -o out.pdf in.md", shell=True)`, `os.system(...)`),
 * read as the shell splits it (shell-quote). A program named by a path keeps
 * its last part (`/usr/bin/git`).
 */
export function programsTheCodeRuns(src: SourceTree, roots: readonly ImportRoot[]): Array<{ readonly program: string; readonly file: string }> {
    const reader = moduleReader(src, roots);
    const out: Array<{ program: string; file: string }> = [];
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        if (mod === undefined) {
            continue;
        }
        for (const call of mod.calls) {
            // Under `if __name__ == "__main__":` a module runs as a script, never in the server.
            const how = mod.scriptCalls.has(call) ? undefined : RUNNERS[calleeOf(call) ?? ""];
            const first = how === undefined ? undefined : firstWord(call.args[0] ?? call.kwargs["args"] ?? call.kwargs["command"] ?? call.kwargs["cmd"], how === "shell" || isTrue(call.kwargs["shell"]));
            const program = first?.split("/").pop();
            if (program !== undefined && PROGRAM_PACKAGES[program] !== undefined && !out.some((o) => o.program === program)) {
                out.push({ program, file: c.file });
            }
        }
    }
    return out;
}

function isTrue(e: Expr | undefined): boolean {
    return e?.kind === "bool" && e.value;
}

/** The program a literal argument list or command line starts. */
function firstWord(e: Expr | undefined, shell: boolean): string | undefined {
    if (e?.kind === "list") {
        return e.items[0] === undefined ? undefined : str(e.items[0]);
    }
    // f"ffmpeg -i {src} {dst}": the text before the first value, when a blank ends the program's name there.
    const lead = e?.kind === "fstring" && typeof e.parts[0] === "string" && /\s/.test(e.parts[0]) ? e.parts[0] : undefined;
    const line = str(e) ?? lead;
    if (line === undefined) {
        return undefined;
    }
    // A single string without a shell is the program itself; with one, the shell's first word.
    const words = shell ? shellParse(line) : [line];
    return typeof words[0] === "string" ? words[0] : undefined;
}
