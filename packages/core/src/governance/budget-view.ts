import { microUsdToUsd, type PeriodStatus, type ScopeBudgetStatus } from "@keel/governance";

/** One budget period as callers read it, in USD. `limitUsd` and `remainingUsd` are null without a limit. */
export interface BudgetPeriodView {
  /** "2025-01-31" or "2025-01" (UTC). */
  period: string;
  spentUsd: number;
  /** Held by calls in flight. */
  reservedUsd: number;
  limitUsd: number | null;
  remainingUsd: number | null;
  /** ISO time the period ends. */
  resetsAt: string;
}

export interface BudgetScopeView {
  day: BudgetPeriodView;
  month: BudgetPeriodView;
}

/**
 * A tenant's budget (and the calling key's), as both services return it next to usage.
 * Spend is counted from when a budget applies to the scope; usage has every request's cost.
 */
export interface BudgetView {
  tenant: BudgetScopeView;
  key: BudgetScopeView | null;
}

export function budgetScopeView(status: ScopeBudgetStatus): BudgetScopeView {
  return { day: periodView(status.day), month: periodView(status.month) };
}

function periodView(status: PeriodStatus): BudgetPeriodView {
  return {
    period: status.period,
    spentUsd: microUsdToUsd(status.spentMicroUsd),
    reservedUsd: microUsdToUsd(status.reservedMicroUsd),
    limitUsd: status.limitMicroUsd === undefined ? null : microUsdToUsd(status.limitMicroUsd),
    remainingUsd: status.remainingMicroUsd === undefined ? null : microUsdToUsd(status.remainingMicroUsd),
    resetsAt: status.resetsAt,
  };
}
