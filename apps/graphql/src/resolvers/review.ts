import {
  openReviewUpdates,
  parseWith,
  reviewApproveSchema,
  reviewEditSchema,
  reviewIdSchema,
  reviewListSchema,
  reviewRejectSchema,
  reviewTenantOf,
  type ReviewItem,
  type ReviewPage,
  type ReviewUpdate,
} from "@keel/core";
import { KeelError, type Generation } from "@keel/spec";
import type { GraphqlContext } from "../context.ts";
import { withoutNulls } from "./caller-input.ts";
import { passEventThrough } from "../subscriptions/pass-event-through.ts";

/**
 * The review queue as tRPC's `review.*` offers it: reviewer operations for role reviewer or
 * admin on the key's tenant (FORBIDDEN for callers, checked before the input), inputs
 * checked with core's schemas (the same BAD_REQUESTs), another tenant's item answered as a
 * missing one (BAD_REQUEST review-not-found). The caller's poll and subscription need only a
 * key of the item's tenant.
 */

/** The arguments through core's schema (nulls meaning "not set"): the same BAD_REQUEST as tRPC's input. */
const parsed = <Output>(schema: Parameters<typeof parseWith<Output>>[0], args: Record<string, unknown>): Output =>
  parseWith(schema, withoutNulls(args));

export const reviewQueries = {
  reviewItems(_parent: unknown, args: Record<string, unknown>, context: GraphqlContext): Promise<ReviewPage> {
    const tenant = reviewTenantOf(context.principal);
    return context.pipeline.review.list(tenant, parsed(reviewListSchema, args));
  },
  reviewItem(_parent: unknown, args: { id: string }, context: GraphqlContext): Promise<ReviewItem> {
    const tenant = reviewTenantOf(context.principal);
    return context.pipeline.review.get(tenant, parsed(reviewIdSchema, args).id);
  },
  reviewStatus(_parent: unknown, args: { id: string }, context: GraphqlContext): Promise<Generation> {
    return context.pipeline.review.getDecision(context.principal.tenant, parsed(reviewIdSchema, args).id);
  },
};

export const reviewMutations = {
  approveReview(_parent: unknown, args: Record<string, unknown>, context: GraphqlContext): Promise<ReviewItem> {
    const tenant = reviewTenantOf(context.principal);
    const input = parsed(reviewApproveSchema, args);
    return context.pipeline.review.approve(tenant, input.id, { reviewer: input.reviewer });
  },
  rejectReview(_parent: unknown, args: Record<string, unknown>, context: GraphqlContext): Promise<ReviewItem> {
    const tenant = reviewTenantOf(context.principal);
    const input = parsed(reviewRejectSchema, args);
    return context.pipeline.review.reject(tenant, input.id, { reviewer: input.reviewer, reason: input.reason });
  },
  editReview(_parent: unknown, args: Record<string, unknown>, context: GraphqlContext): Promise<ReviewItem> {
    const tenant = reviewTenantOf(context.principal);
    const input = parsed(reviewEditSchema, args);
    return context.pipeline.review.edit(tenant, input.id, { reviewer: input.reviewer, content: input.content });
  },
};

/** Subscription.reviewUpdates: a missing item fails the operation before any event, as jobUpdates does. */
export const reviewUpdates = {
  subscribe(
    _parent: unknown,
    args: { id: string },
    context: GraphqlContext,
  ): Promise<AsyncIterableIterator<ReviewUpdate>> {
    if (context.isShuttingDown()) {
      throw new KeelError("UPSTREAM_UNAVAILABLE", "the service is shutting down", {
        details: { reason: "shutting-down" },
      });
    }
    return openReviewUpdates({
      review: context.pipeline.review,
      tenant: context.principal.tenant,
      id: parsed(reviewIdSchema, args).id,
      track: context.trackStream,
      callerSignal: context.signal,
    });
  },
  // Recognised by the subscription server's event plans, which then build each event without execute.
  resolve: passEventThrough<ReviewUpdate>,
};

/** The review enums, mapped to the safety package's lower-case values. */
export const reviewEnumResolvers = {
  ReviewState: {
    PENDING: "pending",
    APPROVED: "approved",
    EDITED: "edited",
    REJECTED: "rejected",
    EXPIRED: "expired",
  },
  ReviewMode: { HOLD: "hold", FLAG: "flag" },
  ReviewExpiryAction: { RELEASE: "release", REJECT: "reject" },
  ReviewUpdateType: { STATUS: "status", ERROR: "error" },
} as const;
