import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  collectStream,
  GENERATE,
  graphql,
  startStack,
  wsClient,
  type GraphqlResponse,
  type Stack,
} from "./test-support/stack.ts";

/** Issue 12 items 3 and 15: document limits and introspection over HTTP and WebSocket; the WebSocket's Origin check. */

function expectRefused(response: GraphqlResponse, reason: string | RegExp) {
  expect(response.status).toBe(400);
  expect(response.body?.data ?? null).toBeNull();
  const error = response.body?.errors?.[0];
  expect(error?.extensions?.code).toBe("BAD_REQUEST");
  if (typeof reason === "string") expect(error?.extensions?.details).toMatchObject({ reason });
  else expect(error?.message).toMatch(reason);
}

/** Runs one operation over graphql-ws and returns the errors it ended with. */
async function overWebSocket(stack: Stack, query: string) {
  const client = wsClient(stack.wsUrl);
  try {
    return await new Promise<readonly { message: string; extensions?: Record<string, unknown> }[]>((resolve) => {
      client.subscribe(
        { query },
        {
          next: (result) => resolve(result.errors ?? []),
          error: (error) => resolve(Array.isArray(error) ? error : [{ message: String(error) }]),
          complete: () => resolve([]),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

describe("GraphQL document limits (defaults)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it("introspection is off over HTTP and WebSocket", async () => {
    const query = "{ __schema { types { name } } }";
    const response = await graphql({ url: stack.url, query });
    expectRefused(response, /introspection/i);
    const errors = await overWebSocket(stack, query);
    expect(errors[0]?.extensions?.code).toBe("BAD_REQUEST");
    expect(errors[0]?.message).toMatch(/introspection/i);
  });

  it("refuses sixteen aliased usage reads (one document fanning out) before any resolver runs", async () => {
    const aliases = Array.from({ length: 16 }, (_, index) => `u${index}: usage { totalCostUsd }`).join(" ");
    expectRefused(await graphql({ url: stack.url, query: `{ ${aliases} }` }), "document-aliases");
  });

  it("refuses eleven generate mutations in one document on cost, with no upstream call", async () => {
    const fields = Array.from(
      { length: 11 },
      (_, index) =>
        `g${index}: generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "c${index}" }] }) { id }`,
    ).join(" ");
    expectRefused(await graphql({ url: stack.url, query: `mutation { ${fields} }` }), "document-cost");
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("counts a fragment bomb at its expanded size without expanding it", async () => {
    const levels = 24;
    const fragments = Array.from({ length: levels }, (_, index) =>
      index === levels - 1
        ? `fragment F${index} on Health { status }`
        : `fragment F${index} on Health { ...F${index + 1} ...F${index + 1} }`,
    ).join(" ");
    const startedAt = Date.now();
    const response = await graphql({ url: stack.url, query: `{ health { ...F0 } } ${fragments}` });
    expectRefused(response, "document-selections");
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it("stops parsing a document past maxTokens", async () => {
    const query = `{ health { ${"status ".repeat(3_000)} } }`;
    expectRefused(await graphql({ url: stack.url, query }), /tokens/);
  });

  it("applies the same limits over WebSocket", async () => {
    const aliases = Array.from({ length: 16 }, (_, index) => `h${index}: health { status }`).join(" ");
    const errors = await overWebSocket(stack, `{ ${aliases} }`);
    expect(errors[0]?.extensions).toMatchObject({ code: "BAD_REQUEST", details: { reason: "document-aliases" } });
  });

  it("a normal mutation and subscription still run", async () => {
    const response = await graphql({ url: stack.url, query: GENERATE, variables: { input: chat("fine") } });
    expect(response.status).toBe(200);
    const client = wsClient(stack.wsUrl);
    const outcome = await collectStream(client, chat("fine, streamed"));
    await client.dispose();
    expect(outcome.events.at(-1)?.type).toBe("DONE");
  });
});

describe("GraphQL limits are configurable", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { services: { graphql: { introspection: true, maxDepth: 2 } } } });
  });
  afterAll(() => stack.close());

  it("serves introspection when configured, and refuses nesting past maxDepth", async () => {
    const introspection = await graphql({ url: stack.url, query: '{ __type(name: "Health") { name } }' });
    expect(introspection.body?.data).toEqual({ __type: { name: "Health" } });
    expectRefused(await graphql({ url: stack.url, query: "{ health { checks { name } } }" }), "document-depth");
  });
});

describe("GraphQL over WebSocket from a web page", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  /** Opens a raw WebSocket with these headers; resolves with the HTTP status of a refused upgrade, or 101. */
  const upgrade = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(stack.wsUrl, "graphql-transport-ws", { headers });
      socket.once("open", () => {
        socket.close();
        resolve(101);
      });
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("error", () => {});
    });

  it("refuses a foreign Origin and a rebound Host; serves non-browser clients and its own origin", async () => {
    expect(await upgrade({ origin: "https://evil.example" })).toBe(403);
    expect(await upgrade({ host: "evil.example" })).toBe(403);
    expect(await upgrade({})).toBe(101);
    expect(await upgrade({ origin: stack.url.replace("/graphql", "") })).toBe(101);
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });
});

describe("operational details stay off the caller's health query", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      rules: [{ model: "gpt-4o-mini", fault: { type: "status", status: 500 } }],
      config: {
        defaults: {
          policy: {
            retry: false,
            breaker: { volumeThreshold: 1, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
          },
        },
      },
    });
  });
  afterAll(() => stack.close());

  it("health names the checks without upstream targets; /readyz (loopback, for operators) has them", async () => {
    await graphql({ url: stack.url, query: GENERATE, variables: { input: chat("trip the breaker") } });
    const response = await graphql({ url: stack.url, query: "{ health { ready checks { name ok detail } } }" });
    expect(response.body?.data).toMatchObject({ health: { ready: false } });
    expect(response.text).not.toContain("simulator/gpt-4o-mini");
    expect(response.text).toContain('{"name":"route:gpt-4o-mini","ok":false,"detail":null}');
    const readyz = await fetch(`${stack.host.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toContain("open circuits: simulator/gpt-4o-mini");
  });
});
