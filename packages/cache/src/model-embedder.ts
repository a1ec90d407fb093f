import type { EmbeddingModel } from "@keel/spec";
import type { Embedder } from "./local-embedder.ts";

/**
 * An embedder on a provider's embeddings API (an EmbeddingModel from the pipeline), for
 * semantic caching on real embeddings. Vectors are L2-normalised here, so cosine is a dot
 * product whatever the provider returns. `dimensions` is learned from the first answer
 * unless given.
 */
export function embedderFromModel(
  model: EmbeddingModel,
  modelName: string,
  options: { dimensions?: number } = {},
): Embedder {
  let dimensions = options.dimensions ?? 0;
  return {
    name: `model:${modelName}`,
    get dimensions() {
      return dimensions;
    },
    async embed(texts, ctx) {
      const result = await model.embed({ model: modelName, input: texts }, ctx);
      const vectors = result.vectors.map(normalise);
      if (dimensions === 0 && vectors[0]) dimensions = vectors[0].length;
      return vectors;
    },
  };
}

function normalise(vector: number[]): number[] {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}
