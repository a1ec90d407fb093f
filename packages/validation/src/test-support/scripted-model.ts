import type {
  ChatRequest,
  GenerateNext,
  Generation,
  KeelEvent,
  RequestContext,
  StreamEvent,
  StreamNext,
  Usage,
} from "@keel/spec";

/**
 * A test double for the model below the middleware: answers each call with the next
 * scripted text and records every request it got. Not exported from the package.
 */
export interface ScriptedModel {
  generate: GenerateNext;
  stream: StreamNext;
  /** Every request received, in order. */
  calls: ChatRequest[];
}

export interface ScriptedModelOptions {
  usage?: Usage;
  costUsd?: number;
  /** Upstream attempts each answer reports (retries below the middleware). */
  attempts?: number;
}

export function scriptedModel(answers: readonly string[], options: ScriptedModelOptions = {}): ScriptedModel {
  const calls: ChatRequest[] = [];
  const answer = (request: ChatRequest): Generation => {
    calls.push(request);
    const content = answers[calls.length - 1];
    if (content === undefined) throw new Error(`scripted model has no answer for call ${calls.length}`);
    return generationOf(content, { id: `gen-${calls.length}`, ...pick(options) });
  };
  return {
    calls,
    generate: async (request) => answer(request),
    stream: (request) => streamOf(answer(request)),
  };
}

function pick(options: ScriptedModelOptions): Partial<Generation> {
  const picked: Partial<Generation> = {};
  if (options.usage !== undefined) picked.usage = options.usage;
  if (options.costUsd !== undefined) picked.costUsd = options.costUsd;
  if (options.attempts !== undefined) picked.attempts = options.attempts;
  return picked;
}

/** Streams a generation as three-character deltas and a `done`. */
async function* streamOf(generation: Generation): AsyncIterable<StreamEvent> {
  for (let index = 0; index < generation.content.length; index += 3) {
    yield { type: "delta", content: generation.content.slice(index, index + 3) };
  }
  yield { type: "done", generation };
}

export function generationOf(content: string, overrides: Partial<Generation> = {}): Generation {
  return {
    id: "gen",
    content,
    model: "gpt-4o-mini",
    provider: "scripted",
    cache: "miss",
    fallback: { failed: [], answeredBy: "scripted/gpt-4o-mini" },
    attempts: 1,
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    costUsd: 0.001,
    latencyMs: 1,
    finishReason: "stop",
    safety: { input: [], output: [] },
    ...overrides,
  };
}

export function createTestContext(signal: AbortSignal = new AbortController().signal): {
  ctx: RequestContext;
  events: KeelEvent[];
} {
  const events: KeelEvent[] = [];
  const ctx: RequestContext = {
    requestId: "request-1",
    tenant: "default",
    operation: "structured",
    deadline: Date.now() + 30_000,
    signal,
    events: { emit: (event) => events.push(event) },
  };
  return { ctx, events };
}
