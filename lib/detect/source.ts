import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import { ignoreMatcher } from "./ignore";

/**
 * Read-only view of the app's source folder for detection. Paths are POSIX
 * and relative to the folder, so nothing about where the folder sits on this
 * machine can leak into the plan or the Dockerfile.
 */
export class SourceTree {
    readonly root: string;
    /**
     * Each path's stat, once per tree: detection asks the same questions many
     * times over (a module name against every import root, from every caller),
     * and the folder does not change while it is read.
     */
    private readonly stats = new Map<string, fs.Stats | undefined>();
    /** The app's own .dockerignore as a matcher, read once. */
    private excludes?: (rel: string) => boolean;

    constructor(root: string) {
        this.root = root;
    }

    private stat(rel: string): fs.Stats | undefined {
        if (!this.stats.has(rel)) {
            let st: fs.Stats | undefined;
            try {
                st = this.leftOut(rel) ? undefined : fs.statSync(this.abs(rel), { throwIfNoEntry: false });
            } catch {
                st = undefined;
            }
            this.stats.set(rel, st);
        }
        return this.stats.get(rel);
    }

    /**
     * A Python module the app's own .dockerignore leaves out of the build context
     * (linkding's `/bookmarks/settings/dev.py`, so that `try: from .dev import *`
     * falls back to prod.py in its image): it is not in the image, so nothing
     * there imports it, and detection reads the tree without it. setup.py stays
     * (ignore-check.ts refuses a manifest the context leaves out); other files
     * stay visible: a Dockerfile, a Procfile or a lock file is read for what it
     * says, whether the image holds it or not.
     */
    private leftOut(rel: string): boolean {
        if (!rel.endsWith(".py") || rel === "setup.py") {
            return false;
        }
        if (this.excludes === undefined) {
            let text: string | undefined;
            try {
                text = decodeText(fs.readFileSync(this.abs(".dockerignore"))).text;
            } catch {
                text = undefined;
            }
            // A pattern the matcher cannot read: nothing is left out here; ignore-check.ts refuses it, naming the pattern.
            const matcher = text === undefined ? undefined : safely(() => ignoreMatcher(text!));
            this.excludes = matcher === undefined ? () => false : (r) => safely(() => matcher(r)) ?? false;
        }
        return this.excludes(rel);
    }

    /** A file in the folder that the app's .dockerignore leaves out of the build context (a Python module: see leftOut), so detection does not see it. */
    ignoredFile(rel: string): boolean {
        return this.leftOut(rel) && (safely(() => fs.statSync(this.abs(rel), { throwIfNoEntry: false })?.isFile()) ?? false);
    }

    exists(rel: string): boolean {
        return this.stat(rel) !== undefined;
    }

    isFile(rel: string): boolean {
        return this.stat(rel)?.isFile() ?? false;
    }

    /**
     * A text file's contents, decoded as pip decodes a requirements file: a
     * byte-order mark decides the encoding (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE,
     * as Windows tools such as PowerShell 5's `>` write them) and is dropped;
     * without one the file is UTF-8. A Python module in UTF-16 or UTF-32 is
     * refused: Python reads source as UTF-8 (a UTF-8 mark it skips), so the
     * app could not import it.
     */
    read(rel: string): string {
        const { text, bom } = decodeText(fs.readFileSync(this.abs(rel)));
        if (bom !== undefined && bom !== "UTF-8" && rel.endsWith(".py")) {
            throw new InputError(
                rel,
                `${rel} is ${bom} with a byte-order mark, and Python reads source files as UTF-8: the image could neither compile nor import it. Re-save it as UTF-8 (an editor's encoding setting).`,
            );
        }
        return text;
    }

    /**
     * The byte-order mark a file starts with, undefined when it has none (or
     * cannot be read): for files a tool in the image reads as plain UTF-8
     * (TOML, JSON, scripts), where the mark breaks them.
     */
    byteOrderMark(rel: string): ByteOrderMark | undefined {
        try {
            return decodeText(fs.readFileSync(this.abs(rel))).bom;
        } catch {
            return undefined;
        }
    }

