import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { redisTargets } from "@keel/testkit/redis-targets";
import { KeelError, type Generation } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelemetry, type Telemetry, type TelemetryOptions } from "./index.ts";
import { captureLines, makeGeneration, manualClock, runScript } from "./test-support/telemetry-fixtures.ts";

const DAY_ONE = Date.parse("2026-03-01T23:59:00Z");

interface Expected {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  savedUsd: number;
  cacheHits: number;
  estimatedRequests: number;
  errors: number;
}

/** Scripted traffic for two tenants over two UTC days; returns what each tenant's envelopes add up to. */
async function scriptedUsage(
  telemetry: Telemetry,
  clock: ReturnType<typeof manualClock>,
): Promise<Record<string, Expected>> {
  const expected: Record<string, Expected> = {};
  const add = (tenant: string, generation: Generation | undefined, extra: Partial<Expected> = {}) => {
    expected[tenant] ??= {
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      savedUsd: 0,
      cacheHits: 0,
      estimatedRequests: 0,
      errors: 0,
    };
    const totals = expected[tenant];
    totals.requests += 1;
    if (generation !== undefined && generation.cache === "miss") {
      totals.promptTokens += generation.usage.promptTokens;
      totals.completionTokens += generation.usage.completionTokens;
      totals.costUsd += generation.costUsd;
      if (generation.usage.estimated === true) totals.estimatedRequests += 1;
    }
    for (const [key, value] of Object.entries(extra)) totals[key as keyof Expected] += value;
  };
  for (let index = 0; index < 6; index++) {
    const tenant = index % 2 === 0 ? "acme" : "globex";
    const model = index % 3 === 0 ? "gpt-4o" : "gpt-4o-mini";
    const generation = makeGeneration({
      model,
      usage: {
        promptTokens: 10 + index,
        completionTokens: 20 + index,
        totalTokens: 30 + 2 * index,
        estimated: index === 4,
      },
      costUsd: 0.001 * (index + 1),
    });
    await runScript(telemetry, { generation }, { clock, ctx: { tenant } });
    add(tenant, generation);
    clock.advance(30_000); // crosses midnight UTC after the second request
  }
  const hit = makeGeneration({ cache: "exact", attempts: 0, costUsd: 0 });
  await runScript(
    telemetry,
    { events: [[0, { type: "cache-hit", kind: "exact", savedTokens: 42, savedUsd: 0.0042 }]], generation: hit },
    { clock, ctx: { tenant: "acme" } },
  );
  add("acme", hit, { cacheHits: 1, savedUsd: 0.0042 });
  await runScript(
    telemetry,
    { error: { code: "UPSTREAM_TIMEOUT", message: "slow" } },
    { clock, ctx: { tenant: "globex" } },
  );
  add("globex", undefined, { errors: 1 });
  return expected;
}

async function expectLedgerMatches(telemetry: Telemetry, expected: Record<string, Expected>): Promise<void> {
  for (const [tenant, totals] of Object.entries(expected)) {
    const report = await telemetry.usage({ tenant, from: "2026-03-01", to: "2026-03-02" });
    expect(report.tenant).toBe(tenant);
    expect(report.totals).toMatchObject({
      requests: totals.requests,
      promptTokens: totals.promptTokens,
      completionTokens: totals.completionTokens,
      totalTokens: totals.promptTokens + totals.completionTokens,
      cacheHits: totals.cacheHits,
      estimatedRequests: totals.estimatedRequests,
      errors: totals.errors,
    });
    expect(report.totals.costUsd).toBeCloseTo(totals.costUsd, 10);
    expect(report.totals.savedUsd).toBeCloseTo(totals.savedUsd, 10);
    expect(report.days.map((day) => day.day)).toEqual(["2026-03-01", "2026-03-02"]);
    const perDay = report.days.reduce((sum, day) => sum + day.totals.requests, 0);
    expect(perDay).toBe(totals.requests);
  }
  // Tenants never see each other: globex's models and sums are not in acme's report.
  const acme = await telemetry.usage({ tenant: "acme", from: "2026-03-01", to: "2026-03-02" });
  const globex = await telemetry.usage({ tenant: "globex", from: "2026-03-01", to: "2026-03-02" });
  expect(acme.totals.requests + globex.totals.requests).toBe(expected.acme!.requests + expected.globex!.requests);
  expect(await telemetry.usage({ tenant: "initech", from: "2026-03-01", to: "2026-03-02" })).toMatchObject({
    totals: { requests: 0 },
    days: [],
  });
  const onlyMini = await telemetry.usage({
    tenant: "acme",
    from: "2026-03-01",
    to: "2026-03-02",
    model: "gpt-4o-mini",
  });
  expect(onlyMini.days.every((day) => Object.keys(day.models).every((model) => model === "gpt-4o-mini"))).toBe(true);
  expect(onlyMini.totals.requests).toBeLessThan(acme.totals.requests);
}

