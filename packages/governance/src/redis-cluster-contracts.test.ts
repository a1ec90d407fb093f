// The Redis contracts of the rate limiter, the budget ledger and the key store, on a local
// 3-master, 3-replica Redis Cluster: every script and transaction keeps its keys in one slot.
import { startRedisCluster, type RedisClusterHandle } from "@keel/testkit";
import { Cluster } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createRedisBudgetLedger } from "./budgets/redis-budget-ledger.ts";
import { createApiKeyStore } from "./keys/api-key-store.ts";
import { createRedisRateLimiter } from "./limits/redis-rate-limiter.ts";
import { describeBudgetLedgerContract } from "./test-support/budget-ledger-contract.ts";
import { describeKeyStoreContract } from "./test-support/key-store-contract.ts";
import { describeRateLimiterContract } from "./test-support/rate-limiter-contract.ts";
import { uniquePrefix } from "./test-support/redis-fixture.ts";

let cluster: RedisClusterHandle | undefined;
const clients: Cluster[] = [];
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

/** A client of the test's own, offline queue on (it waits for the slot map), reads from masters. */
function clusterClient(): Cluster {
  if (!cluster) throw new Error("the cluster is used before beforeAll ran");
  const client = new Cluster(
    cluster.seeds.map((seed) => ({ host: "127.0.0.1", port: Number(seed.slice(seed.lastIndexOf(":") + 1)) })),
    { scaleReads: "master", redisOptions: { maxRetriesPerRequest: 1 } },
  );
  client.on("error", () => {});
  clients.push(client);
  return client;
}

// A generous command bound: the first commands wait for the cluster's slot map.
const redisOn = (keyPrefix: string) => ({ client: clusterClient(), keyPrefix, commandTimeoutMs: 5_000 });

describeRateLimiterContract("Redis Cluster", () => {
  const keyPrefix = uniquePrefix("cluster-limits");
  return (options) => createRedisRateLimiter({ ...options, redis: redisOn(keyPrefix) });
});

describeBudgetLedgerContract("Redis Cluster", () => {
  const keyPrefix = uniquePrefix("cluster-budget");
  return (options) => createRedisBudgetLedger({ ...options, redis: redisOn(keyPrefix) });
});

describeKeyStoreContract("Redis Cluster", {
  newScope: () => {
    const keyPrefix = uniquePrefix("cluster-keys");
    return (options) => createApiKeyStore({ ...options, redis: redisOn(keyPrefix) });
  },
  shared: true,
});
