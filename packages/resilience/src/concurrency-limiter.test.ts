import { afterEach, describe, expect, it } from "vitest";
import { createResilience, type Resilience } from "./index.ts";
import {
  chunks,
  failureOf,
  generation,
  hangUntilAborted,
  request,
  scriptedModel,
  testContext,
  waitOrAbort,
  type TestContext,
} from "./test-support/scripted-model.ts";

let resilience: Resilience;
const contexts: TestContext[] = [];
afterEach(() => {
  resilience?.close();
  for (const context of contexts.splice(0)) {
    context.controller.abort();
    context.dispose();
  }
});

function context(timeoutMs?: number): TestContext {
  const created = testContext({ timeoutMs });
  contexts.push(created);
  return created;
}

function hangingTarget(queueTimeoutMs?: number) {
  resilience = createResilience();
  const model = scriptedModel({ generate: ({ ctx }) => hangUntilAborted(ctx.signal) });
  const concurrency = { maxConcurrent: 2, maxQueue: 1, ...(queueTimeoutMs ? { queueTimeoutMs } : {}) };
  return {
    model,
    target: resilience.target({ name: "sim/a", model, policy: { retry: false, breaker: false, concurrency } }),
  };
}

describe("load shedding", () => {
  it("sheds at once when the slots and the queue are full, while the upstream hangs", async () => {
    const { model, target } = hangingTarget();
    const pending = [context(), context(), context()].map((own) =>
      target.generate(request, own.ctx).catch(() => "ended"),
    );
    await waitOrAbort(10);
    expect(model.calls).toHaveLength(2);

    const shed = context();
    const startedAt = performance.now();
    const error = await failureOf(target.generate(request, shed.ctx));
    expect(performance.now() - startedAt).toBeLessThan(100);
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.details.reason).toBe("load-shed");
    expect(error.retryable).toBe(false);
    expect(error.details.attempts).toBe(0);
    expect(shed.ofType("load-shed")).toEqual([{ type: "load-shed", target: "sim/a" }]);
    expect(model.calls).toHaveLength(2);
    for (const own of contexts) own.controller.abort();
    expect(await Promise.all(pending)).toEqual(["ended", "ended", "ended"]);
  });

  it("lets a queued call leave the queue the moment its caller aborts", async () => {
    const { target } = hangingTarget();
    for (const own of [context(), context()]) void target.generate(request, own.ctx).catch(() => {});
    const queued = context();
    const waiting = failureOf(target.generate(request, queued.ctx));
    await waitOrAbort(10);
    queued.controller.abort();
    expect((await waiting).details.reason).toBe("aborted");
    // The queue slot is free again: the next call waits instead of being shed.
    const next = context();
    const nextCall = failureOf(target.generate(request, next.ctx));
    await waitOrAbort(10);
    expect(next.ofType("load-shed")).toHaveLength(0);
    next.controller.abort();
    await nextCall;
  });

  it("sheds a call that waited longer than queueTimeoutMs", async () => {
    const { target } = hangingTarget(30);
    for (const own of [context(), context()]) void target.generate(request, own.ctx).catch(() => {});
    const queued = context();
    const error = await failureOf(target.generate(request, queued.ctx));
    expect(error.details.reason).toBe("queue-timeout");
    expect(queued.ofType("load-shed")).toHaveLength(1);
  });

  it("keeps a stream's slot until the stream ends, not only until its start", async () => {
    resilience = createResilience();
    const model = scriptedModel({
      generate: () => generation("after"),
      stream: () => chunks(["a", "b"]),
    });
    const target = resilience.target({
      name: "sim/a",
      model,
      policy: { retry: false, breaker: false, concurrency: { maxConcurrent: 1, maxQueue: 0 } },
    });
    const streaming = target.stream(request, context().ctx)[Symbol.asyncIterator]();
    expect((await streaming.next()).value).toEqual({ type: "delta", content: "a" });
    const shed = context();
    expect((await failureOf(target.generate(request, shed.ctx))).details.reason).toBe("load-shed");
    while (!(await streaming.next()).done) {}
    expect((await target.generate(request, context().ctx)).content).toBe("after");
    expect(model.calls).toHaveLength(2);
  });

  it("hands a freed slot to the oldest waiter", async () => {
    resilience = createResilience();
    let active = 0;
    let mostActive = 0;
    const model = scriptedModel({
      generate: async ({ number }) => {
        active += 1;
        mostActive = Math.max(mostActive, active);
        await waitOrAbort(15);
        active -= 1;
        return generation(`call ${number}`);
      },
    });
    const target = resilience.target({
      name: "sim/a",
      model,
      policy: { retry: false, breaker: false, concurrency: { maxConcurrent: 1, maxQueue: 5 } },
    });
    const results = await Promise.all([1, 2, 3].map(() => target.generate(request, context().ctx)));
    // Request i was the i-th to reach the model: first come, first served.
    expect(results.map((result) => result.content)).toEqual(["call 1", "call 2", "call 3"]);
    expect(mostActive).toBe(1);
  });
});
