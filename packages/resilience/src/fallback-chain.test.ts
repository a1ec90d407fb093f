import { KeelError, type Model } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import { createFallbackChain, createResilience, type FallbackRules, type Resilience } from "./index.ts";
import {
  failureOf,
  generation,
  request,
  scriptedModel,
  testContext,
  upstream,
  type ScriptedModel,
  type TestContext,
} from "./test-support/scripted-model.ts";

let resilience: Resilience;
let context: TestContext;
afterEach(() => {
  resilience?.close();
  context?.dispose();
});

const contextLength = () =>
  new KeelError("BAD_REQUEST", "too long", { status: 400, details: { reason: "context-length" } });
const contentPolicy = () =>
  new KeelError("CONTENT_BLOCKED", "refused", { retryable: false, details: { reason: "content-policy" } });

function chainOf(
  scripts: Record<string, ScriptedModel>,
  options: { rules?: FallbackRules; breaker?: false } = {},
): Model {
  resilience = createResilience();
  context = testContext();
  const targets = Object.entries(scripts).map(([name, model]) => ({
    name,
    model: resilience.target({
      name,
      model,
      policy: { retry: { baseDelayMs: 1, budget: false }, breaker: options.breaker ?? false },
    }),
  }));
  return createFallbackChain({ targets, ...(options.rules ? { rules: options.rules } : {}) });
}

const failing = (error: () => Error) => scriptedModel({ generate: () => Promise.reject(error()) });
const answering = (content: string) => scriptedModel({ generate: () => generation(content) });

