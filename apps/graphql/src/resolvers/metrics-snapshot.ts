import type { Pipeline } from "@keel/core";
import type { GraphqlContext } from "../context.ts";

type Snapshot = ReturnType<Pipeline["metricsSnapshot"]>;
type Series = Snapshot["overall"];
type WindowStats = Series["1m"];
type WindowView = Omit<WindowStats, "errorsByCode"> & { errorsByCode: { code: string; count: number }[] };

interface SeriesView {
  last1m: WindowView;
  last5m: WindowView;
  last1h: WindowView;
}

interface SnapshotView extends Omit<Snapshot, "overall" | "models" | "routes" | "tenants" | "breakers"> {
  overall: SeriesView;
  models: { name: string; stats: SeriesView }[];
  routes: { name: string; stats: SeriesView }[];
  tenants: { name: string; stats: SeriesView }[];
  breakers: { target: string; state: Snapshot["breakers"][string] }[];
}

/**
 * Query.metricsSnapshot: the key's tenant only (a budget alert only to its own tenant).
 * GraphQL names cannot start with a digit, so the windows "1m"/"5m"/"1h" are
 * `last1m`/`last5m`/`last1h`; maps become lists.
 */
export function metricsSnapshot(_parent: unknown, _args: unknown, context: GraphqlContext): SnapshotView {
  const snapshot = context.pipeline.metricsSnapshot({ tenant: context.principal.tenant });
  return {
    at: snapshot.at,
    overall: seriesView(snapshot.overall),
    models: named(snapshot.models),
    routes: named(snapshot.routes),
    tenants: named(snapshot.tenants),
    breakers: Object.entries(snapshot.breakers).map(([target, state]) => ({ target, state })),
    alerts: snapshot.alerts,
    resolvedAlerts: snapshot.resolvedAlerts,
  };
}

function seriesView(series: Series): SeriesView {
  return { last1m: windowView(series["1m"]), last5m: windowView(series["5m"]), last1h: windowView(series["1h"]) };
}

/** The map of counts by code becomes a list: GraphQL has no maps. */
function windowView(stats: WindowStats): WindowView {
  const errorsByCode = Object.entries(stats.errorsByCode).map(([code, count]) => ({ code, count: count ?? 0 }));
  return { ...stats, errorsByCode };
}

function named(series: Record<string, Series>): { name: string; stats: SeriesView }[] {
  return Object.entries(series).map(([name, stats]) => ({ name, stats: seriesView(stats) }));
}
