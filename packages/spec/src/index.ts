export {
  HTTP_STATUS_BY_CODE,
  KEEL_ERROR_CODES,
  KeelError,
  isAbortError,
  isRetryable,
  isRetryableStatus,
  toKeelError,
} from "./errors.ts";
export type { KeelErrorBody, KeelErrorCode, KeelErrorDetails, KeelErrorOptions } from "./errors.ts";
export type { EventSink, KeelEvent, KeelEventType } from "./events.ts";
export type { JobEventKind, JobEventState, JobKeelEvent } from "./job-events.ts";
export { addUsd, fromNanoUsd, roundUsd, toNanoUsd, USD_DECIMALS } from "./money.ts";
export { noopEventSink } from "./events.ts";
export type {
  ApiKeyRejection,
  ApiKeyRole,
  BudgetPeriod,
  GovernanceEvent,
  LimitKind,
  LimitScope,
  OptimisationReport,
  Principal,
  SelectionReport,
} from "./governance.ts";
export type {
  CacheOutcome,
  FallbackFailure,
  FallbackReport,
  FinishReason,
  Generation,
  ReviewState,
  ReviewStatus,
  SafetyAction,
  SafetyClaim,
  SafetyFinding,
  SafetyReport,
  SafetyStage,
  ToolCall,
  Usage,
  ValidationAttempt,
  ValidationIssue,
  ValidationReport,
} from "./generation.ts";
export type {
  EmbedNext,
  EmbeddingModel,
  GenerateNext,
  Middleware,
  Model,
  Operation,
  RequestContext,
  RequestRoute,
  StreamNext,
} from "./middleware.ts";
export type {
  CacheControl,
  CacheMode,
  ChatDocument,
  ChatMessage,
  ChatRequest,
  ChatRole,
  CustomValidator,
  EmbeddingRequest,
  EmbeddingResult,
  ResponseFormat,
  StructuredOutputSpec,
  ToolChoice,
  ToolDefinition,
} from "./request.ts";
export { linkSignal, onceAborted } from "./signals.ts";
export type { LinkedSignal } from "./signals.ts";
export type { StreamEvent } from "./stream.ts";
export { DEFAULT_TENANT } from "./tenant.ts";
