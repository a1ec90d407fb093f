export { createOpenAIProvider } from "./openai-provider.ts";
export type { Provider, ProviderOptions } from "./openai-provider.ts";
export { costOf, createPriceTable } from "./prices.ts";
export type { ModelPrice, PriceTable } from "./prices.ts";
export { createContextWindowTable } from "./context-windows.ts";
export type { ContextWindowTable } from "./context-windows.ts";
export { countChatTokens, countTokens } from "./tokens.ts";
export { upstreamError } from "./upstream-error.ts";
