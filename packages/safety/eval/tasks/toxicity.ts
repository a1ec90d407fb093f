import { createToxicityDetector } from "../../src/toxicity/toxicity-detector.ts";
import { type EvalTask, formatTable, round4 } from "../eval-task.ts";
import { classification, confusion, readJsonLinesFile, rocAuc } from "../metrics.ts";

/**
 * Toxicity: `{ text, label }` rows (label 1 or "toxic"/true = toxic). A row is flagged when
 * the classifier's score reaches the shipped threshold; the profanity list is reported
 * apart, since a swear word alone is not what the labels call toxic.
 */
export const task: EvalTask = {
  description: "toxicity: precision, recall, F1, macro-F1 and accuracy at the shipped threshold",
  run(path) {
    const detector = createToxicityDetector();
    const rows = readJsonLinesFile<{ text: string; label: unknown; source?: string; category?: string }>(path);
    const labels = rows.map((row) => (row.label === 1 || row.label === true || row.label === "toxic" ? 1 : 0));
    const scores = rows.map((row) => detector.score(row.text));
    const figures = classification(
      confusion(
        scores.map((score) => score >= detector.threshold),
        labels,
      ),
    );
    const summary = {
      rows: rows.length,
      positives: labels.filter((label) => label === 1).length,
      threshold: detector.threshold,
      precision: round4(figures.precision),
      recall: round4(figures.recall),
      f1: round4(figures.f1),
      macroF1: round4(figures.macroF1),
      accuracy: round4(figures.accuracy),
      auc: round4(rocAuc(scores, labels)),
    };
    // HATE can be judged only on rows that say which are hateful: ToxiGen's (source "toxigen-*").
    const toxigen = rows.filter((row) => row.source?.startsWith("toxigen-") === true);
    const hate =
      toxigen.length === 0
        ? {}
        : hateFigures(
            toxigen.map((row) => detector.detect(row.text).some((finding) => finding.kind === "HATE")),
            toxigen.map((row) => (row.category === "HATE" ? 1 : 0)),
          );
    const withHate = { ...summary, ...hate };
    return { table: formatTable(`toxicity: ${path}`, withHate), summary: withHate };
  },
};

function hateFigures(flagged: boolean[], labels: number[]) {
  const figures = classification(confusion(flagged, labels));
  return {
    hateRows: labels.length,
    hatePrecision: round4(figures.precision),
    hateRecall: round4(figures.recall),
    hateF1: round4(figures.f1),
    hateMacroF1: round4(figures.macroF1),
  };
}
