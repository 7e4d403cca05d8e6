import * as fs from "fs";
import * as path from "path";
import { ignoreMatcher, ignorePatterns } from "../detect/ignore";

/**
 * Mirrors the app's folder, filtered by the merged .dockerignore, into a
 * folder of the Pulumi project's own; that mirror is the build context.
 *
 * Why a mirror instead of the source folder itself:
 * - the synthesized .dockerignore applies without writing into the user's
 *   folder (BuildKit reads ignore files only from the context or beside an
 *   on-disk Dockerfile, and the Dockerfile is passed inline so that
 *   `pulumi preview --diff` shows its text);
 * - file modes are normalized (0644, or 0755 if executable), so the
 *   provider's context hash, which covers modes, is the same in every
 *   checkout whatever the umask: no rebuild from a fresh clone.
 *
 * The mirror is updated in place: unchanged files are not rewritten, files
 * gone from the source are removed.
 */
export function stageBuildContext(sourceDir: string, dockerignore: string, destDir: string): number {
    const ignored = ignoreMatcher(dockerignore);
    // With a `!` pattern, an ignored folder may still hold files to keep.
    const mayReinclude = ignorePatterns(dockerignore).some((p) => p.startsWith("!"));
    const kept = new Set<string>();
    fs.mkdirSync(destDir, { recursive: true });

    const walk = (rel: string): void => {
        const from = path.join(sourceDir, rel);
        for (const e of fs.readdirSync(from, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
            const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
            const isIgnored = ignored(childRel);
            const src = path.join(sourceDir, childRel);
            const dst = path.join(destDir, childRel);
            if (e.isDirectory()) {
                if (isIgnored && !mayReinclude) {
                    continue;
                }
                ensureDir(dst);
                kept.add(childRel);
                walk(childRel);
            } else if (isIgnored) {
                continue;
            } else if (e.isSymbolicLink()) {
                syncLink(src, dst);
                kept.add(childRel);
            } else if (e.isFile()) {
                syncFile(src, dst);
                kept.add(childRel);
            }
        }
    };
    walk("");
    prune(destDir, "", kept);
    return kept.size;
}

function ensureDir(dst: string): void {
    const st = fs.lstatSync(dst, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) {
        fs.rmSync(dst, { recursive: true, force: true });
    }
    if (!st || !st.isDirectory()) {
        fs.mkdirSync(dst);
    }
    fs.chmodSync(dst, 0o755);
}

function syncFile(src: string, dst: string): void {
    const srcStat = fs.statSync(src);
    const mode = srcStat.mode & 0o111 ? 0o755 : 0o644;
    const dstStat = fs.lstatSync(dst, { throwIfNoEntry: false });
    const content = fs.readFileSync(src); // read once: compared, and written if it differs
    let same = false;
    if (dstStat?.isFile() && dstStat.size === srcStat.size) {
        same = content.equals(fs.readFileSync(dst));
    } else if (dstStat) {
        fs.rmSync(dst, { recursive: true, force: true });
    }
    if (!same) {
        fs.writeFileSync(dst, content);
    }
    if (((dstStat?.mode ?? 0) & 0o777) !== mode || !same) {
        fs.chmodSync(dst, mode);
    }
}

function syncLink(src: string, dst: string): void {
    const target = fs.readlinkSync(src);
    const dstStat = fs.lstatSync(dst, { throwIfNoEntry: false });
    if (dstStat?.isSymbolicLink() && fs.readlinkSync(dst) === target) {
        return;
    }
    if (dstStat) {
        fs.rmSync(dst, { recursive: true, force: true });
    }
    fs.symlinkSync(target, dst);
}

function prune(destDir: string, rel: string, kept: Set<string>): void {
    const dir = path.join(destDir, rel);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
        if (!kept.has(childRel)) {
            fs.rmSync(path.join(destDir, childRel), { recursive: true, force: true });
        } else if (e.isDirectory()) {
            prune(destDir, childRel, kept);
        }
    }
}
