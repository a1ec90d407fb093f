import type { JobKeelEvent, KeelEvent } from "@keel/spec";
import type { Logger } from "pino";

const JOB_EVENT_TYPES: ReadonlySet<KeelEvent["type"]> = new Set(["job-state", "webhook-delivery", "job-queue-depth"]);

export function isJobEvent(event: KeelEvent): event is JobKeelEvent {
  return JOB_EVENT_TYPES.has(event.type);
}

/**
 * One log line per job state change (job id, request id, tenant, kind, state, attempt, and
 * the timing, code or reason that goes with it) and one per webhook delivery attempt. Only
 * ids, states and codes: the request and the result never reach the log, and a webhook is
 * named by its origin alone.
 */
export function logJobEvent(logger: Logger, event: JobKeelEvent): void {
  if (event.type === "job-state") {
    const level = event.state === "failed" ? "warn" : "info";
    logger[level](
      {
        event: "job-state",
        jobId: event.jobId,
        requestId: event.requestId,
        tenant: event.tenant,
        kind: event.kind,
        state: event.state,
        attempt: event.attempt,
        waitedMs: event.waitedMs,
        durationMs: event.durationMs,
        errorCode: event.code,
        reason: event.reason,
      },
      `job ${event.state}`,
    );
    return;
  }
  if (event.type === "webhook-delivery") {
    const level = event.outcome === "delivered" ? "info" : "warn";
    logger[level](
      {
        event: "webhook-delivery",
        jobId: event.jobId,
        tenant: event.tenant,
        attempt: event.attempt,
        outcome: event.outcome,
        status: event.status,
        reason: event.reason,
        gaveUp: event.gaveUp,
        durationMs: event.durationMs,
        origin: event.origin,
      },
      `webhook ${event.outcome}`,
    );
  }
  // Depth readings are metrics only: one every few seconds per worker would flood the log.
}
