import { KeelError, type ChatRequest } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";

/** Rejects prompts over the configured size before they cost anything upstream. */
export function checkRequestLimits(config: KeelConfig, request: ChatRequest): void {
  const { maxMessages, maxPromptChars } = config.limits;
  if (request.messages.length > maxMessages) {
    throw new KeelError(
      "BAD_REQUEST",
      `messages: at most ${maxMessages} messages are accepted, received ${request.messages.length}`,
      {
        details: { field: "messages", reason: "too-many-messages" },
      },
    );
  }
  let chars = 0;
  for (const message of request.messages) chars += message.content.length;
  // Documents reach the model as part of the prompt.
  for (const document of request.documents ?? []) chars += document.text.length;
  if (chars > maxPromptChars) {
    throw new KeelError(
      "BAD_REQUEST",
      `messages: the prompt is ${chars} characters; at most ${maxPromptChars} are accepted`,
      {
        details: { field: "messages", reason: "prompt-too-large" },
      },
    );
  }
}
