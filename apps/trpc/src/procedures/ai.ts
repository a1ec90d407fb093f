import { callerInputs, createEndableStream, type Pipeline } from "@keel/core";
import type { StreamEvent } from "@keel/spec";
import { publicProcedure, router } from "../trpc.ts";
import { callOptions } from "./call-options.ts";

/**
 * The model procedures. Inputs are validated once, here, by core (`callerInputs`), so bad
 * input is refused with the same BAD_REQUEST the GraphQL service gives (the field named,
 * a misspelt one with its "did you mean" hint), and the pipeline takes the parsed request
 * without validating it again.
 */
const { chat: chatInput, structured: structuredInput, embedding: embeddingInput } = callerInputs;

export function createAiRouter(pipeline: Pipeline) {
  return router({
    /** The whole Generation envelope. */
    generate: publicProcedure
      .input(chatInput)
      .mutation(({ input, ctx, signal }) => pipeline.generate(input, callOptions(ctx, signal))),

    /**
     * Over SSE: `delta` events, then one `done` with the envelope, or one typed `error`; a
     * shutdown that outlives its grace ends the stream with a final error (core's endable stream).
     */
    stream: publicProcedure.input(chatInput).subscription(
      ({ input, ctx, signal }): AsyncIterableIterator<StreamEvent> =>
        createEndableStream({
          open: (streamSignal) => pipeline.stream(input, { ...callOptions(ctx, undefined), signal: streamSignal }),
          track: ctx.trackStream,
          callerSignal: signal,
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
  });
}
