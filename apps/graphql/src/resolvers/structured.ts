import { parseStructuredRequest } from "@keel/core";
import type { Generation } from "@keel/spec";
import type { GraphqlContext } from "../context.ts";
import { STRUCTURED_JSON_FIELDS, withoutNulls } from "./caller-input.ts";

/**
 * Mutation.structured: core parses the input once, here (the same schema the tRPC service
 * uses, so a bad field is the same BAD_REQUEST); the pipeline checks the JSON Schema before
 * any upstream call, then repairs, validates and re-asks. Custom validators cannot be sent
 * over GraphQL.
 */
export async function structured(
  _parent: unknown,
  args: { input: Record<string, unknown> },
  context: GraphqlContext,
): Promise<Generation> {
  const request = parseStructuredRequest(withoutNulls(args.input, STRUCTURED_JSON_FIELDS), { from: "service" });
  return context.pipeline.structured(request, context.callOptions());
}
