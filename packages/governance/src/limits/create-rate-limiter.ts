import type { RedisOptions } from "../shared/redis-connection.ts";
import { createMemoryRateLimiter } from "./memory-rate-limiter.ts";
import type { FailMode, RateLimiter, RateLimiterOptions } from "./rate-limit-types.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";

/** Shared limits on Redis when `redis` is given, else limits in this process's memory. */
export function createRateLimiter(
  options: RateLimiterOptions & { redis?: RedisOptions; failMode?: FailMode } = {},
): RateLimiter {
  const { redis, failMode, ...common } = options;
  return redis ? createRedisRateLimiter({ ...common, redis, failMode }) : createMemoryRateLimiter(common);
}
