import { candidates, ImportRoot, moduleReader } from "./app-code";
import { joinPath } from "./paths";
import { calleeOf, Expr, PyModule, str } from "./python-source";
import { SourceTree } from "./source";
import { flaskConfig, pyfileFolder, settingString } from "./writable-paths";

/**
 * What a Flask app's extensions build from its files before it can serve
 * them as written: Flask-Babel's message catalogues (a .po is read only once
 * compiled to its .mo) and Flask-Assets' bundles (webassets writes them, and
 * its cache, into the static folder the first time a page names them).
 */
export interface FlaskBuildFacts {
    /** The folder of the module that makes the Flask app (Flask's root_path), relative to the source folder. */
    readonly rootPath?: string;
    /** The folders Flask-Babel reads catalogues from, relative to the source folder, and what named them. */
    readonly translationDirs: ReadonlyArray<{ readonly dir: string; readonly why: string }>;
    /** Flask-Assets' Environment, when the app makes one, with the bundles it can build. */
    readonly assets?: FlaskAssets;
}

export interface FlaskAssets {
    /** The module that makes the Environment. */
    readonly file: string;
    /**
     * Output paths of the bundles the code defines (`Bundle(..., output="gen/packed.js")`), relative to the static folder, and the module of
     * each; with the bundle's input files as written (relative to the static folder) and its filters, where they are literal.
     */
    readonly outputs: ReadonlyArray<{ readonly output: string; readonly file: string; readonly inputs: readonly string[]; readonly filters: readonly string[] }>;
    /** Modules that load bundles from a YAML file (webassets' YAMLLoader, `Environment.from_yaml()`). */
    readonly yaml: readonly string[];
    /** ASSETS_CACHE as the app's config sets it: false (no cache), a folder (relative to the working folder, as webassets opens it), or unset (static/.webassets-cache). */
    readonly cache?: false | string;
}

/** The Bundle classes of webassets, as Flask-Assets re-exports them. */
const BUNDLE = new Set(["flask_assets.Bundle", "webassets.Bundle", "webassets.bundle.Bundle"]);
/** Flask-Assets' Environment: the `assets` command builds what it holds. */
const ENVIRONMENT = new Set(["flask_assets.Environment"]);
/** webassets' YAML loaders. */
const YAML_LOADER = new Set(["flask_assets.YAMLLoader", "webassets.loaders.YAMLLoader"]);

/** Flask-Babel's default translation folder, relative to the app's root_path. */
const DEFAULT_TRANSLATIONS = "translations";

/**
 * Reads the app's modules under its import roots: where the Flask app is made,
 * which folders Flask-Babel reads (BABEL_TRANSLATION_DIRECTORIES, a
 * `;`-separated list relative to root_path, from the app's config, else
 * Babel()'s default_translation_directories, else "translations"), and
 * Flask-Assets' bundles.
 */
export function flaskBuildFacts(src: SourceTree, roots: readonly ImportRoot[]): FlaskBuildFacts {
    const reader = moduleReader(src, roots);
    const modules = candidates(src, roots).flatMap((c) => {
        const mod = reader.parse(c.file);
        return mod ? [{ file: c.file, mod }] : [];
    });
    const home = modules.find(({ mod }) => mod.calls.some((c) => calleeOf(c) === "flask.Flask"))?.file;
    const rootPath = home === undefined ? undefined : dirOf(home);

    // Flask-Babel's folders: the config key wins over Babel(default_translation_directories=...), as Flask-Babel's setdefault does.
    let configured: { value: string; why: string } | undefined;
    let babelDefault: { value: string; why: string } | undefined;
    for (const { file, mod } of modules) {
        const value = settingString(mod, flaskConfig(mod, "BABEL_TRANSLATION_DIRECTORIES"));
        if (value !== undefined) {
            configured = { value, why: `${file}: BABEL_TRANSLATION_DIRECTORIES` };
        }
        for (const c of mod.calls) {
            const callee = calleeOf(c) ?? "";
            const arg = c.kwargs["default_translation_directories"];
            if ((callee === "flask_babel.Babel" || callee.endsWith(".init_app")) && arg !== undefined && str(arg) !== undefined) {
                babelDefault = { value: str(arg)!, why: `${file}: Babel(default_translation_directories=...)` };
            }
        }
    }
    const chosen = configured ?? babelDefault ?? { value: DEFAULT_TRANSLATIONS, why: "Flask-Babel's default translations folder, beside the app's root_path" };
    const translationDirs: Array<{ dir: string; why: string }> = [];
    for (const part of chosen.value.split(";").map((p) => p.trim()).filter((p) => p !== "")) {
        const dir = joinPath(rootPath ?? "", part);
        if (dir !== undefined && !dir.startsWith("/") && !translationDirs.some((d) => d.dir === dir)) {
            translationDirs.push({ dir, why: chosen.why });
        }
    }

    return { rootPath, translationDirs, assets: flaskAssets(modules) };
}

