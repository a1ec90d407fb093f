import type { ChatRequest, Generation, ReviewState, SafetyReport } from "@keel/spec";
import type { ReviewMode } from "../policy/policy.ts";

export interface ReviewDecision {
  /** Who decided: the reviewer's name, or "(expiry)" when the item timed out. */
  reviewer: string;
  /** Epoch milliseconds. */
  at: number;
  /** For a rejection: why (kept for the audit; never sent to the caller). */
  reason?: string;
  /** What an expiry did with a held answer. */
  outcome?: "release" | "reject";
}

/**
 * One answer waiting for (hold) or open to (flag) human review. Scoped to its tenant: no
 * operation reads or decides another tenant's items. It holds the caller's original
 * request and the answer as the caller would get it, personal data included, for the
 * reviewer's eyes; it is never logged.
 */
export interface ReviewItem {
  id: string;
  tenant: string;
  route: string;
  mode: ReviewMode;
  state: ReviewState;
  /** The policy entries that asked for review ("toxicity", "claims", ...). */
  detectors: string[];
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
  onExpiry: "release" | "reject";
  /** The findings of both stages, offsets into the request's and the answer's text. */
  safety: SafetyReport;
  request: ChatRequest;
  /** The answer as the caller would have it (without `review`). */
  generation: Generation;
  decision?: ReviewDecision;
}

/** What a list shows: the item without the request and the answer. */
export type ReviewSummary = Omit<ReviewItem, "request" | "generation">;

export function summaryOf(item: ReviewItem): ReviewSummary {
  const { request: _request, generation: _generation, ...summary } = item;
  return summary;
}
