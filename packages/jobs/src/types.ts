import type { KeelErrorBody } from "@keel/spec";

/** What a job asks for; the request is an opaque JSON value the processor understands. */
export const JOB_KINDS = ["generate", "structured", "batch"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * waiting -> active -> completed | failed | cancelled, and back to waiting for a retry or
 * when a worker hands a job back. A waiting job can be cancelled directly.
 */
export const JOB_STATES = ["waiting", "active", "completed", "failed", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];
export type FinalJobState = "completed" | "failed" | "cancelled";

export function isFinalState(state: JobState): state is FinalJobState {
  return state === "completed" || state === "failed" || state === "cancelled";
}

export interface BackoffOptions {
  /** "fixed": every retry waits delayMs; "exponential": delayMs * 2^(retry - 1). */
  type: "fixed" | "exponential";
  delayMs: number;
}

/** One attempt to deliver a job's webhook. */
export interface WebhookDelivery {
  /** 1-based. */
  attempt: number;
  /** ISO 8601. */
  at: string;
  outcome: "delivered" | "failed";
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why a failed attempt failed: "status" (non-2xx), "timeout", "connection", "blocked" (address not allowed). */
  reason?: "status" | "timeout" | "connection" | "blocked";
  durationMs: number;
}

/** A job as callers see it. Timestamps are ISO 8601 strings. */
export interface Job {
  id: string;
  tenant: string;
  kind: JobKind;
  state: JobState;
  /** 0 to 100, as the processor last reported it; 100 once completed. */
  progress: number;
  /** The opaque JSON request given at enqueue. */
  request: unknown;
  /** The processor's JSON result, when completed. */
  result?: unknown;
  /** The typed error: why the job failed, or (while waiting for a retry) why its last attempt failed. */
  error?: KeelErrorBody;
  /** 1 (runs first) to 1,000. */
  priority: number;
  /** Attempts started so far, including one a crashed worker never finished. */
  attemptsMade: number;
  /** Attempts that failed with a retryable error. */
  failedAttempts: number;
  maxAttempts: number;
  timeoutMs: number;
  resultTtlMs: number;
  /** A cancel was asked for while the job was active; the job ends `cancelled` once its worker stops. */
  cancelRequested: boolean;
  idempotencyKey?: string;
  requestId?: string;
  createdAt: string;
  /** When the first attempt started. */
  startedAt?: string;
  finishedAt?: string;
  /** When a finished job (and its result) disappears: finishedAt + resultTtlMs. */
  expiresAt?: string;
  webhook?: { url: string; deliveries: WebhookDelivery[] };
}

export interface EnqueueOptions {
  tenant: string;
  kind: JobKind;
  /** Any JSON value; the processor interprets it. At most `maxRequestBytes` once serialised. */
  request: unknown;
  /** The same key within the same tenant returns the existing job (while it exists). At most 256 characters. */
  idempotencyKey?: string;
  /** 1 (runs first) to 1,000; default 500. Equal priorities run in enqueue order. */
  priority?: number;
  /** Per attempt; past it the processor's signal aborts and the job fails with UPSTREAM_TIMEOUT. Default 300,000. */
  timeoutMs?: number;
  /** How long a finished job and its result stay readable. Default 3,600,000. */
  resultTtlMs?: number;
  /** Attempts in all (retryable failures only). Default 1. */
  attempts?: number;
  /** Wait between attempts. Default exponential from 1,000 ms. */
  backoff?: BackoffOptions;
  /** POSTed to when the job completes or fails; must match the queue's webhook allow-list. */
  webhook?: { url: string };
  /** The enqueueing request's id, carried into every event about the job. */
  requestId?: string;
}

export interface EnqueueResult {
  id: string;
  /** True when the idempotency key matched an existing job; `id` is that job's. */
  deduplicated: boolean;
}

export interface ListOptions {
  /** From a previous page's `nextCursor`. */
  cursor?: string;
  /** 1 to 100; default 20. */
  limit?: number;
  state?: JobState;
}

export interface JobPage {
  /** Newest first. */
  jobs: Job[];
  /** Absent on the last page. */
  nextCursor?: string;
}

export interface WatchOptions {
  /** Ends the iteration early. */
  signal?: AbortSignal;
}

export type QueueDepth = Record<JobState, number>;

/**
 * The job queue contract. Two implementations: `createRedisJobQueue` (BullMQ on Redis,
 * durable, any number of processes) and `createInProcessJobQueue` (one process, not durable).
 * Every read is scoped to a tenant: another tenant's job id behaves exactly like a missing one.
 */
export interface JobQueue {
  /** Which implementation: "redis" or "in-process". */
  readonly kind: "redis" | "in-process";
  enqueue(options: EnqueueOptions): Promise<EnqueueResult>;
  /** Undefined when the job does not exist, belongs to another tenant, or has expired. */
  get(tenant: string, id: string): Promise<Job | undefined>;
  /**
   * A waiting job is cancelled at once; an active one gets `cancelRequested` and its processor's
   * signal aborts; a finished one is left as it is. Returns the job after the call, or undefined
   * when not found (as `get`).
   */
  cancel(tenant: string, id: string): Promise<Job | undefined>;
  list(tenant: string, options?: ListOptions): Promise<JobPage>;
  /**
   * The job now, then a snapshot after each change (state, progress, attempts), ending after a
   * final state. Changes faster than the watcher reads may be coalesced into one snapshot.
   * Throws BAD_REQUEST (details.reason "job-not-found") when the job is not found.
   */
  watch(tenant: string, id: string, options?: WatchOptions): AsyncIterable<Job>;
  /** Jobs per state across all tenants, as kept now (finished jobs until they expire). Emits `job-queue-depth`. */
  depth(): Promise<QueueDepth>;
  /** Closes what the queue opened (not a client you passed in). */
  close(): Promise<void>;
}
