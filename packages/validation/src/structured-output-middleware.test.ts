import { KeelError, type ChatRequest, type Generation, type StructuredOutputSpec } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { structuredOutputMiddleware } from "./structured-output-middleware.ts";
import {
  createTestContext,
  scriptedModel,
  type ScriptedModel,
  type ScriptedModelOptions,
} from "./test-support/scripted-model.ts";

const personSchema = {
  type: "object",
  properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 } },
  required: ["name", "age"],
  additionalProperties: false,
};

function structuredRequest(structured: Partial<StructuredOutputSpec> = {}, model = "gpt-4o-mini"): ChatRequest {
  return {
    model,
    messages: [{ role: "user", content: "Who wrote the first program?" }],
    structured: { schema: personSchema, name: "person", ...structured },
  };
}

async function run(answers: string[], request: ChatRequest = structuredRequest(), options?: ScriptedModelOptions) {
  const model = scriptedModel(answers, options);
  const { ctx, events } = createTestContext();
  const middleware = structuredOutputMiddleware();
  const generation = await middleware.wrapGenerate!({ request, ctx, next: model.generate });
  return { generation, model, events };
}

async function failure(
  answers: string[],
  request: ChatRequest = structuredRequest(),
): Promise<{ error: KeelError; model: ScriptedModel }> {
  const model = scriptedModel(answers);
  const { ctx } = createTestContext();
  try {
    await structuredOutputMiddleware().wrapGenerate!({ request, ctx, next: model.generate });
  } catch (error) {
    if (KeelError.isInstance(error)) return { error, model };
    throw error;
  }
  throw new Error("the middleware did not fail");
}

const ada = { name: "Ada", age: 36 };

describe("structuredOutputMiddleware: repair without re-ask", () => {
  const repairable: Array<[string, string]> = [
    ["fenced JSON", 'Here:\n```json\n{"name": "Ada", "age": 36}\n```'],
    ["prose around JSON", 'Sure! {"name": "Ada", "age": 36} Hope that helps.'],
    ["trailing commas", '{"name": "Ada", "age": 36,}'],
    ["single quotes and unquoted keys", "{name: 'Ada', 'age': 36}"],
    ["a truncated closing", '{"name": "Ada", "age": 36'],
  ];
  for (const [kind, answer] of repairable) {
    it(`repairs ${kind} with exactly one upstream call`, async () => {
      const { generation, model, events } = await run([answer]);
      expect(model.calls).toHaveLength(1);
      expect(generation.data).toEqual(ada);
      expect(generation.content).toBe(JSON.stringify(ada));
      expect(generation.validation).toEqual({
        valid: true,
        attempts: 1,
        repaired: true,
        history: [{ attempt: 1, repaired: true, errors: [] }],
      });
      expect(events).toEqual([{ type: "validation-attempt", attempt: 1, valid: true, repaired: true, errorCount: 0 }]);
    });
  }

  it("returns valid JSON as it came, unrepaired", async () => {
    const answer = '{ "name": "Ada", "age": 36 }';
    const { generation, model } = await run([answer]);
    expect(model.calls).toHaveLength(1);
    expect(generation.content).toBe(answer);
    expect(generation.validation?.repaired).toBe(false);
  });
});

