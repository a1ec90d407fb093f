import type { Job as BullJob, Queue, Worker } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { ConsumeOptions, Consumer, Dispatcher } from "./dispatcher.ts";

export interface BullDispatcherOptions {
  /** BullMQ queue name. */
  name: string;
  /** BullMQ's key prefix; carries the hash tag. */
  prefix: string;
  /** For the producer side (add, remove); shared, not closed here. */
  client: Redis | Cluster;
  /** A connection template for a BullMQ Worker (maxRetriesPerRequest: null); the Worker duplicates it. */
  workerConnection: () => Redis | Cluster;
  /** How long a worker's lock on a job lasts without renewal; a dead worker's job is recovered after it. */
  lockDurationMs: number;
  /** How often workers look for stalled jobs (jobs whose lock expired). */
  stalledIntervalMs: number;
  /** Recoveries of one job from dead workers before BullMQ fails it. */
  maxStalledCount: number;
}

/** BullMQ's error when a job stalled more often than `maxStalledCount` allows. */
const STALLED_LIMIT_MESSAGE = "job stalled more than allowable limit";
/** Delay before an id whose handler threw unexpectedly is delivered again. */
const HANDLER_ERROR_RETRY_MS = 1_000;

type Bullmq = typeof import("bullmq");
let bullmqLoading: Promise<Bullmq> | undefined;

/**
 * BullMQ and its dependencies (msgpackr, cron-parser, luxon, semver: ~170 files, ~10 MB RSS)
 * load on the first Redis dispatcher, not when @keel/jobs is imported: the default
 * configuration (in-process queue) never needs them. DelayedError and WaitingError come from
 * this same module instance, so BullMQ's Worker still recognises them.
 */
function loadBullmq(): Promise<Bullmq> {
  bullmqLoading ??= import("bullmq");
  return bullmqLoading;
}

/**
 * The durable dispatcher on BullMQ. A BullMQ job carries only our job id (its id is ours, which
 * makes `add` idempotent); BullMQ's own retries are off (attempts 1) because the runtime decides
 * retries and moves the job to delayed itself, so both dispatchers share one retry policy.
 * BullMQ keeps the lock, the stalled-job recovery and the priority order.
 */
export function createBullDispatcher(options: BullDispatcherOptions): Dispatcher {
  const queueReady: Promise<Queue> = loadBullmq().then((bullmq) => {
    const queue = new bullmq.Queue(options.name, {
      connection: options.client,
      prefix: options.prefix,
      defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
    });
    // Queue errors are reported through the calls that fail; an unhandled 'error' event must not crash the process.
    queue.on("error", () => {});
    return queue;
  });
  // A failed load is reported by the calls that await it; until one does, it must not be an unhandled rejection.
  queueReady.catch(() => {});

  return {
    async add(id, { priority, delayMs = 0 }) {
      const queue = await queueReady;
      await queue.add(options.name, { id }, { jobId: id, priority, ...(delayMs > 0 ? { delay: delayMs } : {}) });
    },

    async remove(id) {
      const queue = await queueReady;
      // Fails for a locked (active) job: its worker sees the final state and skips it.
      await queue.remove(id).catch(() => 0);
    },

    consume(consume: ConsumeOptions): Consumer {
      const template = options.workerConnection();
      // consume() stays synchronous for its callers: the Worker starts once BullMQ is loaded.
      const workerReady = loadBullmq().then((bullmq) => startWorker(bullmq, { options, consume, template }));
      workerReady.catch((error: unknown) =>
        consume.onError?.(error instanceof Error ? error : new Error(String(error))),
      );
      return {
        async close() {
          const worker = await workerReady.catch(() => undefined);
          await worker?.close();
          template.disconnect();
        },
      };
    },

    async close() {
      const queue = await queueReady.catch(() => undefined);
      await queue?.close();
    },
  };
}

/** A BullMQ Worker that hands each delivered id to `consume.handle` and applies its outcome. */
function startWorker(
  bullmq: Bullmq,
  parts: { options: BullDispatcherOptions; consume: ConsumeOptions; template: Redis | Cluster },
): Worker {
  const { options, consume, template } = parts;
  const worker = new bullmq.Worker(
    options.name,
    async (job: BullJob, token?: string) => {
      const id = job.id ?? "";
      let outcome: Awaited<ReturnType<ConsumeOptions["handle"]>>;
      try {
        outcome = await consume.handle(id);
      } catch (error) {
        consume.onError?.(error instanceof Error ? error : new Error(String(error)));
        outcome = { kind: "retry", delayMs: HANDLER_ERROR_RETRY_MS };
      }
      if (outcome.kind === "retry") {
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new bullmq.DelayedError();
      }
      if (outcome.kind === "hand-back") {
        await job.moveToWait(token);
        throw new bullmq.WaitingError();
      }
    },
    {
      connection: template,
      prefix: options.prefix,
      concurrency: consume.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount,
    },
  );
  worker.on("failed", (job, error) => {
    if (job?.id && error.message === STALLED_LIMIT_MESSAGE) consume.onLost?.(job.id);
  });
  worker.on("error", (error) => consume.onError?.(error));
  return worker;
}
