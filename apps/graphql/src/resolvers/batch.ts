import { trackedSubscription, type BatchResult, type BatchStreamEvent } from "@keel/core";
import { KeelError } from "@keel/spec";
import type { GraphqlContext } from "../context.ts";
import { type BatchInputArgs, toBatchRequest } from "./batch-input.ts";
import { passEventThrough } from "../subscriptions/pass-event-through.ts";

/** Mutation.batch: every item through the pipeline; each its own envelope or typed error. */
export async function batch(
  _parent: unknown,
  args: { input: BatchInputArgs },
  context: GraphqlContext,
): Promise<BatchResult> {
  return context.pipeline.batch(toBatchRequest(args.input), context.callOptions());
}

/** Subscription.batchStream: core's batch events as they are (the BatchStreamEvent type mirrors them). */
export const batchStream = {
  subscribe(
    _parent: unknown,
    args: { input: BatchInputArgs },
    context: GraphqlContext,
  ): AsyncIterableIterator<BatchStreamEvent> {
    const request = toBatchRequest(args.input);
    if (context.isShuttingDown()) {
      throw new KeelError("UPSTREAM_UNAVAILABLE", "the service is shutting down", {
        details: { reason: "shutting-down" },
      });
    }
    return trackedSubscription<BatchStreamEvent>({
      open: (signal) => context.pipeline.batchStream(request, { ...context.callOptions(), signal }),
      track: context.trackStream,
      callerSignal: context.signal,
      finalEvent: (error) => ({ type: "error", error: error.toJSON() }),
    });
  },
  // Recognised by the subscription server's event plans, which then build each event without execute.
  resolve: passEventThrough<BatchStreamEvent>,
};
