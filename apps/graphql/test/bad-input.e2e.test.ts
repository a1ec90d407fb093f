import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  collectStream,
  GENERATE,
  graphql,
  hasNoStackTrace,
  startStack,
  wsClient,
  type GenerateData,
  type Stack,
} from "./test-support/stack.ts";

const NAUGHTY: string[] = JSON.parse(readFileSync("/work/shared/data/bad_input/blns.json", "utf8"));

/** Runs `task` over every item with at most `limit` in flight. */
async function eachBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe("the big list of naughty strings through the service", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({});
  });
  afterAll(() => stack.close());

  it("has the whole list", () => {
    expect(NAUGHTY).toHaveLength(515);
  });

  it("as message content of the mutation: every one answered, none crashes, hangs or is lost", async () => {
    const outcomes = await eachBounded(NAUGHTY, 8, async (content) => {
      const response = await graphql<GenerateData>({
        url: stack.url,
        query: GENERATE,
        variables: { input: chat(content) },
      });
      expect(hasNoStackTrace(response.text)).toBe(true);
      // A cache hit (a repeated or near-identical string) is answered without an upstream call.
      if (response.body?.data?.generate)
        return response.body.data.generate.cache === "MISS" ? "answered" : "answered-from-cache";
      const code = response.body?.errors?.[0]?.extensions?.code;
      expect(code).toBe("BAD_REQUEST");
      return "rejected";
    });
    expect(outcomes).toHaveLength(NAUGHTY.length);
    // Only the empty string may be rejected by core's rules; everything else is a valid prompt.
    expect(outcomes.filter((outcome) => outcome !== "rejected").length).toBeGreaterThanOrEqual(NAUGHTY.length - 1);
    expect(outcomes.filter((outcome) => outcome === "answered").length).toBeGreaterThan(400);
    const stats = await stack.simulator.waitFor((current) => current.inFlight === 0, 10_000);
    // Every answer that did not come from a cache was exactly one upstream call.
    expect(stats.totalCalls).toBe(outcomes.filter((outcome) => outcome === "answered").length);
  }, 120_000);

  it("as the model name: each a typed BAD_REQUEST naming the model field", async () => {
    const before = stack.simulator.stats().totalCalls;
    const codes = await eachBounded(NAUGHTY, 16, async (model) => {
      const response = await graphql({ url: stack.url, query: GENERATE, variables: { input: chat("hi", { model }) } });
      expect(hasNoStackTrace(response.text)).toBe(true);
      const error = response.body?.errors?.[0];
      expect(error?.extensions?.details).toMatchObject({ field: "model" });
      return error?.extensions?.code;
    });
    expect(new Set(codes)).toEqual(new Set(["BAD_REQUEST"]));
    expect(stack.simulator.stats().totalCalls).toBe(before);
  }, 120_000);

  it("as streamed message content: every stream ends with exactly one DONE or ERROR", async () => {
    const client = wsClient(stack.wsUrl);
    try {
      const sample = NAUGHTY.filter((_, index) => index % 5 === 0);
      const endings = await eachBounded(sample, 8, async (content) => {
        const outcome = await collectStream(client, chat(content));
        if (outcome.errors.length > 0) return outcome.errors[0]?.extensions?.code;
        expect(outcome.completed).toBe(true);
        const finals = outcome.events.filter((event) => event.type !== "DELTA");
        expect(finals).toHaveLength(1);
        return finals[0]?.type;
      });
      expect(endings).toHaveLength(sample.length);
      expect(endings.filter((ending) => ending === "DONE").length).toBeGreaterThanOrEqual(sample.length - 1);
      for (const ending of endings) expect(["DONE", "BAD_REQUEST"]).toContain(ending);
    } finally {
      await client.dispose();
    }
    const health = await fetch(`${stack.host.url}/healthz`);
    expect(health.status).toBe(200);
  }, 120_000);
});
