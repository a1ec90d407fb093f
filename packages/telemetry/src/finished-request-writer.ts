import type { ChatRequest, Generation } from "@keel/spec";
import type { Logger } from "pino";
import type { AlertManager } from "./alerts/alert-manager.ts";
import type { UsageLedger } from "./ledger/types.ts";
import { utcDay } from "./ledger/query.ts";
import { logLine, type PromptLogging } from "./log-line.ts";
import type { KeelMetrics } from "./metrics/keel-metrics.ts";
import type { AttemptRecord } from "./request-event-tally.ts";
import type { RequestSummary } from "./summarize-request.ts";
import { latencyBucket } from "./snapshot/latency-buckets.ts";
import { Sample } from "./snapshot/ring.ts";
import type { SnapshotStore } from "./snapshot/snapshot-store.ts";
import type { RequestTracer } from "./tracing/request-tracer.ts";

export interface WriterParts {
  metrics: KeelMetrics;
  snapshots: SnapshotStore;
  alerts: AlertManager | undefined;
  ledger: UsageLedger;
  logger: Logger;
  prompts: PromptLogging;
  tracer: { current: RequestTracer | undefined; loading: Promise<RequestTracer | undefined> | undefined };
}

export interface FinishedRequest {
  summary: RequestSummary;
  attempts: readonly AttemptRecord[] | undefined;
  chunkGapsMs: readonly number[] | undefined;
  request?: ChatRequest;
  generation?: Generation;
}

/** Turns one finished request into its metrics, windows, ledger entry, log line and spans. Never throws. */
export class FinishedRequestWriter {
  // One sample object reused for every request: filled and consumed synchronously.
  private readonly sample = new Sample();

  constructor(private readonly parts: WriterParts) {}

  write(finished: FinishedRequest): void {
    const { summary } = finished;
    const parts = this.parts;
    try {
      parts.metrics.recordRequest(summary, finished.chunkGapsMs);
      const sample = this.fillSample(summary);
      const endedAtMs = summary.startedAtMs + summary.latencyMs;
      parts.snapshots.add(
        endedAtMs,
        { model: summary.model === "" ? summary.route : summary.model, route: summary.route, tenant: summary.tenant },
        sample,
      );
      parts.alerts?.add(endedAtMs, sample);
      parts.ledger.record({
        tenant: summary.tenant,
        model: summary.model === "" ? "none" : summary.model,
        day: utcDay(endedAtMs),
        error: summary.outcome === "error",
        cacheHit: summary.cache !== undefined && summary.cache !== "miss",
        promptTokens: summary.inputTokens,
        completionTokens: summary.outputTokens,
        estimated: summary.estimated,
        costUsd: summary.costUsd,
        savedTokens: summary.savedTokens,
        savedUsd: summary.savedUsd,
      });
      const line = logLine(
        summary,
        parts.prompts,
        parts.prompts.enabled ? { request: finished.request, generation: finished.generation } : undefined,
      );
      if (summary.outcome === "error" && !summary.rejected) parts.logger.warn(line, "request failed");
      else parts.logger.info(line, "request");
      this.trace(finished);
    } catch (error) {
      // Telemetry never throws into a request; say so once per failure on the log if we can.
      try {
        parts.logger.error(
          { errorType: error instanceof Error ? error.name : typeof error },
          "telemetry failed to record a request",
        );
      } catch {
        // Nothing left to tell.
      }
    }
  }

  private fillSample(summary: RequestSummary): Sample {
    const sample = this.sample;
    sample.error = summary.outcome === "error" && !summary.rejected;
    sample.rejected = summary.rejected;
    sample.cacheLookup = summary.cache !== undefined;
    sample.cacheHit = summary.cache !== undefined && summary.cache !== "miss";
    sample.inputTokens = summary.inputTokens;
    sample.outputTokens = summary.outputTokens;
    sample.costUsd = summary.costUsd;
    sample.savedUsd = summary.savedUsd;
    sample.errorCode = summary.outcome === "error" ? summary.errorCode : undefined;
    const succeeded = summary.outcome === "success" || summary.outcome === "degraded";
    sample.latencyMs = succeeded ? summary.latencyMs : -1;
    sample.latencyBucket = succeeded ? latencyBucket(summary.latencyMs) : 0;
    return sample;
  }

  private trace(finished: FinishedRequest): void {
    const tracer = this.parts.tracer;
    if (tracer.loading === undefined) return;
    const request = { temperature: finished.request?.temperature, maxTokens: finished.request?.maxTokens };
    const attempts = finished.attempts ?? [];
    if (tracer.current !== undefined) tracer.current.record(finished.summary, attempts, request);
    // Only while the SDK is still loading, just after start: the span is recorded once it has.
    else void tracer.loading.then((loaded) => loaded?.record(finished.summary, attempts, request));
  }
}
