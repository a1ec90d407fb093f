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
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    vector[hash % dimensions]! += hash & 0x80000000 ? -weight : weight;
  };
  for (const word of features.content) {
    add(`w:${word}`, 1);
    const padded = ` ${word} `;
    for (let index = 0; index + 3 <= padded.length; index++) add(`c:${padded.slice(index, index + 3)}`, 0.25);
  }
  for (let index = 0; index + 1 < features.tokens.length; index++)
    add(`b:${features.tokens[index]} ${features.tokens[index + 1]}`, 0.5);
  for (const number of features.numbers) add(`n:${number}`, 1);
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

/** 32-bit FNV-1a: fast, stable across processes (the vectors are stored). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
