import { readFileSync } from "node:fs";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEEL_ERROR_CODES } from "@keel/spec";
import { chat, startStack, type Stack } from "./stack.ts";

const BLNS: string[] = JSON.parse(readFileSync("/work/shared/data/bad_input/blns.json", "utf8"));
const CONCURRENCY = 16;

type Outcome = { kind: "envelope"; content: string } | { kind: "error"; keelCode: string };

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

  const settle = (call: Promise<{ content: string }>): Promise<Outcome> =>
    call.then(
      (generation) => ({ kind: "envelope", content: generation.content }),
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
    const errors = outcomes.filter((outcome) => outcome.kind === "error");
    // Nothing in the list is invalid as content: each one must reach the model and come back.
    expect(errors).toEqual([]);
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(515);
    expect(stack.simulator.stats().inFlight).toBe(0);
  }, 120_000);

  it("refuses every one of them, and Object.prototype's names, as a model name with a typed BAD_REQUEST", async () => {
    const before = stack.simulator.stats().totalCalls;
    const names = [...BLNS, "constructor", "toString", "__proto__", "valueOf"];
    const outcomes = await runBounded(names, (model) => settle(stack.client.ai.generate.mutate(chat("Hi", { model }))));
    expect(outcomes.filter(Boolean)).toHaveLength(names.length);
    expect(outcomes.filter((outcome) => outcome.kind !== "error" || outcome.keelCode !== "BAD_REQUEST")).toEqual([]);
    expect(stack.simulator.stats().totalCalls).toBe(before);
  }, 120_000);
});
