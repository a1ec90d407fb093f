import { createHash } from "node:crypto";
import { KeelError } from "@keel/spec";

/**
 * The Redis key layout. Everything the queue writes shares one hash tag (the `{...}` part of
 * the prefix), so on Redis Cluster it all lives in one slot: BullMQ requires that of its own
 * keys, and it lets our Lua scripts touch the job record, the tenant index, the idempotency key
 * and the state sets atomically. Scale out across slots by running more queues (prefixes).
 *
 *   {keel-jobs}:<queue>:...                 BullMQ's keys for the job queue
 *   {keel-jobs}:<queue>-webhooks:...        BullMQ's keys for webhook deliveries
 *   {keel-jobs}:keel:<queue>:job:<id>       hash: the job record (expires resultTtlMs after it finished)
 *   {keel-jobs}:keel:<queue>:tenant:<t>     sorted set: the tenant's job ids by sequence number (listing)
 *   {keel-jobs}:keel:<queue>:idem:<t>:<h>   string: job id for an idempotency key (h = sha256 of the key)
 *   {keel-jobs}:keel:<queue>:state:<state>  sorted set: ids per state (queue depth)
 *   {keel-jobs}:keel:<queue>:seq            counter: the sequence numbers
 *   {keel-jobs}:keel:<queue>:updates        pub/sub channel: a job id whose record changed
 *   {keel-jobs}:keel:<queue>:cancels        pub/sub channel: a job id whose cancel was requested
 *
 * <t> is the tenant, URI-encoded so that no tenant name can reach into another's keys.
 */
export interface RedisKeys {
  /** BullMQ's `prefix` option. */
  bullPrefix: string;
  jobsQueue: string;
  webhooksQueue: string;
  /** Our keys start with this; the Lua scripts derive per-job keys from it. */
  base: string;
  record(id: string): string;
  tenantIndex(tenant: string): string;
  idempotency(tenant: string, key: string): string;
  sequence: string;
  updatesChannel: string;
  cancelsChannel: string;
}

const HASH_TAG = /\{[^{}]+\}/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function redisKeys(options: { prefix: string; queue: string }): RedisKeys {
  if (!HASH_TAG.test(options.prefix)) {
    throw new KeelError(
      "BAD_REQUEST",
      "the Redis prefix needs a {hash tag} so the queue's keys share one Cluster slot",
      {
        details: { field: "prefix" },
      },
    );
  }
  if (!QUEUE_NAME.test(options.queue) || options.queue === "keel") {
    throw new KeelError("BAD_REQUEST", "the queue name must be 1-64 letters, digits, '-' or '_' (and not 'keel')", {
      details: { field: "queue" },
    });
  }
  const base = `${options.prefix}:keel:${options.queue}:`;
  return {
    bullPrefix: options.prefix,
    jobsQueue: options.queue,
    webhooksQueue: `${options.queue}-webhooks`,
    base,
    record: (id) => `${base}job:${id}`,
    tenantIndex: (tenant) => `${base}tenant:${encodeURIComponent(tenant)}`,
    idempotency: (tenant, key) =>
      `${base}idem:${encodeURIComponent(tenant)}:${createHash("sha256").update(key).digest("hex")}`,
    sequence: `${base}seq`,
    updatesChannel: `${base}updates`,
    cancelsChannel: `${base}cancels`,
  };
}
