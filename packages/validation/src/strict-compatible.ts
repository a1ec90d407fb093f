/**
 * True when OpenAI's strict structured-output mode accepts the schema: the root is an
 * object and every object schema inside lists all its properties as required and sets
 * `additionalProperties: false`. Strict mode rejects other schemas with a 400, so for
 * them the middleware sends `strict: false` (the schema still guides the model, and
 * Keel validates the answer either way).
 */
export function isStrictCompatible(schema: Record<string, unknown>): boolean {
  return schema.type === "object" && everyNodeStrict(schema, 0);
}

const NESTED_MAPS = ["properties", "$defs", "definitions", "patternProperties"] as const;
const NESTED_LISTS = ["anyOf", "allOf", "oneOf", "prefixItems"] as const;
const NESTED_SINGLE = ["items", "additionalItems", "not", "if", "then", "else", "contains"] as const;

function everyNodeStrict(node: unknown, depth: number): boolean {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return true;
  if (depth > 64) return false;
  const schema = node as Record<string, unknown>;
  if (isObjectSchema(schema) && !isClosedObject(schema)) return false;
  for (const key of NESTED_MAPS) {
    const map = schema[key];
    if (typeof map === "object" && map !== null) {
      for (const child of Object.values(map)) if (!everyNodeStrict(child, depth + 1)) return false;
    }
  }
  for (const key of NESTED_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) for (const child of list) if (!everyNodeStrict(child, depth + 1)) return false;
  }
  for (const key of NESTED_SINGLE) {
    const child = schema[key];
    if (Array.isArray(child)) {
      for (const item of child) if (!everyNodeStrict(item, depth + 1)) return false;
    } else if (!everyNodeStrict(child, depth + 1)) return false;
  }
  return true;
}

function isObjectSchema(schema: Record<string, unknown>): boolean {
  const type = schema.type;
  return (
    type === "object" ||
    (Array.isArray(type) && type.includes("object")) ||
    (type === undefined && "properties" in schema)
  );
}

function isClosedObject(schema: Record<string, unknown>): boolean {
  if (schema.additionalProperties !== false) return false;
  const properties = schema.properties;
  if (typeof properties !== "object" || properties === null) return true;
  const required = Array.isArray(schema.required) ? new Set(schema.required) : new Set();
  return Object.keys(properties).every((name) => required.has(name));
}
