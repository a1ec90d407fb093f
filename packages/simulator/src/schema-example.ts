type Schema = Record<string, unknown>;

const MAX_DEPTH = 32;

/**
 * The smallest value that satisfies a JSON Schema's required parts: strings "example",
 * numbers 1, booleans true, arrays [] (or minItems examples), objects with their
 * required properties, recursively. Follows local `$ref`s (`#/$defs/...`).
 */
export function exampleForSchema(schema: unknown): unknown {
  return exampleOf(schema, asSchema(schema) ?? {}, 0);
}

function exampleOf(node: unknown, root: Schema, depth: number): unknown {
  const schema = asSchema(node);
  if (schema === undefined || depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === "string") return exampleOf(resolveRef(schema.$ref, root), root, depth + 1);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const chosen = options.find((option) => asSchema(option)?.type !== "null") ?? options[0];
      return exampleOf(chosen, root, depth + 1);
    }
  }
  switch (schemaType(schema)) {
    case "string":
      return "example";
    case "number":
    case "integer":
      return typeof schema.minimum === "number" && schema.minimum > 1 ? Math.ceil(schema.minimum) : 1;
    case "boolean":
      return true;
    case "null":
      return null;
    case "array": {
      const count = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: count }, () => exampleOf(schema.items, root, depth + 1));
    }
    default:
      return objectExample(schema, root, depth);
  }
}

function objectExample(schema: Schema, root: Schema, depth: number): Record<string, unknown> {
  const properties = asSchema(schema.properties) ?? {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  const result: Record<string, unknown> = {};
  for (const name of required) {
    if (typeof name === "string") result[name] = exampleOf(properties[name], root, depth + 1);
  }
  return result;
}

function schemaType(schema: Schema): unknown {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== "null") ?? "null";
  if (schema.type !== undefined) return schema.type;
  return schema.properties !== undefined ? "object" : schema.items !== undefined ? "array" : "string";
}

function resolveRef(reference: string, root: Schema): unknown {
  if (!reference.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const part of reference
    .slice(1)
    .split("/")
    .filter((segment) => segment.length > 0)) {
    node = asSchema(node)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

function asSchema(value: unknown): Schema | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Schema) : undefined;
}
