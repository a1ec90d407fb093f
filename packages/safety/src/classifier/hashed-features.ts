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
 * Every feature bucket of an already normalised text, repeats kept (a repeated n-gram
 * counts again): character n-grams over the text as is (spaces included, so word edges
 * count) and word uni- and bigrams. Each n-gram hash is extended one unit at a time, so
 * the cost is O(length x longest n-gram). The last few lists are kept, since the
 * injection and toxicity models read the same features of the same text.
 */
export function featureBuckets(text: string, settings: FeatureSettings): Int32Array {
  let key = keys.get(settings);
  if (key === undefined) {
    // Models loaded from different files share a memo when they read the same features.
    key = `${settings.bits}:${settings.charGrams[0]}-${settings.charGrams[1]}:${settings.wordGrams}`;
    keys.set(settings, key);
  }
  let memo = memos.get(key);
  if (memo === undefined) {
    memo = new Map();
    memos.set(key, memo);
  }
  const cached = memo.get(text);
  if (cached !== undefined) return cached;
  const buckets = extract(text, settings);
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(text, buckets);
  return buckets;
}

const MEMO_SIZE = 16;
/** Reused between calls: only the final, exact-size copy is allocated per text. */
let scratch = new Int32Array(8192);
const memos = new Map<string, Map<string, Int32Array>>();
/** Each settings object's memo key, built once instead of on every call. */
const keys = new WeakMap<FeatureSettings, string>();

function extract(text: string, settings: FeatureSettings): Int32Array {
  const mask = (1 << settings.bits) - 1;
  const [shortest, longest] = settings.charGrams;
  const length = text.length;
  const needed = length * (longest - shortest + 1) + length + 2;
  if (scratch.length < needed) scratch = new Int32Array(Math.max(needed, scratch.length * 2));
  const buckets = scratch;
  let count = 0;
  for (let start = 0; start < length; start++) {
    let hash = CHAR_SEED;
    const last = Math.min(longest, length - start);
    for (let size = 1; size <= last; size++) {
      hash = Math.imul(hash ^ text.charCodeAt(start + size - 1), FNV_PRIME);
      if (size >= shortest) buckets[count++] = (hash ^ size) & mask;
    }
  }
  let previous = -1;
  let word = WORD_SEED;
  let inWord = false;
  for (let index = 0; index <= length; index++) {
    const unit = index < length ? text.charCodeAt(index) : 0x20;
    if (isWordUnit(unit)) {
      word = Math.imul((inWord ? word : WORD_SEED) ^ unit, FNV_PRIME);
      inWord = true;
      continue;
    }
    if (!inWord) continue;
    const hash = word >>> 0;
    buckets[count++] = hash & mask;
    if (settings.wordGrams === 2 && previous >= 0)
      buckets[count++] = (Math.imul(previous ^ BIGRAM_SEED, FNV_PRIME) ^ hash) & mask;
    previous = hash;
    inWord = false;
  }
  return buckets.slice(0, count);
}

function isWordUnit(unit: number): boolean {
  return (unit >= 0x61 && unit <= 0x7a) || (unit >= 0x30 && unit <= 0x39) || unit === 0x27 || unit >= 0x80;
}
