import type { ValidationIssue } from "@keel/spec";
import { extractJson } from "./extract-json.ts";
import type { StructuredPlan } from "./structured-request.ts";
import { validateCompiled } from "./validate-value.ts";

export type AnswerVerdict =
  | { valid: true; value: unknown; repaired: boolean; issues: ValidationIssue[] }
  | { valid: false; repaired: boolean; issues: ValidationIssue[] };

/** Extracts, repairs and validates one answer. Never throws: a miss is data for the re-ask. */
export function evaluateAnswer(plan: StructuredPlan, text: string): AnswerVerdict {
  const extracted = extractJson(text);
  if (!extracted.success) {
    return {
      valid: false,
      repaired: false,
      issues: [{ path: "/", message: `the answer is not JSON (${extracted.error})` }],
    };
  }
  const issues = validateCompiled(plan.compiled, plan.spec, extracted.value);
  if (issues.length > 0) return { valid: false, repaired: extracted.repaired, issues };
  return { valid: true, value: extracted.value, repaired: extracted.repaired, issues };
}
