import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIProvider, type Provider } from "./openai-provider.ts";
import { keelErrorOf, recordingContext } from "./test-support/recording-context.ts";

let simulator: SimulatorHandle;
let provider: Provider;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, models: ["text-embedding-3-small"] });
  provider = createOpenAIProvider({ name: "sim", baseURL: simulator.url, apiKey: "key" });
});
afterAll(() => simulator.close());

describe("embed against the simulator", () => {
  it("returns one vector per input, in input order, with usage", async () => {
    const input = ["the cat sat", "on the mat", "the cat sat"];
    const { ctx, events } = recordingContext("embed");
    const result = await provider.embed({ model: "text-embedding-3-small", input }, ctx);

    expect(result).toMatchObject({ model: "text-embedding-3-small", provider: "sim", cached: false });
    expect(result.vectors).toHaveLength(3);
    const dimensions = result.vectors[0]!.length;
    expect(dimensions).toBeGreaterThan(0);
    expect(result.vectors.every((vector) => vector.length === dimensions && vector.every(Number.isFinite))).toBe(true);
    // Same text, same vector; different text, different vector: the order was kept.
    expect(result.vectors[2]).toEqual(result.vectors[0]);
    expect(result.vectors[1]).not.toEqual(result.vectors[0]);
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBe(result.usage.promptTokens);

    expect(events.map((event) => event.type)).toEqual(["upstream-request", "upstream-response"]);
    expect(events[1]).toMatchObject({
      target: "sim/text-embedding-3-small",
      usage: { promptTokens: result.usage.promptTokens, completionTokens: 0, totalTokens: result.usage.totalTokens },
    });
  });

  it("rejects empty input before calling the upstream", async () => {
    const error = await keelErrorOf(
      provider.embed({ model: "text-embedding-3-small", input: [] }, recordingContext("embed").ctx),
    );
    expect(error).toMatchObject({ code: "BAD_REQUEST", details: { field: "input" } });
  });

  it("maps an upstream failure like chat calls do", async () => {
    simulator.setRules([{ fault: { type: "status", status: 503 } }]);
    const { ctx, events } = recordingContext("embed");
    const error = await keelErrorOf(provider.embed({ model: "text-embedding-3-small", input: ["x"] }, ctx));
    expect(error).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      status: 503,
      retryable: true,
      details: { target: "sim/text-embedding-3-small" },
    });
    expect(events.at(-1)).toMatchObject({ type: "upstream-error", code: "UPSTREAM_UNAVAILABLE", status: 503 });
    simulator.reset();
  });
});
