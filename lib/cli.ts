#!/usr/bin/env node
import * as fs from "fs";
import * as path from "path";
import { parse as shellParse } from "shell-quote";
import { InputError } from "./errors";
import { planJson as planText, SynthesizeOptions } from "./plan/plan";
import { synthesize } from "./synthesize";

const USAGE = `Usage: pulumi-python-app synth <dir> [--out DIR] [options]

Prints the Dockerfile that pulumi-python-app synthesizes for the Python app in
<dir> (or, with --out, writes Dockerfile, .dockerignore and plan.json there).

Options:
  --out DIR                 write the files to DIR instead of printing
  --plan                    print the detected plan as JSON instead of the Dockerfile
  --dockerignore            print the .dockerignore instead of the Dockerfile
  --app MODULE:ATTR         gunicorn app (default: detected)
  --interface wsgi|asgi     (default: detected)
  --python X.Y              Python version (default: detected, else 3.13)
  --installer pip|uv|poetry|pipenv|pdm
  --base-image IMAGE        base image of both stages (default: from the table)
  --port N                  (default 8000)
  --workers N               (default: follows the container's CPUs)
  --threads N
  --timeout N               gunicorn worker timeout, seconds (default 60)
  --graceful-timeout N      seconds (default 30)
  --user NAME --uid N --gid N   the non-root user (default app 10001:10001)
  --apt-build PKG           extra builder package (repeatable)
  --apt-runtime PKG         extra runner package (repeatable)
  --health-check-path PATH  (default /)
  --no-health-check
  --syntax IMAGE            a "# syntax=" line (default: none)
  --install-secret NAME     build secret mounted as env for the install step (repeatable)
  --ca-bundle               install steps trust the build secret "ca-bundle" (a PEM CA bundle)
  --label KEY=VALUE         OCI label (repeatable)
  --ignore PATTERN          extra .dockerignore pattern (repeatable)
  --dependency-group NAME   install this dependency group too (repeatable)
  --workspace-package NAME  the uv workspace member that holds the app
  --worker-class CLASS      gunicorn worker class
  --chdir DIR               folder gunicorn runs in (relative to <dir>)
  --python-path DIR         folder put on gunicorn's Python path (repeatable)
  --trusted-proxy ADDRESS   proxy whose X-Forwarded-* headers count (repeatable)
  --no-collect-static       do not run Django's collectstatic (or Flask-Assets' build) in the builder
  --no-frontend-build       do not run package.json's build script in the builder
  --build-command "CMD"     a build step after the source is copied (repeatable; split into words like a shell)
  --build-env KEY=VALUE     environment for the build steps (repeatable)
  --build-secret NAME       build secret mounted as env for the build steps (repeatable)
  --release-command "CMD"   what PythonApp runs once per deploy (split into words like a shell)
  --no-release-command      run no release step
  --writable PATH=KIND      a path the app writes; KIND is data or scratch (repeatable)
`;

type Flag = { key: keyof SynthesizeOptions; kind: "string" | "int" | "list" | "label" | "false" | "true" | "words" | "wordsList" };

const FLAGS: Record<string, Flag> = {
    "--app": { key: "app", kind: "string" },
    "--interface": { key: "interface", kind: "string" },
    "--python": { key: "python", kind: "string" },
    "--installer": { key: "installer", kind: "string" },
    "--base-image": { key: "baseImage", kind: "string" },
    "--port": { key: "port", kind: "int" },
    "--workers": { key: "workers", kind: "int" },
    "--threads": { key: "threads", kind: "int" },
    "--timeout": { key: "timeout", kind: "int" },
    "--graceful-timeout": { key: "gracefulTimeout", kind: "int" },
    "--user": { key: "user", kind: "string" },
    "--uid": { key: "uid", kind: "int" },
    "--gid": { key: "gid", kind: "int" },
    "--apt-build": { key: "aptBuildPackages", kind: "list" },
    "--apt-runtime": { key: "aptRuntimePackages", kind: "list" },
    "--health-check-path": { key: "healthCheckPath", kind: "string" },
    "--no-health-check": { key: "healthCheck", kind: "false" },
    "--syntax": { key: "syntax", kind: "string" },
    "--install-secret": { key: "installSecrets", kind: "list" },
    "--ca-bundle": { key: "caBundle", kind: "true" },
    "--label": { key: "labels", kind: "label" },
    "--ignore": { key: "ignore", kind: "list" },
    "--dependency-group": { key: "dependencyGroups", kind: "list" },
    "--workspace-package": { key: "workspacePackage", kind: "string" },
    "--worker-class": { key: "workerClass", kind: "string" },
    "--chdir": { key: "chdir", kind: "string" },
    "--python-path": { key: "pythonPath", kind: "list" },
    "--trusted-proxy": { key: "trustedProxies", kind: "list" },
    "--no-collect-static": { key: "collectStatic", kind: "false" },
    "--no-frontend-build": { key: "frontendBuild", kind: "false" },
    "--build-command": { key: "buildCommands", kind: "wordsList" },
    "--build-env": { key: "buildEnv", kind: "label" },
    "--build-secret": { key: "buildSecrets", kind: "list" },
    "--release-command": { key: "releaseCommand", kind: "words" },
    "--no-release-command": { key: "releaseCommand", kind: "false" },
    "--writable": { key: "writablePaths", kind: "label" },
};

