export { retryDelay } from "./backoff.ts";
export type { RetryDelayOptions } from "./backoff.ts";
export type { BreakerState } from "./circuit-breaker.ts";
export { createFallbackChain } from "./fallback-chain.ts";
export type { FallbackChainOptions } from "./fallback-chain.ts";
export { DEFAULT_FALLBACK_RULES, classifyFailure } from "./fallback-rules.ts";
export type { FailureClass, FallbackAction, FallbackRules } from "./fallback-rules.ts";
export type {
  BreakerOptions,
  ConcurrencyOptions,
  RetryBudgetOptions,
  RetryOptions,
  StreamStartOptions,
  TargetPolicy,
  TimeoutOptions,
} from "./options.ts";
export { createResilience } from "./resilience.ts";
export type { Resilience, ResilienceOptions } from "./resilience.ts";
export { staticFallbackMiddleware } from "./static-fallback.ts";
export type { TargetCallOptions, TargetModel } from "./target-model.ts";
export type { StaticFallbackOptions } from "./static-fallback.ts";
