/**
 * OpenAI's wire format, written as string templates: a benchmark answers thousands of
 * these a second, and building them by hand costs far less than JSON.stringify of a tree.
 */

export type FinishReason = "stop" | "length";

export interface CompletionFields {
  id: string;
  created: number;
  model: string;
  content: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
}

export function completionBody(fields: CompletionFields): string {
  return (
    `{"id":"${fields.id}","object":"chat.completion","created":${fields.created},` +
    `"model":${JSON.stringify(fields.model)},"choices":[{"index":0,"message":{"role":"assistant",` +
    `"content":${JSON.stringify(fields.content)},"refusal":null,"annotations":[]},"logprobs":null,` +
    `"finish_reason":"${fields.finishReason}"}],"usage":${usageJson(fields.promptTokens, fields.completionTokens)},` +
    `"service_tier":"default","system_fingerprint":"fp_keel_sim"}`
  );
}

export function usageJson(promptTokens: number, completionTokens: number): string {
  return (
    `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},` +
    `"total_tokens":${promptTokens + completionTokens},` +
    `"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},` +
    `"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,` +
    `"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`
  );
}

/** Server-sent event frames of one streamed completion, sharing one prefix. */
export class ChunkFrames {
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(fields: { id: string; created: number; model: string; includeUsage: boolean }) {
    this.prefix =
      `data: {"id":"${fields.id}","object":"chat.completion.chunk","created":${fields.created},` +
      `"model":${JSON.stringify(fields.model)},"service_tier":"default","system_fingerprint":"fp_keel_sim","choices":`;
    this.suffix = fields.includeUsage ? `,"usage":null}\n\n` : `}\n\n`;
  }

  role(): string {
    return `${this.prefix}[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${this.suffix}`;
  }

  content(piece: string): string {
    return `${this.prefix}[{"index":0,"delta":{"content":${JSON.stringify(piece)}},"logprobs":null,"finish_reason":null}]${this.suffix}`;
  }

  finish(reason: FinishReason): string {
    return `${this.prefix}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}]${this.suffix}`;
  }

  usage(promptTokens: number, completionTokens: number): string {
    return `${this.prefix}[],"usage":${usageJson(promptTokens, completionTokens)}}\n\n`;
  }

  /** A data line cut off in the middle of its JSON, for the `malformed` fault. */
  broken(): string {
    return `${this.prefix}[{"index":0,"delta":{"content":"half a chu\n\n`;
  }

  static readonly done = "data: [DONE]\n\n";
}

export interface ErrorFields {
  message: string;
  type: string;
  code?: string | null;
  param?: string | null;
}

export function errorBody(fields: ErrorFields): string {
  return JSON.stringify({
    error: { message: fields.message, type: fields.type, param: fields.param ?? null, code: fields.code ?? null },
  });
}

/** The `type` OpenAI puts in an error body for each status. */
export function errorTypeFor(status: number): string {
  if (status === 401) return "invalid_request_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "requests";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

let sequence = 0;
const INSTANCE = Date.now().toString(36).slice(-5);

/** Unique enough ids (`chatcmpl-sim…`) without a random source on the hot path. */
export function nextId(prefix: string): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}-sim${INSTANCE}${sequence.toString(36)}`;
}
