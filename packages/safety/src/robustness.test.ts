import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Detector, Finding } from "./finding.ts";
import { createNerDetector } from "./ner/ner-detector.ts";
import { createPiiDetector } from "./pii/pii-detector.ts";
import { createStructuredDetectors } from "./pii/structured-detectors.ts";
import { createSecretsDetector } from "./secrets/secrets-detector.ts";

const detectors: Detector[] = [
  ...createStructuredDetectors(),
  createNerDetector(),
  createSecretsDetector(),
  createPiiDetector(),
];

function expectWellFormed(findings: readonly Finding[], text: string): void {
  for (const finding of findings) {
    expect(finding.start).toBeGreaterThanOrEqual(0);
    expect(finding.end).toBeGreaterThan(finding.start);
    expect(finding.end).toBeLessThanOrEqual(text.length);
    expect(finding.score).toBeGreaterThanOrEqual(0);
    expect(finding.score).toBeLessThanOrEqual(1);
    expect(finding.kind).toMatch(/^[A-Z_]+$/);
  }
}

describe("adversarial Unicode", () => {
  const texts = [
    "mail\u200b joe@example.com\u200d now", // zero-width space and joiner
    "\u202eroot@example.org\u202c is reversed", // right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd joe@example.com \u0645\u0631\u062d\u0628\u0627", // RTL mark, Hebrew, Arabic
    "card \uff14\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11", // full-width digits
    "👩‍👩‍👧 call +1-984-182-0190 🇵🇹 joe@example.com 🎉",
    "Jose\u0301 Mari\u0301a lives in Bogota\u0301, card 4111111111111111", // combining accents
    "\ud800 lone surrogate 4111111111111111 \udfff",
    "\ufeffBOM then 106.31.73.20",
  ];

  it("never throws and keeps offsets inside the original string", () => {
    for (const detector of detectors) {
      for (const text of texts) expectWellFormed(detector.detect(text), text);
    }
  });

  it("finds values next to invisible marks and emoji at the right offsets", () => {
    const pii = createPiiDetector();
    for (const text of texts) {
      for (const finding of pii.detect(text)) {
        const value = text.slice(finding.start, finding.end);
        if (finding.kind === "EMAIL_ADDRESS") expect(value).toMatch(/^(joe|root)@example\.(com|org)$/);
        if (finding.kind === "CREDIT_CARD") expect(value).toBe("4111111111111111");
        if (finding.kind === "PHONE_NUMBER") expect(value).toBe("+1-984-182-0190");
      }
    }
    const kinds = texts.flatMap((text) => pii.detect(text).map((finding) => finding.kind));
    expect(kinds.filter((kind) => kind === "EMAIL_ADDRESS")).toHaveLength(4);
    expect(kinds).toContain("IP_ADDRESS");
  });
});

describe("linear time on 1 MB of adversarial text", () => {
  const megabyte = 1_000_000;
  const inputs: Record<string, string> = {
    letters: "a".repeat(megabyte),
    "digit-dash": "1-".repeat(megabyte / 2),
    "at-dot": "@.".repeat(megabyte / 2),
    "letter-at": "a@".repeat(megabyte / 2),
    digits: "9".repeat(megabyte),
    "digit-space": "1 ".repeat(megabyte / 2),
    "digit-colon": "1:".repeat(megabyte / 2),
    "digit-dot": "1.".repeat(megabyte / 2),
    "begin-markers": "-----BEGIN ".repeat(megabyte / 11),
    "jwt-prefix": "eyJ".repeat(megabyte / 3),
    schemes: "http://".repeat(megabyte / 7),
    "key-prefixes": "sk-".repeat(megabyte / 3),
    "month-days": "May 1 ".repeat(megabyte / 6),
    "zero-width": "\u200b".repeat(megabyte),
    names: "Maria Silva ".repeat(megabyte / 12),
    "digit-parenthesis": "1)".repeat(megabyte / 2),
    "plus-parenthesis": "+1 (".repeat(megabyte / 4),
  };
  // Generous: a quadratic scan of 1 MB takes minutes; these finish in well under a second on an idle machine.
  // CPU time rather than wall time, so other processes on a busy machine do not fail the test.
  const boundMilliseconds = { single: 2000, combined: 4000 };
  const cpuMilliseconds = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };

  for (const detector of detectors) {
    it(`${detector.name} finishes each input within the bound`, () => {
      const bound = detector.name === "pii" ? boundMilliseconds.combined : boundMilliseconds.single;
      for (const [name, text] of Object.entries(inputs)) {
        const started = process.cpuUsage();
        const findings = detector.detect(text);
        const elapsed = cpuMilliseconds(started);
        expect({ input: name, slow: elapsed > bound }).toEqual({ input: name, slow: false });
        expect(findings.length).toBeLessThanOrEqual(text.length);
      }
    }, 120_000);
  }
});

describe("the big list of naughty strings", () => {
  const strings = JSON.parse(readFileSync(new URL("./test-data/blns.json", import.meta.url), "utf8")) as string[];

  it("has all 515 strings", () => {
    expect(strings).toHaveLength(515);
  });

  it("never makes a detector throw, and every offset is within bounds", () => {
    for (const detector of detectors) {
      for (const text of strings) expectWellFormed(detector.detect(text), text);
    }
  });
});
