import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEmbedder } from "./local-embedder.ts";
import { createMemoryStore } from "./memory-store.ts";
import { semanticCacheMiddleware } from "./semantic-cache.ts";
import type { CacheStore } from "./store.ts";
import { storeFixtures } from "./test-support/store-fixtures.ts";
import { chat, createContext, createScriptedModel, sleepMs, wrap } from "./test-support/middleware-fixtures.ts";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

let setup: Awaited<ReturnType<typeof storeFixtures>>;
beforeAll(async () => {
  setup = await storeFixtures();
});
afterAll(async () => {
  await setup.stop();
});

/** Distinct made-up words, so no two prompts are alike and every request is a miss. */
const wordOf = (value: number) => `z${value.toString(36)}q`;
const prompt = (value: number) => `tell me about ${wordOf(value)} and ${wordOf(value * 7 + 3)}`;

async function semanticKeys(store: CacheStore): Promise<number> {
  let count = 0;
  for await (const keys of store.scan("sem:")) count += keys.length;
  return count;
}

describe("semantic cache index bounds", () => {
  it("regression: the vector index grew with every unique prompt; 200,000 prompts stay within the caps and memory stays flat", async () => {
    const store = createMemoryStore({ maxEntries: 30_000, maxBytes: 512 * 1024 * 1024 });
    const middleware = semanticCacheMiddleware({
      store,
      embedder: createLocalEmbedder({ dimensions: 64 }),
      resyncIntervalMs: 0,
      maxEntries: 20_000,
      maxEntriesPerNamespace: 2_000,
    });
    const model = wrap(middleware, createScriptedModel(() => "a short answer").model);
    const tenants = 50;
    const memoryAt: number[] = [];
    for (let value = 0; value < 200_000; value++) {
      await model.generate(chat(prompt(value)), createContext({ tenant: `t${value % tenants}` }).ctx);
      if ((value + 1) % 40_000 === 0) {
        const stats = middleware.stats();
        expect(stats.vectors).toBeLessThanOrEqual(20_000);
        expect(stats.namespaces).toBe(tenants);
        collectGarbage();
        const usage = process.memoryUsage();
        memoryAt.push(usage.heapUsed + usage.arrayBuffers);
      }
    }
    expect(middleware.stats()).toMatchObject({ vectors: 20_000, partitions: tenants, namespaces: tenants });
    // Entries pushed out of the index were deleted from the store as well.
    expect(await semanticKeys(store)).toBe(20_000);
    // From the first check (index full) to the last, 160,000 more prompts: no growth beyond noise.
    const growth = memoryAt.at(-1)! - memoryAt[0]!;
    expect(growth).toBeLessThan(24 * 1024 * 1024);
    expect(middleware.stats().bytes).toBeLessThan(20 * 1024 * 1024);
  }, 600_000);

  it("takes entries the memory store evicts or deletes out of the index at once", async () => {
    const store = createMemoryStore({ maxEntries: 5 });
    const middleware = semanticCacheMiddleware({ store, resyncIntervalMs: 0 });
    const model = wrap(middleware, createScriptedModel().model);
    for (let value = 0; value < 12; value++) await model.generate(chat(prompt(value)), createContext().ctx);
    expect(middleware.stats().vectors).toBe(5);
    const [first] = (await store.scan("sem:")[Symbol.asyncIterator]().next()).value as string[];
    await store.delete(first!);
    expect(middleware.stats().vectors).toBe(4);
    expect(await semanticKeys(store)).toBe(4);
  });

  it("resync lets the event loop run between the store's scan batches instead of one stall over every key", async () => {
    const store = createMemoryStore();
    // 1,200 keys under the semantic prefix (three scan batches of up to 500) that decode to no entry.
    for (let value = 0; value < 1_200; value++) await store.set(`sem:p:${value}`, "not an entry", { ttlMs: 60_000 });
    const middleware = semanticCacheMiddleware({ store, resyncIntervalMs: 0 });
    await middleware.ready;
    let turns = 0;
    const turn = () => {
      turns += 1;
      if (turns < 100) setImmediate(turn);
    };
    setImmediate(turn);
    expect(await middleware.resync()).toBe(0);
    // One turn of the loop per batch at least; before, none ran until the resync had ended.
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(middleware.stats().vectors).toBe(0);
  });

  it("drops expired entries from the index", async () => {
    const middleware = semanticCacheMiddleware({ store: createMemoryStore(), resyncIntervalMs: 0 });
    const model = wrap(middleware, createScriptedModel().model);
    await model.generate(chat("What is the tallest mountain?", { cache: { ttlSeconds: 1 } }), createContext().ctx);
    await model.generate(chat("What is the longest river?"), createContext().ctx);
    expect(middleware.stats().vectors).toBe(2);
    await sleepMs(1_100);
    expect(await middleware.resync()).toBe(0);
    expect(middleware.stats().vectors).toBe(1);
    expect((await model.generate(chat("what is the tallest mountain"), createContext().ctx)).cache).toBe("miss");
  });

  it("resync takes out entries another instance or Redis removed, and caps a namespace across instances", async () => {
    const redis = setup.fixtures.find((fixture) => fixture.name === "redis")!;
    const inner = createScriptedModel();
    const first = semanticCacheMiddleware({
      store: await redis.open({ shared: "bounds" }),
      resyncIntervalMs: 0,
      maxEntriesPerNamespace: 3,
    });
    const second = semanticCacheMiddleware({
      store: await redis.open({ shared: "bounds" }),
      resyncIntervalMs: 0,
      maxEntriesPerNamespace: 3,
    });
    const other = await redis.open({ shared: "bounds" });
    for (let value = 0; value < 3; value++)
      await wrap(first, inner.model).generate(chat(prompt(value)), createContext().ctx);
    expect(await second.resync()).toBe(3);
    // The second instance's fourth entry evicts its least recently used one from Redis too.
    await wrap(second, inner.model).generate(chat(prompt(3)), createContext().ctx);
    expect(await semanticKeys(other)).toBe(3);
    // Deleted behind both instances' backs (as Redis's maxmemory policy would):
    for await (const keys of other.scan("sem:")) for (const key of keys.slice(0, 1)) await other.delete(key);
    expect(await semanticKeys(other)).toBe(2);
    await first.resync();
    await second.resync();
    expect(first.stats().vectors).toBe(2);
    expect(second.stats().vectors).toBe(2);
    expect(second.stats()).toMatchObject({ namespaces: 1 });
  });
});
