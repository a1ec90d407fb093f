import type { Generation, StreamEvent } from "@keel/spec";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIProvider, type Provider } from "./openai-provider.ts";
import { keelErrorOf, recordingContext, until } from "./test-support/recording-context.ts";

const request = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Tell me a story" }] };
const REPLY = "Once upon a time there was a small, reliable gateway.";

let simulator: SimulatorHandle;
let provider: Provider;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, models: ["gpt-4o-mini"] });
  provider = createOpenAIProvider({ name: "sim", baseURL: simulator.url, apiKey: "sk-test-key-abcdef" });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

/** Reads a stream to its end, keeping what arrived before any failure. */
async function consume(events: AsyncIterable<StreamEvent>, received: StreamEvent[] = []): Promise<StreamEvent[]> {
  for await (const event of events) received.push(event);
  return received;
}

describe("stream against the simulator", () => {
  it("yields the deltas, then one done whose content is their concatenation", async () => {
    simulator.setRules([{ reply: REPLY }]);
    const { ctx, events } = recordingContext("stream");
    const received = await consume(provider.stream(request, ctx));

    const deltas = received.filter((event) => event.type === "delta");
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.every((event) => event.content.length > 0)).toBe(true);
    expect(received.at(-1)?.type).toBe("done");
    expect(received.filter((event) => event.type === "done")).toHaveLength(1);
    const generation = (received.at(-1) as { generation: Generation }).generation;
    expect(generation.content).toBe(REPLY);
    expect(deltas.map((event) => event.content).join("")).toBe(REPLY);
    expect(generation).toMatchObject({
      model: "gpt-4o-mini",
      provider: "sim",
      cache: "miss",
      attempts: 1,
      finishReason: "stop",
      fallback: { failed: [], answeredBy: "sim/gpt-4o-mini" },
    });
    expect(generation.id).toMatch(/\S/);
    // Usage from the final chunk (include_usage), not the tokenizer.
    expect(generation.usage.estimated).toBeUndefined();
    expect(generation.usage.completionTokens).toBeGreaterThan(0);
    expect(generation.costUsd).toBeCloseTo(
      (generation.usage.promptTokens * 0.15 + generation.usage.completionTokens * 0.6) / 1e6,
      15,
    );

    expect(events.map((event) => event.type)).toEqual([
      "upstream-request",
      "upstream-first-chunk",
      "upstream-response",
    ]);
    const firstChunk = events[1] as { ttftMs: number };
    expect(events[2]).toMatchObject({ target: "sim/gpt-4o-mini", usage: generation.usage, ttftMs: firstChunk.ttftMs });
  });

  it("reports time to first token from a slow upstream", async () => {
    simulator.setRules([{ reply: "Slow start.", latency: { ttftMs: 60 } }]);
    const { ctx, events } = recordingContext("stream");
    await consume(provider.stream(request, ctx));
    const firstChunk = events.find((event) => event.type === "upstream-first-chunk") as { ttftMs: number };
    expect(firstChunk.ttftMs).toBeGreaterThanOrEqual(50);
  });

  it("throws a retryable truncation when the stream dies mid-way, and never yields done", async () => {
    simulator.setRules([{ reply: REPLY, fault: { type: "stream-die", afterChunks: 3 } }]);
    const { ctx, events } = recordingContext("stream");
    const received: StreamEvent[] = [];
    const error = await keelErrorOf(consume(provider.stream(request, ctx), received));
    expect(error).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      retryable: true,
      details: { reason: "stream-truncated", target: "sim/gpt-4o-mini", deltas: 3 },
    });
    expect(received.map((event) => event.type)).toEqual(["delta", "delta", "delta"]);
    expect(events.at(-1)).toMatchObject({ type: "upstream-error", code: "UPSTREAM_UNAVAILABLE" });
  });

  it("throws UPSTREAM_UNAVAILABLE on a malformed chunk, and never yields done", async () => {
    simulator.setRules([{ reply: REPLY, fault: { type: "malformed" } }]);
    const received: StreamEvent[] = [];
    const error = await keelErrorOf(consume(provider.stream(request, recordingContext("stream").ctx), received));
    expect(error).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      retryable: true,
      details: { reason: "stream-truncated" },
    });
    expect(received.some((event) => event.type === "done")).toBe(false);
  });

  it("throws an upstream status before any delta", async () => {
    simulator.setRules([{ fault: { type: "status", status: 429, retryAfterSeconds: 1 } }]);
    const received: StreamEvent[] = [];
    const error = await keelErrorOf(consume(provider.stream(request, recordingContext("stream").ctx), received));
    expect(error).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", status: 429, retryAfterMs: 1_000 });
    expect(received).toEqual([]);
  });

  it("stops reading and closes the connection when ctx.signal aborts a stalled stream", async () => {
    simulator.setRules([{ reply: REPLY, fault: { type: "stream-stall", afterChunks: 2 } }]);
    const { ctx, events, abort } = recordingContext("stream");
    const received: StreamEvent[] = [];
    const pending = keelErrorOf(consume(provider.stream(request, ctx), received));
    await until(() => received.length === 2);
    const abortedAt = performance.now();
    abort();
    const error = await pending;
    expect(performance.now() - abortedAt).toBeLessThan(2_000);
    expect(error).toMatchObject({ code: "UPSTREAM_TIMEOUT", retryable: false, details: { reason: "aborted" } });
    expect(received.map((event) => event.type)).toEqual(["delta", "delta"]);
    expect(events.at(-1)).toMatchObject({ type: "upstream-error", code: "UPSTREAM_TIMEOUT" });
    await simulator.waitFor((stats) => stats.inFlight === 0 && stats.clientAborts === 1, 5_000);
  });

  it("closes the upstream request when the consumer stops early", async () => {
    simulator.setRules([{ reply: REPLY, latency: { perTokenMs: 20 } }]);
    const { ctx } = recordingContext("stream");
    for await (const event of provider.stream(request, ctx)) {
      expect(event.type).toBe("delta");
      break;
    }
    const stats = await simulator.waitFor((current) => current.inFlight === 0, 5_000);
    expect(stats.clientAborts).toBe(1);
  });
});
