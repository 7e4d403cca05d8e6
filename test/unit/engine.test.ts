import * as assert from "node:assert/strict";
import { ContainerState, demux, Engine, waitHealthy } from "../../lib/resources/engine";

/** What `up` says when a container does not become healthy, for each way it can fail. */
function engine(states: Array<Partial<ContainerState>>, log = "boot\nKeyError: 'SECRET_KEY'\n"): Engine {
    let i = 0;
    return {
        async inspect() {
            const s = states[Math.min(i++, states.length - 1)];
            return { running: true, restarting: false, exitCode: 0, restartCount: 0, ...s };
        },
        async logs() {
            return log;
        },
    };
}

describe("waiting for a container's health check", () => {
    it("GIVEN starting then healthy THEN it resolves", async () => {
        assert.equal(await waitHealthy(engine([{ health: "starting" }, { health: "healthy" }]), "c", 5, 1), "healthy");
    });
    it("GIVEN a container that exited THEN the message gives its exit code and its log", async () => {
        await assert.rejects(waitHealthy(engine([{ health: "starting", running: false, exitCode: 3 }]), "c", 5, 1), (e: Error) => {
            assert.equal(e.message, "The container did not become healthy: it exited with code 3.\nLast lines of its log:\nboot\nKeyError: 'SECRET_KEY'");
            return true;
        });
    });
    it("GIVEN a container that keeps restarting THEN the message says so", async () => {
        await assert.rejects(waitHealthy(engine([{ health: "starting", restarting: true, restartCount: 3, exitCode: 1 }]), "c", 5, 1), /it keeps exiting and being restarted \(3 times so far\)/);
    });
    it("GIVEN a container still starting at the deadline THEN the message says how long it waited", async () => {
        await assert.rejects(waitHealthy(engine([{ health: "starting" }]), "c", 0, 1), /it was still starting after 0 s/);
    });
    it("GIVEN an unhealthy container THEN the message has the last probe's output", async () => {
        await assert.rejects(
            waitHealthy(engine([{ health: "unhealthy", lastProbe: { exitCode: 1, output: "connection refused" } }]), "c", 5, 1),
            /its health check failed\.\nLast health check \(exit 1\): connection refused\n/,
        );
    });
});

describe("the engine's multiplexed log stream", () => {
    it("GIVEN stdout and stderr frames THEN they are joined in order without their headers", () => {
        const frame = (stream: number, text: string): Buffer => {
            const header = Buffer.alloc(8);
            header[0] = stream;
            header.writeUInt32BE(Buffer.byteLength(text), 4);
            return Buffer.concat([header, Buffer.from(text)]);
        };
        const [f1, f2] = [frame(1, "out\n"), frame(2, "err\n")];
        assert.equal(demux(Buffer.concat([f1, f2])), "out\nerr\n");
    });
    it("GIVEN a log of a TTY container (no frames) THEN it is returned as it is", () => {
        assert.equal(demux(Buffer.from("plain text\n")), "plain text\n");
    });
});
