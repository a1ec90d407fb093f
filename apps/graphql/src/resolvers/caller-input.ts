/**
 * GraphQL hands resolvers `null` for optional fields a caller set to null, and the
 * schema already rejected wrong types. Core's parser treats a missing field as "not
 * set" and rejects null, so nulls are dropped here (objects and lists of objects,
 * never inside caller-owned JSON values) before the input meets parseChatRequest.
 */
export function withoutNulls(
  input: Record<string, unknown>,
  jsonFields: ReadonlySet<string> = NO_JSON_FIELDS,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key in input) {
    const value = input[key];
    if (value === null || value === undefined) continue;
    result[key] = jsonFields.has(key) ? value : dropNestedNulls(value);
  }
  return result;
}

const NO_JSON_FIELDS: ReadonlySet<string> = new Set();

/** Fields typed JSON in GenerateInput: their nulls belong to the caller. */
export const GENERATE_JSON_FIELDS: ReadonlySet<string> = new Set(["tools", "toolChoice", "responseFormat"]);

/** Fields typed JSON in StructuredInput: a schema may hold nulls (`enum: [null, "x"]`, `const: null`). */
export const STRUCTURED_JSON_FIELDS: ReadonlySet<string> = new Set([...GENERATE_JSON_FIELDS, "schema"]);

function dropNestedNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNestedNulls);
  if (typeof value === "object" && value !== null) return withoutNulls(value as Record<string, unknown>);
  return value;
}
