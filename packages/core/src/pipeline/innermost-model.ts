import { KeelError, type Model, type RequestContext } from "@keel/spec";
import type { FullModel } from "./compose.ts";
import { withDocumentContext } from "./document-context.ts";
import type { EmbeddingLookup } from "./embedding-routes.ts";

/**
 * What the middlewares are folded around: the path below them, built once. A chat call
 * goes to the fallback chain of the route the pipeline resolved when it admitted the
 * request (`ctx.route`), its documents folded into the messages; the chain to each target's
 * policy stack, the stack to the provider; an embedding goes to its configured embedding
 * target's policy stack (the pipeline already checked the name when it admitted the request).
 */
export function createInnermostModel(options: { embedderFor: EmbeddingLookup }): FullModel {
  const { embedderFor } = options;
  return {
    generate: (request, ctx) => chainOf(ctx).generate(withDocumentContext(request), ctx),
    stream: (request, ctx) => chainOf(ctx).stream(withDocumentContext(request), ctx),
    embed: (request, ctx) => embedderFor(request.model).embed(request, ctx),
  };
}

/** The admitted route's chain; a chat call that reaches here without one is a bug in the pipeline. */
function chainOf(ctx: RequestContext): Model {
  if (ctx.route !== undefined) return ctx.route.model;
  throw new KeelError("INTERNAL", "a chat call reached the model without its admitted route");
}
