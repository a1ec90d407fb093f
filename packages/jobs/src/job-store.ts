import type { KeelErrorBody } from "@keel/spec";
import type { JobRecord, NewJobRecord } from "./job-record.ts";
import type { FinalJobState, JobState, QueueDepth, WebhookDelivery } from "./types.ts";

export type StartOutcome =
  /** The job is now active under `attempt`; `recovered` when it was active already (its worker died). */
  | { outcome: "started"; record: JobRecord; attempt: number; recovered: boolean }
  /** The job was active with a cancel requested and its worker died: the store finished it as cancelled. */
  | { outcome: "cancelled"; record: JobRecord }
  /** Nothing to run: the job is missing or already finished (a duplicate delivery). */
  | { outcome: "skipped"; record?: JobRecord };

export type CancelOutcome =
  | { outcome: "cancelled" | "requested" | "unchanged"; record: JobRecord }
  | { outcome: "missing" };

export interface FinishInput {
  id: string;
  /** Only the attempt that holds the job may finish it: a late, stale attempt changes nothing. */
  attempt: number;
  state: FinalJobState;
  now: number;
  resultJson?: string;
  error?: KeelErrorBody;
}

export interface RequeueInput {
  id: string;
  attempt: number;
  now: number;
  /** When the job may run again (now for a hand-back, now + backoff for a retry). */
  readyAt: number;
  /** Present when the attempt failed (a retry); absent for a hand-back. */
  error?: KeelErrorBody;
}

export interface ListPageInput {
  /** Only records with a smaller sequence number (the cursor); absent for the first page. */
  beforeSeq?: number;
  limit: number;
  state?: JobState;
}

export interface ListPageOutput {
  records: JobRecord[];
  /** Set when more records may follow: the sequence number to continue before. */
  nextBeforeSeq?: number;
}

export interface StoreMessage {
  /** "update": the record changed; "cancel": a cancel was requested for an active job. */
  type: "update" | "cancel";
  id: string;
}

/**
 * Where jobs live: records, per-tenant index, idempotency keys, state sets, and change
 * notifications. Every transition is a compare-and-set, so a duplicate or stale delivery of a
 * job can never overwrite a final result. Internal: the queue and the worker build on it.
 */
export interface JobStore {
  create(job: NewJobRecord): Promise<{ record: JobRecord; deduplicated: boolean }>;
  read(id: string): Promise<JobRecord | undefined>;
  start(id: string, now: number): Promise<StartOutcome>;
  reportProgress(input: { id: string; attempt: number; progress: number }): Promise<boolean>;
  /**
   * Undefined when the attempt no longer holds the job. Idempotent per attempt: repeating a
   * finish (or requeue) that already landed returns the record again, so a write whose reply was
   * lost (a broken connection, a failover) can be retried safely.
   */
  finish(input: FinishInput): Promise<JobRecord | undefined>;
  requeue(input: RequeueInput): Promise<JobRecord | undefined>;
  cancel(input: { tenant: string; id: string; now: number }): Promise<CancelOutcome>;
  markWebhookQueued(id: string): Promise<void>;
  addDelivery(id: string, delivery: WebhookDelivery): Promise<JobRecord | undefined>;
  list(tenant: string, page: ListPageInput): Promise<ListPageOutput>;
  depth(now: number): Promise<QueueDepth>;
  /** Resolves once the listener is live; the returned function stops it. */
  subscribe(listener: (message: StoreMessage) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
