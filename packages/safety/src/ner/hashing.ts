/**
 * Integer hashing for the tagger's features. Features are never built as strings: a word is
 * hashed once, and each feature mixes a template number with that hash.
 */

export const fnvOffset = 0x811c9dc5;

export function fnvStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193) >>> 0;
}

/** Lower-cases the code units of Latin, Latin-1, Greek and Cyrillic capitals; others pass through. */
export function lowerCode(code: number): number {
  if (code >= 65 && code <= 90) return code + 32;
  if (code < 0xc0) return code;
  if (code <= 0xde && code !== 0xd7) return code + 32;
  if (code >= 0x391 && code <= 0x3a9) return code + 32;
  if (code >= 0x410 && code <= 0x42f) return code + 32;
  if (code >= 0x100 && code <= 0x17f && code % 2 === 0) return code + 1; // Latin Extended-A pairs (Š/š, Ő/ő ...)
  return code;
}

/** The hash of a word as the gazetteers store it: lower-cased, FNV-1a over its code units. */
export function wordHash(text: string, range: { start: number; end: number }): number {
  let hash = fnvOffset;
  for (let index = range.start; index < range.end; index++) hash = fnvStep(hash, lowerCode(text.charCodeAt(index)));
  return hash;
}

export function hashString(word: string): number {
  return wordHash(word, { start: 0, end: word.length });
}

/** One feature: a template number and a value, mixed (murmur3's finaliser) into a bucket. */
export function featureBucket(template: number, value: number, mask: number): number {
  let hash = Math.imul(template + 1, 0x9e3779b1) ^ value;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) & mask;
}
