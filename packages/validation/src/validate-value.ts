import type { ErrorObject } from "ajv";
import type { StructuredOutputSpec, ValidationIssue } from "@keel/spec";
import { compileSchema, type CompiledSchema, type SchemaOptions } from "./compiled-schemas.ts";

/**
 * Validates a value against the spec's JSON Schema (Ajv, all errors, formats) and then
 * its custom validators. Custom validators run only on schema-valid values, so they may
 * assume the schema's shape. An empty list means valid. Throws BAD_REQUEST for a bad schema.
 */
export function validateValue(spec: StructuredOutputSpec, value: unknown, options?: SchemaOptions): ValidationIssue[] {
  return validateCompiled(compileSchema(spec.schema, options), spec, value);
}

export function validateCompiled(
  compiled: CompiledSchema,
  spec: StructuredOutputSpec,
  value: unknown,
): ValidationIssue[] {
  if (compiled.validate(value) !== true) return (compiled.validate.errors ?? []).map(toIssue);
  const validators = spec.validators;
  if (validators === undefined || validators.length === 0) return [];
  const issues: ValidationIssue[] = [];
  for (const validator of validators) {
    try {
      issues.push(...validator(value));
    } catch (error) {
      // A throwing check still means "this value is not acceptable"; say why and re-ask.
      issues.push({ path: "/", message: error instanceof Error ? error.message : String(error) });
    }
  }
  return issues;
}

/** Ajv error -> issue; `required` and `additionalProperties` point at the property itself. */
function toIssue(error: ErrorObject): ValidationIssue {
  const base = error.instancePath;
  if (error.keyword === "required") {
    const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
    return { path: `${base}/${escapePointer(missing)}`, message: "is required but missing" };
  }
  if (error.keyword === "additionalProperties") {
    const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty);
    return { path: `${base}/${escapePointer(extra)}`, message: "is not allowed (no additional properties)" };
  }
  return { path: base === "" ? "/" : base, message: error.message ?? `fails ${error.keyword}` };
}

function escapePointer(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}
