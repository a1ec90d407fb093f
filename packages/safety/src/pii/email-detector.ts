import isEmailModule from "validator/lib/isEmail.js";
import type { Detector, Finding } from "../finding.ts";
import { isAsciiAlphanumericCode } from "./char-codes.ts";

// validator's CommonJS modules carry the function on `default` as well; its types only there.
const isEmail = isEmailModule.default;

const name = "pii-email";
const version = "1.0.0";
const longestLocalPart = 64;
const longestDomain = 253;

function isLocalPartCode(code: number): boolean {
  // letters, digits and . _ % + - '
  return isAsciiAlphanumericCode(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45;
}

function isDomainCode(code: number): boolean {
  return isAsciiAlphanumericCode(code) || code === 46 || code === 45;
}

/**
 * EMAIL_ADDRESS: from each '@', extend left over local-part characters and right over domain
 * characters (both bounded), trim dots and hyphens at the edges, and let validator's isEmail
 * decide. Anchoring on '@' keeps the scan linear where a regex would retry from every letter.
 */
export function createEmailDetector(): Detector {
  return { name, version, detect: findEmails };
}

function findEmails(text: string): Finding[] {
  const findings: Finding[] = [];
  let at = text.indexOf("@");
  let claimedUntil = 0;
  while (at !== -1) {
    let start = at;
    const leftLimit = Math.max(claimedUntil, at - longestLocalPart);
    while (start > leftLimit && isLocalPartCode(text.charCodeAt(start - 1))) start--;
    while (start < at && text.charCodeAt(start) === 46) start++;
    let end = at + 1;
    const rightLimit = Math.min(text.length, at + 1 + longestDomain);
    let domainHasDot = false;
    while (end < rightLimit && isDomainCode(text.charCodeAt(end))) {
      if (text.charCodeAt(end) === 46) domainHasDot = true;
      end++;
    }
    while (end > at + 1 && !isAsciiAlphanumericCode(text.charCodeAt(end - 1))) end--;
    // No dot in the domain: no address, and no need to ask the validator (which costs microseconds).
    if (start < at && end > at + 1 && domainHasDot && isEmail(text.slice(start, end))) {
      findings.push({ kind: "EMAIL_ADDRESS", start, end, score: 1, detector: name });
      claimedUntil = end;
    }
    at = text.indexOf("@", Math.max(at + 1, claimedUntil));
  }
  return findings;
}
