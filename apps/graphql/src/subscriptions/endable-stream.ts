import { KeelError, toKeelError, type StreamEvent } from "@keel/spec";

const FINISHED: IteratorResult<StreamEvent> = { value: undefined, done: true };

/**
 * Wraps core's stream for one subscription so that it can end from either side:
 * - the client leaves (graphql-ws calls return() on complete or on socket close):
 *   the upstream is aborted at once, even while it is silent (an async generator
 *   would queue return() behind its pending next());
 * - the service shuts down (`close(error)`): the client gets one final ERROR event,
 *   then the subscription completes.
 */
export class EndableStream implements AsyncIterableIterator<StreamEvent> {
  readonly #controller = new AbortController();
  readonly #inner: AsyncIterator<StreamEvent>;
  #finished = false;
  #final: StreamEvent | undefined;
  #waiting: ((result: IteratorResult<StreamEvent>) => void) | undefined;
  #onEnd: (() => void) | undefined;

  /** `start` gets the signal to pass to the pipeline; it is aborted when the stream ends early. */
  constructor(start: (signal: AbortSignal) => AsyncIterable<StreamEvent>) {
    this.#inner = start(this.#controller.signal)[Symbol.asyncIterator]();
  }

  /** Called once when the stream ends, whichever way (e.g. to untrack it). */
  onEnd(listener: () => void): void {
    if (this.#finished) listener();
    else this.#onEnd = listener;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.#finished) return Promise.resolve(this.#takeFinal());
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#inner.next().then(
        (result) => this.#deliver(result.done ? this.#truncated() : result.value),
        (error: unknown) => this.#deliver({ type: "error", error: toKeelError(error).toJSON() }),
      );
    });
  }

  /** Ends the stream with one final error event (shutdown); the upstream is aborted. */
  close(error: KeelError): void {
    if (this.#finished) return;
    this.#final = { type: "error", error: error.toJSON() };
    this.#stop(error);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(this.#takeFinal());
  }

  /** The client went away: abort the upstream and end without another event. */
  return(): Promise<IteratorResult<StreamEvent>> {
    if (!this.#finished) {
      this.#stop(
        new KeelError("UPSTREAM_TIMEOUT", "the caller closed the stream", {
          retryable: false,
          details: { reason: "client-closed" },
        }),
      );
    }
    this.#final = undefined;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(FINISHED);
    return Promise.resolve(FINISHED);
  }

  throw(): Promise<IteratorResult<StreamEvent>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #deliver(event: StreamEvent): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    // Ended meanwhile (closed or returned): that path already answered the waiter.
    if (!waiting || this.#finished) return;
    if (event.type !== "delta") {
      this.#end();
      // Core's stream is parked at its final `yield`; only return() runs its cleanup
      // (the request scope's timer, the telemetry record and usage ledger entry).
      this.#inner.return?.().catch(() => undefined);
    }
    waiting({ value: event, done: false });
  }

  #takeFinal(): IteratorResult<StreamEvent> {
    const final = this.#final;
    this.#final = undefined;
    return final ? { value: final, done: false } : FINISHED;
  }

  #stop(reason: KeelError): void {
    this.#controller.abort(reason);
    // Not awaited: core's generator may be parked on a silent upstream; the abort ends it.
    this.#inner.return?.().catch(() => undefined);
    this.#end();
  }

  #end(): void {
    if (this.#finished) return;
    this.#finished = true;
    const listener = this.#onEnd;
    this.#onEnd = undefined;
    listener?.();
  }

  #truncated(): StreamEvent {
    return {
      type: "error",
      error: new KeelError("UPSTREAM_UNAVAILABLE", "the stream ended before it completed", {
        details: { reason: "stream-truncated" },
      }).toJSON(),
    };
  }
}
