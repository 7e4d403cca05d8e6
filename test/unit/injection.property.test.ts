import * as assert from "node:assert/strict";
import fc from "fast-check";
import { Label, Run } from "dockerfile-ast";
import { InputError } from "../../lib/errors";
import { SynthesizeOptions } from "../../lib/plan/plan";
import { synthesize } from "../../lib/synthesize";
import { decodeQuotedWord, execForm, fixture, mountsOf, parse, Parsed, shellOf, textOf } from "./helpers";

/**
 * No string option can change the Dockerfile's shape. For each option that
 * reaches the Dockerfile, arbitrary strings (many built from the pieces an
 * injection needs) either make synthesize() throw an InputError, or give a
 * Dockerfile that, parsed with dockerfile-ast, has
 *   - exactly the baseline's sequence of instruction keywords,
 *   - every RUN's shell text equal to the baseline's with a reference value
 *     replaced by the option's value (and nothing else changed), and
 *   - the value, wherever it lands in a shell, safe in its quoting context;
 * and the option's value reads back exactly from where it belongs (CMD argv,
 * LABEL value, FROM image, directive...). Each checker is also run against a
 * hand-made injected Dockerfile to show it can fail.
 */

const SEED = 20240611;
const RUNS = 300;
const APP_DIR = fixture("flask-requirements"); // Python 3.11, debian:bookworm

/** The pieces injections are made of. */
const PIECES = [
    "\n", "\r", "\r\n", "RUN ", "&&", ";", "$(", ")", "`", '"', "'", "\\", "EOF", "#", "\u2028", " ", "|", ">", "<",
    "$HOME", "${PATH}", "*", "--mount=type=secret,id=x", "[\"sh\"]", "\t", "\u0000", "\u0085",
];
const dangerous = fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join(""));

/** The same pieces minus control characters: what survives the control-character check. */
const printableDangerous = fc
    .array(fc.constantFrom(...PIECES.filter((p) => !/[\u0000-\u001f\u0085\u2028]/.test(p))), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join(""));

/** Valid-looking values, the same values with pieces spliced in, pure pieces and any code points. */
function around(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
    return fc.oneof(
        { weight: 4, arbitrary: valid },
        { weight: 2, arbitrary: fc.tuple(valid, dangerous, fc.oneof(valid, fc.constant(""))).map(([a, b, c]) => a + b + c) },
        { weight: 2, arbitrary: fc.tuple(valid, printableDangerous).map(([a, b]) => a + b) },
        { weight: 2, arbitrary: dangerous },
        { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 16 }) },
    );
}

function synth(options: SynthesizeOptions): Parsed | undefined {
    try {
        return parse(synthesize(APP_DIR, options).dockerfile);
    } catch (e) {
        if (e instanceof InputError) {
            return undefined;
        }
        throw e;
    }
}

/** Counts accepted and rejected values so a property that only ever rejects is caught. */
class Tally {
    accepted = 0;
    rejected = 0;
    record(p: Parsed | undefined): p is Parsed {
        if (p === undefined) {
            this.rejected++;
            return false;
        }
        this.accepted++;
        return true;
    }
    assertBoth(min = 20): void {
        assert.ok(this.accepted >= min, `only ${this.accepted} values were accepted: the property checked too little`);
        assert.ok(this.rejected >= min, `only ${this.rejected} values were rejected: the generator is too tame`);
    }
}

/** Deterministic: the same seed, so the same values, on every run. */
const OPTS = { numRuns: RUNS, seed: SEED } as const;

// ---------------------------------------------------------------------------
// Shell quoting.

type Quote = "none" | "single" | "double";

/** The quoting context of each character of a POSIX shell command line. */
function quoteContexts(shell: string): Quote[] {
    const ctx: Quote[] = [];
    let state: Quote = "none";
    for (let i = 0; i < shell.length; i++) {
        const c = shell[i];
        ctx[i] = state;
        if (state === "single") {
            if (c === "'") {
                state = "none";
            }
        } else if (c === "\\") {
            ctx[i + 1] = state;
            i++;
        } else if (state === "none" && c === "'") {
            state = "single";
        } else if (c === '"') {
            state = state === "double" ? "none" : "double";
        }
    }
    return ctx;
}

