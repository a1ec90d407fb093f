import { Aggregate, type Sample } from "./ring.ts";
import { Series, type SeriesStats } from "./series.ts";

export interface SnapshotStoreOptions {
  /** Distinct models tracked apart; later ones are counted under "_OTHER". Default 50. */
  maxModels?: number;
  /** Distinct tenants tracked apart; later ones are counted under "_OTHER". Default 100. */
  maxTenants?: number;
  /**
   * Per-tenant, per-model series (so a tenant sees its own figures per model), across all
   * tenants; past the cap a tenant's further models count under "_OTHER". Default 200.
   */
  maxTenantModels?: number;
}

export const OTHER = "_OTHER";

/**
 * Windows for the JSON snapshot: overall, per model and per tenant. Memory is bounded:
 * each series is about 61 KB whatever the traffic, and the number of series is capped.
 */
export class SnapshotStore {
  private readonly overall = new Series();
  private readonly models = new Map<string, Series>();
  private readonly tenants = new Map<string, Series>();
  private readonly routes = new Map<string, Series>();
  private readonly tenantModels = new Map<string, Map<string, Series>>();
  private readonly tenantRoutes = new Map<string, Map<string, Series>>();
  private readonly tenantSeriesCount = { models: 0, routes: 0 };
  private readonly scratch = new Aggregate();
  private readonly maxModels: number;
  private readonly maxTenants: number;
  private readonly maxTenantModels: number;

  constructor(options: SnapshotStoreOptions = {}) {
    this.maxModels = options.maxModels ?? 50;
    this.maxTenants = options.maxTenants ?? 100;
    this.maxTenantModels = options.maxTenantModels ?? 200;
  }

  /** `model`: the one that answered; `route`: the name the caller asked for (routes share the models' caps). */
  add(nowMs: number, labels: { model: string; route?: string; tenant: string }, sample: Sample): void {
    this.overall.add(nowMs, sample);
    seriesFor(this.models, labels.model, this.maxModels).add(nowMs, sample);
    const tenant = this.tenants.has(labels.tenant) || this.tenants.size < this.maxTenants ? labels.tenant : OTHER;
    seriesFor(this.tenants, tenant, this.maxTenants).add(nowMs, sample);
    this.tenantSeries({ tenant, key: labels.model, kind: "models" }).add(nowMs, sample);
    if (labels.route === undefined || labels.route === "") return;
    seriesFor(this.routes, labels.route, this.maxModels).add(nowMs, sample);
    this.tenantSeries({ tenant, key: labels.route, kind: "routes" }).add(nowMs, sample);
  }

  /** One tenant's figures per model (empty for a tenant with no traffic). */
  tenantModelStats(nowMs: number, tenant: string): Record<string, SeriesStats> {
    const models = this.tenantModels.get(tenant);
    return models === undefined ? {} : statsOf(models, nowMs, this.scratch);
  }

  /** One tenant's figures per route it called. */
  tenantRouteStats(nowMs: number, tenant: string): Record<string, SeriesStats> {
    const routes = this.tenantRoutes.get(tenant);
    return routes === undefined ? {} : statsOf(routes, nowMs, this.scratch);
  }

  routeStats(nowMs: number): Record<string, SeriesStats> {
    return statsOf(this.routes, nowMs, this.scratch);
  }

  private tenantSeries(label: { tenant: string; key: string; kind: "models" | "routes" }): Series {
    const byTenant = label.kind === "models" ? this.tenantModels : this.tenantRoutes;
    let keyed = byTenant.get(label.tenant);
    if (keyed === undefined) {
      keyed = new Map();
      byTenant.set(label.tenant, keyed);
    }
    const existing = keyed.get(label.key);
    if (existing !== undefined) return existing;
    // The cap is global: a new series for any tenant past it lands in that tenant's "_OTHER".
    const key = this.tenantSeriesCount[label.kind] < this.maxTenantModels ? label.key : OTHER;
    let series = keyed.get(key);
    if (series === undefined) {
      series = new Series();
      keyed.set(key, series);
      this.tenantSeriesCount[label.kind] += 1;
    }
    return series;
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
