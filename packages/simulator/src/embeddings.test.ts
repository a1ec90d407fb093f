import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { embedText } from "./embeddings.ts";
import { rawRequest, useSimulator } from "./test-support/simulator-fixtures.ts";

function cosine(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let dot = 0;
  for (let index = 0; index < left.length; index++) dot += left[index]! * right[index]!;
  return dot;
}

describe("embeddings", () => {
  it("returns deterministic unit vectors of 256 dimensions by default, with usage", async () => {
    const { client } = await useSimulator();
    const first = await client.embeddings.create({ model: "text-embedding-3-small", input: "The quick brown fox" });
    const again = await client.embeddings.create({ model: "text-embedding-3-small", input: "The quick brown fox" });

    expect(first.object).toBe("list");
    expect(first.model).toBe("text-embedding-3-small");
    const vector = Array.from(first.data[0]!.embedding);
    expect(vector).toHaveLength(256);
    expect(Array.from(again.data[0]!.embedding)).toEqual(vector);
    expect(cosine(vector, vector)).toBeCloseTo(1, 5);
    expect(first.usage).toEqual({
      prompt_tokens: countTokens("The quick brown fox"),
      total_tokens: countTokens("The quick brown fox"),
    });
  });

  it("accepts an array input and dimensions, in float and base64 encodings", async () => {
    const { client } = await useSimulator();
    const inputs = ["cache the answer", "cache the answers please", "a totally unrelated sentence"];
    const floats = await client.embeddings.create({
      model: "text-embedding-3-large",
      input: inputs,
      dimensions: 64,
      encoding_format: "float",
    });
    // Without encoding_format the SDK asks for base64 and decodes it itself.
    const decoded = await client.embeddings.create({ model: "text-embedding-3-large", input: inputs, dimensions: 64 });

    expect(floats.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(floats.data.every((item) => item.embedding.length === 64)).toBe(true);
    expect(decoded.data.map((item) => Array.from(item.embedding))).toEqual(floats.data.map((item) => item.embedding));
    const [cache, caches, unrelated] = floats.data.map((item) => item.embedding);
    // Shared words make texts close: what a semantic cache test needs.
    expect(cosine(cache!, caches!)).toBeGreaterThan(0.4);
    expect(cosine(cache!, unrelated!)).toBeLessThan(cosine(cache!, caches!));
    expect(floats.usage.prompt_tokens).toBe(inputs.reduce((sum, text) => sum + countTokens(text), 0));
  });

  it("gives a unit vector to text without words, and rejects bad dimensions and missing input", async () => {
    expect(cosine(embedText("?!", 8), embedText("?!", 8))).toBeCloseTo(1, 5);
    expect(cosine(embedText("hi", 4), embedText("hi", 4))).toBeCloseTo(1, 5);
    const { simulator } = await useSimulator();
    const post = (body: object) =>
      rawRequest(`${simulator.url}/embeddings`, { method: "POST", body: JSON.stringify(body) });
    const badDimensions = await post({ model: "text-embedding-3-small", input: "x", dimensions: 0 });
    expect(badDimensions.status).toBe(400);
    expect(JSON.parse(badDimensions.body).error.param).toBe("dimensions");
    const noInput = await post({ model: "text-embedding-3-small" });
    expect(JSON.parse(noInput.body).error).toMatchObject({ param: "input", code: "missing_required_parameter" });
  });

  it("applies rules by model to embeddings too", async () => {
    const { client } = await useSimulator({
      rules: [{ model: "text-embedding-3-small", times: 1, fault: { type: "status", status: 503 } }],
    });
    await expect(client.embeddings.create({ model: "text-embedding-3-small", input: "x" })).rejects.toMatchObject({
      status: 503,
    });
    expect((await client.embeddings.create({ model: "text-embedding-3-small", input: "x" })).data).toHaveLength(1);
  });
});

describe("moderations", () => {
  it("flags text from its word list, deterministically, and passes clean text", async () => {
    const { client } = await useSimulator();
    const result = await client.moderations.create({
      model: "omni-moderation-latest",
      input: ["You are an idiot", "Have a nice day", "I will kill it"],
    });
    expect(result.id).toMatch(/^modr-/);
    expect(result.model).toBe("omni-moderation-latest");
    const [insult, clean, violent] = result.results;
    expect(insult).toMatchObject({ flagged: true, categories: { harassment: true, violence: false } });
    expect(insult!.category_scores.harassment).toBeGreaterThan(0.5);
    expect(clean!.flagged).toBe(false);
    expect(Object.values(clean!.categories).every((flag) => flag === false)).toBe(true);
    expect(violent).toMatchObject({ flagged: true, categories: { violence: true } });

    const again = await client.moderations.create({ input: "You are an idiot" });
    expect(again.results[0]).toEqual(insult);
  });

  it("flags the toxic content preset", async () => {
    const { client } = await useSimulator({ rules: [{ content: "toxic" }] });
    const answer = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "say something" }],
    });
    const moderation = await client.moderations.create({ input: answer.choices[0]!.message.content! });
    expect(moderation.results[0]!.flagged).toBe(true);
  });
});
