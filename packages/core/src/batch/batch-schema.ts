import { KeelError, type ChatRequest } from "@keel/spec";
import { z } from "zod";
import { parseChatRequest } from "../request/parse-request.ts";
import type { ParsedStructuredRequest } from "../request/parsed-request.ts";
import { parseStructuredRequest } from "../request/structured-request.ts";
import type { BatchItemInput } from "./batch-types.ts";

/**
 * The batch as a whole: items is a list of objects, concurrency a positive integer. Each item
 * is checked on its own when it runs (`parseBatchItem`), so one bad item is that item's
 * BAD_REQUEST and never fails the batch. Typed for callers as BatchItemInput.
 */
export const batchRequestSchema = z.strictObject({
  items: z
    .array(
      z.custom<BatchItemInput>(
        (value) => typeof value === "object" && value !== null && !Array.isArray(value),
        "expected an object: { generate: {...} } or { structured: {...} }",
      ),
    )
    .min(1, "expected at least one item"),
  concurrency: z.number().int().min(1).optional(),
});

export type BatchRequestSchemaInput = z.input<typeof batchRequestSchema>;

export type ParsedBatchItem =
  | { kind: "generate"; request: ChatRequest }
  | { kind: "structured"; request: ParsedStructuredRequest };

/** One item, validated with core's own schemas; a failure names the field from `items.<index>`. */
export function parseBatchItem(item: unknown, index: number): ParsedBatchItem {
  const path = `items.${index}`;
  const keys = typeof item === "object" && item !== null ? Object.keys(item) : [];
  const [key] = keys;
  if (keys.length !== 1 || (key !== "generate" && key !== "structured")) {
    throw new KeelError("BAD_REQUEST", `${path}: expected exactly one of "generate" or "structured"`, {
      details: { field: path, reason: "invalid-item" },
    });
  }
  const value = (item as Record<string, unknown>)[key];
  try {
    return key === "generate"
      ? { kind: "generate", request: parseChatRequest(value) }
      : { kind: "structured", request: parseStructuredRequest(value) };
  } catch (error) {
    throw withFieldPrefix(error, `${path}.${key}`);
  }
}

/**
 * The same BAD_REQUEST with its field placed under `prefix` ("model" under "items.3.generate" is
 * "items.3.generate.model", and so says the message); other errors as they are.
 */
export function withFieldPrefix(error: unknown, prefix: string): unknown {
  if (!KeelError.isInstance(error) || error.code !== "BAD_REQUEST" || typeof error.details.field !== "string") {
    return error;
  }
  const own = error.details.field;
  const field = `${prefix}.${own}`;
  // Messages that start with their field ("messages: at most ...") keep one copy of it.
  const text = error.message.startsWith(`${own}: `) ? error.message.slice(own.length + 2) : error.message;
  const issues = Array.isArray(error.details.issues)
    ? (error.details.issues as Array<{ field: string; message: string }>).map((issue) => ({
        ...issue,
        field: `${prefix}.${issue.field}`,
      }))
    : undefined;
  const message = issues ? issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ") : `${field}: ${text}`;
  return new KeelError("BAD_REQUEST", message, {
    details: { ...error.details, field, ...(issues ? { issues } : {}) },
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}
