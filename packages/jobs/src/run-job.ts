import { KeelError, type KeelErrorBody, toKeelError } from "@keel/spec";
import { backoffDelay } from "./backoff.ts";
import type { DeliveryOutcome } from "./dispatcher.ts";
import type { JobEvent } from "./events.ts";
import { type JobRecord, toJob } from "./job-record.ts";
import type { QueueInternals } from "./queue-internals.ts";
import { retryStoreWrite } from "./store-write-retry.ts";
import type { FinalJobState, Job } from "./types.ts";

/** What a processor gets besides the job. */
export interface JobContext {
  /** Aborts on the job's timeout, on a cancel, and when the worker hands the job back at shutdown. */
  signal: AbortSignal;
  /** 1-based; more than 1 after a retry or after a worker died mid-job. Use it to make side effects idempotent. */
  attempt: number;
  /** 0 to 100; ignored once this attempt no longer holds the job. */
  reportProgress(progress: number): Promise<void>;
}

/** Turns a job's request into its JSON result; throw a KeelError to fail (a retryable one is retried). */
export type JobProcessor = (job: Job, context: JobContext) => Promise<unknown>;

/** Why the runtime aborted a processor's signal. */
export type AbortCause = "timeout" | "cancel" | "shutdown";

export interface ActiveJob {
  controller: AbortController;
  attempt: number;
}

export interface RunJobOptions {
  internals: QueueInternals;
  process: JobProcessor;
  /** The worker's registry of running jobs (for cancels and shutdown). */
  active: Map<string, ActiveJob>;
}

class JobAbort extends Error {
  constructor(readonly abortCause: AbortCause) {
    super(`job aborted: ${abortCause}`);
    this.name = "JobAbort";
  }
}

export function abortJob(job: ActiveJob, cause: AbortCause): void {
  if (!job.controller.signal.aborted) job.controller.abort(new JobAbort(cause));
}

function abortCauseOf(signal: AbortSignal): AbortCause | undefined {
  return signal.aborted && signal.reason instanceof JobAbort ? signal.reason.abortCause : undefined;
}

function timeoutError(timeoutMs: number): KeelErrorBody {
  return new KeelError("UPSTREAM_TIMEOUT", `the job ran longer than its timeout of ${timeoutMs} ms`, {
    retryable: false,
    details: { reason: "job-timeout", timeoutMs },
  }).toJSON();
}

function stateEvent(
  record: JobRecord,
  fields: Omit<Extract<JobEvent, { type: "job-state" }>, "type" | "jobId" | "tenant" | "kind">,
) {
  return {
    type: "job-state" as const,
    jobId: record.id,
    tenant: record.tenant,
    kind: record.kind,
    ...fields,
    ...(record.requestId === undefined ? {} : { requestId: record.requestId }),
  };
}

/** Queues the webhook of a finished job once (a recovered duplicate checks `webhookQueued`). */
export async function queueWebhook(internals: QueueInternals, record: JobRecord): Promise<void> {
  if (!record.webhookUrl || record.webhookQueued || !internals.webhookDelivery) return;
  if (record.state !== "completed" && record.state !== "failed") return;
  await internals.webhooks.add(record.id, { priority: record.priority });
  await internals.store.markWebhookQueued(record.id);
}

/**
 * Runs one delivery of a job: claims it (compare-and-set, so a finished or cancelled job is
 * skipped), runs the processor under a signal bounded by the job's timeout, and records exactly
 * one outcome. The processor's promise is raced against the signal: a timeout or cancel ends the
 * job at once even if the processor ignores its signal (its late result is discarded).
 */
