import { z } from "zod";
import { parseWith } from "../request/parse-request.ts";

/**
 * The `classify` operation's input: texts, and labels given as example texts per label
 * (or the name of a label set from the config's `labelSets`). Answered by one embeddings
 * call (examples come from the embedding cache after their first use), never a chat call.
 */
export const classifyRequestSchema = z.strictObject({
  /** An embedding model this deployment serves; optional when the label set names one. */
  model: z.string().min(1).max(200).optional(),
  texts: z.array(z.string().min(1)).min(1, "expected at least one text").max(256),
  /** Labels with example texts; or `labelSet`. */
  labels: z
    .array(
      z.strictObject({
        label: z.string().min(1).max(200),
        examples: z.array(z.string().min(1)).min(1, "expected at least one example").max(64),
      }),
    )
    .min(1, "expected at least one label")
    .max(64)
    .optional(),
  /** The name of a label set from the config's `labelSets`; or `labels`. */
  labelSet: z.string().min(1).max(200).optional(),
  /** centroid (default): each label's mean example; knn: the mean of the k closest examples. */
  method: z.enum(["centroid", "knn"]).optional(),
  /** For knn; default 3. */
  k: z.number().int().min(1).max(64).optional(),
});

export type ClassifyRequest = z.output<typeof classifyRequestSchema>;
export type ClassifyRequestInput = z.input<typeof classifyRequestSchema>;

/** One text's answer: the best label, its score, the runner-up, and how clear the decision was. */
export interface TextClassification {
  label: string;
  /** Cosine similarity (centroid) or the mean of the k best (knn), in [-1, 1]. */
  score: number;
  runnerUp: { label: string; score: number } | null;
  /** score − runnerUp.score (0 with one label). */
  margin: number;
}

export interface ClassifyResult {
  /** The embedding model used. */
  model: string;
  provider: string;
  /** One per text, in order. */
  results: TextClassification[];
  /** Tokens embedded upstream (texts and examples not already in the embedding cache). */
  usage: { promptTokens: number; totalTokens: number };
  /** True when every vector came from the embedding cache. */
  cached: boolean;
  costUsd: number;
  latencyMs: number;
}

export function parseClassifyRequest(input: unknown): ClassifyRequest {
  return parseWith(classifyRequestSchema, input);
}
