import { tenantUsageOf, usageOf, type UsageWithBudget } from "@keel/core";
import type { GraphqlContext } from "../context.ts";
import { withoutNulls } from "./caller-input.ts";

type UsageTotals = UsageWithBudget["totals"];

interface UsageReportView extends Omit<UsageWithBudget, "days"> {
  days: { day: string; totals: UsageTotals; models: { model: string; totals: UsageTotals }[] }[];
}

/**
 * Query.usage: always the key's tenant (there is no tenant argument), with the budget
 * status of the tenant and of the key. Core checks the days and the span, so a bad `from`
 * is the same BAD_REQUEST the tRPC service gives.
 */
export async function usage(
  _parent: unknown,
  args: { from?: string | null; to?: string | null; model?: string | null },
  context: GraphqlContext,
): Promise<UsageReportView> {
  return view(await usageOf(context.pipeline, context.principal, withoutNulls(args)));
}

/** Query.tenantUsage (admins): any tenant's usage and budget, the same report. */
export async function tenantUsage(
  _parent: unknown,
  args: { tenant: string; from?: string | null; to?: string | null; model?: string | null },
  context: GraphqlContext,
): Promise<UsageReportView> {
  return view(await tenantUsageOf(context.pipeline, context.principal, withoutNulls(args)));
}

/** Per-model maps become lists, so the report is typed fields, not a JSON blob. */
function view(report: UsageWithBudget): UsageReportView {
  return {
    ...report,
    days: report.days.map((day) => ({
      day: day.day,
      totals: day.totals,
      models: Object.entries(day.models).map(([model, totals]) => ({ model, totals })),
    })),
  };
}
