/**
 * Reading a failed `pulumi up` of a corpus case: which stage failed and the
 * one line that says why. Input is the text Pulumi printed (progress, with
 * BuildKit's plain output, and the Diagnostics section) plus the error.
 */

export type Stage = "synth" | "build" | "pull" | "release" | "start/health" | "http status" | "body" | "up" | "timeout";

export interface Diagnosis {
    stage: Stage;
    reason: string;
    /** The resource (type and name) whose error decided the stage, when there is one. */
    resource?: string;
}

/** One line, whitespace collapsed, cut to `max` characters. */
export function oneLine(s: string, max = 300): string {
    const t = s.replace(/\s+/g, " ").trim();
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

const PY_EXCEPTION = /^(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt)(?::\s.*)?$/;
const DOTTED_EXCEPTION = /^(?:[a-z_]\w*\.)+[A-Z]\w*:\s.+$/;
const ERRORISH = /\b(?:error|failed|failure|refused|denied|cannot|can't|unable|not found|no such|no module|no matching|could not|traceback)\b|^×|^E: /i;

/** The most telling line of a log: a Python exception line, else the last line that sounds like an error, else the last line. */
export function tellingLine(text: string): string {
    const lines = text
        .split("\n")
        .map((l) => l.replace(/\r$/, "").trim())
        .filter((l) => l !== "");
    for (let i = lines.length - 1; i >= 0; i--) {
        const l = lines[i].replace(/^\[[^\]]*\]\s*(?:\[\d+\]\s*)?(?:\[[A-Z]+\]\s*)?/, "");
        if (PY_EXCEPTION.test(l) || DOTTED_EXCEPTION.test(l)) {
            return lines[i];
        }
    }
    for (let i = lines.length - 1; i >= 0; i--) {
        if (ERRORISH.test(lines[i])) {
            return lines[i];
        }
    }
    return lines[lines.length - 1] ?? "";
}

/** BuildKit's plain progress lines, with Pulumi's per-line resource prefix removed. */
export function buildLines(out: string): string[] {
    const res: string[] = [];
    for (const raw of out.split("\n")) {
        const m = /^\s*[+~\-*>]*\s*docker-build:index:Image \S+ [a-z ]+?(?: \([\d.]+m?s\))? ?(#\d+ .*)$/.exec(raw);
        if (m) {
            res.push(m[1]);
        }
    }
    return res;
}

/** The build step that failed (its title) and the telling line of its output. */
export function failedBuildStep(out: string): { title: string; line: string } | undefined {
    const lines = buildLines(out);
    const titles = new Map<string, string>();
    const output = new Map<string, string[]>();
    let failed: string | undefined;
    let failure = "";
    for (const l of lines) {
        const m = /^#(\d+) (.*)$/.exec(l);
        if (!m) {
            continue;
        }
        const [, id, rest] = m;
        if (/^\[[^\]]+\] /.test(rest) && !titles.has(id)) {
            titles.set(id, rest);
            continue;
        }
        const run = /^\d+\.\d+ (.*)$/.exec(rest);
        if (run) {
            output.set(id, [...(output.get(id) ?? []), run[1]]);
            continue;
        }
        if (/^ERROR: /.test(rest)) {
            const title = titles.get(id) ?? "";
            // A missing cache ref, or a failed cache export, does not fail the build.
            if (/cache/i.test(rest) && !/^\[/.test(title)) {
                continue;
            }
            failed = id;
            failure = rest;
        }
    }
    if (failed === undefined) {
        return undefined;
    }
    // The step as a reader knows it: without BuildKit's mount flags.
    const title = oneLine((titles.get(failed) ?? `#${failed}`).replace(/--mount=\S+\s*/g, ""), 110);
    const stepOut = (output.get(failed) ?? []).join("\n");
    const line = (stepOut ? tellingLine(stepOut) : failure).replace(/^[|│]\s*/, "");
    return { title, line: oneLine(line, 240) };
}

interface DiagBlock {
    type: string;
    name: string;
    lines: string[];
}

/** Pulumi's Diagnostics section: one block per resource. */
export function diagnostics(text: string): DiagBlock[] {
    const blocks: DiagBlock[] = [];
    let inDiag = false;
    let cur: DiagBlock | undefined;
    for (const raw of text.split("\n")) {
        const line = raw.replace(/\r$/, "");
        if (/^Diagnostics:\s*$/.test(line)) {
            inDiag = true;
            continue;
        }
        if (!inDiag) {
            continue;
        }
        if (/^\S/.test(line)) {
            inDiag = /^Diagnostics:/.test(line);
            cur = undefined;
            continue;
        }
        const head = /^ {2}(\S+) \((.+)\):\s*$/.exec(line);
        if (head) {
            cur = { type: head[1], name: head[2], lines: [] };
            blocks.push(cur);
            continue;
        }
        cur?.lines.push(line.replace(/^ {4}/, ""));
    }
    return blocks;
}

function errorText(b: DiagBlock): string {
    const i = b.lines.findIndex((l) => /^error:/.test(l.trim()));
    // An error thrown in an apply reaches Pulumi as `error serializing property "x": <message>`: keep the message.
    return i < 0 ? "" : b.lines.slice(i).join("\n").replace(/^\s*error:\s*/, "").replace(/^(?:error serializing property "[^"]*":\s*)+/, "");
}

/**
 * Which stage of `up` failed and why. `containerLog(kind)` returns the
 * docker logs of the case's app or release container when one exists.
 */
export function diagnoseUp(out: string, error: string, containerLog: (kind: "container" | "release") => string | undefined): Diagnosis {
    const text = `${out}\n${error}`;
    const blocks = diagnostics(text).filter((b) => errorText(b) !== "");
    const failing = (re: RegExp) => blocks.find((b) => re.test(b.type) && !/^update failed$/m.test(errorText(b).trim()));
    const releaseMsg = /The release step \(([^)]*)\) exited with (\d+)/.exec(text);

    const image = failing(/^docker-build:index:Image$/);
    if (image) {
        const step = failedBuildStep(out);
        if (step) {
            return { stage: "build", reason: `${step.title}: ${step.line}`, resource: `${image.type} ${image.name}` };
        }
        return { stage: "build", reason: oneLine(tellingLine(errorText(image))), resource: `${image.type} ${image.name}` };
    }
    const release = blocks.find((b) => /^docker:index(?:\/container)?:Container$/.test(b.type) && /-release$/.test(b.name));
    if (releaseMsg || release) {
        const log = containerLog("release");
        const tail = releaseMsg ? text.slice(text.indexOf(releaseMsg[0])).split(/Its last output:\n/)[1]?.split(/\nFix the cause/)[0] ?? "" : "";
        const line = tellingLine(log || tail || (release ? errorText(release) : ""));
        const head = releaseMsg ? `${oneLine(releaseMsg[1], 80)} exited ${releaseMsg[2]}` : "release container failed";
        return { stage: "release", reason: oneLine(`${head}: ${line}`), resource: release ? `${release.type} ${release.name}` : undefined };
    }
    const pull = failing(/^docker:index(?:\/remoteImage)?:RemoteImage$/);
    if (pull) {
        return { stage: "pull", reason: oneLine(tellingLine(errorText(pull))), resource: `${pull.type} ${pull.name}` };
    }
    const container = failing(/^docker:index(?:\/container)?:Container$/);
    if (container) {
        const err = oneLine(errorText(container).split("\n")[0], 140);
        const log = containerLog("container");
        return {
            stage: "start/health",
            reason: log ? oneLine(`${tellingLine(log)} (${err})`) : err,
            resource: `${container.type} ${container.name}`,
        };
    }
    const program = blocks.find((b) => /^pulumi:pulumi:Stack$|^pulumi-python-app:/.test(b.type) && !/^update failed$/.test(errorText(b).trim()));
    if (program) {
        const msg = errorText(program);
        const resource = `${program.type} ${program.name}`;
        // Before the image exists, an error of the program is the component refusing its input; after, it is the component's own check of what runs.
        const built = /docker-build:index:Image \S+ created\b/.test(out);
        if (built && /container|health/i.test(msg)) {
            const log = containerLog("container");
            const first = oneLine(msg.split("\n")[0], 160);
            const line = log ? tellingLine(log) : tellingLine(msg.split("\n").slice(1).join("\n"));
            return { stage: "start/health", reason: oneLine(line ? `${line} (${first})` : first), resource };
        }
        if (built) {
            return { stage: "up", reason: oneLine(msg.split("\n")[0]), resource };
        }
        return { stage: "synth", reason: oneLine(tellingLine(msg.split("\n").slice(0, 8).join("\n"))), resource };
    }
    const other = blocks.find((b) => !/^update failed$/.test(errorText(b).trim()));
    if (other) {
        return { stage: "up", reason: oneLine(errorText(other).split("\n")[0]), resource: `${other.type} ${other.name}` };
    }
    return { stage: "up", reason: oneLine(tellingLine(error) || "pulumi up failed with no diagnostics") };
}

/** The stage whose resource was still in flight when `up` was stopped (a timeout), from Pulumi's progress lines. */
export function stageInFlight(out: string): Stage | undefined {
    const started = new Map<string, string>();
    for (const raw of out.split("\n")) {
        const m = /^\s*[+~\-]+\s+(\S+) (\S+) (creating|updating|replacing|deleting|created|updated|replaced|deleted)\b/.exec(raw);
        if (!m) {
            continue;
        }
        const key = `${m[1]} ${m[2]}`;
        if (/ed$/.test(m[3])) {
            started.delete(key);
        } else if (!started.has(key)) {
            started.set(key, m[1]);
        }
    }
    const keys = [...started.keys()];
    const pick = (re: RegExp) => keys.find((k) => re.test(k));
    if (pick(/^docker-build:index:Image /)) {
        return "build";
    }
    if (pick(/^docker:index(?:\/container)?:Container \S+-release$/)) {
        return "release";
    }
    if (pick(/^docker:index(?:\/remoteImage)?:RemoteImage /)) {
        return "pull";
    }
    if (pick(/^docker:index(?:\/container)?:Container /)) {
        return "start/health";
    }
    return undefined;
}
