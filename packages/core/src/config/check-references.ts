import { didYouMean } from "../fields/closest-name.ts";
import { governanceIssues } from "./check-governance.ts";
import { safetyIssues } from "./check-safety.ts";
import type { ConfigIssue } from "./config-issues.ts";
import type { KeelConfig } from "./schema.ts";

/**
 * Checks what one field says about another, which the per-field schema cannot: every
 * target names a configured provider, a fallback rule's jump target is in its route's
 * chain, the semantic cache's embedder is a configured embedding model, a target policy
 * names a target some route uses. Run once the config is complete (after the
 * environment's default provider was added), so a mistake stops the start naming the
 * field instead of failing on the first request.
 */
export function referenceIssues(config: KeelConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const providers = Object.keys(config.providers);
  const providerIssue = (path: string, target: string) => {
    const provider = target.slice(0, target.indexOf("/"));
    if (Object.hasOwn(config.providers, provider)) return;
    const hint = didYouMean(provider, providers);
    issues.push({
      path,
      message: `unknown provider "${provider}" in "${target}"; configured providers: ${providers.join(", ") || "(none)"}${hint ? `; ${hint}` : ""}`,
    });
  };

  const usedTargets = new Set<string>();
  for (const [route, settings] of Object.entries(config.models)) {
    settings.targets.forEach((target, index) => {
      usedTargets.add(target);
      providerIssue(`models.${route}.targets.${index}`, target);
    });
    checkRuleTargets({
      issues,
      path: `models.${route}.fallbackRules`,
      rules: settings.fallbackRules,
      route,
      targets: settings.targets,
    });
    for (const [failure, action] of Object.entries(config.defaults.fallbackRules ?? {})) {
      // A route's own rule for this failure class replaces the default one.
      if (settings.fallbackRules?.[failure as keyof typeof settings.fallbackRules] !== undefined) continue;
      checkRuleTargets({
        issues,
        path: "defaults.fallbackRules",
        rules: { [failure]: action },
        route,
        targets: settings.targets,
      });
    }
  }
  for (const [name, target] of Object.entries(config.embeddingModels)) providerIssue(`embeddingModels.${name}`, target);

  const embedder = config.cache.semantic.embedder;
  if (embedder !== "local" && !Object.hasOwn(config.embeddingModels, embedder)) {
    const names = Object.keys(config.embeddingModels);
    const hint = didYouMean(embedder, names);
    issues.push({
      path: "cache.semantic.embedder",
      message: `expected "local" or one of embeddingModels (${names.join(", ") || "none"}), received "${embedder}"${hint ? `; ${hint}` : ""}`,
    });
  }

  for (const target of Object.keys(config.targetPolicies)) {
    if (usedTargets.has(target)) continue;
    const hint = didYouMean(target, usedTargets);
    issues.push({
      path: `targetPolicies.${target}`,
      message: `no route uses the target "${target}"${hint ? `; ${hint}` : `; targets in use: ${[...usedTargets].join(", ") || "(none)"}`}`,
    });
  }

  const embeddingNames = Object.keys(config.embeddingModels);
  for (const name of Object.keys(config.embeddingBatch.routes)) {
    if (Object.hasOwn(config.embeddingModels, name)) continue;
    const hint = didYouMean(name, embeddingNames);
    issues.push({
      path: `embeddingBatch.routes.${name}`,
      message: `unknown embedding model "${name}"; embeddingModels: ${embeddingNames.join(", ") || "(none)"}${hint ? `; ${hint}` : ""}`,
    });
  }
  if (config.jobs.queue === "redis" && config.redis === undefined) {
    issues.push({ path: "jobs.queue", message: 'expected redis.url (or REDIS_URL) with queue "redis"' });
  }

  const routes = Object.keys(config.models);
  (config.validation.jsonSchemaRoutes ?? []).forEach((route, index) => {
    if (Object.hasOwn(config.models, route)) return;
    const hint = didYouMean(route, routes);
    issues.push({
      path: `validation.jsonSchemaRoutes.${index}`,
      message: `unknown route "${route}"; routes: ${routes.join(", ") || "(none)"}${hint ? `; ${hint}` : ""}`,
    });
  });
  issues.push(...governanceIssues(config));
  issues.push(...safetyIssues(config));
  return issues;
}

function checkRuleTargets(options: {
  issues: ConfigIssue[];
  path: string;
  rules: Record<string, unknown> | undefined;
  route: string;
  targets: readonly string[];
}): void {
  for (const [failure, action] of Object.entries(options.rules ?? {})) {
    if (typeof action !== "object" || action === null || !("target" in action)) continue;
    const target = String(action.target);
    if (options.targets.includes(target)) continue;
    options.issues.push({
      path: `${options.path}.${failure}.target`,
      message: `"${target}" is not a target of route "${options.route}" (${options.targets.join(", ")}); add it to models.${options.route}.targets or jump to one of them`,
    });
  }
}
