import { toKeelError, type KeelError, type RequestContext } from "@keel/spec";
import { retryDelay } from "./backoff.ts";
import { cancellationError } from "./failures.ts";
import type { ResolvedRetry } from "./resolve-policy.ts";
import type { RetryBudget } from "./retry-budget.ts";
import { sleep } from "./signals.ts";

export interface RetryRun {
  target: string;
  ctx: RequestContext;
  retry: ResolvedRetry | undefined;
  budget: RetryBudget | undefined;
  /** A fallback chain may forbid retries of some failures on this target (rule "next"). */
  mayRetry?: (error: KeelError) => boolean;
}

/**
 * Runs `attempt` until it succeeds or a failure must not be retried: not retryable
 * (400s, content policy, CIRCUIT_OPEN, load-shed, the caller's own deadline), attempts
 * used up, the target's retry budget spent, or a backoff that would cross the request
 * deadline (then it gives up at once with the last error rather than sleep in vain).
 * Sleeps end the moment ctx.signal aborts.
 */
export async function executeWithRetry<T>(attempt: (number: number) => Promise<T>, run: RetryRun): Promise<T> {
  const { ctx, target, retry, budget } = run;
  budget?.recordRequest();
  for (let number = 1; ; number += 1) {
    try {
      return await attempt(number);
    } catch (thrown) {
      const error = toKeelError(thrown);
      if (retry === undefined || !error.retryable || run.mayRetry?.(error) === false) throw error;
      const giveUp = (): KeelError => {
        ctx.events.emit({ type: "retry-give-up", target, attempts: number, code: error.code });
        return error;
      };
      if (number >= retry.maxAttempts) throw giveUp();
      const delayMs = retryDelay({
        attempt: number,
        baseDelayMs: retry.baseDelayMs,
        maxDelayMs: retry.maxDelayMs,
        maxRetryAfterMs: retry.maxRetryAfterMs,
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      });
      if (Date.now() + delayMs >= ctx.deadline) throw giveUp();
      if (budget && !budget.tryRetry()) {
        ctx.events.emit({ type: "retry-budget-exhausted", target });
        throw giveUp();
      }
      ctx.events.emit({ type: "retry-attempt", target, attempt: number + 1, delayMs, code: error.code });
      await sleep(delayMs, ctx.signal, () => cancellationError(ctx, target));
    }
  }
}
