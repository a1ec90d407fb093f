import type { z } from "zod";

/** The parts of a zod schema's definition this walk reads (zod 4's `_zod.def`). */
interface SchemaDefinition {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
  valueType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  catchall?: z.core.$ZodType;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

/**
 * The field names an object in `schema` allows at `path` (the path of a zod
 * `unrecognized_keys` issue), or undefined when there is no object there. Walks
 * wrappers, unions (the object branch), records and arrays, so an error can say which
 * known field a misspelt one was probably meant to be.
 */
export function knownFieldsAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] | undefined {
  const objects = objectsAt(schema, path);
  if (objects.length === 0) return undefined;
  return [...new Set(objects.flatMap((object) => Object.keys(definitionOf(object).shape ?? {})))];
}

/** Every object schema `path` can lead to (a union may hold more than one). */
export function objectsAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType[] {
  const definition = definitionOf(schema);
  if (WRAPPERS.has(definition.type) && definition.innerType) return objectsAt(definition.innerType, path);
  if (definition.type === "pipe" && definition.in) return objectsAt(definition.in, path);
  if (definition.type === "union" && definition.options) {
    return definition.options.flatMap((option) => objectsAt(option, path));
  }
  if (path.length === 0) return definition.type === "object" ? [schema] : [];
  const [step, ...rest] = path;
  if (definition.type === "object") {
    const field = definition.shape?.[String(step)];
    return field ? objectsAt(field, rest) : [];
  }
  if (definition.type === "record" && definition.valueType) return objectsAt(definition.valueType, rest);
  if (definition.type === "array" && definition.element) return objectsAt(definition.element, rest);
  return [];
}

export function definitionOf(schema: z.core.$ZodType): SchemaDefinition {
  return schema._zod.def as unknown as SchemaDefinition;
}
