import { parseConfig } from "@keel/core";
import type { GraphQLFormattedError } from "graphql";
import { describe, expect, it } from "vitest";
import { formatGraphqlError } from "../errors/format-error.ts";
import { documentRules } from "../limits/document-rules.ts";
import { createSchema } from "../schema.ts";
import { createDirectOperations } from "./direct-operations.ts";

// Which requests the direct path takes (answers) and which it leaves to Apollo untouched
// (undefined, no context made, no resolver run). That both give the same answers over HTTP
// is test/direct-operations.e2e.test.ts.
describe("createDirectOperations: what it takes and what it leaves to Apollo", () => {
  const settings = parseConfig({}).services.graphql;
  const formatError = (formatted: GraphQLFormattedError, error: unknown) =>
    formatGraphqlError(error, typeof formatted.extensions?.code === "string" ? formatted.extensions.code : undefined);
  const direct = createDirectOperations({
    schema: createSchema(),
    rules: documentRules(settings),
    formatError,
    maxDocuments: 2,
    maxQueryLength: 200,
  });
  let contexts = 0;
  const run = (body: unknown, accept?: string) =>
    direct.run({
      body,
      accept,
      createContext: () => {
        contexts += 1;
        return {};
      },
    });

  it("takes a known query with no, */* or application/json Accept: Apollo's bytes and content type", async () => {
    for (const accept of [undefined, "*/*", "application/json"]) {
      const answer = await run({ query: "{ __typename }" }, accept);
      expect(answer).toEqual({
        status: 200,
        headers: [["content-type", "application/json; charset=utf-8"]],
        text: '{"data":{"__typename":"Query"}}\n',
      });
    }
    expect(await run({ query: "mutation M { __typename } query Q { __typename }", operationName: "M" })).toMatchObject({
      text: '{"data":{"__typename":"Mutation"}}\n',
    });
  });

  it("leaves everything else to Apollo before any context is made", () => {
    contexts = 0;
    const left: Array<[unknown, string?]> = [
      [{ query: "{ __typename }" }, "application/graphql-response+json"],
      [[{ query: "{ __typename }" }]],
      [null],
      ["{ __typename }"],
      [{ query: "" }],
      [{ query: 7 }],
      [{ query: "{ __typename }", extensions: {} }],
      [{ query: "{ __typename }", variables: "{}" }],
      [{ query: "{ __typename }", operationName: 1 }],
      [{ query: "{ nope }" }],
      [{ query: "{ " }],
      [{ query: "{ __schema { queryType { name } } }" }],
      [{ query: '{ __type(name: "Query") { name } }' }],
      [{ query: "subscription ($input: GenerateInput!) { generateStream(input: $input) { type } }" }],
      [{ query: "query A { __typename } query B { __typename }" }],
      [{ query: "query A { __typename }", operationName: "B" }],
      [{ query: `{ __typename ${" ".repeat(200)}}` }],
    ];
    for (const [body, accept] of left) expect(run(body, accept), JSON.stringify(body)).toBeUndefined();
    expect(contexts).toBe(0);
  });

  it("leaves variables that do not coerce to Apollo: no resolver ran", () => {
    const query = "mutation ($input: GenerateInput!) { generate(input: $input) { id } }";
    expect(run({ query, variables: { input: "x" } })).toBeUndefined();
    expect(run({ query })).toBeUndefined();
  });

  it("keeps at most maxDocuments verdicts, the oldest going first, and still answers after eviction", async () => {
    await run({ query: "{ __typename }" });
    expect(run({ query: "{ nope }" })).toBeUndefined();
    expect(run({ query: "{ nope2 }" })).toBeUndefined();
    expect(await run({ query: "{ __typename }" })).toMatchObject({ status: 200 });
  });
});
