import { createContextWindowTable } from "@keel/providers";
import { didYouMean } from "../fields/closest-name.ts";
import { candidatesOf } from "../governance/route-plans.ts";
import { upstreamModelOf } from "../governance/targets.ts";
import type { ConfigIssue } from "./config-issues.ts";
import type { KeelConfig } from "./schema.ts";

/**
 * What the governance sections say about the rest of the config: selection targets name
 * configured providers and models whose context window is known (selection never sends a
 * prompt to a model it cannot fit), rule names are distinct, allowed models and label
 * sets name models this deployment serves.
 */
export function governanceIssues(config: KeelConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const windows = createContextWindowTable(config.contextWindows);
  const providers = Object.keys(config.providers);
  for (const [route, settings] of Object.entries(config.models)) {
    const selection = settings.selection;
    if (!selection) continue;
    const path = `models.${route}.selection`;
    const names = new Set<string>();
    selection.rules.forEach((rule, index) => {
      if (rule.name === "default" || names.has(rule.name)) {
        issues.push({
          path: `${path}.rules.${index}.name`,
          message: `"${rule.name}" is ${rule.name === "default" ? 'reserved (the rule used when none applies is "default")' : "the name of an earlier rule"}; give each rule a name of its own`,
        });
      }
      names.add(rule.name);
    });
    for (const target of candidatesOf(settings)) {
      const provider = target.slice(0, target.indexOf("/"));
      if (!Object.hasOwn(config.providers, provider)) {
        issues.push({
          path,
          message: `unknown provider "${provider}" in "${target}"; configured providers: ${providers.join(", ") || "(none)"}`,
        });
      } else if (windows.lookup(upstreamModelOf(target)) === undefined) {
        issues.push({
          path,
          message: `the context window of "${upstreamModelOf(target)}" is not known; add contextWindows: { "${upstreamModelOf(target)}": <tokens> }`,
        });
      }
    }
  }
  const served = [...Object.keys(config.models), ...Object.keys(config.embeddingModels)];
  for (const [tenant, settings] of Object.entries(config.tenants)) {
    (settings.allowedModels ?? []).forEach((model, index) => {
      if (model === "*" || served.includes(model)) return;
      const hint = didYouMean(model, served);
      issues.push({
        path: `tenants.${tenant}.allowedModels.${index}`,
        message: `"${model}" is not a model this deployment serves (${served.join(", ") || "none"})${hint ? `; ${hint}` : ""}`,
      });
    });
  }
  const embedders = Object.keys(config.embeddingModels);
  for (const [name, set] of Object.entries(config.labelSets)) {
    if (set.model === undefined || Object.hasOwn(config.embeddingModels, set.model)) continue;
    const hint = didYouMean(set.model, embedders);
    issues.push({
      path: `labelSets.${name}.model`,
      message: `expected one of embeddingModels (${embedders.join(", ") || "none"}), received "${set.model}"${hint ? `; ${hint}` : ""}`,
    });
  }
  return issues;
}
