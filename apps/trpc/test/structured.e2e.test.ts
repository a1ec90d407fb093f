import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { Generation } from "@keel/spec";
import { typedStructured } from "../src/client/index.ts";
import { post, startStack, trpcError, type Stack } from "./test-support/stack.ts";

const schema = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer", minimum: 0 } },
  required: ["city", "population"],
  additionalProperties: false,
};

// Each call asks something new and bypasses the caches, so every test counts its own
// upstream calls (a semantic cache could otherwise take "#2" for a paraphrase of "#1").
let asked = 0;
const ask = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content: `Largest city of Norway, as JSON (#${++asked})` }],
  temperature: 0,
  cache: { mode: "bypass" as const },
  schema,
  ...extra,
});

describe("ai.structured", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.simulator.reset());

  const upstreamCalls = () => stack.simulator.stats().calls["gpt-4o-mini"] ?? 0;

  it("returns the parsed, valid value with one upstream call", async () => {
    const generation = await stack.client.ai.structured.mutate(ask({ name: "city_fact" }));
    // The simulator answers a json_schema request with the schema's smallest example.
    expect(generation.data).toEqual({ city: "example", population: 1 });
    expect(generation.validation).toEqual({
      valid: true,
      attempts: 1,
      repaired: false,
      history: [{ attempt: 1, repaired: false, errors: [] }],
    });
    expect(generation).toMatchObject({ model: "gpt-4o-mini", provider: "simulator", cache: "miss", attempts: 1 });
    expect(JSON.parse(generation.content)).toEqual(generation.data);
    expect(upstreamCalls()).toBe(1);
  });

  it("answers a plain JSON body (curl) with {result:{data:<Generation>}}", async () => {
    const response = await post(`${stack.url}/ai.structured`, JSON.stringify(ask()));
    expect(response.status).toBe(200);
    const generation = (response.json as { result: { data: Generation } }).result.data;
    expect(generation.data).toEqual({ city: "example", population: 1 });
    expect(generation.validation?.valid).toBe(true);
  });

  it.each(["fenced-json", "prose-json", "invalid-json"] as const)("repairs %s without a re-ask", async (content) => {
    stack.simulator.setRules([{ content }]);
    const generation = await stack.client.ai.structured.mutate(ask());
    expect(generation.data).toEqual({ city: "example", population: 1 });
    expect(generation.validation).toMatchObject({ valid: true, attempts: 1, repaired: true });
    expect(generation.attempts).toBe(1);
    expect(upstreamCalls()).toBe(1);
  });

  it("re-asks with the errors and succeeds on the second attempt", async () => {
    stack.simulator.setRules([{ times: 1, reply: '{"city": "Oslo", "population": "many"}' }]);
    const generation = await stack.client.ai.structured.mutate(ask());
    expect(generation.data).toEqual({ city: "example", population: 1 });
    expect(generation.validation?.attempts).toBe(2);
    expect(generation.validation?.valid).toBe(true);
    expect(generation.validation?.history[0]).toMatchObject({
      attempt: 1,
      errors: [expect.objectContaining({ path: "/population" })],
    });
    expect(generation.validation?.history[1]).toMatchObject({ attempt: 2, errors: [] });
    expect(generation.attempts).toBe(2);
    expect(upstreamCalls()).toBe(2);
  });

  it("fails with VALIDATION_FAILED (422) after maxAttempts, with the last errors and the raw text", async () => {
    stack.simulator.setRules([{ reply: "not json" }]);
    const error = await trpcError(stack.client.ai.structured.mutate(ask({ maxAttempts: 2 })));
    expect(error.data).toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      httpStatus: 422,
      keelCode: "VALIDATION_FAILED",
      retryable: false,
    });
    expect(error.data?.details).toMatchObject({ reason: "invalid-output", raw: "not json", attempts: 2 });
    const errors = error.data?.details.errors as unknown[] | undefined;
    expect(errors?.length).toBeGreaterThan(0);
    expect(upstreamCalls()).toBe(2);
  });

  it("refuses a bad schema with BAD_REQUEST before any upstream call", async () => {
    const error = await trpcError(stack.client.ai.structured.mutate(ask({ schema: { type: "no-such-type" } })));
    expect(error.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400, keelCode: "BAD_REQUEST" });
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("refuses bad structured fields, and validators (functions cannot travel), naming the field", async () => {
    for (const [extra, field] of [
      [{ name: "has spaces" }, "name"],
      [{ maxAttempts: 0 }, "maxAttempts"],
      [{ schema: "not an object" }, "schema"],
      [{ validators: [] }, "validators"],
    ] as const) {
      const response = await post(`${stack.url}/ai.structured`, JSON.stringify(ask(extra)));
      expect(response.status, field).toBe(400);
      expect(response.json, field).toMatchObject({ error: { data: { keelCode: "BAD_REQUEST" } } });
      expect(JSON.stringify(response.json), field).toContain(field);
    }
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });
});

describe("typedStructured (zod helper for TypeScript callers)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.simulator.reset());

  const City = z.object({ city: z.string(), population: z.number().int().min(0), tags: z.array(z.string()) });

  it("sends the zod schema as JSON Schema and returns data typed as the zod type", async () => {
    stack.simulator.setRules([{ times: 1, reply: '{"city": "Oslo", "population": "many", "tags": []}' }]);
    const generation = await typedStructured(stack.client, { ...ask(), schema: City, name: "city" });
    expectTypeOf(generation.data).toEqualTypeOf<z.infer<typeof City>>();
    expect(generation.data).toEqual({ city: "example", population: 1, tags: [] });
    expect(generation.data.population + 1).toBe(2);
    // The server validated against the converted schema: the wrong type was re-asked.
    expect(generation.validation).toMatchObject({ valid: true, attempts: 2 });
    expect(generation.validation.history[0]?.errors[0]?.path).toBe("/population");
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(2);
  });

  it("rejects with VALIDATION_FAILED when a refinement only zod can check fails", async () => {
    const Even = z
      .object({ city: z.string(), population: z.number().int() })
      .refine((value) => value.population % 2 === 0, {
        message: "must be even",
        path: ["population"],
      });
    const error = await typedStructured(stack.client, { ...ask(), schema: Even }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "VALIDATION_FAILED",
      details: { errors: [{ path: "/population", message: "must be even" }] },
    });
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("passes the server's typed errors through", async () => {
    stack.simulator.setRules([{ reply: "not json" }]);
    const error = await trpcError(typedStructured(stack.client, { ...ask({ maxAttempts: 1 }), schema: City }));
    expect(error.data?.keelCode).toBe("VALIDATION_FAILED");
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });
});
