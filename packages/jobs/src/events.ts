import type { KeelErrorCode } from "@keel/spec";
import type { JobKind, JobState, QueueDepth, WebhookDelivery } from "./types.ts";

/**
 * What the queue and its workers report, for telemetry to turn into metrics and one log line
 * per state change. The same shapes as @keel/spec's JobKeelEvent variants of KeelEvent; they travel
 * through the queue's `onEvent` callback. Never carries the request, the result or a full
 * webhook URL (which may hold a token): only ids, states, codes and timings.
 */
export type JobEvent =
  | {
      type: "job-state";
      jobId: string;
      tenant: string;
      kind: JobKind;
      state: JobState;
      /** 1-based attempt; 0 while the job has never started. */
      attempt: number;
      /** On `active`: how long the job waited since it was enqueued (or since its retry was due). */
      waitedMs?: number;
      /** On a final state, and on `waiting` after a failed attempt: how long it ran. */
      durationMs?: number;
      /** On `failed`, and on `waiting` after a failed attempt. */
      code?: KeelErrorCode;
      /** Why the job is waiting again or active again: "retry", "hand-back" (worker shutdown), "recovered" (its worker died). */
      reason?: "retry" | "hand-back" | "recovered";
      requestId?: string;
    }
  | {
      type: "webhook-delivery";
      jobId: string;
      tenant: string;
      attempt: number;
      outcome: WebhookDelivery["outcome"];
      /** True when this failed attempt was the last one (no more retries). */
      gaveUp?: boolean;
      status?: number;
      reason?: WebhookDelivery["reason"];
      durationMs: number;
      /** The receiver's origin only; the path may hold a secret. */
      origin: string;
    }
  | { type: "job-queue-depth"; queue: string; depth: QueueDepth };

export type JobEventListener = (event: JobEvent) => void;

/** Wraps a listener so that reporting never throws into the queue. */
export function safeListener(listener: JobEventListener | undefined): JobEventListener {
  if (!listener) return () => {};
  return (event) => {
    try {
      listener(event);
    } catch {
      // A broken listener must not break a job; telemetry never throws.
    }
  };
}
