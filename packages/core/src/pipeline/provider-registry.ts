import { createOpenAIProvider, createPriceTable, type Provider } from "@keel/providers";
import type { Model } from "@keel/spec";
import { ConfigError } from "../config/config-error.ts";
import type { KeelConfig } from "../config/schema.ts";
import { splitTarget } from "./route-lookup.ts";

/** One provider client per configured provider, shared by every route that names it. */
export function createProviders(config: KeelConfig): Map<string, Provider> {
  const prices = createPriceTable(config.prices);
  const providers = new Map<string, Provider>();
  for (const [name, settings] of Object.entries(config.providers)) {
    providers.set(
      name,
      createOpenAIProvider({
        name,
        apiKey: settings.apiKey,
        prices,
        ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
        ...(settings.organization ? { organization: settings.organization } : {}),
        ...(settings.headers ? { headers: settings.headers } : {}),
      }),
    );
  }
  checkTargets(config, providers);
  return providers;
}

/** A target as a Model: the provider, with the route's name replaced by the upstream model name. */
export function bindTarget(providers: Map<string, Provider>, target: string): Model {
  const { provider: providerName, model } = splitTarget(target);
  const provider = providers.get(providerName);
  if (!provider)
    throw new ConfigError("config", [
      { path: "models", message: `unknown provider "${providerName}" in target "${target}"` },
    ]);
  return {
    generate: (request, ctx) => provider.generate(request.model === model ? request : { ...request, model }, ctx),
    stream: (request, ctx) => provider.stream(request.model === model ? request : { ...request, model }, ctx),
  };
}

function checkTargets(config: KeelConfig, providers: Map<string, Provider>): void {
  const issues: Array<{ path: string; message: string }> = [];
  for (const [route, settings] of Object.entries(config.models)) {
    settings.targets.forEach((target, index) => {
      const { provider } = splitTarget(target);
      if (!providers.has(provider))
        issues.push({
          path: `models.${route}.targets.${index}`,
          message: `unknown provider "${provider}"; configured: ${[...providers.keys()].join(", ") || "(none)"}`,
        });
    });
  }
  for (const [name, target] of Object.entries(config.embeddingModels)) {
    const { provider } = splitTarget(target);
    if (!providers.has(provider))
      issues.push({ path: `embeddingModels.${name}`, message: `unknown provider "${provider}"` });
  }
  if (issues.length > 0) throw new ConfigError("config", issues);
}
