import { describe, expect, it } from "vitest";
import { createToxicityDetector } from "./toxicity-detector.ts";

const detector = createToxicityDetector();

describe("toxicity detector", () => {
  it("flags hateful and abusive statements as TOXIC", () => {
    for (const text of [
      "You are a worthless piece of garbage and everyone hates you.",
      "those people are animals and should all be sent back where they came from",
    ]) {
      expect(detector.score(text), text).toBeGreaterThanOrEqual(detector.threshold);
      expect(detector.detect(text).some((finding) => finding.kind === "TOXIC")).toBe(true);
    }
  });

  it("marks a hateful statement about a group as HATE as well as TOXIC, on the same span", () => {
    const hateful = "those people are animals and should all be sent back where they came from";
    const findings = detector.detect(hateful);
    const toxic = findings.find((finding) => finding.kind === "TOXIC");
    const hate = findings.find((finding) => finding.kind === "HATE");
    expect(hate).toMatchObject({ start: toxic?.start, end: toxic?.end, detector: "toxicity" });
  });

  it("passes ordinary and sensitive-but-civil text", () => {
    for (const text of [
      "Thanks for the help with the report, see you at the meeting tomorrow.",
      "Immigrants from many countries have shaped the culture and economy of the city.",
      "The recipe needs two cups of flour and a pinch of salt.",
    ]) {
      expect(detector.detect(text), text).toEqual([]);
    }
  });

  it("finds obfuscated profanity with offsets into the original text", () => {
    const text = "well fuuuuuck that, and $h1t happens";
    const findings = detector.detect(text).filter((finding) => finding.kind === "PROFANITY");
    expect(findings.map((finding) => text.slice(finding.start, finding.end))).toEqual(["fuuuuuck", "$h1t"]);
  });

  it("can leave the word list out", () => {
    expect(
      createToxicityDetector({ profanity: false })
        .detect("what the shit")
        .some((finding) => finding.kind === "PROFANITY"),
    ).toBe(false);
  });

  it("loads its weights and scans 1 MB of adversarial input in linear time", () => {
    expect(detector.threshold).toBeGreaterThan(0);
    const unit = "fuuuuuck s.h.i.t \u200b\u0430ss idiot ";
    const text = unit.repeat(Math.ceil((1 << 20) / unit.length)).slice(0, 1 << 20);
    const started = performance.now();
    const findings = detector.detect(text);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(findings.every((finding) => finding.start >= 0 && finding.end <= text.length)).toBe(true);
  }, 60_000);
});
