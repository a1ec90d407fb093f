import type { TokenPrice } from "../budgets/money.ts";

/** A model a route may choose: its target, how much it can read, what it costs. */
export interface CandidateModel {
  /** "provider/model". */
  target: string;
  /** Prompt plus completion tokens the model accepts. */
  contextWindow: number;
  price: TokenPrice;
}

/** What must hold for a rule to apply; every condition given must hold, an absent one always does. */
export interface SelectionConditions {
  /** Estimated prompt tokens of at least this many. */
  minPromptTokens?: number;
  /** Estimated prompt tokens of at most this many. */
  maxPromptTokens?: number;
  /** true: the request carries tools; false: it carries none. */
  hasTools?: boolean;
  /** true: the request asks for a schema-shaped answer (structured, or response_format json_schema). */
  hasResponseSchema?: boolean;
  /** The caller's `task` tag is one of these. */
  tasks?: string[];
}

export interface SelectionRule {
  /** Reported in the envelope and counted in metrics. */
  name: string;
  /** Absent: the rule always applies. */
  when?: SelectionConditions;
  /** Targets the rule may choose; the cheapest whose context fits wins. */
  targets: string[];
  /** The stronger target for one retry when this rule's answer fails validation; overrides the route's. */
  escalation?: string;
}

/** A route's `selection` section (core mirrors it in zod with `satisfies`). */
export interface ModelSelectionOptions {
  candidates: CandidateModel[];
  /** Tried in order; the first that applies and has a target that fits chooses. */
  rules: SelectionRule[];
  /** The route's stronger target for one retry after a structured-validation (or claim-check) failure. */
  escalation?: string;
  /** Completion tokens assumed, for the context fit and the price, when a request sets no maxTokens. Default 1,024. */
  defaultCompletionTokens?: number;
  /** When no rule chooses, the cheapest candidate that fits does (rule "default"). Default true. */
  fallbackToCheapest?: boolean;
  /** The candidates rule "default" chooses among (a route's own chain); default every candidate. */
  defaultTargets?: string[];
}

/** What selection looks at, taken from the request (see selectionInputOf). */
export interface SelectionInput {
  promptTokens: number;
  maxTokens?: number;
  hasTools: boolean;
  hasResponseSchema: boolean;
  task?: string;
}

export interface Selection {
  target: string;
  /** The rule that chose, or "default". */
  rule: string;
  /** Every target of that rule that fits, cheapest first: a fallback chain starting with `target`. */
  chain: string[];
  /** Estimated cost of this request on `target`. */
  estimatedCostMicroUsd: number;
  /** Rules that applied but had no target with room for the prompt, in order. */
  passedOver: string[];
}

export type EscalationReason = "validation" | "claim-check";

export interface Escalation {
  from: string;
  to: string;
  reason: EscalationReason;
}
