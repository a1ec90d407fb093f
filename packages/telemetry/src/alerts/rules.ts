import { percentile } from "../snapshot/latency-buckets.ts";
import { FIELD, type Aggregate } from "../snapshot/ring.ts";
import type { CostRuleOptions, ErrorRateRuleOptions, LatencyRuleOptions } from "./types.ts";

/** One rule's verdict on one evaluation. `threshold` is NaN when there is nothing to compare against. */
export interface Verdict {
  value: number;
  threshold: number;
  breached: boolean;
  clear: boolean;
}

export interface RuleInput {
  window: Aggregate;
  baseline: Aggregate;
  windowMs: number;
  /** How much of the baseline span had traffic being recorded (less than baselineMs just after start). */
  baselineCoveredMs: number;
}

const HOUR_MS = 3_600_000;

interface VerdictInput {
  value: number;
  thresholds: number[];
  resolveRatio: number;
  /** Whether the window holds enough traffic to judge at all. */
  enough: boolean;
}

function verdict({ value, thresholds, resolveRatio, enough }: VerdictInput): Verdict {
  const threshold = thresholds.length === 0 ? Number.NaN : Math.min(...thresholds);
  const breached = enough && thresholds.length > 0 && value > threshold;
  const clear = !enough || thresholds.length === 0 || value <= threshold * resolveRatio;
  return { value, threshold, breached, clear };
}

export function errorRateVerdict(input: RuleInput, options: ErrorRateRuleOptions): Verdict {
  const minRequests = options.minRequests ?? 20;
  const requests = input.window.get(FIELD.requests);
  const rate = requests === 0 ? 0 : input.window.get(FIELD.errors) / requests;
  const baselineRequests = input.baseline.get(FIELD.requests);
  const thresholds = [options.minRate ?? 0.05];
  if (baselineRequests >= minRequests)
    thresholds[0] = Math.max(
      thresholds[0]!,
      (input.baseline.get(FIELD.errors) / baselineRequests) * (options.factor ?? 3),
    );
  return verdict({
    value: rate,
    thresholds,
    resolveRatio: options.resolveRatio ?? 0.8,
    enough: requests >= minRequests,
  });
}

export function latencyVerdict(input: RuleInput, options: LatencyRuleOptions): Verdict {
  const minRequests = options.minRequests ?? 20;
  const count = input.window.get(FIELD.latencyCount);
  const p95 = percentile(input.window.latency, count, 0.95) ?? 0;
  const thresholds: number[] = [];
  const baselineCount = input.baseline.get(FIELD.latencyCount);
  const baselineP95 = baselineCount >= minRequests ? percentile(input.baseline.latency, baselineCount, 0.95) : null;
  if (baselineP95 !== null) thresholds.push(Math.max(options.minP95Ms ?? 250, baselineP95 * (options.factor ?? 2)));
  if (options.maxP95Ms !== undefined) thresholds.push(options.maxP95Ms);
  return verdict({ value: p95, thresholds, resolveRatio: options.resolveRatio ?? 0.8, enough: count >= minRequests });
}

export function costVerdict(input: RuleInput, options: CostRuleOptions): Verdict {
  const spend = input.window.get(FIELD.costUsd);
  const perHour = spend / (input.windowMs / HOUR_MS);
  const thresholds: number[] = [];
  // A baseline shorter than the window (just after start) says nothing about the usual rate.
  if (input.baselineCoveredMs >= input.windowMs && input.baseline.get(FIELD.requests) > 0) {
    const baselinePerHour = input.baseline.get(FIELD.costUsd) / (input.baselineCoveredMs / HOUR_MS);
    thresholds.push(baselinePerHour * (options.factor ?? 3));
  }
  if (options.maxUsdPerHour !== undefined) thresholds.push(options.maxUsdPerHour);
  return verdict({
    value: perHour,
    thresholds,
    resolveRatio: options.resolveRatio ?? 0.8,
    enough: spend >= (options.minUsd ?? 0.01),
  });
}
