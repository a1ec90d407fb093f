import { linkSignal, toKeelError, type KeelError, type LinkedSignal, type RequestContext } from "@keel/spec";
import { FailureLatch } from "./failure-latch.ts";
import { cancellationError, deadlinePassed, timeoutError } from "./failures.ts";
import type { AttemptContext, Policy } from "./policy.ts";

// setTimeout overflows above 2^31 - 1 ms and would fire at once.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The innermost policy: each attempt gets its own signal (linked to ctx.signal, handed
 * down in a child ctx, so the provider's HTTP request is cancelled) and a timer, attemptMs
 * or the request deadline, whichever comes first. Whatever ends the attempt first, the
 * timer or the caller, becomes a typed KeelError at once, even if the model ignores its
 * signal; it is also the reason the attempt's signal aborts with.
 */
export class AttemptTimeoutPolicy implements Policy {
  constructor(
    private readonly target: string,
    private readonly attemptMs: number | undefined,
  ) {}

  async execute<T>(fn: (context: AttemptContext) => Promise<T>, context: AttemptContext): Promise<T> {
    const scope = new AttemptScope(context.ctx, this.target, this.attemptMs);
    if (scope.latch.failure) {
      scope.dispose();
      throw scope.latch.failure; // the caller is gone or the deadline passed: no call at all
    }
    try {
      const value = await scope.latch.race(fn({ ...context, ctx: scope.ctx }));
      // A stream goes on after its start: attemptMs covers the whole of it.
      context.lease.hold(() => scope.dispose());
      return value;
    } catch (error) {
      scope.dispose();
      throw scope.latch.failure ?? toKeelError(error);
    }
  }
}

/** One attempt's signal and clock. */
class AttemptScope {
  readonly latch = new FailureLatch();
  readonly ctx: RequestContext;
  private readonly link: LinkedSignal;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly parent: RequestContext,
    private readonly target: string,
    attemptMs: number | undefined,
  ) {
    this.link = linkSignal(parent.signal, () => this.onParentAbort());
    this.ctx = { ...parent, signal: this.link.signal };
    if (this.latch.failure) return;
    const remaining = parent.deadline - Date.now();
    const attemptWins = attemptMs !== undefined && attemptMs < remaining;
    const ms = attemptWins ? attemptMs : remaining;
    if (ms <= 0) this.expire(cancellationError(parent, target, "deadline"), "deadline");
    else if (ms <= MAX_TIMER_MS) {
      this.timer = setTimeout(() => {
        if (attemptWins) this.expire(timeoutError("attempt", target, ms), "attempt");
        else this.expire(cancellationError(parent, target, "deadline"), "deadline");
      }, ms);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.link.dispose();
  }

  /** The request ended (deadline or caller): what it returns is the attempt signal's abort reason. */
  private onParentAbort(): KeelError {
    const deadline = deadlinePassed(this.parent);
    const reason = deadline ? "deadline" : "aborted";
    this.fail(cancellationError(this.parent, this.target, reason), deadline ? "deadline" : undefined);
    return this.latch.failure as KeelError;
  }

  /** The attempt's own clock ran out: fail it and abort its upstream call. */
  private expire(error: KeelError, kind: "attempt" | "deadline"): void {
    if (!this.fail(error, kind)) return;
    this.link.abort(error);
    this.link.dispose();
  }

  /** Records the end of the attempt, once; a timeout (not a caller abort) is also an event. */
  private fail(error: KeelError, timeout: "attempt" | "deadline" | undefined): boolean {
    if (!this.latch.fail(error)) return false;
    clearTimeout(this.timer);
    if (timeout) this.parent.events.emit({ type: "timeout", target: this.target, kind: timeout });
    return true;
  }
}
