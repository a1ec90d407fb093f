import { readFileSync } from "node:fs";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEEL_ERROR_CODES } from "@keel/spec";
import { chat, collectStream, startStack, type Stack } from "./test-support/stack.ts";

const BLNS: string[] = JSON.parse(readFileSync("/work/shared/data/bad_input/blns.json", "utf8"));
const CONCURRENCY = 16;

type Outcome = { kind: "envelope"; content: string; cache: string } | { kind: "error"; keelCode: string };

describe("the big list of naughty strings", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  /** Runs `task` over the items with at most CONCURRENCY calls in flight (the client batches them). */
  async function runBounded(items: string[], task: (item: string) => Promise<Outcome>): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next++;
        outcomes[index] = await task(items[index] as string);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return outcomes;
  }

  const settle = (call: Promise<{ content: string; cache: string }>): Promise<Outcome> =>
    call.then(
      (generation) => ({ kind: "envelope", content: generation.content, cache: generation.cache }),
      (error: unknown) => {
        if (!(error instanceof TRPCClientError)) throw error;
        return { kind: "error", keelCode: String(error.data?.keelCode) };
      },
    );

  it("answers every one of the 515 strings as message content with an envelope or a typed error", async () => {
    expect(BLNS).toHaveLength(515);
    const outcomes = await runBounded(BLNS, (content) => settle(stack.client.ai.generate.mutate(chat(content))));
    expect(outcomes.filter(Boolean)).toHaveLength(515);
    for (const outcome of outcomes) {
      if (outcome.kind === "envelope") expect(typeof outcome.content).toBe("string");
      else expect(KEEL_ERROR_CODES).toContain(outcome.keelCode);
    }
    // Nothing in the list is invalid as content. An input-safety policy may refuse some
    // (CONTENT_BLOCKED); nothing may fail any other way.
    const errors = outcomes.filter((outcome) => outcome.kind === "error" && outcome.keelCode !== "CONTENT_BLOCKED");
    expect(errors).toEqual([]);
    const misses = outcomes.filter((outcome) => outcome.kind === "envelope" && outcome.cache === "miss").length;
    expect(misses).toBeGreaterThan(400);
    // Every answer that did not come from a cache was one upstream call; none was lost or left hanging.
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(misses);
    expect(stack.simulator.stats().inFlight).toBe(0);
  }, 120_000);

  it("streams every one of them over SSE to exactly one final event", async () => {
    const outcomes = await runBounded(BLNS, async (content): Promise<Outcome> => {
      const outcome = await collectStream(stack.client, chat(content));
      const finals = outcome.events.filter((event) => event.type !== "delta");
      if (!outcome.completed || finals.length !== 1)
        throw new Error(`stream for ${JSON.stringify(content)} ended badly: ${JSON.stringify(outcome)}`);
      const last = finals[0];
      if (last?.type === "done") {
        const streamed = outcome.events.flatMap((event) => (event.type === "delta" ? [event.content] : [])).join("");
        return {
          kind: "envelope",
          content: streamed === last.generation.content ? streamed : "MISMATCH",
          cache: last.generation.cache,
        };
      }
      return { kind: "error", keelCode: last?.type === "error" ? last.error.code : "NONE" };
    });
    expect(outcomes.filter(Boolean)).toHaveLength(515);
    expect(
      outcomes.filter((outcome) =>
        outcome.kind === "error" ? outcome.keelCode !== "CONTENT_BLOCKED" : outcome.content === "MISMATCH",
      ),
    ).toEqual([]);
    await stack.simulator.waitFor((stats) => stats.inFlight === 0, 5_000);
  }, 180_000);

  it("refuses every one of them, and Object.prototype's names, as a model name with a typed BAD_REQUEST", async () => {
    const before = stack.simulator.stats().totalCalls;
    const names = [...BLNS, "constructor", "toString", "__proto__", "valueOf"];
    const outcomes = await runBounded(names, (model) => settle(stack.client.ai.generate.mutate(chat("Hi", { model }))));
    expect(outcomes.filter(Boolean)).toHaveLength(names.length);
    expect(outcomes.filter((outcome) => outcome.kind !== "error" || outcome.keelCode !== "BAD_REQUEST")).toEqual([]);
    expect(stack.simulator.stats().totalCalls).toBe(before);
  }, 120_000);
});
