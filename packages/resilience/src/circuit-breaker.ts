import { KeelError, isRetryable, type EventSink, type RequestContext } from "@keel/spec";
import CircuitBreaker from "opossum";
import { isCancellation } from "./failures.ts";
import type { AttemptContext, Policy } from "./policy.ts";
import type { ResolvedBreaker } from "./resolve-policy.ts";

export type BreakerState = "closed" | "open" | "half-open";

type Run = () => Promise<unknown>;

/**
 * One opossum breaker per target, shared by every request to it. opossum runs the
 * attempt it is given; its own timeout is off (attempt timeouts are ours), and only
 * failures that say something about the target's health are counted.
 */
export class CircuitBreakerPolicy implements Policy {
  private readonly breaker: CircuitBreaker<[Run], unknown>;

  constructor(
    private readonly target: string,
    options: ResolvedBreaker,
    events: EventSink,
  ) {
    this.breaker = new CircuitBreaker<[Run], unknown>((run) => run(), {
      name: target,
      timeout: false,
      errorThresholdPercentage: options.errorThresholdPercentage,
      volumeThreshold: options.volumeThreshold,
      resetTimeout: options.resetTimeoutMs,
      rollingCountTimeout: options.rollingWindowMs,
      rollingCountBuckets: 10,
      // true = "do not count". opossum counts a filtered failure as a success.
      errorFilter: (error: unknown) => !this.countsAgainstHealth(error),
    });
    this.breaker.on("open", () => events.emit({ type: "circuit-open", target }));
    this.breaker.on("halfOpen", () => events.emit({ type: "circuit-half-open", target }));
    this.breaker.on("close", () => events.emit({ type: "circuit-close", target }));
  }

  get state(): BreakerState {
    if (this.breaker.opened) return "open";
    return this.breaker.halfOpen ? "half-open" : "closed";
  }

  /** Runs one attempt through the breaker; an open breaker fails fast with CIRCUIT_OPEN, no call made. */
  async execute<T>(fn: (context: AttemptContext) => Promise<T>, context: AttemptContext): Promise<T> {
    try {
      return (await this.breaker.fire(() => fn(context))) as T;
    } catch (error) {
      throw this.translate(error, context.ctx);
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private translate(error: unknown, ctx: RequestContext): unknown {
    if (!(error instanceof Error) || !CircuitBreaker.isOurError(error)) return error;
    const code = (error as Error & { code?: string }).code;
    if (code === "EOPENBREAKER") {
      ctx.events.emit({ type: "circuit-rejected", target: this.target });
      return new KeelError("CIRCUIT_OPEN", `${this.target}: circuit open, failing fast`, {
        retryable: false,
        details: { target: this.target, reason: "circuit-open" },
      });
    }
    return new KeelError("UPSTREAM_UNAVAILABLE", `${this.target}: the resilience layer is closed`, {
      retryable: false,
      details: { target: this.target, reason: "shutdown" },
    });
  }

  /**
   * 5xx, 408/409/429, attempt timeouts and connection errors count. A 400, a
   * content-policy refusal, a load-shed or the caller's own deadline do not. One
   * exception: a half-open probe that the caller abandoned counts, because opossum
   * would otherwise treat the filtered error as a success and close the breaker
   * on no evidence.
   */
  private countsAgainstHealth(error: unknown): boolean {
    if (!KeelError.isInstance(error)) return false;
    if (isCancellation(error)) return this.breaker.halfOpen;
    return isRetryable(error) && error.code.startsWith("UPSTREAM_");
  }
}
