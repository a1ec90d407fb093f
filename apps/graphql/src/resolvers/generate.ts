import { parseChatRequest } from "@keel/core";
import type { Generation } from "@keel/spec";
import type { GraphqlContext } from "../context.ts";
import { GENERATE_JSON_FIELDS, withoutNulls } from "./caller-input.ts";

/** Mutation.generate: one completion; a KeelError thrown here becomes extensions.code. */
export async function generate(
  _parent: unknown,
  args: { input: Record<string, unknown> },
  context: GraphqlContext,
): Promise<Generation> {
  const request = parseChatRequest(withoutNulls(args.input, GENERATE_JSON_FIELDS));
  return context.pipeline.generate(request, context.callOptions());
}
