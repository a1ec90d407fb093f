import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { parseRedisUrl, type RedisTarget } from "./redis-target.ts";

/**
 * The Redis connections one Keel process shares between its stores. Built here, and only
 * here, as a `Redis` or a `Cluster` from the one `redis.url`; the stores take them as a
 * `client` they do not own, and the pipeline closes them last.
 */
export interface RedisClients {
  readonly target: RedisTarget;
  /**
   * The request path (cache entries, locks, and what later parts add: limits, budgets,
   * keys): no offline queue and no retries, every command bounded by `commandTimeoutMs`,
   * so a Redis that is down or failing over costs a miss, never a stalled request.
   */
  readonly requests: Redis | Cluster;
  /**
   * Background writes (the usage ledger's flushes): waits for a reconnect or a failover
   * instead of failing, and has no command time bound: a write that timed out may still
   * have been applied, and writing its sums again would count them twice.
   */
  readonly background: Redis | Cluster;
  /** Disconnects both; call after the stores flushed. */
  close(): Promise<void>;
}

export interface RedisClientSettings {
  url: string;
  commandTimeoutMs: number;
  /** Default 1,000 ms. */
  connectTimeoutMs?: number;
}

// Reconnect forever in the background, at most every 2 s: the stores resume by themselves.
const reconnectDelay = (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000);

export function createRedisClients(settings: RedisClientSettings): RedisClients {
  const parsed = parseRedisUrl(settings.url);
  // The config schema checked the URL; a bad one here is a caller that bypassed it.
  if ("problem" in parsed) throw new Error(`redis.url: ${parsed.problem}`);
  const target = parsed;
  const connectTimeout = settings.connectTimeoutMs ?? 1_000;
  const requests = createClient(target, {
    failFast: true,
    node: { connectTimeout, commandTimeout: settings.commandTimeoutMs, maxRetriesPerRequest: 0 },
  });
  const background = createClient(target, { failFast: false, node: { connectTimeout, maxRetriesPerRequest: 1 } });
  // Errors reach the stores through the commands that fail; without a listener ioredis prints them.
  for (const client of [requests, background]) client.on("error", () => {});
  return {
    target,
    requests,
    background,
    async close() {
      requests.disconnect();
      background.disconnect();
    },
  };
}

interface Profile {
  failFast: boolean;
  node: Pick<RedisOptions, "connectTimeout" | "commandTimeout" | "maxRetriesPerRequest">;
}

function createClient(target: RedisTarget, profile: Profile): Redis | Cluster {
  const node: RedisOptions = { ...profile.node, enableAutoPipelining: true };
  if (target.kind === "single") {
    return new Redis(target.url, {
      ...node,
      enableOfflineQueue: !profile.failFast,
      retryStrategy: reconnectDelay,
    });
  }
  const options: ClusterOptions = {
    enableOfflineQueue: !profile.failFast,
    enableAutoPipelining: true,
    // Reads go to masters: a replica may lag, and a lock or an entry just written must be
    // read where it was written.
    scaleReads: "master",
    clusterRetryStrategy: reconnectDelay,
    // A command that met a closed connection (a master just died) is sent again after
    // retryDelayOnFailover with a fresh slot map; MOVED after a promotion also refreshes it.
    retryDelayOnFailover: 100,
    slotsRefreshInterval: 2_000,
    redisOptions: {
      ...node,
      ...(target.username === undefined ? {} : { username: target.username }),
      ...(target.password === undefined ? {} : { password: target.password }),
      ...(target.tls ? { tls: {} } : {}),
    },
  };
  const cluster = new Cluster(target.nodes, options);
  // ioredis connects to a node on its first command, and without an offline queue the commands
  // that meet a node still connecting are refused: connect to each node as soon as it is known.
  if (profile.failFast) {
    cluster.on("+node", (node: Redis) => {
      if (node.status === "wait") node.connect().catch(() => {});
    });
  }
  return cluster;
}
