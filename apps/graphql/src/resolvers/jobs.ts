import { trackedSubscription, type EnqueueJobInput, type JobPage, type JobView } from "@keel/core";
import { KeelError } from "@keel/spec";
import type { GraphqlContext } from "../context.ts";
import { type BatchInputArgs, toBatchRequest } from "./batch-input.ts";
import { GENERATE_JSON_FIELDS, STRUCTURED_JSON_FIELDS, withoutNulls } from "./caller-input.ts";
import { passEventThrough } from "../subscriptions/pass-event-through.ts";

interface EnqueueJobArgs {
  request: {
    generate?: Record<string, unknown> | null;
    structured?: Record<string, unknown> | null;
    batch?: BatchInputArgs | null;
  };
  [option: string]: unknown;
}

/**
 * Mutation.enqueueJob: the @oneOf request names the kind; core validates the request as the
 * live call's and queues it for the caller's tenant (from its key, never from the input).
 */
export async function enqueueJob(
  _parent: unknown,
  args: { input: EnqueueJobArgs },
  context: GraphqlContext,
): Promise<{ id: string; deduplicated: boolean }> {
  const { request, ...options } = args.input;
  const job = {
    ...withoutNulls(options),
    ...(request.generate != null
      ? { kind: "generate", request: withoutNulls(request.generate, GENERATE_JSON_FIELDS) }
      : request.structured != null
        ? { kind: "structured", request: withoutNulls(request.structured, STRUCTURED_JSON_FIELDS) }
        : { kind: "batch", request: toBatchRequest(request.batch ?? { items: [] }) }),
  } as EnqueueJobInput;
  return context.pipeline.jobs.enqueue(job, context.callOptions());
}

/** Query.job: BAD_REQUEST (job-not-found) for a missing, expired or other tenant's job. */
export function job(_parent: unknown, args: { id: string }, context: GraphqlContext): Promise<JobView> {
  return context.pipeline.jobs.get(args.id, { tenant: context.principal.tenant });
}

/** Mutation.cancelJob. */
export function cancelJob(_parent: unknown, args: { id: string }, context: GraphqlContext): Promise<JobView> {
  return context.pipeline.jobs.cancel(args.id, { tenant: context.principal.tenant });
}

/** Query.jobs: a page of the context tenant's jobs as a connection. */
export async function jobs(
  _parent: unknown,
  args: { first?: number | null; after?: string | null; state?: JobView["state"] | null },
  context: GraphqlContext,
): Promise<{ nodes: JobView[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> {
  const page: JobPage = await context.pipeline.jobs.list(
    {
      ...(args.first == null ? {} : { limit: args.first }),
      ...(args.after == null ? {} : { cursor: args.after }),
      ...(args.state == null ? {} : { state: args.state }),
    },
    { tenant: context.principal.tenant },
  );
  return {
    nodes: page.jobs,
    pageInfo: { hasNextPage: page.nextCursor !== undefined, endCursor: page.nextCursor ?? null },
  };
}

/** Subscription.jobUpdates: not found fails the operation before any event. */
export const jobUpdates = {
  async subscribe(
    _parent: unknown,
    args: { id: string },
    context: GraphqlContext,
  ): Promise<AsyncIterableIterator<JobView>> {
    if (context.isShuttingDown()) {
      throw new KeelError("UPSTREAM_UNAVAILABLE", "the service is shutting down", {
        details: { reason: "shutting-down" },
      });
    }
    const scope = { tenant: context.principal.tenant };
    await context.pipeline.jobs.get(args.id, scope);
    return trackedSubscription<JobView>({
      open: (signal) => context.pipeline.jobs.watch(args.id, { ...scope, signal }),
      track: context.trackStream,
      callerSignal: context.signal,
    });
  },
  // Event plans take selections without `result` (a union: execute builds those events).
  resolve: passEventThrough<JobView>,
};
