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
  suffix4: 11,
  prefix2: 12,
  prefix3: 13,
  gazetteerBit: 14,
  previousGazetteerBit: 15,
  nextGazetteerBit: 16,
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
  const add = (template: number, value: number): void => {
    output[count++] = featureBucket(template, value, mask);
  };
  const word = hashAt(tokens, position);
  const previous = hashAt(tokens, position - 1);
  const next = hashAt(tokens, position + 1);
  const shape = shapeAt(tokens, position);
  add(templates.bias, 0);
  add(templates.word, word);
  add(templates.previousWord, previous);
  add(templates.nextWord, next);
  add(templates.secondPreviousWord, hashAt(tokens, position - 2));
  add(templates.secondNextWord, hashAt(tokens, position + 2));
  add(templates.shape, shape);
  add(templates.previousShape, shapeAt(tokens, position - 1));
  add(templates.nextShape, shapeAt(tokens, position + 1));
  add(templates.previousAndWord, Math.imul(previous, 31) ^ word);
  add(templates.wordAndNext, Math.imul(word, 31) ^ next);
  add(templates.previousWordAndShape, Math.imul(previous, 17) ^ shape);
  add(templates.shapeInLowerCaseText, tokens.lowerCaseText ? shape : ~shape);
  const start = tokens.starts[position] ?? 0;
  const end = tokens.ends[position] ?? 0;
  add(templates.lengthAndShape, Math.imul(Math.min(end - start, 12), 7919) ^ shape);
  const previousKind = position === 0 ? tokenKinds.lineBreak : tokens.kinds[position - 1];
  const nextKind = position + 1 >= tokens.count ? tokenKinds.lineBreak : tokens.kinds[position + 1];
  add(
    templates.lineStart,
    (previousKind === tokenKinds.lineBreak ? 1 : 0) + (nextKind === tokenKinds.lineBreak ? 2 : 0),
  );
  if (tokens.kinds[position] === tokenKinds.word && end - start > 2) {
    let prefix = fnvOffset;
    for (let index = start; index < start + 3; index++) {
      prefix = fnvStep(prefix, lowerCode(text.charCodeAt(index)));
      if (index === start + 1) add(templates.prefix2, prefix);
    }
    add(templates.prefix3, prefix);
    let suffix = fnvOffset;
    for (let index = end - 1; index >= Math.max(start, end - 4); index--) {
      suffix = fnvStep(suffix, lowerCode(text.charCodeAt(index)));
      const length = end - index;
      if (length >= 2) add(templates.suffix2 + length - 2, suffix);
    }
  }
  count = addGazetteerBits(input, { position, output, count });
  return count;
}

function addGazetteerBits(input: FeatureInput, at: { position: number; output: Uint32Array; count: number }): number {
  const { gazetteerMasks, tokens, bucketMask } = input;
  const { position, output } = at;
  let count = at.count;
  const masks = [
    [templates.previousGazetteerBit, position - 1],
    [templates.gazetteerBit, position],
    [templates.nextGazetteerBit, position + 1],
  ] as const;
  for (const [template, where] of masks) {
    if (where < 0 || where >= tokens.count) continue;
    let mask = gazetteerMasks[where] ?? 0;
    if (template === templates.gazetteerBit) output[count++] = featureBucket(templates.gazetteerMask, mask, bucketMask);
    for (let bit = 0; mask !== 0; bit++, mask >>>= 1) {
      if (mask & 1) output[count++] = featureBucket(template, bit, bucketMask);
    }
  }
  return count;
}

/** Writes the features that depend on the two tags before the token, after `offset`; returns the new count. */
export function tagFeatures(
  input: FeatureInput,
  at: { position: number; previousTag: number; secondPreviousTag: number },
  output: { buffer: Uint32Array; offset: number },
): number {
  const { tokens, bucketMask: mask } = input;
  let count = output.offset;
  const word = hashAt(tokens, at.position);
  const shape = shapeAt(tokens, at.position);
  const tag = at.previousTag + 1;
  output.buffer[count++] = featureBucket(templates.previousTag, tag, mask);
  output.buffer[count++] = featureBucket(templates.previousTagAndWord, Math.imul(tag, 0x27d4eb2d) ^ word, mask);
  output.buffer[count++] = featureBucket(templates.previousTagAndShape, Math.imul(tag, 0x165667b1) ^ shape, mask);
  output.buffer[count++] = featureBucket(templates.twoPreviousTags, tag * 64 + at.secondPreviousTag + 1, mask);
  return count;
}
