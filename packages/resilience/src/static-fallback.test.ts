import { KeelError, type ChatRequest, type Generation, type RequestContext, type StreamEvent } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import { staticFallbackMiddleware } from "./index.ts";
import {
  chunks,
  collect,
  failingStream,
  failureOf,
  generation,
  request,
  testContext,
  upstream,
  type TestContext,
} from "./test-support/scripted-model.ts";

let context: TestContext;
afterEach(() => context?.dispose());

const middleware = staticFallbackMiddleware({ answers: { chat: "We are busy, try again soon." } });
const chainFailure = () =>
  new KeelError("UPSTREAM_UNAVAILABLE", "upstream answered 503", {
    status: 503,
    details: {
      attempts: 4,
      fallback: [
        { target: "sim/a", code: "UPSTREAM_RATE_LIMITED", message: "429" },
        { target: "sim/b", code: "UPSTREAM_UNAVAILABLE", message: "503" },
      ],
    },
  });

function generate(failure: unknown, ask: ChatRequest = request): Promise<Generation> {
  context = testContext();
  return middleware.wrapGenerate!({ request: ask, ctx: context.ctx, next: () => Promise.reject(failure) });
}

describe("staticFallbackMiddleware", () => {
  it("answers with the route's static text when every target failed, reporting the failures", async () => {
    const result = await generate(chainFailure());
    expect(result).toMatchObject({
      content: "We are busy, try again soon.",
      provider: "static",
      attempts: 4,
      costUsd: 0,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      fallback: { answeredBy: null, degraded: "static", failed: [{ target: "sim/a" }, { target: "sim/b" }] },
    });
    expect(context.ofType("degraded")).toEqual([{ type: "degraded", mode: "static" }]);
  });

  it.each([
    ["BAD_REQUEST", upstream(400)],
    ["CONTENT_BLOCKED", new KeelError("CONTENT_BLOCKED", "no")],
    ["VALIDATION_FAILED", new KeelError("VALIDATION_FAILED", "invalid")],
    ["BUDGET_EXCEEDED", new KeelError("BUDGET_EXCEEDED", "spent")],
  ])("rethrows %s", async (code, failure) => {
    expect((await failureOf(generate(failure))).code).toBe(code);
    expect(context.ofType("degraded")).toHaveLength(0);
  });

  it("rethrows for a route without an answer", async () => {
    expect((await failureOf(generate(chainFailure(), { ...request, model: "other" }))).code).toBe(
      "UPSTREAM_UNAVAILABLE",
    );
  });

  it("passes a good answer through untouched", async () => {
    context = testContext();
    const answer = generation("real");
    expect(await middleware.wrapGenerate!({ request, ctx: context.ctx, next: async () => answer })).toBe(answer);
  });

  it("streams the static answer as one delta and done when the stream fails before any delta", async () => {
    context = testContext();
    const events = await collect(
      middleware.wrapStream!({
        request,
        ctx: context.ctx,
        next: () => failingStream(() => new KeelError("CIRCUIT_OPEN", "open", { details: { target: "sim/a" } })),
      }),
    );
    expect(events.map((event) => event.type)).toEqual(["delta", "done"]);
    const done = events[1];
    expect(done?.type === "done" && done.generation.fallback).toEqual({
      failed: [{ target: "sim/a", code: "CIRCUIT_OPEN", message: "open" }],
      answeredBy: null,
      degraded: "static",
    });
  });

  it("does not splice a static answer into a stream that already delivered text", async () => {
    context = testContext();
    const next = async function* (_request: ChatRequest, ctx: RequestContext): AsyncGenerator<StreamEvent> {
      yield* chunks(["half"], { done: false, signal: ctx.signal });
      throw upstream(503);
    };
    expect((await failureOf(collect(middleware.wrapStream!({ request, ctx: context.ctx, next })))).status).toBe(503);
  });

  it("rejects answers that are not text with BAD_REQUEST naming the route", () => {
    expect(() => staticFallbackMiddleware({ answers: { chat: 42 as unknown as string } })).toThrow(
      expect.objectContaining({ details: { field: "answers.chat" } }),
    );
  });
});
