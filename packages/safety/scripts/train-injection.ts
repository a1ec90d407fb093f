/**
 * Trains the injection classifiers, one per channel, and picks each channel's threshold
 * from out-of-fold scores on the training split (5 folds), so the dev split stays unseen.
 *
 *   pnpm --filter @keel/safety train:injection
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { rocAuc, thresholdForFpr, readJsonLinesFile } from "../eval/metrics.ts";
import { fnvHash } from "../src/classifier/fnv-hash.ts";
import { featureBuckets, type FeatureSettings } from "../src/classifier/hashed-features.ts";
import { type LogisticModel, saveModel } from "../src/classifier/logistic-model.ts";
import { seededRandom } from "../src/classifier/seeded-random.ts";
import { type TrainingExample, trainLogistic } from "../src/classifier/train-logistic.ts";
import {
  type InjectionChannel,
  injectionEvidence,
  injectionScore,
  requestTails,
} from "../src/injection/score-injection.ts";
import { segmentText } from "../src/text/segment-text.ts";
import { INJECTION_RULES } from "../src/injection/injection-rules.ts";
import { normaliseText } from "../src/text/normalise-text.ts";

interface Row {
  text: string;
  label: 0 | 1;
  source: string;
  channel?: "user" | "document" | "both";
  category?: string;
}

const DATA = resolve(import.meta.dirname, "../eval/data");
const WEIGHTS = resolve(import.meta.dirname, "../src/injection/weights");
const VERSION = "2026-12-02";
const SETTINGS: FeatureSettings = { bits: 18, charGrams: [3, 5], wordGrams: 2, minCount: 60 };
const TRAINING = { epochs: 8, l2: 1e-5, learningRate: 0.2, seed: 7 };
/**
 * Thresholds are picked for these false-positive rates out of fold, under the 5 % target
 * with a margin, since out-of-fold estimates on 140 benign turns and a few dozen attacks are
 * noisy, and over-defence on benign requests is the failure users see most.
 */
const TARGET_FPR: Record<InjectionChannel, number> = { user: 0.02, document: 0.03 };
const FOLDS = 5;

const read = (name: string) => readJsonLinesFile<Row>(resolve(DATA, name));
const userTurns = read("injection-train.jsonl");
const generated = read("injection-generated.jsonl");
const documents = read("injection-docs-train.jsonl").filter((row) => row.label === 0);
const fold = (text: string) => fnvHash(text, 0x1234567) % FOLDS;

// User channel: whole turns, real and generated. BIPIA's plain-task attacks ("Suggest weekend
// getaways near San Francisco.") are injections only inside a document: from a user they are
// ordinary requests, and teaching the user model otherwise flags every benign request.
const PLAIN_TASKS = new Set([
  "Task Automation",
  "Business Intelligence",
  "Conversational Agent",
  "Research Assistance",
  "Sentiment Analysis",
]);
const userRows = [
  ...userTurns.filter((row) => !PLAIN_TASKS.has(row.category ?? "")),
  ...generated.filter((row) => row.channel !== "document"),
];
const userExamples = (rows: readonly Row[]) =>
  rows.map((row) => ({
    buckets: featureBuckets(normaliseText(row.text).text, SETTINGS),
    label: row.label,
    weight: row.source.startsWith("generated") ? 0.5 : 1,
  }));

// Document channel: each segment of a clean document is a negative. An attack is a positive
// as a whole and by its first segment and the segments a rule matches; its other segments
// (the code it asks to include, a persona's back story) are left out, neither label fits.
const attacks = [...userTurns.filter((row) => row.label === 1), ...generated.filter((row) => row.channel !== "user")];
const segmentExamples = (text: string, label: 0 | 1, weight: number): TrainingExample[] => {
  const normalised = normaliseText(text).text;
  const all = segmentText(normalised);
  // A clean document is negative in every region the detector scores, request tails included.
  const segments =
    label === 0
      ? [...all, ...requestTails(normalised, all)]
      : all.filter(
          (segment, index) =>
            index === 0 ||
            INJECTION_RULES.some((rule) => matches(rule.pattern, normalised.slice(segment.start, segment.end))),
        );
  const pieces = segments.map((segment) => normalised.slice(segment.start, segment.end));
  if (label === 1 && all.length > 1 && normalised.length <= 600) pieces.push(normalised);
  return pieces.map((piece) => ({ buckets: featureBuckets(piece, SETTINGS), label, weight }));
};
const matches = (pattern: RegExp, text: string) => {
  pattern.lastIndex = 0;
  return pattern.test(text);
};
const documentExamples = (contexts: readonly Row[], attackRows: readonly Row[]) => [
  ...contexts.flatMap((row) => segmentExamples(row.text, 0, 1)),
  ...attackRows.flatMap((row) => segmentExamples(row.text, row.label, row.source.startsWith("generated") ? 1 : 2)),
];

