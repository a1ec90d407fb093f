import { z } from "zod";

/** Config shapes of @keel/telemetry's options (defaults live in that package). */

const milliseconds = z.number().int().nonnegative();
const baselineRule = {
  windowMs: milliseconds.optional(),
  baselineMs: milliseconds.optional(),
  factor: z.number().positive().optional(),
  forMs: milliseconds.optional(),
  resolveAfterMs: milliseconds.optional(),
  resolveRatio: z.number().positive().max(1).optional(),
};

const alertsSchema = z.strictObject({
  errorRate: z
    .union([
      z.literal(false),
      z.strictObject({
        ...baselineRule,
        minRate: z.number().min(0).max(1).optional(),
        minRequests: z.number().int().nonnegative().optional(),
      }),
    ])
    .optional(),
  latency: z
    .union([
      z.literal(false),
      z.strictObject({
        ...baselineRule,
        minP95Ms: z.number().nonnegative().optional(),
        maxP95Ms: z.number().positive().optional(),
        minRequests: z.number().int().nonnegative().optional(),
      }),
    ])
    .optional(),
  cost: z
    .union([
      z.literal(false),
      z.strictObject({
        ...baselineRule,
        minUsd: z.number().nonnegative().optional(),
        maxUsdPerHour: z.number().positive().optional(),
      }),
    ])
    .optional(),
  availability: z
    .union([
      z.literal(false),
      z.strictObject({ forMs: milliseconds.optional(), resolveAfterMs: milliseconds.optional() }),
    ])
    .optional(),
  /** Budget thresholds (governance.budgetAlertsPercent) as alerts; false turns them off. */
  budget: z.literal(false).optional(),
  webhook: z
    .strictObject({
      url: z.url(),
      headers: z.record(z.string(), z.string()).optional(),
      maxAttempts: z.number().int().min(1).max(20).optional(),
      backoffMs: milliseconds.optional(),
      timeoutMs: z.number().int().positive().optional(),
      maxQueue: z.number().int().positive().optional(),
    })
    .optional(),
  bucketMs: z.number().int().positive().optional(),
  evaluateEveryMs: milliseconds.optional(),
});

export const telemetrySchema = z.strictObject({
  /** false: no per-request logs, metrics, ledger or alerts (for measuring telemetry's own cost). */
  enabled: z.boolean().default(true),
  serviceName: z.string().min(1).default("keel"),
  log: z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      /** Log prompts and answers, PII-redacted and truncated. Off by default. */
      logPrompts: z.boolean().default(false),
      maxPromptChars: z.number().int().positive().default(500),
      /**
       * Log lines to stdout are gathered and written together at least this often (and at
       * once per 8 KiB, and on exit); 0 writes every line on its own. A SIGKILL loses at
       * most this interval's lines (packages/telemetry/README.md, Logs).
       */
      flushIntervalMs: z.number().int().nonnegative().max(10_000).default(100),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Tenants that get their own Prometheus label; others are "_OTHER". Default none: bounded cardinality. */
      tenantLabels: z.array(z.string()).optional(),
      maxLabelValues: z.number().int().positive().optional(),
      defaultMetrics: z.boolean().optional(),
    })
    .prefault({}),
  /** The usage ledger: in memory by default, in Redis (redis.url) when set. */
  ledger: z
    .strictObject({
      keyPrefix: z.string().optional(),
      flushIntervalMs: z.number().int().positive().optional(),
      retentionDays: z.number().int().positive().optional(),
    })
    .prefault({}),
  alerts: z.union([z.literal(false), alertsSchema]).default({}),
  tracing: z
    .union([
      z.literal(false),
      z.strictObject({
        otlpEndpoint: z.url(),
        headers: z.record(z.string(), z.string()).optional(),
        timeoutMs: z.number().int().positive().optional(),
      }),
    ])
    .default(false),
});