const UNSAFE: Record<Quote, RegExp> = {
    none: /[\s;&|<>()$`\\"'*?[\]#{}!]|^~/,
    single: /'/,
    double: /["$`\\]/,
};

/** Wherever `value` occurs in `shell`, nothing in it is special in that quoting context. */
function assertShellSafe(shell: string, value: string): void {
    if (value === "") {
        return;
    }
    const ctx = quoteContexts(shell);
    for (let at = shell.indexOf(value); at >= 0; at = shell.indexOf(value, at + 1)) {
        assert.ok(
            !UNSAFE[ctx[at]].test(value),
            `${JSON.stringify(value)} sits ${ctx[at] === "none" ? "unquoted" : `in ${ctx[at]} quotes`} in: ${shell}`,
        );
    }
}

// ---------------------------------------------------------------------------
// Comparison with a baseline rendered with reference values.

function runShells(p: Parsed): string[] {
    return p.runs.map(shellOf);
}

function runMounts(p: Parsed): string[][] {
    return p.runs.map(mountsOf);
}

function cmdArgv(p: Parsed): string[] {
    return execForm(p.text, p.instructions.find((i) => i.getKeyword() === "CMD")!);
}

function healthArgv(p: Parsed): string[] {
    const hc = p.instructions.find((i) => i.getKeyword() === "HEALTHCHECK")!;
    const args = hc.getArguments();
    const sub = args.find((a) => a.getValue() === "CMD")!;
    return execForm(p.text, hc, sub.getRange());
}

/** LABEL name -> value, each value decoded as BuildKit would (undefined if it would not be one literal word). */
function labels(p: Parsed): Array<[string, string | undefined]> {
    const label = p.instructions.filter((i): i is Label => i instanceof Label);
    assert.equal(label.length, 1);
    return label[0].getProperties().map((prop) => [prop.getName(), decodeQuotedWord(textOf(p.text, prop.getValueRange()!))]);
}

