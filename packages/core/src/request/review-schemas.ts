import { z } from "zod";

/**
 * Inputs of the reviewer operations and the caller's poll, for services to validate with
 * (`callerInput(reviewApproveSchema)`), so both give the same BAD_REQUEST. The tenant is
 * never part of them: it comes from authentication.
 */

const id = z.string().min(1).max(100);
const reviewer = z.string().trim().min(1).max(200);

export const reviewIdSchema = z.strictObject({ id });

export const reviewListSchema = z.strictObject({
  route: z.string().min(1).optional(),
  /** A policy entry that asked for review: "toxicity", "claims", ... */
  detector: z.string().min(1).optional(),
  olderThanMs: z.number().int().nonnegative().optional(),
  cursor: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

export const reviewApproveSchema = z.strictObject({ id, reviewer });

export const reviewRejectSchema = z.strictObject({ id, reviewer, reason: z.string().trim().min(1).max(2_000) });

export const reviewEditSchema = z.strictObject({ id, reviewer, content: z.string().max(1_000_000) });
