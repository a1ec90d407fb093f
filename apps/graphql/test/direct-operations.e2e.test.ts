import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceHost } from "@keel/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphqlService } from "../src/index.ts";
import { dataOf, graphql, startStack, type Stack } from "./test-support/stack.ts";

/**
 * The direct path (http/direct-operations.ts) against Apollo alone: the same requests over
 * real HTTP to two services on one pipeline, one with the direct path (the default) and one
 * with `directOperations: false`; status, headers and body bytes must match. Per-request
 * values (the date, a generation's id and latency, the rate-limit counters that both
 * services share) are masked.
 */
describe("known operations executed directly answer exactly as Apollo does", () => {
  let stack: Stack;
  let apolloOnly: ServiceHost;
  let apolloUrl: string;
  let adminKey: string;
  const dataDir = mkdtempSync(join(tmpdir(), "keel-graphql-direct-"));

  beforeAll(async () => {
    stack = await startStack({
      rules: [{ promptIncludes: "boom", fault: { type: "status", status: 500 } }],
      config: { dataDir, auth: { verifyCacheMs: 100 }, services: { maxBodyBytes: 4096 } },
    });
    apolloOnly = await startGraphqlService({
      pipeline: stack.pipeline,
      host: "127.0.0.1",
      port: 0,
      directOperations: false,
    });
    apolloUrl = `${apolloOnly.url}/graphql`;
    const created = await graphql<{ createApiKey: { key: string } }>({
      url: stack.url,
      query: "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }",
      variables: { input: { tenant: "ops", role: "ADMIN", name: "operator" } },
    });
    adminKey = dataOf(created).createApiKey.key;
    await sleep(150); // auth.verifyCacheMs: the key is seen everywhere within it
  });
  afterAll(async () => {
    await apolloOnly.shutdown();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const GENERATE =
    "mutation Generate($input: GenerateInput!) { generate(input: $input) { id content model provider cache attempts usage { promptTokens completionTokens totalTokens } costUsd latencyMs finishReason } }";
  const input = (content: string, extra: Record<string, unknown> = {}) => ({
    model: "gpt-4o-mini",
    messages: [{ role: "USER", content }],
    temperature: 0,
    cache: { mode: "BYPASS" },
    ...extra,
  });

  const cases: Array<[string, Omit<Sent, "url">]> = [
    ["generate with variables", { body: { query: GENERATE, variables: { input: input("Hello there") } } }],
    [
      "generate with literals and no variables",
      {
        body: {
          query:
            'mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "Hi" }], temperature: 0, cache: { mode: BYPASS } }) { content cache usage { totalTokens } } }',
        },
      },
    ],
    [
      "the operation picked by operationName",
      { body: { query: "query A { __typename } query B { health { status } }", operationName: "A" } },
    ],
    [
      "variables: null and operationName: null",
      { body: { query: "{ __typename }", variables: null, operationName: null } },
    ],
    [
      "a model the config does not know",
      { body: { query: GENERATE, variables: { input: input("Hi", { model: "no-such-model" }) } } },
    ],
    [
      "a bad field in the pipeline's own validation",
      { body: { query: GENERATE, variables: { input: input("Hi", { temperature: 7 }) } } },
    ],
    [
      "a variable of the wrong type",
      { body: { query: GENERATE, variables: { input: { ...input("Hi"), messages: "x" } } } },
    ],
    [
      "an unknown input field in the variables",
      { body: { query: GENERATE, variables: { input: input("Hi", { colour: "red" }) } } },
    ],
    ["a missing variable", { body: { query: GENERATE } }],
    ["an unknown field in the selection", { body: { query: "{ health { status nope } }" } }],
    ["a syntax error", { body: { query: "mutation { generate(" } }],
    ["an operationName that names no operation", { body: { query: "query A { __typename }", operationName: "Z" } }],
    ["two operations and no operationName", { body: { query: "query A { __typename } query B { __typename }" } }],
    [
      "a subscription over POST",
      {
        body: {
          query: "subscription ($input: GenerateInput!) { generateStream(input: $input) { type } }",
          variables: { input: input("Hi") },
        },
      },
    ],
    ["introspection", { body: { query: "{ __schema { queryType { name } } }" } }],
    [
      "a persisted-query extension",
      { body: { query: "{ __typename }", extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } } },
    ],
    ["variables as a JSON string", { body: { query: GENERATE, variables: JSON.stringify({ input: input("Hi") }) } }],
    ["operationName that is not a string", { body: { query: "{ __typename }", operationName: 7 } }],
    ["no query", { body: { variables: {} } }],
    ["an empty query", { body: { query: "" } }],
    ["a batch (an array body)", { body: [{ query: "{ __typename }" }] }],
    [
      "accept: application/graphql-response+json",
      { body: { query: "{ __typename }" }, accept: "application/graphql-response+json" },
    ],
    ["accept: */*", { body: { query: "{ __typename }" }, accept: "*/*" }],
    [
      "accept: application/json",
      { body: { query: GENERATE, variables: { input: input("Hi") } }, accept: "application/json" },
    ],
    [
      "accept: text/plain (nothing Apollo can answer with)",
      { body: { query: "{ __typename }" }, accept: "text/plain" },
    ],
    ["malformed JSON", { raw: '{"query": "{ __typename }"' }],
    ["an empty body", { raw: "" }],
    [
      "a body over the limit",
      { raw: JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(5000) } }) },
    ],
    ["text/plain content type", { body: { query: "{ __typename }" }, contentType: "text/plain" }],
    ["no API key", { body: { query: GENERATE, variables: { input: input("Hi") } }, key: null }],
    ["a wrong API key", { body: { query: GENERATE, variables: { input: input("Hi") } }, key: "keel_nope_nope" }],
  ];

  it("a successful generate is answered with the envelope, the upstream called once per path", async () => {
    const before = stack.simulator.stats().totalCalls;
    const viaApollo = await send({
      url: apolloUrl,
      key: adminKey,
      body: { query: GENERATE, variables: { input: input("count me") } },
    });
    const direct = await send({
      url: stack.url,
      key: adminKey,
      body: { query: GENERATE, variables: { input: input("count me") } },
    });
    expect(direct).toEqual(viaApollo);
    expect(direct.status).toBe(200);
    expect(direct.text).not.toContain("errors");
    expect(JSON.parse(direct.text)).toMatchObject({ data: { generate: { cache: "MISS", model: "gpt-4o-mini" } } });
    expect(stack.simulator.stats().totalCalls - before).toBe(2);
  });

  it.each(cases)("%s", async (_name, request) => {
    const viaApollo = await send({ url: apolloUrl, key: adminKey, ...request });
    const direct = await send({ url: stack.url, key: adminKey, ...request });
    expect(direct).toEqual(viaApollo);
    // Sanity: the answers are real ones, not two equal failures of the test's own making.
    expect(direct.status).toBeGreaterThanOrEqual(200);
    expect(direct.lengthIsBodys).toBe(true);
    expect(direct.text.length).toBeGreaterThan(0);
  });

  it("a tenant's rate-limit refusal: the same status, code, headers and body", async () => {
    const limited = await graphql<{ createApiKey: { key: string } }>({
      url: stack.url,
      query: "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }",
      variables: { input: { tenant: "slow", role: "CALLER", name: "slow", limits: { requestsPerMinute: 1 } } },
      key: adminKey,
    });
    const key = dataOf(limited).createApiKey.key;
    await sleep(150);
    const request = { key, body: { query: GENERATE, variables: { input: input("Hi") } } };
    const first = await send({ url: stack.url, ...request });
    expect(first.status).toBe(200);
    expect(first.headers["x-ratelimit-limit-requests"]).toBe("1");
    const direct = await send({ url: stack.url, ...request });
    const viaApollo = await send({ url: apolloUrl, ...request });
    expect(direct).toEqual(viaApollo);
    expect(JSON.parse(direct.text).errors[0].extensions.code).toBe("RATE_LIMITED");
    expect(direct.headers["retry-after"]).toBe("<masked>");
  });

  // Last: the failing upstream opens the target's circuit breaker for what follows.
  it("an upstream failure (a KeelError raised in the resolver)", async () => {
    const request = { key: adminKey, body: { query: GENERATE, variables: { input: input("boom") } } };
    const viaApollo = await send({ url: apolloUrl, ...request });
    const direct = await send({ url: stack.url, ...request });
    expect(direct).toEqual(viaApollo);
    expect(JSON.parse(direct.text)).toMatchObject({ data: null, errors: [{ path: ["generate"] }] });
  });
});

