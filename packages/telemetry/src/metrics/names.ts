/**
 * Metric names and bucket boundaries. The gen_ai_* names are the OpenTelemetry GenAI
 * semantic conventions in Prometheus form (dots to underscores, unit `s` to `_seconds`,
 * the `{token}` annotation dropped); keel_* are Keel's own.
 */
export const METRIC = {
  operationDuration: "gen_ai_client_operation_duration_seconds",
  tokenUsage: "gen_ai_client_token_usage",
  timeToFirstChunk: "gen_ai_client_operation_time_to_first_chunk_seconds",
  timePerOutputChunk: "gen_ai_client_operation_time_per_output_chunk_seconds",
  requests: "keel_requests_total",
  upstreamDuration: "keel_upstream_duration_seconds",
  overhead: "keel_overhead_seconds",
  errors: "keel_errors_total",
  cacheRequests: "keel_cache_requests_total",
  cacheSavedUsd: "keel_cache_saved_usd_total",
  cacheSavedTokens: "keel_cache_saved_tokens_total",
  costUsd: "keel_cost_usd_total",
  retries: "keel_retries_total",
  fallbacks: "keel_fallbacks_total",
  coalesced: "keel_coalesced_total",
  circuitState: "keel_circuit_state",
  healthProbeUp: "keel_health_probe_up",
  safetyActions: "keel_safety_actions_total",
  safetyFindings: "keel_safety_findings_total",
  reviewItems: "keel_review_items",
  reviewDecision: "keel_review_decision_seconds",
  validationAttempts: "keel_validation_attempts_total",
  timeouts: "keel_timeouts_total",
  alertActive: "keel_alert_active",
  ledgerErrors: "keel_ledger_errors_total",
  jobQueueDepth: "keel_job_queue_depth",
  jobStateChanges: "keel_job_state_changes_total",
  jobsFinished: "keel_jobs_finished_total",
  jobDuration: "keel_job_duration_seconds",
  jobWait: "keel_job_wait_seconds",
  jobRetries: "keel_job_retries_total",
  webhookDeliveries: "keel_webhook_deliveries_total",
} as const;

/** The GenAI conventions' boundaries for operation duration, time to first chunk and time per output chunk (seconds). */
export const GEN_AI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** The GenAI conventions' boundaries for token usage. */
export const GEN_AI_TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** Keel's own time per request is sub-millisecond to tens of milliseconds: fine buckets. */
export const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

/** Background jobs wait and run from milliseconds (a cached answer) to hours (a provider batch). */
export const JOB_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14400];

/** Time from a review item's creation to its decision: seconds to a day. */
export const REVIEW_DECISION_BUCKETS = [1, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400];

/** keel_circuit_state values. */
export const CIRCUIT_STATE_VALUE = { closed: 0, "half-open": 1, open: 2 } as const;

export type CircuitState = keyof typeof CIRCUIT_STATE_VALUE;

/** Keel operations to gen_ai.operation.name well-known values. */
export function genAiOperationName(operation: string): string {
  // classify is answered by one embeddings call.
  return operation === "embed" || operation === "classify" ? "embeddings" : "chat";
}
