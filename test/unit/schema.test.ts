import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";
import { APP_INTERFACES } from "../../lib/data/frameworks";
import { INSTALLERS } from "../../lib/detect/dependencies";
import { WRITABLE_PATH_KINDS } from "../../lib/detect/writable-paths";
import { KNOWN_OPTIONS } from "../../lib/plan/options";
import { RESTART_POLICIES } from "../../lib/resources/python-app";
import { ROOT } from "./helpers";

/**
 * The package's schema as other Pulumi languages see it: plugin/ run through
 * Pulumi's schema inference (the analyzer that reads the TypeScript source
 * when the package runs as a plugin) the way the plugin's GetSchema runs it.
 * Golden file test/golden/schema.json: a change to the public surface shows
 * up there in review. Regenerate with:
 *   UPDATE_GOLDEN=1 npx mocha test/unit/schema.test.ts
 */

const PLUGIN = path.join(ROOT, "plugin");
const GOLDEN = path.join(ROOT, "test", "golden", "schema.json");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const NAME = "pulumi-python-app";

interface Property {
    type?: string;
    $ref?: string;
    description?: string;
    items?: Property;
    additionalProperties?: Property;
}
interface Resource {
    inputProperties: Record<string, Property>;
    requiredInputs: string[];
    properties: Record<string, Property>;
    required: string[];
    description?: string;
}
interface Schema {
    name: string;
    version: string;
    description: string;
    resources: Record<string, Resource>;
    types: Record<string, { type: string; enum?: Array<{ name: string; value: string; description?: string }> }>;
    dependencies: unknown[];
}

