import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { AnswerWindow } from "./answer-window.ts";
import { mayHoldPii, mayHoldSecret } from "./prefilters.ts";
import { StreamGates } from "./stream-gates.ts";

const lines = (file: string) =>
  readFileSync(resolve(import.meta.dirname, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => (JSON.parse(line) as { text: string }).text);
const texts = [
  ...lines("../../eval/data/pii-dev.jsonl"),
  ...(JSON.parse(readFileSync(resolve(import.meta.dirname, "../test-data/blns.json"), "utf8")) as string[]),
  "key xoxb-1234567890 and sk-proj-abcdefghijklmnopqrstuvwxyz0123 and AKIAIOSFODNN7EXAMPLE then plain words",
  "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- and later text",
  "server at dead::beef, mail me at someone@example.org; a lone colon: then :: at the end::",
  "abcdefghijklmno pqrstuvwxyzabcd: short run, then aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa and ＡＢＣ１２３",
];
const DEFAULT_KINDS = new Set(["EMAIL_ADDRESS", "PHONE_NUMBER"]);

describe("stream gates", () => {
  it("answer mayHoldPii and mayHoldSecret of every suffix the guard asks about, chunk by chunk", () => {
    let checks = 0;
    const wrong: string[] = [];
    for (const [index, text] of texts.entries()) {
      for (const size of [1, 3, 4 + (index % 5)]) {
        const answer = new AnswerWindow(false);
        const gates = new StreamGates(answer);
        for (let at = 0; at < text.length; at += size) {
          answer.append(text.slice(at, at + size));
          // Every window start the guard could use after this chunk: up to the end, far back to 0.
          for (const from of [0, Math.max(0, answer.length - 48), Math.max(0, answer.length - 17), answer.length]) {
            const suffix = text.slice(from, answer.length);
            if (gates.mayHoldPii(from) !== mayHoldPii(suffix, DEFAULT_KINDS))
              wrong.push(`pii ${JSON.stringify(suffix)}`);
            if (gates.mayHoldSecret(from) !== mayHoldSecret(suffix)) wrong.push(`secret ${JSON.stringify(suffix)}`);
            checks++;
          }
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(checks).toBeGreaterThan(10_000);
    // Tens of thousands of suffixes: seconds on a busy shared machine.
  }, 30_000);

  it("read the answer window's offsets after it forgot the text before the look-back", () => {
    const answer = new AnswerWindow(true);
    const text = "word ".repeat(40) + "card 4111 1111 1111 1111 and more words ".repeat(3);
    for (let at = 0; at < text.length; at += 4) {
      answer.append(text.slice(at, at + 4));
      const from = Math.max(0, answer.length - 60);
      expect(answer.slice(from)).toBe(text.slice(from, answer.length));
      expect(answer.charCodeAt(answer.length - 1)).toBe(text.charCodeAt(answer.length - 1));
      expect(answer.indexOf(" ", from)).toBe(text.slice(0, answer.length).indexOf(" ", from));
      answer.forget(from);
    }
    expect(answer.wholeText()).toBe(text);
    expect(answer.length).toBe(text.length);
  });
});
