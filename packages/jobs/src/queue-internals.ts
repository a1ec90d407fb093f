import { KeelError } from "@keel/spec";
import type { Dispatcher } from "./dispatcher.ts";
import type { JobEventListener } from "./events.ts";
import type { JobStore } from "./job-store.ts";
import type { JobQueue } from "./types.ts";
import type { WebhookDeliveryOptions } from "./webhook-delivery.ts";

/** What a worker needs from a queue beyond its public contract. */
export interface QueueInternals {
  name: string;
  store: JobStore;
  jobs: Dispatcher;
  webhooks: Dispatcher;
  /** Undefined when the queue has no webhook configuration. */
  webhookDelivery: Omit<WebhookDeliveryOptions, "store" | "onEvent"> | undefined;
  onEvent: JobEventListener;
}

// Kept off the public object so the JobQueue type stays the contract and nothing else.
const registry = new WeakMap<JobQueue, QueueInternals>();

export function registerInternals(queue: JobQueue, internals: QueueInternals): void {
  registry.set(queue, internals);
}

export function internalsOf(queue: JobQueue): QueueInternals {
  const internals = registry.get(queue);
  if (!internals) {
    throw new KeelError(
      "BAD_REQUEST",
      "createJobWorker needs a queue from createRedisJobQueue or createInProcessJobQueue",
      {
        details: { field: "queue" },
      },
    );
  }
  return internals;
}
