import { linkSignal, type KeelError, type LinkedSignal, type RequestContext } from "@keel/spec";
import { cancellationError, deadlinePassed, timeoutError, type TimeoutKind } from "./failures.ts";
import { noop } from "./signals.ts";

// setTimeout overflows above 2^31 - 1 ms and would fire at once.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One upstream call's lifetime: a child signal linked to ctx.signal and handed down in a
 * child ctx (so the provider's HTTP request is cancelled), an attempt timer bounded by the
 * request deadline, and for streams a phase timer (first token, idle). Whatever ends the
 * attempt first becomes `failure`, a typed KeelError, and the reason the attempt's signal
 * aborts with; every pending `race` rejects with it at once, even if the model ignores
 * its signal.
 */
export class AttemptScope {
  readonly ctx: RequestContext;
  failure: KeelError | undefined;
  private readonly link: LinkedSignal;
  private attemptTimer: NodeJS.Timeout | undefined;
  private phaseTimer: NodeJS.Timeout | undefined;
  private phaseTimerAt = 0;
  private phaseDeadline = 0;
  private phaseKind: TimeoutKind = "ttft";
  private phaseMs = 0;
  private rejectPending: ((error: KeelError) => void) | undefined;

  constructor(
    private readonly parent: RequestContext,
    private readonly target: string,
    attemptMs: number | undefined,
  ) {
    this.link = linkSignal(parent.signal, () => this.onParentAbort());
    this.ctx = { ...parent, signal: this.link.signal };
    if (this.failure) return;
    const remaining = parent.deadline - Date.now();
    const attemptWins = attemptMs !== undefined && attemptMs < remaining;
    const ms = attemptWins ? attemptMs : remaining;
    if (ms <= 0) this.fail(cancellationError(parent, target, "deadline"), "deadline");
    else if (ms <= MAX_TIMER_MS) {
      this.attemptTimer = setTimeout(() => {
        if (attemptWins) this.fail(timeoutError("attempt", target, ms), "attempt");
        else this.fail(cancellationError(parent, target, "deadline"), "deadline");
      }, ms);
    }
  }

  /** Starts (or restarts) the first-token or idle clock; undefined ms means no limit. */
  startPhase(kind: "ttft" | "idle", ms: number | undefined): void {
    if (ms === undefined || this.failure) return;
    this.phaseKind = kind;
    this.phaseMs = ms;
    this.phaseDeadline = Date.now() + ms;
    // One timer re-armed lazily, instead of a new timer per chunk.
    if (this.phaseTimer === undefined || this.phaseTimerAt > this.phaseDeadline) this.armPhaseTimer(ms);
  }

  /** Pauses the phase clock, e.g. while the consumer holds a chunk. */
  endPhase(): void {
    this.phaseDeadline = 0;
  }

  /** Resolves as `promise` does, or rejects with `failure` the moment the attempt ends. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.failure) {
      promise.catch(noop);
      return Promise.reject(this.failure);
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectPending = reject;
      promise.then(
        (value) => {
          this.rejectPending = undefined;
          resolve(value);
        },
        (error: unknown) => {
          this.rejectPending = undefined;
          reject(this.failure ?? error);
        },
      );
    });
  }

  /** Ends the attempt from outside (a failed stream start, a consumer that stopped reading): aborts the upstream call. */
  abort(reason: unknown): void {
    this.link.abort(reason);
  }

  dispose(): void {
    clearTimeout(this.attemptTimer);
    clearTimeout(this.phaseTimer);
    this.phaseTimer = undefined;
    this.link.dispose();
  }

  /** The request ended (deadline or caller); what this returns is the attempt signal's abort reason. */
  private onParentAbort(): KeelError {
    const deadline = deadlinePassed(this.parent);
    const error = cancellationError(this.parent, this.target, deadline ? "deadline" : "aborted");
    this.settle(error, deadline ? "deadline" : undefined);
    return this.failure ?? error;
  }

  private armPhaseTimer(ms: number): void {
    clearTimeout(this.phaseTimer);
    this.phaseTimerAt = Date.now() + ms;
    this.phaseTimer = setTimeout(() => this.onPhaseTimer(), ms);
  }

  private onPhaseTimer(): void {
    this.phaseTimer = undefined;
    if (this.phaseDeadline === 0) return;
    const left = this.phaseDeadline - Date.now();
    if (left > 0) this.armPhaseTimer(left);
    else this.fail(timeoutError(this.phaseKind, this.target, this.phaseMs), this.phaseKind);
  }

  /** The attempt's own clock ran out: settle it and abort its upstream call. */
  private fail(error: KeelError, timeoutKind: TimeoutKind | "deadline"): void {
    if (!this.settle(error, timeoutKind)) return;
    this.link.abort(error);
    this.link.dispose();
  }

  /** Records the first failure: stops the clocks, reports a timeout (not a caller abort), rejects the pending race. */
  private settle(error: KeelError, timeoutKind: TimeoutKind | "deadline" | undefined): boolean {
    if (this.failure) return false;
    this.failure = error;
    if (timeoutKind) this.parent.events.emit({ type: "timeout", target: this.target, kind: timeoutKind });
    clearTimeout(this.attemptTimer);
    clearTimeout(this.phaseTimer);
    this.phaseTimer = undefined;
    this.rejectPending?.(error);
    return true;
  }
}
