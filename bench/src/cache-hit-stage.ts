import { Redis } from "ioredis";
import type { LoadResult } from "./open-loop.ts";
import { runOpenLoop } from "./open-loop.ts";
import { runOpenLoopCalls } from "./open-loop-calls.ts";
import type { Gateway } from "./request-path-processes.ts";
import { trpcCacheHitTarget } from "./request-targets.ts";

export interface CacheHitStage {
  rate: number;
  hit: LoadResult;
  redisGet: LoadResult;
  entryBytes: number;
}

/**
 * An exact-cache hit through tRPC (cache in Redis) against a bare GET of the very entry it
 * reads, through ioredis, at the same open-loop rate: hit minus GET is everything Keel
 * does around the store.
 */
export async function runCacheHitStage(options: {
  gateway: Gateway;
  redisUrl: string;
  rate: number;
  durationMs: number;
}): Promise<CacheHitStage> {
  const { gateway, rate, durationMs } = options;
  const target = trpcCacheHitTarget(gateway.origins?.[0] as string);
  const url = target.url as string;
  for (let attempt = 0; attempt < 2; attempt += 1)
    await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: target.body as string });
  const check = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: target.body as string,
  });
  const text = await check.text();
  if (!target.isSuccess?.(check.status, text))
    throw new Error(`the request after priming was not a hit: ${text.slice(0, 300)}`);

  const client = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const [key] = await client.keys("*cache:exact:*");
    if (!key) throw new Error("no exact-cache entry in Redis after priming");
    const entryBytes = await client.strlen(key);
    const get = async () => (await client.getBuffer(key)) !== null;
    await runOpenLoop(target, { rate, durationMs: 3_000 });
    const hit = await runOpenLoop(target, { rate, durationMs });
    await runOpenLoopCalls("redis GET", get, { rate, durationMs: 1_000 });
    const redisGet = await runOpenLoopCalls("redis GET", get, { rate, durationMs });
    return { rate, hit, redisGet, entryBytes };
  } finally {
    client.disconnect();
  }
}
