import { Counter, Histogram, type Registry } from "prom-client";
import type { RequestSummary } from "../request-summary.ts";
import { OTHER_LABEL, type LabelLimiter } from "./label-limiter.ts";
import { GEN_AI_DURATION_BUCKETS, GEN_AI_TOKEN_BUCKETS, METRIC, OVERHEAD_BUCKETS, genAiOperationName } from "./names.ts";

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
  duration: Histogram.Internal<string>;
  inputTokens: Histogram.Internal<string>;
  outputTokens: Histogram.Internal<string>;
  timeToFirstChunk: Histogram.Internal<string>;
  timePerOutputChunk: Histogram.Internal<string>;
  requests: Counter.Internal;
  overhead: Histogram.Internal<string>;
  errors: Counter.Internal | undefined;
  cost: Counter.Internal;
}

const MAX_CACHED_CHILDREN = 5_000;

/** The per-request metrics, with their label children resolved once per label combination. */
export class RequestMetricSet {
  private readonly duration: Histogram;
  private readonly tokens: Histogram;
  private readonly timeToFirstChunk: Histogram;
  private readonly timePerOutputChunk: Histogram;
  private readonly requests: Counter;
  private readonly overhead: Histogram;
  private readonly errors: Counter;
  private readonly cacheRequests: Counter;
  private readonly cacheSavedUsd: Counter;
  private readonly cacheSavedTokens: Counter;
  private readonly cost: Counter;
  private readonly children = new Map<string, Children>();
  private readonly tenants: ReadonlySet<string> | undefined;

  constructor(
    registry: Registry,
    tenantLabels: string[] | undefined,
    private readonly limits: { model: LabelLimiter; provider: LabelLimiter },
  ) {
    const registers = [registry];
    this.tenants = tenantLabels === undefined ? undefined : new Set(tenantLabels);
    const tenant = this.tenants === undefined ? [] : ["tenant"];
    const genAi = ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model"];
    this.duration = new Histogram({ name: METRIC.operationDuration, help: "GenAI operation duration: the whole request as Keel's callers see it.", labelNames: [...genAi, "error_type"], buckets: GEN_AI_DURATION_BUCKETS, registers });
    this.tokens = new Histogram({ name: METRIC.tokenUsage, help: "Number of input and output tokens used per request.", labelNames: [...genAi, "gen_ai_token_type"], buckets: GEN_AI_TOKEN_BUCKETS, registers });
    this.timeToFirstChunk = new Histogram({ name: METRIC.timeToFirstChunk, help: "Streams: time from the request to its first chunk.", labelNames: genAi, buckets: GEN_AI_DURATION_BUCKETS, registers });
    this.timePerOutputChunk = new Histogram({ name: METRIC.timePerOutputChunk, help: "Streams: time between consecutive chunks after the first.", labelNames: genAi, buckets: GEN_AI_DURATION_BUCKETS, registers });
    this.requests = new Counter({ name: METRIC.requests, help: "Requests by operation, requested model and outcome.", labelNames: ["operation", "model", "outcome", ...tenant], registers });
    this.overhead = new Histogram({ name: METRIC.overhead, help: "Keel's own time per request: total minus upstream calls and retry backoff.", labelNames: ["operation"], buckets: OVERHEAD_BUCKETS, registers });
    this.errors = new Counter({ name: METRIC.errors, help: "Failed requests by KeelError code.", labelNames: ["code", "operation"], registers });
    this.cacheRequests = new Counter({ name: METRIC.cacheRequests, help: "Requests that consulted a cache, by outcome (miss, exact, semantic, stale, coalesced).", labelNames: ["outcome"], registers });
    this.cacheSavedUsd = new Counter({ name: METRIC.cacheSavedUsd, help: "Upstream spend avoided by cache hits, stale answers and coalescing (USD).", registers });
    this.cacheSavedTokens = new Counter({ name: METRIC.cacheSavedTokens, help: "Upstream tokens avoided by cache hits, stale answers and coalescing.", registers });
    this.cost = new Counter({ name: METRIC.costUsd, help: "Upstream spend in USD, by the model that answered.", labelNames: ["model", "provider", ...tenant], registers });
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
    if (summary.costUsd > 0) children.cost.inc(summary.costUsd);
    if (summary.ttftMs !== undefined) children.timeToFirstChunk.observe(summary.ttftMs / 1000);
    if (chunkGapsMs !== undefined) for (const gap of chunkGapsMs) children.timePerOutputChunk.observe(gap / 1000);
    if (summary.cache !== undefined) this.cacheRequests.inc({ outcome: summary.cache });
    if (summary.savedUsd > 0) this.cacheSavedUsd.inc(summary.savedUsd);
    if (summary.savedTokens > 0) this.cacheSavedTokens.inc(summary.savedTokens);
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
    const withTenant = (values: Record<string, string>) => (this.tenants === undefined ? values : { ...values, tenant });
    return {
      duration: this.duration.labels(labels.errorType === "" ? genAi : { ...genAi, error_type: labels.errorType }),
      inputTokens: this.tokens.labels({ ...genAi, gen_ai_token_type: "input" }),
      outputTokens: this.tokens.labels({ ...genAi, gen_ai_token_type: "output" }),
      timeToFirstChunk: this.timeToFirstChunk.labels(genAi),
      timePerOutputChunk: this.timePerOutputChunk.labels(genAi),
      requests: this.requests.labels(withTenant({ operation: labels.operation, model: labels.requestModel, outcome: labels.outcome })),
      overhead: this.overhead.labels({ operation: labels.operation }),
      errors: labels.errorType === "" ? undefined : this.errors.labels({ code: labels.errorType, operation: labels.operation }),
      cost: this.cost.labels(withTenant({ model: labels.responseModel === "" ? "none" : labels.responseModel, provider: labels.provider })),
    };
  }
}
