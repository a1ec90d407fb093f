import { toKeelError } from "@keel/spec";
import { AttemptScope } from "./attempt-scope.ts";
import type { AttemptContext, Policy } from "./policy.ts";

/** What the timeout policy hands the call inside it: the attempt it began. */
export interface ScopedAttemptContext extends AttemptContext {
  /** This attempt: its clocks, its failure (race any wait on it), a way to abort it. */
  readonly scope: AttemptScope;
}

/**
 * The innermost policy: each attempt gets its own signal (linked to ctx.signal, handed
 * down in a child ctx, so the provider's HTTP request is cancelled) and a timer, attemptMs
 * or the request deadline, whichever comes first. Whatever ends the attempt first, the
 * timer or the caller, becomes a typed KeelError at once, even if the model ignores its
 * signal.
 */
export class AttemptTimeoutPolicy implements Policy<ScopedAttemptContext> {
  constructor(
    private readonly target: string,
    private readonly attemptMs: number | undefined,
  ) {}

  async execute<T>(fn: (context: ScopedAttemptContext) => Promise<T>, context: AttemptContext): Promise<T> {
    const scope = new AttemptScope(context.ctx, this.target, this.attemptMs);
    if (scope.failure) {
      scope.dispose();
      throw scope.failure; // the caller is gone or the deadline passed: no call at all
    }
    try {
      const value = await scope.race(fn({ ...context, ctx: scope.ctx, scope }));
      // A stream goes on after its start: attemptMs covers the whole of it.
      context.lease.hold(() => scope.dispose());
      return value;
    } catch (error) {
      scope.dispose();
      throw scope.failure ?? toKeelError(error);
    }
  }
}
