// Store factories for tests that run the same behaviour on both stores.
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { redisTargets } from "@keel/testkit/redis-targets";
import { createMemoryStore } from "../memory-store.ts";
import { createRedisStore, type RedisStoreOptions } from "../redis-store.ts";
import type { CacheStore } from "../store.ts";
import { uniquePrefix } from "./middleware-fixtures.ts";

export interface StoreFixture {
  /** "redis-cluster": the package run's local 3-master Redis Cluster (see vitest.config.ts). */
  name: "memory" | "redis" | "redis-cluster";
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

/** One redis-server for a test file (and the run's shared Redis Cluster); call `stop` in afterAll. */
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
  const prefixFor = (name?: string) => {
    let prefix = name ? shared.get(name) : undefined;
    if (!prefix) {
      prefix = uniquePrefix("cache");
      if (name) shared.set(name, prefix);
    }
    return prefix;
  };
  const cluster = redisTargets().find((target) => target.name === "redis-cluster")!;
  const fixtures: StoreFixture[] = [
    {
      name: "memory",
      open: async (options = {}) => track(createMemoryStore({ maxEntryBytes: options.maxEntryBytes })),
    },
    {
      name: "redis",
      open: async (options = {}) =>
        untilHealthy(
          track(
            createRedisStore({ url: redis.url, keyPrefix: prefixFor(options.shared), onWarning: () => {}, ...options }),
          ),
        ),
    },
    {
      name: "redis-cluster",
      open: async (options = {}) =>
        untilHealthy(
          track(
            createRedisStore({
              ...cluster.connection,
              keyPrefix: prefixFor(options.shared),
              onWarning: () => {},
              ...options,
            }),
          ),
        ),
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
