import { microBatchEmbeddings } from "@keel/providers";
import type { Resilience } from "@keel/resilience";
import { KeelError, type EmbeddingModel } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { ProviderRegistry } from "./provider-registry.ts";
import { policyFor } from "./route-chains.ts";

/** Finds the embedding model a caller asked for; an unknown one is BAD_REQUEST before anything else runs. */
export type EmbeddingLookup = (name: string) => EmbeddingModel;

/**
 * Every configured embedding model (`embeddingModels`), each behind its target's policy
 * stack (retry, breaker, concurrency limit, timeout: the target's policy, shared by name
 * with chat targets), built once. The pipeline resolves a request's model here when it
 * admits it, as chat routes are: an unknown name never reaches telemetry, so it cannot
 * take a bounded metric label slot from a real model. Concurrent requests for one model are
 * combined into one upstream call (`embeddingBatch`) below the policy stack, so each caller
 * keeps its own retries and deadline.
 */
export function createEmbeddingLookup(options: {
  config: KeelConfig;
  providers: ProviderRegistry;
  resilience: Resilience;
}): EmbeddingLookup {
  const { config, providers, resilience } = options;
  const models = new Map<string, EmbeddingModel>();
  const { embeddingBatch } = config;
  for (const [name, target] of Object.entries(config.embeddingModels)) {
    const batching = Object.hasOwn(embeddingBatch.routes, name) ? embeddingBatch.routes[name] : undefined;
    const batched = microBatchEmbeddings(providers.embeddingModel(target), {
      windowMs: batching?.windowMs ?? embeddingBatch.windowMs,
      maxInputs: batching?.maxInputs ?? embeddingBatch.maxInputs,
    });
    models.set(name, resilience.embeddingTarget({ name: target, model: batched, policy: policyFor(config, target) }));
  }
  const served = [...models.keys()].sort().join(", ") || "(none)";
  return (name) => {
    const model = models.get(name);
    if (model !== undefined) return model;
    throw new KeelError("BAD_REQUEST", `unknown embedding model "${name}"; this deployment serves: ${served}`, {
      details: { field: "model", reason: "unknown-model" },
    });
  };
}
