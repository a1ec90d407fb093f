import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  GENERATE,
  graphql,
  hasNoStackTrace,
  postRaw,
  startStack,
  type GraphqlResponse,
  type HealthData,
  type Stack,
} from "./test-support/stack.ts";

function onlyError(response: GraphqlResponse) {
  expect(response.body?.errors).toHaveLength(1);
  return response.body?.errors?.[0] as { message: string; extensions: Record<string, unknown> };
}

describe("errors", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "boom", fault: { type: "status", status: 500 } },
        { promptIncludes: "slow down", fault: { type: "status", status: 429, retryAfterSeconds: 0 } },
      ],
      config: { services: { maxBodyBytes: 4096 } },
    });
  });
  afterAll(() => stack.close());

  describe("bad input -> BAD_REQUEST naming the field", () => {
    it("a value of the wrong type in a literal", async () => {
      const response = await graphql({
        url: stack.url,
        query: `mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "hi" }], temperature: "hot" }) { id } }`,
      });
      expect(response.status).toBe(400);
      const error = onlyError(response);
      expect(error.extensions).toMatchObject({
        code: "BAD_REQUEST",
        graphqlCode: "GRAPHQL_VALIDATION_FAILED",
        retryable: false,
        details: { field: "temperature" },
      });
      expect(error.message).toContain("temperature");
    });

    it("a value of the wrong type in a variable, deep in a list", async () => {
      const response = await graphql({
        url: stack.url,
        query: GENERATE,
        variables: {
          input: { model: "gpt-4o-mini", messages: [{ role: "USER", content: 42 }] },
        },
      });
      expect(response.status).toBe(400);
      const error = onlyError(response);
      expect(error.extensions).toMatchObject({
        code: "BAD_REQUEST",
        graphqlCode: "BAD_USER_INPUT",
        details: { field: "messages.0.content" },
      });
      expect(error.message).toContain("messages.0.content");
    });

    it("an unknown enum value deep in a literal list", async () => {
      const response = await graphql({
        url: stack.url,
        query: `mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "a" }, { role: WIZARD, content: "b" }] }) { id } }`,
      });
      const error = onlyError(response);
      expect(error.extensions).toMatchObject({ code: "BAD_REQUEST", details: { field: "messages.1.role" } });
    });

    it("missing messages, as a literal and as a variable", async () => {
      const literal = await graphql({
        url: stack.url,
        query: `mutation { generate(input: { model: "gpt-4o-mini" }) { id } }`,
      });
      expect(literal.status).toBe(400);
      const literalError = onlyError(literal);
      expect(literalError.extensions).toMatchObject({ code: "BAD_REQUEST", details: { field: "messages" } });
      expect(literalError.message).toContain("messages");

      const variable = await graphql({
        url: stack.url,
        query: GENERATE,
        variables: { input: { model: "gpt-4o-mini" } },
      });
      const variableError = onlyError(variable);
      expect(variableError.extensions).toMatchObject({
        code: "BAD_REQUEST",
        graphqlCode: "BAD_USER_INPUT",
        details: { field: "messages" },
      });
    });

    it("an empty message list, caught by core's parser after GraphQL's type checks", async () => {
      const response = await graphql({
        url: stack.url,
        query: GENERATE,
        variables: { input: { model: "gpt-4o-mini", messages: [] } },
      });
      expect(response.status).toBe(200);
      const error = onlyError(response);
      expect(error.extensions).toMatchObject({ code: "BAD_REQUEST", retryable: false, details: { field: "messages" } });
      expect(error.extensions.graphqlCode).toBeUndefined();
      expect(response.body?.data).toBeNull();
    });

    it("temperature out of range -> the same BAD_REQUEST core gives tRPC", async () => {
      const response = await graphql({
        url: stack.url,
        query: GENERATE,
        variables: { input: chat("hi", { temperature: 3 }) },
      });
      const error = onlyError(response);
      expect(error.extensions).toMatchObject({ code: "BAD_REQUEST", details: { field: "temperature" } });
      expect(error.message).toMatch(/^temperature: /);
      expect(stack.simulator.stats().totalCalls).toBe(0);
    });

    it("a misspelt field", async () => {
      const response = await graphql({
        url: stack.url,
        query: GENERATE,
        variables: { input: { ...chat("hi"), temprature: 1 } },
      });
      const error = onlyError(response);
      // The same field and the same hint tRPC gives (core's suggestion rule).
      expect(error.extensions).toMatchObject({
        code: "BAD_REQUEST",
        details: { field: "temprature", hint: 'did you mean "temperature"?' },
      });
    });

    it("a query that does not parse", async () => {
      const response = await graphql({ url: stack.url, query: "mutation { generate(input: " });
      expect(response.status).toBe(400);
      expect(onlyError(response).extensions).toMatchObject({
        code: "BAD_REQUEST",
        graphqlCode: "GRAPHQL_PARSE_FAILED",
      });
    });

    it("a malformed JSON body", async () => {
      const response = await postRaw(stack.url, '{"query": "{ health { status } }"');
      expect(response.status).toBe(400);
      expect(onlyError(response).extensions).toMatchObject({
        code: "BAD_REQUEST",
        details: { reason: "malformed-json" },
      });
    });

    it("a body over the size limit gets a clear error and the service keeps serving", async () => {
      const big = JSON.stringify({ query: GENERATE, variables: { input: chat("x".repeat(10_000)) } });
      const response = await postRaw(stack.url, big);
      expect(response.status).toBe(413);
      const error = onlyError(response);
      expect(error.extensions).toMatchObject({
        code: "BAD_REQUEST",
        details: { reason: "body-too-large", limitBytes: 4096 },
      });
      const after = await graphql<HealthData>({ url: stack.url, query: "{ health { ready } }" });
      expect(after.body?.data?.health.ready).toBe(true);
    });

    it("a path that is not /graphql", async () => {
      const response = await postRaw(stack.url.replace("/graphql", "/graphiql"), "{}");
      expect(response.status).toBe(404);
      expect(onlyError(response).extensions.code).toBe("BAD_REQUEST");
    });
  });

  it("an unknown model -> BAD_REQUEST naming the model field, the same code tRPC gives", async () => {
    const response = await graphql({
      url: stack.url,
      query: GENERATE,
      variables: { input: chat("hi", { model: "gpt-9" }) },
    });
    expect(response.status).toBe(200);
    const error = onlyError(response);
    expect(error.extensions).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "model", reason: "unknown-model" },
    });
    expect(error.message).toContain("gpt-9");
    expect(error.extensions.graphqlCode).toBeUndefined();
  });

  it("upstream 500 -> UPSTREAM_UNAVAILABLE, retryable", async () => {
    const response = await graphql({ url: stack.url, query: GENERATE, variables: { input: chat("boom") } });
    expect(response.status).toBe(200);
    const error = onlyError(response);
    expect(error.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryable: true });
    expect(error.extensions.graphqlCode).toBeUndefined();
    expect(response.body?.errors?.[0]).toMatchObject({ path: ["generate"] });
  });

  it("upstream 429 -> UPSTREAM_RATE_LIMITED", async () => {
    const response = await graphql({ url: stack.url, query: GENERATE, variables: { input: chat("please slow down") } });
    const error = onlyError(response);
    expect(error.extensions).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryable: true });
  });

  describe("wrong content-type and browsers", () => {
    it("a POST body not declared as JSON -> 415 saying to send application/json (was Apollo's CSRF text)", async () => {
      for (const contentType of ["text/plain", "application/x-www-form-urlencoded"]) {
        const response = await postRaw(stack.url, '{"query":"{ health { status } }"}', { contentType });
        expect(response.status).toBe(415);
        expect(onlyError(response)).toEqual({
          message: `the request body must be JSON: send it with the header "content-type: application/json" (received "${contentType}")`,
          extensions: {
            code: "BAD_REQUEST",
            retryable: false,
            details: { reason: "unsupported-media-type", expected: "application/json" },
          },
        });
        expect(response.text).not.toContain("Cross-Site");
      }
    });

    it("a GET with a query but no preflight header says how to send it, not Apollo's CSRF paragraph", async () => {
      const response = await fetch(`${stack.url}?query=${encodeURIComponent("{ health { status } }")}`);
      const body = (await response.json()) as GraphqlResponse["body"];
      expect(response.status).toBe(400);
      expect(body?.errors?.[0]).toMatchObject({
        message:
          'send the query as a POST with the header "content-type: application/json" (a GET needs the header "apollo-require-preflight: true")',
        extensions: { code: "BAD_REQUEST", details: { reason: "preflight-required" } },
      });
    });

    it("a browser opening the URL gets a short page saying how to call the service", async () => {
      const response = await fetch(stack.url, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const page = await response.text();
      expect(page).toContain("<title>Keel GraphQL</title>");
      expect(page).toContain("content-type: application/json");
      expect(page).toContain(`curl -s ${stack.url}`);
      expect(page).toContain("graphql-ws");
      // A client that asks for JSON (or anything but HTML) still gets GraphQL's answer.
      const json = await fetch(stack.url, { headers: { accept: "application/json" } });
      expect(json.headers.get("content-type")).toContain("application/json");
    });
  });

  it("no error response carries a stack trace", async () => {
    const responses = await Promise.all([
      graphql({ url: stack.url, query: GENERATE, variables: { input: chat("boom") } }),
      graphql({ url: stack.url, query: GENERATE, variables: { input: chat("hi", { temperature: 3 }) } }),
      graphql({ url: stack.url, query: GENERATE, variables: { input: { model: "gpt-4o-mini" } } }),
      graphql({ url: stack.url, query: "mutation { generate(input: " }),
      graphql({ url: stack.url, query: "{ nothing }" }),
      postRaw(stack.url, "{not json"),
      postRaw(stack.url, "", { contentType: "text/plain" }),
    ]);
    for (const response of responses) {
      expect(response.body?.errors?.length).toBeGreaterThan(0);
      expect(hasNoStackTrace(response.text)).toBe(true);
      for (const error of response.body?.errors ?? []) {
        expect(Object.keys(error.extensions ?? {}).sort()).toEqual(
          expect.arrayContaining(["code", "details", "retryable"]),
        );
        expect(error.extensions).not.toHaveProperty("stacktrace");
        expect(error.extensions).not.toHaveProperty("exception");
      }
    }
  });
});
