import type { BudgetLimits, RateLease, RateLimits, Reservation } from "@keel/governance";
import type { RequestContext } from "@keel/spec";
import type { TenantConfig } from "../config/schema.ts";
import type { GovernanceParts } from "./governance-parts.ts";

/** What one request may use, from its tenant's config and its key's record. */
export interface Entitlements {
  tenantLimits: RateLimits | undefined;
  tenantBudget: BudgetLimits | undefined;
  keyId: string | undefined;
  keyLimits: RateLimits | undefined;
  keyBudget: BudgetLimits | undefined;
}

export function entitlementsOf(ctx: RequestContext, tenants: Record<string, TenantConfig>): Entitlements {
  const tenant = Object.hasOwn(tenants, ctx.tenant) ? tenants[ctx.tenant] : undefined;
  const principal = ctx.principal;
  return {
    tenantLimits: tenant?.limits,
    tenantBudget: tenant?.budget,
    keyId: principal?.keyId,
    keyLimits: principal?.keyId === undefined ? undefined : principal.limits,
    keyBudget: principal?.keyId === undefined ? undefined : principal.budget,
  };
}

export const hasLimits = (entitled: Entitlements) => isSet(entitled.tenantLimits) || isSet(entitled.keyLimits);
export const hasBudget = (entitled: Entitlements) => isSet(entitled.tenantBudget) || isSet(entitled.keyBudget);
export const countsTokens = (entitled: Entitlements) =>
  entitled.tenantLimits?.tokensPerMinute !== undefined ||
  entitled.keyLimits?.tokensPerMinute !== undefined ||
  hasBudget(entitled);

/** What a request holds while it runs: a rate lease and a budget reservation, each when something limits it. */
export interface SpendingHold {
  /** Settles the budget at the actual cost and frees the lease, refunding or charging tokens. Never throws. */
  release(actual: { costMicroUsd: number; tokens: number }): Promise<void>;
}

/**
 * Admits the request under its rate limits (RATE_LIMITED, with the headers reported
 * first) and reserves its maximum cost under its budgets (BUDGET_EXCEEDED, after which
 * the lease is freed again). Nothing is held for a request nothing limits.
 */
export async function takeHold(options: {
  parts: GovernanceParts;
  ctx: RequestContext;
  entitled: Entitlements;
  tokens: number;
  maxCostMicroUsd: number;
}): Promise<SpendingHold> {
  const { parts, ctx, entitled } = options;
  let lease: RateLease | undefined;
  if (hasLimits(entitled)) {
    const admission = await parts.limiter.admit({
      tenant: ctx.tenant,
      ...(entitled.tenantLimits ? { tenantLimits: entitled.tenantLimits } : {}),
      ...(entitled.keyId === undefined ? {} : { key: { id: entitled.keyId, limits: entitled.keyLimits } }),
      tokens: options.tokens,
    });
    if (Object.keys(admission.headers).length > 0) ctx.setResponseHeaders?.(admission.headers);
    if (!admission.admitted) throw admission.error;
    lease = admission.lease;
  }
  let reservation: Reservation | undefined;
  if (hasBudget(entitled)) {
    try {
      reservation = await parts.budgets.reserve({
        tenant: ctx.tenant,
        ...(entitled.tenantBudget ? { tenantBudget: entitled.tenantBudget } : {}),
        ...(entitled.keyId === undefined ? {} : { key: { id: entitled.keyId, budget: entitled.keyBudget } }),
        maxCostMicroUsd: options.maxCostMicroUsd,
      });
    } catch (error) {
      await lease?.release({ actualTokens: 0 });
      throw error;
    }
  }
  return {
    async release(actual) {
      await Promise.all([
        reservation ? parts.budgets.settle(reservation, actual.costMicroUsd) : undefined,
        lease?.release({ actualTokens: actual.tokens }),
      ]);
    },
  };
}

function isSet(value: object | undefined): boolean {
  if (value === undefined) return false;
  for (const entry of Object.values(value)) if (entry !== undefined) return true;
  return false;
}
