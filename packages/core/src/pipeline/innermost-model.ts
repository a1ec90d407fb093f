import type { Provider } from "@keel/providers";
import { KeelError, type Model } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { FullModel } from "./compose.ts";
import { resolveRoute, splitTarget } from "./route-lookup.ts";

/** The innermost model: picks the route's fallback chain, or the embedding target. */
export function createTerminal(
  config: KeelConfig,
  routeModels: Map<string, Model>,
  providers: Map<string, Provider>,
): FullModel {
  const routeModel = (name: string): Model => {
    const model = routeModels.get(name);
    if (model !== undefined) return model;
    // An unknown name throws resolveRoute's BAD_REQUEST; a known one without a model is a bug.
    resolveRoute(config, name);
    return unreachable();
  };
  return {
    generate: (request, ctx) => routeModel(request.model).generate(request, ctx),
    stream: (request, ctx) => routeModel(request.model).stream(request, ctx),
    embed: (request, ctx) => {
      const target = Object.hasOwn(config.embeddingModels, request.model)
        ? config.embeddingModels[request.model]
        : undefined;
      if (!target) {
        throw new KeelError(
          "BAD_REQUEST",
          `unknown embedding model "${request.model}"; this deployment serves: ${Object.keys(config.embeddingModels).join(", ") || "(none)"}`,
          {
            details: { field: "model", reason: "unknown-model" },
          },
        );
      }
      const { provider, model } = splitTarget(target);
      return (providers.get(provider) as Provider).embed({ ...request, model }, ctx);
    },
  };
}

function unreachable(): never {
  throw new KeelError("INTERNAL", "route resolved but has no model");
}
