import { KeelError, type StreamEvent } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exactCacheMiddleware } from "./exact-cache.ts";
import { storeFixtures } from "./test-support/store-fixtures.ts";
import {
  chat,
  collect,
  createContext,
  createScriptedModel,
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

const text = (events: StreamEvent[]) => events.map((event) => (event.type === "delta" ? event.content : "")).join("");

describe.each(["memory", "redis", "redis-cluster"] as const)(
  "streams through the exact cache on the %s store",
  (storeName) => {
    const open = () => setup.fixtures.find((fixture) => fixture.name === storeName)!.open();

    it("stores a completed stream and replays a hit with the same event shape", async () => {
      const inner = createScriptedModel(() => "a streamed answer of some length", { chunkChars: 5 });
      const model = wrap(exactCacheMiddleware({ store: await open(), replayChunkChars: 8 }), inner.model);
      const live = await collect(model.stream(chat("s"), createContext().ctx));
      expect(live.at(-1)).toMatchObject({ type: "done", generation: { cache: "miss" } });
      const recorded = createContext();
      const replayed = await collect(model.stream(chat("s"), recorded.ctx));
      expect(inner.state.streamCalls).toBe(1);
      expect(replayed.slice(0, -1).every((event) => event.type === "delta" && event.content.length <= 8)).toBe(true);
      expect(replayed.filter((event) => event.type === "delta").length).toBeGreaterThan(1);
      expect(text(replayed)).toBe("a streamed answer of some length");
      expect(replayed.at(-1)).toMatchObject({
        type: "done",
        generation: { cache: "exact", attempts: 0, costUsd: 0, content: "a streamed answer of some length" },
      });
      expect(recorded.events.map((event) => event.type)).toEqual(["cache-hit"]);
      // A generate call reads the entry a stream stored.
      expect((await model.generate(chat("s"), createContext().ctx)).cache).toBe("exact");
    });

    it("stores nothing from a stream cut by an error", async () => {
      const inner = createScriptedModel(() => "this answer breaks halfway", { chunkChars: 4, cutStreamAfter: 2 });
      const model = wrap(exactCacheMiddleware({ store: await open() }), inner.model);
      await expect(collect(model.stream(chat("cut"), createContext().ctx))).rejects.toMatchObject({
        code: "UPSTREAM_UNAVAILABLE",
      });
      await expect(collect(model.stream(chat("cut"), createContext().ctx))).rejects.toMatchObject({
        code: "UPSTREAM_UNAVAILABLE",
      });
      expect(inner.state.streamCalls).toBe(2);
    });

    it("stores nothing when the consumer stops early", async () => {
      const inner = createScriptedModel(() => "a long answer the consumer abandons", { chunkChars: 4 });
      const model = wrap(exactCacheMiddleware({ store: await open() }), inner.model);
      for await (const event of model.stream(chat("early"), createContext().ctx)) {
        if (event.type === "delta") break;
      }
      await sleepMs(20);
      const second = await collect(model.stream(chat("early"), createContext().ctx));
      expect(second.at(-1)).toMatchObject({ type: "done", generation: { cache: "miss" } });
      expect(inner.state.streamCalls).toBe(2);
    });

    it("replays a stale answer when the stream fails before its first delta", async () => {
      let failing = false;
      const inner = createScriptedModel(() =>
        failing
          ? new KeelError("CIRCUIT_OPEN", "breaker open", { details: { target: "openai/gpt-4o-mini" } })
          : "old but good",
      );
      const model = wrap(exactCacheMiddleware({ store: await open(), defaults: { ttlSeconds: 0.05 } }), inner.model);
      await collect(model.stream(chat("st"), createContext().ctx));
      await sleepMs(100);
      failing = true;
      const events = await collect(model.stream(chat("st"), createContext().ctx));
      expect(text(events)).toBe("old but good");
      expect(events.at(-1)).toMatchObject({
        type: "done",
        generation: {
          cache: "stale",
          fallback: {
            degraded: "stale",
            failed: [{ target: "openai/gpt-4o-mini", code: "CIRCUIT_OPEN", message: "breaker open" }],
          },
        },
      });
    });

    it("fails an only-if-cached stream with no entry before yielding anything", async () => {
      const inner = createScriptedModel();
      const model = wrap(exactCacheMiddleware({ store: await open() }), inner.model);
      await expect(
        collect(model.stream(chat("none", { cache: { mode: "only-if-cached" } }), createContext().ctx)),
      ).rejects.toMatchObject({ details: { reason: "not-cached" } });
      expect(inner.state.streamCalls).toBe(0);
    });
  },
);
