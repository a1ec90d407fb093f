import { resolve } from "node:path";
import { logit, loadModelFile, type LogisticModel, sigmoid } from "../classifier/logistic-model.ts";
import type { Detector, Finding } from "../finding.ts";
import { windowText } from "../text/segment-text.ts";
import { originalSpan } from "../text/mapped-text.ts";
import { normaliseText } from "../text/normalise-text.ts";
import { profanityFindings } from "./profanity-layer.ts";

export interface ToxicityDetectorOptions {
  /** Score at or above which a TOXIC finding is reported; defaults to the shipped threshold. */
  threshold?: number;
  /** Report PROFANITY findings from the word list (default true). */
  profanity?: boolean;
}

export interface ToxicityDetector extends Detector {
  readonly threshold: number;
  /** The text's toxicity in [0, 1]: its most toxic window by the classifier. */
  score(text: string): number;
}

const WINDOW = 2000;
const WEIGHTS_PATH = resolve(import.meta.dirname, "weights/toxicity.json");
let shipped: LogisticModel | undefined;

/** The shipped toxicity model, read once; the output stage shares it. */
export function toxicityModel(): LogisticModel {
  shipped ??= loadModelFile(WEIGHTS_PATH);
  return shipped;
}

/**
 * Toxic content: a logistic classifier over hashed word uni/bigrams and character n-grams
 * of the normalised text (trained on the Surge AI and ToxiGen training splits), scored per
 * window of 2,000 units so long texts stay linear, plus obscenity's profanity list.
 * Kinds: TOXIC (classifier) and PROFANITY (list).
 */
export function createToxicityDetector(options: ToxicityDetectorOptions = {}): ToxicityDetector {
  const model = toxicityModel();
  const threshold = options.threshold ?? model.threshold ?? 0.5;
  const windows = (text: string) => {
    const normalised = normaliseText(text);
    return windowText(normalised.text, WINDOW).map((window) => ({
      ...originalSpan(normalised, window),
      score: sigmoid(logit(model, normalised.text.slice(window.start, window.end))),
    }));
  };
  return {
    name: "toxicity",
    version: `1.0.0+${model.version}`,
    threshold,
    score(text) {
      return windows(text).reduce((best, window) => Math.max(best, window.score), 0);
    },
    detect(text) {
      const findings: Finding[] = windows(text)
        .filter((window) => window.score >= threshold)
        .map((window) => ({
          kind: "TOXIC",
          start: window.start,
          end: window.end,
          score: Math.round(window.score * 1000) / 1000,
          detector: "toxicity",
        }));
      return options.profanity === false ? findings : [...findings, ...profanityFindings(text)];
    },
  };
}
