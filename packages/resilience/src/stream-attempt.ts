import { toKeelError, type ChatRequest, type Model, type StreamEvent } from "@keel/spec";
import type { AttemptScope } from "./attempt-scope.ts";
import { fromErrorEvent, truncatedError } from "./failures.ts";
import type { Lease } from "./policy.ts";
import { closeQuietly } from "./signals.ts";

/** A stream whose start succeeded: the events held back so far and the rest still upstream. */
export interface StartedStream {
  buffered: StreamEvent[];
  iterator: AsyncIterator<StreamEvent>;
  scope: AttemptScope;
}

export interface StreamStart {
  model: Model;
  request: ChatRequest;
  /** The attempt the timeout policy began: its signal and clocks. */
  scope: AttemptScope;
  target: string;
  firstTokenMs: number | undefined;
  idleMs: number | undefined;
  bufferDeltas: number;
}

/**
 * A stream's "call", the part the target's policies run and may retry: call the model and
 * hold back events until `bufferDeltas` deltas (or `done`) arrived. A failure in here, a
 * first-token timeout or a stream that ends early can still be retried or fail over,
 * because the caller has seen nothing yet. On failure the upstream call is aborted.
 */
export async function startStream(start: StreamStart): Promise<StartedStream> {
  const { scope } = start;
  let iterator: AsyncIterator<StreamEvent> | undefined;
  try {
    iterator = start.model.stream(start.request, scope.ctx)[Symbol.asyncIterator]();
    const buffered: StreamEvent[] = [];
    let deltas = 0;
    scope.startPhase("ttft", start.firstTokenMs);
    for (;;) {
      const result = await scope.race(iterator.next());
      if (result.done) throw truncatedError(start.target);
      const event = result.value;
      if (event.type === "error") throw fromErrorEvent(event.error);
      buffered.push(event);
      if (event.type === "done") break;
      deltas += 1;
      if (deltas >= start.bufferDeltas) break;
      scope.startPhase("idle", start.idleMs);
    }
    scope.endPhase();
    return { buffered, iterator, scope };
  } catch (error) {
    const failure = scope.failure ?? toKeelError(error);
    scope.abort(failure);
    if (iterator) closeQuietly(iterator);
    throw failure;
  }
}

/**
 * The committed rest of a stream: no retry or failover any more, so a failure is
 * rethrown (core turns it into an error event) and a stream that ends without `done`
 * throws instead of looking complete. The idle clock runs only while we wait for the
 * upstream, not while the consumer holds a chunk. A consumer that stops early aborts
 * the upstream call. The attempt's lease (its slot, its signal and clocks) ends with it.
 */
export async function* continueStream(
  started: StartedStream,
  options: {
    target: string;
    idleMs: number | undefined;
    lease: Lease;
    finish: (event: Extract<StreamEvent, { type: "done" }>) => StreamEvent;
    fail: (error: unknown) => unknown;
  },
): AsyncGenerator<StreamEvent> {
  const { iterator, scope } = started;
  let finished = false;
  try {
    for (const event of started.buffered) {
      if (event.type === "done") {
        finished = true;
        yield options.finish(event);
        return;
      }
      yield event;
    }
    for (;;) {
      scope.startPhase("idle", options.idleMs);
      const result = await scope.race(iterator.next());
      scope.endPhase();
      if (result.done) throw truncatedError(options.target);
      const event = result.value;
      if (event.type === "error") throw fromErrorEvent(event.error);
      if (event.type === "done") {
        finished = true;
        yield options.finish(event);
        return;
      }
      yield event;
    }
  } catch (error) {
    throw options.fail(scope.failure ?? error);
  } finally {
    if (!finished) scope.abort(new DOMException("the stream consumer stopped reading", "AbortError"));
    closeQuietly(iterator);
    options.lease.release();
  }
}
