import { Cluster, Redis } from "ioredis";
import { checkKeyPrefix } from "./identifiers.ts";
import { positiveOption } from "./options.ts";

/** How a governance part reaches Redis. One of `url`, `client` or `cluster`. */
export interface RedisOptions {
  /** redis://host:port[/db]. Ignored when `client` or `cluster` is given. */
  url?: string;
  /** A client you own (not closed by `close()`); every command is still bounded by `commandTimeoutMs`. */
  client?: Redis | Cluster;
  /** Redis Cluster seed nodes ("host:port"), through ioredis' Cluster client. */
  cluster?: { nodes: string[] };
  /** Prefix of every key (no braces). Default "keel:". */
  keyPrefix?: string;
  /** Upper bound of one command: a hung Redis cannot stall a request longer. Default 250 ms. */
  commandTimeoutMs?: number;
  /** Default 1,000 ms. */
  connectTimeoutMs?: number;
}

export interface Health {
  ok: boolean;
  kind: "memory" | "file" | "redis" | "redis-cluster";
  message?: string;
}

/** A Lua script registered through ioredis `defineCommand` (EVALSHA, EVAL on a cache miss). */
export type Script = (keys: string[], args: (string | number)[]) => Promise<unknown>;

export interface RedisConnection {
  readonly client: Redis | Cluster;
  readonly prefix: string;
  /** Runs a command within the time bound; rejects when Redis fails or is too slow. */
  run<T>(command: () => Promise<T>): Promise<T>;
  /** Registers a script under a unique name and returns a caller for it. */
  script(name: string, lua: string): Script;
  health(): Health;
  close(): Promise<void>;
}

type ScriptCaller = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Opens (or adopts) a Redis connection that fails fast: no offline queue, no per-command
 * retries, a time bound on every command; an owned client reconnects in the background.
 */
export function connectRedis(options: RedisOptions): RedisConnection {
  const prefix = checkKeyPrefix(options.keyPrefix ?? "keel:");
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
  const owned = options.client === undefined;
  const client = options.client ?? createClient(options, { commandTimeoutMs, connectTimeoutMs });
  const kind = client instanceof Cluster ? "redis-cluster" : "redis";
  // An owned client logs nothing by itself; errors surface through the commands that fail.
  if (owned) client.on("error", () => {});
  const callers = client as unknown as Record<string, ScriptCaller>;

  return {
    client,
    prefix,
    run: (command) => withTimeout(command(), commandTimeoutMs),
    script(name, lua) {
      const commandName = `keel${name}`;
      if (typeof callers[commandName] !== "function") client.defineCommand(commandName, { lua });
      return (keys, args) => {
        const call = callers[commandName];
        if (!call) return Promise.reject(new Error(`script ${commandName} is not defined`));
        return withTimeout(call.call(client, keys.length, ...keys, ...args), commandTimeoutMs);
      };
    },
    health: () =>
      client.status === "ready" ? { ok: true, kind } : { ok: false, kind, message: `connection ${client.status}` },
    async close() {
      if (owned) client.disconnect();
    },
  };
}

function createClient(options: RedisOptions, limits: { commandTimeoutMs: number; connectTimeoutMs: number }) {
  const common = {
    connectTimeout: limits.connectTimeoutMs,
    commandTimeout: limits.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
  };
  const reconnectDelay = (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000);
  if (options.cluster) {
    const nodes = options.cluster.nodes.map((node) => {
      const [host, port] = node.split(":");
      return { host: host ?? "127.0.0.1", port: Number(port ?? 6379) };
    });
    return new Cluster(nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: common,
    });
  }
  return new Redis(options.url ?? "redis://127.0.0.1:6379", {
    ...common,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
  });
}

export function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Redis errors as one line for an event; never holds a key's secret (none is ever sent to Redis). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
