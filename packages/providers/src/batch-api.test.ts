import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import type { ChatRequest } from "@keel/spec";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BatchPoll, BatchRequestLine } from "./batch-api.ts";
import { createOpenAIProvider, type Provider } from "./openai-provider.ts";
import { batchCostOf, costOf, createPriceTable } from "./prices.ts";

let simulator: SimulatorHandle;
let provider: Provider;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  provider = createOpenAIProvider({ name: "sim", baseURL: simulator.url, apiKey: "key" });
});
beforeEach(() => {
  simulator.reset();
  simulator.setBatchOptions({ validatingMs: 0, completionMs: 0, outcome: "completed" });
});
afterAll(() => simulator.close());

const ask = (content: string): ChatRequest => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content }],
  temperature: 0,
});
const lines: BatchRequestLine[] = [
  { customId: "a", request: ask("What is the capital of France?") },
  { customId: "b", request: ask("explode") },
  { customId: "c", request: ask("Hello") },
];

async function settle(submitted: { id: string; target: string }): Promise<Extract<BatchPoll, { state: "ended" }>> {
  for (let poll = 0; poll < 500; poll++) {
    const outcome = await provider.pollBatch({ ...submitted, lines });
    if (outcome.state === "ended") return outcome;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the batch did not end");
}

describe("the provider's Batch API on the simulator, through the openai SDK", () => {
  it("submits one file and one batch, and reads every line back as an envelope at the batch price or a typed error", async () => {
    simulator.setRules([
      { promptIncludes: "capital", reply: "Paris." },
      { promptIncludes: "explode", fault: { type: "status", status: 500 } },
    ]);
    const submitted = await provider.submitBatch({ lines, metadata: { keel: "test" } });
    expect(submitted).toEqual({ id: expect.stringMatching(/^batch/), target: "sim/gpt-4o-mini" });

    const ended = await settle(submitted);
    expect(ended.upstreamStatus).toBe("completed");
    const answer = ended.lines.get("a");
    if (!answer?.ok) throw new Error("line a failed");
    const { generation } = answer;
    expect(generation).toMatchObject({
      content: "Paris.",
      model: "gpt-4o-mini",
      provider: "sim",
      attempts: 1,
      cache: "miss",
    });
    const prices = createPriceTable();
    expect(generation.costUsd).toBe(batchCostOf(prices, "gpt-4o-mini", generation.usage));
    expect(generation.costUsd).toBeCloseTo(costOf(prices, "gpt-4o-mini", generation.usage) / 2, 12);
    expect(generation.costUsd).toBeGreaterThan(0);
    expect(ended.lines.get("b")).toMatchObject({
      ok: false,
      error: { code: "UPSTREAM_UNAVAILABLE", status: 500, retryable: true, details: { target: "sim/gpt-4o-mini" } },
    });
    expect(ended.lines.get("c")).toMatchObject({ ok: true });
    // The simulator counts each batch line as a call of its model: three, once each.
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(3);
  });

  it("ends every line with a retryable batch-failed error when the batch fails", async () => {
    simulator.setBatchOptions({ outcome: "failed" });
    const ended = await settle(await provider.submitBatch({ lines }));
    expect(ended.upstreamStatus).toBe("failed");
    for (const id of ["a", "b", "c"]) {
      expect(ended.lines.get(id)).toMatchObject({
        ok: false,
        error: {
          code: "UPSTREAM_UNAVAILABLE",
          retryable: true,
          details: { reason: "batch-failed", upstreamCode: "batch_failed" },
        },
      });
    }
  });

  it("ends every line with UPSTREAM_TIMEOUT (batch-expired) when the batch expires", async () => {
    simulator.setBatchOptions({ outcome: "expired" });
    const ended = await settle(await provider.submitBatch({ lines }));
    expect(ended.upstreamStatus).toBe("expired");
    expect([...ended.lines.values()].map((line) => !line.ok && [line.error.code, line.error.details.reason])).toEqual([
      ["UPSTREAM_TIMEOUT", "batch-expired"],
      ["UPSTREAM_TIMEOUT", "batch-expired"],
      ["UPSTREAM_TIMEOUT", "batch-expired"],
    ]);
  });

  it("reports a running batch as running, and cancels it", async () => {
    simulator.setBatchOptions({ completionMs: 5_000 });
    const submitted = await provider.submitBatch({ lines });
    expect(await provider.pollBatch({ ...submitted, lines })).toMatchObject({ state: "running" });
    await provider.cancelBatch(submitted);
    const ended = await settle(submitted);
    expect(ended.upstreamStatus).toBe("cancelled");
    expect(ended.lines.get("a")).toMatchObject({ ok: false, error: { details: { reason: "batch-cancelled" } } });
  });

  it("prices batch answers from the table's batch prices when a model lists them", () => {
    const prices = createPriceTable({
      "my-model": { inputPerMillion: 1, outputPerMillion: 2, batchInputPerMillion: 0.2, batchOutputPerMillion: 0.4 },
    });
    const usage = { promptTokens: 1_000_000, completionTokens: 1_000_000, totalTokens: 2_000_000 };
    expect(costOf(prices, "my-model", usage)).toBe(3);
    expect(batchCostOf(prices, "my-model", usage)).toBe(0.6);
    expect(batchCostOf(prices, "gpt-4o-mini", usage)).toBe(0.375);
  });
});
