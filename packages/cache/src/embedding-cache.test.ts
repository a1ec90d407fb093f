import type { EmbeddingModel, EmbeddingRequest, Middleware } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingCacheMiddleware } from "./embedding-cache.ts";
import { embedderFromModel } from "./model-embedder.ts";
import { semanticCacheMiddleware } from "./semantic-cache.ts";
import { storeFixtures } from "./test-support/store-fixtures.ts";
import { chat, createContext, createScriptedModel, wrap } from "./test-support/middleware-fixtures.ts";

let setup: Awaited<ReturnType<typeof storeFixtures>>;
beforeAll(async () => {
  setup = await storeFixtures();
});
afterAll(async () => {
  await setup.stop();
});

/** An embeddings API double: a vector per text derived from its characters; records what it was asked. */
function createEmbeddingModel() {
  const asked: string[][] = [];
  const model: EmbeddingModel = {
    async embed(request) {
      asked.push(request.input);
      return {
        model: request.model,
        provider: "openai",
        vectors: request.input.map((text) => [text.length, text.charCodeAt(0) / 7, 0.5, -1.25]),
        usage: { promptTokens: request.input.length * 3, totalTokens: request.input.length * 3 },
        cached: false,
      };
    },
  };
  return { model, asked };
}

const embedThrough =
  (middleware: Middleware, model: EmbeddingModel) =>
  (request: EmbeddingRequest, tenant = "acme") => {
    const recorded = createContext({ tenant });
    return middleware.wrapEmbed!({ request, ctx: recorded.ctx, next: (inner, ctx) => model.embed(inner, ctx) }).then(
      (result) => ({ result, events: recorded.events }),
    );
  };

describe.each(["memory", "redis", "redis-cluster"] as const)(
  "embeddingCacheMiddleware on the %s store",
  (storeName) => {
    const open = () => setup.fixtures.find((fixture) => fixture.name === storeName)!.open();

    it("sends only the texts not cached upstream, and marks an all-cached answer", async () => {
      const upstream = createEmbeddingModel();
      const embed = embedThrough(embeddingCacheMiddleware({ store: await open() }), upstream.model);
      const first = await embed({ model: "text-embedding-3-small", input: ["alpha", "beta"] });
      expect(first.result).toMatchObject({
        cached: false,
        vectors: [
          [5, 97 / 7, 0.5, -1.25],
          [4, 98 / 7, 0.5, -1.25],
        ],
      });
      expect(first.events).toEqual([{ type: "cache-store", kind: "embedding", bytes: expect.any(Number) }]);

      const second = await embed({ model: "text-embedding-3-small", input: ["beta", "gamma", "gamma", "alpha"] });
      expect(upstream.asked).toEqual([["alpha", "beta"], ["gamma"]]);
      expect(second.result.cached).toBe(false);
      expect(second.result.usage.totalTokens).toBe(3);
      expect(second.result.vectors.map((vector) => vector[0])).toEqual([4, 5, 5, 5]);
      expect(second.result.vectors[1]![1]).toBeCloseTo(103 / 7, 5);
      expect(second.events[0]).toEqual({ type: "embedding-cache-hit", count: 2 });

      const third = await embed({ model: "text-embedding-3-small", input: ["gamma", "alpha"] });
      expect(third.result).toMatchObject({ cached: true, provider: "openai", usage: { totalTokens: 0 } });
      expect(third.events).toEqual([{ type: "embedding-cache-hit", count: 2 }]);
      expect(upstream.asked).toHaveLength(2);
    });

    it("keeps models and tenants apart", async () => {
      const upstream = createEmbeddingModel();
      const embed = embedThrough(embeddingCacheMiddleware({ store: await open() }), upstream.model);
      await embed({ model: "small", input: ["alpha"] });
      await embed({ model: "large", input: ["alpha"] });
      await embed({ model: "small", input: ["alpha"] }, "globex");
      expect((await embed({ model: "small", input: ["alpha"] })).result.cached).toBe(true);
      expect(upstream.asked).toHaveLength(3);
    });
  },
);

describe("embedderFromModel", () => {
  it("embeds through a provider's embeddings API, normalised, as the semantic cache's embedder", async () => {
    const upstream = createEmbeddingModel();
    const embedder = embedderFromModel(upstream.model, "text-embedding-3-small");
    const [vector] = await embedder.embed(["hello"], createContext().ctx);
    expect(Math.hypot(...vector!)).toBeCloseTo(1, 6);
    expect(embedder.dimensions).toBe(4);
    expect(embedder.name).toBe("model:text-embedding-3-small");

    const inner = createScriptedModel();
    const model = wrap(
      semanticCacheMiddleware({
        store: await setup.fixtures[0]!.open(),
        embedder: embedderFromModel(upstream.model, "m"),
        resyncIntervalMs: 0,
      }),
      inner.model,
    );
    await model.generate(chat("hello there"), createContext().ctx);
    expect((await model.generate(chat("Hello there!"), createContext().ctx)).cache).toBe("semantic");
    expect(inner.state.calls).toBe(1);
  });
});
