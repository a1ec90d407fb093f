import { Cluster, Redis } from "ioredis";
import { inject } from "vitest";

/** What the global setup (`@keel/testkit/redis-targets-setup`) started for a package's test run. */
export interface ProvidedRedisTargets {
  redisUrl: string;
  clusterSeeds: string[];
}

declare module "vitest" {
  export interface ProvidedContext {
    keelRedisTargets: ProvidedRedisTargets;
  }
}

export type RedisTargetName = "redis" | "redis-cluster";

/** A Redis to run a store's contract suite against: one server, or a 3-master, 3-replica cluster. */
export interface RedisTarget {
  readonly name: RedisTargetName;
  /** `redis://127.0.0.1:port` or `redis+cluster://127.0.0.1:p1,...` (the REDIS_URL forms Keel accepts). */
  readonly url: string;
  /** The connection options Keel's stores take: `{ url }` or `{ cluster: { nodes } }`. */
  readonly connection: { url: string } | { cluster: { nodes: string[] } };
  /** A client of the test's own (`Redis` or `Cluster`, offline queue on, so it waits for the connection). */
  client(): Redis | Cluster;
  /** Disconnects the clients `client()` made. */
  closeClients(): void;
}

/**
 * The Redis targets of this test run, from the package's global setup: a single
 * redis-server and a local Redis Cluster, started once per package and shared by its
 * test files (each test keeps to its own key prefix). Parameterise a store's suite over
 * them so the same contract runs on both. Never kill the shared cluster's nodes: a
 * failover test starts a cluster of its own (`startRedisCluster`).
 */
export function redisTargets(): RedisTarget[] {
  const provided = inject("keelRedisTargets");
  if (!provided) {
    throw new Error(
      'no Redis targets: add globalSetup: [redisTargetsSetup] (from "@keel/testkit/redis-targets-setup") to this package\'s vitest.config.ts',
    );
  }
  const nodes = provided.clusterSeeds;
  return [
    target("redis", { url: provided.redisUrl }, () => new Redis(provided.redisUrl, { maxRetriesPerRequest: 1 })),
    target(
      "redis-cluster",
      { cluster: { nodes } },
      () => new Cluster(nodes.map(hostPort), { redisOptions: { maxRetriesPerRequest: 1 } }),
    ),
  ];
}

function target(
  name: RedisTargetName,
  connection: RedisTarget["connection"],
  open: () => Redis | Cluster,
): RedisTarget {
  const clients: (Redis | Cluster)[] = [];
  return {
    name,
    url: "url" in connection ? connection.url : `redis+cluster://${connection.cluster.nodes.join(",")}`,
    connection,
    client() {
      const client = open();
      client.on("error", () => {}); // a test that breaks connections expects the errors
      clients.push(client);
      return client;
    },
    closeClients() {
      for (const client of clients.splice(0)) client.disconnect();
    },
  };
}

function hostPort(seed: string): { host: string; port: number } {
  const colon = seed.lastIndexOf(":");
  return { host: seed.slice(0, colon), port: Number(seed.slice(colon + 1)) };
}
