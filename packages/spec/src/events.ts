import type { KeelErrorCode } from "./errors.ts";
import type { ReviewState, SafetyAction, SafetyStage, Usage } from "./generation.ts";
import type { JobKeelEvent } from "./job-events.ts";
import type { GovernanceEvent } from "./governance.ts";

/**
 * Typed events the packages emit on a request's event sink. Telemetry turns them into
 * logs and metrics without importing the packages that emit them. Names are
 * noun-action. `target` is always "provider/model".
 */
export type KeelEvent =
  // governance: identity, limits, budgets, model selection, prompt optimisation
  | GovernanceEvent
  // providers
  | { type: "upstream-request"; target: string }
  | { type: "upstream-response"; target: string; durationMs: number; usage: Usage; ttftMs?: number }
  | { type: "upstream-error"; target: string; durationMs: number; code: KeelErrorCode; status?: number }
  | { type: "upstream-first-chunk"; target: string; ttftMs: number }
  /** A health check of one target (emitted by whoever probes: core, a service, a scheduler). */
  | { type: "health-probe"; target: string; ok: boolean; durationMs: number }
  // resilience
  | { type: "retry-attempt"; target: string; attempt: number; delayMs: number; code: KeelErrorCode }
  | { type: "retry-give-up"; target: string; attempts: number; code: KeelErrorCode }
  | { type: "retry-budget-exhausted"; target: string }
  | { type: "circuit-open"; target: string }
  | { type: "circuit-half-open"; target: string }
  | { type: "circuit-close"; target: string }
  | { type: "circuit-rejected"; target: string }
  | { type: "timeout"; target: string; kind: "attempt" | "ttft" | "idle" | "deadline" }
  | { type: "fallback"; from: string; to: string; code: KeelErrorCode }
  | { type: "load-shed"; target: string }
  | { type: "hedge-sent"; target: string }
  | { type: "degraded"; mode: "stale" | "static" }
  // jobs (the queue, its workers, webhooks; see job-events.ts)
  | JobKeelEvent
  // cache
  | { type: "cache-hit"; kind: "exact" | "semantic"; savedTokens: number; savedUsd: number; similarity?: number }
  | { type: "cache-miss"; kind: "exact" | "semantic" }
  | { type: "cache-stale"; savedTokens: number; savedUsd: number }
  | { type: "cache-coalesced"; kind: "exact" | "semantic"; savedTokens: number; savedUsd: number }
  // `skipped` set: the entry was not stored (over the store's maxEntryBytes)
  | { type: "cache-store"; kind: "exact" | "semantic" | "embedding"; bytes: number; skipped?: "too-large" }
  | { type: "cache-error"; operation: string; message: string }
  | { type: "embedding-cache-hit"; count: number }
  // validation
  | { type: "validation-attempt"; attempt: number; valid: boolean; repaired: boolean; errorCount: number }
  // safety
  // `detector` is the policy entry ("pii", "injection", ...), `scanner` the module that found it
  | {
      type: "safety-finding";
      stage: SafetyStage;
      detector: string;
      scanner: string;
      kind: string;
      action: SafetyAction;
    }
  // human review: `mode` hold = the answer waits for a reviewer; flag = it went out, the item is for audit
  | { type: "review-created"; route: string; detector: string; mode: "hold" | "flag" }
  | {
      type: "review-decided";
      route: string;
      decision: Exclude<ReviewState, "pending">;
      mode: "hold" | "flag";
      timeToDecisionMs: number;
    };

export type KeelEventType = KeelEvent["type"];

/** Where a package reports what happened. Emitting never throws and never blocks. */
export interface EventSink {
  emit(event: KeelEvent): void;
}

export const noopEventSink: EventSink = { emit() {} };
