import { onceAborted, type RequestContext } from "@keel/spec";
import { cancellationError, loadShedError } from "./failures.ts";
import type { ConcurrencyOptions } from "./options.ts";
import type { AttemptContext, Policy } from "./policy.ts";
import { noop } from "./signals.ts";

export type Release = () => void;

interface Waiter {
  resolve(release: Release): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * A per-target bulkhead: at most maxConcurrent calls in flight and maxQueue waiting.
 * When both are full a call is shed at once (UPSTREAM_UNAVAILABLE, reason "load-shed",
 * not retryable, so the chain moves on): memory stays bounded while an upstream hangs.
 * A waiter leaves the queue at once on abort, deadline or queueTimeoutMs.
 */
export class ConcurrencyLimiter implements Policy {
  private active = 0;
  // A Set keeps insertion order and deletes in O(1) when a waiter gives up.
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly target: string,
    private readonly options: ConcurrencyOptions,
  ) {}

  /** Runs `fn` in a slot; the attempt that succeeds keeps its slot on the lease (a stream, until it ends). */
  async execute<T>(fn: (context: AttemptContext) => Promise<T>, context: AttemptContext): Promise<T> {
    const release = await this.acquire(context.ctx);
    try {
      const value = await fn(context);
      context.lease.hold(release);
      return value;
    } catch (error) {
      release();
      throw error;
    }
  }

  private acquire(ctx: RequestContext): Promise<Release> {
    if (this.active < this.options.maxConcurrent) {
      this.active += 1;
      return Promise.resolve(this.createRelease());
    }
    if (ctx.signal.aborted) return Promise.reject(cancellationError(ctx, this.target));
    if (this.waiters.size >= this.options.maxQueue) {
      ctx.events.emit({ type: "load-shed", target: this.target });
      return Promise.reject(loadShedError(this.target, "load-shed"));
    }
    return this.enqueue(ctx);
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.size;
  }

  private enqueue(ctx: RequestContext): Promise<Release> {
    return new Promise<Release>((resolve, reject) => {
      const remaining = ctx.deadline - Date.now();
      const queueMs = this.options.queueTimeoutMs;
      const byQueueTimeout = queueMs !== undefined && queueMs < remaining;
      const timer = setTimeout(
        () => {
          waiter.cleanup();
          if (!byQueueTimeout) return reject(cancellationError(ctx, this.target, "deadline"));
          ctx.events.emit({ type: "load-shed", target: this.target });
          reject(loadShedError(this.target, "queue-timeout"));
        },
        Math.min(byQueueTimeout ? queueMs : remaining, 2_147_483_647),
      );
      let unhook = noop;
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          unhook();
          this.waiters.delete(waiter);
        },
      };
      this.waiters.add(waiter);
      unhook = onceAborted(ctx.signal, () => {
        waiter.cleanup();
        reject(cancellationError(ctx, this.target));
      });
    });
  }

  private createRelease(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOver();
    };
  }

  /** A freed slot goes straight to the oldest waiter, so `active` never dips and refills. */
  private handOver(): void {
    const next = this.waiters.values().next();
    if (next.done) {
      this.active -= 1;
      return;
    }
    next.value.cleanup();
    next.value.resolve(this.createRelease());
  }
}
