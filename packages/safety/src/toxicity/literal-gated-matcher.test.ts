import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from "obscenity";
import { describe, expect, it } from "vitest";
import { createLiteralGatedMatcher, transformText } from "./literal-gated-matcher.ts";
import { PROFANE_WORDS } from "./profanity-layer.ts";

const options = { ...englishDataset.build(), ...englishRecommendedTransformers };
const obscenity = new RegExpMatcher(options);
const gated = createLiteralGatedMatcher(options);

function texts(): string[] {
  const rows = (file: string) =>
    readFileSync(resolve(import.meta.dirname, "../../eval/data", file), "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { text: string }).text);
  const naughty = JSON.parse(readFileSync(resolve(import.meta.dirname, "../test-data/blns.json"), "utf8")) as string[];
  const words = PROFANE_WORDS.flatMap((word) => [
    word,
    `${word.toUpperCase()}S!`,
    `x${word}y ${word.replace(/a/g, "@").replace(/i/g, "1").replace(/s/g, "$").replace(/o/g, "0")}`,
    `${word.replace(/(.)/g, "$1$1$1")} ${word.split("").join(" ")}`,
  ]);
  return [...rows("toxicity-dev.jsonl"), ...rows("toxicity-train.jsonl"), ...naughty, ...words];
}

describe("literal-gated matcher", () => {
  it("returns exactly obscenity's sorted matches on the toxicity splits, the naughty strings and every listed word", () => {
    let matched = 0;
    for (const text of texts()) {
      const expected = obscenity.getAllMatches(text, true);
      expect(gated.getAllMatches(text), text).toEqual(expected);
      matched += expected.length;
    }
    // The comparison covers texts with matches, whitelisted ones and none.
    expect(matched).toBeGreaterThan(500);
  });

  it("transforms every text as obscenity's matcher does: the same text, the same index map", () => {
    const internals = obscenity as unknown as {
      blacklistMatcherTransformers: Parameters<typeof transformText>[1];
      applyTransformers(input: string, transformers: unknown): [number[], string];
    };
    const transformers = internals.blacklistMatcherTransformers;
    const astral = ["\u{1D41F}\u{1D42E}ck \u{1F600}\u{1F600} x", "lone \ud800 high, lone \udc00 low, end \ud83d"];
    for (const text of [...texts(), ...astral, "a".repeat(20_000)]) {
      const [expectedMap, expectedText] = internals.applyTransformers(text, transformers);
      const [map, transformed] = transformText(text, transformers);
      expect(transformed, text).toBe(expectedText);
      expect(Array.from(map.subarray(0, transformed.length)), text).toEqual(expectedMap);
    }
  });

  it('agrees on words that start a term ("about", "night"), whitelisted words and leetspeak', () => {
    expect(gated.getAllMatches("tell me about the night")).toEqual([]);
    expect(gated.getAllMatches("an assistant and an assessment")).toEqual([]);
    expect(gated.getAllMatches("what a sh1t day").map((match) => [match.startIndex, match.endIndex])).toEqual(
      obscenity.getAllMatches("what a sh1t day", true).map((match) => [match.startIndex, match.endIndex]),
    );
  });
});
