import type { Pipeline, ServiceEdge } from "@keel/core";
import { createAdminRouter } from "./procedures/admin.ts";
import { createAiRouter } from "./procedures/ai.ts";
import { createHealthProcedure } from "./procedures/health.ts";
import { createJobsRouter } from "./procedures/jobs.ts";
import { createMetricsRouter } from "./procedures/metrics.ts";
import { createReviewRouter } from "./procedures/review.ts";
import { createSessionProcedure } from "./procedures/session.ts";
import { createUsageRouter } from "./procedures/usage.ts";
import { router } from "./trpc.ts";

/**
 * The service's router: one group per concern, each built from the pipeline in its own
 * file. `edge` turns the caller's key into the principal the procedures run as.
 */
export function createAppRouter(pipeline: Pipeline, edge: ServiceEdge) {
  return router({
    ai: createAiRouter(pipeline, edge),
    usage: createUsageRouter(pipeline),
    metrics: createMetricsRouter(pipeline),
    admin: createAdminRouter(pipeline),
    health: createHealthProcedure(pipeline),
    jobs: createJobsRouter(pipeline, edge),
    review: createReviewRouter(pipeline),
    session: createSessionProcedure(),
  });
}

/** The router's type, for frontends' typed clients: `createTRPCClient<AppRouter>(...)`. */
export type AppRouter = ReturnType<typeof createAppRouter>;
