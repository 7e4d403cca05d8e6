import { satisfies } from "@renovatebot/pep440";
import { parse as parseSpecifier } from "@renovatebot/pep440/lib/specifier";
import { installedVersion } from "./releases";

/**
 * The newest Python that releases of common web-stack projects support, as
 * each project's own release notes or docs say. Pure-Python packages have no
 * wheel tags to tell (wheel-coverage.ts), yet an old release can fail on a
 * newer Python that removed something it uses (Django 3.2 and Bottle 0.12
 * import `cgi`, gone in 3.13, PEP 594). Data on the ground floor: planning
 * caps the Python it chooses by the release the app installs.
 *
 * A row is a PEP 440 range of releases and the newest Python series they
 * support. Releases no row holds (the newest ones, or a project not listed)
 * put no cap. A row with no upper bound holds every release to date, the
 * newest included: it caps an unpinned project too, and must be bounded when
 * a release fixes it. Conservative: only what the project itself declares or
 * its own code shows.
 */
export interface PythonSupportRow {
    /** PEP 503 name. */
    readonly project: string;
    /** How the project writes its name, for the plan's notes. */
    readonly display: string;
    /** PEP 440 range of releases. */
    readonly releases: string;
    /** The newest Python series those releases support ("3.10"). */
    readonly newestPython: string;
    /** Where the project says so, named in the plan's notes. */
    readonly source: string;
    /** A project (PEP 503 name) that restores what those releases miss on newer Pythons: when the app installs it, no cap. */
    readonly restoredBy?: string;
    /** Those releases import, when the package is imported, a name the newer Pythons removed: on them the app fails at start, not only may. */
    readonly failsAtImport?: boolean;
}

const DJANGO_FAQ = "Django's FAQ, “What Python version can I use with Django?”";
const PSYCOPG2_NEWS = "psycopg2's NEWS, which names the release that added each Python";

