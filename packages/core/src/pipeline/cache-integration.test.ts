import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import type { StreamEvent } from "@keel/spec";
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

let simulator: SimulatorHandle;
let redis: RedisServerHandle;
const pipelines: Pipeline[] = [];
beforeAll(async () => {
  [simulator, redis] = await Promise.all([startSimulator({ port: 0 }), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all(pipelines.map((pipeline) => pipeline.close()));
  await Promise.all([simulator.close(), redis.stop()]);
});
beforeEach(() => simulator.reset());

let prefixes = 0;
function pipelineWith(overrides: Partial<KeelConfigInput> = {}, options: { redis?: boolean } = {}): Pipeline {
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
      models: { small: { targets: ["sim/gpt-4o-mini"] } },
      defaults: { policy: { retry: false, breaker: false } },
      telemetry: { log: { level: "silent" } },
      // A generous command timeout: on a loaded test machine a slow lock command would fail open (a second call).
      ...(options.redis
        ? { redis: { url: redis.url, keyPrefix: `core-test-${++prefixes}:`, commandTimeoutMs: 2_000 } }
        : {}),
      ...overrides,
    }),
  );
  pipelines.push(pipeline);
  return pipeline;
}

const ask = (content: string) => ({ model: "small", temperature: 0, messages: [{ role: "user" as const, content }] });
const calls = () => simulator.stats().calls["gpt-4o-mini"] ?? 0;

describe("caching in the pipeline", () => {
  it("answers a repeated deterministic request from the exact cache at no cost", async () => {
    const pipeline = pipelineWith();
    const first = await pipeline.generate(ask("What is the tallest mountain?"));
    const second = await pipeline.generate(ask("What is the tallest mountain?"));
    expect(first.cache).toBe("miss");
    expect(second).toMatchObject({ cache: "exact", attempts: 0, costUsd: 0, content: first.content });
    expect(calls()).toBe(1);
  });

  it("never serves one tenant's answer to another", async () => {
    const pipeline = pipelineWith();
    await pipeline.generate(ask("Summarise our roadmap"), { tenant: "acme" });
    const other = await pipeline.generate(ask("Summarise our roadmap"), { tenant: "globex" });
    expect(other.cache).toBe("miss");
    expect(calls()).toBe(2);
  });

  it("answers a paraphrase from the semantic cache but not a near miss", async () => {
    const pipeline = pipelineWith({ cache: { semantic: { enabled: true } } });
    await pipeline.generate(ask("What is the capital of France?"));
    const paraphrase = await pipeline.generate(ask("what's the capital of France"));
    const nearMiss = await pipeline.generate(ask("What is the capital of Germany?"));
    expect(paraphrase.cache).toBe("semantic");
    expect(nearMiss.cache).toBe("miss");
    expect(calls()).toBe(2);
  });

  it("caps the semantic index per tenant namespace as configured: the least recently used entry leaves", async () => {
    const pipeline = pipelineWith({ cache: { semantic: { maxEntriesPerNamespace: 2 } } });
    for (const question of ["What is the capital of France?", "How tall is Mount Everest?", "Who wrote Hamlet?"])
      await pipeline.generate(ask(question), { tenant: "acme" });
    expect((await pipeline.generate(ask("who wrote Hamlet"), { tenant: "acme" })).cache).toBe("semantic");
    expect((await pipeline.generate(ask("what's the capital of France"), { tenant: "acme" })).cache).toBe("miss");
    expect(calls()).toBe(4);
    expect(() => parseConfig({ cache: { semantic: { maxEntries: 0 } } })).toThrow(/cache\.semantic\.maxEntries/);
  });

  it("serves a stale answer, marked stale, when every target fails after expiry", async () => {
    const pipeline = pipelineWith({ models: { small: { targets: ["sim/gpt-4o-mini"], cache: { ttlSeconds: 1 } } } });
    const fresh = await pipeline.generate(ask("Name a prime number"));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    simulator.setRules([{ fault: { type: "status", status: 503 } }]);
    const stale = await pipeline.generate(ask("Name a prime number"));
    expect(stale).toMatchObject({ cache: "stale", content: fresh.content, fallback: { degraded: "stale" } });
    expect(stale.fallback.failed[0]).toMatchObject({ target: "sim/gpt-4o-mini", code: "UPSTREAM_UNAVAILABLE" });
  });

  it("replays a cached answer as a stream of the same shape", async () => {
    const pipeline = pipelineWith();
    const first = await pipeline.generate(ask("Describe a lighthouse"));
    const events: StreamEvent[] = [];
    for await (const event of pipeline.stream(ask("Describe a lighthouse"))) events.push(event);
    const text = events.flatMap((event) => (event.type === "delta" ? [event.content] : [])).join("");
    expect(text).toBe(first.content);
    expect(events.at(-1)).toMatchObject({ type: "done", generation: { cache: "exact" } });
    expect(calls()).toBe(1);
  });

  it("coalesces 100 concurrent identical requests into one upstream call on Redis", async () => {
    simulator.setRules([{ latency: { ttftMs: 150 } }]);
    const pipeline = pipelineWith({}, { redis: true });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => pipeline.generate(ask("One call for all of us"))),
    );
    expect(new Set(answers.map((answer) => answer.content)).size).toBe(1);
    expect(calls()).toBe(1);
  });

  it("coalesces across two instances sharing one Redis", async () => {
    simulator.setRules([{ latency: { ttftMs: 200 } }]);
    const config = { redis: true };
    const first = pipelineWith({}, config);
    const second = createPipeline(first.config);
    pipelines.push(second);
    // Both instances connected first: a store that is still connecting fails open (a plain miss).
    await Promise.all([first.generate(ask("warm-up one")), second.generate(ask("warm-up two"))]);
    simulator.reset();
    simulator.setRules([{ latency: { ttftMs: 200 } }]);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? first : second).generate(ask("Shared across instances")),
      ),
    );
    expect(new Set(answers.map((answer) => answer.content)).size).toBe(1);
    expect(calls()).toBe(1);
  });

  it("keeps answering without the cache while Redis is down, and resumes after", async () => {
    const pipeline = pipelineWith({}, { redis: true });
    await pipeline.generate(ask("before the outage"));
    await redis.kill();
    const during = await Promise.all([1, 2, 3].map((index) => pipeline.generate(ask(`during the outage ${index}`))));
    expect(during.every((answer) => answer.cache === "miss")).toBe(true);
    expect((await pipeline.readiness()).checks.cache?.ok).toBe(false);
    await redis.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pipeline.generate(ask("after the outage"));
    expect((await pipeline.generate(ask("after the outage"))).cache).toBe("exact");
  });
});
