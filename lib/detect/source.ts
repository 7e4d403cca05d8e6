import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";

/**
 * Read-only view of the app's source folder for detection. Paths are POSIX
 * and relative to the folder, so nothing about where the folder sits on this
 * machine can leak into the plan or the Dockerfile.
 */
export class SourceTree {
    readonly root: string;

    constructor(root: string) {
        this.root = root;
    }

    exists(rel: string): boolean {
        return fs.existsSync(this.abs(rel));
    }

    isFile(rel: string): boolean {
        try {
            return fs.statSync(this.abs(rel)).isFile();
        } catch {
            return false;
        }
    }

    read(rel: string): string {
        return fs.readFileSync(this.abs(rel), "utf8");
    }

    /** Reads a file if it exists, else undefined. */
    readIfFile(rel: string): string | undefined {
        return this.isFile(rel) ? this.read(rel) : undefined;
    }

    /** A file's size in bytes (0 when it cannot be read). */
    size(rel: string): number {
        try {
            return fs.statSync(this.abs(rel)).size;
        } catch {
            return 0;
        }
    }

    /** Entries of a folder, sorted by name so detection never depends on readdir order. */
    list(rel: string): fs.Dirent[] {
        try {
            return fs
                .readdirSync(this.abs(rel), { withFileTypes: true })
                .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        } catch {
            return [];
        }
    }

    private abs(rel: string): string {
        return path.join(this.root, ...rel.split("/"));
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
