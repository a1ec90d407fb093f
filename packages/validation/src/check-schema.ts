import { compileSchema } from "./compiled-schemas.ts";
import type { SchemaLimits } from "./schema-limits.ts";

/**
 * Throws KeelError BAD_REQUEST (details.field "structured.schema", details.reason) when
 * a schema is not a valid JSON Schema, is over `maxBytes` (64 KiB) or nests deeper than
 * `maxDepth` (32). Compiles and caches the validator, so the later validation is free.
 */
export function checkSchema(schema: unknown, limits?: SchemaLimits): void {
  compileSchema(schema, limits);
}
