import type { Detector, Finding } from "../finding.ts";

const name = "pii-us-driver-license";
const version = "1.0.0";
// "driver's license", "driving licence", "DL", then up to ~20 characters of "number is #:" and an id
// of 5 to 20 letters, digits and hyphens. Bounded everywhere.
const licensePattern =
  /\b(?:driver'?s?|driving) licen[cs]e\b(?: (?:number|no\.?|num|#|id))?(?: is)?[ :#]{0,3}([A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){4,19})(?![A-Za-z0-9])|\bDL(?: (?:number|no\.?|#))?[ :#]{1,3}([A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){4,19})(?![A-Za-z0-9])/gi;

/**
 * US_DRIVER_LICENSE: state formats differ too much to validate, so only an id right after
 * "driver's license (number)", "driving licence" or "DL" counts, and it must hold four digits.
 */
export function createDriverLicenseDetector(): Detector {
  return { name, version, detect: findLicenses };
}

/**
 * Every match opens with "driv" or "DL" (the same case folding): one quick scan for those turns
 * away most texts before the full pattern tries both alternatives at every word start.
 */
const OPENING = /driv|dl/i;

function findLicenses(text: string): Finding[] {
  const findings: Finding[] = [];
  if (!OPENING.test(text)) return findings;
  for (const match of text.matchAll(licensePattern)) {
    const id = match[1] ?? match[2] ?? "";
    if ((id.match(/\d/g)?.length ?? 0) < 4) continue;
    const start = match.index + match[0].lastIndexOf(id);
    findings.push({ kind: "US_DRIVER_LICENSE", start, end: start + id.length, score: 0.85, detector: name });
  }
  return findings;
}
