/**
 * A child signal that follows its parent, for one call or one attempt: it aborts when the
 * parent does, or when `abort()` is called, and `dispose()` unhooks it from the parent at
 * once. Hand-rolled rather than AbortSignal.any, which on Node 20 keeps a reference per
 * child on a long-lived parent signal.
 */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Aborts the child alone (a lost hedge, a timeout); a no-op once it is aborted. */
  abort(reason?: unknown): void;
  /** Unhooks the child from its parent; idempotent. The child keeps its state. */
  dispose(): void;
}

/**
 * Links a child to `parent` (none: a child only `abort()` ends). When the parent aborts,
 * `onParentAbort` runs (at once if the parent is already aborted) and what it returns, when
 * defined, becomes the child's abort reason instead of the parent's.
 */
export function linkSignal(
  parent: AbortSignal | undefined,
  onParentAbort?: (parentReason: unknown) => unknown,
): LinkedSignal {
  return new SignalLink(parent, onParentAbort);
}

/**
 * Runs `listener` with the abort's reason when `signal` aborts (at once if it already has)
 * and returns the function that unhooks it. For a wait that ends on an abort (a backoff
 * sleep, a place in a queue, a race against the abort); deriving a child signal is
 * linkSignal's job, built on this.
 */
export function onceAborted(signal: AbortSignal, listener: (reason: unknown) => void): () => void {
  if (signal.aborted) {
    listener(signal.reason);
    return noop;
  }
  const onAbort = (): void => listener(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

function noop(): void {}

// A class rather than closures: one is made per attempt, on the hot path.
class SignalLink implements LinkedSignal {
  private readonly controller = new AbortController();
  private readonly unhook: () => void;

  constructor(parent: AbortSignal | undefined, onParentAbort: ((parentReason: unknown) => unknown) | undefined) {
    this.unhook =
      parent === undefined ? noop : onceAborted(parent, (reason) => this.abort(onParentAbort?.(reason) ?? reason));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  dispose(): void {
    this.unhook();
  }
}
