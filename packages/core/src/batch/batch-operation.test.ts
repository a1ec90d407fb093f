import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { addUsd, KeelError } from "@keel/spec";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline, type Pipeline } from "../pipeline/create-pipeline.ts";
import type { BatchItemInput, BatchStreamEvent } from "./batch-types.ts";

let simulator: SimulatorHandle;
const pipelines: Pipeline[] = [];
beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await Promise.all(pipelines.map((pipeline) => pipeline.close()));
  await simulator.close();
});
beforeEach(() => simulator.reset());

function pipelineWith(overrides: Partial<KeelConfigInput> = {}): Pipeline {
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
      models: { small: { targets: ["sim/gpt-4o-mini"] } },
      defaults: { policy: { retry: false, breaker: false } },
      cache: { defaults: { enabled: false } },
      validation: { jsonSchemaRoutes: ["small"] },
      telemetry: { log: { level: "silent" } },
      ...overrides,
    }),
  );
  pipelines.push(pipeline);
  return pipeline;
}

const ask = (content: string, model = "small"): BatchItemInput => ({
  generate: { model, messages: [{ role: "user", content }], temperature: 0 },
});

/** Polls the simulator while `run` runs; the most requests it ever had in flight at once. */
async function peakInFlight(run: () => Promise<unknown>): Promise<number> {
  let peak = 0;
  let running = true;
  const watch = (async () => {
    while (running) {
      peak = Math.max(peak, simulator.stats().inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  try {
    await run();
  } finally {
    running = false;
    await watch;
  }
  return peak;
}

describe("pipeline.batch", () => {
  it("answers every item in input order with its own envelope or typed error; bad items never fail the batch", async () => {
    simulator.setRules([
      { promptIncludes: "capital", reply: "Paris." },
      { promptIncludes: "explode", fault: { type: "status", status: 500 } },
    ]);
    const pipeline = pipelineWith();
    const result = await pipeline.batch(
      {
        items: [
          ask("What is the capital of France?"),
          ask("explode"),
          ask("Hi", "no-such-model"),
          { generate: { model: "small", messages: [{ role: "user", content: 42 }] } } as unknown as BatchItemInput,
          {
            structured: {
              model: "small",
              messages: [{ role: "user", content: "A city" }],
              schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          },
          { summarise: {} } as unknown as BatchItemInput,
        ],
      },
      { tenant: "acme", requestId: "batch-1" },
    );

    expect(result.items.map((item) => [item.index, item.ok])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, false],
    ]);
    expect(result.items[0]).toMatchObject({
      ok: true,
      generation: { content: "Paris.", model: "gpt-4o-mini", cache: "miss" },
    });
    expect(result.items[1]).toMatchObject({ ok: false, error: { code: "UPSTREAM_UNAVAILABLE", retryable: true } });
    expect(result.items[2]).toMatchObject({
      ok: false,
      error: { code: "BAD_REQUEST", details: { field: "items.2.generate.model", reason: "unknown-model" } },
    });
    expect(result.items[2]?.error?.message).toMatch(/^items\.2\.generate\.model: unknown model "no-such-model"/);
    expect(result.items[3]).toMatchObject({
      ok: false,
      error: { code: "BAD_REQUEST", details: { field: "items.3.generate.messages.0.content" } },
    });
    expect(result.items[4]).toMatchObject({
      ok: true,
      generation: { data: { city: "example" }, validation: { valid: true } },
    });
    expect(result.items[5]).toMatchObject({ ok: false, error: { code: "BAD_REQUEST", details: { field: "items.5" } } });

    const successes = [result.items[0], result.items[4]].map((item) => item?.generation);
    expect(result.totals).toEqual({
      items: 6,
      successes: 2,
      failures: 4,
      usage: {
        promptTokens: successes.reduce((sum, generation) => sum + (generation?.usage.promptTokens ?? 0), 0),
        completionTokens: successes.reduce((sum, generation) => sum + (generation?.usage.completionTokens ?? 0), 0),
        totalTokens: successes.reduce((sum, generation) => sum + (generation?.usage.totalTokens ?? 0), 0),
      },
      costUsd: addUsd(successes[0]?.costUsd ?? 0, successes[1]?.costUsd ?? 0),
      latencyMs: expect.any(Number),
    });
    expect(result.totals.costUsd).toBeGreaterThan(0);
    // Items that reached the upstream: the capital, the 500 and the structured one; the rest never left.
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(3);
    // Each item that passed admission is its own request in the caller's tenant, in the usage ledger.
    const usage = await pipeline.usage({}, { tenant: "acme" });
    expect(usage.totals).toMatchObject({ requests: 3, errors: 1, costUsd: result.totals.costUsd });
  });

  it("refuses the batch as a whole only for its own shape: no items, too many, a concurrency above the limit", async () => {
    const pipeline = pipelineWith({ jobs: { batch: { maxItems: 3, concurrency: 2 } } });
    const refusal = async (input: unknown) =>
      (await pipeline.batch(input as { items: BatchItemInput[] }).catch((error: unknown) => error)) as KeelError;
    expect(await refusal({ items: [] })).toMatchObject({ code: "BAD_REQUEST", details: { field: "items" } });
    expect(await refusal({ items: [ask("a"), ask("b"), ask("c"), ask("d")] })).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "items", reason: "too-many-items" },
    });
    expect(await refusal({ items: [ask("a")], concurrency: 3 })).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "concurrency" },
    });
    expect(await refusal({ items: [ask("a")], extra: 1 })).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "extra" },
    });
    expect(KeelError.isInstance(await refusal({ items: [ask("a")], concurrency: 3 }))).toBe(true);
    expect(simulator.stats().totalCalls).toBe(0);
  });

  it("keeps at most `concurrency` items of one batch in flight", async () => {
    simulator.setRules([{ latency: { ttftMs: 60 } }]);
    const pipeline = pipelineWith({ jobs: { batch: { concurrency: 8 } } });
    const items = Array.from({ length: 8 }, (_, index) => ask(`item ${index}`));
    expect(await peakInFlight(() => pipeline.batch({ items, concurrency: 2 }))).toBe(2);
    expect(await peakInFlight(() => pipeline.batch({ items: items.map((_, index) => ask(`again ${index}`)) }))).toBe(8);
  });

  it("regression: a batch of 16 items at once raises no MaxListenersExceededWarning on the batch's signal", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const pipeline = pipelineWith({ jobs: { batch: { concurrency: 16 } } });
      const items = Array.from({ length: 32 }, (_, index) => ask(`item ${index}`));
      const result = await pipeline.batch({ items, concurrency: 16 }, { signal: new AbortController().signal });
      expect(result.totals).toMatchObject({ items: 32, successes: 32, failures: 0 });
      // Node emits process warnings on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  it("keeps at most `tenantConcurrency` items of one tenant in flight across its batches; other tenants are not held up", async () => {
    simulator.setRules([{ latency: { ttftMs: 60 } }]);
    const pipeline = pipelineWith({ jobs: { batch: { concurrency: 4, tenantConcurrency: 3 } } });
    const items = (prefix: string) => Array.from({ length: 6 }, (_, index) => ask(`${prefix} ${index}`));
    const sameTenant = await peakInFlight(() =>
      Promise.all([
        pipeline.batch({ items: items("a") }, { tenant: "acme" }),
        pipeline.batch({ items: items("b") }, { tenant: "acme" }),
      ]),
    );
    expect(sameTenant).toBe(3);
    const twoTenants = await peakInFlight(() =>
      Promise.all([
        pipeline.batch({ items: items("c") }, { tenant: "acme" }),
        pipeline.batch({ items: items("d") }, { tenant: "globex" }),
      ]),
    );
    expect(twoTenants).toBe(6);
  });
});

