import { KeelError } from "@keel/spec";
import { centroid, dot, normalise } from "./vectors.ts";

/** A label and embeddings of its example texts. */
export interface LabelExamples {
  label: string;
  embeddings: number[][];
}

/**
 * - `centroid`: each label is the normalised mean of its examples; the score is the
 *   cosine similarity to it. Cheap (one comparison per label), robust when examples agree.
 * - `knn`: each label scores the mean cosine similarity of its k examples most similar to
 *   the text (k = 1: nearest neighbour). Better when a label's examples are varied.
 */
export interface EmbeddingClassifierOptions {
  method?: "centroid" | "knn";
  /** For knn. Default 3. */
  k?: number;
}

export interface Classification {
  label: string;
  /** Cosine similarity in [-1, 1] (centroid), or the mean of the k best (knn). */
  score: number;
  /** The best other label, or null when there is only one label. */
  runnerUp: { label: string; score: number } | null;
  /** score − runnerUp.score: how clear the decision was (0 with one label). */
  margin: number;
}

export interface EmbeddingClassifier {
  /** One classification per input embedding, in order. */
  classify(inputs: number[][]): Classification[];
}

interface PreparedLabel {
  label: string;
  examples: Float64Array[];
  centroid: Float64Array;
}

/** Prepares a label set once (normalised examples, centroids), for any number of classify calls. */
export function createEmbeddingClassifier(
  labels: LabelExamples[],
  options: EmbeddingClassifierOptions = {},
): EmbeddingClassifier {
  const method = options.method ?? "centroid";
  const k = options.k ?? 3;
  if (method !== "centroid" && method !== "knn") {
    throw new KeelError("BAD_REQUEST", 'method must be "centroid" or "knn"', { details: { field: "method" } });
  }
  if (!Number.isSafeInteger(k) || k < 1)
    throw new KeelError("BAD_REQUEST", "k must be a positive integer", { details: { field: "k" } });
  if (!Array.isArray(labels) || labels.length === 0) {
    throw new KeelError("BAD_REQUEST", "labels must list at least one label", { details: { field: "labels" } });
  }
  const seen = new Set<string>();
  let dimensions: number | undefined;
  const prepared: PreparedLabel[] = labels.map((entry, labelIndex) => {
    const field = `labels.${labelIndex}`;
    if (typeof entry.label !== "string" || entry.label.length === 0 || seen.has(entry.label)) {
      throw new KeelError("BAD_REQUEST", `${field}.label must be a name of its own`, {
        details: { field: `${field}.label` },
      });
    }
    seen.add(entry.label);
    if (!Array.isArray(entry.embeddings) || entry.embeddings.length === 0) {
      throw new KeelError("BAD_REQUEST", `${field}.embeddings must hold at least one example`, {
        details: { field: `${field}.embeddings` },
      });
    }
    const examples = entry.embeddings.map((vector, index) => {
      const unit = normalise(vector, `${field}.embeddings.${index}`);
      dimensions = checkDimensions(dimensions, unit.length, `${field}.embeddings.${index}`);
      return unit;
    });
    return { label: entry.label, examples, centroid: centroid(examples) };
  });

  const scoreOf = (label: PreparedLabel, input: Float64Array): number => {
    if (method === "centroid") return dot(label.centroid, input);
    const similarities = label.examples.map((example) => dot(example, input)).sort((left, right) => right - left);
    const best = similarities.slice(0, k);
    return best.reduce((sum, value) => sum + value, 0) / best.length;
  };

  return {
    classify(inputs) {
      if (!Array.isArray(inputs))
        throw new KeelError("BAD_REQUEST", "inputs must be a list of embeddings", { details: { field: "inputs" } });
      return inputs.map((vector, inputIndex) => {
        const input = normalise(vector, `inputs.${inputIndex}`);
        checkDimensions(dimensions, input.length, `inputs.${inputIndex}`);
        // Stable sort: on a tie the label listed first wins.
        const ranked = prepared
          .map((label) => ({ label: label.label, score: scoreOf(label, input) }))
          .sort((left, right) => right.score - left.score);
        const [best, second] = ranked as [
          { label: string; score: number },
          { label: string; score: number } | undefined,
        ];
        return {
          label: best.label,
          score: best.score,
          runnerUp: second ? { label: second.label, score: second.score } : null,
          margin: second ? best.score - second.score : 0,
        };
      });
    },
  };
}

/** Classifies input embeddings against labelled example embeddings in one call. */
export function classifyEmbeddings(options: {
  labels: LabelExamples[];
  inputs: number[][];
  method?: EmbeddingClassifierOptions["method"];
  k?: number;
}): Classification[] {
  return createEmbeddingClassifier(options.labels, { method: options.method, k: options.k }).classify(options.inputs);
}

function checkDimensions(expected: number | undefined, actual: number, field: string): number {
  if (expected !== undefined && expected !== actual) {
    throw new KeelError("BAD_REQUEST", `${field} has ${actual} dimensions, the others ${expected}`, {
      details: { field },
    });
  }
  return actual;
}
