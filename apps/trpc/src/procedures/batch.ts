import { callerInputs, trackedSubscription, type BatchStreamEvent, type Pipeline, type ServiceEdge } from "@keel/core";
import { authenticatedProcedure } from "../authenticated.ts";
import { callOptions } from "./call-options.ts";

const batchInput = callerInputs.batch;

/**
 * `ai.batch` and `ai.batchStream`: up to the configured number of generate or structured items,
 * each through the whole pipeline. Every item gets its own envelope or its own typed error (one
 * bad item never fails the batch); only a batch refused as a whole is a BAD_REQUEST.
 */
export function createBatchProcedures(pipeline: Pipeline, edge: ServiceEdge) {
  return {
    /** `{ items: [{ index, ok, generation } | { index, ok: false, error }], totals }`, items in input order. */
    batch: authenticatedProcedure
      .input(batchInput)
      .mutation(({ input, ctx, signal }) => pipeline.batch(input, callOptions(edge, ctx, signal))),

    /**
     * Over SSE: one `item` event per item as it finishes (with `completed` and `total`), then one
     * `done` with the totals; or one `error` when the batch is refused as a whole. Leaving early
     * aborts the items still running.
     */
    batchStream: authenticatedProcedure.input(batchInput).subscription(
      ({ input, ctx, signal }): AsyncIterableIterator<BatchStreamEvent> =>
        trackedSubscription<BatchStreamEvent>({
          open: (streamSignal) =>
            pipeline.batchStream(
              input,
              edge.callOptions(ctx.principal, { requestId: ctx.nextCallId(), signal: streamSignal }),
            ),
          track: ctx.trackStream,
          callerSignal: signal,
          finalEvent: (error) => ({ type: "error", error: error.toJSON() }),
        }),
    ),
  };
}
