import type { ReviewItem } from "../api/types.ts";

type Finding = ReviewItem["safety"]["output"][number];

/** Findings of one stage: what was found, by which detector, and what the policy did. */
export function FindingsList(props: { title: string; findings: Finding[] }) {
  return (
    <section className="findings">
      <h3>{props.title}</h3>
      {props.findings.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul>
          {props.findings.map((finding, index) => (
            // An item's findings never change or reorder; two may share scanner and offsets.
            // biome-ignore lint/suspicious/noArrayIndexKey: the position is part of the identity here
            <li key={`${finding.scanner}-${finding.start ?? index}-${index}`}>
              <strong>{finding.kind}</strong> by {finding.detector ?? finding.scanner}:{" "}
              <span className={`badge ${finding.action}`}>{finding.action}</span>
              {finding.score === undefined ? null : ` score ${finding.score.toFixed(2)}`}
              {finding.message === undefined ? null : ` (${finding.message})`}
              {finding.start === undefined || finding.end === undefined
                ? null
                : ` at ${finding.start}–${finding.end}${finding.messageIndex === undefined ? "" : ` of message ${finding.messageIndex + 1}`}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
