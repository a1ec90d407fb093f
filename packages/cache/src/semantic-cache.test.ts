import { KeelError, type ChatRequest } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPairs, scoreSemantic } from "../eval/evaluate.ts";
import type { Embedder } from "./local-embedder.ts";
import { createMemoryStore } from "./memory-store.ts";
import { createRedisStore } from "./redis-store.ts";
import { semanticCacheMiddleware } from "./semantic-cache.ts";
import type { SemanticCacheOptions } from "./semantic-cache-engine.ts";
import { storeFixtures } from "./test-support/store-fixtures.ts";
import {
  chat,
  collect,
  createContext,
  createScriptedModel,
  uniquePrefix,
  wrap,
} from "./test-support/middleware-fixtures.ts";

let setup: Awaited<ReturnType<typeof storeFixtures>>;
beforeAll(async () => {
  setup = await storeFixtures();
});
afterAll(async () => {
  await setup.stop();
});

const build = (options: Partial<SemanticCacheOptions> = {}, script?: Parameters<typeof createScriptedModel>[0]) => {
  const inner = createScriptedModel(script);
  const middleware = semanticCacheMiddleware({ store: createMemoryStore(), resyncIntervalMs: 0, ...options });
  return { model: wrap(middleware, inner.model), inner, middleware };
};

