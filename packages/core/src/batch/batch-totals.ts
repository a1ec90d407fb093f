import { addUsd } from "@keel/spec";
import type { BatchItemResult, BatchTotals } from "./batch-types.ts";

/** Sums over the items; usage and cost count the items that succeeded (a failed item's envelope does not exist). */
export function batchTotals(results: readonly BatchItemResult[], latencyMs: number): BatchTotals {
  const totals: BatchTotals = {
    items: results.length,
    successes: 0,
    failures: 0,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    costUsd: 0,
    latencyMs,
  };
  for (const result of results) {
    if (!result.ok) {
      totals.failures += 1;
      continue;
    }
    totals.successes += 1;
    const { usage, costUsd } = result.generation;
    totals.usage.promptTokens += usage.promptTokens;
    totals.usage.completionTokens += usage.completionTokens;
    totals.usage.totalTokens += usage.totalTokens;
    totals.costUsd = addUsd(totals.costUsd, costUsd);
  }
  return totals;
}
