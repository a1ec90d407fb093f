import { randomUUID } from "node:crypto";
import { KeelError } from "@keel/spec";
import type { Dispatcher } from "./dispatcher.ts";
import { normaliseEnqueueOptions } from "./enqueue-options.ts";
import type { JobEventListener } from "./events.ts";
import { type JobRecord, toJob } from "./job-record.ts";
import type { JobStore } from "./job-store.ts";
import { decodeCursor, encodeCursor } from "./list-cursor.ts";
import { registerInternals, type QueueInternals } from "./queue-internals.ts";
import { JOB_STATES, type JobPage, type JobQueue } from "./types.ts";
import { watchJob } from "./watch-job.ts";
import type { WebhookPolicy } from "./webhook-policy.ts";

export interface QueueParts {
  kind: JobQueue["kind"];
  name: string;
  store: JobStore;
  jobs: Dispatcher;
  webhooks: Dispatcher;
  webhookPolicy: WebhookPolicy | undefined;
  webhookDelivery: QueueInternals["webhookDelivery"];
  onEvent: JobEventListener;
  maxRequestBytes: number;
  watchPollMs: number;
  /** Closes what the factory opened, after the dispatchers and the store. */
  closeConnections: () => Promise<void>;
}

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/**
 * Turns an unexpected failure of the queue's backing service into a typed, retryable error
 * (a KeelError passes through). The cause stays on the error for logs, never in its message.
 */
async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (KeelError.isInstance(error)) throw error;
    throw new KeelError("UPSTREAM_UNAVAILABLE", "the job queue is unavailable", {
      cause: error,
      retryable: true,
      details: { reason: "queue-unavailable" },
    });
  }
}

/** The JobQueue contract over a store and dispatchers; both factories build on it. */
export function assembleJobQueue(parts: QueueParts): JobQueue {
  const { store, jobs, onEvent } = parts;
  const ownRecord = (record: JobRecord | undefined, tenant: string) =>
    record && record.tenant === tenant ? record : undefined;

  const queue: JobQueue = {
    kind: parts.kind,

    async enqueue(options) {
      const normalised = normaliseEnqueueOptions(options, { maxRequestBytes: parts.maxRequestBytes });
      if (normalised.webhookUrl !== undefined) {
        if (!parts.webhookPolicy) {
          throw new KeelError("BAD_REQUEST", "webhooks are not configured on this queue", {
            details: { field: "webhook.url", reason: "not-allowed" },
          });
        }
        await parts.webhookPolicy.resolve(normalised.webhookUrl);
      }
      const now = Date.now();
      const id = `job_${randomUUID().replaceAll("-", "")}`;
      return guarded(async () => {
        const { record, deduplicated } = await store.create({ ...normalised, id, createdAt: now });
        if (deduplicated) {
          // Re-adding a waiting job is a no-op while the dispatcher holds it, and repairs a job
          // whose first add was lost (the process died between the record and the add).
          if (record.state === "waiting") {
            await jobs.add(record.id, { priority: record.priority, delayMs: Math.max(0, record.queuedAt - now) });
          }
          return { id: record.id, deduplicated: true };
        }
        try {
          await jobs.add(id, { priority: record.priority });
        } catch (error) {
          // The caller gets an error and never sees this id: end the record so it cannot linger.
          await store.cancel({ tenant: record.tenant, id, now: Date.now() }).catch(() => undefined);
          throw error;
        }
        onEvent({
          type: "job-state",
          jobId: id,
          tenant: record.tenant,
          kind: record.kind,
          state: "waiting",
          attempt: 0,
          ...(record.requestId === undefined ? {} : { requestId: record.requestId }),
        });
        return { id, deduplicated: false };
      });
    },

    async get(tenant, id) {
      const record = ownRecord(await guarded(() => store.read(id)), tenant);
      return record ? toJob(record) : undefined;
    },

    async cancel(tenant, id) {
      const outcome = await guarded(() => store.cancel({ tenant, id, now: Date.now() }));
      if (outcome.outcome === "missing") return undefined;
      if (outcome.outcome === "cancelled") {
        await jobs.remove(id);
        const { record } = outcome;
        onEvent({
          type: "job-state",
          jobId: id,
          tenant,
          kind: record.kind,
          state: "cancelled",
          attempt: record.attemptsMade,
          durationMs: 0,
          ...(record.requestId === undefined ? {} : { requestId: record.requestId }),
        });
      }
      return toJob(outcome.record);
    },

    async list(tenant, options = {}): Promise<JobPage> {
      const limit = options.limit ?? DEFAULT_PAGE;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
        throw new KeelError("BAD_REQUEST", `limit must be an integer from 1 to ${MAX_PAGE}`, {
          details: { field: "limit" },
        });
      }
      if (options.state !== undefined && !JOB_STATES.includes(options.state)) {
        throw new KeelError("BAD_REQUEST", `state must be one of ${JOB_STATES.join(", ")}`, {
          details: { field: "state" },
        });
      }
      const beforeSeq = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const page = await guarded(() =>
        store.list(tenant, {
          limit,
          ...(beforeSeq === undefined ? {} : { beforeSeq }),
          ...(options.state === undefined ? {} : { state: options.state }),
        }),
      );
      const jobsOnPage = page.records.filter((record) => record.tenant === tenant).map(toJob);
      return page.nextBeforeSeq === undefined
        ? { jobs: jobsOnPage }
        : { jobs: jobsOnPage, nextCursor: encodeCursor(page.nextBeforeSeq) };
    },

    watch(tenant, id, options = {}) {
      return watchJob({
        store,
        tenant,
        id,
        pollMs: parts.watchPollMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    },

    async depth() {
      const depth = await guarded(() => store.depth(Date.now()));
      onEvent({ type: "job-queue-depth", queue: parts.name, depth });
      return depth;
    },

    async close() {
      await Promise.allSettled([jobs.close(), parts.webhooks.close()]);
      await store.close();
      await parts.closeConnections();
    },
  };
  registerInternals(queue, {
    name: parts.name,
    store,
    jobs,
    webhooks: parts.webhooks,
    webhookDelivery: parts.webhookDelivery,
    onEvent,
  });
  return queue;
}
