import { buildReport, resolveQuery } from "./query.ts";
import {
  addEntry,
  emptyTotals,
  type UsageEntry,
  type UsageLedger,
  type UsageQuery,
  type UsageReport,
  type UsageTotals,
} from "./types.ts";

export interface MemoryLedgerOptions {
  /** Days kept; older days are dropped as new ones arrive. Default 400. */
  retentionDays?: number;
  now?: () => number;
}

/** The default ledger: per tenant, day and model, in this process. */
export function createMemoryLedger(options: MemoryLedgerOptions = {}): UsageLedger {
  const retentionDays = options.retentionDays ?? 400;
  const now = options.now ?? Date.now;
  // tenant -> day -> model -> totals
  const tenants = new Map<string, Map<string, Map<string, UsageTotals>>>();
  let newestDay = "";

  function prune(today: string): void {
    const cutoff = new Date(Date.parse(`${today}T00:00:00Z`) - retentionDays * 86_400_000).toISOString().slice(0, 10);
    for (const days of tenants.values()) for (const day of days.keys()) if (day < cutoff) days.delete(day);
  }

  return {
    record(entry: UsageEntry): void {
      let days = tenants.get(entry.tenant);
      if (days === undefined) {
        days = new Map();
        tenants.set(entry.tenant, days);
      }
      let models = days.get(entry.day);
      if (models === undefined) {
        models = new Map();
        days.set(entry.day, models);
        if (entry.day > newestDay) {
          newestDay = entry.day;
          prune(entry.day);
        }
      }
      let totals = models.get(entry.model);
      if (totals === undefined) {
        totals = emptyTotals();
        models.set(entry.model, totals);
      }
      addEntry(totals, entry);
    },
    async query(query: UsageQuery): Promise<UsageReport> {
      const resolved = resolveQuery(query, now());
      const days = tenants.get(resolved.tenant);
      const byDay = resolved.days.map((day) => ({ day, models: days?.get(day) ?? new Map<string, UsageTotals>() }));
      return buildReport(resolved, byDay);
    },
    async flush(): Promise<void> {},
    async close(): Promise<void> {},
  };
}
