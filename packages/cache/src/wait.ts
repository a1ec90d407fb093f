import { KeelError, onceAborted, type RequestContext } from "@keel/spec";

/** Waits for a promise within the caller's own deadline and signal (another caller's call may be slower). */
export function waitFor<T>(promise: Promise<T>, ctx: RequestContext): Promise<T> {
  if (ctx.signal.aborted) return Promise.reject(endedError("aborted"));
  return new Promise<T>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      unhook();
      settle();
    };
    const timer = setTimeout(
      () => finish(() => reject(endedError("deadline"))),
      Math.max(0, ctx.deadline - Date.now()),
    );
    const unhook = onceAborted(ctx.signal, () => finish(() => reject(endedError("aborted"))));
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

export function sleep(ms: number, ctx: RequestContext): Promise<void> {
  return waitFor(new Promise<void>((resolve) => setTimeout(resolve, ms)), ctx);
}

function endedError(reason: "deadline" | "aborted"): KeelError {
  return new KeelError("UPSTREAM_TIMEOUT", "the request ended while waiting for an identical request in flight", {
    retryable: false,
    details: { reason },
  });
}
