import {
  KeelError,
  type ChatRequest,
  type Generation,
  type Middleware,
  type RequestContext,
  type StreamEvent,
  type StreamNext,
} from "@keel/spec";
import { allowsStale, savedOf, servedFromCache, servedStale, type CacheEntry } from "./entry.ts";
import {
  createExactCacheEngine,
  type ExactCacheEngine,
  type ExactCacheOptions,
  type Plan,
} from "./exact-cache-engine.ts";
import { notCachedError } from "./policy.ts";
import { replayStream } from "./stream-replay.ts";
import { waitFor } from "./wait.ts";

export type { ExactCacheOptions } from "./exact-cache-engine.ts";

/**
 * The exact cache: answers a request identical (by `exactCacheKey`) to one answered before,
 * coalesces concurrent identical misses into one upstream call, and serves an expired
 * answer when upstream fails (stale-if-error). Streams are replayed with a live stream's shape.
 */
export function exactCacheMiddleware(options: ExactCacheOptions): Middleware {
  const engine = createExactCacheEngine(options);
  return {
    name: "exact-cache",
    async wrapGenerate({ request, ctx, next }) {
      const plan = engine.plan(request, ctx);
      if (plan === "not-cached") throw notCachedError();
      if (!plan) return next(request, ctx);
      const stale = await lookup({ engine, request, ctx, plan });
      if (stale && "hit" in stale) return stale.hit;
      try {
        const { generation, leader } = await engine.coalescer.run({
          key: plan.key,
          ctx,
          lead: async () => {
            const generation = await next(request, ctx);
            await engine.write(generation, ctx, plan);
            return generation;
          },
          readFresh: async () => {
            const found = await engine.read(request, ctx, plan);
            return found?.fresh && found.entry.storedAt >= (plan.mode === "refresh" ? plan.startedAt : 0)
              ? found.entry.generation
              : undefined;
          },
        });
        if (leader) return generation;
        ctx.events.emit({ type: "cache-coalesced", kind: "exact", ...savedOf(generation) });
        return servedFromCache(generation, "exact", plan.startedAt);
      } catch (error) {
        return serveStaleOrThrow({ error, stale: stale?.entry, ctx, plan });
      }
    },
    wrapStream({ request, ctx, next }) {
      return streamThroughCache(engine, { request, ctx, next });
    },
  };
}

type Lookup = { hit: Generation } | { entry: CacheEntry | undefined } | undefined;

/** One cacheable request on its way through the exact cache. */
interface CachedRequest {
  engine: ExactCacheEngine;
  request: ChatRequest;
  ctx: RequestContext;
  plan: Plan;
}

/** A fresh hit, or the stale entry (if any) to fall back on; throws for only-if-cached misses. */
async function lookup({ engine, request, ctx, plan }: CachedRequest): Promise<Lookup> {
  if (plan.mode === "refresh") return undefined;
  const found = await engine.read(request, ctx, plan);
  if (found?.fresh) {
    ctx.events.emit({ type: "cache-hit", kind: "exact", ...savedOf(found.entry.generation) });
    return { hit: servedFromCache(found.entry.generation, "exact", plan.startedAt) };
  }
  ctx.events.emit({ type: "cache-miss", kind: "exact" });
  if (plan.mode === "only-if-cached") throw notCachedError();
  return { entry: found?.entry };
}

/** The upstream's failure, and the expired entry (if any) that may answer in its place. */
interface UpstreamFailure {
  error: unknown;
  stale: CacheEntry | undefined;
  ctx: RequestContext;
  plan: Plan;
}

function serveStaleOrThrow({ error, stale, ctx, plan }: UpstreamFailure): Generation {
  if (!stale || plan.policy.staleGraceMs === 0 || !KeelError.isInstance(error) || !allowsStale(error, ctx)) throw error;
  ctx.events.emit({ type: "cache-stale", ...savedOf(stale.generation) });
  ctx.events.emit({ type: "degraded", mode: "stale" });
  return servedStale(stale.generation, error, plan.startedAt);
}

async function* streamThroughCache(
  engine: ExactCacheEngine,
  args: { request: ChatRequest; ctx: RequestContext; next: StreamNext },
): AsyncIterable<StreamEvent> {
  const { request, ctx, next } = args;
  const plan = engine.plan(request, ctx);
  if (plan === "not-cached") throw notCachedError();
  if (!plan) return yield* next(request, ctx);
  const found = await lookup({ engine, request, ctx, plan });
  if (found && "hit" in found) return yield* replayStream(found.hit, engine.replayChunkChars);
  const stale = found?.entry;

  // Streams coalesce in this process: a follower waits for the leader's whole answer, then replays it.
  const inFlight = engine.coalescer.inFlight(plan.key);
  if (inFlight) {
    try {
      const generation = await waitFor(inFlight, ctx);
      ctx.events.emit({ type: "cache-coalesced", kind: "exact", ...savedOf(generation) });
      return yield* replayStream(servedFromCache(generation, "exact", plan.startedAt), engine.replayChunkChars);
    } catch (error) {
      if (!engine.coalescer.isLeaderGone(error))
        return yield* replayStream(serveStaleOrThrow({ error, stale, ctx, plan }), engine.replayChunkChars);
    }
  }

  const flight = engine.coalescer.begin(plan.key, ctx);
  let done: Generation | undefined;
  let started = false;
  try {
    for await (const event of next(request, ctx)) {
      if (event.type === "done") {
        // Stored before `done` is handed on: a consumer may stop right after it.
        done = event.generation;
        await engine.write(done, ctx, plan);
        flight.resolve(done);
      }
      started = true;
      yield event;
    }
  } catch (error) {
    flight.reject(error);
    if (started) throw error;
    return yield* replayStream(serveStaleOrThrow({ error, stale, ctx, plan }), engine.replayChunkChars);
  } finally {
    // Ended without `done` (an early return() or a cut stream): nothing was stored.
    if (!done) flight.abandon();
  }
}
