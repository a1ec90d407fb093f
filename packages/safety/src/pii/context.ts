import { isAsciiLetterCode } from "./char-codes.ts";

export interface ContextWindow {
  /** Lower-case words or phrases, any of which makes the context. */
  words: readonly string[];
  /** How many characters before the span to look at. */
  before: number;
  /** How many characters after the span to look at. */
  after: number;
}

/**
 * True when one of the window's words stands near the span, as a whole word. The window is
 * bounded, so a detector that asks once per candidate stays linear in the text's length.
 */
export function hasContextNear(text: string, span: { start: number; end: number }, window: ContextWindow): boolean {
  const beforeStart = Math.max(0, span.start - window.before);
  const before = text.slice(beforeStart, span.start).toLowerCase();
  const after = text.slice(span.end, Math.min(text.length, span.end + window.after)).toLowerCase();
  return containsWord(before, window.words) || containsWord(after, window.words);
}

function containsWord(haystack: string, words: readonly string[]): boolean {
  for (const word of words) {
    let index = haystack.indexOf(word);
    while (index !== -1) {
      const beforeCode = index > 0 ? haystack.charCodeAt(index - 1) : 32;
      const afterCode = index + word.length < haystack.length ? haystack.charCodeAt(index + word.length) : 32;
      if (!isAsciiLetterCode(beforeCode) && !isAsciiLetterCode(afterCode)) return true;
      index = haystack.indexOf(word, index + 1);
    }
  }
  return false;
}
