import type { StreamCall } from "./stream-outcome.ts";

export interface StreamCost {
  target: string;
  streams: number;
  ok: number;
  /** CPU time of the process a stream runs through, per completed stream (ms). */
  cpuMsPerStream: number;
  wallMs: number;
}

/**
 * The CPU a stream costs, measured apart from queueing: `streams` streams with at most
 * `concurrency` open at once (closed loop), and the process's CPU time over them divided
 * by the streams. On a shared, overloaded machine the open-loop percentiles measure the
 * other tenants; CPU time per stream is what stays comparable between runs.
 */
export async function measureStreamCost(
  target: string,
  call: StreamCall,
  options: { streams: number; concurrency: number; cpuMs: () => number },
): Promise<StreamCost> {
  let started = 0;
  let ok = 0;
  const cpuBefore = options.cpuMs();
  const wallStarted = performance.now();
  const worker = async () => {
    while (started < options.streams) {
      started += 1;
      const outcome = await call();
      if (outcome.ok) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const cpuMs = options.cpuMs() - cpuBefore;
  return {
    target,
    streams: options.streams,
    ok,
    cpuMsPerStream: cpuMs / Math.max(1, ok),
    wallMs: performance.now() - wallStarted,
  };
}