describe("semanticCacheMiddleware", () => {
  it("has no false hit on the labelled set and hits most paraphrases (measured 49/55)", async () => {
    const score = await scoreSemantic(loadPairs(), { threshold: 0.8, guard: true });
    expect(score.falseHitPairs).toEqual([]);
    expect(score.wrongSharedPairs).toEqual([]);
    expect(score.hitRate).toBeGreaterThanOrEqual(0.85);
  });

  it("has no false hit on the held-out set either (measured 12/15 hits)", async () => {
    const score = await scoreSemantic(loadPairs("semantic-pairs-holdout.json"), { threshold: 0.8, guard: true });
    expect(score.falseHitPairs).toEqual([]);
    expect(score.wrongSharedPairs).toEqual([]);
    expect(score.hitRate).toBeGreaterThanOrEqual(0.7);
  });

  it("serves a rephrased question from the cache, marked semantic, with its similarity", async () => {
    const { model, inner } = build();
    await model.generate(chat("What is the capital of France?"), createContext().ctx);
    const recorded = createContext();
    const hit = await model.generate(chat("what's the capital of France"), recorded.ctx);
    expect(hit).toMatchObject({
      cache: "semantic",
      content: "answer to What is the capital of France?",
      attempts: 0,
      costUsd: 0,
    });
    expect(recorded.events).toEqual([
      { type: "cache-hit", kind: "semantic", savedTokens: 30, savedUsd: 0.0003, similarity: expect.any(Number) },
    ]);
    expect(inner.state.calls).toBe(1);
  });

  it.each([
    ["What is the capital of France?", "What is the capital of Germany?"],
    ["convert 10 km to miles", "convert 10 miles to km"],
    ["Is coffee bad for your health?", "Is coffee not bad for your health?"],
    ["Who won the World Cup in 2018?", "Who won the World Cup in 2022?"],
  ])("rejects the near miss %s / %s", async (stored, asked) => {
    const { model, inner } = build();
    await model.generate(chat(stored), createContext().ctx);
    const recorded = createContext();
    expect((await model.generate(chat(asked), recorded.ctx)).cache).toBe("miss");
    expect(recorded.events[0]).toEqual({ type: "cache-miss", kind: "semantic" });
    expect(inner.state.calls).toBe(2);
  });

  it("only matches within the same tenant, model and parameters", async () => {
    const { model, inner } = build({ sharedNamespaces: { acme: "group", initech: "group" } });
    await model.generate(chat("How do I reset my password?"), createContext({ tenant: "acme" }).ctx);
    const asked = chat("How can I reset my password?");
    expect((await model.generate(asked, createContext({ tenant: "globex" }).ctx)).cache).toBe("miss");
    expect((await model.generate({ ...asked, model: "gpt-4o" }, createContext({ tenant: "acme" }).ctx)).cache).toBe(
      "miss",
    );
    expect((await model.generate({ ...asked, maxTokens: 5 }, createContext({ tenant: "acme" }).ctx)).cache).toBe(
      "miss",
    );
    expect((await model.generate(asked, createContext({ tenant: "initech" }).ctx)).cache).toBe("semantic");
    expect(inner.state.calls).toBe(4);
  });

  it("keeps the system prompt exact by default and can embed it instead", async () => {
    const withSystem = (system: string, user: string): ChatRequest => ({
      ...chat(user),
      messages: [
        { role: "system", content: system },
        { role: "user", content: user },
      ],
    });
    const exact = build();
    await exact.model.generate(withSystem("Answer in French.", "What is the speed of light?"), createContext().ctx);
    expect(
      (await exact.model.generate(withSystem("Answer in German.", "What's the speed of light?"), createContext().ctx))
        .cache,
    ).toBe("miss");
    expect(
      (await exact.model.generate(withSystem("Answer in French.", "What's the speed of light?"), createContext().ctx))
        .cache,
    ).toBe("semantic");
    const embedded = build({ includeSystemPrompt: true });
    await embedded.model.generate(withSystem("Answer briefly.", "What is the speed of light?"), createContext().ctx);
    expect(
      (
        await embedded.model.generate(
          withSystem("Please answer briefly.", "What's the speed of light?"),
          createContext().ctx,
        )
      ).cache,
    ).toBe("semantic");
  });

  it("skips conversations longer than maxMessages and non-deterministic requests", async () => {
    const { model, inner } = build({ maxMessages: 2 });
    const long: ChatRequest = {
      ...chat("x"),
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
        { role: "user", content: "Why is the sky blue?" },
      ],
    };
    await model.generate(long, createContext().ctx);
    const recorded = createContext();
    await model.generate(long, recorded.ctx);
    expect(recorded.events).toEqual([]);
    await model.generate(chat("Why is the sky blue?", { temperature: 0.7 }), createContext().ctx);
    expect((await model.generate(chat("why is the sky blue", { temperature: 0.7 }), createContext().ctx)).cache).toBe(
      "miss",
    );
    expect(inner.state.calls).toBe(4);
  });

  it("replays a semantic hit as a stream and stores only completed streams", async () => {
    const cut = createScriptedModel(() => "partial answer here", { cutStreamAfter: 1 });
    const middleware = semanticCacheMiddleware({ store: createMemoryStore(), resyncIntervalMs: 0 });
    await expect(
      collect(wrap(middleware, cut.model).stream(chat("Describe the water cycle"), createContext().ctx)),
    ).rejects.toBeInstanceOf(KeelError);
    const whole = createScriptedModel(() => "evaporation, condensation, precipitation");
    const model = wrap(middleware, whole.model);
    expect((await collect(model.stream(chat("Explain the water cycle"), createContext().ctx))).at(-1)).toMatchObject({
      generation: { cache: "miss" },
    });
    const replayed = await collect(model.stream(chat("Describe the water cycle"), createContext().ctx));
    expect(replayed.at(-1)).toMatchObject({
      type: "done",
      generation: { cache: "semantic", content: "evaporation, condensation, precipitation" },
    });
    expect(
      replayed
        .filter((event) => event.type === "delta")
        .map((event) => (event.type === "delta" ? event.content : ""))
        .join(""),
    ).toBe("evaporation, condensation, precipitation");
    expect(whole.state.streamCalls).toBe(1);
  });

  it("passes through, with a cache-error event, when the embedder fails", async () => {
    const broken: Embedder = {
      name: "broken",
      dimensions: 8,
      embed: async () => Promise.reject(new Error("embedder down")),
    };
    const { model, inner } = build({ embedder: broken });
    const recorded = createContext();
    expect((await model.generate(chat("q"), recorded.ctx)).cache).toBe("miss");
    expect(recorded.events).toContainEqual({ type: "cache-error", operation: "embed", message: "embedder down" });
    expect(inner.state.calls).toBe(1);
  });

  it.each([
    ["by guard key", true],
    ["through the sign-code filter (guard off)", false],
  ])("finds the entries of a large partition %s", async (_, guard) => {
    const { model, inner, middleware } = build({ filterFrom: 16, guard });
    const topics = Array.from({ length: 40 }, (_, index) => `topic${index}`);
    for (const topic of topics) await model.generate(chat(`Explain ${topic} in detail`), createContext().ctx);
    for (const topic of topics)
      expect((await model.generate(chat(`Please explain ${topic} in detail`), createContext().ctx)).content).toBe(
        `answer to Explain ${topic} in detail`,
      );
    expect(inner.state.calls).toBe(40);
    expect(middleware.stats()).toMatchObject({ vectors: 40, partitions: 1, namespaces: 1 });
  });

  it("serves near-identical templated questions only the answer of their own number", async () => {
    const { model, inner, middleware } = build();
    const asked = (number: number) => `Summarise ticket number ${number} for the billing team.`;
    for (let number = 1; number <= 300; number++) await model.generate(chat(asked(number)), createContext().ctx);
    for (const number of [1, 17, 150, 300]) {
      const recorded = createContext();
      const hit = await model.generate(
        chat(`Please summarise ticket number ${number} for the billing team`),
        recorded.ctx,
      );
      expect(hit).toMatchObject({ cache: "semantic", content: `answer to ${asked(number)}` });
    }
    const recorded = createContext();
    expect((await model.generate(chat(asked(301)), recorded.ctx)).cache).toBe("miss");
    expect(recorded.events[0]).toEqual({ type: "cache-miss", kind: "semantic" });
    expect(inner.state.calls).toBe(301);
    expect(middleware.stats()).toMatchObject({ vectors: 301, partitions: 1 });
  });
});

