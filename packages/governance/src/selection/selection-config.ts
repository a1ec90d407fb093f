import { KeelError } from "@keel/spec";
import type { ModelSelectionOptions } from "./selection-types.ts";

/** Checks a selection config once, at start: every reference resolves, every number is sane. */
export function checkSelectionOptions(options: ModelSelectionOptions, field = "selection"): void {
  const fail = (path: string, message: string): never => {
    throw new KeelError("BAD_REQUEST", `${path} ${message}`, { details: { field: path } });
  };
  if (!Array.isArray(options.candidates) || options.candidates.length === 0)
    fail(`${field}.candidates`, "must list at least one model");
  const known = new Set<string>();
  options.candidates.forEach((candidate, index) => {
    const path = `${field}.candidates.${index}`;
    if (typeof candidate.target !== "string" || candidate.target.length === 0)
      fail(`${path}.target`, "must be a target name");
    if (known.has(candidate.target)) fail(`${path}.target`, `repeats ${candidate.target}`);
    known.add(candidate.target);
    if (!Number.isSafeInteger(candidate.contextWindow) || candidate.contextWindow <= 0) {
      fail(`${path}.contextWindow`, "must be a positive integer");
    }
    for (const side of ["inputPerMillion", "outputPerMillion"] as const) {
      const value = candidate.price?.[side];
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
        fail(`${path}.price.${side}`, "must be a non-negative number");
    }
  });
  (options.defaultTargets ?? []).forEach((target, position) => {
    if (!known.has(target)) fail(`${field}.defaultTargets.${position}`, `names ${target}, which is not a candidate`);
  });
  if (options.defaultTargets?.length === 0) fail(`${field}.defaultTargets`, "must list at least one target");
  const names = new Set<string>();
  options.rules.forEach((rule, index) => {
    const path = `${field}.rules.${index}`;
    if (typeof rule.name !== "string" || rule.name.length === 0 || rule.name === "default") {
      fail(`${path}.name`, 'must be a non-empty name other than "default"');
    }
    if (names.has(rule.name)) fail(`${path}.name`, `repeats ${rule.name}`);
    names.add(rule.name);
    if (!Array.isArray(rule.targets) || rule.targets.length === 0)
      fail(`${path}.targets`, "must list at least one target");
    rule.targets.forEach((target, position) => {
      if (!known.has(target)) fail(`${path}.targets.${position}`, `names ${target}, which is not a candidate`);
    });
    if (rule.escalation !== undefined && !known.has(rule.escalation)) fail(`${path}.escalation`, "is not a candidate");
    const when = rule.when ?? {};
    for (const bound of ["minPromptTokens", "maxPromptTokens"] as const) {
      const value = when[bound];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0))
        fail(`${path}.when.${bound}`, "must be a non-negative integer");
    }
    if (
      when.minPromptTokens !== undefined &&
      when.maxPromptTokens !== undefined &&
      when.minPromptTokens > when.maxPromptTokens
    ) {
      fail(`${path}.when`, "has minPromptTokens above maxPromptTokens");
    }
    if (
      when.tasks !== undefined &&
      (!Array.isArray(when.tasks) || when.tasks.some((task) => typeof task !== "string"))
    ) {
      fail(`${path}.when.tasks`, "must be a list of task tags");
    }
  });
  if (options.escalation !== undefined && !known.has(options.escalation))
    fail(`${field}.escalation`, "is not a candidate");
  const completion = options.defaultCompletionTokens;
  if (completion !== undefined && (!Number.isSafeInteger(completion) || completion < 0)) {
    fail(`${field}.defaultCompletionTokens`, "must be a non-negative integer");
  }
}
