import type { Finding } from "../finding.ts";

const beginMarker = "-----BEGIN ";
// At a "-----BEGIN " only: up to three words, then PRIVATE KEY (RSA, EC, OPENSSH, ENCRYPTED, PGP ... BLOCK).
const header = /-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----/y;
const longestBlock = 16384;

/**
 * PRIVATE_KEY: from a "-----BEGIN ... PRIVATE KEY-----" line to the end of its "-----END ...-----"
 * line, or, with no end in sight, the header and the base64 after it. The search for the end
 * only moves forward, so repeated headers cost linear time.
 */
export function findPrivateKeyBlocks(text: string, detector: string): Finding[] {
  const findings: Finding[] = [];
  let begin = text.indexOf(beginMarker);
  let nextEnd = -2;
  while (begin !== -1) {
    header.lastIndex = begin;
    const match = header.exec(text);
    if (!match) {
      begin = text.indexOf(beginMarker, begin + 1);
      continue;
    }
    const headerEnd = begin + match[0].length;
    if (nextEnd !== -1 && nextEnd < headerEnd) nextEnd = text.indexOf("-----END ", headerEnd);
    let end: number;
    if (nextEnd !== -1 && nextEnd - headerEnd <= longestBlock) {
      const closing = text.indexOf("-----", nextEnd + 9);
      end = closing === -1 || closing - nextEnd > 80 ? nextEnd + 9 : closing + 5;
    } else {
      end = headerEnd;
      while (end < text.length && end - headerEnd < longestBlock && /[A-Za-z0-9+/=\s]/.test(text[end] ?? "")) end++;
    }
    findings.push({ kind: "PRIVATE_KEY", start: begin, end, score: 1, detector });
    begin = text.indexOf(beginMarker, Math.max(end, begin + 1));
  }
  return findings;
}
