import { KeelError, type StructuredOutputSpec, type ValidationIssue } from "@keel/spec";
import { z, type ZodType } from "zod";

export interface ZodStructured<T> {
  /** The JSON Schema (draft 2020-12) derived from the zod schema. */
  schema: Record<string, unknown>;
  /**
   * Ready for `request.structured`: the schema, the name and a validator that runs the
   * zod schema itself, so refinements JSON Schema cannot express still drive re-asks.
   */
  spec: StructuredOutputSpec;
  /** Typed parse of a validated result (`generation.data`); throws VALIDATION_FAILED on a mismatch. */
  parse(value: unknown): T;
}

/**
 * zod 4 -> JSON Schema for TypeScript callers. The JSON Schema describes the input zod
 * parses (`io: "input"`): that is what the model must write. Types with no JSON Schema
 * form (transforms, dates) become unconstrained and are left to the zod validator.
 */
export function zodStructured<T>(schema: ZodType<T>, options: { name?: string } = {}): ZodStructured<T> {
  const jsonSchema = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const validator = (value: unknown): ValidationIssue[] => {
    const result = schema.safeParse(value);
    return result.success ? [] : toIssues(result.error);
  };
  const spec: StructuredOutputSpec = { schema: jsonSchema, validators: [validator] };
  if (options.name !== undefined) spec.name = options.name;
  return {
    schema: jsonSchema,
    spec,
    parse(value) {
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      throw new KeelError("VALIDATION_FAILED", "the value does not match the zod schema", {
        details: { reason: "zod", errors: toIssues(result.error) },
      });
    },
  };
}

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path:
      issue.path.length === 0
        ? "/"
        : `/${issue.path.map((segment) => String(segment).replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`,
    message: issue.message,
  }));
}
