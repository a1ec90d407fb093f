import {
  type FeatureInput,
  isSkippedAfterOutside,
  maximumFeatures,
  staticFeatures,
  type TagHistory,
  tagFeatures,
} from "./features.ts";
import type { NerModel } from "./model.ts";
import { createTokens, type Tokens, tokenize } from "./tokenize.ts";

/** Reusable buffers for tagging one text after another without allocating per token. */
export interface TaggerWorkspace {
  tokens: Tokens;
  gazetteerMasks: Uint16Array;
  tags: Uint8Array;
  features: Uint32Array;
  scores: Int32Array;
  /** The position being tagged and the two tags before it, reused rather than allocated per token. */
  history: TagHistory;
}

export function createTaggerWorkspace(classCount: number): TaggerWorkspace {
  const features = new Uint32Array(maximumFeatures);
  return {
    tokens: createTokens(),
    gazetteerMasks: new Uint16Array(256),
    tags: new Uint8Array(256),
    features,
    scores: new Int32Array(classCount),
    history: { position: 0, previousTag: 0, secondPreviousTag: 0, buffer: features },
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
 * Greedy left-to-right tagging: each token takes its best-scoring class, with the two tags
 * before it among its features. Fills `workspace.tags` for the input's tokens.
 */
export function tagTokens(input: FeatureInput, context: { workspace: TaggerWorkspace; model: NerModel }): void {
  const { workspace, model } = context;
  const classCount = model.labels.classCount;
  const { features, scores, tags } = workspace;
  const { table, stride } = model;
  const history = workspace.history;
  history.previousTag = 0;
  history.secondPreviousTag = 0;
  for (let position = 0; position < input.tokens.count; position++) {
    const previousTag = history.previousTag;
    if (previousTag === 0 && isSkippedAfterOutside(input, position)) {
      tags[position] = 0;
      history.secondPreviousTag = 0;
      continue;
    }
    history.position = position;
    const count = tagFeatures(input, history, staticFeatures(input, position, features));
    if (stride === 8) addRowsOfEight(table, features, { count, scores });
    else {
      scores.fill(0);
      for (let feature = 0; feature < count; feature++) {
        const base = (features[feature] ?? 0) * stride;
        for (let label = 0; label < classCount; label++) scores[label] = scores[label]! + table[base + label]!;
      }
    }
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let label = 0; label < classCount; label++) {
      const score = scores[label]!;
      if (score > bestScore) {
        best = label;
        bestScore = score;
      }
    }
    tags[position] = best;
    history.secondPreviousTag = previousTag;
    history.previousTag = best;
  }
}

/**
 * The weight rows of `count` features summed into `scores`, for models of up to eight classes
 * (this one has eight): the sums live in locals, so the loop does loads and adds only.
 */
function addRowsOfEight(table: Int16Array, features: Uint32Array, into: { count: number; scores: Int32Array }): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  for (let feature = 0; feature < into.count; feature++) {
    const base = features[feature]! << 3;
    s0 += table[base]!;
    s1 += table[base + 1]!;
    s2 += table[base + 2]!;
    s3 += table[base + 3]!;
    s4 += table[base + 4]!;
    s5 += table[base + 5]!;
    s6 += table[base + 6]!;
    s7 += table[base + 7]!;
  }
  const scores = into.scores;
  scores[0] = s0;
  scores[1] = s1;
  scores[2] = s2;
  scores[3] = s3;
  scores[4] = s4;
  scores[5] = s5;
  scores[6] = s6;
  scores[7] = s7;
}
