import {
  toKeelError,
  type ChatRequest,
  type Generation,
  type Model,
  type RequestContext,
  type StreamEvent,
} from "@keel/spec";
import { AttemptScope } from "./attempt-scope.ts";
import type { TargetBreaker } from "./circuit-breaker.ts";
import type { ConcurrencyLimiter } from "./concurrency-limiter.ts";
import { withDetails } from "./failures.ts";
import { claimTrack, type RequestTrack } from "./request-track.ts";
import type { ResolvedPolicy } from "./resolve-policy.ts";
import { executeWithRetry, type RetryRun } from "./retry.ts";
import type { RetryBudget } from "./retry-budget.ts";
import { continueStream, startStream, type StartedStream } from "./stream-attempt.ts";

/** What all requests to one target share: built once per name. */
export interface TargetState {
  name: string;
  policy: ResolvedPolicy;
  breaker: TargetBreaker | undefined;
  limiter: ConcurrencyLimiter | undefined;
  budget: RetryBudget | undefined;
}

/** Upstream calls made for one request, also told to the fallback chain's track. */
class Tally {
  calls = 0;
  constructor(readonly track: RequestTrack | undefined) {}
  add(): void {
    this.calls += 1;
    if (this.track) this.track.calls += 1;
  }
}

/**
 * The per-target stack as a Model: retry -> circuit breaker -> concurrency limit ->
 * timeout -> model. Retry is outermost so every attempt passes the breaker (and
 * counts), and an open breaker's CIRCUIT_OPEN, not retryable, ends the retries at once.
 * The envelope's `attempts` is the number of upstream calls this target made; a
 * failure carries it (and the target) in its details.
 */
export function createTargetModel(state: TargetState, model: Model): Model {
  const { name, policy, breaker, limiter } = state;
  const { attemptMs, firstTokenMs, idleMs } = policy.timeout;

  const throughBreaker = <T>(ctx: RequestContext, run: () => Promise<T>): (() => Promise<T>) =>
    breaker ? () => breaker.execute(run, ctx) : run;

  const retryRun = (ctx: RequestContext, tally: Tally): RetryRun => ({
    target: name,
    ctx,
    retry: policy.retry,
    budget: state.budget,
    mayRetry: tally.track?.mayRetry,
  });

  const fail = (tally: Tally) => (error: unknown) => {
    const keelError = toKeelError(error);
    return withDetails(keelError, { target: keelError.details.target ?? name, attempts: tally.calls });
  };

  async function generate(request: ChatRequest, ctx: RequestContext): Promise<Generation> {
    const tally = new Tally(claimTrack(ctx));
    const attempt = throughBreaker(ctx, async () => {
      const release = limiter ? await limiter.acquire(ctx) : undefined;
      const scope = new AttemptScope(ctx, name, attemptMs);
      if (scope.failure) {
        release?.();
        throw scope.failure; // the caller is gone or the deadline passed: no call at all
      }
      tally.add();
      try {
        return await scope.race(model.generate(request, scope.ctx));
      } catch (error) {
        throw scope.failure ?? toKeelError(error);
      } finally {
        scope.dispose();
        release?.();
      }
    });
    try {
      const generation = await executeWithRetry(attempt, retryRun(ctx, tally));
      return { ...generation, attempts: tally.calls };
    } catch (error) {
      throw fail(tally)(error);
    }
  }

  async function* stream(request: ChatRequest, ctx: RequestContext): AsyncGenerator<StreamEvent> {
    const tally = new Tally(claimTrack(ctx));
    const attempt = throughBreaker(ctx, async (): Promise<StartedStream> => {
      const release = limiter ? await limiter.acquire(ctx) : undefined;
      const scope = new AttemptScope(ctx, name, attemptMs);
      if (scope.failure) {
        release?.();
        throw scope.failure;
      }
      tally.add();
      try {
        const started = await startStream({
          model,
          request,
          scope,
          target: name,
          firstTokenMs,
          idleMs,
          bufferDeltas: policy.bufferDeltas,
        });
        return { ...started, release };
      } catch (error) {
        scope.dispose();
        release?.();
        throw error;
      }
    });
    let started: StartedStream;
    try {
      started = await executeWithRetry(attempt, retryRun(ctx, tally));
    } catch (error) {
      throw fail(tally)(error);
    }
    yield* continueStream(started, {
      target: name,
      idleMs,
      finish: (event) => ({ type: "done", generation: { ...event.generation, attempts: tally.calls } }),
      fail: fail(tally),
    });
  }

  return { generate, stream };
}
