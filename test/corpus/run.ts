import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import type * as Lib from "../../lib";
import { APP_OUTPUTS, componentConfig, componentProgram, createProject, docker, Infra, LIB, loadInfra, PulumiProject as Project, REPO } from "../support";
import { buildLines, diagnoseUp, failedBuildStep, oneLine, Stage, stageInFlight, tellingLine } from "./diagnose";
import { IndexProxy, rewriteLocks, startIndexProxy } from "./index-proxy";

/**
 * `npm run corpus`: deploys every case of test/fixtures/cases that has a
 * `run` block with PythonApp, for real (BuildKit, the registry, the Docker
 * engine), with no configuration beyond the case's `expect.options` and
 * `run.env`, requests `run.path` and checks the answer. A figure, not a
 * test: it exits 0 when cases fail, non-zero only when the runner breaks.
 * `npm run corpus:ci` runs the representative subset and exits non-zero
 * unless each of them passes.
 *
 * Environment: CORPUS_ONLY=id,id (select), CORPUS_SKIP=id,id, CORPUS_KEEP=1
 * (leave the stacks up), CORPUS_UP_TIMEOUT / CORPUS_HTTP_TIMEOUT /
 * CORPUS_DESTROY_TIMEOUT (seconds), CORPUS_CASES_DIR (another folder of cases).
 */

const CORPUS_DIR = __dirname;
/** The cases: test/fixtures/cases, or another folder of case folders in the same format (CORPUS_CASES_DIR, e.g. test/fixtures/apps). */
const CASES_DIR = path.resolve(REPO, process.env.CORPUS_CASES_DIR || path.join("test", "fixtures", "cases"));
const shownDir = CASES_DIR.startsWith(REPO + path.sep) ? path.relative(REPO, CASES_DIR) : CASES_DIR;
const RESULTS_DIR = path.join(CORPUS_DIR, "results");
const LOG_DIR = path.join(CORPUS_DIR, "logs");

/** The representative subset for CI: static files, a release step on SQLite in a volume, a Flask instance folder, ASGI. */
export const CI_CASES = ["django-whitenoise-collectstatic", "django-sqlite-in-app-folder", "flask-instance-folder", "asgi-forwarded-proto-behind-proxy"];

/** Host ports for the deployed cases: away from the e2e suite's 18081-18089. */
const PORT_FIRST = 18200;
const PORT_LAST = 18299;

/** Each case's program: one PythonApp whose name and args come from the stack's config. */
const PROGRAM = componentProgram("PythonApp", APP_OUTPUTS);

const seconds = (name: string, dflt: number) => {
    const v = Number(process.env[name]);
    return (Number.isFinite(v) && v > 0 ? v : dflt) * 1000;
};
const UP_TIMEOUT_MS = seconds("CORPUS_UP_TIMEOUT", 20 * 60);
const HTTP_TIMEOUT_MS = seconds("CORPUS_HTTP_TIMEOUT", 60);
const DESTROY_TIMEOUT_MS = seconds("CORPUS_DESTROY_TIMEOUT", 5 * 60);

interface RunSpec {
    env: Record<string, string>;
    path: string;
    status: number[];
    bodyRegex?: string;
    /**
     * A form to POST (application/x-www-form-urlencoded) instead of a GET: a
     * case whose fault shows only when the app writes (an upload, a saved
     * entry). An extension of this runner; the corpus's own cases GET.
     */
    form?: Record<string, string>;
}

interface CaseSpec {
    id: string;
    kind: string;
    expect: { options: Record<string, unknown>; error?: string };
    run: RunSpec | null;
}

type Verdict = "PASS" | "FAIL" | "NOT BUILDABLE HERE" | "ERROR";

interface CaseResult {
    id: string;
    kind: string;
    python: string | null;
    result: Verdict;
    stage: Stage | null;
    reason: string;
    seconds: number;
    upSeconds?: number;
    hostPort?: number;
    status?: number;
    log: string;
}

