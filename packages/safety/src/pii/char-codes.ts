/**
 * Character tests on UTF-16 code units, used by the hand-written scanners. They avoid a
 * regular expression per character, which would cost more than the scan itself.
 */

export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

export function isAsciiAlphanumericCode(code: number): boolean {
  return isDigitCode(code) || isAsciiLetterCode(code);
}

/**
 * Letters, digits and marks of any script. Outside ASCII every code unit counts as part of a
 * word except the common spaces and punctuation, so names in Greek, Cyrillic or with combining
 * accents stay whole words, and surrogate halves of emoji never split a word in two.
 */
export function isWordCode(code: number): boolean {
  if (code < 128) return isAsciiAlphanumericCode(code);
  if (code === 0xa0 || code === 0xab || code === 0xbb || code === 0xa7 || code === 0xb7) return false;
  if (code >= 0x2000 && code <= 0x206f) return false; // General Punctuation: spaces, dashes, quotes, zero-width and direction marks
  if (code === 0x3000 || code === 0xfeff || code === 0x1680) return false;
  if (code >= 0xd800 && code <= 0xdfff) return false; // emoji and other astral symbols
  return true;
}

export function isSpaceCode(code: number): boolean {
  return code === 32 || code === 9 || code === 0xa0;
}

export function isLineBreakCode(code: number): boolean {
  return code === 10 || code === 13;
}
