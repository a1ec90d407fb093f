/**
 * What the governance parts report. They never log: core forwards these to telemetry
 * (metrics, alerts). Until @keel/spec's KeelEvent carries them (proposed in the README),
 * they travel through each part's own `onEvent` hook. No event ever holds a key's secret.
 */
export type GovernanceEvent =
  /** A presented key was refused; `reason` is for logs and metrics only. */
  | { type: "api-key-rejected"; reason: ApiKeyRejection; keyId?: string }
  /** The key store could not be read and a cached record answered instead (stale-if-error). */
  | { type: "api-key-stale-served"; keyId: string; ageMs: number }
  | { type: "rate-limited"; scope: LimitScope; kind: LimitKind; retryAfterMs?: number }
  /** The shared limiter or budget ledger did not answer; `failMode` says what the request got. */
  | {
      type: "governance-unavailable";
      part: "rate-limiter" | "budget-ledger";
      failMode: FailMode;
      operation: string;
      message: string;
    }
  | { type: "budget-exceeded"; scope: LimitScope; period: BudgetPeriod; limitMicroUsd: number; spentMicroUsd: number }
  /** Spend crossed a threshold (80, 100 % by default); fired once per scope and period across all instances. */
  | {
      type: "budget-threshold";
      tenant: string;
      scope: LimitScope;
      keyId?: string;
      period: BudgetPeriod;
      /** "2025-01-31" for a day, "2025-01" for a month (UTC). */
      periodLabel: string;
      percent: number;
      spentMicroUsd: number;
      limitMicroUsd: number;
    }
  /** A background write (lastUsedAt, a lease heartbeat, a settlement) failed; the request was not affected. */
  | { type: "governance-store-error"; operation: string; message: string };

export type GovernanceEventType = GovernanceEvent["type"];
export type EventHook = (event: GovernanceEvent) => void;

export type ApiKeyRejection = "missing" | "malformed" | "unknown" | "wrong-secret" | "revoked";
export type LimitScope = "key" | "tenant";
export type LimitKind = "requests" | "tokens" | "concurrency";
export type BudgetPeriod = "day" | "month";
/** `open`: admit when the shared store is down (and report it); `closed`: refuse with UPSTREAM_UNAVAILABLE. */
export type FailMode = "open" | "closed";

/** Calls the hook; a throwing hook never breaks the request that reported. */
export function emitSafely(hook: EventHook | undefined, event: GovernanceEvent): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // A broken listener is the listener's problem, not the request's.
  }
}
