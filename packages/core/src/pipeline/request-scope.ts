import { randomUUID } from "node:crypto";
import {
  DEFAULT_TENANT,
  KeelError,
  linkSignal,
  toKeelError,
  type EventSink,
  type Operation,
  type RequestContext,
  type RequestRoute,
} from "@keel/spec";

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
 * One signal per request, linked to the caller's and aborted by the deadline timer; its
 * abort reason is the KeelError that says which of the two ended the request.
 */
export function openRequestScope(options: {
  operation: Operation;
  call: CallOptions | undefined;
  defaultTimeoutMs: number;
  events: EventSink;
  /** The route the request was admitted on (chat calls); it travels in the context. */
  route?: RequestRoute;
}): RequestScope {
  const { call } = options;
  const timeoutMs = call?.timeoutMs ?? options.defaultTimeoutMs;
  const link = linkSignal(
    call?.signal,
    () =>
      new KeelError("UPSTREAM_TIMEOUT", "the caller went away", {
        retryable: false,
        details: { reason: "client-closed" },
      }),
  );
  const timer = setTimeout(
    () =>
      link.abort(
        new KeelError("UPSTREAM_TIMEOUT", `the request did not finish within its ${timeoutMs} ms deadline`, {
          retryable: false,
          details: { reason: "deadline" },
        }),
      ),
    timeoutMs,
  );
  const ctx: RequestContext = {
    requestId: call?.requestId ?? randomUUID(),
    tenant: call?.tenant ?? DEFAULT_TENANT,
    operation: options.operation,
    ...(call?.service === undefined ? {} : { service: call.service }),
    deadline: Date.now() + timeoutMs,
    signal: link.signal,
    events: options.events,
    ...(options.route === undefined ? {} : { route: options.route }),
  };
  return {
    ctx,
    abortReason: () => (link.signal.aborted ? toKeelError(link.signal.reason) : undefined),
    abort: (reason) => link.abort(reason),
    dispose() {
      clearTimeout(timer);
      link.dispose();
    },
  };
}

/** After a failure, prefer the abort's own reason (deadline, caller gone) over the symptom it caused. */
export function normaliseFailure(error: unknown, scope: RequestScope): KeelError {
  return scope.abortReason() ?? toKeelError(error);
}
