import type { KeelErrorBody } from "@keel/spec";
import type { JobRecord, NewJobRecord } from "./job-record.ts";
import type { BackoffOptions, JobKind, JobState, WebhookDelivery } from "./types.ts";

const DELIVERY_FIELD = "delivery:";

/** The hash fields of a new record (state, sequence and queuedAt are set by the create script). */
export function newRecordFields(job: NewJobRecord): string[] {
  const fields: Record<string, string | undefined> = {
    id: job.id,
    tenant: job.tenant,
    kind: job.kind,
    request: job.requestJson,
    progress: "0",
    priority: String(job.priority),
    timeoutMs: String(job.timeoutMs),
    resultTtlMs: String(job.resultTtlMs),
    maxAttempts: String(job.maxAttempts),
    backoff: JSON.stringify(job.backoff),
    attemptsMade: "0",
    failedAttempts: "0",
    cancelRequested: "0",
    createdAt: String(job.createdAt),
    idempotencyKey: job.idempotencyKey,
    requestId: job.requestId,
    webhookUrl: job.webhookUrl,
    webhookQueued: "0",
  };
  return Object.entries(fields).flatMap(([field, value]) => (value === undefined ? [] : [field, value]));
}

export function deliveryField(attempt: number): string {
  return `${DELIVERY_FIELD}${attempt}`;
}

/** HGETALL as a flat [field, value, ...] array (what Lua returns) to an object. */
export function pairsToObject(pairs: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!Array.isArray(pairs)) return fields;
  for (let index = 0; index + 1 < pairs.length; index += 2) fields[String(pairs[index])] = String(pairs[index + 1]);
  return fields;
}

const optionalNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));

/** A record from its hash fields; undefined when the hash is empty (missing or expired). */
export function parseRecord(fields: Record<string, string>): JobRecord | undefined {
  const id = fields.id;
  if (id === undefined || fields.state === undefined || fields.tenant === undefined) return undefined;
  const deliveries: WebhookDelivery[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (field.startsWith(DELIVERY_FIELD)) deliveries.push(JSON.parse(value) as WebhookDelivery);
  }
  const record: JobRecord = {
    id,
    tenant: fields.tenant,
    kind: fields.kind as JobKind,
    requestJson: fields.request ?? "null",
    state: fields.state as JobState,
    progress: Number(fields.progress ?? 0),
    priority: Number(fields.priority),
    timeoutMs: Number(fields.timeoutMs),
    resultTtlMs: Number(fields.resultTtlMs),
    maxAttempts: Number(fields.maxAttempts),
    backoff: JSON.parse(fields.backoff ?? "null") as BackoffOptions,
    attemptsMade: Number(fields.attemptsMade ?? 0),
    failedAttempts: Number(fields.failedAttempts ?? 0),
    cancelRequested: fields.cancelRequested === "1",
    createdAt: Number(fields.createdAt),
    queuedAt: Number(fields.queuedAt ?? fields.createdAt),
    webhookQueued: fields.webhookQueued === "1",
    deliveries,
    seq: Number(fields.seq),
  };
  const startedAt = optionalNumber(fields.startedAt);
  if (startedAt !== undefined) record.startedAt = startedAt;
  const attemptStartedAt = optionalNumber(fields.attemptStartedAt);
  if (attemptStartedAt !== undefined) record.attemptStartedAt = attemptStartedAt;
  const finishedAt = optionalNumber(fields.finishedAt);
  if (finishedAt !== undefined) record.finishedAt = finishedAt;
  const expiresAt = optionalNumber(fields.expiresAt);
  if (expiresAt !== undefined) record.expiresAt = expiresAt;
  if (fields.result !== undefined) record.resultJson = fields.result;
  if (fields.error !== undefined) record.error = JSON.parse(fields.error) as KeelErrorBody;
  if (fields.idempotencyKey !== undefined) record.idempotencyKey = fields.idempotencyKey;
  if (fields.requestId !== undefined) record.requestId = fields.requestId;
  if (fields.webhookUrl !== undefined) record.webhookUrl = fields.webhookUrl;
  return record;
}
