import { apiKeyMutations, apiKeyQueries } from "./api-keys.ts";
import { classify } from "./classify.ts";
import { batch, batchStream } from "./batch.ts";
import { embed } from "./embed.ts";
import { enumResolvers } from "./enums.ts";
import { generate } from "./generate.ts";
import { generateStream } from "./generate-stream.ts";
import { health } from "./health.ts";
import { jobEnumResolvers, jobResultResolvers } from "./job-types.ts";
import { cancelJob, enqueueJob, job, jobs, jobUpdates } from "./jobs.ts";
import { jsonScalar } from "./json-scalar.ts";
import { metricsSnapshot } from "./metrics-snapshot.ts";
import { reviewEnumResolvers, reviewMutations, reviewQueries, reviewUpdates } from "./review.ts";
import { structured } from "./structured.ts";
import { tenantUsage, usage } from "./usage.ts";

/**
 * The resolver map: one small file per operation. A new operation is one file here
 * plus its lines in schema.graphql (identity and spending: governance.graphql).
 */
export const resolvers = {
  JSON: jsonScalar,
  ...enumResolvers,
  ...jobEnumResolvers,
  ...jobResultResolvers,
  ...reviewEnumResolvers,
  Query: { health, usage, metricsSnapshot, tenantUsage, ...apiKeyQueries, job, jobs, ...reviewQueries },
  Mutation: {
    generate,
    structured,
    embed,
    classify,
    ...apiKeyMutations,
    batch,
    enqueueJob,
    cancelJob,
    ...reviewMutations,
  },
  Subscription: { generateStream, batchStream, jobUpdates, reviewUpdates },
};
