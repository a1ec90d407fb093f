import { type ChatRequest, KeelError } from "@keel/spec";
import { maxCostMicroUsd } from "../budgets/money.ts";
import { checkSelectionOptions } from "./selection-config.ts";
import type {
  CandidateModel,
  Escalation,
  EscalationReason,
  ModelSelectionOptions,
  Selection,
  SelectionConditions,
  SelectionInput,
  SelectionRule,
} from "./selection-types.ts";

export interface ModelSelector {
  /** The cheapest target that qualifies; BAD_REQUEST (reason "context-length") when no candidate has room. */
  select(input: SelectionInput): Selection;
  /** The stronger target for one retry after a failed answer, or undefined (none, same target, or no room). */
  escalate(options: { selection: Selection; input: SelectionInput; reason: EscalationReason }): Escalation | undefined;
}

/**
 * Model selection as pure functions over a checked config: rules in order, the first that
 * applies and has a target with room for the prompt chooses its cheapest such target. A
 * model whose context window the prompt plus the completion would exceed is never chosen.
 */
export function createModelSelector(options: ModelSelectionOptions): ModelSelector {
  checkSelectionOptions(options);
  const byTarget = new Map(options.candidates.map((candidate) => [candidate.target, candidate]));
  const defaultCompletionTokens = options.defaultCompletionTokens ?? 1_024;
  const fallbackToCheapest = options.fallbackToCheapest ?? true;
  const defaultRule: SelectionRule = {
    name: "default",
    targets: options.defaultTargets ?? options.candidates.map((candidate) => candidate.target),
  };

  const completionOf = (input: SelectionInput) => input.maxTokens ?? defaultCompletionTokens;
  const fits = (candidate: CandidateModel, input: SelectionInput) =>
    input.promptTokens + completionOf(input) <= candidate.contextWindow;
  const costOf = (candidate: CandidateModel, input: SelectionInput) =>
    maxCostMicroUsd({ promptTokens: input.promptTokens, maxTokens: completionOf(input), price: candidate.price });

  const chooseFrom = (rule: SelectionRule, input: SelectionInput, passedOver: string[]): Selection | undefined => {
    const ranked = rule.targets
      .map((target, order) => ({ candidate: byTarget.get(target) as CandidateModel, order }))
      .filter(({ candidate }) => fits(candidate, input))
      .map((entry) => ({ ...entry, cost: costOf(entry.candidate, input) }))
      .sort((left, right) => left.cost - right.cost || left.order - right.order);
    const cheapest = ranked[0];
    if (!cheapest) return undefined;
    return {
      target: cheapest.candidate.target,
      rule: rule.name,
      chain: ranked.map((entry) => entry.candidate.target),
      estimatedCostMicroUsd: cheapest.cost,
      passedOver,
    };
  };

  return {
    select(input) {
      checkInput(input);
      const passedOver: string[] = [];
      for (const rule of options.rules) {
        if (!applies(rule.when, input)) continue;
        const chosen = chooseFrom(rule, input, passedOver);
        if (chosen) return chosen;
        passedOver.push(rule.name);
      }
      const fallback = fallbackToCheapest ? chooseFrom(defaultRule, input, passedOver) : undefined;
      if (fallback) return fallback;
      const largest = Math.max(...options.candidates.map((candidate) => candidate.contextWindow));
      throw new KeelError("BAD_REQUEST", "the prompt does not fit the context window of any model this route may use", {
        details: {
          field: "messages",
          reason: "context-length",
          promptTokens: input.promptTokens,
          completionTokens: completionOf(input),
          largestContextWindow: largest,
        },
      });
    },
    escalate({ selection, input, reason }) {
      const rule = options.rules.find((candidate) => candidate.name === selection.rule);
      const to = rule?.escalation ?? options.escalation;
      if (to === undefined || to === selection.target) return undefined;
      const candidate = byTarget.get(to);
      if (!candidate || !fits(candidate, input)) return undefined;
      return { from: selection.target, to, reason };
    },
  };
}

/** What selection reads from a chat request: tools, a schema-shaped answer, maxTokens, plus the caller's counts and tag. */
export function selectionInputOf(request: ChatRequest, facts: { promptTokens: number; task?: string }): SelectionInput {
  return {
    promptTokens: facts.promptTokens,
    ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
    hasTools: (request.tools?.length ?? 0) > 0,
    hasResponseSchema: request.structured !== undefined || request.responseFormat?.type === "json_schema",
    ...(facts.task !== undefined ? { task: facts.task } : {}),
  };
}

function applies(when: SelectionConditions | undefined, input: SelectionInput): boolean {
  if (!when) return true;
  if (when.minPromptTokens !== undefined && input.promptTokens < when.minPromptTokens) return false;
  if (when.maxPromptTokens !== undefined && input.promptTokens > when.maxPromptTokens) return false;
  if (when.hasTools !== undefined && when.hasTools !== input.hasTools) return false;
  if (when.hasResponseSchema !== undefined && when.hasResponseSchema !== input.hasResponseSchema) return false;
  if (when.tasks !== undefined && (input.task === undefined || !when.tasks.includes(input.task))) return false;
  return true;
}

function checkInput(input: SelectionInput): void {
  const count = (value: number | undefined, field: string) => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new KeelError("BAD_REQUEST", `${field} must be a non-negative integer`, { details: { field } });
    }
  };
  count(input.promptTokens, "promptTokens");
  count(input.maxTokens, "maxTokens");
}