describe("structuredOutputMiddleware: re-ask", () => {
  it("re-asks on wrong types with the exact paths and messages, and returns the valid 2nd answer", async () => {
    const wrong = '{"name": 7, "age": "old"}';
    const { generation, model, events } = await run([wrong, JSON.stringify(ada)]);
    expect(model.calls).toHaveLength(2);
    const reask = model.calls[1]!.messages;
    expect(reask.slice(0, -2)).toEqual(model.calls[0]!.messages);
    expect(reask.at(-2)).toEqual({ role: "assistant", content: wrong });
    expect(reask.at(-1)).toEqual({
      role: "user",
      content:
        "Your previous answer does not satisfy the required JSON Schema. Errors:\n" +
        "- /name: must be string\n- /age: must be integer\n" +
        "Reply with only the corrected JSON value: no prose, no code fences.",
    });
    expect(generation.data).toEqual(ada);
    expect(generation.validation).toMatchObject({ valid: true, attempts: 2, repaired: false });
    expect(generation.validation?.history[0]?.errors).toEqual([
      { path: "/name", message: "must be string" },
      { path: "/age", message: "must be integer" },
    ]);
    expect(events.map((event) => event.type === "validation-attempt" && event.valid)).toEqual([false, true]);
  });

  it("re-asks on missing fields and succeeds on the 3rd attempt, keeping only the latest exchange", async () => {
    const { generation, model } = await run(['{"name": "Ada"}', "not json at all", JSON.stringify(ada)]);
    expect(model.calls).toHaveLength(3);
    expect(model.calls[1]!.messages.at(-1)?.content).toContain("- /age: is required but missing");
    expect(model.calls[2]!.messages).toHaveLength(model.calls[0]!.messages.length + 2);
    expect(model.calls[2]!.messages.at(-2)?.content).toBe("not json at all");
    expect(model.calls[2]!.messages.at(-1)?.content).toContain("- /: the answer is not JSON");
    expect(generation.validation).toMatchObject({ valid: true, attempts: 3 });
    expect(generation.validation?.history.map((entry) => entry.errors.length)).toEqual([1, 1, 0]);
  });

  it("fails with VALIDATION_FAILED carrying the last errors and the raw text after maxAttempts", async () => {
    const { error, model } = await failure(['{"name": 1}', '{"name": 2}', '{"name": 3, "age": -4}']);
    expect(model.calls).toHaveLength(3);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({
      errors: [
        { path: "/name", message: "must be string" },
        { path: "/age", message: "must be >= 0" },
      ],
      raw: '{"name": 3, "age": -4}',
      rawTruncated: false,
      attempts: 3,
      costUsd: expect.closeTo(0.003, 9),
    });
    expect((error.details.validation as { history: unknown[] }).history).toHaveLength(3);
  });

  it("truncates a long raw answer in the error", async () => {
    const { error } = await failure(["x".repeat(5000)], structuredRequest({ maxAttempts: 1 }));
    expect(error.details.raw).toHaveLength(2000);
    expect(error.details.rawTruncated).toBe(true);
  });

  it("feeds a custom validator's issues to the re-ask", async () => {
    const plausibleAge = (value: unknown) =>
      (value as { age: number }).age > 130
        ? [{ path: "/age", message: "must be a plausible human age (at most 130)" }]
        : [];
    const request = structuredRequest({ validators: [plausibleAge] });
    const { generation, model } = await run(['{"name": "Ada", "age": 360}', JSON.stringify(ada)], request);
    expect(model.calls).toHaveLength(2);
    expect(model.calls[1]!.messages.at(-1)?.content).toContain("- /age: must be a plausible human age (at most 130)");
    expect(generation.data).toEqual(ada);
  });

  it("sums usage, cost and upstream attempts over every attempt", async () => {
    const usage = { promptTokens: 100, completionTokens: 20, totalTokens: 120 };
    const { generation } = await run(['{"name": 1}', '{"name": 2}', JSON.stringify(ada)], structuredRequest(), {
      usage,
      costUsd: 0.01,
      attempts: 2,
    });
    expect(generation.usage).toEqual({ promptTokens: 300, completionTokens: 60, totalTokens: 360 });
    expect(generation.costUsd).toBeCloseTo(0.03, 10);
    expect(generation.attempts).toBe(6);
  });

  it("does not re-ask once the request has been aborted", async () => {
    const controller = new AbortController();
    const model = scriptedModel(['{"name": 1}', JSON.stringify(ada)]);
    const { ctx } = createTestContext(controller.signal);
    const next = async (request: ChatRequest, context: typeof ctx): Promise<Generation> => {
      const generation = await model.generate(request, context);
      controller.abort();
      return generation;
    };
    const attempt = structuredOutputMiddleware().wrapGenerate!({ request: structuredRequest(), ctx, next });
    await expect(attempt).rejects.toMatchObject({ code: "UPSTREAM_TIMEOUT" });
    expect(model.calls).toHaveLength(1);
  });
});

