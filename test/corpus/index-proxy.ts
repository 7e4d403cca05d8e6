import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import * as tls from "node:tls";

/**
 * A package index proxy on loopback for the corpus builds.
 *
 * The corpus's lock files (uv.lock, Pipfile.lock, Pipfile) name a made-up
 * index host; their file URLs carry the real paths and hashes. The runner
 * rewrites them to this proxy, which serves PEP 503 `/simple/<project>/`
 * pages and the files, fetched from the upstream index the host's pip uses.
 * No index host name is written in this repository: the upstream is asked of
 * pip at run time (PIP_INDEX_URL, pip's config, else pip's built-in default),
 * and the files host is read from the absolute file links of an upstream
 * simple page. Files are cached on disk, so a second run downloads nothing;
 * the bytes are the upstream's, so the locks' hashes verify.
 *
 * Builds reach it because BuildKit's OCI worker runs build steps in the
 * host's network namespace; pip and uv accept plain HTTP on 127.0.0.0/8.
 */
export interface IndexProxy {
    /** http://127.0.0.1:<port> */
    origin: string;
    /** `${origin}/simple` (no trailing slash, as lock files write an index URL) */
    simpleUrl: string;
    /** The upstream simple index (from pip), e.g. for the report. */
    upstreamSimple: string;
    /** The origin the upstream's file links point at. */
    filesOrigin: string;
    stats: { pages: number; files: number; downloaded: number; bytesDownloaded: number; errors: number };
    /** The HTTP status of an upstream URL path on the index's origin (e.g. a JSON API), for diagnosis. */
    upstreamStatus: (pathOnOrigin: string) => Promise<number>;
    stop: () => Promise<void>;
}

/** The made-up hosts the corpus's lock files name (see test/fixtures/cases/README.md). */
export const PLACEHOLDER_INDEX = "https://packages.example/simple";
export const PLACEHOLDER_FILES = "https://files.packages.example/";

