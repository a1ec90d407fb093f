/**
 * Test doubles for this package's tests: a scripted inner model that emits events on
 * ctx.events the way the other packages do, a manual clock and a log line catcher.
 */
import {
  KeelError,
  noopEventSink,
  type ChatRequest,
  type Generation,
  type KeelErrorCode,
  type KeelEvent,
  type RequestContext,
  type StreamEvent,
} from "@keel/spec";
import type { DestinationStream } from "pino";
import type { Telemetry } from "../telemetry.ts";

export function manualClock(startMs = Date.parse("2026-03-01T12:00:00Z")) {
  let current = startMs;
  return {
    now: () => current,
    advance(milliseconds: number) {
      current += milliseconds;
    },
    set(epochMs: number) {
      current = epochMs;
    },
  };
}

export function captureLines(): DestinationStream & { lines: string[]; records(): Array<Record<string, unknown>> } {
  const lines: string[] = [];
  return {
    lines,
    write(line: string) {
      lines.push(line);
    },
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function makeGeneration(overrides: Partial<Generation> = {}): Generation {
  return {
    id: "gen-1",
    content: "Hello there.",
    model: "gpt-4o-mini",
    provider: "openai",
    cache: "miss",
    fallback: { failed: [], answeredBy: "openai/gpt-4o-mini" },
    attempts: 1,
    usage: { promptTokens: 12, completionTokens: 30, totalTokens: 42 },
    costUsd: 0.0021,
    latencyMs: 100,
    finishReason: "stop",
    safety: { input: [], output: [] },
    ...overrides,
  };
}

export function makeRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], temperature: 0, ...overrides };
}

let requestCounter = 0;
export function makeContext(overrides: Partial<RequestContext> = {}): RequestContext {
  requestCounter += 1;
  return {
    requestId: `req-${requestCounter}`,
    tenant: "default",
    operation: "generate",
    deadline: Date.now() + 30_000,
    signal: new AbortController().signal,
    events: noopEventSink,
    ...overrides,
  };
}

/** One step of a scripted call: emit events (advancing the clock first), then answer or fail. */
export interface Script {
  /** [ms to advance before emitting, event] pairs. */
  events?: Array<[number, KeelEvent]>;
  /** Advance the clock this much before answering. */
  tailMs?: number;
  generation?: Generation;
  error?: { code: KeelErrorCode; message: string; details?: Record<string, unknown>; cause?: unknown };
}

export async function runScript(
  telemetry: Telemetry,
  script: Script,
  options: { clock?: ReturnType<typeof manualClock>; request?: ChatRequest; ctx?: Partial<RequestContext> } = {},
): Promise<Generation | KeelError> {
  const middleware = telemetry.middleware();
  const request = options.request ?? makeRequest();
  const ctx = makeContext(options.ctx);
  try {
    return await middleware.wrapGenerate!({
      request,
      ctx,
      next: async (_request, inner) => {
        for (const [advance, event] of script.events ?? []) {
          options.clock?.advance(advance);
          inner.events.emit(event);
        }
        options.clock?.advance(script.tailMs ?? 0);
        if (script.error !== undefined)
          throw new KeelError(script.error.code, script.error.message, {
            details: script.error.details,
            cause: script.error.cause,
          });
        return script.generation ?? makeGeneration();
      },
    });
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
}

/** A stream that yields `chunks` deltas, `gapMs` apart on the clock, then done. */
export async function runStream(
  telemetry: Telemetry,
  options: {
    clock: ReturnType<typeof manualClock>;
    chunks: string[];
    firstChunkMs: number;
    gapMs: number;
    generation?: Generation;
  },
): Promise<StreamEvent[]> {
  const middleware = telemetry.middleware();
  const request = makeRequest();
  const out: StreamEvent[] = [];
  const iterable = middleware.wrapStream!({
    request,
    ctx: makeContext({ operation: "stream" }),
    async *next(_request, inner) {
      inner.events.emit({ type: "upstream-request", target: "openai/gpt-4o-mini" });
      for (let index = 0; index < options.chunks.length; index++) {
        options.clock.advance(index === 0 ? options.firstChunkMs : options.gapMs);
        if (index === 0)
          inner.events.emit({
            type: "upstream-first-chunk",
            target: "openai/gpt-4o-mini",
            ttftMs: options.firstChunkMs,
          });
        yield { type: "delta", content: options.chunks[index]! };
      }
      const generation = options.generation ?? makeGeneration({ content: options.chunks.join("") });
      inner.events.emit({
        type: "upstream-response",
        target: "openai/gpt-4o-mini",
        durationMs: options.firstChunkMs + options.gapMs * (options.chunks.length - 1),
        usage: generation.usage,
      });
      yield { type: "done", generation };
    },
  });
  for await (const event of iterable) out.push(event);
  return out;
}

/** The value of one sample line of Prometheus text, or undefined. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (matches) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

/** Sum of all sample lines of `name` whose labels include `labels`. */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}
