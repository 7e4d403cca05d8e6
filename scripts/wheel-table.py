#!/usr/bin/env python3
"""Generate lib/data/wheels.ts: which CPython minors each compiled project ships Linux wheels for.

Usage:
    python3 scripts/wheel-table.py --index-url <index> > lib/data/wheels.ts
    python3 scripts/wheel-table.py --index-url <index> --truth \
        | node -r ts-node/register/transpile-only scripts/check-wheel-table.ts

<index> is the base URL of a PEP 691 "simple" package index (the one pip uses);
without --index-url the script takes it from the environment variable
PIP_INDEX_URL. The script names no host of its own.

For every project in PROJECTS it fetches the project page as JSON
(Accept: application/vnd.pypi.simple.v1+json), reads every file name, and for
each final release (PEP 440: no a/b/rc/dev) works out which CPython minors in
MINORS have a wheel usable on Linux glibc x86_64 or aarch64:

  * cp3XY-cp3XY (or cp3XY-cp3XYm, cp3XY-none) covers 3.XY;
  * cp3X-abi3 covers every minor >= 3.X;
  * py3-none / py2.py3-none / py3X-none covers every minor (>= 3.X): such a
    release is pure Python (or ships a Python-independent binary) and needs
    no compiler whatever the interpreter;
  * but a release that ships compiled (cpXY or abi3) wheels too covers only
    the minors those compiled wheels cover: its pure wheel is a fallback, and
    a cpXY wheel is when upstream declared support for 3.XY (SQLAlchemy
    2.0.0 to 2.0.35 ship py3-none-any beside cp37-cp312 wheels; 2.0.29 fails
    at import on 3.13, and cp313 wheels start at 2.0.36);
  * free-threaded tags (cp313t), PyPy, musllinux, Windows and macOS wheels and
    yanked files are ignored.

It then prints, per project and per minor, the first and last release (PEP 440
order) that covers that minor, and the gaps: the releases inside [first, last]
that lack a wheel for the minor (pure-Python releases aside, which are listed
as runs of their own). A project none of whose releases has a CPython-specific
(cpXY or abi3) Linux wheel is omitted: it is either pure Python or sdist-only
on Linux.

With --truth it prints instead, as JSON, the per-release answer the table
encodes: for every project in PROJECTS and every final release, the minors it
has a wheel for. scripts/check-wheel-table.ts reads that on stdin and checks
hasWheel() (lib/data/wheel-coverage.ts) against it for every project in the
table, release and minor; run it right after regenerating the table, so that
both see the same index.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

MINORS = (10, 11, 12, 13, 14)

# The most used projects on the index that ship compiled CPython extensions
# and turn up in web apps (databases, serialization, HTTP/async, crypto, data
# science, imaging, ML inference). Projects that turn out to be pure Python or
# sdist-only on Linux drop out by themselves (see the module docstring).
PROJECTS = (
    "aiohttp",
    "argon2-cffi-bindings",
    "asyncpg",
    "bcrypt",
    "bitarray",
    "blacksheep",
    "blis",
    "bottleneck",
    "brotli",
    "cffi",
    "charset-normalizer",
    "ciso8601",
    "confluent-kafka",
    "contourpy",
    "coverage",
    "cramjam",
    "cryptography",
    "cymem",
    "cytoolz",
    "duckdb",
    "faiss-cpu",
    "fastavro",
    "frozenlist",
    "gevent",
    "google-crc32c",
    "greenlet",
    "grpcio",
    "grpcio-tools",
    "h5py",
    "hiredis",
    "httptools",
    "ijson",
    "jiter",
    "kiwisolver",
    "levenshtein",
    "lightgbm",
    "llvmlite",
    "lxml",
    "lz4",
    "markupsafe",
    "matplotlib",
    "mmh3",
    "msgpack",
    "msgspec",
    "multidict",
    "murmurhash",
    "mysqlclient",
    "numba",
    "numexpr",
    "numpy",
    "onnxruntime",
    "opencv-python-headless",
    "orjson",
    "pandas",
    "pendulum",
    "pillow",
    "polars",
    "preshed",
    "propcache",
    "protobuf",
    "psutil",
    "psycopg-binary",
    "psycopg-c",
    "psycopg2",
    "psycopg2-binary",
    "pyarrow",
    "pycares",
    "pycryptodome",
    "pycryptodomex",
    "pycurl",
    "pydantic",
    "pydantic-core",
    "pylibmc",
    "pymongo",
    "pymssql",
    "pymupdf",
    "pynacl",
    "pyodbc",
    "pyproj",
    "python-ldap",
    "pyyaml",
    "pyzmq",
    "rapidfuzz",
    "regex",
    "rpds-py",
    "ruamel-yaml-clib",
    "safetensors",
    "scikit-learn",
    "scipy",
    "sentencepiece",
    "setproctitle",
    "shapely",
    "simplejson",
    "sqlalchemy",
    "srsly",
    "statsmodels",
    "tiktoken",
    "tokenizers",
    "torch",
    "tornado",
    "ujson",
    "uvloop",
    "watchfiles",
    "websockets",
    "wrapt",
    "xmlsec",
    "xgboost",
    "xxhash",
    "yarl",
    "zope-interface",
    "zstandard",
)

ACCEPT = "application/vnd.pypi.simple.v1+json"

# ---------------------------------------------------------------------------
# PEP 440 (the subset needed: parse, canonical form, ordering, pre-release).

_VERSION_RE = re.compile(
    r"""^\s*v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)


