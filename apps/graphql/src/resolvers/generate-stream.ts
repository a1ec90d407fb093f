import { createEndableStream, parseChatRequest } from "@keel/core";
import { KeelError, type StreamEvent } from "@keel/spec";
import type { GraphqlContext } from "../context.ts";
import { passEventThrough } from "../subscriptions/pass-event-through.ts";
import { GENERATE_JSON_FIELDS, withoutNulls } from "./caller-input.ts";

/**
 * Subscription.generateStream: core's stream events pass through as they are (the
 * StreamEvent type mirrors them). Bad input fails the operation with BAD_REQUEST before
 * any event, the same as the mutation.
 */
export const generateStream = {
  subscribe(
    _parent: unknown,
    args: { input: Record<string, unknown> },
    context: GraphqlContext,
  ): AsyncIterableIterator<StreamEvent> {
    const request = parseChatRequest(withoutNulls(args.input, GENERATE_JSON_FIELDS));
    if (context.isShuttingDown()) {
      throw new KeelError("UPSTREAM_UNAVAILABLE", "the service is shutting down", {
        details: { reason: "shutting-down" },
      });
    }
    // graphql-ws calls return() when the client completes or its socket closes: that aborts the upstream.
    return createEndableStream({
      // The stream's own signal: the endable stream aborts it on return() and at shutdown.
      open: (signal) => context.pipeline.stream(request, { ...context.callOptions(), signal }),
      track: context.trackStream,
    });
  },
  // Recognised by the subscription server's event plans, which then build each event without execute.
  resolve: passEventThrough<StreamEvent>,
};
