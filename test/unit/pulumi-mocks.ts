import * as pulumi from "@pulumi/pulumi";

/**
 * What the component tests share when they run the components against
 * Pulumi's mocks: the record of registered resources, secret handling on the
 * wire, and the state the mocked providers answer for the docker-build image
 * and the pulled image. Each test file adds the resources its component uses.
 */

/** One registered resource: its exact type, name and inputs. */
export interface Recorded {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/** Pulumi's wire marker for a secret value. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export function isSecretValue(x: unknown): boolean {
    return typeof x === "object" && x !== null && SECRET_SIG in x;
}

/** The inputs with every secret wrapper replaced by its value. */
export function unwrap(x: any): any {
    if (isSecretValue(x)) {
        return unwrap(x.value);
    }
    if (Array.isArray(x)) {
        return x.map(unwrap);
    }
    if (x && typeof x === "object") {
        return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, unwrap(v)]));
    }
    return x;
}

/**
 * The state a mocked provider answers with: the inputs, plus the docker-build
 * image's digest and pinned ref and the pulled image's id.
 */
export function providerState(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
    const state: Record<string, any> = unwrap(args.inputs);
    if (args.type === "docker-build:index:Image") {
        state.digest = "sha256:" + "a".repeat(64);
        state.ref = `${args.inputs.tags[0]}@sha256:${"a".repeat(64)}`;
    }
    if (args.type === "docker:index/remoteImage:RemoteImage") {
        state.imageId = "sha256:" + "b".repeat(64);
    }
    return state;
}

export function outputOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** Lets the mock engine register every child. */
export async function settle(): Promise<void> {
    await new Promise((r) => setTimeout(r, 50));
}
