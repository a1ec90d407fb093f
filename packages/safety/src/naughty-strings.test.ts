import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createClaimChecker } from "./claims/claim-checker.ts";
import type { Detector } from "./finding.ts";
import { createInjectionDetector } from "./injection/injection-detector.ts";
import { originalSpan } from "./text/mapped-text.ts";
import { normaliseText } from "./text/normalise-text.ts";
import { createToxicityDetector } from "./toxicity/toxicity-detector.ts";

const strings = JSON.parse(readFileSync(resolve(import.meta.dirname, "test-data/blns.json"), "utf8")) as string[];
const detectors: Detector[] = [
  createInjectionDetector({ channel: "user" }),
  createInjectionDetector({ channel: "document" }),
  createToxicityDetector(),
];

describe("the big list of naughty strings", () => {
  it("has its 515 strings", () => {
    expect(strings.length).toBeGreaterThan(500);
  });

  it.each(detectors.map((detector, index) => [`${detector.name} #${index}`, detector] as const))(
    "%s never throws and keeps offsets inside the string",
    (_, detector) => {
      for (const text of strings) {
        for (const finding of detector.detect(text)) {
          expect(finding.start, text).toBeGreaterThanOrEqual(0);
          expect(finding.end, text).toBeLessThanOrEqual(text.length);
          expect(finding.start, text).toBeLessThanOrEqual(finding.end);
          expect(finding.score).toBeGreaterThanOrEqual(0);
          expect(finding.score).toBeLessThanOrEqual(1);
        }
      }
    },
  );

  it("normalisation maps every unit of every string back inside it", () => {
    for (const text of strings) {
      const normalised = normaliseText(text);
      for (let index = 0; index < normalised.text.length; index++) {
        const span = originalSpan(normalised, { start: index, end: index + 1 });
        expect(span.end, text).toBeLessThanOrEqual(text.length);
      }
    }
  });

  it("the claim checker takes each string as knowledge and as answer", async () => {
    const checker = createClaimChecker({ knowledgeText: strings.join("\n\n") });
    for (const text of strings) {
      const check = await checker.check(text, { question: text });
      for (const claim of check.claims) expect(claim.end).toBeLessThanOrEqual(text.length);
    }
  });
});
