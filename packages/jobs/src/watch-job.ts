import { KeelError } from "@keel/spec";
import { toJob } from "./job-record.ts";
import type { JobStore } from "./job-store.ts";
import { isFinalState, type Job } from "./types.ts";

export interface WatchJobOptions {
  store: JobStore;
  tenant: string;
  id: string;
  signal?: AbortSignal;
  /** Re-read at least this often, in case a change notification was lost (pub/sub is at-most-once). */
  pollMs: number;
}

/**
 * Yields the job now and after every change notification (or poll) that changed its state,
 * progress, attempts or cancel flag; returns after yielding a final state, or when aborted.
 * Subscribes before the first read, so no change between the two is missed.
 */
export async function* watchJob(options: WatchJobOptions): AsyncGenerator<Job> {
  const { store, tenant, id, signal } = options;
  let changed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    changed = true;
    wake?.();
  };
  const unsubscribe = await store.subscribe((message) => {
    if (message.id === id) notify();
  });
  signal?.addEventListener("abort", notify);
  try {
    let previous: string | undefined;
    let first = true;
    while (!signal?.aborted) {
      changed = false;
      const record = await store.read(id);
      if (!record || record.tenant !== tenant) {
        if (first) {
          throw new KeelError("BAD_REQUEST", "job not found", { details: { field: "id", reason: "job-not-found" } });
        }
        return;
      }
      first = false;
      const fingerprint = [record.state, record.progress, record.attemptsMade, record.cancelRequested].join("|");
      if (fingerprint !== previous) {
        previous = fingerprint;
        yield toJob(record);
      }
      if (isFinalState(record.state)) return;
      if (!changed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  } finally {
    signal?.removeEventListener("abort", notify);
    await unsubscribe();
  }
}
