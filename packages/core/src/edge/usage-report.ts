import type { UsageReport } from "@keel/telemetry";
import type { Principal } from "@keel/spec";
import { z } from "zod";
import type { BudgetView } from "../governance/budget-view.ts";
import type { Pipeline } from "../pipeline/create-pipeline.ts";
import { parseWith } from "../request/parse-request.ts";
import { requireRole } from "./roles.ts";

/** What a caller may narrow its usage by: strict, and without a tenant (always the key's own). */
export const usageQuerySchema = z.strictObject({
  /** First UTC day, YYYY-MM-DD; default 29 days before `to`. */
  from: z.string().optional(),
  /** Last UTC day, YYYY-MM-DD, inclusive; default today. */
  to: z.string().optional(),
  /** Only this answering model. */
  model: z.string().optional(),
});

/** An admin's query: any tenant's usage and budget. */
export const tenantUsageQuerySchema = usageQuerySchema.extend({ tenant: z.string().min(1).max(128) });

/** Requests, tokens and cost per model and UTC day, with the budget's spend and what remains. */
export type UsageWithBudget = UsageReport & { budget: BudgetView };

/** The principal's own tenant's usage, and the budget of its tenant and its key. */
export async function usageOf(pipeline: Pipeline, principal: Principal, input: unknown): Promise<UsageWithBudget> {
  const query = withoutUndefined(parseWith(usageQuerySchema, input ?? {}));
  const [report, budget] = await Promise.all([
    pipeline.usage(query, { tenant: principal.tenant }),
    pipeline.governance.budgetStatus({ tenant: principal.tenant, key: principal }),
  ]);
  return { ...report, budget };
}

/** Any tenant's usage and budget: admins only (FORBIDDEN otherwise). */
export async function tenantUsageOf(
  pipeline: Pipeline,
  principal: Principal,
  input: unknown,
): Promise<UsageWithBudget> {
  requireRole(principal, "admin");
  const { tenant, ...query } = parseWith(tenantUsageQuerySchema, input);
  const [report, budget] = await Promise.all([
    pipeline.usage(withoutUndefined(query), { tenant }),
    pipeline.governance.budgetStatus({ tenant }),
  ]);
  return { ...report, budget };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
