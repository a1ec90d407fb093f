import { runOpenLoop } from "./open-loop.ts";
import { processMemoryMiB } from "./process-memory.ts";
import type { Gateway } from "./request-path-processes.ts";

export interface SoakSample {
  /** Requests sent so far. */
  requests: number;
  seconds: number;
  rssMiB: number;
  /** V8 heap used and total, from the service's /metrics (prom-client default metrics). */
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** This 10 s window. */
  p99Ms: number;
  errors: number;
}

/**
 * `requests` requests at `rate` in windows of 10 s; after each window, the process's RSS
 * and V8 heap. A leak shows as a trend across samples; a steady service stays flat once
 * its caches are full.
 */
export async function runSoak(options: {
  gateway: Gateway;
  rate: number;
  requests: number;
  onSample: (sample: SoakSample) => void;
}): Promise<SoakSample[]> {
  const { gateway, rate } = options;
  const windowRequests = rate * 10;
  const samples: SoakSample[] = [];
  const start = performance.now();
  const managed = gateway.processes[0];
  let sent = 0;
  while (sent < options.requests) {
    const count = Math.min(windowRequests, options.requests - sent);
    const result = await runOpenLoop(gateway.target, { rate, durationMs: (count * 1000) / rate });
    sent += result.sent;
    const heap = await readHeap(gateway.origins?.[0]);
    const sample: SoakSample = {
      requests: sent,
      seconds: Math.round((performance.now() - start) / 1000),
      rssMiB: round(processMemoryMiB(managed?.child.pid).rss),
      heapUsedMiB: round(heap.used),
      heapTotalMiB: round(heap.total),
      p99Ms: round(result.latency.p99),
      errors: result.errors,
    };
    samples.push(sample);
    options.onSample(sample);
  }
  return samples;
}

async function readHeap(origin: string | undefined): Promise<{ used: number; total: number }> {
  if (origin === undefined) return { used: Number.NaN, total: Number.NaN };
  const text = await (await fetch(`${origin}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  return {
    used: value("keel_process_nodejs_heap_size_used_bytes"),
    total: value("keel_process_nodejs_heap_size_total_bytes"),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
