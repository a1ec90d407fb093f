import type { Client } from "graphql-ws";
import type { FormattedExecutionResult } from "graphql";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chat, startStack, wsClient, type Stack } from "./test-support/stack.ts";

const LONG_REPLY = Array.from({ length: 60 }, (_, index) => `word${index}`).join(" ");

/** Aliases, a named and an inline fragment, __typename at two levels: what event plans build without execute. */
const SHAPED = `subscription Shaped($input: GenerateInput!) {
  stream: generateStream(input: $input) {
    __typename kind: type ...Text
    ... on StreamEvent { failure: error { code retryable __typename } }
    generation { __typename answer: content usage { totalTokens } finishReason }
  }
}
fragment Text on StreamEvent { text: content }`;

const TOGGLED = `subscription Toggled($input: GenerateInput!, $withText: Boolean!) {
  generateStream(input: $input) { type content @include(if: $withText) }
}`;

interface Outcome {
  results: FormattedExecutionResult[];
  errors: unknown;
  completed: boolean;
}

/** The SHAPED event in one result (its root field is aliased `stream`). */
function eventOf(result: FormattedExecutionResult | undefined): Record<string, unknown> | undefined {
  return (result?.data as { stream?: Record<string, unknown> } | null | undefined)?.stream;
}

/** Every `next` payload of one subscription as it arrived, then how it ended. */
function run(client: Client, query: string, variables: Record<string, unknown>): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { results: [], errors: undefined, completed: false };
    client.subscribe(
      { query, variables },
      {
        next: (result) => outcome.results.push(result as FormattedExecutionResult),
        error: (errors) => resolve({ ...outcome, errors }),
        complete: () => resolve({ ...outcome, completed: true }),
      },
    );
  });
}

describe("subscription documents: kept once parsed and validated, events built by plans", () => {
  let stack: Stack;
  let client: Client;
  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "count", reply: "one two three" },
        { promptIncludes: "dies", reply: LONG_REPLY, fault: { type: "stream-die", afterChunks: 3 } },
      ],
    });
  });
  afterAll(() => stack.close());
  afterEach(async () => {
    await client?.dispose();
  });

  it("aliases, fragments and __typename come out as graphql-js builds them, the same for the document sent again", async () => {
    client = wsClient(stack.wsUrl);
    const callsBefore = stack.simulator.stats().totalCalls;
    // The cache bypassed: both streams come from the upstream, so they carry the same deltas.
    const input = chat("count to three", { cache: { mode: "BYPASS" } });
    const first = await run(client, SHAPED, { input });
    const second = await run(client, SHAPED, { input });
    expect(first.completed).toBe(true);
    expect(first.errors).toBeUndefined();
    const deltas = first.results.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(1);
    for (const result of deltas) {
      expect(Object.keys(result)).toEqual(["data"]);
      const event = (result.data as { stream: Record<string, unknown> }).stream;
      expect(Object.keys(event)).toEqual(["__typename", "kind", "text", "failure", "generation"]);
      expect(event).toMatchObject({ __typename: "StreamEvent", kind: "DELTA", failure: null, generation: null });
    }
    expect(deltas.map((result) => (result.data as { stream: { text: string } }).stream.text).join("")).toBe(
      "one two three",
    );
    const done = eventOf(first.results.at(-1));
    expect(done).toEqual({
      __typename: "StreamEvent",
      kind: "DONE",
      text: null,
      failure: null,
      generation: {
        __typename: "Generation",
        answer: "one two three",
        usage: { totalTokens: expect.any(Number) },
        finishReason: "STOP",
      },
    });
    // The cached document answers the same; the envelope's usage counts may differ, the shape may not.
    expect(second.completed).toBe(true);
    expect(JSON.stringify(second.results.slice(0, -1))).toBe(JSON.stringify(deltas));
    expect(Object.keys(eventOf(second.results.at(-1)) ?? {})).toEqual(Object.keys(done ?? { missing: true }));
    expect(stack.simulator.stats().totalCalls - callsBefore).toBe(2);
  });

  it("a broken stream through the shaped selection still ends with one ERROR event carrying the code, never DONE", async () => {
    client = wsClient(stack.wsUrl);
    const outcome = await run(client, SHAPED, { input: chat("this one dies") });
    expect(outcome.completed).toBe(true);
    const events = outcome.results.map((result) => (result.data as { stream: Record<string, unknown> }).stream);
    expect(events.some((event) => event.kind === "DONE")).toBe(false);
    expect(events.at(-1)).toEqual({
      __typename: "StreamEvent",
      kind: "ERROR",
      text: null,
      failure: { code: "UPSTREAM_UNAVAILABLE", retryable: true, __typename: "KeelErrorBody" },
      generation: null,
    });
  });

  it("a plan compiled for one operation's @include variable is not reused for the next operation's", async () => {
    client = wsClient(stack.wsUrl);
    const input = chat("count to three", { cache: { mode: "BYPASS" } });
    const withText = await run(client, TOGGLED, { input, withText: true });
    const withoutText = await run(client, TOGGLED, { input, withText: false });
    const again = await run(client, TOGGLED, { input, withText: true });
    const firstDelta = (outcome: Outcome) => outcome.results[0]?.data;
    expect(firstDelta(withText)).toEqual({ generateStream: { type: "DELTA", content: expect.any(String) } });
    expect(firstDelta(withoutText)).toEqual({ generateStream: { type: "DELTA" } });
    expect(firstDelta(again)).toEqual(firstDelta(withText));
  });

  it("a document that failed validation is not kept: sent again it fails again with the same errors", async () => {
    client = wsClient(stack.wsUrl);
    const query = "subscription { generateStream(input: { model: 1 }) { nope } }";
    const first = await run(client, query, {});
    const second = await run(client, query, {});
    expect(Array.isArray(first.errors)).toBe(true);
    expect((first.errors as unknown[]).length).toBeGreaterThan(0);
    for (const error of first.errors as { extensions: Record<string, unknown> }[])
      expect(error.extensions).toMatchObject({ code: "BAD_REQUEST", graphqlCode: "GRAPHQL_VALIDATION_FAILED" });
    expect(second.errors).toEqual(first.errors);
    expect(first.results).toEqual([]);
  });
});
