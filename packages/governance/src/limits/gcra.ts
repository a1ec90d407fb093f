/**
 * GCRA, the generic cell rate algorithm (a token bucket kept as one number): each scope
 * and kind stores its "theoretical arrival time" (TAT). With a limit L per period P, one
 * unit costs an interval T = P / L; a request of `cost` units moves the TAT by cost·T and
 * is admitted when the new TAT is at most P ahead of now.
 *
 * Bounds: after an idle period, L units at once (the full bucket); then L per P, evenly
 * refilled; in any window of length W at most L + L·W/P units (so ≤ 2L in one minute, at
 * the worst alignment), and L per P over any long run. The Redis Lua script implements
 * the same arithmetic; this module is the in-memory version and the reference.
 */
export interface GcraStep {
  /** Stored TAT, or undefined when nothing is stored (a full bucket). */
  tat: number | undefined;
  now: number;
  limit: number;
  periodMs: number;
  cost: number;
}

export interface GcraOutcome {
  allowed: boolean;
  /** The TAT to store when admitted (unchanged TAT otherwise). */
  tat: number;
  /** When allowed is false: ms until the same request fits; -1 when it never can (cost > limit). */
  retryAfterMs: number;
  /** Units left after this request (or before it, when refused). */
  remaining: number;
  /** Ms until the bucket is full again. */
  resetMs: number;
}

// A sliver of a millisecond: 3 requests at 333.33… ms each must fit a 1,000 ms bucket
// despite floating-point rounding.
export const EPSILON_MS = 1e-6;

export function gcraStep({ tat, now, limit, periodMs, cost }: GcraStep): GcraOutcome {
  const interval = periodMs / limit;
  const base = Math.max(tat ?? now, now);
  const next = base + cost * interval;
  const wait = next - periodMs - now;
  if (cost > limit) return refused(base, { now, periodMs, interval, retryAfterMs: -1 });
  if (wait > EPSILON_MS) return refused(base, { now, periodMs, interval, retryAfterMs: Math.ceil(wait) });
  return {
    allowed: true,
    tat: next,
    retryAfterMs: 0,
    remaining: remainingUnits(next, { now, periodMs, interval }),
    resetMs: Math.ceil(next - now),
  };
}

/** Moves a TAT by `delta` units after the fact (reconciling an estimate); never below now. */
export function gcraAdjust(options: {
  tat: number | undefined;
  now: number;
  limit: number;
  periodMs: number;
  delta: number;
}): number {
  const interval = options.periodMs / options.limit;
  const tat = options.tat ?? options.now;
  if (options.delta >= 0) return Math.max(tat, options.now) + options.delta * interval;
  return Math.max(options.now, tat + options.delta * interval);
}

interface Window {
  now: number;
  periodMs: number;
  interval: number;
}

function refused(base: number, window: Window & { retryAfterMs: number }): GcraOutcome {
  return {
    allowed: false,
    tat: base,
    retryAfterMs: window.retryAfterMs,
    remaining: remainingUnits(base, window),
    resetMs: Math.ceil(base - window.now),
  };
}

function remainingUnits(tat: number, { now, periodMs, interval }: Window): number {
  return Math.max(0, Math.floor((now + periodMs - tat) / interval + EPSILON_MS));
}
