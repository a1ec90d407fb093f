import { describe, expect, it } from "vitest";
import { createNerDetector } from "../ner/ner-detector.ts";
import { KNOWN_KINDS } from "./known-kinds.ts";

describe("known kinds", () => {
  it("list the tagger's kinds as its weights have them", () => {
    expect([...KNOWN_KINDS.names!].sort()).toEqual([...createNerDetector().kinds].sort());
  });
});
