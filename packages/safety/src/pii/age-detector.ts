import type { Detector, Finding } from "../finding.ts";

const name = "pii-age";
const version = "1.0.0";
// The age is the first group; every alternative is a short fixed phrase around one to three digits.
const agePatterns: readonly RegExp[] = [
  /\b(\d{1,3})(?:[- ]|\s)?(?:years?|yrs?)[- ]old\b/gi,
  /\b(\d{1,3}) ?(?:y\/o|y\.o\.|yo)(?![A-Za-z])/gi,
  /\b(?:aged?|age of|age is|age:|turn(?:ed|s|ing)?|turning) (\d{1,3})\b(?![.,]\d)/gi,
];

/**
 * AGE: a number of years in a phrase that says it is an age ("79 year old", "38-year-old",
 * "31 y/o", "aged 45", "at the age of 61", "just turned 47"). Ages above 130 are not ages.
 */
export function createAgeDetector(): Detector {
  return { name, version, detect: findAges };
}

function findAges(text: string): Finding[] {
  const findings: Finding[] = [];
  const starts = new Set<number>();
  for (const pattern of agePatterns) {
    for (const match of text.matchAll(pattern)) {
      const age = match[1] ?? "";
      if (Number(age) > 130) continue;
      const start = match.index + match[0].indexOf(age);
      if (starts.has(start)) continue; // "turned 69 years old" matches two phrases
      starts.add(start);
      findings.push({ kind: "AGE", start, end: start + age.length, score: 0.85, detector: name });
    }
  }
  return findings.sort((left, right) => left.start - right.start);
}