function train(channel: InjectionChannel, examples: TrainingExample[]): LogisticModel {
  return trainLogistic(examples, { name: `injection-${channel}`, version: VERSION, settings: SETTINGS, ...TRAINING });
}

function score(channel: InjectionChannel, model: LogisticModel, text: string): number {
  return injectionScore(injectionEvidence(normaliseText(text), { channel, model }));
}

/** Documents to judge a document model by: clean contexts, and the same contexts with an attack inserted. */
function documentTrials(contexts: readonly Row[], attackRows: readonly Row[]): { text: string; label: number }[] {
  const real = attackRows.filter((row) => !row.source.startsWith("generated") && row.label === 1);
  return contexts.flatMap((row) => {
    const random = seededRandom(fnvHash(row.text));
    const attack = real[Math.floor(random() * real.length)]?.text ?? "";
    const words = row.text.split(" ");
    const position = Math.floor(random() * (words.length + 1));
    const injected = [...words.slice(0, position), attack, ...words.slice(position)].join(" ");
    return [
      { text: row.text, label: 0 },
      { text: injected, label: 1 },
    ];
  });
}

function outOfFold(channel: InjectionChannel): { scores: number[]; labels: number[] } {
  const scores: number[] = [];
  const labels: number[] = [];
  for (let index = 0; index < FOLDS; index++) {
    const held = (row: Row) => fold(row.text) === index;
    if (channel === "user") {
      const model = train(channel, userExamples(userRows.filter((row) => !held(row))));
      for (const row of userTurns.filter((row) => held(row) && !PLAIN_TASKS.has(row.category ?? ""))) {
        scores.push(score(channel, model, row.text));
        labels.push(row.label);
      }
    } else {
      const model = train(
        channel,
        documentExamples(
          documents.filter((row) => !held(row)),
          attacks.filter((row) => !held(row)),
        ),
      );
      for (const trial of documentTrials(documents.filter(held), attacks.filter(held))) {
        scores.push(score(channel, model, trial.text));
        labels.push(trial.label);
      }
    }
  }
  return { scores, labels };
}

for (const channel of ["user", "document"] as const) {
  const started = performance.now();
  const { scores, labels } = outOfFold(channel);
  const threshold = Math.round(thresholdForFpr(scores, labels, TARGET_FPR[channel]) * 1000) / 1000;
  const flagged = scores.map((value) => value >= threshold);
  const tpr =
    flagged.filter((flag, index) => flag && labels[index] === 1).length / labels.filter((label) => label === 1).length;
  const examples = channel === "user" ? userExamples(userRows) : documentExamples(documents, attacks);
  const model = { ...train(channel, examples), threshold };
  const trainedOn = {
    data:
      channel === "user"
        ? ["injection-train.jsonl", "injection-generated.jsonl"]
        : ["injection-docs-train.jsonl (clean)", "injection-train.jsonl (attacks)", "injection-generated.jsonl"],
    examples: examples.length,
    ...TRAINING,
    outOfFold: { auc: rocAuc(scores, labels), tpr, targetFpr: TARGET_FPR[channel] },
  };
  writeFileSync(resolve(WEIGHTS, `injection-${channel}.json`), JSON.stringify(saveModel(model, trainedOn)));
  console.log(
    channel,
    JSON.stringify(trainedOn.outOfFold),
    "threshold",
    threshold,
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
