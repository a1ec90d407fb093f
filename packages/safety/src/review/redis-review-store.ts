import { type Cluster, Redis } from "ioredis";
import type { ReviewItem } from "./review-item.ts";
import type { ReviewStore } from "./review-store.ts";

export interface RedisReviewStoreOptions {
  /** redis://host:port[/db]; ignored when `client` is given. */
  url?: string;
  /** A client you own (not closed by `close()`): a Redis or a Cluster. */
  client?: Redis | Cluster;
  /** Default "keel:review:". */
  keyPrefix?: string;
  /** Upper bound of one command. Default 1,000 ms. */
  commandTimeoutMs?: number;
}

/** Moves a pending item to its decided form; 0 when it was not pending any more. */
const DECIDE_SCRIPT = `
if redis.call("HGET", KEYS[1], "state") ~= "pending" then return 0 end
redis.call("HSET", KEYS[1], "state", ARGV[2], "item", ARGV[3])
redis.call("PEXPIRE", KEYS[1], ARGV[4])
redis.call("ZREM", KEYS[2], ARGV[1])
redis.call("ZREM", KEYS[3], ARGV[1])
return 1`;

/**
 * Review items in Redis, shared by every instance. A tenant's keys share one hash tag
 * (`keel:review:{<tenant>}:...`), so the decision script's keys sit in one slot of a
 * Redis Cluster. Per tenant: `item:<id>` (a hash: state and the item's JSON, with a TTL),
 * `pending` (ids in creation order, for lists) and `expiry` (ids by expiry time, for the
 * sweep); one set, `tenants`, lists the tenants that ever had an item.
 */
export function createRedisReviewStore(options: RedisReviewStoreOptions): ReviewStore {
  const prefix = options.keyPrefix ?? "keel:review:";
  const owned = options.client === undefined;
  const client =
    options.client ??
    new Redis(options.url ?? "redis://127.0.0.1:6379", {
      commandTimeout: options.commandTimeoutMs ?? 1_000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: false,
    });
  client.on("error", () => {
    // Failures surface on the commands (the queue fails closed); the client reconnects.
  });
  const connectTimeoutMs = options.commandTimeoutMs ?? 1_000;
  /** With no offline queue, a command before the first connection would fail at once: wait for it, briefly. */
  const ready = async () => {
    if (client.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off("ready", onReady);
        reject(new Error("Redis is not reachable"));
      }, connectTimeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once("ready", onReady);
    });
  };
  const tag = (tenant: string) => `${prefix}{${encodeURIComponent(tenant)}}:`;
  const keys = (tenant: string, id?: string) => ({
    item: `${tag(tenant)}item:${id ?? ""}`,
    pending: `${tag(tenant)}pending`,
    expiry: `${tag(tenant)}expiry`,
  });
  const tenantsKey = `${prefix}tenants`;
  const parse = (json: string | null | undefined) => (json ? (JSON.parse(json) as ReviewItem) : undefined);

  return {
    async create(item, retentionMs) {
      await ready();
      const key = keys(item.tenant, item.id);
      const ttl = Math.max(1, Math.ceil(item.expiresAt + retentionMs - Date.now()));
      await client
        .multi()
        .hset(key.item, "state", item.state, "item", JSON.stringify(item))
        .pexpire(key.item, ttl)
        .zadd(key.pending, 0, item.id)
        .zadd(key.expiry, item.expiresAt, item.id)
        .exec()
        .then(failOnError);
      // Another slot in a cluster: a separate command. The set only grows with tenant names.
      await client.sadd(tenantsKey, item.tenant);
    },
    async get(tenant, id) {
      await ready();
      return parse(await client.hget(keys(tenant, id).item, "item"));
    },
    async decide(item, retentionMs) {
      await ready();
      const key = keys(item.tenant, item.id);
      const result = await client.eval(
        DECIDE_SCRIPT,
        3,
        key.item,
        key.pending,
        key.expiry,
        item.id,
        item.state,
        JSON.stringify(item),
        String(Math.max(1, retentionMs)),
      );
      return result === 1;
    },
    async listPending(tenant, { after, limit }) {
      await ready();
      const key = keys(tenant);
      const page: ReviewItem[] = [];
      let cursor = after;
      while (page.length < limit) {
        const ids = await client.zrangebylex(
          key.pending,
          cursor === undefined ? "-" : `(${cursor}`,
          "+",
          "LIMIT",
          0,
          limit,
        );
        if (ids.length === 0) break;
        const found = await Promise.all(ids.map((id) => client.hget(keys(tenant, id).item, "item")));
        const gone: string[] = [];
        ids.forEach((id, index) => {
          const item = parse(found[index]);
          if (item === undefined) gone.push(id);
          else if (item.state === "pending" && page.length < limit) page.push(item);
        });
        // Items whose key expired leave the indexes.
        if (gone.length > 0)
          await client
            .multi()
            .zrem(key.pending, ...gone)
            .zrem(key.expiry, ...gone)
            .exec();
        cursor = ids[ids.length - 1];
        if (ids.length < limit) break;
      }
      return page;
    },
    async overdue(now, limit) {
      await ready();
      const found: { tenant: string; id: string }[] = [];
      for (const tenant of await client.smembers(tenantsKey)) {
        const key = keys(tenant);
        const ids = await client.zrangebyscore(key.expiry, "-inf", now, "LIMIT", 0, limit - found.length);
        const exists = await Promise.all(ids.map((id) => client.exists(keys(tenant, id).item)));
        const gone = ids.filter((_, index) => exists[index] === 0);
        if (gone.length > 0)
          await client
            .multi()
            .zrem(key.pending, ...gone)
            .zrem(key.expiry, ...gone)
            .exec();
        for (const id of ids) if (!gone.includes(id)) found.push({ tenant, id });
        if (found.length >= limit) break;
      }
      return found;
    },
    async close() {
      if (owned) client.disconnect();
    },
  };
}

function failOnError(results: [Error | null, unknown][] | null): void {
  for (const [error] of results ?? []) if (error) throw error;
}
