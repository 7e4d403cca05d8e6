import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { synthesize } from "../../lib/synthesize";
import { FIXTURE_NAMES, fixture, ROOT, TmpApps } from "./helpers";

/**
 * Golden files: what synthesize() gives for each fixture app, byte for byte.
 * A change in the output shows up as a diff in test/golden/ in review.
 * Regenerate with: UPDATE_GOLDEN=1 npx mocha test/unit/synthesize.golden.test.ts
 */

const GOLDEN = path.join(ROOT, "test", "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function planJson(plan: unknown): string {
    return JSON.stringify(plan, null, 2) + "\n";
}

function outputs(dir: string): Record<string, string> {
    const r = synthesize(dir);
    return { Dockerfile: r.dockerfile, dockerignore: r.dockerignore, "plan.json": planJson(r.plan) };
}

describe("synthesize() golden files", () => {
    for (const name of FIXTURE_NAMES) {
        describe(`GIVEN the ${name} fixture`, () => {
            const got = outputs(fixture(name));
            for (const file of ["Dockerfile", "dockerignore", "plan.json"]) {
                it(`WHEN synthesized THEN ${file} matches test/golden/${name}/${file}`, () => {
                    const goldenPath = path.join(GOLDEN, name, file);
                    if (UPDATE) {
                        fs.mkdirSync(path.dirname(goldenPath), { recursive: true });
                        fs.writeFileSync(goldenPath, got[file]);
                        return;
                    }
                    assert.ok(fs.existsSync(goldenPath), `${goldenPath} is missing; run with UPDATE_GOLDEN=1 once`);
                    assert.equal(got[file], fs.readFileSync(goldenPath, "utf8"));
                });
            }
        });
    }
});

describe("synthesize() determinism", () => {
    const apps = new TmpApps();
    after(() => apps.cleanup());

    for (const name of FIXTURE_NAMES) {
        it(`GIVEN ${name} WHEN synthesized twice THEN both results are byte-identical`, () => {
            assert.deepEqual(outputs(fixture(name)), outputs(fixture(name)));
        });

        it(`GIVEN ${name} copied to another absolute path WHEN synthesized THEN the output is identical (no path leaks)`, () => {
            const copy = apps.copyOf(name);
            assert.notEqual(copy, fixture(name));
            const here = outputs(fixture(name));
            const there = outputs(copy);
            assert.deepEqual(there, here);
            for (const text of Object.values(there)) {
                assert.ok(!text.includes(copy), "the temp folder's path appears in the output");
                assert.ok(!text.includes(ROOT), "the repository's path appears in the output");
            }
        });

        it(`GIVEN ${name} given by a relative path WHEN synthesized THEN the output equals the absolute path's`, () => {
            const rel = path.relative(process.cwd(), fixture(name));
            assert.deepEqual(outputs(rel), outputs(fixture(name)));
        });
    }
});
