export { createApiKeyStore } from "./keys/api-key-store.ts";
export { bootstrapAdminKey } from "./keys/bootstrap-admin-key.ts";
export type { ApiKeyStore, ApiKeyStoreOptions, InstallApiKeyInput } from "./keys/api-key-store.ts";
export { bearerToken, canUseModel, hasRole, requireModel, requireRole } from "./keys/authorization.ts";
export { formatApiKey, generateApiKey, parseApiKey, redactApiKey } from "./keys/key-token.ts";
export type { ParsedApiKey } from "./keys/key-token.ts";
export { API_KEY_ROLES } from "./keys/key-types.ts";
export type {
  ApiKey,
  ApiKeyChanges,
  ApiKeyPage,
  ApiKeyRole,
  BudgetLimits,
  CreateApiKeyInput,
  IssuedApiKey,
  ListApiKeysQuery,
  RateLimits,
} from "./keys/key-types.ts";
export type {
  ApiKeyRejection,
  BudgetPeriod,
  EventHook,
  FailMode,
  GovernanceEvent,
  GovernanceEventType,
  LimitKind,
  LimitScope,
} from "./shared/events.ts";
export type { Health, RedisOptions } from "./shared/redis-connection.ts";
export { createRateLimiter } from "./limits/create-rate-limiter.ts";
export { createMemoryRateLimiter } from "./limits/memory-rate-limiter.ts";
export type { MemoryRateLimiterOptions } from "./limits/memory-rate-limiter.ts";
export { createRedisRateLimiter } from "./limits/redis-rate-limiter.ts";
export type { RedisRateLimiterOptions } from "./limits/redis-rate-limiter.ts";
export { formatDuration } from "./limits/rate-limit-headers.ts";
export type {
  Admission,
  AdmissionRequest,
  RateLease,
  RateLimiter,
  RateLimiterOptions,
  RateLimitHeaders,
  ScopeUsage,
} from "./limits/rate-limit-types.ts";
export { createBudgetLedger } from "./budgets/create-budget-ledger.ts";
export { createMemoryBudgetLedger } from "./budgets/memory-budget-ledger.ts";
export { createRedisBudgetLedger } from "./budgets/redis-budget-ledger.ts";
export type { RedisBudgetLedgerOptions } from "./budgets/redis-budget-ledger.ts";
export { costMicroUsd, MICRO_USD_PER_USD, maxCostMicroUsd, microUsdToUsd, usdToMicroUsd } from "./budgets/money.ts";
export type { TokenPrice } from "./budgets/money.ts";
export type {
  BudgetCounter,
  BudgetLedger,
  BudgetLedgerOptions,
  BudgetRequest,
  BudgetScopeQuery,
  BudgetStatus,
  PeriodStatus,
  Reservation,
  ScopeBudgetStatus,
} from "./budgets/budget-types.ts";
export { createModelSelector, selectionInputOf } from "./selection/model-selector.ts";
export type { ModelSelector } from "./selection/model-selector.ts";
export type {
  CandidateModel,
  Escalation,
  EscalationReason,
  ModelSelectionOptions,
  Selection,
  SelectionConditions,
  SelectionInput,
  SelectionRule,
} from "./selection/selection-types.ts";
export { optimisePrompt } from "./optimisation/optimise-prompt.ts";
export { collapseRepeatedLines, compactWhitespace } from "./optimisation/text-compaction.ts";
export type {
  CountTokens,
  DroppedMessage,
  PromptOptimisation,
  PromptOptimisationOptions,
  TransformName,
  TransformReport,
} from "./optimisation/optimisation-types.ts";
export { classifyEmbeddings, createEmbeddingClassifier } from "./classification/embedding-classifier.ts";
export type {
  Classification,
  EmbeddingClassifier,
  EmbeddingClassifierOptions,
  LabelExamples,
} from "./classification/embedding-classifier.ts";
