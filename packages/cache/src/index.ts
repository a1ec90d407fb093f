export type { CacheStore, CacheValue, StoreHealth, StoreLock, StoreSetResult } from "./store.ts";
export { createMemoryStore, type MemoryStoreOptions } from "./memory-store.ts";
export { createRedisStore, type RedisStoreOptions } from "./redis-store.ts";
export type { RoutePolicy } from "./policy.ts";
export type { CoalesceOptions } from "./coalescer.ts";
export { exactCacheKey, KEY_SCHEMA_VERSION, type CacheKeyOptions } from "./cache-key.ts";
export { exactCacheMiddleware, type ExactCacheOptions } from "./exact-cache.ts";
