import type { BatchResult, JobView } from "@keel/core";
import type { Generation } from "@keel/spec";

/** The enums batches and jobs add, mapped to core's lower-case values (as enums.ts does for the envelope). */
export const jobEnumResolvers = {
  BatchStreamEventType: { ITEM: "item", DONE: "done", ERROR: "error" },
  JobKind: { GENERATE: "generate", STRUCTURED: "structured", BATCH: "batch" },
  JobState: {
    WAITING: "waiting",
    ACTIVE: "active",
    COMPLETED: "completed",
    FAILED: "failed",
    CANCELLED: "cancelled",
  },
  BackoffType: { FIXED: "fixed", EXPONENTIAL: "exponential" },
  WebhookOutcome: { DELIVERED: "delivered", FAILED: "failed" },
} as const;

/** JobResult is a batch job's BatchResult or a generate/structured job's Generation. */
export const jobResultResolvers = {
  JobResult: {
    __resolveType: (result: Generation | BatchResult) => ("totals" in result ? "BatchResult" : "Generation"),
  },
};

export type { JobView };
