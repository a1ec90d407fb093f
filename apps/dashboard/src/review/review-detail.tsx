import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { messageOf } from "../api/client.ts";
import { usePoll } from "../api/use-poll.ts";
import { formatTime } from "../format.ts";
import { useSession } from "../session/session-context.ts";
import { FindingsList } from "./findings-list.tsx";
import { reviewerName } from "./reviewer-name.ts";

type Mode = "decide" | "reject" | "edit";

/**
 * One held answer: its findings, the caller's messages and the answer, and the decision:
 * approve, reject with a reason, or edit the answer then approve.
 */
export function ReviewDetail(props: { id: string; onDecided(message: string): void; onClose(): void }) {
  const { client } = useSession();
  const item = usePoll(() => client.review.get.query({ id: props.id }), 0);
  const [reviewer, setReviewer] = useState(reviewerName.read);
  const [mode, setMode] = useState<Mode>("decide");
  const [reason, setReason] = useState("");
  const [content, setContent] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const ids = { reviewer: useId(), reason: useId(), content: useId(), title: useId() };
  useEffect(() => heading.current?.focus(), []);

  const data = item.data;
  const decide = async (event: FormEvent) => {
    event.preventDefault();
    const name = reviewer.trim();
    if (name === "") return setProblem("Enter your name: it is recorded with the decision.");
    if (mode === "reject" && reason.trim() === "") return setProblem("Say why the answer is rejected.");
    reviewerName.write(name);
    setBusy(true);
    setProblem(undefined);
    try {
      if (mode === "decide") await client.review.approve.mutate({ id: props.id, reviewer: name });
      else if (mode === "reject") await client.review.reject.mutate({ id: props.id, reviewer: name, reason });
      else await client.review.edit.mutate({ id: props.id, reviewer: name, content: content ?? "" });
      const verb = mode === "decide" ? "Approved" : mode === "reject" ? "Rejected" : "Edited and approved";
      props.onDecided(`${verb} item ${props.id}.`);
    } catch (error) {
      setProblem(messageOf(error));
      setBusy(false);
    }
  };

  return (
    <section className="review-detail" aria-labelledby={ids.title} data-testid="review-detail">
      <div className="detail-head">
        <h2 id={ids.title} ref={heading} tabIndex={-1}>
          Item {props.id}
        </h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {item.error === undefined ? null : (
        <p role="alert" className="error">
          {item.error}
        </p>
      )}
      {data === undefined ? (
        <p>Loading…</p>
      ) : (
        <>
          <p>
            Route <strong>{data.route}</strong>, held {formatTime(data.createdAt)}, expires {formatTime(data.expiresAt)}{" "}
            ({data.onExpiry === "release" ? "then released" : "then rejected"}). Flagged by {data.detectors.join(", ")}.
          </p>
          <FindingsList title="Findings in the answer" findings={data.safety.output} />
          <FindingsList title="Findings in the request" findings={data.safety.input} />
          <section>
            <h3>The caller's messages</h3>
            <ol className="messages">
              {data.request.messages.map((message, index) => (
                // The messages are the caller's, in order; the index is their identity.
                // biome-ignore lint/suspicious/noArrayIndexKey: a message list never reorders
                <li key={index}>
                  <span className="role">{message.role}</span> <span className="text">{message.content}</span>
                </li>
              ))}
            </ol>
          </section>
          <form onSubmit={decide} className="decision">
            <fieldset>
              <legend>Decision</legend>
              <div className="choices">
                {(["decide", "reject", "edit"] as const).map((choice) => (
                  <label key={choice}>
                    <input
                      type="radio"
                      name="mode"
                      value={choice}
                      checked={mode === choice}
                      onChange={() => setMode(choice)}
                    />
                    {choice === "decide" ? "Approve" : choice === "reject" ? "Reject" : "Edit, then approve"}
                  </label>
                ))}
              </div>
              <label htmlFor={ids.content}>Held answer{mode === "edit" ? " (edit it)" : ""}</label>
              <textarea
                id={ids.content}
                rows={6}
                readOnly={mode !== "edit"}
                value={content ?? data.generation.content}
                onChange={(event) => setContent(event.target.value)}
              />
              {mode === "reject" ? (
                <>
                  <label htmlFor={ids.reason}>Reason for rejecting (kept for the audit, not sent to the caller)</label>
                  <textarea
                    id={ids.reason}
                    rows={2}
                    required
                    value={reason}
                    onChange={(event) => setReason(event.target.value)}
                  />
                </>
              ) : null}
              <label htmlFor={ids.reviewer}>Your name</label>
              <input
                id={ids.reviewer}
                autoComplete="name"
                required
                value={reviewer}
                onChange={(event) => setReviewer(event.target.value)}
              />
              {problem === undefined ? null : (
                <p role="alert" className="error">
                  {problem}
                </p>
              )}
              <button type="submit" className="primary" disabled={busy}>
                {mode === "decide" ? "Approve" : mode === "reject" ? "Reject" : "Save edit and approve"}
              </button>
            </fieldset>
          </form>
        </>
      )}
    </section>
  );
}
