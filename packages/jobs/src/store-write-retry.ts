/** How long a worker keeps retrying the write that records an attempt's outcome (BullMQ's default lock). */
export const OUTCOME_WRITE_BUDGET_MS = 30_000;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 1_000;

export interface StoreWriteRetryOptions {
  /** Total time to keep trying; then the last error is thrown. */
  budgetMs?: number;
  /** Checked before each new try: true stops retrying (the worker is shutting down). */
  stop?: () => boolean;
}

/**
 * Runs an idempotent store write until it answers. A write that records what a processor did
 * must not fail with the node it met (a Redis Cluster master failing over answers "connection
 * closed" or CLUSTERDOWN for a couple of seconds): turning that error into a failed attempt or a
 * redelivery would re-run a processor that already finished. The store's transitions are
 * compare-and-set per attempt and answer a repeat of a write that landed with the same record,
 * so trying again is safe. Waits 100 ms, doubling up to 1 s, between tries.
 */
export async function retryStoreWrite<T>(write: () => Promise<T>, options: StoreWriteRetryOptions = {}): Promise<T> {
  const until = Date.now() + (options.budgetMs ?? OUTCOME_WRITE_BUDGET_MS);
  let delayMs = FIRST_DELAY_MS;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (Date.now() + delayMs > until || options.stop?.()) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(MAX_DELAY_MS, delayMs * 2);
    }
  }
}
