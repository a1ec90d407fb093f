import { type FeatureInput, maximumFeatures, staticFeatures, tagFeatures } from "./features.ts";
import { isAllowedAfter } from "./labels.ts";
import type { NerModel } from "./model.ts";
import { createTokens, type Tokens, tokenize } from "./tokenize.ts";

/** Reusable buffers for tagging one text after another without allocating per token. */
export interface TaggerWorkspace {
  tokens: Tokens;
  gazetteerMasks: Uint16Array;
  tags: Uint8Array;
  features: Uint32Array;
  scores: Float32Array;
}

export function createTaggerWorkspace(classCount: number): TaggerWorkspace {
  return {
    tokens: createTokens(),
    gazetteerMasks: new Uint16Array(256),
    tags: new Uint8Array(256),
    features: new Uint32Array(maximumFeatures),
    scores: new Float32Array(classCount),
  };
}

/** Tokenises and looks up each token's gazetteer bits: the features' input. */
export function prepareInput(
  text: string,
  context: { workspace: TaggerWorkspace; model: Pick<NerModel, "gazetteer" | "hashBits"> },
): FeatureInput {
  const { workspace, model } = context;
  tokenize(text, workspace.tokens);
  const count = workspace.tokens.count;
  if (workspace.gazetteerMasks.length < count) {
    workspace.gazetteerMasks = new Uint16Array(count * 2);
    workspace.tags = new Uint8Array(count * 2);
  }
  for (let position = 0; position < count; position++) {
    workspace.gazetteerMasks[position] = model.gazetteer.get(workspace.tokens.hashes[position] ?? 0) ?? 0;
  }
  return {
    text,
    tokens: workspace.tokens,
    gazetteerMasks: workspace.gazetteerMasks,
    bucketMask: (1 << model.hashBits) - 1,
  };
}

/**
 * Greedy left-to-right tagging: each token takes the best-scoring class that may follow the
 * previous one (I-X only after B-X or I-X). Fills `workspace.tags` for the input's tokens.
 */
export function tagTokens(input: FeatureInput, context: { workspace: TaggerWorkspace; model: NerModel }): void {
  const { workspace, model } = context;
  const classCount = model.labels.classCount;
  const { features, scores, tags } = workspace;
  const { rowOfBucket, weights, scales } = model;
  let previousTag = 0;
  let secondPreviousTag = 0;
  for (let position = 0; position < input.tokens.count; position++) {
    let count = staticFeatures(input, position, features);
    count = tagFeatures(input, { position, previousTag, secondPreviousTag }, { buffer: features, offset: count });
    scores.fill(0);
    for (let feature = 0; feature < count; feature++) {
      const row = rowOfBucket[features[feature] ?? 0] ?? -1;
      if (row < 0) continue;
      const base = row * classCount;
      const scale = scales[row] ?? 0;
      for (let label = 0; label < classCount; label++) {
        scores[label] = (scores[label] ?? 0) + scale * (weights[base + label] ?? 0);
      }
    }
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let label = 0; label < classCount; label++) {
      const score = scores[label] ?? 0;
      if (score > bestScore && isAllowedAfter(previousTag, label)) {
        best = label;
        bestScore = score;
      }
    }
    tags[position] = best;
    secondPreviousTag = previousTag;
    previousTag = best;
  }
}
