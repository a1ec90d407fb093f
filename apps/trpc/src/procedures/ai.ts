import {
  callerInputs,
  checkedByOperation,
  createEndableStream,
  type ClassifyRequestInput,
  type Pipeline,
  type ServiceEdge,
} from "@keel/core";
import type { StreamEvent } from "@keel/spec";
import { authenticatedProcedure } from "../authenticated.ts";
import { router } from "../trpc.ts";
import { createBatchProcedures } from "./batch.ts";
import { callOptions } from "./call-options.ts";

/**
 * The model procedures, each opened by the caller's API key. Inputs are validated once,
 * here, by core (`callerInputs`), so bad input is refused with the same BAD_REQUEST the
 * GraphQL service gives (the field named, a misspelt one with its "did you mean" hint),
 * and the pipeline takes the parsed request without validating it again.
 */
const { chat: chatInput, structured: structuredInput, embedding: embeddingInput } = callerInputs;

export function createAiRouter(pipeline: Pipeline, edge: ServiceEdge) {
  return router({
    /** The whole Generation envelope. */
    generate: authenticatedProcedure
      .input(chatInput)
      .mutation(({ input, ctx, signal }) => pipeline.generate(input, callOptions(edge, ctx, signal))),

    /**
     * Over SSE: `delta` events, then one `done` with the envelope, or one typed `error`; a
     * shutdown that outlives its grace ends the stream with a final error (core's endable stream).
     * The key comes in the connection params (`{ authorization: "Bearer keel_..." }`) or the
     * header; a rate limit or budget refusal is the stream's one `error` event.
     */
    stream: authenticatedProcedure.input(chatInput).subscription(
      ({ input, ctx, signal }): AsyncIterableIterator<StreamEvent> =>
        createEndableStream({
          open: (streamSignal) =>
            pipeline.stream(
              input,
              edge.callOptions(ctx.principal, { requestId: ctx.nextCallId(), signal: streamSignal }),
            ),
          track: ctx.trackStream,
          callerSignal: signal,
        }),
    ),

    /**
     * The answer parsed and validated against `schema` (repaired, re-asked): the envelope
     * with `data` and `validation`, or VALIDATION_FAILED after the last attempt. A bad
     * schema is BAD_REQUEST before any upstream call (core checks it).
     */
    structured: authenticatedProcedure
      .input(structuredInput)
      .mutation(({ input, ctx, signal }) => pipeline.structured(input, callOptions(edge, ctx, signal))),

    embed: authenticatedProcedure
      .input(embeddingInput)
      .mutation(({ input, ctx, signal }) => pipeline.embed(input, callOptions(edge, ctx, signal))),

    /**
     * A label for each text from example texts per label (or a configured label set), by
     * embeddings: the price of one embeddings call. Core checks the input (as for GraphQL).
     */
    classify: authenticatedProcedure
      .input(checkedByOperation<ClassifyRequestInput>())
      .mutation(({ input, ctx, signal }) => pipeline.classify(input, callOptions(edge, ctx, signal))),

    // ai.batch and ai.batchStream
    ...createBatchProcedures(pipeline, edge),
  });
}
