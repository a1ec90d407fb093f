import type { FinishReason, Generation, ToolCall, Usage } from "@keel/spec";
import { envelopeOf, type KeelEnvelope } from "../http/keel-extras.ts";

/** OpenAI's finish reasons; Keel's "error" never ends an answer that is returned, so it reads as a stop. */
export type OpenaiFinishReason = Exclude<FinishReason, "error">;

export interface OpenaiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: [
    {
      index: 0;
      message: { role: "assistant"; content: string | null; refusal: null; tool_calls?: ToolCall[] };
      logprobs: null;
      finish_reason: OpenaiFinishReason;
    },
  ];
  usage: OpenaiUsage;
  keel?: KeelEnvelope;
}

/** A Generation as OpenAI's `chat.completion`; `model` is the model that answered. */
export function toChatCompletion(generation: Generation, options: { envelope: boolean }): ChatCompletion {
  const toolCalls = generation.toolCalls ?? [];
  const completion: ChatCompletion = {
    id: completionId(generation.id),
    object: "chat.completion",
    created: nowSeconds(),
    model: generation.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          // OpenAI sends null, not "", for a turn that only calls tools.
          content: toolCalls.length > 0 && generation.content === "" ? null : generation.content,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonOf(generation.finishReason),
      },
    ],
    usage: toOpenaiUsage(generation.usage),
  };
  if (options.envelope) completion.keel = envelopeOf(generation);
  return completion;
}

export function toOpenaiUsage(usage: Usage): OpenaiUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
  };
}

export function finishReasonOf(reason: FinishReason): OpenaiFinishReason {
  return reason === "error" ? "stop" : reason;
}

/** OpenAI's ids start `chatcmpl-`; Keel's own id follows, so logs and the `keel` object match. */
export function completionId(generationId: string): string {
  return generationId.startsWith("chatcmpl-") ? generationId : `chatcmpl-${generationId}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
