import type { Pipeline } from "@keel/core";
import { createAiRouter } from "./procedures/ai.ts";
import { createHealthProcedure } from "./procedures/health.ts";
import { createMetricsRouter } from "./procedures/metrics.ts";
import { createReviewRouter } from "./procedures/review.ts";
import { createSessionProcedure } from "./procedures/session.ts";
import { createUsageRouter } from "./procedures/usage.ts";
import { router } from "./trpc.ts";

/**
 * The service's router: one group per concern, each built from the pipeline in its own
 * file.
 */
export function createAppRouter(pipeline: Pipeline) {
  return router({
    ai: createAiRouter(pipeline),
    usage: createUsageRouter(pipeline),
    metrics: createMetricsRouter(pipeline),
    health: createHealthProcedure(pipeline),
    review: createReviewRouter(pipeline),
    session: createSessionProcedure(),
  });
}

/** The router's type, for frontends' typed clients: `createTRPCClient<AppRouter>(...)`. */
export type AppRouter = ReturnType<typeof createAppRouter>;