class Version:
    """A parsed PEP 440 version: canonical string, sort key, pre-release flag."""

    __slots__ = ("canonical", "key", "is_prerelease")

    def __init__(self, text: str) -> None:
        m = _VERSION_RE.match(text)
        if not m:
            raise ValueError(f"not a PEP 440 version: {text!r}")
        epoch = int(m.group("epoch") or 0)
        release = tuple(int(p) for p in m.group("release").split("."))
        pre = None
        if m.group("pre"):
            label = m.group("pre_l").lower()
            label = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}.get(label, label)
            pre = (label, int(m.group("pre_n") or 0))
        post = None
        if m.group("post"):
            post = int(m.group("post_n1") or m.group("post_n2") or 0)
        dev = int(m.group("dev_n") or 0) if m.group("dev") else None
        local = m.group("local")

        parts = []
        if epoch:
            parts.append(f"{epoch}!")
        parts.append(".".join(str(r) for r in release))
        if pre:
            parts.append(f"{pre[0]}{pre[1]}")
        if post is not None:
            parts.append(f".post{post}")
        if dev is not None:
            parts.append(f".dev{dev}")
        if local:
            parts.append("+" + ".".join(re.split(r"[-_.]", local.lower())))
        self.canonical = "".join(parts)
        self.is_prerelease = pre is not None or dev is not None

        # Sort key as in the reference implementation: trailing zeros of the
        # release do not count; dev < pre < final < post.
        trimmed = list(release)
        while len(trimmed) > 1 and trimmed[-1] == 0:
            trimmed.pop()
        inf, ninf = (1, 0), (-1, 0)
        if pre is None and post is None and dev is not None:
            pre_key = ninf
        elif pre is None:
            pre_key = inf
        else:
            pre_key = (0, ({"a": 0, "b": 1, "rc": 2}[pre[0]], pre[1]))
        post_key = ninf if post is None else (0, post)
        dev_key = inf if dev is None else (0, dev)
        local_key = ()
        if local:
            local_key = tuple(
                (1, int(s), "") if s.isdigit() else (0, 0, s) for s in re.split(r"[-_.]", local.lower())
            )
        self.key = (epoch, tuple(trimmed), pre_key, post_key, dev_key, local_key)


