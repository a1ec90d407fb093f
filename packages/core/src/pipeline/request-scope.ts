import { randomUUID } from "node:crypto";
import { KeelError, toKeelError, type EventSink, type Operation, type RequestContext } from "@keel/spec";

export interface CallOptions {
  /** From the authenticated API key only; services never take it from caller input. */
  tenant?: string;
  requestId?: string;
  /** Aborts the request (the caller went away). */
  signal?: AbortSignal;
  /** Total deadline for this request, retries and fallbacks included. */
  timeoutMs?: number;
  /**
   * The service that took the request ("trpc", "graphql"), set by the service; it goes on
   * the request's log line, so two services sharing one pipeline are told apart.
   */
  service?: string;
}

export interface RequestScope {
  readonly ctx: RequestContext;
  /** The reason the request was aborted (deadline or caller), as a KeelError, if it was. */
  abortReason(): KeelError | undefined;
  abort(reason: KeelError): void;
  /** Clears the deadline timer and detaches from the caller's signal. Idempotent. */
  dispose(): void;
}

/**
 * One AbortController per request, aborted by the caller's signal or by the deadline
 * timer. (Hand-rolled rather than AbortSignal.any, which retains signals on Node 20.)
 */
export function openRequestScope(options: {
  operation: Operation;
  call: CallOptions | undefined;
  defaultTimeoutMs: number;
  events: EventSink;
}): RequestScope {
  const { call } = options;
  const controller = new AbortController();
  const timeoutMs = call?.timeoutMs ?? options.defaultTimeoutMs;
  const abort = (reason: KeelError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const timer = setTimeout(
    () =>
      abort(
        new KeelError("UPSTREAM_TIMEOUT", `the request did not finish within its ${timeoutMs} ms deadline`, {
          retryable: false,
          details: { reason: "deadline" },
        }),
      ),
    timeoutMs,
  );
  const callerSignal = call?.signal;
  const onCallerAbort = () =>
    abort(
      new KeelError("UPSTREAM_TIMEOUT", "the caller went away", {
        retryable: false,
        details: { reason: "client-closed" },
      }),
    );
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });

  const ctx: RequestContext = {
    requestId: call?.requestId ?? randomUUID(),
    tenant: call?.tenant ?? "default",
    operation: options.operation,
    ...(call?.service === undefined ? {} : { service: call.service }),
    deadline: Date.now() + timeoutMs,
    signal: controller.signal,
    events: options.events,
  };
  return {
    ctx,
    abortReason: () => (controller.signal.aborted ? toKeelError(controller.signal.reason) : undefined),
    abort,
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}

/** After a failure, prefer the abort's own reason (deadline, caller gone) over the symptom it caused. */
export function normaliseFailure(error: unknown, scope: RequestScope): KeelError {
  return scope.abortReason() ?? toKeelError(error);
}