function say(s: string): void {
    process.stdout.write(`${s}\n`);
}

function loadCases(): Array<{ dir: string; spec: CaseSpec }> {
    return fs
        .readdirSync(CASES_DIR, { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(CASES_DIR, e.name, "case.json")))
        .map((e) => {
            const spec = JSON.parse(fs.readFileSync(path.join(CASES_DIR, e.name, "case.json"), "utf8")) as CaseSpec;
            // A case is named by its folder: a case.json whose id says otherwise (copied from another case) is refused here, not matched by neither.
            if (spec.id !== e.name) {
                throw new Error(`${path.join(shownDir, e.name, "case.json")}: its "id" is ${JSON.stringify(spec.id)}, but a case's id must be its folder's name, ${JSON.stringify(e.name)}`);
            }
            return { dir: path.join(CASES_DIR, e.name), spec };
        })
        .sort((a, b) => (a.spec.id < b.spec.id ? -1 : 1));
}

function list(v: string | undefined): string[] {
    return (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
}

/** dist/lib older than a lib/ source file means the run would test stale code: say so. */
function warnIfDistStale(): void {
    const dist = path.join(LIB, "index.js");
    const built = fs.statSync(dist).mtimeMs;
    const newer: string[] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) {
                walk(p);
            } else if (e.name.endsWith(".ts") && fs.statSync(p).mtimeMs > built) {
                newer.push(path.relative(REPO, p));
            }
        }
    };
    walk(path.join(REPO, "lib"));
    if (newer.length > 0) {
        say(`warning: dist/lib is older than ${newer.slice(0, 3).join(", ")}${newer.length > 3 ? ` and ${newer.length - 3} more` : ""}; run \`npm run build\` to test the current code.`);
    }
}

function tryDocker(...args: string[]): string | undefined {
    try {
        return docker(...args);
    } catch {
        return undefined;
    }
}

function canBind(port: number, host: string): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.createServer();
        s.once("error", () => resolve(false));
        s.listen(port, host, () => s.close(() => resolve(true)));
    });
}

let nextPort = PORT_FIRST;
/** A host port in the corpus's range that nothing listens on and no container publishes. */
async function pickPort(): Promise<number> {
    const published = tryDocker("ps", "--format", "{{.Ports}}") ?? "";
    for (let i = 0; i <= PORT_LAST - PORT_FIRST; i++) {
        const port = PORT_FIRST + ((nextPort - PORT_FIRST + i) % (PORT_LAST - PORT_FIRST + 1));
        if (new RegExp(`:${port}->`).test(published)) {
            continue;
        }
        if ((await canBind(port, "127.0.0.1")) && (await canBind(port, "0.0.0.0"))) {
            nextPort = port + 1 > PORT_LAST ? PORT_FIRST : port + 1;
            return port;
        }
    }
    throw new Error(`no free host port in ${PORT_FIRST}-${PORT_LAST}`);
}

/** Containers of a case (Pulumi auto-names them `<component>-container-xxxxxxx` and `<component>-release-xxxxxxx`). */
function caseContainers(component: string, kind?: "container" | "release"): string[] {
    const names = (tryDocker("ps", "-a", "--format", "{{.Names}}") ?? "").split("\n").filter(Boolean);
    const re = new RegExp(`^${component.replace(/[.]/g, "\\.")}-(${kind ?? "container|release"})-[0-9a-f]{7}$`);
    return names.filter((n) => re.test(n));
}

/** A container's last log lines: `docker logs` writes the container's stderr to its own stderr, so both go to one pipe, in the order written. */
function dockerLogs(name: string): string {
    const r = spawnSync("sh", ["-c", 'exec docker logs --tail 300 "$1" 2>&1', "sh", name], { encoding: "utf8", maxBuffer: 16 << 20 });
    return r.stdout ?? "";
}

