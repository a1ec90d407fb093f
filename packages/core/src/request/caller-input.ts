import type { z } from "zod";
import { parseWith } from "./parse-request.ts";

/**
 * A schema in the Standard Schema shape (https://standardschema.dev), the interface
 * tRPC's `.input()` accepts. Declared here rather than imported: the spec asks libraries
 * to copy it, and zod does not export its copy from the package root.
 */
export interface CallerInputSchema<Input, Output> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => { readonly value: Output; readonly issues?: undefined };
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/**
 * Wraps one of core's input schemas for a service's input validation (tRPC's
 * `.input(callerInput(chatRequestSchema))`): the same types, but a failure throws core's
 * own BAD_REQUEST, which names an unknown field and suggests the known one it resembles
 * (`temprature` -> did you mean "temperature"?), exactly as the GraphQL service does.
 */
export function callerInput<Schema extends z.ZodType>(
  schema: Schema,
): CallerInputSchema<z.input<Schema>, z.output<Schema>> {
  return {
    "~standard": {
      version: 1,
      vendor: "keel",
      validate: (value) => ({ value: parseWith(schema, value) as z.output<Schema> }),
    },
  };
}
