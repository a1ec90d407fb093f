export type { JobEvent, JobEventListener } from "./events.ts";
export { createInProcessJobQueue } from "./in-process-job-queue.ts";
export type { JobQueueOptions } from "./in-process-job-queue.ts";
export { createJobWorker } from "./job-worker.ts";
export type { CloseWorkerOptions, JobWorker, JobWorkerOptions } from "./job-worker.ts";
export type { RedisConnectionOptions } from "./redis-connections.ts";
export { createRedisJobQueue } from "./redis-job-queue.ts";
export type { RedisJobQueueOptions } from "./redis-job-queue.ts";
export type { JobContext, JobProcessor } from "./run-job.ts";
export { JOB_KINDS, JOB_STATES, isFinalState } from "./types.ts";
export type {
  BackoffOptions,
  EnqueueOptions,
  EnqueueResult,
  FinalJobState,
  Job,
  JobKind,
  JobPage,
  JobQueue,
  JobState,
  ListOptions,
  QueueDepth,
  WatchOptions,
  WebhookDelivery,
} from "./types.ts";
export type { WebhookOptions } from "./webhook-options.ts";
export type { ResolveHost, WebhookAllowEntry } from "./webhook-policy.ts";
export { SIGNATURE_HEADER, signWebhookBody, verifyWebhookSignature } from "./webhook-signature.ts";
export type { VerifyWebhookOptions, WebhookVerification } from "./webhook-signature.ts";
