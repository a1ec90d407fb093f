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
import { structured } from "./structured.ts";
import { usage } from "./usage.ts";

/**
 * The resolver map: one small file per operation. A new operation is one file here
 * plus its lines in schema.graphql.
 */
export const resolvers = {
  JSON: jsonScalar,
  ...enumResolvers,
  ...jobEnumResolvers,
  ...jobResultResolvers,
  Query: { health, usage, metricsSnapshot, job, jobs },
  Mutation: { generate, structured, embed, batch, enqueueJob, cancelJob },
  Subscription: { generateStream, batchStream, jobUpdates },
};
