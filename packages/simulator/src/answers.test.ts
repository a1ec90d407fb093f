import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { defaultAnswer, HASH_SEED, hashText } from "./default-answer.ts";
import { exampleForSchema } from "./schema-example.ts";
import { useSimulator, userMessage } from "./test-support/simulator-fixtures.ts";
import { tokenizeText, truncateToTokens } from "./tokens.ts";

describe("default answers", () => {
  it("count their tokens exactly as the tokenizer does, and vary in length with the hash", () => {
    const lengths = new Set<number>();
    for (let prompt = 0; prompt < 200; prompt++) {
      const answer = defaultAnswer(hashText(HASH_SEED, `prompt number ${prompt}`));
      expect(answer.tokens).toBe(countTokens(answer.text));
      expect(answer.pieces.join("")).toBe(answer.text);
      lengths.add(answer.tokens);
    }
    expect(lengths.size).toBeGreaterThan(20);
  });

  it("hash the parts of a prompt apart from one another", () => {
    const joined = hashText(hashText(HASH_SEED, "ab"), "c");
    expect(hashText(hashText(HASH_SEED, "a"), "bc")).not.toBe(joined);
    expect(hashText(hashText(HASH_SEED, "ab"), "c")).toBe(joined);
  });
});

describe("tokenized replies", () => {
  it("split into token-sized pieces whose counts add up, and truncate on piece boundaries", () => {
    const reply = "Hello, world! Keel's replies are split: 12 pieces or so.\n\nNew paragraph.";
    const tokenized = tokenizeText(reply);
    expect(tokenized.pieces.join("")).toBe(reply);
    expect(tokenized.tokens).toBe(countTokens(reply));
    const cut = truncateToTokens(tokenized, 4);
    expect(cut.tokens).toBeLessThanOrEqual(4);
    expect(reply.startsWith(cut.text)).toBe(true);
    expect(truncateToTokens(tokenized, 1000)).toBe(tokenized);
  });
});

describe("schema examples", () => {
  it("fill required properties only, follow $refs, and honour enum, const, anyOf and minItems", () => {
    const schema = {
      type: "object",
      $defs: { point: { type: "object", properties: { x: { type: "number" } }, required: ["x"] } },
      properties: {
        kind: { enum: ["circle", "square"] },
        version: { const: 2 },
        centre: { $ref: "#/$defs/point" },
        label: { anyOf: [{ type: "null" }, { type: "string" }] },
        corners: { type: "array", items: { $ref: "#/$defs/point" }, minItems: 2 },
        nullable: { type: ["null", "integer"] },
        skipped: { type: "string" },
      },
      required: ["kind", "version", "centre", "label", "corners", "nullable"],
    };
    expect(exampleForSchema(schema)).toEqual({
      kind: "circle",
      version: 2,
      centre: { x: 1 },
      label: "example",
      corners: [{ x: 1 }, { x: 1 }],
      nullable: 1,
    });
    expect(exampleForSchema({ type: "array", items: { type: "string" } })).toEqual([]);
  });
});

describe("special tokens", () => {
  it("count special-token markers in a prompt as plain text instead of failing", async () => {
    const { client } = await useSimulator();
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: userMessage("hi <|endoftext|> there"),
    });
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(3);
  });
});
