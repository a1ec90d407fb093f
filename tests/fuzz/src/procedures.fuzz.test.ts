import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anyInput, chatLike, embedLike, json } from "./test-support/arbitraries.ts";
import { startFuzzStack, type FuzzStack } from "./test-support/fuzz-stack.ts";
import { exchange, violation } from "./test-support/outcome.ts";
import { count, fuzzOptions, printTally, runs } from "./test-support/settings.ts";

/**
 * Every tRPC procedure and GraphQL operation, given arbitrary JSON and structurally valid
 * but wrong inputs: each ends in an envelope or a typed error within its deadline, never
 * INTERNAL, never a 500 and never a stack trace.
 */

let stack: FuzzStack;
const startedAt = Date.now();
beforeAll(async () => {
  stack = await startFuzzStack();
});
afterAll(async () => {
  await stack.close();
  printTally("procedures", startedAt);
});

const post = (url: string, body: unknown) =>
  exchange(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const TRPC_MUTATIONS = ["ai.generate", "ai.structured", "ai.embed"] as const;
const TRPC_QUERIES = ["usage.get", "metrics.snapshot", "health"] as const;

describe("tRPC procedures", () => {
  it("mutations: any input is an envelope or a typed error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TRPC_MUTATIONS), anyInput, async (procedure, input) => {
        count(`trpc ${procedure}`);
        const answer = await post(`${stack.trpcUrl}/${procedure}`, input);
        expect(violation("trpc", answer)).toBeUndefined();
      }),
      fuzzOptions(runs(16)),
    );
  });

  it("structured: a chat-like request with any schema", async () => {
    await fc.assert(
      fc.asyncProperty(chatLike, json, async (request, schema) => {
        count("trpc ai.structured with schema");
        const answer = await post(`${stack.trpcUrl}/ai.structured`, { ...request, schema });
        expect(violation("trpc", answer)).toBeUndefined();
      }),
      fuzzOptions(runs(16)),
    );
  });

  it("queries over GET: any input, in the URL", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TRPC_QUERIES), json, async (procedure, input) => {
        count(`trpc ${procedure}`);
        const answer = await exchange(
          `${stack.trpcUrl}/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
        );
        expect(violation("trpc", answer)).toBeUndefined();
      }),
      fuzzOptions(runs(16)),
    );
  });

  it("raw bodies that are not JSON, and batches of any size", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 80 }), async (body, batch) => {
        count("trpc raw body and batch");
        const raw = await exchange(`${stack.trpcUrl}/ai.generate`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        expect(violation("trpc", raw)).toBeUndefined();
        const paths = Array.from({ length: batch }, () => "health").join(",");
        expect(violation("trpc", await exchange(`${stack.trpcUrl}/${paths}?batch=1`))).toBeUndefined();
      }),
      fuzzOptions(runs(10)),
    );
  });
});

const GENERATE = "mutation ($input: GenerateInput!) { generate(input: $input) { id content model cache costUsd } }";
const STRUCTURED = "mutation ($input: StructuredInput!) { structured(input: $input) { id data validation { valid } } }";
const EMBED = "mutation ($input: EmbedInput!) { embed(input: $input) { model vectors } }";
const USAGE =
  "query ($from: String, $to: String, $model: String) { usage(from: $from, to: $to, model: $model) { tenant totals { requests } } }";
const SNAPSHOT = "{ metricsSnapshot { at breakers { target state } } }";

describe("GraphQL operations", () => {
  it("mutations: any input variable is data or typed errors", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(GENERATE, STRUCTURED, EMBED), anyInput, async (query, input) => {
        count("graphql mutation");
        const answer = await post(stack.graphqlUrl, { query, variables: { input } });
        expect(violation("graphql", answer)).toBeUndefined();
      }),
      fuzzOptions(runs(16)),
    );
  });

  it("queries: any variables; operations with any JSON as the request body", async () => {
    await fc.assert(
      fc.asyncProperty(json, json, async (variables, body) => {
        count("graphql query");
        const usage = await post(stack.graphqlUrl, { query: USAGE, variables });
        expect(violation("graphql", usage)).toBeUndefined();
        expect(violation("graphql", await post(stack.graphqlUrl, { query: SNAPSHOT }))).toBeUndefined();
        expect(violation("graphql", await post(stack.graphqlUrl, body))).toBeUndefined();
      }),
      fuzzOptions(runs(16)),
    );
  });

  it("embed and generate, mostly wrong, with the input inlined in the document", async () => {
    await fc.assert(
      fc.asyncProperty(embedLike, async (input) => {
        count("graphql inlined embed");
        const literal = JSON.stringify(input).replace(/"([A-Za-z_][A-Za-z0-9_]*)":/g, "$1:");
        const answer = await post(stack.graphqlUrl, { query: `mutation { embed(input: ${literal}) { model } }` });
        expect(violation("graphql", answer)).toBeUndefined();
      }),
      fuzzOptions(runs(10)),
    );
  });

  it("the simulator saw no request left hanging", () => {
    expect(stack.simulator.stats().inFlight).toBe(0);
  });
});