    /** Reads a file if it exists, else undefined. */
    readIfFile(rel: string): string | undefined {
        return this.isFile(rel) ? this.read(rel) : undefined;
    }

    /** A file's size in bytes (0 when it cannot be read). */
    size(rel: string): number {
        return this.stat(rel)?.size ?? 0;
    }

    /** Entries of a folder, sorted by name so detection never depends on readdir order. */
    list(rel: string): fs.Dirent[] {
        try {
            return fs
                .readdirSync(this.abs(rel), { withFileTypes: true })
                .filter((e) => !(e.isFile() && this.leftOut(rel === "" ? e.name : `${rel}/${e.name}`)))
                .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        } catch {
            return [];
        }
    }

    private abs(rel: string): string {
        return path.join(this.root, ...rel.split("/"));
    }
}

/** A function's result, or undefined where it throws. */
function safely<T>(fn: () => T): T | undefined {
    try {
        return fn();
    } catch {
        return undefined;
    }
}

/** The encodings a byte-order mark names. */
export type ByteOrderMark = "UTF-8" | "UTF-16 LE" | "UTF-16 BE" | "UTF-32 LE" | "UTF-32 BE";

/** The marks, longest first (UTF-32 LE's begins with UTF-16 LE's), as pip's auto_decode lists them. */
const BOMS: ReadonlyArray<readonly [ByteOrderMark, readonly number[]]> = [
    ["UTF-32 LE", [0xff, 0xfe, 0x00, 0x00]],
    ["UTF-32 BE", [0x00, 0x00, 0xfe, 0xff]],
    ["UTF-8", [0xef, 0xbb, 0xbf]],
    ["UTF-16 LE", [0xff, 0xfe]],
    ["UTF-16 BE", [0xfe, 0xff]],
];

/** Text from bytes by their byte-order mark (dropped), else UTF-8. */
export function decodeText(bytes: Buffer): { text: string; bom?: ByteOrderMark } {
    const found = BOMS.find(([, mark]) => mark.every((b, i) => bytes[i] === b));
    if (found === undefined) {
        return { text: bytes.toString("utf8") };
    }
    const [bom, mark] = found;
    const body = bytes.subarray(mark.length);
    switch (bom) {
        case "UTF-8":
            return { text: body.toString("utf8"), bom };
        case "UTF-16 LE":
            return { text: new TextDecoder("utf-16le").decode(body), bom };
        case "UTF-16 BE":
            return { text: new TextDecoder("utf-16be").decode(body), bom };
        case "UTF-32 LE":
        case "UTF-32 BE": {
            let text = "";
            for (let i = 0; i + 4 <= body.length; i += 4) {
                const cp = bom === "UTF-32 LE" ? body.readUInt32LE(i) : body.readUInt32BE(i);
                text += String.fromCodePoint(cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? cp : 0xfffd);
            }
            return { text, bom };
        }
    }
}

export function openSource(sourceDir: unknown): SourceTree {
    if (typeof sourceDir !== "string" || sourceDir === "") {
        throw new InputError(
            "`source`",
            "`source` must be the path of the app's folder (a plain string, e.g. \"./app\").",
        );
    }
    let stat: fs.Stats;
    try {
        stat = fs.statSync(sourceDir);
    } catch {
        throw new InputError(
            "`source`",
            `\`source\` is ${JSON.stringify(sourceDir)}, which does not exist (${path.resolve(sourceDir)}). ` +
                "Point it at the folder that holds the app; a relative path is taken from the folder the program runs in (where its Pulumi.yaml is).",
        );
    }
    if (!stat.isDirectory()) {
        throw new InputError(
            "`source`",
            `\`source\` is ${JSON.stringify(sourceDir)}, which is a file, not a folder. ` +
                "Point it at the folder that holds the app and its dependency manifest.",
        );
    }
    return new SourceTree(sourceDir);
}
