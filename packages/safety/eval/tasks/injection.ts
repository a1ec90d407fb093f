import { createInjectionDetector } from "../../src/injection/injection-detector.ts";
import type { EvalTask } from "../eval-task.ts";
import { injectionFigures } from "./injection-figures.ts";

/** User-turn injection: `{ text, label: 1 | 0 }` rows scored on the user channel. */
export const task: EvalTask = {
  description: "prompt injection in user turns: TPR and FPR at the shipped threshold, ROC AUC",
  run: (path) => injectionFigures(path, createInjectionDetector({ channel: "user" })),
};
