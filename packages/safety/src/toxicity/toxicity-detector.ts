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
const WEIGHTS_DIR = resolve(import.meta.dirname, "weights");
const shipped = new Map<"toxicity" | "hate", LogisticModel>();

/** A shipped model ("toxicity" or "hate"), read once; the output stage shares them. */
export function toxicityModel(name: "toxicity" | "hate" = "toxicity"): LogisticModel {
  const cached = shipped.get(name);
  if (cached !== undefined) return cached;
  const model = loadModelFile(resolve(WEIGHTS_DIR, `${name}.json`));
  shipped.set(name, model);
  return model;
}

/**
 * Toxic content: a logistic classifier over hashed word uni/bigrams and character n-grams
 * of the normalised text (trained on the Surge AI and ToxiGen training splits), scored per
 * window of 2,000 units so long texts stay linear, plus obscenity's profanity list.
 * Kinds: TOXIC (classifier), HATE (a second classifier, trained on ToxiGen, refining toxic
 * windows) and PROFANITY (list).
 */
export function createToxicityDetector(options: ToxicityDetectorOptions = {}): ToxicityDetector {
  const model = toxicityModel();
  const hate = toxicityModel("hate");
  const threshold = options.threshold ?? model.threshold ?? 0.5;
  const hateThreshold = hate.threshold ?? 0.5;
  const windows = (text: string) => {
    const normalised = normaliseText(text);
    // Object.assign, not a spread followed by new keys (microseconds per object on Node 20).
    return windowText(normalised.text, WINDOW).map((window) =>
      Object.assign(originalSpan(normalised, window), {
        text: normalised.text.slice(window.start, window.end),
        score: sigmoid(logit(model, normalised.text.slice(window.start, window.end))),
      }),
    );
  };
  return {
    name: "toxicity",
    version: `1.0.0+${model.version}`,
    threshold,
    score(text) {
      return windows(text).reduce((best, window) => Math.max(best, window.score), 0);
    },
    detect(text) {
      const findings: Finding[] = [];
      for (const window of windows(text)) {
        if (window.score < threshold) continue;
        const span = { start: window.start, end: window.end, detector: "toxicity" };
        findings.push({ kind: "TOXIC", ...span, score: round(window.score) });
        // HATE refines a toxic window: ToxiGen's hateful statements against neutral ones about the same groups.
        const hateScore = sigmoid(logit(hate, window.text));
        if (hateScore >= hateThreshold) findings.push({ kind: "HATE", ...span, score: round(hateScore) });
      }
      return options.profanity === false ? findings : [...findings, ...profanityFindings(text)];
    },
  };
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
