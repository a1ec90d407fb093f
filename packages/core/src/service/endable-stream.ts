import { KeelError, linkSignal, toKeelError, type LinkedSignal, type StreamEvent } from "@keel/spec";

/** Registers a live stream so a graceful shutdown can end it; returns the unregister function (ServiceHost.trackStream). */
export type TrackStream = (close: (error: KeelError) => void) => () => void;

export interface EndableStreamOptions {
  /** Opens the pipeline's stream with the signal to pass it; the signal aborts when the stream ends early. */
  open: (signal: AbortSignal) => AsyncIterable<StreamEvent>;
  /** Registers the stream with the service host, so a shutdown that outlives its grace ends it. */
  track: TrackStream;
  /**
   * The caller's signal where the transport has one (tRPC's procedure signal): its abort
   * aborts the upstream at once, as return() does.
   */
  callerSignal?: AbortSignal | undefined;
}

/**
 * Relays a pipeline stream to one subscriber, such that it can end from either side, and
 * always with exactly one `done` or `error`:
 * - the subscriber leaves (the transport calls return(), or the caller's signal aborts):
 *   the upstream is aborted at once, even while it is silent (an async generator would
 *   queue return() behind its pending next());
 * - the service shuts down and the stream outlives the grace: the subscriber gets one
 *   final `error` event instead of silence, then the stream completes.
 * Both services serve their live streams through this one helper.
 */
export function createEndableStream(options: EndableStreamOptions): AsyncIterableIterator<StreamEvent> {
  return new EndableStream(options);
}

const FINISHED: IteratorResult<StreamEvent> = { value: undefined, done: true };

class EndableStream implements AsyncIterableIterator<StreamEvent> {
  readonly #link: LinkedSignal;
  readonly #untrack: () => void;
  readonly #inner: AsyncIterator<StreamEvent>;
  #finished = false;
  #final: StreamEvent | undefined;
  #waiting: ((result: IteratorResult<StreamEvent>) => void) | undefined;

  constructor(options: EndableStreamOptions) {
    this.#link = linkSignal(options.callerSignal);
    this.#untrack = options.track((error) => this.#close(error));
    this.#inner = options.open(this.#link.signal)[Symbol.asyncIterator]();
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.#finished) return Promise.resolve(this.#takeFinal());
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#inner.next().then(this.#onResult, this.#onFailure);
    });
  }

  // Bound once per stream rather than two closures per event.
  readonly #onResult = (result: IteratorResult<StreamEvent>): void =>
    this.#deliver(result.done ? truncated() : result.value);
  readonly #onFailure = (error: unknown): void => this.#deliver({ type: "error", error: toKeelError(error).toJSON() });

  /** The subscriber went away: abort the upstream and end without another event. */
  return(): Promise<IteratorResult<StreamEvent>> {
    if (!this.#finished) {
      this.#stop(
        new KeelError("UPSTREAM_TIMEOUT", "the subscriber went away", {
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

  /** Shutdown: one final error event (delivered at once to a pending next()), the upstream aborted. */
  #close(error: KeelError): void {
    if (this.#finished) return;
    this.#final = { type: "error", error: error.toJSON() };
    this.#stop(error);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(this.#takeFinal());
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
    this.#link.abort(reason);
    // Not awaited: core's generator may be parked on a silent upstream; the abort ends it.
    this.#inner.return?.().catch(() => undefined);
    this.#end();
  }

  #end(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#untrack();
    this.#link.dispose();
  }
}

function truncated(): StreamEvent {
  return {
    type: "error",
    error: new KeelError("UPSTREAM_UNAVAILABLE", "the stream ended before it completed", {
      details: { reason: "stream-truncated" },
    }).toJSON(),
  };
}
