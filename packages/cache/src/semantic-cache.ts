import type { ChatRequest, Middleware, RequestContext, StreamEvent, StreamNext } from "@keel/spec";
import { savedOf, servedFromCache } from "./entry.ts";
import { notCachedError } from "./policy.ts";
import {
  createSemanticCacheEngine,
  type SemanticCacheEngine,
  type SemanticCacheOptions,
  type SemanticPlan,
} from "./semantic-cache-engine.ts";
import { replayStream } from "./stream-replay.ts";

export type { SemanticCacheOptions } from "./semantic-cache-engine.ts";

export interface SemanticCacheMiddleware extends Middleware {
  /** Settles when the index has been rebuilt from the store (lookups before it simply miss). */
  readonly ready: Promise<number>;
  /** Pulls entries stored by other instances into this instance's index; resolves to how many were added. */
  resync(): Promise<number>;
  /** Vectors held in this instance's index, partitions, namespaces, and bytes of vectors and codes. */
  stats(): { vectors: number; partitions: number; namespaces: number; bytes: number };
  /**
   * Does at once the one-off work of the first miss (the index's sign-code hyperplanes), so
   * a service can run it at start instead of during its first request. False while the
   * embedder's dimensions are unknown.
   */
  warmUp(): boolean;
  /** Stops following the store's removals (call when dropping the middleware but keeping the store). */
  close(): void;
}

/**
 * The semantic cache: answers a request whose last user message means the same as one
 * answered before (same tenant namespace, model, scope, earlier messages and parameters),
 * by cosine similarity over a bounded in-memory index, guarded against near misses.
 */
export function semanticCacheMiddleware(options: SemanticCacheOptions): SemanticCacheMiddleware {
  const engine = createSemanticCacheEngine(options);
  return {
    name: "semantic-cache",
    ready: engine.ready,
    resync: engine.resync,
    stats: () => engine.index.stats(),
    warmUp: () => engine.index.warmUp(),
    close: engine.close,
    async wrapGenerate({ request, ctx, next }) {
      const plan = engine.plan(request, ctx);
      if (plan === "not-cached") throw notCachedError();
      if (!plan) return next(request, ctx);
      const hit = await lookup({ engine, request, ctx, plan });
      if (hit) return hit;
      const generation = await next(request, ctx);
      await engine.write(generation, ctx, plan);
      return generation;
    },
    wrapStream({ request, ctx, next }) {
      return streamThroughSemanticCache(engine, { request, ctx, next });
    },
  };
}

/** One cacheable request on its way through the semantic cache. */
interface CachedRequest {
  engine: SemanticCacheEngine;
  request: ChatRequest;
  ctx: RequestContext;
  plan: SemanticPlan;
}

async function lookup({ engine, request, ctx, plan }: CachedRequest) {
  if (plan.mode === "refresh") return undefined;
  const found = await engine.lookup(request, ctx, plan);
  if (found) {
    ctx.events.emit({
      type: "cache-hit",
      kind: "semantic",
      ...savedOf(found.generation),
      similarity: found.similarity,
    });
    return servedFromCache(found.generation, "semantic", plan.startedAt);
  }
  ctx.events.emit({ type: "cache-miss", kind: "semantic" });
  if (plan.mode === "only-if-cached") throw notCachedError();
  return undefined;
}

async function* streamThroughSemanticCache(
  engine: SemanticCacheEngine,
  args: { request: ChatRequest; ctx: RequestContext; next: StreamNext },
): AsyncIterable<StreamEvent> {
  const { request, ctx, next } = args;
  const plan = engine.plan(request, ctx);
  if (plan === "not-cached") throw notCachedError();
  if (!plan) return yield* next(request, ctx);
  const hit = await lookup({ engine, request, ctx, plan });
  if (hit) return yield* replayStream(hit, engine.replayChunkChars);
  for await (const event of next(request, ctx)) {
    // Only a stream that reached `done` is stored; an error or an early return stores nothing.
    if (event.type === "done") await engine.write(event.generation, ctx, plan);
    yield event;
  }
}
