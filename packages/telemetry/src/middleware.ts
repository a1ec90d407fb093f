import type {
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResult,
  Generation,
  Middleware,
  RequestContext,
  StreamEvent,
} from "@keel/spec";
import type { Recorder } from "./recorder.ts";
import { RequestRecord, type EventObserver } from "./request-record.ts";
import { summarize } from "./request-summary.ts";

export interface MiddlewareParts {
  recorder: Recorder;
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
  const { recorder, observer, now } = parts;
  const clock = parts.tracing ? now : undefined;
  // Spread, not a field list, so fields added to RequestContext later still reach the inner layers.
  const childContext = (ctx: RequestContext, record: RequestRecord): RequestContext => ({ ...ctx, events: record });

  return {
    name: "telemetry",

    wrapGenerate({ request, ctx, next }): Promise<Generation> {
      const startedAtMs = now();
      const record = new RequestRecord(ctx.events, observer, clock);
      return observe(
        () => next(request, childContext(ctx, record)),
        (generation, error) =>
          finishChat({ recorder, record, ctx, request, startedAtMs, endedAtMs: now(), generation, error }),
      );
    },

    async *wrapStream({ request, ctx, next }): AsyncIterable<StreamEvent> {
      const startedAtMs = now();
      const record = new RequestRecord(ctx.events, observer, clock);
      let generation: Generation | undefined;
      let error: unknown;
      let firstChunkAtMs: number | undefined;
      let lastChunkAtMs = 0;
      let chunkGapsMs: number[] | undefined;
      try {
        for await (const event of next(request, childContext(ctx, record))) {
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
          recorder,
          record,
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
      const record = new RequestRecord(ctx.events, observer, clock);
      return observe(
        () => next(request, childContext(ctx, record)),
        (embedding, error) =>
          finishEmbed({ recorder, record, ctx, request, startedAtMs, endedAtMs: now(), embedding, error }),
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
  recorder: Recorder;
  record: RequestRecord;
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

/** What every request's summary starts from, whatever its operation. */
function requestFacts(end: {
  record: RequestRecord;
  ctx: RequestContext;
  request: { model: string };
  startedAtMs: number;
  endedAtMs: number;
  error: unknown;
}) {
  return {
    record: end.record,
    requestId: end.ctx.requestId,
    tenant: end.ctx.tenant,
    service: end.ctx.service,
    operation: end.ctx.operation,
    route: end.request.model,
    startedAtMs: end.startedAtMs,
    endedAtMs: end.endedAtMs,
    error: end.error,
  };
}

function finishChat(end: ChatEnd): void {
  try {
    const summary = summarize({
      ...requestFacts(end),
      generation: end.generation,
      cancelled: end.cancelled,
      ttftMs: end.firstChunkAtMs === undefined ? undefined : end.firstChunkAtMs - end.startedAtMs,
    });
    end.recorder.finish({
      summary,
      attempts: end.record.attempts,
      chunkGapsMs: end.chunkGapsMs,
      request: end.request,
      generation: end.generation,
    });
  } catch {
    // Telemetry never throws into a request.
  }
}

function finishEmbed(end: {
  recorder: Recorder;
  record: RequestRecord;
  ctx: RequestContext;
  request: EmbeddingRequest;
  startedAtMs: number;
  endedAtMs: number;
  embedding: EmbeddingResult | undefined;
  error: unknown;
}): void {
  try {
    const summary = summarize({ ...requestFacts(end), embedding: end.embedding });
    end.recorder.finish({ summary, attempts: end.record.attempts, chunkGapsMs: undefined });
  } catch {
    // Telemetry never throws into a request.
  }
}
