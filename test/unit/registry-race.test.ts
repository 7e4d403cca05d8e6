import * as assert from "node:assert/strict";
import { REGISTRY_LINK_RACE, retryOnRegistryLinkRace } from "../support/registry";

/** The end-to-end and corpus runs' one retry: only the local registry's link-file race, and only once. */
describe("retryOnRegistryLinkRace", () => {
    const race = new Error(`failed to push: errors:\nunknown: ${REGISTRY_LINK_RACE}\nunknown: blob unknown to registry`);
    const quiet = <T>(f: () => Promise<T>): Promise<T> => {
        const write = process.stderr.write;
        process.stderr.write = (() => true) as typeof process.stderr.write;
        return f().finally(() => (process.stderr.write = write));
    };

    it("GIVEN an up that fails with the registry's link race THEN it runs once more and returns the second result", async () => {
        let calls = 0;
        const result = await quiet(() => retryOnRegistryLinkRace("up", async () => (++calls === 1 ? Promise.reject(race) : "deployed"), String));
        assert.equal(result, "deployed");
        assert.equal(calls, 2);
    });

    it("GIVEN the race twice THEN the second failure is thrown", async () => {
        let calls = 0;
        await assert.rejects(quiet(() => retryOnRegistryLinkRace("up", async () => Promise.reject(new Error(`${++calls}: ${REGISTRY_LINK_RACE}`)), String)), /^Error: 2: provided digest/);
        assert.equal(calls, 2);
    });

    it("GIVEN any other failure THEN it is thrown at once, with no second run", async () => {
        let calls = 0;
        await assert.rejects(
            retryOnRegistryLinkRace("up", async () => (calls++, Promise.reject(new Error("release step failed"))), String),
            /release step failed/,
        );
        assert.equal(calls, 1);
    });
});
