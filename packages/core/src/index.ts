export { ConfigError } from "./config/config-error.ts";
export type { ConfigIssue } from "./config/config-issues.ts";
export {
  loadConfig,
  parseConfig,
  PLACEHOLDER_API_KEY,
  PORT_VARIABLES,
  usesEmbeddedSimulator,
  type Environment,
} from "./config/load-config.ts";
export { httpOrigin, urlHost } from "./net/url-host.ts";
export type { KeelConfig, KeelConfigInput, ProviderConfig, RouteConfig, TenantConfig } from "./config/schema.ts";
export { createPipeline, type Pipeline, type PipelineOptions, type WarmUpReport } from "./pipeline/create-pipeline.ts";
export { createRedisClients, type RedisClients, type RedisClientSettings } from "./redis/redis-clients.ts";
export { parseRedisUrl, redisUrlForDisplay, type RedisTarget } from "./redis/redis-target.ts";
export { callerReadiness, type Readiness } from "./pipeline/readiness.ts";
export type { AdminSettings, GraphqlTransportSettings, HttpLimits } from "./config/services-schema.ts";
export type { PipelineReview } from "./pipeline/review-api.ts";
export type { ReviewItem, ReviewListQuery, ReviewPage, ReviewSummary } from "@keel/safety";
export {
  reviewApproveSchema,
  reviewEditSchema,
  reviewIdSchema,
  reviewListSchema,
  reviewRejectSchema,
} from "./request/review-schemas.ts";
export type { CallOptions } from "./pipeline/request-scope.ts";
export { createCallerSignal, type CallerSignal } from "./pipeline/caller-signal.ts";
export {
  cacheControlSchema,
  chatRequestSchema,
  embeddingRequestSchema,
  type ChatRequestInput,
  type EmbeddingRequestInput,
} from "./request/chat-request-schema.ts";
export {
  badRequestFromZod,
  parseChatRequest,
  parseEmbeddingRequest,
  parseWith,
  type InputIssue,
} from "./request/parse-request.ts";
export { callerInputs, checkedByOperation, type CallerInputSchema } from "./request/caller-input.ts";
export type { ParsedChatRequest, ParsedEmbeddingRequest, ParsedStructuredRequest } from "./request/parsed-request.ts";
export { closestName, didYouMean } from "./fields/closest-name.ts";
export { unsupportedMediaType } from "./service/json-body-error.ts";
export { runMain, startFailure, type MainIo, type RunningKeel } from "./service/run-main.ts";
export { isWorkerSupervisor, superviseWorkers } from "./service/service-workers.ts";
export { checkStartup } from "./service/startup-checks.ts";
export { listenError, StartupError } from "./service/startup-error.ts";
export {
  startServiceHost,
  type HostBinding,
  type HostedService,
  type RequestHandler,
  type ServiceHost,
  type ServiceHostOptions,
} from "./service/service-host.ts";
export { startAdminHost, type AdminHost } from "./service/admin-host.ts";
export { createRequestGuard, type RequestGuard, type RequestGuardOptions } from "./service/request-guard.ts";
export { installProcessGuards, processFaults } from "./service/process-faults.ts";
export type { StaticSite } from "./service/static-site.ts";
export { createEndableStream, type EndableStreamOptions, type TrackStream } from "./service/endable-stream.ts";
export { createSsePinger, type LiveStream } from "./service/sse-pinger.ts";
export { relaySse, type SseRelayEnd, type SseRelayOptions } from "./service/sse-relay.ts";
export { writeSseFrame } from "./service/sse-frame-write.ts";
export {
  parseStructuredRequest,
  serviceStructuredRequestSchema,
  structuredRequestSchema,
  type ServiceStructuredRequestInput,
  type StructuredRequestInput,
} from "./request/structured-request.ts";
export type {
  BatchItemInput,
  BatchItemResult,
  BatchRequestInput,
  BatchResult,
  BatchStreamEvent,
  BatchTotals,
} from "./batch/batch-types.ts";
export { batchRequestSchema } from "./batch/batch-schema.ts";
export {
  enqueueJobSchema,
  jobIdSchema,
  listJobsSchema,
  structuredJobRequestSchema,
  type EnqueueJobInput,
  type ListJobsInput,
} from "./jobs/enqueue-schema.ts";
export type { JobView, JobWebhookDelivery } from "./jobs/job-view.ts";
export type { JobPage, JobScope, PipelineJobs } from "./jobs/pipeline-jobs.ts";
export { WORKER_SERVICE } from "./jobs/job-processor.ts";
export { trackedSubscription, type TrackedSubscriptionOptions } from "./service/tracked-subscription.ts";
export { openReviewUpdates, type ReviewUpdate, type ReviewUpdatesOptions } from "./service/review-updates.ts";
export {
  createServiceEdge,
  OPEN_PRINCIPAL,
  principalOf,
  unauthenticated,
  type ServiceEdge,
} from "./edge/service-edge.ts";
export { authorizationOf } from "./edge/credentials.ts";
export { requireRole, reviewTenantOf } from "./edge/roles.ts";
export { isLoopback } from "./edge/exposure-check.ts";
export {
  createKeyAdmin,
  createKeyInputSchema,
  keyIdInputSchema,
  listKeysInputSchema,
  updateKeyInputSchema,
  keyView,
  type ApiKeyView,
  type ApiKeyViewPage,
  type CreateKeyInput,
  type IssuedKey,
  type KeyAdmin,
  type ListKeysInput,
  type UpdateKeyInput,
} from "./edge/key-admin.ts";
export {
  tenantUsageOf,
  tenantUsageQuerySchema,
  usageOf,
  usageQuerySchema,
  type UsageWithBudget,
} from "./edge/usage-report.ts";
export { createKeyStore } from "./governance/governance-parts.ts";
export type { AuthGate, AuthMode } from "./governance/auth-gate.ts";
export type { BudgetPeriodView, BudgetScopeView, BudgetView } from "./governance/budget-view.ts";
export type { PipelineGovernance } from "./governance/pipeline-governance.ts";
/** A key record and a page of them, as the admin operations return them (never a secret). */
export type { ApiKey, ApiKeyPage } from "@keel/governance";
export {
  classifyRequestSchema,
  parseClassifyRequest,
  type ClassifyRequest,
  type ClassifyRequestInput,
  type ClassifyResult,
  type TextClassification,
} from "./classify/classify-request.ts";
