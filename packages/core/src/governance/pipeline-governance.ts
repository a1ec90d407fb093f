import type { ApiKeyStore } from "@keel/governance";
import type { Logger } from "@keel/telemetry";
import type { KeelError, Principal } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import { createAuthGate, type AuthGate } from "./auth-gate.ts";
import { budgetScopeView, type BudgetView } from "./budget-view.ts";
import type { GovernanceParts } from "./governance-parts.ts";

/** Identity and spending as a pipeline exposes them to the services' edge and to operators. */
export interface PipelineGovernance {
  /** The API key store (Redis, else `<dataDir>/api-keys.json`): admin operations and verification. */
  readonly keys: ApiKeyStore;
  /** Whether requests must carry a key (auth.mode, and in auto whether any key exists). */
  readonly auth: AuthGate;
  /** A tenant's budget status (and its key's, when given), today and this month, in USD. */
  budgetStatus(scope: { tenant: string; key?: Principal }): Promise<BudgetView>;
  /** For operators: a refused key's reason and id go to the log (never to the caller, never the token). */
  logRejection(error: KeelError, service: string | undefined): void;
  /**
   * Resolves once the shared stores (Redis) answer, or after `timeoutMs` (then limits and
   * budgets fail open or closed as configured until Redis is back). Services wait on it
   * before they listen: a connection still opening would admit the first requests uncounted.
   */
  ready(timeoutMs?: number): Promise<boolean>;
}

export function createPipelineGovernance(options: {
  config: KeelConfig;
  parts: GovernanceParts;
  logger: Logger;
}): PipelineGovernance {
  const { config, parts, logger } = options;
  const auth = createAuthGate({
    config,
    keys: parts.keys,
    onTurnedOn: () => logger.info({ component: "auth" }, "authentication is now on: an API key exists"),
  });
  return {
    keys: parts.keys,
    auth,
    async budgetStatus({ tenant, key }) {
      const tenantBudget = Object.hasOwn(config.tenants, tenant) ? config.tenants[tenant]?.budget : undefined;
      const status = await parts.budgets.status({
        tenant,
        ...(tenantBudget ? { tenantBudget } : {}),
        ...(key?.keyId === undefined ? {} : { key: { id: key.keyId, budget: key.budget } }),
      });
      return { tenant: budgetScopeView(status.tenant), key: status.key ? budgetScopeView(status.key) : null };
    },
    async ready(timeoutMs = 3_000) {
      const until = Date.now() + timeoutMs;
      const healthy = () => [parts.keys, parts.limiter, parts.budgets].every((part) => part.health().ok);
      while (!healthy()) {
        if (Date.now() >= until) {
          logger.warn(
            { component: "governance" },
            "the shared stores (Redis) do not answer yet; limits and budgets fail as configured until they do",
          );
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    },
    logRejection(error, service) {
      const details = error.details;
      logger.warn(
        {
          component: "auth",
          ...(service === undefined ? {} : { service }),
          code: error.code,
          reason: details.reason,
          ...(typeof details.keyId === "string" ? { keyId: details.keyId } : {}),
        },
        "API key refused",
      );
    },
  };
}
