import type { JobProcessor } from "@keel/jobs";
import { KeelError, type ChatRequest, type Generation, type KeelErrorBody } from "@keel/spec";
import type { BatchOperation } from "../batch/batch-operation.ts";
import type { BatchItemResult, BatchRequestInput, BatchResult } from "../batch/batch-types.ts";
import type { CallOptions } from "../pipeline/request-scope.ts";
import type { StructuredRequestInput } from "../request/structured-request.ts";
import type { JobPayload } from "./enqueue-schema.ts";

export interface JobOperations extends Pick<BatchOperation, "batchStream"> {
  generate(request: ChatRequest, options: CallOptions): Promise<Generation>;
  structured(request: StructuredRequestInput, options: CallOptions): Promise<Generation>;
}

/** The service name on a job's request log lines (the pipeline call a worker makes for it). */
export const WORKER_SERVICE = "worker";

/**
 * Runs a job through the pipeline, as the caller's own live call would run, under the job's
 * signal (its timeout, a cancel, a worker's shutdown) and tenant. The pipeline call's request id
 * is `<job id>.<attempt>`. A deferrable job's call may wait for the provider's batch API until
 * the job's timeout; others keep their route's deadline. A batch job reports its progress as
 * the share of items done.
 */
export function createJobProcessor(operations: JobOperations): JobProcessor {
  return async (job, { signal, attempt, reportProgress }) => {
    const payload = job.request as JobPayload;
    const deferrable = payload.deferrable === true;
    const call: CallOptions = {
      tenant: job.tenant,
      requestId: `${job.id}.${attempt}`,
      signal,
      service: WORKER_SERVICE,
      ...(deferrable ? { deferrable: true, timeoutMs: job.timeoutMs } : {}),
    };
    if (job.kind === "generate") return operations.generate(payload.request as ChatRequest, call);
    if (job.kind === "structured") return operations.structured(payload.request as StructuredRequestInput, call);
    return runBatchJob({ operations, request: payload.request as BatchRequestInput, call, reportProgress });
  };
}

async function runBatchJob(input: {
  operations: JobOperations;
  request: BatchRequestInput;
  call: CallOptions;
  reportProgress: (progress: number) => Promise<void>;
}): Promise<BatchResult> {
  const items: BatchItemResult[] = [];
  let lastReported = 0;
  for await (const event of input.operations.batchStream(input.request, input.call)) {
    if (event.type === "error") throw errorFrom(event.error);
    if (event.type === "done") return { items, totals: event.totals };
    items[event.item.index] = event.item;
    const progress = Math.floor((event.completed / event.total) * 100);
    // Whole percents only: a 10,000-item batch does not write its record 10,000 times.
    if (progress > lastReported && progress < 100) {
      lastReported = progress;
      await input.reportProgress(progress);
    }
  }
  throw new KeelError("INTERNAL", "the batch ended without its totals");
}

function errorFrom(body: KeelErrorBody): KeelError {
  return new KeelError(body.code, body.message, { retryable: body.retryable, details: body.details });
}
