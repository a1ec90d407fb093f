import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIProvider, type Provider } from "./openai-provider.ts";
import { keelErrorOf, recordingContext } from "./test-support/recording-context.ts";

const API_KEY = "sk-test-secret-key-123456";
const request = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Hi" }] };

// Both HTTP paths under the SDK must map every fault the same way.
const HTTP_PATHS: [string, typeof fetch | undefined][] = [
  ["node:http (the default)", undefined],
  ["the global fetch", globalThis.fetch],
];

let simulator: SimulatorHandle;
let provider: Provider;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, models: ["gpt-4o-mini"] });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

async function failure(rule: Parameters<SimulatorHandle["setRules"]>[0][number]) {
  simulator.setRules([rule]);
  const { ctx, events } = recordingContext();
  const error = await keelErrorOf(provider.generate(request, ctx));
  expect(error.details.target).toBe("sim/gpt-4o-mini");
  expect(error.message).not.toContain(API_KEY);
  expect(events.map((event) => event.type)).toEqual(["upstream-request", "upstream-error"]);
  expect(events[1]).toMatchObject({
    code: error.code,
    ...(error.status === undefined ? {} : { status: error.status }),
  });
  return error;
}

describe.each(HTTP_PATHS)("upstream failures become typed KeelErrors over %s", (_path, fetch) => {
  beforeAll(() => {
    provider = createOpenAIProvider({ name: "sim", baseURL: simulator.url, apiKey: API_KEY, fetch });
  });

  it.each([500, 502, 503])("%i -> retryable UPSTREAM_UNAVAILABLE", async (status) => {
    const error = await failure({ fault: { type: "status", status } });
    expect(error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", status, retryable: true });
    expect(simulator.stats().totalCalls).toBe(1); // the SDK's own retries are off
  });

  it("429 with Retry-After in seconds", async () => {
    const error = await failure({ fault: { type: "status", status: 429, retryAfterSeconds: 2 } });
    expect(error).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", status: 429, retryable: true, retryAfterMs: 2_000 });
  });

  it("429 with Retry-After as an HTTP-date", async () => {
    const error = await failure({ fault: { type: "status", status: 429, retryAfterSeconds: 2, retryAfterDate: true } });
    expect(error.code).toBe("UPSTREAM_RATE_LIMITED");
    // The date is whole seconds, rounded up: between 1 and 3 s from when it was read.
    expect(error.retryAfterMs).toBeGreaterThan(1_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(3_000);
  });

  it("429 with retry-after-ms", async () => {
    const error = await failure({ fault: { type: "status", status: 429, retryAfterMs: 150 } });
    expect(error).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryAfterMs: 150 });
  });

  it("a reset connection -> retryable UPSTREAM_UNAVAILABLE", async () => {
    const error = await failure({ fault: { type: "reset" } });
    expect(error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryable: true, details: { reason: "reset" } });
  });

  it("a body cut mid-way -> retryable UPSTREAM_UNAVAILABLE (reset)", async () => {
    // Headers and half the JSON, then the socket dies.
    const error = await failure({ fault: { type: "stream-die", afterChunks: 0 } });
    expect(error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryable: true, details: { reason: "reset" } });
  });

  it("a body that stalls after the headers is cut off by ctx.signal", async () => {
    simulator.setRules([{ fault: { type: "stream-stall", afterChunks: 0 } }]);
    const { ctx, abort } = recordingContext();
    const pending = keelErrorOf(provider.generate(request, ctx));
    await simulator.waitFor((stats) => stats.inFlight === 1, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    abort();
    const error = await pending;
    expect(error).toMatchObject({ code: "UPSTREAM_TIMEOUT", retryable: false, details: { reason: "aborted" } });
    await simulator.waitFor((stats) => stats.inFlight === 0 && stats.clientAborts === 1, 5_000);
  });

  it("a malformed body -> retryable UPSTREAM_UNAVAILABLE", async () => {
    const error = await failure({ fault: { type: "malformed" } });
    expect(error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryable: true, details: { reason: "malformed" } });
  });

  it("400 context_length_exceeded -> BAD_REQUEST context-length", async () => {
    const error = await failure({ fault: { type: "status", status: 400, code: "context_length_exceeded" } });
    expect(error).toMatchObject({
      code: "BAD_REQUEST",
      status: 400,
      retryable: false,
      details: { reason: "context-length" },
    });
    expect(error.message).toBe("sim/gpt-4o-mini: the prompt is longer than the model's context window (400)");
  });

  it("content_policy_violation -> CONTENT_BLOCKED", async () => {
    const error = await failure({ fault: { type: "status", status: 400, code: "content_policy_violation" } });
    expect(error).toMatchObject({ code: "CONTENT_BLOCKED", retryable: false, details: { reason: "content-policy" } });
  });

  it("401 -> non-retryable upstream-auth, the key never echoed", async () => {
    const error = await failure({
      fault: {
        type: "status",
        status: 401,
        code: "invalid_api_key",
        message: `Incorrect API key provided: ${API_KEY}`,
      },
    });
    expect(error).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      status: 401,
      retryable: false,
      details: { reason: "upstream-auth" },
    });
    expect(JSON.stringify(error.toJSON())).not.toContain("sk-test");
  });

  it("a hung upstream is cut off by ctx.signal, leaving no socket behind", async () => {
    // A simulator of its own, so no earlier test's idle keep-alive sockets are counted.
    const own = await startSimulator({ port: 0, models: ["gpt-4o-mini"], rules: [{ fault: { type: "hang" } }] });
    try {
      const hungProvider = createOpenAIProvider({ name: "sim", baseURL: own.url, apiKey: API_KEY, fetch });
      for (let round = 1; round <= 3; round += 1) {
        const { ctx, events, abort } = recordingContext();
        const pending = keelErrorOf(hungProvider.generate(request, ctx));
        await own.waitFor((stats) => stats.inFlight === 1, 5_000);
        const abortedAt = performance.now();
        abort();
        const error = await pending;
        expect(performance.now() - abortedAt).toBeLessThan(2_000);
        expect(error).toMatchObject({
          code: "UPSTREAM_TIMEOUT",
          retryable: false,
          details: { reason: "aborted", target: "sim/gpt-4o-mini" },
        });
        expect(events.at(-1)).toMatchObject({ type: "upstream-error", code: "UPSTREAM_TIMEOUT" });
        await own.waitFor((stats) => stats.inFlight === 0 && stats.clientAborts === round, 5_000);
      }
      // Each hung socket was closed. A pool may keep one idle spare for the next call;
      // a socket left behind per abort would show 3 here.
      await own.waitFor((stats) => stats.openConnections <= 1, 5_000);
    } finally {
      await own.close();
    }
  });

  it("a signal aborted before the call never reaches the upstream", async () => {
    const { ctx, abort } = recordingContext();
    abort();
    const error = await keelErrorOf(provider.generate(request, ctx));
    expect(error).toMatchObject({ code: "UPSTREAM_TIMEOUT", details: { reason: "aborted" } });
    expect(simulator.stats().totalCalls).toBe(0);
  });

  it("an unreachable upstream -> retryable UPSTREAM_UNAVAILABLE (refused)", async () => {
    const closed = await startSimulator({ port: 0 });
    const url = closed.url;
    await closed.close();
    const nowhere = createOpenAIProvider({ name: "gone", baseURL: url, apiKey: API_KEY, fetch });
    const error = await keelErrorOf(nowhere.generate(request, recordingContext().ctx));
    expect(error).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      retryable: true,
      details: { target: "gone/gpt-4o-mini", reason: "refused" },
    });
  });
});
