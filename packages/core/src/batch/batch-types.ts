import type { ChatRequest, Generation, KeelErrorBody, Usage } from "@keel/spec";
import type { StructuredRequestInput } from "../request/structured-request.ts";

/** One item of a batch: a chat completion, or a structured one (exactly one key). */
export type BatchItemInput = { generate: ChatRequest } | { structured: StructuredRequestInput };

/** A batch: up to `jobs.batch.maxItems` items, each run through the whole pipeline. */
export interface BatchRequestInput {
  items: BatchItemInput[];
  /** Items in flight at once; at most (and by default) `jobs.batch.concurrency`. */
  concurrency?: number;
}

/** How one item ended: its own envelope, or its own typed error. `index` is its place in the input. */
export type BatchItemResult =
  | { index: number; ok: true; generation: Generation; error?: undefined }
  | { index: number; ok: false; error: KeelErrorBody; generation?: undefined };

/** Sums over the batch; usage and cost are those of the items that succeeded. */
export interface BatchTotals {
  items: number;
  successes: number;
  failures: number;
  usage: Usage;
  costUsd: number;
  /** The batch's wall-clock time. */
  latencyMs: number;
}

/** The batch's answer: every item in input order, and the totals. */
export interface BatchResult {
  items: BatchItemResult[];
  totals: BatchTotals;
}

/**
 * The streamed batch: one `item` per item as it finishes (in finishing order), then one `done`
 * with the totals; or a single `error` when the batch as a whole is refused (bad input, too
 * many items) before any item ran.
 */
export type BatchStreamEvent =
  | { type: "item"; item: BatchItemResult; completed: number; total: number }
  | { type: "done"; totals: BatchTotals }
  | { type: "error"; error: KeelErrorBody };
