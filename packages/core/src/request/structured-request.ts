import type { ChatRequest, CustomValidator } from "@keel/spec";
import { z } from "zod";
import { chatRequestSchema } from "./chat-request-schema.ts";
import { parseWith } from "./parse-request.ts";
import { isParsed, markParsed, type ParsedStructuredRequest } from "./parsed-request.ts";

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
type StructuredRequest = z.output<typeof structuredRequestSchema>;

/**
 * What the services accept: without `validators`, which are functions and cannot travel
 * over HTTP. Still strict, so a caller who sends `validators` gets BAD_REQUEST naming it
 * rather than having it silently ignored.
 */
export const serviceStructuredRequestSchema = structuredRequestSchema.omit({ validators: true });

export type ServiceStructuredRequestInput = z.input<typeof serviceStructuredRequestSchema>;

/**
 * Validates the input and folds the schema fields into `request.structured`. A request
 * this function returned before is returned as it is (validated once). `from: "service"`
 * validates against the services' schema (no `validators`).
 */
export function parseStructuredRequest(
  input: unknown,
  options: { from?: "in-process" | "service" } = {},
): ParsedStructuredRequest {
  if (isParsed(input, "structured")) return input;
  const schema: z.ZodType<StructuredRequest> =
    options.from === "service" ? serviceStructuredRequestSchema : structuredRequestSchema;
  const { schema: answerSchema, name, maxAttempts, validators, ...chat } = parseWith(schema, input);
  return markParsed(
    {
      ...(chat as ChatRequest),
      structured: {
        schema: answerSchema,
        ...(name === undefined ? {} : { name }),
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
        ...(validators === undefined ? {} : { validators }),
      },
    },
    "structured",
  );
}
