import type { KeelConfig } from "../config/schema.ts";
import { parseRedisUrl, redisUrlForDisplay } from "../redis/redis-target.ts";
import { pingRedis } from "./redis-ping.ts";
import { StartupError } from "./startup-error.ts";

/**
 * Before a process builds its pipeline and takes traffic: a configured Redis must answer
 * (unless `redis.required: false`). Keel fails open at run time, so a Redis that goes
 * away later costs cache hits, not answers; but one unreachable at the start is almost
 * always a wrong REDIS_URL, and starting anyway would hide it. For a cluster, one seed
 * that answers is enough: it gives the client the whole slot map.
 */
export async function checkStartup(config: KeelConfig, options: { timeoutMs?: number } = {}): Promise<void> {
  const redis = config.redis;
  if (redis === undefined || !redis.required) return;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const problems: string[] = [];
  for (const url of pingUrls(redis.url)) {
    const problem = await pingRedis(url, timeoutMs);
    if (problem === undefined) return;
    problems.push(problem);
  }
  throw new StartupError(
    `cannot reach Redis at ${redisUrlForDisplay(redis.url)} (${[...new Set(problems)].join("; ")}). ` +
      "Start Redis or correct REDIS_URL (or redis.url); unset it to keep the cache and the usage ledger in memory, " +
      "or set redis.required: false to start without it.",
  );
}

/** The URL itself, or one redis:// URL per cluster seed. */
function pingUrls(url: string): string[] {
  const target = parseRedisUrl(url);
  if ("problem" in target || target.kind === "single") return [url];
  const scheme = target.tls ? "rediss" : "redis";
  return target.nodes.map(({ host, port }) => `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`);
}
