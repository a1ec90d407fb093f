import type { Pipeline } from "@keel/core";
import type { GraphqlContext } from "../context.ts";

type UsageReport = Awaited<ReturnType<Pipeline["usage"]>>;
type UsageTotals = UsageReport["totals"];

interface UsageReportView extends Omit<UsageReport, "days"> {
  days: { day: string; totals: UsageTotals; models: { model: string; totals: UsageTotals }[] }[];
}

/**
 * Query.usage: always the context's tenant (there is no tenant argument). Core checks
 * the days and the span, so a bad `from` is the same BAD_REQUEST the tRPC service gives.
 * Per-model maps become lists, so the report is typed fields, not a JSON blob.
 */
export async function usage(
  _parent: unknown,
  args: { from?: string | null; to?: string | null; model?: string | null },
  context: GraphqlContext,
): Promise<UsageReportView> {
  const query: { from?: string; to?: string; model?: string } = {};
  if (args.from != null) query.from = args.from;
  if (args.to != null) query.to = args.to;
  if (args.model != null) query.model = args.model;
  const report = await context.pipeline.usage(query, { tenant: context.tenant });
  return {
    ...report,
    days: report.days.map((day) => ({
      day: day.day,
      totals: day.totals,
      models: Object.entries(day.models).map(([model, totals]) => ({ model, totals })),
    })),
  };
}
