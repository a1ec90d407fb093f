import { KeelError, type ChatMessage, type ChatRequest } from "@keel/spec";
import type OpenAI from "openai";

type WireParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type WireMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const ROLES: ReadonlySet<string> = new Set(["system", "user", "assistant", "tool"]);

/**
 * Keel's camelCase request as OpenAI's chat-completions body. Only fields the caller set
 * are sent, so servers that reject unknown or null parameters (some vLLM and Ollama
 * versions) see a minimal body. Bad input becomes BAD_REQUEST naming the field.
 */
export function toWireRequest(request: ChatRequest): WireParams {
  if (typeof request?.model !== "string" || request.model.length === 0) {
    throw badRequest("model", "model must be a non-empty string");
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    throw badRequest("messages", "messages must be a non-empty array");
  }
  const messages = new Array<WireMessage>(request.messages.length);
  for (let index = 0; index < request.messages.length; index += 1) {
    messages[index] = toWireMessage(request.messages[index], index);
  }

  const body: WireParams = { model: request.model, messages };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.tools !== undefined && request.tools.length > 0) body.tools = request.tools;
  if (request.toolChoice !== undefined) body.tool_choice = request.toolChoice;
  if (request.responseFormat !== undefined) {
    const format = request.responseFormat;
    body.response_format =
      format.type === "json_schema"
        ? {
            type: "json_schema",
            json_schema: {
              name: format.jsonSchema.name,
              schema: format.jsonSchema.schema,
              ...(format.jsonSchema.strict === undefined ? {} : { strict: format.jsonSchema.strict }),
            },
          }
        : format;
  }
  return body;
}

function toWireMessage(message: ChatMessage | undefined, index: number): WireMessage {
  if (typeof message !== "object" || message === null || !ROLES.has(message.role)) {
    throw badRequest(`messages.${index}.role`, `messages.${index}.role must be one of system, user, assistant, tool`);
  }
  if (typeof message.content !== "string") {
    throw badRequest(`messages.${index}.content`, `messages.${index}.content must be a string`);
  }
  if (message.role === "tool") {
    if (typeof message.toolCallId !== "string" || message.toolCallId.length === 0) {
      throw badRequest(`messages.${index}.toolCallId`, `messages.${index}.toolCallId is required for a tool message`);
    }
    return { role: "tool", content: message.content, tool_call_id: message.toolCallId };
  }
  const wire: Exclude<WireMessage, { role: "tool" | "function" }> =
    message.role === "assistant"
      ? message.toolCalls !== undefined && message.toolCalls.length > 0
        ? // An assistant turn that only called tools has no text: OpenAI wants null there.
          { role: "assistant", content: message.content || null, tool_calls: message.toolCalls }
        : { role: "assistant", content: message.content }
      : { role: message.role, content: message.content };
  if (message.name !== undefined) wire.name = message.name;
  return wire;
}

function badRequest(field: string, message: string): KeelError {
  return new KeelError("BAD_REQUEST", message, { details: { field } });
}
