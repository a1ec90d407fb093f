import {
  callerInput,
  createKeyAdmin,
  createKeyInputSchema,
  keyIdInputSchema,
  listKeysInputSchema,
  tenantUsageOf,
  tenantUsageQuerySchema,
  updateKeyInputSchema,
  type Pipeline,
} from "@keel/core";
import { adminProcedure } from "../authenticated.ts";
import { router } from "../trpc.ts";

/**
 * `admin.*` (role admin): API keys for any tenant, and any tenant's usage and budget.
 * Inputs are core's schemas, the same the GraphQL service and the CLI check, so bad input
 * is the same BAD_REQUEST naming the same field.
 */
export function createAdminRouter(pipeline: Pipeline) {
  const keys = createKeyAdmin(pipeline.governance.keys);
  return router({
    keys: router({
      /** `{ id, key, record }`: the whole key, shown this once (only its hash is stored). */
      create: adminProcedure.input(callerInput(createKeyInputSchema)).mutation(({ input }) => keys.create(input)),
      /** Newest first; one tenant's, or every tenant's. Never a secret. */
      list: adminProcedure.input(callerInput(listKeysInputSchema.optional())).query(({ input }) => keys.list(input ?? {})),
      /** Stops working on every instance within auth.verifyCacheMs (2 s). */
      revoke: adminProcedure.input(callerInput(keyIdInputSchema)).mutation(({ input }) => keys.revoke(input)),
      /** A new secret, `{ id, key, record }`; the old one stops working. */
      rotate: adminProcedure.input(callerInput(keyIdInputSchema)).mutation(({ input }) => keys.rotate(input)),
      /** Name, role, limits, budget, allowed models; null removes a setting. */
      update: adminProcedure.input(callerInput(updateKeyInputSchema)).mutation(({ input }) => keys.update(input)),
    }),
    /** Any tenant's usage per model and day, with its budget status. */
    usage: adminProcedure
      .input(callerInput(tenantUsageQuerySchema))
      .query(({ input, ctx }) => tenantUsageOf(pipeline, ctx.principal, input)),
  });
}
