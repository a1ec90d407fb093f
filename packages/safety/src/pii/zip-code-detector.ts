import type { Detector, Finding } from "../finding.ts";

const name = "pii-zip-code";
const version = "1.0.0";
// A postal-code word, up to a few characters of ": is #", then a code of 3 to 10 letters, digits, spaces or hyphens.
const labelledPattern =
  /\b(?:zip(?: ?code)?|postal ?code|post ?code|postcode|code postal)\b(?: is|:|#| number)?[ \t:]{0,3}([A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){2,9})(?![A-Za-z0-9])/gi;
// A US state abbreviation, then ZIP or ZIP+4, as in "Denver, CO 80202".
const usStatePattern = /(?<=, ?[A-Z]{2} )\d{5}(?:-\d{4})?(?![\d-])/g;

/**
 * ZIP_CODE: a code after a label ("ZIP", "zip code", "postal code", "postcode") and US ZIP codes
 * after a state abbreviation. Bare five-digit numbers are left alone: without context they are
 * as often amounts or ids. Codes inside a full street address are the address tagger's to find.
 */
export function createZipCodeDetector(): Detector {
  return { name, version, detect: findZipCodes };
}

function findZipCodes(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(labelledPattern)) {
    const code = match[1] ?? "";
    if (!/\d/.test(code)) continue;
    const start = match.index + match[0].lastIndexOf(code);
    findings.push({ kind: "ZIP_CODE", start, end: start + code.length, score: 0.85, detector: name });
  }
  for (const match of text.matchAll(usStatePattern)) {
    findings.push({
      kind: "ZIP_CODE",
      start: match.index,
      end: match.index + match[0].length,
      score: 0.7,
      detector: name,
    });
  }
  return findings;
}
