import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { costMicroUsd, maxCostMicroUsd, microUsdToUsd, usdToMicroUsd } from "./money.ts";
import { periodEnd, utcDay, utcMonth } from "./periods.ts";

describe("money in micro-USD", () => {
  it("converts USD without floating-point noise", () => {
    expect(usdToMicroUsd(0.1) + usdToMicroUsd(0.2)).toBe(usdToMicroUsd(0.3));
    expect(usdToMicroUsd(1.5)).toBe(1_500_000);
    expect(usdToMicroUsd(0.0000004)).toBe(0);
    expect(microUsdToUsd(2_500)).toBe(0.0025);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => usdToMicroUsd(bad)).toThrow(KeelError);
    }
  });

  it("prices tokens: USD per million tokens is micro-USD per token", () => {
    const price = { inputPerMillion: 0.15, outputPerMillion: 0.6 };
    // 1,000 prompt tokens at 0.15 USD/M = 150 µUSD; 500 completion tokens at 0.6 USD/M = 300 µUSD.
    expect(costMicroUsd({ promptTokens: 1_000, completionTokens: 500, price })).toBe(450);
    expect(maxCostMicroUsd({ promptTokens: 1_000, maxTokens: 500, price })).toBe(450);
    // A reservation rounds up, a cost to the nearest: 3 tokens at 0.15 = 0.45 µUSD.
    expect(maxCostMicroUsd({ promptTokens: 3, maxTokens: 0, price })).toBe(1);
    expect(costMicroUsd({ promptTokens: 3, completionTokens: 0, price })).toBe(0);
  });
});

describe("UTC periods", () => {
  it("labels days and months in UTC and knows when they end", () => {
    const lateEvening = Date.parse("2024-02-29T23:30:00-05:00"); // already March 1st in UTC
    expect(utcDay(lateEvening)).toBe("2024-03-01");
    expect(utcMonth(lateEvening)).toBe("2024-03");
    expect(new Date(periodEnd("day", Date.parse("2024-02-29T12:00:00Z"))).toISOString()).toBe(
      "2024-03-01T00:00:00.000Z",
    );
    expect(new Date(periodEnd("month", Date.parse("2024-12-31T23:59:59Z"))).toISOString()).toBe(
      "2025-01-01T00:00:00.000Z",
    );
  });
});
