/**
 * Trains the claim-support model: logistic regression over the claim features of each
 * answer in the claims training split (HaluEval QA), against the passage BM25 ranks first.
 * Full-batch gradient descent from zero weights: deterministic. The threshold is the one
 * with the best training accuracy.
 *
 *   pnpm --filter @keel/safety train:claims
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { readJsonLinesFile, rocAuc } from "../eval/metrics.ts";
import { Bm25Index } from "../src/claims/bm25-index.ts";
import { CLAIM_FEATURES, claimFeatures, prepareEvidence } from "../src/claims/claim-features.ts";
import type { ClaimModel } from "../src/claims/claim-model.ts";
import { supportScore } from "../src/claims/claim-model.ts";
import { chunkKnowledge } from "../src/claims/knowledge-base.ts";
import { splitClaims } from "../src/claims/split-claims.ts";
import type { ClaimRow } from "../eval/tasks/claim-rows.ts";

const DATA = resolve(import.meta.dirname, "../eval/data/claims-train.jsonl");
const WEIGHTS = resolve(import.meta.dirname, "../src/claims/weights/claims.json");
const STEPS = 3000;
const LEARNING_RATE = 0.5;
const L2 = 1e-3;

const rows = readJsonLinesFile<ClaimRow>(DATA);
const examples = rows.flatMap((row) => {
  const passages = chunkKnowledge(row.knowledge);
  const index = new Bm25Index(passages);
  const question = prepareEvidence(row.question);
  return splitClaims(row.answer).map((span) => {
    const claim = row.answer.slice(span.start, span.end);
    const best = index.search(`${claim} ${row.question}`, 1)[0];
    const passage = prepareEvidence(best === undefined ? "" : passages[best.index]!.text);
    return { features: claimFeatures(claim, { passage, question }), label: row.label === 1 ? 1 : 0 };
  });
});

const weights = new Array<number>(CLAIM_FEATURES.length).fill(0);
let bias = 0;
for (let step = 0; step < STEPS; step++) {
  const gradient = new Array<number>(weights.length).fill(0);
  let biasGradient = 0;
  for (const example of examples) {
    // supportScore is 1 - P(unsupported); the model's positive class is "unsupported".
    const error = 1 - supportScore({ weights, bias }, example.features) - example.label;
    example.features.forEach((value, index) => {
      gradient[index]! += error * value;
    });
    biasGradient += error;
  }
  weights.forEach((weight, index) => {
    weights[index] = weight - LEARNING_RATE * (gradient[index]! / examples.length + L2 * weight);
  });
  bias -= (LEARNING_RATE * biasGradient) / examples.length;
}

const unsupported = examples.map((example) => 1 - supportScore({ weights, bias }, example.features));
const labels = examples.map((example) => example.label);
let best = { threshold: 0.5, accuracy: 0 };
for (let threshold = 0.05; threshold < 0.96; threshold += 0.01) {
  const accuracy =
    unsupported.filter((score, index) => (1 - score < threshold ? 1 : 0) === labels[index]).length / examples.length;
  if (accuracy > best.accuracy) best = { threshold: Math.round(threshold * 100) / 100, accuracy };
}
const model: ClaimModel = {
  version: "2026-12-02",
  features: CLAIM_FEATURES,
  weights: weights.map((weight) => Math.round(weight * 10_000) / 10_000),
  bias: Math.round(bias * 10_000) / 10_000,
  threshold: best.threshold,
  trainedOn: {
    data: "claims-train.jsonl",
    examples: examples.length,
    steps: STEPS,
    learningRate: LEARNING_RATE,
    l2: L2,
    trainAuc: rocAuc(unsupported, labels),
    trainAccuracy: best.accuracy,
  },
};
writeFileSync(WEIGHTS, `${JSON.stringify(model, null, 2)}\n`);
console.log(
  Object.fromEntries(CLAIM_FEATURES.map((name, index) => [name, model.weights[index]])),
  "bias",
  model.bias,
  "threshold",
  best.threshold,
  "train AUC",
  rocAuc(unsupported, labels).toFixed(4),
);