def normalize(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------
# File names.

_LINUX_PLATFORM = re.compile(r"^(manylinux1|manylinux2010|manylinux2014|manylinux_\d+_\d+|linux)_(x86_64|aarch64)$")
_CP_TAG = re.compile(r"^cp3(\d+)$")
_PY_TAG = re.compile(r"^py3(\d*)$")
_CP_ABI = re.compile(r"^cp3(\d+)(m|dm|d|u)?$")


def wheel_coverage(filename: str):
    """For a wheel file name: (version string, set of minors covered, kind) or None.

    kind is "compiled" when a cpXY/abi3 tag covers a minor, "pure" when only a
    py3/none tag does; a compiled wheel covers only the minors of its cpXY/abi3
    tags. None: not a wheel, or nothing usable on Linux glibc x86_64/aarch64
    for CPython 3.
    """
    if not filename.endswith(".whl"):
        return None
    parts = filename[:-4].split("-")
    if len(parts) not in (5, 6):
        return None
    version = parts[1]
    pytags, abitags, plattags = (p.split(".") for p in parts[-3:])
    linux = any(_LINUX_PLATFORM.match(p) for p in plattags)
    anyplat = "any" in plattags
    if not (linux or anyplat):
        return None
    covered: set[int] = set()
    pure: set[int] = set()
    kind = None
    for py in pytags:
        for abi in abitags:
            m_cp = _CP_TAG.match(py)
            m_py = _PY_TAG.match(py)
            if m_cp and abi == "abi3" and linux:
                lowest = int(m_cp.group(1))
                covered.update(x for x in MINORS if x >= lowest)
                kind = "compiled"
            elif m_cp and linux and (_CP_ABI.match(abi) or abi == "none"):
                m_abi = _CP_ABI.match(abi)
                if m_abi and m_abi.group(1) != m_cp.group(1):
                    continue
                # cp313t (free-threaded) does not match _CP_ABI: skipped.
                minor = int(m_cp.group(1))
                if minor in MINORS:
                    covered.add(minor)
                kind = "compiled"
            elif m_py and abi == "none":
                lowest = int(m_py.group(1)) if m_py.group(1) else 0
                pure.update(x for x in MINORS if x >= lowest)
                kind = kind or "pure"
    if kind is None:
        return None
    return version, (covered if kind == "compiled" else pure), kind


def file_version(filename: str, project: str):
    """The version in a wheel or sdist file name, or None."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return parts[1] if len(parts) in (5, 6) else None
    for ext in (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz"):
        if filename.endswith(ext):
            stem = filename[: -len(ext)]
            break
    else:
        return None
    # Legacy sdists may spell the name with -, _ or . and any case.
    idx = 0
    while True:
        idx = stem.find("-", idx + 1)
        if idx < 0:
            return None
        if normalize(stem[:idx]) == project:
            return stem[idx + 1 :]


# ---------------------------------------------------------------------------
# Index access.


def fetch_project(index_url: str, project: str):
    url = urllib.parse.urljoin(index_url.rstrip("/") + "/", project + "/")
    request = urllib.request.Request(url, headers={"Accept": ACCEPT, "User-Agent": "wheel-table.py"})
    last_error = None
    for attempt in range(4):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                ctype = response.headers.get("Content-Type", "")
                if "json" not in ctype:
                    raise SystemExit(f"{url}: the index answered {ctype!r}, not PEP 691 JSON")
                return json.load(response)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            last_error = e
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            last_error = e
        time.sleep(2**attempt)
    raise SystemExit(f"{url}: {last_error}")


# ---------------------------------------------------------------------------
# Summary.


def release_files(project: str, page):
    """Every final release of a project with its Linux wheel coverage, in PEP 440 order.

    A list of (version, minors, kinds): version is the canonical version
    string; minors is the set of minors in MINORS that some non-yanked wheel of
    the release covers (see wheel_coverage), counting only its compiled wheels
    when it has any (a pure wheel beside them is a fallback, not a declaration
    of support for a minor); kinds is the set of wheel kinds
    seen ("compiled", "pure"), empty for a release without a usable wheel
    (sdist only, or wheels for other platforms only). Spellings that are equal
    under PEP 440 ("0.44" and "0.44.0") are one release, named by the shortest
    spelling.
    """
    spellings: dict[tuple, set[str]] = {}  # sort key -> canonical spellings
    coverage: dict[tuple, set[int]] = {}  # by compiled wheels
    pure_coverage: dict[tuple, set[int]] = {}  # by pure wheels
    kinds: dict[tuple, set[str]] = {}
    for f in page.get("files", []):
        if f.get("yanked"):
            continue
        name = f["filename"]
        raw = file_version(name, project)
        if raw is None:
            continue
        try:
            v = Version(raw)
        except ValueError:
            continue
        if v.is_prerelease:
            continue
        spellings.setdefault(v.key, set()).add(v.canonical)
        coverage.setdefault(v.key, set())
        pure_coverage.setdefault(v.key, set())
        kinds.setdefault(v.key, set())
        wc = wheel_coverage(name)
        if wc is None:
            continue
        _, covered, kind = wc
        (coverage if kind == "compiled" else pure_coverage)[v.key] |= covered
        kinds[v.key].add(kind)
    return [
        (
            min(spellings[key], key=lambda s: (len(s), s)),
            coverage[key] if "compiled" in kinds[key] else pure_coverage[key],
            kinds[key],
        )
        for key in sorted(spellings)
    ]


def summarise(project: str, page):
    """The table row for one project, or None when it is to be omitted."""
    rows = release_files(project, page)
    names = [n for n, _, _ in rows]
    coverage = {n: c for n, c, _ in rows}
    kinds = {n: k for n, _, k in rows}

    if not any("compiled" in k for k in kinds.values()):
        return None

    # A pure-only release ships py3-none wheels and no CPython-specific one:
    # it installs on every minor without a compiler. Runs of them are kept
    # apart (`pure`), so that early pure-Python releases (aiohttp 0.x) or a
    # move to pure Python (pydantic 2) do not stretch the compiled ranges.
    pure_only = {n: "pure" in kinds[n] and "compiled" not in kinds[n] for n in names}
    pure_runs = []  # [first, last, index of last]
    for i, n in enumerate(names):
        if pure_only[n]:
            if pure_runs and pure_runs[-1][2] == i - 1:
                pure_runs[-1][1] = n
                pure_runs[-1][2] = i
            else:
                pure_runs.append([n, n, i])
    # Per minor: [first, last] release (pure-only ones aside) with a wheel for
    # it, and the gaps, the releases inside that range that have none (and are
    # not pure-only: those are in `pure`).
    pythons = {}
    gaps = {}
    for minor in MINORS:
        having = [i for i, n in enumerate(names) if minor in coverage[n] and not pure_only[n]]
        if not having:
            continue
        first, last = having[0], having[-1]
        pythons[f"3.{minor}"] = (names[first], names[last])
        missing = [
            names[i] for i in range(first, last + 1) if minor not in coverage[names[i]] and not pure_only[names[i]]
        ]
        if missing:
            gaps[f"3.{minor}"] = missing
    return {
        "project": project,
        "latest": names[-1],
        "releases": len(names),
        "earliest": names[0],
        "pythons": pythons,
        "gaps": gaps,
        "pure": [(a, b) for a, b, _ in pure_runs],
        "pure_count": sum(1 for n in names if pure_only[n]),
    }


def ts_string(s: str) -> str:
    return json.dumps(s)


def wrap_list(head: str, items, tail: str, width: int = 120):
    """Lines for head + items joined by ", " + tail: one line when it fits in width
    characters, else head, the items filled into indented lines, and tail."""
    one = head + ", ".join(items) + tail
    if len(one) <= width:
        return [one]
    margin = " " * (len(head) - len(head.lstrip()))
    indent = margin + "    "
    lines = [head.rstrip()]
    line = ""
    for item in items:
        if line and len(indent) + len(line) + len(item) + 2 > width:
            lines.append(indent + line)
            line = ""
        line = f"{line} {item}," if line else f"{item},"
    lines.append(indent + line)
    lines.append(margin + tail.lstrip(" "))
    return lines


def render(rows, today: str) -> str:
    out = []
    w = out.append
    w("/**")
    w(" * Which CPython minors (3.10 to 3.14) each compiled project ships a Linux")
    w(" * wheel for (glibc, x86_64 or aarch64), by release: the data behind")
    w(" * wheel-coverage.ts, which picks a Python version for which no pinned")
    w(" * project has to be built from its sdist.")
    w(" *")
    w(" * GENERATED: do not edit. Regenerate with")
    w(" *     python3 scripts/wheel-table.py --index-url <index> > lib/data/wheels.ts")
    w(" * where <index> is the PEP 691 simple index pip uses.")
    w(f" * Generated on {today}.")
    w(" *")
    w(" * Rules (see scripts/wheel-table.py): final releases only (no a/b/rc/dev),")
    w(" * yanked files ignored; cp3XY-cp3XY covers 3.XY, cp3X-abi3 covers every")
    w(" * minor >= 3.X, a py3-none wheel covers every minor; releases with only")
    w(" * py3-none wheels (pure Python) are listed apart, in `pure`; in a release")
    w(" * that has compiled wheels too, only those count (a pure wheel beside them")
    w(" * is a fallback: SQLAlchemy 2.0.29's does not import on 3.13);")
    w(" * free-threaded (cp3XYt), musllinux, Windows and macOS wheels do not count.")
    w(" * Releases inside a minor's [first, last] that lack a wheel for it (gaps)")
    w(" * are listed in `gaps`. Projects with no CPython-specific Linux wheel in")
    w(" * any release are left out.")
    w(" */")
    w("export interface WheelCoverage {")
    w("    /** PEP 503-normalized project name. */")
    w("    readonly project: string;")
    w("    /** The newest final release on the index when the table was generated (with or without wheels). */")
    w("    readonly latest: string;")
    w("    /**")
    w("     * Runs [first, last] of consecutive releases whose only wheels are pure Python (py3-none):")
    w("     * those install on every minor without a compiler. Absent: no such release.")
    w("     */")
    w("    readonly pure?: readonly (readonly [string, string])[];")
    w("    /**")
    w("     * CPython minor (\"3.13\") -> [first, last] release, among the others, that ships a Linux")
    w("     * (glibc x86_64/aarch64) wheel for it. Absent: no such release does.")
    w("     */")
    w("    readonly pythons: Readonly<Record<string, readonly [string, string]>>;")
    w("    /**")
    w("     * CPython minor -> the releases inside its `pythons` range, in PEP 440 order, that ship no")
    w("     * such wheel for it (and are not pure Python). Absent, or a minor absent: no gap.")
    w("     */")
    w("    readonly gaps?: Readonly<Record<string, readonly string[]>>;")
    w("}")
    w("")
    w("/** The CPython minors the table knows about; for any other the answer is unknown. */")
    w("export const WHEEL_PYTHONS: readonly string[] = [" + ", ".join(ts_string(f"3.{m}") for m in MINORS) + "];")
    w("")
    w("export const WHEEL_COVERAGE: readonly WheelCoverage[] = [")
    for row in rows:
        w("    {")
        w(f"        // {row['releases']} final releases, {row['earliest']} to {row['latest']}.")
        if row["pure"]:
            w(f"        // {row['pure_count']} pure-Python release(s) (py3-none wheels only), in {len(row['pure'])} run(s).")
        w(f"        project: {ts_string(row['project'])},")
        w(f"        latest: {ts_string(row['latest'])},")
        if row["pure"]:
            runs = ", ".join(f"[{ts_string(a)}, {ts_string(b)}]" for a, b in row["pure"])
            w(f"        pure: [{runs}],")
        if row["pythons"]:
            w("        pythons: {")
            for minor, (first, last) in row["pythons"].items():
                w(f"            {ts_string(minor)}: [{ts_string(first)}, {ts_string(last)}],")
            w("        },")
        else:
            w("        pythons: {},")
        if row["gaps"]:
            w("        gaps: {")
            for minor, missing in row["gaps"].items():
                for line in wrap_list(f"            {ts_string(minor)}: [", [ts_string(m) for m in missing], "],"):
                    w(line)
            w("        },")
        w("    },")
    w("];")
    return "\n".join(out) + "\n"


def print_truth(index_url: str, projects) -> None:
    """The --truth output: {"minors": [...], "projects": {project: [[version, [minor, ...]], ...]}}.

    Releases in PEP 440 order, minors as "3.XY"; projects not on the index are
    left out. Lists rather than objects, so that order survives JSON.parse.
    """
    out = {"minors": [f"3.{m}" for m in MINORS], "projects": {}}
    for project in projects:
        page = fetch_project(index_url, project)
        if page is None:
            print(f"{project}: not on the index, skipped", file=sys.stderr)
            continue
        out["projects"][project] = [
            [version, [f"3.{m}" for m in sorted(minors)]] for version, minors, _ in release_files(project, page)
        ]
        print(f"{project}: {len(out['projects'][project])} releases", file=sys.stderr)
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-url", default=os.environ.get("PIP_INDEX_URL"), help="PEP 691 simple index base URL (default: $PIP_INDEX_URL)")
    parser.add_argument(
        "--truth",
        action="store_true",
        help="print, as JSON, the minors every final release has a wheel for (for scripts/check-wheel-table.ts)",
    )
    args = parser.parse_args()
    if not args.index_url:
        parser.error("give --index-url or set PIP_INDEX_URL")

    projects = sorted({normalize(p) for p in PROJECTS})
    if args.truth:
        print_truth(args.index_url, projects)
        return
    rows = []
    for project in projects:
        page = fetch_project(args.index_url, project)
        if page is None:
            print(f"{project}: not on the index, skipped", file=sys.stderr)
            continue
        row = summarise(project, page)
        if row is None:
            print(f"{project}: no CPython-specific Linux wheel in any release, omitted", file=sys.stderr)
            continue
        rows.append(row)
        print(f"{project}: {row['releases']} releases, {len(row['pythons'])} minors", file=sys.stderr)
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    sys.stdout.write(render(rows, today))
    print(f"{len(rows)} projects written", file=sys.stderr)


if __name__ == "__main__":
    main()
