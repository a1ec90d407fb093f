export { createTelemetry } from "./telemetry.ts";
export type { MetricsSnapshot, Telemetry, TelemetryOptions } from "./telemetry.ts";
export { createLogger } from "./logger.ts";
export type { Logger, LoggerOptions } from "./logger.ts";
export { sanitizeText } from "./sanitize.ts";
export { createUsageLedger } from "./ledger/create-ledger.ts";
export type { LedgerOptions } from "./ledger/create-ledger.ts";
export type { UsageDay, UsageEntry, UsageLedger, UsageQuery, UsageReport, UsageTotals } from "./ledger/types.ts";
export { withUsageTracking } from "./usage-tracking.ts";
export type { UsageTracker, UsageTrackingOptions, UsageTrackingResult } from "./usage-tracking.ts";
export type {
  AlertNotification,
  AlertOptions,
  AlertRule,
  AlertState,
  AvailabilityRuleOptions,
  CostRuleOptions,
  ErrorRateRuleOptions,
  LatencyRuleOptions,
  WebhookOptions,
} from "./alerts/types.ts";
export type { MetricsOptions } from "./metrics/keel-metrics.ts";
export { GEN_AI_DURATION_BUCKETS, GEN_AI_TOKEN_BUCKETS, METRIC, OVERHEAD_BUCKETS } from "./metrics/names.ts";
export type { CircuitState } from "./metrics/names.ts";
export type { SeriesStats, WindowName, WindowStats } from "./snapshot/series.ts";
export type { SnapshotStoreOptions } from "./snapshot/snapshot-store.ts";
export type { TracingOptions } from "./tracing/request-tracer.ts";