describe("pipeline.batchStream", () => {
  it("reports each item as it finishes, then the totals", async () => {
    simulator.setRules([
      { promptIncludes: "slow", latency: { ttftMs: 150 } },
      { promptIncludes: "explode", fault: { type: "status", status: 503 } },
    ]);
    const pipeline = pipelineWith();
    const events: BatchStreamEvent[] = [];
    for await (const event of pipeline.batchStream({ items: [ask("slow one"), ask("explode"), ask("quick")] })) {
      events.push(event);
    }
    expect(
      events.map((event) =>
        event.type === "item" ? [event.item.index, event.item.ok, event.completed, event.total] : event.type,
      ),
    ).toEqual([[1, false, 1, 3], [2, true, 2, 3], [0, true, 3, 3], "done"]);
    expect(events[3]).toMatchObject({ type: "done", totals: { items: 3, successes: 2, failures: 1 } });
  });

  it("answers a refused batch with one error event", async () => {
    const pipeline = pipelineWith();
    const events: BatchStreamEvent[] = [];
    for await (const event of pipeline.batchStream({ items: [] })) events.push(event);
    expect(events).toEqual([
      {
        type: "error",
        error: expect.objectContaining({ code: "BAD_REQUEST", details: expect.objectContaining({ field: "items" }) }),
      },
    ]);
  });

  it("aborts the items in flight when the reader stops early", async () => {
    simulator.setRules([{ promptIncludes: "hang", fault: { type: "hang" } }]);
    const pipeline = pipelineWith();
    const stream = pipeline.batchStream({ items: [ask("quick"), ask("hang 1"), ask("hang 2")], concurrency: 3 });
    for await (const event of stream) {
      expect(event).toMatchObject({ type: "item", item: { index: 0, ok: true } });
      break;
    }
    await simulator.waitFor((stats) => stats.clientAborts === 2 && stats.inFlight === 0);
  });
});