describe("fallback chain", () => {
  it("moves on from a 429 at once, and reports who failed, who answered and every call", async () => {
    const first = failing(() => upstream(429));
    const second = answering("from b");
    const chain = chainOf({ "sim/a": first, "sim/b": second });
    const result = await chain.generate(request, context.ctx);
    expect(result.content).toBe("from b");
    expect(first.calls).toHaveLength(1);
    expect(result.attempts).toBe(2);
    expect(result.fallback).toEqual({
      failed: [{ target: "sim/a", code: "UPSTREAM_RATE_LIMITED", message: "upstream answered 429" }],
      answeredBy: "sim/b",
    });
    expect(context.ofType("fallback")).toEqual([
      { type: "fallback", from: "sim/a", to: "sim/b", code: "UPSTREAM_RATE_LIMITED" },
    ]);
  });

  it("retries a 503 on a target before moving on (retry-then-next)", async () => {
    const first = failing(() => upstream(503));
    const chain = chainOf({ "sim/a": first, "sim/b": answering("b") });
    const result = await chain.generate(request, context.ctx);
    expect(first.calls).toHaveLength(3);
    expect(result.attempts).toBe(4);
  });

  it("sends a context-length failure to the larger-context target named in the rules", async () => {
    const small = failing(contextLength);
    const middle = answering("middle");
    const large = answering("large");
    const chain = chainOf(
      { "sim/small": small, "sim/middle": middle, "sim/large": large },
      { rules: { contextLength: { target: "sim/large" } } },
    );
    const result = await chain.generate(request, context.ctx);
    expect(result.content).toBe("large");
    expect(middle.calls).toHaveLength(0);
    expect(result.fallback.answeredBy).toBe("sim/large");
  });

  it("stops at a content-policy refusal: no other model is asked", async () => {
    const second = answering("b");
    const chain = chainOf({ "sim/a": failing(contentPolicy), "sim/b": second });
    const error = await failureOf(chain.generate(request, context.ctx));
    expect(error.code).toBe("CONTENT_BLOCKED");
    expect(second.calls).toHaveLength(0);
    expect(error.details.fallback).toEqual([{ target: "sim/a", code: "CONTENT_BLOCKED", message: "refused" }]);
  });

  it("stops at a 400", async () => {
    const second = answering("b");
    const chain = chainOf({ "sim/a": failing(() => upstream(400)), "sim/b": second });
    expect((await failureOf(chain.generate(request, context.ctx))).code).toBe("BAD_REQUEST");
    expect(second.calls).toHaveLength(0);
  });

  it("throws a typed error carrying every failure and the total attempts when all fail", async () => {
    const chain = chainOf({
      "sim/a": failing(() => upstream(429)),
      "sim/b": failing(() => upstream(503)),
      "sim/c": failing(() => upstream(429)),
    });
    const error = await failureOf(chain.generate(request, context.ctx));
    // The last target still retries its 429: no other target is left.
    expect(error.code).toBe("UPSTREAM_RATE_LIMITED");
    expect(error.details.attempts).toBe(1 + 3 + 3);
    expect((error.details.fallback ?? []).map((failure) => [failure.target, failure.code])).toEqual([
      ["sim/a", "UPSTREAM_RATE_LIMITED"],
      ["sim/b", "UPSTREAM_UNAVAILABLE"],
      ["sim/c", "UPSTREAM_RATE_LIMITED"],
    ]);
  });

  it("reports CIRCUIT_OPEN when every breaker is open", async () => {
    resilience = createResilience();
    context = testContext();
    const names = ["sim/a", "sim/b"];
    const models = names.map((name) => ({
      name,
      model: resilience.target({
        name,
        model: failing(() => upstream(503)),
        policy: { retry: false, breaker: { volumeThreshold: 1 } },
      }),
    }));
    for (const { model } of models) await failureOf(model.generate(request, context.ctx));
    expect(resilience.breakerStates()).toEqual({ "sim/a": "open", "sim/b": "open" });
    const error = await failureOf(createFallbackChain({ targets: models }).generate(request, context.ctx));
    expect(error.code).toBe("CIRCUIT_OPEN");
    expect(error.details.attempts).toBe(0);
    expect(error.details.fallback?.map((failure) => failure.code)).toEqual(["CIRCUIT_OPEN", "CIRCUIT_OPEN"]);
  });

  it("prefers a real upstream failure over a fast CIRCUIT_OPEN in the final error", async () => {
    resilience = createResilience();
    context = testContext();
    const open = resilience.target({
      name: "sim/open",
      model: failing(() => upstream(503)),
      policy: { retry: false, breaker: { volumeThreshold: 1 } },
    });
    await failureOf(open.generate(request, context.ctx));
    const slow = resilience.target({ name: "sim/slow", model: failing(() => upstream(504)), policy: { retry: false } });
    const error = await failureOf(
      createFallbackChain({
        targets: [
          { name: "sim/slow", model: slow },
          { name: "sim/open", model: open },
        ],
      }).generate(request, context.ctx),
    );
    expect(error.status).toBe(504);
  });

  it("never outlives the caller: an abort ends the chain at once with a typed error", async () => {
    const hanging = scriptedModel({ generate: () => new Promise(() => {}) });
    resilience = createResilience();
    context = testContext();
    const chain = createFallbackChain({
      targets: [
        { name: "raw/hanging", model: hanging },
        { name: "raw/b", model: answering("b") },
      ],
    });
    setTimeout(() => context.controller.abort(), 20);
    const error = await failureOf(chain.generate(request, context.ctx));
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.details.reason).toBe("aborted");
  });

  it("rejects bad rules with BAD_REQUEST naming the field", () => {
    const model = answering("x");
    const build = (rules: unknown) => () =>
      createFallbackChain({ targets: [{ name: "sim/a", model }], rules: rules as FallbackRules });
    expect(build({ rateLimited: "sometimes" })).toThrow(
      expect.objectContaining({ code: "BAD_REQUEST", details: { field: "rules.rateLimited" } }),
    );
    expect(build({ contextLength: { target: "sim/nope" } })).toThrow(
      expect.objectContaining({ details: { field: "rules.contextLength.target" } }),
    );
    expect(build({ teapot: "next" })).toThrow(expect.objectContaining({ details: { field: "rules.teapot" } }));
    expect(() => createFallbackChain({ targets: [] })).toThrow(
      expect.objectContaining({ details: { field: "targets" } }),
    );
  });
});
