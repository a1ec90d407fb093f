import type { RetryBudgetOptions } from "./options.ts";

const BUCKETS = 10;

/**
 * Retries allowed per target over a sliding window: at most `ratio` of the requests
 * seen (never fewer than `minPerWindow`), so a failing upstream gets at most
 * (1 + ratio) times its normal traffic instead of maxAttempts times. Ten buckets of
 * windowMs / 10 each: fixed memory, no timers.
 */
export class RetryBudget {
  private readonly bucketMs: number;
  private readonly stamps = new Float64Array(BUCKETS);
  private readonly requests = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);

  constructor(
    private readonly options: RetryBudgetOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, options.windowMs / BUCKETS);
    this.stamps.fill(-1);
  }

  recordRequest(): void {
    this.requests[this.currentBucket()]! += 1;
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean {
    const current = this.currentBucket();
    const oldest = this.stamps[current]! - BUCKETS;
    let requests = 0;
    let retries = 0;
    for (let index = 0; index < BUCKETS; index += 1) {
      if (this.stamps[index]! <= oldest) continue;
      requests += this.requests[index]!;
      retries += this.retries[index]!;
    }
    const allowed = Math.max(this.options.minPerWindow, Math.floor(requests * this.options.ratio));
    if (retries >= allowed) return false;
    this.retries[current]! += 1;
    return true;
  }

  private currentBucket(): number {
    const stamp = Math.floor(this.now() / this.bucketMs);
    const index = stamp % BUCKETS;
    if (this.stamps[index] !== stamp) {
      this.stamps[index] = stamp;
      this.requests[index] = 0;
      this.retries[index] = 0;
    }
    return index;
  }
}
