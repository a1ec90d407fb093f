import { LEET } from "./leetspeak.ts";
import { type MappedText, MappedTextBuilder } from "./mapped-text.ts";

/**
 * Stage three: lower case, whitespace runs collapsed to one space (or one newline when the
 * run holds one), and leetspeak folded in words that mix at least two letters with
 * look-alike digits or symbols, so "1gn0r3" reads "ignore" while "2024" and "$5" stay.
 */
export function foldCase(input: MappedText): MappedText {
  const text = input.text;
  const builder = new MappedTextBuilder(text.length);
  let index = 0;
  while (index < text.length) {
    const unit = text.charCodeAt(index);
    if (isSpace(unit)) {
      let end = index;
      let newline = false;
      for (; end < text.length && isSpace(text.charCodeAt(end)); end++) {
        if (text.charCodeAt(end) === 0x0a) newline = true;
      }
      builder.push(newline ? 0x0a : 0x20, index, end);
      index = end;
      continue;
    }
    if (!isWordUnit(unit)) {
      pushLower(builder, text, index);
      index++;
      continue;
    }
    let end = index;
    let letters = 0;
    let leet = 0;
    while (end < text.length && isWordUnit(text.charCodeAt(end))) {
      const code = text.charCodeAt(end++);
      if (leetOf(code) !== 0) leet++;
      else letters++;
    }
    // Leetspeak words are short; a long mixed run is a hash or an identifier.
    const fold =
      leet > 0 && letters >= 2 && end - index <= LONGEST_LEET_WORD && !numberLike(text, { start: index, end });
    for (let offset = index; offset < end; offset++) {
      const code = text.charCodeAt(offset);
      const replacement = fold ? leetOf(code) : 0;
      if (replacement !== 0) builder.push(replacement, offset, offset + 1);
      else pushLower(builder, text, offset);
    }
    index = end;
  }
  return builder.finish(input);
}

/** "21st", "1990s", "5km", "3am" and tokens touching other digits are numbers, not leetspeak. */
function numberLike(text: string, span: { start: number; end: number }): boolean {
  const before = text.charCodeAt(span.start - 1);
  const after = text.charCodeAt(span.end);
  if ((before >= 0x30 && before <= 0x39) || (after >= 0x30 && after <= 0x39)) return true;
  return NUMBER_WITH_UNIT.test(text.slice(span.start, span.end));
}

const LONGEST_LEET_WORD = 24;
const NUMBER_WITH_UNIT = /^[0-9.,]+(?:st|nd|rd|th|s|am|pm|px|em|kg|km|cm|mm|mb|gb|kb|ms|k|m|x|d)$/i;

function isSpace(unit: number): boolean {
  return (
    unit === 0x20 ||
    unit === 0x09 ||
    unit === 0x0a ||
    unit === 0x0d ||
    unit === 0x0b ||
    unit === 0x0c ||
    unit === 0xa0 ||
    unit === 0x3000
  );
}

/** ASCII letters and the leet symbols; other scripts pass through the plain path. */
function isWordUnit(unit: number): boolean {
  return (unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a) || leetOf(unit) !== 0;
}

/**
 * LEET as a table by code unit (its keys and letters are ASCII), 0 for none: this pass asks
 * two or three times per character, and a Map look-up each time was a tenth of its cost.
 */
const LEET_LETTERS = (() => {
  const table = new Uint8Array(128);
  for (const [symbol, letter] of LEET) table[symbol] = letter;
  return table;
})();

function leetOf(unit: number): number {
  return unit < 128 ? LEET_LETTERS[unit]! : 0;
}

function pushLower(builder: MappedTextBuilder, text: string, index: number): void {
  const unit = text.charCodeAt(index);
  if (unit < 0x80) {
    builder.push(unit >= 0x41 && unit <= 0x5a ? unit + 0x20 : unit, index, index + 1);
    return;
  }
  // Surrogate halves and characters whose lower case changes length keep their own spelling.
  const lower = unit >= 0xd800 && unit <= 0xdfff ? text[index]! : text[index]!.toLowerCase();
  builder.pushString(lower, index, index + 1);
}
