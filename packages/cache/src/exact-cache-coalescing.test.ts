import { KeelError } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exactCacheMiddleware } from "./exact-cache.ts";
import { storeFixtures } from "./test-support/store-fixtures.ts";
import { chat, collect, createContext, createScriptedModel, wrap } from "./test-support/middleware-fixtures.ts";

let setup: Awaited<ReturnType<typeof storeFixtures>>;
beforeAll(async () => {
  setup = await storeFixtures();
});
afterAll(async () => {
  await setup.stop();
});

describe.each(["memory", "redis", "redis-cluster"] as const)("coalescing on the %s store", (storeName) => {
  // A generous command bound: a loaded CI machine must not turn a slow Redis reply into a second call.
  const open = (shared?: string) =>
    setup.fixtures.find((fixture) => fixture.name === storeName)!.open({ shared, commandTimeoutMs: 2_000 });

  it("makes one upstream call for 100 concurrent identical misses", async () => {
    const inner = createScriptedModel(undefined, { delayMs: 50 });
    const model = wrap(exactCacheMiddleware({ store: await open() }), inner.model);
    const contexts = Array.from({ length: 100 }, () => createContext());
    const answers = await Promise.all(contexts.map(({ ctx }) => model.generate(chat("same"), ctx)));
    expect(inner.state.calls).toBe(1);
    expect(new Set(answers.map((answer) => answer.content))).toEqual(new Set(["answer to same"]));
    expect(answers.filter((answer) => answer.cache === "miss")).toHaveLength(1);
    expect(answers.filter((answer) => answer.cache === "exact" && answer.costUsd === 0)).toHaveLength(99);
    const coalesced = contexts.flatMap(({ events }) => events.filter((event) => event.type === "cache-coalesced"));
    expect(coalesced).toHaveLength(99);
    expect(coalesced[0]).toEqual({ type: "cache-coalesced", kind: "exact", savedTokens: 30, savedUsd: 0.0003 });
  });

  it("gives every follower the leader's error, without a stampede", async () => {
    const inner = createScriptedModel(() => new KeelError("UPSTREAM_RATE_LIMITED", "slow down"), { delayMs: 50 });
    const model = wrap(exactCacheMiddleware({ store: await open() }), inner.model);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => model.generate(chat("failing"), createContext().ctx)),
    );
    expect(inner.state.calls).toBe(1);
    expect(
      outcomes.every(
        (outcome) => outcome.status === "rejected" && (outcome.reason as KeelError).code === "UPSTREAM_RATE_LIMITED",
      ),
    ).toBe(true);
  });

  it("lets a follower give up at its own deadline while the leader goes on", async () => {
    const inner = createScriptedModel(undefined, { delayMs: 150 });
    const model = wrap(exactCacheMiddleware({ store: await open() }), inner.model);
    const leader = model.generate(chat("slow"), createContext().ctx);
    const follower = model.generate(chat("slow"), createContext({ deadlineMs: 30 }).ctx);
    await expect(follower).rejects.toMatchObject({ code: "UPSTREAM_TIMEOUT", details: { reason: "deadline" } });
    expect((await leader).content).toBe("answer to slow");
    expect(inner.state.calls).toBe(1);
  });

  it("hands over to a follower when the leader's caller goes away", async () => {
    const inner = createScriptedModel(undefined, { delayMs: 60 });
    const model = wrap(exactCacheMiddleware({ store: await open() }), inner.model);
    const leaderContext = createContext();
    const leader = model.generate(chat("handover"), leaderContext.ctx);
    const follower = model.generate(chat("handover"), createContext().ctx);
    setTimeout(() => leaderContext.controller.abort(), 10);
    await expect(leader).rejects.toMatchObject({ code: "UPSTREAM_TIMEOUT" });
    expect((await follower).content).toBe("answer to handover");
    expect(inner.state.calls).toBe(2);
  });

  it("coalesces concurrent identical streams into one upstream call", async () => {
    const inner = createScriptedModel(undefined, { delayMs: 50 });
    const model = wrap(exactCacheMiddleware({ store: await open() }), inner.model);
    const streams = await Promise.all(
      Array.from({ length: 10 }, () => collect(model.stream(chat("streamed"), createContext().ctx))),
    );
    expect(inner.state.calls).toBe(1);
    for (const events of streams) {
      expect(events.at(-1)).toMatchObject({ type: "done", generation: { content: "answer to streamed" } });
      expect(
        events
          .filter((event) => event.type === "delta")
          .map((event) => (event.type === "delta" ? event.content : ""))
          .join(""),
      ).toBe("answer to streamed");
    }
  });

  if (storeName === "redis") {
    it("coalesces across two instances (separate memory, one Redis)", async () => {
      const inner = createScriptedModel(undefined, { delayMs: 100 });
      const first = wrap(
        exactCacheMiddleware({ store: await open("two-instances"), coalesce: { pollMs: 10 } }),
        inner.model,
      );
      const second = wrap(
        exactCacheMiddleware({ store: await open("two-instances"), coalesce: { pollMs: 10 } }),
        inner.model,
      );
      const contexts = Array.from({ length: 40 }, () => createContext());
      const answers = await Promise.all(
        contexts.map(({ ctx }, index) => (index % 2 ? first : second).generate(chat("shared"), ctx)),
      );
      expect(contexts.flatMap(({ events }) => events.filter((event) => event.type === "cache-error"))).toEqual([]);
      expect(inner.state.calls).toBe(1);
      expect(answers.filter((answer) => answer.cache === "miss")).toHaveLength(1);
      expect(new Set(answers.map((answer) => answer.content))).toEqual(new Set(["answer to shared"]));
    });

    it("gives the other instance the leader's error across Redis", async () => {
      const inner = createScriptedModel(
        () => new KeelError("UPSTREAM_UNAVAILABLE", "all targets down", { details: { reason: "http-503" } }),
        { delayMs: 300 },
      );
      const first = wrap(
        exactCacheMiddleware({ store: await open("two-failing"), coalesce: { pollMs: 10 } }),
        inner.model,
      );
      const second = wrap(
        exactCacheMiddleware({ store: await open("two-failing"), coalesce: { pollMs: 10 } }),
        inner.model,
      );
      // Observed at once: on a loaded machine the leader may fail before the follower starts.
      const leader = first.generate(chat("down"), createContext().ctx).then(
        () => undefined,
        (error: unknown) => error,
      );
      // The follower starts while the leader's upstream call is under way.
      while (inner.state.calls === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const follower = second.generate(chat("down"), createContext().ctx).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(await leader).toMatchObject({ code: "UPSTREAM_UNAVAILABLE" });
      expect(await follower).toMatchObject({
        code: "UPSTREAM_UNAVAILABLE",
        message: "all targets down",
        details: { reason: "http-503" },
      });
      expect(inner.state.calls).toBe(1);
    });
  }
});

