import { EventEmitter } from "node:events";
import { initialRecord, type JobRecord } from "./job-record.ts";
import type { JobStore, StoreMessage } from "./job-store.ts";
import { JOB_STATES, type QueueDepth } from "./types.ts";

const SWEEP_EVERY_MS = 1_000;

/**
 * The in-process store: plain maps in this process, the same transitions as the Redis store.
 * Finished records expire lazily (on any read of them) and in a sweep at most once a second.
 */
export function createMemoryJobStore(): JobStore {
  const records = new Map<string, JobRecord>();
  // Per tenant, ids in ascending sequence order (appended as created).
  const tenantIndex = new Map<string, { seq: number; id: string }[]>();
  const idempotency = new Map<string, string>();
  const messages = new EventEmitter();
  messages.setMaxListeners(0);
  let sequence = 0;
  let lastSweep = 0;

  const idempotencyId = (tenant: string, key: string) => `${tenant}\u0000${key}`;
  const publish = (message: StoreMessage) => queueMicrotask(() => messages.emit("message", message));
  const copy = (record: JobRecord): JobRecord => structuredClone(record);

  const live = (id: string, now = Date.now()): JobRecord | undefined => {
    const record = records.get(id);
    if (!record) return undefined;
    if (record.expiresAt !== undefined && record.expiresAt <= now) {
      forget(record);
      return undefined;
    }
    return record;
  };
  const forget = (record: JobRecord) => {
    records.delete(record.id);
    if (record.idempotencyKey !== undefined) {
      const key = idempotencyId(record.tenant, record.idempotencyKey);
      if (idempotency.get(key) === record.id) idempotency.delete(key);
    }
  };
  const sweep = (now: number) => {
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    for (const id of [...records.keys()]) live(id, now);
    for (const [tenant, entries] of tenantIndex) {
      const kept = entries.filter((entry) => records.has(entry.id));
      if (kept.length === 0) tenantIndex.delete(tenant);
      else tenantIndex.set(tenant, kept);
    }
  };
  // The record when the given attempt holds the job (active under that attempt).
  const held = (id: string, attempt: number, now = Date.now()): JobRecord | undefined => {
    const record = live(id, now);
    return record?.state === "active" && record.attemptsMade === attempt ? record : undefined;
  };
  // A repeat of a transition this attempt already made (as the Redis store answers a retried write).
  const repeated = (id: string, attempt: number, state: JobRecord["state"]): JobRecord | undefined => {
    const record = live(id);
    return record?.state === state && record.attemptsMade === attempt ? copy(record) : undefined;
  };
  const finishRecord = (record: JobRecord, now: number) => {
    record.finishedAt = now;
    record.expiresAt = now + record.resultTtlMs;
  };

  return {
    async create(job) {
      sweep(job.createdAt);
      if (job.idempotencyKey !== undefined) {
        const existingId = idempotency.get(idempotencyId(job.tenant, job.idempotencyKey));
        const existing = existingId === undefined ? undefined : live(existingId);
        if (existing) return { record: copy(existing), deduplicated: true };
        idempotency.set(idempotencyId(job.tenant, job.idempotencyKey), job.id);
      }
      sequence += 1;
      const record = initialRecord(job, sequence);
      records.set(record.id, record);
      const entries = tenantIndex.get(job.tenant) ?? [];
      entries.push({ seq: record.seq, id: record.id });
      tenantIndex.set(job.tenant, entries);
      publish({ type: "update", id: record.id });
      return { record: copy(record), deduplicated: false };
    },

    async read(id) {
      const record = live(id);
      return record ? copy(record) : undefined;
    },

    async start(id, now) {
      const record = live(id, now);
      if (!record) return { outcome: "skipped" };
      if (record.state !== "waiting" && record.state !== "active") return { outcome: "skipped", record: copy(record) };
      const recovered = record.state === "active";
      if (recovered && record.cancelRequested) {
        record.state = "cancelled";
        finishRecord(record, now);
        publish({ type: "update", id });
        return { outcome: "cancelled", record: copy(record) };
      }
      record.state = "active";
      record.attemptsMade += 1;
      record.startedAt ??= now;
      record.attemptStartedAt = now;
      publish({ type: "update", id });
      return { outcome: "started", record: copy(record), attempt: record.attemptsMade, recovered };
    },

    async reportProgress({ id, attempt, progress }) {
      const record = held(id, attempt);
      if (!record) return false;
      record.progress = progress;
      publish({ type: "update", id });
      return true;
    },

    async finish({ id, attempt, state, now, resultJson, error }) {
      const record = held(id, attempt, now);
      if (!record) return repeated(id, attempt, state);
      record.state = state;
      if (resultJson !== undefined) record.resultJson = resultJson;
      if (error) record.error = error;
      if (state === "completed") record.progress = 100;
      finishRecord(record, now);
      publish({ type: "update", id });
      return copy(record);
    },

    async requeue({ id, attempt, now, readyAt, error }) {
      const record = held(id, attempt, now);
      if (!record) {
        const moved = repeated(id, attempt, "waiting");
        return moved?.queuedAt === readyAt ? moved : undefined;
      }
      record.state = "waiting";
      record.queuedAt = readyAt;
      if (error) {
        record.error = error;
        record.failedAttempts += 1;
      }
      publish({ type: "update", id });
      return copy(record);
    },

    async cancel({ tenant, id, now }) {
      const record = live(id, now);
      if (!record || record.tenant !== tenant) return { outcome: "missing" };
      if (record.state === "waiting") {
        record.state = "cancelled";
        finishRecord(record, now);
        publish({ type: "update", id });
        return { outcome: "cancelled", record: copy(record) };
      }
      if (record.state === "active") {
        record.cancelRequested = true;
        publish({ type: "cancel", id });
        publish({ type: "update", id });
        return { outcome: "requested", record: copy(record) };
      }
      return { outcome: "unchanged", record: copy(record) };
    },

    async markWebhookQueued(id) {
      const record = live(id);
      if (record) record.webhookQueued = true;
    },

    async addDelivery(id, delivery) {
      const record = live(id);
      if (!record) return undefined;
      record.deliveries = [...record.deliveries.filter((entry) => entry.attempt !== delivery.attempt), delivery];
      publish({ type: "update", id });
      return copy(record);
    },

    async list(tenant, { beforeSeq, limit, state }) {
      const now = Date.now();
      const entries = tenantIndex.get(tenant) ?? [];
      const found: JobRecord[] = [];
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const entry = entries[index]!;
        if (beforeSeq !== undefined && entry.seq >= beforeSeq) continue;
        const record = live(entry.id, now);
        if (!record || (state !== undefined && record.state !== state)) continue;
        if (found.length === limit) return { records: found, nextBeforeSeq: found[found.length - 1]!.seq };
        found.push(copy(record));
      }
      return { records: found };
    },

    async depth(now) {
      sweep(now);
      const depth = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as QueueDepth;
      for (const id of [...records.keys()]) {
        const record = live(id, now);
        if (record) depth[record.state] += 1;
      }
      return depth;
    },

    async subscribe(listener) {
      messages.on("message", listener);
      return async () => {
        messages.off("message", listener);
      };
    },

    async close() {
      messages.removeAllListeners();
    },
  };
}
