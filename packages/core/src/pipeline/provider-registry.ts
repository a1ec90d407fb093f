import { createOpenAIProvider, createPriceTable, type Provider, type ProviderBatchApi } from "@keel/providers";
import type { EmbeddingModel, Model } from "@keel/spec";
import { ConfigError } from "../config/config-error.ts";
import type { KeelConfig, ProviderConfig } from "../config/schema.ts";

/**
 * The configured providers, one client each, shared by every route that names them. A
 * target is "provider/model"; the registry is the one place that splits it.
 */
export interface ProviderRegistry {
  /** The target as a chat Model: its provider, called with the upstream model name. */
  chatModel(target: string): Model;
  /** The target as an EmbeddingModel, likewise. */
  embeddingModel(target: string): EmbeddingModel;
  /** The target's provider's Batch API and its upstream model, when `batchApi` is on for that provider. */
  batchApi(target: string): { api: ProviderBatchApi; model: string } | undefined;
}

/** `providers.<name>.batchApi`, defaulting to on for OpenAI itself and the simulator (other servers rarely have /v1/batches). */
export function batchApiEnabled(name: string, settings: ProviderConfig): boolean {
  if (settings.batchApi !== undefined) return settings.batchApi;
  if (name === "simulator" || settings.baseURL === undefined) return true;
  try {
    return new URL(settings.baseURL).hostname === "api.openai.com";
  } catch {
    return false;
  }
}

/** Builds a client per provider and checks that every target the config names has one. */
export function createProviderRegistry(config: KeelConfig): ProviderRegistry {
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
        ...(settings.maxBodyBytes ? { maxBodyBytes: settings.maxBodyBytes } : {}),
        ...(settings.maxEventBytes ? { maxEventBytes: settings.maxEventBytes } : {}),
      }),
    );
  }
  checkTargets(config, providers);

  const bind = (target: string): { provider: Provider; model: string } => {
    const { provider: providerName, model } = splitTarget(target);
    const provider = providers.get(providerName);
    if (!provider)
      throw new ConfigError("the config given to createPipeline", [
        { path: "models", message: `unknown provider "${providerName}" in target "${target}"` },
      ]);
    return { provider, model };
  };

  return {
    chatModel(target) {
      const { provider, model } = bind(target);
      return {
        generate: (request, ctx) => provider.generate(request.model === model ? request : { ...request, model }, ctx),
        stream: (request, ctx) => provider.stream(request.model === model ? request : { ...request, model }, ctx),
      };
    },
    embeddingModel(target) {
      const { provider, model } = bind(target);
      return { embed: (request, ctx) => provider.embed({ ...request, model }, ctx) };
    },
    batchApi(target) {
      const { provider, model } = bind(target);
      const settings = config.providers[provider.name];
      return settings && batchApiEnabled(provider.name, settings) ? { api: provider, model } : undefined;
    },
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
  if (issues.length > 0) throw new ConfigError("the config given to createPipeline", issues);
}

/** Splits "provider/model" (the model part may itself contain slashes, e.g. "meta/llama-3"). */
function splitTarget(target: string): { provider: string; model: string } {
  const slash = target.indexOf("/");
  return { provider: target.slice(0, slash), model: target.slice(slash + 1) };
}
