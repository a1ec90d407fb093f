import type {
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResult,
  Generation,
  Middleware,
  RequestContext,
  StreamEvent,
} from "@keel/spec";
import type { FinishedRequestWriter } from "./finished-request-writer.ts";
import { RequestEventTally, type EventObserver } from "./request-event-tally.ts";
import { summarize, type SummaryInput } from "./summarize-request.ts";

export interface MiddlewareParts {
  writer: FinishedRequestWriter;
  observer: EventObserver;
  now: () => number;
  /** Whether upstream attempts are kept for spans. */
  tracing: boolean;
}

/**
 * The outermost middleware: tees the request's event sink, passes a child context down,
 * and records the request when it ends. The call itself is passed through untouched:
 * the same result, the same error.
 */
export function telemetryMiddleware(parts: MiddlewareParts): Middleware {
  const { writer, observer, now } = parts;
  const clock = parts.tracing ? now : undefined;
  // Spread, not a field list, so fields added to RequestContext later still reach the inner layers.
  const childContext = (ctx: RequestContext, tally: RequestEventTally): RequestContext => ({ ...ctx, events: tally });

  return {
    name: "telemetry",

    wrapGenerate({ request, ctx, next }): Promise<Generation> {
      const startedAtMs = now();
      const tally = new RequestEventTally(ctx.events, observer, clock);
      return observe(
        () => next(request, childContext(ctx, tally)),
        (generation, error) =>
          finishChat({ writer, tally, ctx, request, startedAtMs, endedAtMs: now(), generation, error }),
      );
    },

    async *wrapStream({ request, ctx, next }): AsyncIterable<StreamEvent> {
      const startedAtMs = now();
      const tally = new RequestEventTally(ctx.events, observer, clock);
      let generation: Generation | undefined;
      let error: unknown;
      let firstChunkAtMs: number | undefined;
      let lastChunkAtMs = 0;
      let chunkGapsMs: number[] | undefined;
      try {
        for await (const event of next(request, childContext(ctx, tally))) {
          if (event.type === "delta") {
            const at = now();
            if (firstChunkAtMs === undefined) firstChunkAtMs = at;
            else {
              chunkGapsMs ??= [];
              chunkGapsMs.push(at - lastChunkAtMs);
            }
            lastChunkAtMs = at;
          } else if (event.type === "done") {
            generation = event.generation;
          }
          yield event;
        }
      } catch (thrown) {
        error = thrown;
        throw thrown;
      } finally {
        // Neither a `done` nor an error: the caller stopped reading (or the stream was cut short).
        const cancelled = generation === undefined && error === undefined;
        finishChat({
          writer,
          tally,
          ctx,
          request,
          startedAtMs,
          endedAtMs: now(),
          generation,
          error,
          cancelled,
          firstChunkAtMs,
          chunkGapsMs,
        });
      }
    },

    wrapEmbed({ request, ctx, next }): Promise<EmbeddingResult> {
      const startedAtMs = now();
      const tally = new RequestEventTally(ctx.events, observer, clock);
      return observe(
        () => next(request, childContext(ctx, tally)),
        (embedding, error) =>
          finishEmbed({ writer, tally, ctx, request, startedAtMs, endedAtMs: now(), embedding, error }),
      );
    },
  };
}

/** Runs a call and reports how it ended, passing its result or error through untouched. */
async function observe<T>(call: () => Promise<T>, finish: (value: T | undefined, error: unknown) => void): Promise<T> {
  let value: T | undefined;
  let error: unknown;
  try {
    value = await call();
    return value;
  } catch (thrown) {
    error = thrown;
    throw thrown;
  } finally {
    finish(value, error);
  }
}

interface ChatEnd {
  writer: FinishedRequestWriter;
  tally: RequestEventTally;
  ctx: RequestContext;
  request: ChatRequest;
  startedAtMs: number;
  endedAtMs: number;
  generation: Generation | undefined;
  error: unknown;
  cancelled?: boolean;
  firstChunkAtMs?: number | undefined;
  chunkGapsMs?: number[] | undefined;
}

/**
 * What a request's summary is made from, whatever its operation, as one object literal: an
 * object spread followed by more fields (`{ ...facts, generation }`) costs Node 20's V8 ~8 µs
 * per object on a slow path, a literal ~0.02 µs (bench/README.md, perf-io).
 */
function summaryInput(
  end: {
    tally: RequestEventTally;
    ctx: RequestContext;
    request: { model: string };
    startedAtMs: number;
    endedAtMs: number;
    error: unknown;
  },
  outcome: Pick<SummaryInput, "generation" | "embedding" | "cancelled" | "ttftMs">,
): SummaryInput {
  return {
    tally: end.tally,
    requestId: end.ctx.requestId,
    tenant: end.ctx.tenant,
    service: end.ctx.service,
    keyId: end.ctx.principal?.keyId,
    operation: end.ctx.operation,
    route: end.request.model,
    startedAtMs: end.startedAtMs,
    endedAtMs: end.endedAtMs,
    error: end.error,
    generation: outcome.generation,
    embedding: outcome.embedding,
    cancelled: outcome.cancelled,
    ttftMs: outcome.ttftMs,
  };
}

function finishChat(end: ChatEnd): void {
  try {
    const summary = summarize(
      summaryInput(end, {
        generation: end.generation,
        cancelled: end.cancelled,
        ttftMs: end.firstChunkAtMs === undefined ? undefined : end.firstChunkAtMs - end.startedAtMs,
      }),
    );
    end.writer.write({
      summary,
      attempts: end.tally.attempts,
      chunkGapsMs: end.chunkGapsMs,
      request: end.request,
      generation: end.generation,
    });
  } catch {
    // Telemetry never throws into a request.
  }
}

function finishEmbed(end: {
  writer: FinishedRequestWriter;
  tally: RequestEventTally;
  ctx: RequestContext;
  request: EmbeddingRequest;
  startedAtMs: number;
  endedAtMs: number;
  embedding: EmbeddingResult | undefined;
  error: unknown;
}): void {
  try {
    const summary = summarize(summaryInput(end, { embedding: end.embedding }));
    end.writer.write({ summary, attempts: end.tally.attempts, chunkGapsMs: undefined });
  } catch {
    // Telemetry never throws into a request.
  }
}
