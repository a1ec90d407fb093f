import {
  KeelError,
  type ChatRequest,
  type Generation,
  type KeelErrorOptions,
  type KeelEvent,
  type Model,
  type RequestContext,
  type StreamEvent,
} from "@keel/spec";

/** One call the scripted model received. */
export interface ScriptedCall {
  /** 1-based. */
  number: number;
  request: ChatRequest;
  ctx: RequestContext;
}

export interface ScriptedModel extends Model {
  calls: ScriptedCall[];
  /** Calls whose signal was aborted (by now). */
  abortedCalls(): number;
}

/**
 * A test double for the policy under test: a function of the call number (and ctx)
 * that returns a Generation, throws a KeelError, hangs until its signal aborts, or
 * yields stream events. It records every call.
 */
export function scriptedModel(script: {
  generate?: (call: ScriptedCall) => Generation | Promise<Generation>;
  stream?: (call: ScriptedCall) => AsyncIterable<StreamEvent>;
}): ScriptedModel {
  const calls: ScriptedCall[] = [];
  const record = (request: ChatRequest, ctx: RequestContext): ScriptedCall => {
    const call = { number: calls.length + 1, request, ctx };
    calls.push(call);
    return call;
  };
  return {
    calls,
    abortedCalls: () => calls.filter((call) => call.ctx.signal.aborted).length,
    async generate(request, ctx) {
      if (!script.generate) throw new Error("no generate script");
      return script.generate(record(request, ctx));
    },
    async *stream(request, ctx) {
      if (!script.stream) throw new Error("no stream script");
      yield* script.stream(record(request, ctx));
    },
  };
}

export function generation(content: string, overrides: Partial<Generation> = {}): Generation {
  return {
    id: "gen-1",
    content,
    model: "model",
    provider: "test",
    cache: "miss",
    fallback: { failed: [], answeredBy: null },
    attempts: 1,
    usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
    costUsd: 0.001,
    latencyMs: 1,
    finishReason: "stop",
    safety: { input: [], output: [] },
    ...overrides,
  };
}

/** Deltas then done, like a provider stream; `gapMs` between chunks. */
export async function* chunks(
  parts: string[],
  options: { gapMs?: number; signal?: AbortSignal; done?: boolean } = {},
): AsyncGenerator<StreamEvent> {
  for (const content of parts) {
    if (options.gapMs) await waitOrAbort(options.gapMs, options.signal);
    yield { type: "delta", content };
  }
  if (options.done !== false) yield { type: "done", generation: generation(parts.join("")) };
}

/** A stream that fails on its first read, before any event: `failure()` is what that read throws. */
export function failingStream(failure: () => unknown): AsyncIterable<StreamEvent> {
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(failure()) }) };
}

/** Never settles until the signal aborts, then rejects like fetch does. */
export function hangUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new DOMException("aborted", "AbortError"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}

export function waitOrAbort(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new DOMException("aborted", "AbortError"));
      },
      { once: true },
    );
  });
}

/** An upstream failure as the provider package reports it. */
export function upstream(status: number, options: KeelErrorOptions = {}): KeelError {
  const code =
    status === 429
      ? "UPSTREAM_RATE_LIMITED"
      : status >= 500
        ? "UPSTREAM_UNAVAILABLE"
        : status === 408
          ? "UPSTREAM_TIMEOUT"
          : "BAD_REQUEST";
  return new KeelError(code, `upstream answered ${status}`, { status, ...options });
}

export interface TestContext {
  ctx: RequestContext;
  controller: AbortController;
  events: KeelEvent[];
  ofType<T extends KeelEvent["type"]>(type: T): Array<Extract<KeelEvent, { type: T }>>;
  dispose(): void;
}

/** A request context like core builds: a deadline whose timer aborts the signal, and an event recorder. */
export function testContext(options: { timeoutMs?: number } = {}): TestContext {
  const timeoutMs = options.timeoutMs ?? 5000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("deadline", "TimeoutError")), timeoutMs);
  const events: KeelEvent[] = [];
  const ctx: RequestContext = {
    requestId: "request-1",
    tenant: "default",
    operation: "generate",
    deadline: Date.now() + timeoutMs,
    signal: controller.signal,
    events: { emit: (event) => events.push(event) },
  };
  return {
    ctx,
    controller,
    events,
    ofType: (type) => events.filter((event) => event.type === type) as never,
    dispose: () => clearTimeout(timer),
  };
}

export const request: ChatRequest = { model: "chat", messages: [{ role: "user", content: "Hi" }] };

export async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** Runs `promise`, returns what it threw (fails the test if it did not throw). */
export async function failureOf(promise: Promise<unknown>): Promise<KeelError> {
  try {
    await promise;
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw new Error(`expected a KeelError, got ${String(error)}`);
  }
  throw new Error("expected a failure, got a result");
}