export const PYTHON_SUPPORT: readonly PythonSupportRow[] = [
    // Django's FAQ (Installation: "What Python version can I use with Django?")
    // lists every series' Pythons, with the patch release that added the newest;
    // the release notes of those patch releases (2.2.17, 3.0.11, 3.1.3, 3.2.9,
    // 4.1.3, 4.2.8, 5.1.3, 5.2.8) say "compatibility with Python 3.x".
    // Before 2.2: 1.11 supports up to 3.7 (1.11.17), 2.0 and 2.1 up to 3.7; older less.
    { project: "django", display: "Django", releases: "<2.2", newestPython: "3.7", source: DJANGO_FAQ },
    // 2.2: 3.5-3.9 (3.8 from 2.2.8, 3.9 from 2.2.17).
    { project: "django", display: "Django", releases: ">=2.2,<3.0", newestPython: "3.9", source: DJANGO_FAQ },
    // 3.0: 3.6-3.9 (3.9 from 3.0.11); 3.1: 3.6-3.9 (3.9 from 3.1.3).
    { project: "django", display: "Django", releases: ">=3.0,<3.2", newestPython: "3.9", source: DJANGO_FAQ },
    // 3.2: 3.6-3.10, 3.10 from 3.2.9 (Django 3.2.9 release notes).
    { project: "django", display: "Django", releases: ">=3.2,<3.2.9", newestPython: "3.9", source: DJANGO_FAQ },
    { project: "django", display: "Django", releases: ">=3.2.9,<4.0", newestPython: "3.10", source: DJANGO_FAQ },
    // 4.0: 3.8-3.10.
    { project: "django", display: "Django", releases: ">=4.0,<4.1", newestPython: "3.10", source: DJANGO_FAQ },
    // 4.1: 3.8-3.11, 3.11 from 4.1.3 (Django 4.1.3 release notes).
    { project: "django", display: "Django", releases: ">=4.1,<4.1.3", newestPython: "3.10", source: DJANGO_FAQ },
    { project: "django", display: "Django", releases: ">=4.1.3,<4.2", newestPython: "3.11", source: DJANGO_FAQ },
    // 4.2: 3.8-3.12, 3.12 from 4.2.8 (Django 4.2.8 release notes).
    { project: "django", display: "Django", releases: ">=4.2,<4.2.8", newestPython: "3.11", source: DJANGO_FAQ },
    { project: "django", display: "Django", releases: ">=4.2.8,<5.0", newestPython: "3.12", source: DJANGO_FAQ },
    // 5.0: 3.10-3.12.
    { project: "django", display: "Django", releases: ">=5.0,<5.1", newestPython: "3.12", source: DJANGO_FAQ },
    // 5.1: 3.10-3.13, 3.13 from 5.1.3 (Django 5.1.3 release notes).
    { project: "django", display: "Django", releases: ">=5.1,<5.1.3", newestPython: "3.12", source: DJANGO_FAQ },
    { project: "django", display: "Django", releases: ">=5.1.3,<5.2", newestPython: "3.13", source: DJANGO_FAQ },
    // 5.2: 3.10-3.14, 3.14 from 5.2.8 (Django 5.2.8 release notes); 5.2.8 and
    // later, and 6.0 (3.12-3.14), support every Python this package builds.
    { project: "django", display: "Django", releases: ">=5.2,<5.2.8", newestPython: "3.13", source: DJANGO_FAQ },
    // psycopg2 ships only an sdist for Linux, and each release compiles against
    // the CPython C API of its time: psycopg2's NEWS adds Python 3.10 in 2.9.2,
    // 3.11 in 2.9.5, 3.12 in 2.9.9, 3.13 in 2.9.10 (2.9.9 fails to build on 3.13:
    // _PyInterpreterState_Get was renamed).
    { project: "psycopg2", display: "psycopg2", releases: "<2.9.2", newestPython: "3.9", source: PSYCOPG2_NEWS },
    { project: "psycopg2", display: "psycopg2", releases: ">=2.9.2,<2.9.5", newestPython: "3.10", source: PSYCOPG2_NEWS },
    { project: "psycopg2", display: "psycopg2", releases: ">=2.9.5,<2.9.9", newestPython: "3.11", source: PSYCOPG2_NEWS },
    { project: "psycopg2", display: "psycopg2", releases: ">=2.9.9,<2.9.10", newestPython: "3.12", source: PSYCOPG2_NEWS },
    // psycopg2-binary is the same releases built as wheels: none for a newer Python, whose source build is psycopg2's, which fails there.
    { project: "psycopg2-binary", display: "psycopg2-binary", releases: "<2.9.2", newestPython: "3.9", source: PSYCOPG2_NEWS },
    { project: "psycopg2-binary", display: "psycopg2-binary", releases: ">=2.9.2,<2.9.5", newestPython: "3.10", source: PSYCOPG2_NEWS },
    { project: "psycopg2-binary", display: "psycopg2-binary", releases: ">=2.9.5,<2.9.9", newestPython: "3.11", source: PSYCOPG2_NEWS },
    { project: "psycopg2-binary", display: "psycopg2-binary", releases: ">=2.9.9,<2.9.10", newestPython: "3.12", source: PSYCOPG2_NEWS },
    // Bottle 0.12.x's bottle.py imports `cgi` (removed in Python 3.13, PEP 594);
    // 0.13 no longer does (Bottle's changelog, "Release 0.13").
    {
        project: "bottle",
        display: "Bottle",
        releases: "<0.13",
        newestPython: "3.12",
        source: "Bottle 0.12 imports cgi, which Python 3.13 removed; Bottle's changelog, Release 0.13",
        restoredBy: "legacy-cgi",
    },
    // web.py 0.62's web/webapi.py imports cgi (removed in Python 3.13, PEP 594), and its setup.py imports the package
    // (`from web import __version__`), so it does not even install there; 0.76, the next release, parses forms with multipart.
    {
        project: "web-py",
        display: "web.py",
        releases: "<0.76",
        newestPython: "3.12",
        // No restoredBy: pip builds it in an isolated environment, where the app's legacy-cgi is not installed.
        source: "web.py 0.62 imports cgi, which Python 3.13 removed, in the setup.py run that installs it; web.py 0.76 uses multipart instead",
    },
    // WebOb (Pyramid's request objects) imports cgi; 1.8.9 adds legacy-cgi to its requirements on 3.13 (WebOb's changelog, 1.8.9).
    {
        project: "webob",
        display: "WebOb",
        releases: "<1.8.9",
        newestPython: "3.12",
        source: "WebOb imports cgi, which Python 3.13 removed; WebOb's changelog, 1.8.9, adds legacy-cgi for 3.13",
        restoredBy: "legacy-cgi",
    },
    // Python 3.10 removed the abstract base classes' aliases in `collections` (`from collections import Mapping`;
    // collections.abc since 3.3). Old pins of the Flask stack import them at the top of a module the package
    // imports, checked in each release's files: Werkzeug 0.12.2 to 0.14.1's datastructures.py (0.15.0 imports
    // collections.abc), Jinja2 2.8.1 to 2.10.1's sandbox.py and tests.py (2.10.2 goes through _compat's abc),
    // MarkupSafe 0.23 and 1.0's __init__.py (1.1.0 only on Python 2), Flask 1.0 to 1.0.2's sessions.py (1.0.3
    // fixed; 0.12.x does not import it). A 2017 freeze (the Flask Mega-Tutorial's, Flasky's) pins several.
    {
        project: "werkzeug",
        display: "Werkzeug",
        releases: ">=0.12,<0.15",
        newestPython: "3.9",
        source: "Werkzeug 0.12 to 0.14 import Container, Iterable and MutableSet from collections, which Python 3.10 removed; 0.15.0 imports them from collections.abc",
        failsAtImport: true,
    },
    {
        project: "jinja2",
        display: "Jinja2",
        releases: ">=2.8,<2.10.2",
        newestPython: "3.9",
        source: "Jinja2 2.8 to 2.10.1 import Mapping from collections, which Python 3.10 removed; 2.10.2 imports it from collections.abc",
        failsAtImport: true,
    },
    {
        project: "markupsafe",
        display: "MarkupSafe",
        releases: ">=0.23,<1.1",
        newestPython: "3.9",
        source: "MarkupSafe 0.23 and 1.0 import Mapping from collections, which Python 3.10 removed; 1.1.0 imports it from collections.abc",
        failsAtImport: true,
    },
    {
        project: "flask",
        display: "Flask",
        releases: ">=1.0,<1.0.3",
        newestPython: "3.9",
        source: "Flask 1.0 to 1.0.2 import MutableMapping from collections, which Python 3.10 removed; 1.0.3 imports it from collections.abc",
        failsAtImport: true,
    },
    // pydub's utils.py imports audioop (removed in Python 3.13, PEP 594), and its
    // fallback, `import pyaudioop`, names a module that is pydub's own submodule,
    // so it fails too (pydub issues 815 and 863, on 0.25.1, the newest release):
    // every release to date.
    {
        project: "pydub",
        display: "pydub",
        releases: ">=0",
        newestPython: "3.12",
        source: "pydub imports audioop, which Python 3.13 removed, and its fallback import fails (pydub issues 815, 863); the audioop-lts package restores the module",
        restoredBy: "audioop-lts",
    },
];

