/** A cached value: a string (JSON entries) or a Buffer. */
export type CacheValue = string | Buffer;

/** What `set` did. An entry over `maxEntryBytes` is not stored, and the result says so. */
export type StoreSetResult = { stored: true; bytes: number } | { stored: false; bytes: number; reason: "too-large" };

/** A held lock: release it when the work is done (it also expires by itself). */
export interface StoreLock {
  readonly token: string;
  release(): Promise<void>;
}

export interface StoreHealth {
  ok: boolean;
  kind: "memory" | "redis" | "redis-cluster";
  message?: string;
}

/**
 * Where caches keep their entries. Two implementations pass one shared test suite:
 * `createMemoryStore` (bounded LRU) and `createRedisStore` (ioredis, single node or
 * Cluster). The memory store never throws; the Redis store throws (quickly, within its
 * command timeout) when Redis is unreachable, and the middlewares turn that into a miss.
 */
export interface CacheStore {
  readonly kind: StoreHealth["kind"];
  readonly maxEntryBytes: number;
  /** The value as UTF-8 text (entries written by the middlewares are JSON text). */
  get(key: string): Promise<string | undefined>;
  /** The value as bytes, for binary values. */
  getBuffer(key: string): Promise<Buffer | undefined>;
  /** Stores with a time to live; entries over maxEntryBytes are refused, not stored. */
  set(key: string, value: CacheValue, options: { ttlMs: number }): Promise<StoreSetResult>;
  delete(key: string): Promise<void>;
  /**
   * A short exclusive lock (Redis: SET NX PX) for cross-instance request coalescing.
   * Undefined when another holder has it.
   */
  tryLock(key: string, ttlMs: number): Promise<StoreLock | undefined>;
  /** Keys starting with `prefix`, in batches (SCAN on Redis; every master on a Cluster). */
  scan(prefix: string): AsyncIterable<string[]>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
  /**
   * Calls `listener` with each key the store drops (evicted for room, expired, deleted);
   * returns an unsubscribe function. Only where the store can tell (the memory store);
   * the semantic cache reconciles with `scan` where it cannot (Redis).
   */
  watchRemovals?(listener: (key: string) => void): () => void;
}

export function byteLength(value: CacheValue): number {
  return typeof value === "string" ? Buffer.byteLength(value) : value.byteLength;
}

export function lockToken(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export const DEFAULT_MAX_ENTRY_BYTES = 512 * 1024;
