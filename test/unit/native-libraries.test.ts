import { satisfies } from "@renovatebot/pep440";
import * as assert from "node:assert/strict";
import { DISTRO_RELEASES, NATIVE_LIBRARIES, NATIVE_LIBRARIES_FROM_SDIST, NativeLibraryRow } from "../../lib/data/native-libraries";

/** The shape of the native-library tables: data checks, no network. */

/** Debian Policy 5.6.1: lower case letters, digits, + - and ., at least two characters, starting alphanumeric. */
const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** A PEP 503-normalized project name, optionally with one extra: "psycopg", "psycopg[c]". */
const PROJECT = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\[[a-z0-9]+(?:-[a-z0-9]+)*\])?$/;

const TABLES: [string, readonly NativeLibraryRow[]][] = [
    ["NATIVE_LIBRARIES", NATIVE_LIBRARIES],
    ["NATIVE_LIBRARIES_FROM_SDIST", NATIVE_LIBRARIES_FROM_SDIST],
];

describe("native libraries", () => {
    for (const [name, table] of TABLES) {
        describe(name, () => {
            it("GIVEN the table THEN it is not empty, sorted by project, without duplicates (a project's rows are for disjoint releases), with normalized names", () => {
                assert.ok(table.length > 0);
                const projects = table.map((r) => r.project);
                assert.deepEqual([...projects].sort(), projects);
                for (const p of new Set(projects)) {
                    const rows = table.filter((r) => r.project === p);
                    if (rows.length > 1) {
                        // Every release of the project falls in one row's range only.
                        for (const v of ["0.1", "52.5", "53", "62.3", "99999"]) {
                            assert.equal(rows.filter((r) => r.releases !== undefined && satisfies(v, r.releases)).length, 1, `${p} ${v}`);
                        }
                    }
                }
                for (const p of projects) assert.match(p, PROJECT);
            });

            it("GIVEN every row THEN it has runtime lists for exactly the four releases", () => {
                for (const row of table) {
                    assert.deepEqual(Object.keys(row.runtime).sort(), [...DISTRO_RELEASES].sort(), row.project);
                }
            });

            it("GIVEN every package name THEN it follows Debian's package-name grammar and is listed once per list", () => {
                for (const row of table) {
                    const lists = [row.build, ...DISTRO_RELEASES.map((r) => row.runtime[r])];
                    for (const list of lists) {
                        assert.equal(new Set(list).size, list.length, `${row.project}: ${list.join(" ")}`);
                        for (const pkg of list) assert.match(pkg, DEBIAN_PACKAGE_NAME, `${row.project}: ${pkg}`);
                    }
                }
            });

            it("GIVEN every row THEN no build package appears in a runtime list", () => {
                for (const row of table) {
                    for (const release of DISTRO_RELEASES) {
                        for (const pkg of row.runtime[release]) {
                            assert.ok(!row.build.includes(pkg), `${row.project} ${release}: ${pkg} is in build too`);
                            assert.ok(!pkg.endsWith("-dev"), `${row.project} ${release}: ${pkg} is a -dev package at run time`);
                        }
                    }
                }
            });

            it("GIVEN every row THEN it says why, and something is needed on every release", () => {
                for (const row of table) {
                    assert.ok(row.reason.length > 20 && row.reason.endsWith("."), row.project);
                    for (const release of DISTRO_RELEASES) {
                        assert.ok(row.runtime[release].length > 0 || row.build.length > 0, `${row.project} ${release}`);
                    }
                }
            });
        });
    }

    describe("facts checked against the package lists", () => {
        const row = (project: string) => NATIVE_LIBRARIES.find((r) => r.project === project)!;

        it("GIVEN WeasyPrint 52.5 and 62.3 THEN the PangoCairo/cairo row before 53, the PangoFT2/HarfBuzz-subset row from 53", () => {
            const forVersion = (v: string) => NATIVE_LIBRARIES.filter((r) => r.project === "weasyprint" && satisfies(v, r.releases!)).map((r) => r.runtime.bookworm);
            assert.deepEqual(forVersion("52.5"), [["libpango-1.0-0", "libpangocairo-1.0-0", "libcairo2", "libgdk-pixbuf-2.0-0"]]);
            assert.deepEqual(forVersion("62.3"), [["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]]);
        });
        it("GIVEN psycopg2 THEN libpq-dev to build and libpq5 to run, everywhere", () => {
            assert.deepEqual(row("psycopg2").build, ["libpq-dev"]);
            for (const r of DISTRO_RELEASES) assert.deepEqual(row("psycopg2").runtime[r], ["libpq5"]);
        });

        it("GIVEN pydub, openai-whisper or ffmpeg-python (they run the ffmpeg program) THEN ffmpeg at run time, everywhere, nothing to build", () => {
            for (const p of ["pydub", "openai-whisper", "ffmpeg-python"]) {
                assert.deepEqual(row(p).build, [], p);
                for (const r of DISTRO_RELEASES) assert.deepEqual(row(p).runtime[r], ["ffmpeg"], `${p} on ${r}`);
            }
        });

        it("GIVEN python-ldap THEN libldap-2.5-0 on bookworm and jammy, libldap2 on trixie and noble", () => {
            const rt = row("python-ldap").runtime;
            assert.deepEqual([rt.bookworm, rt.jammy, rt.trixie, rt.noble], [["libldap-2.5-0"], ["libldap-2.5-0"], ["libldap2"], ["libldap2"]]);
        });

        it("GIVEN a library renamed by the 64-bit time_t transition THEN the t64 name on trixie and noble only", () => {
            for (const project of ["python-magic", "pyvips", "pyzbar"]) {
                const rt = row(project).runtime;
                for (const pkg of [...rt.trixie, ...rt.noble]) assert.ok(pkg.endsWith("t64"), `${project}: ${pkg}`);
                for (const pkg of [...rt.bookworm, ...rt.jammy]) assert.ok(!pkg.includes("t64"), `${project}: ${pkg}`);
            }
        });

        it("GIVEN opencv-python and opencv-contrib-python (Qt bundled, GL/GLib/X11 from the system) THEN those libraries at run time, GLib under its t64 name on trixie and noble; the headless wheels need none", () => {
            for (const project of ["opencv-python", "opencv-contrib-python"]) {
                const rt = row(project).runtime;
                const x11 = ["libgl1", "libice6", "libsm6", "libx11-6", "libxcb1", "libxext6"];
                assert.deepEqual([rt.bookworm, rt.jammy], [[...x11, "libglib2.0-0"], [...x11, "libglib2.0-0"]], project);
                assert.deepEqual([rt.trixie, rt.noble], [[...x11, "libglib2.0-0t64"], [...x11, "libglib2.0-0t64"]], project);
                assert.match(row(project).reason, /-headless needs none of them/);
            }
            for (const project of ["opencv-python-headless", "opencv-contrib-python-headless"]) {
                assert.equal(NATIVE_LIBRARIES.find((r) => r.project === project), undefined, project);
            }
        });

        it("GIVEN projects whose wheels bundle their library THEN they are not in the unconditional table", () => {
            for (const project of ["psycopg2-binary", "psycopg-binary", "pymssql", "xmlsec", "lxml", "pillow", "pycurl"]) {
                assert.equal(NATIVE_LIBRARIES.find((r) => r.project === project), undefined, project);
            }
        });
    });
});

describe("PULLS_IN", () => {
    it("GIVEN the table THEN it is sorted, every wrapper is a normalized name (or name[extra]) and every project it pulls in has a row of NATIVE_LIBRARIES", () => {
        const { PULLS_IN } = require("../../lib/data/native-libraries") as typeof import("../../lib/data/native-libraries");
        const names = PULLS_IN.map((p) => p.project);
        assert.deepEqual([...names].sort(), names);
        for (const p of PULLS_IN) {
            assert.match(p.project, PROJECT);
            assert.ok(NATIVE_LIBRARIES.some((r) => r.project === p.requires), p.requires);
        }
    });
});