/** Replaces every occurrence of each `from[i]` with `to[i]`, all in one pass (a replacement is never rescanned). */
function replaceAll(text: string, from: readonly string[], to: readonly string[]): string {
    if (from.length === 0) {
        return text;
    }
    const pattern = new RegExp(from.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
    return text.replace(pattern, (m) => to[from.indexOf(m)]);
}

/** Same keywords; RUN shells and mounts equal the baseline's with `refs` replaced by `values`. */
function assertSameShape(got: Parsed, base: Parsed, refs: readonly string[] = [], values: readonly string[] = []): void {
    assert.deepEqual(got.keywords, base.keywords, "the instruction sequence changed");
    assert.deepEqual(runShells(got), runShells(base).map((s) => replaceAll(s, refs, values)), "a RUN's shell text changed");
    assert.deepEqual(
        runMounts(got),
        runMounts(base).map((ms) => ms.map((m) => replaceAll(m, refs, values))),
        "a RUN's mounts changed",
    );
}

// ---------------------------------------------------------------------------
// One checker per option: (parsed Dockerfile, value) -> throws if injected.

const BASE = synth({})!;

const REF_USER = "zqxuser";
const BASE_USER = synth({ user: REF_USER })!;
function checkUser(got: Parsed, user: string): void {
    assertSameShape(got, BASE_USER, [REF_USER], [user]);
    for (const s of runShells(got)) {
        assertShellSafe(s, user);
    }
    assert.deepEqual(cmdArgv(got), cmdArgv(BASE));
}

function checkApp(got: Parsed, given: string): void {
    assertSameShape(got, BASE);
    // A bare module means gunicorn's `module:application`.
    const app = given.includes(":") ? given : `${given}:application`;
    const argv = cmdArgv(got);
    assert.deepEqual(argv, [...cmdArgv(BASE).slice(0, -1), app]);
    assert.deepEqual(labels(got), labels(BASE).map(([k, v]) => [k, k === "dev.pulumi-python-app.app" ? app : v]));
    assert.equal(got.text.split("\n").length, BASE.text.split("\n").length, "a line was added");
}

const BASE_APT_FLAVOR = synth({ baseImage: "debian:bookworm" })!;
const BASE_PY_FLAVOR = synth({ baseImage: "python:3.11-slim" })!;
const CACHE_ID = /id=apt-(archives|lists)-([^,]*),/g;
function checkBaseImage(got: Parsed, image: string): void {
    // An image whose repository's last path component is `python` is an official Python image.
    const repository = image.split("@")[0].split("/").pop()!.split(":")[0];
    const flavorBase = repository === "python" ? BASE_PY_FLAVOR : BASE_APT_FLAVOR;
    assert.deepEqual(got.keywords, flavorBase.keywords, "the instruction sequence changed");
    assert.deepEqual(runShells(got), runShells(flavorBase), "a RUN's shell text changed");
    const norm = (p: Parsed): string[][] =>
        runMounts(p).map((ms) =>
            ms.map((m) =>
                m.replace(CACHE_ID, (_all, kind: string, key: string) => {
                    assert.match(key, /^[A-Za-z0-9.-]+$/, `cache id key ${JSON.stringify(key)}`);
                    return `id=apt-${kind}-KEY,`;
                }),
            ),
        );
    assert.deepEqual(norm(got), norm(flavorBase), "a RUN's mounts changed");
    assert.deepEqual(got.stages.map((s) => [s.from.getImage(), s.name]), [
        [image, "builder"],
        [image, "runner"],
    ]);
    assert.equal(labels(got)[0][1], image);
}

function checkHealthPath(got: Parsed, path: string): void {
    assertSameShape(got, BASE);
    const argv = healthArgv(got);
    assert.deepEqual(argv, [...healthArgv(BASE).slice(0, 3), path, "8000"]);
    assert.deepEqual(cmdArgv(got), cmdArgv(BASE));
}

function checkSyntax(got: Parsed, syntax: string): void {
    const lines = got.text.split("\n");
    assert.equal(lines[0], `# syntax=${syntax}`);
    assert.equal(lines.slice(1).join("\n"), BASE.text, "more than the first line changed");
    assertSameShape(got, BASE);
}

function checkLabels(got: Parsed, given: Record<string, string>): void {
    assertSameShape(got, BASE);
    const expected = [...labels(BASE), ...Object.keys(given).sort().map((k): [string, string] => [k, given[k]])];
    assert.deepEqual(labels(got), expected);
    assert.deepEqual(cmdArgv(got), cmdArgv(BASE));
}

const REF_PKGS = ["zqxpkga", "zqxpkgb"];
const BASE_APT_BUILD = synth({ aptBuildPackages: REF_PKGS })!;
const BASE_APT_RUNTIME = synth({ aptRuntimePackages: REF_PKGS })!;
function checkApt(base: Parsed): (got: Parsed, pkgs: string[]) => void {
    return (got, pkgs) => {
        assertSameShape(got, base, REF_PKGS, pkgs);
        for (const s of runShells(got)) {
            for (const p of pkgs) {
                assertShellSafe(s, p);
            }
        }
    };
}

const REF_SECRET = "ZQXSECRET";
const BASE_SECRET = synth({ installSecrets: [REF_SECRET] })!;
function checkSecret(got: Parsed, name: string): void {
    assertSameShape(got, BASE_SECRET, [REF_SECRET], [name]);
    // The dependency install, and uv's own install when uv's pip interface installs the requirements.
    const withSecret = got.runs.filter((r) => mountsOf(r).some((m) => m.startsWith("type=secret")));
    assert.equal(withSecret.length, got.runs.some((r) => /\/opt\/build-tools\/bin\/pip install uv==/.test(shellOf(r))) ? 2 : 1);
    for (const run of withSecret) {
        const secrets = mountsOf(run).filter((m) => m.startsWith("type=secret"));
        assert.equal(secrets.length, 1);
        // Exactly three mount options, the id and env both the name: a comma in the name would add options.
        const opts = secrets[0].split(",").map((o) => o.split("="));
        assert.deepEqual(opts, [["type", "secret"], ["id", name], ["env", name]]);
    }
}

// ---------------------------------------------------------------------------

const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
const imageRef = fc.oneof(
    fc.constantFrom(
        "debian:bookworm",
        "127.0.0.1:5000/ppa/debian:bookworm",
        "registry.example/mirror/python:3.11-slim",
        "python:3.11",
        "registry.example/acme/base:2025.1",
        `registry.example:5000/library/debian@sha256:${"a".repeat(64)}`,
        "python:3.12-slim",
    ),
    fc.stringMatching(/^([a-z0-9]{1,6}(\.[a-z]{2,4})?(:[0-9]{2,5})?\/)?[a-z0-9]{1,8}([._-][a-z0-9]{1,3})?(\/[a-z0-9]{1,6})?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,10})?$/),
);

