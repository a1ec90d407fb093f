import { type ChatMessage, KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { NAUGHTY_STRINGS } from "../test-support/naughty-strings.ts";
import { optimisePrompt } from "./optimise-prompt.ts";
import { collapseRepeatedLines, compactWhitespace } from "./text-compaction.ts";

// A stand-in tokenizer (the package may not import providers): words, single symbols and
// whitespace runs are one token each; 3 tokens of framing per message and 3 for the reply,
// as OpenAI counts chat prompts.
const countText = (text: string) => text.match(/\w+|[^\w\s]|\s+/g)?.length ?? 0;
const countTokens = (messages: ChatMessage[]) =>
  3 + messages.reduce((sum, message) => sum + 3 + 1 + countText(message.content), 0);

const user = (content: string): ChatMessage => ({ role: "user", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
const system = (content: string): ChatMessage => ({ role: "system", content });

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe("text compaction", () => {
  it("collapses spaces, trailing blanks and blank-line runs, keeping indentation and code fences", () => {
    const text =
      "\n\nHello,    world!   \r\n\r\n\r\n\r\n  - indented\titem\t\twith   gaps\n```py\ndef f():\n    x  =  1   \n\n\n\n    return x\n```\nend   ";
    expect(compactWhitespace(text)).toBe(
      "Hello, world!\n\n  - indented item with gaps\n```py\ndef f():\n    x  =  1\n\n\n\n    return x\n```\nend",
    );
    expect(compactWhitespace(compactWhitespace(text))).toBe(compactWhitespace(text));
  });

  it("collapses a line repeated three or more times into one and a note, never inside code fences", () => {
    const log = ["start", ...Array(5).fill("ERROR timeout"), "twice", "twice", "", "", "", "end"].join("\n");
    expect(collapseRepeatedLines(log)).toBe(
      ["start", "ERROR timeout", "[the line above repeats 4 more times]", "twice", "twice", "", "", "", "end"].join(
        "\n",
      ),
    );
    const code = ["```", "}", "}", "}", "```"].join("\n");
    expect(collapseRepeatedLines(code)).toBe(code);
    expect(collapseRepeatedLines("a\na", 2)).toBe("a\n[the line above repeats 1 more times]");
  });
});

describe("optimisePrompt", () => {
  it("runs only the transforms asked for and reports what each saved; the caller's messages stay untouched", () => {
    const messages = deepFreeze([
      system("You   are   terse.   \n\n\n"),
      user("Logs:\n" + Array(6).fill("WARN disk 91%").join("\n")),
      user("Logs:\n" + Array(6).fill("WARN disk 91%").join("\n")),
      assistant("Noted."),
      user("Summarise   them,   please.  "),
    ]);
    const result = optimisePrompt(
      messages,
      { dropDuplicateMessages: true, compactWhitespace: true, collapseRepeatedLines: true },
      countTokens,
    );
    expect(result.messages).toEqual([
      system("You are terse."),
      user("Logs:\nWARN disk 91%\n[the line above repeats 5 more times]"),
      assistant("Noted."),
      user("Summarise them, please."),
    ]);
    expect(result.transforms.map((report) => [report.transform, report.messagesChanged])).toEqual([
      ["drop-duplicate-messages", 1],
      ["compact-whitespace", 2],
      ["collapse-repeated-lines", 1],
    ]);
    for (const report of result.transforms) expect(report.tokensSaved).toBeGreaterThan(0);
    expect(result.promptTokensBefore).toBe(countTokens(messages));
    expect(result.promptTokensAfter).toBe(countTokens(result.messages));
    expect(result.promptTokensSaved).toBe(result.promptTokensBefore - result.promptTokensAfter);
    expect(result.transforms.reduce((sum, report) => sum + report.tokensSaved, 0)).toBe(result.promptTokensSaved);
    expect(result.dropped).toEqual([{ index: 1, role: "user", reason: "duplicate", tokens: expect.any(Number) }]);
    expect(optimisePrompt(messages, {}, countTokens)).toMatchObject({
      messages,
      promptTokensSaved: 0,
      transforms: [],
      dropped: [],
    });
  });

  it("drops only duplicates that say nothing new: repeats of the message before, and repeated system messages", () => {
    const toolCall = { id: "call_1", type: "function" as const, function: { name: "lookup", arguments: "{}" } };
    const messages: ChatMessage[] = [
      system("Be brief."),
      user("Is it red?"),
      assistant("yes"),
      user("Is it round?"),
      assistant("yes"),
      system("Be brief."),
      { role: "assistant", content: "", toolCalls: [toolCall] },
      { role: "tool", content: "42", toolCallId: "call_1" },
      { role: "tool", content: "42", toolCallId: "call_1" },
      user("ok"),
      user("ok"),
    ];
    const result = optimisePrompt(messages, { dropDuplicateMessages: true }, countTokens);
    expect(result.dropped.map((entry) => entry.index)).toEqual([5, 9]);
    expect(result.messages.at(-1)).toEqual(user("ok"));
    expect(result.messages.filter((message) => message.content === "yes")).toHaveLength(2);
    expect(result.messages.filter((message) => message.role === "tool")).toHaveLength(2);
  });

  it("trims the oldest whole turns to the budget, keeping system messages and the last turn, and lists what went", () => {
    const toolCall = { id: "call_9", type: "function" as const, function: { name: "search", arguments: '{"q":"x"}' } };
    const messages: ChatMessage[] = [
      system("You help with orders."),
      user("first question about order one two three"),
      assistant("first answer about order one two three"),
      user("second question"),
      { role: "assistant", content: "", toolCalls: [toolCall] },
      { role: "tool", content: "search result text here", toolCallId: "call_9" },
      assistant("second answer"),
      user("third question, the current one"),
    ];
    const all = countTokens(messages);
    const firstTurn = countTokens(messages.slice(1, 3)) - countTokens([]);
    const result = optimisePrompt(messages, { trimHistory: { maxTokens: all - firstTurn } }, countTokens);
    expect(result.dropped.map((entry) => [entry.index, entry.reason])).toEqual([
      [1, "history"],
      [2, "history"],
    ]);
    expect(result.messages).toEqual([messages[0], ...messages.slice(3)]);
    expect(result.promptTokensAfter).toBeLessThanOrEqual(all - firstTurn);
    // One token less forces the tool-call turn out too: whole, call and result together.
    const tighter = optimisePrompt(messages, { trimHistory: { maxTokens: all - firstTurn - 1 } }, countTokens);
    expect(tighter.dropped.map((entry) => entry.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tighter.messages).toEqual([messages[0], messages[7]]);
    // Nothing left to drop: the last turn and the system message stay even over budget.
    const impossible = optimisePrompt(messages, { trimHistory: { maxTokens: 1 } }, countTokens);
    expect(impossible.messages).toEqual([messages[0], messages[7]]);
    const keepTwo = optimisePrompt(messages, { trimHistory: { maxTokens: 1, keepRecentTurns: 2 } }, countTokens);
    expect(keepTwo.messages).toEqual([messages[0], ...messages.slice(3)]);
    for (const entry of tighter.dropped)
      expect(entry.tokens).toBe(countTokens([messages[entry.index]!]) - countTokens([]));
  });

  it("refuses with BAD_REQUEST a prompt still above maxPromptTokens after the transforms, and passes one below", () => {
    const messages = [user("one two three four five six")];
    const size = countTokens(messages);
    expect(optimisePrompt(messages, { maxPromptTokens: size }, countTokens).messages).toEqual(messages);
    const error = (() => {
      try {
        optimisePrompt(messages, { maxPromptTokens: size - 1 }, countTokens);
      } catch (caught) {
        return caught;
      }
    })();
    expect(KeelError.isInstance(error) && [error.code, error.details]).toEqual([
      "BAD_REQUEST",
      { field: "messages", reason: "prompt-too-long", promptTokens: size, maxPromptTokens: size - 1 },
    ]);
    // Compaction first, then the guard: the compacted prompt fits.
    const spaced = [user("one      two      three")];
    const compacted = countTokens([user("one two three")]);
    expect(
      optimisePrompt(spaced, { compactWhitespace: true, maxPromptTokens: compacted }, countTokens).promptTokensAfter,
    ).toBe(compacted);
    for (const bad of [
      { maxPromptTokens: -1 },
      { trimHistory: { maxTokens: 1.5 } },
      { collapseRepeatedLines: { minRepeats: 1 } },
    ]) {
      expect(() => optimisePrompt(messages, bad, countTokens)).toThrow(KeelError);
    }
  });

  it("handles every naughty string as content: nothing thrown, nothing lost but whitespace, idempotent", () => {
    const options = { compactWhitespace: true, collapseRepeatedLines: true, dropDuplicateMessages: true };
    for (const text of NAUGHTY_STRINGS) {
      const once = optimisePrompt([system(text), user(text)], options, countTokens);
      const twice = optimisePrompt(once.messages, options, countTokens);
      expect(twice.messages).toEqual(once.messages);
      for (const message of once.messages) expect(message.content.replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
    }
  });
});
