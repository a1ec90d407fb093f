import {
  openReviewUpdates,
  reviewApproveSchema,
  reviewEditSchema,
  reviewIdSchema,
  reviewListSchema,
  reviewRejectSchema,
  reviewTenantOf,
  type Pipeline,
} from "@keel/core";
import { authenticatedProcedure, reviewerProcedure } from "../authenticated.ts";
import { router } from "../trpc.ts";

/**
 * `review.*`: the human review queue of the reviewer's tenant (core's `pipeline.review`), for
 * keys with role reviewer or admin (FORBIDDEN for callers). `list` gives the pending items (no
 * request or answer), `get` one item with its findings, the caller's request and the held
 * answer; `approve`, `reject` (with a reason) and `edit` (replace the answer, then approve)
 * decide it. Another tenant's item is BAD_REQUEST `review-not-found`, as a missing one is.
 * Inputs are core's schemas, so in-process callers get the same BAD_REQUESTs.
 *
 * The caller's side (any role, its own tenant): `status` polls a held answer (the pending
 * Generation, the released one, or CONTENT_BLOCKED `review-rejected`/`review-expired`) and
 * `watch` (SSE) sends `{ type: "status", generation }` now and at the decision, or a final
 * `{ type: "error", error }`; GraphQL's `reviewStatus` and `reviewUpdates` are the same.
 */
export function createReviewRouter(pipeline: Pipeline) {
  return router({
    list: reviewerProcedure
      .input(reviewListSchema.optional())
      .query(({ input, ctx }) => pipeline.review.list(reviewTenantOf(ctx.principal), input ?? {})),
    get: reviewerProcedure
      .input(reviewIdSchema)
      .query(({ input, ctx }) => pipeline.review.get(reviewTenantOf(ctx.principal), input.id)),
    approve: reviewerProcedure
      .input(reviewApproveSchema)
      .mutation(({ input, ctx }) =>
        pipeline.review.approve(reviewTenantOf(ctx.principal), input.id, { reviewer: input.reviewer }),
      ),
    reject: reviewerProcedure.input(reviewRejectSchema).mutation(({ input, ctx }) =>
      pipeline.review.reject(reviewTenantOf(ctx.principal), input.id, {
        reviewer: input.reviewer,
        reason: input.reason,
      }),
    ),
    status: authenticatedProcedure
      .input(reviewIdSchema)
      .query(({ input, ctx }) => pipeline.review.getDecision(ctx.principal.tenant, input.id)),
    watch: authenticatedProcedure.input(reviewIdSchema).subscription(async function* ({ input, ctx, signal }) {
      yield* await openReviewUpdates({
        review: pipeline.review,
        tenant: ctx.principal.tenant,
        id: input.id,
        track: ctx.trackStream,
        callerSignal: signal,
      });
    }),
    edit: reviewerProcedure.input(reviewEditSchema).mutation(({ input, ctx }) =>
      pipeline.review.edit(reviewTenantOf(ctx.principal), input.id, {
        reviewer: input.reviewer,
        content: input.content,
      }),
    ),
  });
}
