import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFuzzStack, type FuzzStack } from "./test-support/fuzz-stack.ts";
import { exchange, violation } from "./test-support/outcome.ts";
import { count, fuzzOptions, printTally, runs } from "./test-support/settings.ts";

/**
 * Arbitrary JSON Schemas for structured output, through ai.structured (tRPC) and
 * structured (GraphQL): types, nesting, combinators, references that resolve or not,
 * `$id`s, formats and patterns (catastrophic ones among them). Each request ends in an
 * envelope, VALIDATION_FAILED or BAD_REQUEST within its deadline; never INTERNAL.
 */

let stack: FuzzStack;
const startedAt = Date.now();
beforeAll(async () => {
  stack = await startFuzzStack();
});
afterAll(async () => {
  await stack.close();
  printTally("schemas", startedAt);
});

const pattern = fc.oneof(
  fc.constantFrom(
    "^(a+)+$",
    "(a|aa)+$",
    "^([a-z]+)*[0-9]$",
    "(x+x+)+y",
    "[",
    "(?<n>a)\\k<n>",
    "^\\p{L}+$",
    "a{1,99999}",
  ),
  fc.string({ maxLength: 12 }),
);

const schema: fc.Arbitrary<unknown> = fc.letrec<{ schema: unknown }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(true, false, {}),
    fc.record(
      {
        type: fc.oneof(
          fc.constantFrom("object", "array", "string", "number", "integer", "boolean", "null", "nope"),
          fc.array(fc.constantFrom("string", "null", "number"), { maxLength: 3 }),
        ),
        properties: fc.dictionary(fc.string({ maxLength: 8 }), tie("schema"), { maxKeys: 4 }),
        required: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
        items: tie("schema"),
        additionalProperties: fc.oneof(fc.boolean(), tie("schema")),
        enum: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 }),
        const: fc.jsonValue({ maxDepth: 1 }),
        pattern,
        patternProperties: fc.dictionary(pattern, tie("schema"), { maxKeys: 2 }),
        minLength: fc.oneof(fc.nat(), fc.integer()),
        maxLength: fc.oneof(fc.nat(), fc.double()),
        minimum: fc.double(),
        format: fc.constantFrom("email", "date-time", "uri", "regex", "made-up"),
        anyOf: fc.array(tie("schema"), { maxLength: 3 }),
        oneOf: fc.array(tie("schema"), { maxLength: 3 }),
        allOf: fc.array(tie("schema"), { maxLength: 2 }),
        not: tie("schema"),
        $ref: fc.constantFrom(
          "#",
          "#/properties/a",
          "#/$defs/x",
          "other.json",
          "https://example.com/s.json",
          "#/definitions/🙂",
        ),
        $id: fc.constantFrom("https://example.com/s.json", "urn:keel:x", "#anchor", "relative"),
        $defs: fc.dictionary(fc.constantFrom("x", "y"), tie("schema"), { maxKeys: 2 }),
        $schema: fc.constantFrom(
          "https://json-schema.org/draft/2020-12/schema",
          "http://json-schema.org/draft-07/schema#",
          "nope",
        ),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 2 }),
  ),
})).schema;

const chat = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user", content }], temperature: 0 });
const STRUCTURED =
  "mutation ($input: StructuredInput!) { structured(input: $input) { id data validation { valid attempts } } }";

const post = (url: string, body: unknown) =>
  exchange(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("arbitrary JSON Schemas for structured output", () => {
  it("through tRPC and GraphQL: an envelope or a typed error, never INTERNAL, while /healthz keeps answering", async () => {
    // The event loop must never stall on a schema (issue 12.1): /healthz is polled all along.
    let slowestHealthMs = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const health = await exchange(`${stack.trpc.url}/healthz`);
        slowestHealthMs = Math.max(slowestHealthMs, health.elapsedMs);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await fc.assert(
      fc.asyncProperty(schema, fc.string({ maxLength: 40 }), async (candidate, content) => {
        count("structured schema, both services");
        const input = { ...chat(`schema ${content}`), schema: candidate, maxAttempts: 2 };
        expect(violation("trpc", await post(`${stack.trpcUrl}/ai.structured`, input))).toBeUndefined();
        const graphql = await post(stack.graphqlUrl, { query: STRUCTURED, variables: { input } });
        expect(violation("graphql", graphql)).toBeUndefined();
      }),
      fuzzOptions(runs(40)),
    );
    polling = false;
    await poller;
    expect(slowestHealthMs).toBeLessThan(1_500);
  });
});
