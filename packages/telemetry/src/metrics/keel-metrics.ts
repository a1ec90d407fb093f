import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { KeelEvent } from "@keel/spec";
import { JobMetrics } from "../jobs/job-metrics.ts";
import { FastHistogram, type HistogramSeries } from "./fast-instruments.ts";
import { GovernanceMetrics } from "./governance-metrics.ts";
import { LabelLimiter } from "./label-limiter.ts";
import {
  CIRCUIT_STATE_VALUE,
  GEN_AI_DURATION_BUCKETS,
  METRIC,
  REVIEW_DECISION_BUCKETS,
  type CircuitState,
} from "./names.ts";
import type { RequestSummary } from "../summarize-request.ts";
import { RequestMetricSet } from "./request-metric-set.ts";

export interface MetricsOptions {
  /** Tenants that get their own `tenant` label on keel_requests_total and keel_cost_usd_total; others are "_OTHER". Default: no tenant label. */
  tenantLabels?: string[];
  /** Distinct values kept per model/provider/target label before "_OTHER". Default 100. */
  maxLabelValues?: number;
  /** Also export prom-client's process metrics (CPU, memory, event loop) on this registry. Default false. */
  defaultMetrics?: boolean;
}

/** Every Prometheus metric of one Telemetry instance, on its own Registry. */
export class KeelMetrics {
  readonly registry = new Registry();
  readonly limitModel: LabelLimiter;
  readonly limitTarget: LabelLimiter;
  readonly limitProvider: LabelLimiter;
  readonly requestMetrics: RequestMetricSet;
  private readonly circuitStates = new Map<string, CircuitState>();
  private breakerSource: (() => Record<string, CircuitState>) | undefined;
  private readonly upstreamDuration: FastHistogram;
  private readonly retries: Counter;
  private readonly fallbacks: Counter;
  private readonly coalesced: Counter;
  private readonly safety: Counter;
  private readonly safetyFindings: Counter;
  private readonly reviewItems: Gauge;
  private readonly reviewDecision: Histogram;
  private readonly validation: Counter;
  private readonly timeouts: Counter;
  private readonly healthProbeUp: Gauge;
  readonly ledgerErrors: Counter;
  readonly alertActive: Gauge;
  private readonly jobs: JobMetrics;
  private readonly governance: GovernanceMetrics;
  // Children resolved once per label value: prom-client hashes label objects on every `labels()` call.
  private readonly targetChildren = new Map<
    string,
    { success: HistogramSeries; error: HistogramSeries; retries: Counter.Internal }
  >();

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    const max = options.maxLabelValues ?? 100;
    this.limitModel = new LabelLimiter(max);
    this.limitTarget = new LabelLimiter(max);
    this.limitProvider = new LabelLimiter(max);
    this.requestMetrics = new RequestMetricSet(this.registry, options.tenantLabels, {
      model: this.limitModel,
      provider: this.limitProvider,
    });
    this.upstreamDuration = new FastHistogram({
      name: METRIC.upstreamDuration,
      help: "Duration of each upstream call (one attempt), by target and outcome.",
      buckets: GEN_AI_DURATION_BUCKETS,
      registry: this.registry,
    });
    this.retries = new Counter({
      name: METRIC.retries,
      help: "Retries of an upstream call, by target.",
      labelNames: ["target"],
      registers,
    });
    this.fallbacks = new Counter({
      name: METRIC.fallbacks,
      help: "Moves from a failed target to the next one in a fallback chain.",
      labelNames: ["from", "to", "code"],
      registers,
    });
    this.coalesced = new Counter({
      name: METRIC.coalesced,
      help: "Requests answered by joining an identical in-flight request.",
      labelNames: ["kind"],
      registers,
    });
    this.safety = new Counter({
      name: METRIC.safetyActions,
      help: "Safety findings by stage, scanner and action taken.",
      labelNames: ["stage", "scanner", "action"],
      registers,
    });
    this.safetyFindings = new Counter({
      name: METRIC.safetyFindings,
      help: "Safety findings by stage, policy entry (detector), kind and action taken.",
      labelNames: ["stage", "detector", "kind", "action"],
      registers,
    });
    this.reviewItems = new Gauge({
      name: METRIC.reviewItems,
      help: "Review items by state: pending rises on creation and falls on decision; the decided states count decisions. Sum over instances.",
      labelNames: ["state"],
      registers,
    });
    this.reviewDecision = new Histogram({
      name: METRIC.reviewDecision,
      help: "Time from a review item's creation to its decision (expiry included), by decision.",
      labelNames: ["decision"],
      buckets: REVIEW_DECISION_BUCKETS,
      registers,
    });
    this.validation = new Counter({
      name: METRIC.validationAttempts,
      help: "Structured-output validation attempts by result.",
      labelNames: ["outcome"],
      registers,
    });
    this.timeouts = new Counter({
      name: METRIC.timeouts,
      help: "Timeouts by kind (attempt, ttft, idle, deadline).",
      labelNames: ["target", "kind"],
      registers,
    });
    this.healthProbeUp = new Gauge({
      name: METRIC.healthProbeUp,
      help: "1 when the last health probe of a target succeeded, 0 when it failed.",
      labelNames: ["target"],
      registers,
    });
    this.ledgerErrors = new Counter({
      name: METRIC.ledgerErrors,
      help: "Usage-ledger writes or reads that failed (the request itself went on).",
      registers,
    });
    this.alertActive = new Gauge({
      name: METRIC.alertActive,
      help: "1 while an in-process alert is firing.",
      labelNames: ["rule", "key"],
      registers,
    });
    this.jobs = new JobMetrics(this.registry);
    this.governance = new GovernanceMetrics(this.registry, { model: this.limitModel, target: this.limitTarget });
    const metrics = this;
    new Gauge({
      name: METRIC.circuitState,
      help: "Circuit breaker state per target: 0 closed, 1 half-open, 2 open.",
      labelNames: ["target"],
      registers,
      collect() {
        for (const [target, state] of Object.entries(metrics.breakerStates()))
          this.set({ target }, CIRCUIT_STATE_VALUE[state]);
      },
    });
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry, prefix: "keel_process_" });
  }

  setBreakerSource(source: () => Record<string, CircuitState>): void {
    this.breakerSource = source;
  }

  breakerStates(): Record<string, CircuitState> {
    const states: Record<string, CircuitState> = Object.fromEntries(this.circuitStates);
    if (this.breakerSource !== undefined) {
      try {
        Object.assign(states, this.breakerSource());
      } catch {
        // A failing state source must not break a scrape; the event-fed states remain.
      }
    }
    return states;
  }

  /** Counters that follow events as they happen (per request or pipeline-level). */
  onEvent(event: KeelEvent): void {
    switch (event.type) {
      case "upstream-response":
        this.target(event.target).success.observe(event.durationMs / 1000);
        break;
      case "upstream-error":
        this.target(event.target).error.observe(event.durationMs / 1000);
        break;
      case "retry-attempt":
        this.target(event.target).retries.inc();
        break;
      case "fallback":
        this.fallbacks.inc({
          from: this.limitTarget.value(event.from),
          to: this.limitTarget.value(event.to),
          code: event.code,
        });
        break;
      case "cache-coalesced":
        this.coalesced.inc({ kind: event.kind });
        break;
      case "safety-finding":
        this.safety.inc({ stage: event.stage, scanner: event.scanner, action: event.action });
        this.safetyFindings.inc({
          stage: event.stage,
          detector: event.detector,
          kind: event.kind,
          action: event.action,
        });
        break;
      case "review-created":
        this.reviewItems.inc({ state: "pending" });
        break;
      case "review-decided":
        this.reviewItems.dec({ state: "pending" });
        this.reviewItems.inc({ state: event.decision });
        this.reviewDecision.observe({ decision: event.decision }, event.timeToDecisionMs / 1000);
        break;
      case "validation-attempt":
        this.validation.inc({ outcome: event.valid ? (event.repaired ? "repaired" : "valid") : "invalid" });
        break;
      case "timeout":
        this.timeouts.inc({ target: this.limitTarget.value(event.target), kind: event.kind });
        break;
      case "circuit-open":
        this.circuitStates.set(event.target, "open");
        break;
      case "circuit-half-open":
        this.circuitStates.set(event.target, "half-open");
        break;
      case "circuit-close":
        this.circuitStates.set(event.target, "closed");
        break;
      case "health-probe":
        this.healthProbeUp.set({ target: this.limitTarget.value(event.target) }, event.ok ? 1 : 0);
        break;
      case "job-state":
      case "webhook-delivery":
      case "job-queue-depth":
        this.jobs.onEvent(event);
        break;
      default:
        this.governance.onEvent(event);
        break;
    }
  }

  recordRequest(summary: RequestSummary, chunkGapsMs: readonly number[] | undefined): void {
    this.requestMetrics.record(summary, chunkGapsMs);
  }

  private target(raw: string) {
    let children = this.targetChildren.get(raw);
    if (children === undefined) {
      const target = this.limitTarget.value(raw);
      children = {
        success: this.upstreamDuration.child({ target, outcome: "success" }),
        error: this.upstreamDuration.child({ target, outcome: "error" }),
        retries: this.retries.labels({ target }),
      };
      if (this.targetChildren.size < 1000) this.targetChildren.set(raw, children);
    }
    return children;
  }
}
