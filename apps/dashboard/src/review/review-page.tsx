import { useState } from "react";
import { usePoll } from "../api/use-poll.ts";
import { formatTime } from "../format.ts";
import { useSession } from "../session/session-context.ts";
import { ReviewDetail } from "./review-detail.tsx";

/** The pending items of the tenant's review queue; opening one shows it beside the list. */
export function ReviewPage() {
  const { client } = useSession();
  const queue = usePoll(() => client.review.list.query({ limit: 100 }), 5_000);
  const [openId, setOpenId] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<string | undefined>();
  const items = queue.data?.items ?? [];
  return (
    <div className="review-layout">
      <section aria-labelledby="pending-title" className="review-list">
        <h2 id="pending-title">Pending ({queue.data === undefined ? "…" : items.length})</h2>
        {queue.error === undefined ? null : (
          <p role="alert" className="error">
            Could not refresh: {queue.error}
          </p>
        )}
        <p role="status" className="outcome" data-testid="review-outcome">
          {outcome ?? ""}
        </p>
        <table data-testid="review-queue">
          <caption className="visually-hidden">Answers waiting for a decision, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Held</th>
              <th scope="col">Route</th>
              <th scope="col">Detectors</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {queue.data !== undefined && items.length === 0 ? (
              <tr>
                <td colSpan={5}>Nothing waits for review.</td>
              </tr>
            ) : null}
            {items.map((item) => (
              <tr key={item.id} data-name={item.id} aria-selected={item.id === openId}>
                <td>{formatTime(item.createdAt)}</td>
                <td>{item.route}</td>
                <td>{item.detectors.join(", ")}</td>
                <td>{formatTime(item.expiresAt)}</td>
                <td>
                  <button type="button" onClick={() => setOpenId(item.id)} aria-label={`Open item ${item.id}`}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {openId === undefined ? null : (
        <ReviewDetail
          key={openId}
          id={openId}
          onDecided={(message) => {
            setOutcome(message);
            setOpenId(undefined);
            queue.refresh();
          }}
          onClose={() => setOpenId(undefined)}
        />
      )}
    </div>
  );
}