describe("injection: string options cannot change the Dockerfile's shape", () => {
    it("GIVEN arbitrary `app` strings THEN InputError, or CMD's last word is the app and nothing else moved", () => {
        const tally = new Tally();
        const app = around(
            fc.tuple(ident, fc.option(ident, { nil: undefined }), ident, fc.boolean()).map(([m, sub, attr, call]) => `${m}${sub ? `.${sub}` : ""}:${attr}${call ? "()" : ""}`),
        );
        fc.assert(
            fc.property(app, (v) => {
                const got = synth({ app: v });
                if (tally.record(got)) {
                    checkApp(got, v);
                }
            }),
            OPTS,
        );
        tally.assertBoth();
    });

    it("GIVEN arbitrary `baseImage` strings THEN InputError, or both FROMs name it and no RUN changed", () => {
        const tally = new Tally();
        fc.assert(
            fc.property(around(imageRef), (v) => {
                const got = synth({ baseImage: v });
                if (tally.record(got)) {
                    checkBaseImage(got, v);
                }
            }),
            OPTS,
        );
        tally.assertBoth();
    });

    it("GIVEN arbitrary `user` strings THEN InputError, or only the passwd line's name changed, inside single quotes", () => {
        const tally = new Tally();
        fc.assert(
            fc.property(around(fc.stringMatching(/^[a-z_][a-z0-9_-]{0,10}$/)), (v) => {
                const got = synth({ user: v });
                if (tally.record(got)) {
                    checkUser(got, v);
                }
            }),
            OPTS,
        );
        tally.assertBoth();
    });

    it("GIVEN arbitrary `healthCheckPath` strings THEN InputError, or the probe's argv carries it as one word", () => {
        const tally = new Tally();
        fc.assert(
            fc.property(around(fc.stringMatching(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,12}$/)), (v) => {
                const got = synth({ healthCheckPath: v });
                if (tally.record(got)) {
                    checkHealthPath(got, v);
                }
            }),
            OPTS,
        );
        tally.assertBoth();
    });

    it("GIVEN arbitrary `syntax` strings THEN InputError, or line 1 is the directive and the rest is the baseline", () => {
        const tally = new Tally();
        fc.assert(
            fc.property(around(imageRef), (v) => {
                const got = synth({ syntax: v });
                if (tally.record(got)) {
                    checkSyntax(got, v);
                }
            }),
            OPTS,
        );
        tally.assertBoth();
    });

    it("GIVEN arbitrary `labels` keys and values THEN InputError, or LABEL reads back exactly those pairs", () => {
        const tally = new Tally();
        const key = around(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,15}$/));
        const value = fc.oneof(printableDangerous, dangerous, fc.string({ unit: "binary", maxLength: 20 }), fc.string({ maxLength: 20 }));
        fc.assert(
            fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 3 }), (given) => {
                const got = synth({ labels: given });
                if (tally.record(got)) {
                    checkLabels(got, given);
                }
            }),
            OPTS,
        );
        tally.assertBoth();
    });

    for (const [option, base] of [
        ["aptBuildPackages", BASE_APT_BUILD],
        ["aptRuntimePackages", BASE_APT_RUNTIME],
    ] as const) {
        it(`GIVEN arbitrary \`${option}\` entries THEN InputError, or only the apt-get install words changed, each shell-safe`, () => {
            const tally = new Tally();
            const pkg = around(fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{1,10}(=[A-Za-z0-9.+~:-]{1,8})?$/));
            const check = checkApt(base);
            fc.assert(
                fc.property(fc.tuple(pkg, pkg), (pkgs) => {
                    const got = synth({ [option]: pkgs });
                    if (tally.record(got)) {
                        check(got, pkgs);
                    }
                }),
                OPTS,
            );
            tally.assertBoth();
        });
    }

    it("GIVEN arbitrary `installSecrets` entries THEN InputError, or one secret mount on the install RUN", () => {
        const tally = new Tally();
        fc.assert(
            fc.property(around(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/)), (v) => {
                const got = synth({ installSecrets: [v] });
                if (tally.record(got)) {
                    checkSecret(got, v);
                }
            }),
            OPTS,
        );
        tally.assertBoth();
    });

    it("GIVEN arbitrary `ignore` entries THEN InputError, or the Dockerfile is unchanged and each entry is one .dockerignore line", () => {
        const tally = new Tally();
        const base = synthesize(APP_DIR);
        const entry = around(fc.stringMatching(/^[A-Za-z0-9*!./_-]{1,12}$/));
        fc.assert(
            fc.property(fc.array(entry, { minLength: 1, maxLength: 3 }), (entries) => {
                let r;
                try {
                    r = synthesize(APP_DIR, { ignore: entries });
                } catch (e) {
                    if (e instanceof InputError) {
                        tally.rejected++;
                        return;
                    }
                    throw e;
                }
                tally.accepted++;
                assert.equal(r.dockerfile, base.dockerfile);
                assert.equal(r.dockerignore, base.dockerignore + ["# from `ignore`", ...entries].join("\n") + "\n");
            }),
            OPTS,
        );
        tally.assertBoth();
    });
});

