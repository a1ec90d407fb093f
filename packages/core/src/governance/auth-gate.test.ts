import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline } from "../pipeline/create-pipeline.ts";
import { StartupError } from "../service/startup-error.ts";

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

function pipelineOnRedis(keyPrefix: string) {
  return createPipeline(
    parseConfig({
      providers: { sim: { baseURL: "http://127.0.0.1:9/v1", apiKey: "test-key" } },
      models: { small: { targets: ["sim/gpt-4o-mini"] } },
      telemetry: { log: { level: "silent" } },
      // The default per-command bound (250 ms): the one a start must survive a late answer under.
      redis: { url: redis.url, keyPrefix, required: false },
    }),
  );
}

/** Holds every other client's commands for `ms` (CLIENT PAUSE): an answer that comes later than the command bound. */
async function pauseRedis(ms: number): Promise<void> {
  const admin = new Redis(redis.url);
  try {
    await (ms > 0 ? admin.call("CLIENT", "PAUSE", String(ms)) : admin.call("CLIENT", "UNPAUSE"));
  } finally {
    admin.disconnect();
  }
}

describe("auth gate prepare (a service's start)", () => {
  it("survives one key-store answer later than the 250 ms command bound (bench start failed: the API key store is unavailable)", async () => {
    const pipeline = pipelineOnRedis("auth-gate-late:");
    try {
      expect(await pipeline.governance.ready()).toBe(true);
      await pauseRedis(700);
      const startedAt = Date.now();
      await expect(pipeline.governance.auth.prepare()).resolves.toBeUndefined();
      // It waited the pause out rather than answering from nothing.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(400);
      // No key exists: authentication stays off, read from the store.
      expect(await pipeline.governance.auth.required()).toBe(false);
      expect(await pipeline.governance.auth.describe()).toMatch(/off/i);
    } finally {
      await pipeline.close();
    }
  });

  it("still fails the start, as a StartupError naming the store, when the store stays silent past the wait", async () => {
    const pipeline = pipelineOnRedis("auth-gate-silent:");
    try {
      expect(await pipeline.governance.ready()).toBe(true);
      await pauseRedis(4_000);
      const startedAt = Date.now();
      const error = await pipeline.governance.auth.prepare().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(StartupError);
      expect((error as Error).message).toMatch(
        /cannot use the API key store \(Redis\): the API key store is unavailable/,
      );
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_900);
    } finally {
      await pauseRedis(0);
      await pipeline.close();
    }
  }, 15_000);
});
