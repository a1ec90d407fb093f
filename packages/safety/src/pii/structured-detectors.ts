import type { Detector } from "../finding.ts";
import { createAgeDetector } from "./age-detector.ts";
import { createCreditCardDetector } from "./credit-card-detector.ts";
import { createDateTimeDetector } from "./date-time-detector.ts";
import { createDriverLicenseDetector } from "./driver-license-detector.ts";
import { createEmailDetector } from "./email-detector.ts";
import { createIbanDetector } from "./iban-detector.ts";
import { createIpAddressDetector } from "./ip-address-detector.ts";
import { createPhoneDetector } from "./phone-detector.ts";
import { createUrlDetector } from "./url-detector.ts";
import { createUsSsnDetector } from "./us-ssn-detector.ts";
import { createZipCodeDetector } from "./zip-code-detector.ts";

/** The rule-based PII detectors, each validated by a checksum, a library or a context word. */
export function createStructuredDetectors(): Detector[] {
  return [
    createEmailDetector(),
    createUrlDetector(),
    createIbanDetector(),
    createCreditCardDetector(),
    createUsSsnDetector(),
    createIpAddressDetector(),
    createDateTimeDetector(),
    createDriverLicenseDetector(),
    createPhoneDetector(),
    createZipCodeDetector(),
    createAgeDetector(),
  ];
}

/** The kinds each structured detector reports, so a caller wanting a few kinds runs only their detectors. */
const kindsByDetector: Readonly<Record<string, readonly string[]>> = {
  "pii-email": ["EMAIL_ADDRESS"],
  "pii-url": ["URL", "DOMAIN_NAME"],
  "pii-iban": ["IBAN_CODE"],
  "pii-credit-card": ["CREDIT_CARD"],
  "pii-us-ssn": ["US_SSN"],
  "pii-ip-address": ["IP_ADDRESS"],
  "pii-date-time": ["DATE_TIME"],
  "pii-us-driver-license": ["US_DRIVER_LICENSE"],
  "pii-phone": ["PHONE_NUMBER"],
  "pii-zip-code": ["ZIP_CODE"],
  "pii-age": ["AGE"],
};

/** Whether a structured detector can report one of `kinds` (unknown detectors: yes). */
export function reportsAnyOf(detector: Detector, kinds: ReadonlySet<string>): boolean {
  const reported = kindsByDetector[detector.name];
  return reported === undefined || reported.some((kind) => kinds.has(kind));
}

/**
 * Which finding wins when two overlap: the stricter check first. An e-mail address contains a
 * domain, a card number is also a digit run a phone rule would take, a date of 8 digits could
 * be a phone with context, and a context-only ZIP or age yields to all of them.
 */
const kindRanks: Readonly<Record<string, number>> = {
  EMAIL_ADDRESS: 100,
  URL: 95,
  IBAN_CODE: 90,
  CREDIT_CARD: 88,
  US_SSN: 85,
  IP_ADDRESS: 84,
  DATE_TIME: 80,
  US_DRIVER_LICENSE: 78,
  PHONE_NUMBER: 70,
  ZIP_CODE: 65,
  AGE: 60,
  DOMAIN_NAME: 50,
};

export function structuredRankOf(kind: string): number {
  return kindRanks[kind] ?? 0;
}

export const structuredKinds: readonly string[] = Object.keys(kindRanks);
