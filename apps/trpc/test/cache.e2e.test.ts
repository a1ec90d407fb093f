import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StreamEvent } from "@keel/spec";
import { chat, collectStream, startStack, trpcError, type Stack } from "./test-support/stack.ts";

const deltas = (events: StreamEvent[]) =>
  events.flatMap((event) => (event.type === "delta" ? [event.content] : [])).join("");

describe("cache control through ai.generate and ai.stream", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.simulator.reset());

  const upstreamCalls = () => stack.simulator.stats().calls["gpt-4o-mini"] ?? 0;

  it("answers a repeated deterministic request from the exact cache: attempts 0, one upstream call in total", async () => {
    const request = chat("Which river runs through Vienna?");
    const first = await stack.client.ai.generate.mutate(request);
    const second = await stack.client.ai.generate.mutate(request);
    expect(first).toMatchObject({ cache: "miss", attempts: 1 });
    expect(second).toMatchObject({
      cache: "exact",
      attempts: 0,
      costUsd: 0,
      content: first.content,
      fallback: { failed: [] },
    });
    expect(second.usage.totalTokens).toBe(0);
    expect(upstreamCalls()).toBe(1);
  });

  it("makes another upstream call for mode bypass, and refresh stores the fresh answer", async () => {
    const request = chat("Which river runs through Budapest?");
    await stack.client.ai.generate.mutate(request);
    const bypassed = await stack.client.ai.generate.mutate({ ...request, cache: { mode: "bypass" } });
    expect(bypassed).toMatchObject({ cache: "miss", attempts: 1 });
    expect(upstreamCalls()).toBe(2);
    const refreshed = await stack.client.ai.generate.mutate({ ...request, cache: { mode: "refresh" } });
    expect(refreshed).toMatchObject({ cache: "miss", attempts: 1 });
    expect(upstreamCalls()).toBe(3);
    expect((await stack.client.ai.generate.mutate(request)).cache).toBe("exact");
    expect(upstreamCalls()).toBe(3);
  });

  it("fails only-if-cached on a fresh prompt with UPSTREAM_UNAVAILABLE (reason not-cached) and no upstream call", async () => {
    const request = chat("Zebra quartz lantern 7781?", { cache: { mode: "only-if-cached" } });
    const error = await trpcError(stack.client.ai.generate.mutate(request));
    expect(error.data).toMatchObject({
      code: "BAD_GATEWAY",
      httpStatus: 502,
      keelCode: "UPSTREAM_UNAVAILABLE",
      retryable: false,
      details: { reason: "not-cached" },
    });
    expect(stack.simulator.stats().totalCalls).toBe(0);
    // Once stored, the same mode answers from the cache.
    await stack.client.ai.generate.mutate({ ...request, cache: { mode: "default" } });
    expect((await stack.client.ai.generate.mutate(request)).cache).toBe("exact");
    expect(upstreamCalls()).toBe(1);
  });

  it("replays a cache hit as a stream: deltas, then one done marked exact", async () => {
    const request = chat("Describe a lighthouse at dusk");
    const first = await collectStream(stack.client, request);
    expect(first.events.at(-1)).toMatchObject({ type: "done", generation: { cache: "miss" } });
    const replay = await collectStream(stack.client, request);
    expect(replay.completed).toBe(true);
    const last = replay.events.at(-1);
    expect(last).toMatchObject({ type: "done", generation: { cache: "exact", attempts: 0 } });
    expect(replay.events.filter((event) => event.type === "delta").length).toBeGreaterThan(0);
    expect(deltas(replay.events)).toBe(deltas(first.events));
    expect(last?.type === "done" && last.generation.content).toBe(deltas(first.events));
    expect(upstreamCalls()).toBe(1);
  });

  it("passes cache.ttlSeconds through: the entry expires after it", async () => {
    const request = chat("Name a colour of the rainbow", { cache: { ttlSeconds: 1 } });
    await stack.client.ai.generate.mutate(request);
    expect((await stack.client.ai.generate.mutate(request)).cache).toBe("exact");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await stack.client.ai.generate.mutate(request)).cache).toBe("miss");
    expect(upstreamCalls()).toBe(2);
  });

  it("refuses a bad cache mode with BAD_REQUEST naming the field", async () => {
    const error = await trpcError(
      stack.client.ai.generate.mutate({ ...chat("Hi"), cache: { mode: "sometimes" as "default" } }),
    );
    expect(error.data).toMatchObject({ keelCode: "BAD_REQUEST", details: { field: "cache.mode" } });
  });
});
