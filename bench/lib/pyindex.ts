import { ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../../lib/data/defaults";
import { freePort, run, say, waitForHttp } from "./util";

/**
 * A PEP 503 package index on loopback, served from files downloaded once on
 * the host. Why: this machine reaches PyPI only through an egress proxy whose
 * TLS certificate is trusted by the host, not by the Debian base image, so
 * pip inside a build cannot reach PyPI. The builds (BuildKit's OCI worker
 * runs steps in the host's network namespace) read this index instead, the
 * same files for every contender, which also takes network noise out of the
 * figures. pip treats 127.0.0.0/8 as a secure origin, so plain HTTP is fine.
 */

/** What one index serves: wheels (with their dependencies, one pip resolution per set) and sdists (without), downloaded once into $PPA_CACHE/bench/<dir>-<hash of the lists>. */
export interface IndexSpec {
    dir: string;
    wheelSets: string[][];
    sdists: string[];
    /** A project the index must serve: polled until the server answers. */
    probe: string;
}

/**
 * What the builds install, one pip resolution per set (the two apps pin
 * different gunicorns): the WSGI app's requirements, the dependency scenario
 * 4 adds, and pip's build requirements for the psycopg2 sdist; for the
 * serving scenario, the ASGI app's requirements with what ours adds to them
 * (gunicorn and uvicorn-worker, at the versions synthesize() pins),
 * gevent for the seed's CMD, and uv at the version ours' builder installs
 * (its pip interface installs requirements.txt).
 */
export const BUILD_INDEX: IndexSpec = {
    dir: "pyindex",
    wheelSets: [
        ["flask==3.1.0", "gunicorn==23.0.0", "requests==2.32.3", "setuptools==80.9.0", "wheel==0.45.1"],
        ["fastapi==0.165.0", "uvicorn[standard]==0.54.0", "gunicorn==27.0.1", "uvicorn-worker==0.4.0"],
        ["gevent==26.9.0"],
        [DEFAULTS.uv],
    ],
    sdists: ["psycopg2==2.9.10"],
    probe: "psycopg2",
};
/** The base image's Python (Debian trixie: 3.13, x86_64). */
const TARGET = ["--python-version", "3.13", "--implementation", "cp", "--abi", "cp313", "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux_2_28_x86_64"];

export interface PyIndex {
    /** The index URL as seen from the builder (host network). */
    url: string;
    files: string[];
    stop: () => void;
}

function normalize(name: string): string {
    return name.replace(/[-_.]+/g, "-").toLowerCase();
}

function projectOf(file: string): string {
    if (file.endsWith(".tar.gz")) {
        return normalize(file.slice(0, -".tar.gz".length).replace(/-[^-]+$/, ""));
    }
    return normalize(file.split("-")[0]);
}

export async function startIndex(cacheRoot: string, spec: IndexSpec = BUILD_INDEX): Promise<PyIndex> {
    const WHEEL_SETS = spec.wheelSets;
    const SDISTS = spec.sdists;
    const want = JSON.stringify({ WHEEL_SETS, SDISTS, TARGET });
    // One folder per download list: a bench of another checkout with another list never deletes the files this one serves.
    const root = path.join(cacheRoot, "bench", `${spec.dir}-${createHash("sha256").update(want).digest("hex").slice(0, 12)}`);
    const filesDir = path.join(root, "files");
    const stamp = path.join(root, ".complete");
    if (!fs.existsSync(stamp) || fs.readFileSync(stamp, "utf8") !== want) {
        say(`package index: downloading ${[...WHEEL_SETS.flat(), ...SDISTS].join(" ")} (and dependencies) into ${filesDir}`);
        fs.rmSync(root, { recursive: true, force: true });
        fs.mkdirSync(filesDir, { recursive: true });
        const env = { ...process.env };
        delete env.PIP_FIND_LINKS;
        delete env.PIP_NO_INDEX;
        delete env.PIP_INDEX_URL;
        for (const set of WHEEL_SETS) {
            await run("python3", ["-m", "pip", "download", "-q", "-d", filesDir, ...TARGET, "--only-binary=:all:", ...set], { env, log: "pyindex.log" });
        }
        if (SDISTS.length > 0) {
            await run("python3", ["-m", "pip", "download", "-q", "-d", filesDir, "--no-deps", "--no-binary", ":all:", ...SDISTS], { env, log: "pyindex.log" });
        }
        fs.writeFileSync(stamp, want);
    }
    const files = fs.readdirSync(filesDir).sort();
    const byProject = new Map<string, string[]>();
    for (const f of files) {
        byProject.set(projectOf(f), [...(byProject.get(projectOf(f)) ?? []), f]);
    }
    fs.rmSync(path.join(root, "simple"), { recursive: true, force: true });
    for (const [project, fs_] of byProject) {
        const dir = path.join(root, "simple", project);
        fs.mkdirSync(dir, { recursive: true });
        const links = fs_.map((f) => `<a href="../../files/${encodeURIComponent(f)}">${f}</a><br>`).join("\n");
        fs.writeFileSync(path.join(dir, "index.html"), `<!DOCTYPE html>\n<html><body>\n${links}\n</body></html>\n`);
    }
    const port = await freePort();
    const child: ChildProcess = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root], {
        stdio: "ignore",
    });
    const stop = () => {
        if (child.exitCode === null && child.pid !== undefined) {
            child.kill("SIGTERM");
        }
    };
    process.on("exit", stop);
    const url = `http://127.0.0.1:${port}/simple/`;
    await waitForHttp(`${url}${spec.probe}/`, 15000);
    say(`package index: ${url} (${files.length} files, pid ${child.pid})`);
    return { url, files, stop };
}
