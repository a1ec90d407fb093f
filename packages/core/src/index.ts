export { ConfigError } from "./config/config-error.ts";
export { loadConfig, parseConfig, usesEmbeddedSimulator, type Environment } from "./config/load-config.ts";
export type { KeelConfig, KeelConfigInput, ProviderConfig, RouteConfig } from "./config/schema.ts";
export { createPipeline, type Pipeline, type PipelineOptions } from "./pipeline/create-pipeline.ts";
export type { Readiness } from "./pipeline/readiness.ts";
export type { CallOptions } from "./pipeline/request-scope.ts";
export {
  cacheControlSchema,
  chatRequestSchema,
  embeddingRequestSchema,
  type ChatRequestInput,
} from "./request/chat-request-schema.ts";
export { badRequestFromZod, parseChatRequest, parseEmbeddingRequest } from "./request/parse-request.ts";
export {
  startServiceHost,
  type RequestHandler,
  type ServiceHost,
  type ServiceHostOptions,
} from "./service/service-host.ts";
export {
  parseStructuredRequest,
  structuredRequestSchema,
  type StructuredRequestInput,
} from "./request/structured-request.ts";
