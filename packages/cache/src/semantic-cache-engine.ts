import type { ChatRequest, Generation, RequestContext } from "@keel/spec";
import { hashTag, semanticPartition } from "./cache-key.ts";
import { canonicalJson, sha256 } from "./canonical-json.ts";
import { decodeEntry, decodeVector, encodeEntry, encodeVector, isFresh, isStorable, type CacheEntry } from "./entry.ts";
import { createLocalEmbedder, type Embedder } from "./local-embedder.ts";
import { positiveOption } from "./options.ts";
import {
  cacheControlOf,
  createPolicyResolver,
  isDeterministic,
  namespaceOf,
  type ResolvedPolicy,
  type RoutePolicy,
} from "./policy.ts";
import { guardKey } from "./guard-key.ts";
import { guardRejection } from "./semantic-guard.ts";
import type { CacheStore } from "./store.ts";
import { textFeatures } from "./text-features.ts";
import { createVectorIndex, type PreparedVector } from "./vector-index.ts";

export interface SemanticCacheOptions {
  store: CacheStore;
  /** Default: createLocalEmbedder() (no network). */
  embedder?: Embedder;
  /** Lowest cosine similarity served. Default 0.8 with the guard on (see README for the measurements). */
  threshold?: number;
  /** Conversations with more messages than this skip the semantic cache. Default 6. */
  maxMessages?: number;
  /** Embed the system prompt with the last user message instead of requiring it to match exactly. Default false. */
  includeSystemPrompt?: boolean;
  /** Reject candidates whose numbers, names, negation or content words differ. Default true. */
  guard?: boolean;
  defaults?: RoutePolicy;
  routes?: Record<string, RoutePolicy>;
  sharedNamespaces?: Record<string, string>;
  keyScope?: (request: ChatRequest) => string;
  verify?: (request: ChatRequest, cached: Generation) => boolean;
  /** How often entries other instances stored are pulled into this instance's index. Default 60,000 ms; 0 = never. */
  resyncIntervalMs?: number;
  /** Most entries in this instance's vector index; past it the least recently used leaves the index and the store. Default 50,000. */
  maxEntries?: number;
  /** Most entries of one tenant namespace, evicted the same way. Default 10,000. */
  maxEntriesPerNamespace?: number;
  /** Most entries of one partition, evicted the same way. Default: the namespace cap. */
  maxEntriesPerPartition?: number;
  /** Partitions with at least this many entries compare sign codes before vectors (smaller ones: exact scan only). Default 256. */
  filterFrom?: number;
  /** Characters per delta when a hit is replayed as a stream. Default 64. */
  replayChunkChars?: number;
}

export interface SemanticPlan {
  key: { partition: string; text: string; namespace: string };
  mode: ReturnType<typeof cacheControlOf>["mode"];
  policy: ResolvedPolicy;
  ttlMs: number;
  startedAt: number;
  vector?: number[];
  /** The vector readied for the index by the lookup; the store after a miss adds it as it is. */
  prepared?: PreparedVector;
  /** With the guard on: the text's guard key, from the lookup, which the store after a miss adds under. */
  guardKey?: number;
}

const PREFIX = "sem:";
// A failed resync is tried again by a lookup after 1 s, then 2, 4, ... up to a minute.
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
/** Measured on eval/semantic-pairs.json with the local embedder and the guard on (README). */
export const DEFAULT_SEMANTIC_THRESHOLD = 0.8;

