import type { ReviewItem, ReviewListQuery, ReviewPage, ReviewQueue } from "@keel/safety";
import { type Generation, KeelError } from "@keel/spec";

/**
 * Human review as the pipeline offers it: every operation takes the tenant first (from
 * authentication, never from input) and sees only that tenant's items. Reviewer
 * operations: list, get (findings, the caller's request and the held answer, personal data
 * included: for reviewers only, never logged), approve, reject, edit (then approve). The
 * caller's side: getDecision (poll) and watch (AsyncIterable), which yield the final
 * Generation or fail with CONTENT_BLOCKED.
 */
export interface PipelineReview {
  list(tenant: string, query?: ReviewListQuery): Promise<ReviewPage>;
  get(tenant: string, id: string): Promise<ReviewItem>;
  approve(tenant: string, id: string, decision: { reviewer: string }): Promise<ReviewItem>;
  reject(tenant: string, id: string, decision: { reviewer: string; reason: string }): Promise<ReviewItem>;
  edit(tenant: string, id: string, decision: { reviewer: string; content: string }): Promise<ReviewItem>;
  getDecision(tenant: string, id: string): Promise<Generation>;
  watch(tenant: string, id: string, options?: { signal?: AbortSignal }): AsyncIterable<Generation>;
}

export function createReviewApi(queue: ReviewQueue): PipelineReview {
  const scoped = (tenant: string) => {
    if (typeof tenant !== "string" || tenant === "")
      throw new KeelError("BAD_REQUEST", "a review operation needs the tenant", { details: { field: "tenant" } });
    return tenant;
  };
  return {
    list: async (tenant, query) => queue.list(scoped(tenant), query),
    get: async (tenant, id) => queue.get(scoped(tenant), id),
    approve: async (tenant, id, decision) => queue.approve(scoped(tenant), id, decision),
    reject: async (tenant, id, decision) => queue.reject(scoped(tenant), id, decision),
    edit: async (tenant, id, decision) => queue.edit(scoped(tenant), id, decision),
    getDecision: async (tenant, id) => queue.getDecision(scoped(tenant), id),
    watch: (tenant, id, options) => queue.watch(scoped(tenant), id, options),
  };
}
