import { parseConfig, type KeelConfig, type KeelConfigInput } from "@keel/core";

/** Two upstream models of one simulator, so a rule can fault one target and leave the other healthy. */
export const PRIMARY_MODEL = "gpt-4o-mini";
export const SECONDARY_MODEL = "gpt-4.1-mini";
export const PRIMARY = `sim/${PRIMARY_MODEL}`;
export const SECONDARY = `sim/${SECONDARY_MODEL}`;

type DefaultsInput = NonNullable<KeelConfigInput["defaults"]>;
type PolicyInput = NonNullable<DefaultsInput["policy"]>;
type RouteInput = NonNullable<KeelConfigInput["models"]>[string];

export interface ChaosConfigOptions {
  /** Sections overlaid on the base policy (fast retries, no breaker, no budget). */
  policy?: PolicyInput;
  fallbackRules?: DefaultsInput["fallbackRules"];
  /** Extra fields for the routes, by route name. */
  routes?: Record<string, Partial<RouteInput>>;
  targetPolicies?: KeelConfigInput["targetPolicies"];
}

/**
 * The config every scenario starts from: route `chat` = PRIMARY then SECONDARY, route
 * `solo` = PRIMARY alone (so a failure there reaches the caller as a typed error).
 * Retries are quick and unbudgeted and the breaker is off unless a scenario turns it on,
 * so upstream call counts are exact.
 */
export function chaosConfig(simulatorUrl: string, options: ChaosConfigOptions = {}): KeelConfig {
  const basePolicy: PolicyInput = {
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 40, budget: false },
    breaker: false,
    timeout: { attemptMs: 5_000 },
  };
  return parseConfig({
    providers: { sim: { baseURL: simulatorUrl, apiKey: "test" } },
    models: {
      chat: { targets: [PRIMARY, SECONDARY], ...options.routes?.chat },
      solo: { targets: [PRIMARY], ...options.routes?.solo },
    },
    targetPolicies: options.targetPolicies ?? {},
    defaults: {
      policy: { ...basePolicy, ...options.policy },
      ...(options.fallbackRules ? { fallbackRules: options.fallbackRules } : {}),
    },
    services: { shutdownGraceMs: 200 },
    // Failed requests are the point here; their warn lines would bury the test output.
    telemetry: { log: { level: "silent" } },
  });
}

/** A caller's chat request; the cache is bypassed so every request reaches the upstream. */
export function chat(content: string, extra: Record<string, unknown> = {}) {
  return { model: "chat", messages: [{ role: "user", content }], temperature: 0, cache: { mode: "bypass" }, ...extra };
}
