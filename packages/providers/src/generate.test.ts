import { getEventListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIProvider, type Provider } from "./openai-provider.ts";
import { costOf, createPriceTable } from "./prices.ts";
import { countChatTokens, countTokens } from "./tokens.ts";
import { keelErrorOf, recordingContext } from "./test-support/recording-context.ts";

const MODELS = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"];
const hello = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Say hello" }] };

let simulator: SimulatorHandle;
let provider: Provider;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, models: MODELS });
  provider = createOpenAIProvider({ name: "sim", baseURL: simulator.url, apiKey: "sk-test-secret-key-123456" });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

describe("generate against the simulator", () => {
  it("returns the whole envelope with the upstream's usage and its cost", async () => {
    simulator.setRules([{ reply: "Hello there, friend." }]);
    const { ctx } = recordingContext();
    const generation = await provider.generate(hello, ctx);

    expect(generation.id).toMatch(/\S/);
    expect(generation).toMatchObject({
      content: "Hello there, friend.",
      model: "gpt-4o-mini",
      provider: "sim",
      cache: "miss",
      fallback: { failed: [], answeredBy: "sim/gpt-4o-mini" },
      attempts: 1,
      finishReason: "stop",
      safety: { input: [], output: [] },
    });
    expect(generation.toolCalls).toBeUndefined();
    const { usage } = generation;
    expect(usage.estimated).toBeUndefined();
    expect(usage.promptTokens).toBeGreaterThan(0);
    expect(usage.completionTokens).toBeGreaterThan(0);
    expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
    expect(generation.costUsd).toBeCloseTo((usage.promptTokens * 0.15 + usage.completionTokens * 0.6) / 1e6, 15);
    expect(generation.latencyMs).toBeGreaterThan(0);
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("prices with the provider's own table", async () => {
    const prices = createPriceTable({ "gpt-4o": { inputPerMillion: 1_000, outputPerMillion: 2_000 } });
    const custom = createOpenAIProvider({ name: "priced", baseURL: simulator.url, apiKey: "key", prices });
    const generation = await custom.generate({ ...hello, model: "gpt-4o" }, recordingContext().ctx);
    expect(generation.costUsd).toBe(costOf(prices, "gpt-4o", generation.usage));
    expect(generation.costUsd).toBeGreaterThan(0.001);
  });

  it("emits upstream-request then upstream-response with duration and usage", async () => {
    const { ctx, events } = recordingContext();
    const generation = await provider.generate(hello, ctx);
    expect(events.map((event) => event.type)).toEqual(["upstream-request", "upstream-response"]);
    expect(events[0]).toEqual({ type: "upstream-request", target: "sim/gpt-4o-mini" });
    expect(events[1]).toMatchObject({ type: "upstream-response", target: "sim/gpt-4o-mini", usage: generation.usage });
    const response = events[1] as { durationMs: number };
    expect(response.durationMs).toBeGreaterThan(0);
  });

  it("reuses one keep-alive connection for sequential calls", async () => {
    // A simulator of its own, so the count starts from no connection at all.
    const own = await startSimulator({ port: 0, models: MODELS });
    try {
      const reusing = createOpenAIProvider({ name: "sim", baseURL: own.url, apiKey: "key" });
      for (let call = 0; call < 6; call += 1) {
        await reusing.generate(hello, recordingContext().ctx);
        // A pool may take the connection back a tick after the body is read (undici does),
        // so back-to-back calls may open a second one; a short pause shows plain reuse.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stats = own.stats();
      expect(stats.totalCalls).toBe(6);
      // A connection per call would leave 6 open; no keep-alive would leave 0.
      expect(stats.openConnections).toBe(1);
    } finally {
      await own.close();
    }
  });

  it("makes its HTTP calls through the fetch it is given", async () => {
    const urls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      urls.push(String(input));
      return globalThis.fetch(input, init);
    };
    const own = createOpenAIProvider({ name: "sim", baseURL: simulator.url, apiKey: "key", fetch: counting });
    const generation = await own.generate(hello, recordingContext().ctx);
    const events: string[] = [];
    for await (const event of own.stream(hello, recordingContext("stream").ctx)) events.push(event.type);
    await own.embed({ model: "text-embedding-3-small", input: ["x"] }, recordingContext("embed").ctx);
    expect(generation.content.length).toBeGreaterThan(0);
    expect(events.at(-1)).toBe("done");
    expect(urls).toEqual([
      `${simulator.url}/chat/completions`,
      `${simulator.url}/chat/completions`,
      `${simulator.url}/embeddings`,
    ]);
  });

  it("leaves no listener on ctx.signal, however many calls share the request", async () => {
    // Retries, fallbacks and re-asks all run under one request context.
    const { ctx } = recordingContext();
    for (let call = 0; call < 12; call += 1) await provider.generate(hello, ctx);
    for await (const event of provider.stream(hello, ctx)) expect(event.type).toMatch(/delta|done/);
    await provider.embed({ model: "text-embedding-3-small", input: ["x"] }, ctx);
    expect(getEventListeners(ctx.signal, "abort")).toHaveLength(0);
  });

  it("answers an unknown model with a non-retryable BAD_REQUEST", async () => {
    const { ctx, events } = recordingContext();
    const error = await keelErrorOf(provider.generate({ ...hello, model: "no-such-model" }, ctx));
    expect(error).toMatchObject({ code: "BAD_REQUEST", status: 404, retryable: false });
    expect(error.details).toMatchObject({ target: "sim/no-such-model", reason: "unknown-model" });
    expect(events.at(-1)).toMatchObject({
      type: "upstream-error",
      target: "sim/no-such-model",
      code: "BAD_REQUEST",
      status: 404,
    });
  });

  it("rejects a malformed request before calling the upstream", async () => {
    const { ctx, events } = recordingContext();
    const error = await keelErrorOf(provider.generate({ model: "gpt-4o-mini", messages: [] }, ctx));
    expect(error).toMatchObject({ code: "BAD_REQUEST", details: { field: "messages" } });
    expect(events).toEqual([]);
    expect(simulator.stats().totalCalls).toBe(0);
  });
});

describe("generate against a server that sends no usage", () => {
  let server: Server;
  let baseURL: string;

  beforeAll(async () => {
    // A bare OpenAI-compatible answer without `usage`, as some self-hosted servers send.
    server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "chatcmpl-bare",
          object: "chat.completion",
          model: "gpt-4o-mini-2024-07-18",
          choices: [{ index: 0, message: { role: "assistant", content: "Counted by Keel." }, finish_reason: "length" }],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("estimates usage with the tokenizer and marks it estimated", async () => {
    const bare = createOpenAIProvider({ name: "bare", baseURL, apiKey: "key" });
    const generation = await bare.generate(hello, recordingContext().ctx);
    const promptTokens = countChatTokens(hello.messages, "gpt-4o-mini-2024-07-18");
    const completionTokens = countTokens("Counted by Keel.", "gpt-4o-mini-2024-07-18");
    expect(generation.usage).toEqual({
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      estimated: true,
    });
    // The answering model's dated name is priced as gpt-4o-mini.
    expect(generation.costUsd).toBeCloseTo((promptTokens * 0.15 + completionTokens * 0.6) / 1e6, 15);
    expect(generation).toMatchObject({ id: "chatcmpl-bare", model: "gpt-4o-mini-2024-07-18", finishReason: "length" });
    expect(generation.fallback.answeredBy).toBe("bare/gpt-4o-mini-2024-07-18");
  });
});
