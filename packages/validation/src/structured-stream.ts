import {
  KeelError,
  type ChatRequest,
  type Generation,
  type RequestContext,
  type StreamEvent,
  type StreamNext,
} from "@keel/spec";
import { runStructured } from "./run-structured.ts";
import { planStructured, type StructuredSettings } from "./structured-request.ts";

/**
 * Streams the first attempt's deltas as they come, then validates the whole answer
 * (repair and re-asks as for generate; re-asks are collected, not streamed) and ends
 * with a `done` whose generation carries `data`, `validation` and the summed usage.
 * The deltas are the first raw answer; `done.generation.content` is the valid JSON.
 */
export async function* structuredStream(args: {
  request: ChatRequest;
  ctx: RequestContext;
  next: StreamNext;
  settings: StructuredSettings;
}): AsyncIterable<StreamEvent> {
  const { request, ctx, next } = args;
  // Planned inside the iterator, so a bad schema is thrown from it as stream failures are.
  const plan = planStructured(request, args.settings, ctx.tenant);
  let first: Generation | undefined;
  for await (const event of next(plan.request, ctx)) {
    if (event.type === "done") {
      first = event.generation;
      continue;
    }
    yield event;
    if (event.type === "error") return;
  }
  // Cut short without `done`: end the same way, so core reports it as incomplete.
  if (first === undefined) return;
  const generation = await runStructured({
    plan,
    ctx,
    first,
    call: (attemptRequest) => collectGeneration(next, attemptRequest, ctx),
  });
  yield { type: "done", generation };
}

async function collectGeneration(next: StreamNext, request: ChatRequest, ctx: RequestContext): Promise<Generation> {
  for await (const event of next(request, ctx)) {
    if (event.type === "done") return event.generation;
    if (event.type === "error") {
      throw new KeelError(event.error.code, event.error.message, {
        retryable: event.error.retryable,
        details: event.error.details,
      });
    }
  }
  throw new KeelError("UPSTREAM_UNAVAILABLE", "the upstream stream ended before it was complete", {
    details: { reason: "truncated" },
  });
}
