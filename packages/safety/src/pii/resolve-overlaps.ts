import type { Finding } from "../finding.ts";

/**
 * Keeps, of findings that overlap, the one ranked first (then the higher score, then the longer),
 * so a Luhn-checked card wins over the phone number the same digits could be. Linear in the text
 * plus the findings: accepted findings never overlap, so each character is claimed at most once.
 */
export function resolveOverlaps(
  findings: readonly Finding[],
  options: { textLength: number; rankOf: (finding: Finding) => number },
): Finding[] {
  if (findings.length < 2) return [...findings];
  const ordered = [...findings].sort(
    (left, right) =>
      options.rankOf(right) - options.rankOf(left) ||
      right.score - left.score ||
      right.end - right.start - (left.end - left.start),
  );
  const claimed = new Uint8Array(options.textLength);
  const kept: Finding[] = [];
  for (const finding of ordered) {
    if (isClaimed(claimed, finding)) continue;
    claimed.fill(1, finding.start, finding.end);
    kept.push(finding);
  }
  return kept.sort((left, right) => left.start - right.start);
}

function isClaimed(claimed: Uint8Array, finding: Finding): boolean {
  // Checking both ends and then the inside is enough and exits early in the common case.
  if (claimed[finding.start] === 1 || claimed[finding.end - 1] === 1) return true;
  for (let index = finding.start + 1; index < finding.end - 1; index++) if (claimed[index] === 1) return true;
  return false;
}
