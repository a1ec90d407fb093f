import { tenantOf } from "../pipeline/request-scope.ts";
import { randomUUID } from "node:crypto";
import { createJobWorker, type JobQueue, type JobWorker, type QueueDepth } from "@keel/jobs";
import { KeelError, type ChatRequest, type KeelEvent } from "@keel/spec";
import { checkBatchRequest } from "../batch/batch-operation.ts";
import { withFieldPrefix } from "../batch/batch-schema.ts";
import type { KeelConfig } from "../config/schema.ts";
import type { CallOptions } from "../pipeline/request-scope.ts";
import { parseWith } from "../request/parse-request.ts";
import {
  enqueueJobSchema,
  listJobsSchema,
  type EnqueueJobInput,
  type JobPayload,
  type ListJobsInput,
} from "./enqueue-schema.ts";
import { createJobProcessor, type JobOperations } from "./job-processor.ts";
import { createConfiguredJobQueue, jobQueueKind } from "./job-queue-setup.ts";
import { toJobView, type JobView } from "./job-view.ts";

/** Whose jobs an operation reads: always given, never defaulted (a forgotten tenant must not read `default`'s jobs). */
export interface JobScope {
  tenant: string;
}

export interface JobPage {
  /** Newest first. */
  jobs: JobView[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/**
 * Background jobs on the pipeline: enqueue a generate, structured or batch request, read it,
 * cancel it, list and watch the caller's own jobs, and run a worker. The queue (Redis or
 * in-process, from `config.jobs`) opens on first use.
 */
export interface PipelineJobs {
  readonly queueKind: JobQueue["kind"];
  /**
   * Whether this process should run a worker: always with the in-process queue (no other
   * process sees its jobs); with Redis unless `jobs.worker` is false (then `apps/worker` runs them).
   */
  readonly workerInProcess: boolean;
  /** Validates the request with core's schemas (BAD_REQUEST before anything is queued) and queues it for the caller's tenant. */
  enqueue(input: EnqueueJobInput, options?: CallOptions): Promise<{ id: string; deduplicated: boolean }>;
  /** BAD_REQUEST (`job-not-found`) when the job does not exist, has expired or is another tenant's. */
  get(id: string, scope: JobScope): Promise<JobView>;
  cancel(id: string, scope: JobScope): Promise<JobView>;
  list(query: ListJobsInput, scope: JobScope): Promise<JobPage>;
  /** The job now, then after each change, ending at a final state. */
  watch(id: string, scope: JobScope & { signal?: AbortSignal }): AsyncIterable<JobView>;
  /** Jobs per state across all tenants (operators only; no service exposes it). */
  depth(): Promise<QueueDepth>;
  /** A worker in this process, running jobs through this pipeline. */
  startWorker(options?: { concurrency?: number }): JobWorker;
  /** Closes the workers started here (handing back what they run) and the queue. */
  close(): Promise<void>;
}

export function createPipelineJobs(options: {
  config: KeelConfig;
  operations: JobOperations;
  /** The live call's checks before any upstream call (its route exists, its limits hold); throws BAD_REQUEST. */
  admit: (request: ChatRequest) => void;
  events: { emit(event: KeelEvent): void };
  warn: (message: string) => void;
}): PipelineJobs {
  const { config } = options;
  const kind = jobQueueKind(config);
  const workers: JobWorker[] = [];
  let queue: JobQueue | undefined;
  const queueNow = (): JobQueue => {
    queue ??= createConfiguredJobQueue(config, {
      onEvent: (event) => options.events.emit(event),
      onError: (error) => options.warn(`job queue: ${error.message}`),
    });
    return queue;
  };
  const found = <T>(value: T | undefined): T => {
    if (value !== undefined) return value;
    throw new KeelError("BAD_REQUEST", "job not found", { details: { field: "id", reason: "job-not-found" } });
  };

  return {
    queueKind: kind,
    workerInProcess: kind === "in-process" || config.jobs.worker,

    async enqueue(input, call) {
      const job = parseWith(enqueueJobSchema, input);
      admitJob(job.kind, job.request, { config, chat: options.admit });
      const defaults = config.jobs.defaults;
      const payload: JobPayload = { request: job.request, ...(job.deferrable === true ? { deferrable: true } : {}) };
      return queueNow().enqueue({
        tenant: tenantOf(call),
        kind: job.kind,
        request: payload,
        requestId: call?.requestId ?? randomUUID(),
        timeoutMs: job.timeoutMs ?? defaults.timeoutMs,
        resultTtlMs: job.resultTtlMs ?? defaults.resultTtlMs,
        attempts: job.attempts ?? defaults.attempts,
        backoff: job.backoff ?? defaults.backoff,
        ...(job.idempotencyKey === undefined ? {} : { idempotencyKey: job.idempotencyKey }),
        ...(job.priority === undefined ? {} : { priority: job.priority }),
        ...(job.webhook === undefined ? {} : { webhook: job.webhook }),
      });
    },
    get: async (id, scope) => toJobView(found(await queueNow().get(scope.tenant, id))),
    cancel: async (id, scope) => toJobView(found(await queueNow().cancel(scope.tenant, id))),
    async list(query, scope) {
      const parsed = parseWith(listJobsSchema, query) ?? {};
      const page = await queueNow().list(scope.tenant, {
        ...(parsed.cursor === undefined ? {} : { cursor: parsed.cursor }),
        ...(parsed.limit === undefined ? {} : { limit: parsed.limit }),
        ...(parsed.state === undefined ? {} : { state: parsed.state }),
      });
      const jobs = page.jobs.map(toJobView);
      return page.nextCursor === undefined ? { jobs } : { jobs, nextCursor: page.nextCursor };
    },
    async *watch(id, scope) {
      const updates = queueNow().watch(scope.tenant, id, scope.signal ? { signal: scope.signal } : {});
      for await (const job of updates) yield toJobView(job);
    },
    depth: () => queueNow().depth(),
    startWorker(workerOptions = {}) {
      const worker = createJobWorker({
        queue: queueNow(),
        process: createJobProcessor(options.operations),
        concurrency: workerOptions.concurrency ?? config.jobs.concurrency,
        onError: (error) => options.warn(`job worker: ${error.message}`),
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.allSettled(workers.splice(0).map((worker) => worker.close({ graceMs: 0 })));
      await queue?.close();
    },
  };
}

/** What a live call would refuse before any upstream call, refused at enqueue instead. */
function admitJob(
  kind: "generate" | "structured" | "batch",
  request: unknown,
  admit: { config: KeelConfig; chat: (request: ChatRequest) => void },
): void {
  if (kind === "batch") {
    checkBatchRequest(admit.config, request);
    return;
  }
  try {
    admit.chat(request as ChatRequest);
  } catch (error) {
    throw withFieldPrefix(error, "request");
  }
}
