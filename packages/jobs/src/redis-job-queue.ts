import { assembleJobQueue } from "./assemble-job-queue.ts";
import { createBullDispatcher } from "./bullmq-dispatcher.ts";
import { safeListener } from "./events.ts";
import type { JobQueueOptions } from "./in-process-job-queue.ts";
import { createRedisConnections, type RedisConnectionOptions } from "./redis-connections.ts";
import { createRedisJobStore } from "./redis-job-store.ts";
import { redisKeys } from "./redis-keys.ts";
import type { JobQueue } from "./types.ts";
import { resolveWebhookOptions } from "./webhook-options.ts";

export interface RedisJobQueueOptions extends JobQueueOptions, RedisConnectionOptions {
  /** Starts every key; must hold a {hash tag} (Cluster). Default "{keel-jobs}". */
  prefix?: string;
  /** A worker's lock on a job; a dead worker's job is picked up again after it. Default 30,000 ms. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died. Default 30,000 ms. */
  stalledIntervalMs?: number;
  /** Times one job may be recovered from a dead worker before it fails (INTERNAL, "worker-lost"). Default 1. */
  maxStalledCount?: number;
  /** Connection errors (the client reconnects by itself). Default: process.emitWarning. */
  onError?: (error: Error) => void;
}

/**
 * The durable queue: job records and indexes in Redis, delivery through BullMQ. Any number of
 * processes may enqueue, read and work on one queue; a job whose worker dies is recovered by
 * another worker after `lockDurationMs` (+ up to `stalledIntervalMs`).
 */
export function createRedisJobQueue(options: RedisJobQueueOptions = {}): JobQueue {
  const name = options.name ?? "jobs";
  const keys = redisKeys({ prefix: options.prefix ?? "{keel-jobs}", queue: name });
  const webhooks = resolveWebhookOptions(options.webhooks);
  const onError =
    options.onError ??
    ((error: Error) => process.emitWarning(`keel jobs: Redis error: ${error.message}`, "KeelJobsWarning"));
  const connections = createRedisConnections(options, onError);
  const dispatcherOptions = {
    prefix: keys.bullPrefix,
    client: connections.commands,
    workerConnection: connections.workerTemplate,
    lockDurationMs: options.lockDurationMs ?? 30_000,
    stalledIntervalMs: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 1,
  };
  return assembleJobQueue({
    kind: "redis",
    name,
    store: createRedisJobStore({ client: connections.commands, createSubscriber: connections.subscriber, keys }),
    jobs: createBullDispatcher({ ...dispatcherOptions, name: keys.jobsQueue }),
    webhooks: createBullDispatcher({ ...dispatcherOptions, name: keys.webhooksQueue }),
    webhookPolicy: webhooks.policy,
    webhookDelivery: webhooks.delivery,
    onEvent: safeListener(options.onEvent),
    maxRequestBytes: options.maxRequestBytes ?? 1_048_576,
    watchPollMs: options.watchPollMs ?? 1_000,
    closeConnections: () => connections.close(),
  });
}
