import { KeelError } from "@keel/spec";
import { addTotals, emptyTotals, type UsageDay, type UsageQuery, type UsageReport, type UsageTotals } from "./types.ts";

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
export const MAX_QUERY_DAYS = 366;

export interface ResolvedQuery {
  tenant: string;
  from: string;
  to: string;
  model: string | undefined;
  days: string[];
}

// The last day computed, so the per-request call is two comparisons, not a Date and a string.
let cachedDayStart = 0;
let cachedDayEnd = -1;
let cachedDay = "";

/** The UTC day of an epoch-millisecond time, YYYY-MM-DD. */
export function utcDay(epochMs: number): string {
  if (epochMs >= cachedDayStart && epochMs < cachedDayEnd) return cachedDay;
  const day = new Date(epochMs).toISOString().slice(0, 10);
  cachedDayStart = Math.floor(epochMs / DAY_MS) * DAY_MS;
  cachedDayEnd = cachedDayStart + DAY_MS;
  cachedDay = day;
  return day;
}

/** Checks a usage query; bad input is a BAD_REQUEST naming the field. */
export function resolveQuery(query: UsageQuery, nowMs: number): ResolvedQuery {
  if (typeof query !== "object" || query === null)
    throw new KeelError("BAD_REQUEST", "a usage query is required", { details: { field: "query" } });
  if (typeof query.tenant !== "string" || query.tenant.length === 0) {
    throw new KeelError("BAD_REQUEST", "tenant must be a non-empty string", { details: { field: "tenant" } });
  }
  if (query.model !== undefined && (typeof query.model !== "string" || query.model.length === 0)) {
    throw new KeelError("BAD_REQUEST", "model must be a non-empty string when given", { details: { field: "model" } });
  }
  const toMs = query.to === undefined ? Date.parse(utcDay(nowMs)) : parseDay(query.to, "to");
  const fromMs = query.from === undefined ? toMs - 29 * DAY_MS : parseDay(query.from, "from");
  if (fromMs > toMs) throw new KeelError("BAD_REQUEST", "from must not be after to", { details: { field: "from" } });
  const dayCount = (toMs - fromMs) / DAY_MS + 1;
  if (dayCount > MAX_QUERY_DAYS)
    throw new KeelError("BAD_REQUEST", `a usage query spans at most ${MAX_QUERY_DAYS} days`, {
      details: { field: "from" },
    });
  const days: string[] = [];
  for (let day = fromMs; day <= toMs; day += DAY_MS) days.push(utcDay(day));
  return { tenant: query.tenant, from: utcDay(fromMs), to: utcDay(toMs), model: query.model, days };
}

function parseDay(value: unknown, field: string): number {
  const parsed = typeof value === "string" && DAY_PATTERN.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(parsed) || utcDay(parsed) !== value) {
    throw new KeelError("BAD_REQUEST", `${field} must be a UTC day as YYYY-MM-DD`, { details: { field } });
  }
  return parsed;
}

/** Builds the report from per-day, per-model totals (days in order, empty days left out). */
export function buildReport(
  query: ResolvedQuery,
  byDay: ReadonlyArray<{ day: string; models: Map<string, UsageTotals> }>,
): UsageReport {
  const totals = emptyTotals();
  const days: UsageDay[] = [];
  for (const { day, models } of byDay) {
    const dayTotals = emptyTotals();
    const dayModels: Record<string, UsageTotals> = {};
    for (const [model, modelTotals] of models) {
      if (query.model !== undefined && model !== query.model) continue;
      dayModels[model] = { ...modelTotals };
      addTotals(dayTotals, modelTotals);
    }
    if (dayTotals.requests === 0) continue;
    addTotals(totals, dayTotals);
    days.push({ day, totals: dayTotals, models: dayModels });
  }
  const report: UsageReport = { tenant: query.tenant, from: query.from, to: query.to, totals, days };
  if (query.model !== undefined) report.model = query.model;
  return report;
}
