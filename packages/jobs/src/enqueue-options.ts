import { KeelError } from "@keel/spec";
import { DEFAULT_BACKOFF } from "./backoff.ts";
import type { NewJobRecord } from "./job-record.ts";
import { type BackoffOptions, type EnqueueOptions, JOB_KINDS, type JobKind } from "./types.ts";

export const ENQUEUE_DEFAULTS = {
  priority: 500,
  timeoutMs: 300_000,
  resultTtlMs: 3_600_000,
  attempts: 1,
} as const;

const LIMITS = {
  maxTimeoutMs: 86_400_000,
  maxResultTtlMs: 30 * 86_400_000,
  maxAttempts: 20,
  maxBackoffDelayMs: 3_600_000,
  maxKeyLength: 256,
} as const;

function invalid(field: string, message: string): KeelError {
  return new KeelError("BAD_REQUEST", message, { details: { field } });
}

function integerIn(options: { value: number | undefined; fallback: number; field: string; min: number; max: number }) {
  const { value, field, min, max } = options;
  if (value === undefined) return options.fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function shortString(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > LIMITS.maxKeyLength) {
    throw invalid(field, `${field} must be a string of 1 to ${LIMITS.maxKeyLength} characters`);
  }
  return value;
}

function backoffOf(backoff: BackoffOptions | undefined): BackoffOptions {
  if (backoff === undefined) return DEFAULT_BACKOFF;
  if (backoff.type !== "fixed" && backoff.type !== "exponential") {
    throw invalid("backoff.type", 'backoff.type must be "fixed" or "exponential"');
  }
  const delayMs = integerIn({
    value: backoff.delayMs,
    fallback: DEFAULT_BACKOFF.delayMs,
    field: "backoff.delayMs",
    min: 0,
    max: LIMITS.maxBackoffDelayMs,
  });
  return { type: backoff.type, delayMs };
}

function requestJsonOf(request: unknown, maxRequestBytes: number): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(request);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw invalid("request", "request must be a JSON value");
  if (Buffer.byteLength(json) > maxRequestBytes) {
    throw invalid("request", `request must be at most ${maxRequestBytes} bytes as JSON`);
  }
  return json;
}

/** Validates enqueue options (BAD_REQUEST naming the field) and fills the defaults. */
export function normaliseEnqueueOptions(
  options: EnqueueOptions,
  limits: { maxRequestBytes: number },
): Omit<NewJobRecord, "id" | "createdAt"> {
  const tenant = shortString(options.tenant, "tenant");
  if (!JOB_KINDS.includes(options.kind as JobKind)) {
    throw invalid("kind", `kind must be one of ${JOB_KINDS.join(", ")}`);
  }
  const record: Omit<NewJobRecord, "id" | "createdAt"> = {
    tenant,
    kind: options.kind,
    requestJson: requestJsonOf(options.request, limits.maxRequestBytes),
    priority: integerIn({
      value: options.priority,
      fallback: ENQUEUE_DEFAULTS.priority,
      field: "priority",
      min: 1,
      max: 1_000,
    }),
    timeoutMs: integerIn({
      value: options.timeoutMs,
      fallback: ENQUEUE_DEFAULTS.timeoutMs,
      field: "timeoutMs",
      min: 1,
      max: LIMITS.maxTimeoutMs,
    }),
    resultTtlMs: integerIn({
      value: options.resultTtlMs,
      fallback: ENQUEUE_DEFAULTS.resultTtlMs,
      field: "resultTtlMs",
      min: 1,
      max: LIMITS.maxResultTtlMs,
    }),
    maxAttempts: integerIn({
      value: options.attempts,
      fallback: ENQUEUE_DEFAULTS.attempts,
      field: "attempts",
      min: 1,
      max: LIMITS.maxAttempts,
    }),
    backoff: backoffOf(options.backoff),
  };
  if (options.idempotencyKey !== undefined)
    record.idempotencyKey = shortString(options.idempotencyKey, "idempotencyKey");
  if (options.requestId !== undefined) record.requestId = shortString(options.requestId, "requestId");
  if (options.webhook !== undefined) {
    if (typeof options.webhook?.url !== "string") throw invalid("webhook.url", "webhook.url must be a string");
    record.webhookUrl = options.webhook.url;
  }
  return record;
}
