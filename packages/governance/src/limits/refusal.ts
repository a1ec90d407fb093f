import type { Refusal } from "./rate-limit-types.ts";

/**
 * The refusal to report when several checks fail: one that can never pass wins, else the
 * longest wait (the earliest time every check could pass). The Lua script does the same.
 */
export function worseRefusal(current: Refusal | undefined, candidate: Refusal): Refusal {
  if (!current) return candidate;
  if (current.retryAfterMs < 0) return current;
  if (candidate.retryAfterMs < 0 || candidate.retryAfterMs > current.retryAfterMs) return candidate;
  return current;
}