export async function runJob(options: RunJobOptions, id: string): Promise<DeliveryOutcome> {
  const { internals, active } = options;
  const { store, onEvent } = internals;
  const claimed = await store.start(id, Date.now());
  if (claimed.outcome === "skipped") {
    if (claimed.record) await queueWebhook(internals, claimed.record);
    return { kind: "done" };
  }
  if (claimed.outcome === "cancelled") {
    const { record } = claimed;
    onEvent(stateEvent(record, { state: "cancelled", attempt: record.attemptsMade, durationMs: elapsedSince(record) }));
    return { kind: "done" };
  }
  const { record, attempt, recovered } = claimed;
  onEvent(
    stateEvent(record, {
      state: "active",
      attempt,
      waitedMs: Math.max(0, (record.attemptStartedAt ?? Date.now()) - record.queuedAt),
      ...(recovered ? { reason: "recovered" as const } : {}),
    }),
  );

  const controller = new AbortController();
  const running: ActiveJob = { controller, attempt };
  active.set(id, running);
  const timer = setTimeout(() => abortJob(running, "timeout"), record.timeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  const context: JobContext = {
    signal: controller.signal,
    attempt,
    reportProgress: async (progress) => {
      const bounded = Math.min(100, Math.max(0, Number.isFinite(progress) ? progress : 0));
      await store.reportProgress({ id, attempt, progress: bounded });
    },
  };
  const attemptStarted = Date.now();
  let settlement: Settlement;
  try {
    const result = await Promise.race([options.process(toJob(record), context), aborted]);
    settlement = { kind: "finish", state: "completed", resultJson: JSON.stringify(result ?? null) };
  } catch (error) {
    settlement = settle(error, { signal: controller.signal, record });
  } finally {
    // The processor is done: a timeout or cancel from now on changes nothing.
    clearTimeout(timer);
  }
  try {
    // The outcome is recorded however long the store takes to answer (a failover), because a
    // delivery that ends in an error is delivered again and would re-run a finished processor.
    const write = <T>(operation: () => Promise<T>) =>
      retryStoreWrite(operation, { stop: () => abortCauseOf(controller.signal) === "shutdown" });
    return await recordSettlement({ options, record, attempt, attemptStarted, write }, settlement);
  } finally {
    if (active.get(id) === running) active.delete(id);
  }
}

/** What an attempt's processor came to, before it is recorded. */
type Settlement =
  | { kind: "finish"; state: FinalJobState; resultJson?: string; error?: KeelErrorBody }
  | { kind: "hand-back" }
  | { kind: "retry"; failure: KeelError; delayMs: number };

function settle(error: unknown, input: { signal: AbortSignal; record: JobRecord }): Settlement {
  const { record } = input;
  const cause = abortCauseOf(input.signal);
  if (cause === "timeout") return { kind: "finish", state: "failed", error: timeoutError(record.timeoutMs) };
  if (cause === "cancel") return { kind: "finish", state: "cancelled" };
  if (cause === "shutdown") return { kind: "hand-back" };
  const failure = toKeelError(error);
  if (failure.retryable && record.failedAttempts + 1 < record.maxAttempts) {
    return { kind: "retry", failure, delayMs: backoffDelay(record.backoff, record.failedAttempts + 1) };
  }
  return { kind: "finish", state: "failed", error: failure.toJSON() };
}

interface RecordInput {
  options: RunJobOptions;
  record: JobRecord;
  attempt: number;
  attemptStarted: number;
  /** Runs a store write until it answers (see retryStoreWrite). */
  write: <T>(operation: () => Promise<T>) => Promise<T>;
}

async function recordSettlement(input: RecordInput, settlement: Settlement): Promise<DeliveryOutcome> {
  const { options, record, attempt, write } = input;
  const { store, onEvent } = options.internals;
  const id = record.id;
  if (settlement.kind === "finish") {
    const { kind: _kind, ...outcome } = settlement;
    return finish({ options, record, attempt, write, ...outcome });
  }
  const now = Date.now();
  if (settlement.kind === "hand-back") {
    const requeued = await write(() => store.requeue({ id, attempt, now, readyAt: now }));
    if (requeued) onEvent(stateEvent(requeued, { state: "waiting", attempt, reason: "hand-back" }));
    return { kind: "hand-back" };
  }
  const { failure, delayMs } = settlement;
  const readyAt = now + delayMs;
  const requeued = await write(() => store.requeue({ id, attempt, now, readyAt, error: failure.toJSON() }));
  if (!requeued) return { kind: "done" };
  onEvent(
    stateEvent(requeued, {
      state: "waiting",
      attempt,
      reason: "retry",
      code: failure.code,
      durationMs: now - input.attemptStarted,
    }),
  );
  return { kind: "retry", delayMs };
}

function elapsedSince(record: JobRecord): number {
  return Math.max(0, (record.finishedAt ?? Date.now()) - (record.startedAt ?? record.createdAt));
}

async function finish(
  input: Omit<RecordInput, "attemptStarted"> & { state: FinalJobState; resultJson?: string; error?: KeelErrorBody },
): Promise<DeliveryOutcome> {
  const { internals } = input.options;
  const finished = await input.write(() =>
    internals.store.finish({
      id: input.record.id,
      attempt: input.attempt,
      state: input.state,
      now: Date.now(),
      ...(input.resultJson === undefined ? {} : { resultJson: input.resultJson }),
      ...(input.error ? { error: input.error } : {}),
    }),
  );
  // Undefined: another attempt holds the job now (this worker was presumed dead); its outcome counts.
  if (!finished) return { kind: "done" };
  internals.onEvent(
    stateEvent(finished, {
      state: input.state,
      attempt: input.attempt,
      durationMs: elapsedSince(finished),
      ...(input.error ? { code: input.error.code } : {}),
    }),
  );
  await queueWebhook(internals, finished);
  return { kind: "done" };
}
