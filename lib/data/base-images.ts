import type { DistroRelease } from "./native-libraries";
import type { PythonVersion } from "./pythons";

/**
 * Which base image carries which Python: the one table of it, as data.
 *
 * Distro Python comes first, following the seed article's finding (its
 * pyperformance run saw distro-built Python on Ubuntu LTS more than 20% faster
 * than the python:* images of the time, which it traced to how the
 * interpreter is compiled: distros build with PGO+LTO and link libpython
 * shared against system libraries). Re-measured for 2026 by the bench's
 * `interpreter` section (bench/RESULTS.md): trixie's apt python3 3.13.5 ran
 * 20 pyperformance benchmarks faster than CPython 3.13.5 built with the
 * official python:3.13-slim recipe by a geometric mean of 1.310x (the full
 * run of 2026-12-01, evening; earlier full runs 1.265x, 1.342x and 1.336x). The
 * python:X.Y-slim image is the fallback where no Debian or Ubuntu release
 * ships that version as its python3.
 */

/** How Python gets into an image built on this base. */
export type BaseFlavor =
    /** Debian or Ubuntu: python3 and its -dev/-venv packages come from apt. */
    | "apt"
    /** An official python:X.Y image: Python is built in under /usr/local. */
    | "python";

export interface BaseImageRow {
    /** "3.12" */
    readonly python: PythonVersion;
    readonly image: string;
    readonly flavor: BaseFlavor;
    /** The Debian or Ubuntu release underneath, which names the apt packages (see native-libraries.ts). */
    readonly release: DistroRelease;
    /** Why this image for this version. */
    readonly reason: string;
}

export const BASE_IMAGES: readonly BaseImageRow[] = [
    {
        python: "3.10",
        image: "ubuntu:22.04",
        flavor: "apt",
        release: "jammy",
        reason: "Ubuntu 22.04 LTS ships Python 3.10 as python3; distro Python, supported until 2027.",
    },
    {
        python: "3.11",
        image: "debian:bookworm",
        flavor: "apt",
        release: "bookworm",
        reason: "Debian 12 ships Python 3.11 as python3; distro Python with Debian's security updates.",
    },
    {
        python: "3.12",
        image: "ubuntu:24.04",
        flavor: "apt",
        release: "noble",
        reason: "Ubuntu 24.04 LTS ships Python 3.12 as python3; the seed article's pick (an Ubuntu LTS with apt's python).",
    },
    {
        python: "3.13",
        image: "debian:trixie",
        flavor: "apt",
        release: "trixie",
        reason: "Debian 13 ships Python 3.13 as python3; distro Python on the current Debian stable.",
    },
    {
        python: "3.14",
        image: "python:3.14-slim",
        flavor: "python",
        release: "trixie",
        reason: "No Debian or Ubuntu LTS release ships 3.14 as python3 yet; the official slim image is the fallback.",
    },
];

export function baseImageFor(python: string): BaseImageRow | undefined {
    return BASE_IMAGES.find((r) => r.python === python);
}

/**
 * The flavor of a user-given base image: an image whose repository's last
 * path component is `python` is an official Python image; anything else is
 * taken to be Debian or Ubuntu, with Python from apt.
 */
export function flavorOf(image: string): BaseFlavor {
    const withoutDigest = image.split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const repoAndTag = withoutDigest.slice(lastSlash + 1);
    const repo = repoAndTag.split(":")[0];
    return repo === "python" ? "python" : "apt";
}

/**
 * The Python version a known distro image ships, by its repository's last
 * path component and tag (so `127.0.0.1:5000/mirror/debian:bookworm` counts
 * as debian:bookworm). Undefined for images this table does not know.
 */
export function pythonOfKnownImage(image: string): string | undefined {
    const withoutDigest = image.split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const short = withoutDigest.slice(lastSlash + 1);
    const row = BASE_IMAGES.find((r) => r.image === short);
    if (row) {
        return row.python;
    }
    const m = /^python:(3\.\d+)(?:[.-]|$)/.exec(short);
    return m ? m[1] : undefined;
}

/** Release names and versions as image tags spell them. */
const RELEASE_TAGS: ReadonlyArray<readonly [DistroRelease, readonly string[]]> = [
    ["bookworm", ["bookworm", "12"]],
    ["trixie", ["trixie", "13"]],
    ["jammy", ["jammy", "22.04"]],
    ["noble", ["noble", "24.04"]],
];

/**
 * The Debian or Ubuntu release under an image, from its tag: `debian:12`,
 * `ubuntu:noble`, `python:3.12-slim-bookworm`. An official Python image with
 * no release in its tag is on the current Debian stable (trixie). Undefined
 * when the tag does not say.
 */
export function releaseOfImage(image: string): DistroRelease | undefined {
    const withoutDigest = image.split("@")[0];
    const short = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    const [repo, tag = "latest"] = short.split(":");
    const words = tag.split("-");
    for (const [release, spellings] of RELEASE_TAGS) {
        if (spellings.some((s) => words.includes(s) || words.some((w) => w.startsWith(`${s}.`)))) {
            return release;
        }
    }
    return repo === "python" ? "trixie" : undefined;
}

/**
 * The Node.js each release's apt `nodejs` package is, which the builder runs a front-end build with:
 * Debian 13's 20.19.2+dfsg-1+deb13u3 (`apt-cache policy nodejs` in the trixie base), Debian 12's 18.20.4
 * (what its nodejs reports in a build); Ubuntu 22.04's 12.22.9 and 24.04's 18.19.1 as their archives
 * list them (not checked on this project's machines, which reach Debian's archive only).
 */
export const DISTRO_NODEJS: Readonly<Record<DistroRelease, string>> = {
    jammy: "12.22.9",
    bookworm: "18.20.4",
    noble: "18.19.1",
    trixie: "20.19.2",
};

/** The releases by their version names, for notes. */
export const RELEASE_NAMES: Readonly<Record<DistroRelease, string>> = {
    jammy: "Ubuntu 22.04",
    bookworm: "Debian 12",
    noble: "Ubuntu 24.04",
    trixie: "Debian 13",
};
