import { freePort, startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exactCacheMiddleware } from "./exact-cache.ts";
import { createRedisStore } from "./redis-store.ts";
import { untilHealthy } from "./test-support/store-fixtures.ts";
import {
  chat,
  createContext,
  createScriptedModel,
  sleepMs,
  uniquePrefix,
  wrap,
} from "./test-support/middleware-fixtures.ts";

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

describe("exact cache when Redis fails (fail open)", () => {
  it("keeps answering when Redis is killed mid-run, warns once, and resumes after a restart", async () => {
    const warnings: string[] = [];
    const store = await untilHealthy(
      createRedisStore({
        url: redis.url,
        keyPrefix: uniquePrefix("outage"),
        warnEveryMs: 60_000,
        onWarning: (message) => warnings.push(message),
      }),
    );
    const inner = createScriptedModel();
    const model = wrap(exactCacheMiddleware({ store }), inner.model);
    await model.generate(chat("before"), createContext().ctx);
    expect((await model.generate(chat("before"), createContext().ctx)).cache).toBe("exact");

    await redis.kill();
    const errors: string[] = [];
    let slowest = 0;
    for (let index = 0; index < 30; index++) {
      const recorded = createContext();
      const started = Date.now();
      const answer = await model.generate(chat(index % 2 ? "before" : `during ${index}`), recorded.ctx);
      slowest = Math.max(slowest, Date.now() - started);
      expect(answer.content).toMatch(/^answer to /);
      expect(answer.cache).toBe("miss");
      errors.push(
        ...recorded.events
          .filter((event) => event.type === "cache-error")
          .map((event) => (event.type === "cache-error" ? event.operation : "")),
      );
    }
    expect(slowest).toBeLessThan(1_000);
    expect(errors).toContain("get");
    expect(warnings.filter((message) => message.includes("serving without the cache"))).toHaveLength(1);

    await redis.start();
    await untilHealthy(store);
    await model.generate(chat("after"), createContext().ctx);
    const recorded = createContext();
    expect((await model.generate(chat("after"), recorded.ctx)).cache).toBe("exact");
    expect(recorded.events.map((event) => event.type)).toEqual(["cache-hit"]);
    expect(warnings.some((message) => message.includes("resumed"))).toBe(true);
    await store.close();
  });

  it("answers without a cache when Redis is not there at start, then uses it once it appears", async () => {
    const port = await freePort();
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: uniquePrefix("absent"),
      onWarning: () => {},
    });
    const inner = createScriptedModel();
    const model = wrap(exactCacheMiddleware({ store }), inner.model);
    const started = Date.now();
    for (let index = 0; index < 10; index++)
      expect((await model.generate(chat("q"), createContext().ctx)).cache).toBe("miss");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(inner.state.calls).toBe(10);
    expect((await store.health()).ok).toBe(false);
    await store.close();
  });

  it("makes one call for concurrent misses even while Redis is down (in-process coalescing)", async () => {
    const port = await freePort();
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: uniquePrefix("absent"),
      onWarning: () => {},
    });
    const inner = createScriptedModel(undefined, { delayMs: 30 });
    const model = wrap(exactCacheMiddleware({ store }), inner.model);
    const answers = await Promise.all(Array.from({ length: 20 }, () => model.generate(chat("q"), createContext().ctx)));
    expect(answers).toHaveLength(20);
    expect(inner.state.calls).toBe(1);
    await sleepMs(10);
    await store.close();
  });
});
