import { randomUUID } from "node:crypto";
import { parseEmbeddingRequest } from "@keel/core";
import type { EmbeddingResult } from "@keel/spec";
import { SERVICE_NAME, type GraphqlContext } from "../context.ts";

/** Mutation.embed: one vector per input string. */
export async function embed(
  _parent: unknown,
  args: { input: Record<string, unknown> },
  context: GraphqlContext,
): Promise<EmbeddingResult> {
  const request = parseEmbeddingRequest(args.input);
  return context.pipeline.embed(request, {
    tenant: context.tenant,
    service: SERVICE_NAME,
    requestId: randomUUID(),
    signal: context.signal,
  });
}
