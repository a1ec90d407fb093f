import { KeelError, type LinkedSignal } from "@keel/spec";

// Caller signals not yet taken by a request scope, each with the controller behind it.
const unclaimed = new WeakMap<AbortSignal, AbortController>();

/**
 * A service's signal for one caller's request, which the pipeline may take as the request's
 * own: passed as `CallOptions.signal`, the first request scope that sees it uses it as is
 * (and aborts it at the deadline) instead of linking a child signal to it. That is one
 * AbortController, signal and listener fewer per request (a few µs on Node 20,
 * bench/README.md). Any further call given the same signal links to it as to any other.
 * For a signal that serves one pipeline call, like the tRPC service's direct mutation path.
 */
export interface CallerSignal {
  readonly signal: AbortSignal;
  /** The caller went away: the request ends with the "client-closed" error a linked signal gives. */
  callerGone(): void;
}

export function createCallerSignal(): CallerSignal {
  const controller = new AbortController();
  unclaimed.set(controller.signal, controller);
  return {
    signal: controller.signal,
    callerGone() {
      if (!controller.signal.aborted) controller.abort(callerGoneError());
    },
  };
}

/** What a request scope aborts with when its caller's signal does. */
export function callerGoneError(): KeelError {
  return new KeelError("UPSTREAM_TIMEOUT", "the caller went away", {
    retryable: false,
    details: { reason: "client-closed" },
  });
}

/**
 * The request's signal taken from an unclaimed caller signal (which is claimed now), as the
 * linked signal a scope would otherwise make; undefined for any other signal.
 */
export function claimCallerSignal(signal: AbortSignal | undefined): LinkedSignal | undefined {
  if (signal === undefined) return undefined;
  const controller = unclaimed.get(signal);
  if (controller === undefined) return undefined;
  unclaimed.delete(signal);
  return {
    signal,
    abort(reason) {
      if (!signal.aborted) controller.abort(reason);
    },
    // Nothing to unhook: no parent.
    dispose() {},
  };
}
