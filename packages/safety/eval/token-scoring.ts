import { isWordCode } from "../src/pii/char-codes.ts";

/**
 * Token-level scoring, the scheme of Presidio-research's evaluator: the text is cut into tokens
 * (maximal runs of letters, digits and marks; punctuation and spaces are not scored), each token
 * takes the type of the gold span that covers any of it, and likewise of the predicted span.
 * Per type, a token labelled with it on both sides is a true positive, on the predicted side
 * only a false positive, on the gold side only a false negative. Tokens outside every span on
 * both sides are not counted. Boundaries that differ by punctuation or by how an address is cut
 * into parts cost only the tokens that differ.
 */

export interface TypedSpan {
  type: string;
  start: number;
  end: number;
}

export interface TypeCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** Names that mean the same type: Presidio's LOCATION is the data's GPE, a URL is labelled DOMAIN_NAME. */
const typeAliases: Readonly<Record<string, string>> = { LOCATION: "GPE", URL: "DOMAIN_NAME" };

export function canonicalType(type: string): string {
  return typeAliases[type] ?? type;
}

export function countTokens(text: string, spans: { gold: readonly TypedSpan[]; predicted: readonly TypedSpan[] }) {
  const gold = labelCharacters(text.length, spans.gold);
  const predicted = labelCharacters(text.length, spans.predicted);
  const counts = new Map<string, TypeCounts>();
  const countsOf = (type: string): TypeCounts => {
    let entry = counts.get(type);
    if (!entry) {
      entry = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
      counts.set(type, entry);
    }
    return entry;
  };
  let index = 0;
  while (index < text.length) {
    if (!isWordCode(text.charCodeAt(index))) {
      index++;
      continue;
    }
    let goldType = "";
    let predictedType = "";
    while (index < text.length && isWordCode(text.charCodeAt(index))) {
      goldType ||= gold[index] ?? "";
      predictedType ||= predicted[index] ?? "";
      index++;
    }
    if (goldType && goldType === predictedType) countsOf(goldType).truePositives++;
    else {
      if (goldType) countsOf(goldType).falseNegatives++;
      if (predictedType) countsOf(predictedType).falsePositives++;
    }
  }
  return counts;
}

function labelCharacters(length: number, spans: readonly TypedSpan[]): string[] {
  const labels = new Array<string>(length).fill("");
  for (const span of spans) {
    const type = canonicalType(span.type);
    for (let index = Math.max(0, span.start); index < Math.min(length, span.end); index++) labels[index] ||= type;
  }
  return labels;
}

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  f2: number;
  /** Gold tokens of the type. */
  support: number;
}

export function scoresOf(counts: TypeCounts): Scores {
  const { truePositives, falsePositives, falseNegatives } = counts;
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives);
  return {
    precision,
    recall,
    f1: fBeta({ precision, recall, beta: 1 }),
    f2: fBeta({ precision, recall, beta: 2 }),
    support: truePositives + falseNegatives,
  };
}

function fBeta(values: { precision: number; recall: number; beta: number }): number {
  const { precision, recall, beta } = values;
  const squared = beta * beta;
  const denominator = squared * precision + recall;
  return denominator === 0 ? 0 : ((1 + squared) * precision * recall) / denominator;
}

export function addCounts(total: TypeCounts, more: TypeCounts): void {
  total.truePositives += more.truePositives;
  total.falsePositives += more.falsePositives;
  total.falseNegatives += more.falseNegatives;
}
