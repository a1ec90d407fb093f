import { KeelError } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import { createResilience, type Resilience } from "./index.ts";
import {
  failureOf,
  generation,
  request,
  scriptedModel,
  testContext,
  upstream,
  type TestContext,
} from "./test-support/scripted-model.ts";

const fast = { baseDelayMs: 1, maxDelayMs: 5, budget: false } as const;
let resilience: Resilience;
let context: TestContext;

afterEach(() => {
  resilience?.close();
  context?.dispose();
});

function setUp(timeoutMs?: number) {
  resilience = createResilience();
  context = testContext({ timeoutMs });
  return context;
}

describe("retry", () => {
  it("retries a 503 and counts every upstream call in the envelope", async () => {
    const { ctx, ofType } = setUp();
    const model = scriptedModel({
      generate: ({ number }) => (number < 3 ? Promise.reject(upstream(503)) : generation("ok")),
    });
    const target = resilience.target({ name: "sim/a", model, policy: { retry: fast, breaker: false } });
    const result = await target.generate(request, ctx);
    expect(result.content).toBe("ok");
    expect(result.attempts).toBe(3);
    expect(model.calls).toHaveLength(3);
    expect(ofType("retry-attempt").map((event) => [event.attempt, event.code])).toEqual([
      [2, "UPSTREAM_UNAVAILABLE"],
      [3, "UPSTREAM_UNAVAILABLE"],
    ]);
  });

  it("gives up after maxAttempts with the last error, its target and attempts", async () => {
    const { ctx, ofType } = setUp();
    const model = scriptedModel({ generate: () => Promise.reject(upstream(502)) });
    const target = resilience.target({
      name: "sim/a",
      model,
      policy: { retry: { ...fast, maxAttempts: 4 }, breaker: false },
    });
    const error = await failureOf(target.generate(request, ctx));
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.status).toBe(502);
    expect(error.details).toMatchObject({ target: "sim/a", attempts: 4 });
    expect(ofType("retry-give-up")).toEqual([
      { type: "retry-give-up", target: "sim/a", attempts: 4, code: "UPSTREAM_UNAVAILABLE" },
    ]);
  });

  it.each([
    ["400", upstream(400)],
    [
      "401",
      new KeelError("UPSTREAM_UNAVAILABLE", "credentials", { status: 401, details: { reason: "upstream-auth" } }),
    ],
    ["403", new KeelError("UPSTREAM_UNAVAILABLE", "credentials", { status: 403 })],
    ["404", upstream(404)],
    ["422", upstream(422)],
    [
      "content policy",
      new KeelError("CONTENT_BLOCKED", "refused", { retryable: false, details: { reason: "content-policy" } }),
    ],
    ["an unknown error", new Error("boom")],
  ])("does not retry %s", async (_, failure) => {
    const { ctx, ofType } = setUp();
    const model = scriptedModel({ generate: () => Promise.reject(failure) });
    const target = resilience.target({ name: "sim/a", model, policy: { retry: fast, breaker: false } });
    const error = await failureOf(target.generate(request, ctx));
    expect(model.calls).toHaveLength(1);
    expect(error.code).toBe(KeelError.isInstance(failure) ? failure.code : "INTERNAL");
    expect(ofType("retry-attempt")).toHaveLength(0);
  });

  it("waits at least Retry-After before the next attempt", async () => {
    const { ctx, ofType } = setUp();
    const model = scriptedModel({
      generate: ({ number }) => (number === 1 ? Promise.reject(upstream(429, { retryAfterMs: 80 })) : generation("ok")),
    });
    const target = resilience.target({ name: "sim/a", model, policy: { retry: fast, breaker: false } });
    const startedAt = performance.now();
    await target.generate(request, ctx);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(75);
    expect(ofType("retry-attempt")[0]?.delayMs).toBe(80);
  });

  it("caps an upstream's Retry-After at maxRetryAfterMs", async () => {
    const { ctx, ofType } = setUp();
    const model = scriptedModel({
      generate: ({ number }) =>
        number === 1 ? Promise.reject(upstream(503, { retryAfterMs: 120_000 })) : generation("ok"),
    });
    const target = resilience.target({
      name: "sim/a",
      model,
      policy: { retry: { ...fast, maxRetryAfterMs: 30 }, breaker: false },
    });
    const startedAt = performance.now();
    expect((await target.generate(request, ctx)).attempts).toBe(2);
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(ofType("retry-attempt")[0]?.delayMs).toBe(30);
  });

  it("gives up at once, with the last error, when the wait would cross the deadline", async () => {
    const { ctx, ofType } = setUp(300);
    const model = scriptedModel({ generate: () => Promise.reject(upstream(503, { retryAfterMs: 2000 })) });
    const target = resilience.target({ name: "sim/a", model, policy: { retry: fast, breaker: false } });
    const startedAt = performance.now();
    const error = await failureOf(target.generate(request, ctx));
    expect(performance.now() - startedAt).toBeLessThan(150);
    expect(error.status).toBe(503);
    expect(model.calls).toHaveLength(1);
    expect(ofType("retry-give-up")).toHaveLength(1);
  });

  it("ends a backoff sleep the moment the caller aborts", async () => {
    const { ctx, controller } = setUp();
    const model = scriptedModel({ generate: () => Promise.reject(upstream(503, { retryAfterMs: 3000 })) });
    const target = resilience.target({ name: "sim/a", model, policy: { retry: fast, breaker: false } });
    const startedAt = performance.now();
    setTimeout(() => controller.abort(), 30);
    const error = await failureOf(target.generate(request, ctx));
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.details.reason).toBe("aborted");
    expect(error.retryable).toBe(false);
    expect(model.calls).toHaveLength(1);
  });

  it("spends at most the retry budget on a failing target", async () => {
    setUp();
    const events: string[] = [];
    const model = scriptedModel({ generate: () => Promise.reject(upstream(503)) });
    const target = resilience.target({
      name: "sim/a",
      model,
      policy: { retry: { ...fast, budget: { ratio: 0.1, windowMs: 10_000, minPerWindow: 2 } }, breaker: false },
    });
    for (let index = 0; index < 5; index += 1) {
      const own = testContext();
      await failureOf(target.generate(request, own.ctx));
      events.push(...own.events.map((event) => event.type));
      own.dispose();
    }
    // 5 requests: the first gets its 2 retries (minPerWindow), the rest none.
    expect(model.calls).toHaveLength(5 + 2);
    expect(events.filter((type) => type === "retry-budget-exhausted")).toHaveLength(4);
  });

  it("rejects a bad policy with BAD_REQUEST naming the field", () => {
    resilience = createResilience();
    const model = scriptedModel({});
    const error = (() => {
      try {
        resilience.target({ name: "sim/a", model, policy: { retry: { maxAttempts: 0 } } });
      } catch (thrown) {
        return thrown as KeelError;
      }
    })();
    expect(error?.code).toBe("BAD_REQUEST");
    expect(error?.details.field).toBe("policy.retry.maxAttempts");
  });
});