describe("structuredOutputMiddleware: how JSON is asked for", () => {
  it("sends response_format json_schema (strict when the schema allows) to a supporting model", async () => {
    const { model } = await run([JSON.stringify(ada)]);
    const sent = model.calls[0]!;
    expect(sent.responseFormat).toEqual({
      type: "json_schema",
      jsonSchema: { name: "person", schema: personSchema, strict: true },
    });
    expect(sent.messages).toEqual([{ role: "user", content: "Who wrote the first program?" }]);
    expect(sent.structured).toBeUndefined();
  });

  it("sends strict: false for a schema outside OpenAI's strict subset, and drops $schema", async () => {
    const open = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { name: { type: "string" } },
    };
    const { model } = await run(['{"name": "Ada"}'], structuredRequest({ schema: open, name: undefined }));
    expect(model.calls[0]!.responseFormat).toEqual({
      type: "json_schema",
      jsonSchema: {
        name: "response",
        schema: { type: "object", properties: { name: { type: "string" } } },
        strict: false,
      },
    });
  });

  it("instructs in a system message after the caller's own when the model lacks json_schema", async () => {
    const request = structuredRequest({}, "llama-3.1-8b");
    request.messages.unshift({ role: "system", content: "You are terse." });
    const { model, generation } = await run([JSON.stringify(ada)], request);
    const sent = model.calls[0]!;
    expect(sent.responseFormat).toBeUndefined();
    expect(sent.messages.map((message) => message.role)).toEqual(["system", "system", "user"]);
    expect(sent.messages[0]?.content).toBe("You are terse.");
    expect(sent.messages[1]?.content).toContain('JSON Schema "person":\n' + JSON.stringify(personSchema));
    expect(generation.data).toEqual(ada);
  });

  it("honours a custom supportsJsonSchema and defaultMaxAttempts", async () => {
    const model = scriptedModel(["nope", "still nope"]);
    const { ctx } = createTestContext();
    const middleware = structuredOutputMiddleware({
      supportsJsonSchema: (name) => name === "house-model",
      defaultMaxAttempts: 2,
    });
    const attempt = middleware.wrapGenerate!({
      request: structuredRequest({}, "house-model"),
      ctx,
      next: model.generate,
    });
    await expect(attempt).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(model.calls).toHaveLength(2);
    expect(model.calls[0]!.responseFormat?.type).toBe("json_schema");
  });

  it("instructs in the prompt when the schema's root is not an object, and honours a forced strict", async () => {
    const list = { type: "array", items: { type: "string" } };
    const { model, generation } = await run(['["a", "b"]'], structuredRequest({ schema: list }));
    expect(model.calls[0]!.responseFormat).toBeUndefined();
    expect(model.calls[0]!.messages[0]?.role).toBe("system");
    expect(generation.data).toEqual(["a", "b"]);

    const forced = scriptedModel([JSON.stringify(ada)]);
    const { ctx } = createTestContext();
    const open = { type: "object", properties: { name: { type: "string" } } };
    await structuredOutputMiddleware({ strict: true }).wrapGenerate!({
      request: structuredRequest({ schema: open }),
      ctx,
      next: forced.generate,
    });
    expect(forced.calls[0]!.responseFormat).toMatchObject({ jsonSchema: { strict: true } });
  });

  it("passes a request without structured through untouched", async () => {
    const model = scriptedModel(["free text"]);
    const { ctx, events } = createTestContext();
    const request: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
    const generation = await structuredOutputMiddleware().wrapGenerate!({ request, ctx, next: model.generate });
    expect(model.calls[0]).toBe(request);
    expect(generation.content).toBe("free text");
    expect(generation.validation).toBeUndefined();
    expect(events).toEqual([]);
  });
});

describe("structuredOutputMiddleware: bad requests", () => {
  it("rejects an invalid schema with BAD_REQUEST before any upstream call", async () => {
    const { error, model } = await failure(
      [],
      structuredRequest({ schema: { type: "object", properties: { a: { type: 5 } } } }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details.field).toBe("structured.schema");
    expect(model.calls).toHaveLength(0);
  });

  it("rejects maxAttempts outside 1..limit naming the field", async () => {
    for (const maxAttempts of [0, 6, 1.5]) {
      const { error, model } = await failure([], structuredRequest({ maxAttempts }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.details.field).toBe("structured.maxAttempts");
      expect(model.calls).toHaveLength(0);
    }
  });

  it("rejects a name OpenAI would refuse", async () => {
    const { error } = await failure([], structuredRequest({ name: "my schema!" }));
    expect(error.details.field).toBe("structured.name");
  });
});
