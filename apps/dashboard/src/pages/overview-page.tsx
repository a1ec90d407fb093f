import { useId, useState } from "react";
import { usePoll } from "../api/use-poll.ts";
import { WINDOWS, type WindowName, type WindowStats } from "../api/types.ts";
import {
  EMPTY,
  formatCount,
  formatMs,
  formatPercent,
  formatPerRequest,
  formatRate,
  formatTime,
  formatUsd,
} from "../format.ts";
import { useSession } from "../session/session-context.ts";
import { WindowStatsTable } from "./window-stats-table.tsx";

/** How often the overview asks for a fresh snapshot. */
export const OVERVIEW_REFRESH_MS = 2_000;

/** The metrics snapshot, live: the tenant's overall figures, failures by code, then per route and per model. */
export function OverviewPage() {
  const { client } = useSession();
  const [window, setWindow] = useState<WindowName>("5m");
  const snapshot = usePoll(() => client.metrics.snapshot.query(), OVERVIEW_REFRESH_MS);
  const groupId = useId();
  const stats = snapshot.data?.overall[window];
  return (
    <>
      <div className="toolbar">
        <fieldset className="segmented">
          <legend id={groupId}>Window</legend>
          {WINDOWS.map((name) => (
            <label key={name}>
              <input
                type="radio"
                name="window"
                value={name}
                checked={window === name}
                onChange={() => setWindow(name)}
              />
              {name === "1m" ? "1 minute" : name === "5m" ? "5 minutes" : "1 hour"}
            </label>
          ))}
        </fieldset>
        <p className="updated" data-testid="updated-at">
          {snapshot.data === undefined ? "Loading…" : `Snapshot ${formatTime(snapshot.data.at)}, refreshed every 2 s`}
        </p>
      </div>
      {snapshot.error === undefined ? null : (
        <p role="alert" className="error">
          Could not refresh: {snapshot.error}
        </p>
      )}
      {stats === undefined || snapshot.data === undefined ? null : (
        <>
          <OverallFigures stats={stats} />
          <ErrorsByCode stats={stats} />
          <WindowStatsTable
            caption="Per route (the model name callers ask for)"
            label="Route"
            series={snapshot.data.routes}
            window={window}
            testId="routes"
          />
          <WindowStatsTable
            caption="Per model (the model that answered)"
            label="Model"
            series={snapshot.data.models}
            window={window}
            testId="models"
          />
        </>
      )}
    </>
  );
}

function OverallFigures({ stats }: { stats: WindowStats }) {
  const figures: Array<[string, string, string]> = [
    ["requests", "Requests", formatCount(stats.requests)],
    ["requestRate", "Request rate", formatRate(stats.requestRate)],
    ["p50", "Latency p50", formatMs(stats.latencyMs.p50)],
    ["p95", "Latency p95", formatMs(stats.latencyMs.p95)],
    ["p99", "Latency p99", formatMs(stats.latencyMs.p99)],
    ["errorRate", "Error rate", formatPercent(stats.requests === 0 ? null : stats.errorRate)],
    ["cacheHitRate", "Cache hit rate", formatPercent(stats.cacheHitRate)],
    [
      "tokensPerRequest",
      "Tokens per request (in / out)",
      stats.requests === 0
        ? EMPTY
        : `${formatPerRequest(stats.inputTokens, stats.requests)} / ${formatPerRequest(stats.outputTokens, stats.requests)}`,
    ],
    ["costPerRequest", "Cost per request", formatUsd(stats.costPerRequestUsd)],
    ["cost", "Cost", formatUsd(stats.costUsd)],
  ];
  return (
    <dl className="figures" aria-label="Overall figures">
      {figures.map(([key, label, value]) => (
        <div key={key} className="figure">
          <dt>{label}</dt>
          <dd data-testid={`overall-${key}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ErrorsByCode({ stats }: { stats: WindowStats }) {
  const codes = Object.entries(stats.errorsByCode).sort(([, a], [, b]) => (b ?? 0) - (a ?? 0));
  return (
    <table data-testid="errors-by-code">
      <caption>Failures by error code ({formatCount(stats.rejected)} caller-caused)</caption>
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Requests</th>
          <th scope="col">Share of requests</th>
        </tr>
      </thead>
      <tbody>
        {codes.length === 0 ? (
          <tr>
            <td colSpan={3}>No failures in this window.</td>
          </tr>
        ) : (
          codes.map(([code, count]) => (
            <tr key={code} data-name={code}>
              <th scope="row">{code}</th>
              <td>{formatCount(count ?? 0)}</td>
              <td>{formatPercent((count ?? 0) / stats.requests)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
