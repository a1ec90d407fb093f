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
export type { KeelConfig, KeelConfigInput, ProviderConfig, RouteConfig } from "./config/schema.ts";
export { createPipeline, type Pipeline, type PipelineOptions } from "./pipeline/create-pipeline.ts";
export type { Readiness } from "./pipeline/readiness.ts";
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
  type InputIssue,
} from "./request/parse-request.ts";
export { callerInputs, type CallerInputSchema } from "./request/caller-input.ts";
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
export { createEndableStream, type EndableStreamOptions, type TrackStream } from "./service/endable-stream.ts";
export {
  parseStructuredRequest,
  serviceStructuredRequestSchema,
  structuredRequestSchema,
  type ServiceStructuredRequestInput,
  type StructuredRequestInput,
} from "./request/structured-request.ts";
