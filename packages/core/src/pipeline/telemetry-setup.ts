import { createTelemetry, type Logger, type Telemetry } from "@keel/telemetry";
import type { KeelConfig } from "../config/schema.ts";
import type { RedisClients } from "../redis/redis-clients.ts";

export interface TelemetryOverrides {
  /** A pino logger to write request lines to (tests capture them); default stdout. */
  logger?: Logger;
  /** Clock for windows and alerts (tests). */
  now?: () => number;
}

/** Maps the config's telemetry section (and shared Redis) to @keel/telemetry's options. */
export function createPipelineTelemetry(
  config: KeelConfig,
  overrides: TelemetryOverrides & { redis?: RedisClients | undefined } = {},
): Telemetry {
  const { telemetry, redis } = config;
  return createTelemetry({
    serviceName: telemetry.serviceName,
    log: {
      level: telemetry.log.level,
      logPrompts: telemetry.log.logPrompts,
      maxPromptChars: telemetry.log.maxPromptChars,
      flushIntervalMs: telemetry.log.flushIntervalMs,
    },
    metrics: telemetry.metrics,
    ledger:
      redis && overrides.redis
        ? {
            ...telemetry.ledger,
            // The background connection: a flush waits out a failover instead of failing.
            client: overrides.redis.background,
            keyPrefix: telemetry.ledger.keyPrefix ?? `${redis.keyPrefix}usage:`,
          }
        : telemetry.ledger,
    alerts: telemetry.alerts,
    tracing: telemetry.tracing,
    routeTargets: Object.fromEntries(
      Object.entries(config.models).map(([route, settings]) => [route, settings.targets]),
    ),
    ...(overrides.logger ? { logger: overrides.logger } : {}),
    ...(overrides.now ? { now: overrides.now } : {}),
  });
}