function volumesOf(component: string): string[] {
    const rows = (tryDocker("volume", "ls", "--filter", "label=dev.pulumi-python-app.path", "--format", "{{.Name}}") ?? "").split("\n").filter(Boolean);
    return rows.filter((n) => n.startsWith(`${component}-`));
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<{ done: true; value: T } | { done: false }> {
    return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
            onTimeout();
            resolve({ done: false });
        }, ms);
        p.then(
            (value) => {
                clearTimeout(t);
                resolve({ done: true, value });
            },
            (e) => {
                clearTimeout(t);
                reject(e);
            },
        );
    });
}

/** Child processes of this runner named `pulumi` (the CLI that the Automation API started): signalled by pid after a timed-out abort. */
function ownPulumiChildren(): number[] {
    const r = spawnSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" });
    return (r.stdout ?? "")
        .split("\n")
        .map((l) => l.trim().split(/\s+/))
        .filter(([pid, comm]) => pid && comm === "pulumi")
        .map(([pid]) => Number(pid));
}

/** A Pulumi operation with a deadline: SIGINT through the abort signal, then (after a grace period) SIGTERM to the CLI by pid. */
async function bounded<T>(what: string, ms: number, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ac = new AbortController();
    const p = op(ac.signal);
    const first = await withTimeout(p, ms, () => ac.abort());
    if (first.done) {
        return first.value;
    }
    // SIGINT lets Pulumi finish the operations in flight; if that takes more than a grace period, end the CLI.
    await withTimeout(p.catch(() => undefined), 90_000, () => {
        for (const pid of ownPulumiChildren()) {
            try {
                process.kill(pid, "SIGTERM");
            } catch {
                // gone
            }
        }
    });
    throw Object.assign(new Error(`${what} timed out after ${Math.round(ms / 1000)}s`), { timedOut: true });
}

/** Clears pending operations left by an interrupted update, so destroy can run. */
async function clearPending(p: Project): Promise<void> {
    const state = await p.stack.exportStack();
    const d = state.deployment as { pending_operations?: unknown[] } | undefined;
    if (d && Array.isArray(d.pending_operations) && d.pending_operations.length > 0) {
        d.pending_operations = [];
        await p.stack.importStack(state);
    }
}

/** Volume names recorded in the stack's state. */
async function stateVolumes(p: Project): Promise<string[]> {
    try {
        const state = await p.stack.exportStack();
        const resources = ((state.deployment as { resources?: Array<{ type: string; outputs?: { name?: string } }> })?.resources ?? []);
        return resources.filter((r) => /^docker:index(?:\/volume)?:Volume$/.test(r.type) && r.outputs?.name).map((r) => r.outputs!.name!);
    } catch {
        return [];
    }
}

function bodyMatches(body: string, re: string): boolean {
    // Python's re.search semantics, which the corpus's patterns are written for: `$` also matches before a final newline.
    const rx = new RegExp(re);
    return rx.test(body) || rx.test(body.replace(/\r?\n$/, ""));
}

interface HttpAnswer {
    status?: number;
    body?: string;
    error?: string;
}

/** One request's own deadline: long enough for a slow page (a case's /report takes 20 s). */
const ATTEMPT_TIMEOUT_MS = 45_000;

