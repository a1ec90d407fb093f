import {
  createApiKeyStore,
  createBudgetLedger,
  createRateLimiter,
  type ApiKeyStore,
  type BudgetLedger,
  type RateLimiter,
  type RedisOptions,
} from "@keel/governance";
import type { EventSink } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";

/** The shared-state parts of identity and spending, on Redis when configured, else in this process. */
export interface GovernanceParts {
  readonly keys: ApiKeyStore;
  readonly limiter: RateLimiter;
  readonly budgets: BudgetLedger;
  close(): Promise<void>;
}

/**
 * API keys, rate limits and budgets as the config says: Redis (`redis.url`) shares them
 * between instances; without it keys live in `<dataDir>/api-keys.json` and limits and
 * budgets in memory. The parts report on `events` (telemetry's pipeline-level sink).
 */
export function createGovernanceParts(options: { config: KeelConfig; events: EventSink }): GovernanceParts {
  const { config, events } = options;
  const onEvent = (event: Parameters<EventSink["emit"]>[0]) => events.emit(event);
  const redis = redisOptionsOf(config);
  const failMode = config.governance.failMode;
  const keys = createKeyStore(config, onEvent);
  const limiter = createRateLimiter({ ...(redis ? { redis } : {}), failMode, onEvent });
  const budgets = createBudgetLedger({
    ...(redis ? { redis } : {}),
    failMode,
    thresholdsPercent: config.governance.budgetAlertsPercent,
    onEvent,
  });
  return {
    keys,
    limiter,
    budgets,
    async close() {
      await Promise.allSettled([keys.close(), limiter.close(), budgets.close()]);
    },
  };
}

/**
 * The API key store the config names: Redis when `redis.url` is set, else the file under
 * `dataDir`. The services and the operator CLI (`pnpm keel keys ...`) open the same one.
 */
export function createKeyStore(
  config: KeelConfig,
  onEvent?: (event: Parameters<EventSink["emit"]>[0]) => void,
): ApiKeyStore {
  const redis = redisOptionsOf(config);
  return createApiKeyStore({
    ...(redis ? { redis } : { dataDir: config.dataDir }),
    verifyCacheMs: config.auth.verifyCacheMs,
    ...(onEvent ? { onEvent } : {}),
  });
}

function redisOptionsOf(config: KeelConfig): RedisOptions | undefined {
  if (!config.redis) return undefined;
  return {
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    commandTimeoutMs: config.redis.commandTimeoutMs,
  };
}
