import { usePoll } from "../api/use-poll.ts";
import { useSession } from "../session/session-context.ts";

/** Readiness with each check, and every fallback target's circuit breaker. */
export function HealthPage() {
  const { client } = useSession();
  const health = usePoll(() => client.health.query(), 5_000);
  const snapshot = usePoll(() => client.metrics.snapshot.query(), 5_000);
  const checks = Object.entries(health.data?.checks ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const breakers = Object.entries(snapshot.data?.breakers ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const problem = health.error ?? snapshot.error;
  return (
    <>
      {problem === undefined ? null : (
        <p role="alert" className="error">
          Could not refresh: {problem}
        </p>
      )}
      <p className="readiness" data-testid="readiness">
        {health.data === undefined ? (
          "Loading…"
        ) : (
          <>
            Readiness:{" "}
            <span className={`badge ${health.data.ready ? "ok" : "failing"}`}>
              {health.data.ready ? "ready" : "not ready"}
            </span>
          </>
        )}
      </p>
      <table data-testid="checks">
        <caption>Readiness checks</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">State</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {checks.map(([name, check]) => (
            <tr key={name} data-name={name}>
              <th scope="row">{name}</th>
              <td>
                <span className={`badge ${check.ok ? "ok" : "failing"}`}>{check.ok ? "ok" : "failing"}</span>
              </td>
              <td>{check.detail ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table data-testid="breakers">
        <caption>Circuit breakers (per fallback target)</caption>
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {breakers.length === 0 ? (
            <tr>
              <td colSpan={2}>No target called yet.</td>
            </tr>
          ) : (
            breakers.map(([target, state]) => (
              <tr key={target} data-name={target}>
                <th scope="row">{target}</th>
                <td>
                  <span className={`badge ${state === "closed" ? "ok" : state === "open" ? "failing" : "warning"}`}>
                    {state}
                  </span>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </>
  );
}
