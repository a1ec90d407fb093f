export { createOpenAIProvider } from "./openai-provider.ts";
export type { Provider, ProviderOptions } from "./openai-provider.ts";
export { costOf, createPriceTable } from "./prices.ts";
export type { ModelPrice, PriceTable } from "./prices.ts";
export { countChatTokens, countTokens } from "./tokens.ts";
export { upstreamError } from "./upstream-error.ts";
