import { KeelError, type ChatRequest, type EmbeddingRequest } from "@keel/spec";
import type { z } from "zod";
import { didYouMean } from "../fields/closest-name.ts";
import { knownFieldsAt } from "../fields/known-fields.ts";
import { chatRequestSchema, embeddingRequestSchema } from "./chat-request-schema.ts";
import { isParsed, markParsed, type ParsedChatRequest, type ParsedEmbeddingRequest } from "./parsed-request.ts";

/**
 * Validates caller input into a ChatRequest, or throws BAD_REQUEST naming the first bad
 * field. A request this function returned before is returned as it is: validated once,
 * wherever that happened (a service's edge or the pipeline).
 */
export function parseChatRequest(input: unknown): ParsedChatRequest {
  if (isParsed(input, "chat")) return input;
  return markParsed(parseWith(chatRequestSchema, input) as ChatRequest, "chat");
}

/** Likewise for an embedding request. */
export function parseEmbeddingRequest(input: unknown): ParsedEmbeddingRequest {
  if (isParsed(input, "embedding")) return input;
  return markParsed(parseWith(embeddingRequestSchema, input) satisfies EmbeddingRequest, "embedding");
}

/** Parses with `schema`; a failure is core's BAD_REQUEST (field, message, unknown-field hint). */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw badRequestFromZod(result.error, schema);
}

export interface InputIssue {
  /** Dotted path: "messages.0.content", or the unknown field itself ("temprature"); "(input)" for the whole input. */
  field: string;
  message: string;
  /** For an unknown field close to a known one: `did you mean "temperature"?`. */
  hint?: string;
}

/**
 * Turns a zod error into BAD_REQUEST: "messages.0.content: expected string, received
 * number". An unknown field is named itself ("temprature: unknown field; did you mean
 * "temperature"?"), with the hint in `details.hint` when `schema` is given to find the
 * known fields, so both services and in-process callers word it the same way.
 */
export function badRequestFromZod(error: z.ZodError, schema?: z.core.$ZodType): KeelError {
  const issues = error.issues.flatMap((issue): InputIssue[] => {
    const path = issue.path.map(String);
    if (issue.code !== "unrecognized_keys") return [{ field: path.join(".") || "(input)", message: issue.message }];
    const known = schema ? (knownFieldsAt(schema, issue.path) ?? []) : [];
    return issue.keys.map((key) => {
      const hint = didYouMean(key, known);
      return {
        field: [...path, key].join("."),
        message: hint ? `unknown field; ${hint}` : "unknown field",
        ...(hint ? { hint } : {}),
      };
    });
  });
  // A misspelt field usually explains the "required" error beside it: name it first.
  issues.sort((left, right) => Number(right.hint !== undefined) - Number(left.hint !== undefined));
  const first = issues[0] ?? { field: "(input)", message: "invalid input" };
  const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ");
  return new KeelError("BAD_REQUEST", message, {
    details: { field: first.field, ...(first.hint ? { hint: first.hint } : {}), issues },
  });
}
