import {
  createMemoryStore,
  createRedisStore,
  embeddingCacheMiddleware,
  exactCacheMiddleware,
  semanticCacheMiddleware,
} from "@keel/cache";
import type { ChatRequest, GenerateNext, RequestContext } from "@keel/spec";

const redisUrl = process.env.REDIS_URL; // read in the app, never in this library
const store = redisUrl
  ? createRedisStore({ url: redisUrl, keyPrefix: "keel:cache:", onWarning: (message) => console.warn(message) })
  : createMemoryStore({ maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 });

// Each route's fallback chain: part of the key, so a config change starts a fresh cache.
const chains: Record<string, string[]> = { "gpt-4o-mini": ["openai/gpt-4o-mini", "openai/gpt-4.1-mini"] };
const exact = exactCacheMiddleware({
  store,
  defaults: { ttlSeconds: 3600, staleGraceSeconds: 86_400 },
  routes: { "creative-writer": { cacheNonDeterministic: true, ttlSeconds: 300 } },
  keyScope: (request) => (chains[request.model] ?? []).join(","),
  // Re-checked on every read: a structured answer is served only if it was valid.
  verify: (request, cached) => request.structured === undefined || cached.validation?.valid === true,
});
const semantic = semanticCacheMiddleware({ store }); // local embedder, threshold 0.8, near-miss guard on
const embeddings = embeddingCacheMiddleware({ store }); // wraps embed()

// Stands in for the rest of the pipeline below the cache (core folds the middlewares for you).
let upstreamCalls = 0;
const next: GenerateNext = async (request) => {
  upstreamCalls += 1;
  return {
    id: `g${upstreamCalls}`,
    content: "Oslo is the capital of Norway.",
    model: request.model,
    provider: "openai",
    cache: "miss",
    fallback: { failed: [], answeredBy: "openai/gpt-4o-mini" },
    attempts: 1,
    usage: { promptTokens: 9, completionTokens: 8, totalTokens: 17 },
    costUsd: 0.0000062,
    latencyMs: 300,
    finishReason: "stop",
    safety: { input: [], output: [] },
  };
};
const ctx: RequestContext = {
  requestId: "r1",
  tenant: "acme",
  operation: "generate",
  deadline: Date.now() + 30_000,
  signal: new AbortController().signal,
  events: { emit: (event) => console.log(event.type) }, // cache-miss, cache-store, cache-hit, ...
};
const request: ChatRequest = {
  model: "gpt-4o-mini",
  temperature: 0,
  messages: [{ role: "user", content: "What is the capital of Norway?" }],
};

const first = await exact.wrapGenerate!({ request, ctx, next });
const second = await exact.wrapGenerate!({ request, ctx, next });
console.log(first.cache, second.cache, `upstream calls: ${upstreamCalls}`); // miss exact upstream calls: 1

// A request controls its own use of the cache:
const fresh = await exact.wrapGenerate!({
  request: { ...request, cache: { mode: "refresh", ttlSeconds: 60 } },
  ctx,
  next,
});
console.log(fresh.cache, `upstream calls: ${upstreamCalls}`); // miss upstream calls: 2

// The semantic cache answers the same question in other words (the near-miss guard checks numbers, names, negations).
const paraphrase: ChatRequest = { ...request, messages: [{ role: "user", content: "What is Norway's capital?" }] };
await semantic.wrapGenerate!({ request, ctx, next });
const similar = await semantic.wrapGenerate!({ request: paraphrase, ctx, next });
console.log(similar.cache); // semantic
console.log(typeof embeddings.wrapEmbed); // function: wrap an EmbeddingModel's embed() the same way
await store.close();
