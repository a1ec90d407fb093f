import { categoryBit } from "./gazetteer-categories.ts";
import { featureBucket, fnvOffset, fnvStep, lowerCode } from "./hashing.ts";
import { tokenKinds, type Tokens } from "./tokenize.ts";

/** The most features one token can have: the static ones, the gazetteer bits of three tokens, and the tag ones. */
export const maximumFeatures = 96;

/** What features are computed from: the text, its tokens and each token's gazetteer bits. */
export interface FeatureInput {
  text: string;
  tokens: Tokens;
  gazetteerMasks: Uint16Array;
  /** hash space size - 1 (a power of two minus one). */
  bucketMask: number;
}

const commonWordBit = categoryBit("common-word");
const outside = 0x9e3779b9; // the value of a word before the first or after the last token
const templates = {
  bias: 0,
  word: 1,
  previousWord: 2,
  nextWord: 3,
  secondPreviousWord: 4,
  secondNextWord: 5,
  shape: 6,
  previousShape: 7,
  nextShape: 8,
  suffix2: 9,
  suffix3: 10,
  prefix3: 13,
  gazetteerBit: 14,
  previousGazetteerMask: 15,
  nextGazetteerMask: 16,
  gazetteerMask: 17,
  lineStart: 18,
  previousAndWord: 19,
  wordAndNext: 20,
  shapeInLowerCaseText: 21,
  lengthAndShape: 22,
  previousWordAndShape: 23,
  previousTag: 30,
  previousTagAndWord: 31,
  previousTagAndShape: 32,
  twoPreviousTags: 33,
} as const;

function hashAt(tokens: Tokens, position: number): number {
  return position < 0 || position >= tokens.count ? outside : (tokens.hashes[position] ?? outside);
}

function shapeAt(tokens: Tokens, position: number): number {
  return position < 0 || position >= tokens.count ? outside : (tokens.shapes[position] ?? outside);
}

/**
 * Writes the features of token `position` that do not depend on the tags before it into
 * `output`, returning how many were written. Everything is an integer bucket.
 */
export function staticFeatures(input: FeatureInput, position: number, output: Uint32Array): number {
  const { tokens, text, bucketMask: mask } = input;
  let count = 0;
  const word = hashAt(tokens, position);
  const previous = hashAt(tokens, position - 1);
  const next = hashAt(tokens, position + 1);
  const shape = shapeAt(tokens, position);
  const start = tokens.starts[position] ?? 0;
  const end = tokens.ends[position] ?? 0;
  const previousKind = position === 0 ? tokenKinds.lineBreak : tokens.kinds[position - 1];
  const nextKind = position + 1 >= tokens.count ? tokenKinds.lineBreak : tokens.kinds[position + 1];
  const lineStart = (previousKind === tokenKinds.lineBreak ? 1 : 0) + (nextKind === tokenKinds.lineBreak ? 2 : 0);
  output[count++] = featureBucket(templates.bias, 0, mask);
  output[count++] = featureBucket(templates.word, word, mask);
  output[count++] = featureBucket(templates.previousWord, previous, mask);
  output[count++] = featureBucket(templates.nextWord, next, mask);
  output[count++] = featureBucket(templates.secondPreviousWord, hashAt(tokens, position - 2), mask);
  output[count++] = featureBucket(templates.secondNextWord, hashAt(tokens, position + 2), mask);
  output[count++] = featureBucket(templates.shape, shape, mask);
  output[count++] = featureBucket(templates.previousShape, shapeAt(tokens, position - 1), mask);
  output[count++] = featureBucket(templates.nextShape, shapeAt(tokens, position + 1), mask);
  output[count++] = featureBucket(templates.previousAndWord, Math.imul(previous, 31) ^ word, mask);
  output[count++] = featureBucket(templates.wordAndNext, Math.imul(word, 31) ^ next, mask);
  output[count++] = featureBucket(templates.previousWordAndShape, Math.imul(previous, 17) ^ shape, mask);
  output[count++] = featureBucket(templates.shapeInLowerCaseText, tokens.lowerCaseText ? shape : ~shape, mask);
  output[count++] = featureBucket(templates.lengthAndShape, Math.imul(Math.min(end - start, 12), 7919) ^ shape, mask);
  output[count++] = featureBucket(templates.lineStart, lineStart, mask);
  if (tokens.kinds[position] === tokenKinds.word && end - start > 2) {
    let prefix = fnvStep(fnvStep(fnvOffset, lowerCode(text.charCodeAt(start))), lowerCode(text.charCodeAt(start + 1)));
    prefix = fnvStep(prefix, lowerCode(text.charCodeAt(start + 2)));
    output[count++] = featureBucket(templates.prefix3, prefix, mask);
    let suffix = fnvOffset;
    for (let index = end - 1; index >= Math.max(start, end - 3); index--) {
      suffix = fnvStep(suffix, lowerCode(text.charCodeAt(index)));
      const length = end - index;
      if (length >= 2) output[count++] = featureBucket(templates.suffix2 + length - 2, suffix, mask);
    }
  }
  // Neighbours' gazetteer categories as one combined value each; the token's own as a whole and bit by bit.
  const masks = input.gazetteerMasks;
  output[count++] = featureBucket(
    templates.previousGazetteerMask,
    position > 0 ? (masks[position - 1] ?? 0) : 0xffff,
    mask,
  );
  const nextMask = position + 1 < tokens.count ? (masks[position + 1] ?? 0) : 0xffff;
  output[count++] = featureBucket(templates.nextGazetteerMask, nextMask, mask);
  let own = masks[position] ?? 0;
  output[count++] = featureBucket(templates.gazetteerMask, own, mask);
  for (let bit = 0; own !== 0; bit++, own >>>= 1) {
    if (own & 1) output[count++] = featureBucket(templates.gazetteerBit, bit, mask);
  }
  return count;
}

/**
 * Tokens the tagger does not score when the previous token is outside every entity: punctuation,
 * line breaks, and lower-case common words in text that has capitals. No entity starts there in
 * practice, and skipping them halves the tagging work. Training skips the same tokens.
 */
export function isSkippedAfterOutside(input: FeatureInput, position: number): boolean {
  const kind = input.tokens.kinds[position];
  if (kind !== tokenKinds.word) return true;
  if (input.tokens.lowerCaseText || ((input.gazetteerMasks[position] ?? 0) & commonWordBit) === 0) return false;
  const code = input.text.charCodeAt(input.tokens.starts[position] ?? 0);
  return code >= 97 && code <= 122;
}

/** The token being tagged, the two tags before it, and the buffer its features go to. */
export interface TagHistory {
  position: number;
  previousTag: number;
  secondPreviousTag: number;
  buffer: Uint32Array;
}

/** Appends the features that depend on the two tags before the token after `offset`; returns the new count. */
export function tagFeatures(input: FeatureInput, history: TagHistory, offset: number): number {
  const { tokens, bucketMask: mask } = input;
  const buffer = history.buffer;
  let count = offset;
  const word = hashAt(tokens, history.position);
  const shape = shapeAt(tokens, history.position);
  const tag = history.previousTag + 1;
  buffer[count++] = featureBucket(templates.previousTag, tag, mask);
  buffer[count++] = featureBucket(templates.previousTagAndWord, Math.imul(tag, 0x27d4eb2d) ^ word, mask);
  buffer[count++] = featureBucket(templates.previousTagAndShape, Math.imul(tag, 0x165667b1) ^ shape, mask);
  buffer[count++] = featureBucket(templates.twoPreviousTags, tag * 64 + history.secondPreviousTag + 1, mask);
  return count;
}
