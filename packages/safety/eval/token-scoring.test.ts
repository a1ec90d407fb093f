import { describe, expect, it } from "vitest";
import { countTokens, scoresOf } from "./token-scoring.ts";

describe("token-level scoring", () => {
  it("counts word tokens, not punctuation, and treats LOCATION as GPE and URL as DOMAIN_NAME", () => {
    const text = "Ana (from Porto) visited https://example.org.";
    const counts = countTokens(text, {
      gold: [
        { type: "PERSON", start: 0, end: 3 },
        { type: "GPE", start: 10, end: 15 },
        { type: "DOMAIN_NAME", start: 25, end: 44 },
      ],
      predicted: [
        { type: "PERSON", start: 0, end: 9 }, // "Ana (from": one token right, one ("from") wrong
        { type: "LOCATION", start: 10, end: 15 },
        { type: "URL", start: 25, end: 44 },
      ],
    });
    expect(counts.get("PERSON")).toEqual({ truePositives: 1, falsePositives: 1, falseNegatives: 0 });
    expect(counts.get("GPE")).toEqual({ truePositives: 1, falsePositives: 0, falseNegatives: 0 });
    expect(counts.get("DOMAIN_NAME")).toEqual({ truePositives: 3, falsePositives: 0, falseNegatives: 0 });
  });

  it("computes F1 and F2 from the counts", () => {
    const scores = scoresOf({ truePositives: 9, falsePositives: 4, falseNegatives: 5 });
    expect(scores.f1).toBeCloseTo(18 / 27, 10);
    expect(scores.f2).toBeCloseTo(45 / 69, 10);
    expect(scoresOf({ truePositives: 0, falsePositives: 0, falseNegatives: 0 }).precision).toBe(1);
  });
});
