import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError } from "../../lib/errors";
import { synthesize } from "../../lib/synthesize";
import { FIXTURES } from "./helpers";

/**
 * The corpus of real-world app shapes (test/fixtures/cases, copied from the
 * project's shared cases): each case's case.json says what synthesis must
 * decide (plan paths), what the Dockerfile must and must not contain, or the
 * error it must refuse with. Cases whose check is component-level (a
 * PythonImage argument) are checked in resources.test.ts.
 */

export interface CaseSpec {
    readonly id: string;
    readonly kind: string;
    readonly expect: {
        readonly options: Record<string, unknown>;
        readonly plan?: Record<string, unknown>;
        readonly planContains?: Record<string, unknown[]>;
        readonly dockerfile?: string[];
        readonly dockerfileNot?: string[];
        readonly error?: string;
    };
    readonly run: { env: Record<string, string>; path: string; status: number[]; bodyRegex?: string } | null;
}

/** The shared corpus, and this project's own app shapes of the same kinds (same case.json format). */
export const CASES_DIR = path.join(FIXTURES, "cases");
export const APPS_DIR = path.join(FIXTURES, "apps");

/** Cases checked on PythonImage/PythonApp, not synthesize(). */
export const COMPONENT_LEVEL = new Set(["multiplatform-without-registry"]);

export function loadCases(dirs: readonly string[] = [CASES_DIR, APPS_DIR]): Array<{ dir: string; spec: CaseSpec }> {
    return dirs
        .flatMap((root) =>
            fs
                .readdirSync(root, { withFileTypes: true })
                .filter((e) => e.isDirectory())
                .map((e) => ({ dir: path.join(root, e.name), spec: JSON.parse(fs.readFileSync(path.join(root, e.name, "case.json"), "utf8")) as CaseSpec })),
        )
        .sort((a, b) => (a.spec.id < b.spec.id ? -1 : 1));
}

/** "/pattern/flags" is a regular expression; anything else is compared exactly. */
function matchesExpected(actual: unknown, expected: unknown): boolean {
    if (typeof expected === "string" && expected.length > 1 && expected.startsWith("/") && expected.lastIndexOf("/") > 0) {
        const cut = expected.lastIndexOf("/");
        return typeof actual === "string" && new RegExp(expected.slice(1, cut), expected.slice(cut + 1)).test(actual);
    }
    return JSON.stringify(actual) === JSON.stringify(expected);
}

function at(obj: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

describe("the corpus of real-world app shapes (synthesis level)", () => {
    const cases = loadCases();
    it("GIVEN the corpus THEN it holds every case of the shared corpus, and the project's own shapes", () => {
        assert.ok(loadCases([CASES_DIR]).length >= 36, "the shared corpus is incomplete");
        assert.ok(loadCases([APPS_DIR]).length >= 10, "the project's own app shapes are missing");
    });
    for (const { dir, spec } of cases) {
        if (COMPONENT_LEVEL.has(spec.id)) {
            continue;
        }
        it(`GIVEN ${spec.id} (${spec.kind}) WHEN synthesized THEN ${spec.expect.error ? "it is refused" : "the plan and Dockerfile are as case.json says"}`, () => {
            if (spec.expect.error) {
                assert.throws(
                    () => synthesize(dir, spec.expect.options),
                    (e: unknown) => e instanceof InputError && new RegExp(spec.expect.error!).test(e.message),
                );
                return;
            }
            const out = synthesize(dir, spec.expect.options);
            for (const [key, expected] of Object.entries(spec.expect.plan ?? {})) {
                const actual = at(out.plan, key);
                assert.ok(matchesExpected(actual, expected), `plan.${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
            }
            for (const [key, items] of Object.entries(spec.expect.planContains ?? {})) {
                const actual = at(out.plan, key);
                assert.ok(Array.isArray(actual), `plan.${key} is not a list`);
                for (const item of items) {
                    assert.ok(
                        (actual as unknown[]).some((a) => matchesExpected(a, item)),
                        `plan.${key} lacks ${JSON.stringify(item)}: ${JSON.stringify(actual, null, 1)}`,
                    );
                }
            }
            for (const re of spec.expect.dockerfile ?? []) {
                assert.match(out.dockerfile, new RegExp(re, "m"), `the Dockerfile does not match /${re}/m`);
            }
            for (const re of spec.expect.dockerfileNot ?? []) {
                assert.doesNotMatch(out.dockerfile, new RegExp(re, "m"), `the Dockerfile matches /${re}/m`);
            }
        });
    }
});
