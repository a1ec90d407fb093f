import { KeelError, type KeelErrorBody, type KeelErrorDetails, type RequestContext } from "@keel/spec";

export type TimeoutKind = "attempt" | "ttft" | "idle";

const TIMEOUT_REASON: Record<TimeoutKind, string> = {
  attempt: "timeout",
  ttft: "first-token-timeout",
  idle: "idle-timeout",
};
const TIMEOUT_TEXT: Record<TimeoutKind, string> = {
  attempt: "the upstream call timed out",
  ttft: "no first token in time",
  idle: "the stream went silent",
};

/** One attempt ran out of its own time: worth retrying, and it counts against the target's health. */
export function timeoutError(kind: TimeoutKind, target: string, timeoutMs: number): KeelError {
  return new KeelError("UPSTREAM_TIMEOUT", `${target}: ${TIMEOUT_TEXT[kind]} (${timeoutMs} ms)`, {
    retryable: true,
    details: { target, reason: TIMEOUT_REASON[kind], timeoutMs },
  });
}

/**
 * The request's own end: the deadline passed or the caller went away. Neither says
 * anything about the target, and retrying or failing over cannot help.
 */
export function cancellationError(ctx: RequestContext, target?: string, reason?: "deadline" | "aborted"): KeelError {
  const deadline = reason === undefined ? deadlinePassed(ctx) : reason === "deadline";
  return new KeelError("UPSTREAM_TIMEOUT", deadline ? "the request deadline passed" : "the request was aborted", {
    retryable: false,
    details: { ...(target === undefined ? {} : { target }), reason: deadline ? "deadline" : "aborted" },
  });
}

export function deadlinePassed(ctx: RequestContext): boolean {
  // Core aborts ctx.signal from a timer at the deadline; a timer may fire a hair early.
  if (Date.now() + 2 >= ctx.deadline) return true;
  const reason: unknown = ctx.signal.reason;
  return reason instanceof Error && reason.name === "TimeoutError";
}

export function isCancellation(error: KeelError): boolean {
  return (
    error.code === "UPSTREAM_TIMEOUT" && (error.details.reason === "deadline" || error.details.reason === "aborted")
  );
}

/** Too many calls in flight and waiting for this target: shed at once so the chain moves on. */
export function loadShedError(target: string, reason: "load-shed" | "queue-timeout"): KeelError {
  return new KeelError(
    "UPSTREAM_UNAVAILABLE",
    `${target}: ${reason === "load-shed" ? "too many calls in flight, shed" : "waited too long for a free slot"}`,
    {
      retryable: false,
      details: { target, reason },
    },
  );
}

/** A stream that ended without `done` was cut short; it is never reported complete. */
export function truncatedError(target: string): KeelError {
  return new KeelError("UPSTREAM_UNAVAILABLE", `${target}: the stream ended before it was complete`, {
    retryable: true,
    details: { target, reason: "truncated" },
  });
}

/** An `error` event inside the pipeline (failures should be thrown, but be lenient). */
export function fromErrorEvent(body: KeelErrorBody): KeelError {
  return new KeelError(body.code, body.message, { retryable: body.retryable, details: body.details });
}

/** The same failure with more details; KeelError's fields are read-only, so a copy. */
export function withDetails(error: KeelError, extra: KeelErrorDetails): KeelError {
  return new KeelError(error.code, error.message, {
    ...(error.status === undefined ? {} : { status: error.status }),
    retryable: error.retryable,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    details: { ...error.details, ...extra },
    cause: error.cause ?? error,
  });
}
