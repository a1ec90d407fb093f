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
  /**
   * A loaded model's weights as saved: one byte per bucket and the 256 float32 values a byte
   * stands for (`levels[byte]` is exactly `weights[bucket]`). `logit` reads these when present.
   */
  readonly quantised?: QuantisedWeights;
}

export interface QuantisedWeights {
  /** The saved int8 weight of each bucket, read as an unsigned byte. */
  readonly codes: Uint8Array;
  /** `levels[code]` = float32(int8(code) x scale), the value `weights` holds for that code. */
  readonly levels: Float32Array;
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
  let sum = 0;
  const quantised = model.quantised;
  if (quantised !== undefined) {
    // A quarter of the float32 table's memory (256 KB a model): the random reads per n-gram
    // miss the processor's caches far less often. The same float32 values, so the same sum.
    const { codes, levels } = quantised;
    for (let index = 0; index < buckets.length; index++) sum += levels[codes[buckets[index]!]!]!;
  } else {
    const weights = model.weights;
    for (let index = 0; index < buckets.length; index++) sum += weights[buckets[index]!]!;
  }
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
  const codes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  if (codes.length !== 1 << saved.settings.bits)
    throw new Error(`${saved.name}: expected ${1 << saved.settings.bits} weights, found ${codes.length}`);
  const levels = new Float32Array(256);
  for (let code = 0; code < 256; code++) levels[code] = (code < 128 ? code : code - 256) * saved.scale;
  let weights: Float32Array | undefined;
  return {
    name: saved.name,
    version: saved.version,
    settings: saved.settings,
    bias: saved.bias,
    quantised: { codes, levels },
    // Only tools and tests read the float32 table; scoring reads the bytes.
    get weights() {
      weights ??= dequantise(new Int8Array(codes.buffer, codes.byteOffset, codes.length), saved.scale);
      return weights;
    },
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
