import type { Registry } from "prom-client";
import type { RequestSummary } from "../summarize-request.ts";
import { FastCounter, FastHistogram, type CounterSeries, type HistogramSeries } from "./fast-instruments.ts";
import { OTHER_LABEL, type LabelLimiter } from "./label-limiter.ts";
import {
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_TOKEN_BUCKETS,
  METRIC,
  OVERHEAD_BUCKETS,
  genAiOperationName,
} from "./names.ts";

interface ResolvedLabels {
  operation: string;
  requestModel: string;
  /** Empty when no model answered. */
  responseModel: string;
  provider: string;
  outcome: string;
  /** KeelError code ("cancelled" for a stream the caller left), or empty on success. */
  errorType: string;
  tenant: string;
}

interface Children {
  duration: HistogramSeries;
  inputTokens: HistogramSeries;
  outputTokens: HistogramSeries;
  timeToFirstChunk: HistogramSeries;
  timePerOutputChunk: HistogramSeries;
  requests: CounterSeries;
  overhead: HistogramSeries;
  errors: CounterSeries | undefined;
  cost: CounterSeries;
}

const MAX_CACHED_CHILDREN = 5_000;

/** The per-request metrics, with their label children resolved once per label combination. */
export class RequestMetricSet {
  private readonly duration: FastHistogram;
  private readonly tokens: FastHistogram;
  private readonly timeToFirstChunk: FastHistogram;
  private readonly timePerOutputChunk: FastHistogram;
  private readonly requests: FastCounter;
  private readonly overhead: FastHistogram;
  private readonly errors: FastCounter;
  private readonly cacheRequests: FastCounter;
  private readonly cacheOutcomes = new Map<string, CounterSeries>();
  private readonly cacheSavedUsd: CounterSeries;
  private readonly cacheSavedTokens: CounterSeries;
  private readonly cost: FastCounter;
  private readonly children = new Map<string, Children>();
  private readonly tenants: ReadonlySet<string> | undefined;

  constructor(
    registry: Registry,
    tenantLabels: string[] | undefined,
    private readonly limits: { model: LabelLimiter; provider: LabelLimiter },
  ) {
    this.tenants = tenantLabels === undefined ? undefined : new Set(tenantLabels);
    this.duration = new FastHistogram({
      name: METRIC.operationDuration,
      help: "GenAI operation duration: the whole request as Keel's callers see it.",
      buckets: GEN_AI_DURATION_BUCKETS,
      registry,
    });
    this.tokens = new FastHistogram({
      name: METRIC.tokenUsage,
      help: "Number of input and output tokens used per request.",
      buckets: GEN_AI_TOKEN_BUCKETS,
      registry,
    });
    this.timeToFirstChunk = new FastHistogram({
      name: METRIC.timeToFirstChunk,
      help: "Streams: time from the request to its first chunk.",
      buckets: GEN_AI_DURATION_BUCKETS,
      registry,
    });
    this.timePerOutputChunk = new FastHistogram({
      name: METRIC.timePerOutputChunk,
      help: "Streams: time between consecutive chunks after the first.",
      buckets: GEN_AI_DURATION_BUCKETS,
      registry,
    });
    this.requests = new FastCounter(METRIC.requests, "Requests by operation, requested model and outcome.", registry);
    this.overhead = new FastHistogram({
      name: METRIC.overhead,
      help: "Keel's own time per request: total minus upstream calls and retry backoff.",
      buckets: OVERHEAD_BUCKETS,
      registry,
    });
    this.errors = new FastCounter(METRIC.errors, "Failed requests by KeelError code.", registry);
    this.cacheRequests = new FastCounter(
      METRIC.cacheRequests,
      "Requests that consulted a cache, by outcome (miss, exact, semantic, stale, coalesced).",
      registry,
    );
    this.cacheSavedUsd = new FastCounter(
      METRIC.cacheSavedUsd,
      "Upstream spend avoided by cache hits, stale answers and coalescing (USD).",
      registry,
    ).child({});
    this.cacheSavedTokens = new FastCounter(
      METRIC.cacheSavedTokens,
      "Upstream tokens avoided by cache hits, stale answers and coalescing.",
      registry,
    ).child({});
    this.cost = new FastCounter(METRIC.costUsd, "Upstream spend in USD, by the model that answered.", registry);
  }

