import { KeelError, type ChatRequest, type Generation, type RequestContext, type ToolCall } from "@keel/spec";
import type OpenAI from "openai";
import { callCancellation } from "./call-signal.ts";
import { toGeneration } from "./envelope.ts";
import { elapsedSince, failedCall, type ProviderState } from "./upstream-call.ts";
import { toWireRequest } from "./wire-request.ts";

type Completion = OpenAI.Chat.Completions.ChatCompletion;
type WireToolCall = OpenAI.Chat.Completions.ChatCompletionMessageToolCall;

/** One non-streamed chat completion as a Generation envelope. */
export async function generate(state: ProviderState, request: ChatRequest, ctx: RequestContext): Promise<Generation> {
  const body = toWireRequest(request);
  const target = `${state.name}/${request.model}`;
  ctx.events.emit({ type: "upstream-request", target });
  const started = performance.now();
  // Never ctx.signal itself to the SDK, which would pile one listener per call onto it (call-signal.ts).
  const call = callCancellation(ctx.signal, state.ownFetch);
  let completion: Completion;
  try {
    completion = await state.client.chat.completions.create(body, call.options);
  } catch (error) {
    throw failedCall({ ctx, target, started, error });
  } finally {
    call.dispose();
  }
  const latencyMs = elapsedSince(started);

  // A 200 whose body is not a chat completion (a proxy's HTML page, a truncated JSON
  // the server labelled text) is the upstream failing, not an empty answer.
  const choice = typeof completion === "object" && completion !== null ? completion.choices?.[0] : undefined;
  if (choice === undefined) {
    throw failedCall({
      ctx,
      target,
      started,
      error: new KeelError("UPSTREAM_UNAVAILABLE", `${target}: the upstream sent a malformed response`, {
        retryable: true,
        details: { target, reason: "malformed" },
      }),
    });
  }

  const generation = toGeneration(state, request, {
    id: completion.id,
    content: choice.message?.content ?? "",
    model: completion.model,
    finishReason: choice.finish_reason,
    usage: completion.usage,
    toolCalls: toToolCalls(choice.message?.tool_calls),
    latencyMs,
  });
  ctx.events.emit({ type: "upstream-response", target, durationMs: latencyMs, usage: generation.usage });
  return generation;
}

function toToolCalls(calls: WireToolCall[] | undefined): ToolCall[] | undefined {
  if (calls === undefined || calls.length === 0) return undefined;
  const toolCalls: ToolCall[] = [];
  for (const call of calls) {
    if (call.type === "function") {
      toolCalls.push({
        id: call.id,
        type: "function",
        function: { name: call.function.name, arguments: call.function.arguments },
      });
    }
  }
  return toolCalls;
}
