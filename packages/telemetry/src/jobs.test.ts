import type { KeelEvent } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createTelemetry, METRIC } from "./index.ts";
import { captureLines, sampleSum, sampleValue } from "./test-support/telemetry-fixtures.ts";

const job = { jobId: "job_1", tenant: "acme", kind: "generate" as const, requestId: "req-1" };

/** A job's life as the queue and two workers report it: enqueued, retried, recovered, completed, plus a webhook. */
const life: KeelEvent[] = [
  { type: "job-state", ...job, state: "waiting", attempt: 0 },
  { type: "job-state", ...job, state: "active", attempt: 1, waitedMs: 40 },
  {
    type: "job-state",
    ...job,
    state: "waiting",
    attempt: 1,
    reason: "retry",
    code: "UPSTREAM_UNAVAILABLE",
    durationMs: 90,
  },
  { type: "job-state", ...job, state: "active", attempt: 2, waitedMs: 1_000 },
  { type: "job-state", ...job, state: "active", attempt: 3, reason: "recovered", waitedMs: 31_000 },
  { type: "job-state", ...job, state: "completed", attempt: 3, durationMs: 2_500 },
  {
    type: "webhook-delivery",
    jobId: "job_1",
    tenant: "acme",
    attempt: 1,
    outcome: "failed",
    status: 500,
    reason: "status",
    durationMs: 12,
    origin: "https://hooks.example.com",
  },
  {
    type: "webhook-delivery",
    jobId: "job_1",
    tenant: "acme",
    attempt: 2,
    outcome: "delivered",
    status: 204,
    durationMs: 8,
    origin: "https://hooks.example.com",
  },
  {
    type: "job-state",
    jobId: "job_2",
    tenant: "acme",
    kind: "batch",
    state: "failed",
    attempt: 1,
    durationMs: 300_000,
    code: "UPSTREAM_TIMEOUT",
  },
  { type: "job-queue-depth", queue: "jobs", depth: { waiting: 3, active: 2, completed: 10, failed: 1, cancelled: 0 } },
];

function withJobLife() {
  const destination = captureLines();
  const telemetry = createTelemetry({ log: { destination }, alerts: false });
  for (const event of life) telemetry.events.emit(event);
  return { telemetry, destination };
}

describe("job events", () => {
  it("count queue depth, outcomes, durations, waits, retries, recoveries and webhook deliveries", async () => {
    const { telemetry } = withJobLife();
    const text = await telemetry.metricsText();
    expect(sampleValue(text, METRIC.jobQueueDepth, { queue: "jobs", state: "waiting" })).toBe(3);
    expect(sampleValue(text, METRIC.jobQueueDepth, { queue: "jobs", state: "completed" })).toBe(10);
    expect(sampleValue(text, METRIC.jobsFinished, { kind: "generate", outcome: "completed", code: "" })).toBe(1);
    expect(sampleValue(text, METRIC.jobsFinished, { kind: "batch", outcome: "failed", code: "UPSTREAM_TIMEOUT" })).toBe(
      1,
    );
    expect(sampleValue(text, `${METRIC.jobDuration}_sum`, { kind: "generate", outcome: "completed" })).toBe(2.5);
    expect(sampleValue(text, `${METRIC.jobDuration}_count`, { kind: "batch", outcome: "failed" })).toBe(1);
    expect(sampleValue(text, `${METRIC.jobWait}_count`, { kind: "generate" })).toBe(3);
    expect(sampleValue(text, `${METRIC.jobWait}_sum`, { kind: "generate" })).toBe(32.04);
    expect(sampleValue(text, METRIC.jobRetries, { kind: "generate", reason: "retry" })).toBe(1);
    expect(sampleValue(text, METRIC.jobRetries, { kind: "generate", reason: "recovered" })).toBe(1);
    expect(sampleValue(text, METRIC.jobStateChanges, { kind: "generate", state: "active" })).toBe(3);
    expect(sampleSum(text, METRIC.jobStateChanges)).toBe(7);
    expect(sampleValue(text, METRIC.webhookDeliveries, { outcome: "failed", reason: "status", gave_up: "false" })).toBe(
      1,
    );
    expect(sampleValue(text, METRIC.webhookDeliveries, { outcome: "delivered", reason: "", gave_up: "false" })).toBe(1);
    await telemetry.close();
  });

  it("log one line per job state change and per webhook attempt, with ids and states only", async () => {
    const { telemetry, destination } = withJobLife();
    const records = destination.records();
    const states = records.filter((record) => record.event === "job-state");
    expect(states.map((record) => [record.jobId, record.state, record.attempt])).toEqual([
      ["job_1", "waiting", 0],
      ["job_1", "active", 1],
      ["job_1", "waiting", 1],
      ["job_1", "active", 2],
      ["job_1", "active", 3],
      ["job_1", "completed", 3],
      ["job_2", "failed", 1],
    ]);
    expect(states[2]).toMatchObject({
      msg: "job waiting",
      requestId: "req-1",
      tenant: "acme",
      kind: "generate",
      reason: "retry",
      errorCode: "UPSTREAM_UNAVAILABLE",
      durationMs: 90,
    });
    expect(states[6]).toMatchObject({ level: 40, msg: "job failed", errorCode: "UPSTREAM_TIMEOUT" });
    const webhooks = records.filter((record) => record.event === "webhook-delivery");
    expect(webhooks.map((record) => [record.attempt, record.outcome, record.status, record.origin])).toEqual([
      [1, "failed", 500, "https://hooks.example.com"],
      [2, "delivered", 204, "https://hooks.example.com"],
    ]);
    // Depth readings are metrics, not log lines.
    expect(records).toHaveLength(9);
    await telemetry.close();
  });
});
