import { KeelError } from "@keel/spec";
import type { ConcurrencyOptions, RetryBudgetOptions, TargetPolicy, TimeoutOptions } from "./options.ts";

export interface ResolvedRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  budget: RetryBudgetOptions | undefined;
}

export interface ResolvedBreaker {
  errorThresholdPercentage: number;
  volumeThreshold: number;
  resetTimeoutMs: number;
  rollingWindowMs: number;
}

/** A policy with defaults filled in and every number checked once, at target creation. */
export interface ResolvedPolicy {
  retry: ResolvedRetry | undefined;
  breaker: ResolvedBreaker | undefined;
  timeout: TimeoutOptions;
  concurrency: ConcurrencyOptions | undefined;
  bufferDeltas: number;
}

export function resolvePolicy(policy: TargetPolicy = {}): ResolvedPolicy {
  const check = createChecker("policy");
  const retry = policy.retry === false ? undefined : (policy.retry ?? {});
  const budget =
    retry?.budget === false ? undefined : (retry?.budget ?? { ratio: 0.2, windowMs: 10_000, minPerWindow: 10 });
  const breaker = policy.breaker === false ? undefined : (policy.breaker ?? {});
  const timeout = policy.timeout ?? {};
  const concurrency = policy.concurrency === false || policy.concurrency === undefined ? undefined : policy.concurrency;
  return {
    retry: retry && {
      maxAttempts: check("retry.maxAttempts", retry.maxAttempts ?? 3, { min: 1, integer: true }),
      baseDelayMs: check("retry.baseDelayMs", retry.baseDelayMs ?? 100, { min: 0 }),
      maxDelayMs: check("retry.maxDelayMs", retry.maxDelayMs ?? 2000, { min: 0 }),
      maxRetryAfterMs: check("retry.maxRetryAfterMs", retry.maxRetryAfterMs ?? 10_000, { min: 0 }),
      budget: budget && {
        ratio: check("retry.budget.ratio", budget.ratio, { min: 0 }),
        windowMs: check("retry.budget.windowMs", budget.windowMs, { min: 1 }),
        minPerWindow: check("retry.budget.minPerWindow", budget.minPerWindow, { min: 0, integer: true }),
      },
    },
    breaker: breaker && {
      errorThresholdPercentage: check("breaker.errorThresholdPercentage", breaker.errorThresholdPercentage ?? 50, {
        min: 0,
        max: 100,
      }),
      volumeThreshold: check("breaker.volumeThreshold", breaker.volumeThreshold ?? 10, { min: 0, integer: true }),
      resetTimeoutMs: check("breaker.resetTimeoutMs", breaker.resetTimeoutMs ?? 10_000, { min: 1 }),
      rollingWindowMs: check("breaker.rollingWindowMs", breaker.rollingWindowMs ?? 10_000, { min: 10 }),
    },
    timeout: {
      attemptMs: checkOptional(check, "timeout.attemptMs", timeout.attemptMs),
      firstTokenMs: checkOptional(check, "timeout.firstTokenMs", timeout.firstTokenMs),
      idleMs: checkOptional(check, "timeout.idleMs", timeout.idleMs),
    },
    concurrency: concurrency && {
      maxConcurrent: check("concurrency.maxConcurrent", concurrency.maxConcurrent, { min: 1, integer: true }),
      maxQueue: check("concurrency.maxQueue", concurrency.maxQueue, { min: 0, integer: true }),
      queueTimeoutMs: checkOptional(check, "concurrency.queueTimeoutMs", concurrency.queueTimeoutMs),
    },
    bufferDeltas: check("stream.bufferDeltas", policy.stream?.bufferDeltas ?? 1, { min: 1, integer: true }),
  };
}

type Checker = (field: string, value: unknown, bounds: { min: number; max?: number; integer?: boolean }) => number;

/** A checker that throws BAD_REQUEST naming the field (`policy.retry.maxAttempts`) for a bad number. */
export function createChecker(prefix: string): Checker {
  return (field, value, bounds) => {
    const valid =
      typeof value === "number" &&
      Number.isFinite(value) &&
      value >= bounds.min &&
      (bounds.max === undefined || value <= bounds.max) &&
      (!bounds.integer || Number.isInteger(value));
    if (valid) return value;
    const range = bounds.max === undefined ? `>= ${bounds.min}` : `between ${bounds.min} and ${bounds.max}`;
    throw new KeelError(
      "BAD_REQUEST",
      `${prefix}.${field} must be ${bounds.integer ? "an integer" : "a number"} ${range}`,
      {
        details: { field: `${prefix}.${field}` },
      },
    );
  };
}

function checkOptional(check: Checker, field: string, value: number | undefined): number | undefined {
  return value === undefined ? undefined : check(field, value, { min: 1 });
}
