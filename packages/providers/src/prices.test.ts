import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { costOf, createPriceTable } from "./prices.ts";

describe("price table", () => {
  const prices = createPriceTable();

  it("knows current OpenAI prices by exact name", () => {
    expect(prices.lookup("gpt-4o-mini")).toEqual({ inputPerMillion: 0.15, outputPerMillion: 0.6 });
    expect(prices.lookup("gpt-4o")).toEqual({ inputPerMillion: 2.5, outputPerMillion: 10 });
    expect(prices.lookup("text-embedding-3-small")).toEqual({ inputPerMillion: 0.02, outputPerMillion: 0 });
  });

  it("matches dated snapshots to the longest listed name", () => {
    expect(prices.lookup("gpt-4o-mini-2024-07-18")).toEqual(prices.lookup("gpt-4o-mini"));
    expect(prices.lookup("gpt-4o-2024-08-06")).toEqual(prices.lookup("gpt-4o"));
    expect(prices.lookup("gpt-4-0613")).toEqual(prices.lookup("gpt-4"));
    expect(prices.lookup("gpt-4.1-nano-2025-04-14")).toEqual(prices.lookup("gpt-4.1-nano"));
  });

  it("does not match across a name boundary or unknown models", () => {
    expect(prices.lookup("gpt-4ox")).toBeUndefined();
    expect(prices.lookup("llama-3-8b")).toBeUndefined();
    expect(prices.lookup("")).toBeUndefined();
  });

  it("lets overrides replace and add entries, prefix matching included", () => {
    const custom = createPriceTable({
      "gpt-4o-mini": { inputPerMillion: 1, outputPerMillion: 2 },
      "sim-fast": { inputPerMillion: 0.5, outputPerMillion: 1.5 },
    });
    expect(custom.lookup("gpt-4o-mini-2024-07-18")).toEqual({ inputPerMillion: 1, outputPerMillion: 2 });
    expect(custom.lookup("sim-fast-v2")).toEqual({ inputPerMillion: 0.5, outputPerMillion: 1.5 });
    expect(custom.lookup("gpt-4o")).toEqual({ inputPerMillion: 2.5, outputPerMillion: 10 });
    // the built-in table is not changed by another table's overrides
    expect(prices.lookup("sim-fast")).toBeUndefined();
  });

  it("rejects a malformed override with a BAD_REQUEST naming it", () => {
    const attempt = () => createPriceTable({ broken: { inputPerMillion: -1, outputPerMillion: 1 } });
    expect(attempt).toThrow(KeelError);
    try {
      attempt();
    } catch (error) {
      expect((error as KeelError).code).toBe("BAD_REQUEST");
      expect((error as KeelError).details.field).toBe("prices.broken");
    }
  });

  it("prices a call from its usage, and unknown models at 0", () => {
    const usage = { promptTokens: 1_000, completionTokens: 500, totalTokens: 1_500 };
    expect(costOf(prices, "gpt-4o-mini-2024-07-18", usage)).toBeCloseTo((1_000 * 0.15 + 500 * 0.6) / 1e6, 12);
    expect(costOf(prices, "gpt-4o", usage)).toBeCloseTo(0.0025 + 0.005, 12);
    expect(costOf(prices, "my-private-model", usage)).toBe(0);
  });

  it("prices a call in whole nano-dollars, without floating-point noise", () => {
    const noisy = createPriceTable({ "house-model": { inputPerMillion: 0.1, outputPerMillion: 0.3 } });
    const usage = { promptTokens: 3, completionTokens: 7, totalTokens: 10 };
    expect((3 * 0.1 + 7 * 0.3) / 1e6).not.toBe(0.0000024);
    expect(costOf(noisy, "house-model", usage)).toBe(0.0000024);
  });

  it("answers repeated lookups the same way (memoised)", () => {
    const first = prices.lookup("gpt-5-mini-2025-08-07");
    expect(first).toEqual({ inputPerMillion: 0.25, outputPerMillion: 2 });
    expect(prices.lookup("gpt-5-mini-2025-08-07")).toBe(first);
    expect(prices.lookup("nothing-like-it")).toBeUndefined();
    expect(prices.lookup("nothing-like-it")).toBeUndefined();
  });
});