function build(clock: ReturnType<typeof manualClock>, ledger: TelemetryOptions["ledger"]): Telemetry {
  return createTelemetry({ now: clock.now, ledger, log: { destination: captureLines() }, alerts: false });
}

/** Costs whose float sum is noisy (0.0000225 + 0.000003 = 0.000025500000000000003): a clean ledger shows 0.0000255 per pair. */
const NOISY_COSTS = [0.0000225, 0.000003, 0.0000243, 0.0000012, 0.0000243];

/** Records NOISY_COSTS 20 times for tenant "acme" and checks every sum the ledger and the snapshot show. */
async function expectCleanCostSums(telemetry: Telemetry, clock: ReturnType<typeof manualClock>): Promise<void> {
  for (let round = 0; round < 20; round += 1) {
    for (const costUsd of NOISY_COSTS) {
      await runScript(telemetry, { generation: makeGeneration({ costUsd }) }, { clock, ctx: { tenant: "acme" } });
    }
  }
  const report = await telemetry.usage({ tenant: "acme", from: "2026-03-01", to: "2026-03-01" });
  expect(report.totals.costUsd).toBe(0.001506);
  expect(report.days[0]?.models["gpt-4o-mini"]?.costUsd).toBe(0.001506);
  const snapshot = telemetry.snapshot({ tenant: "acme" });
  const metric = (await telemetry.metricsText()).split("\n").find((line) => line.startsWith("keel_cost_usd_total"));
  expect(metric?.endsWith(" 0.001506")).toBe(true);
  const shown = JSON.stringify({ report, snapshot });
  // No cost anywhere with float noise: at most 9 decimals (whole nano-dollars).
  for (const match of shown.matchAll(/"(?:costUsd|savedUsd|costPerRequestUsd)":(-?[\d.e-]+)/g)) {
    const value = Number(match[1]);
    expect(value, match[0]).toBe(Math.round(value * 1e9) / 1e9);
    expect(match[1]?.length ?? 0, match[0]).toBeLessThan(14);
  }
}

describe("usage ledger in memory", () => {
  it("sums costs without floating-point noise (0.000025499999999999996 was shown)", async () => {
    const clock = manualClock(Date.parse("2026-03-01T10:00:00Z"));
    const telemetry = build(clock, undefined);
    await expectCleanCostSums(telemetry, clock);
    await telemetry.close();
  });

  it("sums each tenant's envelopes per model and UTC day; a cache hit costs 0 and records its saving", async () => {
    const clock = manualClock(DAY_ONE);
    const telemetry = build(clock, undefined);
    const expected = await scriptedUsage(telemetry, clock);
    await expectLedgerMatches(telemetry, expected);
    await telemetry.close();
  });

  it("rejects bad queries with BAD_REQUEST naming the field", async () => {
    const telemetry = build(manualClock(DAY_ONE), undefined);
    const cases: Array<[Parameters<Telemetry["usage"]>[0], string]> = [
      [{ tenant: "" }, "tenant"],
      [{ tenant: "acme", from: "03/01/2026" }, "from"],
      [{ tenant: "acme", to: "2026-02-30" }, "to"],
      [{ tenant: "acme", from: "2026-03-02", to: "2026-03-01" }, "from"],
      [{ tenant: "acme", from: "2024-01-01", to: "2026-03-01" }, "from"],
    ];
    for (const [query, field] of cases) {
      const error = await telemetry.usage(query).catch((thrown: unknown) => thrown);
      expect(KeelError.isInstance(error) && error.code).toBe("BAD_REQUEST");
      expect((error as KeelError).details.field).toBe(field);
    }
    await telemetry.close();
  });
});

