import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError } from "@keel/spec";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

let simulator: SimulatorHandle;
let pipeline: Pipeline;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
      models: { "gpt-4o-mini": { targets: ["sim/gpt-4o-mini"] } },
      defaults: { policy: { retry: false, breaker: false } },
      telemetry: { log: { level: "silent" } },
    }),
  );
});
let noisyPricePipeline: Pipeline;
beforeAll(() => {
  // Prices whose per-call costs do not sum exactly in binary floating point.
  noisyPricePipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
      models: { "gpt-4o-mini": { targets: ["sim/gpt-4o-mini"] } },
      prices: { "gpt-4o-mini": { inputPerMillion: 0.1, outputPerMillion: 0.3 } },
      defaults: { policy: { retry: false, breaker: false } },
      telemetry: { log: { level: "silent" } },
    }),
  );
});
afterAll(async () => {
  await noisyPricePipeline.close();
  await pipeline.close();
  await simulator.close();
});
beforeEach(() => simulator.reset());

const schema = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer", minimum: 0 } },
  required: ["city", "population"],
  additionalProperties: false,
};
const ask = {
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content: "Largest city of Norway, as JSON" }],
  schema,
};

describe("pipeline.structured through the simulator", () => {
  it("returns the parsed, valid value with one upstream call", async () => {
    const generation = await pipeline.structured(ask);
    expect(generation.data).toEqual({ city: expect.any(String), population: expect.any(Number) });
    expect(generation.validation).toMatchObject({ valid: true, attempts: 1, repaired: false });
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it.each(["fenced-json", "prose-json", "invalid-json"] as const)("repairs %s without a re-ask", async (content) => {
    simulator.setRules([{ content }]);
    const generation = await pipeline.structured(ask);
    expect(generation.validation?.valid).toBe(true);
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("re-asks with the errors and succeeds on the second attempt", async () => {
    simulator.setRules([{ times: 1, reply: '{"city": "Oslo", "population": "many"}' }]);
    const generation = await pipeline.structured(ask);
    expect(generation.data).toMatchObject({ population: expect.any(Number) });
    expect(generation.validation?.attempts).toBe(2);
    expect(generation.validation?.history[0]?.errors[0]?.path).toBe("/population");
    expect(generation.attempts).toBe(2);
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(2);
  });

  it("sums the attempts' costs without floating-point noise in the envelope", async () => {
    simulator.setRules([{ times: 4, reply: '{"city": "Oslo", "population": "many"}' }]);
    const generation = await noisyPricePipeline.structured({ ...ask, maxAttempts: 5 });
    expect(generation.validation?.attempts).toBe(5);
    expect(generation.costUsd).toBeGreaterThan(0);
    // Whole nano-dollars: 0.000025499999999999996-style noise never reaches a caller.
    expect(generation.costUsd).toBe(Math.round(generation.costUsd * 1e9) / 1e9);
    expect(String(generation.costUsd).replace(/^0\.0*/, "").length).toBeLessThanOrEqual(9);
  });

  it("fails with VALIDATION_FAILED after the last attempt", async () => {
    simulator.setRules([{ reply: "I cannot answer in JSON, sorry." }]);
    const error = await pipeline.structured({ ...ask, maxAttempts: 2 }).catch((caught: unknown) => caught);
    expect(KeelError.isInstance(error) && error.code).toBe("VALIDATION_FAILED");
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(2);
  });

  it("rejects a bad schema with BAD_REQUEST before any upstream call", async () => {
    const error = await pipeline
      .structured({ ...ask, schema: { type: "no-such-type" } })
      .catch((caught: unknown) => caught);
    expect(KeelError.isInstance(error) && error.code).toBe("BAD_REQUEST");
    expect(simulator.stats().totalCalls).toBe(0);
  });
});
