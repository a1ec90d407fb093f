import type { Pipeline } from "@keel/core";
import { authenticatedProcedure } from "../authenticated.ts";
import { router } from "../trpc.ts";

/**
 * `metrics.snapshot`: request rate, latency percentiles, error and cache-hit rates,
 * tokens and cost over the last 1m/5m/1h, for the key's tenant only, plus breaker
 * states and active alerts (a budget alert only to its own tenant). (GET /metrics has the
 * Prometheus text for scrapers.)
 */
export function createMetricsRouter(pipeline: Pipeline) {
  return router({
    snapshot: authenticatedProcedure.query(({ ctx }) => pipeline.metricsSnapshot({ tenant: ctx.principal.tenant })),
  });
}
