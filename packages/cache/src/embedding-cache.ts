import type { EmbeddingResult, Middleware } from "@keel/spec";
import { hashTag } from "./cache-key.ts";
import { canonicalJson, sha256 } from "./canonical-json.ts";
import { decodeVector, encodeVector } from "./entry.ts";
import { positiveOption } from "./options.ts";
import { namespaceOf } from "./policy.ts";
import type { CacheStore } from "./store.ts";

export interface EmbeddingCacheOptions {
  store: CacheStore;
  /** Default 604,800 s (7 days): an embedding of a text by a model does not change. */
  ttlSeconds?: number;
  /** tenant -> namespace, as for the exact cache. Default: each tenant alone. */
  sharedNamespaces?: Record<string, string>;
}

interface StoredVector {
  provider: string;
  vector: string;
}

/**
 * Caches embeddings per text, per model, per tenant namespace: only the texts not cached
 * go upstream (once each, even when repeated in one request). Vectors are stored as
 * float32, the precision embedding APIs send.
 */
export function embeddingCacheMiddleware(options: EmbeddingCacheOptions): Middleware {
  const { store, sharedNamespaces } = options;
  const ttlMs = positiveOption({ value: options.ttlSeconds, fallback: 604_800, field: "ttlSeconds" }) * 1_000;
  return {
    name: "embedding-cache",
    async wrapEmbed({ request, ctx, next }): Promise<EmbeddingResult> {
      if (request.input.length === 0) return next(request, ctx);
      const namespace = namespaceOf(ctx.tenant, sharedNamespaces);
      const keys = request.input.map(
        (text) => `emb:${hashTag(sha256(canonicalJson({ v: 1, namespace, model: request.model, text })))}`,
      );
      let found: Array<StoredVector | undefined>;
      try {
        found = (await Promise.all(keys.map((key) => store.get(key)))).map(parseStored);
      } catch (error) {
        ctx.events.emit({
          type: "cache-error",
          operation: "get",
          message: error instanceof Error ? error.message : String(error),
        });
        found = keys.map(() => undefined);
      }
      const vectors: Array<number[] | undefined> = found.map((stored) =>
        stored ? decodeVector(stored.vector) : undefined,
      );
      const missing = [...new Set(request.input.filter((_, index) => vectors[index] === undefined))];
      const hits = vectors.filter((vector) => vector !== undefined).length;
      if (hits > 0) ctx.events.emit({ type: "embedding-cache-hit", count: hits });
      if (missing.length === 0) {
        return {
          model: request.model,
          provider: found[0]?.provider ?? "cache",
          vectors: vectors as number[][],
          usage: { promptTokens: 0, totalTokens: 0 },
          cached: true,
        };
      }

      const upstream = await next({ ...request, input: missing }, ctx);
      const fresh = new Map(missing.map((text, index) => [text, upstream.vectors[index]]));
      const writes: Array<Promise<unknown>> = [];
      let bytes = 0;
      for (const [index, text] of request.input.entries()) {
        if (vectors[index] !== undefined) continue;
        const vector = fresh.get(text);
        vectors[index] = vector;
        if (!vector || vectors.indexOf(vector) !== index) continue;
        const value = JSON.stringify({
          provider: upstream.provider,
          vector: encodeVector(vector),
        } satisfies StoredVector);
        bytes += value.length;
        writes.push(store.set(keys[index]!, value, { ttlMs }));
      }
      const results = await Promise.allSettled(writes);
      const failed = results.find((result) => result.status === "rejected");
      if (failed) ctx.events.emit({ type: "cache-error", operation: "set", message: String(failed.reason) });
      else ctx.events.emit({ type: "cache-store", kind: "embedding", bytes });
      return { ...upstream, vectors: vectors as number[][], cached: false };
    },
  };
}

function parseStored(text: string | undefined): StoredVector | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as StoredVector;
    return typeof parsed.vector === "string" && typeof parsed.provider === "string" ? parsed : undefined;
  } catch {
    return undefined;
  }
}
