import type { TextFeatures } from "./text-features.ts";

/**
 * The part of a query's features that the guard (semantic-guard.ts) requires to be equal,
 * whatever else differs: the set of content words, the numbers in order and the negation
 * count, hashed to one 32-bit number. Two queries the guard lets match always have the
 * same key, so an index that compares a query only with entries of its key finds every
 * entry the cache could serve it. Different keys may collide (FNV-1a, 32 bits): that only
 * puts more entries in a bucket, each still compared exactly and guarded.
 */
export function guardKey(features: TextFeatures): number {
  const content = [...new Set(features.content)].sort();
  // U+0001 and U+0002 appear in no token (text-features.ts tokenises letters, digits, $ % , . + # -).
  return fnv1a(`${content.join("\u0001")}\u0002${features.numbers.join("\u0001")}\u0002${features.negations}`);
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
