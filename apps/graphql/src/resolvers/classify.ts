import type { ClassifyRequestInput, ClassifyResult } from "@keel/core";
import type { GraphqlContext } from "../context.ts";
import { withoutNulls } from "./caller-input.ts";

/** Mutation.classify: labels for texts by embeddings (core checks the input, as for tRPC). */
export function classify(
  _parent: unknown,
  args: { input: Record<string, unknown> },
  context: GraphqlContext,
): Promise<ClassifyResult> {
  return context.pipeline.classify(withoutNulls(args.input) as ClassifyRequestInput, context.callOptions());
}
