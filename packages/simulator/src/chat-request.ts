import type { ErrorFields } from "./wire-format.ts";

/** What the simulator needs from a chat completion request, checked. */
export interface ChatCall {
  model: string;
  /** Text of every message, in order (parts of multi-part contents joined). */
  texts: string[];
  roles: string[];
  lastUserText: string;
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
  responseFormat: Record<string, unknown> | undefined;
}

export type RequestProblem = Omit<ErrorFields, "type">;
export type Parsed<Value> = { ok: true; value: Value } | { ok: false; problem: RequestProblem };

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

export function parseChatCall(body: Record<string, unknown>, model: string): Parsed<ChatCall> {
  const messages = body.messages;
  if (messages === undefined) {
    return fail("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
  }
  if (!Array.isArray(messages))
    return fail("Invalid type for 'messages': expected an array.", "messages", "invalid_type");
  if (messages.length === 0) {
    return fail("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages", "empty_array");
  }
  const texts = new Array<string>(messages.length);
  const roles = new Array<string>(messages.length);
  let lastUserText = "";
  for (let index = 0; index < messages.length; index++) {
    const message: unknown = messages[index];
    const param = `messages[${index}]`;
    if (typeof message !== "object" || message === null)
      return fail(`Invalid type for '${param}': expected an object.`, param, "invalid_type");
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (typeof role !== "string" || !ROLES.has(role)) {
      return fail(
        `Invalid value for '${param}.role': expected one of ${[...ROLES].join(", ")}.`,
        `${param}.role`,
        "invalid_value",
      );
    }
    const text = contentText(content);
    if (text === undefined) {
      return fail(
        `Invalid type for '${param}.content': expected a string, an array of parts or null.`,
        `${param}.content`,
        "invalid_type",
      );
    }
    texts[index] = text;
    roles[index] = role;
    if (role === "user") lastUserText = text;
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined && maxTokens !== null && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
    const param = body.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens";
    return fail(`Invalid '${param}': expected an integer of at least 1.`, param, "invalid_value");
  }
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined | null;
  const responseFormat = body.response_format;
  return {
    ok: true,
    value: {
      model,
      texts,
      roles,
      lastUserText,
      stream: body.stream === true,
      includeUsage: body.stream === true && streamOptions?.include_usage === true,
      maxTokens: typeof maxTokens === "number" ? maxTokens : undefined,
      responseFormat:
        typeof responseFormat === "object" && responseFormat !== null
          ? (responseFormat as Record<string, unknown>)
          : undefined,
    },
  };
}

/** A message's text: a string, the text parts of an array, or "" for null (tool-call turns). */
function contentText(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (!Array.isArray(content)) return undefined;
  let text = "";
  for (const part of content) {
    const value = (part as { text?: unknown } | null)?.text;
    if (typeof value === "string") text += value;
  }
  return text;
}

export function fail<Value>(message: string, param: string | null, code: string | null): Parsed<Value> {
  return { ok: false, problem: { message, param, code } };
}
