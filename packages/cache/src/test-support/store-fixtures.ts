// Store factories for tests that run the same behaviour on both stores.
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { createMemoryStore } from "../memory-store.ts";
import { createRedisStore, type RedisStoreOptions } from "../redis-store.ts";
import type { CacheStore } from "../store.ts";
import { uniquePrefix } from "./middleware-fixtures.ts";

export interface StoreFixture {
  name: "memory" | "redis";
  /** A fresh store with its own key prefix; redis stores of one `shared` name see the same keys. */
  open(options?: { shared?: string } & Partial<RedisStoreOptions>): Promise<CacheStore>;
}

export async function untilHealthy(store: CacheStore): Promise<CacheStore> {
  const until = Date.now() + 5_000;
  while (!(await store.health()).ok) {
    if (Date.now() > until) throw new Error("store never became healthy");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return store;
}

/** One redis-server for a test file; call `stop` in afterAll. */
export async function storeFixtures(): Promise<{
  fixtures: StoreFixture[];
  redis: RedisServerHandle;
  stop(): Promise<void>;
}> {
  const redis = await startRedisServer();
  const opened: CacheStore[] = [];
  const shared = new Map<string, string>();
  const track = (store: CacheStore) => {
    opened.push(store);
    return store;
  };
  const fixtures: StoreFixture[] = [
    {
      name: "memory",
      open: async (options = {}) => track(createMemoryStore({ maxEntryBytes: options.maxEntryBytes })),
    },
    {
      name: "redis",
      open: async (options = {}) => {
        let prefix = options.shared ? shared.get(options.shared) : undefined;
        if (!prefix) {
          prefix = uniquePrefix("cache");
          if (options.shared) shared.set(options.shared, prefix);
        }
        return untilHealthy(
          track(createRedisStore({ url: redis.url, keyPrefix: prefix, onWarning: () => {}, ...options })),
        );
      },
    },
  ];
  return {
    fixtures,
    redis,
    async stop() {
      await Promise.all(opened.map((store) => store.close()));
      await redis.stop();
    },
  };
}
