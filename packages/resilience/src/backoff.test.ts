import { describe, expect, it } from "vitest";
import { retryDelay } from "./backoff.ts";

const base = { baseDelayMs: 100, maxDelayMs: 2000, maxRetryAfterMs: 10_000 };

describe("retryDelay", () => {
  it("draws uniformly below an exponentially growing ceiling (full jitter)", () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((attempt) => retryDelay({ ...base, attempt, random: () => 0.999_999 }));
    expect(ceilings).toEqual([99, 199, 399, 799, 1599, 1999]);
    expect(retryDelay({ ...base, attempt: 3, random: () => 0 })).toBe(0);
    expect(retryDelay({ ...base, attempt: 3, random: () => 0.5 })).toBe(200);
  });

  it("never exceeds maxDelayMs however many attempts failed", () => {
    for (let attempt = 1; attempt < 60; attempt += 1) {
      expect(retryDelay({ ...base, attempt, random: Math.random })).toBeLessThan(2000);
    }
  });

  it("spreads delays out with Math.random", () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelay({ ...base, attempt: 4 })));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeLessThan(800);
  });

  it("treats Retry-After as a floor, capped by maxRetryAfterMs", () => {
    expect(retryDelay({ ...base, attempt: 1, retryAfterMs: 1500, random: () => 0.5 })).toBe(1500);
    // The jittered delay wins when it is already longer.
    expect(retryDelay({ ...base, attempt: 5, retryAfterMs: 10, random: () => 0.9 })).toBe(1440);
    expect(retryDelay({ ...base, attempt: 1, retryAfterMs: 120_000, random: () => 0 })).toBe(10_000);
    expect(retryDelay({ ...base, maxRetryAfterMs: 50, attempt: 1, retryAfterMs: 120_000, random: () => 0 })).toBe(50);
  });
});