export function createSemanticCacheEngine(options: SemanticCacheOptions) {
  const { store, verify, keyScope, sharedNamespaces } = options;
  const embedder = options.embedder ?? createLocalEmbedder();
  const threshold = positiveOption({
    value: options.threshold,
    fallback: DEFAULT_SEMANTIC_THRESHOLD,
    field: "threshold",
  });
  const maxMessages = positiveOption({ value: options.maxMessages, fallback: 6, field: "maxMessages" });
  const resyncIntervalMs = positiveOption({
    value: options.resyncIntervalMs,
    fallback: 60_000,
    field: "resyncIntervalMs",
    allowZero: true,
  });
  const guard = options.guard ?? true;
  const policyOf = createPolicyResolver(options.defaults, options.routes);
  const cap = (field: "maxEntries" | "maxEntriesPerNamespace" | "maxEntriesPerPartition" | "filterFrom") =>
    options[field] === undefined
      ? undefined
      : Math.floor(positiveOption({ value: options[field], fallback: 1, field }));
  const index = createVectorIndex({
    dimensions: embedder.dimensions,
    maxEntries: cap("maxEntries"),
    maxEntriesPerNamespace: cap("maxEntriesPerNamespace"),
    maxEntriesPerPartition: cap("maxEntriesPerPartition"),
    filterFrom: cap("filterFrom"),
  });
  let lastSync = 0;
  let syncing: Promise<number> | undefined;
  // After a failed resync, when the next lookup may try again. The first one runs as the
  // service starts, often before its shared Redis connection is up (commands then fail at
  // once, no offline queue); waiting out the whole interval left the index empty of every
  // stored entry for a minute after each restart.
  let retryAt: number | undefined;
  let retryDelayMs = FIRST_RETRY_MS;
  // Entries the store drops by itself (the memory store's LRU and TTL) leave the index at once.
  const stopWatching = store.watchRemovals?.((key) => {
    if (key.startsWith(PREFIX)) index.remove(key);
  });

  /** Entries the caps pushed out of the index leave the store too: unreachable, they would only take room. */
  const dropEvicted = (evicted: readonly string[]) => {
    for (const key of evicted) store.delete(key).catch(() => {});
  };
  /**
   * `prepared` and `guardKey`: the entry's vector already readied and its query's key (the
   * store after a miss), instead of decoding the vector and reading the query's features.
   */
  const addToIndex = (
    key: string,
    entry: CacheEntry,
    location: { partition: string; prepared?: PreparedVector; guardKey?: number },
  ) => {
    if (!entry.vector) return false;
    const result = index.add({
      id: key,
      namespace: entry.namespace ?? "",
      partition: location.partition,
      vector: location.prepared ?? decodeVector(entry.vector),
      expiresAt: entry.storedAt + entry.freshMs,
      // With the guard on, lookups compare only entries of their key (see lookup).
      key: guard ? (location.guardKey ?? guardKey(textFeatures(entry.query ?? ""))) : undefined,
    });
    dropEvicted(result.evicted);
    return result.added;
  };

  const storeError = (operation: string, error: unknown, ctx: RequestContext) => {
    ctx.events.emit({
      type: "cache-error",
      operation,
      message: error instanceof Error ? error.message : String(error),
    });
  };

  /**
   * Loads the store's semantic entries into the in-memory index (at start, then now and
   * then). First it takes out of the index what the store no longer holds (evicted or
   * expired there, e.g. by Redis's maxmemory policy), so that stale entries, not live
   * ones, make room for what it adds.
   */
  const resync = (): Promise<number> => {
    syncing ??= (async () => {
      let added = 0;
      let failed = true;
      const startedAt = Date.now();
      const present = new Set<string>();
      try {
        // A batch at a time, letting the event loop run between batches: with an in-memory
        // store every batch resolves at once, so the whole scan (a full 10,000-key store:
        // 17-29 ms of CPU, measured in a service profile) ran as one stall, once a minute.
        for await (const keys of store.scan(PREFIX)) {
          for (const key of keys) present.add(key);
          await new Promise((resolve) => setImmediate(resolve));
        }
        index.reconcile(present, startedAt);
        for (const key of present) {
          if (index.has(key)) continue;
          const entry = decodeEntry(await store.get(key));
          if (!entry || entry.embedder !== embedder.name || entry.storedAt + entry.freshMs <= Date.now()) continue;
          if (addToIndex(key, entry, { partition: key.slice(PREFIX.length, key.lastIndexOf(":")) })) added++;
        }
        failed = false;
      } finally {
        lastSync = Date.now();
        syncing = undefined;
        retryAt = failed ? lastSync + retryDelayMs : undefined;
        retryDelayMs = failed ? Math.min(retryDelayMs * 2, MAX_RETRY_MS) : FIRST_RETRY_MS;
      }
      return added;
    })();
    return syncing;
  };
  const ready = resync().catch(() => 0);
  const resyncDue = (now: number): boolean =>
    retryAt !== undefined ? now >= retryAt : resyncIntervalMs > 0 && now - lastSync > resyncIntervalMs;

  const plan = (request: ChatRequest, ctx: RequestContext): SemanticPlan | undefined | "not-cached" => {
    const control = cacheControlOf(request);
    if (control.mode === "bypass") return undefined;
    const policy = policyOf(request.model);
    const last = request.messages.at(-1);
    const usable =
      policy.enabled &&
      (policy.cacheNonDeterministic || isDeterministic(request)) &&
      request.messages.length <= maxMessages &&
      last?.role === "user";
    if (!usable || !last) return control.mode === "only-if-cached" ? "not-cached" : undefined;
    const system = options.includeSystemPrompt ? request.messages.filter((message) => message.role === "system") : [];
    const partitionRequest = options.includeSystemPrompt
      ? { ...request, messages: request.messages.filter((message) => message.role !== "system") }
      : request;
    const text = [...system.map((message) => message.content), last.content].join("\n");
    const namespace = namespaceOf(ctx.tenant, sharedNamespaces);
    const partition = semanticPartition(partitionRequest, {
      namespace,
      scope: keyScope?.(request),
      embedder: embedder.name,
    });
    return {
      key: { partition, text, namespace },
      mode: control.mode,
      policy,
      ttlMs: control.ttlMs ?? policy.ttlMs,
      startedAt: Date.now(),
    };
  };

  const embed = async (current: SemanticPlan, ctx: RequestContext): Promise<number[] | undefined> => {
    try {
      current.vector ??= (await embedder.embed([current.key.text], ctx))[0];
      return current.vector;
    } catch (error) {
      storeError("embed", error, ctx);
      return undefined;
    }
  };

  /** The best fresh entry above the threshold that passes the guard and `verify`. */
  const lookup = async (
    request: ChatRequest,
    ctx: RequestContext,
    current: SemanticPlan,
  ): Promise<{ generation: Generation; similarity: number } | undefined> => {
    if (!syncing && resyncDue(Date.now())) resync().catch(() => {});
    const vector = await embed(current, ctx);
    if (!vector) return undefined;
    // With the guard on, only entries whose query has this one's guard key could be served
    // (the guard rejects any other), so the index compares those alone: a bucket, not the
    // whole partition. The guard still checks names and directions below.
    const queryFeatures = guard ? textFeatures(current.key.text) : undefined;
    if (queryFeatures) current.guardKey ??= guardKey(queryFeatures);
    current.prepared ??= index.prepare(vector);
    for (const candidate of index.search(current.key.partition, current.prepared, {
      count: 4,
      minSimilarity: threshold,
      key: current.guardKey,
    })) {
      if (candidate.similarity < threshold) break;
      let entry: CacheEntry | undefined;
      try {
        entry = decodeEntry(await store.get(candidate.id));
      } catch (error) {
        storeError("get", error, ctx);
        return undefined;
      }
      if (!entry) {
        index.remove(candidate.id);
        continue;
      }
      if (!isFresh(entry, current.policy, Date.now())) continue;
      if (queryFeatures && guardRejection(queryFeatures, textFeatures(entry.query ?? "")) !== undefined) continue;
      if (verify && !verify(request, entry.generation)) continue;
      index.touch(candidate.id);
      return { generation: entry.generation, similarity: candidate.similarity };
    }
    return undefined;
  };

  const write = async (generation: Generation, ctx: RequestContext, current: SemanticPlan): Promise<void> => {
    if (!isStorable(generation)) return;
    const vector = await embed(current, ctx);
    if (!vector) return;
    // The text's hash is the entry's hash tag: its lock shares its slot (see exactCacheKey).
    const id = `${PREFIX}${current.key.partition}:${hashTag(sha256(canonicalJson(current.key.text)).slice(0, 32))}`;
    const entry: CacheEntry = {
      v: 1,
      storedAt: Date.now(),
      freshMs: current.ttlMs,
      generation,
      query: current.key.text,
      // The lookup's preparation holds the vector's float32 values already.
      vector: encodeVector(current.prepared?.values ?? vector),
      embedder: embedder.name,
      namespace: current.key.namespace,
    };
    try {
      const result = await store.set(id, encodeEntry(entry), { ttlMs: current.ttlMs });
      ctx.events.emit(
        result.stored
          ? { type: "cache-store", kind: "semantic", bytes: result.bytes }
          : { type: "cache-store", kind: "semantic", bytes: result.bytes, skipped: result.reason },
      );
      // The lookup's preparation holds the same float32 values the entry's encoded vector decodes to.
      if (result.stored)
        addToIndex(id, entry, {
          partition: current.key.partition,
          prepared: current.prepared,
          guardKey: current.guardKey,
        });
    } catch (error) {
      storeError("set", error, ctx);
    }
  };

  return {
    plan,
    lookup,
    write,
    ready,
    resync,
    index,
    /** Stops listening to the store's removals (the store itself stays open). */
    close: () => stopWatching?.(),
    replayChunkChars: options.replayChunkChars ?? 64,
  };
}

export type SemanticCacheEngine = ReturnType<typeof createSemanticCacheEngine>;
