import type { Results, Target } from "./report";
import { median } from "./util";
import { APP_SHAPES, AppShape, CLIENT_MODES, ClientMode, ENDPOINTS, SERVE_APPS, SERVE_CONTENDERS, ServeCell } from "./serve";

/**
 * The serving scenario in the results: its targets (ours has the highest
 * req/s and the lowest p99 in each app x endpoint x client cell) and its
 * Markdown (how it was run, what each contender runs, a table per app).
 */

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");

const CLIENT_TITLE: Record<ClientMode, string> = { "keep-alive": "keep-alive", close: "Connection: close" };

function cellsOf(r: Results, app: AppShape, endpoint: string, client: ClientMode): ServeCell[] {
    return r.serve.filter((c) => c.app === app && c.endpoint === endpoint && c.client === client);
}

const INFORMATIONAL = new Set(SERVE_CONTENDERS.filter((c) => c.informational).map((c) => c.id));

/**
 * The best req/s (highest) and p99 (lowest) among the contenders of a cell
 * (informational rows are not contenders) that answered every request: a
 * server whose requests time out or fail counts only the ones it answered,
 * and wrk leaves the timed-out ones out of its latencies. When every
 * contender had errors, the best of all.
 */
function best(all: ServeCell[]): { rps?: ServeCell; p99?: ServeCell } {
    const contenders = all.filter((c) => !INFORMATIONAL.has(c.server));
    const clean = contenders.filter((c) => c.errors === 0);
    const cells = clean.length > 0 ? clean : contenders;
    const ok = cells.filter((c) => Number.isFinite(c.rps));
    const okP = cells.filter((c) => Number.isFinite(c.p99ms));
    return {
        rps: ok.length ? ok.reduce((a, b) => (b.rps > a.rps ? b : a)) : undefined,
        p99: okP.length ? okP.reduce((a, b) => (b.p99ms < a.p99ms ? b : a)) : undefined,
    };
}

export function serveTargets(r: Results): Target[] {
    const t: Target[] = [];
    for (const app of APP_SHAPES) {
        for (const endpoint of ENDPOINTS) {
            for (const client of CLIENT_MODES) {
                const cells = cellsOf(r, app, endpoint, client);
                const ours = cells.find((c) => c.server === "ours");
                const rivals = best(cells.filter((c) => c.server !== "ours"));
                const measured =
                    ours && rivals.rps && rivals.p99
                        ? `ours ${f0(ours.rps)} req/s, p99 ${f1(ours.p99ms)} ms${ours.errors ? `, ${ours.errors} errors` : ""}; best other: ${rivals.rps.server} ${f0(rivals.rps.rps)} req/s, ${rivals.p99.server} p99 ${f1(rivals.p99.p99ms)} ms`
                        : "n/a";
                t.push({
                    id: `serve-${app}-${endpoint.slice(1)}-${client}`,
                    target: `ours highest req/s and lowest p99: ${app.toUpperCase()} ${endpoint}, ${CLIENT_TITLE[client]}`,
                    measured,
                    met:
                        ours && rivals.rps && rivals.p99 && Number.isFinite(ours.rps)
                            ? ours.errors === 0 && ours.rps >= rivals.rps.rps && ours.p99ms <= rivals.p99.p99ms
                            : null,
                });
            }
        }
    }
    return t;
}