  /** `chunkGapsMs`: streams only, the time between consecutive chunks after the first. */
  record(summary: RequestSummary, chunkGapsMs: readonly number[] | undefined): void {
    const children = this.childrenFor(summary);
    children.duration.observe(summary.latencyMs / 1000);
    children.requests.inc();
    children.overhead.observe(summary.overheadMs / 1000);
    if (children.errors !== undefined) children.errors.inc();
    if (summary.inputTokens > 0) children.inputTokens.observe(summary.inputTokens);
    if (summary.outputTokens > 0) children.outputTokens.observe(summary.outputTokens);
    if (summary.costUsd > 0) children.cost.incUsd(summary.costUsd);
    if (summary.ttftMs !== undefined) children.timeToFirstChunk.observe(summary.ttftMs / 1000);
    if (chunkGapsMs !== undefined) for (const gap of chunkGapsMs) children.timePerOutputChunk.observe(gap / 1000);
    if (summary.cache !== undefined) this.cacheOutcome(summary.cache).inc();
    if (summary.savedUsd > 0) this.cacheSavedUsd.incUsd(summary.savedUsd);
    if (summary.savedTokens > 0) this.cacheSavedTokens.inc(summary.savedTokens);
  }

  private cacheOutcome(outcome: string): CounterSeries {
    let series = this.cacheOutcomes.get(outcome);
    if (series === undefined) {
      series = this.cacheRequests.child({ outcome });
      this.cacheOutcomes.set(outcome, series);
    }
    return series;
  }

  private childrenFor(summary: RequestSummary): Children {
    const tenant = this.tenants === undefined ? "" : this.tenants.has(summary.tenant) ? summary.tenant : OTHER_LABEL;
    const errorType = summary.errorCode ?? (summary.outcome === "cancelled" ? "cancelled" : "");
    const key = `${summary.operation}\u0000${summary.route}\u0000${summary.model}\u0000${summary.provider}\u0000${summary.outcome}\u0000${errorType}\u0000${tenant}`;
    let children = this.children.get(key);
    if (children === undefined) {
      children = this.resolve({
        operation: summary.operation,
        requestModel: this.limits.model.value(summary.route),
        responseModel: summary.model === "" ? "" : this.limits.model.value(summary.model),
        provider: this.limits.provider.value(summary.provider),
        outcome: summary.outcome,
        errorType,
        tenant,
      });
      if (this.children.size < MAX_CACHED_CHILDREN) this.children.set(key, children);
    }
    return children;
  }

  private resolve(labels: ResolvedLabels): Children {
    const tenant = labels.tenant;
    const genAi: Record<string, string> = {
      gen_ai_operation_name: genAiOperationName(labels.operation),
      gen_ai_provider_name: labels.provider,
      gen_ai_request_model: labels.requestModel,
    };
    // An empty label is the same as no label to Prometheus; leave it out rather than print "".
    if (labels.responseModel !== "") genAi.gen_ai_response_model = labels.responseModel;
    const withTenant = (values: Record<string, string>) =>
      this.tenants === undefined ? values : { ...values, tenant };
    return {
      duration: this.duration.child(labels.errorType === "" ? genAi : { ...genAi, error_type: labels.errorType }),
      inputTokens: this.tokens.child({ ...genAi, gen_ai_token_type: "input" }),
      outputTokens: this.tokens.child({ ...genAi, gen_ai_token_type: "output" }),
      timeToFirstChunk: this.timeToFirstChunk.child(genAi),
      timePerOutputChunk: this.timePerOutputChunk.child(genAi),
      requests: this.requests.child(
        withTenant({ operation: labels.operation, model: labels.requestModel, outcome: labels.outcome }),
      ),
      overhead: this.overhead.child({ operation: labels.operation }),
      errors:
        labels.errorType === ""
          ? undefined
          : this.errors.child({ code: labels.errorType, operation: labels.operation }),
      cost: this.cost.child(
        withTenant({ model: labels.responseModel === "" ? "none" : labels.responseModel, provider: labels.provider }),
      ),
    };
  }
}