// The shared contract: the same behaviour on one Redis and on a 3-master Redis Cluster.
for (const target of redisTargets()) {
  describe(`usage ledger on ${target.name}`, () => {
    afterAll(() => target.closeClients());
    // The cluster is reached the way core reaches it: through a client it owns and hands over.
    const ledgerOn = (keyPrefix: string) =>
      target.name === "redis" ? { redisUrl: target.url, keyPrefix } : { client: target.client(), keyPrefix };

    it("keeps the same totals as the envelopes in per-tenant, per-day hashes", async () => {
      const clock = manualClock(DAY_ONE);
      const telemetry = build(clock, ledgerOn("t1"));
      const expected = await scriptedUsage(telemetry, clock);
      await expectLedgerMatches(telemetry, expected);
      const client = target.client();
      const hash = await client.hgetall("t1:usage:{acme}:2026-03-01");
      expect(Number(hash["gpt-4o|requests"])).toBe(1);
      expect(Number(hash["gpt-4o|promptTokens"])).toBe(10);
      expect(await client.ttl("t1:usage:{acme}:2026-03-01")).toBeGreaterThan(0);
      // A second instance (another service replica) reads the same ledger.
      const replica = build(clock, ledgerOn("t1"));
      expect((await replica.usage({ tenant: "acme", from: "2026-03-01", to: "2026-03-02" })).totals.requests).toBe(
        expected.acme!.requests,
      );
      await replica.close();
      await telemetry.close();
    });

    it("stores dollar amounts as whole nano-dollars (HINCRBY), so no float noise lands in Redis", async () => {
      const clock = manualClock(Date.parse("2026-03-01T10:00:00Z"));
      const telemetry = build(clock, ledgerOn("t3"));
      await expectCleanCostSums(telemetry, clock);
      await telemetry.flush();
      const client = target.client();
      const hash = await client.hgetall("t3:usage:{acme}:2026-03-01");
      expect(hash["gpt-4o-mini|costNanoUsd"]).toBe("1506000");
      expect(hash["gpt-4o-mini|costUsd"]).toBeUndefined();
      // A ledger written by an older version kept floats; it still reads, rounded.
      await client.hset(
        "t3:usage:{acme}:2026-03-01",
        "gpt-4o|costUsd",
        "0.000025500000000000003",
        "gpt-4o|requests",
        "1",
      );
      const report = await telemetry.usage({ tenant: "acme", from: "2026-03-01", to: "2026-03-01" });
      expect(report.days[0]?.models["gpt-4o"]?.costUsd).toBe(0.0000255);
      expect(report.totals.costUsd).toBe(0.0015315);
      await telemetry.close();
    });

    it("flushes many tenants at once, each tenant's days under one hash tag (a brace in a name cannot break it)", async () => {
      // Regression: one pipeline across tenants failed on Redis Cluster (its keys span slots).
      const clock = manualClock(DAY_ONE);
      const telemetry = build(clock, ledgerOn("t4"));
      const tenants = ["acme", "globex", "initech", "umbrella", "acme {corp}", "}{"];
      for (const tenant of tenants) await runScript(telemetry, {}, { clock, ctx: { tenant } });
      clock.advance(2 * 60_000); // the next UTC day
      for (const tenant of tenants) await runScript(telemetry, {}, { clock, ctx: { tenant } });
      await telemetry.flush();
      for (const tenant of tenants) {
        const report = await telemetry.usage({ tenant, from: "2026-03-01", to: "2026-03-02" });
        expect(report.days.map((day) => day.day)).toEqual(["2026-03-01", "2026-03-02"]);
        expect(report.totals.requests).toBe(2);
      }
      const client = target.client();
      const tag = `~${Buffer.from("acme {corp}").toString("base64url")}`;
      const keys = [`t4:usage:{${tag}}:2026-03-01`, `t4:usage:{${tag}}:2026-03-02`];
      for (const key of keys) expect(await client.exists(key)).toBe(1);
      await telemetry.close();
    });
  });
}

describe("usage ledger in Redis", () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it("fails open while Redis is down and writes the kept sums once it is back", async () => {
    const clock = manualClock(DAY_ONE);
    const lines = captureLines();
    const telemetry = createTelemetry({
      now: clock.now,
      ledger: { redisUrl: redis.url, keyPrefix: "t2", flushIntervalMs: 50 },
      log: { destination: lines },
      alerts: false,
    });
    await runScript(telemetry, {}, { clock, ctx: { tenant: "acme" } });
    await telemetry.flush();
    await redis.kill();
    for (let index = 0; index < 3; index++) {
      const result = await runScript(telemetry, {}, { clock, ctx: { tenant: "acme" } });
      expect(KeelError.isInstance(result)).toBe(false);
    }
    const during = await telemetry
      .usage({ tenant: "acme", from: "2026-03-01", to: "2026-03-01" })
      .catch((thrown: unknown) => thrown);
    expect(KeelError.isInstance(during) && during.details.reason).toBe("ledger-unavailable");
    expect(lines.records().some((line) => line.msg === "usage ledger unavailable; sums are kept and retried")).toBe(
      true,
    );
    await redis.start();
    let report = await telemetry.usage({ tenant: "acme", from: "2026-03-01", to: "2026-03-01" }).catch(() => undefined);
    for (let tries = 0; report === undefined && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      report = await telemetry.usage({ tenant: "acme", from: "2026-03-01", to: "2026-03-01" }).catch(() => undefined);
    }
    // The restarted test server has no persistence, so the first request (written before the
    // kill) is gone with it; the three recorded during the outage were kept and written.
    expect(report?.totals.requests).toBe(3);
    expect(await telemetry.metricsText()).toMatch(/keel_ledger_errors_total [1-9]/);
    await telemetry.close();
  }, 20_000);
});
