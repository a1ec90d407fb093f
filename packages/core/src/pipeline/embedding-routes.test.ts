import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

/** Issue 12 item 8: embeddings are admitted and protected like chat calls. */

const running: Array<{ pipeline: Pipeline; simulator: SimulatorHandle }> = [];
afterEach(async () => {
  for (const { pipeline, simulator } of running.splice(0)) {
    await pipeline.close();
    await simulator.close();
  }
});

async function start(rules: Parameters<typeof startSimulator>[0] = {}) {
  const simulator = await startSimulator(rules);
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "k" } },
      models: { chat: { targets: ["sim/gpt-4o-mini"] } },
      embeddingModels: { small: "sim/text-embedding-3-small" },
      defaults: { policy: { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } } },
      cache: { embeddings: { enabled: false } },
      telemetry: { log: { level: "silent" }, metrics: { maxLabelValues: 10 } },
    }),
  );
  running.push({ pipeline, simulator });
  return { pipeline, simulator };
}

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  try {
    await promise;
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("embeddings go through route checks and resilience", () => {
  it("unknown model names are BAD_REQUEST before telemetry: they take no metric label slot from real models", async () => {
    const { pipeline, simulator } = await start();
    for (let index = 0; index < 50; index++) {
      const error = await failure(pipeline.embed({ model: `made-up-${index}`, input: ["x"] }));
      expect(error).toMatchObject({ code: "BAD_REQUEST", details: { field: "model", reason: "unknown-model" } });
    }
    expect(simulator.stats().totalCalls).toBe(0);
    expect((await pipeline.embed({ model: "small", input: ["real"] })).vectors).toHaveLength(1);
    const metrics = await pipeline.metricsText();
    expect(metrics).not.toContain("made-up-");
    expect(metrics).toMatch(/keel_requests_total\{[^}]*model="small"/);
  });

  it("a failing embedding target is retried under the target's policy", async () => {
    const { pipeline, simulator } = await start({
      rules: [{ model: "text-embedding-3-small", times: 2, fault: { type: "status", status: 503 } }],
    });
    const result = await pipeline.embed({ model: "small", input: ["retried"] });
    expect(result.vectors).toHaveLength(1);
    expect(simulator.stats().calls["text-embedding-3-small"]).toBe(3);
  });

  it("an embedding target's breaker opens and then fails fast with CIRCUIT_OPEN, no further upstream call", async () => {
    const simulator = await startSimulator({
      rules: [{ model: "text-embedding-3-small", fault: { type: "status", status: 500 } }],
    });
    const pipeline = createPipeline(
      parseConfig({
        providers: { sim: { baseURL: simulator.url, apiKey: "k" } },
        models: { chat: { targets: ["sim/gpt-4o-mini"] } },
        embeddingModels: { small: "sim/text-embedding-3-small" },
        defaults: {
          policy: {
            retry: false,
            breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
          },
        },
        cache: { embeddings: { enabled: false } },
        telemetry: { log: { level: "silent" } },
      }),
    );
    running.push({ pipeline, simulator });
    for (let index = 0; index < 3; index++) await failure(pipeline.embed({ model: "small", input: [`e${index}`] }));
    const calls = simulator.stats().calls["text-embedding-3-small"] ?? 0;
    const open = await failure(pipeline.embed({ model: "small", input: ["after"] }));
    expect(open.code).toBe("CIRCUIT_OPEN");
    expect(simulator.stats().calls["text-embedding-3-small"]).toBe(calls);
  });
});
