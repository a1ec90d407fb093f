import { LRUCache } from "lru-cache";
import { positiveOption } from "./options.ts";
import {
  byteLength,
  DEFAULT_MAX_ENTRY_BYTES,
  lockToken,
  type CacheStore,
  type CacheValue,
  type StoreLock,
} from "./store.ts";

export interface MemoryStoreOptions {
  /** Most entries kept (least recently used are evicted). Default 10,000. */
  maxEntries?: number;
  /**
   * Most bytes kept across all entries (values and keys). Default 32 MiB: a service's whole
   * goal is 150 MB of RSS (issue 14), and 10,000 misses of the benchmark (exact entries of
   * ~1 KB, semantic ones of ~4 KB with their vector) take ~27 MB, so the entry cap binds
   * first there and this one when answers are large.
   */
  maxBytes?: number;
  /** Larger entries are not stored. Default 512 KiB. */
  maxEntryBytes?: number;
}

/** The default byte budget of a memory store (see `maxBytes`). */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** A bounded in-process store on lru-cache: per-entry TTL, entry and byte limits. */
export function createMemoryStore(options: MemoryStoreOptions = {}): CacheStore {
  const maxEntryBytes = Math.floor(
    positiveOption({ value: options.maxEntryBytes, fallback: DEFAULT_MAX_ENTRY_BYTES, field: "maxEntryBytes" }),
  );
  const removalListeners = new Set<(key: string) => void>();
  const entries = new LRUCache<string, CacheValue>({
    max: Math.floor(positiveOption({ value: options.maxEntries, fallback: 10_000, field: "maxEntries" })),
    maxSize: Math.floor(positiveOption({ value: options.maxBytes, fallback: DEFAULT_MAX_BYTES, field: "maxBytes" })),
    sizeCalculation: (value, key) => byteLength(value) + key.length,
    // "set" replaces a value under the same key: nothing left the store.
    disposeAfter: (_value, key, reason) => {
      if (reason !== "set") for (const listener of removalListeners) listener(key);
    },
  });
  // Locks live apart from entries so eviction pressure never drops a held lock.
  const locks = new Map<string, { token: string; expiresAt: number }>();

  return {
    kind: "memory",
    maxEntryBytes,
    async get(key) {
      const value = entries.get(key);
      return value === undefined || typeof value === "string" ? value : value.toString("utf8");
    },
    async getBuffer(key) {
      const value = entries.get(key);
      return value === undefined || Buffer.isBuffer(value) ? value : Buffer.from(value);
    },
    async set(key, value, { ttlMs }) {
      const bytes = byteLength(value);
      if (bytes > maxEntryBytes) return { stored: false, bytes, reason: "too-large" };
      entries.set(key, value, { ttl: Math.max(1, Math.ceil(ttlMs)) });
      return { stored: true, bytes };
    },
    async delete(key) {
      entries.delete(key);
    },
    async tryLock(key, ttlMs): Promise<StoreLock | undefined> {
      const now = Date.now();
      const held = locks.get(key);
      if (held && held.expiresAt > now) return undefined;
      const token = lockToken();
      locks.set(key, { token, expiresAt: now + ttlMs });
      return {
        token,
        async release() {
          if (locks.get(key)?.token === token) locks.delete(key);
        },
      };
    },
    async *scan(prefix) {
      const batch: string[] = [];
      for (const key of entries.keys()) {
        if (!key.startsWith(prefix)) continue;
        batch.push(key);
        if (batch.length >= 500) yield batch.splice(0);
      }
      if (batch.length > 0) yield batch;
    },
    async health() {
      return { ok: true, kind: "memory", message: `${entries.size} entries, ${entries.calculatedSize} bytes` };
    },
    async close() {
      entries.clear();
      locks.clear();
    },
    watchRemovals(listener) {
      removalListeners.add(listener);
      return () => removalListeners.delete(listener);
    },
  };
}
