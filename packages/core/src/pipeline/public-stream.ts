import { KeelError, type StreamEvent } from "@keel/spec";
import { normaliseFailure, type RequestScope } from "./request-scope.ts";

/**
 * The stream callers see. Inside the pipeline failures are thrown; here they become one
 * final `error` event, and an inner stream that ends without `done` is reported as cut
 * short, never as complete. A consumer that stops early (return()) aborts the upstream.
 */
export async function* toPublicStream(
  inner: () => AsyncIterable<StreamEvent>,
  scope: RequestScope,
  startedAt: number,
): AsyncGenerator<StreamEvent, void, undefined> {
  let finished = false;
  try {
    for await (const event of inner()) {
      if (event.type === "done") {
        finished = true;
        yield { type: "done", generation: { ...event.generation, latencyMs: Date.now() - startedAt } };
        return;
      }
      if (event.type === "error") {
        finished = true;
        yield event;
        return;
      }
      yield event;
    }
    finished = true;
    yield {
      type: "error",
      error: new KeelError("UPSTREAM_UNAVAILABLE", "the stream ended before it completed", {
        details: { reason: "stream-truncated" },
      }).toJSON(),
    };
  } catch (error) {
    finished = true;
    yield { type: "error", error: normaliseFailure(error, scope).toJSON() };
  } finally {
    if (!finished) {
      scope.abort(new KeelError("UPSTREAM_TIMEOUT", "the caller stopped reading the stream", { retryable: false, details: { reason: "client-closed" } }));
    }
    scope.dispose();
  }
}
