import type { LogisticModel } from "./logistic-model.ts";
import type { FeatureSettings } from "./hashed-features.ts";
import { seededRandom } from "./seeded-random.ts";

export interface TrainingExample {
  buckets: Int32Array;
  label: 0 | 1;
  /** Relative importance, 1 by default (generated rows may count less than real ones). */
  weight?: number;
}

export interface TrainingOptions {
  name: string;
  version: string;
  settings: FeatureSettings;
  epochs: number;
  /** L2 penalty per example step. */
  l2: number;
  learningRate: number;
  seed: number;
}

/**
 * Logistic regression by AdaGrad over shuffled examples, with the classes weighted to
 * balance and a seeded shuffle, so the same data and options give the same weights.
 */
export function trainLogistic(examples: readonly TrainingExample[], options: TrainingOptions): LogisticModel {
  const size = 1 << options.settings.bits;
  const weights = new Float32Array(size);
  const squaredGradients = new Float32Array(size).fill(1e-6);
  let bias = 0;
  let biasSquared = 1e-6;
  const positives = examples.filter((example) => example.label === 1).length;
  const classWeight = [
    examples.length / (2 * Math.max(1, examples.length - positives)),
    examples.length / (2 * Math.max(1, positives)),
  ];
  const order = examples.map((_, index) => index);
  const random = seededRandom(options.seed);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (const index of order) {
      const example = examples[index]!;
      const count = Math.max(example.buckets.length, options.settings.minCount ?? 1);
      const scale = example.buckets.length === 0 ? 0 : 1 / Math.sqrt(count);
      let raw = bias;
      for (const bucket of example.buckets) raw += weights[bucket]! * scale;
      const predicted = 1 / (1 + Math.exp(-raw));
      const gradient = (predicted - example.label) * classWeight[example.label]! * (example.weight ?? 1);
      for (const bucket of example.buckets) {
        const step = gradient * scale + options.l2 * weights[bucket]!;
        squaredGradients[bucket]! += step * step;
        weights[bucket]! -= (options.learningRate * step) / Math.sqrt(squaredGradients[bucket]!);
      }
      biasSquared += gradient * gradient;
      bias -= (options.learningRate * gradient) / Math.sqrt(biasSquared);
    }
  }
  return { name: options.name, version: options.version, settings: options.settings, bias, weights };
}

function shuffle(order: number[], random: () => number): void {
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
}
