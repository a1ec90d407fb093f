import { linkSignal, toKeelError, type LinkedSignal, type RequestContext } from "@keel/spec";
import { FailureLatch } from "./failure-latch.ts";
import { timeoutError } from "./failures.ts";

/**
 * A stream's own clocks inside its attempt: the first-token and idle timeouts. The stream
 * gets a signal of its own, linked to the attempt's, so a silent stream (or a consumer
 * that stops reading) aborts its upstream call; every read is raced, so a failure of the
 * attempt (its timeout, the deadline, the caller gone: the attempt signal's abort reason)
 * or of these clocks ends the wait at once.
 */
export class StreamWatch {
  readonly latch = new FailureLatch();
  readonly ctx: RequestContext;
  private readonly link: LinkedSignal;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private deadline = 0;
  private kind: "ttft" | "idle" = "ttft";
  private ms = 0;

  constructor(
    attempt: RequestContext,
    private readonly target: string,
  ) {
    this.link = linkSignal(attempt.signal, (reason) => {
      const failure = toKeelError(reason);
      this.latch.fail(failure);
      clearTimeout(this.timer);
      return failure;
    });
    this.ctx = { ...attempt, signal: this.link.signal };
  }

  /** Starts (or restarts) the first-token or idle clock; undefined ms means no limit. */
  startPhase(kind: "ttft" | "idle", ms: number | undefined): void {
    if (ms === undefined || this.latch.failure) return;
    this.kind = kind;
    this.ms = ms;
    this.deadline = Date.now() + ms;
    // One timer re-armed lazily, instead of a new timer per chunk.
    if (this.timer === undefined || this.timerAt > this.deadline) this.arm(ms);
  }

  /** Pauses the clock, e.g. while the consumer holds a chunk. */
  endPhase(): void {
    this.deadline = 0;
  }

  /** Ends the stream's upstream call from outside (a failure at its start, a consumer that stopped reading). */
  abort(reason: unknown): void {
    this.link.abort(reason);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.link.dispose();
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timerAt = Date.now() + ms;
    this.timer = setTimeout(() => this.onTimer(), ms);
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.deadline === 0) return;
    const left = this.deadline - Date.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    const error = timeoutError(this.kind, this.target, this.ms);
    if (!this.latch.fail(error)) return;
    this.ctx.events.emit({ type: "timeout", target: this.target, kind: this.kind });
    this.dispose();
    this.link.abort(error);
  }
}
