import { KeelError, type ChatRequest, type EmbeddingRequest } from "@keel/spec";
import type { z } from "zod";
import { chatRequestSchema, embeddingRequestSchema } from "./chat-request-schema.ts";

/** Validates caller input into a ChatRequest, or throws BAD_REQUEST naming the first bad field. */
export function parseChatRequest(input: unknown): ChatRequest {
  return parseWith(chatRequestSchema, input) as ChatRequest;
}

export function parseEmbeddingRequest(input: unknown): EmbeddingRequest {
  return parseWith(embeddingRequestSchema, input);
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw badRequestFromZod(result.error);
}

/** Turns a zod error into BAD_REQUEST: "messages.0.content: expected string, received number". */
export function badRequestFromZod(error: z.ZodError): KeelError {
  const issues = error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(input)",
    message: issue.message,
  }));
  const first = issues[0] ?? { field: "(input)", message: "invalid input" };
  const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ");
  return new KeelError("BAD_REQUEST", message, { details: { field: first.field, issues } });
}
