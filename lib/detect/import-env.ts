import { ImportRoot, moduleReader } from "./app-code";
import { bind, requiredVariables } from "./python-eval";
import { calleeOf, Expr } from "./python-source";
import { SourceTree } from "./source";

/** What the served module's import reads from the environment with no default. */
export interface ImportEnv {
    /** The variables, in the order the code reads them. */
    readonly variables: readonly string[];
    /** The files that read them, relative to the source folder. */
    readonly files: readonly string[];
    /** A file among them loads a .env file (python-dotenv's load_dotenv), which the image leaves out. */
    readonly dotenv: boolean;
}

/**
 * The environment variables the module gunicorn imports reads at import with
 * no default (`os.environ["SECRET_KEY"]`, `env("X")`: os.environ.get() and
 * getenv() without a default are fine), and those the app's own modules it
 * imports read (one level down): without them every worker dies at start with
 * KeyError. Top-level statements only, and not those under an `if`.
 */
export function importTimeEnv(src: SourceTree, roots: readonly ImportRoot[], module: string): ImportEnv | undefined {
    const reader = moduleReader(src, roots);
    const top = reader.fileOf(module);
    if (top === undefined) {
        return undefined;
    }
    const variables: string[] = [];
    const files: string[] = [];
    let dotenv = false;
    const scan = (file: string, root: ImportRoot, depth: number): void => {
        const mod = reader.parse(file);
        if (!mod) {
            return;
        }
        const names = new Map<string, Expr>();
        const lookup = (local: string): Expr | undefined => names.get(local);
        let found = false;
        for (const step of mod.order) {
            if (step.guards.length > 0) {
                continue;
            }
            if (step.kind === "import") {
                if (depth === 0 && !step.module.startsWith("__future__")) {
                    const from = { file, root };
                    const where = (step.name !== undefined ? reader.fileOf(`${step.module}.${step.name}`, from) : undefined) ?? reader.fileOf(step.module, from);
                    if (where !== undefined && where.file !== file) {
                        scan(where.file, where.root, depth + 1);
                    }
                }
                continue;
            }
            if (step.kind !== "assign" && step.kind !== "update" && step.kind !== "expr") {
                continue;
            }
            if (step.value.kind === "call" && (calleeOf(step.value) ?? "").startsWith("dotenv.")) {
                dotenv = true;
            }
            for (const v of requiredVariables(step.value, (x) => bind(x, lookup))) {
                found = true;
                if (!variables.includes(v)) {
                    variables.push(v);
                }
            }
            if (step.kind === "assign") {
                names.set(step.name, bind(step.value, lookup));
            }
        }
        if (found && !files.includes(file)) {
            files.push(file);
        }
    };
    scan(top.file, top.root, 0);
    return variables.length === 0 ? undefined : { variables, files, dotenv };
}
