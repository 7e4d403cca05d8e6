import * as assert from "node:assert/strict";
import { satisfies, validRange } from "@renovatebot/pep440";
import { parse as parseSpecifier } from "@renovatebot/pep440/lib/specifier";
import { newerPython, PYTHON_SUPPORT, pythonCapOf } from "../../lib/data/python-support";

/** The newest Python a release supports (lib/data/python-support.ts), read at the release the app installs. */
describe("the newest Python a release supports", () => {
    const cases: Array<[string, string | undefined, string | undefined, string | undefined]> = [
        ["django", "3.2.25", undefined, "3.10"],
        ["django", undefined, "~=3.2.10", "3.10"],
        ["django", undefined, "==3.2.*", "3.10"],
        ["django", undefined, "<4", "3.10"],
        ["django", "3.2.5", undefined, "3.9"],
        ["django", "2.2.28", undefined, "3.9"],
        ["django", "4.1.2", undefined, "3.10"],
        ["django", "4.1.13", undefined, "3.11"],
        ["django", "4.2.7", undefined, "3.11"],
        ["django", "4.2.8", undefined, "3.12"],
        // pip installs the newest 4.2.x, which is past 4.2.8
        ["django", undefined, ">=4.2,<5.0", "3.12"],
        ["django", undefined, "~=4.2.0", "3.12"],
        ["django", "5.0.14", undefined, "3.12"],
        ["django", "5.1.2", undefined, "3.12"],
        ["django", "5.1.3", undefined, "3.13"],
        ["django", "5.2.7", undefined, "3.13"],
        ["django", "5.2.8", undefined, undefined],
        ["django", undefined, ">=3.2", undefined],
        ["django", undefined, undefined, undefined],
        ["bottle", "0.12.25", undefined, "3.12"],
        ["bottle", undefined, "<0.13", "3.12"],
        ["bottle", "0.13.2", undefined, undefined],
        ["web-py", "0.62", undefined, "3.12"],
        ["web-py", "0.76", undefined, undefined],
        ["flask", "1.1.4", undefined, undefined],
        ["flask", "1.0.2", undefined, "3.9"],
        ["flask", "1.0.3", undefined, undefined],
        ["flask", "0.12.2", undefined, undefined],
        ["werkzeug", "0.14.1", undefined, "3.9"],
        ["werkzeug", "0.12.2", undefined, "3.9"],
        ["werkzeug", "0.15.0", undefined, undefined],
        ["jinja2", "2.9.6", undefined, "3.9"],
        ["jinja2", "2.10.1", undefined, "3.9"],
        ["jinja2", "2.10.2", undefined, undefined],
        ["jinja2", undefined, undefined, undefined],
        ["markupsafe", "1.0", undefined, "3.9"],
        ["markupsafe", "1.1.1", undefined, undefined],
    ];
    for (const [project, pin, specifier, newest] of cases) {
        it(`GIVEN ${project} ${pin ?? specifier ?? "unpinned"} THEN ${newest ? `up to Python ${newest}` : "no cap"}`, () => {
            assert.equal(pythonCapOf(project, pin, specifier)?.row.newestPython, newest);
        });
    }

    it("GIVEN the table THEN ranges are valid, a project's rows do not overlap, and every cap is below 3.14", () => {
        for (const row of PYTHON_SUPPORT) {
            assert.ok(validRange(row.releases), `${row.project} ${row.releases}`);
            assert.match(row.newestPython, /^3\.\d+$/);
            assert.ok(newerPython("3.14", row.newestPython), `${row.project} ${row.releases} caps nothing`);
            assert.ok(row.source.length > 0);
        }
        const edges = PYTHON_SUPPORT.flatMap((r) => parseSpecifier(r.releases).map((c) => c.version));
        for (const project of new Set(PYTHON_SUPPORT.map((r) => r.project))) {
            const rows = PYTHON_SUPPORT.filter((r) => r.project === project);
            for (const v of edges) {
                assert.ok(rows.filter((r) => satisfies(v, r.releases)).length <= 1, `${project} ${v} is in two rows`);
            }
        }
    });

    it("GIVEN Python series THEN newerPython compares them as numbers", () => {
        assert.ok(newerPython("3.10", "3.9"));
        assert.ok(!newerPython("3.12", "3.12"));
        assert.ok(!newerPython("3.11", "3.13"));
    });
});
