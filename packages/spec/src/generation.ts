import type { KeelErrorCode } from "./errors.ts";
import type { OptimisationReport, SelectionReport } from "./governance.ts";

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** True when counted by Keel's tokenizer because the upstream sent no usage. */
  estimated?: boolean;
  /** Prompt tokens the route's prompt transforms removed before the call (see Generation.optimisation). */
  promptTokensSaved?: number;
}

/** Where the answer came from. `stale` = an expired cache entry served because every target failed. */
export type CacheOutcome = "miss" | "exact" | "semantic" | "stale";

/** One fallback target that failed before another answered (or before the request gave up). */
export interface FallbackFailure {
  /** "provider/model" */
  target: string;
  code: KeelErrorCode;
  message: string;
}

export interface FallbackReport {
  /** Targets that failed, in the order they were tried. */
  failed: FallbackFailure[];
  /** "provider/model" of the target that answered, or null when none did. */
  answeredBy: string | null;
  /** Set when no target answered and the answer is a degradation: "stale" cache or "static" route answer. */
  degraded?: "stale" | "static";
}

/**
 * What a safety stage did about a finding. `allow` is kept for older envelopes; stages
 * report `flag` (noted, text unchanged), `redact` (replaced by a placeholder), `block`
 * (the request or answer refused), `review` (sent to human review) and `disclaim` (an
 * unsupported claim kept, with a disclaimer appended).
 */
export type SafetyAction = "allow" | "redact" | "block" | "flag" | "review" | "disclaim";

/** Where a safety stage looked: the request's text, or the answer. */
export type SafetyStage = "input" | "output";

/**
 * One finding and what was done about it. Never carries the matched value: offsets point
 * into the caller's own text (input: the message or document as the caller sent it;
 * output: the answer's `content` as the caller receives it), so it can go to logs,
 * metrics and callers.
 */
export interface SafetyFinding {
  /** The module that found it: "pii-email", "ner", "secrets", "injection", "toxicity", "brand", "claims", ... */
  scanner: string;
  /** The policy entry that acted on it: "pii", "names", "secrets", "injection", "documentInjection", "toxicity", "brand", "claims". */
  detector?: string;
  /** What was found: "EMAIL_ADDRESS", "PERSON", "OPENAI_KEY", "INJECTION", "TOXIC", "BANNED_TERM", "UNSUPPORTED_CLAIM", ... */
  kind: string;
  action: SafetyAction;
  score?: number;
  message?: string;
  /** UTF-16 offsets, end exclusive, into the text named by messageIndex / documentIndex, or into the answer. */
  start?: number;
  end?: number;
  /** Input findings in a message: its index in `request.messages`. */
  messageIndex?: number;
  /** Input findings in a request document: its index in `request.documents`... */
  documentIndex?: number;
  /** ...and its id, when the caller gave one. */
  documentId?: string;
}

/** One claim of the answer checked against the request's documents or the route's knowledge base. */
export interface SafetyClaim {
  /** The claim's span in the answer's `content` (UTF-16, end exclusive). */
  start: number;
  end: number;
  /** Support in [0, 1]; below the route's threshold the claim is unsupported. */
  score: number;
  supported: boolean;
  /** The passage that supports it best: a document id (or "document#<index>") or "<file>#<n>" of a knowledge base. */
  passageId?: string;
}

export interface SafetyReport {
  input: SafetyFinding[];
  output: SafetyFinding[];
  /** Present when the route checks claims and the answer was checked. */
  claims?: SafetyClaim[];
}

/** Where a held answer stands in human review. */
export type ReviewState = "pending" | "approved" | "edited" | "rejected" | "expired";

/** Set on a Generation whose answer went to human review and is held there. */
export interface ReviewStatus {
  id: string;
  state: ReviewState;
}

export interface ValidationIssue {
  /** JSON path of the failing value, e.g. "/items/0/price". */
  path: string;
  message: string;
}

export interface ValidationAttempt {
  attempt: number;
  repaired: boolean;
  errors: ValidationIssue[];
}

export interface ValidationReport {
  valid: boolean;
  attempts: number;
  repaired: boolean;
  history: ValidationAttempt[];
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "error";

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** The result envelope every generation carries, whichever service returns it. */
export interface Generation {
  id: string;
  content: string;
  /** The model that answered (after fallback, not necessarily the one asked for). */
  model: string;
  provider: string;
  cache: CacheOutcome;
  fallback: FallbackReport;
  /** Upstream calls made for this request, retries and re-asks included (0 for a cache hit). */
  attempts: number;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
  finishReason: FinishReason;
  safety: SafetyReport;
  validation?: ValidationReport;
  /** Set when the route selects its model by rules: which rule chose, and any escalation. */
  selection?: SelectionReport;
  /** Set when the route's prompt transforms changed the prompt: what they did and dropped. */
  optimisation?: OptimisationReport;
  /** The parsed value, for structured calls. */
  data?: unknown;
  toolCalls?: ToolCall[];
  /**
   * Set when the answer is held for human review: while `pending` the content is empty;
   * the caller polls or watches the review id for the final Generation.
   */
  review?: ReviewStatus;
}
