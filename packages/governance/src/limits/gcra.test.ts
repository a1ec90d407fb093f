import { describe, expect, it } from "vitest";
import { gcraAdjust, gcraStep } from "./gcra.ts";

function run(limit: number, costs: number[], options: { periodMs?: number; now?: number } = {}) {
  let tat: number | undefined;
  const outcomes = costs.map((cost) => {
    const outcome = gcraStep({ tat, now: options.now ?? 0, limit, periodMs: options.periodMs ?? 60_000, cost });
    if (outcome.allowed) tat = outcome.tat;
    return outcome;
  });
  return { outcomes, tat };
}

describe("GCRA", () => {
  it("admits exactly the limit at once after idle, even when the interval is not a whole number", () => {
    for (const limit of [1, 3, 7, 10, 60, 1_000]) {
      const { outcomes } = run(limit, Array(limit + 3).fill(1), { periodMs: 1_000 });
      expect(outcomes.filter((outcome) => outcome.allowed)).toHaveLength(limit);
      expect(outcomes.slice(0, limit).every((outcome) => outcome.allowed)).toBe(true);
    }
  });

  it("reports remaining, reset and retry-after the way the headers need them", () => {
    const { outcomes } = run(10, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(outcomes[0]).toMatchObject({ allowed: true, remaining: 9, resetMs: 6_000 });
    expect(outcomes[9]).toMatchObject({ allowed: true, remaining: 0, resetMs: 60_000 });
    expect(outcomes[10]).toMatchObject({ allowed: false, remaining: 0, resetMs: 60_000, retryAfterMs: 6_000 });
  });

  it("refills evenly: one more unit per interval, the full limit after one period", () => {
    const limit = 10;
    let tat: number | undefined;
    for (let index = 0; index < limit; index++) tat = gcraStep({ tat, now: 0, limit, periodMs: 60_000, cost: 1 }).tat;
    expect(gcraStep({ tat, now: 5_999, limit, periodMs: 60_000, cost: 1 }).allowed).toBe(false);
    expect(gcraStep({ tat, now: 6_000, limit, periodMs: 60_000, cost: 1 }).allowed).toBe(true);
    const afterPeriod = gcraStep({ tat, now: 60_000, limit, periodMs: 60_000, cost: 1 });
    expect(afterPeriod).toMatchObject({ allowed: true, remaining: 9 });
  });

  it("never admits more than L + L·W/P units in a window W (the documented burst bound)", () => {
    const limit = 20;
    const periodMs = 60_000;
    let tat: number | undefined;
    const admittedAt: number[] = [];
    // Greedy caller: tries every 100 ms for 5 minutes.
    for (let now = 0; now <= 300_000; now += 100) {
      const outcome = gcraStep({ tat, now, limit, periodMs, cost: 1 });
      if (outcome.allowed) {
        tat = outcome.tat;
        admittedAt.push(now);
      }
    }
    for (const windowMs of [1_000, 30_000, 60_000, 120_000]) {
      const bound = limit + (limit * windowMs) / periodMs;
      for (const start of admittedAt) {
        const inWindow = admittedAt.filter((time) => time >= start && time < start + windowMs).length;
        expect(inWindow).toBeLessThanOrEqual(bound);
      }
    }
    // The long-run rate is L per period: 20 at once plus 20 per minute for 5 minutes.
    expect(admittedAt).toHaveLength(limit + 5 * limit);
  });

  it("weighs a request by its cost and refuses one larger than the limit for good", () => {
    const { outcomes } = run(1_000, [600, 600, 400]);
    expect(outcomes.map((outcome) => outcome.allowed)).toEqual([true, false, true]);
    expect(outcomes[1]?.retryAfterMs).toBe(12_000);
    expect(gcraStep({ tat: undefined, now: 0, limit: 1_000, periodMs: 60_000, cost: 1_001 })).toMatchObject({
      allowed: false,
      retryAfterMs: -1,
      remaining: 1_000,
    });
  });

  it("reconciles: a refund lowers the TAT but never below now, a charge raises it", () => {
    const base = { now: 10_000, limit: 1_000, periodMs: 60_000 };
    expect(gcraAdjust({ ...base, tat: 46_000, delta: -500 })).toBe(16_000);
    expect(gcraAdjust({ ...base, tat: 46_000, delta: -1_000 })).toBe(10_000);
    expect(gcraAdjust({ ...base, tat: 5_000, delta: -100 })).toBe(10_000);
    expect(gcraAdjust({ ...base, tat: 5_000, delta: 100 })).toBe(16_000);
    expect(gcraAdjust({ ...base, tat: undefined, delta: 200 })).toBe(22_000);
  });
});

describe("formatDuration", () => {
  it("writes durations as OpenAI's headers do", async () => {
    const { formatDuration } = await import("./rate-limit-headers.ts");
    expect(
      [0, 0.2, 20, 999, 1_000, 1_500, 6_000, 59_999, 60_000, 360_000, 61_500, 3_723_000].map(formatDuration),
    ).toEqual(["0s", "1ms", "20ms", "999ms", "1s", "1.5s", "6s", "59.999s", "1m0s", "6m0s", "1m1.5s", "1h2m3s"]);
  });
});
