/**
 * Trains the toxicity classifier on the toxicity training split (Surge AI + ToxiGen) and
 * picks its threshold as the one with the best out-of-fold macro-F1 (5 folds), so the dev
 * split stays unseen.
 *
 *   pnpm --filter @keel/safety train:toxicity
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { classification, confusion, readJsonLinesFile, rocAuc } from "../eval/metrics.ts";
import { fnvHash } from "../src/classifier/fnv-hash.ts";
import { featureBuckets, type FeatureSettings } from "../src/classifier/hashed-features.ts";
import { logit, saveModel, sigmoid } from "../src/classifier/logistic-model.ts";
import { trainLogistic } from "../src/classifier/train-logistic.ts";
import { normaliseText } from "../src/text/normalise-text.ts";

interface Row {
  text: string;
  label: 0 | 1;
  source: string;
  category?: string;
}

const DATA = resolve(import.meta.dirname, "../eval/data");
const WEIGHTS = resolve(import.meta.dirname, "../src/toxicity/weights/toxicity.json");
const HATE_WEIGHTS = resolve(import.meta.dirname, "../src/toxicity/weights/hate.json");
const SETTINGS: FeatureSettings = { bits: 18, charGrams: [3, 5], wordGrams: 2 };
const OPTIONS = {
  name: "toxicity",
  version: "2026-12-02",
  settings: SETTINGS,
  epochs: 10,
  l2: 1e-5,
  learningRate: 0.2,
  seed: 11,
};
const FOLDS = 5;

const rows = readJsonLinesFile<Row>(resolve(DATA, "toxicity-train.jsonl"));
const examples = rows.map((row) => ({
  buckets: featureBuckets(normaliseText(row.text).text, SETTINGS),
  label: row.label,
}));
const fold = rows.map((row) => fnvHash(row.text, 0x7654321) % FOLDS);

const scores = new Array<number>(rows.length).fill(0);
for (let index = 0; index < FOLDS; index++) {
  const model = trainLogistic(
    examples.filter((_, row) => fold[row] !== index),
    OPTIONS,
  );
  rows.forEach((row, position) => {
    if (fold[position] === index) scores[position] = sigmoid(logit(model, normaliseText(row.text).text));
  });
}
const labels = rows.map((row) => row.label);
let best = { threshold: 0.5, macroF1: 0 };
for (let threshold = 0.2; threshold <= 0.8; threshold += 0.01) {
  const figures = classification(
    confusion(
      scores.map((score) => score >= threshold),
      labels,
    ),
  );
  if (figures.macroF1 > best.macroF1) best = { threshold: Math.round(threshold * 100) / 100, macroF1: figures.macroF1 };
}
const model = { ...trainLogistic(examples, OPTIONS), threshold: best.threshold };
const trainedOn = {
  data: ["toxicity-train.jsonl"],
  examples: examples.length,
  epochs: OPTIONS.epochs,
  l2: OPTIONS.l2,
  learningRate: OPTIONS.learningRate,
  seed: OPTIONS.seed,
  outOfFold: { auc: rocAuc(scores, labels), macroF1: best.macroF1 },
};
writeFileSync(WEIGHTS, JSON.stringify(saveModel(model, trainedOn)));
console.log("toxic", JSON.stringify(trainedOn.outOfFold), "threshold", best.threshold);

// HATE: ToxiGen's hateful statements against its neutral statements about the same groups,
// so the model learns what makes a statement about a group hateful rather than what makes it
// about a group. It speaks only where the toxicity model already flags a window.
const hateRows = rows.filter((row) => row.source.startsWith("toxigen-"));
const hateExamples = hateRows.map((row) => ({
  buckets: featureBuckets(normaliseText(row.text).text, SETTINGS),
  label: row.category === "HATE" ? (1 as const) : (0 as const),
}));
const hateOptions = { ...OPTIONS, name: "hate", seed: 13 };
const hateFold = hateRows.map((row) => fnvHash(row.text, 0x2468ace) % FOLDS);
const hateScores = new Array<number>(hateRows.length).fill(0);
for (let index = 0; index < FOLDS; index++) {
  const foldModel = trainLogistic(
    hateExamples.filter((_, row) => hateFold[row] !== index),
    hateOptions,
  );
  hateRows.forEach((row, position) => {
    if (hateFold[position] === index) hateScores[position] = sigmoid(logit(foldModel, normaliseText(row.text).text));
  });
}
const hateLabels = hateExamples.map((example) => example.label);
let bestHate = { threshold: 0.5, macroF1: 0 };
for (let threshold = 0.2; threshold <= 0.8; threshold += 0.01) {
  const figures = classification(
    confusion(
      hateScores.map((score) => score >= threshold),
      hateLabels,
    ),
  );
  if (figures.macroF1 > bestHate.macroF1)
    bestHate = { threshold: Math.round(threshold * 100) / 100, macroF1: figures.macroF1 };
}
const hateModel = { ...trainLogistic(hateExamples, hateOptions), threshold: bestHate.threshold };
const hateTrainedOn = {
  data: ["toxicity-train.jsonl (toxigen rows)"],
  examples: hateExamples.length,
  outOfFold: { auc: rocAuc(hateScores, hateLabels), macroF1: bestHate.macroF1 },
};
writeFileSync(HATE_WEIGHTS, JSON.stringify(saveModel(hateModel, hateTrainedOn)));
console.log("hate", JSON.stringify(hateTrainedOn.outOfFold), "threshold", bestHate.threshold);
