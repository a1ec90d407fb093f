import { toKeelError, type KeelError } from "@keel/spec";
import { retryDelay } from "./backoff.ts";
import { cancellationError } from "./failures.ts";
import type { AttemptContext, Policy } from "./policy.ts";
import type { ResolvedRetry } from "./resolve-policy.ts";
import type { RetryBudget } from "./retry-budget.ts";
import { sleep } from "./signals.ts";

/**
 * Runs `fn` until it succeeds or a failure must not be retried: not retryable (400s,
 * content policy, CIRCUIT_OPEN, load-shed, the caller's own deadline), vetoed by the
 * caller (context.mayRetry), attempts used up, the target's retry budget spent, or a
 * backoff that would cross the request deadline (then it gives up at once with the last
 * error rather than sleep in vain). Sleeps end the moment ctx.signal aborts.
 */
export class RetryPolicy implements Policy {
  constructor(
    private readonly target: string,
    private readonly retry: ResolvedRetry,
    private readonly budget: RetryBudget | undefined,
  ) {}

  async execute<T>(fn: (context: AttemptContext) => Promise<T>, context: AttemptContext): Promise<T> {
    const { ctx } = context;
    this.budget?.recordRequest();
    for (let number = 1; ; number += 1) {
      try {
        return await fn(context);
      } catch (thrown) {
        const error = toKeelError(thrown);
        if (!error.retryable || context.mayRetry?.(error) === false) throw error;
        const delayMs = this.delayBeforeRetry(error, number, context);
        ctx.events.emit({ type: "retry-attempt", target: this.target, attempt: number + 1, delayMs, code: error.code });
        await sleep(delayMs, ctx.signal, () => cancellationError(ctx, this.target));
      }
    }
  }

  /** The backoff before attempt number + 1; throws `error` (after retry-give-up) when there is none. */
  private delayBeforeRetry(error: KeelError, number: number, { ctx }: AttemptContext): number {
    const { retry, budget, target } = this;
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
    return delayMs;
  }
}
