import type { BackoffOptions } from "./types.ts";

export const DEFAULT_BACKOFF: BackoffOptions = { type: "exponential", delayMs: 1_000 };

/**
 * How long to wait before the next attempt, after `failures` failed attempts (1-based):
 * fixed waits `delayMs` every time; exponential waits delayMs * 2^(failures - 1), as BullMQ's
 * built-in exponential backoff does. Capped at `maxDelayMs` so a long retry chain cannot park
 * a job for hours.
 */
export function backoffDelay(backoff: BackoffOptions, failures: number, maxDelayMs = 3_600_000): number {
  const exponent = Math.max(0, failures - 1);
  const delay = backoff.type === "fixed" ? backoff.delayMs : backoff.delayMs * 2 ** exponent;
  return Math.min(Math.round(delay), maxDelayMs);
}
