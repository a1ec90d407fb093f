import { readFileSync } from "node:fs";

/** Area under the ROC curve: the chance a random positive outscores a random negative (ties count half). */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores
    .map((score, index) => ({ score, label: labels[index]! }))
    .sort((left, right) => left.score - right.score);
  let positives = 0;
  let negatives = 0;
  let rankSum = 0;
  for (let index = 0; index < order.length; ) {
    let end = index;
    while (end < order.length && order[end]!.score === order[index]!.score) end++;
    const averageRank = (index + 1 + end) / 2;
    for (let tied = index; tied < end; tied++) {
      if (order[tied]!.label === 1) {
        positives++;
        rankSum += averageRank;
      } else negatives++;
    }
    index = end;
  }
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface Confusion {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

export function confusion(predicted: readonly boolean[], labels: readonly number[]): Confusion {
  const counts: Confusion = { truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0 };
  predicted.forEach((flag, index) => {
    const positive = labels[index] === 1;
    if (flag && positive) counts.truePositives++;
    else if (flag) counts.falsePositives++;
    else if (positive) counts.falseNegatives++;
    else counts.trueNegatives++;
  });
  return counts;
}

export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Precision, recall and F1 of the positive class, and of the negative class, their macro mean and accuracy. */
export function classification(counts: Confusion) {
  const f1 = (precision: number, recall: number) => ratio(2 * precision * recall, precision + recall);
  const precision = ratio(counts.truePositives, counts.truePositives + counts.falsePositives);
  const recall = ratio(counts.truePositives, counts.truePositives + counts.falseNegatives);
  const negativePrecision = ratio(counts.trueNegatives, counts.trueNegatives + counts.falseNegatives);
  const negativeRecall = ratio(counts.trueNegatives, counts.trueNegatives + counts.falsePositives);
  const total = counts.truePositives + counts.falsePositives + counts.trueNegatives + counts.falseNegatives;
  return {
    precision,
    recall,
    f1: f1(precision, recall),
    macroF1: (f1(precision, recall) + f1(negativePrecision, negativeRecall)) / 2,
    accuracy: ratio(counts.truePositives + counts.trueNegatives, total),
  };
}

/** The lowest threshold whose false-positive rate on `scores` stays at or under `fpr`. */
export function thresholdForFpr(scores: readonly number[], labels: readonly number[], fpr: number): number {
  const negatives = scores.filter((_, index) => labels[index] !== 1).sort((left, right) => right - left);
  const allowed = Math.floor(negatives.length * fpr);
  const boundary = negatives[allowed];
  return boundary === undefined ? 0.5 : Math.min(0.999, boundary + 1e-6);
}

export function readJsonLinesFile<Row>(path: string): Row[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Row);
}
