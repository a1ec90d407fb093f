import type { Generation, ValidationReport } from "@keel/spec";
import { zodStructured, type ZodStructured } from "@keel/validation";
import type { ZodType } from "zod";
import type { StructuredInput } from "../procedures/structured-input.ts";

/** `ai.structured`'s input with a zod schema in place of the JSON Schema. */
export type TypedStructuredInput<T> = Omit<StructuredInput, "schema"> & { schema: ZodType<T> };

/** The envelope of a structured call, with `data` typed as the zod schema's output. */
export interface TypedGeneration<T> extends Omit<Generation, "data" | "validation"> {
  data: T;
  validation: ValidationReport;
}

/** What the helper needs of a client: `createTRPCClient<AppRouter>(...)` fits. */
export interface StructuredClient {
  ai: { structured: { mutate(input: StructuredInput, options?: { signal?: AbortSignal }): Promise<unknown> } };
}

// One JSON Schema conversion per zod schema (and name), not one per call.
const converted = new WeakMap<ZodType, Map<string | undefined, ZodStructured<unknown>>>();

function convert<T>(schema: ZodType<T>, name: string | undefined): ZodStructured<T> {
  let byName = converted.get(schema);
  if (!byName) {
    byName = new Map();
    converted.set(schema, byName);
  }
  let entry = byName.get(name);
  if (!entry) {
    entry = zodStructured(schema, name === undefined ? {} : { name }) as ZodStructured<unknown>;
    byName.set(name, entry);
  }
  return entry as ZodStructured<T>;
}

/**
 * Calls `ai.structured` with a zod schema: the schema travels as JSON Schema, the server
 * validates, repairs and re-asks against it, and the valid value comes back parsed by
 * the zod schema itself, so `data` has the zod type. Refinements JSON Schema cannot
 * express (`.refine`) are only checked here, after the call: a value that passes the
 * JSON Schema but not a refinement rejects with VALIDATION_FAILED (no re-ask, since
 * functions cannot travel to the server).
 */
export async function typedStructured<T>(
  client: StructuredClient,
  input: TypedStructuredInput<T>,
  options: { signal?: AbortSignal } = {},
): Promise<TypedGeneration<T>> {
  const { schema, ...request } = input;
  const structured = convert(schema, request.name);
  const generation = (await client.ai.structured.mutate(
    { ...request, schema: structured.schema },
    options,
  )) as Generation;
  return {
    ...generation,
    data: structured.parse(generation.data),
    validation: generation.validation as ValidationReport,
  };
}
