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

export type SafetyAction = "allow" | "redact" | "block" | "flag";

export interface SafetyFinding {
  /** Which scanner found it: "pii", "prompt-injection", "toxicity", ... */
  scanner: string;
  /** What was found: "EMAIL", "PHONE", "jailbreak", ... */
  kind: string;
  action: SafetyAction;
  score?: number;
  message?: string;
}

export interface SafetyReport {
  input: SafetyFinding[];
  output: SafetyFinding[];
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
}
