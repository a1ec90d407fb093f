import { microBatchEmbeddings } from "@keel/providers";
import { KeelError, type EmbeddingModel, type Model, type RequestContext } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { DeferredBatcher } from "../deferred/deferred-batcher.ts";
import type { FullModel } from "./compose.ts";
import { withDocumentContext } from "./document-context.ts";
import type { ProviderRegistry } from "./provider-registry.ts";
import type { RouteChains } from "./route-chains.ts";

/**
 * What the middlewares are folded around: the path below them, built once. A chat call
 * goes to the fallback chain of the route the pipeline resolved when it admitted the
 * request (`ctx.route`), or to the chain over the targets model selection chose for it
 * (`ctx.targets`), its documents folded into the messages; the chain to each target's
 * policy stack, the stack to the provider; an embedding goes to the provider of its
 * configured embedding target.
 */
export function createInnermostModel(options: {
  config: KeelConfig;
  providers: ProviderRegistry;
  /** Deferrable calls (ctx.deferrable) go here first; it falls back to the chain itself. */
  deferred: DeferredBatcher;
  chains: RouteChains;
}): FullModel {
  const { config, providers, deferred, chains } = options;
  const embedders = new Map<string, EmbeddingModel>();
  for (const [name, target] of Object.entries(config.embeddingModels)) {
    const routes = config.embeddingBatch.routes;
    const route = Object.hasOwn(routes, name) ? routes[name] : undefined;
    embedders.set(
      name,
      microBatchEmbeddings(providers.embeddingModel(target), {
        windowMs: route?.windowMs ?? config.embeddingBatch.windowMs,
        maxInputs: route?.maxInputs ?? config.embeddingBatch.maxInputs,
      }),
    );
  }

  const embedderFor = (name: string): EmbeddingModel => {
    const embedder = embedders.get(name);
    if (embedder !== undefined) return embedder;
    const served = [...embedders.keys()].join(", ") || "(none)";
    throw new KeelError("BAD_REQUEST", `unknown embedding model "${name}"; this deployment serves: ${served}`, {
      details: { field: "model", reason: "unknown-model" },
    });
  };

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
