export { createOpenAIProvider } from "./openai-provider.ts";
export type { Provider, ProviderBatchApi, ProviderOptions } from "./openai-provider.ts";
export type { BatchCallOptions, BatchLineOutcome, BatchPoll, BatchRequestLine, SubmittedBatch } from "./batch-api.ts";
export { microBatchEmbeddings } from "./embedding-micro-batch.ts";
export type { EmbeddingMicroBatchOptions } from "./embedding-micro-batch.ts";
export { BATCH_PRICE_RATIO, batchCostOf, costOf, createPriceTable } from "./prices.ts";
export type { ModelPrice, PriceTable, PriceTier } from "./prices.ts";
export { countChatTokens, countTokens } from "./tokens.ts";
export { upstreamError } from "./upstream-error.ts";
