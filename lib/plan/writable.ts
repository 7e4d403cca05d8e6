import { DEFAULTS } from "../data/defaults";
import { Holds, WritablePath, WritablePathKind } from "../detect/writable-paths";
import { InputError } from "../errors";
import { CheckedOptions } from "./options";

/**
 * The paths the app writes, as the image makes them: folders created owned
 * by the app's user; a file the app keeps among its code (an SQLite
 * database at /app/db.sqlite3, a log file at /app/record.log) becomes a link
 * into the data folder (data) or the scratch folder (scratch), so the code
 * stays read-only and no folder is ever made at a file's path. Data persists
 * (PythonApp mounts a named volume); scratch is a tmpfs.
 */
export interface WritablePathPlan {
    /** Absolute, in the image. */
    readonly path: string;
    readonly kind: WritablePathKind;
    /** What showed it, or "`writablePaths`". */
    readonly why: string;
    /** Links made into this folder: the app's path -> the path here. */
    readonly links: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/** Paths the build writes into shell commands: plain characters only. */
const SAFE_PATH = /^\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/** System folders no app path may be made writable in. */
const SYSTEM = ["/bin", "/sbin", "/lib", "/lib64", "/usr", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/run", "/var/lib/dpkg", "/var/lib/apt"];

function absolute(p: string, workdir: string): string {
    if (p.startsWith("/")) {
        return p.replace(/\/+$/, "") || "/";
    }
    const rel = p.replace(/\/+$/, "");
    return rel === "" ? workdir : `${workdir}/${rel}`;
}

function inside(child: string, parent: string): boolean {
    return child === parent || child.startsWith(`${parent}/`);
}

/** Names of files that are databases. */
const DATABASE_FILE = /\.(?:db|sqlite|sqlite3|db3)$/;

/** Names of files that are files, not folders, when declared: databases, logs, pid files. */
const FILE_NAME = /\.(?:db|sqlite|sqlite3|db3|log|pid)$/;

/** What a path holds, as the plan's notes say it. */
const HOLDS: Record<Holds, string> = {
    database: "an SQLite database",
    uploads: "uploaded files",
    instance: "the files of Flask's instance folder",
    logs: "logs",
    cache: "a cache",
    sessions: "login sessions",
    files: "the files the app writes there",
};

function describe(holds: ReadonlySet<Holds>): string {
    const order = Object.keys(HOLDS) as Holds[];
    // A declared path says nothing about its contents; "files" only when nothing more is known.
    const known = order.filter((h) => holds.has(h) && h !== "files");
    return (known.length > 0 ? known : ["files" as const]).map((h) => HOLDS[h]).join("; ");
}

export function planWritablePaths(
    o: CheckedOptions,
    detected: readonly WritablePath[],
    workdir: string,
    fileInSource: (rel: string) => boolean,
    notes: string[],
    shippedIn: (rel: string) => readonly string[] = () => [],
): WritablePathPlan[] {
    const dirs = new Map<string, { kind: WritablePathKind; why: string; holds: Set<Holds> }>();
    // Files by path; a declared one replaces a detected one (its kind decides).
    const files = new Map<string, { kind: WritablePathKind; why: string; holds: Holds; alias?: string }>();
    // Data kept under HOME that a note names: a database, uploads or files, not the home folder itself nor its cache.
    const homeData = (d: WritablePath, abs: string): boolean =>
        d.kind === "data" && (d.holds === "database" || d.holds === "uploads" || d.holds === "files") && inside(abs, DEFAULTS.home) && abs !== DEFAULTS.home && !inside(abs, `${DEFAULTS.home}/.cache`);
    for (const d of detected) {
        const abs = absolute(d.path, workdir);
        if (!SAFE_PATH.test(abs)) {
            notes.push(`The app writes ${JSON.stringify(abs)} (${d.why}), whose name has characters the image's build commands do not take; it stays read-only. Declare a plain folder in \`writablePaths\` if the app must write there.`);
            continue;
        }
        if (SYSTEM.some((s) => inside(abs, s)) || abs === "/" || abs === "/tmp" || inside(abs, "/tmp") || abs === workdir) {
            if (!inside(abs, "/tmp")) {
                notes.push(`The app writes ${abs} (${d.why}), which stays read-only in the container; if it must, move it or declare a folder in \`writablePaths\`.`);
            } else if (homeData(d, abs) || (inside(abs, `${DEFAULTS.home}/.local/share`) && !detected.some((o) => o !== d && homeData(o, absolute(o.path, workdir)) && inside(absolute(o.path, workdir), abs)))) {
                // The user's data folder (platformdirs' user_data_dir, ~/.myapp) is under HOME, the /tmp tmpfs: writable, and emptied at every start.
                // Under XDG's data folder (~/.local/share, where user_data_dir puts it) whatever the app writes there is its data (archivy's
                // notes in a folder it makes): the folder is named unless a database or upload folder inside it is.
                notes.push(
                    `The app keeps data in ${abs} (${d.why}), under its home folder, which is ${DEFAULTS.home}, the container's tmpfs: it is lost at every restart and deploy. ` +
                        "To keep it, point the app (or XDG_DATA_HOME, for platformdirs) at a folder declared in `writablePaths` as data, e.g. `env: { XDG_DATA_HOME: \"/var/lib/app\" }` with `writablePaths: { \"/var/lib/app\": \"data\" }`.",
                );
            }
            continue;
        }
        // A package of the app's own code (a source folder with an __init__.py, or its installed copy in the venv's
        // site-packages, wikmd's): a volume there would keep the first deploy's code and hide every later deploy's.
        const installed = inside(abs, DEFAULTS.venv) && abs.includes("/site-packages/") ? abs.slice(abs.indexOf("/site-packages/") + "/site-packages/".length) : undefined;
        const sourceFolders = installed !== undefined ? [installed, `src/${installed}`] : inside(abs, workdir) ? [abs.slice(workdir.length + 1)] : [];
        if (!d.file && sourceFolders.some((f) => shippedIn(f).includes("__init__.py"))) {
            notes.push(
                `The app writes into ${abs} (${d.why}), a folder of its own code: a volume there would keep the first deploy's code and hide every later deploy's, so it stays read-only and those writes fail. ` +
                    "Point them at a folder of their own (name it in `writablePaths`).",
            );
            continue;
        }
        if (d.file && d.replaced && !SYSTEM.some((s) => inside(abs, s))) {
            const name = abs.slice(abs.lastIndexOf("/") + 1);
            notes.push(
                `The app replaces ${abs} whole (${d.why}): the temporary file it renames over it is written in ${abs.slice(0, abs.lastIndexOf("/")) || "/"}, which holds the code and stays read-only, ` +
                    `and a rename would replace the link to the writable copy: move the file into a folder of its own (data/${name}), which the image then makes writable.`,
            );
        }
        if (d.file) {
            if (!files.has(abs) || files.get(abs)!.kind === "scratch") {
                const alias = d.alias === undefined ? undefined : absolute(d.alias, workdir);
                files.set(abs, { kind: d.kind, why: d.why, holds: d.holds, alias: alias !== undefined && SAFE_PATH.test(alias) ? alias : undefined });
            }
        } else if (!dirs.has(abs) || dirs.get(abs)!.kind === "scratch") {
            dirs.set(abs, { kind: d.kind, why: d.why, holds: new Set([d.holds, ...(dirs.get(abs)?.holds ?? [])]) });
        } else {
            dirs.get(abs)!.holds.add(d.holds);
        }
    }
    for (const [p, kind] of Object.entries(o.writablePaths)) {
        const abs = absolute(p, workdir);
        if (abs === workdir || abs === "/" || SYSTEM.some((s) => inside(abs, s)) || inside(DEFAULTS.venv, abs)) {
            throw new InputError("`writablePaths`", `\`writablePaths\` names ${abs}, which must stay read-only (the app's folder itself, the venv or a system folder); name a folder inside the app's folder or under /var, /srv or /data.`);
        }
        // A file (one in the source folder, a database, log or pid file by its name, or any name with a suffix that no
        // folder of the source has, `secret.txt`) cannot be a folder or a mount: it is linked into the data or scratch
        // folder. A trailing slash keeps a folder a folder (`cache.d/`).
        const rel = p.startsWith("/") ? undefined : p.replace(/\/+$/, "");
        const last = abs.split("/").pop() ?? "";
        const suffixed = !p.endsWith("/") && last.indexOf(".") > 0 && (rel === undefined || shippedIn(rel).length === 0);
        if (FILE_NAME.test(abs) || (rel !== undefined && fileInSource(rel)) || suffixed) {
            const holds: Holds = DATABASE_FILE.test(abs) ? "database" : /\.log$/.test(abs) ? "logs" : "files";
            files.set(abs, { kind, why: "`writablePaths`", holds });
            continue;
        }
        dirs.set(abs, { kind, why: "`writablePaths`", holds: new Set([...(dirs.get(abs)?.holds ?? []), "files"]) });
    }
    // A file inside a writable folder needs nothing more; others are linked into the data folder (a volume keeps the
    // image's folders) or, flat, into the scratch folder (a tmpfs starts empty).
    const links: Array<{ from: string; to: string; kind: WritablePathKind; why: string; holds: Holds }> = [];
    for (const [path, f] of files) {
        if ([...dirs.keys()].some((d) => inside(path, d))) {
            continue;
        }
        // Already in the data folder (sqlite:////data/db.sqlite3): the folder is made writable, the file needs no link.
        if (f.kind === "data" && inside(path, DEFAULTS.dataDir)) {
            const d = dirs.get(DEFAULTS.dataDir);
            dirs.set(DEFAULTS.dataDir, { kind: "data", why: d?.why ?? f.why, holds: new Set([...(d?.holds ?? []), f.holds]) });
            continue;
        }
        const rel = inside(path, workdir) ? path.slice(workdir.length + 1) : path.slice(1);
        const to = f.kind === "data" ? `${DEFAULTS.dataDir}/${rel}` : `${DEFAULTS.scratchDir}/${rel.split("/").join("-")}`;
        links.push({ from: path, to, kind: f.kind, why: f.why, holds: f.holds });
        if (f.alias !== undefined && !files.has(f.alias) && ![...dirs.keys()].some((d) => inside(f.alias!, d))) {
            links.push({ from: f.alias, to, kind: f.kind, why: f.why, holds: f.holds });
        }
    }
    for (const [dir, kind] of [[DEFAULTS.dataDir, "data"], [DEFAULTS.scratchDir, "scratch"]] as const) {
        const into = links.filter((l) => l.kind === kind);
        if (into.length > 0 && !dirs.has(dir)) {
            dirs.set(dir, { kind, why: [...new Set(into.map((l) => l.why))].join("; "), holds: new Set(into.map((l) => l.holds)) });
        }
    }
    // Nested folders: the outer one is enough.
    const paths = [...dirs.keys()].sort();
    const out: WritablePathPlan[] = [];
    const holds = new Map<string, Set<Holds>>();
    for (const p of paths) {
        const outer = paths.find((q) => q !== p && inside(p, q) && !paths.some((r) => r !== q && inside(q, r)));
        if (outer !== undefined) {
            dirs.get(p)!.holds.forEach((h) => dirs.get(outer)!.holds.add(h));
            continue;
        }
        const d = dirs.get(p)!;
        out.push({ path: p, kind: d.kind, why: d.why, links: links.filter((l) => inside(l.to, p)).map(({ from, to }) => ({ from, to })) });
        holds.set(p, d.holds);
    }
    // A volume over a folder the image ships files in keeps the first deploy's copies: later images' files there are hidden.
    for (const w of out) {
        const shipped = w.kind === "data" && inside(w.path, workdir) ? shippedIn(w.path.slice(workdir.length + 1)).filter((f) => !/^\.(gitkeep|keep|gitignore)$/.test(f)) : [];
        if (shipped.length > 0) {
            notes.push(
                `${w.path} ships ${shipped.slice(0, 3).join(", ")}${shipped.length > 3 ? ` and ${shipped.length - 3} more` : ""} in the image, and a named volume mounted there keeps what it held at the first deploy: ` +
                    "later deploys' copies of those files are hidden by it. Keep files the image should update outside that folder (or remove the volume to refresh them).",
            );
        }
    }
    for (const w of out) {
        const linked = w.links.length > 0 ? ` (${w.links.map((l) => `${l.from} links to ${l.to}`).join(", ")})` : "";
        notes.push(
            w.kind === "data"
                ? `The app writes ${w.path}${linked} (${w.why}): the image makes it writable by the app's user; PythonApp mounts a named volume there, so what it holds (${describe(holds.get(w.path)!)}) survives a redeploy. Other runners of the image must mount a volume there too.`
                : `The app writes ${w.path}${linked} (${w.why}): the image makes it writable by the app's user; PythonApp mounts a tmpfs there, so what it holds (${describe(holds.get(w.path)!)}) is lost on restart.`,
        );
    }
    return out;
}

/**
 * Notes for the files the app keeps among its code that the image moves into
 * the data folder and that the build context holds (committed, and not in the
 * .dockerignore): the developer's copy becomes the volume's first contents.
 */
export function seededDataNotes(writablePaths: readonly WritablePathPlan[], workdir: string, inContext: (rel: string) => boolean): string[] {
    return writablePaths
        .filter((w) => w.kind === "data")
        .flatMap((w) => w.links)
        .filter((l) => inside(l.from, workdir) && inContext(l.from.slice(workdir.length + 1)))
        .map((l) => {
            const rel = l.from.slice(workdir.length + 1);
            return DATABASE_FILE.test(rel)
                ? `${rel} is in the source folder, and the image moves it to ${l.to}: the committed database seeds the data volume on its first start (and is in the image's layers, rows and all). Delete it, or add it to .dockerignore, if that is not wanted.`
                : `${rel} is in the source folder, and the image moves it to ${l.to}: the committed copy seeds the data volume on its first start. Delete it, or add it to .dockerignore, if that is not wanted.`;
        });
}
