import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import {
  chat,
  collectStream,
  dataOf,
  GENERATE,
  graphql,
  startStack,
  wsClient,
  type GenerateData,
  type Stack,
  type StreamEventView,
} from "./test-support/stack.ts";

const deltas = (events: StreamEventView[]) =>
  events.flatMap((event) => (event.type === "DELTA" ? [event.content ?? ""] : [])).join("");

describe("cache control through generate and generateStream", () => {
  let stack: Stack;
  let client: Client | undefined;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.simulator.reset());
  afterEach(async () => {
    await client?.dispose();
    client = undefined;
  });

  const upstreamCalls = () => stack.simulator.stats().calls["gpt-4o-mini"] ?? 0;
  const generate = async (input: Record<string, unknown>) => {
    const response = await graphql<GenerateData>({ url: stack.url, query: GENERATE, variables: { input } });
    if (response.body?.errors) throw new Error(JSON.stringify(response.body.errors));
    return dataOf(response).generate;
  };

  it("answers a repeated deterministic request from the exact cache: EXACT, attempts 0, one upstream call in total", async () => {
    const input = chat("Which river runs through Vienna?");
    const first = await generate(input);
    const second = await generate(input);
    expect(first).toMatchObject({ cache: "MISS", attempts: 1 });
    expect(second).toMatchObject({
      cache: "EXACT",
      attempts: 0,
      costUsd: 0,
      content: first.content,
      fallback: { failed: [] },
    });
    expect(second.usage.totalTokens).toBe(0);
    expect(upstreamCalls()).toBe(1);
  });

  it("makes another upstream call for mode BYPASS, and REFRESH stores the fresh answer", async () => {
    const input = chat("Which river runs through Budapest?");
    await generate(input);
    expect(await generate({ ...input, cache: { mode: "BYPASS" } })).toMatchObject({ cache: "MISS", attempts: 1 });
    expect(upstreamCalls()).toBe(2);
    expect(await generate({ ...input, cache: { mode: "REFRESH" } })).toMatchObject({ cache: "MISS", attempts: 1 });
    expect(upstreamCalls()).toBe(3);
    expect((await generate(input)).cache).toBe("EXACT");
    expect(upstreamCalls()).toBe(3);
  });

  it("fails ONLY_IF_CACHED on a fresh prompt with UPSTREAM_UNAVAILABLE (reason not-cached) and no upstream call", async () => {
    const input = chat("Zebra quartz lantern 7781?", { cache: { mode: "ONLY_IF_CACHED" } });
    const response = await graphql({ url: stack.url, query: GENERATE, variables: { input } });
    expect(response.body?.data).toBeNull();
    expect(response.body?.errors?.[0]).toMatchObject({
      path: ["generate"],
      extensions: { code: "UPSTREAM_UNAVAILABLE", retryable: false, details: { reason: "not-cached" } },
    });
    expect(stack.simulator.stats().totalCalls).toBe(0);
    await generate({ ...input, cache: { mode: "DEFAULT" } });
    expect((await generate(input)).cache).toBe("EXACT");
    expect(upstreamCalls()).toBe(1);
  });

  it("replays a cache hit as a stream over graphql-ws: DELTAs, then one DONE marked EXACT", async () => {
    client = wsClient(stack.wsUrl);
    const input = chat("Describe a lighthouse at dusk");
    const first = await collectStream(client, input);
    expect(first.events.at(-1)).toMatchObject({ type: "DONE", generation: { cache: "MISS" } });
    const replay = await collectStream(client, input);
    expect(replay.completed).toBe(true);
    expect(replay.errors).toEqual([]);
    const last = replay.events.at(-1);
    expect(last).toMatchObject({ type: "DONE", generation: { cache: "EXACT", attempts: 0 } });
    expect(replay.events.filter((event) => event.type === "DELTA").length).toBeGreaterThan(0);
    expect(deltas(replay.events)).toBe(deltas(first.events));
    expect(last?.generation?.content).toBe(deltas(first.events));
    expect(upstreamCalls()).toBe(1);
  });

  it("passes cache.ttlSeconds through: the entry expires after it", async () => {
    const input = chat("Name a colour of the rainbow", { cache: { ttlSeconds: 1 } });
    await generate(input);
    expect((await generate(input)).cache).toBe("EXACT");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await generate(input)).cache).toBe("MISS");
    expect(upstreamCalls()).toBe(2);
  });

  it("refuses a cache mode outside the enum with BAD_REQUEST naming the field", async () => {
    const response = await graphql({
      url: stack.url,
      query: GENERATE,
      variables: { input: chat("Hi", { cache: { mode: "SOMETIMES" } }) },
    });
    expect(response.body?.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "cache.mode" },
    });
  });
});
