import { electronicFormatIBAN, isValidIBAN } from "ibantools";
import type { Detector, Finding } from "../finding.ts";

const name = "pii-iban";
const version = "1.0.0";
// Country code and check digits, then 10 to 30 letters or digits, optionally in space-separated groups.
// Every quantifier is bounded and a character is either a space or alphanumeric, so each try is short.
const candidatePattern = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30}(?![A-Za-z0-9])/g;

/**
 * IBAN_CODE: a candidate shaped like an IBAN (upper or lower case, with or without spaces) that
 * passes ibantools' country length and mod-97 check. When the greedy candidate swallowed the
 * next word, groups are dropped from the end until a valid IBAN remains.
 */
export function createIbanDetector(): Detector {
  return { name, version, detect: findIbans };
}

function findIbans(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(candidatePattern)) {
    const start = match.index;
    let end = start + match[0].length;
    while (end > start) {
      const electronic = electronicFormatIBAN(text.slice(start, end).toUpperCase());
      if (electronic && isValidIBAN(electronic)) {
        findings.push({ kind: "IBAN_CODE", start, end, score: 1, detector: name });
        break;
      }
      const lastSpace = text.lastIndexOf(" ", end - 1);
      end = Math.max(lastSpace, start);
    }
  }
  return findings;
}
