import { describe, expect, it } from "vitest";
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
