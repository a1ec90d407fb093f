import type { EventSink, KeelEvent, Middleware } from "@keel/spec";
import type { DestinationStream, Logger } from "pino";
import { AlertManager } from "./alerts/alert-manager.ts";
import type { AlertOptions, AlertState } from "./alerts/types.ts";
import { WebhookSender } from "./alerts/webhook.ts";
import { createUsageLedger, type LedgerOptions } from "./ledger/create-ledger.ts";
import type { UsageLedger, UsageQuery, UsageReport } from "./ledger/types.ts";
import { isJobEvent, logJobEvent } from "./jobs/job-log.ts";
import { createLogger } from "./logger.ts";
import { KeelMetrics, type MetricsOptions } from "./metrics/keel-metrics.ts";
import type { CircuitState } from "./metrics/names.ts";
import { telemetryMiddleware } from "./middleware.ts";
import { FinishedRequestWriter } from "./finished-request-writer.ts";
import type { EventObserver } from "./request-event-tally.ts";
import { DEFAULT_MAX_PROMPT_CHARS } from "./sanitize.ts";
import type { SeriesStats } from "./snapshot/series.ts";
import { SnapshotStore, type SnapshotStoreOptions } from "./snapshot/snapshot-store.ts";
import { scopeToTenant } from "./snapshot/tenant-scope.ts";
import { loadRequestTracer, type RequestTracer, type TracingOptions } from "./tracing/request-tracer.ts";

export interface TelemetryOptions {
  /** A pino logger to use; default one from `createLogger` with the `log` options. */
  logger?: Logger;
  log?: {
    level?: string;
    /** Log prompts and answers, sanitized and truncated. Default false. */
    logPrompts?: boolean;
    /** Truncation for logged prompts and answers. Default 500. */
    maxPromptChars?: number;
    destination?: DestinationStream;
    /** Stdout gathered and written at most this often (see `createLogger`); default 0, every line at once. */
    flushIntervalMs?: number;
  };
  /** `service` on log lines, OTel resource and webhook payloads. Default "keel". */
  serviceName?: string;
  metrics?: MetricsOptions;
  snapshot?: SnapshotStoreOptions;
  /** In memory by default; `{ redisUrl }` or `{ client }` (Redis or Cluster) for Redis. Or a ledger of your own. */
  ledger?: LedgerOptions | UsageLedger;
  /** In-process alert rules; all four on with defaults unless false. */
  alerts?: AlertOptions | false;
  /** OpenTelemetry spans over OTLP/HTTP; off by default. */
  tracing?: TracingOptions | false;
  /**
   * Each route's targets ("provider/model"), so a tenant's snapshot can show the breakers
   * of the routes it called even when every call failed (its figures are then kept under
   * the route's name). Default none: only answering models are matched to targets.
   */
  routeTargets?: Record<string, readonly string[]>;
  /** Epoch milliseconds, fractional allowed; default performance.timeOrigin + performance.now(). Tests inject a clock. */
  now?: () => number;
}

export interface MetricsSnapshot {
  at: string;
  overall: SeriesStats;
  /** By the model that answered. */
  models: Record<string, SeriesStats>;
  /** By the route (model name) the caller asked for. */
  routes: Record<string, SeriesStats>;
  tenants: Record<string, SeriesStats>;
  breakers: Record<string, CircuitState>;
  alerts: AlertState[];
  /** Alerts that resolved lately, newest first (at most 50), with `since` and `resolvedAt`. */
  resolvedAlerts: AlertState[];
}

