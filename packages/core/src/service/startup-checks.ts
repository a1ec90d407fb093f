import type { KeelConfig } from "../config/schema.ts";
import { pingRedis } from "./redis-ping.ts";
import { StartupError } from "./startup-error.ts";

/**
 * Before a process builds its pipeline and takes traffic: a configured Redis must answer
 * (unless `redis.required: false`). Keel fails open at run time, so a Redis that goes
 * away later costs cache hits, not answers; but one unreachable at the start is almost
 * always a wrong REDIS_URL, and starting anyway would hide it.
 */
export async function checkStartup(config: KeelConfig, options: { timeoutMs?: number } = {}): Promise<void> {
  const redis = config.redis;
  if (redis === undefined || !redis.required) return;
  const problem = await pingRedis(redis.url, options.timeoutMs ?? 3_000);
  if (problem === undefined) return;
  throw new StartupError(
    `cannot reach Redis at ${withoutPassword(redis.url)} (${problem}). Start Redis or correct REDIS_URL (or redis.url); ` +
      "unset it to keep the cache and the usage ledger in memory, or set redis.required: false to start without it.",
  );
}

/** The URL as it can be printed: a password in it is replaced by `***`. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(an unparsable URL)";
  }
}
