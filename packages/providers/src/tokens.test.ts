import { describe, expect, it } from "vitest";
import { countTokens as o200kCount } from "gpt-tokenizer/encoding/o200k_base";
import { countChatTokens, countTokens } from "./tokens.ts";

describe("token counting", () => {
  it("counts with o200k for 4o, 4.1 and o-series models and cl100k otherwise", () => {
    // A string whose token count differs between the two encodings.
    const text = "Grüße aus Köln! Ünïcödé wörds tokenise differently.";
    const o200k = countTokens(text, "gpt-4o-mini");
    const cl100k = countTokens(text, "gpt-4");
    expect(o200k).not.toBe(cl100k);
    expect(countTokens(text, "gpt-4.1")).toBe(o200k);
    expect(countTokens(text, "o3-mini")).toBe(o200k);
    expect(countTokens(text, "gpt-3.5-turbo")).toBe(cl100k);
    expect(countTokens(text, "some-local-llama")).toBe(cl100k);
    expect(countTokens(text)).toBe(cl100k);
  });

  it("counts known strings exactly", () => {
    expect(countTokens("Hello, world! This is a test.", "gpt-4o")).toBe(9);
    expect(countTokens("hello world", "gpt-4")).toBe(2);
    expect(countTokens("", "gpt-4o")).toBe(0);
  });

  it("treats special-token text in user input as plain text instead of throwing", () => {
    expect(countTokens("before <|endoftext|> after", "gpt-4o")).toBeGreaterThan(3);
  });

  it("counts a chat prompt with OpenAI's per-message framing", () => {
    // OpenAI's cookbook: 3 per message + role + content (+1 and the name), + 3 reply priming.
    // "user" and "Hello" are one token each: 3 + 1 + 1 + 3 = 8, which is what the API reports.
    expect(countChatTokens([{ role: "user", content: "Hello" }], "gpt-4o")).toBe(8);
    const withName = countChatTokens([{ role: "user", content: "Hello", name: "ada" }], "gpt-4o");
    expect(withName).toBe(8 + 1 + countTokens("ada", "gpt-4o"));
    const twoMessages = countChatTokens(
      [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hello" },
      ],
      "gpt-4o",
    );
    expect(twoMessages).toBe(8 + 3 + countTokens("system", "gpt-4o") + countTokens("You are terse.", "gpt-4o"));
  });
});

describe("token counting of long runs (regression: quadratic BPE on one long pre-token)", () => {
  it("counts 1 MB without whitespace, in an answer and in a prompt, within a bound", () => {
    const run = "a".repeat(1024 * 1024);
    const started = performance.now();
    const answerTokens = countTokens(run, "gpt-4o-mini");
    const promptTokens = countChatTokens([{ role: "user", content: `${"7".repeat(512 * 1024)}!` }], "gpt-4");
    expect(performance.now() - started).toBeLessThan(3_000);
    // Each 256-character slice of "a"s is a few dozen tokens: the estimate stays proportional.
    expect(answerTokens).toBeGreaterThan(run.length / 16);
    expect(answerTokens).toBeLessThan(run.length / 2);
    expect(promptTokens).toBeGreaterThan((512 * 1024) / 4);
  });

  it("counts ordinary text exactly as before, and a sliced run near its unsliced count", () => {
    const prose = "The quick brown fox jumps over the lazy dog. ".repeat(200);
    expect(countTokens(prose, "gpt-4o")).toBe(o200kCount(prose, { disallowedSpecial: new Set() }));
    const word = "supercalifragilistic".repeat(40);
    const whole = countTokens(word.slice(0, 255), "gpt-4o");
    expect(Math.abs(countTokens(word, "gpt-4o") - whole * (word.length / 255))).toBeLessThan(20);
  });
});
