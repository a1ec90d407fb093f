import type { CacheMode, ChatRequest, Generation, RequestContext } from "@keel/spec";
import { exactCacheKey } from "./cache-key.ts";
import { createCoalescer, type CoalesceOptions } from "./coalescer.ts";
import { decodeEntry, encodeEntry, isFresh, isStorable, type CacheEntry } from "./entry.ts";
import {
  cacheControlOf,
  createPolicyResolver,
  isDeterministic,
  namespaceOf,
  type ResolvedPolicy,
  type RoutePolicy,
} from "./policy.ts";
import type { CacheStore } from "./store.ts";

export interface ExactCacheOptions {
  store: CacheStore;
  /** Policy for every route; `routes` entries override it field by field. */
  defaults?: RoutePolicy;
  /** Per route (the request's `model` name). */
  routes?: Record<string, RoutePolicy>;
  /** tenant -> namespace: tenants mapped to one namespace share entries. Default: each tenant alone. */
  sharedNamespaces?: Record<string, string>;
  /** More of what changes the answer, e.g. the route's target list, so a config change invalidates. */
  keyScope?: (request: ChatRequest) => string;
  /** Checked on every read; false makes the entry a miss (e.g. revalidate structured output). */
  verify?: (request: ChatRequest, cached: Generation) => boolean;
  /** Coalesce concurrent identical misses (in process, and across instances on Redis). Default on. */
  coalesce?: CoalesceOptions | false;
  /** Characters per delta when a hit is replayed as a stream. Default 64. */
  replayChunkChars?: number;
}

/** One request's view of the cache: what to do with it, its key and policy. */
export interface Plan {
  mode: CacheMode;
  key: string;
  policy: ResolvedPolicy;
  ttlMs: number;
  startedAt: number;
}

/** The parts both the generate and the stream paths use. */
export function createExactCacheEngine(options: ExactCacheOptions) {
  const { store, verify, keyScope, sharedNamespaces } = options;
  const policyOf = createPolicyResolver(options.defaults, options.routes);

  const storeError = (operation: string, error: unknown, ctx: RequestContext) => {
    ctx.events.emit({
      type: "cache-error",
      operation,
      message: error instanceof Error ? error.message : String(error),
    });
  };
  const coalescer = createCoalescer(store, options.coalesce, storeError);

  /** Undefined when the request passes by the cache (bypass, or not cacheable on its route). */
  const plan = (request: ChatRequest, ctx: RequestContext): Plan | undefined | "not-cached" => {
    const startedAt = Date.now();
    const control = cacheControlOf(request);
    if (control.mode === "bypass") return undefined;
    const policy = policyOf(request.model);
    if (!policy.enabled || !(policy.cacheNonDeterministic || isDeterministic(request))) {
      return control.mode === "only-if-cached" ? "not-cached" : undefined;
    }
    const key = exactCacheKey(request, {
      namespace: namespaceOf(ctx.tenant, sharedNamespaces),
      scope: keyScope?.(request),
    });
    return { mode: control.mode, key, policy, ttlMs: control.ttlMs ?? policy.ttlMs, startedAt };
  };

  /** The entry and whether it is fresh; a store failure is a miss (fail open). */
  const read = async (
    request: ChatRequest,
    ctx: RequestContext,
    current: Plan,
  ): Promise<{ entry: CacheEntry; fresh: boolean } | undefined> => {
    let entry: CacheEntry | undefined;
    try {
      entry = decodeEntry(await store.get(current.key));
    } catch (error) {
      storeError("get", error, ctx);
      return undefined;
    }
    if (!entry || (verify && !verify(request, entry.generation))) return undefined;
    return { entry, fresh: isFresh(entry, current.policy, Date.now()) };
  };

  const write = async (generation: Generation, ctx: RequestContext, current: Plan): Promise<void> => {
    if (!isStorable(generation)) return;
    const entry: CacheEntry = { v: 1, storedAt: Date.now(), freshMs: current.ttlMs, generation };
    try {
      const result = await store.set(current.key, encodeEntry(entry), {
        ttlMs: current.ttlMs + current.policy.staleGraceMs,
      });
      ctx.events.emit(
        result.stored
          ? { type: "cache-store", kind: "exact", bytes: result.bytes }
          : { type: "cache-store", kind: "exact", bytes: result.bytes, skipped: result.reason },
      );
    } catch (error) {
      storeError("set", error, ctx);
    }
  };

  return { store, plan, read, write, coalescer, replayChunkChars: options.replayChunkChars ?? 64 };
}

export type ExactCacheEngine = ReturnType<typeof createExactCacheEngine>;
