import { isDigitCode } from "./char-codes.ts";

/** A stretch of digits with the separators people write inside numbers: "+1 (555) 010-9999 x12". */
export interface NumberRun {
  start: number;
  end: number;
  /** Count of digits in the run, extension included. */
  digitCount: number;
}

/** Runs with more digits than this are not one identifier, so no detector looks inside them. */
export const longestUsefulDigitCount = 24;

function isSeparatorCode(code: number): boolean {
  // space, '(', ')', '-', '.', '/'
  return code === 32 || code === 40 || code === 41 || code === 45 || code === 46 || code === 47;
}

let lastText: string | undefined;
let lastRuns: NumberRun[] = [];

/**
 * The number runs of `text`, remembered for the last text asked about: the card, SSN and phone
 * detectors all read the same runs of the same request, and scan it once between them.
 * Callers must not change the returned array.
 */
export function numberRunsOf(text: string): readonly NumberRun[] {
  if (text !== lastText) {
    lastRuns = findNumberRuns(text);
    lastText = text;
  }
  return lastRuns;
}

/**
 * Every number run in the text, in one pass. A run starts at a digit, '+' or '(' followed by a
 * digit, takes digits and at most two separators in a row (so "(0)8" and ") 7" stay inside),
 * an 'x' between digits (an extension), and ends at anything else, a line break included.
 */
export function findNumberRuns(text: string): NumberRun[] {
  const runs: NumberRun[] = [];
  let index = 0;
  const length = text.length;
  while (index < length) {
    const code = text.charCodeAt(index);
    const startsRun = isDigitCode(code) || ((code === 43 || code === 40) && isDigitCode(text.charCodeAt(index + 1)));
    if (!startsRun) {
      index++;
      continue;
    }
    if (index > 0 && isGlued(text.charCodeAt(index - 1))) {
      // Digits inside a word ("abc123", "v2"): skip the rest of the word, not only this digit.
      index++;
      while (index < length && (isDigitCode(text.charCodeAt(index)) || isGlued(text.charCodeAt(index)))) index++;
      continue;
    }
    const start = index;
    let lastDigitEnd = index;
    let digitCount = 0;
    let separatorsInRow = 0;
    let openParentheses = 0;
    while (index < length) {
      const current = text.charCodeAt(index);
      if (isDigitCode(current)) {
        digitCount++;
        separatorsInRow = 0;
        lastDigitEnd = index + 1;
      } else if (
        current === 120 &&
        isDigitCode(text.charCodeAt(index - 1)) &&
        isDigitCode(text.charCodeAt(index + 1))
      ) {
        separatorsInRow = 0;
      } else if (isSeparatorCode(current) || (current === 43 && index === start)) {
        separatorsInRow++;
        if (separatorsInRow > 2) break;
        if (current === 40) openParentheses++;
        else if (current === 41 && openParentheses > 0) openParentheses--;
      } else {
        break;
      }
      index++;
    }
    let end = lastDigitEnd;
    if (text.charCodeAt(end) === 41 && openParentheses > 0) end++;
    if (!isGlued(text.charCodeAt(end))) runs.push({ start, end, digitCount });
    index = Math.max(index, start + 1);
  }
  return runs;
}

/** A letter or underscore touching the run makes it part of a word ("abc123", "v2.1"). */
function isGlued(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

export function digitsOf(text: string, run: { start: number; end: number }): string {
  let digits = "";
  for (let index = run.start; index < run.end; index++) {
    const code = text.charCodeAt(index);
    if (isDigitCode(code)) digits += text[index];
  }
  return digits;
}
