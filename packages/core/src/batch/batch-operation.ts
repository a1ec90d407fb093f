import { tenantOf } from "../pipeline/request-scope.ts";
import { randomUUID } from "node:crypto";
import { KeelError, type ChatRequest, type Generation } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { CallOptions } from "../pipeline/request-scope.ts";
import { parseWith } from "../request/parse-request.ts";
import type { ParsedStructuredRequest } from "../request/parsed-request.ts";
import { batchRequestSchema, parseBatchItem, withFieldPrefix } from "./batch-schema.ts";
import { batchTotals } from "./batch-totals.ts";
import type { BatchItemResult, BatchRequestInput, BatchResult, BatchStreamEvent } from "./batch-types.ts";
import { TenantGates } from "./concurrency-gate.ts";
import { runBatchItems } from "./run-batch.ts";

export interface BatchOperation {
  batch(input: BatchRequestInput, options?: CallOptions): Promise<BatchResult>;
  batchStream(input: BatchRequestInput, options?: CallOptions): AsyncIterable<BatchStreamEvent>;
}

/**
 * The batch operation over the pipeline's own generate and structured calls: every item goes
 * through the whole pipeline (validation, cache, safety, resilience, telemetry) with its own
 * request id (`<batch id>.<index>`), the caller's tenant and signal.
 */
export function createBatchOperation(options: {
  config: KeelConfig;
  generate: (request: ChatRequest, call: CallOptions) => Promise<Generation>;
  structured: (request: ParsedStructuredRequest, call: CallOptions) => Promise<Generation>;
}): BatchOperation {
  const settings = options.config.jobs.batch;
  const tenantGates = new TenantGates(settings.tenantConcurrency);

  /** Checks the batch as a whole (before any item runs) and returns its item stream. */
  const start = (input: BatchRequestInput, call: CallOptions | undefined) => {
    const parsed = checkBatchRequest(options.config, input);
    const batchId = call?.requestId ?? randomUUID();
    const items = runBatchItems({
      items: parsed.items,
      concurrency: parsed.concurrency ?? settings.concurrency,
      tenant: tenantOf(call),
      tenantGates,
      signal: call?.signal,
      run: async (item, index, signal) => {
        const request = parseBatchItem(item, index);
        const itemCall: CallOptions = { ...call, requestId: `${batchId}.${index}`, signal };
        try {
          return request.kind === "generate"
            ? await options.generate(request.request, itemCall)
            : await options.structured(request.request, itemCall);
        } catch (error) {
          throw withFieldPrefix(error, `items.${index}.${request.kind}`);
        }
      },
    });
    return { items, total: parsed.items.length };
  };

  return {
    async batch(input, call) {
      const startedAt = Date.now();
      const { items } = start(input, call);
      const results: BatchItemResult[] = [];
      for await (const result of items) results[result.index] = result;
      return { items: results, totals: batchTotals(results, Date.now() - startedAt) };
    },
    async *batchStream(input, call) {
      const startedAt = Date.now();
      let started: ReturnType<typeof start>;
      try {
        started = start(input, call);
      } catch (error) {
        const refusal = KeelError.isInstance(error) ? error : new KeelError("INTERNAL", "internal error");
        yield { type: "error", error: refusal.toJSON() };
        return;
      }
      const results: BatchItemResult[] = [];
      for await (const item of started.items) {
        results.push(item);
        yield { type: "item", item, completed: results.length, total: started.total };
      }
      yield { type: "done", totals: batchTotals(results, Date.now() - startedAt) };
    },
  };
}

/**
 * The checks of a batch as a whole, before any item runs (also made when a batch job is
 * enqueued): a list of 1 to `jobs.batch.maxItems` objects and a concurrency within the
 * configured one. Each item is checked when it runs: a bad item is its own BAD_REQUEST.
 */
export function checkBatchRequest(config: KeelConfig, input: unknown): BatchRequestInput {
  const settings = config.jobs.batch;
  const parsed = parseWith(batchRequestSchema, input);
  if (parsed.items.length > settings.maxItems) {
    throw new KeelError("BAD_REQUEST", `items: at most ${settings.maxItems} items, received ${parsed.items.length}`, {
      details: { field: "items", reason: "too-many-items" },
    });
  }
  if (parsed.concurrency !== undefined && parsed.concurrency > settings.concurrency) {
    throw new KeelError("BAD_REQUEST", `concurrency: at most ${settings.concurrency}`, {
      details: { field: "concurrency" },
    });
  }
  return parsed;
}
