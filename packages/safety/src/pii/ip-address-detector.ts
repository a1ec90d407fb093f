import isIPModule from "validator/lib/isIP.js";
import type { Detector, Finding } from "../finding.ts";
import { hasContextNear } from "./context.ts";

// validator's CommonJS modules carry the function on `default` as well; its types only there.
const isIP = isIPModule.default;

const name = "pii-ip-address";
const version = "1.0.0";
const ipv4Pattern = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)/g;
// Hex groups separated by colons; ':' ends every group, so the bounded groups never compete.
const ipv6Pattern =
  /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Fa-f:])/g;
const DIGIT_DOT_DIGIT = /\d\.\d/;
const versionContext = { words: ["version", "ver", "v", "release", "build", "firmware"], before: 12, after: 0 };

/**
 * IP_ADDRESS: dotted quads and IPv6 forms that validator's isIP accepts. A dotted quad right
 * after "version", "v" or "build" is a version string, not an address.
 */
export function createIpAddressDetector(): Detector {
  return { name, version, detect: findIpAddresses };
}

function findIpAddresses(text: string): Finding[] {
  const findings: Finding[] = [];
  // Every dotted quad holds a digit, a dot and a digit: one quick scan turns away most texts.
  const quads = DIGIT_DOT_DIGIT.test(text) ? text.matchAll(ipv4Pattern) : [];
  for (const match of quads) {
    const span = { start: match.index, end: match.index + match[0].length };
    if (text.charCodeAt(span.start - 1) === 118 || text.charCodeAt(span.start - 1) === 86) continue; // "v1.2.3.4"
    if (isIP(match[0], 4) && !hasContextNear(text, span, versionContext)) {
      findings.push({ kind: "IP_ADDRESS", ...span, score: 1, detector: name });
    }
  }
  if (text.indexOf(":") === -1) return findings;
  for (const match of text.matchAll(ipv6Pattern)) {
    const value = match[0];
    if (value.length < 3 || !/[0-9A-Fa-f]/.test(value) || !isIP(value, 6)) continue;
    findings.push({
      kind: "IP_ADDRESS",
      start: match.index,
      end: match.index + value.length,
      score: 1,
      detector: name,
    });
  }
  return findings;
}
