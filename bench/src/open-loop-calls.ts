import type { LoadResult } from "./open-loop.ts";
import { percentile } from "./percentile.ts";

/**
 * The open-loop schedule of `runOpenLoop` around any async call (a Redis GET, say) rather
 * than an HTTP POST: call i starts at start + i/rate whether or not earlier calls have
 * finished, and its latency counts from that scheduled time (or from when it left, if the
 * timer let it go early).
 */
export async function runOpenLoopCalls(
  name: string,
  call: (index: number) => Promise<boolean>,
  options: { rate: number; durationMs: number },
): Promise<LoadResult> {
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let lastDone = start;

  for (let index = 0; index < total; index += 1) {
    const scheduled = start + (index * 1000) / options.rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    // Late: count from the schedule (open loop). Early (timers are ~1 ms coarse): count from
    // when it left, or a sub-millisecond call (a Redis GET) would show a negative latency.
    const from = Math.min(scheduled, performance.now());
    pending.push(
      call(index).then(
        (success) => finish(from, success),
        () => finish(from, false),
      ),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    target: name,
    rate: options.rate,
    sent: total,
    ok,
    errors,
    achievedRate: (ok + errors) / ((lastDone - start) / 1000),
    latency: {
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? 0,
    },
  };

  function finish(from: number, success: boolean): void {
    const done = performance.now();
    lastDone = Math.max(lastDone, done);
    latencies.push(done - from);
    if (success) ok += 1;
    else errors += 1;
  }
}
