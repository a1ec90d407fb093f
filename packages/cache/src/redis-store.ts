import { Cluster, Redis } from "ioredis";
import { positiveOption } from "./options.ts";
import {
  byteLength,
  DEFAULT_MAX_ENTRY_BYTES,
  lockToken,
  type CacheStore,
  type StoreHealth,
  type StoreLock,
} from "./store.ts";

export interface RedisStoreOptions {
  /** redis://host:port[/db]. Ignored when `client` or `cluster` is given. */
  url?: string;
  /** A client you own (not closed by `close()`). Keep its offline queue off so a down Redis fails fast. */
  client?: Redis | Cluster;
  /** Redis Cluster seed nodes ("host:port"), through ioredis' Cluster client. */
  cluster?: { nodes: string[] };
  /** Prefix of every key. Default "keel:cache:". */
  keyPrefix?: string;
  /** Larger entries are not stored. Default 512 KiB. */
  maxEntryBytes?: number;
  /** Upper bound of one command; past it the call counts as a failure (a miss). Default 250 ms. */
  commandTimeoutMs?: number;
  /** Default 1,000 ms. */
  connectTimeoutMs?: number;
  /** At most one warning per this period while Redis is failing. Default 30,000 ms. */
  warnEveryMs?: number;
  /** Where warnings go. Default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

const RELEASE_SCRIPT =
  'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end';

/**
 * A store on Redis through ioredis. Fails fast and open: no offline queue, no per-request
 * retries, a per-command time bound; the client reconnects in the background.
 * Memory is bounded by Redis itself (`maxmemory` with an LRU policy: every key written
 * here has a TTL, so `volatile-lru` works); `health()` reports when no bound is set.
 */
export function createRedisStore(options: RedisStoreOptions): CacheStore {
  const prefix = options.keyPrefix ?? "keel:cache:";
  const maxEntryBytes = Math.floor(
    positiveOption({ value: options.maxEntryBytes, fallback: DEFAULT_MAX_ENTRY_BYTES, field: "maxEntryBytes" }),
  );
  const commandTimeoutMs = positiveOption({
    value: options.commandTimeoutMs,
    fallback: 250,
    field: "commandTimeoutMs",
  });
  const connectTimeoutMs = positiveOption({
    value: options.connectTimeoutMs,
    fallback: 1_000,
    field: "connectTimeoutMs",
  });
  const warnEveryMs = positiveOption({
    value: options.warnEveryMs,
    fallback: 30_000,
    field: "warnEveryMs",
    allowZero: true,
  });
  const onWarning = options.onWarning ?? ((message: string) => process.emitWarning(message, "KeelCacheWarning"));
  const owned = options.client === undefined;
  const client = options.client ?? createClient(options, { commandTimeoutMs, connectTimeoutMs });
  const kind: StoreHealth["kind"] = client instanceof Cluster ? "redis-cluster" : "redis";

  let lastWarningAt = -Infinity;
  let failing = false;
  const warn = (message: string) => {
    failing = true;
    const now = Date.now();
    if (now - lastWarningAt < warnEveryMs) return;
    lastWarningAt = now;
    onWarning(`keel cache: ${message}; serving without the cache until Redis answers again`);
  };
  client.on("error", (error: Error) => warn(`Redis error: ${error.message}`));
  client.on("ready", () => {
    if (!failing) return;
    failing = false;
    onWarning("keel cache: Redis is reachable again; the cache resumed");
  });

  // A provided client may have no command timeout of its own, so bound every call here.
  const run = async <T>(operation: string, command: () => Promise<T>): Promise<T> => {
    try {
      return owned ? await command() : await withTimeout(command(), commandTimeoutMs);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      warn(`${operation} failed: ${message}`);
      throw new Error(`redis ${operation} failed: ${message}`, { cause: error });
    }
  };

  return {
    kind,
    maxEntryBytes,
    async get(key) {
      return (await run("get", () => client.get(prefix + key))) ?? undefined;
    },
    async getBuffer(key) {
      return (await run("get", () => client.getBuffer(prefix + key))) ?? undefined;
    },
    async set(key, value, { ttlMs }) {
      const bytes = byteLength(value);
      if (bytes > maxEntryBytes) return { stored: false, bytes, reason: "too-large" };
      await run("set", () => client.set(prefix + key, value, "PX", Math.max(1, Math.ceil(ttlMs))));
      return { stored: true, bytes };
    },
    async delete(key) {
      await run("del", () => client.del(prefix + key));
    },
    async tryLock(key, ttlMs): Promise<StoreLock | undefined> {
      const token = lockToken();
      const reply = await run("lock", () => client.set(prefix + key, token, "PX", Math.max(1, Math.ceil(ttlMs)), "NX"));
      if (reply !== "OK") return undefined;
      return {
        token,
        release: async () => {
          await run("unlock", () => client.eval(RELEASE_SCRIPT, 1, prefix + key, token));
        },
      };
    },
    scan: (match) => scanKeys(client, prefix, match),
    async health() {
      // INFO is answered while still connecting, so readiness is checked first.
      if (client.status !== "ready") return { ok: false, kind, message: `connection ${client.status}` };
      try {
        const node = client instanceof Cluster ? client.nodes("master")[0] : client;
        if (!node) return { ok: false, kind, message: "no cluster master known" };
        const info = await withTimeout(node.info("memory"), commandTimeoutMs);
        const maxMemory = /maxmemory:(\d+)/.exec(info)?.[1];
        const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
        const bounded = maxMemory !== undefined && maxMemory !== "0";
        return {
          ok: true,
          kind,
          message: bounded ? `maxmemory ${maxMemory} (${policy})` : "no maxmemory set: Redis memory is unbounded",
        };
      } catch (error) {
        return { ok: false, kind, message: error instanceof Error ? error.message : String(error) };
      }
    },
    async close() {
      if (owned) client.disconnect();
    },
  };
}

function createClient(
  options: RedisStoreOptions,
  limits: { commandTimeoutMs: number; connectTimeoutMs: number },
): Redis | Cluster {
  const common = {
    connectTimeout: limits.connectTimeoutMs,
    commandTimeout: limits.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
  };
  // Reconnect forever in the background, at most every 2 s: the cache resumes by itself.
  const reconnectDelay = (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000);
  if (options.cluster) {
    const nodes = options.cluster.nodes.map((node) => {
      const [host, port] = node.split(":");
      return { host: host ?? "127.0.0.1", port: Number(port ?? 6379) };
    });
    return connectNodesEagerly(
      new Cluster(nodes, {
        enableOfflineQueue: false,
        scaleReads: "master",
        clusterRetryStrategy: reconnectDelay,
        redisOptions: common,
      }),
    );
  }
  return new Redis(options.url ?? "redis://127.0.0.1:6379", {
    ...common,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
  });
}

/**
 * ioredis connects to each cluster node on its first command. Without an offline queue, the
 * commands that meet a node still connecting are refused and retried 100 ms later, so the
 * first requests after a start or a failover missed the cache and coalescing: connect to
 * every node as soon as the client learns of it.
 */
export function connectNodesEagerly(cluster: Cluster): Cluster {
  cluster.on("+node", (node: Redis) => {
    if (node.status === "wait") node.connect().catch(() => {});
  });
  return cluster;
}

async function* scanKeys(client: Redis | Cluster, prefix: string, match: string): AsyncIterable<string[]> {
  const nodes = client instanceof Cluster ? mastersCoveringEverySlot(client) : [client];
  const pattern = (prefix + match).replace(/[*?[\]\\]/g, "\\$&") + "*";
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) yield keys.map((key) => key.slice(prefix.length));
    } while (cursor !== "0");
  }
}

const CLUSTER_SLOTS = 16_384;

/**
 * The masters to SCAN on a Cluster: one per slot range, every slot owned. A scan that left
 * out a master would look complete and make the semantic cache drop that master's entries
 * from its index, so while the client's slot map is incomplete (connecting, mid-failover)
 * this throws and the caller keeps what it has.
 */
function mastersCoveringEverySlot(cluster: Cluster): Redis[] {
  if (cluster.status !== "ready") throw new Error(`cluster connection ${cluster.status}`);
  const byKey = new Map(cluster.nodes("master").map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const owners = new Set<string>();
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
    const owner = cluster.slots[slot]?.[0];
    if (owner === undefined) throw new Error(`no master known for slot ${slot}`);
    owners.add(owner);
  }
  return [...owners].map((owner) => {
    const node = byKey.get(owner);
    if (!node) throw new Error(`no connection to master ${owner}`);
    return node;
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
