import { z } from "zod";

/**
 * The one input schema both services validate against, so bad input gets the same
 * BAD_REQUEST, naming the same field, whichever service it came through. Objects are
 * strict: a misspelt field ("temprature") is an error, not silently ignored.
 */

const toolCallSchema = z.strictObject({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});

const messageSchema = z.strictObject({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string(),
  name: z.string().min(1).max(64).optional(),
  /** For role "tool": the id of the tool call this message answers. */
  toolCallId: z.string().min(1).optional(),
  /** For role "assistant": the tool calls it made, sent back with their answers. */
  toolCalls: z.array(toolCallSchema).max(128).optional(),
});

const toolSchema = z.strictObject({
  type: z.literal("function"),
  function: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "expected 1-64 letters, digits, _ or -"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(["auto", "none", "required"]),
  z.strictObject({ type: z.literal("function"), function: z.strictObject({ name: z.string() }) }),
]);

const responseFormatSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("text") }),
  z.strictObject({ type: z.literal("json_object") }),
  z.strictObject({
    type: z.literal("json_schema"),
    jsonSchema: z.strictObject({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "expected 1-64 letters, digits, _ or -"),
      schema: z.record(z.string(), z.unknown()),
      strict: z.boolean().optional(),
    }),
  }),
]);

export const cacheControlSchema = z.strictObject({
  mode: z.enum(["default", "bypass", "refresh", "only-if-cached"]).optional(),
  ttlSeconds: z.number().int().positive().max(31_536_000).optional(),
});

/** Text the model reads as data; reaches it as a system message and is scanned on the document channel. */
const documentSchema = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  text: z.string(),
});

export const chatRequestSchema = z.strictObject({
  model: z.string().min(1).max(200),
  /** The caller's tag for the kind of work; routes' selection rules may match on it. */
  task: z.string().min(1).max(64).optional(),
  messages: z.array(messageSchema).min(1, "expected at least one message"),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  stop: z.array(z.string().min(1)).max(4).optional(),
  seed: z.number().int().optional(),
  tools: z.array(toolSchema).max(128).optional(),
  toolChoice: toolChoiceSchema.optional(),
  responseFormat: responseFormatSchema.optional(),
  cache: cacheControlSchema.optional(),
  idempotent: z.boolean().optional(),
  documents: z.array(documentSchema).max(200).optional(),
});

export const embeddingRequestSchema = z.strictObject({
  model: z.string().min(1).max(200),
  input: z.array(z.string()).min(1, "expected at least one input").max(2048),
});

export type ChatRequestInput = z.input<typeof chatRequestSchema>;
export type EmbeddingRequestInput = z.input<typeof embeddingRequestSchema>;
