import { isAsciiAlphanumericCode } from "../pii/char-codes.ts";

/** Tokens longer than this are not one credential; skipping them keeps the work per token bounded. */
const longestToken = 8192;

function isTokenCode(code: number): boolean {
  // letters, digits, '_', '-', '+', '/', '.'
  return isAsciiAlphanumericCode(code) || code === 95 || code === 45 || code === 43 || code === 47 || code === 46;
}

/**
 * The credential-shaped tokens of a text, in one pass: maximal runs of letters, digits and
 * "_-+/." with up to two '=' of base64 padding, trailing dots trimmed. Anything else (spaces,
 * quotes, ':' and '=' of "key=value") ends a token, so every rule then tests one short string.
 */
export function findSecretTokens(text: string): { start: number; end: number }[] {
  const tokens: { start: number; end: number }[] = [];
  let index = 0;
  while (index < text.length) {
    if (!isTokenCode(text.charCodeAt(index))) {
      index++;
      continue;
    }
    const start = index;
    while (index < text.length && isTokenCode(text.charCodeAt(index))) index++;
    let end = index;
    while (end > start && text.charCodeAt(end - 1) === 46) end--;
    let padding = 0;
    while (padding < 2 && text.charCodeAt(index) === 61) {
      padding++;
      index++;
    }
    if (padding > 0 && !isTokenCode(text.charCodeAt(index)) && end === index - padding) end = index;
    if (end - start >= 8 && end - start <= longestToken) tokens.push({ start, end });
  }
  return tokens;
}
