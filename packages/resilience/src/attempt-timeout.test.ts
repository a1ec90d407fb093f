import { afterEach, describe, expect, it } from "vitest";
import { createResilience, type Resilience } from "./index.ts";
import {
  failureOf,
  generation,
  hangUntilAborted,
  request,
  scriptedModel,
  testContext,
  type TestContext,
} from "./test-support/scripted-model.ts";

let resilience: Resilience;
let context: TestContext;
afterEach(() => {
  resilience?.close();
  context?.dispose();
});

describe("per-attempt timeout", () => {
  it("aborts the attempt's signal, fails with a retryable UPSTREAM_TIMEOUT and retries", async () => {
    resilience = createResilience();
    context = testContext();
    const model = scriptedModel({
      generate: ({ number, ctx }) => (number === 1 ? hangUntilAborted(ctx.signal) : generation("second")),
    });
    const target = resilience.target({
      name: "sim/a",
      model,
      policy: { timeout: { attemptMs: 40 }, retry: { baseDelayMs: 1, budget: false }, breaker: false },
    });
    const result = await target.generate(request, context.ctx);
    expect(result.content).toBe("second");
    expect(result.attempts).toBe(2);
    expect(model.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(model.calls[0]?.ctx.signal).not.toBe(context.ctx.signal);
    expect(context.ctx.signal.aborted).toBe(false);
    expect(context.ofType("timeout")).toEqual([{ type: "timeout", target: "sim/a", kind: "attempt" }]);
  });

  it("ends even when the model ignores its signal", async () => {
    resilience = createResilience();
    context = testContext();
    const model = scriptedModel({ generate: () => new Promise(() => {}) });
    const target = resilience.target({
      name: "sim/a",
      model,
      policy: { timeout: { attemptMs: 30 }, retry: false, breaker: false },
    });
    const startedAt = performance.now();
    const error = await failureOf(target.generate(request, context.ctx));
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.retryable).toBe(true);
    expect(error.details.reason).toBe("timeout");
  });

  it("stops at the request deadline with a non-retryable error and no further attempt", async () => {
    resilience = createResilience();
    context = testContext({ timeoutMs: 60 });
    const model = scriptedModel({ generate: ({ ctx }) => hangUntilAborted(ctx.signal) });
    const target = resilience.target({
      name: "sim/a",
      model,
      policy: { timeout: { attemptMs: 5000 }, retry: { baseDelayMs: 1 }, breaker: false },
    });
    const startedAt = performance.now();
    const error = await failureOf(target.generate(request, context.ctx));
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.retryable).toBe(false);
    expect(error.details.reason).toBe("deadline");
    expect(model.calls).toHaveLength(1);
    expect(context.ofType("timeout").map((event) => event.kind)).toEqual(["deadline"]);
  });

  it("ends an in-flight attempt the moment the caller disconnects", async () => {
    resilience = createResilience();
    context = testContext();
    const model = scriptedModel({ generate: () => new Promise(() => {}) });
    const target = resilience.target({ name: "sim/a", model, policy: { retry: { baseDelayMs: 1 }, breaker: false } });
    setTimeout(() => context.controller.abort(), 20);
    const startedAt = performance.now();
    const error = await failureOf(target.generate(request, context.ctx));
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(error.details.reason).toBe("aborted");
    expect(model.calls).toHaveLength(1);
    expect(model.abortedCalls()).toBe(1);
    expect(context.ofType("timeout")).toHaveLength(0);
  });
});
