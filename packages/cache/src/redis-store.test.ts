import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { redisTargets } from "@keel/testkit/redis-targets";
import { type Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exactCacheKey } from "./cache-key.ts";
import { createRedisStore } from "./redis-store.ts";
import type { CacheStore } from "./store.ts";
import { describeStoreContract } from "./test-support/store-contract.ts";
import { chat, uniquePrefix } from "./test-support/middleware-fixtures.ts";

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

// The shared contract on one Redis and on a 3-master Redis Cluster (SCAN then runs on every master).
for (const target of redisTargets()) {
  describeStoreContract(target.name, ({ maxEntryBytes }) =>
    ready(
      createRedisStore({ ...target.connection, keyPrefix: uniquePrefix("store"), maxEntryBytes, onWarning: () => {} }),
    ),
  );
}

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

describe("createRedisStore on a Redis Cluster", () => {
  const cluster = redisTargets().find((target) => target.name === "redis-cluster")!;
  afterAll(() => cluster.closeClients());

  it("regression: the first commands to each master were refused while ioredis connected to it lazily", async () => {
    // Without an offline queue, a command that met a node still connecting was refused and
    // retried 100 ms later: past a 90 ms bound, the first requests after a start missed.
    const store = await ready(
      createRedisStore({ ...cluster.connection, keyPrefix: uniquePrefix("eager"), commandTimeoutMs: 90 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const keys = Array.from({ length: 30 }, (_, index) => `spread-${index}`);
    const outcomes = await Promise.allSettled(keys.map((key) => store.get(key)));
    expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([]);
    await store.close();
  });

  it("keeps an entry and its lock and error keys in one slot; entries spread over every master", async () => {
    const prefix = uniquePrefix("slots");
    const store = await ready(createRedisStore({ ...cluster.connection, keyPrefix: prefix }));
    const client = cluster.client() as Cluster;
    const slotOf = async (key: string) => Number(await client.cluster("KEYSLOT", key));
    const entry = exactCacheKey(chat("Where is Oslo?"), { namespace: "acme" });
    expect(entry).toMatch(/^exact:\{[0-9a-f]{64}\}$/);
    const slot = await slotOf(prefix + entry);
    expect(await slotOf(`${prefix}lock:${entry}`)).toBe(slot);
    expect(await slotOf(`${prefix}error:${entry}`)).toBe(slot);
    // Entries are not pinned to one master: 60 requests' keys land on all three.
    const masters = new Set<string>();
    for (let index = 0; index < 60; index++) {
      const key = prefix + exactCacheKey(chat(`question ${index}`), { namespace: "acme" });
      const owner = client.slots[await slotOf(key)]?.[0];
      if (owner) masters.add(owner);
    }
    expect(masters.size).toBe(3);
    await store.close();
  });

  it("a scan before the slot map is known fails instead of looking empty (the semantic index would drop entries)", async () => {
    const prefix = uniquePrefix("scan");
    const writer = await ready(createRedisStore({ ...cluster.connection, keyPrefix: prefix }));
    for (let index = 0; index < 12; index++) await writer.set(`sem:p:${index}`, "v", { ttlMs: 60_000 });
    const fresh = createRedisStore({ ...cluster.connection, keyPrefix: prefix, onWarning: () => {} });
    const early = async () => {
      for await (const _batch of fresh.scan("sem:")) {
        // reading the batches is the scan
      }
    };
    await expect(early()).rejects.toThrow(/cluster connection|no master known/);
    await ready(fresh);
    const keys: string[] = [];
    for await (const batch of fresh.scan("sem:")) keys.push(...batch);
    expect(keys).toHaveLength(12);
    await Promise.all([writer.close(), fresh.close()]);
  });
});
