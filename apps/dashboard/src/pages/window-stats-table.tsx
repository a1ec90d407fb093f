import type { SeriesStats, WindowName } from "../api/types.ts";
import { EMPTY, formatCount, formatMs, formatPercent, formatPerRequest, formatRate, formatUsd } from "../format.ts";

/** One row per route or model, for one window. `label` names the first column ("Route", "Model"). */
export function WindowStatsTable(props: {
  caption: string;
  label: string;
  series: Record<string, SeriesStats>;
  window: WindowName;
  testId: string;
}) {
  const rows = Object.entries(props.series).sort(([a], [b]) => a.localeCompare(b));
  return (
    <table data-testid={props.testId}>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{props.label}</th>
          <th scope="col">Requests</th>
          <th scope="col">Rate</th>
          <th scope="col">p50</th>
          <th scope="col">p95</th>
          <th scope="col">p99</th>
          <th scope="col">Error rate</th>
          <th scope="col">Cache hit rate</th>
          <th scope="col">Tokens in / out per request</th>
          <th scope="col">Cost per request</th>
          <th scope="col">Cost</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={11}>No requests yet.</td>
          </tr>
        ) : (
          rows.map(([name, series]) => {
            const stats = series[props.window];
            return (
              <tr key={name} data-name={name}>
                <th scope="row">{name}</th>
                <td>{formatCount(stats.requests)}</td>
                <td>{formatRate(stats.requestRate)}</td>
                <td>{formatMs(stats.latencyMs.p50)}</td>
                <td>{formatMs(stats.latencyMs.p95)}</td>
                <td>{formatMs(stats.latencyMs.p99)}</td>
                <td>{formatPercent(stats.requests === 0 ? null : stats.errorRate)}</td>
                <td>{formatPercent(stats.cacheHitRate)}</td>
                <td>
                  {stats.requests === 0
                    ? EMPTY
                    : `${formatPerRequest(stats.inputTokens, stats.requests)} / ${formatPerRequest(stats.outputTokens, stats.requests)}`}
                </td>
                <td>{formatUsd(stats.costPerRequestUsd)}</td>
                <td>{formatUsd(stats.costUsd)}</td>
              </tr>
            );
          })
        )}
      </tbody>
    </table>
  );
}
