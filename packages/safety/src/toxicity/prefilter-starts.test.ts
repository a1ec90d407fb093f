import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { normaliseText } from "../text/normalise-text.ts";
import { nextPrefilterHit, PREFILTER, PROFANE_WORDS } from "./profanity-layer.ts";

/** The prefilter's hits as one global regex finds them, the way the layer scanned before the start table. */
function regexHits(text: string): number[] {
  const hits: number[] = [];
  PREFILTER.lastIndex = 0;
  for (let match = PREFILTER.exec(text); match !== null; match = PREFILTER.exec(text))
    hits.push(match.index, match.index + match[0].length);
  return hits;
}

function scannedHits(text: string): number[] {
  const hits: number[] = [];
  for (let hit = nextPrefilterHit(text, 0); hit !== undefined; hit = nextPrefilterHit(text, hit.end))
    hits.push(hit.start, hit.end);
  return hits;
}

/** xorshift32 over an alphabet of the prefilter's letters, look-alikes, spaces and a few others. */
function randomTexts(count: number): string[] {
  const alphabet = "abcdefghijklmnopqrstuvwxyz@4(3610|!/$572 .\n-é";
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + (next() % 80) }, () => alphabet[next() % alphabet.length]).join(""),
  );
}

describe("the prefilter's start table", () => {
  it("finds exactly the global regex's hits on the eval texts, the naughty strings, the listed words and random text", () => {
    const data = resolve(import.meta.dirname, "../../eval/data");
    const texts = ["toxicity-dev.jsonl", "toxicity-train.jsonl", "injection-train.jsonl", "pii-dev.jsonl"].flatMap(
      (file) =>
        readFileSync(resolve(data, file), "utf8")
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => (JSON.parse(line) as { text: string }).text),
    );
    const naughty = JSON.parse(
      readFileSync(resolve(import.meta.dirname, "../test-data/blns.json"), "utf8"),
    ) as string[];
    const words = PROFANE_WORDS.flatMap((word) => [
      word,
      `x${word}`,
      word.replace(/(.)/g, "$1$1"),
      word.split("").join(" "),
      // The gap terms (f[?]ck, h[?]ndjob ...): any unit after the first letter, doubled first letters.
      `${word[0]}*${word.slice(1)}`,
      `${word[0]}${word[0]}#${word.slice(1)}`,
      `${word[0]}${word.slice(2)}`,
      `${word[0]}é${word.slice(2)}`,
    ]);
    let hits = 0;
    const wrong: string[] = [];
    for (const text of [...texts, ...naughty, ...words, ...randomTexts(20_000)]) {
      // The layer scans normalised text; any string must give the same hits all the same.
      for (const scanned of [normaliseText(text).text, text]) {
        const expected = regexHits(scanned);
        if (scannedHits(scanned).join() !== expected.join()) wrong.push(scanned);
        hits += expected.length / 2;
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(hits).toBeGreaterThan(1000);
    // Some 70,000 strings: seconds on a busy shared machine.
  }, 30_000);
});
