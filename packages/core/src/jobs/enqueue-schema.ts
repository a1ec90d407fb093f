import { z } from "zod";
import { batchRequestSchema } from "../batch/batch-schema.ts";
import { chatRequestSchema } from "../request/chat-request-schema.ts";
import { structuredRequestSchema } from "../request/structured-request.ts";

/** What a caller may set on a job besides its request. The tenant is never among them: it comes from the caller's key. */
const jobOptions = {
  /** The same key in the same tenant returns the existing job while it exists. */
  idempotencyKey: z.string().min(1).max(256).optional(),
  /** 1 runs first … 1,000; default 500. */
  priority: z.number().int().min(1).max(1_000).optional(),
  /** Per attempt; past it the job fails with UPSTREAM_TIMEOUT (job-timeout). Default `jobs.defaults.timeoutMs`. */
  timeoutMs: z.number().int().positive().max(86_400_000).optional(),
  /** How long the finished job and its result stay readable. Default `jobs.defaults.resultTtlMs`. */
  resultTtlMs: z
    .number()
    .int()
    .positive()
    .max(30 * 86_400_000)
    .optional(),
  /** Attempts in all; only retryable failures are retried. */
  attempts: z.number().int().min(1).max(20).optional(),
  backoff: z
    .strictObject({ type: z.enum(["fixed", "exponential"]), delayMs: z.number().int().nonnegative().max(3_600_000) })
    .optional(),
  /** POSTed (signed) when the job completes or fails; must match the operator's allow-list. */
  webhook: z.strictObject({ url: z.string().min(1).max(2_048) }).optional(),
  /** The job can wait for the provider's batch API (cheaper, slower); see the README. */
  deferrable: z.boolean().optional(),
};

/** Structured jobs travel as JSON, so they cannot carry in-process `validators`. */
export const structuredJobRequestSchema = structuredRequestSchema.omit({ validators: true });

/**
 * A job to enqueue: its kind, its request (validated with the same schema the live call
 * uses, so a bad request is BAD_REQUEST before anything is queued) and its options.
 */
export const enqueueJobSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("generate"), request: chatRequestSchema, ...jobOptions }),
  z.strictObject({ kind: z.literal("structured"), request: structuredJobRequestSchema, ...jobOptions }),
  z.strictObject({ kind: z.literal("batch"), request: batchRequestSchema, ...jobOptions }),
]);

export type EnqueueJobInput = z.input<typeof enqueueJobSchema>;
export type ParsedEnqueueJob = z.output<typeof enqueueJobSchema>;

/** What a job's queue record holds as its request: the validated request and how it may be answered. */
export interface JobPayload {
  request: unknown;
  deferrable?: true;
}

/** A page of the caller's own jobs. */
export const listJobsSchema = z
  .strictObject({
    cursor: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(100).optional(),
    state: z.enum(["waiting", "active", "completed", "failed", "cancelled"]).optional(),
  })
  .optional();

export type ListJobsInput = z.input<typeof listJobsSchema>;

/** A job id, as a caller names one. */
export const jobIdSchema = z.strictObject({ id: z.string().min(1).max(200) });
