import { describe, expect, it } from "vitest";
import { createCorpus } from "../bench/semantic-corpus.ts";
import { loadPairs } from "../eval/evaluate.ts";
import { embedText } from "./local-embedder.ts";
import { textFeatures } from "./text-features.ts";

/** The embedder as first written: each feature hashed as the string "<kind>:<text>". Stored vectors depend on it. */
function referenceEmbedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const features = textFeatures(text);
  const add = (feature: string, weight: number) => {
    let hash = 0x811c9dc5;
    for (let index = 0; index < feature.length; index++) {
      hash ^= feature.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    hash >>>= 0;
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
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

describe("embedText", () => {
  it("gives the vectors of the string-built hashes bit for bit (stored entries stay comparable)", () => {
    const texts: string[] = [
      "",
      "Write one sentence about harbour lantern granite tide beacon keeper storm fog (12345).",
      "Won't the café's naïve 10,000 users (25% of them) go from London to Paris?",
      "Ünïcödé wörds, emoji 🦄🚀 in the middle, سلام and 日本語 too",
      "C++ vs C# vs F#: which is faster, 1.5x or 2x? Chapter XIV, $19.99",
    ];
    for (const question of createCorpus(500)) texts.push(question.stored, question.paraphrase);
    for (const file of ["semantic-pairs.json", "semantic-pairs-holdout.json"]) {
      const pairs = loadPairs(file);
      for (const pair of [...pairs.paraphrases, ...pairs.nearMisses]) texts.push(...pair);
    }
    let compared = 0;
    for (const text of texts)
      for (const dimensions of [64, 512, 1536]) {
        const expected = referenceEmbedText(text, dimensions);
        const actual = embedText(text, dimensions);
        expect({ text, dimensions, same: actual.every((value, index) => Object.is(value, expected[index])) }).toEqual({
          text,
          dimensions,
          same: true,
        });
        compared++;
      }
    expect(compared).toBeGreaterThan(1_500);
  });
});
