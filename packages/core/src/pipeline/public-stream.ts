import { KeelError, roundUsd, type StreamEvent } from "@keel/spec";
import { normaliseFailure, type RequestScope } from "./request-scope.ts";

/**
 * The stream callers see. Inside the pipeline failures are thrown; here they become one
 * final `error` event, and an inner stream that ends without `done` is reported as cut
 * short, never as complete. A consumer that stops early (return()) aborts the upstream.
 *
 * The inner iterator is closed, and the request scope disposed, BEFORE the final event is
 * yielded: a consumer that stops pulling once it has the final event must not leave the
 * middlewares' cleanup (telemetry's record, the ledger entry, the deadline timer) unrun.
 */
export async function* toPublicStream(
  inner: () => AsyncIterable<StreamEvent>,
  scope: RequestScope,
  startedAt: number,
): AsyncGenerator<StreamEvent, void, undefined> {
  let final: StreamEvent | undefined;
  try {
    for await (const event of inner()) {
      if (event.type === "done") {
        const generation = { ...event.generation, costUsd: roundUsd(event.generation.costUsd) };
        final = { type: "done", generation: { ...generation, latencyMs: Date.now() - startedAt } };
        break;
      }
      if (event.type === "error") {
        final = event;
        break;
      }
      yield event;
    }
    final ??= {
      type: "error",
      error: new KeelError("UPSTREAM_UNAVAILABLE", "the stream ended before it completed", {
        details: { reason: "stream-truncated" },
      }).toJSON(),
    };
  } catch (error) {
    final = { type: "error", error: normaliseFailure(error, scope).toJSON() };
  } finally {
    if (!final) {
      scope.abort(
        new KeelError("UPSTREAM_TIMEOUT", "the caller stopped reading the stream", {
          retryable: false,
          details: { reason: "client-closed" },
        }),
      );
    }
    scope.dispose();
  }
  yield final;
}
