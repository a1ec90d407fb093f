import { applyEdits, type TextEdit } from "../text/text-edits.ts";
import { placeholderLabel } from "./placeholder-labels.ts";

/**
 * The per-request map between redacted values and their placeholders. The same value gets
 * the same placeholder everywhere in one request ([EMAIL_1] in message 0 and in a document
 * is the same address); numbers count per label. A vault lives only as long as its
 * request: it is never stored, logged, or shared with another request.
 */
export interface Vault {
  /** The placeholder of `value`, made on first use: "[EMAIL_1]". */
  placeholderFor(value: string, finding: { kind: string; detector: string }): string;
  /** Placeholders in `text` replaced by their values; unknown placeholders stay as they are. */
  restore(text: string): { text: string; edits: TextEdit[] };
  /** Like `restore`, escaping values for a JSON string's body (tool-call arguments). */
  restoreJson(text: string): string;
  /** Spans of this vault's placeholders in `text`. */
  placeholderSpans(text: string): { start: number; end: number }[];
  /** Whether some placeholder may start with `text` (for holding back a split placeholder). */
  couldStartPlaceholder(text: string): boolean;
  readonly size: number;
  readonly longestPlaceholder: number;
}

/** "[" + LABEL + "_" + number + "]": labels are upper-case letters, digits and underscores. */
const PLACEHOLDER = /\[[A-Z][A-Z0-9_]*_\d+\]/g;

export function createVault(): Vault {
  const byValue = new Map<string, string>();
  const byPlaceholder = new Map<string, string>();
  const counts = new Map<string, number>();
  let longest = 0;
  const spans = (text: string) => {
    const found: { start: number; end: number; value: string }[] = [];
    if (byPlaceholder.size === 0 || !text.includes("[")) return found;
    for (const match of text.matchAll(PLACEHOLDER)) {
      const value = byPlaceholder.get(match[0]);
      if (value !== undefined) found.push({ start: match.index, end: match.index + match[0].length, value });
    }
    return found;
  };
  return {
    placeholderFor(value, finding) {
      const known = byValue.get(value);
      if (known !== undefined) return known;
      const label = placeholderLabel(finding.kind, finding.detector);
      const count = (counts.get(label) ?? 0) + 1;
      counts.set(label, count);
      const placeholder = `[${label}_${count}]`;
      byValue.set(value, placeholder);
      byPlaceholder.set(placeholder, value);
      longest = Math.max(longest, placeholder.length);
      return placeholder;
    },
    restore(text) {
      const edits = spans(text).map((span) => ({ start: span.start, end: span.end, replacement: span.value }));
      return applyEdits(text, edits);
    },
    restoreJson(text) {
      const edits = spans(text).map((span) => ({
        start: span.start,
        end: span.end,
        replacement: JSON.stringify(span.value).slice(1, -1),
      }));
      return applyEdits(text, edits).text;
    },
    placeholderSpans: (text) => spans(text).map(({ start, end }) => ({ start, end })),
    couldStartPlaceholder(text) {
      if (text.length >= longest) return false;
      for (const placeholder of byPlaceholder.keys()) if (placeholder.startsWith(text)) return true;
      return false;
    },
    get size() {
      return byPlaceholder.size;
    },
    get longestPlaceholder() {
      return longest;
    },
  };
}
