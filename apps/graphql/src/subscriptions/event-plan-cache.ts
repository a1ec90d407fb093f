import type { DocumentNode, ExecutionArgs, GraphQLSchema } from "graphql";
import { compileReusableEventPlan, type EventPlan } from "./event-plan.ts";

interface CachedPlan {
  schema: GraphQLSchema;
  plan: EventPlan | undefined;
}

/**
 * Event plans by document and operation name, so the subscription server's cached documents
 * (document-cache.ts) are compiled once. A plan that depends on the variables (@skip/@include
 * reading one) is compiled per operation and not kept. Documents are weak keys: one that
 * leaves the document cache takes its plans with it.
 */
export function createEventPlanCache(): (args: ExecutionArgs) => EventPlan | undefined {
  const plans = new WeakMap<DocumentNode, Map<string, CachedPlan>>();
  return (args) => {
    const operationName = args.operationName ?? "";
    const cached = plans.get(args.document)?.get(operationName);
    if (cached && cached.schema === args.schema && !args.fieldResolver && !args.typeResolver) return cached.plan;
    const compiled = compileReusableEventPlan(args);
    if (compiled.reusable && !args.fieldResolver && !args.typeResolver) {
      let byOperation = plans.get(args.document);
      if (!byOperation) {
        byOperation = new Map();
        plans.set(args.document, byOperation);
      }
      byOperation.set(operationName, { schema: args.schema, plan: compiled.plan });
    }
    return compiled.plan;
  };
}