export interface Telemetry {
  /** The outermost pipeline middleware. */
  middleware(): Middleware;
  /** Pipeline-level sink for events outside any request (breaker state, health probes, jobs and webhooks). */
  readonly events: EventSink;
  readonly logger: Logger;
  readonly ledger: UsageLedger;
  /** Prometheus text for GET /metrics. */
  metricsText(): Promise<string>;
  readonly metricsContentType: string;
  /** With `tenant`: only that tenant's series, and no per-model or overall figures of others. */
  snapshot(options?: { tenant?: string }): MetricsSnapshot;
  usage(query: UsageQuery): Promise<UsageReport>;
  activeAlerts(): AlertState[];
  /** Runs the alert rules now (they also run on a timer unless `evaluateEveryMs` is 0). */
  evaluateAlerts(): void;
  /** A live source of breaker states for /metrics and the snapshot. */
  setBreakerStates(source: () => Record<string, CircuitState>): void;
  /** Writes buffered ledger sums, waits for webhook deliveries and exports pending spans. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const defaultNow = () => performance.timeOrigin + performance.now();

export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const now = options.now ?? defaultNow;
  const serviceName = options.serviceName ?? "keel";
  const logger =
    options.logger ??
    createLogger({
      level: options.log?.level,
      destination: options.log?.destination,
      flushIntervalMs: options.log?.flushIntervalMs,
      serviceName,
    });
  const metrics = new KeelMetrics(options.metrics);
  const snapshots = new SnapshotStore(options.snapshot);
  const ledger = isLedger(options.ledger)
    ? options.ledger
    : createUsageLedger({ ...options.ledger, onError: (error, operation) => ledgerFailed(error, operation) }, now);
  let lastLedgerWarning = Number.NEGATIVE_INFINITY;

  function ledgerFailed(error: unknown, operation: string): void {
    metrics.ledgerErrors.inc();
    // One warning a minute at most while Redis is down; the counter has the full count.
    if (now() - lastLedgerWarning < 60_000) return;
    lastLedgerWarning = now();
    logger.warn(
      { operation, errorType: error instanceof Error ? error.name : "error" },
      "usage ledger unavailable; sums are kept and retried",
    );
  }

  const alertOptions = options.alerts === false ? undefined : (options.alerts ?? {});
  const webhook =
    alertOptions?.webhook === undefined
      ? undefined
      : new WebhookSender(alertOptions.webhook, {
          delivered: (notification, attempts) =>
            logger.info(
              { alert: notification.alert.key, status: notification.status, attempts },
              "alert webhook delivered",
            ),
          failed: (notification, reason) =>
            logger.warn(
              { alert: notification.alert.key, status: notification.status, reason },
              "alert webhook not delivered",
            ),
        });
  const alerts =
    alertOptions === undefined
      ? undefined
      : new AlertManager({
          alerts: alertOptions,
          now,
          onTransition(state) {
            // Budget alerts name tenants; they are counted by keel_budget_thresholds_total instead of a gauge per key.
            if (state.rule !== "budget")
              metrics.alertActive.set({ rule: state.rule, key: state.key }, state.status === "firing" ? 1 : 0);
            if (state.status === "firing") logger.warn({ alert: state }, `alert firing: ${state.message}`);
            else logger.info({ alert: state }, `alert resolved: ${state.key}`);
            webhook?.send({ version: 1, service: serviceName, status: state.status, alert: state });
          },
        });

  const tracer: { current: RequestTracer | undefined; loading: Promise<RequestTracer | undefined> | undefined } = {
    current: undefined,
    loading: undefined,
  };
  if (options.tracing) {
    tracer.loading = loadRequestTracer({ ...options.tracing, serviceName }).then(
      (loaded) => (tracer.current = loaded),
      (error: unknown) => {
        logger.error(
          { errorType: error instanceof Error ? error.name : "error" },
          "tracing could not start; spans are off",
        );
        return undefined;
      },
    );
  }

  const writer = new FinishedRequestWriter({
    metrics,
    snapshots,
    alerts,
    ledger,
    logger,
    prompts: {
      enabled: options.log?.logPrompts === true,
      maxChars: options.log?.maxPromptChars ?? DEFAULT_MAX_PROMPT_CHARS,
    },
    tracer,
  });
  // Request sinks and the pipeline sink feed the same counters; breaker and probe events also reach the alerts.
  const observer: EventObserver = {
    onEvent(event: KeelEvent) {
      metrics.onEvent(event);
      alerts?.onEvent(event);
    },
  };
  const middleware = telemetryMiddleware({ writer, observer, now, tracing: tracer.loading !== undefined });
  const events: EventSink = {
    emit(event: KeelEvent) {
      try {
        observer.onEvent(event);
        // Jobs live outside any request, so their log lines are written here, one per state change.
        if (isJobEvent(event)) logJobEvent(logger, event);
      } catch {
        // Emitting never throws.
      }
    },
  };

  async function flush(): Promise<void> {
    await Promise.allSettled([ledger.flush(), webhook?.idle(), tracer.loading?.then((loaded) => loaded?.flush())]);
  }

  return {
    middleware: () => middleware,
    events,
    logger,
    ledger,
    metricsText: () => metrics.registry.metrics(),
    metricsContentType: metrics.registry.contentType,
    snapshot(query = {}) {
      const at = now();
      const only = query.tenant;
      const models = only === undefined ? snapshots.modelStats(at) : snapshots.tenantModelStats(at, only);
      const shared = { breakers: metrics.breakerStates(), alerts: alerts?.active() ?? [] };
      const resolved = alerts?.recentlyResolved() ?? [];
      const tenantScope = {
        name: only ?? "",
        models: Object.keys(models),
        routeTargets: options.routeTargets ?? {},
      };
      return {
        at: new Date(at).toISOString(),
        overall:
          only === undefined
            ? snapshots.overallStats(at)
            : (snapshots.tenantStats(at, only)[only] ?? snapshots.emptyStats(at)),
        models,
        routes: only === undefined ? snapshots.routeStats(at) : snapshots.tenantRouteStats(at, only),
        tenants: snapshots.tenantStats(at, only),
        // A tenant sees its own targets' breakers and availability alerts and its own budget alerts, never the others'.
        ...(only === undefined ? shared : scopeToTenant(shared, tenantScope)),
        resolvedAlerts:
          only === undefined
            ? resolved
            : scopeToTenant({ breakers: shared.breakers, alerts: resolved }, tenantScope).alerts,
      };
    },
    usage: (query) => ledger.query(query),
    activeAlerts: () => alerts?.active() ?? [],
    evaluateAlerts: () => alerts?.evaluate(),
    setBreakerStates: (source) => metrics.setBreakerSource(source),
    flush,
    async close() {
      alerts?.close();
      await flush();
      await Promise.allSettled([ledger.close(), webhook?.close(), tracer.loading?.then((loaded) => loaded?.close())]);
      logger.flush?.();
    },
  };
}

function isLedger(value: TelemetryOptions["ledger"]): value is UsageLedger {
  return typeof value === "object" && value !== null && typeof (value as UsageLedger).record === "function";
}
