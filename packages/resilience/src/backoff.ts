export interface RetryDelayOptions {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The upstream's Retry-After, when it sent one. */
  retryAfterMs?: number;
  maxRetryAfterMs: number;
  /** A number in [0, 1); Math.random unless a test injects one. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter (AWS's "full jitter"): a uniformly random delay
 * between 0 and min(maxDelayMs, baseDelayMs * 2^(attempt - 1)), so clients that failed
 * together do not retry together. An upstream's Retry-After is a floor, capped by
 * maxRetryAfterMs so one header cannot park a request for minutes.
 */
export function retryDelay(options: RetryDelayOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, options.attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  if (options.retryAfterMs === undefined || options.retryAfterMs <= 0) return jittered;
  return Math.max(jittered, Math.min(options.retryAfterMs, options.maxRetryAfterMs));
}
