import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

/** Issue 12 item 13: callers no longer choose a year-long TTL or refresh answers other tenants are served. */

let running: { pipeline: Pipeline; simulator: SimulatorHandle } | undefined;
afterEach(async () => {
  await running?.pipeline.close();
  await running?.simulator.close();
  running = undefined;
});

async function start(cache: KeelConfigInput["cache"] = {}) {
  const simulator = await startSimulator();
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "k" } },
      models: {
        chat: { targets: ["sim/gpt-4o-mini"] },
        strict: { targets: ["sim/gpt-4o"], cache: { maxTtlSeconds: 60, callerModes: ["default", "only-if-cached"] } },
      },
      cache: { ...cache, semantic: { enabled: false } },
      telemetry: { log: { level: "silent" } },
    }),
  );
  running = { pipeline, simulator };
  return { pipeline, simulator };
}

const ask = (model: string, content: string, cache: Record<string, unknown>) => ({
  model,
  messages: [{ role: "user" as const, content }],
  temperature: 0,
  cache,
});

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  try {
    await promise;
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("caller-controlled cache lifetime", () => {
  it("refuses a TTL past the route's maxTtlSeconds (default a day) before any upstream call", async () => {
    const { pipeline, simulator } = await start();
    const year = await failure(pipeline.generate(ask("chat", "a year", { ttlSeconds: 31_536_000 })));
    expect(year).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "cache.ttlSeconds", reason: "ttl-too-long", limit: 86_400 },
    });
    const strict = await failure(pipeline.generate(ask("strict", "two minutes", { ttlSeconds: 120 })));
    expect(strict.details).toMatchObject({ limit: 60 });
    expect(simulator.stats().totalCalls).toBe(0);
    expect((await pipeline.generate(ask("chat", "an hour", { ttlSeconds: 3_600 }))).cache).toBe("miss");
  });

  it("refuses a cache mode the route does not allow, for generate and stream alike", async () => {
    const { pipeline, simulator } = await start();
    const refused = await failure(pipeline.generate(ask("strict", "refresh me", { mode: "refresh" })));
    expect(refused).toMatchObject({ code: "FORBIDDEN", details: { reason: "cache-mode-not-allowed" } });
    const events = [];
    for await (const event of pipeline.stream(ask("strict", "bypass me", { mode: "bypass" }))) events.push(event);
    expect(events).toEqual([
      expect.objectContaining({ type: "error", error: expect.objectContaining({ code: "FORBIDDEN" }) }),
    ]);
    expect(simulator.stats().totalCalls).toBe(0);
  });

  it("a tenant cannot refresh a namespace other tenants share, unless the route allows sharedRefresh", async () => {
    const { pipeline, simulator } = await start({ sharedNamespaces: { acme: "group", globex: "group" } });
    const first = await pipeline.generate(ask("chat", "shared answer", {}), { tenant: "globex" });
    expect(first.cache).toBe("miss");
    const refused = await failure(
      pipeline.generate(ask("chat", "shared answer", { mode: "refresh" }), { tenant: "acme" }),
    );
    expect(refused).toMatchObject({ code: "FORBIDDEN", details: { reason: "shared-refresh-not-allowed" } });
    expect(simulator.stats().totalCalls).toBe(1);
    // A tenant alone in its namespace may refresh its own answers.
    const own = await pipeline.generate(ask("chat", "own answer", { mode: "refresh" }), { tenant: "initech" });
    expect(own.cache).toBe("miss");
  });
});
