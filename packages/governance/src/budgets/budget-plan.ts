import { KeelError } from "@keel/spec";
import { checkBudgetLimits } from "../keys/key-validation.ts";
import type { BudgetLimits } from "../keys/key-types.ts";
import { type EventHook, emitSafely } from "../shared/events.ts";
import { checkTenant } from "../shared/identifiers.ts";
import { positiveOption } from "../shared/options.ts";
import type {
  BudgetCounter,
  BudgetLedgerOptions,
  BudgetScopeQuery,
  BudgetStatus,
  PeriodStatus,
  Reservation,
} from "./budget-types.ts";
import { usdToMicroUsd } from "./money.ts";
import { periodEnd, periodLabel } from "./periods.ts";

/** The counters of a request at a time: key day, key month, tenant day, tenant month (key only when given). */
export function countersOf(query: BudgetScopeQuery, now: number): BudgetCounter[] {
  checkTenant(query.tenant);
  const scopes: { scope: BudgetCounter["scope"]; budget: BudgetLimits | undefined; field: string }[] = [];
  if (query.key) {
    if (typeof query.key.id !== "string" || query.key.id.length === 0) {
      throw new KeelError("BAD_REQUEST", "key.id must be a non-empty string", { details: { field: "key.id" } });
    }
    scopes.push({ scope: "key", budget: query.key.budget, field: "key.budget" });
  }
  scopes.push({ scope: "tenant", budget: query.tenantBudget, field: "tenantBudget" });
  return scopes.flatMap(({ scope, budget, field }) => {
    const checked = checkBudgetLimits(budget, field) ?? {};
    const limit = (usd: number | undefined) => (usd === undefined ? -1 : usdToMicroUsd(usd));
    return [
      { scope, period: "day" as const, label: periodLabel("day", now), limitMicroUsd: limit(checked.dailyUsd) },
      { scope, period: "month" as const, label: periodLabel("month", now), limitMicroUsd: limit(checked.monthlyUsd) },
    ];
  });
}

export function checkMicroUsd(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new KeelError("BAD_REQUEST", `${field} must be a non-negative integer (micro-USD)`, { details: { field } });
  }
  return value;
}

export interface ResolvedLedgerOptions {
  reservationTtlMs: number;
  thresholdsPercent: number[];
  now: () => number;
  onEvent: EventHook | undefined;
}

export function resolveLedgerOptions(options: BudgetLedgerOptions): ResolvedLedgerOptions {
  const thresholds = options.thresholdsPercent ?? [80, 100];
  if (!thresholds.every((percent) => Number.isSafeInteger(percent) && percent > 0 && percent <= 1_000)) {
    throw new KeelError("BAD_REQUEST", "thresholdsPercent must be whole percentages from 1 to 1000", {
      details: { field: "thresholdsPercent" },
    });
  }
  return {
    reservationTtlMs: Math.ceil(
      positiveOption({ value: options.reservationTtlMs, fallback: 600_000, field: "reservationTtlMs" }),
    ),
    thresholdsPercent: [...new Set(thresholds)].sort((left, right) => left - right),
    now: options.now ?? Date.now,
    onEvent: options.onEvent,
  };
}

/** BUDGET_EXCEEDED naming the scope, period, limit and what is spent and held. */
export function budgetExceededError(
  counter: BudgetCounter,
  figures: { spent: number; reserved: number; requested: number; now: number },
): KeelError {
  const scope = counter.scope === "key" ? "API key" : "tenant";
  return new KeelError(
    "BUDGET_EXCEEDED",
    `the ${counter.period === "day" ? "daily" : "monthly"} budget of this ${scope} is used up`,
    {
      details: {
        scope: counter.scope,
        period: counter.period,
        limitMicroUsd: counter.limitMicroUsd,
        spentMicroUsd: figures.spent,
        reservedMicroUsd: figures.reserved,
        requestedMicroUsd: figures.requested,
        resetsAt: new Date(periodEnd(counter.period, figures.now)).toISOString(),
      },
    },
  );
}

export function ledgerUnavailableError(cause: unknown): KeelError {
  return new KeelError("UPSTREAM_UNAVAILABLE", "budgets cannot be checked right now", {
    retryable: true,
    retryAfterMs: 1_000,
    cause,
    details: { reason: "budget-ledger-unavailable" },
  });
}

/** Fires one event per threshold crossed by a settlement (the store says which were new). */
export function reportThresholds(
  options: ResolvedLedgerOptions,
  crossing: {
    reservation: Reservation;
    counter: BudgetCounter;
    spent: number;
    notifiedBefore: number;
    notifiedNow: number;
  },
): void {
  for (const percent of options.thresholdsPercent) {
    if (percent <= crossing.notifiedBefore || percent > crossing.notifiedNow) continue;
    emitSafely(options.onEvent, {
      type: "budget-threshold",
      tenant: crossing.reservation.tenant,
      scope: crossing.counter.scope,
      ...(crossing.counter.scope === "key" && crossing.reservation.keyId ? { keyId: crossing.reservation.keyId } : {}),
      period: crossing.counter.period,
      periodLabel: crossing.counter.label,
      percent,
      spentMicroUsd: crossing.spent,
      limitMicroUsd: crossing.counter.limitMicroUsd,
    });
  }
}

/** The highest threshold reached by `spent`, or 0. */
export function thresholdReached(thresholds: number[], spent: number, limit: number): number {
  if (limit <= 0) return 0;
  let reached = 0;
  for (const percent of thresholds) if (spent >= (limit * percent) / 100) reached = percent;
  return reached;
}

export function periodStatus(
  counter: BudgetCounter,
  figures: { spent: number; reserved: number; now: number },
): PeriodStatus {
  const limited = counter.limitMicroUsd >= 0;
  return {
    period: counter.label,
    spentMicroUsd: figures.spent,
    reservedMicroUsd: figures.reserved,
    ...(limited
      ? {
          limitMicroUsd: counter.limitMicroUsd,
          remainingMicroUsd: Math.max(0, counter.limitMicroUsd - figures.spent - figures.reserved),
        }
      : {}),
    resetsAt: new Date(periodEnd(counter.period, figures.now)).toISOString(),
  };
}

/** Assembles per-scope status from the counters (in countersOf order) and their figures. */
export function statusOf(
  counters: BudgetCounter[],
  figures: { spent: number; reserved: number }[],
  now: number,
): BudgetStatus {
  const byScope = (scope: BudgetCounter["scope"]) => {
    const day = counters.findIndex((counter) => counter.scope === scope && counter.period === "day");
    const month = counters.findIndex((counter) => counter.scope === scope && counter.period === "month");
    if (day < 0 || month < 0) return undefined;
    return {
      day: periodStatus(counters[day] as BudgetCounter, { ...(figures[day] ?? { spent: 0, reserved: 0 }), now }),
      month: periodStatus(counters[month] as BudgetCounter, { ...(figures[month] ?? { spent: 0, reserved: 0 }), now }),
    };
  };
  const tenant = byScope("tenant");
  if (!tenant) throw new Error("countersOf always yields the tenant's counters");
  const key = byScope("key");
  return key ? { tenant, key } : { tenant };
}
