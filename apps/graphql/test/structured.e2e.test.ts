import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  dataOf,
  GENERATION_FIELDS,
  graphql,
  hasNoStackTrace,
  startStack,
  type GenerationView,
  type Stack,
} from "./test-support/stack.ts";

interface StructuredData {
  structured: GenerationView;
}

const STRUCTURED = `mutation Structured($input: StructuredInput!) { structured(input: $input) { ${GENERATION_FIELDS} } }`;

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
  messages: [{ role: "USER", content: `Largest city of Norway, as JSON (#${++asked})` }],
  temperature: 0,
  cache: { mode: "BYPASS" },
  schema,
  ...extra,
});

describe("structured mutation", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.simulator.reset());

  const upstreamCalls = () => stack.simulator.stats().calls["gpt-4o-mini"] ?? 0;
  const run = (input: Record<string, unknown>) =>
    graphql<StructuredData>({ url: stack.url, query: STRUCTURED, variables: { input } });

  it("returns the parsed, valid value as data, with a typed validation report, in one upstream call", async () => {
    const response = await run(ask({ name: "city_fact" }));
    expect(response.status).toBe(200);
    expect(response.body?.errors).toBeUndefined();
    const generation = dataOf(response).structured;
    // The simulator answers a json_schema request with the schema's smallest example.
    expect(generation.data).toEqual({ city: "example", population: 1 });
    expect(generation.validation).toEqual({
      valid: true,
      attempts: 1,
      repaired: false,
      history: [{ attempt: 1, repaired: false, errors: [] }],
    });
    expect(generation).toMatchObject({
      model: "gpt-4o-mini",
      provider: "simulator",
      cache: "MISS",
      attempts: 1,
      finishReason: "STOP",
    });
    expect(JSON.parse(generation.content)).toEqual(generation.data);
    expect(upstreamCalls()).toBe(1);
  });

  it("takes the schema as a JSON literal and nulls for optional fields", async () => {
    const query = `mutation { structured(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "Pick a colour (literal)" }],
      name: null, maxAttempts: null, schema: { type: "object", properties: { colour: { enum: [null, "red", "blue"] } }, required: ["colour"] } })
      { data validation { valid attempts } } }`;
    const response = await graphql({ url: stack.url, query });
    expect(response.body?.errors).toBeUndefined();
    // `enum: [null, ...]` reached core intact: the first value, null, is the simulator's example.
    expect(response.body?.data?.structured).toEqual({
      data: { colour: null },
      validation: { valid: true, attempts: 1 },
    });
  });

  it.each(["fenced-json", "prose-json", "invalid-json"] as const)("repairs %s without a re-ask", async (content) => {
    stack.simulator.setRules([{ content }]);
    const response = await run(ask());
    expect(response.body?.errors).toBeUndefined();
    const generation = dataOf(response).structured;
    expect(generation.data).toEqual({ city: "example", population: 1 });
    expect(generation.validation).toMatchObject({ valid: true, attempts: 1, repaired: true });
    expect(upstreamCalls()).toBe(1);
  });

  it("re-asks with the errors and succeeds on the second attempt", async () => {
    stack.simulator.setRules([{ times: 1, reply: '{"city": "Oslo", "population": "many"}' }]);
    const response = await run(ask());
    expect(response.body?.errors).toBeUndefined();
    const generation = dataOf(response).structured;
    expect(generation.data).toEqual({ city: "example", population: 1 });
    expect(generation.validation?.attempts).toBe(2);
    expect(generation.validation?.history[0]).toMatchObject({
      attempt: 1,
      errors: [expect.objectContaining({ path: "/population" })],
    });
    expect(generation.validation?.history[1]).toMatchObject({ attempt: 2, errors: [] });
    expect(generation.attempts).toBe(2);
    expect(upstreamCalls()).toBe(2);
  });

  it("fails with VALIDATION_FAILED after maxAttempts, with the last errors and the raw text", async () => {
    stack.simulator.setRules([{ reply: "not json" }]);
    const response = await run(ask({ maxAttempts: 2 }));
    expect(response.status).toBe(200);
    expect(response.body?.data).toBeNull();
    const [error] = response.body?.errors ?? [];
    expect(error).toMatchObject({
      path: ["structured"],
      extensions: {
        code: "VALIDATION_FAILED",
        retryable: false,
        details: { reason: "invalid-output", raw: "not json", attempts: 2 },
      },
    });
    const details = error?.extensions?.details as { errors: unknown[] } | undefined;
    expect(details?.errors.length).toBeGreaterThan(0);
    expect(hasNoStackTrace(response.text)).toBe(true);
    expect(upstreamCalls()).toBe(2);
  });

  it("refuses a bad schema with BAD_REQUEST before any upstream call", async () => {
    const response = await run(ask({ schema: { type: "no-such-type" } }));
    expect(response.body?.errors?.[0]?.extensions).toMatchObject({ code: "BAD_REQUEST", retryable: false });
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("refuses bad structured fields with BAD_REQUEST naming the field", async () => {
    for (const [extra, field] of [
      [{ name: "has spaces" }, "name"],
      [{ maxAttempts: 0 }, "maxAttempts"],
      [{ schema: "not an object" }, "schema"],
    ] as const) {
      const response = await run(ask(extra));
      expect(response.body?.errors?.[0]?.extensions, field).toMatchObject({ code: "BAD_REQUEST", details: { field } });
    }
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });
});
