import type { Detector } from "../finding.ts";

/** What a detector found, as "KIND:matched text", in order: easy to compare whole in a test. */
export function found(detector: Detector, text: string): string[] {
  return detector.detect(text).map((finding) => `${finding.kind}:${text.slice(finding.start, finding.end)}`);
}