describe("injection: integer options", () => {
    const number = fc.oneof(
        fc.integer(),
        fc.integer({ min: -3, max: 70000 }),
        fc.double(),
        fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0.5, 1e21, 2 ** 31, 2 ** 31 - 1, 65535, 65536, 100000, 100001),
    );
    const DIGITS = /^[1-9][0-9]*$/;

    function accepted(options: SynthesizeOptions): Parsed | undefined {
        return synth(options);
    }

    it("GIVEN arbitrary numbers as `port` THEN InputError, or CMD, EXPOSE, ENV PORT and the probe carry its decimal digits", () => {
        const tally = new Tally();
        fc.assert(
            fc.property(number, (n) => {
                const got = accepted({ port: n });
                if (!tally.record(got)) {
                    return;
                }
                const d = String(n);
                assert.match(d, DIGITS);
                assert.ok(n >= 1 && n <= 65535);
                assertSameShape(got, BASE);
                const argv = cmdArgv(got);
                assert.equal(argv[argv.indexOf("--bind") + 1], `0.0.0.0:${d}`);
                assert.equal(healthArgv(got).at(-1), d);
                assert.deepEqual(got.instructions.filter((i) => i.getKeyword() === "EXPOSE").map((i) => i.getArgumentsContent()), [d]);
            }),
            OPTS,
        );
        tally.assertBoth();
    });

    it("GIVEN arbitrary numbers as `uid` and `gid` THEN InputError, or USER and the passwd line carry their digits", () => {
        const tally = new Tally();
        fc.assert(
            fc.property(number, number, (uid, gid) => {
                const got = accepted({ uid, gid });
                if (!tally.record(got)) {
                    return;
                }
                assert.match(String(uid), DIGITS);
                assert.match(String(gid), DIGITS);
                assert.deepEqual(got.instructions.filter((i) => i.getKeyword() === "USER").map((i) => i.getArgumentsContent()), [`${uid}:${gid}`]);
                assertSameShape(got, BASE, ["app:x:10001:10001:", "app:x:10001:'"], [`app:x:${uid}:${gid}:`, `app:x:${gid}:'`]);
            }),
            { ...OPTS, numRuns: RUNS * 2 },
        );
        tally.assertBoth(10);
    });

    for (const [option, flag] of [
        ["workers", "--workers"],
        ["threads", "--threads"],
        ["timeout", "--timeout"],
        ["gracefulTimeout", "--graceful-timeout"],
    ] as const) {
        it(`GIVEN arbitrary numbers as \`${option}\` THEN InputError, or CMD has ${flag} followed by its digits`, () => {
            const tally = new Tally();
            fc.assert(
                fc.property(number, (n) => {
                    const got = accepted({ [option]: n });
                    if (!tally.record(got)) {
                        return;
                    }
                    assert.match(String(n), DIGITS);
                    const argv = cmdArgv(got);
                    assert.equal(argv.filter((a) => a === flag).length, 1);
                    assert.equal(argv[argv.indexOf(flag) + 1], String(n));
                    assert.equal(argv.at(-1), "app:app");
                    assertSameShape(got, BASE);
                }),
                OPTS,
            );
            tally.assertBoth();
        });
    }
});

