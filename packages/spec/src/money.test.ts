import { describe, expect, it } from "vitest";
import { addUsd, fromNanoUsd, roundUsd, toNanoUsd } from "./money.ts";

describe("money", () => {
  it("sums without floating-point noise (0.000025499999999999996 was a shown cost)", () => {
    expect(String(0.0000225 + 0.000003)).toBe("0.000025500000000000003");
    expect(String(addUsd(0.0000225, 0.000003))).toBe("0.0000255");
    expect(String(0.0000243 + 0.0000012 + 0.0000243)).toBe("0.000049800000000000004");
    expect(String(addUsd(addUsd(0.0000243, 0.0000012), 0.0000243))).toBe("0.0000498");
    expect(String(addUsd(0.1, 0.2))).toBe("0.3");
    let total = 0;
    for (let index = 0; index < 10_000; index += 1) total = addUsd(total, 0.0000243);
    expect(total).toBe(0.243);
  });

  it("rounds to whole nano-dollars and converts to integers for storage", () => {
    expect(roundUsd((2 * 0.15 + 40 * 0.6) / 1_000_000)).toBe(0.0000243);
    expect(roundUsd(1.23456789012)).toBe(1.23456789);
    expect(toNanoUsd(0.0000243)).toBe(24_300);
    expect(fromNanoUsd(24_300)).toBe(0.0000243);
    expect(Number.isInteger(toNanoUsd(0.1 + 0.2))).toBe(true);
  });
});
