import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_PII_KINDS } from "../policy/policy.ts";
import { createPiiDetector } from "../pii/pii-detector.ts";
import { createSecretsDetector } from "../secrets/secrets-detector.ts";
import { mayHoldPii, mayHoldSecret } from "./prefilters.ts";

const lines = (file: string) =>
  readFileSync(resolve(import.meta.dirname, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => (JSON.parse(line) as { text: string }).text);
const texts = [
  ...lines("../../eval/data/pii-dev.jsonl"),
  ...lines("../../eval/data/pii-train.jsonl"),
  ...(JSON.parse(readFileSync(resolve(import.meta.dirname, "../test-data/blns.json"), "utf8")) as string[]),
  "key xoxb-1234567890 and sk-proj-abcdefghijklmnopqrstuvwxyz0123 and AKIAIOSFODNN7EXAMPLE",
  "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
  "server at dead::beef, mail me at someone@example.org",
];
const kinds = new Set(DEFAULT_PII_KINDS);

describe("prefilters", () => {
  it("never skip a text in which the detectors find something (PII dev and train sets, naughty strings)", () => {
    const pii = createPiiDetector({ ner: false, kinds: DEFAULT_PII_KINDS });
    const secrets = createSecretsDetector();
    let skippedPii = 0;
    let skippedSecrets = 0;
    for (const text of texts) {
      if (!mayHoldPii(text, kinds)) {
        skippedPii += 1;
        expect(pii.detect(text), text).toEqual([]);
      }
      if (!mayHoldSecret(text)) {
        skippedSecrets += 1;
        expect(secrets.detect(text), text).toEqual([]);
      }
    }
    // They do skip: most texts without digits or long tokens.
    expect(skippedPii).toBeGreaterThan(100);
    expect(skippedSecrets).toBeGreaterThan(500);
  });

  it("say maybe for any kind they have no rule for", () => {
    expect(mayHoldPii("no digits here", new Set(["PERSON"]))).toBe(true);
    expect(mayHoldPii("no digits here", undefined)).toBe(true);
    expect(mayHoldPii("no digits here", kinds)).toBe(false);
  });

  it("a PII detector asked for a few kinds finds what the full one finds of those kinds", () => {
    const few = createPiiDetector({ ner: false, kinds: DEFAULT_PII_KINDS });
    const all = createPiiDetector({ ner: false });
    for (const text of lines("../../eval/data/pii-dev.jsonl")) {
      const expected = all.detect(text).filter((finding) => kinds.has(finding.kind));
      expect(few.detect(text), text).toEqual(expected);
    }
  });
});
