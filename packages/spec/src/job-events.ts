import type { KeelErrorCode } from "./errors.ts";

/** What a background job asks for: a chat completion, a structured one, or a batch of them. */
export type JobEventKind = "generate" | "structured" | "batch";

/** waiting -> active -> completed | failed | cancelled (and back to waiting for a retry or a hand-back). */
export type JobEventState = "waiting" | "active" | "completed" | "failed" | "cancelled";

/**
 * Events of background jobs (the queue, its workers and their webhooks), for telemetry's
 * metrics and its one log line per job state change. They carry ids, states, codes and
 * timings only: never a request, a result or a full webhook URL (which may hold a token).
 * Emitted on the pipeline-level sink, outside any request.
 */
export type JobKeelEvent =
  | {
      type: "job-state";
      jobId: string;
      tenant: string;
      kind: JobEventKind;
      state: JobEventState;
      /** 1-based attempt; 0 while the job has never started. */
      attempt: number;
      /** On `active`: how long the job waited since it was enqueued (or since its retry was due). */
      waitedMs?: number;
      /** On a final state, and on `waiting` after a failed attempt: how long it ran. */
      durationMs?: number;
      /** On `failed`, and on `waiting` after a failed attempt. */
      code?: KeelErrorCode;
      /** Why the job is waiting or active again: a retry, a worker's shutdown hand-back, a dead worker's job recovered. */
      reason?: "retry" | "hand-back" | "recovered";
      /** The request that enqueued the job. */
      requestId?: string;
    }
  | {
      type: "webhook-delivery";
      jobId: string;
      tenant: string;
      attempt: number;
      outcome: "delivered" | "failed";
      /** True when this failed attempt was the last one. */
      gaveUp?: boolean;
      status?: number;
      reason?: "status" | "timeout" | "connection" | "blocked";
      durationMs: number;
      /** The receiver's origin only; the path may hold a secret. */
      origin: string;
    }
  | { type: "job-queue-depth"; queue: string; depth: Record<JobEventState, number> };
