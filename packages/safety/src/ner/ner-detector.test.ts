import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { loadNerModel } from "./load-model.ts";
import { createNerDetector } from "./ner-detector.ts";

describe("NER detector", () => {
  it("loads the committed weights once, small enough to ship", () => {
    const model = loadNerModel();
    expect(loadNerModel()).toBe(model);
    expect(model.labels.kinds).toEqual(["PERSON", "GPE", "ORGANIZATION", "STREET_ADDRESS", "TITLE", "NRP", "ZIP_CODE"]);
    expect(model.gazetteer.size).toBeGreaterThan(10_000);
    expect(statSync(new URL("./weights/ner-model.bin", import.meta.url)).size).toBeLessThan(5 * 1024 * 1024);
  });

  it("tags names, places, organisations and titles", () => {
    const detector = createNerDetector();
    expect(found(detector, "My name is Maria Silva and I live in Lisbon.")).toEqual([
      "PERSON:Maria Silva",
      "GPE:Lisbon",
    ]);
    expect(found(detector, "Hello, this is Dr. Kyle Kuefer. Who are you?")).toEqual([
      "TITLE:Dr.",
      "PERSON:Kyle Kuefer",
    ]);
    expect(found(detector, "I work at Acme Corporation as a software engineer.")).toEqual([
      "ORGANIZATION:Acme Corporation",
      "TITLE:software engineer",
    ]);
    expect(found(detector, "I am cambodian but I live in United Kingdom.")).toEqual([
      "NRP:cambodian",
      "GPE:United Kingdom",
    ]);
    expect(found(detector, "Ship it to 14 Crown Street, London")).toEqual(["STREET_ADDRESS:14 Crown Street, London"]);
  });

  it("leaves capitalised words that are not names alone", () => {
    const detector = createNerDetector();
    expect(found(detector, "Please reset my password.")).toEqual([]);
    expect(found(detector, "The Server Is Down Again")).toEqual([]);
    expect(found(detector, "Thanks for the quick reply, Great Service!")).toEqual([]);
    expect(found(detector, "Is there a Student Discount?")).toEqual([]);
  });

  it("does not tag 'envelope please' as a PERSON (a lone unknown word before a common word, no capitals)", () => {
    const detector = createNerDetector();
    expect(found(detector, "envelope please")).toEqual([]);
    expect(found(detector, "tax policy and reform advocacy.")).not.toContain("PERSON:policy");
    // A known first name stays a name, and so does a lone unknown word in text with capitals.
    expect(found(detector, "grace please call me")).toContain("PERSON:grace");
    expect(found(detector, "The true gender of Frederikke has been under debate")).toContain("PERSON:Frederikke");
  });
});
