import { z } from "zod";

/**
 * The body of `POST /v1/chat/completions` as OpenAI defines it, for the parameters Keel
 * serves. Types only: the limits (temperature range, message count, ...) are core's, checked
 * once the body is Keel's ChatRequest. Objects are strict, so a misspelt field is refused
 * with a hint; OpenAI clients send `null` for a parameter they leave unset, so every
 * optional one takes null as absent.
 */

const textPartSchema = z.strictObject({ type: z.literal("text"), text: z.string() });
const contentSchema = z.union([z.string(), z.array(textPartSchema)]);

const toolCallSchema = z.strictObject({
  id: z.string(),
  type: z.literal("function"),
  function: z.strictObject({ name: z.string(), arguments: z.string() }),
});

const messageSchema = z.discriminatedUnion("role", [
  z.strictObject({ role: z.enum(["system", "developer"]), content: contentSchema, name: z.string().nullish() }),
  z.strictObject({ role: z.literal("user"), content: contentSchema, name: z.string().nullish() }),
  z.strictObject({
    role: z.literal("assistant"),
    content: contentSchema.nullish(),
    name: z.string().nullish(),
    tool_calls: z.array(toolCallSchema).nullish(),
    refusal: z.string().nullish(),
  }),
  z.strictObject({ role: z.literal("tool"), content: contentSchema, tool_call_id: z.string() }),
]);

const toolSchema = z.strictObject({
  type: z.literal("function"),
  function: z.strictObject({
    name: z.string(),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
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
    json_schema: z.strictObject({
      name: z.string(),
      description: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const chatBodySchema = z.strictObject({
  model: z.string(),
  messages: z.array(messageSchema),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().nullish(),
  max_completion_tokens: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.number().nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  response_format: responseFormatSchema.nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().nullish() }).nullish(),
  /** Keel answers one choice. */
  n: z.literal(1, "Keel answers one choice: n must be 1").nullish(),
  /** Bookkeeping fields OpenAI keeps for its own dashboards; accepted and not used. */
  user: z.string().nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

export type ChatBody = z.output<typeof chatBodySchema>;

/**
 * OpenAI parameters Keel does not serve. Refused by name rather than as unknown fields,
 * so the caller learns the parameter is real but not available here (null counts as unset).
 */
export const UNSUPPORTED_CHAT_PARAMETERS = [
  "frequency_penalty",
  "presence_penalty",
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "parallel_tool_calls",
  "modalities",
  "audio",
  "prediction",
  "reasoning_effort",
  "service_tier",
  "web_search_options",
  "functions",
  "function_call",
] as const;
