import type { RequestContext } from "@keel/spec";
import { positiveOption } from "./options.ts";
import { textFeatures } from "./text-features.ts";

/** Turns texts into vectors for the semantic cache. */
export interface Embedder {
  /** Identifies the vector space: entries from another embedder are never compared. */
  readonly name: string;
  readonly dimensions: number;
  embed(texts: string[], ctx: RequestContext): Promise<number[][]>;
}

/**
 * A local embedder that needs no network and no model weights: hashed features (content
 * words, word bigrams, character trigrams of content words) folded into `dimensions`
 * with signed feature hashing, L2-normalised. It sees wording, not meaning: it finds
 * rephrasings that keep the words (order, contractions, politeness, plurals, a few
 * synonyms), not paraphrases that change them.
 */
export function createLocalEmbedder(options: { dimensions?: number } = {}): Embedder {
  const dimensions = Math.floor(positiveOption({ value: options.dimensions, fallback: 512, field: "dimensions" }));
  return {
    name: `keel-local-hash-v1-${dimensions}`,
    dimensions,
    async embed(texts) {
      return texts.map((text) => embedText(text, dimensions));
    },
  };
}

export function embedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const features = textFeatures(text);
  // Each feature is hashed as the string "<kind>:<text>" would be, continuing FNV-1a from
  // the prefix's state instead of building the string: the same hashes, no garbage.
  const add = (hash: number, weight: number) => {
    vector[hash % dimensions]! += hash & 0x80000000 ? -weight : weight;
  };
  for (const word of features.content) {
    add(fnv1a(word, WORD), 1);
    // Character trigrams of " word ": the spaces are hashed as characters, as in the padded string.
    const padded = ` ${word} `;
    for (let index = 0; index + 3 <= padded.length; index++) add(trigramHash(padded, index), 0.25);
  }
  for (let index = 0; index + 1 < features.tokens.length; index++) {
    const first = fnv1a(features.tokens[index]!, BIGRAM);
    add(fnv1a(features.tokens[index + 1]!, fnv1a(" ", first)), 0.5);
  }
  for (const number of features.numbers) add(fnv1a(number, NUMBER), 1);
  return normalise(vector);
}

function normalise(vector: number[]): number[] {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) return vector;
  for (let index = 0; index < vector.length; index++) vector[index]! /= norm;
  return vector;
}

const OFFSET_BASIS = 0x811c9dc5;

/**
 * 32-bit FNV-1a (fast, stable across processes: the vectors are stored) of `text`,
 * continuing from `hash` (the state after a prefix, or the offset basis).
 */
function fnv1a(text: string, hash = OFFSET_BASIS): number {
  let state = hash;
  for (let index = 0; index < text.length; index++) {
    state ^= text.charCodeAt(index);
    state = Math.imul(state, 0x01000193);
  }
  return state >>> 0;
}

/** FNV-1a of "c:" and the three characters of `text` from `start`, as of the string `c:${text.slice(start, start + 3)}`. */
function trigramHash(text: string, start: number): number {
  let state = TRIGRAM;
  for (let index = start; index < start + 3; index++) {
    state ^= text.charCodeAt(index);
    state = Math.imul(state, 0x01000193);
  }
  return state >>> 0;
}

/** The hash state after each kind's prefix. */
const WORD = fnv1a("w:");
const TRIGRAM = fnv1a("c:");
const BIGRAM = fnv1a("b:");
const NUMBER = fnv1a("n:");
