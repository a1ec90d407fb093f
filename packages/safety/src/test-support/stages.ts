import type { ChatRequest, Generation, KeelEvent, Middleware, Model, RequestContext, StreamEvent } from "@keel/spec";

/** What the model below the stages was asked, call by call. */
export interface SeenCall {
  request: ChatRequest;
}

/**
 * A scripted model below the safety stages (a test double of the rest of the pipeline):
 * answers with `answer(request)` as a Generation, or as a stream cut into `chunks`.
 */
export function scriptedAnswers(answer: (request: ChatRequest) => string, options: { chunk?: number } = {}) {
  const calls: SeenCall[] = [];
  const model: Model = {
    async generate(request) {
      calls.push({ request });
      return generationOf(answer(request), request);
    },
    async *stream(request) {
      calls.push({ request });
      const content = answer(request);
      const size = options.chunk ?? 3;
      for (let at = 0; at < content.length; at += size) yield { type: "delta", content: content.slice(at, at + size) };
      yield { type: "done", generation: generationOf(content, request) };
    },
  };
  return { model, calls };
}

/** A stream of exactly these deltas, then done with their concatenation. */
export function chunkedModel(parts: readonly string[]): Model {
  return {
    async generate(request) {
      return generationOf(parts.join(""), request);
    },
    async *stream(request) {
      for (const content of parts) yield { type: "delta", content };
      yield { type: "done", generation: generationOf(parts.join(""), request) };
    },
  };
}

export function generationOf(content: string, request: ChatRequest): Generation {
  return {
    id: "gen-test",
    content,
    model: request.model,
    provider: "test",
    cache: "miss",
    fallback: { failed: [], answeredBy: "test/model" },
    attempts: 1,
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    costUsd: 0.0001,
    latencyMs: 1,
    finishReason: "stop",
    safety: { input: [], output: [] },
  };
}

/** Folds middlewares around a model, first = outermost (core's fold, for these tests). */
export function wrap(model: Model, middlewares: readonly Middleware[]): Model {
  return middlewares.reduceRight<Model>(
    (inner, middleware) => ({
      generate: (request, ctx) =>
        middleware.wrapGenerate
          ? middleware.wrapGenerate({ request, ctx, next: inner.generate })
          : inner.generate(request, ctx),
      stream: (request, ctx) =>
        middleware.wrapStream
          ? middleware.wrapStream({ request, ctx, next: inner.stream })
          : inner.stream(request, ctx),
    }),
    model,
  );
}

export function testContext(tenant = "acme"): RequestContext & { seen: KeelEvent[] } {
  const seen: KeelEvent[] = [];
  return {
    requestId: "req-1",
    tenant,
    operation: "generate",
    deadline: Date.now() + 30_000,
    signal: new AbortController().signal,
    events: { emit: (event) => seen.push(event) },
    seen,
  };
}

/** Every event of a stream; a thrown error becomes a final `error` event, as core's public stream does. */
export async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    const body = (error as { toJSON?: () => unknown }).toJSON?.() ?? { code: "INTERNAL" };
    events.push({ type: "error", error: body as Extract<StreamEvent, { type: "error" }>["error"] });
  }
  return events;
}

export function deltasOf(events: readonly StreamEvent[]): string {
  return events.map((event) => (event.type === "delta" ? event.content : "")).join("");
}

export function user(content: string, model = "route"): ChatRequest {
  return { model, messages: [{ role: "user", content }] };
}
