import { ImportRoot, moduleReader, valueAt } from "./app-code";
import { envVariables, evaluate } from "./python-eval";
import { bind, str } from "./python-source";
import { SourceTree } from "./source";

/**
 * The served module makes the app with a config name read from the environment, `create_app(os.getenv("FLASK_CONFIG")
 * or "default")`, and the factory loads `config[name]` from a dict of classes (flasky's layout) in which that name,
 * with the variable unset, is a development class: the server then runs with DEBUG on and the development database.
 */
export interface DevelopmentConfigChoice {
    /** The served module, relative to the source folder. */
    readonly file: string;
    /** The variables that choose the config. */
    readonly variables: readonly string[];
    /** The name used with them unset ("default"). */
    readonly name: string;
    /** The class that name loads ("DevelopmentConfig"), and the file of the dict. */
    readonly cls: string;
    readonly configFile: string;
    /** A key of the dict that loads a production class, when one does ("production"). */
    readonly production?: string;
}

const DEVELOPMENT = /^(Dev|Development|Local|Debug)([A-Z_]|Config$|Settings$|$)/;
const PRODUCTION = /^(Prod|Production)([A-Z_]|Config$|Settings$|$)/;

export function developmentConfigChoice(src: SourceTree, roots: readonly ImportRoot[], spec: string): DevelopmentConfigChoice | undefined {
    const [module, attr] = spec.split(":");
    const reader = moduleReader(src, roots);
    const top = reader.fileOf(module);
    const mod = top === undefined ? undefined : reader.parse(top.file);
    const made = mod === undefined || attr === undefined ? undefined : mod.value(attr);
    if (top === undefined || mod === undefined || made?.kind !== "call" || made.callee.kind !== "ref") {
        return undefined;
    }
    const given = made.args[0];
    const arg = given === undefined ? undefined : bind(given, (local) => mod.value(local));
    const variables = arg === undefined ? [] : envVariables(arg);
    const name = arg === undefined ? undefined : evaluate(arg, () => undefined);
    if (variables.length === 0 || name?.t !== "str") {
        return undefined;
    }
    // The factory, in the served module or the module it is imported from.
    const path = made.callee.path;
    const cut = path.lastIndexOf(".");
    const home = cut < 0 ? { file: top.file, root: top.root } : reader.fileOf(path.slice(0, cut), { file: top.file, root: top.root });
    const factoryMod = home === undefined ? undefined : reader.parse(home.file);
    const factory = factoryMod?.functions.get(cut < 0 ? path : path.slice(cut + 1));
    const param = factory?.params[0]?.name;
    if (home === undefined || factoryMod === undefined || factory === undefined || param === undefined) {
        return undefined;
    }
    // `app.config.from_object(config[config_name])`: the dict's class under the name.
    for (const call of factory.calls) {
        const loaded = call.args[0];
        if (!(call.callee.kind === "ref" && call.callee.local.endsWith(".config.from_object")) || loaded?.kind !== "subscript" || loaded.index.kind !== "ref" || loaded.index.local !== param || loaded.target.kind !== "ref") {
            continue;
        }
        const found = valueAt(reader, factoryMod, home, loaded.target.path);
        const dict = found?.value.kind === "dict" ? { value: found.value, file: found.file } : undefined;
        const entry = dict?.value.entries.find(([k]) => str(k) === name.v)?.[1];
        const cls = entry?.kind === "ref" ? entry.path.split(".").pop()! : undefined;
        if (dict === undefined || cls === undefined || !DEVELOPMENT.test(cls)) {
            return undefined;
        }
        const production = dict.value.entries.find(([, v]) => v.kind === "ref" && PRODUCTION.test(v.path.split(".").pop()!))?.[0];
        return { file: top.file, variables, name: name.v, cls, configFile: dict.file, production: production === undefined ? undefined : str(production) };
    }
    return undefined;
}

