import { compileSchema, type SchemaOptions } from "./compiled-schemas.ts";

/**
 * Throws KeelError BAD_REQUEST (details.field "structured.schema", details.reason) when
 * a schema is not a valid JSON Schema, is over `maxBytes` (64 KiB) or nests deeper than
 * `maxDepth` (32), or has a pattern no linear-time engine can run (`unsupported-pattern`).
 * Compiles and caches the validator (per `scope`), so the later validation is free.
 */
export function checkSchema(schema: unknown, options?: SchemaOptions): void {
  compileSchema(schema, options);
}
