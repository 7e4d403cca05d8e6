import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerfileParser, From, Instruction, Run } from "dockerfile-ast";

/** The package root, found from this file so tests run from any cwd. */
export const ROOT = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(ROOT, "test", "fixtures");

/** The fixture apps, each a folder under test/fixtures. */
export const FIXTURE_NAMES = ["django", "fastapi-uv", "flask-native", "flask-requirements", "poetry"] as const;

export function fixture(name: string): string {
    return path.join(FIXTURES, name);
}

/**
 * Throwaway app folders under os.tmpdir(). Call cleanup() from an afterEach
 * (or after) hook; every folder made since the last cleanup is removed.
 */
export class TmpApps {
    private readonly dirs: string[] = [];

    /** A new folder holding `files` (relative POSIX path -> contents). */
    make(files: Record<string, string>): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-test-"));
        this.dirs.push(dir);
        for (const [rel, text] of Object.entries(files)) {
            const abs = path.join(dir, ...rel.split("/"));
            fs.mkdirSync(path.dirname(abs), { recursive: true });
            fs.writeFileSync(abs, text);
        }
        return dir;
    }

    /** A copy of a fixture, with `extra` files written over it. */
    copyOf(name: string, extra: Record<string, string> = {}): string {
        const dir = this.make({});
        fs.cpSync(fixture(name), dir, { recursive: true });
        for (const [rel, text] of Object.entries(extra)) {
            const abs = path.join(dir, ...rel.split("/"));
            fs.mkdirSync(path.dirname(abs), { recursive: true });
            fs.writeFileSync(abs, text);
        }
        return dir;
    }

    cleanup(): void {
        for (const d of this.dirs.splice(0)) {
            fs.rmSync(d, { recursive: true, force: true });
        }
    }
}

/** A minimal Flask module: the app most throwaway folders need. */
export const FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n";

export interface Stage {
    readonly from: From;
    readonly name: string | null;
    /** The stage's instructions after its FROM, in order. */
    readonly instructions: Instruction[];
}

export interface Parsed {
    readonly text: string;
    readonly instructions: Instruction[];
    readonly keywords: string[];
    readonly stages: Stage[];
    readonly runs: Run[];
}

/** Parses a Dockerfile with dockerfile-ast and splits it into stages. */
export function parse(text: string): Parsed {
    const df = DockerfileParser.parse(text);
    const instructions = df.getInstructions();
    const stages: Stage[] = [];
    for (const i of instructions) {
        if (i instanceof From) {
            stages.push({ from: i, name: i.getBuildStage(), instructions: [] });
        } else if (stages.length > 0) {
            stages[stages.length - 1].instructions.push(i);
        }
    }
    return {
        text,
        instructions,
        keywords: instructions.map((i) => i.getKeyword()),
        stages,
        runs: instructions.filter((i): i is Run => i instanceof Run),
    };
}

/** The text a Range covers in `text` (dockerfile-ast ranges are line/character based). */
export function textOf(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
    const lines = text.split("\n");
    const offset = (p: { line: number; character: number }): number =>
        lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    return text.slice(offset(range.start), offset(range.end));
}

/** A RUN's shell command: continuation lines joined, flags left out. */
export function shellOf(run: Run): string {
    return run.getArgumentsContent() ?? "";
}

/** The values of a RUN's --mount flags. */
export function mountsOf(run: Run): string[] {
    return run
        .getFlags()
        .filter((f) => f.getName() === "mount")
        .map((f) => f.getValue() ?? "");
}

/**
 * The argv of an exec-form instruction (CMD, or HEALTHCHECK's CMD), decoded
 * the way Docker does it: the rest of the instruction must be a JSON array of
 * strings, or Docker would run it through a shell instead. Throws otherwise.
 */
export function execForm(text: string, instruction: Instruction, after?: { end: { line: number; character: number } }): string[] {
    const range = instruction.getRange();
    const start = after ? after.end : instruction.getInstructionRange().end;
    // Line continuations are joined first, as Docker's parser does, then the JSON is decoded.
    const raw = textOf(text, { start, end: range.end }).replace(/\\\r?\n/g, "").trim();
    if (!raw.startsWith("[")) {
        throw new Error(`${instruction.getKeyword()} is in shell form: ${raw}`);
    }
    const argv: unknown = JSON.parse(raw);
    if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) {
        throw new Error(`${instruction.getKeyword()} is not a JSON array of strings: ${raw}`);
    }
    return argv as string[];
}

/**
 * Decodes a double-quoted Dockerfile word as BuildKit's shell lexer does:
 * inside "...", a backslash escapes only `"`, `$` and itself (any other
 * backslash stays), and an unescaped `$` would expand a variable. Returns
 * undefined when the word is not one closed double-quoted string with no
 * expansion in it.
 */
export function decodeQuotedWord(word: string): string | undefined {
    if (word.length < 2 || !word.startsWith('"') || !word.endsWith('"')) {
        return undefined;
    }
    let out = "";
    for (let i = 1; i < word.length - 1; i++) {
        const c = word[i];
        if (c === "\\") {
            const next = word[i + 1];
            if (i + 1 < word.length - 1 && (next === '"' || next === "$" || next === "\\")) {
                out += next;
                i++;
            } else if (i + 1 === word.length - 1) {
                return undefined; // the backslash escapes the closing quote: the word never closes
            } else {
                out += c;
            }
        } else if (c === '"' || c === "$") {
            return undefined;
        } else {
            out += c;
        }
    }
    return out;
}

/**
 * Runs the exporter the Dockerfile carries (its heredoc) with the host's
 * python3, with the arguments of the Dockerfile's own export command, in the
 * app folder: the requirements files it writes.
 */
export function exportWith(dir: string, dockerfile: string): { lock: string; local: string; stderr: string } {
    const lines = dockerfile.split("\n");
    const start = lines.findIndex((l) => l === "COPY <<'EOF' /opt/build-tools/export-lock.py");
    assert.ok(start >= 0, "the Dockerfile carries the exporter");
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ppa-export-"));
    const source = lines
        .slice(start + 1, lines.indexOf("EOF", start))
        .join("\n")
        .split("'/tmp/requirements.")
        .join(`'${out}/requirements.`);
    fs.writeFileSync(path.join(out, "export-lock.py"), source);
    const command = lines.find((l) => l.trim().startsWith("python /opt/build-tools/export-lock.py "))!.trim().split(" ");
    const r = spawnSync("python3", [path.join(out, "export-lock.py"), ...command.slice(2)], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const result = { lock: fs.readFileSync(path.join(out, "requirements.lock.txt"), "utf8"), local: fs.readFileSync(path.join(out, "requirements.local.txt"), "utf8"), stderr: r.stderr };
    fs.rmSync(out, { recursive: true, force: true });
    return result;
}
