import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { JobKeelEvent } from "@keel/spec";
import { JOB_DURATION_BUCKETS, METRIC } from "../metrics/names.ts";

/**
 * The background jobs' Prometheus metrics, fed by the queue's and the workers' events: queue
 * depth per state, how long jobs waited and ran, how they ended, retries and recoveries, and
 * webhook deliveries. Every process that emits the events counts its own share (the service
 * its enqueues and cancels, each worker what it ran); sum over instances.
 */
export class JobMetrics {
  private readonly depth: Gauge;
  private readonly stateChanges: Counter;
  private readonly finished: Counter;
  private readonly duration: Histogram;
  private readonly wait: Histogram;
  private readonly retries: Counter;
  private readonly webhooks: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.depth = new Gauge({
      name: METRIC.jobQueueDepth,
      help: "Jobs per state in a queue, as last read (finished jobs count until their result expires).",
      labelNames: ["queue", "state"],
      registers,
    });
    this.stateChanges = new Counter({
      name: METRIC.jobStateChanges,
      help: "Job state changes made by this process, by kind and new state.",
      labelNames: ["kind", "state"],
      registers,
    });
    this.finished = new Counter({
      name: METRIC.jobsFinished,
      help: "Jobs that reached a final state, by kind, outcome (completed, failed, cancelled) and error code.",
      labelNames: ["kind", "outcome", "code"],
      registers,
    });
    this.duration = new Histogram({
      name: METRIC.jobDuration,
      help: "From a job's first start to its final state, by kind and outcome.",
      labelNames: ["kind", "outcome"],
      buckets: JOB_DURATION_BUCKETS,
      registers,
    });
    this.wait = new Histogram({
      name: METRIC.jobWait,
      help: "How long a job waited in the queue before an attempt started, by kind.",
      labelNames: ["kind"],
      buckets: JOB_DURATION_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: METRIC.jobRetries,
      help: "Jobs run again: retry (a retryable failure), hand-back (worker shutdown), recovered (its worker died).",
      labelNames: ["kind", "reason"],
      registers,
    });
    this.webhooks = new Counter({
      name: METRIC.webhookDeliveries,
      help: "Webhook delivery attempts, by outcome and why a failed one failed; gave_up marks the last failed attempt.",
      labelNames: ["outcome", "reason", "gave_up"],
      registers,
    });
  }

  onEvent(event: JobKeelEvent): void {
    switch (event.type) {
      case "job-queue-depth":
        for (const [state, count] of Object.entries(event.depth)) this.depth.set({ queue: event.queue, state }, count);
        break;
      case "webhook-delivery":
        this.webhooks.inc({
          outcome: event.outcome,
          reason: event.reason ?? "",
          gave_up: String(event.gaveUp === true),
        });
        break;
      case "job-state":
        this.stateChange(event);
        break;
    }
  }

  private stateChange(event: Extract<JobKeelEvent, { type: "job-state" }>): void {
    const { kind, state } = event;
    this.stateChanges.inc({ kind, state });
    if (state === "active" && event.waitedMs !== undefined) this.wait.observe({ kind }, event.waitedMs / 1000);
    // A retry is counted when the job goes back to waiting; a recovery when a new worker picks it up.
    if (state === "waiting" && event.reason !== undefined) this.retries.inc({ kind, reason: event.reason });
    if (state === "active" && event.reason === "recovered") this.retries.inc({ kind, reason: "recovered" });
    if (state === "completed" || state === "failed" || state === "cancelled") {
      this.finished.inc({ kind, outcome: state, code: event.code ?? "" });
      if (event.durationMs !== undefined) this.duration.observe({ kind, outcome: state }, event.durationMs / 1000);
    }
  }
}
