import type { KeelError, RequestContext } from "@keel/spec";

/**
 * What every policy of a target's stack hands the function it runs. Cockatiel's shape:
 * each policy runs `fn` with a context and may narrow it for the layers inside (the
 * timeout policy gives each attempt its own signal).
 */
export interface AttemptContext {
  /** The request's context; from the timeout policy inwards its signal is this attempt's own. */
  readonly ctx: RequestContext;
  /** What the attempt that succeeds keeps once the stack has returned (see Lease). */
  readonly lease: Lease;
  /** The caller's veto on retrying a failure: a fallback chain moves on instead (rule "next"). */
  readonly mayRetry: ((error: KeelError) => boolean) | undefined;
}

/**
 * One policy (retry, circuit breaker, concurrency limit, attempt timeout): runs `fn` under
 * its rule. `Inner` is what it hands `fn`: the context as it came, or (the timeout policy)
 * narrowed for the attempt it began.
 */
export interface Policy<Inner extends AttemptContext = AttemptContext> {
  execute<T>(fn: (context: Inner) => Promise<T>, context: AttemptContext): Promise<T>;
}

/**
 * Folds policies into one, first listed = outermost: `wrap(retry, breaker, timeout)` runs
 * `retry.execute(() => breaker.execute(() => timeout.execute(fn)))`; `fn` gets what the
 * innermost hands it.
 */
export function wrap<Inner extends AttemptContext>(...policies: [...Policy[], Policy<Inner>]): Policy<Inner> {
  const innermost = policies[policies.length - 1] as Policy<Inner>;
  return (policies.slice(0, -1) as Policy[]).reduceRight<Policy<Inner>>(
    (inner, outer) => ({ execute: (fn, context) => outer.execute((next) => inner.execute(fn, next), context) }),
    innermost,
  );
}

/**
 * What a successful attempt still holds when the stack returns: its concurrency slot, its
 * timers and its signal. A generation's lease is released at once; a stream's when the
 * stream ends, so the slot and the attempt timeout cover the whole stream. An attempt that
 * fails frees what it took itself, before any retry, so only the winner's holdings land here.
 */
export class Lease {
  private releases: Array<() => void> = [];

  hold(release: () => void): void {
    this.releases.push(release);
  }

  /** Frees everything held, innermost first; idempotent. */
  release(): void {
    const releases = this.releases;
    this.releases = [];
    for (const release of releases) release();
  }
}
