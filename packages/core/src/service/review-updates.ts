import { KeelError, type Generation, type KeelErrorBody } from "@keel/spec";
import type { PipelineReview } from "../pipeline/review-api.ts";
import type { TrackStream } from "./endable-stream.ts";
import { trackedSubscription } from "./tracked-subscription.ts";

/**
 * One event of a caller's watch on its held answer: `status` carries the Generation as
 * `pipeline.review.getDecision` gives it (first the pending one, then the released one, its
 * `review.state` approved, edited or expired); `error` ends the watch without an answer
 * (CONTENT_BLOCKED `review-rejected` or `review-expired`, or the service shutting down).
 */
export type ReviewUpdate = { type: "status"; generation: Generation } | { type: "error"; error: KeelErrorBody };

export interface ReviewUpdatesOptions {
  review: PipelineReview;
  /** The caller's tenant, from its key. */
  tenant: string;
  id: string;
  track: TrackStream;
  callerSignal?: AbortSignal | undefined;
}

/**
 * The caller's subscription to its held answer, the same for both services. A missing item
 * (or another tenant's) fails the subscription itself before any event, with BAD_REQUEST
 * `review-not-found`, as `jobs.watch` does; a decision already taken is the first event.
 * A rejection is an `error` event, not a failed subscription: the transports would otherwise
 * drop the error and just complete (trackedSubscription keeps the source's failure as the
 * final event).
 */
export async function openReviewUpdates(options: ReviewUpdatesOptions): Promise<AsyncIterableIterator<ReviewUpdate>> {
  const { review, tenant, id } = options;
  await review.getDecision(tenant, id).catch((error: unknown) => {
    if (KeelError.isInstance(error) && error.code === "BAD_REQUEST") throw error;
  });
  return trackedSubscription<ReviewUpdate>({
    open: (signal) => statusEvents(review.watch(tenant, id, { signal })),
    track: options.track,
    callerSignal: options.callerSignal,
    finalEvent: (error) => ({ type: "error", error: error.toJSON() }),
  });
}

async function* statusEvents(generations: AsyncIterable<Generation>): AsyncIterable<ReviewUpdate> {
  for await (const generation of generations) yield { type: "status", generation };
}