function readJson(file: string): any {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

describe("the plugin's schema (Pulumi's schema inference over plugin/)", function () {
    // The analyzer builds a TypeScript program over lib/ and the types it imports: seconds, not milliseconds.
    this.timeout(180000);

    let schema: Schema;
    let text: string;
    let componentNames: string[];

    before(() => {
        const pkg = readJson(path.join(PLUGIN, "package.json"));
        // What the plugin finds at run time: the component classes among the package's exports.
        componentNames = getPulumiComponents(require("../../lib")).map((c) => c.name).sort();
        const analyzed = new Analyzer(PLUGIN, pkg.name, pkg, new Set(componentNames)).analyze();
        schema = generateSchema(pkg.name, pkg.version, pkg.description, analyzed.components, analyzed.typeDefinitions, analyzed.dependencies) as unknown as Schema;
        text = JSON.stringify(schema, null, 2) + "\n";
    });

    const resource = (component: string): Resource => schema.resources[`${NAME}:index:${component}`];

    it("GIVEN plugin/package.json THEN it names the package, with the root's version and description, and points at the built entry", () => {
        const root = readJson(path.join(ROOT, "package.json"));
        const plugin = readJson(path.join(PLUGIN, "package.json"));
        assert.equal(plugin.name, NAME);
        assert.equal(plugin.version, root.version);
        assert.equal(plugin.description, root.description);
        assert.equal(plugin.main, "index.js");
        assert.equal(plugin.dependencies, undefined, "the plugin uses the package's own node_modules");
        assert.match(fs.readFileSync(path.join(PLUGIN, "index.js"), "utf8"), /^module\.exports = require\("\.\.\/dist\/lib"\);$/m);
        assert.match(fs.readFileSync(path.join(PLUGIN, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
        // npm users run it from node_modules/pulumi-python-app/plugin: the analyzer needs the TypeScript source there too.
        for (const entry of ["dist/lib", "lib", "plugin"]) {
            assert.ok(root.files.includes(entry), `package.json files lists ${entry}`);
        }
    });

    it("GIVEN the package's exports THEN the components are PythonApp, PythonImage and PythonService", () => {
        assert.deepEqual(componentNames, ["PythonApp", "PythonImage", "PythonService"]);
        assert.deepEqual(Object.keys(schema.resources).sort(), [`${NAME}:index:PythonApp`, `${NAME}:index:PythonImage`, `${NAME}:index:PythonService`]);
    });

    it("GIVEN the schema THEN nothing is untyped (no pulumi.json#/Any) and it depends on no other package", () => {
        assert.ok(!text.includes("pulumi.json#/Any"), "a property came out untyped (an Omit<>/mapped type, or any)");
        assert.deepEqual(schema.dependencies, []);
        assert.equal(schema.name, NAME);
    });

    it("GIVEN the enum-typed args THEN each is a $ref to an enum with the values validation accepts", () => {
        const enumOf = (ref: string | undefined) => {
            assert.ok(ref !== undefined && ref.startsWith(`#/types/${NAME}:index:`), `not a type ref: ${ref}`);
            const t = schema.types[ref.slice("#/types/".length)];
            assert.equal(t.type, "string");
            return t.enum!.map((m) => m.value);
        };
        const app = resource("PythonApp").inputProperties;
        const image = resource("PythonImage").inputProperties;
        const service = resource("PythonService").inputProperties;
        assert.deepEqual(enumOf(app.restart.$ref), [...RESTART_POLICIES]);
        assert.deepEqual(enumOf(service.restart.$ref), [...RESTART_POLICIES]);
        assert.deepEqual(enumOf(service.endpointMode.$ref), ["vip", "dnsrr"]);
        assert.deepEqual(enumOf(service.publishMode.$ref), ["ingress", "host"]);
        for (const args of [app, image, service]) {
            assert.deepEqual(enumOf(args.interface.$ref), [...APP_INTERFACES]);
            assert.deepEqual(enumOf(args.installer.$ref), [...INSTALLERS]);
            assert.deepEqual(enumOf(args.cacheMode.$ref), ["min", "max"]);
            assert.equal(args.writablePaths.type, "object");
            assert.deepEqual(enumOf(args.writablePaths.additionalProperties!.$ref), [...WRITABLE_PATH_KINDS]);
        }
        for (const t of Object.values(schema.types).filter((x) => x.enum)) {
            for (const m of t.enum!) {
                assert.ok(m.description, `enum value ${m.value} has a description`);
            }
        }
    });

    it("GIVEN every synthesize option THEN PythonImage and PythonApp take it, and every arg has a description", () => {
        const image = resource("PythonImage");
        const app = resource("PythonApp");
        for (const option of KNOWN_OPTIONS) {
            assert.ok(option in image.inputProperties, `PythonImage takes ${option}`);
        }
        const service = resource("PythonService");
        for (const key of Object.keys(image.inputProperties)) {
            assert.ok(key in app.inputProperties, `PythonApp takes PythonImage's ${key}`);
        }
        for (const key of Object.keys(app.inputProperties)) {
            assert.ok(key in service.inputProperties, `PythonService takes PythonApp's ${key}`);
        }
        for (const [component, r] of [["PythonImage", image], ["PythonApp", app], ["PythonService", service]] as const) {
            for (const [key, p] of Object.entries(r.inputProperties)) {
                assert.ok(p.description && p.description.trim().length > 0, `${component}.${key} has a description`);
            }
            assert.deepEqual(r.requiredInputs, ["source"]);
            assert.ok(r.description, `${component} has a description`);
        }
        assert.deepEqual(image.inputProperties.releaseCommand, {
            type: "array",
            items: { type: "string", plain: true },
            optional: true,
            plain: true,
            description: image.inputProperties.releaseCommand.description,
        });
    });

    it("GIVEN the components' outputs THEN they are exactly their Output fields, all strings", () => {
        const outputs: Record<string, string[]> = {
            PythonApp: ["containerId", "containerName", "dockerfile", "imageRef", "planJson", "url"],
            PythonImage: ["digest", "dockerfile", "dockerignore", "planJson", "ref"],
            PythonService: ["address", "dockerfile", "imageRef", "networkName", "planJson", "serviceId", "serviceName"],
        };
        for (const [component, names] of Object.entries(outputs)) {
            const r = resource(component);
            assert.deepEqual(Object.keys(r.properties).sort(), names, `${component}'s outputs`);
            assert.deepEqual(r.required, names);
            for (const [key, p] of Object.entries(r.properties)) {
                assert.equal(p.type, "string", `${component}.${key}`);
                assert.ok(p.description, `${component}.${key} has a description`);
            }
        }
    });

    it("GIVEN the schema THEN it matches test/golden/schema.json", () => {
        if (UPDATE) {
            fs.writeFileSync(GOLDEN, text);
            return;
        }
        assert.ok(fs.existsSync(GOLDEN), `${GOLDEN} is missing; run with UPDATE_GOLDEN=1 once`);
        assert.equal(text, fs.readFileSync(GOLDEN, "utf8"));
    });
});
