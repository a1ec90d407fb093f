import type { BudgetLimits } from "../keys/key-types.ts";
import type { BudgetPeriod, EventHook, FailMode, LimitScope } from "../shared/events.ts";
import type { Health } from "../shared/redis-connection.ts";

export interface BudgetRequest {
  tenant: string;
  /** The tenant's budget (from config); absent means no cap at tenant level (spend is still counted). */
  tenantBudget?: BudgetLimits;
  /** The API key and its budget (from its record). */
  key?: { id: string; budget?: BudgetLimits };
  /** The most the call can cost, in integer micro-USD (see maxCostMicroUsd). */
  maxCostMicroUsd: number;
}

export type BudgetScopeQuery = Omit<BudgetRequest, "maxCostMicroUsd">;

/** One counter a reservation charges: a scope in a period, with its limit when it was reserved. */
export interface BudgetCounter {
  scope: LimitScope;
  period: BudgetPeriod;
  /** "2025-01-31" or "2025-01" (UTC). */
  label: string;
  /** Micro-USD; -1 when the scope has no limit for the period. */
  limitMicroUsd: number;
}

/** Plain data, so a reservation may be settled by another process (a job worker) than the one that made it. */
export interface Reservation {
  readonly id: string;
  readonly tenant: string;
  readonly keyId?: string;
  readonly maxCostMicroUsd: number;
  readonly counters: readonly BudgetCounter[];
  /** False when the ledger was unreachable and failMode "open" let the call through unreserved. */
  readonly held: boolean;
}

export interface PeriodStatus {
  /** "2025-01-31" or "2025-01". */
  period: string;
  spentMicroUsd: number;
  /** Held by calls in flight. */
  reservedMicroUsd: number;
  limitMicroUsd?: number;
  /** limit − spent − reserved, never below 0. */
  remainingMicroUsd?: number;
  /** ISO time the period ends (UTC). */
  resetsAt: string;
}

export interface ScopeBudgetStatus {
  day: PeriodStatus;
  month: PeriodStatus;
}

export interface BudgetStatus {
  tenant: ScopeBudgetStatus;
  key?: ScopeBudgetStatus;
}

export interface BudgetLedger {
  /** Holds maxCostMicroUsd in every scope and period; BUDGET_EXCEEDED when any would cross its limit. */
  reserve(request: BudgetRequest): Promise<Reservation>;
  /**
   * Records the actual cost and releases the rest of the reservation; fires threshold
   * events. Call it once per reservation. Never throws for a store failure (it reports one).
   */
  settle(reservation: Reservation, actualMicroUsd: number): Promise<void>;
  /** Spent, reserved, limit and remaining per scope, for today and this month (UTC). */
  status(query: BudgetScopeQuery): Promise<BudgetStatus>;
  health(): Health;
  close(): Promise<void>;
}

export interface BudgetLedgerOptions {
  /** A reservation not settled within this is released (its holder crashed). Default 600,000 ms. */
  reservationTtlMs?: number;
  /** Percentages of a limit that raise a `budget-threshold` event, once per scope and period. Default [80, 100]. */
  thresholdsPercent?: number[];
  onEvent?: EventHook;
  /** Clock for the day and month a reservation charges (in memory also for reservation expiry; Redis expires by its own clock). Default Date.now. */
  now?: () => number;
}

export type { FailMode };
