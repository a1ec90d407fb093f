import { resolve } from "node:path";
import { loadModelFile, type LogisticModel } from "../classifier/logistic-model.ts";
import type { Detector, Finding } from "../finding.ts";
import { originalSpan } from "../text/mapped-text.ts";
import { normaliseText } from "../text/normalise-text.ts";
import { type InjectionChannel, injectionEvidence, injectionScore } from "./score-injection.ts";

export type { InjectionChannel } from "./score-injection.ts";

export interface InjectionDetectorOptions {
  /** "user" for user turns (default), "document" for tool messages and documents the model reads as data. */
  channel?: InjectionChannel;
  /** Score at or above which a region is reported; defaults to the threshold shipped with the channel's weights. */
  threshold?: number;
}

export interface InjectionDetector extends Detector {
  readonly channel: InjectionChannel;
  readonly threshold: number;
  /** The text's injection score in [0, 1], its strongest region; compare with `threshold`. */
  score(text: string): number;
}

const WEIGHTS_DIR = resolve(import.meta.dirname, "weights");
const loaded = new Map<InjectionChannel, { model: LogisticModel; threshold: number }>();

/** The channel's shipped model and threshold, read from disk once per process. */
export function injectionModel(channel: InjectionChannel): { model: LogisticModel; threshold: number } {
  const cached = loaded.get(channel);
  if (cached !== undefined) return cached;
  const path = resolve(WEIGHTS_DIR, `injection-${channel}.json`);
  const model = loadModelFile(path);
  const entry = { model, threshold: model.threshold ?? 0.5 };
  loaded.set(channel, entry);
  return entry;
}

/**
 * Prompt injection in user turns or in documents: phrase rules (overrides, prompt
 * extraction, role switches, fake delimiters, text addressed to the assistant) over the
 * normalised text, combined with a hashed n-gram logistic classifier trained on the
 * InjecGuard, BIPIA and PINT training splits plus templated benign-with-trigger-words rows.
 * Findings point into the caller's text even when the attack was hidden by zero-width
 * characters, look-alike letters, leetspeak, base64 or rot13.
 */
export function createInjectionDetector(options: InjectionDetectorOptions = {}): InjectionDetector {
  const channel = options.channel ?? "user";
  const { model, threshold: shipped } = injectionModel(channel);
  const threshold = options.threshold ?? shipped;
  return {
    name: "injection",
    version: `1.0.0+${model.version}`,
    channel,
    threshold,
    score(text) {
      return injectionScore(injectionEvidence(normaliseText(text), { channel, model }));
    },
    detect(text) {
      const normalised = normaliseText(text);
      const findings: Finding[] = [];
      for (const item of injectionEvidence(normalised, { channel, model })) {
        if (item.score < threshold) continue;
        const span = originalSpan(normalised, item);
        findings.push({
          kind: "INJECTION",
          start: span.start,
          end: span.end,
          score: round(item.score),
          detector: "injection",
        });
      }
      return findings;
    },
  };
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
