import { classifyEmbeddings, costMicroUsd, microUsdToUsd } from "@keel/governance";
import { KeelError, type EmbeddingModel, type RequestContext } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import { didYouMean } from "../fields/closest-name.ts";
import type { RoutePlans } from "../governance/route-plans.ts";
import type { ClassifyRequest, ClassifyResult } from "./classify-request.ts";

/** OpenAI's embeddings endpoint takes at most this many inputs per call. */
const MAX_INPUTS = 2_048;

/**
 * Embeds the label examples and the texts in one call through the pipeline (telemetry,
 * admission, the embedding cache), then scores each text against each label
 * (@keel/governance's nearest-centroid or k-NN).
 */
export async function runClassify(options: {
  request: ClassifyRequest;
  ctx: RequestContext;
  model: EmbeddingModel;
  config: KeelConfig;
  plans: RoutePlans;
}): Promise<ClassifyResult> {
  const { request, ctx, config, plans } = options;
  const startedAt = Date.now();
  const { labels, model, method, k } = resolveLabels(request, config);
  const examples = labels.flatMap((entry) => entry.examples);
  if (examples.length + request.texts.length > MAX_INPUTS) {
    throw new KeelError(
      "BAD_REQUEST",
      `texts: the label examples (${examples.length}) and texts (${request.texts.length}) together exceed ${MAX_INPUTS}, the most one embeddings call takes`,
      { details: { field: "texts", reason: "too-many-inputs" } },
    );
  }
  const embedded = await options.model.embed({ model, input: [...examples, ...request.texts] }, ctx);
  let offset = 0;
  const labelVectors = labels.map((entry) => {
    const embeddings = embedded.vectors.slice(offset, offset + entry.examples.length);
    offset += entry.examples.length;
    return { label: entry.label, embeddings };
  });
  const results = classifyEmbeddings({
    labels: labelVectors,
    inputs: embedded.vectors.slice(offset),
    ...(method === undefined ? {} : { method }),
    ...(k === undefined ? {} : { k }),
  });
  const target = plans.embeddingTarget(model);
  const cost = target
    ? costMicroUsd({ promptTokens: embedded.usage.promptTokens, completionTokens: 0, price: plans.priceOf(target) })
    : 0;
  return {
    model,
    provider: embedded.provider,
    results,
    usage: embedded.usage,
    cached: embedded.cached,
    costUsd: microUsdToUsd(cost),
    latencyMs: Date.now() - startedAt,
  };
}

interface ResolvedLabels {
  labels: { label: string; examples: string[] }[];
  model: string;
  method: "centroid" | "knn" | undefined;
  k: number | undefined;
}

/** The request's own labels, or the named label set; BAD_REQUEST when neither or both are given. */
function resolveLabels(request: ClassifyRequest, config: KeelConfig): ResolvedLabels {
  if ((request.labels === undefined) === (request.labelSet === undefined)) {
    throw new KeelError("BAD_REQUEST", "give either labels (with examples) or labelSet (a configured label set)", {
      details: { field: request.labels === undefined ? "labels" : "labelSet", reason: "labels" },
    });
  }
  if (request.labels) {
    const model = request.model;
    if (model === undefined) {
      throw new KeelError("BAD_REQUEST", "model: an embedding model is required with labels", {
        details: { field: "model" },
      });
    }
    return { labels: request.labels, model, method: request.method, k: request.k };
  }
  const name = request.labelSet as string;
  const set = Object.hasOwn(config.labelSets, name) ? config.labelSets[name] : undefined;
  if (!set) {
    const known = Object.keys(config.labelSets);
    const hint = didYouMean(name, known);
    throw new KeelError(
      "BAD_REQUEST",
      `unknown label set "${name}"; this deployment has: ${known.join(", ") || "(none)"}${hint ? `; ${hint}` : ""}`,
      { details: { field: "labelSet", reason: "unknown-label-set" } },
    );
  }
  const model = request.model ?? set.model;
  if (model === undefined) {
    throw new KeelError("BAD_REQUEST", `model: label set "${name}" names no embedding model; give one`, {
      details: { field: "model" },
    });
  }
  return {
    labels: Object.entries(set.labels).map(([label, examples]) => ({ label, examples })),
    model,
    method: request.method ?? set.method,
    k: request.k ?? set.k,
  };
}
