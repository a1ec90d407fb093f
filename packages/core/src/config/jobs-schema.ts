import { z } from "zod";

/**
 * Config of background jobs (@keel/jobs), batches and deferrable calls. Defaults follow the
 * issue: a job's timeout 300 s, its result kept 3,600 s.
 */

const backoffSchema = z.strictObject({
  type: z.enum(["fixed", "exponential"]),
  delayMs: z.number().int().nonnegative(),
});

const webhookAllowSchema = z.union([
  z.string().min(1),
  z.strictObject({ url: z.string().min(1), allowPrivateNetwork: z.boolean().optional() }),
]);

export const jobsSchema = z.strictObject({
  /**
   * Where jobs wait: "redis" (durable, any number of processes; needs `redis.url`), "in-process"
   * (this process only, lost when it exits), or "auto": Redis when `redis` is configured.
   */
  queue: z.enum(["auto", "redis", "in-process"]).default("auto"),
  /**
   * Run a worker inside `pnpm start` and the services. With the in-process queue a worker always
   * runs there (no other process can see its jobs); with Redis, false leaves the jobs to `apps/worker`.
   */
  worker: z.boolean().default(true),
  /** Jobs one worker runs at once. */
  concurrency: z.number().int().min(1).max(1_000).default(8),
  /** The queue's name (its Redis keys and its events). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "expected 1-64 letters, digits, _ or -")
    .default("jobs"),
  /** What a job gets when its enqueue does not say. */
  defaults: z
    .strictObject({
      timeoutMs: z.number().int().positive().max(86_400_000).default(300_000),
      resultTtlMs: z.number().int().positive().default(3_600_000),
      attempts: z.number().int().min(1).max(20).default(1),
      backoff: backoffSchema.default({ type: "exponential", delayMs: 1_000 }),
    })
    .prefault({}),
  /** Webhooks on job completion: allowed only to these URLs, signed with the secret (KEEL_WEBHOOK_SECRET sets it). */
  webhooks: z
    .strictObject({
      allow: z.array(webhookAllowSchema).min(1),
      secret: z.string().min(16),
      timeoutMs: z.number().int().positive().optional(),
      maxAttempts: z.number().int().min(1).max(20).optional(),
      backoff: backoffSchema.optional(),
    })
    .optional(),
  /** Batches (the `batch` operation and batch jobs). */
  batch: z
    .strictObject({
      /** Most items in one batch. */
      maxItems: z.number().int().min(1).max(10_000).default(100),
      /** Items of one batch in flight at once (a caller may ask for fewer). */
      concurrency: z.number().int().min(1).max(256).default(4),
      /** Batch items of one tenant in flight at once in this process, across all its batches. */
      tenantConcurrency: z.number().int().min(1).max(4_096).default(16),
    })
    .prefault({}),
  /** Deferrable jobs: grouped and sent through the provider's batch API (cheaper, slower). */
  deferrable: z
    .strictObject({
      /** How long the first deferrable call of a group waits for others before the group is submitted. */
      windowMs: z.number().int().nonnegative().default(2_000),
      /** Most calls in one provider batch; a full group is submitted at once. */
      maxGroupSize: z.number().int().min(1).max(50_000).default(500),
      /** How often a submitted batch is checked. */
      pollIntervalMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /** Redis queue: a worker's lock on a job; a dead worker's job runs again after it. */
  lockDurationMs: z.number().int().positive().default(30_000),
  /** Redis queue: how often workers look for jobs whose worker died. */
  stalledIntervalMs: z.number().int().positive().default(30_000),
  /** Redis queue: recoveries of one job from dead workers before it fails (INTERNAL, worker-lost). */
  maxStalledCount: z.number().int().nonnegative().default(1),
});

export type JobsConfig = z.infer<typeof jobsSchema>;

/** Concurrent embedding requests to one route combined into one upstream call. */
export const embeddingBatchSchema = z.strictObject({
  /** How long the first request of a group waits for others; 0 turns combining off. */
  windowMs: z.number().int().nonnegative().default(3),
  /** Most inputs in one upstream call. */
  maxInputs: z.number().int().min(1).max(2_048).default(2_048),
  /** Per embedding route (a name in `embeddingModels`): its own window; 0 for latency-critical routes. */
  routes: z
    .record(
      z.string(),
      z.strictObject({
        windowMs: z.number().int().nonnegative(),
        maxInputs: z.number().int().min(1).max(2_048).optional(),
      }),
    )
    .default({}),
});
