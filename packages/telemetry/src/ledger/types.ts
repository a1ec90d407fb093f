import { addUsd } from "@keel/spec";

/** Sums for one tenant, model and day (or any union of them). */
export interface UsageTotals {
  requests: number;
  errors: number;
  /** Requests answered from a cache, a stale entry or a joined in-flight call. */
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Requests whose token counts were Keel's estimate (the upstream sent no usage). */
  estimatedRequests: number;
  costUsd: number;
  savedTokens: number;
  savedUsd: number;
}

export const USAGE_FIELDS = [
  "requests",
  "errors",
  "cacheHits",
  "promptTokens",
  "completionTokens",
  "totalTokens",
  "estimatedRequests",
  "costUsd",
  "savedTokens",
  "savedUsd",
] as const satisfies ReadonlyArray<keyof UsageTotals>;

export type UsageField = (typeof USAGE_FIELDS)[number];

/**
 * Dollar amounts: summed without float noise (addUsd), and kept in Redis as whole
 * nano-dollars with HINCRBY (HINCRBYFLOAT would store the noise).
 */
export const MONEY_FIELDS: ReadonlySet<UsageField> = new Set(["costUsd", "savedUsd"]);

/** One request's usage, as it goes into the ledger. */
export interface UsageEntry {
  tenant: string;
  /** The model that answered; "none" when none did. */
  model: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  error: boolean;
  cacheHit: boolean;
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
  costUsd: number;
  savedTokens: number;
  savedUsd: number;
}

export interface UsageQuery {
  tenant: string;
  /** First UTC day, YYYY-MM-DD; default 29 days before `to`. */
  from?: string;
  /** Last UTC day, YYYY-MM-DD, inclusive; default today. */
  to?: string;
  model?: string;
}

export interface UsageDay {
  day: string;
  totals: UsageTotals;
  models: Record<string, UsageTotals>;
}

export interface UsageReport {
  tenant: string;
  from: string;
  to: string;
  model?: string;
  totals: UsageTotals;
  /** Days with any usage, oldest first. */
  days: UsageDay[];
}

/** Where usage is kept. Recording never throws and never waits on I/O. */
export interface UsageLedger {
  record(entry: UsageEntry): void;
  query(query: UsageQuery): Promise<UsageReport>;
  /** Writes what is buffered (Redis); a no-op in memory. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function emptyTotals(): UsageTotals {
  return {
    requests: 0,
    errors: 0,
    cacheHits: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    estimatedRequests: 0,
    costUsd: 0,
    savedTokens: 0,
    savedUsd: 0,
  };
}

export function addEntry(totals: UsageTotals, entry: UsageEntry): void {
  totals.requests += 1;
  if (entry.error) totals.errors += 1;
  if (entry.cacheHit) totals.cacheHits += 1;
  totals.promptTokens += entry.promptTokens;
  totals.completionTokens += entry.completionTokens;
  totals.totalTokens += entry.promptTokens + entry.completionTokens;
  if (entry.estimated) totals.estimatedRequests += 1;
  totals.costUsd = addUsd(totals.costUsd, entry.costUsd);
  totals.savedTokens += entry.savedTokens;
  totals.savedUsd = addUsd(totals.savedUsd, entry.savedUsd);
}

export function addTotals(into: UsageTotals, from: UsageTotals): void {
  for (const field of USAGE_FIELDS) {
    into[field] = MONEY_FIELDS.has(field) ? addUsd(into[field], from[field]) : into[field] + from[field];
  }
}
