import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError, type StreamEvent } from "@keel/spec";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline, type Pipeline } from "../pipeline/create-pipeline.ts";
import { createEndableStream, type TrackStream } from "./endable-stream.ts";

let simulator: SimulatorHandle;
let pipeline: Pipeline;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
      models: { chat: { targets: ["sim/gpt-4o-mini"] } },
      defaults: { policy: { retry: false, breaker: false } },
      telemetry: { log: { level: "silent" } },
      // These tests stall the upstream after its first chunk; the output guard holds text back to a
      // sentence boundary, so with safety on no delta would reach the subscriber before the stall.
      safety: { enabled: false },
    }),
  );
});
afterAll(async () => {
  await pipeline.close();
  await simulator.close();
});
beforeEach(() => simulator.reset());

/** The host's side: the live streams a shutdown would close. */
function tracker() {
  const live = new Set<(error: KeelError) => void>();
  const track: TrackStream = (close) => {
    live.add(close);
    return () => live.delete(close);
  };
  return { track, live };
}

let asked = 0;
const open = (signal: AbortSignal): AsyncIterable<StreamEvent> =>
  pipeline.stream({ model: "chat", messages: [{ role: "user", content: `tell me (#${++asked})` }] }, { signal });

const upstreamGone = () => simulator.waitFor((stats) => stats.inFlight === 0);

describe("createEndableStream", () => {
  it("relays the deltas and the one done, then ends and untracks", async () => {
    simulator.setRules([{ reply: "one two three" }]);
    const { track, live } = tracker();
    const stream = createEndableStream({ open, track });
    expect(live.size).toBe(1);
    const events: StreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.filter((event) => event.type === "delta").length).toBeGreaterThan(0);
    expect(events.at(-1)?.type).toBe("done");
    expect(events.filter((event) => event.type !== "delta")).toHaveLength(1);
    expect(live.size).toBe(0);
  });

  it("ends at once when the subscriber leaves while the upstream is silent, aborting it", async () => {
    simulator.setRules([{ reply: "one two three", fault: { type: "stream-stall", afterChunks: 1 } }]);
    const { track, live } = tracker();
    const stream = createEndableStream({ open, track });
    expect((await stream.next()).value).toMatchObject({ type: "delta" });
    const pending = stream.next();
    await simulator.waitFor((stats) => stats.inFlight === 1);
    expect(await stream.return?.()).toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(live.size).toBe(0);
    await upstreamGone();
  });

  it("gives a pending subscriber one final error on shutdown, then completes", async () => {
    simulator.setRules([{ reply: "one two three", fault: { type: "stream-stall", afterChunks: 1 } }]);
    const { track, live } = tracker();
    const stream = createEndableStream({ open, track });
    expect((await stream.next()).value).toMatchObject({ type: "delta" });
    const pending = stream.next();
    const shuttingDown = new KeelError("UPSTREAM_UNAVAILABLE", "the service is shutting down", {
      details: { reason: "shutting-down" },
    });
    for (const close of [...live]) close(shuttingDown);
    expect((await pending).value).toEqual({ type: "error", error: shuttingDown.toJSON() });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(live.size).toBe(0);
    await upstreamGone();
  });

  it("aborts the upstream when the caller's signal aborts (tRPC's procedure signal)", async () => {
    simulator.setRules([{ reply: "one two three", fault: { type: "stream-stall", afterChunks: 1 } }]);
    const { track, live } = tracker();
    const caller = new AbortController();
    const stream = createEndableStream({ open, track, callerSignal: caller.signal });
    expect((await stream.next()).value).toMatchObject({ type: "delta" });
    const pending = stream.next();
    caller.abort();
    expect((await pending).value).toMatchObject({ type: "error", error: { details: { reason: "client-closed" } } });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(live.size).toBe(0);
    await upstreamGone();
  });
});
