import type { KeelErrorBody } from "@keel/spec";
import type { BackoffOptions, Job, JobKind, JobState, WebhookDelivery } from "./types.ts";

/** What a store keeps per job. Request and result stay JSON text, so both stores round-trip them alike. */
export interface JobRecord {
  id: string;
  tenant: string;
  kind: JobKind;
  requestJson: string;
  state: JobState;
  progress: number;
  priority: number;
  timeoutMs: number;
  resultTtlMs: number;
  maxAttempts: number;
  backoff: BackoffOptions;
  attemptsMade: number;
  failedAttempts: number;
  cancelRequested: boolean;
  /** Epoch milliseconds from here on. */
  createdAt: number;
  /** When the job last became ready to run (enqueue, or a retry falling due). */
  queuedAt: number;
  startedAt?: number;
  attemptStartedAt?: number;
  finishedAt?: number;
  expiresAt?: number;
  resultJson?: string;
  error?: KeelErrorBody;
  idempotencyKey?: string;
  requestId?: string;
  webhookUrl?: string;
  /** The webhook delivery was handed to the delivery queue (so a recovered job does not queue it twice). */
  webhookQueued: boolean;
  deliveries: WebhookDelivery[];
  /** Per-queue sequence number: the list order and the cursor. */
  seq: number;
}

export type NewJobRecord = Pick<
  JobRecord,
  | "id"
  | "tenant"
  | "kind"
  | "requestJson"
  | "priority"
  | "timeoutMs"
  | "resultTtlMs"
  | "maxAttempts"
  | "backoff"
  | "idempotencyKey"
  | "requestId"
  | "webhookUrl"
  | "createdAt"
>;

/** A fresh record in `waiting`, before the store gives it a sequence number. */
export function initialRecord(job: NewJobRecord, seq: number): JobRecord {
  return {
    ...job,
    state: "waiting",
    progress: 0,
    attemptsMade: 0,
    failedAttempts: 0,
    cancelRequested: false,
    queuedAt: job.createdAt,
    webhookQueued: false,
    deliveries: [],
    seq,
  };
}

const iso = (epochMs: number | undefined) => (epochMs === undefined ? undefined : new Date(epochMs).toISOString());

/** The caller's view of a record. */
export function toJob(record: JobRecord): Job {
  const job: Job = {
    id: record.id,
    tenant: record.tenant,
    kind: record.kind,
    state: record.state,
    progress: record.progress,
    request: JSON.parse(record.requestJson),
    priority: record.priority,
    attemptsMade: record.attemptsMade,
    failedAttempts: record.failedAttempts,
    maxAttempts: record.maxAttempts,
    timeoutMs: record.timeoutMs,
    resultTtlMs: record.resultTtlMs,
    cancelRequested: record.cancelRequested,
    createdAt: new Date(record.createdAt).toISOString(),
  };
  if (record.resultJson !== undefined) job.result = JSON.parse(record.resultJson);
  if (record.error) job.error = record.error;
  if (record.idempotencyKey !== undefined) job.idempotencyKey = record.idempotencyKey;
  if (record.requestId !== undefined) job.requestId = record.requestId;
  const startedAt = iso(record.startedAt);
  if (startedAt) job.startedAt = startedAt;
  const finishedAt = iso(record.finishedAt);
  if (finishedAt) job.finishedAt = finishedAt;
  const expiresAt = iso(record.expiresAt);
  if (expiresAt) job.expiresAt = expiresAt;
  if (record.webhookUrl !== undefined) {
    const deliveries = [...record.deliveries].sort((left, right) => left.attempt - right.attempt);
    job.webhook = { url: record.webhookUrl, deliveries };
  }
  return job;
}