/** A command given as one string, split into words the way a shell would (no expansion). */
function words(name: string, raw: string): string[] {
    const parsed = shellParse(raw);
    if (!parsed.every((t) => typeof t === "string")) {
        throw new UsageError(`${name} takes a plain command (no shell operators, redirections or globs): ${JSON.stringify(raw)}.`);
    }
    return parsed as string[];
}

class UsageError extends Error {}

export function main(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
    try {
        return run(argv, out);
    } catch (e) {
        if (e instanceof UsageError) {
            err(`pulumi-python-app: ${e.message}\n\n${USAGE}`);
            return 2;
        }
        if (e instanceof InputError) {
            err(`pulumi-python-app: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

function run(argv: string[], out: (s: string) => void): number {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
        out(USAGE);
        return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] !== "synth") {
        throw new UsageError(`unknown command ${JSON.stringify(argv[0])}; the command is "synth".`);
    }
    const options: Record<string, unknown> = {};
    let dir: string | undefined;
    let outDir: string | undefined;
    let show: "dockerfile" | "plan" | "dockerignore" = "dockerfile";
    for (let i = 1; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith("--")) {
            if (dir !== undefined) {
                throw new UsageError(`more than one folder given (${JSON.stringify(dir)} and ${JSON.stringify(a)}).`);
            }
            dir = a;
            continue;
        }
        const eq = a.indexOf("=");
        const name = eq > 0 ? a.slice(0, eq) : a;
        const inline = eq > 0 ? a.slice(eq + 1) : undefined;
        if (name === "--plan" || name === "--dockerignore") {
            show = name === "--plan" ? "plan" : "dockerignore";
            continue;
        }
        const takeValue = (): string => {
            if (inline !== undefined) {
                return inline;
            }
            if (i + 1 >= argv.length) {
                throw new UsageError(`${name} needs a value.`);
            }
            return argv[++i];
        };
        if (name === "--out") {
            outDir = takeValue();
            continue;
        }
        const flag = FLAGS[name];
        if (!flag) {
            throw new UsageError(`unknown option ${name}.`);
        }
        switch (flag.kind) {
            case "false":
                options[flag.key] = false;
                break;
            case "true":
                options[flag.key] = true;
                break;
            case "string":
                options[flag.key] = takeValue();
                break;
            case "int": {
                const raw = takeValue();
                const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
                if (Number.isNaN(n)) {
                    throw new InputError(`\`${flag.key}\``, `${name} is ${JSON.stringify(raw)}; it must be a whole number.`);
                }
                options[flag.key] = n;
                break;
            }
            case "list":
                options[flag.key] = [...((options[flag.key] as string[] | undefined) ?? []), takeValue()];
                break;
            case "words":
                options[flag.key] = words(name, takeValue());
                break;
            case "wordsList":
                options[flag.key] = [...((options[flag.key] as string[][] | undefined) ?? []), words(name, takeValue())];
                break;
            case "label": {
                const raw = takeValue();
                const at = raw.indexOf("=");
                if (at <= 0) {
                    throw new UsageError(`${name} takes KEY=VALUE, not ${JSON.stringify(raw)}.`);
                }
                options[flag.key] = { ...((options[flag.key] as object | undefined) ?? {}), [raw.slice(0, at)]: raw.slice(at + 1) };
                break;
            }
        }
    }
    if (dir === undefined) {
        throw new UsageError("the app's folder is missing: pulumi-python-app synth <dir>.");
    }
    const result = synthesize(dir, options as SynthesizeOptions);
    const planJson = planText(result.plan);
    if (outDir !== undefined) {
        fs.mkdirSync(outDir, { recursive: true });
        fs.writeFileSync(path.join(outDir, "Dockerfile"), result.dockerfile);
        fs.writeFileSync(path.join(outDir, ".dockerignore"), result.dockerignore);
        fs.writeFileSync(path.join(outDir, "plan.json"), planJson);
        out(`Wrote Dockerfile, .dockerignore and plan.json to ${outDir}\n`);
        return 0;
    }
    out(show === "plan" ? planJson : show === "dockerignore" ? result.dockerignore : result.dockerfile);
    return 0;
}

if (require.main === module) {
    process.exitCode = main(
        process.argv.slice(2),
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
    );
}
