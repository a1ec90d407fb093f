import { KeelError, type StreamEvent } from "@keel/spec";
import type { TrackStream } from "../context.ts";

const CLOSED = Symbol("closed");

/**
 * Relays a pipeline stream to one subscriber while the host can end it. A graceful
 * shutdown that outlives its grace calls the tracked close(): the upstream call is
 * aborted and the subscriber gets a final typed `error` event instead of silence.
 * A stream always ends with exactly one `done` or `error`.
 */
export async function* trackedStream(options: {
  open: (signal: AbortSignal) => AsyncIterable<StreamEvent>;
  callerSignal: AbortSignal | undefined;
  trackStream: TrackStream;
}): AsyncGenerator<StreamEvent, void, undefined> {
  // One controller for both reasons to stop (caller gone, shutdown). Linked by hand:
  // AbortSignal.any retains its source signals on Node 20.
  const controller = new AbortController();
  const stop = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const callerSignal = options.callerSignal;
  const onCallerAbort = () => stop(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  let closeError: KeelError | undefined;
  // Settles the pending wait early on close. (Not Promise.race with one long-lived
  // promise: that keeps a reaction per event alive for the whole stream.)
  let wake: ((value: typeof CLOSED) => void) | undefined;
  const untrack = options.trackStream((error) => {
    closeError = error;
    wake?.(CLOSED);
    stop(error);
  });
  const iterator = options.open(controller.signal)[Symbol.asyncIterator]();
  let finished = false;
  try {
    while (true) {
      // The upstream may be silent (stalled) and a close must still reach the subscriber at once.
      const next = closeError
        ? CLOSED
        : await new Promise<IteratorResult<StreamEvent, unknown> | typeof CLOSED>((resolve, reject) => {
            wake = resolve;
            iterator.next().then(resolve, reject);
          });
      wake = undefined;
      if (next === CLOSED) {
        yield { type: "error", error: (closeError as KeelError).toJSON() };
        return;
      }
      if (next.done) {
        yield { type: "error", error: new KeelError("INTERNAL", "the stream ended without a result").toJSON() };
        return;
      }
      yield next.value;
      if (next.value.type !== "delta") {
        finished = true;
        return;
      }
    }
  } finally {
    untrack();
    callerSignal?.removeEventListener("abort", onCallerAbort);
    // The subscriber left or shutdown closed us: end the pipeline stream too, which
    // aborts its upstream call. Not awaited: a next() may still be pending on a stall.
    if (!finished)
      stop(
        new KeelError("UPSTREAM_TIMEOUT", "the subscriber went away", {
          retryable: false,
          details: { reason: "client-closed" },
        }),
      );
    // Always close the pipeline's iterator, also after its final event: it is parked at
    // that `yield`, and only return() runs its cleanup (the request scope's timer, the
    // telemetry record and usage ledger entry of the stream).
    iterator.return?.().catch(() => {});
  }
}
