import { parseEmbeddingRequest } from "@keel/core";
import type { EmbeddingResult } from "@keel/spec";
import type { GraphqlContext } from "../context.ts";

/** Mutation.embed: one vector per input string. */
export async function embed(
  _parent: unknown,
  args: { input: Record<string, unknown> },
  context: GraphqlContext,
): Promise<EmbeddingResult> {
  const request = parseEmbeddingRequest(args.input);
  return context.pipeline.embed(request, context.callOptions());
}
