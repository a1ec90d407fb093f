import type { Detector, Finding } from "../finding.ts";
import { hasContextNear } from "./context.ts";
import { digitsOf, numberRunsOf } from "./number-runs.ts";

const name = "pii-us-ssn";
const version = "1.0.0";
const ssnContext = { words: ["ssn", "social security", "social sec", "ss#", "ss #"], before: 40, after: 10 };

/**
 * US_SSN: ddd-dd-dddd or ddd dd dddd, or nine bare digits when "SSN" or "social security"
 * stands near. The number must follow the Social Security Administration's rules: the area
 * is never 000, 666 or 900-999, the group never 00, the serial never 0000.
 */
export function createUsSsnDetector(): Detector {
  return { name, version, detect: findSsns };
}

function findSsns(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const run of numberRunsOf(text)) {
    if (run.digitCount !== 9) continue;
    const written = text.slice(run.start, run.end);
    const grouped = /^\d{3}([- ])\d{2}\1\d{4}$/.test(written);
    const bare = /^\d{9}$/.test(written) && hasContextNear(text, run, ssnContext);
    if ((grouped || bare) && isValidSsn(digitsOf(text, run))) {
      findings.push({ kind: "US_SSN", start: run.start, end: run.end, score: grouped ? 0.9 : 0.8, detector: name });
    }
  }
  return findings;
}

export function isValidSsn(digits: string): boolean {
  const area = digits.slice(0, 3);
  if (area === "000" || area === "666" || area[0] === "9") return false;
  return digits.slice(3, 5) !== "00" && digits.slice(5) !== "0000";
}
