import type { Pipeline } from "@keel/core";
import type { GraphqlContext } from "../context.ts";

type Snapshot = ReturnType<Pipeline["metricsSnapshot"]>;
type Series = Snapshot["overall"];
type WindowStats = Series["1m"];

interface SeriesView {
  last1m: WindowStats;
  last5m: WindowStats;
  last1h: WindowStats;
}

interface SnapshotView extends Omit<Snapshot, "overall" | "models" | "tenants" | "breakers"> {
  overall: SeriesView;
  models: { name: string; stats: SeriesView }[];
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
    tenants: named(snapshot.tenants),
    breakers: Object.entries(snapshot.breakers).map(([target, state]) => ({ target, state })),
    alerts: snapshot.alerts,
  };
}

function seriesView(series: Series): SeriesView {
  return { last1m: series["1m"], last5m: series["5m"], last1h: series["1h"] };
}

function named(series: Record<string, Series>): { name: string; stats: SeriesView }[] {
  return Object.entries(series).map(([name, stats]) => ({ name, stats: seriesView(stats) }));
}
