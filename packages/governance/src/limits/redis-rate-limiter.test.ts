import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import type { GovernanceEvent } from "../shared/events.ts";
import { describeRateLimiterContract } from "../test-support/rate-limiter-contract.ts";
import { uniquePrefix, useRedisServer } from "../test-support/redis-fixture.ts";
import { watchCommands } from "../test-support/command-watcher.ts";
import { eventually } from "../test-support/temporary-directory.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";

const redis = useRedisServer();

// Each call opens an instance with a client of its own on one Redis and one key prefix.
describeRateLimiterContract("Redis", () => {
  const keyPrefix = uniquePrefix("rl");
  return (options) => createRedisRateLimiter({ ...options, redis: { client: redis.client(), keyPrefix } });
});

describe("the Redis rate limiter", () => {
  it("keeps every key of a tenant under one hash tag, each with a TTL", async () => {
    const keyPrefix = uniquePrefix("layout");
    const client = redis.client();
    const limiter = createRedisRateLimiter({ redis: { client, keyPrefix } });
    const limits = { requestsPerMinute: 10, tokensPerMinute: 1_000, concurrency: 5 };
    const admission = await limiter.admit({
      tenant: "acme {corp}",
      tenantLimits: limits,
      key: { id: "k{1}", limits },
      tokens: 100,
    });
    expect(admission.admitted).toBe(true);
    const keys = (await client.keys(`${keyPrefix}*`)).sort();
    const tag = `{~${Buffer.from("acme {corp}").toString("base64url")}}`;
    const keyPart = `~${Buffer.from("k{1}").toString("base64url")}`;
    expect(keys).toEqual(
      [
        `${keyPrefix}rl:${tag}:key:${keyPart}:conc`,
        `${keyPrefix}rl:${tag}:key:${keyPart}:rate`,
        `${keyPrefix}rl:${tag}:tenant:conc`,
        `${keyPrefix}rl:${tag}:tenant:rate`,
      ].sort(),
    );
    // Redis Cluster hashes the text between the first { and the next }: the same for all four.
    const tags = keys.map((key) => key.slice(key.indexOf("{") + 1, key.indexOf("}")));
    expect(new Set(tags).size).toBe(1);
    for (const key of keys) expect(Number(await client.pttl(key))).toBeGreaterThan(0);
    await limiter.close();
  });

  it("fails open by default when Redis is down, and says so through an event", async () => {
    const events: GovernanceEvent[] = [];
    const keyPrefix = uniquePrefix("open");
    const limiter = createRedisRateLimiter({
      redis: { url: redis.server.url, keyPrefix, commandTimeoutMs: 200 },
      onEvent: (event) => events.push(event),
    });
    const closed = createRedisRateLimiter({
      redis: { url: redis.server.url, keyPrefix, commandTimeoutMs: 200 },
      failMode: "closed",
    });
    await eventually(() => limiter.health().ok && closed.health().ok, { message: "connected" });
    const request = { tenant: "acme", tenantLimits: { requestsPerMinute: 1 }, tokens: 0 };
    expect((await limiter.admit(request)).admitted).toBe(true);
    expect((await limiter.admit(request)).admitted).toBe(false);
    await redis.server.kill();
    try {
      const started = Date.now();
      const open = await limiter.admit(request);
      expect(open).toMatchObject({ admitted: true, headers: {}, scopes: [] });
      expect(events.at(-1)).toMatchObject({ type: "governance-unavailable", part: "rate-limiter", failMode: "open" });
      const refusal = await closed.admit(request);
      expect(Date.now() - started).toBeLessThan(1_000);
      if (refusal.admitted) throw new Error("a fail-closed limiter admitted without Redis");
      expect([refusal.error.code, refusal.error.retryable, refusal.error.details.reason]).toEqual([
        "UPSTREAM_UNAVAILABLE",
        true,
        "rate-limiter-unavailable",
      ]);
    } finally {
      await redis.server.start();
    }
    await eventually(() => limiter.health().ok, { timeoutMs: 5_000, message: "reconnected" });
    expect((await limiter.admit(request)).admitted).toBe(true);
    await Promise.all([limiter.close(), closed.close()]);
  }, 15_000);

  it("bounds a hung Redis by the command timeout and fails open", async () => {
    const client = redis.client();
    const limiter = createRedisRateLimiter({
      redis: { client, keyPrefix: uniquePrefix("hung"), commandTimeoutMs: 100 },
    });
    const request = { tenant: "acme", tenantLimits: { requestsPerMinute: 100 }, tokens: 0 };
    expect((await limiter.admit(request)).scopes).toHaveLength(1);
    const blocker = new Redis(redis.server.url);
    await blocker.client("PAUSE", 500, "ALL");
    const started = Date.now();
    const admission = await limiter.admit(request);
    const elapsed = Date.now() - started;
    expect(admission).toMatchObject({ admitted: true, scopes: [] });
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(400);
    blocker.disconnect();
    await limiter.close();
  });

  it("loads its scripts again after Redis lost them (restart, SCRIPT FLUSH)", async () => {
    const client = redis.client();
    const limiter = createRedisRateLimiter({ redis: { client, keyPrefix: uniquePrefix("flush") } });
    const request = { tenant: "acme", tenantLimits: { requestsPerMinute: 2 }, tokens: 0 };
    expect((await limiter.admit(request)).admitted).toBe(true);
    await client.script("FLUSH");
    expect((await limiter.admit(request)).admitted).toBe(true);
    expect((await limiter.admit(request)).admitted).toBe(false);
    await limiter.close();
  });
});