// Across instances only: within one process the in-process flight map already covers it.
describe("coalescing across instances on Redis", () => {
  const openRedis = (shared: string) =>
    setup.fixtures.find((fixture) => fixture.name === "redis")!.open({ shared, commandTimeoutMs: 2_000 });

  it("does not call again when another instance stored the answer between this lookup and its lock", async () => {
    const inner = createScriptedModel(undefined, { delayMs: 20 });
    const first = wrap(exactCacheMiddleware({ store: await openRedis("double-check") }), inner.model);
    const realStore = await openRedis("double-check");
    let firstDone: () => void = () => {};
    const firstFinished = new Promise<void>((resolve) => (firstDone = resolve));
    // The second instance has already looked up (a miss) and reaches for the lock only after
    // the first instance has answered, stored and released its own lock.
    const lateStore = Object.assign(Object.create(realStore) as typeof realStore, {
      tryLock: async (key: string, ttlMs: number) => {
        await firstFinished;
        return realStore.tryLock(key, ttlMs);
      },
    });
    const second = wrap(exactCacheMiddleware({ store: lateStore }), inner.model);
    const late = second.generate(chat("raced"), createContext().ctx);
    await first.generate(chat("raced"), createContext().ctx);
    firstDone();
    expect((await late).content).toBe("answer to raced");
    expect(inner.state.calls).toBe(1);
  });
});
