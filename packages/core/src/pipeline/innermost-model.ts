import { KeelError, type EmbeddingModel, type Model, type RequestContext } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { FullModel } from "./compose.ts";
import { withDocumentContext } from "./document-context.ts";
import type { ProviderRegistry } from "./provider-registry.ts";

/**
 * What the middlewares are folded around: the path below them, built once. A chat call
 * goes to the fallback chain of the route the pipeline resolved when it admitted the
 * request (`ctx.route`), its documents folded into the messages; the chain to each target's
 * policy stack, the stack to the provider; an embedding goes to the provider of its
 * configured embedding target.
 */
export function createInnermostModel(options: { config: KeelConfig; providers: ProviderRegistry }): FullModel {
  const { config, providers } = options;
  const embedders = new Map<string, EmbeddingModel>();
  for (const [name, target] of Object.entries(config.embeddingModels))
    embedders.set(name, providers.embeddingModel(target));

  const embedderFor = (name: string): EmbeddingModel => {
    const embedder = embedders.get(name);
    if (embedder !== undefined) return embedder;
    const served = [...embedders.keys()].join(", ") || "(none)";
    throw new KeelError("BAD_REQUEST", `unknown embedding model "${name}"; this deployment serves: ${served}`, {
      details: { field: "model", reason: "unknown-model" },
    });
  };

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
