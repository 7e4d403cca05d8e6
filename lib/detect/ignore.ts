import ignore from "@balena/dockerignore";

/** A .dockerignore's patterns: its lines, trimmed, without blanks and comments. */
export function ignorePatterns(dockerignore: string): string[] {
    return dockerignore
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"));
}

/** A matcher with Docker's .dockerignore semantics (later patterns win, `!` re-includes). */
export function ignoreMatcher(dockerignore: string): (relPath: string) => boolean {
    const ig = ignore().add(ignorePatterns(dockerignore));
    return (relPath: string) => ig.ignores(relPath);
}
