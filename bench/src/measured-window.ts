import type { NodeProcess } from "@keel/testkit";
import { runOpenLoop, type LoadResult, type LoadTarget } from "./open-loop.ts";
import { processCpuMs } from "./process-cpu.ts";
import { processMemoryMiB, resetPeakRss } from "./process-memory.ts";

/** One open-loop run and what it cost the processes behind the target. */
export interface WindowResult extends LoadResult {
  /** CPU time (user + system) per request sent, in ms, summed over the target's processes. */
  cpuMsPerRequest: number;
  /** CPU time per request of the upstream (the mock), in ms. */
  upstreamCpuMsPerRequest: number;
  /** Peak RSS during the window, in MiB, the largest of the target's processes. */
  peakRssMiB: number;
  /** Whether it held: every request answered well, achieved ≥ 95 % of the rate, p99 under the bound. */
  held: boolean;
}

export interface WindowOptions {
  target: LoadTarget;
  /** The processes whose CPU and memory the window counts (the gateway; two for the two-process mode). */
  processes: readonly NodeProcess[];
  upstream: NodeProcess | undefined;
  rate: number;
  durationMs: number;
  /** An unmeasured run at the same rate first, so the window starts in a steady state. */
  warmupMs: number;
  /** The p99 a rate must stay under to count as held; default 50 ms. */
  p99BoundMs?: number;
}

/** Warm-up, then one measured open-loop window with the processes' CPU per request and peak RSS. */
export async function runMeasuredWindow(options: WindowOptions): Promise<WindowResult> {
  const { target, processes, upstream, rate } = options;
  if (options.warmupMs > 0) await runOpenLoop(target, { rate, durationMs: options.warmupMs });
  for (const managed of processes) resetPeakRss(managed.child.pid);
  const cpuBefore = processes.map((managed) => processCpuMs(managed.child.pid));
  const upstreamBefore = processCpuMs(upstream?.child.pid);
  const result = await runOpenLoop(target, { rate, durationMs: options.durationMs });
  const cpuMs = processes.reduce(
    (sum, managed, index) => sum + processCpuMs(managed.child.pid) - (cpuBefore[index] ?? 0),
    0,
  );
  const upstreamCpuMs = processCpuMs(upstream?.child.pid) - upstreamBefore;
  const peakRssMiB = Math.max(...processes.map((managed) => processMemoryMiB(managed.child.pid).peak));
  const held =
    result.errors === 0 && result.achievedRate >= rate * 0.95 && result.latency.p99 < (options.p99BoundMs ?? 50);
  return {
    ...result,
    cpuMsPerRequest: cpuMs / result.sent,
    upstreamCpuMsPerRequest: upstream ? upstreamCpuMs / result.sent : Number.NaN,
    peakRssMiB,
    held,
  };
}
