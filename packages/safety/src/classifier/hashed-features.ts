import { fnvHash } from "./fnv-hash.ts";

/** Which hashed features a model reads; saved with its weights so training and inference agree. */
export interface FeatureSettings {
  /** log2 of the number of weight buckets. */
  bits: number;
  /** Shortest and longest character n-gram. */
  charGrams: readonly [number, number];
  /** Word n-grams up to this length (1 = unigrams, 2 = unigrams and bigrams). */
  wordGrams: 1 | 2;
  /**
   * Feature sums are divided by sqrt(max(count, minCount)): a fragment of a few characters
   * keeps close to the bias instead of being judged by its one or two n-grams.
   */
  minCount?: number;
}

const FNV_PRIME = 0x01000193;
const CHAR_SEED = 0x811c9dc5;
const WORD_SEED = 0x2f6b1d35;
const BIGRAM_SEED = 0x5bd1e995;

/**
 * Calls `visit` with the bucket of every feature of an already normalised text: character
 * n-grams over the text as is (spaces included, so word edges count) and word uni- and
 * bigrams. Each n-gram hash is extended one unit at a time, so the cost is
 * O(length x longest n-gram) with no allocation beyond the words.
 */
export function visitFeatures(text: string, settings: FeatureSettings, visit: (bucket: number) => void): void {
  const mask = (1 << settings.bits) - 1;
  const [shortest, longest] = settings.charGrams;
  for (let start = 0; start < text.length; start++) {
    let hash = CHAR_SEED;
    for (let size = 1; size <= longest && start + size <= text.length; size++) {
      hash = Math.imul(hash ^ text.charCodeAt(start + size - 1), FNV_PRIME);
      if (size >= shortest) visit((hash ^ size) & mask);
    }
  }
  let previous = -1;
  let wordStart = -1;
  for (let index = 0; index <= text.length; index++) {
    const inWord = index < text.length && isWordUnit(text.charCodeAt(index));
    if (inWord && wordStart < 0) wordStart = index;
    if (inWord || wordStart < 0) continue;
    const word = fnvHash(text.slice(wordStart, index), WORD_SEED);
    visit(word & mask);
    if (settings.wordGrams === 2 && previous >= 0) visit((Math.imul(previous ^ BIGRAM_SEED, FNV_PRIME) ^ word) & mask);
    previous = word;
    wordStart = -1;
  }
}

/** Every feature bucket of a text, repeats kept (a repeated n-gram counts again). */
export function featureBuckets(text: string, settings: FeatureSettings): Int32Array {
  const buckets: number[] = [];
  visitFeatures(text, settings, (bucket) => buckets.push(bucket));
  return Int32Array.from(buckets);
}

function isWordUnit(unit: number): boolean {
  return (unit >= 0x61 && unit <= 0x7a) || (unit >= 0x30 && unit <= 0x39) || unit === 0x27 || unit >= 0x80;
}
