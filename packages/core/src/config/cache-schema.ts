import { z } from "zod";

/** Config shapes of @keel/cache's options (defaults live in that package). */

export const cachePolicySchema = z.strictObject({
  /** How long a stored answer is fresh. */
  ttlSeconds: z.number().int().positive().optional(),
  /** The oldest answer served as fresh, whatever TTL it was stored with. */
  maxAgeSeconds: z.number().int().positive().optional(),
  /** How long past freshness an answer is kept for stale-if-error (0 = off). */
  staleGraceSeconds: z.number().int().nonnegative().optional(),
  /** Also cache non-deterministic requests (temperature > 0 and no seed). */
  cacheNonDeterministic: z.boolean().optional(),
  enabled: z.boolean().optional(),
  /** The longest `cache.ttlSeconds` a caller may ask for; longer is BAD_REQUEST. Default 86,400 (a day). */
  maxTtlSeconds: z.number().int().positive().optional(),
  /** The `cache.mode`s callers may use; others are FORBIDDEN. Default all four. */
  callerModes: z.array(z.enum(["default", "bypass", "refresh", "only-if-cached"])).optional(),
  /** Let a tenant `refresh` answers of a namespace other tenants share (cache.sharedNamespaces). Default false. */
  sharedRefresh: z.boolean().optional(),
});

export const cacheSchema = z.strictObject({
  /** Policy every route gets; `models.<route>.cache` overrides it field by field. */
  defaults: cachePolicySchema.default({}),
  /**
   * The in-memory store (used when no Redis is configured). Defaults: 10,000 entries,
   * 32 MiB (values and keys), 512 KiB per entry; see @keel/cache's README.
   */
  memory: z
    .strictObject({
      maxEntries: z.number().int().positive().optional(),
      maxBytes: z.number().int().positive().optional(),
      maxEntryBytes: z.number().int().positive().optional(),
    })
    .default({}),
  /** tenant -> namespace: tenants mapped to one namespace share cached answers. Default: none share. */
  sharedNamespaces: z.record(z.string(), z.string()).default({}),
  coalesce: z
    .union([
      z.literal(false),
      z.strictObject({
        lockTtlMs: z.number().int().positive().optional(),
        pollMs: z.number().int().positive().optional(),
      }),
    ])
    .default({}),
  semantic: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Lowest cosine similarity served (the near-miss guard runs as well). */
      threshold: z.number().min(0).max(1).optional(),
      maxMessages: z.number().int().positive().optional(),
      includeSystemPrompt: z.boolean().optional(),
      /** "local" (no network) or an embedding model name from `embeddingModels`. */
      embedder: z.string().default("local"),
      /** Most entries in the semantic index (and so in the store); least recently used leave first. */
      maxEntries: z.number().int().positive().optional(),
      /** Most semantic entries of one tenant namespace. */
      maxEntriesPerNamespace: z.number().int().positive().optional(),
    })
    .prefault({}),
  embeddings: z
    .strictObject({ enabled: z.boolean().default(true), ttlSeconds: z.number().int().positive().optional() })
    .prefault({}),
});
