import type { Pipeline } from "@keel/core";
import { publicProcedure, router } from "../trpc.ts";

/**
 * `metrics.snapshot`: request rate, latency percentiles, error and cache-hit rates,
 * tokens and cost over the last 1m/5m/1h, for the calling tenant only, plus breaker
 * states and active alerts. (GET /metrics has the Prometheus text for scrapers.)
 */
export function createMetricsRouter(pipeline: Pipeline) {
  return router({
    snapshot: publicProcedure.query(({ ctx }) => pipeline.metricsSnapshot({ tenant: ctx.tenant })),
  });
}
