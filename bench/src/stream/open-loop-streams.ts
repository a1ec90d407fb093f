import { percentile } from "../percentile.ts";
import type { StreamCall } from "./stream-outcome.ts";

export interface StreamLoadResult {
  target: string;
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  /** Failures by reason. */
  failures: Record<string, number>;
  /** Streams ended (well or badly) per second of the run. */
  achievedRate: number;
  /** Content events per successful stream (median). */
  contentEventsPerStream: number;
  /** ms from each stream's scheduled start to its first content event (successful streams). */
  ttft: Percentiles;
  /** ms from each stream's scheduled start to its end (successful streams). */
  total: Percentiles;
  /** Wall-clock span of the run, ms: first scheduled start to last end. */
  spanMs: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Open-loop streams: stream i opens at start + i/rate whether or not earlier ones have
 * ended, and its times count from that scheduled moment (or from when it left, when the
 * ~1 ms coarse timer let it go early), so a stalled service shows up as queueing in the
 * percentiles instead of slowing the sender.
 */
export async function runOpenLoopStreams(
  name: string,
  call: StreamCall,
  options: { rate: number; durationMs: number },
): Promise<StreamLoadResult> {
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const ttfts: number[] = [];
  const totals: number[] = [];
  const contentCounts: number[] = [];
  const failures: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let lastEnd = start;

  for (let index = 0; index < total; index += 1) {
    const scheduled = start + (index * 1000) / options.rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const from = Math.min(scheduled, performance.now());
    pending.push(
      call().then((outcome) => {
        lastEnd = Math.max(lastEnd, outcome.endedAt);
        if (outcome.ok && outcome.contentEvents > 0) {
          ok += 1;
          ttfts.push(outcome.firstContentAt - from);
          totals.push(outcome.endedAt - from);
          contentCounts.push(outcome.contentEvents);
        } else {
          errors += 1;
          const reason = outcome.failure ?? "no-content";
          failures[reason] = (failures[reason] ?? 0) + 1;
        }
      }),
    );
  }
  await Promise.all(pending);
  const spanMs = lastEnd - start;
  const totalTimes = percentiles(totals);
  // Ended streams over the time they were being sent, plus the last one's typical life:
  // a service that keeps up ends the run one stream-length after the last start.
  const activeMs = Math.max(options.durationMs, spanMs - totalTimes.p50);
  return {
    target: name,
    rate: options.rate,
    sent: total,
    ok,
    errors,
    failures,
    achievedRate: (ok + errors) / (activeMs / 1000),
    contentEventsPerStream: percentile(
      contentCounts.sort((a, b) => a - b),
      0.5,
    ),
    ttft: percentiles(ttfts),
    total: totalTimes,
    spanMs,
  };
}

function percentiles(values: number[]): Percentiles {
  values.sort((a, b) => a - b);
  return {
    p50: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    p99: percentile(values, 0.99),
    max: values.at(-1) ?? 0,
  };
}