/** The simple index URL the host's pip uses: PIP_INDEX_URL, else pip's config, else pip's default. */
export function pipIndexUrl(): string {
    const fromEnv = process.env.PIP_INDEX_URL?.trim();
    if (fromEnv) {
        return fromEnv;
    }
    for (const key of ["global.index-url", "install.index-url"]) {
        try {
            const v = execFileSync("python3", ["-m", "pip", "config", "get", key], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
            if (v) {
                return v;
            }
        } catch {
            // not set
        }
    }
    return execFileSync("python3", ["-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"], { encoding: "utf8" }).trim();
}

function normalize(name: string): string {
    return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/** Trusted roots for upstream requests: Node's own plus the bundle a TLS-intercepting proxy needs. */
function caList(): string[] {
    const extra: string[] = [];
    for (const f of [process.env.PPA_CA_BUNDLE, process.env.NODE_EXTRA_CA_CERTS, process.env.SSL_CERT_FILE]) {
        if (f && fs.existsSync(f)) {
            extra.push(fs.readFileSync(f, "utf8"));
        }
    }
    return [...tls.rootCertificates, ...extra];
}

interface Fetched {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: http.IncomingMessage;
    url: string;
}

function get(url: string, agent: https.Agent, headers: Record<string, string> = {}, redirects = 5, timeoutMs = 120_000): Promise<Fetched> {
    return new Promise((resolve, reject) => {
        const u = new URL(url);
        const mod = u.protocol === "https:" ? https : http;
        const req = mod.get(u, { agent: u.protocol === "https:" ? agent : undefined, headers: { "User-Agent": "pulumi-python-app-corpus", ...headers } }, (res) => {
            const status = res.statusCode ?? 0;
            if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
                res.resume();
                resolve(get(new URL(res.headers.location, u).toString(), agent, headers, redirects - 1, timeoutMs));
                return;
            }
            resolve({ status, headers: res.headers, body: res, url });
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs / 1000}s: ${url}`)));
        req.on("error", reject);
    });
}

async function readAll(res: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of res) {
        chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}

function decodeEntities(s: string): string {
    return s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

function encodeAttr(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
}

/** The absolute file links of a simple page. */
function fileLinks(html: string, pageUrl: string): URL[] {
    const out: URL[] = [];
    for (const m of html.matchAll(/href\s*=\s*"([^"]*)"/gi)) {
        try {
            out.push(new URL(decodeEntities(m[1]), pageUrl));
        } catch {
            // not a URL
        }
    }
    return out;
}

async function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

/** A simple page fetched within this time is served from the disk cache. */
const PAGE_TTL_MS = 12 * 3600 * 1000;

export async function startIndexProxy(opts: { cacheDir: string; logFile: string }): Promise<IndexProxy> {
    const filesDir = path.join(opts.cacheDir, "files");
    const pagesDir = path.join(opts.cacheDir, "simple");
    fs.mkdirSync(filesDir, { recursive: true });
    fs.mkdirSync(pagesDir, { recursive: true });
    fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
    const log = (line: string) => fs.appendFileSync(opts.logFile, `${new Date().toISOString()} ${line}\n`);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: caList() });
    const upstreamSimple = pipIndexUrl().replace(/\/+$/, "");
    const stats = { pages: 0, files: 0, downloaded: 0, bytesDownloaded: 0, errors: 0 };

    /** An upstream simple page (raw HTML), from the disk cache when fresh; a stale copy when the upstream fails. */
    async function upstreamPage(project: string): Promise<{ status: number; html: string; url: string }> {
        const url = `${upstreamSimple}/${project}/`;
        const cached = path.join(pagesDir, `${project}.html`);
        const st = fs.existsSync(cached) ? fs.statSync(cached) : undefined;
        if (st && Date.now() - st.mtimeMs < PAGE_TTL_MS) {
            return { status: 200, html: fs.readFileSync(cached, "utf8"), url };
        }
        try {
            const res = await get(url, agent, { Accept: "text/html" }, 5, 60_000);
            const html = await readAll(res.body);
            log(`page ${project}: upstream HTTP ${res.status}`);
            if (res.status === 200) {
                fs.writeFileSync(`${cached}.tmp`, html);
                fs.renameSync(`${cached}.tmp`, cached);
            } else if (st && res.status >= 500) {
                return { status: 200, html: fs.readFileSync(cached, "utf8"), url };
            }
            return { status: res.status, html, url };
        } catch (e) {
            if (st) {
                log(`page ${project}: upstream failed (${(e as Error).message}); serving the cached copy`);
                return { status: 200, html: fs.readFileSync(cached, "utf8"), url };
            }
            throw e;
        }
    }

    // The files host: where an upstream page's file links point. pip itself is on every index pip can use.
    const probe = await upstreamPage("pip");
    if (probe.status !== 200) {
        throw new Error(`the upstream index ${upstreamSimple} answered HTTP ${probe.status} for pip's own page; cannot discover its files host`);
    }
    const firstFile = fileLinks(probe.html, probe.url).find((u) => /\.(whl|tar\.gz|zip)$/.test(u.pathname));
    if (!firstFile) {
        throw new Error(`the upstream page ${probe.url} has no file links; cannot discover the files host`);
    }
    const filesOrigin = firstFile.origin;

    let origin = "";
    const rewrite = (html: string, pageUrl: string) =>
        html.replace(/href\s*=\s*"([^"]*)"/gi, (whole, href: string) => {
            let u: URL;
            try {
                u = new URL(decodeEntities(href), pageUrl);
            } catch {
                return whole;
            }
            if (u.origin !== filesOrigin) {
                return `href="${encodeAttr(u.toString())}"`;
            }
            return `href="${encodeAttr(`${origin}${u.pathname}${u.search}${u.hash}`)}"`;
        });

    const inflight = new Map<string, Promise<string>>();
    /** A file under the files host, downloaded once into the cache; resolves to its path. */
    function cachedFile(urlPath: string): Promise<string> {
        const rel = decodeURIComponent(urlPath).replace(/^\/+/, "");
        if (rel.split("/").some((s) => s === ".." || s === "")) {
            return Promise.reject(Object.assign(new Error(`bad path ${urlPath}`), { status: 400 }));
        }
        const dest = path.join(filesDir, rel);
        if (fs.existsSync(dest)) {
            return Promise.resolve(dest);
        }
        const running = inflight.get(dest);
        if (running) {
            return running;
        }
        const p = (async () => {
            const res = await get(`${filesOrigin}/${rel.split("/").map(encodeURIComponent).join("/")}`, agent);
            if (res.status !== 200) {
                res.body.resume();
                throw Object.assign(new Error(`upstream HTTP ${res.status} for ${rel}`), { status: res.status === 404 ? 404 : 502 });
            }
            fs.mkdirSync(path.dirname(dest), { recursive: true });
            const tmp = `${dest}.${crypto.randomBytes(4).toString("hex")}.part`;
            const out = fs.createWriteStream(tmp);
            let bytes = 0;
            res.body.on("data", (c: Buffer) => (bytes += c.length));
            await new Promise<void>((resolve, reject) => {
                res.body.pipe(out);
                res.body.on("error", reject);
                out.on("error", reject);
                out.on("finish", () => resolve());
            });
            const expected = Number(res.headers["content-length"] ?? NaN);
            if (Number.isFinite(expected) && expected !== bytes) {
                fs.rmSync(tmp, { force: true });
                throw Object.assign(new Error(`short download of ${rel}: ${bytes} of ${expected} bytes`), { status: 502 });
            }
            fs.renameSync(tmp, dest);
            stats.downloaded++;
            stats.bytesDownloaded += bytes;
            log(`file ${rel}: downloaded ${bytes} bytes`);
            return dest;
        })().finally(() => inflight.delete(dest));
        inflight.set(dest, p);
        return p;
    }

    const server = http.createServer((req, res) => {
        const u = new URL(req.url ?? "/", "http://127.0.0.1");
        const fail = (status: number, msg: string) => {
            if (status >= 500) {
                stats.errors++;
            }
            log(`${req.method} ${u.pathname} -> ${status} ${msg}`);
            if (!res.headersSent) {
                res.writeHead(status, { "Content-Type": "text/plain" });
            }
            res.end(`${msg}\n`);
        };
        if (req.method !== "GET" && req.method !== "HEAD") {
            fail(405, "GET only");
            return;
        }
        if (u.pathname === "/simple" || u.pathname === "/simple/") {
            res.writeHead(200, { "Content-Type": "text/html" });
            res.end('<!DOCTYPE html>\n<html><body><!-- project pages only: /simple/<project>/ --></body></html>\n');
            return;
        }
        const page = /^\/simple\/([^/]+)\/?$/.exec(u.pathname);
        if (page) {
            const project = normalize(decodeURIComponent(page[1]));
            upstreamPage(project).then(
                ({ status, html, url }) => {
                    if (status !== 200) {
                        fail(status === 404 ? 404 : 502, `upstream HTTP ${status} for ${project}`);
                        return;
                    }
                    stats.pages++;
                    const body = rewrite(html, url);
                    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
                    res.end(req.method === "HEAD" ? undefined : body);
                },
                (e: Error) => fail(502, `upstream page ${project}: ${e.message}`),
            );
            return;
        }
        if (u.pathname.startsWith("/packages/")) {
            cachedFile(u.pathname).then(
                (file) => {
                    stats.files++;
                    const size = fs.statSync(file).size;
                    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": size });
                    if (req.method === "HEAD") {
                        res.end();
                        return;
                    }
                    fs.createReadStream(file).pipe(res);
                },
                (e: Error & { status?: number }) => fail(e.status ?? 502, e.message),
            );
            return;
        }
        fail(404, "not found");
    });
    const port = await freeLoopbackPort();
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
    });
    origin = `http://127.0.0.1:${port}`;
    log(`listening on ${origin}; upstream ${upstreamSimple}, files from ${filesOrigin}`);
    return {
        origin,
        simpleUrl: `${origin}/simple`,
        upstreamSimple,
        filesOrigin,
        stats,
        upstreamStatus: async (pathOnOrigin: string) => {
            try {
                const res = await get(new URL(pathOnOrigin, upstreamSimple).toString(), agent, {}, 5, 30_000);
                res.body.resume();
                return res.status;
            } catch {
                return 0;
            }
        },
        stop: () =>
            new Promise<void>((resolve) => {
                agent.destroy();
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/** Files of a project copy whose index URLs are rewritten (and PEP 751 locks, pylock.<name>.toml, and uv's script locks, app.py.lock). */
export const LOCK_FILES = ["uv.lock", "Pipfile.lock", "Pipfile", "pylock.toml"];

function isLockFile(name: string): boolean {
    const parts = name.split(".");
    return LOCK_FILES.includes(name) || (parts.length === 3 && parts[0] === "pylock" && parts[1] !== "" && parts[2] === "toml") || name.endsWith(".py.lock");
}

/**
 * Rewrites the placeholder index and files URLs in the lock files under
 * `dir` (at any depth, e.g. workspace members) to the proxy. Returns the
 * files changed (relative) and the number of URLs rewritten.
 */
export function rewriteLocks(dir: string, proxy: Pick<IndexProxy, "origin" | "simpleUrl">): { files: string[]; urls: number } {
    const changed: string[] = [];
    let urls = 0;
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) {
                if (e.name !== "node_modules" && e.name !== ".git" && e.name !== ".backend") {
                    walk(p);
                }
            } else if (e.isFile() && isLockFile(e.name)) {
                const text = fs.readFileSync(p, "utf8");
                let n = 0;
                const out = text
                    .split(PLACEHOLDER_FILES)
                    .join("\u0000FILES\u0000")
                    .split(PLACEHOLDER_INDEX)
                    .join("\u0000INDEX\u0000")
                    .replace(/\u0000FILES\u0000/g, () => (n++, `${proxy.origin}/`))
                    .replace(/\u0000INDEX\u0000/g, () => (n++, proxy.simpleUrl));
                if (n > 0) {
                    fs.writeFileSync(p, out);
                    changed.push(path.relative(dir, p));
                    urls += n;
                }
            }
        }
    };
    walk(dir);
    return { files: changed, urls };
}
