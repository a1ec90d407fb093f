// Two limiter instances on a local Redis Cluster, admitting one tenant above its limit,
// while the master holding the tenant's keys is SIGKILLed and its replica promoted.
import { startRedisCluster, type RedisClusterHandle } from "@keel/testkit";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix } from "../test-support/redis-fixture.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";

let cluster: RedisClusterHandle | undefined;
const clients: Cluster[] = [];
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

/** A fail-fast client as a service would give the limiter: no offline queue, reads from masters. */
async function failFastClient(): Promise<Cluster> {
  if (!cluster) throw new Error("the cluster is used before beforeAll ran");
  const client = new Cluster(
    cluster.seeds.map((seed) => ({ host: "127.0.0.1", port: Number(seed.slice(seed.lastIndexOf(":") + 1)) })),
    { scaleReads: "master", enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 0 } },
  );
  client.on("error", () => {});
  clients.push(client);
  while (client.status !== "ready") await new Promise((resolve) => setTimeout(resolve, 20));
  return client;
}

describe("the Redis rate limiter through a master failover", () => {
  it("fails closed during the election and never admits more than one extra burst", async () => {
    const periodMs = 1_000;
    const limit = 20; // per period: GCRA admits at most limit + elapsed * limit / periodMs
    const keyPrefix = uniquePrefix("failover");
    const limiters = await Promise.all(
      [1, 2].map(async () =>
        createRedisRateLimiter({
          redis: { client: await failFastClient(), keyPrefix, commandTimeoutMs: 500 },
          failMode: "closed",
          periodMs,
        }),
      ),
    );
    const outcomes: { at: number; code: string }[] = [];
    let running = true;
    const worker = async (index: number) => {
      while (running) {
        const admission = await limiters[index % 2]!.admit({
          tenant: "acme",
          tenantLimits: { requestsPerMinute: limit },
          tokens: 1,
        });
        outcomes.push({ at: Date.now(), code: admission.admitted ? "ADMITTED" : admission.error.code });
        if (admission.admitted) await admission.lease.release();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const started = Date.now();
    const workers = [0, 1, 2, 3].map(worker);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const failover = await cluster!.killMaster({ key: "{acme}" });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    running = false;
    await Promise.all(workers);
    const elapsedMs = Date.now() - started;
    await Promise.all(limiters.map((limiter) => limiter.close()));

    const admitted = outcomes.filter((outcome) => outcome.code === "ADMITTED");
    const unavailable = outcomes.filter((outcome) => outcome.code === "UPSTREAM_UNAVAILABLE");
    const healedAt = failover.killedAt + failover.healthyAfterMs;
    // The documented bound: the limit over the run, plus one burst the dead master may not have replicated.
    const bound = limit + Math.ceil((elapsedMs * limit) / periodMs) + limit;
    expect(admitted.length).toBeLessThanOrEqual(bound);
    expect(
      outcomes.filter((outcome) => !["ADMITTED", "RATE_LIMITED", "UPSTREAM_UNAVAILABLE"].includes(outcome.code)),
    ).toEqual([]);
    // Refusals while the tenant's master was gone, none after the cluster healed...
    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable.filter((outcome) => outcome.at > healedAt + 1_000)).toEqual([]);
    // ...and admissions resumed at the limit's pace.
    expect(admitted.filter((outcome) => outcome.at > healedAt).length).toBeGreaterThan(0);
    console.info(
      `rate limiter failover: ${outcomes.length} admissions asked over ${elapsedMs} ms, ${admitted.length} admitted ` +
        `(bound ${bound}), ${unavailable.length} refused as unavailable during the election; promoted after ` +
        `${failover.promotedAfterMs} ms, healthy after ${failover.healthyAfterMs} ms`,
    );
  }, 60_000);
});
