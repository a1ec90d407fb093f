import type { Detector, Finding } from "../finding.ts";
import { createNerDetector } from "../ner/ner-detector.ts";
import { absorbIntoAddresses } from "./absorb-into-addresses.ts";
import { resolveOverlaps } from "./resolve-overlaps.ts";
import { createStructuredDetectors, reportsAnyOf, structuredKinds, structuredRankOf } from "./structured-detectors.ts";
import { subtractSpans } from "./subtract-spans.ts";

export interface PiiDetectorOptions {
  /** Kinds to report; the default is every kind the detector covers. */
  kinds?: readonly string[];
  /** Run the name-and-place tagger (PERSON, GPE, ORGANIZATION, STREET_ADDRESS, TITLE, NRP). Default true. */
  ner?: boolean;
}

export interface PiiDetector extends Detector {
  /** Every kind this detector can report, e.g. "EMAIL_ADDRESS", "PERSON". */
  readonly kinds: readonly string[];
}

const name = "pii";
const version = "1.0.0";

/**
 * All PII detectors as one. The structured rules run first and are merged so that of two
 * overlapping findings the better-validated one stays; the tagger's spans then fill in the
 * rest, cut around any structured finding they overlap (a phone or card inside an address
 * stays one, the rest of the address stays an address). The one exception is a ZIP code found
 * by context alone inside a tagged street address: it stays part of the address.
 */
export function createPiiDetector(options: PiiDetectorOptions = {}): PiiDetector {
  const ner = options.ner === false ? undefined : createNerDetector();
  const covered = [...new Set([...structuredKinds, ...(ner?.kinds ?? [])])];
  const kinds = options.kinds ? covered.filter((kind) => options.kinds?.includes(kind)) : covered;
  const wanted = new Set(kinds);
  // Unwanted kinds never take part in the merge, so their detectors need not run at all.
  const structured = createStructuredDetectors().filter((detector) => reportsAnyOf(detector, wanted));
  return {
    name,
    version,
    kinds,
    detect(text: string): Finding[] {
      const found: Finding[] = [];
      for (const detector of structured) {
        for (const finding of detector.detect(text)) if (wanted.has(finding.kind)) found.push(finding);
      }
      const rules = resolveOverlaps(found, {
        textLength: text.length,
        rankOf: (finding) => structuredRankOf(finding.kind),
      });
      if (!ner) return rules;
      const names = ner.detect(text).filter((finding) => wanted.has(finding.kind));
      const taken = absorbIntoAddresses(rules, names);
      const merged = [...taken, ...subtractSpans(names, { taken, text })];
      return merged.sort((left, right) => left.start - right.start || left.end - right.end);
    },
  };
}

let shared: PiiDetector | undefined;

/** Every PII finding in `text`, with the default detector (built on first use). */
export function detectPii(text: string): Finding[] {
  shared ??= createPiiDetector();
  return shared.detect(text);
}
