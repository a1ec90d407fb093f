import { randomUUID } from "node:crypto";
import { callerGoneError, claimCallerSignal } from "./caller-signal.ts";
import {
  DEFAULT_TENANT,
  KeelError,
  linkSignal,
  toKeelError,
  type EventSink,
  type Operation,
  type Principal,
  type RequestContext,
  type RequestRoute,
} from "@keel/spec";

export interface CallOptions {
  /**
   * For in-process callers: whose request this is. The services set `principal` instead,
   * and a principal's tenant wins.
   */
  tenant?: string;
  /** Who calls, from the API key the service authenticated: tenant, role, key id, limits. */
  principal?: Principal;
  /** Receives headers for the caller's HTTP response (x-ratelimit-*, retry-after). */
  setResponseHeaders?: (headers: Readonly<Record<string, string>>) => void;
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
  /**
   * The caller can wait for a cheaper answer (within `timeoutMs`): the route's first target may
   * answer through its provider's batch API. Set for deferrable jobs; see DeferredBatcher.
   */
  deferrable?: boolean;
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
 * One signal per request, linked to the caller's (or the caller's own, when it is a
 * service's caller signal: caller-signal.ts) and aborted by the deadline timer; its abort
 * reason is the KeelError that says which of the two ended the request.
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
  // A service's caller signal (caller-signal.ts) is taken as is; any other is linked to.
  const link = claimCallerSignal(call?.signal) ?? linkSignal(call?.signal, callerGoneError);
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
    // The tenant comes from the authenticated key whenever there is one.
    tenant: tenantOf(call),
    ...(call?.principal === undefined ? {} : { principal: call.principal }),
    operation: options.operation,
    ...(call?.service === undefined ? {} : { service: call.service }),
    ...(call?.deferrable === true ? { deferrable: true } : {}),
    deadline: Date.now() + timeoutMs,
    signal: link.signal,
    events: options.events,
    ...(call?.setResponseHeaders === undefined ? {} : { setResponseHeaders: call.setResponseHeaders }),
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

/**
 * Whose call this is: the principal's tenant (the services set it from the caller's key) wins
 * over `tenant` (in-process callers), else the default tenant. Every per-tenant step (cache
 * scope, jobs, batch gates) reads it here, so a service call is never filed under another tenant.
 */
export function tenantOf(call: CallOptions | undefined): string {
  return call?.principal?.tenant ?? call?.tenant ?? DEFAULT_TENANT;
}