interface Sent {
  url: string;
  /** JSON-encoded as the body; `raw` sends text as it is. */
  body?: unknown;
  raw?: string;
  /** null: no Authorization header. */
  key?: string | null;
  contentType?: string;
  accept?: string;
}

/** Headers whose values differ per request, whichever path answers. */
const MASKED_HEADERS = new Set([
  "date",
  // Checked against the unmasked body instead (\`lengthIsBodys\`): a latency's digits vary.
  "content-length",
  "retry-after",
  "retry-after-ms",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
]);

/** Over node:http, so a request without an Accept header has none (fetch adds `accept: *\/*`). */
function send(
  request: Sent,
): Promise<{ status: number; headers: Record<string, string>; text: string; lengthIsBodys: boolean }> {
  const body = request.raw ?? JSON.stringify(request.body);
  const headers: Record<string, string> = {
    "content-type": request.contentType ?? "application/json",
    "content-length": String(Buffer.byteLength(body)),
  };
  if (request.key !== undefined && request.key !== null) headers.authorization = `Bearer ${request.key}`;
  if (request.accept !== undefined) headers.accept = request.accept;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(request.url, { method: "POST", headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const seen: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers))
          seen[name] = MASKED_HEADERS.has(name) ? "<masked>" : String(value);
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          status: response.statusCode ?? 0,
          lengthIsBodys: response.headers["content-length"] === String(Buffer.byteLength(text)),
          headers: seen,
          // A generation's id and latency are its own; everything else must be byte-equal.
          text: text
            .replace(/"id":"[^"]*"/g, '"id":"<masked>"')
            .replace(/"latencyMs":[0-9.]+/g, '"latencyMs":0')
            .replace(/"retryAfterMs":[0-9]+/g, '"retryAfterMs":0'),
        });
      });
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