function table(header: string[], rows: string[][]): string {
    return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

/** Markdown lines for the serving scenario. */
export function serveMarkdown(r: Results): string[] {
    const out: string[] = ["## Serving (scenario 6)", ""];
    const o = r.serveOptions;
    if (!o || r.serve.length === 0) {
        return [...out, "not measured", ""];
    }
    out.push(
        `Each app in ours' image; every contender in the same image (the seed's CMD: plus gevent), \`docker run --cpus ${o.cpus} --memory ${o.memory}\`, ` +
            `one contender measured at a time. \`wrk -t${o.threads} -c${o.connections} -d${o.duration} --latency\` against the container's address on the Docker bridge ` +
            "(no userland proxy), once with keep-alive clients (wrk's default) and once with `-H \"Connection: close\"` (a TCP connection per request); " +
            `${o.runs} runs after a ${o.warmup} warm-up of each endpoint, the contenders' order rotating from run to run; medians. ` +
            "/cpu does a few ms of pure Python (a 300-record document to JSON and back, summed and hashed: the same work.py in both apps); " +
            "/sleep waits 20 ms (`time.sleep` in the WSGI app, `await asyncio.sleep` in the ASGI app). wrk shares the machine's CPUs with the server.",
        "",
    );
    const setup = r.serveSetup;
    if (setup) {
        out.push(
            table(
                ["app", "contender", "command", "where it comes from"],
                setup.contenders.map((c) => [c.app.toUpperCase(), c.label, `\`${c.command.replace(/\|/g, "\\|")}\`${c.image === "ours+gevent" ? " (ours' image + gevent)" : ""}`, c.source]),
            ),
            "",
        );
    }
    const cols = ENDPOINTS.flatMap((endpoint) => CLIENT_MODES.map((client) => ({ endpoint, client })));
    for (const app of APP_SHAPES) {
        const ids = SERVE_CONTENDERS.filter((c) => c.app === app && r.serve.some((x) => x.app === app && x.server === c.id));
        if (ids.length === 0) {
            continue;
        }
        out.push(
            `### ${SERVE_APPS[app].title}`,
            "",
            "req/s / p99 ms, medians; **bold**: the best of the column (highest req/s, lowest p99) among the contenders that answered every request of the cell " +
                "(errors: socket errors, timeouts included, and non-2xx answers over all runs; a server with errors counts only what it answered). " +
                "Informational rows are no contenders.",
            "",
        );
        const bests = cols.map((col) => best(cellsOf(r, app, col.endpoint, col.client)));
        const rows = ids.map((c) => {
            const row = [c.informational ? `_${c.label}_` : c.label];
            let errors = 0;
            cols.forEach((col, i) => {
                const x = r.serve.find((s) => s.app === app && s.server === c.id && s.endpoint === col.endpoint && s.client === col.client);
                if (!x) {
                    row.push("n/a");
                    return;
                }
                errors += x.errors;
                const rps = bests[i].rps === x ? `**${f0(x.rps)}**` : f0(x.rps);
                const p99 = bests[i].p99 === x ? `**${f1(x.p99ms)}**` : f1(x.p99ms);
                row.push(`${rps} / ${p99}${x.errors ? ` (${x.errors} err.)` : ""}`);
            });
            row.push(String(errors));
            return row;
        });
        out.push(table(["contender", ...cols.map((col) => `${col.endpoint} ${CLIENT_TITLE[col.client]}`), "errors"], rows), "");
        const ours = (col: { endpoint: string; client: ClientMode }) => cellsOf(r, app, col.endpoint, col.client).find((x) => x.server === "ours");
        const verdicts = cols.map((col, i) => {
            const o_ = ours(col);
            const b = bests[i];
            if (!o_ || !b.rps || !b.p99) {
                return `${col.endpoint} ${CLIENT_TITLE[col.client]}: n/a`;
            }
            const rps = b.rps === o_ ? "ours" : b.rps.server;
            const p99 = b.p99 === o_ ? "ours" : b.p99.server;
            return `${col.endpoint} ${CLIENT_TITLE[col.client]}: req/s ${rps}, p99 ${p99}`;
        });
        out.push(`Winners: ${verdicts.join("; ")}.`, "");
        out.push(
            "<details><summary>p50, the spread of the runs, and the CPU the server used (its container's cgroup usage over the run; per request: what the server spends, whatever share of the machine it got)</summary>",
            "",
            table(
                ["endpoint", "client", "contender", "req/s median (min–max)", "p50 ms", "p99 ms (min–max)", "server CPU, cores", "CPU ms per request", "errors"],
                cols.flatMap((col) =>
                    ids.map((c) => {
                        const x = r.serve.find((s) => s.app === app && s.server === c.id && s.endpoint === col.endpoint && s.client === col.client);
                        if (!x) {
                            return [col.endpoint, CLIENT_TITLE[col.client], c.id, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"];
                        }
                        const rs = x.samples.map((s) => s.rps);
                        const ps = x.samples.map((s) => s.p99ms);
                        return [
                            col.endpoint,
                            CLIENT_TITLE[col.client],
                            c.id,
                            `${f0(x.rps)} (${f0(Math.min(...rs))}–${f0(Math.max(...rs))})`,
                            f1(x.p50ms),
                            `${f1(x.p99ms)} (${f1(Math.min(...ps))}–${f1(Math.max(...ps))})`,
                            Number.isFinite(x.cores) ? x.cores.toFixed(2) : "n/a",
                            f2(median(x.samples.map((w) => (1000 * (w.cores ?? NaN)) / w.rps))),
                            String(x.errors),
                        ];
                    }),
                ),
            ),
            "",
            "</details>",
            "",
        );
    }
    return out;
}
