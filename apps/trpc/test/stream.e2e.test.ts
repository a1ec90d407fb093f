import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamEvent } from "@keel/spec";
import { chat, collectStream, startStack, type Stack } from "./test-support/stack.ts";

const deltas = (events: StreamEvent[]) => events.flatMap((event) => (event.type === "delta" ? [event.content] : []));

describe("ai.stream over SSE", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "count", reply: "one two three four five six" },
        {
          promptIncludes: "die",
          reply: "alpha beta gamma delta epsilon zeta eta theta",
          fault: { type: "stream-die", afterChunks: 2 },
        },
        { promptIncludes: "slow", reply: "word ".repeat(200), latency: { perTokenMs: 40 } },
      ],
    });
  });
  afterAll(() => stack.close());

  it("yields deltas, then one done with the whole envelope", async () => {
    const outcome = await collectStream(stack.client, chat("count to six"));
    expect(outcome.completed).toBe(true);
    expect(outcome.error).toBeUndefined();
    const last = outcome.events.at(-1);
    expect(last?.type).toBe("done");
    expect(outcome.events.filter((event) => event.type !== "delta")).toHaveLength(1);
    expect(deltas(outcome.events).length).toBeGreaterThan(1);
    expect(deltas(outcome.events).join("")).toBe("one two three four five six");
    if (last?.type !== "done") throw new Error("no done event");
    expect(last.generation).toMatchObject({
      content: "one two three four five six",
      model: "gpt-4o-mini",
      provider: "simulator",
      cache: "miss",
      attempts: 1,
    });
    expect(last.generation.usage.totalTokens).toBeGreaterThan(0);
    expect(last.generation.latencyMs).toBeGreaterThanOrEqual(0);
    expect(last.generation.safety).toEqual({ input: [], output: [] });
    expect(last.generation.fallback.failed).toEqual([]);
  });

  it("ends a stream that dies mid-way with a typed error event, never done", async () => {
    const outcome = await collectStream(stack.client, chat("die please"));
    expect(outcome.completed).toBe(true);
    expect(outcome.events.some((event) => event.type === "done")).toBe(false);
    const last = outcome.events.at(-1);
    expect(last?.type).toBe("error");
    if (last?.type !== "error") throw new Error("no error event");
    expect(last.error).toMatchObject({ code: expect.stringMatching(/^UPSTREAM_/), retryable: expect.any(Boolean) });
    expect(typeof last.error.message).toBe("string");
  });

  it("aborts the upstream call when the subscriber closes the SSE stream", async () => {
    stack.simulator.reset();
    stack.simulator.setRules([{ promptIncludes: "slow", reply: "word ".repeat(200), latency: { perTokenMs: 40 } }]);
    const outcome = await collectStream(stack.client, chat("slow one"), (event, unsubscribe) => {
      if (event.type === "delta") unsubscribe();
    });
    expect(outcome.completed).toBe(false);
    expect(outcome.events.length).toBeGreaterThanOrEqual(1);
    // 200 tokens at 40 ms would take 8 s; the upstream must see the close long before.
    const stats = await stack.simulator.waitFor(
      (current) => current.clientAborts >= 1 && current.inFlight === 0,
      5_000,
    );
    expect(stats.clientAborts).toBe(1);
    expect(stats.totalCalls).toBe(1);
  });

  it("writes ai.stream in tRPC's own SSE wire format: connected, one data frame per event, return, the request id", async () => {
    stack.simulator.setRules([{ promptIncludes: "count", reply: "one two three four five six" }]);
    const input = encodeURIComponent(JSON.stringify(chat("count to six")));
    // EventSource's Accept header: the subscription guard refuses a GET subscription without it.
    const response = await fetch(`${stack.url}/ai.stream?input=${input}`, { headers: { accept: "text/event-stream" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const frames = (await response.text()).split("\n\n\n").filter((frame) => frame !== "");
    expect(frames[0]).toBe("event: connected\ndata: {}");
    expect(frames.at(-1)).toBe("event: return\ndata: ");
    const events = frames.slice(1, -1).map((frame) => JSON.parse(frame.replace(/^data: /, "")) as StreamEvent);
    expect(events.at(-1)?.type).toBe("done");
    expect(deltas(events).join("")).toBe("one two three four five six");
  });

  it("serves concurrent streams independently", async () => {
    stack.simulator.setRules([{ promptIncludes: "count", reply: "one two three four five six" }]);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => collectStream(stack.client, chat("count"))));
    for (const outcome of outcomes) {
      expect(outcome.events.at(-1)?.type).toBe("done");
      expect(deltas(outcome.events).join("")).toBe("one two three four five six");
    }
  });
});
