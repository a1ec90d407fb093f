import type { Generation } from "@keel/spec";
import { envelopeOf, type KeelEnvelope } from "../http/keel-extras.ts";
import { finishReasonOf, toOpenaiUsage, type OpenaiFinishReason, type OpenaiUsage } from "./completion.ts";

interface ChunkDelta {
  role?: "assistant";
  content?: string;
  tool_calls?: { index: number; id: string; type: "function"; function: { name: string; arguments: string } }[];
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: { index: 0; delta: ChunkDelta; logprobs: null; finish_reason: OpenaiFinishReason | null }[];
  usage?: OpenaiUsage | null;
  keel?: KeelEnvelope;
}

/**
 * Builds one stream's chunks in OpenAI's order: a role chunk, content chunks, the tool
 * calls (Keel learns them whole, at the end), a chunk with `finish_reason` (and the `keel`
 * envelope when asked for), then the usage chunk with no choices when the caller set
 * `stream_options.include_usage`. Every chunk of a stream shares its id and `created`.
 */
export function createChunkWriter(options: { id: string; model: string; includeUsage: boolean }) {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: ChunkDelta, finishReason: OpenaiFinishReason | null, model = options.model) => {
    const value: ChatCompletionChunk = {
      id: options.id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
    if (options.includeUsage) value.usage = null;
    return value;
  };
  return {
    role: () => chunk({ role: "assistant", content: "" }, null),
    content: (text: string) => chunk({ content: text }, null),
    /** The chunks that end a stream that succeeded. */
    end(generation: Generation, envelope: boolean): ChatCompletionChunk[] {
      const chunks: ChatCompletionChunk[] = [];
      const toolCalls = generation.toolCalls ?? [];
      if (toolCalls.length > 0) {
        chunks.push(chunk({ tool_calls: toolCalls.map((call, index) => ({ index, ...call })) }, null));
      }
      const finish = chunk({}, finishReasonOf(generation.finishReason), generation.model);
      if (envelope) finish.keel = envelopeOf(generation);
      chunks.push(finish);
      if (options.includeUsage) {
        chunks.push({
          id: options.id,
          object: "chat.completion.chunk",
          created,
          model: generation.model,
          choices: [],
          usage: toOpenaiUsage(generation.usage),
        });
      }
      return chunks;
    },
  };
}
