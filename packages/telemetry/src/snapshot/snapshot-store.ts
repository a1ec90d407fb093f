import { Aggregate, type Sample } from "./ring.ts";
import { Series, type SeriesStats } from "./series.ts";

export interface SnapshotStoreOptions {
  /** Distinct models tracked apart; later ones are counted under "_OTHER". Default 50. */
  maxModels?: number;
  /** Distinct tenants tracked apart; later ones are counted under "_OTHER". Default 100. */
  maxTenants?: number;
}

export const OTHER = "_OTHER";

/**
 * Windows for the JSON snapshot: overall, per model and per tenant. Memory is bounded:
 * each series is about 47 KB whatever the traffic, and the number of series is capped.
 */
export class SnapshotStore {
  private readonly overall = new Series();
  private readonly models = new Map<string, Series>();
  private readonly tenants = new Map<string, Series>();
  private readonly scratch = new Aggregate();
  private readonly maxModels: number;
  private readonly maxTenants: number;

  constructor(options: SnapshotStoreOptions = {}) {
    this.maxModels = options.maxModels ?? 50;
    this.maxTenants = options.maxTenants ?? 100;
  }

  add(nowMs: number, labels: { model: string; tenant: string }, sample: Sample): void {
    this.overall.add(nowMs, sample);
    seriesFor(this.models, labels.model, this.maxModels).add(nowMs, sample);
    seriesFor(this.tenants, labels.tenant, this.maxTenants).add(nowMs, sample);
  }

  overallStats(nowMs: number): SeriesStats {
    return this.overall.stats(nowMs, this.scratch);
  }

  /** All-zero stats, for a tenant with no traffic yet. */
  emptyStats(nowMs: number): SeriesStats {
    return new Series().stats(nowMs, this.scratch);
  }

  modelStats(nowMs: number): Record<string, SeriesStats> {
    return statsOf(this.models, nowMs, this.scratch);
  }

  tenantStats(nowMs: number, only?: string): Record<string, SeriesStats> {
    if (only === undefined) return statsOf(this.tenants, nowMs, this.scratch);
    const series = this.tenants.get(only);
    return series === undefined ? {} : { [only]: series.stats(nowMs, this.scratch) };
  }
}

function seriesFor(map: Map<string, Series>, key: string, max: number): Series {
  let series = map.get(key);
  if (series !== undefined) return series;
  const bounded = map.size < max ? key : OTHER;
  series = map.get(bounded);
  if (series === undefined) {
    series = new Series();
    map.set(bounded, series);
  }
  return series;
}

function statsOf(map: Map<string, Series>, nowMs: number, scratch: Aggregate): Record<string, SeriesStats> {
  const result: Record<string, SeriesStats> = {};
  for (const [key, series] of map) result[key] = series.stats(nowMs, scratch);
  return result;
}
