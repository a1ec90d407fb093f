import { claimModel } from "../../src/claims/claim-model.ts";
import { type EvalTask, formatTable, round4 } from "../eval-task.ts";
import { readJsonLinesFile, rocAuc } from "../metrics.ts";
import { type ClaimRow, hallucinationScore, lengthControlled } from "./claim-rows.ts";

/**
 * Claims: `{ knowledge, question, answer, label }` rows, label 1 = hallucinated. ROC AUC of
 * the hallucination score, accuracy at the shipped support threshold, and AUC on the
 * length-controlled subset (pairs whose answers' word counts are within 0.8-1.25).
 */
export const task: EvalTask = {
  description: "claim checking: ROC AUC, accuracy at the shipped threshold, AUC on the length-controlled subset",
  async run(path) {
    const rows = readJsonLinesFile<ClaimRow>(path);
    const labels = rows.map((row) => (row.label === 1 ? 1 : 0));
    const scores = await Promise.all(rows.map(hallucinationScore));
    const threshold = claimModel().threshold;
    const correct = scores.filter((score, index) => (1 - score < threshold ? 1 : 0) === labels[index]).length;
    const controlled = lengthControlled(rows);
    const pick = <Value>(values: readonly Value[]) => values.filter((_, index) => controlled[index]);
    const summary = {
      rows: rows.length,
      hallucinated: labels.filter((label) => label === 1).length,
      threshold,
      auc: round4(rocAuc(scores, labels)),
      accuracy: round4(rows.length === 0 ? 0 : correct / rows.length),
      lengthControlledRows: pick(rows).length,
      lengthControlledAuc: round4(rocAuc(pick(scores), pick(labels))),
    };
    return { table: formatTable(`claims: ${path}`, summary), summary };
  },
};
