import * as http from "node:http";

/**
 * Just enough of the Docker Engine API to watch a container become healthy
 * and, when it does not, say why: its state, its last health-check output
 * and the last lines of its log. Talks to the engine the docker provider
 * uses by default (DOCKER_HOST, or the local socket); an engine reached over
 * ssh is not supported here, and PythonApp then leaves the wait to the
 * provider.
 */
export interface Engine {
    inspect(id: string): Promise<ContainerState>;
    logs(id: string, tail: number): Promise<string>;
}

export interface ContainerState {
    readonly running: boolean;
    readonly restarting: boolean;
    readonly exitCode: number;
    /** "starting", "healthy", "unhealthy", or undefined without a health check. */
    readonly health?: string;
    /** The last health check's output and exit code. */
    readonly lastProbe?: { readonly exitCode: number; readonly output: string };
    readonly restartCount: number;
}

/** How PythonApp finds the engine; replaceable, so unit tests under Pulumi's mocks can give a fake one. */
export const engines: { at: (host: string | undefined) => Engine | undefined } = { at: engineAt };

/** Where the engine is, from the docker provider's `host` setting or DOCKER_HOST: a unix socket or tcp (plain HTTP). */
export function engineAt(host: string | undefined): Engine | undefined {
    const target = host ?? process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
    let base: http.RequestOptions;
    if (target.startsWith("unix://")) {
        base = { socketPath: target.slice("unix://".length) };
    } else if (target.startsWith("tcp://") && !process.env.DOCKER_TLS_VERIFY) {
        const u = new URL(`http://${target.slice("tcp://".length)}`);
        base = { host: u.hostname, port: Number(u.port || 2375) };
    } else {
        return undefined;
    }
    const get = (path: string): Promise<Buffer> =>
        new Promise((resolve, reject) => {
            const req = http.request({ ...base, path, method: "GET", timeout: 10_000 }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const body = Buffer.concat(chunks);
                    if ((res.statusCode ?? 500) >= 300) {
                        reject(new Error(`Docker engine ${path}: HTTP ${res.statusCode}: ${body.toString("utf8").trim()}`));
                    } else {
                        resolve(body);
                    }
                });
            });
            req.on("timeout", () => req.destroy(new Error(`Docker engine ${path}: timed out`)));
            req.on("error", reject);
            req.end();
        });
    return {
        async inspect(id) {
            const j = JSON.parse((await get(`/containers/${encodeURIComponent(id)}/json`)).toString("utf8"));
            const log = (j.State?.Health?.Log ?? []) as Array<{ ExitCode: number; Output: string }>;
            const last = log[log.length - 1];
            return {
                running: j.State?.Running === true,
                restarting: j.State?.Restarting === true,
                exitCode: j.State?.ExitCode ?? 0,
                health: j.State?.Health?.Status,
                lastProbe: last ? { exitCode: last.ExitCode, output: String(last.Output ?? "").trim() } : undefined,
                restartCount: j.RestartCount ?? 0,
            };
        },
        async logs(id, tail) {
            return demux(await get(`/containers/${encodeURIComponent(id)}/logs?stdout=1&stderr=1&tail=${tail}`));
        },
    };
}

/** The engine multiplexes stdout and stderr of a container without a TTY: 8-byte frame headers, then the payload. */
export function demux(buf: Buffer): string {
    let out = "";
    let i = 0;
    while (i + 8 <= buf.length && (buf[i] === 0 || buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
        const size = buf.readUInt32BE(i + 4);
        out += buf.subarray(i + 8, i + 8 + size).toString("utf8");
        i += 8 + size;
    }
    return i === 0 ? buf.toString("utf8") : out;
}

/**
 * Waits until the container's health check passes. Resolves "healthy"; rejects
 * with a message that says what the container did instead: exited (with its
 * exit code), kept restarting, turned unhealthy, or was still starting when
 * the time ran out, with the last health-check output and log lines.
 */
export async function waitHealthy(engine: Engine, id: string, timeoutSeconds: number, pollMs = 2000): Promise<string> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
        const s = await engine.inspect(id);
        let problem: string | undefined;
        if (s.health === "healthy") {
            return "healthy";
        }
        if (s.health === "unhealthy") {
            problem = "its health check failed";
        } else if (!s.running && !s.restarting) {
            problem = `it exited with code ${s.exitCode}`;
        } else if (s.restartCount >= 3) {
            // The engine resets the exit code when the restart policy starts the container again: its log says why.
            problem = `it keeps exiting and being restarted (${s.restartCount} times so far)`;
        } else if (Date.now() > deadline) {
            problem = `it was still ${s.health ?? "starting"} after ${timeoutSeconds} s`;
        }
        if (problem !== undefined) {
            const logs = (await engine.logs(id, 20).catch((e: Error) => `(its log could not be read: ${e.message})`)).trimEnd();
            const probe = s.lastProbe ? `\nLast health check (exit ${s.lastProbe.exitCode}): ${s.lastProbe.output || "(no output)"}` : "";
            throw new Error(`The container did not become healthy: ${problem}.${probe}\nLast lines of its log:\n${logs || "(empty)"}`);
        }
        await new Promise((r) => setTimeout(r, pollMs));
    }
}
