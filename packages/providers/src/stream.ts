import {
  KeelError,
  linkSignal,
  type ChatRequest,
  type RequestContext,
  type StreamEvent,
  type ToolCall,
} from "@keel/spec";
import { APIConnectionError, APIError } from "openai";
import type OpenAI from "openai";
import type { ChunkStream } from "./direct-stream.ts";
import { toGeneration, type WireUsage } from "./envelope.ts";
import { readLimitError } from "./read-limits.ts";
import { elapsedSince, failedCall, type ProviderState } from "./upstream-call.ts";
import { toWireRequest } from "./wire-request.ts";

type ChunkToolCall = OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall;

/**
 * A streamed chat completion: a `delta` per non-empty piece of text, then one `done`
 * with the whole envelope. Usage comes from the final chunk (`include_usage`). A stream
 * that stops before the upstream said why it finished is thrown as a retryable
 * UPSTREAM_UNAVAILABLE ("stream-truncated"), never reported as complete.
 */
export async function* stream(
  state: ProviderState,
  request: ChatRequest,
  ctx: RequestContext,
): AsyncGenerator<StreamEvent> {
  const wire = toWireRequest(request);
  const target = `${state.name}/${request.model}`;
  ctx.events.emit({ type: "upstream-request", target });
  const started = performance.now();
  // The SDK never removes the abort listener it adds (see generate.ts), so its call gets a
  // child signal of its own; the direct stream unhooks its listener itself and takes ctx's.
  const call = state.directStream ? undefined : linkSignal(ctx.signal);
  const signal = call?.signal ?? ctx.signal;
  let chunks: ChunkStream;
  try {
    const body = { ...wire, stream: true as const, stream_options: { include_usage: true } };
    chunks = state.directStream
      ? await state.directStream(body, signal)
      : await state.client.chat.completions.create(body, { signal });
  } catch (error) {
    call?.dispose();
    throw failedCall({ ctx, target, started, error });
  }
  // One generator from the upstream's chunks to the events (no inner generator to delegate to).
  let id = "";
  let model: string | undefined;
  let content = "";
  let deltas = 0;
  let ttftMs: number | undefined;
  let finishReason: string | null | undefined;
  let usage: WireUsage | null | undefined;
  let toolCalls: ToolCall[] | undefined;
  let complete = false;
  try {
    for await (const chunk of chunks) {
      if (id === "" && chunk.id) id = chunk.id;
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (choice === undefined) continue;
      const text = choice.delta?.content;
      const calls = choice.delta?.tool_calls;
      if (ttftMs === undefined && (text || calls || choice.finish_reason)) {
        ttftMs = elapsedSince(started);
        ctx.events.emit({ type: "upstream-first-chunk", target, ttftMs });
      }
      if (calls) toolCalls = mergeToolCalls(toolCalls ?? [], calls);
      if (choice.finish_reason) finishReason = choice.finish_reason;
      if (text) {
        content += text;
        deltas += 1;
        yield { type: "delta", content: text };
      }
    }
    complete = true;
  } catch (error) {
    throw failedCall({ ctx, target, started, error: midStreamError(error, target, deltas) });
  } finally {
    // A consumer that stops early, or a failure, must not leave the socket open.
    if (!complete) chunks.controller.abort();
    call?.dispose();
  }

  // The SDK ends the iteration quietly when its request is aborted; the signal says so.
  if (ctx.signal.aborted) throw failedCall({ ctx, target, started, error: undefined });
  if (!finishReason) throw failedCall({ ctx, target, started, error: truncated(target, deltas) });

  const latencyMs = elapsedSince(started);
  const generation = toGeneration(state, request, { id, content, model, finishReason, usage, toolCalls, latencyMs });
  ctx.events.emit({
    type: "upstream-response",
    target,
    durationMs: latencyMs,
    usage: generation.usage,
    ...(ttftMs === undefined ? {} : { ttftMs }),
  });
  yield { type: "done", generation };
}

/** Tool calls arrive in pieces keyed by index: the first carries id and name, later ones more arguments. */
function mergeToolCalls(toolCalls: ToolCall[], pieces: ChunkToolCall[]): ToolCall[] {
  for (const piece of pieces) {
    let call = toolCalls[piece.index];
    if (call === undefined) {
      call = { id: "", type: "function", function: { name: "", arguments: "" } };
      toolCalls[piece.index] = call;
    }
    if (piece.id) call.id = piece.id;
    if (piece.function?.name) call.function.name += piece.function.name;
    if (piece.function?.arguments) call.function.arguments += piece.function.arguments;
  }
  return toolCalls;
}

/**
 * An error object the upstream sent inside the stream keeps its own mapping (content
 * policy, context length); anything else that breaks the stream after it started
 * (reset, a chunk that does not parse) is a truncation.
 */
function midStreamError(error: unknown, target: string, deltas: number): unknown {
  if (KeelError.isInstance(error) || (error instanceof APIError && !(error instanceof APIConnectionError)))
    return error;
  // An event over Keel's read limit is not a truncation: upstreamError names the limit.
  const overLimit = readLimitError(error, target);
  if (overLimit !== undefined) return overLimit;
  return truncated(target, deltas, error);
}

function truncated(target: string, deltas: number, cause?: unknown): KeelError {
  return new KeelError("UPSTREAM_UNAVAILABLE", `${target}: the stream ended before the upstream finished`, {
    cause,
    retryable: true,
    details: { target, reason: "stream-truncated", deltas },
  });
}
