import { usePoll } from "../api/use-poll.ts";
import { formatCount, formatUsd } from "../format.ts";
import { useSession } from "../session/session-context.ts";

/** The tenant's requests, tokens and cost per UTC day (the last 30), newest first, each day's models under it. */
export function UsagePage() {
  const { client } = useSession();
  const usage = usePoll(() => client.usage.get.query(), 10_000);
  const report = usage.data;
  const days = [...(report?.days ?? [])].filter((day) => day.totals.requests > 0).reverse();
  return (
    <>
      {usage.error === undefined ? null : (
        <p role="alert" className="error">
          Could not refresh: {usage.error}
        </p>
      )}
      {report === undefined ? (
        <p>Loading…</p>
      ) : (
        <p data-testid="usage-totals">
          {report.from} to {report.to}: {formatCount(report.totals.requests)} requests,{" "}
          {formatCount(report.totals.totalTokens)} tokens, {formatUsd(report.totals.costUsd)} (saved by the cache{" "}
          {formatUsd(report.totals.savedUsd)}).
        </p>
      )}
      <table data-testid="usage-days">
        <caption>Per day (UTC) and model</caption>
        <thead>
          <tr>
            <th scope="col">Day / model</th>
            <th scope="col">Requests</th>
            <th scope="col">Errors</th>
            <th scope="col">Cache hits</th>
            <th scope="col">Prompt tokens</th>
            <th scope="col">Completion tokens</th>
            <th scope="col">Cost</th>
            <th scope="col">Saved</th>
          </tr>
        </thead>
        <tbody>
          {report !== undefined && days.length === 0 ? (
            <tr>
              <td colSpan={8}>No usage in this period.</td>
            </tr>
          ) : null}
          {days.flatMap((day) => [
            <tr key={day.day} className="day" data-name={day.day}>
              <th scope="row">{day.day}</th>
              <td>{formatCount(day.totals.requests)}</td>
              <td>{formatCount(day.totals.errors)}</td>
              <td>{formatCount(day.totals.cacheHits)}</td>
              <td>{formatCount(day.totals.promptTokens)}</td>
              <td>{formatCount(day.totals.completionTokens)}</td>
              <td>{formatUsd(day.totals.costUsd)}</td>
              <td>{formatUsd(day.totals.savedUsd)}</td>
            </tr>,
            ...Object.entries(day.models).map(([model, totals]) => (
              <tr key={`${day.day}/${model}`} className="model" data-name={`${day.day}/${model}`}>
                <th scope="row">
                  <span className="visually-hidden">{day.day} </span>
                  {model}
                </th>
                <td>{formatCount(totals.requests)}</td>
                <td>{formatCount(totals.errors)}</td>
                <td>{formatCount(totals.cacheHits)}</td>
                <td>{formatCount(totals.promptTokens)}</td>
                <td>{formatCount(totals.completionTokens)}</td>
                <td>{formatUsd(totals.costUsd)}</td>
                <td>{formatUsd(totals.savedUsd)}</td>
              </tr>
            )),
          ])}
        </tbody>
      </table>
    </>
  );
}
