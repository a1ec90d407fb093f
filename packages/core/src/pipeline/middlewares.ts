import { staticFallbackMiddleware } from "@keel/resilience";
import type { Middleware } from "@keel/spec";
import { defaultSupportsJsonSchema, structuredOutputMiddleware } from "@keel/validation";
import type { KeelConfig } from "../config/schema.ts";

/**
 * The concern middlewares in docs/design.md's order, first = outermost:
 * telemetry -> governance -> input safety -> static fallback -> exact cache -> semantic cache
 *   -> output safety -> validation -> (the route's fallback chain)
 * Governance (allowed models, prompt transforms, model selection, rate limits, budget
 * reservation) sits right inside telemetry, so its refusals are counted and logged, and
 * outside everything that could call upstream or read the cache.
 */
export function createMiddlewares(options: {
  config: KeelConfig;
  telemetry: Middleware;
  governance: Middleware;
  caches: Middleware[];
  safety: { input: Middleware | undefined; output: Middleware | undefined };
}): Middleware[] {
  const { config, telemetry, governance, caches, safety } = options;
  // Admission right inside telemetry, so every refusal is counted and logged, and before
  // any scanning, so a refused request costs nothing.
  const middlewares: Middleware[] = config.telemetry.enabled ? [telemetry, governance] : [governance];
  // Before the caches: keys are computed on redacted text. Its findings reach telemetry's record.
  if (safety.input) middlewares.push(safety.input);
  const staticAnswers = staticAnswersOf(config);
  if (Object.keys(staticAnswers).length > 0) middlewares.push(staticFallbackMiddleware({ answers: staticAnswers }));
  middlewares.push(...caches);
  // Inside the caches: nothing blocked, held or not yet redacted is ever stored.
  if (safety.output) middlewares.push(safety.output);
  middlewares.push(validationMiddleware(config));
  return middlewares;
}

function staticAnswersOf(config: KeelConfig): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const [route, settings] of Object.entries(config.models)) {
    if (settings.staticFallback !== undefined) answers[route] = settings.staticFallback;
  }
  return answers;
}

function validationMiddleware(config: KeelConfig): Middleware {
  const { defaultMaxAttempts, maxAttemptsLimit, maxSchemaBytes, maxSchemaDepth, jsonSchemaRoutes } = config.validation;
  const routes = jsonSchemaRoutes ? new Set(jsonSchemaRoutes) : undefined;
  return structuredOutputMiddleware({
    defaultMaxAttempts,
    maxAttemptsLimit,
    schemaLimits: { maxBytes: maxSchemaBytes, maxDepth: maxSchemaDepth },
    supportsJsonSchema: routes ? (route) => routes.has(route) : defaultSupportsJsonSchema,
  });
}
