import { describe, expect, it } from "vitest";
import { loadPairs } from "../eval/evaluate.ts";
import { servedBy } from "../bench/guarded-lookup.ts";
import { createCorpus } from "../bench/semantic-corpus.ts";
import { guardKey } from "./guard-key.ts";
import { embedText } from "./local-embedder.ts";
import { prepareVector } from "./prepared-vector.ts";
import { guardRejection } from "./semantic-guard.ts";
import { textFeatures, type TextFeatures } from "./text-features.ts";
import { createVectorIndex } from "./vector-index.ts";

describe("guardKey", () => {
  it("is the same for every two questions the guard lets match (so a keyed lookup loses no servable entry)", () => {
    const texts = new Set<string>();
    for (const file of ["semantic-pairs.json", "semantic-pairs-holdout.json"]) {
      const pairs = loadPairs(file);
      for (const pair of [...pairs.paraphrases, ...pairs.nearMisses]) for (const text of pair) texts.add(text);
    }
    for (const question of createCorpus(100)) {
      texts.add(question.stored);
      texts.add(question.paraphrase);
      if (question.nearMiss) texts.add(question.nearMiss);
    }
    const featured = [...texts].map((text) => ({ text, features: textFeatures(text) }));
    let allowed = 0;
    let separated = 0;
    for (const left of featured)
      for (const right of featured) {
        const sameKey = guardKey(left.features) === guardKey(right.features);
        if (guardRejection(left.features, right.features) === undefined) {
          allowed++;
          expect({ left: left.text, right: right.text, sameKey }).toEqual({
            left: left.text,
            right: right.text,
            sameKey: true,
          });
        } else if (!sameKey) separated++;
      }
    // Pairs that match themselves, the labelled paraphrases and the corpus's rewordings.
    expect(allowed).toBeGreaterThan(texts.size + 100);
    expect(separated).toBeGreaterThan(texts.size * (texts.size - 10));
  }, 60_000);

  it("ignores content-word order and repeats, and tells numbers, their order and negations apart", () => {
    const key = (text: string) => guardKey(textFeatures(text));
    expect(key("Paris to London train times")).toBe(key("train times, London to Paris"));
    expect(key("Is coffee bad for health")).toBe(key("is coffee bad bad for health"));
    expect(key("Is coffee bad for health")).not.toBe(key("Is coffee not bad for health"));
    expect(key("convert 10 km to 5 miles")).not.toBe(key("convert 5 km to 10 miles"));
    expect(key("ticket number 1")).not.toBe(key("ticket number 2"));
  });
});

describe("a keyed lookup against the whole-partition scan", () => {
  it("serves every answer the scan serves, on a seeded corpus of generated, templated, reworded and labelled questions", () => {
    const corpus = createCorpus(3_000);
    const index = createVectorIndex({ dimensions: 512, maxEntriesPerNamespace: 10_000 });
    const featuresOf = new Map<string, TextFeatures>();
    for (const [position, question] of corpus.entries()) {
      const features = textFeatures(question.stored);
      featuresOf.set(`q${position}`, features);
      index.add({
        id: `q${position}`,
        namespace: "n",
        partition: "p",
        vector: embedText(question.stored, 512),
        expiresAt: Number.MAX_SAFE_INTEGER,
        key: guardKey(features),
      });
    }
    const lookup = { index, partition: "p", threshold: 0.8, featuresOf: (id: string) => featuresOf.get(id) };
    let servedByScan = 0;
    for (const [position, question] of corpus.entries()) {
      if (position % 3 !== 0 && question.kind !== "labelled") continue;
      for (const text of question.nearMiss ? [question.paraphrase, question.nearMiss] : [question.paraphrase]) {
        const vector = prepareVector(embedText(text, 512));
        const scanned = servedBy(lookup, { text, vector, keyed: false });
        const keyed = servedBy(lookup, { text, vector, keyed: true });
        if (scanned) {
          servedByScan++;
          expect({ text, served: keyed?.id, similarity: keyed?.similarity }).toEqual({
            text,
            served: scanned.id,
            similarity: scanned.similarity,
          });
        }
        // A near miss is never served the question it resembles (another stored question asking it is fine).
        if (text === question.nearMiss)
          expect({ text, wrong: keyed?.id === `q${position}` }).toEqual({ text, wrong: false });
      }
    }
    expect(servedByScan).toBeGreaterThan(700);
  }, 60_000);
});
