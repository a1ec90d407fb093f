import fc from "fast-check";

/** Model names: the served ones, near misses, prototype names and junk. */
export const modelName = fc.oneof(
  fc.constantFrom("gpt-4o-mini", "chat", "text-embedding-3-small", "gpt-4o", "constructor", "__proto__", ""),
  fc.string({ maxLength: 40 }),
);

const role = fc.oneof(fc.constantFrom("user", "system", "assistant", "tool", "USER", "developer"), fc.string());

/** Some JSON value, small enough that a property stays fast. */
export const json = fc.jsonValue({ maxDepth: 3 });

/** A value where a field expects a number: numbers of every kind, and other JSON. */
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-1, 0, 2, 1e308, -0), json);

/**
 * Structurally valid but wrong chat requests: the right shape with values of the wrong
 * type, out of range, unknown roles, missing or extra fields.
 */
export const chatLike = fc.record(
  {
    model: modelName,
    messages: fc.oneof(
      fc.array(
        fc.record({ role, content: fc.oneof(fc.string({ maxLength: 200 }), json) }, { requiredKeys: ["role"] }),
        { maxLength: 4 },
      ),
      json,
    ),
    temperature: number,
    topP: number,
    maxTokens: number,
    stop: fc.oneof(fc.array(fc.string(), { maxLength: 6 }), json),
    seed: number,
    cache: fc.oneof(
      fc.record(
        {
          mode: fc.oneof(fc.constantFrom("default", "bypass", "refresh", "only-if-cached"), fc.string()),
          ttlSeconds: number,
        },
        { requiredKeys: [] },
      ),
      json,
    ),
    responseFormat: json,
    tools: json,
    documents: fc.oneof(fc.array(fc.record({ id: fc.string(), text: fc.string() }), { maxLength: 2 }), json),
    temprature: number,
  },
  { requiredKeys: [] },
);

/** Embedding requests, mostly wrong. */
export const embedLike = fc.record(
  { model: modelName, input: fc.oneof(fc.array(fc.string({ maxLength: 50 }), { maxLength: 3 }), json) },
  { requiredKeys: [] },
);

/** Any input at all: arbitrary JSON or a wrong-but-plausible request. */
export const anyInput = fc.oneof(json, chatLike, embedLike);
