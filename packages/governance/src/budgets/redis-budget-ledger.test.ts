import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import type { GovernanceEvent } from "../shared/events.ts";
import { describeBudgetLedgerContract } from "../test-support/budget-ledger-contract.ts";
import { uniquePrefix, useRedisServer } from "../test-support/redis-fixture.ts";
import { watchCommands } from "../test-support/command-watcher.ts";
import { eventually } from "../test-support/temporary-directory.ts";
import { createRedisBudgetLedger } from "./redis-budget-ledger.ts";

const redis = useRedisServer();

describeBudgetLedgerContract("Redis", () => {
  const keyPrefix = uniquePrefix("budget");
  return (options) => createRedisBudgetLedger({ ...options, redis: { client: redis.client(), keyPrefix } });
});

describe("the Redis budget ledger", () => {
  it("keeps a tenant's counters under one hash tag, each with a TTL, amounts as integers", async () => {
    const keyPrefix = uniquePrefix("budget-layout");
    const client = redis.client();
    const now = Date.parse("2025-05-17T12:00:00Z");
    const ledger = createRedisBudgetLedger({ redis: { client, keyPrefix }, now: () => now });
    const reservation = await ledger.reserve({
      tenant: "acme",
      tenantBudget: { dailyUsd: 1 },
      key: { id: "key1", budget: { monthlyUsd: 5 } },
      maxCostMicroUsd: 2_500,
    });
    const keys = (await client.keys(`${keyPrefix}*`)).sort();
    expect(keys).toEqual(
      [
        `${keyPrefix}budget:{acme}:key:key1:day:2025-05-17`,
        `${keyPrefix}budget:{acme}:key:key1:day:2025-05-17:expiries`,
        `${keyPrefix}budget:{acme}:key:key1:month:2025-05`,
        `${keyPrefix}budget:{acme}:key:key1:month:2025-05:expiries`,
        `${keyPrefix}budget:{acme}:tenant:day:2025-05-17`,
        `${keyPrefix}budget:{acme}:tenant:day:2025-05-17:expiries`,
        `${keyPrefix}budget:{acme}:tenant:month:2025-05`,
        `${keyPrefix}budget:{acme}:tenant:month:2025-05:expiries`,
      ].sort(),
    );
    for (const key of keys) expect(Number(await client.pttl(key))).toBeGreaterThan(30 * 86_400_000);
    expect(await client.hgetall(`${keyPrefix}budget:{acme}:tenant:day:2025-05-17`)).toEqual({
      reserved: "2500",
      [`r:${reservation.id}`]: "2500",
    });
    await ledger.settle(reservation, 1_234);
    expect(await client.hgetall(`${keyPrefix}budget:{acme}:tenant:day:2025-05-17`)).toEqual({
      reserved: "0",
      spent: "1234",
    });
    expect(await client.zcard(`${keyPrefix}budget:{acme}:tenant:day:2025-05-17:expiries`)).toBe(0);
    await ledger.close();
  });

  it("fails open by default when Redis is down (the call goes through unreserved), or closed when told", async () => {
    const events: GovernanceEvent[] = [];
    const keyPrefix = uniquePrefix("budget-outage");
    const options = {
      redis: { url: redis.server.url, keyPrefix, commandTimeoutMs: 200 },
      onEvent: (event: GovernanceEvent) => events.push(event),
    };
    const open = createRedisBudgetLedger(options);
    const closed = createRedisBudgetLedger({ ...options, failMode: "closed" });
    await eventually(() => open.health().ok && closed.health().ok, { message: "connected" });
    const request = { tenant: "acme", tenantBudget: { dailyUsd: 1 }, maxCostMicroUsd: 10_000 };
    const before = await open.reserve(request);
    await redis.server.kill();
    try {
      const unreserved = await open.reserve(request);
      expect(unreserved.held).toBe(false);
      expect(events.at(-1)).toMatchObject({ type: "governance-unavailable", part: "budget-ledger", failMode: "open" });
      const error = await closed.reserve(request).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(KeelError.isInstance(error) && [error.code, error.details.reason]).toEqual([
        "UPSTREAM_UNAVAILABLE",
        "budget-ledger-unavailable",
      ]);
      // Settling while Redis is down reports and returns; it never fails the finished call.
      await open.settle(before, 5_000);
      expect(events.at(-1)).toMatchObject({ type: "governance-store-error", operation: "settle" });
      const status = await open.status(request).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(KeelError.isInstance(status) && status.code).toBe("UPSTREAM_UNAVAILABLE");
    } finally {
      await redis.server.start();
    }
    await Promise.all([open.close(), closed.close()]);
  }, 15_000);
});

describe("budget round trips", () => {
  it("sends one command to reserve and one to settle, whatever the number of scopes (MONITOR)", async () => {
    const client = redis.client();
    const ledger = createRedisBudgetLedger({ redis: { client, keyPrefix: uniquePrefix("budget-trips") } });
    const request = {
      tenant: "acme",
      tenantBudget: { dailyUsd: 10, monthlyUsd: 100 },
      key: { id: "k", budget: { dailyUsd: 1 } },
    };
    await ledger.settle(await ledger.reserve({ ...request, maxCostMicroUsd: 10 }), 5); // loads the scripts
    // Only this client's commands count: others (reconnecting after an earlier test) may talk too.
    const address = /addr=(\S+)/.exec(String(await client.client("INFO")))?.[1];
    const watcher = await watchCommands({ port: redis.server.port, clientAddress: address ?? "" });
    for (let index = 0; index < 5; index++)
      await ledger.settle(await ledger.reserve({ ...request, maxCostMicroUsd: 10 }), 5);
    await eventually(() => watcher.commands.length >= 10, { message: "MONITOR reported the commands" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watcher.commands).toEqual(Array(10).fill("evalsha"));
    watcher.stop();
    await ledger.close();
  });
});
