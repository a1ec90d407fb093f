/**
 * Identity and spending as every layer sees them: who calls (the principal an API key
 * stands for), and what the governance layer reports (events) and adds to the envelope
 * (which rule chose the model, what prompt optimisation did).
 */

/** Roles, least to most privileged; a role satisfies every role below it. */
export type ApiKeyRole = "caller" | "reviewer" | "admin";

/**
 * Who is calling: set by the services from the authenticated API key (never from caller
 * input), read by core's admission (limits, budgets, allowed models) and by telemetry.
 */
export interface Principal {
  /** The API key's id (`keel_<id>_...`); absent when authentication is off. */
  keyId?: string;
  tenant: string;
  role: ApiKeyRole;
  /** Route (model) names the key may call; absent or `*`: all. */
  allowedModels?: string[];
  /** The key's own per-minute limits. */
  limits?: { requestsPerMinute?: number; tokensPerMinute?: number; concurrency?: number };
  /** The key's own spend limits, USD per UTC day and month. */
  budget?: { dailyUsd?: number; monthlyUsd?: number };
}

export type LimitScope = "key" | "tenant";
export type LimitKind = "requests" | "tokens" | "concurrency";
export type BudgetPeriod = "day" | "month";

/** Why a presented API key was refused: for logs and metrics only, never for the caller. */
export type ApiKeyRejection = "missing" | "malformed" | "unknown" | "wrong-secret" | "revoked";

/** Events of identity, limits, budgets, model selection and prompt optimisation. */
export type GovernanceEvent =
  | { type: "api-key-rejected"; reason: ApiKeyRejection; keyId?: string }
  /** The key store could not be read and a recently read record answered (stale-if-error). */
  | { type: "api-key-stale-served"; keyId: string; ageMs: number }
  | { type: "rate-limited"; scope: LimitScope; kind: LimitKind; retryAfterMs?: number }
  /** The shared limiter or budget ledger did not answer; `failMode` says what the request got. */
  | {
      type: "governance-unavailable";
      part: "rate-limiter" | "budget-ledger";
      failMode: "open" | "closed";
      operation: string;
      message: string;
    }
  | { type: "budget-exceeded"; scope: LimitScope; period: BudgetPeriod; limitMicroUsd: number; spentMicroUsd: number }
  /** Spend crossed a threshold (80 and 100 % by default), once per scope and period across all instances. */
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
  | { type: "governance-store-error"; operation: string; message: string }
  /** A route's selection rules chose `target` (rule "default" when none applied). */
  | { type: "model-selected"; route: string; rule: string; target: string }
  /** An answer failed validation and the request was retried once on a stronger target. */
  | { type: "model-escalated"; route: string; from: string; to: string; reason: "validation" | "claim-check" }
  /** The route's prompt transforms ran; `tokensSaved` per transform. */
  | { type: "prompt-optimised"; route: string; transforms: { transform: string; tokensSaved: number }[] };

/** Which rule chose the model, and the one escalation, if there was one. */
export interface SelectionReport {
  /** The rule that chose ("default" when none applied). */
  rule: string;
  /** The target the rule chose first ("provider/model"). */
  target: string;
  escalated?: { from: string; to: string; reason: "validation" | "claim-check" };
}

/** What the route's prompt transforms did; the tokens saved are in `usage.promptTokensSaved`. */
export interface OptimisationReport {
  transforms: { transform: string; messagesChanged: number; tokensSaved: number }[];
  /** Messages the model did not see: their position in the caller's list, role, why, and size. */
  dropped: { index: number; role: string; reason: "duplicate" | "history"; tokens: number }[];
}
