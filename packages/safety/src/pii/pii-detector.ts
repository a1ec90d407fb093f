import type { Detector, Finding } from "../finding.ts";
import { resolveOverlaps } from "./resolve-overlaps.ts";
import { createStructuredDetectors, structuredKinds, structuredRankOf } from "./structured-detectors.ts";

export interface PiiDetectorOptions {
  /** Kinds to report; the default is every kind the detector covers. */
  kinds?: readonly string[];
}

export interface PiiDetector extends Detector {
  /** Every kind this detector can report, e.g. "EMAIL_ADDRESS", "PERSON". */
  readonly kinds: readonly string[];
}

const name = "pii";
const version = "1.0.0";

/**
 * All PII detectors as one: the structured rules, merged so that of two overlapping findings
 * the better-validated one stays.
 */
export function createPiiDetector(options: PiiDetectorOptions = {}): PiiDetector {
  const detectors = createStructuredDetectors();
  const kinds = options.kinds ? structuredKinds.filter((kind) => options.kinds?.includes(kind)) : structuredKinds;
  const wanted = new Set(kinds);
  return {
    name,
    version,
    kinds,
    detect(text: string): Finding[] {
      const findings: Finding[] = [];
      for (const detector of detectors) {
        for (const finding of detector.detect(text)) if (wanted.has(finding.kind)) findings.push(finding);
      }
      return resolveOverlaps(findings, {
        textLength: text.length,
        rankOf: (finding) => structuredRankOf(finding.kind),
      });
    },
  };
}