/** What an unpinned project installs: its newest release, above every row's lower bound. */
const NEWEST_RELEASE = "99999";

export interface PythonCap {
    readonly project: string;
    /** How the app asks for it: "django 3.2.25" (pinned or locked) or "django~=3.2.10". */
    readonly asked: string;
    readonly row: PythonSupportRow;
}

/** The row for the release of `project` the app installs (its pin, else the newest its specifier allows, else its newest); undefined when no row holds it. */
export function pythonCapOf(project: string, pin: string | undefined, specifier: string | undefined): PythonCap | undefined {
    const rows = PYTHON_SUPPORT.filter((r) => r.project === project);
    if (rows.length === 0) {
        return undefined;
    }
    // The rows' edges, and "0" for a specifier with only an upper bound below them all ("<0.13": an 0.12.x).
    const unpinned = pin === undefined && (specifier === undefined || specifier === "");
    const version = unpinned ? NEWEST_RELEASE : installedVersion(pin, specifier, ["0", ...rows.flatMap((r) => parseSpecifier(r.releases).map((c) => c.version))]);
    if (version === undefined) {
        return undefined;
    }
    const row = rows.find((r) => satisfies(version, r.releases));
    if (!row) {
        return undefined;
    }
    return { project, asked: pin !== undefined ? `${project} ${pin}` : unpinned ? `${project} (unpinned: its newest release)` : `${project}${specifier}`, row };
}

/** How a cap reads in the plan: "django 3.2.25 supports Python up to 3.10 (Django's FAQ …)". */
export function describeCap(cap: PythonCap): string {
    const who = cap.asked.includes(" ") ? cap.asked : `${cap.asked} installs a ${cap.row.display} release in ${cap.row.releases}, which`;
    return `${who} supports Python up to ${cap.row.newestPython} (${cap.row.source})`;
}

/** Whether Python series `a` is newer than `b` ("3.10" > "3.9"). */
export function newerPython(a: string, b: string): boolean {
    const [am, an] = a.split(".").map(Number);
    const [bm, bn] = b.split(".").map(Number);
    return am !== bm ? am > bm : an > bn;
}

/**
 * Projects whose releases import pkg_resources when the app runs and take setuptools unpinned, so an install
 * today gets setuptools 82 or later, which removed it (setuptools' changelog, v82.0.0): the app needs
 * setuptools below 82. `releases`: the PEP 440 range that does (an unpinned project installs its newest
 * release); without one, every release to date, and the row must be bounded when a release stops importing it.
 */
export const IMPORTS_PKG_RESOURCES: ReadonlyArray<{ readonly project: string; readonly source: string; readonly releases?: string }> = [
    { project: "pyramid", source: "Pyramid imports pkg_resources at run time (Pylons/pyramid issue 3731)" },
    { project: "razorpay", source: "razorpay imports pkg_resources at run time (razorpay-python pull request 307)" },
    { project: "fs", source: "fs (PyFilesystem2) declares its namespace with pkg_resources (pyfilesystem2 issue 577)" },
    { project: "flask-resize", source: "Flask-Resize's metadata module imports pkg_resources (Flask-Resize issue 27)" },
    { project: "flask-seeder", source: "Flask-Seeder's generator module imports pkg_resources (flask-seeder issue 20)" },
    { project: "pyfiglet", releases: "<1.0.0", source: "pyfiglet before 1.0.0 imports pkg_resources (pyfiglet issues 113 and 155; 1.0.0 moved to importlib.resources)" },
];
