import {
  type FeatureInput,
  isSkippedAfterOutside,
  maximumFeatures,
  staticFeatures,
  type TagHistory,
  tagFeatures,
} from "../../src/ner/features.ts";

/** One training sentence, its static features computed once: tokens x features, flattened. */
export interface PreparedSentence {
  input: FeatureInput;
  featureOffsets: Uint32Array;
  features: Uint32Array;
  gold: Uint8Array;
  /** Tokens the tagger skips after an O tag (see isSkippedAfterOutside). */
  skippable: Uint8Array;
}

export function prepareSentence(input: FeatureInput, gold: Uint8Array): PreparedSentence {
  const count = input.tokens.count;
  const offsets = new Uint32Array(count + 1);
  const buffer = new Uint32Array(maximumFeatures);
  const all: number[] = [];
  const skippable = new Uint8Array(count);
  for (let position = 0; position < count; position++) {
    const written = staticFeatures(input, position, buffer);
    for (let index = 0; index < written; index++) all.push(buffer[index] ?? 0);
    offsets[position + 1] = all.length;
    skippable[position] = isSkippedAfterOutside(input, position) ? 1 : 0;
  }
  // Keep only what tagFeatures needs later: the token hashes and shapes, copied out of the shared buffers.
  const tokens = {
    ...input.tokens,
    hashes: input.tokens.hashes.slice(0, count),
    shapes: input.tokens.shapes.slice(0, count),
  };
  return {
    input: { ...input, tokens, text: "" },
    featureOffsets: offsets,
    features: Uint32Array.from(all),
    gold,
    skippable,
  };
}

/**
 * An averaged perceptron over hashed features (Collins 2002), greedy left to right with the
 * predicted previous tags as features, as the tagger decodes. Averages are kept lazily: each
 * weight remembers when it last changed.
 */
export class AveragedPerceptron {
  readonly weights: Float32Array;
  private readonly totals: Float64Array;
  private readonly stamps: Int32Array;
  private step = 1;
  private readonly scores: Float64Array;
  private readonly buffer = new Uint32Array(maximumFeatures * 2);
  private readonly history: TagHistory = { position: 0, previousTag: 0, secondPreviousTag: 0, buffer: this.buffer };

  constructor(private readonly shape: { buckets: number; classCount: number }) {
    const size = shape.buckets * shape.classCount;
    this.weights = new Float32Array(size);
    this.totals = new Float64Array(size);
    this.stamps = new Int32Array(size);
    this.scores = new Float64Array(shape.classCount);
  }

  /** Tags one sentence and updates on every wrong token; returns the number of mistakes. */
  train(sentence: PreparedSentence): number {
    const classCount = this.shape.classCount;
    let mistakes = 0;
    let previousTag = 0;
    let secondPreviousTag = 0;
    for (let position = 0; position < sentence.gold.length; position++) {
      if (previousTag === 0 && sentence.skippable[position] === 1) {
        secondPreviousTag = 0;
        this.step++;
        continue;
      }
      const count = this.collect(sentence, { position, previousTag, secondPreviousTag });
      const predicted = this.best(count);
      const gold = sentence.gold[position] ?? 0;
      if (predicted !== gold) {
        mistakes++;
        for (let index = 0; index < count; index++) {
          const base = (this.buffer[index] ?? 0) * classCount;
          this.update(base + gold, 1);
          this.update(base + predicted, -1);
        }
      }
      this.step++;
      secondPreviousTag = previousTag;
      previousTag = predicted;
    }
    return mistakes;
  }

  private collect(
    sentence: PreparedSentence,
    at: { position: number; previousTag: number; secondPreviousTag: number },
  ): number {
    const from = sentence.featureOffsets[at.position] ?? 0;
    const to = sentence.featureOffsets[at.position + 1] ?? 0;
    for (let index = from; index < to; index++) this.buffer[index - from] = sentence.features[index] ?? 0;
    this.history.position = at.position;
    this.history.previousTag = at.previousTag;
    this.history.secondPreviousTag = at.secondPreviousTag;
    return tagFeatures(sentence.input, this.history, to - from);
  }

  private best(count: number): number {
    const classCount = this.shape.classCount;
    this.scores.fill(0);
    for (let index = 0; index < count; index++) {
      const base = (this.buffer[index] ?? 0) * classCount;
      for (let label = 0; label < classCount; label++)
        this.scores[label] = (this.scores[label] ?? 0) + (this.weights[base + label] ?? 0);
    }
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let label = 0; label < classCount; label++) {
      const score = this.scores[label] ?? 0;
      if (score > bestScore) {
        best = label;
        bestScore = score;
      }
    }
    return best;
  }

  private update(index: number, delta: number): void {
    const weight = this.weights[index] ?? 0;
    this.totals[index] = (this.totals[index] ?? 0) + (this.step - (this.stamps[index] ?? 0)) * weight;
    this.stamps[index] = this.step;
    this.weights[index] = weight + delta;
  }

  /** The averaged weights, replacing the last ones (call once, after the last epoch). */
  average(): Float32Array {
    for (let index = 0; index < this.weights.length; index++) {
      const weight = this.weights[index] ?? 0;
      const total = (this.totals[index] ?? 0) + (this.step - (this.stamps[index] ?? 0)) * weight;
      this.weights[index] = total / this.step;
    }
    return this.weights;
  }
}
