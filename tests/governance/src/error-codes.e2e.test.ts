import { generateApiKey } from "@keel/governance";
import { describe, expect, it } from "vitest";
import { chat, startGoverned, upstreamCalls } from "./test-support/governed-stack.ts";
import { SERVICE_KINDS, serviceClient } from "./test-support/service-client.ts";

/** Requests the pipeline has seen (any outcome): a refusal at the edge never reaches it. */
const pipelineRequests = (snapshot: { overall: { "1m": { requests: number } } }) => snapshot.overall["1m"].requests;

describe.each(SERVICE_KINDS)("governance errors through %s", (kind) => {
  it("UNAUTHENTICATED: every bad key gets one message and no details, with status 401, before any cache read or upstream call", async () => {
    const stack = await startGoverned(kind);
    const { id, key } = await stack.issue({ tenant: "acme", role: "caller", name: "bot" });
    const revoked = await stack.issue({ tenant: "acme", role: "caller", name: "old" });
    expect((await stack.client(stack.adminKey).revokeKey(revoked.id)).ok).toBe(true);
    // Cached once, so a refused key must not be answered from the cache either.
    expect(
      (await stack.client(key).generate(chat("cached question", { cache: { mode: "default" }, temperature: 0 }))).ok,
    ).toBe(true);
    const before = {
      calls: upstreamCalls(),
      requests: pipelineRequests(stack.pipeline.metricsSnapshot({ all: true })),
    };

    const presented = [undefined, "not-a-key", generateApiKey(), `keel_${id}_${"A".repeat(43)}`, revoked.key];
    for (const bad of presented) {
      const outcome = await stack
        .client(bad)
        .generate(chat("cached question", { cache: { mode: "default" }, temperature: 0 }));
      expect(outcome.ok).toBe(false);
      if (outcome.ok) continue;
      expect(outcome.status).toBe(401);
      expect(outcome.error).toEqual({
        code: "UNAUTHENTICATED",
        message: "invalid or missing API key",
        retryable: false,
        details: {},
      });
    }
    expect(upstreamCalls()).toBe(before.calls);
    expect(pipelineRequests(stack.pipeline.metricsSnapshot({ all: true }))).toBe(before.requests);
    expect(await stack.pipeline.metricsText()).toMatch(/keel_api_key_rejections_total\{reason="wrong-secret"\} 1/);
  });

  it("FORBIDDEN: a caller's admin operation, and a model outside the key's allowed list, with status 403", async () => {
    const stack = await startGoverned(kind);
    const { key } = await stack.issue({ tenant: "acme", role: "caller", name: "bot", allowedModels: ["chat"] });
    const client = stack.client(key);
    const admin = await client.createKey({ tenant: "acme", role: "admin", name: "escalate" });
    expect(admin.ok).toBe(false);
    if (!admin.ok) {
      expect(admin.error).toMatchObject({ code: "FORBIDDEN", details: { reason: "role", required: "admin" } });
      expect(admin.status).toBe(kind === "trpc" ? 403 : 200);
    }
    const calls = upstreamCalls();
    const model = await client.generate(chat("hi", { model: "solo" }));
    expect(model.ok || model.error).toMatchObject({
      code: "FORBIDDEN",
      details: { reason: "model-not-allowed", field: "model" },
    });
    expect(upstreamCalls()).toBe(calls);
    expect((await client.generate(chat("hi"))).ok).toBe(true);
  });

  it("RATE_LIMITED: retryAfterMs in the error, OpenAI's x-ratelimit-* headers on every answer and retry-after on the refusal", async () => {
    const stack = await startGoverned(kind);
    const { key } = await stack.issue({
      tenant: "acme",
      role: "caller",
      name: "bot",
      limits: { requestsPerMinute: 2 },
    });
    const client = stack.client(key);
    const first = await client.generate(chat("one"));
    expect(first.headers).toMatchObject({ "x-ratelimit-limit-requests": "2", "x-ratelimit-remaining-requests": "1" });
    expect(first.headers["x-ratelimit-reset-requests"]).toMatch(/^\d+(\.\d+)?m?s$/);
    expect((await client.generate(chat("two"))).headers["x-ratelimit-remaining-requests"]).toBe("0");
    const calls = upstreamCalls();
    const refused = await client.generate(chat("three"));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error).toMatchObject({
      code: "RATE_LIMITED",
      retryable: true,
      details: { scope: "key", kind: "requests", limit: 2, retryAfterMs: expect.any(Number) },
    });
    expect(refused.error.details.retryAfterMs as number).toBeGreaterThan(0);
    expect(refused.status).toBe(kind === "trpc" ? 429 : 200);
    expect(refused.headers).toMatchObject({
      "x-ratelimit-remaining-requests": "0",
      "retry-after": expect.stringMatching(/^\d+$/),
    });
    expect(Number(refused.headers["retry-after-ms"])).toBe(refused.error.details.retryAfterMs);
    expect(upstreamCalls()).toBe(calls);
  });

  it("BUDGET_EXCEEDED: a reservation that would cross the key's budget is refused with status 402, before any upstream call", async () => {
    const stack = await startGoverned(kind);
    // chat = gpt-4o-mini then gpt-4.1-mini: 500 completion tokens at gpt-4.1-mini's 1.6 USD per million is 800 µUSD.
    const { key } = await stack.issue({ tenant: "acme", role: "caller", name: "bot", budget: { dailyUsd: 0.0005 } });
    const calls = upstreamCalls();
    const refused = await stack.client(key).generate(chat("a long answer please", { maxTokens: 500 }));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error).toMatchObject({
      code: "BUDGET_EXCEEDED",
      details: { scope: "key", period: "day", limitMicroUsd: 500, spentMicroUsd: 0 },
    });
    expect(refused.status).toBe(kind === "trpc" ? 402 : 200);
    expect(upstreamCalls()).toBe(calls);
    const fits = await stack.client(key).generate(chat("a short answer", { maxTokens: 20 }));
    expect(fits.ok).toBe(true);
    const usage = await stack.client(key).usage();
    if (!usage.ok || !fits.ok) throw new Error("usage or the fitting request failed");
    const budget = usage.value.budget as { key: { day: { spentUsd: number; limitUsd: number; remainingUsd: number } } };
    expect(budget.key.day.limitUsd).toBe(0.0005);
    expect(budget.key.day.spentUsd).toBeCloseTo(fits.value.costUsd as number, 6);
    expect(budget.key.day.remainingUsd).toBeCloseTo(0.0005 - budget.key.day.spentUsd, 9);
  });

  it("answers the admin API of a service that is its own origin only to admins, whatever the HTTP client", async () => {
    const stack = await startGoverned(kind);
    const anonymous = serviceClient(kind, stack.host.url);
    const outcome = await anonymous.listKeys();
    expect(outcome.ok || outcome.error.code).toBe("UNAUTHENTICATED");
  });
});
