import { badRequestFromZod, parseChatRequest, type ChatRequestInput, type ParsedChatRequest } from "@keel/core";
import { KeelError, type ChatMessage } from "@keel/spec";
import type { KeelRequestOptions } from "../http/keel-options.ts";
import { refuseUnsupported, toOpenaiFieldNames } from "../http/field-names.ts";
import { chatBodySchema, UNSUPPORTED_CHAT_PARAMETERS, type ChatBody } from "./chat-body-schema.ts";

export interface ChatCall {
  request: ParsedChatRequest;
  stream: boolean;
  includeUsage: boolean;
}

/**
 * An OpenAI chat body (and Keel's per-request headers) as Keel's ChatRequest, parsed once
 * by core. Any refusal is core's BAD_REQUEST, with fields named as the caller wrote them
 * (`max_tokens`, `messages.0.tool_call_id`).
 */
export function toChatCall(body: unknown, options: KeelRequestOptions): ChatCall {
  refuseUnsupported(body, UNSUPPORTED_CHAT_PARAMETERS);
  const parsed = chatBodySchema.safeParse(body);
  if (!parsed.success) throw badRequestFromZod(parsed.error, chatBodySchema);
  const chat = parsed.data;
  try {
    const request = parseChatRequest({ ...toRequestInput(chat), ...options.request });
    return { request, stream: chat.stream === true, includeUsage: chat.stream_options?.include_usage === true };
  } catch (error) {
    throw KeelError.isInstance(error) ? toOpenaiFieldNames(error) : error;
  }
}

function toRequestInput(chat: ChatBody): ChatRequestInput {
  const input: ChatRequestInput = { model: chat.model, messages: chat.messages.map(toMessage) };
  if (chat.temperature != null) input.temperature = chat.temperature;
  if (chat.top_p != null) input.topP = chat.top_p;
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  if (maxTokens != null) input.maxTokens = maxTokens;
  if (chat.stop != null) input.stop = typeof chat.stop === "string" ? [chat.stop] : chat.stop;
  if (chat.seed != null) input.seed = chat.seed;
  if (chat.tools != null && chat.tools.length > 0) {
    input.tools = chat.tools.map(({ function: tool }) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description == null ? {} : { description: tool.description }),
        ...(tool.parameters == null ? {} : { parameters: tool.parameters }),
      },
    }));
  }
  if (chat.tool_choice != null) input.toolChoice = chat.tool_choice;
  const format = chat.response_format;
  if (format != null) {
    input.responseFormat =
      format.type === "json_schema"
        ? {
            type: "json_schema",
            jsonSchema: {
              name: format.json_schema.name,
              schema: format.json_schema.schema ?? {},
              ...(format.json_schema.strict == null ? {} : { strict: format.json_schema.strict }),
            },
          }
        : { type: format.type };
  }
  return input;
}

type BodyMessage = ChatBody["messages"][number];

function toMessage(message: BodyMessage): ChatMessage {
  const content = textOf(message.content);
  switch (message.role) {
    case "tool":
      return { role: "tool", content, toolCallId: message.tool_call_id };
    case "assistant": {
      const turn: ChatMessage = { role: "assistant", content };
      if (message.name != null) turn.name = message.name;
      if (message.tool_calls != null && message.tool_calls.length > 0) turn.toolCalls = message.tool_calls;
      return turn;
    }
    default: {
      // OpenAI's "developer" role is the system role of its reasoning models.
      const role = message.role === "developer" ? "system" : message.role;
      return message.name == null ? { role, content } : { role, content, name: message.name };
    }
  }
}

/** A message's text: the string, or its text parts joined; none for an assistant turn that only called tools. */
function textOf(content: string | { text: string }[] | null | undefined): string {
  if (content == null) return "";
  return typeof content === "string" ? content : content.map((part) => part.text).join("");
}
