import { describe, expect, it } from "vitest";
import { createTelemetry } from "./index.ts";
import { LATENCY_BUCKET_COUNT, bucketUpperBound, latencyBucket, percentile } from "./snapshot/latency-buckets.ts";
import { captureLines, makeGeneration, manualClock, runScript } from "./test-support/telemetry-fixtures.ts";

function within(actual: number | null, expected: number, relative: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected) / expected).toBeLessThanOrEqual(relative);
}

describe("metrics snapshot", () => {
  it("counts failures by Keel code and keeps figures per route apart from the answering model", async () => {
    const clock = manualClock();
    const telemetry = createTelemetry({ now: clock.now, log: { destination: captureLines() }, alerts: false });
    const support = { model: "support", messages: [{ role: "user" as const, content: "Hi" }] };
    for (let index = 0; index < 3; index++)
      await runScript(telemetry, { tailMs: 10, generation: makeGeneration() }, { clock, request: support });
    await runScript(telemetry, { error: { code: "UPSTREAM_TIMEOUT", message: "slow" } }, { clock, request: support });
    await runScript(telemetry, { error: { code: "UPSTREAM_TIMEOUT", message: "slow" } }, { clock });
    await runScript(telemetry, { error: { code: "BAD_REQUEST", message: "bad" } }, { clock });
    await runScript(
      telemetry,
      { error: { code: "CIRCUIT_OPEN", message: "open" } },
      { clock, request: support, ctx: { tenant: "acme" } },
    );

    const snapshot = telemetry.snapshot();
    expect(snapshot.overall["1m"].errorsByCode).toEqual({ UPSTREAM_TIMEOUT: 2, BAD_REQUEST: 1, CIRCUIT_OPEN: 1 });
    expect(snapshot.routes.support!["1m"]).toMatchObject({
      requests: 5,
      errorsByCode: { UPSTREAM_TIMEOUT: 1, CIRCUIT_OPEN: 1 },
    });
    expect(snapshot.routes["gpt-4o-mini"]!["1m"]).toMatchObject({ requests: 2, errors: 1, rejected: 1 });
    // The three answers came from gpt-4o-mini (makeGeneration's model), asked for as "support".
    expect(snapshot.models["gpt-4o-mini"]!["1m"].requests).toBe(5);
    const acme = telemetry.snapshot({ tenant: "acme" });
    expect(Object.keys(acme.routes)).toEqual(["support"]);
    expect(acme.overall["1h"].errorsByCode).toEqual({ CIRCUIT_OPEN: 1 });
    expect(telemetry.snapshot({ tenant: "default" }).routes.support!["5m"].requests).toBe(4);
    clock.advance(2 * 60_000);
    expect(telemetry.snapshot().overall["1m"].errorsByCode).toEqual({});
    expect(telemetry.snapshot().overall["5m"].errorsByCode.UPSTREAM_TIMEOUT).toBe(2);
    await telemetry.close();
  });

  it("reports rate, percentiles, error and cache-hit rates and cost per window, and forgets each window in time", async () => {
    const clock = manualClock();
    const telemetry = createTelemetry({ now: clock.now, log: { destination: captureLines() }, alerts: false });
    // 100 successes taking 1..100 ms, each with 0.001 USD, every fourth one a cache hit.
    for (let latency = 1; latency <= 100; latency++) {
      const hit = latency % 4 === 0;
      await runScript(
        telemetry,
        {
          events: [
            [
              0,
              hit
                ? { type: "cache-hit", kind: "exact", savedTokens: 10, savedUsd: 0.001 }
                : { type: "cache-miss", kind: "exact" },
            ],
          ],
          tailMs: latency,
          generation: makeGeneration({
            cache: hit ? "exact" : "miss",
            costUsd: 0.001,
            usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12 },
          }),
        },
        { clock },
      );
    }
    // 10 upstream failures and 5 caller-caused rejections.
    for (let index = 0; index < 10; index++)
      await runScript(telemetry, { error: { code: "UPSTREAM_UNAVAILABLE", message: "down" } }, { clock });
    for (let index = 0; index < 5; index++)
      await runScript(telemetry, { error: { code: "BAD_REQUEST", message: "bad" } }, { clock });

    const snapshot = telemetry.snapshot();
    const minute = snapshot.overall["1m"];
    expect(minute.requests).toBe(115);
    expect(minute.requestRate).toBeCloseTo(115 / 60, 6);
    expect(minute.errors).toBe(10);
    expect(minute.rejected).toBe(5);
    expect(minute.errorRate).toBeCloseTo(10 / 115, 6);
    // Percentiles over the 100 successes, within the documented 12 %.
    within(minute.latencyMs.p50, 50, 0.12);
    within(minute.latencyMs.p95, 95, 0.12);
    within(minute.latencyMs.p99, 99, 0.12);
    expect(minute.latencyMs.mean).toBeCloseTo(50.5, 6);
    expect(minute.cacheLookups).toBe(100);
    expect(minute.cacheHitRate).toBeCloseTo(0.25, 6);
    expect(minute.costUsd).toBeCloseTo(0.075, 9);
    expect(minute.costPerRequestUsd).toBeCloseTo(0.075 / 115, 9);
    expect(minute.savedUsd).toBeCloseTo(0.025, 9);
    expect(minute.inputTokens).toBe(75 * 5);
    expect(snapshot.overall["5m"].requests).toBe(115);
    expect(snapshot.overall["1h"].requests).toBe(115);
    expect(snapshot.models["gpt-4o-mini"]!["1m"].requests).toBe(115);
    expect(snapshot.tenants.default!["1h"].requests).toBe(115);

    clock.advance(2 * 60_000);
    let later = telemetry.snapshot().overall;
    expect(later["1m"]).toMatchObject({
      requests: 0,
      latencyMs: { p50: null },
      cacheHitRate: null,
      costPerRequestUsd: null,
    });
    expect(later["5m"].requests).toBe(115);
    within(later["5m"].latencyMs.p95, 95, 0.12);
    clock.advance(5 * 60_000);
    later = telemetry.snapshot().overall;
    expect(later["5m"].requests).toBe(0);
    expect(later["1h"].requests).toBe(115);
    clock.advance(60 * 60_000);
    expect(telemetry.snapshot().overall["1h"].requests).toBe(0);
    await telemetry.close();
  });

  it("keeps models and tenants apart, and a tenant's snapshot shows only that tenant", async () => {
    const clock = manualClock();
    const telemetry = createTelemetry({
      now: clock.now,
      log: { destination: captureLines() },
      alerts: false,
      snapshot: { maxTenants: 2 },
    });
    for (let index = 0; index < 3; index++)
      await runScript(
        telemetry,
        { tailMs: 10, generation: makeGeneration({ model: "gpt-4o" }) },
        { clock, ctx: { tenant: "acme" } },
      );
    await runScript(telemetry, { tailMs: 200 }, { clock, ctx: { tenant: "globex" } });
    await runScript(telemetry, { tailMs: 5 }, { clock, ctx: { tenant: "initech" } });
    const all = telemetry.snapshot();
    expect(all.models["gpt-4o"]!["1m"].requests).toBe(3);
    expect(all.models["gpt-4o-mini"]!["1m"].requests).toBe(2);
    expect(Object.keys(all.tenants).sort()).toEqual(["_OTHER", "acme", "globex"]);
    const acme = telemetry.snapshot({ tenant: "acme" });
    expect(Object.keys(acme.tenants)).toEqual(["acme"]);
    // The tenant's own figures per model: only the model it used, never another tenant's.
    expect(Object.keys(acme.models)).toEqual(["gpt-4o"]);
    expect(acme.models["gpt-4o"]!["1m"].requests).toBe(3);
    expect(Object.keys(telemetry.snapshot({ tenant: "globex" }).models)).toEqual(["gpt-4o-mini"]);
    expect(acme.overall["1m"].requests).toBe(3);
    within(acme.overall["1m"].latencyMs.p99, 10, 0.12);
    expect(telemetry.snapshot({ tenant: "nobody" }).overall["1m"].requests).toBe(0);
    expect(telemetry.snapshot({ tenant: "nobody" }).models).toEqual({});
    await telemetry.close();
  });

  it("bounds the per-tenant, per-model series across all tenants", async () => {
    const clock = manualClock();
    const telemetry = createTelemetry({
      now: clock.now,
      log: { destination: captureLines() },
      alerts: false,
      snapshot: { maxTenantModels: 2 },
    });
    for (const model of ["m1", "m2", "m3", "m4"]) {
      await runScript(
        telemetry,
        { tailMs: 5, generation: makeGeneration({ model }) },
        { clock, ctx: { tenant: "acme" } },
      );
    }
    expect(Object.keys(telemetry.snapshot({ tenant: "acme" }).models).sort()).toEqual(["_OTHER", "m1", "m2"]);
    expect(telemetry.snapshot({ tenant: "acme" }).models._OTHER!["1m"].requests).toBe(2);
    await telemetry.close();
  });

  it("percentile buckets stay within 12 % across the range", () => {
    for (const value of [1.5, 3, 17, 120, 999, 4_321, 65_000]) {
      const counts = new Uint32Array(LATENCY_BUCKET_COUNT);
      counts[latencyBucket(value)] = 1;
      within(percentile(counts, 1, 0.5), value, 0.12);
    }
    expect(latencyBucket(0.2)).toBe(0);
    expect(latencyBucket(10 ** 9)).toBe(LATENCY_BUCKET_COUNT - 1);
    expect(bucketUpperBound(LATENCY_BUCKET_COUNT - 1)).toBeGreaterThan(180_000);
  });
});
