import { createMemoryLedger } from "./memory-ledger.ts";
import { createRedisLedger, type RedisLedgerOptions } from "./redis-ledger.ts";
import type { UsageLedger } from "./types.ts";

export interface LedgerOptions extends Partial<Omit<RedisLedgerOptions, "now">> {
  /** Days kept in memory when there is no Redis. Default 400. */
  retentionDays?: number;
}

/** In memory by default; in Redis when `redisUrl` or `client` (a Redis or Cluster you own) is given. */
export function createUsageLedger(options: LedgerOptions = {}, now: () => number = Date.now): UsageLedger {
  if (options.redisUrl !== undefined || options.client !== undefined) return createRedisLedger({ ...options, now });
  return createMemoryLedger({ retentionDays: options.retentionDays, now });
}
