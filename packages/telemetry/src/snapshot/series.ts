import { KEEL_ERROR_CODES, type KeelErrorCode, roundUsd } from "@keel/spec";
import { percentile } from "./latency-buckets.ts";
import { type Aggregate, ERROR_CODE_FIELD, FIELD, Ring, type Sample } from "./ring.ts";

export type WindowName = "1m" | "5m" | "1h";

/** What one window of one series says. Rates are per second; latencies in milliseconds. */
export interface WindowStats {
  requests: number;
  requestRate: number;
  errors: number;
  /** Failed requests / requests; caller-caused failures (bad request, blocked, limits) are counted apart as `rejected`. */
  errorRate: number;
  rejected: number;
  /** Failed and rejected requests by Keel code; only the codes seen in the window. */
  errorsByCode: Partial<Record<KeelErrorCode, number>>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; mean: number | null };
  cacheLookups: number;
  cacheHits: number;
  /** Hits / requests that consulted a cache; null when none did. */
  cacheHitRate: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  costPerRequestUsd: number | null;
  savedUsd: number;
}

export type SeriesStats = Record<WindowName, WindowStats>;

// 1m from per-second slots, 5m from 10-second slots, 1h from 1-minute slots.
const WINDOWS: ReadonlyArray<{ name: WindowName; widthMs: number; spanMs: number }> = [
  { name: "1m", widthMs: 1_000, spanMs: 60_000 },
  { name: "5m", widthMs: 10_000, spanMs: 300_000 },
  { name: "1h", widthMs: 60_000, spanMs: 3_600_000 },
];

/** One line of the snapshot (overall, a model or a tenant): three rings of fixed size. */
export class Series {
  private readonly rings = WINDOWS.map((window) => new Ring(window.widthMs, window.spanMs / window.widthMs));

  add(nowMs: number, sample: Sample): void {
    for (const ring of this.rings) ring.add(nowMs, sample);
  }

  stats(nowMs: number, scratch: Aggregate): SeriesStats {
    const result = {} as SeriesStats;
    WINDOWS.forEach((window, index) => {
      scratch.reset();
      this.rings[index]!.sum({ nowMs, spanMs: window.spanMs }, scratch);
      result[window.name] = toWindowStats(scratch, window.spanMs);
    });
    return result;
  }
}

export function toWindowStats(aggregate: Aggregate, spanMs: number): WindowStats {
  const requests = aggregate.get(FIELD.requests);
  const latencyCount = aggregate.get(FIELD.latencyCount);
  const cacheLookups = aggregate.get(FIELD.cacheLookups);
  // Window sums of float costs carry noise; shown as whole nano-dollars like every cost.
  const costUsd = roundUsd(aggregate.get(FIELD.costUsd));
  return {
    requests,
    requestRate: requests / (spanMs / 1000),
    errors: aggregate.get(FIELD.errors),
    errorRate: requests === 0 ? 0 : aggregate.get(FIELD.errors) / requests,
    rejected: aggregate.get(FIELD.rejected),
    errorsByCode: errorsByCode(aggregate),
    latencyMs: {
      p50: percentile(aggregate.latency, latencyCount, 0.5),
      p95: percentile(aggregate.latency, latencyCount, 0.95),
      p99: percentile(aggregate.latency, latencyCount, 0.99),
      mean: latencyCount === 0 ? null : aggregate.get(FIELD.latencySumMs) / latencyCount,
    },
    cacheLookups,
    cacheHits: aggregate.get(FIELD.cacheHits),
    cacheHitRate: cacheLookups === 0 ? null : aggregate.get(FIELD.cacheHits) / cacheLookups,
    inputTokens: aggregate.get(FIELD.inputTokens),
    outputTokens: aggregate.get(FIELD.outputTokens),
    costUsd,
    costPerRequestUsd: requests === 0 ? null : roundUsd(costUsd / requests),
    savedUsd: roundUsd(aggregate.get(FIELD.savedUsd)),
  };
}

function errorsByCode(aggregate: Aggregate): Partial<Record<KeelErrorCode, number>> {
  const counts: Partial<Record<KeelErrorCode, number>> = {};
  for (const code of KEEL_ERROR_CODES) {
    const count = aggregate.get(ERROR_CODE_FIELD[code]);
    if (count > 0) counts[code] = count;
  }
  return counts;
}
