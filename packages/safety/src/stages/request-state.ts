import type { ChatRequest, Generation, RequestContext } from "@keel/spec";
import type { ReviewMode } from "../policy/policy.ts";
import type { Vault } from "../redaction/vault.ts";

/**
 * What the input stage hands the output stage for one request, carried on the ctx under a
 * private symbol (it survives `{ ...ctx }` copies by the layers in between and is invisible
 * to them). It never leaves the request.
 */
export interface RequestSafetyState {
  vault: Vault;
  /** The request as the caller sent it, for the review item (reviewers see it; logs never do). */
  original: ChatRequest;
}

const STATE = Symbol("keel.safety.request");

export function withSafetyState(ctx: RequestContext, state: RequestSafetyState): RequestContext {
  return { ...ctx, [STATE]: state } as RequestContext;
}

export function safetyStateOf(ctx: RequestContext): RequestSafetyState | undefined {
  return (ctx as RequestContext & { [STATE]?: RequestSafetyState })[STATE];
}

/**
 * The output stage asks the input stage (which knows the caller's request and vault) to
 * create a review item, under a private symbol on the Generation: object spreads (the
 * caches' envelope copies) keep it, JSON never carries it, and the input stage strips it
 * before the Generation reaches the caller.
 */
export interface ReviewRequest {
  mode: ReviewMode;
  detector: string;
  /** For a hold: the whole answer, which the caller does not get until a reviewer decides. */
  held?: Generation;
}

const REVIEW = Symbol("keel.safety.review");

export function withReviewRequest(generation: Generation, review: ReviewRequest): Generation {
  return { ...generation, [REVIEW]: review } as Generation;
}

export function reviewRequestOf(generation: Generation): ReviewRequest | undefined {
  return (generation as Generation & { [REVIEW]?: ReviewRequest })[REVIEW];
}

export function withoutReviewRequest(generation: Generation): Generation {
  if (reviewRequestOf(generation) === undefined) return generation;
  const { [REVIEW]: _removed, ...rest } = generation as Generation & { [REVIEW]?: ReviewRequest };
  return rest;
}
