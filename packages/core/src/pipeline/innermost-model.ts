import { KeelError, type Model, type RequestContext } from "@keel/spec";
import type { DeferredBatcher } from "../deferred/deferred-batcher.ts";
import type { FullModel } from "./compose.ts";
import { withDocumentContext } from "./document-context.ts";
import type { EmbeddingLookup } from "./embedding-routes.ts";
import type { RouteChains } from "./route-chains.ts";

/**
 * What the middlewares are folded around: the path below them, built once. A chat call
 * goes to the fallback chain of the route the pipeline resolved when it admitted the
 * request (`ctx.route`), or to the chain over the targets model selection chose for it
 * (`ctx.targets`), its documents folded into the messages; the chain to each target's
 * policy stack, the stack to the provider. A deferrable generation tries the provider's
 * Batch API first. An embedding goes to its configured embedding target's policy stack
 * (the pipeline already checked the name when it admitted the request).
 */
export function createInnermostModel(options: {
  embedderFor: EmbeddingLookup;
  chains: RouteChains;
  /** Deferrable calls (ctx.deferrable) go here first; it falls back to the chain itself. */
  deferred: DeferredBatcher;
}): FullModel {
  const { embedderFor, chains, deferred } = options;

  /** The admitted route's chain, or the selected one; a chat call that reaches here without a route is a bug. */
  const chainOf = (ctx: RequestContext): Model => {
    if (ctx.route === undefined) {
      throw new KeelError("INTERNAL", "a chat call reached the model without its admitted route");
    }
    return ctx.targets === undefined ? ctx.route.model : chains.selected(ctx.route.name, ctx.targets);
  };

  return {
    generate(request, ctx) {
      const chain = chainOf(ctx);
      const withDocuments = withDocumentContext(request);
      if (ctx.deferrable === true && ctx.route !== undefined && deferred.handles(ctx.route.name)) {
        return deferred.generate(withDocuments, ctx, () => chain.generate(withDocuments, ctx));
      }
      return chain.generate(withDocuments, ctx);
    },
    stream: (request, ctx) => chainOf(ctx).stream(withDocumentContext(request), ctx),
    embed: (request, ctx) => embedderFor(request.model).embed(request, ctx),
  };
}
