import { setMaxListeners } from "node:events";
import { KeelError, linkSignal, toKeelError, type Generation } from "@keel/spec";
import type { TenantGates } from "./concurrency-gate.ts";
import type { BatchItemResult } from "./batch-types.ts";

export interface RunBatchOptions {
  items: readonly unknown[];
  /** Items of this batch in flight at once. */
  concurrency: number;
  tenant: string;
  /** Items of one tenant in flight at once, across its batches. */
  tenantGates: TenantGates;
  /** The caller's: aborting it stops the items in flight and those not started. */
  signal: AbortSignal | undefined;
  /** Runs one item through the pipeline; throws its typed error. */
  run(item: unknown, index: number, signal: AbortSignal): Promise<Generation>;
}

/**
 * Runs a batch's items with at most `concurrency` in flight (and the tenant's own limit), and
 * yields each item's result as it finishes. An item's failure is its result, never the batch's.
 * A consumer that stops early aborts the items still running.
 */
export async function* runBatchItems(options: RunBatchOptions): AsyncGenerator<BatchItemResult, void, undefined> {
  const { items } = options;
  const link = linkSignal(options.signal);
  // Every item in flight listens on the batch's signal (its place at the tenant's gate, its
  // request scope): more than Node's default of 10 is by design, not a leak.
  setMaxListeners(0, link.signal);
  const finished: BatchItemResult[] = [];
  let wake: (() => void) | undefined;
  let next = 0;

  const runOne = async (index: number): Promise<BatchItemResult> => {
    let release: (() => void) | undefined;
    try {
      release = await options.tenantGates.acquire(options.tenant, link.signal);
      const generation = await options.run(items[index], index, link.signal);
      return { index, ok: true, generation };
    } catch (error) {
      return { index, ok: false, error: toKeelError(error).toJSON() };
    } finally {
      release?.();
    }
  };
  const lane = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      finished.push(await runOne(index));
      wake?.();
    }
  };
  for (let lanes = Math.min(options.concurrency, items.length); lanes > 0; lanes -= 1) void lane();

  let yielded = 0;
  try {
    while (yielded < items.length) {
      const result = finished.shift();
      if (result === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      yielded += 1;
      yield result;
    }
  } finally {
    if (yielded < items.length) {
      link.abort(
        new KeelError("UPSTREAM_TIMEOUT", "the batch's reader went away", {
          retryable: false,
          details: { reason: "client-closed" },
        }),
      );
    }
    link.dispose();
  }
}
