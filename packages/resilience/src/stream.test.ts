import type { StreamEvent } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import { createFallbackChain, createResilience, type Resilience, type TargetPolicy } from "./index.ts";
import {
  chunks,
  collect,
  failingStream,
  failureOf,
  generation,
  hangUntilAborted,
  request,
  scriptedModel,
  testContext,
  upstream,
  waitOrAbort,
  type TestContext,
} from "./test-support/scripted-model.ts";

let resilience: Resilience;
let context: TestContext;
afterEach(() => {
  resilience?.close();
  context?.dispose();
});

const base: TargetPolicy = { retry: { baseDelayMs: 1, budget: false }, breaker: false };

function targetOf(stream: Parameters<typeof scriptedModel>[0]["stream"], policy: TargetPolicy = base) {
  resilience = createResilience();
  context = testContext();
  const model = scriptedModel({ stream });
  return { model, target: resilience.target({ name: "sim/a", model, policy }) };
}

const contents = (events: StreamEvent[]) =>
  events.map((event) => (event.type === "delta" ? event.content : event.type));

describe("streams", () => {
  it("retries a failure before the first delta and reports the attempts in done", async () => {
    const { model, target } = targetOf(async function* ({ number }) {
      if (number === 1) throw upstream(503);
      yield* chunks(["Hel", "lo"]);
    });
    const events = await collect(target.stream(request, context.ctx));
    expect(contents(events)).toEqual(["Hel", "lo", "done"]);
    expect(model.calls).toHaveLength(2);
    const done = events.at(-1);
    expect(done?.type === "done" && done.generation.attempts).toBe(2);
  });

  it("does not retry after the first delta reached the caller: the failure is rethrown", async () => {
    const { model, target } = targetOf(async function* () {
      yield { type: "delta", content: "partial" };
      throw upstream(502);
    });
    const seen: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of target.stream(request, context.ctx)) seen.push(event.type);
      })(),
    );
    expect(seen).toEqual(["delta"]);
    expect(error.status).toBe(502);
    expect(model.calls).toHaveLength(1);
  });

  it("throws when the stream ends without done, never reporting it complete", async () => {
    const { target } = targetOf(() => chunks(["a", "b"], { done: false }));
    const seen: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of target.stream(request, context.ctx)) seen.push(event.type);
      })(),
    );
    expect(seen).toEqual(["delta", "delta"]);
    expect(error.details.reason).toBe("truncated");
  });

  it("times out a missing first token, aborts that call and retries", async () => {
    const { model, target } = targetOf(
      async function* ({ number, ctx }) {
        if (number === 1) await hangUntilAborted(ctx.signal);
        yield* chunks(["fast"]);
      },
      { ...base, timeout: { firstTokenMs: 30 } },
    );
    const events = await collect(target.stream(request, context.ctx));
    expect(contents(events)).toEqual(["fast", "done"]);
    expect(model.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(context.ofType("timeout")).toEqual([{ type: "timeout", target: "sim/a", kind: "ttft" }]);
  });

  it("times out a stream that goes silent after its first delta", async () => {
    const { model, target } = targetOf(
      async function* ({ ctx }) {
        yield { type: "delta", content: "a" };
        await hangUntilAborted(ctx.signal);
      },
      { ...base, timeout: { idleMs: 30 } },
    );
    const startedAt = performance.now();
    const error = await failureOf(collect(target.stream(request, context.ctx)));
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.details.reason).toBe("idle-timeout");
    expect(model.calls).toHaveLength(1);
    expect(model.abortedCalls()).toBe(1);
  });

  it("bounds the whole stream by attemptMs, not only its start", async () => {
    const { model, target } = targetOf(
      async function* ({ ctx }) {
        yield { type: "delta", content: "a" };
        await hangUntilAborted(ctx.signal);
      },
      { ...base, timeout: { attemptMs: 40 } },
    );
    const seen: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of target.stream(request, context.ctx)) seen.push(event.type);
      })(),
    );
    expect(seen).toEqual(["delta"]);
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.details).toMatchObject({ reason: "timeout", target: "sim/a", attempts: 1 });
    expect(model.calls).toHaveLength(1);
    expect(model.abortedCalls()).toBe(1);
    expect(context.ofType("timeout")).toEqual([{ type: "timeout", target: "sim/a", kind: "attempt" }]);
  });

  it("does not count a slow consumer against the idle timeout", async () => {
    const { target } = targetOf(() => chunks(["a", "b", "c"]), { ...base, timeout: { idleMs: 30 } });
    const seen: string[] = [];
    for await (const event of target.stream(request, context.ctx)) {
      seen.push(event.type);
      await waitOrAbort(50);
    }
    expect(seen).toEqual(["delta", "delta", "delta", "done"]);
  });

  it("aborts the upstream call when the consumer stops reading", async () => {
    const { model, target } = targetOf(({ ctx }) => chunks(["a", "b", "c"], { gapMs: 5, signal: ctx.signal }));
    for await (const event of target.stream(request, context.ctx)) {
      expect(event.type).toBe("delta");
      break;
    }
    expect(model.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(context.ctx.signal.aborted).toBe(false);
  });

  it("holds back bufferDeltas deltas so an early failure can still be retried", async () => {
    const { model, target } = targetOf(
      async function* ({ number }) {
        yield { type: "delta", content: `try${number}` };
        if (number === 1) throw upstream(503);
        yield* chunks(["!"]);
      },
      { ...base, stream: { bufferDeltas: 2 } },
    );
    const events = await collect(target.stream(request, context.ctx));
    expect(contents(events)).toEqual(["try2", "!", "done"]);
    expect(model.calls).toHaveLength(2);
  });

  it("fails over to the next target before the first delta, with the fallback report in done", async () => {
    resilience = createResilience();
    context = testContext();
    const first = scriptedModel({
      stream: () => failingStream(() => upstream(429)),
    });
    const second = scriptedModel({ stream: () => chunks(["from b"]) });
    const chain = createFallbackChain({
      targets: [
        { name: "sim/a", model: resilience.target({ name: "sim/a", model: first, policy: base }) },
        { name: "sim/b", model: resilience.target({ name: "sim/b", model: second, policy: base }) },
      ],
    });
    const events = await collect(chain.stream(request, context.ctx));
    expect(contents(events)).toEqual(["from b", "done"]);
    const done = events.at(-1);
    expect(done?.type === "done" && done.generation.fallback).toEqual({
      failed: [{ target: "sim/a", code: "UPSTREAM_RATE_LIMITED", message: "upstream answered 429" }],
      answeredBy: "sim/b",
    });
    expect(done?.type === "done" && done.generation.attempts).toBe(2);
  });

  it("ends a chain's stream from a target that ignores its signal the moment the caller aborts", async () => {
    context = testContext();
    const deaf = scriptedModel({
      stream: async function* () {
        yield { type: "delta", content: "a" };
        await new Promise(() => {});
      },
    });
    const chain = createFallbackChain({ targets: [{ name: "raw/deaf", model: deaf }] });
    const seen: string[] = [];
    setTimeout(() => context.controller.abort(), 30);
    const startedAt = performance.now();
    const error = await failureOf(
      (async () => {
        for await (const event of chain.stream(request, context.ctx)) seen.push(event.type);
      })(),
    );
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(seen).toEqual(["delta"]);
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.details.reason).toBe("aborted");
  });

  it("counts a stream that answers with done at once", async () => {
    const { target } = targetOf(async function* () {
      yield { type: "done", generation: generation("") };
    });
    expect(contents(await collect(target.stream(request, context.ctx)))).toEqual(["done"]);
  });
});
