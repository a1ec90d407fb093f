import { runMeasuredWindow, type WindowResult } from "./measured-window.ts";
import type { Gateway } from "./request-path-processes.ts";
import type { NodeProcess } from "@keel/testkit";

/** CPU per request of one target over the rounds of a cost run. */
export interface CostFigure {
  target: string;
  /** Median over the rounds of the gateway process's CPU ms per request. */
  medianCpuMsPerRequest: number;
  minCpuMsPerRequest: number;
  maxCpuMsPerRequest: number;
  /** Every round's window, in the order run. */
  rounds: WindowResult[];
}

export interface CostRoundsOptions {
  gateways: readonly Gateway[];
  upstream: NodeProcess | undefined;
  rate: number;
  durationMs: number;
  rounds: number;
  onWindow?: (result: WindowResult) => void;
}

/**
 * CPU per request of every target in one run, at a rate low enough that none of them queues
 * on a shared machine: `rounds` rounds of one measured window per target, the order rotated
 * each round (A B C, B C A, C A B, ...) so slow drift in the machine's other work falls on
 * every target alike; the figure is the median over the rounds. Latency at such a rate
 * mostly measures the other work; CPU time per request is what stays comparable.
 */
export async function runCostRounds(options: CostRoundsOptions): Promise<CostFigure[]> {
  const { gateways } = options;
  const windows = new Map<string, WindowResult[]>(gateways.map((gateway) => [gateway.target.name, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    for (let offset = 0; offset < gateways.length; offset += 1) {
      const gateway = gateways[(round + offset) % gateways.length] as Gateway;
      const result = await runMeasuredWindow({
        target: gateway.target,
        processes: gateway.processes,
        upstream: options.upstream,
        rate: options.rate,
        durationMs: options.durationMs,
        warmupMs: 500,
      });
      windows.get(gateway.target.name)?.push(result);
      options.onWindow?.(result);
    }
  }
  return [...windows].map(([target, rounds]) => {
    const sorted = rounds.map((result) => result.cpuMsPerRequest).sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median =
      sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
    return {
      target,
      medianCpuMsPerRequest: median,
      minCpuMsPerRequest: sorted[0] ?? Number.NaN,
      maxCpuMsPerRequest: sorted.at(-1) ?? Number.NaN,
      rounds,
    };
  });
}

/** One line per target: median CPU ms per request (range over rounds), errors, and the ratio to the forwarder. */
export function formatCostFigures(figures: readonly CostFigure[]): string {
  const floor = figures.find((figure) => figure.target === "forwarder")?.medianCpuMsPerRequest;
  return figures
    .map((figure) => {
      const errors = figure.rounds.reduce((sum, result) => sum + result.errors, 0);
      const sent = figure.rounds.reduce((sum, result) => sum + result.sent, 0);
      const ratio = floor ? ` ×${(figure.medianCpuMsPerRequest / floor).toFixed(1)} forwarder` : "";
      return [
        `cost ${figure.target.padEnd(12)}`,
        `cpu ${figure.medianCpuMsPerRequest.toFixed(3)} ms/req median`,
        `(${figure.minCpuMsPerRequest.toFixed(3)}–${figure.maxCpuMsPerRequest.toFixed(3)} over ${figure.rounds.length} rounds)`,
        `${sent} sent, ${errors} errors${ratio}`,
      ].join("  ");
    })
    .join("\n");
}
