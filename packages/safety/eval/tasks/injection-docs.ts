import { createInjectionDetector } from "../../src/injection/injection-detector.ts";
import type { EvalTask } from "../eval-task.ts";
import { injectionFigures } from "./injection-figures.ts";

/** Injection in documents the model reads: `{ text, label: 1 | 0 }` rows scored on the document channel. */
export const task: EvalTask = {
  description: "prompt injection in documents: TPR and FPR at the shipped threshold, ROC AUC",
  run: (path) => injectionFigures(path, createInjectionDetector({ channel: "document" })),
};