function flaskAssets(modules: ReadonlyArray<{ file: string; mod: PyModule }>): FlaskAssets | undefined {
    const env = modules.find(({ mod }) => mod.calls.some((c) => ENVIRONMENT.has(calleeOf(c) ?? "")));
    if (env === undefined) {
        return undefined;
    }
    const outputs: Array<{ output: string; file: string; inputs: string[]; filters: string[] }> = [];
    const yaml: string[] = [];
    let cache: false | string | undefined;
    for (const { file, mod } of modules) {
        const set = flaskConfig(mod, "ASSETS_CACHE");
        if (set?.kind === "bool" && !set.value) {
            cache = false;
        } else if (settingString(mod, set) !== undefined) {
            cache = settingString(mod, set);
        }
        for (const c of mod.calls) {
            const callee = calleeOf(c) ?? "";
            const output = BUNDLE.has(callee) ? bundleOutput(mod, c.kwargs["output"]) : undefined;
            if (output !== undefined && !outputs.some((o) => o.output === output)) {
                // webassets' filters: a comma-separated string, or a list of names.
                const given = c.kwargs["filters"];
                const filters = given?.kind === "list" ? given.items.flatMap((f) => str(f) ?? []) : (str(given)?.split(",").map((f) => f.trim()) ?? []);
                outputs.push({ output, file, inputs: c.args.flatMap((a) => str(a) ?? []), filters: filters.filter((f) => f !== "") });
            }
            if ((YAML_LOADER.has(callee) || callee.endsWith(".from_yaml")) && !yaml.includes(file)) {
                yaml.push(file);
            }
        }
    }
    return { file: env.file, outputs, yaml, cache };
}

/** A bundle's output, as written (a literal, or a module-level name bound to one); "?" when it is given but not readable. */
function bundleOutput(mod: PyModule, e: Expr | undefined): string | undefined {
    if (e === undefined) {
        return undefined;
    }
    return settingString(mod, e) ?? "?";
}

function dirOf(p: string): string {
    const i = p.lastIndexOf("/");
    return i < 0 ? "" : p.slice(0, i);
}

/** Names an app gives the example of a config file it loads (`config.py` -> `config.example.py`), in the file's folder. */
/** The names an app's example of a config file goes by (`settings.py.example`, `config.example.py`, `example.env`...). */
export function exampleNames(name: string): string[] {
    const stem = name.endsWith(".py") ? name.slice(0, -3) : name;
    return [`${stem}.example.py`, `${name}.example`, `${stem}.sample.py`, `${name}.sample`, `${stem}.dist.py`, `${name}.dist`, `${stem}_example.py`, `example_${name}`, `example.${name}`, `${name}.template`];
}

/**
 * The Python config files a Flask app loads with `app.config.from_pyfile(P)`
 * (not silent) that the source does not have: Flask raises at import without
 * them. P is read from the instance folder with `instance_relative_config=True`
 * (the `instance/` folder at the import root), else from the app's root_path
 * (the folder of the module that makes the app); with the example file beside
 * it, when the app ships one.
 */
export function missingFlaskConfigs(src: SourceTree, roots: readonly ImportRoot[]): Array<{ readonly file: string; readonly path: string; readonly example?: string }> {
    const reader = moduleReader(src, roots);
    const out: Array<{ file: string; path: string; example?: string }> = [];
    for (const c of candidates(src, roots)) {
        const mod = reader.parse(c.file);
        const flask = mod?.calls.find((k) => calleeOf(k) === "flask.Flask" || calleeOf(k) === "quart.Quart");
        if (mod === undefined || flask === undefined) {
            continue;
        }
        const base = pyfileFolder(mod, c.file, c.root);
        for (const k of mod.calls) {
            const name = (calleeOf(k) ?? "").endsWith(".config.from_pyfile") && !mod.scriptCalls.has(k) ? str(k.args[0] ?? k.kwargs["filename"]) : undefined;
            const silent = k.kwargs["silent"] ?? k.args[1];
            if (name === undefined || name.startsWith("/") || (silent !== undefined && !(silent.kind === "bool" && !silent.value))) {
                continue;
            }
            const path = joinPath(base ?? "", name);
            if (path === undefined || path.startsWith("/") || src.isFile(path) || out.some((o) => o.path === path)) {
                continue;
            }
            const folder = dirOf(path);
            const example = exampleNames(path.split("/").pop()!).map((n) => (folder === "" ? n : `${folder}/${n}`)).find((f) => src.isFile(f));
            out.push({ file: c.file, path, example });
        }
    }
    return out;
}
