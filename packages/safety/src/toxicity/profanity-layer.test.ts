import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from "obscenity";
import { describe, expect, it } from "vitest";
import { isRegExpSpace, PROFANE_WORDS, profanityFindings } from "./profanity-layer.ts";

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const obscenitySpans = (text: string) => [
  ...new Set(matcher.getAllMatches(text, true).map((match) => `${match.startIndex}-${match.endIndex + 1}`)),
];
const ourSpans = (text: string) => profanityFindings(text).map((finding) => `${finding.start}-${finding.end}`);

describe("profanity layer", () => {
  it("finds exactly what obscenity finds on the whole text, over the toxicity dev split", () => {
    const path = resolve(import.meta.dirname, "../../eval/data/toxicity-dev.jsonl");
    const texts = readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { text: string }).text);
    let found = 0;
    for (const text of texts) {
      expect(ourSpans(text), text).toEqual(obscenitySpans(text));
      found += ourSpans(text).length;
    }
    expect(found).toBeGreaterThan(20);
  });

  it("agrees with obscenity on every listed word, plain and obfuscated", () => {
    for (const word of PROFANE_WORDS) {
      for (const text of [
        `oh ${word} no`,
        `oh ${word.toUpperCase()}!!`,
        `${word.replace(/a/g, "@").replace(/s/g, "$")} yes`,
      ]) {
        expect(ourSpans(text), text).toEqual(obscenitySpans(text));
      }
    }
  });
});

// Found by the fuzz campaign (issue 12): an upstream answer of 100,000 "a"s blocked the event loop for 13 s here.
describe("regression: a long run of one letter is scanned in linear time", () => {
  it("scans 400,000 repeated letters (the largest prompt accepted) in well under a second per 100,000", () => {
    for (const text of ["a".repeat(400_000), "a@".repeat(200_000), `${"s".repeat(200_000)} ${"4".repeat(200_000)}`]) {
      const startedAt = performance.now();
      profanityFindings(text);
      expect(performance.now() - startedAt).toBeLessThan(2_000);
    }
  });

  it("still finds a word whose letters repeat within the bound", () => {
    expect(profanityFindings("what the fuuuuuuuuuuck").map((finding) => finding.kind)).toEqual(["PROFANITY"]);
  });
});

describe("isRegExpSpace", () => {
  it("agrees with /\\s/ on every UTF-16 code unit", () => {
    const disagreeing: number[] = [];
    for (let unit = 0; unit <= 0xffff; unit++)
      if (isRegExpSpace(unit) !== /\s/.test(String.fromCharCode(unit))) disagreeing.push(unit);
    expect(disagreeing).toEqual([]);
  });
});
