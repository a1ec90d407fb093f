import { assembleJobQueue } from "./assemble-job-queue.ts";
import { safeListener, type JobEventListener } from "./events.ts";
import { createMemoryDispatcher } from "./memory-dispatcher.ts";
import { createMemoryJobStore } from "./memory-job-store.ts";
import type { JobQueue } from "./types.ts";
import { resolveWebhookOptions, type WebhookOptions } from "./webhook-options.ts";

export interface JobQueueOptions {
  /** Names the queue in events and (on Redis) in its keys. Default "jobs". */
  name?: string;
  /** Without it, enqueueing a job that names a webhook is a BAD_REQUEST. */
  webhooks?: WebhookOptions;
  /** Every state change, webhook delivery and depth reading (see JobEvent). Never throws into the queue. */
  onEvent?: JobEventListener;
  /** Largest request, as JSON. Default 1 MiB. */
  maxRequestBytes?: number;
  /** `watch` re-reads the job at least this often. Default 1,000 ms. */
  watchPollMs?: number;
}

/**
 * The queue in this process's memory: the same contract as the Redis queue, for the embedded
 * default and tests. NOT durable and single-process: jobs, results and pending webhook
 * deliveries are lost when the process exits, and only workers in this process see the jobs.
 */
export function createInProcessJobQueue(options: JobQueueOptions = {}): JobQueue {
  const webhooks = resolveWebhookOptions(options.webhooks);
  return assembleJobQueue({
    kind: "in-process",
    name: options.name ?? "jobs",
    store: createMemoryJobStore(),
    jobs: createMemoryDispatcher(),
    webhooks: createMemoryDispatcher(),
    webhookPolicy: webhooks.policy,
    webhookDelivery: webhooks.delivery,
    onEvent: safeListener(options.onEvent),
    maxRequestBytes: options.maxRequestBytes ?? 1_048_576,
    watchPollMs: options.watchPollMs ?? 1_000,
    closeConnections: async () => {},
  });
}
