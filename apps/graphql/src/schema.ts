import { readFileSync } from "node:fs";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { buildSchema, isInputObjectType, type GraphQLSchema } from "graphql";
import { resolvers } from "./resolvers/index.ts";

/** The executable schema: SDL from schema.graphql, resolvers from ./resolvers. Built once per service. */
export function createSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: typeDefs(), resolvers });
}

let shapes: GraphQLSchema | undefined;

/** The fields of an input type (for "did you mean" hints); [] for a name that is not an input type. */
export function inputFieldNames(typeName: string): string[] {
  shapes ??= buildSchema(typeDefs());
  const type = shapes.getType(typeName);
  return isInputObjectType(type) ? Object.keys(type.getFields()) : [];
}

/** schema.graphql, then governance.graphql and review.graphql, which extend its types (keys, budgets, classify; review). */
function typeDefs(): string {
  return ["./schema.graphql", "./governance.graphql", "./review.graphql"]
    .map((file) => readFileSync(new URL(file, import.meta.url), "utf8"))
    .join("\n");
}
