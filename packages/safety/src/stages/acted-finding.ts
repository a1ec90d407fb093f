import type { SafetyAction, SafetyFinding } from "@keel/spec";
import type { Finding } from "../finding.ts";
import type { DetectorAction, ReviewMode } from "../policy/policy.ts";
import type { ResolvedDetector } from "../policy/resolve-policy.ts";

/** A finding with the policy entry that acts on it and what it does. */
export interface ActedFinding extends Finding {
  /** The policy entry: "pii", "names", "secrets", "injection", "documentInjection", "toxicity", "brand", "claims". */
  policy: string;
  action: Exclude<DetectorAction, "off"> | "disclaim";
  review: ReviewMode;
  /** A word for the envelope about what matched, never the matched text: a tone rule's name. */
  message?: string;
}

/** The detector's findings that its policy keeps (threshold and kinds), with the policy's action. */
export function actOn(
  findings: readonly Finding[],
  policy: { name: string; settings: ResolvedDetector },
): ActedFinding[] {
  const { action, threshold, kinds, review } = policy.settings;
  if (action === "off") return [];
  const acted: ActedFinding[] = [];
  for (const finding of findings) {
    if (threshold !== undefined && finding.score < threshold) continue;
    if (kinds !== undefined && !kinds.has(finding.kind)) continue;
    // Object.assign, not `{ ...finding, policy, action, review }`: on Node 20 a spread followed by
    // new keys costs microseconds per object (about 4 µs against 0.2 µs here), once per finding.
    acted.push(Object.assign({}, finding, { policy: policy.name, action, review }));
  }
  return acted;
}

/** The strongest action first: block, then a review hold, then the rest. */
export function strongest(findings: readonly ActedFinding[], action: "block" | "hold"): ActedFinding | undefined {
  return findings.find((finding) =>
    action === "block" ? finding.action === "block" : finding.action === "review" && finding.review === "hold",
  );
}

/** The envelope's view of a finding: no matched value, ever. */
export function toSafetyFinding(
  finding: ActedFinding,
  place: { start: number; end: number; messageIndex?: number; documentIndex?: number; documentId?: string },
): SafetyFinding {
  const reported: Omit<SafetyFinding, "start" | "end"> = {
    scanner: finding.detector,
    detector: finding.policy,
    kind: finding.kind,
    action: finding.action as SafetyAction,
    score: finding.score,
  };
  if (finding.message !== undefined) reported.message = finding.message;
  // Object.assign rather than spreading `place` into the literal (slow on Node 20, see actOn).
  return Object.assign(reported, place);
}

/**
 * Overlapping findings of one policy entry and kind become one (their union, the highest
 * score): the document channel scores a sentence and the request tail inside it
 * separately, and one injected instruction should be one finding. Input sorted by start.
 */
export function mergeOverlapping(findings: readonly ActedFinding[]): ActedFinding[] {
  const merged: ActedFinding[] = [];
  const open = new Map<string, ActedFinding>();
  for (const finding of findings) {
    const key = `${finding.policy}\n${finding.kind}`;
    const current = open.get(key);
    if (current !== undefined && finding.start < current.end) {
      current.end = Math.max(current.end, finding.end);
      current.score = Math.max(current.score, finding.score);
      continue;
    }
    const copy = { ...finding };
    open.set(key, copy);
    merged.push(copy);
  }
  return merged;
}
