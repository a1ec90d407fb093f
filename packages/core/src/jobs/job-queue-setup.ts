import { createInProcessJobQueue, createRedisJobQueue, type JobEventListener, type JobQueue } from "@keel/jobs";
import type { KeelConfig } from "../config/schema.ts";

/** Which queue the config asks for: Redis when `jobs.queue` says so, or "auto" and `redis` is configured. */
export function jobQueueKind(config: KeelConfig): JobQueue["kind"] {
  if (config.jobs.queue === "in-process") return "in-process";
  if (config.jobs.queue === "redis") return "redis";
  return config.redis === undefined ? "in-process" : "redis";
}

/** The queue of `config.jobs`, reporting through `onEvent` (telemetry's sink) and `onError` (Redis connection trouble). */
export function createConfiguredJobQueue(
  config: KeelConfig,
  report: { onEvent: JobEventListener; onError: (error: Error) => void },
): JobQueue {
  const settings = config.jobs;
  const webhooks = settings.webhooks
    ? {
        webhooks: {
          allow: settings.webhooks.allow.map((entry) =>
            typeof entry === "string"
              ? entry
              : {
                  url: entry.url,
                  ...(entry.allowPrivateNetwork === undefined
                    ? {}
                    : { allowPrivateNetwork: entry.allowPrivateNetwork }),
                },
          ),
          secret: settings.webhooks.secret,
          ...(settings.webhooks.timeoutMs === undefined ? {} : { timeoutMs: settings.webhooks.timeoutMs }),
          ...(settings.webhooks.maxAttempts === undefined ? {} : { maxAttempts: settings.webhooks.maxAttempts }),
          ...(settings.webhooks.backoff === undefined ? {} : { backoff: settings.webhooks.backoff }),
        },
      }
    : {};
  const common = { name: settings.name, onEvent: report.onEvent, ...webhooks };
  if (jobQueueKind(config) === "in-process") return createInProcessJobQueue(common);
  const url = config.redis?.url;
  if (url === undefined)
    throw new Error("jobs.queue is redis but redis.url is not set (the config check should have said so)");
  return createRedisJobQueue({
    ...common,
    url,
    lockDurationMs: settings.lockDurationMs,
    stalledIntervalMs: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    onError: report.onError,
  });
}
