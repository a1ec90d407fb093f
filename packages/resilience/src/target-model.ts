import {
  toKeelError,
  type ChatRequest,
  type EmbeddingModel,
  type Generation,
  type KeelError,
  type Model,
  type RequestContext,
  type StreamEvent,
} from "@keel/spec";
import type { ScopedAttemptContext } from "./attempt-timeout.ts";
import { withDetails } from "./failures.ts";
import { Lease, type Policy } from "./policy.ts";
import type { ResolvedPolicy } from "./resolve-policy.ts";
import { continueStream, startStream } from "./stream-attempt.ts";

/** What a caller may say about one call of a target. */
export interface TargetCallOptions {
  /** A veto on retrying a failure here: a fallback chain moves on instead (rule "next"). */
  mayRetry?: (error: KeelError) => boolean;
}

/** A Model that takes TargetCallOptions; any Model is one (it ignores them). */
export interface TargetModel extends Model {
  generate(request: ChatRequest, ctx: RequestContext, options?: TargetCallOptions): Promise<Generation>;
  stream(request: ChatRequest, ctx: RequestContext, options?: TargetCallOptions): AsyncIterable<StreamEvent>;
  /** True for a resilience target: its every wait, each chunk included, already ends when ctx.signal aborts. */
  readonly endsOnAbort?: boolean;
}

/** What all requests to one target share: built once per name. */
export interface TargetStack {
  name: string;
  policy: ResolvedPolicy;
  /** retry -> circuit breaker -> concurrency limit -> attempt timeout, folded by `wrap`. */
  policies: Policy<ScopedAttemptContext>;
}

/**
 * The per-target stack as a Model. Generate and stream run the same policies; a stream's
 * "call" is its start (up to its first delta, or `bufferDeltas` of them), and its rest
 * keeps the attempt's lease. The envelope's `attempts` is the number of upstream calls
 * this target made; a failure carries it (and the target) in its details.
 */
export function createTargetModel(stack: TargetStack, model: Model): TargetModel {
  const { name } = stack;
  const { firstTokenMs, idleMs } = stack.policy.timeout;
  const { bufferDeltas } = stack.policy;
  return {
    endsOnAbort: true,
    async generate(request, ctx, options) {
      const run = await runTarget(stack, { ctx, options }, (attempt) => model.generate(request, attempt.ctx));
      run.lease.release();
      return { ...run.value, attempts: run.attempts };
    },
    async *stream(request, ctx, options) {
      const run = await runTarget(stack, { ctx, options }, (attempt) =>
        startStream({ model, request, scope: attempt.scope, target: name, firstTokenMs, idleMs, bufferDeltas }),
      );
      yield* continueStream(run.value, {
        target: name,
        idleMs,
        lease: run.lease,
        finish: (event) => ({ type: "done", generation: { ...event.generation, attempts: run.attempts } }),
        fail: (error) => targetFailure(name, error, run.attempts),
      });
    },
  };
}

/**
 * An embedding model behind the same per-target stack as chat (retry, breaker, concurrency
 * limit, attempt timeout): an embedding target that fails is retried, trips its breaker and
 * waits for a slot like any other. `attempts` travels on a failure's details.
 */
export function createEmbeddingTargetModel(stack: TargetStack, model: EmbeddingModel): EmbeddingModel {
  return {
    async embed(request, ctx) {
      const run = await runTarget(stack, { ctx, options: undefined }, (attempt) => model.embed(request, attempt.ctx));
      run.lease.release();
      return run.value;
    },
  };
}

interface TargetRun<T> {
  value: T;
  /** Upstream calls made: every attempt that got past the breaker, the limiter and the clock. */
  attempts: number;
  lease: Lease;
}

/** One request through a target's policies; `call` is one attempt, given the attempt the timeout policy began. */
async function runTarget<T>(
  stack: TargetStack,
  request: { ctx: RequestContext; options: TargetCallOptions | undefined },
  call: (attempt: ScopedAttemptContext) => Promise<T>,
): Promise<TargetRun<T>> {
  let attempts = 0;
  const lease = new Lease();
  try {
    const value = await stack.policies.execute(
      (attempt) => {
        attempts += 1;
        return call(attempt);
      },
      { ctx: request.ctx, lease, mayRetry: request.options?.mayRetry },
    );
    return { value, attempts, lease };
  } catch (error) {
    lease.release();
    throw targetFailure(stack.name, error, attempts);
  }
}

function targetFailure(name: string, error: unknown, attempts: number): KeelError {
  const keelError = toKeelError(error);
  return withDetails(keelError, { target: keelError.details.target ?? name, attempts });
}
