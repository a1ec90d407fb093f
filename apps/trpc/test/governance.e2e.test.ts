import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chat, collectStream, createClient, post, startStack, trpcError, type Stack } from "./test-support/stack.ts";

/**
 * API keys on the embedded default (no Redis: keys in <dataDir>/api-keys.json): open as
 * tenant default until the first key exists, then every procedure needs one, as a Bearer
 * header or a subscription's connection params. The whole suite through both services on
 * Redis is tests/governance.
 */
const stacks: Stack[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function keyedStack(config: Record<string, unknown> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "keel-trpc-keys-"));
  folders.push(dataDir);
  const stack = await startStack({ config: { dataDir, auth: { verifyCacheMs: 100 }, ...config } });
  stacks.push(stack);
  return { stack, dataDir };
}

/** The first admin key, created while authentication is still off (the operator on loopback). */
async function firstAdminKey(stack: Stack): Promise<string> {
  const created = await createClient(stack.url).admin.keys.create.mutate({
    tenant: "ops",
    role: "admin",
    name: "operator",
  });
  await sleep(150); // auth.verifyCacheMs: every instance sees the first key within it
  return created.key;
}

describe("API keys through tRPC", () => {
  it("runs open as tenant default until the first key exists, then refuses a missing or bad key with 401 before any upstream call", async () => {
    const { stack, dataDir } = await keyedStack();
    const open = await createClient(stack.url).ai.generate.mutate(chat("before any key"));
    expect(open.content).toBeTruthy();
    const adminKey = await firstAdminKey(stack);
    // Only the hash is stored: the file never holds the secret.
    expect(readFileSync(join(dataDir, "api-keys.json"), "utf8")).not.toContain(adminKey.slice(18));

    const calls = stack.simulator.stats().totalCalls;
    for (const authorization of [
      undefined,
      "Bearer keel_nosuchkey000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "Basic eDp5",
    ]) {
      const refused = await post(
        `${stack.url}/ai.generate`,
        JSON.stringify(chat("no")),
        authorization ? { authorization } : {},
      );
      expect(refused.status).toBe(401);
      expect(refused.json).toMatchObject({
        error: {
          message: "invalid or missing API key",
          data: { code: "UNAUTHORIZED", keelCode: "UNAUTHENTICATED", retryable: false, details: {} },
        },
      });
    }
    expect(stack.simulator.stats().totalCalls).toBe(calls);
    expect((await createClient(stack.url, adminKey).ai.generate.mutate(chat("with a key"))).content).toBeTruthy();
  });

  it("runs a caller's key as its tenant: the envelope, OpenAI's rate-limit headers, usage with budget, classify and a stream by connection params", async () => {
    const { stack } = await keyedStack({ tenants: { acme: { budget: { dailyUsd: 5 } } } });
    const admin = createClient(stack.url, await firstAdminKey(stack));
    const issued = await admin.admin.keys.create.mutate({
      tenant: "acme",
      role: "caller",
      name: "bot",
      limits: { requestsPerMinute: 5 },
    });
    expect(issued.key).toMatch(new RegExp(`^keel_${issued.id}_`));
    const caller = createClient(stack.url, issued.key);

    const answered = await post(`${stack.url}/ai.generate`, JSON.stringify(chat("hello")), {
      authorization: `Bearer ${issued.key}`,
    });
    expect(answered.status).toBe(200);
    expect(answered.headers.get("x-ratelimit-limit-requests")).toBe("5");
    expect(answered.headers.get("x-ratelimit-remaining-requests")).toBe("4");

    const labels = [
      { label: "billing", examples: ["refund my invoice", "charged twice"] },
      { label: "shipping", examples: ["where is my parcel", "late delivery"] },
    ];
    const classified = await caller.ai.classify.mutate({
      model: "text-embedding-3-small",
      texts: ["my parcel is late"],
      labels,
    });
    expect(classified.results[0]).toMatchObject({ label: "shipping", runnerUp: { label: "billing" } });

    const streamed = await collectStream(caller, chat("stream please"));
    expect(streamed.error).toBeUndefined();
    expect(streamed.events.at(-1)?.type).toBe("done");

    const usage = await caller.usage.get.query();
    expect(usage).toMatchObject({ tenant: "acme", totals: { requests: 3 } });
    expect(usage.budget.tenant.day).toMatchObject({ limitUsd: 5, reservedUsd: 0 });
    expect(usage.budget.key).toMatchObject({ day: { limitUsd: null } });
    // The default tenant's request (the first admin call) is not acme's.
    expect((await admin.usage.get.query()).tenant).toBe("ops");
  });

  it("keeps admin operations to admins (403 FORBIDDEN), and names a bad admin input's field", async () => {
    const { stack } = await keyedStack();
    const admin = createClient(stack.url, await firstAdminKey(stack));
    const { key } = await admin.admin.keys.create.mutate({ tenant: "acme", role: "reviewer", name: "reviewer" });
    const reviewer = createClient(stack.url, key);
    const forbidden = await trpcError(reviewer.admin.keys.list.query({}));
    expect(forbidden.data).toMatchObject({
      code: "FORBIDDEN",
      httpStatus: 403,
      keelCode: "FORBIDDEN",
      details: { reason: "role", required: "admin" },
    });
    const unknownField = await trpcError(
      admin.admin.keys.create.mutate({ tenant: "acme", role: "caller", name: "x", limts: {} } as never),
    );
    expect(unknownField.data).toMatchObject({
      keelCode: "BAD_REQUEST",
      details: { field: "limts", hint: 'did you mean "limits"?' },
    });
    const listed = await admin.admin.keys.list.query({ tenant: "acme" });
    expect(listed.keys.map((record) => record.role)).toEqual(["reviewer"]);
    expect(JSON.stringify(listed)).not.toContain(key.slice(18));
  });
});
