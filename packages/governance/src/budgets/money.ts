import { KeelError } from "@keel/spec";

/**
 * Money is counted in integer micro-USD (1 USD = 1,000,000): sums of many small costs stay
 * exact, and Redis counts them with HINCRBY. A price per million tokens in USD is exactly
 * micro-USD per token, so a cost is tokens × price with no scaling.
 */
export const MICRO_USD_PER_USD = 1_000_000;

export interface TokenPrice {
  /** USD per 1M prompt tokens. */
  inputPerMillion: number;
  /** USD per 1M completion tokens. */
  outputPerMillion: number;
}

/** USD (a config or key setting) to micro-USD, rounded to the nearest micro-dollar. */
export function usdToMicroUsd(usd: number): number {
  if (!Number.isFinite(usd) || usd < 0) {
    throw new KeelError("BAD_REQUEST", "an amount in USD must be a non-negative number", { details: { field: "usd" } });
  }
  return Math.round(usd * MICRO_USD_PER_USD);
}

export function microUsdToUsd(microUsd: number): number {
  return microUsd / MICRO_USD_PER_USD;
}

/** The most a call can cost: prompt tokens plus maxTokens at the price, rounded up (a reservation never falls short). */
export function maxCostMicroUsd(options: { promptTokens: number; maxTokens: number; price: TokenPrice }): number {
  return Math.ceil(
    options.promptTokens * options.price.inputPerMillion + options.maxTokens * options.price.outputPerMillion,
  );
}

/** What a call cost, rounded to the nearest micro-dollar. */
export function costMicroUsd(options: { promptTokens: number; completionTokens: number; price: TokenPrice }): number {
  return Math.round(
    options.promptTokens * options.price.inputPerMillion + options.completionTokens * options.price.outputPerMillion,
  );
}
