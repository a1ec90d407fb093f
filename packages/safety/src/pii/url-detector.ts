import isURLModule from "validator/lib/isURL.js";
import type { Detector, Finding } from "../finding.ts";
import { isAsciiAlphanumericCode } from "./char-codes.ts";
import { isKnownTopLevelDomain } from "./top-level-domains.ts";

// validator's CommonJS modules carry the function on `default` as well; its types only there.
const isURL = isURLModule.default;

const name = "pii-url";
const version = "1.0.0";
// A scheme or "www." (found first, as a plain literal search), then from there up to 2,048
// characters that are not spaces, quotes or angle brackets.
const anchorPattern = /https?:\/\/|www\./gi;
const restPattern = /[^\s<>"'`]{1,2048}/y;
const longestDomain = 253;

/**
 * URL for links with a scheme or "www." that validator's isURL accepts (trailing sentence
 * punctuation trimmed), and DOMAIN_NAME for bare names such as "example.co.uk" whose last label
 * is a known top-level domain that is not also a common file extension ("setup.py" is a file).
 */
export function createUrlDetector(): Detector {
  return { name, version, detect: findUrlsAndDomains };
}

function findUrlsAndDomains(text: string): Finding[] {
  const findings: Finding[] = [];
  let claimedUntil = 0;
  for (const anchor of text.matchAll(anchorPattern)) {
    const start = anchor.index;
    if (start < claimedUntil || isAsciiAlphanumericCode(text.charCodeAt(start - 1))) continue;
    restPattern.lastIndex = start;
    const rest = restPattern.exec(text);
    if (!rest) continue;
    const end = start + trimTrailingPunctuation(rest[0]);
    // Anchors inside this candidate ("http://http://...") are not tried again: each character
    // is read by one candidate at most, which keeps the scan linear.
    claimedUntil = start + rest[0].length;
    if (isURL(text.slice(start, end), { require_tld: true })) {
      findings.push({ kind: "URL", start, end, score: 1, detector: name });
    }
  }
  findBareDomains(text, findings);
  return findings.sort((left, right) => left.start - right.start);
}

function trimTrailingPunctuation(value: string): number {
  let end = value.length;
  while (end > 0 && ".,;:!?)]}'\"".includes(value[end - 1] ?? "")) end--;
  return end;
}

function isDomainCode(code: number): boolean {
  return isAsciiAlphanumericCode(code) || code === 45 || code === 46;
}

function findBareDomains(text: string, findings: Finding[]): void {
  const taken = findings.map((finding) => [finding.start, finding.end] as const);
  let takenIndex = 0;
  let index = 0;
  while (index < text.length) {
    if (!isDomainCode(text.charCodeAt(index))) {
      index++;
      continue;
    }
    const start = index;
    let dots = 0;
    while (index < text.length && isDomainCode(text.charCodeAt(index))) {
      if (text.charCodeAt(index) === 46) dots++;
      index++;
    }
    if (dots === 0) continue; // a plain word or number: most runs end here, without a slice
    const previous = text.charCodeAt(start - 1);
    // Part of an e-mail address, a path, a URL or a word in another script: not a bare domain.
    if (previous === 64 || previous === 47 || previous === 58 || text.charCodeAt(index) === 64) continue;
    if (previous >= 128 || text.charCodeAt(index) >= 128 || text.charCodeAt(index) === 47) continue;
    while (takenIndex < taken.length && (taken[takenIndex]?.[1] ?? 0) <= start) takenIndex++;
    const overlapsUrl = takenIndex < taken.length && (taken[takenIndex]?.[0] ?? Number.POSITIVE_INFINITY) < index;
    let end = index;
    while (end > start && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    if (overlapsUrl || end - start > longestDomain) continue;
    if (isBareDomain(text.slice(start, end))) {
      findings.push({ kind: "DOMAIN_NAME", start, end, score: 0.9, detector: name });
    }
  }
}

function isBareDomain(candidate: string): boolean {
  const lastDot = candidate.lastIndexOf(".");
  if (lastDot <= 0) return false;
  const labels = candidate.split(".");
  if (labels.some((label) => label.length === 0 || label.length > 63 || label.startsWith("-") || label.endsWith("-"))) {
    return false;
  }
  if (/^\d+$/.test(labels[0] ?? "")) return false;
  return isKnownTopLevelDomain(candidate.slice(lastDot + 1).toLowerCase());
}
