import type { Finding } from "../finding.ts";
import { isWordCode } from "./char-codes.ts";

/**
 * The parts of `finding` outside the `taken` spans (sorted by start, not overlapping), keeping
 * only parts that still hold a letter or digit. Used to give validated structured findings
 * precedence over the tagger's spans without losing the rest of, say, an address around a ZIP.
 */
export function subtractSpans(finding: Finding, context: { taken: readonly Finding[]; text: string }): Finding[] {
  const parts: Finding[] = [];
  let start = finding.start;
  for (const taken of context.taken) {
    if (taken.end <= start) continue;
    if (taken.start >= finding.end) break;
    if (taken.start > start) parts.push({ ...finding, start, end: taken.start });
    start = Math.max(start, taken.end);
  }
  if (start < finding.end) parts.push({ ...finding, start, end: finding.end });
  return parts.map((part) => trim(part, context.text)).filter((part): part is Finding => part !== undefined);
}

function trim(part: Finding, text: string): Finding | undefined {
  let { start, end } = part;
  while (start < end && !isWordCode(text.charCodeAt(start))) start++;
  while (end > start && !isWordCode(text.charCodeAt(end - 1)) && text[end - 1] !== ".") end--;
  return start < end ? { ...part, start, end } : undefined;
}
