import type { ChatRequest, CustomValidator } from "@keel/spec";
import { z } from "zod";
import { chatRequestSchema } from "./chat-request-schema.ts";
import { badRequestFromZod } from "./parse-request.ts";

/**
 * The `structured` operation's input: a chat request plus the JSON Schema the answer must
 * satisfy. `validators` (functions) only exist for in-process callers; the services
 * cannot carry them.
 */
export const structuredRequestSchema = chatRequestSchema.extend({
  schema: z.record(z.string(), z.unknown()),
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, "expected 1-64 letters, digits, _ or -")
    .optional(),
  maxAttempts: z.number().int().min(1).max(10).optional(),
  validators: z
    .array(z.custom<CustomValidator>((value) => typeof value === "function", "expected a function"))
    .optional(),
});

export type StructuredRequestInput = z.input<typeof structuredRequestSchema>;

/** Validates the input and folds the schema fields into `request.structured`. */
export function parseStructuredRequest(input: unknown): ChatRequest {
  const result = structuredRequestSchema.safeParse(input);
  if (!result.success) throw badRequestFromZod(result.error, structuredRequestSchema);
  const { schema, name, maxAttempts, validators, ...chat } = result.data;
  return {
    ...(chat as ChatRequest),
    structured: {
      schema,
      ...(name === undefined ? {} : { name }),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      ...(validators === undefined ? {} : { validators }),
    },
  };
}
