/** What the handler of a delivered id decided. */
export type DeliveryOutcome =
  | { kind: "done" }
  /** Deliver the id again after a wait (a retry with backoff). */
  | { kind: "retry"; delayMs: number }
  /** Give the id back to be delivered again at once, to any consumer (a worker shutting down). */
  | { kind: "hand-back" };

export interface ConsumeOptions {
  concurrency: number;
  handle(id: string): Promise<DeliveryOutcome>;
  /** The backend gave up on an id without calling `handle` (BullMQ: it stalled more often than allowed). */
  onLost?(id: string): void;
  onError?(error: Error): void;
}

export interface Consumer {
  /** Stops taking new ids and resolves once the handlers in flight have returned. */
  close(): Promise<void>;
}

/**
 * Delivers ids to consumers: priority order, delays for retries, and, on Redis, redelivery of
 * an id whose consumer died. The job records themselves live in the JobStore; a dispatcher
 * only carries ids. `add` is idempotent per id while the id is pending. Internal.
 */
export interface Dispatcher {
  add(id: string, options: { priority: number; delayMs?: number }): Promise<void>;
  /** Best effort: drops a pending id that no consumer holds. */
  remove(id: string): Promise<void>;
  consume(options: ConsumeOptions): Consumer;
  close(): Promise<void>;
}
