import type { Job } from "@keel/jobs";
import type { Generation, KeelErrorBody } from "@keel/spec";
import type { BatchResult } from "../batch/batch-types.ts";
import type { JobPayload } from "./enqueue-schema.ts";

/** One attempt to deliver a job's webhook. */
export interface JobWebhookDelivery {
  attempt: number;
  at: string;
  outcome: "delivered" | "failed";
  status?: number;
  reason?: "status" | "timeout" | "connection" | "blocked";
  durationMs: number;
}

interface JobViewFields {
  id: string;
  state: "waiting" | "active" | "completed" | "failed" | "cancelled";
  /** 0 to 100: a batch job's share of items done; 100 once completed. */
  progress: number;
  /** The request as it was validated at enqueue. */
  request: unknown;
  /** The job may be answered through the provider's batch API. */
  deferrable: boolean;
  /** Why it failed, or (while waiting for a retry) why its last attempt failed. */
  error?: KeelErrorBody;
  priority: number;
  attemptsMade: number;
  maxAttempts: number;
  timeoutMs: number;
  resultTtlMs: number;
  cancelRequested: boolean;
  idempotencyKey?: string;
  /** The request that enqueued it. */
  requestId?: string;
  /** ISO 8601. */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** When the finished job and its result disappear. */
  expiresAt?: string;
  webhook?: { url: string; deliveries: JobWebhookDelivery[] };
}

/**
 * A job as a caller sees it: the Generation envelope as the result of a generate or structured
 * job, the BatchResult of a batch job. The tenant is not shown (it is always the caller's own).
 */
export type JobView = JobViewFields &
  ({ kind: "generate" | "structured"; result?: Generation } | { kind: "batch"; result?: BatchResult });

export function toJobView(job: Job): JobView {
  const payload = job.request as JobPayload;
  const fields: JobViewFields = {
    id: job.id,
    state: job.state,
    progress: job.progress,
    request: payload?.request,
    deferrable: payload?.deferrable === true,
    priority: job.priority,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.maxAttempts,
    timeoutMs: job.timeoutMs,
    resultTtlMs: job.resultTtlMs,
    cancelRequested: job.cancelRequested,
    createdAt: job.createdAt,
    ...(job.error === undefined ? {} : { error: job.error }),
    ...(job.idempotencyKey === undefined ? {} : { idempotencyKey: job.idempotencyKey }),
    ...(job.requestId === undefined ? {} : { requestId: job.requestId }),
    ...(job.startedAt === undefined ? {} : { startedAt: job.startedAt }),
    ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt }),
    ...(job.expiresAt === undefined ? {} : { expiresAt: job.expiresAt }),
    ...(job.webhook === undefined ? {} : { webhook: job.webhook }),
  };
  return job.kind === "batch"
    ? { ...fields, kind: "batch", ...(job.result === undefined ? {} : { result: job.result as BatchResult }) }
    : { ...fields, kind: job.kind, ...(job.result === undefined ? {} : { result: job.result as Generation }) };
}