describe.each(["redis", "redis-cluster"] as const)("semantic cache on %s", (storeName) => {
  // On the cluster the entries spread over three masters: the resync's SCAN must visit each.
  it("rebuilds its index from Redis at start and pulls in entries other instances stored", async () => {
    const redis = setup.fixtures.find((fixture) => fixture.name === storeName)!;
    const inner = createScriptedModel();
    const first = wrap(
      semanticCacheMiddleware({ store: await redis.open({ shared: "semantic" }), resyncIntervalMs: 0 }),
      inner.model,
    );
    await first.generate(chat("How does a refrigerator work?"), createContext().ctx);

    const restarted = semanticCacheMiddleware({ store: await redis.open({ shared: "semantic" }), resyncIntervalMs: 0 });
    expect(await restarted.ready).toBe(1);
    const second = wrap(restarted, inner.model);
    expect((await second.generate(chat("How do refrigerators work?"), createContext().ctx)).cache).toBe("semantic");

    await first.generate(chat("What causes earthquakes?"), createContext().ctx);
    expect(await restarted.resync()).toBe(1);
    expect((await second.generate(chat("what causes earthquakes"), createContext().ctx)).cache).toBe("semantic");
    expect(inner.state.calls).toBe(2);
  });
});

describe("semantic cache starting before its Redis connection is up", () => {
  it("regression: a first resync that failed on a connecting client was not retried for a whole interval", async () => {
    const keyPrefix = uniquePrefix("restart");
    const inner = createScriptedModel();
    const firstStore = createRedisStore({ url: setup.redis.url, keyPrefix, onWarning: () => {} });
    while (!(await firstStore.health()).ok) await new Promise((resolve) => setTimeout(resolve, 10));
    const first = wrap(semanticCacheMiddleware({ store: firstStore, resyncIntervalMs: 0 }), inner.model);
    await first.generate(chat("How does a refrigerator work?"), createContext().ctx);

    // As a service starts: the store's connection is still being made when the cache is built,
    // and the periodic resync is a minute away.
    const restartedStore = createRedisStore({ url: setup.redis.url, keyPrefix, onWarning: () => {} });
    const restarted = semanticCacheMiddleware({ store: restartedStore, resyncIntervalMs: 60_000 });
    expect(await restarted.ready).toBe(0);
    expect(restarted.stats().vectors).toBe(0);

    // A lookup a second later tries again, and the stored entry comes into the index.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = wrap(restarted, inner.model);
    await second.generate(chat("What causes earthquakes?"), createContext().ctx);
    const until = Date.now() + 5_000;
    while (restarted.stats().vectors < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await second.generate(chat("How do refrigerators work?"), createContext().ctx)).cache).toBe("semantic");
    expect(inner.state.calls).toBe(2);
    await Promise.all([firstStore.close(), restartedStore.close()]);
  });
});
