import { afterEach, describe, expect, it } from "vitest";
import { createFallbackChain, createResilience, type Resilience } from "./index.ts";
import {
  chunks,
  collect,
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

function hedgedChain(slowMs: number | "hang") {
  resilience = createResilience();
  context = testContext();
  const slow = scriptedModel({
    generate: async ({ ctx }) => {
      if (slowMs === "hang") return hangUntilAborted(ctx.signal);
      await waitOrAbort(slowMs, ctx.signal);
      return generation("slow");
    },
    stream: async function* ({ ctx }) {
      await hangUntilAborted(ctx.signal);
      yield* chunks(["slow"]);
    },
  });
  const fast = scriptedModel({ generate: () => generation("fast"), stream: () => chunks(["fast"]) });
  const policy = { retry: false, breaker: false } as const;
  const chain = createFallbackChain({
    targets: [
      { name: "sim/slow", model: resilience.target({ name: "sim/slow", model: slow, policy }) },
      { name: "sim/fast", model: resilience.target({ name: "sim/fast", model: fast, policy }) },
    ],
    hedging: { afterMs: 20 },
  });
  return { slow, fast, chain };
}

describe("hedging", () => {
  it("starts the next target when the first is slow, keeps the first good answer and aborts the loser", async () => {
    const { slow, fast, chain } = hedgedChain("hang");
    const result = await chain.generate({ ...request, idempotent: true }, context.ctx);
    expect(result.content).toBe("fast");
    expect(result.fallback).toEqual({ failed: [], answeredBy: "sim/fast" });
    expect(result.attempts).toBe(2);
    expect(context.ofType("hedge-sent")).toEqual([{ type: "hedge-sent", target: "sim/fast" }]);
    expect(fast.calls).toHaveLength(1);
    expect(slow.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(context.ctx.signal.aborted).toBe(false);
  });

  it("sends no hedge when the first target answers in time", async () => {
    const { fast, chain } = hedgedChain(1);
    const result = await chain.generate({ ...request, idempotent: true }, context.ctx);
    expect(result.content).toBe("slow");
    expect(fast.calls).toHaveLength(0);
  });

  it("never hedges a request not marked idempotent", async () => {
    const { fast, chain } = hedgedChain(60);
    const result = await chain.generate(request, context.ctx);
    expect(result.content).toBe("slow");
    expect(fast.calls).toHaveLength(0);
    expect(context.ofType("hedge-sent")).toHaveLength(0);
  });

  it("counts every upstream call of the hedge it beat, its retries included", async () => {
    resilience = createResilience();
    context = testContext();
    const slow = scriptedModel({
      generate: ({ number, ctx }) => (number === 1 ? Promise.reject(upstream(503)) : hangUntilAborted(ctx.signal)),
    });
    const fast = scriptedModel({ generate: () => generation("fast") });
    const policy = { retry: { baseDelayMs: 1, budget: false }, breaker: false } as const;
    const chain = createFallbackChain({
      targets: [
        { name: "sim/slow", model: resilience.target({ name: "sim/slow", model: slow, policy }) },
        { name: "sim/fast", model: resilience.target({ name: "sim/fast", model: fast, policy }) },
      ],
      hedging: { afterMs: 40 },
    });
    const result = await chain.generate({ ...request, idempotent: true }, context.ctx);
    expect(result.content).toBe("fast");
    expect(slow.calls).toHaveLength(2);
    expect(slow.calls[1]?.ctx.signal.aborted).toBe(true);
    expect(result.attempts).toBe(3);
    expect(result.fallback).toEqual({ failed: [], answeredBy: "sim/fast" });
  });

  it("hedges a stream's start and aborts the slower stream", async () => {
    const { slow, chain } = hedgedChain("hang");
    const events = await collect(chain.stream({ ...request, idempotent: true }, context.ctx));
    expect(events.map((event) => event.type)).toEqual(["delta", "done"]);
    expect(events[0]?.type === "delta" && events[0].content).toBe("fast");
    expect(slow.calls[0]?.ctx.signal.aborted).toBe(true);
  });
});
