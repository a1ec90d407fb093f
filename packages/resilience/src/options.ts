/** Options of each policy. Every field is optional and JSON-friendly, so a YAML config can carry them. */

export interface RetryOptions {
  /** Upstream calls allowed per request on one target, the first included. Default 3. */
  maxAttempts?: number;
  /** Backoff base: the cap of the first retry's random delay. Default 100 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling. Default 2000 ms. */
  maxDelayMs?: number;
  /** Cap on an upstream's Retry-After, which otherwise is a floor for the delay. Default 10000 ms. */
  maxRetryAfterMs?: number;
  /** Retries at most `ratio` of the requests seen over `windowMs` (never fewer than `minPerWindow`); false turns it off. */
  budget?: RetryBudgetOptions | false;
}

export interface RetryBudgetOptions {
  /** Default 0.2. */
  ratio: number;
  /** Default 10000 ms. */
  windowMs: number;
  /** Default 10. */
  minPerWindow: number;
}

export interface BreakerOptions {
  /** Opens when more than this share of the calls in the window failed. Default 50. */
  errorThresholdPercentage?: number;
  /** Calls in the window before it may open at all. Default 10. */
  volumeThreshold?: number;
  /** Open for this long, then half-open: one probe call decides. Default 10000 ms. */
  resetTimeoutMs?: number;
  /** The window the error share is measured over. Default 10000 ms. */
  rollingWindowMs?: number;
}

export interface TimeoutOptions {
  /** One upstream call (for a stream: the whole stream). Default: none, only the request deadline. */
  attemptMs?: number;
  /** Streams: from the call to the first delta. Default: none. */
  firstTokenMs?: number;
  /** Streams: longest silence between two chunks. Default: none. */
  idleMs?: number;
}

export interface ConcurrencyOptions {
  /** Upstream calls in flight at once for this target. */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot; beyond that a call is shed at once. */
  maxQueue: number;
  /** Longest wait in the queue. Default: none, only the request deadline. */
  queueTimeoutMs?: number;
}

export interface StreamStartOptions {
  /**
   * Deltas held back before a stream is committed to the caller. Until then a failure
   * can still be retried or fail over. Default 1: commit at the first delta.
   */
  bufferDeltas?: number;
}

export interface TargetPolicy {
  retry?: RetryOptions | false;
  breaker?: BreakerOptions | false;
  timeout?: TimeoutOptions;
  /** Default: off (no limit). */
  concurrency?: ConcurrencyOptions | false;
  stream?: StreamStartOptions;
}
