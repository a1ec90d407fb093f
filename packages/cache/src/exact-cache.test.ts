import { KeelError, type FallbackFailure, type Generation, type KeelEvent, type Model } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exactCacheMiddleware } from "./exact-cache.ts";
import type { ExactCacheOptions } from "./exact-cache-engine.ts";
import { storeFixtures, type StoreFixture } from "./test-support/store-fixtures.ts";
import {
  chat,
  createContext,
  createScriptedModel,
  generationOf,
  sleepMs,
  wrap,
} from "./test-support/middleware-fixtures.ts";

let setup: Awaited<ReturnType<typeof storeFixtures>>;
beforeAll(async () => {
  setup = await storeFixtures();
});
afterAll(async () => {
  await setup.stop();
});

const types = (events: KeelEvent[]) => events.map((event) => event.type);

describe.each(["memory", "redis", "redis-cluster"] as const)("exactCacheMiddleware on the %s store", (storeName) => {
  const fixture = (): StoreFixture => setup.fixtures.find((candidate) => candidate.name === storeName)!;
  const build = async (
    options: Partial<ExactCacheOptions> = {},
    script?: Parameters<typeof createScriptedModel>[0],
  ) => {
    const store = await fixture().open();
    const inner = createScriptedModel(script);
    return { model: wrap(exactCacheMiddleware({ store, ...options }), inner.model), inner, store };
  };

  it("answers a repeated deterministic request from the cache, free, with events", async () => {
    const { model, inner } = await build();
    const first = createContext();
    const miss = await model.generate(chat("hi"), first.ctx);
    expect(miss.cache).toBe("miss");
    expect(types(first.events)).toEqual(["cache-miss", "cache-store"]);
    const second = createContext();
    const hit = await model.generate(chat("hi"), second.ctx);
    expect(inner.state.calls).toBe(1);
    expect(hit).toMatchObject({
      content: miss.content,
      cache: "exact",
      attempts: 0,
      costUsd: 0,
      usage: { totalTokens: 0 },
    });
    expect(second.events).toEqual([{ type: "cache-hit", kind: "exact", savedTokens: 30, savedUsd: 0.0003 }]);
  });

  it("isolates tenants unless they share a namespace", async () => {
    const { model, inner } = await build({ sharedNamespaces: { acme: "group", initech: "group" } });
    await model.generate(chat("q"), createContext({ tenant: "acme" }).ctx);
    expect((await model.generate(chat("q"), createContext({ tenant: "globex" }).ctx)).cache).toBe("miss");
    expect((await model.generate(chat("q"), createContext({ tenant: "initech" }).ctx)).cache).toBe("exact");
    // A tenant literally named like the shared namespace does not read it.
    expect((await model.generate(chat("q"), createContext({ tenant: "group" }).ctx)).cache).toBe("miss");
    expect(inner.state.calls).toBe(3);
  });

  it("caches only deterministic requests unless the route opts in", async () => {
    const { model, inner } = await build({ routes: { creative: { cacheNonDeterministic: true } } });
    const warm = chat("poem", { temperature: 0.8 });
    await model.generate(warm, createContext().ctx);
    expect((await model.generate(warm, createContext().ctx)).cache).toBe("miss");
    expect((await model.generate({ ...warm, seed: 1 }, createContext().ctx)).cache).toBe("miss");
    expect((await model.generate({ ...warm, seed: 1 }, createContext().ctx)).cache).toBe("exact");
    await model.generate({ ...warm, model: "creative" }, createContext().ctx);
    expect((await model.generate({ ...warm, model: "creative" }, createContext().ctx)).cache).toBe("exact");
    expect(inner.state.calls).toBe(4);
  });

  it("expires entries after the route's TTL or the request's ttlSeconds (real time)", async () => {
    const { model, inner } = await build({ routes: { fast: { ttlSeconds: 0.1, staleGraceSeconds: 0 } } });
    await model.generate(chat("a", { model: "fast" }), createContext().ctx);
    await model.generate(chat("b", { cache: { ttlSeconds: 0.1 } }), createContext().ctx);
    expect((await model.generate(chat("a", { model: "fast" }), createContext().ctx)).cache).toBe("exact");
    await sleepMs(200);
    expect((await model.generate(chat("a", { model: "fast" }), createContext().ctx)).cache).toBe("miss");
    expect((await model.generate(chat("b"), createContext().ctx)).cache).toBe("miss");
    expect(inner.state.calls).toBe(4);
  });

  it("serves no entry older than the route's maxAgeSeconds", async () => {
    const { model } = await build({ routes: { strict: { maxAgeSeconds: 0.05 } } });
    await model.generate(chat("a", { model: "strict" }), createContext().ctx);
    await sleepMs(100);
    expect((await model.generate(chat("a", { model: "strict" }), createContext().ctx)).cache).toBe("miss");
  });

  it("honours the modes: bypass, refresh, only-if-cached", async () => {
    const { model, inner } = await build({}, (_, call) => `answer ${call}`);
    await model.generate(chat("q"), createContext().ctx);
    const bypass = createContext();
    expect((await model.generate(chat("q", { cache: { mode: "bypass" } }), bypass.ctx)).content).toBe("answer 2");
    expect(bypass.events).toEqual([]);
    expect((await model.generate(chat("q"), createContext().ctx)).content).toBe("answer 1");
    expect((await model.generate(chat("q", { cache: { mode: "refresh" } }), createContext().ctx)).content).toBe(
      "answer 3",
    );
    expect((await model.generate(chat("q", { cache: { mode: "only-if-cached" } }), createContext().ctx)).content).toBe(
      "answer 3",
    );
    await expect(
      model.generate(chat("never", { cache: { mode: "only-if-cached" } }), createContext().ctx),
    ).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      retryable: false,
      details: { reason: "not-cached" },
    });
    expect(inner.state.calls).toBe(3);
  });

  it("rejects a bad cache control with a BAD_REQUEST naming the field", async () => {
    const { model, inner } = await build();
    await expect(
      model.generate(chat("q", { cache: { mode: "sometimes" as never } }), createContext().ctx),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", details: { field: "cache.mode" } });
    await expect(model.generate(chat("q", { cache: { ttlSeconds: -1 } }), createContext().ctx)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "cache.ttlSeconds" },
    });
    expect(inner.state.calls).toBe(0);
  });

  it("changes keys with keyScope and re-checks entries with verify", async () => {
    let targets = "openai/gpt-4o-mini";
    let accept = true;
    const { model, inner } = await build({ keyScope: () => targets, verify: () => accept });
    await model.generate(chat("q"), createContext().ctx);
    expect((await model.generate(chat("q"), createContext().ctx)).cache).toBe("exact");
    targets = "azure/gpt-4o-mini";
    expect((await model.generate(chat("q"), createContext().ctx)).cache).toBe("miss");
    accept = false;
    expect((await model.generate(chat("q"), createContext().ctx)).cache).toBe("miss");
    expect(inner.state.calls).toBe(3);
  });

  it("never stores an answer held for human review or blocked with a safe reply, plain or streamed", async () => {
    const store = await fixture().open();
    let calls = 0;
    const answers: Record<string, Generation> = {
      held: generationOf("", { review: { id: "rv_1", state: "pending" } }),
      blocked: generationOf("I can't help with that.", { finishReason: "content_filter" }),
    };
    const inner: Model = {
      async generate(request) {
        calls += 1;
        return answers[request.messages[0]!.content]!;
      },
      async *stream(request) {
        calls += 1;
        const generation = answers[request.messages[0]!.content]!;
        if (generation.content !== "") yield { type: "delta", content: generation.content };
        yield { type: "done", generation };
      },
    };
    const model = wrap(exactCacheMiddleware({ store }), inner);
    for (const content of ["held", "blocked"]) {
      for (let round = 0; round < 2; round++) {
        const recorded = createContext();
        expect((await model.generate(chat(content), recorded.ctx)).cache).toBe("miss");
        for await (const _event of model.stream(chat(content), recorded.ctx));
        expect(types(recorded.events)).not.toContain("cache-store");
      }
    }
    expect(calls).toBe(8);
  });

  it("does not store an answer over maxEntryBytes, and says so", async () => {
    const store = await fixture().open({ maxEntryBytes: 600 });
    const inner = createScriptedModel(() => "x".repeat(2_000));
    const model = wrap(exactCacheMiddleware({ store }), inner.model);
    const recorded = createContext();
    await model.generate(chat("big"), recorded.ctx);
    expect(recorded.events.at(-1)).toMatchObject({ type: "cache-store", kind: "exact", skipped: "too-large" });
    expect((await model.generate(chat("big"), createContext().ctx)).cache).toBe("miss");
  });

  it("serves a stale answer when upstream fails, marked stale, with the fallback failures", async () => {
    let failing = false;
    const failures: FallbackFailure[] = [
      { target: "openai/gpt-4o-mini", code: "UPSTREAM_TIMEOUT", message: "timed out" },
      { target: "azure/gpt-4o-mini", code: "UPSTREAM_UNAVAILABLE", message: "502" },
    ];
    const { model } = await build({ defaults: { ttlSeconds: 0.05, staleGraceSeconds: 60 } }, () =>
      failing
        ? new KeelError("UPSTREAM_UNAVAILABLE", "every target failed", { details: { fallback: failures } })
        : "fresh answer",
    );
    await model.generate(chat("q"), createContext().ctx);
    await sleepMs(100);
    failing = true;
    const recorded = createContext();
    const stale = await model.generate(chat("q"), recorded.ctx);
    expect(stale).toMatchObject({
      content: "fresh answer",
      cache: "stale",
      costUsd: 0,
      fallback: { degraded: "stale", answeredBy: null, failed: failures },
    });
    expect(types(recorded.events)).toEqual(["cache-miss", "cache-stale", "degraded"]);
    expect(recorded.events[1]).toEqual({ type: "cache-stale", savedTokens: 30, savedUsd: 0.0003 });
  });

  it("does not serve stale for the caller's own errors", async () => {
    let code: "BAD_REQUEST" | "CONTENT_BLOCKED" | "VALIDATION_FAILED" | "BUDGET_EXCEEDED" | undefined;
    const { model } = await build({ defaults: { ttlSeconds: 0.05 } }, () =>
      code ? new KeelError(code, "no") : "fine",
    );
    await model.generate(chat("q"), createContext().ctx);
    await sleepMs(100);
    for (const failure of ["BAD_REQUEST", "CONTENT_BLOCKED", "VALIDATION_FAILED", "BUDGET_EXCEEDED"] as const) {
      code = failure;
      await expect(model.generate(chat("q"), createContext().ctx)).rejects.toMatchObject({ code: failure });
    }
  });
});
