import { describe, expect, it } from "vitest";
import { RetryBudget } from "./retry-budget.ts";

describe("RetryBudget", () => {
  it("allows minPerWindow retries, then ratio x requests over the window", () => {
    let now = 1_000_000;
    const budget = new RetryBudget({ ratio: 0.5, windowMs: 1000, minPerWindow: 2 }, () => now);
    budget.recordRequest();
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    for (let index = 0; index < 7; index += 1) budget.recordRequest();
    // 8 requests x 0.5 = 4 retries in the window; 2 used.
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    now += 500;
    expect(budget.tryRetry()).toBe(false);
  });

  it("forgets what slid out of the window", () => {
    let now = 5_000_000;
    const budget = new RetryBudget({ ratio: 0, windowMs: 1000, minPerWindow: 1 }, () => now);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    now += 600;
    expect(budget.tryRetry()).toBe(false);
    now += 500;
    expect(budget.tryRetry()).toBe(true);
  });
});
