import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { NotFoundError, BadRequestError } from "openai";
import { describe, expect, it } from "vitest";
import { rawRequest, useSimulator, userMessage } from "./test-support/simulator-fixtures.ts";

describe("chat completions", () => {
  it("answers in OpenAI's shape with usage counted by the tokenizer", async () => {
    const { client } = await useSimulator();
    const messages = [
      { role: "system" as const, content: "You are terse." },
      { role: "user" as const, content: "What is Keel for?" },
    ];
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages });

    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("gpt-4o-mini");
    expect(completion.created).toBeGreaterThan(1_700_000_000);
    const choice = completion.choices[0]!;
    expect(choice.message.role).toBe("assistant");
    expect(choice.finish_reason).toBe("stop");
    const content = choice.message.content ?? "";
    expect(content).toMatch(/^[A-Z][a-z]+( [A-Za-z]+|\.)+$/);
    expect(completion.usage).toMatchObject({
      prompt_tokens: countTokens("You are terse.") + countTokens("What is Keel for?"),
      completion_tokens: countTokens(content),
      total_tokens: completion.usage!.prompt_tokens + countTokens(content),
    });
  });

  it("gives the same answer to the same prompt and model, and different ones otherwise", async () => {
    const { client } = await useSimulator();
    const ask = async (model: string, prompt: string) =>
      (await client.chat.completions.create({ model, messages: userMessage(prompt) })).choices[0]!.message.content;

    const first = await ask("gpt-4o-mini", "Tell me about retries");
    expect(await ask("gpt-4o-mini", "Tell me about retries")).toBe(first);
    expect(await ask("gpt-4o-mini", "Tell me about caching")).not.toBe(first);
    expect(await ask("gpt-4o", "Tell me about retries")).not.toBe(first);
    const answers = new Set(
      await Promise.all(Array.from({ length: 20 }, (_, index) => ask("gpt-4.1", `prompt ${index}`))),
    );
    expect(answers.size).toBe(20);
  });

  it("cuts the answer at max_tokens and max_completion_tokens with finish_reason length", async () => {
    const { client } = await useSimulator({ rules: [{ reply: "one two three four five six seven eight nine ten" }] });
    const cut = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: userMessage("count"),
      max_tokens: 3,
    });
    expect(cut.choices[0]!.message.content).toBe("one two three");
    expect(cut.choices[0]!.finish_reason).toBe("length");
    expect(cut.usage!.completion_tokens).toBe(3);

    const newer = await client.chat.completions.create({
      model: "o4-mini",
      messages: userMessage("count"),
      max_completion_tokens: 4,
    });
    expect(newer.choices[0]!.message.content).toBe("one two three four");
    expect(newer.choices[0]!.finish_reason).toBe("length");

    const roomy = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: userMessage("count"),
      max_tokens: 100,
    });
    expect(roomy.choices[0]!.finish_reason).toBe("stop");
    expect(roomy.usage!.completion_tokens).toBe(10);
  });

  it("streams token-sized chunks and a final usage chunk with empty choices", async () => {
    const { client } = await useSimulator({ rules: [{ reply: "Streaming works fine." }] });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: userMessage("stream please"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const pieces = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? ""));
    expect(pieces.join("")).toBe("Streaming works fine.");
    expect(pieces.filter((piece) => piece.length > 0).length).toBeGreaterThanOrEqual(4);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    const finishing = chunks.at(-2)!;
    expect(finishing.choices[0]!.finish_reason).toBe("stop");
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({
      prompt_tokens: countTokens("stream please"),
      completion_tokens: countTokens("Streaming works fine."),
    });
  });

  it("ends the stream with data: [DONE] and sends no usage chunk unless asked", async () => {
    const { simulator } = await useSimulator({ rules: [{ reply: "Short." }] });
    const body = JSON.stringify({ model: "gpt-4o-mini", messages: userMessage("hi"), stream: true, max_tokens: 1 });
    const response = await rawRequest(`${simulator.url}/chat/completions`, { method: "POST", body });

    expect(response.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(response.body.endsWith("data: [DONE]\n\n")).toBe(true);
    const events = response.body
      .split("\n\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice(6)));
    expect(events.every((event) => event.choices.length === 1 && !("usage" in event))).toBe(true);
    expect(events.at(-1).choices[0].finish_reason).toBe("length");
  });

  it("answers a json_schema request with the smallest object that satisfies the schema", async () => {
    const { client } = await useSimulator();
    const schema = {
      type: "object",
      properties: {
        title: { type: "string" },
        score: { type: "number" },
        published: { type: "boolean" },
        tags: { type: "array", items: { type: "string" } },
        author: {
          type: "object",
          properties: { name: { type: "string" }, age: { type: "integer" } },
          required: ["name", "age"],
        },
        optional: { type: "string" },
      },
      required: ["title", "score", "published", "tags", "author"],
      additionalProperties: false,
    };
    const completion = await client.chat.completions.create({
      model: "gpt-4o",
      messages: userMessage("Describe a book"),
      response_format: { type: "json_schema", json_schema: { name: "book", schema, strict: true } },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({
      title: "example",
      score: 1,
      published: true,
      tags: [],
      author: { name: "example", age: 1 },
    });
  });

  it("answers an unknown model with 404 model_not_found", async () => {
    const { client } = await useSimulator();
    const failure = await client.chat.completions
      .create({ model: "gpt-9", messages: userMessage("hi") })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotFoundError);
    expect(failure).toMatchObject({ status: 404, code: "model_not_found", type: "invalid_request_error" });
  });

  it("rejects a malformed JSON body and missing messages with 400 and a clear message", async () => {
    const { simulator, client } = await useSimulator();
    const broken = await rawRequest(`${simulator.url}/chat/completions`, {
      method: "POST",
      body: '{"model": "gpt-4o-mini",',
    });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error).toMatchObject({ type: "invalid_request_error", code: null, param: null });
    expect(JSON.parse(broken.body).error.message).toMatch(/could not parse the JSON body/);

    const missing = await client.chat.completions
      .create({ model: "gpt-4o-mini" } as never)
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(BadRequestError);
    expect(missing).toMatchObject({ status: 400, code: "missing_required_parameter", param: "messages" });
    expect((missing as Error).message).toMatch(/Missing required parameter: 'messages'/);

    const badRole = await rawRequest(`${simulator.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "wizard", content: "hi" }] }),
    });
    expect(badRole.status).toBe(400);
    expect(JSON.parse(badRole.body).error.param).toBe("messages[0].role");
  });

  it("answers unknown paths with OpenAI's 404 Invalid URL", async () => {
    const { simulator } = await useSimulator();
    const response = await rawRequest(`${simulator.url}/completions/legacy`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body).error.message).toBe("Invalid URL (POST /v1/completions/legacy)");
  });
});
