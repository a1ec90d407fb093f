import {
  reviewApproveSchema,
  reviewEditSchema,
  reviewIdSchema,
  reviewListSchema,
  reviewRejectSchema,
  type Pipeline,
} from "@keel/core";
import { publicProcedure, router } from "../trpc.ts";

/**
 * `review.*`: the human review queue of the calling tenant (core's `pipeline.review`).
 * `list` gives the pending items (no request or answer), `get` one item with its findings,
 * the caller's request and the held answer; `approve`, `reject` (with a reason) and `edit`
 * (replace the answer, then approve) decide it. Another tenant's item is BAD_REQUEST
 * `review-not-found`, as a missing one is. Inputs are core's schemas, so GraphQL and
 * in-process callers get the same BAD_REQUESTs.
 */
export function createReviewRouter(pipeline: Pipeline) {
  return router({
    list: publicProcedure
      .input(reviewListSchema.optional())
      .query(({ input, ctx }) => pipeline.review.list(ctx.tenant, input ?? {})),
    get: publicProcedure.input(reviewIdSchema).query(({ input, ctx }) => pipeline.review.get(ctx.tenant, input.id)),
    approve: publicProcedure
      .input(reviewApproveSchema)
      .mutation(({ input, ctx }) => pipeline.review.approve(ctx.tenant, input.id, { reviewer: input.reviewer })),
    reject: publicProcedure
      .input(reviewRejectSchema)
      .mutation(({ input, ctx }) =>
        pipeline.review.reject(ctx.tenant, input.id, { reviewer: input.reviewer, reason: input.reason }),
      ),
    edit: publicProcedure
      .input(reviewEditSchema)
      .mutation(({ input, ctx }) =>
        pipeline.review.edit(ctx.tenant, input.id, { reviewer: input.reviewer, content: input.content }),
      ),
  });
}
