import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError, type StreamEvent } from "@keel/spec";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

const ask = (content: string, model = "small") => ({ model, messages: [{ role: "user" as const, content }] });

function pipelineWith(overrides: Partial<KeelConfigInput> = {}): Pipeline {
  return createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
      models: {
        small: { targets: ["sim/gpt-4o-mini", "sim/gpt-4.1-mini"] },
        solo: { targets: ["sim/gpt-4o"], staticFallback: "Our assistant is busy; please try again shortly." },
      },
      defaults: { policy: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, breaker: false } },
      telemetry: { log: { level: "silent" } },
      ...overrides,
    }),
  );
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!KeelError.isInstance(error)) throw new Error(`expected a KeelError, got ${String(error)}`);
  return error;
}

describe("createPipeline", () => {
  it("returns the whole envelope through the real provider and simulator", async () => {
    const pipeline = pipelineWith();
    const generation = await pipeline.generate(ask("Describe the sea"));
    expect(generation).toMatchObject({
      model: "gpt-4o-mini",
      provider: "sim",
      cache: "miss",
      attempts: 1,
      fallback: { failed: [], answeredBy: "sim/gpt-4o-mini" },
      finishReason: "stop",
      safety: { input: [], output: [] },
    });
    expect(generation.id).toMatch(/\S+/);
    expect(generation.content.length).toBeGreaterThan(0);
    expect(generation.usage.totalTokens).toBe(generation.usage.promptTokens + generation.usage.completionTokens);
    expect(generation.costUsd).toBeGreaterThan(0);
    expect(generation.latencyMs).toBeGreaterThanOrEqual(0);
    await pipeline.close();
  });

  it("streams deltas and then one done carrying the same content", async () => {
    const pipeline = pipelineWith();
    const events = await collect(pipeline.stream(ask("Tell a short story")));
    const done = events.at(-1);
    expect(done?.type).toBe("done");
    const text = events.flatMap((event) => (event.type === "delta" ? [event.content] : [])).join("");
    expect(done?.type === "done" && done.generation.content).toBe(text);
    await pipeline.close();
  });

  it("fails over to the next target and reports who failed and who answered", async () => {
    simulator.setRules([{ model: "gpt-4o-mini", fault: { type: "status", status: 503 } }]);
    const pipeline = pipelineWith();
    const generation = await pipeline.generate(ask("hello"));
    expect(generation.model).toBe("gpt-4.1-mini");
    expect(generation.fallback.answeredBy).toBe("sim/gpt-4.1-mini");
    expect(generation.fallback.failed).toEqual([
      expect.objectContaining({ target: "sim/gpt-4o-mini", code: "UPSTREAM_UNAVAILABLE" }),
    ]);
    expect(generation.attempts).toBe(3); // two tries on the first target, one on the second
    expect(simulator.stats().calls).toMatchObject({ "gpt-4o-mini": 2, "gpt-4.1-mini": 1 });
    await pipeline.close();
  });

  it("serves the route's static answer, marked as such, when every target fails", async () => {
    simulator.setRules([{ fault: { type: "status", status: 500 } }]);
    const pipeline = pipelineWith();
    const generation = await pipeline.generate(ask("hello", "solo"));
    expect(generation.content).toBe("Our assistant is busy; please try again shortly.");
    expect(generation.fallback).toMatchObject({ degraded: "static", answeredBy: null });
    await pipeline.close();
  });

  it("answers an unknown model with BAD_REQUEST before any upstream call", async () => {
    const pipeline = pipelineWith();
    const error = await failure(pipeline.generate(ask("hi", "gpt-nonexistent")));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details).toMatchObject({ field: "model", reason: "unknown-model" });
    const events = await collect(pipeline.stream(ask("hi", "gpt-nonexistent")));
    expect(events).toEqual([{ type: "error", error: expect.objectContaining({ code: "BAD_REQUEST" }) }]);
    expect(simulator.stats().totalCalls).toBe(0);
    await pipeline.close();
  });

  it("rejects a prompt over the size limit without calling upstream", async () => {
    const pipeline = pipelineWith({ limits: { maxPromptChars: 1_000 } });
    const error = await failure(pipeline.generate(ask("x".repeat(1_001))));
    expect(error).toMatchObject({ code: "BAD_REQUEST", details: { field: "messages", reason: "prompt-too-large" } });
    expect(simulator.stats().totalCalls).toBe(0);
    await pipeline.close();
  });

  it("ends a hung request at its deadline and leaves no upstream connection behind", async () => {
    simulator.setRules([{ fault: { type: "hang" } }]);
    const pipeline = pipelineWith();
    const started = Date.now();
    const error = await failure(pipeline.generate(ask("hello"), { timeoutMs: 300 }));
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.details.reason).toBe("deadline");
    expect(Date.now() - started).toBeLessThan(2_000);
    await simulator.waitFor((stats) => stats.inFlight === 0, 2_000);
    await pipeline.close();
  });

  it("aborts the upstream call when the caller goes away", async () => {
    simulator.setRules([{ fault: { type: "hang" } }]);
    const pipeline = pipelineWith();
    const caller = new AbortController();
    const pending = failure(pipeline.generate(ask("hello"), { signal: caller.signal }));
    await simulator.waitFor((stats) => stats.inFlight === 1, 2_000);
    caller.abort();
    expect((await pending).details.reason).toBe("client-closed");
    const stats = await simulator.waitFor((current) => current.inFlight === 0, 2_000);
    expect(stats.clientAborts).toBeGreaterThanOrEqual(1);
    await pipeline.close();
  });

  it("aborts the upstream stream when the consumer stops reading", async () => {
    simulator.setRules([{ latency: { ttftMs: 0, perTokenMs: 30 } }]);
    const pipeline = pipelineWith();
    const iterator = pipeline.stream(ask("a long answer please"))[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "delta" });
    await iterator.return?.();
    const stats = await simulator.waitFor((current) => current.inFlight === 0, 2_000);
    expect(stats.clientAborts).toBe(1);
    await pipeline.close();
  });

  it("ends a stream that dies mid-way with an error event, never a done", async () => {
    simulator.setRules([{ fault: { type: "stream-die", afterChunks: 3 } }]);
    const pipeline = pipelineWith({ models: { small: { targets: ["sim/gpt-4o-mini"] } } });
    const events = await collect(pipeline.stream(ask("hello")));
    expect(events.some((event) => event.type === "done")).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "UPSTREAM_UNAVAILABLE" } });
    await pipeline.close();
  });

  it("reports readiness per route", async () => {
    const pipeline = pipelineWith();
    const readiness = await pipeline.readiness();
    expect(readiness.ready).toBe(true);
    expect(Object.keys(readiness.checks)).toEqual(["cache", "route:small", "route:solo"]);
    expect(readiness.checks.cache).toMatchObject({ ok: true, detail: expect.stringContaining("memory") });
    await pipeline.close();
  });
});

describe("model names that look like Object.prototype members", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "%s is an unknown model, not an internal error",
    async (model) => {
      const pipeline = pipelineWith();
      const error = await failure(pipeline.generate(ask("hi", model)));
      expect(error).toMatchObject({ code: "BAD_REQUEST", details: { reason: "unknown-model" } });
      const embedError = await failure(pipeline.embed({ model, input: ["hi"] }));
      expect(embedError).toMatchObject({ code: "BAD_REQUEST", details: { reason: "unknown-model" } });
      await pipeline.close();
    },
  );
});
