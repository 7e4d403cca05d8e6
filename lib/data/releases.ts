import { maxSatisfying, satisfies, validRange } from "@renovatebot/pep440";
import { parse as parseSpecifier } from "@renovatebot/pep440/lib/specifier";

/**
 * Which release of a project the app installs, from its pin or specifier
 * (PEP 440): what the data tables keyed by release (frameworks.ts,
 * python-support.ts) are read with.
 */

/**
 * The version of a project the app installs, as far as its manifests say:
 * the pinned or locked one, else the newest its specifier allows among the
 * versions the specifier names and `edges` (the versions a rule turns on;
 * pip installs the newest), else undefined (unpinned: the newest release).
 */
export function installedVersion(pin: string | undefined, specifier: string | undefined, edges: readonly string[] = []): string | undefined {
    if (pin !== undefined) {
        return pin;
    }
    if (specifier === undefined || specifier === "" || !validRange(specifier)) {
        return undefined;
    }
    const named = parseSpecifier(specifier).map((c) => c.version);
    return maxSatisfying([...named, ...edges, "99999"], specifier) ?? undefined;
}

/** Whether the release of a project the app installs falls in a PEP 440 range; false when unpinned (the newest release). */
export function installsReleaseIn(pin: string | undefined, specifier: string | undefined, range: string): boolean {
    const version = installedVersion(pin, specifier, parseSpecifier(range).map((c) => c.version));
    return version !== undefined && satisfies(version, range);
}
