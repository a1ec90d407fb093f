import { KNOWN_KINDS, knownTopics, type SafetyPolicy } from "@keel/safety";
import { didYouMean } from "../fields/closest-name.ts";
import type { ConfigIssue } from "./config-issues.ts";
import type { KeelConfig } from "./schema.ts";

/**
 * What the safety section's fields say about each other: kinds a detector can report, a
 * claim check's knowledge base among `safety.knowledgeBases`, a disclaimer topic with a
 * built-in keyword list or its own keywords.
 */
export function safetyIssues(config: KeelConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const bases = Object.keys(config.safety.knowledgeBases);
  const check = (path: string, policy: SafetyPolicy | undefined) => {
    if (policy === undefined) return;
    for (const stage of ["input", "output"] as const) {
      for (const [name, settings] of Object.entries(policy[stage] ?? {})) {
        const known = KNOWN_KINDS[name];
        if (known === undefined || settings === undefined || !("kinds" in settings)) continue;
        (settings.kinds ?? []).forEach((kind: string, index: number) => {
          if (known.includes(kind)) return;
          const hint = didYouMean(kind, known);
          issues.push({
            path: `${path}.${stage}.${name}.kinds.${index}`,
            message: `unknown kind "${kind}"${hint ? `; ${hint}` : `; ${name} reports: ${known.join(", ")}`}`,
          });
        });
      }
    }
    const base = policy.output?.claims?.knowledgeBase;
    if (base !== undefined && !bases.includes(base)) {
      const hint = didYouMean(base, bases);
      issues.push({
        path: `${path}.output.claims.knowledgeBase`,
        message: `unknown knowledge base "${base}"; safety.knowledgeBases: ${bases.join(", ") || "(none)"}${hint ? `; ${hint}` : ""}`,
      });
    }
    (policy.output?.brand?.disclaimers ?? []).forEach((rule, index) => {
      if (rule.keywords !== undefined || knownTopics().includes(rule.topic)) return;
      const hint = didYouMean(rule.topic, knownTopics());
      issues.push({
        path: `${path}.output.brand.disclaimers.${index}.topic`,
        message: `no built-in keywords for topic "${rule.topic}" (${knownTopics().join(", ")}); give it keywords${hint ? ` or ${hint}` : ""}`,
      });
    });
  };
  check("safety.defaults", config.safety.defaults);
  for (const [route, settings] of Object.entries(config.models)) check(`models.${route}.safety`, settings.safety);
  return issues;
}
