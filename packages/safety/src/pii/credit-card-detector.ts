import type { Detector, Finding } from "../finding.ts";
import { passesLuhn } from "./luhn.ts";
import { digitsOf, numberRunsOf, type NumberRun } from "./number-runs.ts";

const name = "pii-credit-card";
const version = "1.0.0";

/**
 * CREDIT_CARD: a number run of 12 to 19 digits, written whole or in groups split by single
 * spaces or hyphens, whose issuer prefix is one card networks use (2-6, or JCB's 1800) and
 * whose Luhn checksum holds. One random run in ten passes Luhn; the prefix and the length
 * keep phone numbers and order ids out.
 */
export function createCreditCardDetector(): Detector {
  return { name, version, detect: findCreditCards };
}

function findCreditCards(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const run of numberRunsOf(text)) {
    if (run.digitCount < 12 || run.digitCount > 19 || !hasCardSeparators(text, run)) continue;
    const digits = digitsOf(text, run);
    if (hasCardPrefix(digits) && passesLuhn(digits)) {
      findings.push({ kind: "CREDIT_CARD", start: run.start, end: run.end, score: 1, detector: name });
    }
  }
  return findings;
}

function hasCardSeparators(text: string, run: NumberRun): boolean {
  let previousWasSeparator = false;
  for (let index = run.start; index < run.end; index++) {
    const code = text.charCodeAt(index);
    const isSeparator = code === 32 || code === 45;
    if (!isSeparator && (code < 48 || code > 57)) return false;
    if (isSeparator && previousWasSeparator) return false;
    previousWasSeparator = isSeparator;
  }
  return true;
}

function hasCardPrefix(digits: string): boolean {
  const first = digits.charCodeAt(0) - 48;
  return (first >= 2 && first <= 6) || digits.startsWith("1800");
}
