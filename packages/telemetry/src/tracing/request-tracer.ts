import type { AttemptRecord } from "../request-event-tally.ts";
import type { RequestSummary } from "../summarize-request.ts";
import { genAiOperationName } from "../metrics/names.ts";

export interface TracingOptions {
  /** OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  otlpEndpoint: string;
  headers?: Record<string, string>;
  /** Per export, and the most that flush() and close() wait. Default 5000 ms. */
  timeoutMs?: number;
}

export interface RequestTracer {
  record(
    summary: RequestSummary,
    attempts: readonly AttemptRecord[],
    request: { temperature?: number; maxTokens?: number },
  ): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

type Attributes = Record<string, string | number | boolean>;

/**
 * Loads the OpenTelemetry SDK and OTLP exporter only when tracing is configured, so the
 * default path never pays for them. Spans are built after the fact from the request's
 * timestamps: one span per request, one child per upstream attempt.
 */
export async function loadRequestTracer(options: TracingOptions & { serviceName: string }): Promise<RequestTracer> {
  const [api, sdk, exporterModule, resources] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const exporter = new exporterModule.OTLPTraceExporter({
    url: options.otlpEndpoint,
    headers: options.headers ?? {},
    timeoutMillis: timeoutMs,
  });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": options.serviceName }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("@keel/telemetry");

  return {
    record(summary, attempts, request) {
      const operation = genAiOperationName(summary.operation);
      const attributes: Attributes = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": summary.provider,
        "gen_ai.request.model": summary.route,
        "gen_ai.usage.input_tokens": summary.inputTokens,
        "gen_ai.usage.output_tokens": summary.outputTokens,
        "keel.request_id": summary.requestId,
        "keel.tenant": summary.tenant,
        "keel.operation": summary.operation,
        "keel.outcome": summary.outcome,
        "keel.attempts": summary.attempts,
        "keel.retries": summary.retries,
        "keel.cost_usd": summary.costUsd,
      };
      if (summary.model !== "") attributes["gen_ai.response.model"] = summary.model;
      if (summary.generationId !== undefined) attributes["gen_ai.response.id"] = summary.generationId;
      if (request.temperature !== undefined) attributes["gen_ai.request.temperature"] = request.temperature;
      if (request.maxTokens !== undefined) attributes["gen_ai.request.max_tokens"] = request.maxTokens;
      if (summary.cache !== undefined) attributes["keel.cache"] = summary.cache;
      if (summary.errorCode !== undefined) attributes["error.type"] = summary.errorCode;
      const span = tracer.startSpan(`${operation} ${summary.route}`, {
        kind: api.SpanKind.INTERNAL,
        startTime: summary.startedAtMs,
        attributes,
      });
      if (summary.errorCode !== undefined)
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: summary.errorCode });
      const parent = api.trace.setSpan(api.context.active(), span);
      for (const attempt of attempts) {
        const slash = attempt.target.indexOf("/");
        const child: Attributes = {
          "gen_ai.operation.name": operation,
          "gen_ai.provider.name": slash === -1 ? attempt.target : attempt.target.slice(0, slash),
          "gen_ai.request.model": slash === -1 ? attempt.target : attempt.target.slice(slash + 1),
          "keel.target": attempt.target,
        };
        if (attempt.ok) {
          child["gen_ai.usage.input_tokens"] = attempt.inputTokens;
          child["gen_ai.usage.output_tokens"] = attempt.outputTokens;
        } else {
          child["error.type"] = attempt.code ?? "_OTHER";
          if (attempt.status !== undefined) child["http.response.status_code"] = attempt.status;
        }
        const attemptSpan = tracer.startSpan(
          `${operation} ${child["gen_ai.request.model"]}`,
          { kind: api.SpanKind.CLIENT, startTime: attempt.startMs, attributes: child },
          parent,
        );
        if (!attempt.ok) attemptSpan.setStatus({ code: api.SpanStatusCode.ERROR, message: attempt.code ?? "error" });
        attemptSpan.end(attempt.endMs);
      }
      span.end(summary.startedAtMs + summary.latencyMs);
    },
    // A collector that is down must not hold up a flush or a shutdown for longer than the timeout.
    flush: () => bounded(provider.forceFlush(), timeoutMs),
    close: () => bounded(provider.shutdown(), timeoutMs),
  };
}

function bounded(work: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  return Promise.race([work.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
