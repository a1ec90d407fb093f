import { KeelError } from "@keel/spec";
import type { Consumer } from "./dispatcher.ts";
import { internalsOf, type QueueInternals } from "./queue-internals.ts";
import { abortJob, type ActiveJob, type JobProcessor, queueWebhook, runJob } from "./run-job.ts";
import type { JobQueue } from "./types.ts";
import { createWebhookDeliverer } from "./webhook-delivery.ts";

export interface JobWorkerOptions {
  queue: JobQueue;
  process: JobProcessor;
  /** Jobs run at once by this worker. Default 1. */
  concurrency?: number;
  /** Webhook deliveries at once (when the queue has webhooks). Default 4. */
  webhookConcurrency?: number;
  /** Also re-check running jobs for a requested cancel this often (the notification is the fast path). Default 1,000 ms. */
  cancelPollMs?: number;
  /** Emit `job-queue-depth` this often; 0 turns it off. Default 15,000 ms. */
  depthEveryMs?: number;
  /** Failures of the worker's own machinery (Redis errors, a handler that threw). Default: process.emitWarning. */
  onError?: (error: Error) => void;
}

export interface CloseWorkerOptions {
  /** How long running jobs may take to finish; then they are aborted and handed back. Default 30,000 ms. */
  graceMs?: number;
}

export interface JobWorker {
  /** Jobs this worker is running now. */
  readonly activeCount: number;
  /** Stops taking jobs, lets running ones finish within the grace period, hands back the rest. */
  close(options?: CloseWorkerOptions): Promise<void>;
}

/**
 * Consumes a queue: runs each job through `process` with its abort signal, progress reporter
 * and attempt number, records one outcome per job, delivers webhooks, and reports through the
 * queue's `onEvent`. Start as many workers (in as many processes) as needed on a Redis queue.
 */
export function createJobWorker(options: JobWorkerOptions): JobWorker {
  const internals = internalsOf(options.queue);
  const onError =
    options.onError ?? ((error: Error) => process.emitWarning(`keel jobs worker: ${error.message}`, "KeelJobsWarning"));
  const active = new Map<string, ActiveJob>();
  const consumers: Consumer[] = [];

  consumers.push(
    internals.jobs.consume({
      concurrency: positiveInteger(options.concurrency ?? 1, "concurrency"),
      handle: (id) => runJob({ internals, process: options.process, active }, id),
      onLost: (id) => void failLostJob(internals, id).catch(onError),
      onError,
    }),
  );
  if (internals.webhookDelivery) {
    const deliver = createWebhookDeliverer({
      ...internals.webhookDelivery,
      store: internals.store,
      onEvent: internals.onEvent,
    });
    consumers.push(
      internals.webhooks.consume({
        concurrency: positiveInteger(options.webhookConcurrency ?? 4, "webhookConcurrency"),
        handle: deliver,
        onError,
      }),
    );
  }

  const cancelRequested = (id: string) => {
    const job = active.get(id);
    if (job) abortJob(job, "cancel");
  };
  const unsubscribe = internals.store
    .subscribe((message) => {
      if (message.type === "cancel") cancelRequested(message.id);
    })
    .catch((error: unknown) => {
      onError(error instanceof Error ? error : new Error(String(error)));
      return async () => {};
    });
  // The notification can be lost (pub/sub is at-most-once); a slow poll catches what it missed.
  const cancelPoll = setInterval(() => {
    for (const id of active.keys()) {
      internals.store
        .read(id)
        .then((record) => record?.cancelRequested && cancelRequested(id))
        .catch(onError);
    }
  }, options.cancelPollMs ?? 1_000);
  cancelPoll.unref();
  const depthEveryMs = options.depthEveryMs ?? 15_000;
  const depthTimer =
    depthEveryMs > 0 ? setInterval(() => void options.queue.depth().catch(onError), depthEveryMs) : undefined;
  depthTimer?.unref();

  let closing: Promise<void> | undefined;
  return {
    get activeCount() {
      return active.size;
    },
    close({ graceMs = 30_000 } = {}) {
      closing ??= (async () => {
        clearInterval(cancelPoll);
        if (depthTimer) clearInterval(depthTimer);
        const handBack = setTimeout(() => {
          for (const job of active.values()) abortJob(job, "shutdown");
        }, graceMs);
        try {
          await Promise.all(consumers.map((consumer) => consumer.close()));
        } finally {
          clearTimeout(handBack);
          await (await unsubscribe)();
        }
      })();
      return closing;
    },
  };
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new KeelError("BAD_REQUEST", `${field} must be a positive integer`, { details: { field } });
  }
  return value;
}

/** BullMQ gave up on a job that kept losing its worker: record it as failed so it cannot stay active forever. */
async function failLostJob(internals: QueueInternals, id: string): Promise<void> {
  const record = await internals.store.read(id);
  if (record?.state !== "active") return;
  const error = new KeelError("INTERNAL", "the job's worker stopped responding too many times", {
    retryable: false,
    details: { reason: "worker-lost", attempts: record.attemptsMade },
  }).toJSON();
  const finished = await internals.store.finish({
    id,
    attempt: record.attemptsMade,
    state: "failed",
    now: Date.now(),
    error,
  });
  if (!finished) return;
  internals.onEvent({
    type: "job-state",
    jobId: id,
    tenant: finished.tenant,
    kind: finished.kind,
    state: "failed",
    attempt: finished.attemptsMade,
    durationMs: Math.max(0, (finished.finishedAt ?? 0) - (finished.startedAt ?? finished.createdAt)),
    code: "INTERNAL",
    ...(finished.requestId === undefined ? {} : { requestId: finished.requestId }),
  });
  await queueWebhook(internals, finished);
}
