import { callerInput, chatRequestSchema, embeddingRequestSchema, type Pipeline } from "@keel/core";
import { structuredInputSchema } from "./structured-input.ts";
import type { StreamEvent } from "@keel/spec";
import { publicProcedure, router } from "../trpc.ts";
import { createBatchProcedures } from "./batch.ts";
import { callOptions } from "./call-options.ts";
import { trackedStream } from "./tracked-stream.ts";

/**
 * The model procedures. Inputs are core's schemas, validated through core (`callerInput`),
 * so bad input is refused here with the same BAD_REQUEST the GraphQL service gives: the
 * field named, and a misspelt one with its "did you mean" hint.
 */
const chatInput = callerInput(chatRequestSchema);
const structuredInput = callerInput(structuredInputSchema);
const embeddingInput = callerInput(embeddingRequestSchema);

export function createAiRouter(pipeline: Pipeline) {
  return router({
    /** The whole Generation envelope. */
    generate: publicProcedure
      .input(chatInput)
      .mutation(({ input, ctx, signal }) => pipeline.generate(input, callOptions(ctx, signal))),

    /** Over SSE: `delta` events, then one `done` with the envelope, or one typed `error`. */
    stream: publicProcedure.input(chatInput).subscription(
      ({ input, ctx, signal }): AsyncGenerator<StreamEvent, void, undefined> =>
        trackedStream({
          open: (streamSignal) => pipeline.stream(input, { ...callOptions(ctx, undefined), signal: streamSignal }),
          callerSignal: signal,
          trackStream: ctx.trackStream,
        }),
    ),

    /**
     * The answer parsed and validated against `schema` (repaired, re-asked): the envelope
     * with `data` and `validation`, or VALIDATION_FAILED after the last attempt. A bad
     * schema is BAD_REQUEST before any upstream call (core checks it).
     */
    structured: publicProcedure
      .input(structuredInput)
      .mutation(({ input, ctx, signal }) => pipeline.structured(input, callOptions(ctx, signal))),

    embed: publicProcedure
      .input(embeddingInput)
      .mutation(({ input, ctx, signal }) => pipeline.embed(input, callOptions(ctx, signal))),

    // ai.batch and ai.batchStream
    ...createBatchProcedures(pipeline),
  });
}
