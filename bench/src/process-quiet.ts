import { processCpuMs } from "./process-cpu.ts";

/**
 * Waits until a process has gone quiet: under `share` of one CPU over a `windowMs` window
 * (its in-flight work finished, e.g. streams its clients gave up on), or `timeoutMs` passed.
 * Returns how long it waited. A step measured right after an overloaded one would otherwise
 * start with the previous step's backlog still running in the service.
 */
export async function waitForQuiet(
  pid: number | undefined,
  options: { share?: number; windowMs?: number; timeoutMs?: number } = {},
): Promise<number> {
  const share = options.share ?? 0.05;
  const windowMs = options.windowMs ?? 500;
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 30_000);
  if (pid === undefined) return 0;
  while (performance.now() < deadline) {
    const before = processCpuMs(pid);
    const from = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if (processCpuMs(pid) - before <= share * (performance.now() - from)) break;
  }
  return performance.now() - started;
}
