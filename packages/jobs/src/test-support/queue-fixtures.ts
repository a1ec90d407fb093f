import { afterEach } from "vitest";
import type { JobEvent } from "../events.ts";
import type { JobQueueOptions } from "../in-process-job-queue.ts";
import { createJobWorker, type JobWorkerOptions } from "../job-worker.ts";
import type { JobQueue } from "../types.ts";

export type QueueFactory = (options: JobQueueOptions) => JobQueue;

let counter = 0;
/** A queue name no other test uses (Redis tests share one server). */
export function uniqueName(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}`;
}

/** Polls until `check` stops throwing (an assertion) or returns true; fails with the last error. */
export async function eventually(check: () => unknown, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      const outcome = await check();
      if (outcome !== false) return;
      lastError = new Error("the check returned false");
    } catch (error) {
      lastError = error;
    }
    await sleep(20);
  }
  throw lastError;
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** A promise and its resolver, to hold a processor until the test lets it go. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * Queues and workers for one test, closed after it (workers first, with no grace). The events
 * every queue reported are collected in `events`.
 */
export function queueHarness(factory: QueueFactory) {
  const closers: (() => Promise<void>)[] = [];
  const events: JobEvent[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    events.length = 0;
  });
  return {
    events,
    stateEvents: (jobId: string) =>
      events.filter((event) => event.type === "job-state" && event.jobId === jobId) as Extract<
        JobEvent,
        { type: "job-state" }
      >[],
    queue(options: JobQueueOptions = {}): JobQueue {
      const queue = factory({
        name: uniqueName("contract"),
        watchPollMs: 200,
        ...options,
        onEvent: (event) => {
          events.push(event);
          options.onEvent?.(event);
        },
      });
      closers.push(() => queue.close());
      return queue;
    },
    worker(options: JobWorkerOptions) {
      const worker = createJobWorker({ cancelPollMs: 200, depthEveryMs: 0, ...options });
      closers.push(() => worker.close({ graceMs: 0 }));
      return worker;
    },
  };
}
