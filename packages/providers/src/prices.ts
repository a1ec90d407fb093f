import { KeelError, roundUsd, type Usage } from "@keel/spec";
import { createModelTable } from "./model-table.ts";

/**
 * USD per one million tokens. Embedding models have `outputPerMillion: 0`. The batch prices
 * apply to answers from the provider's batch API; without them a batch answer costs
 * `BATCH_PRICE_RATIO` (half) of the standard price, as OpenAI's Batch API does.
 */
export type ModelPrice = {
  inputPerMillion: number;
  outputPerMillion: number;
  batchInputPerMillion?: number;
  batchOutputPerMillion?: number;
};

/** A batch-API answer's share of the standard price when a model lists no batch prices. */
export const BATCH_PRICE_RATIO = 0.5;

/** Which price list a call pays: the standard one, or the batch API's. */
export type PriceTier = "standard" | "batch";

/** Prices by model name; `lookup` also matches dated and suffixed variants of a listed name (see model-table.ts). */
export interface PriceTable {
  lookup(model: string): ModelPrice | undefined;
}

/**
 * OpenAI's standard-tier list prices (USD per 1M tokens) for the models Keel is most
 * often pointed at. Cached-input and batch discounts are not modelled. Override or extend
 * them through `createPriceTable(overrides)` when prices change or for self-hosted models.
 */
const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  "gpt-5": { inputPerMillion: 1.25, outputPerMillion: 10 },
  "gpt-5-mini": { inputPerMillion: 0.25, outputPerMillion: 2 },
  "gpt-5-nano": { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  "gpt-4.1": { inputPerMillion: 2, outputPerMillion: 8 },
  "gpt-4.1-mini": { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  "gpt-4.1-nano": { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10 },
  "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  "chatgpt-4o-latest": { inputPerMillion: 5, outputPerMillion: 15 },
  o1: { inputPerMillion: 15, outputPerMillion: 60 },
  "o1-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  "o1-pro": { inputPerMillion: 150, outputPerMillion: 600 },
  o3: { inputPerMillion: 2, outputPerMillion: 8 },
  "o3-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  "o3-pro": { inputPerMillion: 20, outputPerMillion: 80 },
  "o4-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  "gpt-4-turbo": { inputPerMillion: 10, outputPerMillion: 30 },
  "gpt-4": { inputPerMillion: 30, outputPerMillion: 60 },
  "gpt-3.5-turbo": { inputPerMillion: 0.5, outputPerMillion: 1.5 },
  "text-embedding-3-small": { inputPerMillion: 0.02, outputPerMillion: 0 },
  "text-embedding-3-large": { inputPerMillion: 0.13, outputPerMillion: 0 },
  "text-embedding-ada-002": { inputPerMillion: 0.1, outputPerMillion: 0 },
};

/** The built-in table, with `overrides` added or replacing entries of the same name. */
export function createPriceTable(overrides: Record<string, ModelPrice> = {}): PriceTable {
  const prices = new Map<string, ModelPrice>();
  for (const [model, price] of Object.entries(BUILT_IN_PRICES)) prices.set(model, price);
  for (const [model, price] of Object.entries(overrides)) prices.set(model, checkedPrice(model, price));
  return createModelTable(prices);
}

function checkedPrice(model: string, price: ModelPrice): ModelPrice {
  const valid = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;
  const validIfSet = (value: unknown) => value === undefined || valid(value);
  if (
    !valid(price?.inputPerMillion) ||
    !valid(price?.outputPerMillion) ||
    !validIfSet(price.batchInputPerMillion) ||
    !validIfSet(price.batchOutputPerMillion)
  ) {
    throw new KeelError(
      "BAD_REQUEST",
      `price for "${model}" needs non-negative inputPerMillion and outputPerMillion numbers`,
      {
        details: { field: `prices.${model}` },
      },
    );
  }
  return {
    inputPerMillion: price.inputPerMillion,
    outputPerMillion: price.outputPerMillion,
    ...(price.batchInputPerMillion === undefined ? {} : { batchInputPerMillion: price.batchInputPerMillion }),
    ...(price.batchOutputPerMillion === undefined ? {} : { batchOutputPerMillion: price.batchOutputPerMillion }),
  };
}

/** Cost in USD of one call; 0 for a model the table does not know. */
export function costOf(prices: PriceTable, model: string, usage: Usage): number {
  const price = prices.lookup(model);
  if (price === undefined) return 0;
  return priced(usage, price.inputPerMillion, price.outputPerMillion);
}

/** Cost in USD of one answer from the provider's batch API: the model's batch prices, else half its standard ones. */
export function batchCostOf(prices: PriceTable, model: string, usage: Usage): number {
  const price = prices.lookup(model);
  if (price === undefined) return 0;
  return priced(
    usage,
    price.batchInputPerMillion ?? price.inputPerMillion * BATCH_PRICE_RATIO,
    price.batchOutputPerMillion ?? price.outputPerMillion * BATCH_PRICE_RATIO,
  );
}

function priced(usage: Usage, inputPerMillion: number, outputPerMillion: number): number {
  // Rounded to whole nano-dollars, as every cost Keel shows or sums (see roundUsd).
  return roundUsd((usage.promptTokens * inputPerMillion + usage.completionTokens * outputPerMillion) / 1_000_000);
}
