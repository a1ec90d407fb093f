import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@keel/trpc";

/** What the procedures answer, as the typed client sees it. */
type Outputs = inferRouterOutputs<AppRouter>;
export type MetricsSnapshot = Outputs["metrics"]["snapshot"];
export type SeriesStats = MetricsSnapshot["overall"];
export type WindowName = keyof SeriesStats;
export type WindowStats = SeriesStats[WindowName];
export type AlertState = MetricsSnapshot["alerts"][number];
export type UsageReport = Outputs["usage"]["get"];
export type Health = Outputs["health"];
export type ReviewPage = Outputs["review"]["list"];
export type ReviewSummary = ReviewPage["items"][number];
export type ReviewItem = Outputs["review"]["get"];

export const WINDOWS: readonly WindowName[] = ["1m", "5m", "1h"];
