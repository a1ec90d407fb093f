import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { chat, collectStream, hasNoStackTrace, startStack, wsClient, type Stack } from "./test-support/stack.ts";

const LONG_REPLY = Array.from({ length: 60 }, (_, index) => `word${index}`).join(" ");

describe("generateStream subscription", () => {
  let stack: Stack;
  let client: Client;
  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "count", reply: "one two three four five six" },
        { promptIncludes: "dies", reply: LONG_REPLY, fault: { type: "stream-die", afterChunks: 3 } },
        { promptIncludes: "boom", fault: { type: "status", status: 500 } },
        { promptIncludes: "slowly", reply: LONG_REPLY, latency: { perTokenMs: 50 } },
        { promptIncludes: "hangs", fault: { type: "hang" } },
      ],
    });
  });
  afterAll(() => stack.close());
  afterEach(async () => {
    await client?.dispose();
  });

  it("streams deltas, then one DONE with the whole envelope, then completes", async () => {
    client = wsClient(stack.wsUrl);
    const outcome = await collectStream(client, chat("count to six"));
    expect(outcome.errors).toEqual([]);
    expect(outcome.completed).toBe(true);
    const deltas = outcome.events.filter((event) => event.type === "DELTA");
    expect(deltas.length).toBeGreaterThan(1);
    const last = outcome.events.at(-1);
    expect(last?.type).toBe("DONE");
    expect(outcome.events.filter((event) => event.type !== "DELTA")).toHaveLength(1);
    expect(deltas.map((event) => event.content).join("")).toBe("one two three four five six");
    expect(last?.generation).toMatchObject({
      content: "one two three four five six",
      model: "gpt-4o-mini",
      provider: "simulator",
      cache: "MISS",
      finishReason: "STOP",
      fallback: { failed: [], answeredBy: "simulator/gpt-4o-mini" },
      safety: { input: [], output: [] },
    });
    expect(last?.generation?.usage.totalTokens).toBeGreaterThan(0);
  });

  it("a stream that dies mid-way ends with one ERROR event, never DONE", async () => {
    client = wsClient(stack.wsUrl);
    const outcome = await collectStream(client, chat("this one dies"));
    expect(outcome.completed).toBe(true);
    expect(outcome.events.some((event) => event.type === "DONE")).toBe(false);
    const last = outcome.events.at(-1);
    expect(last?.type).toBe("ERROR");
    expect(last?.error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryable: true });
    expect(hasNoStackTrace(JSON.stringify(outcome.events))).toBe(true);
  });

  it("an upstream 500 ends the stream with an ERROR event carrying the typed code", async () => {
    client = wsClient(stack.wsUrl);
    const outcome = await collectStream(client, chat("boom"));
    expect(outcome.events).toHaveLength(1);
    expect(outcome.events[0]).toMatchObject({ type: "ERROR", error: { code: "UPSTREAM_UNAVAILABLE" } });
    expect(outcome.completed).toBe(true);
  });

  it("bad input fails the operation with BAD_REQUEST naming the field, before any event", async () => {
    client = wsClient(stack.wsUrl);
    const callsBefore = stack.simulator.stats().totalCalls;
    const range = await collectStream(client, chat("hi", { temperature: 5 }));
    expect(range.events).toEqual([]);
    expect(range.errors).toHaveLength(1);
    expect(range.errors[0]?.extensions).toMatchObject({ code: "BAD_REQUEST", details: { field: "temperature" } });

    const wrongType = await collectStream(client, { model: "gpt-4o-mini", messages: [{ role: "USER", content: 7 }] });
    expect(wrongType.errors[0]?.extensions).toMatchObject({
      code: "BAD_REQUEST",
      graphqlCode: "BAD_USER_INPUT",
      details: { field: "messages.0.content" },
    });

    expect(stack.simulator.stats().totalCalls).toBe(callsBefore);
  });

  it("what the pipeline rejects (an unknown model) arrives as one ERROR event with the same code", async () => {
    client = wsClient(stack.wsUrl);
    const outcome = await collectStream(client, chat("hi", { model: "gpt-9" }));
    expect(outcome.errors).toEqual([]);
    expect(outcome.events).toEqual([
      {
        type: "ERROR",
        content: null,
        generation: null,
        error: expect.objectContaining({
          code: "BAD_REQUEST",
          retryable: false,
          details: expect.objectContaining({ field: "model" }),
        }),
      },
    ]);
    expect(outcome.completed).toBe(true);
    expect(stack.simulator.stats().calls["gpt-9"]).toBeUndefined();
  });

  it("a document that does not validate gets BAD_REQUEST over the socket too", async () => {
    client = wsClient(stack.wsUrl);
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: "subscription { generateStream(input: { model: 1 }) { nope } }" },
        { next: () => {}, error: resolve, complete: () => resolve([]) },
      );
    });
    expect(Array.isArray(errors)).toBe(true);
    for (const error of errors as { extensions: Record<string, unknown> }[]) {
      expect(error.extensions).toMatchObject({ code: "BAD_REQUEST", graphqlCode: "GRAPHQL_VALIDATION_FAILED" });
    }
  });

  it("closing the WebSocket mid-stream aborts the upstream call", async () => {
    stack.simulator.reset();
    stack.simulator.setRules([{ promptIncludes: "slowly", reply: LONG_REPLY, latency: { perTokenMs: 50 } }]);
    client = wsClient(stack.wsUrl);
    const outcome = await collectStream(client, chat("go slowly"), (event, unsubscribe) => {
      if (event.type !== "DELTA") return;
      unsubscribe();
      void client.dispose();
    });
    expect(outcome.events.some((event) => event.type === "DONE")).toBe(false);
    const stats = await stack.simulator.waitFor(
      (current) => current.clientAborts >= 1 && current.inFlight === 0,
      10_000,
    );
    expect(stats.clientAborts).toBe(1);
  });

  it("completing the subscription while the upstream is silent aborts it", async () => {
    stack.simulator.reset();
    stack.simulator.setRules([{ promptIncludes: "hangs", fault: { type: "hang" } }]);
    client = wsClient(stack.wsUrl);
    const unsubscribe = client.subscribe(
      {
        query: `subscription($input: GenerateInput!) { generateStream(input: $input) { type } }`,
        variables: { input: chat("this hangs") },
      },
      {
        next: () => {},
        error: () => {},
        complete: () => {},
      },
    );
    await stack.simulator.waitFor((current) => current.inFlight === 1, 10_000);
    unsubscribe();
    const stats = await stack.simulator.waitFor(
      (current) => current.clientAborts === 1 && current.inFlight === 0,
      10_000,
    );
    expect(stats.totalCalls).toBe(1);
  });
});
