import type { AlertState } from "../api/types.ts";
import { usePoll } from "../api/use-poll.ts";
import { EMPTY, formatTime } from "../format.ts";
import { useSession } from "../session/session-context.ts";

/** Firing alerts first, then the ones that resolved lately, with their times. */
export function AlertsPage() {
  const { client } = useSession();
  const snapshot = usePoll(() => client.metrics.snapshot.query(), 5_000);
  return (
    <>
      {snapshot.error === undefined ? null : (
        <p role="alert" className="error">
          Could not refresh: {snapshot.error}
        </p>
      )}
      <AlertTable caption="Firing" alerts={snapshot.data?.alerts} testId="alerts-firing" />
      <AlertTable caption="Resolved lately" alerts={snapshot.data?.resolvedAlerts} testId="alerts-resolved" />
    </>
  );
}

function AlertTable(props: { caption: string; alerts: AlertState[] | undefined; testId: string }) {
  const alerts = props.alerts ?? [];
  return (
    <table data-testid={props.testId}>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Alert</th>
          <th scope="col">Status</th>
          <th scope="col">What</th>
          <th scope="col">Value / threshold</th>
          <th scope="col">Fired</th>
          <th scope="col">Resolved</th>
        </tr>
      </thead>
      <tbody>
        {props.alerts === undefined ? (
          <tr>
            <td colSpan={6}>Loading…</td>
          </tr>
        ) : alerts.length === 0 ? (
          <tr>
            <td colSpan={6}>None.</td>
          </tr>
        ) : (
          alerts.map((alert) => (
            <tr key={`${alert.key}-${alert.since}`} data-name={alert.key}>
              <th scope="row">{alert.key}</th>
              <td>
                <span className={`badge ${alert.status}`}>{alert.status}</span>
              </td>
              <td>{alert.message}</td>
              <td>
                {round(alert.value)} / {round(alert.threshold)}
              </td>
              <td>{formatTime(alert.since)}</td>
              <td>{alert.resolvedAt === undefined ? EMPTY : formatTime(alert.resolvedAt)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function round(value: number): string {
  return Number(value.toPrecision(3)).toString();
}