/** GET `url` without following redirects, retrying while the app is not answering as expected, within the deadline. */
async function request(url: string, expected: number[], deadlineMs: number, form?: Record<string, string>): Promise<HttpAnswer> {
    const end = Date.now() + deadlineMs;
    let last: HttpAnswer = { error: "no attempt" };
    let wrongSince: number | undefined;
    for (;;) {
        try {
            const res = await fetch(url, {
                redirect: "manual",
                signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
                headers: { "User-Agent": "pulumi-python-app-corpus" },
                ...(form ? { method: "POST", body: new URLSearchParams(form) } : {}),
            });
            const body = await res.text();
            last = { status: res.status, body };
            if (expected.includes(res.status)) {
                return last;
            }
            // A wrong answer may be the app still warming up: give it a few more seconds, not the whole deadline.
            wrongSince ??= Date.now();
            if (Date.now() - wrongSince > 10_000) {
                return last;
            }
        } catch (e) {
            last = { error: oneLine(`${(e as Error).message}${(e as { cause?: Error }).cause ? `: ${(e as { cause?: Error }).cause!.message}` : ""}`) };
        }
        if (Date.now() > end) {
            return last;
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/**
 * A failure whose cause is this machine's route to the index rather than the
 * package, when it can be shown. Poetry's installer reads the index's
 * per-release JSON (/pypi/<name>/<version>/json); where the route to the index
 * does not serve it, Poetry finds "0 candidates" for every locked package.
 */
async function environmentNote(ctx: Ctx, installer: string, reason: string): Promise<string | undefined> {
    const m = /Unable to find installation candidates for (\S+) \(([^)]+)\)/.exec(reason);
    if (!m || installer !== "poetry") {
        return undefined;
    }
    const [, name, version] = m;
    const release = await ctx.proxy.upstreamStatus(`/pypi/${name}/${version}/json`);
    if (release === 200) {
        return undefined;
    }
    const project = await ctx.proxy.upstreamStatus(`/pypi/${name}/json`);
    const page = await ctx.proxy.upstreamStatus(`/simple/${name}/`);
    return (
        `upstream /pypi/${name}/${version}/json (the per-release JSON Poetry's installer reads) -> ${release || "no answer"}, ` +
        `/pypi/${name}/json -> ${project || "no answer"}, /simple/${name}/ -> ${page || "no answer"}: a limit of this machine's route to the index, not of the package`
    );
}

/** The title of the last build step BuildKit started (for a timeout). */
function lastBuildStep(out: string): string | undefined {
    const titles = buildLines(out)
        .map((l) => /^#\d+ (\[[^\]]+\] .*)$/.exec(l)?.[1])
        .filter((t): t is string => t !== undefined);
    const t = titles[titles.length - 1];
    return t === undefined ? undefined : oneLine(t.replace(/--mount=\S+\s*/g, ""), 110);
}

interface Ctx {
    inf: Infra;
    lib: typeof Lib;
    proxy: IndexProxy;
    keep: boolean;
}

async function runCase(ctx: Ctx, dir: string, spec: CaseSpec): Promise<CaseResult> {
    const t0 = Date.now();
    const run = spec.run!;
    const logFile = path.join(LOG_DIR, `${spec.id}.log`);
    fs.writeFileSync(logFile, `# corpus case ${spec.id} (${spec.kind}), ${new Date().toISOString()}\n`);
    const log = (s: string) => fs.appendFileSync(logFile, s);
    const section = (title: string) => log(`\n\n===== ${title} =====\n`);
    const result = (r: Omit<CaseResult, "id" | "kind" | "seconds" | "log">): CaseResult => {
        const res = { id: spec.id, kind: spec.kind, ...r, seconds: Math.round((Date.now() - t0) / 100) / 10, log: path.relative(REPO, logFile) };
        section("result");
        log(`${JSON.stringify(res, null, 2)}\n`);
        return res;
    };

    // 1. synth: the package's own synthesize() on the case folder, with the case's options.
    section("synth");
    let synth: Lib.Synthesized;
    try {
        synth = ctx.lib.synthesize(dir, spec.expect.options as Lib.SynthesizeOptions);
    } catch (e) {
        log(`${(e as Error).stack ?? e}\n`);
        return result({ python: null, result: "FAIL", stage: "synth", reason: oneLine((e as Error).message) });
    }
    const python = synth.plan.python.version;
    log(`options: ${JSON.stringify(spec.expect.options)}\nplan: ${JSON.stringify(synth.plan, null, 1)}\n\n${synth.dockerfile}\n`);
    const baseImage = python === "3.11" ? ctx.inf.bookworm : python === "3.13" ? ctx.inf.trixie : undefined;
    if (!baseImage) {
        return result({ python, result: "NOT BUILDABLE HERE", stage: null, reason: `Python ${python}: no base image can be made on this machine` });
    }

    // 2. the project: a copy of the case, its lock files pointed at the index proxy.
    const component = `corpus-${spec.id}`;
    const p = await createProject({ name: `ppa-corpus-${spec.id}`, program: PROGRAM, stackName: "corpus", app: dir });
    let upSeconds: number | undefined;
    let hostPort: number | undefined;
    try {
        const rewritten = rewriteLocks(p.appDir, ctx.proxy);
        hostPort = await pickPort();
        const args = {
            source: "./app",
            ...spec.expect.options,
            env: run.env,
            builder: ctx.inf.builder,
            registry: { server: ctx.inf.registry, repository: `corpus/${spec.id}`, username: ctx.inf.user },
            caBundle: ctx.inf.caBundle,
            hostPort,
            baseImage,
        };
        section("project");
        log(`dir: ${p.dir}\nlock files rewritten to ${ctx.proxy.simpleUrl}: ${rewritten.files.join(", ") || "none"} (${rewritten.urls} URLs)\nargs: ${JSON.stringify(args, null, 1)}\n`);
        await p.stack.setAllConfig(componentConfig(ctx.inf, component, args));
        // Data volumes of an earlier run of this case would carry its data over: start without them.
        for (const v of volumesOf(component)) {
            tryDocker("volume", "rm", v);
        }

        // 3. up
        section("pulumi up");
        let out = "";
        const tUp = Date.now();
        try {
            const res = await bounded("pulumi up", UP_TIMEOUT_MS, (signal) =>
                p.stack.up({
                    color: "never",
                    signal,
                    onOutput: (s) => {
                        out += s;
                        log(s);
                    },
                }),
            );
            upSeconds = Math.round((Date.now() - tUp) / 100) / 10;
            if (res.summary.result !== "succeeded") {
                throw new Error(`pulumi up: ${res.summary.result}`);
            }
        } catch (e) {
            upSeconds = Math.round((Date.now() - tUp) / 100) / 10;
            const err = e as Error & { timedOut?: boolean };
            // The error repeats Pulumi's whole output, which the log already has.
            const shown = out.trim().length > 200 ? err.message.split(out.trim()).join("[pulumi's output, as above]") : err.message;
            log(`\n--- up error ---\n${shown}\n`);
            const logs: Record<string, string | undefined> = {};
            const get = (kind: "container" | "release") => {
                if (!(kind in logs)) {
                    const names = caseContainers(component, kind);
                    logs[kind] = names.length > 0 ? dockerLogs(names[0]) : undefined;
                    if (names.length > 0) {
                        section(`docker logs ${names[0]}`);
                        log(logs[kind] ?? "");
                        const health = tryDocker("inspect", "-f", "{{json .State}}", names[0]);
                        if (health) {
                            log(`\nstate: ${health}\n`);
                        }
                    }
                }
                return logs[kind];
            };
            if (err.timedOut) {
                const running = stageInFlight(out);
                const step = running === "build" ? failedBuildStep(out) : undefined;
                const where = running === "build" ? lastBuildStep(out) : undefined;
                const detail = step ? `${step.title}: ${step.line}` : where ? `in ${where}` : running ? `during ${running}` : "";
                return result({ python, result: "FAIL", stage: running ?? "timeout", reason: oneLine(`pulumi up timed out after ${Math.round(UP_TIMEOUT_MS / 1000)}s${detail ? ` ${detail}` : ""}`), upSeconds, hostPort });
            }
            const diag = diagnoseUp(out, err.message, get);
            // Catch the container's log for the record even when the diagnosis did not need it.
            get("container");
            const note = await environmentNote(ctx, synth.plan.installer, diag.reason);
            if (note) {
                log(`\n--- note ---\n${note}\n`);
            }
            return result({ python, result: "FAIL", stage: diag.stage, reason: note ? `${diag.reason}; ${note}` : diag.reason, upSeconds, hostPort });
        }

        // 4. the request
        const outputs = await p.stack.outputs();
        const url = `${outputs.url.value as string}${run.path}`;
        section(`GET ${url}`);
        const ans = await request(url, run.status, HTTP_TIMEOUT_MS, run.form);
        log(`${JSON.stringify({ status: ans.status, error: ans.error }, null, 1)}\n${(ans.body ?? "").slice(0, 4000)}\n`);
        const appLog = () => {
            const names = caseContainers(component, "container");
            if (names.length === 0) {
                return "";
            }
            const text = dockerLogs(names[0]);
            section(`docker logs ${names[0]}`);
            log(text);
            return text;
        };
        if (ans.status === undefined) {
            const line = tellingLine(appLog());
            return result({ python, result: "FAIL", stage: "http status", reason: oneLine(`${run.form ? "POST" : "GET"} ${run.path}: no answer in ${HTTP_TIMEOUT_MS / 1000}s (${ans.error})${line ? `; container: ${line}` : ""}`), upSeconds, hostPort });
        }
        if (!run.status.includes(ans.status)) {
            const line = tellingLine(appLog());
            const body = oneLine(ans.body ?? "", 100);
            return result({
                python, result: "FAIL", stage: "http status", status: ans.status, upSeconds, hostPort,
                reason: oneLine(`${run.form ? "POST" : "GET"} ${run.path} -> ${ans.status}, expected ${run.status.join("/")}${body ? ` (body: ${body})` : ""}${line ? `; container: ${line}` : ""}`),
            });
        }
        if (run.bodyRegex !== undefined && !bodyMatches(ans.body ?? "", run.bodyRegex)) {
            appLog();
            return result({
                python, result: "FAIL", stage: "body", status: ans.status, upSeconds, hostPort,
                reason: oneLine(`${run.form ? "POST" : "GET"} ${run.path} -> ${ans.status}, body does not match /${run.bodyRegex}/: ${JSON.stringify((ans.body ?? "").slice(0, 120))}`),
            });
        }
        const text = appLog();
        // An answer that needed the engine to restart the container (a worker that failed to boot stops gunicorn) is not a pass.
        const container = caseContainers(component, "container")[0];
        const restarts = container === undefined ? 0 : Number(tryDocker("inspect", "--format", "{{.RestartCount}}", container)?.trim() ?? "0");
        if (restarts > 0) {
            const line = tellingLine(text);
            return result({
                python, result: "FAIL", stage: "start/health", status: ans.status, upSeconds, hostPort,
                reason: oneLine(`${run.form ? "POST" : "GET"} ${run.path} -> ${ans.status}, but only after the container was restarted ${restarts} time(s)${line ? `; container: ${line}` : ""}`),
            });
        }
        return result({ python, result: "PASS", stage: null, reason: `${run.form ? "POST" : "GET"} ${run.path} -> ${ans.status}${run.bodyRegex ? `, body matches /${run.bodyRegex}/` : ""}`, status: ans.status, upSeconds, hostPort });
    } finally {
        if (ctx.keep) {
            say(`    kept: ${p.dir} (stack "corpus"; destroy with: cd ${p.dir} && PULUMI_CONFIG_PASSPHRASE= pulumi destroy --yes --stack corpus)`);
        } else {
            await teardown(p, component, logFile);
        }
    }
}

/** destroy (bounded), then remove what the case left: its containers, data volumes, pulled images, the stack and the folder. */
async function teardown(p: Project, component: string, logFile: string): Promise<void> {
    const log = (s: string) => fs.appendFileSync(logFile, s);
    log("\n\n===== pulumi destroy =====\n");
    const volumes = await stateVolumes(p);
    try {
        await clearPending(p).catch(() => undefined);
        await bounded("pulumi destroy", DESTROY_TIMEOUT_MS, (signal) => p.stack.destroy({ color: "never", signal, onOutput: log }));
    } catch (e) {
        log(`\n--- destroy error ---\n${(e as Error).message}\n`);
    }
    for (const name of caseContainers(component)) {
        log(`removing leftover container ${name}\n`);
        tryDocker("rm", "-f", name);
    }
    for (const v of new Set([...volumes, ...volumesOf(component)])) {
        log(`removing volume ${v}: ${tryDocker("volume", "rm", v) ?? "failed"}\n`);
    }
    const repo = `${process.env.PPA_REGISTRY}/corpus/${component.slice("corpus-".length)}`;
    const refs = (tryDocker("image", "ls", "--digests", "--format", "{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}", repo) ?? "")
        .split(/\s+/)
        .filter((r) => r && !r.endsWith(":<none>") && !r.endsWith("@<none>"));
    for (const r of refs) {
        tryDocker("image", "rm", r);
    }
    await p.cleanup();
}

function pad(s: string, n: number): string {
    return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function table(results: CaseResult[]): string {
    const rows = results.map((r) => [r.id, r.kind, r.python ?? "-", r.result, r.stage ?? "", `${r.seconds.toFixed(1)}`, r.reason]);
    const head = ["case", "kind", "python", "result", "stage", "s", "reason"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    // The last column (the reason) is not padded: no trailing spaces.
    return [head, widths.map((w) => "-".repeat(w)), ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]))).join("  ")).join("\n");
}

function mdEscape(s: string): string {
    return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

async function main(): Promise<number> {
    const ci = process.argv.includes("--ci") || process.env.CORPUS_CI === "1";
    const keep = process.env.CORPUS_KEEP === "1";
    const inf = loadInfra();
    warnIfDistStale();
    const lib = require(LIB) as typeof Lib;

    const all = loadCases();
    const withRun = all.filter((c) => c.spec.run !== null && c.spec.run !== undefined);
    const known = new Set(all.map((c) => c.spec.id));
    const only = ci ? CI_CASES : list(process.env.CORPUS_ONLY);
    const skip = list(process.env.CORPUS_SKIP);
    if (ci && process.env.CORPUS_ONLY) {
        say("note: CORPUS_ONLY is ignored with --ci (the CI subset is fixed)");
    }
    const unknown = [...only, ...skip].filter((id) => !known.has(id));
    if (unknown.length > 0) {
        throw new Error(`no such case: ${unknown.join(", ")} (cases are the folders of ${shownDir})`);
    }
    const noRun = only.filter((id) => !withRun.some((c) => c.spec.id === id));
    if (noRun.length > 0) {
        say(`note: ${noRun.join(", ")} ha${noRun.length > 1 ? "ve" : "s"} no run block (run: null) and is not deployed`);
    }
    const selected = withRun.filter((c) => (only.length === 0 || only.includes(c.spec.id)) && !skip.includes(c.spec.id));

    fs.mkdirSync(LOG_DIR, { recursive: true });
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const cache = path.join(inf.cache, "corpus");
    const proxy = await startIndexProxy({ cacheDir: cache, logFile: path.join(LOG_DIR, "_index-proxy.log") });
    const started = new Date();
    say(`corpus: ${selected.length} of ${withRun.length} cases with a run block in ${shownDir}${ci ? " (CI subset)" : ""}; ${all.length - withRun.length} cases have none`);
    say(`package index proxy: ${proxy.simpleUrl} (upstream ${proxy.upstreamSimple}, files from ${proxy.filesOrigin}, cache ${cache})`);
    say(`logs: ${path.relative(REPO, LOG_DIR)}/<case>.log\n`);

    const ctx: Ctx = { inf, lib, proxy, keep };
    const results: CaseResult[] = [];
    const t0 = Date.now();
    // Ctrl-C: the case in flight is torn down (the terminal's SIGINT also reaches its pulumi), the rest are skipped; a second one exits.
    let interrupted = false;
    process.on("SIGINT", () => {
        if (interrupted) {
            process.exit(130);
        }
        interrupted = true;
        say("\ninterrupted: tearing down the case in flight, skipping the rest (Ctrl-C again to exit now)");
    });
    try {
        for (const [i, c] of selected.entries()) {
            if (interrupted) {
                break;
            }
            say(`[${i + 1}/${selected.length}] ${c.spec.id} ...`);
            let r: CaseResult;
            try {
                r = await runCase(ctx, c.dir, c.spec);
            } catch (e) {
                r = {
                    id: c.spec.id, kind: c.spec.kind, python: null, result: "ERROR", stage: null,
                    reason: oneLine(`runner error: ${(e as Error).message}`), seconds: 0, log: path.relative(REPO, path.join(LOG_DIR, `${c.spec.id}.log`)),
                };
                fs.appendFileSync(path.join(LOG_DIR, `${c.spec.id}.log`), `\n\nrunner error:\n${(e as Error).stack}\n`);
            }
            results.push(r);
            say(`    ${r.result}${r.stage ? ` at ${r.stage}` : ""} (${r.seconds.toFixed(1)}s): ${r.reason}`);
        }
    } finally {
        await proxy.stop();
    }
    const totalS = Math.round((Date.now() - t0) / 1000);

    const pass = results.filter((r) => r.result === "PASS").length;
    const notBuildable = results.filter((r) => r.result === "NOT BUILDABLE HERE").length;
    const total = `${pass} of ${results.length} cases with a run block answer as expected; ${notBuildable} not buildable here`;
    const time = `total time ${Math.floor(totalS / 60)}m${String(totalS % 60).padStart(2, "0")}s`;
    say(`\n${table(results)}\n\n${total}\n${time}`);
    say(`index proxy: ${proxy.stats.pages} pages, ${proxy.stats.files} files served, ${proxy.stats.downloaded} downloaded (${(proxy.stats.bytesDownloaded / 1e6).toFixed(1)} MB), ${proxy.stats.errors} errors`);

    const meta = {
        started: started.toISOString(),
        totalSeconds: totalS,
        casesDir: shownDir,
        selection: ci ? "ci" : only.length > 0 || skip.length > 0 ? { only, skip } : "all",
        summary: { pass, total: results.length, notBuildable, fail: results.filter((r) => r.result === "FAIL").length, error: results.filter((r) => r.result === "ERROR").length },
        line: total,
        index: { upstream: proxy.upstreamSimple, stats: proxy.stats },
        results,
    };
    fs.writeFileSync(path.join(RESULTS_DIR, "latest.json"), `${JSON.stringify(meta, null, 2)}\n`);
    const md = [
        "# Corpus: the cases with a run block, deployed with PythonApp",
        "",
        `${started.toISOString()}, cases from \`${shownDir}\`, ${ci ? "CI subset" : meta.selection === "all" ? "all cases" : `selection ${JSON.stringify(meta.selection)}`}; ${time}.`,
        "",
        "| case | kind | python | result | stage | seconds | reason |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ...results.map((r) => `| ${r.id} | ${r.kind} | ${r.python ?? "-"} | ${r.result} | ${r.stage ?? ""} | ${r.seconds.toFixed(1)} | ${mdEscape(r.reason)} |`),
        "",
        `**${total}.**`,
        "",
    ].join("\n");
    fs.writeFileSync(path.join(RESULTS_DIR, "latest.md"), md);
    say(`\nwritten: ${path.relative(REPO, path.join(RESULTS_DIR, "latest.json"))}, ${path.relative(REPO, path.join(RESULTS_DIR, "latest.md"))}`);

    if (interrupted) {
        say("interrupted: the results cover the cases that ran");
        return 130;
    }
    if (ci) {
        const bad = results.filter((r) => r.result !== "PASS");
        if (bad.length > 0 || results.length !== CI_CASES.length) {
            say(`CI subset: ${bad.map((r) => r.id).join(", ")} did not pass`);
            return 1;
        }
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        process.stderr.write(`corpus runner failed: ${(e as Error).stack ?? e}\n`);
        process.exit(2);
    },
);
