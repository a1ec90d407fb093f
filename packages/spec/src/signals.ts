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
  const controller = new AbortController();
  const abort = (reason?: unknown): void => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const follow = (): void => {
    const reason = parent?.reason;
    abort(onParentAbort?.(reason) ?? reason);
  };
  if (parent === undefined || parent.aborted) {
    if (parent) follow();
    return { signal: controller.signal, abort, dispose: noop };
  }
  parent.addEventListener("abort", follow, { once: true });
  return { signal: controller.signal, abort, dispose: () => parent.removeEventListener("abort", follow) };
}

function noop(): void {}
