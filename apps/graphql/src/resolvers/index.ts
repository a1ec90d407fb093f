import { embed } from "./embed.ts";
import { enumResolvers } from "./enums.ts";
import { generate } from "./generate.ts";
import { generateStream } from "./generate-stream.ts";
import { health } from "./health.ts";
import { jsonScalar } from "./json-scalar.ts";
import { structured } from "./structured.ts";

/**
 * The resolver map: one small file per operation. A new operation (structured, usage,
 * metricsSnapshot) is one file here plus its lines in schema.graphql.
 */
export const resolvers = {
  JSON: jsonScalar,
  ...enumResolvers,
  Query: { health },
  Mutation: { generate, structured, embed },
  Subscription: { generateStream },
};