describe("naughty tenants and key ids in the Redis limiter", () => {
  it("counts each naughty tenant and key id apart, or refuses it as BAD_REQUEST", async () => {
    const { NAUGHTY_STRINGS } = await import("../test-support/naughty-strings.ts");
    const { KeelError } = await import("@keel/spec");
    const limiter = createRedisRateLimiter({ redis: { client: redis.client(), keyPrefix: uniquePrefix("naughty") } });
    const limits = { requestsPerMinute: 1 };
    let counted = 0;
    let refused = 0;
    const distinct = new Set(NAUGHTY_STRINGS);
    for (const text of distinct) {
      const outcome = await limiter
        .admit({ tenant: text, tenantLimits: limits, key: { id: text, limits }, tokens: 0 })
        .then(
          (admission) => admission,
          (error: unknown) => error,
        );
      if (KeelError.isInstance(outcome)) {
        expect(outcome.code).toBe("BAD_REQUEST");
        refused++;
        continue;
      }
      // Every tenant and key id has a bucket of its own: the first request of each passes.
      expect(outcome).toMatchObject({ admitted: true });
      counted++;
    }
    expect(counted + refused).toBe(distinct.size);
    expect(refused).toBeLessThan(20);
    await limiter.close();
  }, 30_000);
});

describe("round trips", () => {
  it("sends exactly one command per admission of key and tenant, and one per release (MONITOR)", async () => {
    const client = redis.client();
    const limiter = createRedisRateLimiter({ redis: { client, keyPrefix: uniquePrefix("trips") } });
    const limits = { requestsPerMinute: 100, tokensPerMinute: 100_000, concurrency: 10 };
    const request = { tenant: "acme", tenantLimits: limits, key: { id: "k", limits }, tokens: 100 };
    const warm = await limiter.admit(request); // loads the scripts (EVALSHA, then EVAL once)
    if (!warm.admitted) throw warm.error;
    await warm.lease.release({ actualTokens: 50 });
    // Only this client's commands count: others (reconnecting after an earlier test) may talk too.
    const address = /addr=(\S+)/.exec(String(await client.client("INFO")))?.[1];
    const watcher = await watchCommands({ port: redis.server.port, clientAddress: address ?? "" });
    for (let index = 0; index < 10; index++) {
      const admission = await limiter.admit(request);
      if (!admission.admitted) throw admission.error;
      await admission.lease.release({ actualTokens: 80 });
    }
    await eventually(() => watcher.commands.length >= 20, { message: "MONITOR reported the commands" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watcher.commands).toEqual(Array(20).fill("evalsha"));
    watcher.stop();
    await limiter.close();
  });
});
