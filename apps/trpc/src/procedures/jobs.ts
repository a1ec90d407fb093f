import { callerInputs, trackedSubscription, type JobView, type Pipeline, type ServiceEdge } from "@keel/core";
import { authenticatedProcedure } from "../authenticated.ts";
import { router } from "../trpc.ts";
import { callOptions } from "./call-options.ts";

const { enqueueJob: enqueueInput, jobId: idInput, listJobs: listInput } = callerInputs;

/**
 * Background jobs of the calling tenant (from the caller's key, never from the input): a generate,
 * structured or batch request run by a worker, its result kept for its TTL. A job id that does
 * not exist, has expired or is another tenant's is BAD_REQUEST with `details.reason: "job-not-found"`.
 */
export function createJobsRouter(pipeline: Pipeline, edge: ServiceEdge) {
  return router({
    /**
     * `{ kind, request, idempotencyKey?, priority?, timeoutMs?, resultTtlMs?, attempts?, backoff?, webhook?, deferrable? }`
     * -> `{ id, deduplicated }`. The request is validated as the live call's (BAD_REQUEST before anything is queued).
     */
    enqueue: authenticatedProcedure
      .input(enqueueInput)
      .mutation(({ input, ctx }) => pipeline.jobs.enqueue(input, callOptions(edge, ctx, undefined))),

    /** `{ id, kind, state, progress, result?, error?, createdAt, startedAt?, finishedAt?, expiresAt?, ... }`. */
    get: authenticatedProcedure
      .input(idInput)
      .query(({ input, ctx }) => pipeline.jobs.get(input.id, { tenant: ctx.principal.tenant })),

    /** A waiting job is cancelled at once; an active one as soon as its worker stops it. Returns the job. */
    cancel: authenticatedProcedure
      .input(idInput)
      .mutation(({ input, ctx }) => pipeline.jobs.cancel(input.id, { tenant: ctx.principal.tenant })),

    /** The calling tenant's jobs, newest first: `{ jobs, nextCursor? }` (limit 1-100, default 20; state filter). */
    list: authenticatedProcedure
      .input(listInput)
      .query(({ input, ctx }) => pipeline.jobs.list(input ?? {}, { tenant: ctx.principal.tenant })),

    /** Over SSE: the job now, then after each change of state or progress, ending at its final state. */
    watch: authenticatedProcedure.input(idInput).subscription(async function* ({ input, ctx, signal }) {
      const scope = { tenant: ctx.principal.tenant };
      // Not found is an error of the subscription itself, before any event.
      await pipeline.jobs.get(input.id, scope);
      yield* trackedSubscription<JobView>({
        open: (watchSignal) => pipeline.jobs.watch(input.id, { ...scope, signal: watchSignal }),
        track: ctx.trackStream,
        callerSignal: signal,
      });
    }),
  });
}
