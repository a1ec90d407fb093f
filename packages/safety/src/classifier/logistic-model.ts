import { readFileSync } from "node:fs";
import { type FeatureSettings, featureBuckets } from "./hashed-features.ts";

/**
 * A logistic model over hashed features: score = sigmoid(bias + sum(weights) / sqrt(count)),
 * so texts of any length land on the same scale.
 */
export interface LogisticModel {
  readonly name: string;
  readonly version: string;
  readonly settings: FeatureSettings;
  readonly bias: number;
  readonly weights: Float32Array;
  /** The shipped decision threshold on the detector's final score, when the model has one. */
  readonly threshold?: number;
}

/** The saved form: weights quantised to int8 (base64) with one scale, a few hundred kilobytes. */
export interface SavedModel {
  name: string;
  version: string;
  settings: FeatureSettings;
  bias: number;
  scale: number;
  weights: string;
  threshold?: number;
  /** Training facts (data, epochs, seeds) for whoever reads the file. */
  trainedOn?: unknown;
}

/** The raw score before the sigmoid, for combining with other evidence. */
export function logit(model: LogisticModel, normalisedText: string): number {
  const buckets = featureBuckets(normalisedText, model.settings);
  const weights = model.weights;
  let sum = 0;
  for (let index = 0; index < buckets.length; index++) sum += weights[buckets[index]!]!;
  const count = buckets.length;
  return count === 0 ? model.bias : model.bias + sum / Math.sqrt(Math.max(count, model.settings.minCount ?? 1));
}

export function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

export function saveModel(model: LogisticModel, trainedOn: unknown): SavedModel {
  let largest = 0;
  for (const weight of model.weights) largest = Math.max(largest, Math.abs(weight));
  const scale = largest === 0 ? 1 : largest / 127;
  const quantised = Int8Array.from(model.weights, (weight) => Math.round(weight / scale));
  return {
    name: model.name,
    version: model.version,
    settings: model.settings,
    bias: model.bias,
    ...(model.threshold === undefined ? {} : { threshold: model.threshold }),
    scale,
    weights: Buffer.from(quantised.buffer).toString("base64"),
    trainedOn,
  };
}

export function loadModel(saved: SavedModel): LogisticModel {
  const bytes = Buffer.from(saved.weights, "base64");
  const quantised = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  if (quantised.length !== 1 << saved.settings.bits)
    throw new Error(`${saved.name}: expected ${1 << saved.settings.bits} weights, found ${quantised.length}`);
  return {
    name: saved.name,
    version: saved.version,
    settings: saved.settings,
    bias: saved.bias,
    weights: dequantise(quantised, saved.scale),
    ...(saved.threshold === undefined ? {} : { threshold: saved.threshold }),
  };
}

export function loadModelFile(path: string): LogisticModel {
  return loadModel(JSON.parse(readFileSync(path, "utf8")) as SavedModel);
}

/** A plain loop: Float32Array.from with a mapping callback took a quarter second per model. */
function dequantise(quantised: Int8Array, scale: number): Float32Array {
  const weights = new Float32Array(quantised.length);
  for (let index = 0; index < quantised.length; index++) weights[index] = quantised[index]! * scale;
  return weights;
}
