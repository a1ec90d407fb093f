/**
 * GraphQL enum names are UPPER_CASE by convention; Keel's values are the spec's
 * lower-case strings. These maps make graphql-tools translate both ways, so resolvers
 * pass spec objects through untouched.
 */
export const enumResolvers = {
  Role: { SYSTEM: "system", USER: "user", ASSISTANT: "assistant", TOOL: "tool" },
  CacheMode: { DEFAULT: "default", BYPASS: "bypass", REFRESH: "refresh", ONLY_IF_CACHED: "only-if-cached" },
  CacheOutcome: { MISS: "miss", EXACT: "exact", SEMANTIC: "semantic", STALE: "stale" },
  FinishReason: {
    STOP: "stop",
    LENGTH: "length",
    TOOL_CALLS: "tool_calls",
    CONTENT_FILTER: "content_filter",
    ERROR: "error",
  },
  DegradedMode: { STALE: "stale", STATIC: "static" },
  SafetyAction: {
    ALLOW: "allow",
    REDACT: "redact",
    BLOCK: "block",
    FLAG: "flag",
    REVIEW: "review",
    DISCLAIM: "disclaim",
  },
  StreamEventType: { DELTA: "delta", DONE: "done", ERROR: "error" },
  CircuitState: { CLOSED: "closed", HALF_OPEN: "half-open", OPEN: "open" },
  AlertRule: {
    ERROR_RATE: "error-rate",
    LATENCY_P95: "latency-p95",
    COST_ANOMALY: "cost-anomaly",
    PROVIDER_AVAILABILITY: "provider-availability",
    BUDGET: "budget",
  },
  AlertStatus: { FIRING: "firing", RESOLVED: "resolved" },
  ApiKeyRole: { CALLER: "caller", REVIEWER: "reviewer", ADMIN: "admin" },
  ClassifyMethod: { CENTROID: "centroid", KNN: "knn" },
} as const;
