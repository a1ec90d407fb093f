import { KeelError } from "@keel/spec";

export interface SchemaLimits {
  /** Largest schema accepted, in bytes of its JSON text. Default 64 KiB. */
  maxBytes?: number;
  /** Deepest nesting of objects and arrays accepted. Default 32. */
  maxDepth?: number;
}

export const DEFAULT_MAX_SCHEMA_BYTES = 64 * 1024;
export const DEFAULT_MAX_SCHEMA_DEPTH = 32;

const FIELD = "structured.schema";

export function badSchema(message: string, reason: string, extra?: Record<string, unknown>): KeelError {
  return new KeelError("BAD_REQUEST", message, { details: { field: FIELD, reason, ...extra } });
}

/**
 * Checks shape, size and depth of a schema and returns its JSON text (the text doubles
 * as the input of the schema hash, so it is serialised once).
 */
export function measureSchema(schema: unknown, limits: SchemaLimits = {}): string {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw badSchema("structured.schema must be a JSON Schema object", "not-an-object");
  }
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_SCHEMA_DEPTH;
  // Depth first: it also stops a cyclic in-process object before JSON.stringify meets it.
  if (depthOf(schema, maxDepth + 1) > maxDepth) {
    throw badSchema(`structured.schema is nested more than ${maxDepth} levels deep`, "too-deep");
  }
  let text: string;
  try {
    text = JSON.stringify(schema);
  } catch {
    throw badSchema("structured.schema is not serialisable as JSON", "not-json");
  }
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_SCHEMA_BYTES;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    throw badSchema(`structured.schema is ${bytes} bytes, over the limit of ${maxBytes}`, "too-large");
  }
  return text;
}

/** Nesting depth of objects and arrays, counting stops once `stopAt` is reached. */
function depthOf(value: unknown, stopAt: number): number {
  if (typeof value !== "object" || value === null) return 0;
  if (stopAt <= 1) return 1;
  let deepest = 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    const depth = depthOf(child, stopAt - 1);
    if (depth > deepest) deepest = depth;
    if (deepest >= stopAt - 1) break;
  }
  return deepest + 1;
}
