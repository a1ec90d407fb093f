import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { microBatchEmbeddings, splitTokens } from "./embedding-micro-batch.ts";
import { createOpenAIProvider, type Provider } from "./openai-provider.ts";
import { keelErrorOf, recordingContext } from "./test-support/recording-context.ts";

let simulator: SimulatorHandle;
let provider: Provider;
const model = "text-embedding-3-small";

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  provider = createOpenAIProvider({ name: "sim", baseURL: simulator.url, apiKey: "key" });
});
beforeEach(() => simulator.reset());
afterAll(() => simulator.close());

const texts = ["the cat sat", "on the mat", "a much longer sentence about dogs and their owners", "x", "hello world"];

describe("embedding micro-batching", () => {
  it("answers N concurrent requests with one upstream call, each with its own vectors and its share of the usage", async () => {
    const alone = await Promise.all(
      texts.map((text) => provider.embed({ model, input: [text] }, recordingContext("embed").ctx)),
    );
    const batched = microBatchEmbeddings(provider, { windowMs: 20 });
    simulator.reset();
    const contexts = texts.map(() => recordingContext("embed"));
    const results = await Promise.all(
      texts.map((text, index) => batched.embed({ model, input: [text] }, contexts[index]!.ctx)),
    );

    expect(simulator.stats().calls[model]).toBe(1);
    results.forEach((result, index) => {
      expect(result).toMatchObject({ model, provider: "sim", cached: false });
      expect(result.vectors).toEqual(alone[index]!.vectors);
    });
    const combinedTokens = alone.reduce((sum, result) => sum + result.usage.promptTokens, 0);
    expect(results.reduce((sum, result) => sum + result.usage.promptTokens, 0)).toBe(combinedTokens);
    expect(results.reduce((sum, result) => sum + result.usage.totalTokens, 0)).toBe(combinedTokens);
    // The longest text carries the largest share.
    expect(results[2]!.usage.promptTokens).toBe(Math.max(...results.map((result) => result.usage.promptTokens)));
    // Each request saw the one upstream call, with its own share in the response event.
    contexts.forEach((context, index) => {
      expect(context.events.map((event) => event.type)).toEqual(["upstream-request", "upstream-response"]);
      expect(context.events[1]).toMatchObject({ usage: { promptTokens: results[index]!.usage.promptTokens } });
    });
  });

  it("keeps each request's several inputs together and in order", async () => {
    const batched = microBatchEmbeddings(provider, { windowMs: 20 });
    const [first, second] = await Promise.all([
      batched.embed({ model, input: ["one", "two"] }, recordingContext("embed").ctx),
      batched.embed({ model, input: ["three", "one"] }, recordingContext("embed").ctx),
    ]);
    expect(simulator.stats().calls[model]).toBe(1);
    expect(first!.vectors).toHaveLength(2);
    expect(second!.vectors).toHaveLength(2);
    expect(second!.vectors[1]).toEqual(first!.vectors[0]);
  });

  it("sends a group that reaches maxInputs at once, and a request as large as maxInputs on its own", async () => {
    const batched = microBatchEmbeddings(provider, { windowMs: 10_000, maxInputs: 3 });
    const started = Date.now();
    await Promise.all([
      batched.embed({ model, input: ["a", "b"] }, recordingContext("embed").ctx),
      batched.embed({ model, input: ["c"] }, recordingContext("embed").ctx),
      batched.embed({ model, input: ["d", "e", "f"] }, recordingContext("embed").ctx),
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(simulator.stats().calls[model]).toBe(2);
  });

  it("fails only the request whose input the upstream refuses", async () => {
    simulator.setRules([{ model, promptIncludes: "poison", fault: { type: "status", status: 400 } }]);
    const batched = microBatchEmbeddings(provider, { windowMs: 20 });
    const outcomes = await Promise.allSettled(
      ["fine", "poison pill", "also fine"].map((text) =>
        batched.embed({ model, input: [text] }, recordingContext("embed").ctx),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: "BAD_REQUEST" });
    // The combined call, then each request on its own.
    expect(simulator.stats().calls[model]).toBe(4);
  });

  it("gives a server failure of the shared call to every request in it", async () => {
    simulator.setRules([{ model, fault: { type: "status", status: 503 } }]);
    const batched = microBatchEmbeddings(provider, { windowMs: 20 });
    const errors = await Promise.all(
      ["a", "b"].map((text) => keelErrorOf(batched.embed({ model, input: [text] }, recordingContext("embed").ctx))),
    );
    expect(errors.map((error) => [error.code, error.status])).toEqual([
      ["UPSTREAM_UNAVAILABLE", 503],
      ["UPSTREAM_UNAVAILABLE", 503],
    ]);
    expect(simulator.stats().calls[model]).toBe(1);
  });

  it("drops a request aborted while it waits; its inputs are not sent", async () => {
    const batched = microBatchEmbeddings(provider, { windowMs: 50 });
    const leaving = recordingContext("embed");
    const staying = recordingContext("embed");
    const left = keelErrorOf(batched.embed({ model, input: ["leaving"] }, leaving.ctx));
    const stayed = batched.embed({ model, input: ["staying"] }, staying.ctx);
    leaving.abort();
    expect((await left).code).toBe("UPSTREAM_TIMEOUT");
    const result = await stayed;
    expect(result.vectors).toHaveLength(1);
    expect(simulator.stats().calls[model]).toBe(1);
    expect(leaving.events).toEqual([]);
  });

  it("aborts the shared call only once every request in it is gone", async () => {
    simulator.setRules([{ model, fault: { type: "hang" } }]);
    const batched = microBatchEmbeddings(provider, { windowMs: 10 });
    const contexts = [recordingContext("embed"), recordingContext("embed")];
    const calls = contexts.map((context, index) =>
      keelErrorOf(batched.embed({ model, input: [`t${index}`] }, context.ctx)),
    );
    await simulator.waitFor((stats) => stats.inFlight === 1);
    contexts[0]!.abort();
    await calls[0];
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(simulator.stats().clientAborts).toBe(0);
    contexts[1]!.abort();
    await calls[1];
    await simulator.waitFor((stats) => stats.clientAborts === 1);
  });

  it("is the model itself when the window is 0 (latency-critical routes)", () => {
    expect(microBatchEmbeddings(provider, { windowMs: 0 })).toBe(provider);
  });

  it("splits whole tokens by share, the parts adding up to the total", () => {
    expect(splitTokens(10, [0.5, 0.25, 0.25])).toEqual([5, 3, 2]);
    expect(splitTokens(7, [1 / 3, 1 / 3, 1 / 3]).reduce((sum, part) => sum + part, 0)).toBe(7);
    expect(splitTokens(0, [0.5, 0.5])).toEqual([0, 0]);
  });
});
