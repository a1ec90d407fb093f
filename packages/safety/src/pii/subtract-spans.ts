import type { Finding } from "../finding.ts";
import { isWordCode } from "./char-codes.ts";

/**
 * The parts of each of `findings` outside the `taken` spans, keeping only parts that still hold
 * a letter or digit. Both lists are sorted by start and free of overlaps within themselves, so
 * one forward walk over both does it. Gives validated structured findings precedence over the
 * tagger's spans without losing the rest of, say, an address around a ZIP code.
 */
export function subtractSpans(
  findings: readonly Finding[],
  context: { taken: readonly Finding[]; text: string },
): Finding[] {
  const parts: Finding[] = [];
  const { taken, text } = context;
  let first = 0;
  for (const finding of findings) {
    while (first < taken.length && (taken[first]?.end ?? 0) <= finding.start) first++;
    let start = finding.start;
    for (let index = first; index < taken.length; index++) {
      const span = taken[index];
      if (!span || span.start >= finding.end) break;
      if (span.start > start) parts.push({ ...finding, start, end: span.start });
      start = Math.max(start, span.end);
    }
    if (start < finding.end) parts.push({ ...finding, start, end: finding.end });
  }
  return parts.map((part) => trim(part, text)).filter((part): part is Finding => part !== undefined);
}

function trim(part: Finding, text: string): Finding | undefined {
  let { start, end } = part;
  while (start < end && !isWordCode(text.charCodeAt(start))) start++;
  while (end > start && !isWordCode(text.charCodeAt(end - 1)) && text[end - 1] !== ".") end--;
  return start < end ? { ...part, start, end } : undefined;
}
