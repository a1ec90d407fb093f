import type { Pipeline } from "@keel/core";
import { z } from "zod";
import { publicProcedure, router } from "../trpc.ts";

/**
 * What a caller may narrow a usage report by. Strict, and without `tenant`: the report
 * is always the authenticated tenant's (a `tenant` field is refused, never honoured).
 * Core checks the values (YYYY-MM-DD days, the span), so both services word their
 * BAD_REQUESTs the same way.
 */
const usageQuerySchema = z
  .strictObject({
    /** First UTC day, YYYY-MM-DD; default 29 days before `to`. */
    from: z.string().optional(),
    /** Last UTC day, YYYY-MM-DD, inclusive; default today. */
    to: z.string().optional(),
    /** Only this answering model. */
    model: z.string().optional(),
  })
  .optional();

/** `usage.get`: the calling tenant's requests, tokens and cost per model and UTC day. */
export function createUsageRouter(pipeline: Pipeline) {
  return router({
    get: publicProcedure
      .input(usageQuerySchema)
      .query(({ input, ctx }) => pipeline.usage(withoutUndefined(input), { tenant: ctx.tenant })),
  });
}

function withoutUndefined(input: z.output<typeof usageQuerySchema>): { from?: string; to?: string; model?: string } {
  const query: { from?: string; to?: string; model?: string } = {};
  if (input?.from !== undefined) query.from = input.from;
  if (input?.to !== undefined) query.to = input.to;
  if (input?.model !== undefined) query.model = input.model;
  return query;
}
