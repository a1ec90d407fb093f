import type { Resilience } from "@keel/resilience";
import { KeelError, type EmbeddingModel, type Model } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { FullModel } from "./compose.ts";
import type { ProviderRegistry } from "./provider-registry.ts";
import { createRouteChains } from "./route-chains.ts";
import { resolveRoute } from "./route-lookup.ts";

/**
 * What the middlewares are folded around: the path below them, built once. A chat call
 * goes to its route's fallback chain, the chain to each target's policy stack, the stack
 * to the provider; an embedding goes to the provider of its configured embedding target.
 */
export function createInnermostModel(options: {
  config: KeelConfig;
  providers: ProviderRegistry;
  resilience: Resilience;
}): FullModel {
  const { config, providers } = options;
  const chains = createRouteChains(options);
  const embedders = new Map<string, EmbeddingModel>();
  for (const [name, target] of Object.entries(config.embeddingModels))
    embedders.set(name, providers.embeddingModel(target));

  const chainFor = (route: string, targets: readonly string[] | undefined): Model => {
    // Model selection chose these targets of the route for this request.
    if (targets !== undefined && Object.hasOwn(config.models, route)) return chains.selected(route, targets);
    const chain = chains.chain(route);
    if (chain !== undefined) return chain;
    // An unknown route throws resolveRoute's BAD_REQUEST; a known one without a chain is a bug.
    resolveRoute(config, route);
    throw new KeelError("INTERNAL", "route resolved but has no model");
  };
  const embedderFor = (name: string): EmbeddingModel => {
    const embedder = embedders.get(name);
    if (embedder !== undefined) return embedder;
    const served = [...embedders.keys()].join(", ") || "(none)";
    throw new KeelError("BAD_REQUEST", `unknown embedding model "${name}"; this deployment serves: ${served}`, {
      details: { field: "model", reason: "unknown-model" },
    });
  };

  return {
    generate: (request, ctx) => chainFor(request.model, ctx.targets).generate(request, ctx),
    stream: (request, ctx) => chainFor(request.model, ctx.targets).stream(request, ctx),
    embed: (request, ctx) => embedderFor(request.model).embed(request, ctx),
  };
}
