import { randomUUID } from "node:crypto";
import type { ChatRequest, FinishReason, Generation, ToolCall, Usage } from "@keel/spec";
import { batchCostOf, costOf, type PriceTable, type PriceTier } from "./prices.ts";
import { countChatTokens, countTokens } from "./tokens.ts";

/** Usage as OpenAI-compatible servers send it. */
export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** What one upstream answer comes down to, from a plain call or an assembled stream. */
export interface UpstreamAnswer {
  id: string;
  content: string;
  /** The model the upstream says answered, when it said. */
  model: string | undefined;
  finishReason: string | null | undefined;
  usage: WireUsage | null | undefined;
  toolCalls: ToolCall[] | undefined;
  latencyMs: number;
}

export interface EnvelopeContext {
  /** The provider's name, as in targets "name/model". */
  name: string;
  prices: PriceTable;
  /** "batch" for an answer from the provider's batch API (its discounted price). Default "standard". */
  tier?: PriceTier;
}

/** The Generation envelope for one upstream answer: attempts 1, cache miss, no fallback yet. */
export function toGeneration(context: EnvelopeContext, request: ChatRequest, answer: UpstreamAnswer): Generation {
  const model = answer.model || request.model;
  const usage = toUsage(answer.usage) ?? estimateUsage(request, answer, model);
  const generation: Generation = {
    // Some compatible servers send no id; the envelope always has one.
    id: answer.id || `gen-${randomUUID()}`,
    content: answer.content,
    model,
    provider: context.name,
    cache: "miss",
    fallback: { failed: [], answeredBy: `${context.name}/${model}` },
    attempts: 1,
    usage,
    costUsd: (context.tier === "batch" ? batchCostOf : costOf)(context.prices, model, usage),
    latencyMs: answer.latencyMs,
    finishReason: toFinishReason(answer.finishReason),
    safety: { input: [], output: [] },
  };
  if (answer.toolCalls !== undefined && answer.toolCalls.length > 0) generation.toolCalls = answer.toolCalls;
  return generation;
}

export function toUsage(usage: WireUsage | null | undefined): Usage | undefined {
  if (usage === null || usage === undefined || typeof usage.prompt_tokens !== "number") return undefined;
  const completionTokens = usage.completion_tokens ?? 0;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens,
    totalTokens: usage.total_tokens ?? usage.prompt_tokens + completionTokens,
  };
}

/** Only when the upstream sent no usage: count with the tokenizer and say so. */
function estimateUsage(request: ChatRequest, answer: UpstreamAnswer, model: string): Usage {
  const promptTokens = countChatTokens(request.messages, model);
  let completionTokens = countTokens(answer.content, model);
  if (answer.toolCalls !== undefined) {
    for (const call of answer.toolCalls)
      completionTokens += countTokens(call.function.name, model) + countTokens(call.function.arguments, model);
  }
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
}

export function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      // "stop", and servers that leave it out of a complete non-streamed body.
      return "stop";
  }
}
