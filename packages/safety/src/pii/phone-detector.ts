import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { Detector, Finding } from "../finding.ts";
import { hasContextNear } from "./context.ts";
import { digitsOf, numberRunsOf, type NumberRun } from "./number-runs.ts";

const name = "pii-phone";
const version = "1.0.0";
const phoneContext = {
  words: [
    "phone",
    "tel",
    "tel.",
    "telephone",
    "call",
    "calling",
    "called",
    "mobile",
    "cell",
    "cellphone",
    "fax",
    "office",
    "desk",
    "contact",
    "reach",
    "text",
    "sms",
    "whatsapp",
    "dial",
    "landline",
    "hotline",
    "answering",
    "ring",
    "ph",
    "mob",
    "mob.",
    "direct",
    "extension",
    "ext",
  ],
  before: 40,
  after: 15,
};
// North American layouts with separators: 555-010-9999, (555) 010-9999, 555.010.9999, 1-555-010-9999, 001-...
const northAmericanLayout = /^(?:(?:\+?1|001)[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?:x\d{1,5})?$/;

/**
 * PHONE_NUMBER, in three tiers. International numbers ("+" or "00" first) that libphonenumber-js
 * finds possible for their country score 0.95. North American layouts with separators score
 * 0.85. Any other run of 7 to 15 digits, bare or grouped ("9472 7916", "0490 75 40 81"), counts
 * only with a context word such as "call", "phone", "tel", "mobile" or "fax" nearby (0.7).
 */
export function createPhoneDetector(): Detector {
  return { name, version, detect: findPhones };
}

function findPhones(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const run of numberRunsOf(text)) {
    if (run.digitCount < 7 || run.digitCount > 20) continue;
    const score = scorePhone(text, run);
    if (score > 0) findings.push({ kind: "PHONE_NUMBER", start: run.start, end: run.end, score, detector: name });
  }
  return findings;
}

function scorePhone(text: string, run: NumberRun): number {
  const written = text.slice(run.start, run.end);
  const mainDigits = digitsOf(text, { start: run.start, end: extensionStart(written) + run.start }).length;
  if (mainDigits < 7 || mainDigits > 15) return 0;
  if (written.startsWith("+") || written.startsWith("00")) {
    const international = written.startsWith("00") ? `+${written.slice(2)}` : written;
    const parsed = parsePhoneNumberFromString(international.replace(/x/, " ext "));
    if (parsed?.isPossible()) return 0.95;
  }
  if (northAmericanLayout.test(written)) return 0.85;
  return hasContextNear(text, run, phoneContext) ? 0.7 : 0;
}

function extensionStart(written: string): number {
  const index = written.indexOf("x");
  return index === -1 ? written.length : index;
}
