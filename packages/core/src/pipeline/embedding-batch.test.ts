import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline } from "./create-pipeline.ts";

let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

function pipeline() {
  return createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "k" } },
      embeddingModels: { small: "sim/text-embedding-3-small", urgent: "sim/text-embedding-3-large" },
      // Off for the latency-critical route; a wide window elsewhere so a busy machine still groups.
      embeddingBatch: { windowMs: 30, routes: { urgent: { windowMs: 0 } } },
      cache: { embeddings: { enabled: false } },
      telemetry: { log: { level: "silent" } },
    }),
  );
}

describe("embedding micro-batching in the pipeline", () => {
  it("combines concurrent requests to one route into one upstream call; each caller gets its own vectors and usage", async () => {
    const keel = pipeline();
    const texts = ["alpha beta", "gamma", "delta epsilon zeta", "eta"];
    const results = await Promise.all(
      texts.map((text, index) =>
        keel.embed({ model: "small", input: [text] }, { tenant: index % 2 ? "acme" : "globex" }),
      ),
    );
    expect(simulator.stats().calls["text-embedding-3-small"]).toBe(1);
    expect(results.map((result) => result.vectors.length)).toEqual([1, 1, 1, 1]);
    // Each request is recorded on its own, with its share of the tokens.
    const [acme, globex] = await Promise.all([
      keel.usage({}, { tenant: "acme" }),
      keel.usage({}, { tenant: "globex" }),
    ]);
    expect(acme.totals.requests + globex.totals.requests).toBe(4);
    expect(acme.totals.promptTokens).toBe(
      (results[1]?.usage.promptTokens ?? 0) + (results[3]?.usage.promptTokens ?? 0),
    );
    await keel.close();
  });

  it("sends each request on its own for a route with the window off", async () => {
    const keel = pipeline();
    await Promise.all(["a", "b", "c"].map((text) => keel.embed({ model: "urgent", input: [text] })));
    expect(simulator.stats().calls["text-embedding-3-large"]).toBe(3);
    await keel.close();
  });
});
