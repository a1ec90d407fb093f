import { readFileSync } from "node:fs";
import { makeExecutableSchema } from "@graphql-tools/schema";
import type { GraphQLSchema } from "graphql";
import { resolvers } from "./resolvers/index.ts";

/** The executable schema: SDL from schema.graphql, resolvers from ./resolvers. Built once per service. */
export function createSchema(): GraphQLSchema {
  const typeDefs = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");
  return makeExecutableSchema({ typeDefs, resolvers });
}
