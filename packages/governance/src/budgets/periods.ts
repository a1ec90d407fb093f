import type { BudgetPeriod } from "../shared/events.ts";

/** "2025-01-31": the UTC day of a time. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** "2025-01": the UTC month of a time. */
export function utcMonth(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

export function periodLabel(period: BudgetPeriod, ms: number): string {
  return period === "day" ? utcDay(ms) : utcMonth(ms);
}

/** When the period that contains `ms` ends (the next UTC midnight, or the first of next month). */
export function periodEnd(period: BudgetPeriod, ms: number): number {
  const date = new Date(ms);
  return period === "day"
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1)
    : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** How long a period's counter is kept in Redis: long enough to read last month's figures. */
export const COUNTER_TTL_MS: Record<BudgetPeriod, number> = {
  day: 35 * 86_400_000,
  month: 400 * 86_400_000,
};