describe("injection: the checkers catch real injections (so the properties can fail)", () => {
    /** Parses a hand-made Dockerfile: the baseline with `from` replaced by `to`, as a naive renderer would write it. */
    function forged(base: Parsed, from: string, to: string): Parsed {
        return parse(base.text.split(from).join(to));
    }

    it("GIVEN a user name that closes the single quotes THEN checkUser fails", () => {
        const evil = "x'; touch /pwned; echo '";
        assert.throws(() => checkUser(forged(BASE_USER, REF_USER, evil), evil), /sits unquoted|in single quotes/);
    });

    it("GIVEN a user name with a newline and RUN THEN checkUser fails", () => {
        const evil = "x\nRUN touch /pwned\n#";
        assert.throws(() => checkUser(forged(BASE_USER, REF_USER, evil), evil), /instruction sequence changed/);
    });

    it("GIVEN an apt package with ; THEN the apt checker fails", () => {
        const evil = "curl;touch";
        assert.throws(() => checkApt(BASE_APT_BUILD)(forged(BASE_APT_BUILD, REF_PKGS[0], evil), [evil, REF_PKGS[1]]), /sits unquoted/);
    });

    it("GIVEN an app spec that breaks out of CMD's JSON THEN checkApp fails", () => {
        const evil = 'app:app"]\nRUN ["sh", "-c", "id';
        assert.throws(() => checkApp(parse(BASE.text.replace('"app:app"]', `"${evil}"]`)), evil), /instruction sequence changed/);
    });

    it("GIVEN an app spec written into CMD in shell form THEN checkApp fails", () => {
        const text = BASE.text.replace(/^CMD \[[\s\S]*?\]$/m, "CMD gunicorn app:app; id");
        assert.throws(() => checkApp(parse(text), "app:app; id"), /shell form/);
    });

    it("GIVEN a label value left unescaped THEN checkLabels fails", () => {
        const value = 'x" evil="1';
        const base = synth({ labels: { team: "zqxvalue" } })!;
        assert.throws(() => checkLabels(forged(base, "zqxvalue", value), { team: value }));
        const dollar = "$HOME";
        assert.throws(() => checkLabels(forged(base, "zqxvalue", dollar), { team: dollar }));
    });

    it("GIVEN a syntax directive with a second line THEN checkSyntax fails", () => {
        const base = synth({ syntax: "docker/dockerfile:1" })!;
        const evil = "docker/dockerfile:1\nRUN id";
        assert.throws(() => checkSyntax(forged(base, "docker/dockerfile:1", evil), evil));
    });

    it("GIVEN a health path in shell form THEN checkHealthPath fails", () => {
        const text = BASE.text.replace(/CMD \["python".*\]\n/, "CMD python -c 'x' / 8000\n");
        assert.throws(() => checkHealthPath(parse(text), "/"), /shell form/);
    });

    it("GIVEN a secret name with a comma THEN checkSecret fails", () => {
        const evil = "A,target=/etc";
        assert.throws(() => checkSecret(forged(BASE_SECRET, REF_SECRET, evil), evil));
    });

    it("GIVEN an image with a space THEN checkBaseImage fails", () => {
        const evil = "debian:bookworm AS x\nRUN id\nFROM debian:bookworm";
        assert.throws(() => checkBaseImage(forged(BASE_APT_FLAVOR, "FROM debian:bookworm AS", `FROM ${evil} AS`), evil));
    });

    it("GIVEN the quoting scanner THEN it tracks single, double and escaped quotes", () => {
        const s = `echo 'a b' "c $d" e\\'f`;
        const ctx = quoteContexts(s);
        assert.equal(ctx[s.indexOf("a b")], "single");
        assert.equal(ctx[s.indexOf("c $d")], "double");
        assert.equal(ctx[s.indexOf("e\\'f")], "none");
        assert.equal(ctx[s.indexOf("f")], "none");
        assert.doesNotThrow(() => assertShellSafe(s, "a b"));
        assert.throws(() => assertShellSafe(s, "c $d"));
    });

    it("GIVEN the runs are real instructions THEN a RUN parsed from the baseline is a Run", () => {
        assert.ok(BASE.runs.length >= 5 && BASE.runs.every((r) => r instanceof Run));
    });
});
