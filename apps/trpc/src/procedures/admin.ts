import {
  checkedByOperation,
  createKeyAdmin,
  tenantUsageOf,
  type CreateKeyInput,
  type ListKeysInput,
  type Pipeline,
  type UpdateKeyInput,
} from "@keel/core";
import { adminProcedure } from "../authenticated.ts";
import { router } from "../trpc.ts";

/**
 * `admin.*` (role admin): API keys for any tenant, and any tenant's usage and budget.
 * Inputs are checked by core's key administration with the schemas the GraphQL service
 * and the CLI use, so bad input is the same BAD_REQUEST naming the same field.
 */
export function createAdminRouter(pipeline: Pipeline) {
  const keys = createKeyAdmin(pipeline.governance.keys);
  return router({
    keys: router({
      /** `{ id, key, record }`: the whole key, shown this once (only its hash is stored). */
      create: adminProcedure.input(checkedByOperation<CreateKeyInput>()).mutation(({ input }) => keys.create(input)),
      /** Newest first; one tenant's, or every tenant's. Never a secret. */
      list: adminProcedure
        .input(checkedByOperation<ListKeysInput | undefined>())
        .query(({ input }) => keys.list(input ?? {})),
      /** Stops working on every instance within auth.verifyCacheMs (2 s). */
      revoke: adminProcedure.input(checkedByOperation<{ id: string }>()).mutation(({ input }) => keys.revoke(input)),
      /** A new secret, `{ id, key, record }`; the old one stops working. */
      rotate: adminProcedure.input(checkedByOperation<{ id: string }>()).mutation(({ input }) => keys.rotate(input)),
      /** Name, role, limits, budget, allowed models; null removes a setting. */
      update: adminProcedure.input(checkedByOperation<UpdateKeyInput>()).mutation(({ input }) => keys.update(input)),
    }),
    /** Any tenant's usage per model and day, with its budget status. */
    usage: adminProcedure
      .input(checkedByOperation<{ tenant: string; from?: string; to?: string; model?: string }>())
      .query(({ input, ctx }) => tenantUsageOf(pipeline, ctx.principal, input)),
  });
}
