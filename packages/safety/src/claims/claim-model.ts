import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CLAIM_FEATURES } from "./claim-features.ts";

/** A logistic model over the claim features: the probability that a claim is unsupported. */
export interface ClaimModel {
  version: string;
  features: readonly string[];
  weights: readonly number[];
  bias: number;
  /** Support at or above which a claim counts as supported. */
  threshold: number;
  trainedOn?: unknown;
}

const WEIGHTS_PATH = resolve(import.meta.dirname, "weights/claims.json");
let shipped: ClaimModel | undefined;

export function claimModel(): ClaimModel {
  if (shipped !== undefined) return shipped;
  const model = JSON.parse(readFileSync(WEIGHTS_PATH, "utf8")) as ClaimModel;
  if (model.features.join() !== CLAIM_FEATURES.join())
    throw new Error("claims.json was trained on other features; run train:claims");
  shipped = model;
  return model;
}

/** Support in [0, 1]: one minus the model's probability that the claim is unsupported. */
export function supportScore(model: Pick<ClaimModel, "weights" | "bias">, features: readonly number[]): number {
  let raw = model.bias;
  features.forEach((value, index) => {
    raw += value * (model.weights[index] ?? 0);
  });
  return 1 - 1 / (1 + Math.exp(-raw));
}
