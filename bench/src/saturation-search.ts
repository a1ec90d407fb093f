import { runMeasuredWindow, type WindowOptions, type WindowResult } from "./measured-window.ts";
import { runOpenLoop } from "./open-loop.ts";

export interface SaturationResult {
  /** The highest rate that held (p99 under the bound, no errors, ≥ 95 % achieved); 0 if none did. */
  highestHeld: number;
  /** Every probe, in the order run. */
  probes: WindowResult[];
}

/**
 * The highest rate a target holds: rates grow by `growth` from `startRate` until one fails,
 * then `refineSteps` bisections between the last held and the first failed rate, to a
 * resolution of `stepRate`. Each probe is one measured window after its warm-up; a failed
 * probe waits for its backlog to drain (runOpenLoop awaits every answer) before the next.
 * Before the first probe, an unmeasured run at the start rate (`warmUpMs`, default 3 s):
 * a process started just before the search would otherwise pay its first requests' one-off
 * costs (compilation, first connections) inside the first probe's 1 s warm-up and window.
 */
export async function searchSaturation(
  window: Omit<WindowOptions, "rate">,
  options: {
    startRate: number;
    maxRate: number;
    growth?: number;
    refineSteps?: number;
    stepRate?: number;
    warmUpMs?: number;
  },
): Promise<SaturationResult> {
  const growth = options.growth ?? 1.5;
  const stepRate = options.stepRate ?? 50;
  const probes: WindowResult[] = [];
  const probe = async (rate: number) => {
    const result = await runMeasuredWindow({ ...window, rate });
    probes.push(result);
    return result.held;
  };
  const warmUpMs = options.warmUpMs ?? 3_000;
  if (warmUpMs > 0) await runOpenLoop(window.target, { rate: options.startRate, durationMs: warmUpMs });
  let held = 0;
  let failed = Number.POSITIVE_INFINITY;
  for (let rate = options.startRate; rate <= options.maxRate; rate = roundTo(rate * growth, stepRate)) {
    if (!(await probe(rate))) {
      failed = rate;
      break;
    }
    held = rate;
  }
  if (failed === Number.POSITIVE_INFINITY) return { highestHeld: held, probes };
  for (let step = 0; step < (options.refineSteps ?? 3) && failed - held > stepRate; step += 1) {
    const rate = roundTo((held + failed) / 2, stepRate);
    if (rate <= held || rate >= failed) break;
    if (await probe(rate)) held = rate;
    else failed = rate;
  }
  return { highestHeld: held, probes };
}

function roundTo(value: number, step: number): number {
  return Math.max(step, Math.round(value / step) * step);
}
