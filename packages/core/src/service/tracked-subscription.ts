import { KeelError, linkSignal, toKeelError, type LinkedSignal } from "@keel/spec";

export interface TrackedSubscriptionOptions<Event> {
  /** Opens the source with the signal to pass it; the signal aborts when the subscription ends early. */
  open: (signal: AbortSignal) => AsyncIterable<Event>;
  /** Registers with the service host, so a shutdown that outlives its grace ends the subscription. */
  track: (close: (error: KeelError) => void) => () => void;
  /** The caller's signal where the transport has one (tRPC's): its abort ends the source at once. */
  callerSignal?: AbortSignal | undefined;
  /** The last event a subscription gets when a shutdown or a failure of the source ends it; without it, it just completes. */
  finalEvent?: (error: KeelError) => Event;
}

const FINISHED = { value: undefined, done: true } as const;

/**
 * Relays any source of events (a batch's progress, a job's snapshots) to one subscriber of
 * either service, such that it can end from either side: the subscriber leaves (return(), or
 * the caller's signal) and the source is aborted at once, even while it is silent; or the
 * service shuts down and the subscriber gets `finalEvent` (when given), then completion.
 */
export function trackedSubscription<Event>(options: TrackedSubscriptionOptions<Event>): AsyncIterableIterator<Event> {
  const link: LinkedSignal = linkSignal(options.callerSignal);
  const inner = options.open(link.signal)[Symbol.asyncIterator]();
  let finished = false;
  let final: Event | undefined;
  let waiting: ((result: IteratorResult<Event>) => void) | undefined;

  const end = (reason: KeelError) => {
    if (finished) return;
    finished = true;
    untrack();
    link.abort(reason);
    link.dispose();
    // Not awaited: the source may be parked on a silent upstream; the abort ends it.
    inner.return?.().catch(() => undefined);
  };
  const takeFinal = (): IteratorResult<Event> => {
    const event = final;
    final = undefined;
    return event === undefined ? FINISHED : { value: event, done: false };
  };
  const closeWith = (error: KeelError) => {
    if (finished) return;
    if (options.finalEvent) final = options.finalEvent(error);
    end(error);
    const resolve = waiting;
    waiting = undefined;
    resolve?.(takeFinal());
  };
  const untrack = options.track(closeWith);

  const iterator: AsyncIterableIterator<Event> = {
    next() {
      if (finished) return Promise.resolve(takeFinal());
      return new Promise((resolve) => {
        waiting = resolve;
        inner.next().then(
          (result) => {
            if (waiting !== resolve || finished) return;
            waiting = undefined;
            if (result.done) {
              end(new KeelError("UPSTREAM_TIMEOUT", "the subscription ended", { retryable: false }));
              resolve(FINISHED);
            } else resolve({ value: result.value, done: false });
          },
          (error: unknown) => {
            if (waiting !== resolve || finished) return;
            waiting = undefined;
            closeWith(toKeelError(error));
            resolve(takeFinal());
          },
        );
      });
    },
    return() {
      closeWith(
        new KeelError("UPSTREAM_TIMEOUT", "the subscriber went away", {
          retryable: false,
          details: { reason: "client-closed" },
        }),
      );
      final = undefined;
      const resolve = waiting;
      waiting = undefined;
      resolve?.(FINISHED);
      return Promise.resolve(FINISHED);
    },
    throw() {
      return iterator.return?.() ?? Promise.resolve(FINISHED);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
