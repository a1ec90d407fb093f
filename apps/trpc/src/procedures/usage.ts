import { checkedByOperation, usageOf, type Pipeline } from "@keel/core";
import { authenticatedProcedure } from "../authenticated.ts";
import { router } from "../trpc.ts";

/** What a caller may narrow its usage report by: days and one model, never a tenant. */
interface UsageQueryInput {
  /** First UTC day, YYYY-MM-DD; default 29 days before `to`. */
  from?: string;
  /** Last UTC day, YYYY-MM-DD, inclusive; default today. */
  to?: string;
  /** Only this answering model. */
  model?: string;
}

/**
 * `usage.get`: the key's tenant's requests, tokens and cost per model and UTC day, with
 * the budget status of the tenant and of the key. Core checks the query (strict: a `tenant`
 * field is refused, never honoured; YYYY-MM-DD days), the same as for GraphQL.
 */
export function createUsageRouter(pipeline: Pipeline) {
  return router({
    get: authenticatedProcedure
      .input(checkedByOperation<UsageQueryInput | undefined>())
      .query(({ input, ctx }) => usageOf(pipeline, ctx.principal, input)),
  });
}
