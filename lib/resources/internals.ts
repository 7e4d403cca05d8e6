import * as pulumi from "@pulumi/pulumi";

/**
 * What a component keeps for TypeScript callers without making it an output.
 *
 * Pulumi's schema inference (the package run as a plugin, for programs in
 * other languages) takes every property of a component class as an output:
 * public, `private` and `#private` fields alike; getters and methods it
 * leaves out. So a component declares fields only for its `Output<T>`
 * outputs, and serves everything else (the typed plan, child resources,
 * plain values) from getters that read one module-level store:
 *
 *     const internals = new ComponentInternals<PythonImage, { plan: Plan }>("PythonImage");
 *     export class PythonImage extends pulumi.ComponentResource {
 *         readonly ref: pulumi.Output<string>; // an output
 *         get plan(): Plan { return internals.get(this).plan; } // not an output
 *         constructor(name: string, args: PythonImageArgs, opts?: pulumi.ComponentResourceOptions) {
 *             ...
 *             internals.set(this, { plan });
 *         }
 *     }
 *
 * The store holds its entries weakly (a WeakMap): an entry goes with its component.
 */
export class ComponentInternals<C extends pulumi.ComponentResource, S extends object> {
    private readonly store = new WeakMap<C, S>();

    /** `component` names the class in the error of a read before `set`, e.g. "PythonImage". */
    constructor(private readonly component: string) {}

    /** Stores the component's internals; call once, in its constructor. Returns `state`. */
    set(component: C, state: S): S {
        this.store.set(component, state);
        return state;
    }

    /** The component's internals. Throws when `set` has not run for it (a getter read inside the constructor, before `set`). */
    get(component: C): S {
        const state = this.store.get(component);
        if (state === undefined) {
            throw new Error(`${this.component}: its getters are read before its constructor stored them; read them after construction.`);
        }
        return state;
    }
}
