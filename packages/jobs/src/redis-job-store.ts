import type { Cluster, Redis } from "ioredis";
import type { JobRecord } from "./job-record.ts";
import type { CancelOutcome, JobStore, StartOutcome, StoreMessage } from "./job-store.ts";
import type { RedisKeys } from "./redis-keys.ts";
import { deliveryField, newRecordFields, pairsToObject, parseRecord } from "./redis-record.ts";
import {
  CANCEL_SCRIPT,
  CREATE_SCRIPT,
  FINISH_SCRIPT,
  LIST_SCRIPT,
  PROGRESS_SCRIPT,
  REQUEUE_SCRIPT,
  SET_FIELD_SCRIPT,
  START_SCRIPT,
} from "./redis-job-scripts.ts";
import { runScript, type RedisScript } from "./redis-script.ts";
import { JOB_STATES, type QueueDepth } from "./types.ts";

export interface RedisJobStoreOptions {
  client: Redis | Cluster;
  /** A new connection for pub/sub (a subscribed connection can run nothing else). */
  createSubscriber: () => Redis | Cluster;
  keys: RedisKeys;
  /** Most tenant index entries one `list` call examines (state filters skip entries). */
  listScanBudget?: number;
}

const FINAL_STATES = ["completed", "failed", "cancelled"] as const;

/** The job store on Redis: one hash per job and Lua scripts for every transition (see redis-keys.ts). */
export function createRedisJobStore(options: RedisJobStoreOptions): JobStore {
  const { client, keys } = options;
  const listScanBudget = options.listScanBudget ?? 1_000;
  const run = (script: RedisScript, id: string, args: (string | number)[]) =>
    runScript(client, script, { keys: [keys.record(id)], args: [keys.base, id, ...args] });
  const recordOf = (reply: unknown) => (reply ? parseRecord(pairsToObject(reply)) : undefined);

  const listeners = new Set<(message: StoreMessage) => void>();
  let subscriber: Promise<Redis | Cluster> | undefined;
  const ensureSubscriber = () => {
    subscriber ??= (async () => {
      const connection = options.createSubscriber();
      connection.on("message", (channel: string, id: string) => {
        const type = channel === keys.cancelsChannel ? "cancel" : "update";
        for (const listener of listeners) listener({ type, id });
      });
      await connection.subscribe(keys.updatesChannel, keys.cancelsChannel);
      return connection;
    })();
    // A failed first subscription is tried afresh next time rather than cached as failed.
    subscriber.catch(() => {
      subscriber = undefined;
    });
    return subscriber;
  };

  return {
    async create(job) {
      const idempotencyKey = keys.idempotency(job.tenant, job.idempotencyKey ?? "");
      const reply = (await runScript(client, CREATE_SCRIPT, {
        keys: [keys.record(job.id), keys.tenantIndex(job.tenant), idempotencyKey, keys.sequence],
        args: [keys.base, job.id, job.createdAt, job.idempotencyKey === undefined ? "0" : "1", ...newRecordFields(job)],
      })) as [string, number, unknown];
      const [id, deduplicated, fields] = reply;
      const record = recordOf(fields);
      if (!record) throw new Error(`job ${id} has no record right after it was written`);
      return { record, deduplicated: deduplicated === 1 };
    },

    async read(id) {
      return parseRecord(await client.hgetall(keys.record(id)));
    },

    async start(id, now): Promise<StartOutcome> {
      const reply = (await run(START_SCRIPT, id, [now])) as unknown[];
      const [outcome] = reply;
      if (outcome === "started") {
        const record = recordOf(reply[3]);
        if (!record) return { outcome: "skipped" };
        return { outcome, record, attempt: Number(reply[1]), recovered: reply[2] === 1 };
      }
      const record = recordOf(reply[1]);
      if (outcome === "cancelled" && record) return { outcome, record };
      return record ? { outcome: "skipped", record } : { outcome: "skipped" };
    },

    async reportProgress({ id, attempt, progress }) {
      return (await run(PROGRESS_SCRIPT, id, [attempt, progress])) === 1;
    },

    async finish({ id, attempt, state, now, resultJson, error }) {
      const reply = await run(FINISH_SCRIPT, id, [
        attempt,
        state,
        now,
        resultJson ?? "",
        error ? JSON.stringify(error) : "",
      ]);
      return recordOf(reply);
    },

    async requeue({ id, attempt, readyAt, error }) {
      const reply = await run(REQUEUE_SCRIPT, id, [attempt, readyAt, error ? JSON.stringify(error) : ""]);
      return recordOf(reply);
    },

    async cancel({ tenant, id, now }): Promise<CancelOutcome> {
      const reply = (await run(CANCEL_SCRIPT, id, [tenant, now])) as unknown[];
      const [outcome] = reply;
      const record = recordOf(reply[1]);
      if (!record || (outcome !== "cancelled" && outcome !== "requested" && outcome !== "unchanged")) {
        return { outcome: "missing" };
      }
      return { outcome, record };
    },

    async markWebhookQueued(id) {
      await run(SET_FIELD_SCRIPT, id, ["webhookQueued", "1"]);
    },

    async addDelivery(id, delivery) {
      return recordOf(await run(SET_FIELD_SCRIPT, id, [deliveryField(delivery.attempt), JSON.stringify(delivery)]));
    },

    async list(tenant, { beforeSeq, limit, state }) {
      const reply = (await runScript(client, LIST_SCRIPT, {
        keys: [keys.tenantIndex(tenant)],
        args: [keys.base, beforeSeq === undefined ? "+inf" : `(${beforeSeq}`, limit, state ?? "", listScanBudget],
      })) as [unknown[], string];
      const records = reply[0].map(recordOf).filter((record): record is JobRecord => record !== undefined);
      return reply[1] === "" ? { records } : { records, nextBeforeSeq: Number(reply[1]) };
    },

    async depth(now) {
      const pipeline = client.pipeline();
      for (const state of FINAL_STATES) pipeline.zremrangebyscore(`${keys.base}state:${state}`, "-inf", now);
      for (const state of JOB_STATES) pipeline.zcard(`${keys.base}state:${state}`);
      const replies = (await pipeline.exec()) ?? [];
      const counts = replies.slice(FINAL_STATES.length);
      const depth = {} as QueueDepth;
      JOB_STATES.forEach((state, index) => {
        const [error, count] = counts[index] ?? [new Error("no reply"), 0];
        if (error) throw error;
        depth[state] = Number(count);
      });
      return depth;
    },

    async subscribe(listener) {
      await ensureSubscriber();
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },

    async close() {
      listeners.clear();
      if (!subscriber) return;
      const connection = await subscriber.catch(() => undefined);
      connection?.disconnect();
    },
  };
}
