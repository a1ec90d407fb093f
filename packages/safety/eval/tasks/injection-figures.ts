import { readJsonLinesFile, rocAuc } from "../metrics.ts";
import type { InjectionDetector } from "../../src/injection/injection-detector.ts";
import { type EvalReport, formatTable, round4 } from "../eval-task.ts";

/** TPR and FPR at the detector's shipped threshold, and ROC AUC, over `{ text, label }` rows. */
export function injectionFigures(path: string, detector: InjectionDetector): EvalReport {
  const rows = readJsonLinesFile<{ text: string; label: number }>(path);
  const scores = rows.map((row) => detector.score(row.text));
  const labels = rows.map((row) => (row.label === 1 ? 1 : 0));
  const positives = labels.filter((label) => label === 1).length;
  const negatives = labels.length - positives;
  const truePositives = scores.filter((score, index) => score >= detector.threshold && labels[index] === 1).length;
  const falsePositives = scores.filter((score, index) => score >= detector.threshold && labels[index] === 0).length;
  const summary = {
    channel: detector.channel,
    rows: rows.length,
    positives,
    negatives,
    threshold: detector.threshold,
    tpr: round4(positives === 0 ? 0 : truePositives / positives),
    fpr: round4(negatives === 0 ? 0 : falsePositives / negatives),
    auc: round4(rocAuc(scores, labels)),
  };
  return { table: formatTable(`injection (${detector.channel} channel): ${path}`, summary), summary };
}
