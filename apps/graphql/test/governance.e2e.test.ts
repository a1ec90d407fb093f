import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  chat,
  collectStream,
  dataOf,
  GENERATE,
  graphql,
  startStack,
  wsClient,
  type GenerateData,
  type Stack,
} from "./test-support/stack.ts";

/**
 * API keys on the embedded default (no Redis: keys in <dataDir>/api-keys.json): open as
 * tenant default until the first key exists, then every operation needs one, as a Bearer
 * header or in the graphql-ws connection_init payload. The whole suite through both
 * services on Redis is tests/governance.
 */
const stacks: Stack[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function keyedStack(config: Record<string, unknown> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "keel-graphql-keys-"));
  folders.push(dataDir);
  const stack = await startStack({ config: { dataDir, auth: { verifyCacheMs: 100 }, ...config } });
  stacks.push(stack);
  return stack;
}

const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { id key record { id tenant role name limits { requestsPerMinute } revokedAt } }
}`;
const USAGE = `query { usage { tenant totals { requests } budget {
  tenant { day { limitUsd spentUsd reservedUsd } } key { day { limitUsd } } } } }`;
const CLASSIFY = `mutation ($input: ClassifyInput!) { classify(input: $input) { results { label score margin runnerUp { label } } } }`;

interface CreatedKey {
  createApiKey: { id: string; key: string; record: Record<string, unknown> };
}

/** The first admin key, created while authentication is still off (the operator on loopback). */
async function firstAdminKey(stack: Stack): Promise<string> {
  const created = await graphql<CreatedKey>({
    url: stack.url,
    query: CREATE_KEY,
    variables: { input: { tenant: "ops", role: "ADMIN", name: "operator" } },
  });
  await sleep(150); // auth.verifyCacheMs: every instance sees the first key within it
  return dataOf(created).createApiKey.key;
}

describe("API keys through GraphQL", () => {
  it("runs open as tenant default until the first key exists, then refuses a missing or bad key with 401 before any upstream call", async () => {
    const stack = await keyedStack();
    expect((await graphql({ url: stack.url, query: GENERATE, variables: { input: chat("open") } })).status).toBe(200);
    const adminKey = await firstAdminKey(stack);
    const calls = stack.simulator.stats().totalCalls;
    for (const key of [undefined, "keel_nosuchkey000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not a key"]) {
      const refused = await graphql({
        url: stack.url,
        query: GENERATE,
        variables: { input: chat("no") },
        ...(key ? { key } : {}),
      });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({
        errors: [
          {
            message: "invalid or missing API key",
            extensions: { code: "UNAUTHENTICATED", retryable: false, details: {} },
          },
        ],
      });
    }
    expect(stack.simulator.stats().totalCalls).toBe(calls);
    const keyed = await graphql<GenerateData>({
      url: stack.url,
      query: GENERATE,
      variables: { input: chat("keyed") },
      key: adminKey,
    });
    expect(dataOf(keyed).generate.content).toBeTruthy();
  });

  it("runs a caller's key as its tenant: OpenAI's rate-limit headers, usage with budget, classify, and a stream by connection_init", async () => {
    const stack = await keyedStack({ tenants: { acme: { budget: { dailyUsd: 5 } } } });
    const adminKey = await firstAdminKey(stack);
    const created = await graphql<CreatedKey>({
      url: stack.url,
      query: CREATE_KEY,
      variables: { input: { tenant: "acme", role: "CALLER", name: "bot", limits: { requestsPerMinute: 5 } } },
      key: adminKey,
    });
    const issued = dataOf(created).createApiKey;
    expect(issued.record).toEqual({
      id: issued.id,
      tenant: "acme",
      role: "CALLER",
      name: "bot",
      limits: { requestsPerMinute: 5 },
      revokedAt: null,
    });

    const answered = await graphql({
      url: stack.url,
      query: GENERATE,
      variables: { input: chat("hello") },
      key: issued.key,
    });
    expect(answered.status).toBe(200);
    expect(answered.headers).toMatchObject({
      "x-ratelimit-limit-requests": "5",
      "x-ratelimit-remaining-requests": "4",
    });

    const labels = [
      { label: "billing", examples: ["refund my invoice", "charged twice"] },
      { label: "shipping", examples: ["where is my parcel", "late delivery"] },
    ];
    const classified = await graphql<{ classify: { results: Array<{ label: string; runnerUp: { label: string } }> } }>({
      url: stack.url,
      query: CLASSIFY,
      variables: { input: { model: "text-embedding-3-small", texts: ["my parcel is late"], labels } },
      key: issued.key,
    });
    expect(dataOf(classified).classify.results[0]).toMatchObject({ label: "shipping", runnerUp: { label: "billing" } });

    const client = wsClient(stack.wsUrl, issued.key);
    const streamed = await collectStream(client, chat("stream please"));
    await client.dispose();
    expect(streamed.errors).toEqual([]);
    expect(streamed.events.at(-1)?.type).toBe("DONE");

    const usage = dataOf(
      await graphql<{ usage: Record<string, unknown> }>({ url: stack.url, query: USAGE, key: issued.key }),
    );
    expect(usage.usage).toEqual({
      tenant: "acme",
      totals: { requests: 3 },
      budget: {
        tenant: { day: { limitUsd: 5, spentUsd: expect.any(Number), reservedUsd: 0 } },
        key: { day: { limitUsd: null } },
      },
    });
  });

  it("closes a WebSocket whose connection_init has no valid key with 4401, and keeps admin operations to admins", async () => {
    const stack = await keyedStack();
    const adminKey = await firstAdminKey(stack);
    for (const key of [undefined, "keel_nosuchkey000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      const client = wsClient(stack.wsUrl, key);
      const streamed = await collectStream(client, chat("no key"));
      await client.dispose();
      expect(streamed.events).toEqual([]);
      expect(streamed.closed).toEqual({ code: 4401, reason: "UNAUTHENTICATED: invalid or missing API key" });
    }
    const created = await graphql<CreatedKey>({
      url: stack.url,
      query: CREATE_KEY,
      variables: { input: { tenant: "acme", role: "REVIEWER", name: "reviewer" } },
      key: adminKey,
    });
    const forbidden = await graphql({
      url: stack.url,
      query: "query { apiKeys { keys { id } } }",
      key: dataOf(created).createApiKey.key,
    });
    expect(forbidden.status).toBe(200);
    expect(forbidden.body?.errors?.[0]?.extensions).toEqual({
      code: "FORBIDDEN",
      retryable: false,
      details: { reason: "role", required: "admin" },
    });
  });
});
