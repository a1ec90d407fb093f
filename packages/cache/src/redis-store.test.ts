import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "./redis-store.ts";
import type { CacheStore } from "./store.ts";
import { describeStoreContract } from "./test-support/store-contract.ts";
import { uniquePrefix } from "./test-support/middleware-fixtures.ts";

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

async function ready(store: CacheStore): Promise<CacheStore> {
  const until = Date.now() + 5_000;
  while (!(await store.health()).ok) {
    if (Date.now() > until) throw new Error("redis store never became ready");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return store;
}

describeStoreContract("redis", ({ maxEntryBytes }) =>
  ready(createRedisStore({ url: redis.url, keyPrefix: uniquePrefix("store"), maxEntryBytes })),
);

describe("createRedisStore", () => {
  it("uses a provided client and keeps it open on close()", async () => {
    const client = new Redis(redis.url, { enableOfflineQueue: true });
    const prefix = uniquePrefix("client");
    const store = createRedisStore({ client, keyPrefix: prefix });
    await store.set("k", "v", { ttlMs: 5_000 });
    expect(await client.get(`${prefix}k`)).toBe("v");
    expect(Number(await client.pttl(`${prefix}k`))).toBeGreaterThan(4_000);
    await store.close();
    expect(await client.ping()).toBe("PONG");
    client.disconnect();
  });

  it("reports in health() whether Redis memory is bounded", async () => {
    const store = await ready(createRedisStore({ url: redis.url, keyPrefix: uniquePrefix("health") }));
    expect((await store.health()).message).toMatch(/unbounded/);
    const admin = new Redis(redis.url);
    await admin.config("SET", "maxmemory", "64mb");
    await admin.config("SET", "maxmemory-policy", "volatile-lru");
    expect((await store.health()).message).toMatch(/maxmemory 67108864 \(volatile-lru\)/);
    await admin.config("SET", "maxmemory", "0");
    admin.disconnect();
    await store.close();
  });

  it("fails fast while Redis is down, warns once per period, and resumes when it returns", async () => {
    const server = await startRedisServer();
    const warnings: string[] = [];
    const store = await ready(
      createRedisStore({
        url: server.url,
        keyPrefix: uniquePrefix("down"),
        warnEveryMs: 60_000,
        onWarning: (message) => warnings.push(message),
      }),
    );
    await store.set("k", "v", { ttlMs: 60_000 });
    await server.kill();
    const started = Date.now();
    for (let index = 0; index < 20; index++) await expect(store.get("k")).rejects.toThrow(/redis get failed/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(warnings.filter((message) => message.includes("serving without the cache"))).toHaveLength(1);
    await server.start();
    await ready(store);
    await store.set("k", "back", { ttlMs: 60_000 });
    expect(await store.get("k")).toBe("back");
    expect(warnings.some((message) => message.includes("resumed"))).toBe(true);
    await store.close();
    await server.stop();
  });
});
