// Test doubles and helpers shared by this package's tests (not exported from index.ts).
import {
  KeelError,
  type ChatRequest,
  type Generation,
  type KeelEvent,
  type Middleware,
  type Model,
  type RequestContext,
  type StreamEvent,
} from "@keel/spec";

export interface RecordedContext {
  ctx: RequestContext;
  events: KeelEvent[];
  controller: AbortController;
}

export function createContext(options: { tenant?: string; deadlineMs?: number } = {}): RecordedContext {
  const events: KeelEvent[] = [];
  const controller = new AbortController();
  const ctx: RequestContext = {
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    tenant: options.tenant ?? "acme",
    operation: "generate",
    deadline: Date.now() + (options.deadlineMs ?? 10_000),
    signal: controller.signal,
    events: { emit: (event) => events.push(event) },
  };
  return { ctx, events, controller };
}

export function generationOf(content: string, overrides: Partial<Generation> = {}): Generation {
  return {
    id: `gen-${Math.random().toString(36).slice(2)}`,
    content,
    model: "gpt-4o-mini",
    provider: "openai",
    cache: "miss",
    fallback: { failed: [], answeredBy: "openai/gpt-4o-mini" },
    attempts: 1,
    usage: { promptTokens: 10, completionTokens: 20, totalTokens: 30 },
    costUsd: 0.0003,
    latencyMs: 5,
    finishReason: "stop",
    safety: { input: [], output: [] },
    ...overrides,
  };
}

export type Script = (request: ChatRequest, call: number) => string | KeelError;

/** A Model that answers from a script and counts its calls: the thing under test is the cache around it. */
export function createScriptedModel(
  script: Script = (request) => `answer to ${request.messages.at(-1)?.content}`,
  options: { delayMs?: number; chunkChars?: number; cutStreamAfter?: number } = {},
) {
  const state = { calls: 0, streamCalls: 0 };
  const answer = async (request: ChatRequest, ctx: RequestContext) => {
    const call = ++state.calls;
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (ctx.signal.aborted) throw new KeelError("UPSTREAM_TIMEOUT", "aborted", { details: { reason: "aborted" } });
    const result = script(request, call);
    if (result instanceof KeelError) throw result;
    return generationOf(result);
  };
  const model: Model = {
    generate: answer,
    async *stream(request, ctx): AsyncIterable<StreamEvent> {
      state.streamCalls++;
      const generation = await answer(request, ctx);
      const size = options.chunkChars ?? 4;
      let chunks = 0;
      for (let offset = 0; offset < generation.content.length; offset += size) {
        if (options.cutStreamAfter !== undefined && chunks++ >= options.cutStreamAfter) {
          throw new KeelError("UPSTREAM_UNAVAILABLE", "connection reset mid-stream", { details: { reason: "reset" } });
        }
        yield { type: "delta", content: generation.content.slice(offset, offset + size) };
      }
      yield { type: "done", generation };
    },
  };
  return { model, state };
}

/** Folds one middleware around a model, as core's pipeline does. */
export function wrap(middleware: Middleware, model: Model): Model {
  return {
    generate: (request, ctx) =>
      middleware.wrapGenerate
        ? middleware.wrapGenerate({ request, ctx, next: (r, c) => model.generate(r, c) })
        : model.generate(request, ctx),
    stream: (request, ctx) =>
      middleware.wrapStream
        ? middleware.wrapStream({ request, ctx, next: (r, c) => model.stream(r, c) })
        : model.stream(request, ctx),
  };
}

export async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export function chat(content: string, overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "gpt-4o-mini", temperature: 0, messages: [{ role: "user", content }], ...overrides };
}

export const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let prefixCounter = 0;
/** A key prefix of its own for each test, so tests sharing one redis-server never meet. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${process.pid}:${++prefixCounter}:`;
}
